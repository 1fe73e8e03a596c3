/* Between the scheduler core and thread lifetime code; not public. */
#ifndef SCHED_INTERNAL_H
#define SCHED_INTERNAL_H

#include <kernel/thread.h>

/* Saves callee-saved registers, switches stacks; returns the previous
 * thread in the context of the thread switched to. */
struct thread *arch_switch(uint64_t *prev_rsp, uint64_t next_rsp,
			   struct thread *prev);
/* Entry of every new thread (from arch_thread_entry). */
void thread_start(struct thread *t, struct thread *last);
/* Allocates a thread ready to run fn(arg), not yet queued. */
struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg);
/* Frees an exited thread that is no longer on any CPU. */
void thread_free(struct thread *t);
/* Sends the reschedule IPIs this CPU owes (cpu.kicks). */
void sched_send_kicks(struct cpu *c);

/*
 * @c has let go of a spinlock (preemption or interrupts still off): with
 * none held any more, the IPIs it owes go out.
 */
static inline void spin_released(struct cpu *c)
{
	if (--c->locks_held == 0 && c->kicks)
		sched_send_kicks(c);
}

#endif
