/*
 * Futexes: the kernel half of every pthread mutex, condition variable,
 * barrier and join.
 *
 * Waiters hang in one of 256 buckets hashed by the futex's address (one
 * program, one address space: the address is the key). The futex word is
 * compared with the expected value under the bucket lock, so a wake
 * between the program's check and its sleep is never lost. That read must
 * not sleep under a spinlock, so it uses the raw, fault-catching copy; if
 * the page is not there yet the lock is dropped, the page faulted in, and
 * the whole operation retried.
 *
 * Requeue moves waiters to another futex's bucket without waking them; a
 * sleeper therefore finds its bucket through its waiter, and relocks and
 * re-checks after it wakes up.
 */
#include <kernel/errno.h>
#include <kernel/futex.h>
#include <kernel/irqflags.h>
#include <kernel/list.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

size_t uaccess_copy(void *dst, const void *src, size_t n);

#define NR_BUCKETS 256

struct bucket {
	spinlock_t lock;	  /* protects waiters and their fields */
	struct list_node waiters; /* struct futex_waiter, FIFO */
};

struct futex_waiter {
	struct list_node node;
	uintptr_t uaddr;
	uint32_t bitset;
	struct thread *thread;
	struct bucket *bucket; /* changes on requeue, under both locks */
	bool woken;
};

static struct bucket buckets[NR_BUCKETS];

void futex_init(void)
{
	for (int i = 0; i < NR_BUCKETS; i++) {
		spin_lock_init(&buckets[i].lock);
		list_init(&buckets[i].waiters);
	}
}

static struct bucket *bucket_of(uintptr_t uaddr)
{
	uint64_t h = (uaddr >> 2) * 0x9e3779b97f4a7c15ULL;
	return &buckets[h >> 56];
}

/* Reads the word without sleeping: 0, or -EFAULT (the page is not in). */
static int read_word_nofault(uintptr_t uaddr, uint32_t *val)
{
	if (uaddr + 4 > USER_SPACE_END)
		return -EFAULT;
	return uaccess_copy(val, (const void *)uaddr, 4) ? -EFAULT : 0;
}

/* Faults the word's page in; -EFAULT when the address is bad. */
static int fault_in(uintptr_t uaddr)
{
	uint32_t v;
	return copy_from_user(&v, (const void *)uaddr, 4);
}

static void timeout_fn(struct timer *tm)
{
	thread_wake(tm->data);
}

/* Locks the bucket @w is on now (requeue may move it meanwhile). */
static struct bucket *lock_waiter_bucket(struct futex_waiter *w)
{
	for (;;) {
		struct bucket *b =
			__atomic_load_n(&w->bucket, __ATOMIC_ACQUIRE);
		spin_lock(&b->lock);
		if (b == w->bucket)
			return b;
		spin_unlock(&b->lock);
	}
}

int futex_wait(uintptr_t uaddr, uint32_t val, uint64_t deadline_ns,
	       uint32_t bitset)
{
	struct futex_waiter w = { .uaddr = uaddr,
				  .bitset = bitset,
				  .thread = thread_current() };
	struct timer tm;
	uint32_t cur;
	int ret = 0;

	if ((uaddr & 3) || !bitset)
		return -EINVAL;
	for (;;) {
		w.bucket = bucket_of(uaddr);
		unsigned long flags = spin_lock_irqsave(&w.bucket->lock);
		if (read_word_nofault(uaddr, &cur) == 0) {
			if (cur != val) {
				spin_unlock_irqrestore(&w.bucket->lock, flags);
				return -EAGAIN;
			}
			list_add_tail(&w.bucket->waiters, &w.node);
			timer_init(&tm, timeout_fn, w.thread);
			struct bucket *b = w.bucket;
			for (;;) {
				if (deadline_ns != UINT64_MAX) {
					if (clock_monotonic_ns() >=
					    deadline_ns) {
						ret = -ETIMEDOUT;
						break;
					}
					timer_arm(&tm, deadline_ns);
				}
				thread_set_blocked();
				spin_unlock(&b->lock); /* interrupts stay off */
				schedule();
				b = lock_waiter_bucket(&w);
				timer_cancel(&tm);
				if (w.woken)
					break;
			}
			if (!w.woken)
				list_remove(&w.node);
			spin_unlock_irqrestore(&b->lock, flags);
			return ret;
		}
		spin_unlock_irqrestore(&w.bucket->lock, flags);
		ret = fault_in(uaddr);
		if (ret)
			return ret;
	}
}

