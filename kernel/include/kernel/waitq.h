/*
 * Wait queues, mutexes and condition variables.
 *
 * A waitq is a lock plus a FIFO of sleeping threads. The sleeping side
 * checks its condition with wq->lock held and calls waitq_sleep_locked(),
 * which queues the thread and drops the lock atomically with respect to
 * wake-ups, so no wake-up is lost.
 */
#ifndef KERNEL_WAITQ_H
#define KERNEL_WAITQ_H

#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/types.h>

struct thread;

struct waitq {
	spinlock_t lock;	  /* protects waiters */
	struct list_node waiters; /* struct waiter, FIFO */
};

/* A sleeping thread's entry, on its own stack while it sleeps. */
struct waiter {
	struct list_node node;
	struct thread *thread;
	bool woken; /* set under the waitq lock by the waker */
};

#define WAITQ_INIT(name)                                 \
	{                                                \
		SPINLOCK_INIT, LIST_INIT((name).waiters) \
	}
#define DEADLINE_NONE UINT64_MAX

void waitq_init(struct waitq *wq);
/*
 * Called with wq->lock held via spin_lock_irqsave(&wq->lock) whose flags
 * are in *@flags. Sleeps until woken or until monotonic time @deadline_ns
 * (DEADLINE_NONE: no timeout), then returns with the lock held again.
 * Returns 0 when woken, -ETIMEDOUT on timeout.
 */
int waitq_sleep_locked(struct waitq *wq, unsigned long *flags,
		       uint64_t deadline_ns);
/* Wake the first waiter; returns true if there was one. */
bool waitq_wake_one(struct waitq *wq);
/* Wake every waiter; returns how many. */
unsigned waitq_wake_all(struct waitq *wq);
/* Same, with wq->lock already held. */
bool waitq_wake_one_locked(struct waitq *wq);
unsigned waitq_wake_all_locked(struct waitq *wq);

/*
 * Sleeping mutex, spun on briefly while its owner runs (waitq.c). Unlock
 * frees it and wakes the first waiter, which takes it like anyone else.
 * Not recursive.
 */
struct mutex {
	struct thread *owner; /* protected by waiters.lock */
	struct waitq waiters;
};

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_held(const struct mutex *m);

struct condvar {
	struct waitq wq;
};

void condvar_init(struct condvar *cv);
/* Atomically releases @m and waits; @m is held again on return. */
void condvar_wait(struct condvar *cv, struct mutex *m);
/* Same with a monotonic deadline; returns 0 or -ETIMEDOUT. */
int condvar_wait_deadline(struct condvar *cv, struct mutex *m,
			  uint64_t deadline_ns);
void condvar_signal(struct condvar *cv);
void condvar_broadcast(struct condvar *cv);

#endif
