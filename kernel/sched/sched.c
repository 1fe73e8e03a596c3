/*
 * Scheduler core: per-CPU run queues, the switch itself, preemption, idle.
 *
 * Locking: a thread's state and its place in a run queue are protected by
 * the rq lock of thread->cpu. schedule() takes this CPU's rq lock with
 * interrupts off and holds it across the switch; the thread switched to
 * releases it (finish_switch), so no other CPU can pick up the previous
 * thread before its registers are saved.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/traps.h>
#include <kernel/heap.h>
#include <kernel/irqflags.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/errno.h>

#include "sched_internal.h"

void preempt_disable(void)
{
	__asm__ volatile("incl %%gs:%c0"
			 :
			 : "i"(offsetof(struct cpu, preempt_count))
			 : "memory");
}

void preempt_enable(void)
{
	struct cpu *c = this_cpu();
	ASSERT(c->preempt_count > 0);
	__asm__ volatile("decl %%gs:%c0"
			 :
			 : "i"(offsetof(struct cpu, preempt_count))
			 : "memory");
	if (c->preempt_count == 0 && c->need_resched && !c->irq_depth &&
	    irqs_enabled())
		schedule();
}

static void rq_add_locked(struct cpu *c, struct thread *t)
{
	ASSERT(spin_is_locked(&c->rq.lock));
	list_add_tail(&c->rq.ready, &t->rq_node);
	c->rq.nr_ready++;
}

/*
 * Make @c look at its run queue soon: kick_mark, under the lock that
 * published the work, returns the CPU to interrupt (NULL for this one),
 * and rq_unlock_kick drops that lock and owes the CPU an IPI, which goes
 * out once this CPU holds no spinlock (sched_send_kicks). A wake-up is
 * mostly made under a lock of the waker's too (a mutex's or condition
 * variable's wait queue), which the woken thread takes first thing; and
 * the ICR write leaves the guest (under TCG it waits for QEMU's global
 * lock, which the device emulation holds). Sent under the run-queue
 * lock, other CPUs spun on it meanwhile: 11% of all vCPU samples with
 * four NFS writers; sent under the wait queue's, the woken thread spun.
 */
static struct cpu *kick_mark(struct cpu *c)
{
	c->need_resched = true;
	return c != this_cpu() ? c : NULL;
}

/*
 * Drops @c's run-queue lock (taken with spin_lock_irqsave, @flags) and
 * owes @kick its IPI. Preemption is off until the IPI is out (it is while
 * any spinlock is held), so that this thread is not switched away with
 * the woken one left waiting.
 */
static void rq_unlock_kick(struct cpu *c, unsigned long flags, struct cpu *kick)
{
	if (kick)
		__atomic_or_fetch(&this_cpu()->kicks, 1ULL << kick->id,
				  __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&c->rq.lock, flags);
}

void sched_send_kicks(struct cpu *c)
{
	uint64_t m = __atomic_exchange_n(&c->kicks, 0, __ATOMIC_RELAXED);
	while (m) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		m &= m - 1;
		lapic_send_ipi(cpus[i]->apic_id, VEC_RESCHED);
	}
}

static unsigned online_cpus(void)
{
	return __atomic_load_n(&nr_cpus, __ATOMIC_ACQUIRE);
}

/* Threads on @c, running or ready: the load the balancer evens out. */
static unsigned cpu_load(const struct cpu *c)
{
	return __atomic_load_n(&c->rq.nr_ready, __ATOMIC_RELAXED) +
	       (__atomic_load_n(&c->current, __ATOMIC_RELAXED) != c->idle);
}

unsigned sched_pick_cpu(const struct thread *t)
{
	unsigned best = t->cpu, best_load = ~0u;
	for (unsigned i = 0; i < online_cpus(); i++) {
		if (!(t->affinity & (1ULL << i)) || !cpus[i])
			continue;
		unsigned load = cpu_load(cpus[i]);
		if (load < best_load) {
			best = i;
			best_load = load;
		}
	}
	return best;
}

/* An idle CPU other than @busy that may run @t, or NULL. */
static struct cpu *idle_cpu_for(const struct thread *t, const struct cpu *busy)
{
	for (unsigned i = 0; i < online_cpus(); i++) {
		struct cpu *o = cpus[i];
		if (o && o != busy && (t->affinity & (1ULL << i)) &&
		    cpu_load(o) == 0)
			return o;
	}
	return NULL;
}

void sched_enqueue(struct thread *t)
{
	struct cpu *c = cpus[t->cpu], *kick = NULL;
	unsigned long flags = spin_lock_irqsave(&c->rq.lock);
	t->state = THREAD_READY;
	rq_add_locked(c, t);
	if (c->current == c->idle) {
		kick = kick_mark(c);
	} else {
		/* Busy here: an idle CPU will come and take it. */
		struct cpu *o = idle_cpu_for(t, c);
		if (o)
			kick = kick_mark(o);
	}
	rq_unlock_kick(c, flags, kick);
}

