/*
 * Spinlocks. spin_lock_irqsave() also disables interrupts on this CPU, so a
 * lock taken in interrupt context cannot deadlock against its own CPU.
 * Kernel code must not sleep while holding one.
 *
 * On the host (unit tests) the same API is provided by tests/unit/shim.c.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <kernel/types.h>

typedef struct spinlock {
	volatile uint32_t locked;
	uint32_t owner_cpu; /* CPU holding the lock, for assertions */
} spinlock_t;

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

void spin_lock_init(spinlock_t *lock);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
bool spin_trylock(spinlock_t *lock);
/* Returns the previous interrupt state for spin_unlock_irqrestore(). */
unsigned long spin_lock_irqsave(spinlock_t *lock);
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
bool spin_is_locked(const spinlock_t *lock);

#endif
