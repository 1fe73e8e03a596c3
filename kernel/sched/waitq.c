/*
 * Wait queues, and the mutex and condition variable built on them.
 *
 * Lock order: condvar wq.lock -> mutex waiters.lock -> rq.lock; the timer
 * queue lock is never held while taking another.
 */
#include <arch/x86_64/io.h>
#include <kernel/errno.h>
#include <kernel/irqflags.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/waitq.h>

void waitq_init(struct waitq *wq)
{
	spin_lock_init(&wq->lock);
	list_init(&wq->waiters);
}

static void timeout_fn(struct timer *tm)
{
	thread_wake(tm->data);
}

int waitq_sleep_locked(struct waitq *wq, unsigned long *flags,
		       uint64_t deadline_ns)
{
	struct waiter w = { .thread = thread_current(), .woken = false };
	struct timer tm;
	int ret = 0;

	ASSERT(spin_is_locked(&wq->lock));
	list_add_tail(&wq->waiters, &w.node);
	timer_init(&tm, timeout_fn, w.thread);
	for (;;) {
		if (deadline_ns != DEADLINE_NONE) {
			if (clock_monotonic_ns() >= deadline_ns) {
				ret = -ETIMEDOUT;
				break;
			}
			timer_arm(&tm, deadline_ns);
		}
		thread_set_blocked();
		/* Interrupts stay off from here to the switch. */
		spin_unlock(&wq->lock);
		schedule();
		spin_lock(&wq->lock);
		timer_cancel(&tm);
		if (w.woken)
			break;
	}
	if (!w.woken)
		list_remove(&w.node);
	(void)flags;
	return ret;
}

bool waitq_wake_one_locked(struct waitq *wq)
{
	ASSERT(spin_is_locked(&wq->lock));
	struct list_node *n = list_pop_head(&wq->waiters);
	if (!n)
		return false;
	struct waiter *w = list_entry(n, struct waiter, node);
	/* After woken is set the waiter may return: read it first. */
	struct thread *t = w->thread;
	w->woken = true;
	thread_wake(t);
	return true;
}

unsigned waitq_wake_all_locked(struct waitq *wq)
{
	unsigned n = 0;
	while (waitq_wake_one_locked(wq))
		n++;
	return n;
}

bool waitq_wake_one(struct waitq *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	bool woke = waitq_wake_one_locked(wq);
	spin_unlock_irqrestore(&wq->lock, flags);
	return woke;
}

unsigned waitq_wake_all(struct waitq *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	unsigned n = waitq_wake_all_locked(wq);
	spin_unlock_irqrestore(&wq->lock, flags);
	return n;
}

void mutex_init(struct mutex *m)
{
	m->owner = NULL;
	waitq_init(&m->waiters);
}

/*
 * A contended mutex is first spun on, while its owner runs on another
 * CPU: critical sections are mostly short (lwIP's core lock is taken for
 * every socket call), and a sleeper costs a wake-up (an IPI) and a switch
 * later. Only when the owner is off its CPU, or the spin is over, does
 * the caller sleep. mutex_unlock frees the mutex and wakes one sleeper,
 * which then takes it like anyone else: handing it to a sleeper instead
 * kept it unusable until that sleeper ran, and every thread queued
 * behind it (4 threads writing over NFS spent a quarter of their samples
 * on lwIP's core lock that way). The spin is short, about what a
 * sleep and a wake-up cost (64 pauses: a few microseconds on hardware):
 * a longer one only burns a CPU another vCPU or the host needs. At 4096
 * the host's CPUs were 85% busy during an NFS write against 66% at 64,
 * for the same throughput, and a TCP send was slower.
 */
#define MUTEX_SPIN 64

void mutex_lock(struct mutex *m)
{
	struct thread *self = thread_current();
	for (unsigned i = 0; i < MUTEX_SPIN; i++) {
		struct thread *o = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);
		if (!o && mutex_trylock(m))
			return;
		if (o == self ||
		    (o && !__atomic_load_n(&o->on_cpu, __ATOMIC_RELAXED)))
			break;
		cpu_relax();
	}
	unsigned long flags = spin_lock_irqsave(&m->waiters.lock);
	if (m->owner == self)
		panic("mutex %p: locked twice by thread %s", (void *)m,
		      self->name);
	while (m->owner)
		waitq_sleep_locked(&m->waiters, &flags, DEADLINE_NONE);
	m->owner = self;
	spin_unlock_irqrestore(&m->waiters.lock, flags);
}

bool mutex_trylock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->waiters.lock);
	bool got = !m->owner;
	if (got)
		m->owner = thread_current();
	spin_unlock_irqrestore(&m->waiters.lock, flags);
	return got;
}

void mutex_unlock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->waiters.lock);
	if (m->owner != thread_current())
		panic("mutex %p: unlocked by a thread that does not hold it",
		      (void *)m);
	m->owner = NULL;
	waitq_wake_one_locked(&m->waiters);
	spin_unlock_irqrestore(&m->waiters.lock, flags);
}

bool mutex_held(const struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == thread_current();
}

void condvar_init(struct condvar *cv)
{
	waitq_init(&cv->wq);
}

int condvar_wait_deadline(struct condvar *cv, struct mutex *m,
			  uint64_t deadline_ns)
{
	unsigned long flags = spin_lock_irqsave(&cv->wq.lock);
	mutex_unlock(m);
	int ret = waitq_sleep_locked(&cv->wq, &flags, deadline_ns);
	spin_unlock_irqrestore(&cv->wq.lock, flags);
	mutex_lock(m);
	return ret;
}

void condvar_wait(struct condvar *cv, struct mutex *m)
{
	condvar_wait_deadline(cv, m, DEADLINE_NONE);
}

void condvar_signal(struct condvar *cv)
{
	waitq_wake_one(&cv->wq);
}

void condvar_broadcast(struct condvar *cv)
{
	waitq_wake_all(&cv->wq);
}