/* Locks the run queue of the CPU @t belongs to (it may move meanwhile). */
static struct cpu *lock_thread_rq(struct thread *t, unsigned long *flags)
{
	for (;;) {
		unsigned cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		struct cpu *c = cpus[cpu];
		*flags = spin_lock_irqsave(&c->rq.lock);
		if (t->cpu == cpu)
			return c;
		spin_unlock_irqrestore(&c->rq.lock, *flags);
	}
}

/*
 * This CPU, when it is to run @t (on run queue @c) next: it is awake with
 * nothing else ready, and either idle (the wake-up comes from an
 * interrupt) or running a waker that sleeps again at once (wakes_here).
 * Else NULL. Waking another CPU costs an IPI and that CPU's way out of
 * hlt, which in a VM is the host waking a vCPU thread: with a network
 * worker that woke its readers on the other vCPU, TCP received 20% slower
 * and answered 25% later than with one vCPU alone.
 */
static struct cpu *here_for(const struct thread *t, const struct cpu *c)
{
	struct cpu *me = this_cpu();
	bool idle = me->current == me->idle;
	if (!(t->affinity & (1ULL << me->id)) ||
	    __atomic_load_n(&me->rq.nr_ready, __ATOMIC_RELAXED) ||
	    !(idle || me->current->wakes_here))
		return NULL;
	/* A CPU that is busy elsewhere: no reason to move. */
	if (me != c && !idle && c->current != c->idle)
		return NULL;
	return me;
}

void thread_wake(struct thread *t)
{
	unsigned long flags;
	struct cpu *c = lock_thread_rq(t, &flags);
	if (t->state != THREAD_BLOCKED) {
		spin_unlock_irqrestore(&c->rq.lock, flags);
		return;
	}
	t->state = THREAD_READY;
	/*
	 * A thread still on its CPU (between marking itself blocked and
	 * switching away) is re-queued by its own schedule().
	 */
	if (c->current == t || t->on_cpu) {
		spin_unlock_irqrestore(&c->rq.lock, flags);
		return;
	}
	struct cpu *o = here_for(t, c), *kick = NULL;
	if (o) {
		/* Not kick_mark: a waker that sleeps soon is not preempted. */
		if (o->current == o->idle)
			o->need_resched = true;
	} else if (c->current != c->idle) {
		/* Its CPU is busy and another sits idle: wake it up there. */
		o = idle_cpu_for(t, c);
		if (o)
			kick = kick_mark(o);
	} else {
		kick = kick_mark(c);
	}
	if (!o || o == c) {
		rq_add_locked(c, t);
		rq_unlock_kick(c, flags, kick);
		return;
	}
	/*
	 * To @o's queue. One run-queue lock at a time: two CPUs may each
	 * take a thread from the other's. Meanwhile @t is READY on no queue,
	 * which a second waker leaves alone and no CPU can pick.
	 */
	__atomic_store_n(&t->cpu, o->id, __ATOMIC_RELEASE);
	spin_unlock(&c->rq.lock);
	spin_lock(&o->rq.lock);
	rq_add_locked(o, t);
	rq_unlock_kick(o, flags, kick);
}

/*
 * An idle CPU takes a ready thread from the busiest other CPU (one that
 * may run here and is not still switching out). Interrupts are off.
 */
static bool steal_one(struct cpu *me)
{
	struct cpu *victim = NULL;
	unsigned most = 0;
	for (unsigned i = 0; i < online_cpus(); i++) {
		struct cpu *o = cpus[i];
		if (o && o != me && o->rq.nr_ready > most) {
			victim = o;
			most = o->rq.nr_ready;
		}
	}
	if (!victim)
		return false;
	struct thread *got = NULL;
	spin_lock(&victim->rq.lock);
	struct list_node *n;
	list_for_each (n, &victim->rq.ready) {
		struct thread *t = list_entry(n, struct thread, rq_node);
		if ((t->affinity & (1ULL << me->id)) && !t->on_cpu) {
			list_remove(&t->rq_node);
			victim->rq.nr_ready--;
			__atomic_store_n(&t->cpu, me->id, __ATOMIC_RELEASE);
			got = t;
			break;
		}
	}
	spin_unlock(&victim->rq.lock);
	if (!got)
		return false;
	spin_lock(&me->rq.lock);
	rq_add_locked(me, got);
	spin_unlock(&me->rq.lock);
	return true;
}

void thread_set_blocked(void)
{
	struct cpu *c = this_cpu();
	unsigned long flags = spin_lock_irqsave(&c->rq.lock);
	c->current->state = THREAD_BLOCKED;
	spin_unlock_irqrestore(&c->rq.lock, flags);
}

/* Second half of a switch, run by the thread switched to. */
static void finish_switch(struct cpu *c, struct thread *last)
{
	if (last->state == THREAD_EXITED && last->reap_on_exit)
		list_add_tail(&c->rq.dead, &last->rq_node);
	/*
	 * Last touch of @last: once on_cpu is clear, a joiner on another CPU
	 * may free it (thread_join waits for exactly this).
	 */
	__atomic_store_n(&last->on_cpu, false, __ATOMIC_RELEASE);
	__atomic_store_n(&c->rq.lock.locked, 0, __ATOMIC_RELEASE);
	spin_released(c);
	c->preempt_count--;
}

