/*
 * Self-tests of threads, the scheduler and the sleeping locks. Every wait
 * here is bounded by a deadline, so a scheduler bug fails a test with a
 * message instead of hanging the VM.
 */
#include <arch/x86_64/cpu.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/selftest.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/waitq.h>

static unsigned long counter;

static void count_fn(void *arg)
{
	__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

SELFTEST(thread_create_join)
{
	enum {
		BATCH = 64,
		ROUNDS = 32
	};
	struct thread *t[BATCH];

	counter = 0;
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < BATCH; i++) {
			t[i] = thread_create("st-count", count_fn, NULL);
			ST_CHECK(!IS_ERR(t[i]), "thread_create failed");
		}
		for (int i = 0; i < BATCH; i++)
			thread_join(t[i]);
	}
	ST_CHECK(counter == BATCH * ROUNDS, "%lu of %d threads ran", counter,
		 BATCH * ROUNDS);
	return 0;
}

/* Waits until @cond holds or @ms pass; sleeps between looks. */
#define WAIT_UNTIL(cond, ms)                                               \
	({                                                                 \
		uint64_t end_ = clock_monotonic_ns() + (ms)*NSEC_PER_MSEC; \
		while (!(cond) && clock_monotonic_ns() < end_)             \
			thread_sleep_ns(NSEC_PER_MSEC);                    \
		(cond);                                                    \
	})

SELFTEST(thread_detach)
{
	unsigned long before = thread_count();

	counter = 0;
	for (int i = 0; i < 100; i++) {
		struct thread *t = thread_create("st-detached", count_fn, NULL);
		ST_CHECK(!IS_ERR(t), "thread_create failed");
		thread_detach(t);
	}
	ST_CHECK(WAIT_UNTIL(counter == 100, 5000), "only %lu threads ran",
		 counter);
	/*
	 * At most as many as before: a background thread of the boot (the
	 * TSC refinement, a second into the run) may end meanwhile.
	 */
	ST_CHECK(WAIT_UNTIL(thread_count() <= before, 5000),
		 "%ld detached threads were not freed",
		 (long)(thread_count() - before));
	return 0;
}

static struct mutex test_mutex;
static unsigned long protected_counter;

static void mutex_fn(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		mutex_lock(&test_mutex);
		/* A non-atomic read-modify-write, with a switch in between. */
		unsigned long v = protected_counter;
		if (i % 1000 == 0)
			thread_yield();
		protected_counter = v + 1;
		mutex_unlock(&test_mutex);
	}
}

SELFTEST(mutex_contention)
{
	struct thread *t[8];

	mutex_init(&test_mutex);
	protected_counter = 0;
	for (int i = 0; i < 8; i++) {
		t[i] = thread_create("st-mutex", mutex_fn, NULL);
		ST_CHECK(!IS_ERR(t[i]), "thread_create failed");
	}
	for (int i = 0; i < 8; i++)
		thread_join(t[i]);
	ST_CHECK(protected_counter == 8 * 20000, "counter %lu, want %d",
		 protected_counter, 8 * 20000);
	ST_CHECK(mutex_trylock(&test_mutex), "mutex still held");
	ST_CHECK(!mutex_trylock(&test_mutex), "mutex taken twice");
	mutex_unlock(&test_mutex);
	return 0;
}

/* A bounded queue of numbers between producers and consumers. */
#define QUEUE_SIZE 16
static struct {
	struct mutex lock;
	struct condvar not_empty, not_full;
	uint64_t item[QUEUE_SIZE];
	unsigned head, count;
	uint64_t sum;
} q;

#define ITEMS_PER_PRODUCER 5000

static void producer_fn(void *arg)
{
	for (uint64_t i = 1; i <= ITEMS_PER_PRODUCER; i++) {
		mutex_lock(&q.lock);
		while (q.count == QUEUE_SIZE)
			condvar_wait(&q.not_full, &q.lock);
		q.item[(q.head + q.count++) % QUEUE_SIZE] = i;
		condvar_signal(&q.not_empty);
		mutex_unlock(&q.lock);
	}
}

static void consumer_fn(void *arg)
{
	for (int i = 0; i < ITEMS_PER_PRODUCER; i++) {
		mutex_lock(&q.lock);
		while (q.count == 0)
			condvar_wait(&q.not_empty, &q.lock);
		q.sum += q.item[q.head];
		q.head = (q.head + 1) % QUEUE_SIZE;
		q.count--;
		condvar_signal(&q.not_full);
		mutex_unlock(&q.lock);
	}
}