/* Wakes up to @nr waiters of @uaddr on @b matching @bitset; b locked. */
static int wake_locked(struct bucket *b, uintptr_t uaddr, int nr,
		       uint32_t bitset)
{
	struct list_node *n, *tmp;
	int woken = 0;
	list_for_each_safe (n, tmp, &b->waiters) {
		if (woken >= nr)
			break;
		struct futex_waiter *w =
			list_entry(n, struct futex_waiter, node);
		if (w->uaddr != uaddr || !(w->bitset & bitset))
			continue;
		list_remove(&w->node);
		/* After woken is set the waiter may return: read first. */
		struct thread *t = w->thread;
		__atomic_store_n(&w->woken, true, __ATOMIC_RELEASE);
		thread_wake(t);
		woken++;
	}
	return woken;
}

int futex_wake(uintptr_t uaddr, int nr, uint32_t bitset)
{
	if ((uaddr & 3) || !bitset)
		return -EINVAL;
	struct bucket *b = bucket_of(uaddr);
	unsigned long flags = spin_lock_irqsave(&b->lock);
	int woken = wake_locked(b, uaddr, nr, bitset);
	spin_unlock_irqrestore(&b->lock, flags);
	return woken;
}

static void lock_two(struct bucket *a, struct bucket *b)
{
	if (a == b) {
		spin_lock(&a->lock);
	} else if (a < b) {
		spin_lock(&a->lock);
		spin_lock(&b->lock);
	} else {
		spin_lock(&b->lock);
		spin_lock(&a->lock);
	}
}

static void unlock_two(struct bucket *a, struct bucket *b)
{
	spin_unlock(&a->lock);
	if (a != b)
		spin_unlock(&b->lock);
}

int futex_requeue(uintptr_t uaddr, uintptr_t uaddr2, int nr_wake,
		  int nr_requeue, const uint32_t *cmpval)
{
	if ((uaddr & 3) || (uaddr2 & 3) || nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	struct bucket *b1 = bucket_of(uaddr), *b2 = bucket_of(uaddr2);
	for (;;) {
		unsigned long flags = local_irq_save();
		lock_two(b1, b2);
		uint32_t cur;
		if (cmpval && read_word_nofault(uaddr, &cur)) {
			unlock_two(b1, b2);
			local_irq_restore(flags);
			int ret = fault_in(uaddr);
			if (ret)
				return ret;
			continue;
		}
		int ret;
		if (cmpval && cur != *cmpval) {
			ret = -EAGAIN;
		} else {
			ret = wake_locked(b1, uaddr, nr_wake, FUTEX_BITSET_ALL);
			struct list_node *n, *tmp;
			int moved = 0;
			list_for_each_safe (n, tmp, &b1->waiters) {
				if (moved >= nr_requeue)
					break;
				struct futex_waiter *w = list_entry(
					n, struct futex_waiter, node);
				if (w->uaddr != uaddr)
					continue;
				list_remove(&w->node);
				w->uaddr = uaddr2;
				__atomic_store_n(&w->bucket, b2,
						 __ATOMIC_RELEASE);
				list_add_tail(&b2->waiters, &w->node);
				moved++;
			}
			ret += moved;
		}
		unlock_two(b1, b2);
		local_irq_restore(flags);
		return ret;
	}
}