static void reap_dead(struct cpu *c)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&c->rq.lock);
		struct list_node *n = list_pop_head(&c->rq.dead);
		spin_unlock_irqrestore(&c->rq.lock, flags);
		if (!n)
			return;
		thread_free(list_entry(n, struct thread, rq_node));
	}
}

/* CPU time of program threads that ran, up to their last switch-out. */
static uint64_t program_cpu_ns;

static void account_cpu_time(struct thread *prev, struct thread *next,
			     uint64_t now)
{
	uint64_t ran = now - prev->switched_in_ns;
	prev->cpu_ns += ran;
	if (prev->is_program)
		__atomic_add_fetch(&program_cpu_ns, ran, __ATOMIC_RELAXED);
	next->switched_in_ns = now;
}

uint64_t sched_thread_cpu_ns(void)
{
	struct thread *t = thread_current();
	return t->cpu_ns + (clock_monotonic_ns() - t->switched_in_ns);
}

uint64_t sched_program_cpu_ns(void)
{
	struct thread *t = thread_current();
	uint64_t running =
		t->is_program ? clock_monotonic_ns() - t->switched_in_ns : 0;
	return __atomic_load_n(&program_cpu_ns, __ATOMIC_RELAXED) + running;
}

void schedule(void)
{
	unsigned long flags = local_irq_save();
	struct cpu *c = this_cpu();

	ASSERT(c->preempt_count == 0);
	spin_lock(&c->rq.lock);
	struct thread *prev = c->current;
	c->need_resched = false;
	if (prev != c->idle) {
		if (prev->state == THREAD_RUNNING)
			prev->state = THREAD_READY;
		if (prev->state == THREAD_READY)
			rq_add_locked(c, prev);
	}
	struct list_node *n = list_pop_head(&c->rq.ready);
	struct thread *next = c->idle;
	if (n) {
		next = list_entry(n, struct thread, rq_node);
		c->rq.nr_ready--;
	}
	next->state = THREAD_RUNNING;
	uint64_t now = clock_monotonic_ns();
	c->slice_end_ns = next == c->idle ? 0 : now + SCHED_SLICE_NS;
	if (next == prev) {
		spin_unlock(&c->rq.lock);
		local_irq_restore(flags);
		timer_reprogram();
		return;
	}
	account_cpu_time(prev, next, now);
	c->current = next;
	c->kstack_top = (uint64_t)next->stack + next->stack_size;
	c->nr_switches++;
	next->on_cpu = true;
	next->cpu = c->id;
	fpu_save(prev->fpu);
	fpu_restore(next->fpu);
	cpu_set_fs_base((uint64_t)&next->tcb);
	struct thread *last =
		arch_switch(&prev->saved_rsp, next->saved_rsp, prev);
	/* Running as prev again, switched to from @last. */
	c = this_cpu();
	finish_switch(c, last);
	local_irq_restore(flags);
	timer_reprogram();
	if (!list_empty(&c->rq.dead))
		reap_dead(c);
}

void thread_start(struct thread *t, struct thread *last)
{
	struct cpu *c = this_cpu();
	finish_switch(c, last);
	local_irq_enable();
	timer_reprogram();
	t->fn(t->arg);
	thread_exit();
}

static void idle_loop(void *arg)
{
	for (;;) {
		local_irq_disable();
		struct cpu *c = this_cpu();
		if (!c->rq.nr_ready && online_cpus() > 1)
			steal_one(c);
		if (c->rq.nr_ready || c->need_resched) {
			local_irq_enable();
			schedule();
			continue;
		}
		/* sti takes effect after hlt starts: no lost wake-up. */
		__asm__ volatile("sti; hlt" : : : "memory");
	}
}

uint64_t sched_switch_count(void)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < online_cpus(); i++)
		if (cpus[i])
			n += __atomic_load_n(&cpus[i]->nr_switches,
					     __ATOMIC_RELAXED);
	return n;
}

static void timer_irq(struct trap_frame *tf)
{
	timer_interrupt();
}

static void resched_irq(struct trap_frame *tf)
{
	this_cpu()->need_resched = true;
}

struct thread *sched_create_idle(struct cpu *c)
{
	struct thread *t = thread_alloc("idle", idle_loop, NULL);
	if (IS_ERR(t))
		return t;
	t->cpu = c->id;
	t->state = THREAD_RUNNING;
	c->idle = t;
	return t;
}

__noreturn void sched_run_idle(void)
{
	struct cpu *c = this_cpu();
	c->current = c->idle;
	c->idle->on_cpu = true;
	c->kstack_top = (uint64_t)c->idle->stack + c->idle->stack_size;
	c->idle->switched_in_ns = clock_monotonic_ns();
	local_irq_enable();
	idle_loop(NULL);
	panic("sched: idle loop returned");
}

void sched_init(void)
{
	irq_register(VEC_TIMER, timer_irq);
	irq_register(VEC_RESCHED, resched_irq);
	if (IS_ERR(sched_create_idle(this_cpu())))
		panic("sched: cannot create the idle thread");
	local_irq_enable();
}