SELFTEST(condvar_queue)
{
	struct thread *t[6];

	mutex_init(&q.lock);
	condvar_init(&q.not_empty);
	condvar_init(&q.not_full);
	q.head = q.count = 0;
	q.sum = 0;
	for (int i = 0; i < 6; i++) {
		t[i] = thread_create(i % 2 ? "st-consumer" : "st-producer",
				     i % 2 ? consumer_fn : producer_fn, NULL);
		ST_CHECK(!IS_ERR(t[i]), "thread_create failed");
	}
	for (int i = 0; i < 6; i++)
		thread_join(t[i]);
	uint64_t want =
		3ULL * ITEMS_PER_PRODUCER * (ITEMS_PER_PRODUCER + 1) / 2;
	ST_CHECK(q.sum == want && q.count == 0, "sum %lu, want %lu", q.sum,
		 want);
	return 0;
}

SELFTEST(condvar_timeout)
{
	struct mutex m;
	struct condvar cv;

	mutex_init(&m);
	condvar_init(&cv);
	mutex_lock(&m);
	uint64_t start = clock_monotonic_ns();
	int ret = condvar_wait_deadline(&cv, &m, start + 5 * NSEC_PER_MSEC);
	uint64_t waited = clock_monotonic_ns() - start;
	ST_CHECK(mutex_held(&m), "mutex not held after the wait");
	mutex_unlock(&m);
	ST_CHECK(ret == -ETIMEDOUT, "wait returned %d, want -ETIMEDOUT", ret);
	ST_CHECK(waited >= 5 * NSEC_PER_MSEC,
		 "woke after %lu ns, before the deadline", waited);
	return 0;
}

/*
 * Two threads that never yield wait for each other's progress: on one CPU
 * only preemption by the timer lets both finish.
 */
static volatile unsigned long spins[2];

static void spinner_fn(void *arg)
{
	int me = (int)(uintptr_t)arg;
	uint64_t end = clock_monotonic_ns() + 2 * NSEC_PER_SEC;
	spins[me] = 1;
	while (spins[!me] == 0 && clock_monotonic_ns() < end)
		__asm__ volatile("pause");
	spins[me] = 2;
}

SELFTEST(preemption)
{
	struct thread *t[2];

	spins[0] = spins[1] = 0;
	uint64_t switches = sched_switch_count();
	for (int i = 0; i < 2; i++) {
		t[i] = thread_create("st-spinner", spinner_fn,
				     (void *)(uintptr_t)i);
		ST_CHECK(!IS_ERR(t[i]), "thread_create failed");
	}
	thread_join(t[0]);
	thread_join(t[1]);
	ST_CHECK(spins[0] == 2 && spins[1] == 2, "a spinner never ran");
	ST_CHECK(sched_switch_count() > switches, "no context switch seen");
	return 0;
}

/*
 * Each thread's FS base is its TCB, with its own canary at 0x28, and its
 * FPU registers survive switches to threads that change theirs.
 */
struct tcb_probe {
	uint64_t fs_base, canary_fs, xmm_ok;
	struct thread *self;
};

static void tcb_fn(void *arg)
{
	struct tcb_probe *p = arg;
	uint64_t mine = (uint64_t)(uintptr_t)p * 0x100000001ULL, seen;

	p->self = thread_current();
	p->fs_base = cpu_get_fs_base();
	__asm__ volatile("movq %%fs:0x28, %0" : "=r"(p->canary_fs));
	p->xmm_ok = 1;
	for (int i = 0; i < 50; i++) {
		/* No clobber: this file is built without SSE registers. */
		__asm__ volatile("movq %0, %%xmm5" : : "r"(mine));
		thread_yield();
		__asm__ volatile("movq %%xmm5, %0" : "=r"(seen));
		if (seen != mine)
			p->xmm_ok = 0;
	}
}

SELFTEST(thread_tcb_fpu)
{
	struct tcb_probe p[3];
	struct thread *t[3];

	for (int i = 0; i < 3; i++) {
		t[i] = thread_create("st-tcb", tcb_fn, &p[i]);
		ST_CHECK(!IS_ERR(t[i]), "thread_create failed");
	}
	for (int i = 0; i < 3; i++) {
		/* Read before join frees the thread. */
		WAIT_UNTIL(__atomic_load_n(&t[i]->state, __ATOMIC_ACQUIRE) ==
				   THREAD_EXITED,
			   2000);
		ST_CHECK(p[i].fs_base == (uint64_t)&t[i]->tcb,
			 "FS base %lx is not the TCB", p[i].fs_base);
		ST_CHECK(p[i].canary_fs == t[i]->tcb.stack_guard,
			 "%%fs:0x28 is not the thread's canary");
		ST_CHECK(p[i].xmm_ok, "xmm5 changed across a switch");
		thread_join(t[i]);
	}
	ST_CHECK(p[0].canary_fs != p[1].canary_fs &&
			 p[1].canary_fs != p[2].canary_fs,
		 "threads share a canary");
	return 0;
}

