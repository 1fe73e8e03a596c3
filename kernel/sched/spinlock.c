/*
 * Spinlocks: test-and-test-and-set with pause. Taking one disables
 * preemption, so a holder is never switched out while others spin.
 * Each CPU counts the locks it holds; the reschedule IPIs that wake-ups
 * under a lock owe wait until the count is back to zero (sched.c).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <kernel/irqflags.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>

#include "sched_internal.h"

void spin_lock_init(spinlock_t *lock)
{
	lock->locked = 0;
	lock->owner_cpu = 0;
}

/* @lock is this CPU's now. */
static void taken(spinlock_t *lock)
{
	struct cpu *c = this_cpu();
	lock->owner_cpu = c->id;
	c->locks_held++;
}

static void lock_raw(spinlock_t *lock)
{
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			cpu_relax();
	}
	taken(lock);
}

void spin_lock(spinlock_t *lock)
{
	preempt_disable();
	lock_raw(lock);
}

bool spin_trylock(spinlock_t *lock)
{
	preempt_disable();
	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) {
		preempt_enable();
		return false;
	}
	taken(lock);
	return true;
}

void spin_unlock(spinlock_t *lock)
{
	ASSERT(lock->locked);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	spin_released(this_cpu());
	preempt_enable();
}

unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags = local_irq_save();
	preempt_disable();
	lock_raw(lock);
	return flags;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	ASSERT(lock->locked);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	struct cpu *c = this_cpu();
	spin_released(c);
	/* Drop the count before interrupts come back: no schedule() here. */
	c->preempt_count--;
	local_irq_restore(flags);
	if (flags & X86_RFLAGS_IF) {
		if (c->need_resched && c->preempt_count == 0 && !c->irq_depth)
			schedule();
	}
}

bool spin_is_locked(const spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED);
}
