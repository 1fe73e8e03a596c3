/*
 * Futexes (kernel/proc/futex.c): waiting on and waking a 32-bit word in
 * program memory. All return a count or a negative errno.
 */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include <kernel/types.h>

#define FUTEX_BITSET_ALL 0xffffffffu

void futex_init(void);
/*
 * Sleeps while *@uaddr == @val until woken (0), monotonic @deadline_ns
 * passes (-ETIMEDOUT; UINT64_MAX: none), or the word differs (-EAGAIN).
 */
int futex_wait(uintptr_t uaddr, uint32_t val, uint64_t deadline_ns,
	       uint32_t bitset);
/* Wakes up to @nr waiters whose bitset meets @bitset; returns how many. */
int futex_wake(uintptr_t uaddr, int nr, uint32_t bitset);
/*
 * Wakes up to @nr_wake waiters of @uaddr and moves up to @nr_requeue more
 * to @uaddr2; with @cmpval, only if *@uaddr still equals it (-EAGAIN).
 * Returns the number woken plus moved.
 */
int futex_requeue(uintptr_t uaddr, uintptr_t uaddr2, int nr_wake,
		  int nr_requeue, const uint32_t *cmpval);

#endif