/*
 * With more than one CPU, busy threads spread over them: each records the
 * CPUs it was seen on, and more than one CPU must have run them.
 */
static uint64_t cpus_seen;

static void spread_fn(void *arg)
{
	/* Long enough for every vCPU to run even on an overcommitted host. */
	uint64_t all = cpu_online_mask(),
		 end = clock_monotonic_ns() + 2 * NSEC_PER_SEC;
	while (clock_monotonic_ns() < end &&
	       __atomic_or_fetch(&cpus_seen, 1ULL << cpu_current_id(),
				 __ATOMIC_RELAXED) != all)
		;
}

SELFTEST(sched_spread)
{
	unsigned n = nr_cpus * 2;
	struct thread *t[2 * MAX_CPUS];

	cpus_seen = 0;
	for (unsigned i = 0; i < n; i++) {
		t[i] = thread_create("st-spread", spread_fn, NULL);
		ST_CHECK(!IS_ERR(t[i]), "thread_create failed");
	}
	for (unsigned i = 0; i < n; i++)
		thread_join(t[i]);
	unsigned used = 0;
	for (uint64_t m = cpus_seen; m; m &= m - 1)
		used++;
	ST_CHECK(used == nr_cpus, "busy threads ran on %u of %u CPUs", used,
		 nr_cpus);
	return 0;
}

/*
 * Where a woken thread goes: a sleeper on another, idle CPU, woken by a
 * thread marked wakes_here, is put on the waker's run queue; woken by any
 * other thread, it stays on its own CPU's. A CPU that happens to be busy
 * just then (the boot's background work) changes where it goes, so each
 * way gets a few tries and one is enough.
 */
struct wake_probe {
	struct waitq wq;
	bool asleep, go;
	unsigned slept_on;
};

static void wake_probe_fn(void *arg)
{
	struct wake_probe *p = arg;
	thread_current()->affinity = ~0ULL;
	unsigned long flags = spin_lock_irqsave(&p->wq.lock);
	p->slept_on = cpu_current_id();
	p->asleep = true;
	uint64_t deadline = clock_monotonic_ns() + 2 * NSEC_PER_SEC;
	while (!p->go &&
	       waitq_sleep_locked(&p->wq, &flags, deadline) != -ETIMEDOUT)
		;
	spin_unlock_irqrestore(&p->wq.lock, flags);
}

/* Whether the sleeper was put on this CPU (-1 when the try went wrong). */
static int wake_probe_once(bool wakes_here)
{
	struct thread *self = thread_current();
	uint64_t saved = self->affinity, here = 1ULL << cpu_current_id();
	struct wake_probe p = { .wq = WAITQ_INIT(p.wq) };
	self->affinity = ~here; /* the sleeper starts elsewhere */
	struct thread *t = thread_create("st-wake", wake_probe_fn, &p);
	self->affinity = here;
	int ret = -1;
	if (IS_ERR(t))
		goto out;
	/* Asleep, switched out, and its CPU gone idle. */
	WAIT_UNTIL(__atomic_load_n(&p.asleep, __ATOMIC_ACQUIRE) &&
			   !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE),
		   1000);
	thread_sleep_ns(NSEC_PER_MSEC);
	unsigned long flags = spin_lock_irqsave(&p.wq.lock);
	bool ok = p.asleep && p.slept_on != cpu_current_id();
	p.go = true;
	self->wakes_here = wakes_here;
	waitq_wake_all_locked(&p.wq);
	self->wakes_here = false;
	/* Where it went, before it can run (it takes this lock first). */
	unsigned put_on = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
	spin_unlock_irqrestore(&p.wq.lock, flags);
	thread_join(t);
	if (ok)
		ret = put_on == cpu_current_id();
out:
	self->affinity = saved;
	return ret;
}

SELFTEST(sched_wake_here)
{
	if (nr_cpus < 2)
		return 0;
	for (int want = 1; want >= 0; want--) {
		int got = -1;
		for (int i = 0; i < 5 && got != want; i++)
			got = wake_probe_once(want);
		ST_CHECK(got == want,
			 "a sleeper woken by a %s thread %s the waker's CPU",
			 want ? "wakes_here" : "plain",
			 want ? "was not put on" : "was moved to");
	}
	return 0;
}
