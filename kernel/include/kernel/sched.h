/*
 * The scheduler: per-CPU run queues of READY threads, round robin with a
 * time slice, preemption from the timer interrupt. A CPU with nothing to
 * run runs its idle thread, which halts until the next interrupt.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/types.h>

struct thread;

#define SCHED_SLICE_NS (10 * 1000 * 1000UL)

/* Makes the boot flow a thread ("boot"): once, before sched_init(). */
void thread_adopt_boot(void);
/* Creates this CPU's idle thread, installs the timer and IPI handlers. */
void sched_init(void);
struct cpu;
/* The idle thread of CPU @c (made by the CPU starting it). */
struct thread *sched_create_idle(struct cpu *c);
/* A CPU that has just started becomes its idle thread. */
__noreturn void sched_run_idle(void);
/* The least loaded CPU @t may run on. */
unsigned sched_pick_cpu(const struct thread *t);
/*
 * Switches to the next ready thread on this CPU. The caller sets its own
 * state first: RUNNING (or READY) to stay runnable, BLOCKED to sleep
 * until thread_wake(), EXITED to never run again.
 */
void schedule(void);
/* Puts a READY thread on a run queue (its cpu's). rq lock not held. */
void sched_enqueue(struct thread *t);
/* CPU time of the calling thread, and of all program threads. */
uint64_t sched_thread_cpu_ns(void);
uint64_t sched_program_cpu_ns(void);
/* Context switches done on all CPUs, for tests and statistics. */
uint64_t sched_switch_count(void);

#endif
