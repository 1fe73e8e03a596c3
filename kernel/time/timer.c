/*
 * Per-CPU one-shot timers. Each CPU keeps its armed timers in a list sorted
 * by deadline and programs its local APIC for the earliest of the first
 * timer and the end of the running thread's time slice. There is no
 * periodic tick: an idle CPU with no timers sleeps until an interrupt.
 *
 * The APIC is written only to bring its deadline earlier. A later event
 * (the common case: each thread switch moves the slice's end) leaves the
 * earlier deadline armed; when it fires with nothing due, the interrupt
 * arms the real one. Under TCG each write costs the vCPU QEMU's global
 * lock; an early interrupt costs at most one per time slice.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <arch/x86_64/traps.h>
#include <kernel/irqflags.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/time.h>

void timer_init(struct timer *t, void (*fn)(struct timer *), void *data)
{
	list_init(&t->node);
	t->fn = fn;
	t->data = data;
	t->deadline_ns = 0;
	t->cpu = -1;
}

/* Program the hardware for the next event; tq lock held, irqs off. */
static void reprogram_locked(struct cpu *c)
{
	ASSERT(spin_is_locked(&c->tq.lock));
	uint64_t next = c->slice_end_ns;
	if (!list_empty(&c->tq.timers)) {
		struct timer *t =
			list_entry(c->tq.timers.next, struct timer, node);
		if (!next || t->deadline_ns < next)
			next = t->deadline_ns;
	}
	if (next && (!c->tq.armed_ns || next < c->tq.armed_ns)) {
		lapic_timer_at(clock_monotonic_to_tsc(next));
		c->tq.armed_ns = next;
	}
}

void timer_reprogram(void)
{
	struct cpu *c = this_cpu();
	unsigned long flags = spin_lock_irqsave(&c->tq.lock);
	reprogram_locked(c);
	spin_unlock_irqrestore(&c->tq.lock, flags);
}

void timer_arm(struct timer *t, uint64_t deadline_ns)
{
	timer_cancel(t);
	unsigned long irq = local_irq_save();
	struct cpu *c = this_cpu();
	spin_lock(&c->tq.lock);
	t->deadline_ns = deadline_ns;
	t->cpu = (int)c->id;
	struct list_node *pos;
	list_for_each (pos, &c->tq.timers) {
		if (list_entry(pos, struct timer, node)->deadline_ns >
		    deadline_ns)
			break;
	}
	list_insert_between(&t->node, pos->prev, pos);
	if (c->tq.timers.next == &t->node)
		reprogram_locked(c);
	spin_unlock(&c->tq.lock);
	local_irq_restore(irq);
}

bool timer_cancel(struct timer *t)
{
	for (;;) {
		int cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		if (cpu < 0)
			return false;
		struct timer_queue *tq = &cpus[cpu]->tq;
		unsigned long flags = spin_lock_irqsave(&tq->lock);
		/* It may have fired or moved while we took the lock. */
		if (t->cpu == cpu) {
			list_remove(&t->node);
			t->cpu = -1;
			spin_unlock_irqrestore(&tq->lock, flags);
			return true;
		}
		spin_unlock_irqrestore(&tq->lock, flags);
	}
}

void timer_interrupt(void)
{
	struct cpu *c = this_cpu();
	uint64_t now = clock_monotonic_ns();

	spin_lock(&c->tq.lock);
	c->tq.armed_ns = 0; /* it fired */
	while (!list_empty(&c->tq.timers)) {
		struct timer *t =
			list_entry(c->tq.timers.next, struct timer, node);
		if (t->deadline_ns > now)
			break;
		list_remove(&t->node);
		__atomic_store_n(&t->cpu, -1, __ATOMIC_RELEASE);
		/* Callbacks may arm timers, so run them unlocked. */
		spin_unlock(&c->tq.lock);
		t->fn(t);
		spin_lock(&c->tq.lock);
	}
	if (c->slice_end_ns && c->slice_end_ns <= now) {
		c->slice_end_ns = 0;
		c->need_resched = true;
	}
	reprogram_locked(c);
	spin_unlock(&c->tq.lock);
}
