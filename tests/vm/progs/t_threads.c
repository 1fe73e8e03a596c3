/*
 * Program threads through pthreads: thousands of create/join, mutex,
 * condition variable and barrier stress, futex timeouts and errors,
 * thread-local storage, a parallel computation whose result is checked,
 * and the CPU count the C library sees.
 *
 *   t_threads NCPUS      (the -smp the runner booted with)
 */
#define _GNU_SOURCE
/* musl-gcc has no kernel headers: the futex ABI numbers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static atomic_long counter;
static __thread long tls_id;

static void *count_fn(void *arg)
{
	tls_id = (long)(intptr_t)arg;
	atomic_fetch_add(&counter, 1);
	return (void *)(intptr_t)(tls_id * 2);
}

static void test_create_join(void)
{
	enum {
		BATCH = 50,
		ROUNDS = 40
	};
	pthread_t t[BATCH];
	for (int r = 0; r < ROUNDS; r++) {
		for (long i = 0; i < BATCH; i++)
			CHECK(pthread_create(&t[i], NULL, count_fn,
					     (void *)(intptr_t)i) == 0);
		for (long i = 0; i < BATCH; i++) {
			void *ret;
			CHECK(pthread_join(t[i], &ret) == 0 &&
			      (intptr_t)ret == i * 2);
		}
	}
	CHECK(atomic_load(&counter) == BATCH * ROUNDS);
	CHECK(tls_id == 0); /* the other threads' TLS was their own */
}

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static long protected_count;

static void *mutex_fn(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&mutex);
		long v = protected_count;
		if (i % 1000 == 0)
			sched_yield();
		protected_count = v + 1;
		pthread_mutex_unlock(&mutex);
	}
	return arg;
}

static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER,
		      not_full = PTHREAD_COND_INITIALIZER;
static int queue[16], q_head, q_count;
static long q_sum;

static void *producer_fn(void *arg)
{
	for (int i = 1; i <= 5000; i++) {
		pthread_mutex_lock(&mutex);
		while (q_count == 16)
			pthread_cond_wait(&not_full, &mutex);
		queue[(q_head + q_count++) % 16] = i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&mutex);
	}
	return arg;
}

static void *consumer_fn(void *arg)
{
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&mutex);
		while (q_count == 0)
			pthread_cond_wait(&not_empty, &mutex);
		q_sum += queue[q_head];
		q_head = (q_head + 1) % 16;
		q_count--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&mutex);
	}
	return arg;
}

static pthread_barrier_t barrier;
static atomic_int phase_count[100];

static void *barrier_fn(void *arg)
{
	for (int r = 0; r < 100; r++) {
		atomic_fetch_add(&phase_count[r], 1);
		pthread_barrier_wait(&barrier);
		/* Everyone arrived before anyone went on. */
		if (atomic_load(&phase_count[r]) != 4)
			return (void *)1;
		pthread_barrier_wait(&barrier);
	}
	return NULL;
}

static void test_sync(void)
{
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		CHECK(pthread_create(&t[i], NULL, mutex_fn, NULL) == 0);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	CHECK(protected_count == 8 * 20000);

	for (int i = 0; i < 6; i++)
		CHECK(pthread_create(&t[i], NULL,
				     i % 2 ? consumer_fn : producer_fn,
				     NULL) == 0);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	CHECK(q_sum == 3L * 5000 * 5001 / 2 && q_count == 0);

	CHECK(pthread_barrier_init(&barrier, NULL, 4) == 0);
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, barrier_fn, NULL) == 0);
	for (int i = 0; i < 4; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		CHECK(ret == NULL);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_timeouts(void)
{
	pthread_mutex_lock(&mutex);
	struct timespec abs;
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_nsec += 20 * 1000 * 1000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	uint64_t t0 = now_ns();
	CHECK(pthread_cond_timedwait(&not_empty, &mutex, &abs) == ETIMEDOUT);
	CHECK(now_ns() - t0 >= 15 * 1000 * 1000);
	pthread_mutex_unlock(&mutex);

	uint32_t word = 5;
	struct timespec rel = { 0, 10 * 1000 * 1000 };
	t0 = now_ns();
	CHECK_ERR(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &rel, 0, 0),
		  ETIMEDOUT);
	CHECK(now_ns() - t0 >= 10 * 1000 * 1000);
	CHECK_ERR(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 6, &rel, 0, 0),
		  EAGAIN);
	CHECK(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0) == 0);
	CHECK_ERR(syscall(SYS_futex, (char *)&word + 1, FUTEX_WAKE, 1, 0, 0, 0),
		  EINVAL);
	CHECK_ERR(syscall(SYS_futex, (void *)16, FUTEX_WAIT, 0, 0, 0, 0),
		  EFAULT);
	rel.tv_nsec = -1;
	CHECK_ERR(syscall(SYS_futex, &word, FUTEX_WAIT, 5, &rel, 0, 0), EINVAL);
}

/* Sum of i*i over [0, N) in parallel slices. */
#define N 4000000L
struct slice {
	long lo, hi;
	unsigned long sum;
};

static void *slice_fn(void *arg)
{
	struct slice *s = arg;
	for (long i = s->lo; i < s->hi; i++)
		s->sum += (unsigned long)i * (unsigned long)i;
	return NULL;
}

static void test_parallel(int ncpus)
{
	struct slice s[8];
	pthread_t t[8];
	int n = ncpus * 2 > 8 ? 8 : ncpus * 2;
	for (int i = 0; i < n; i++) {
		s[i] = (struct slice){ N * i / n, N * (i + 1) / n, 0 };
		CHECK(pthread_create(&t[i], NULL, slice_fn, &s[i]) == 0);
	}
	unsigned long total = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		total += s[i].sum;
	}
	unsigned long want = (unsigned long)(N - 1) * N * (2 * N - 1) / 6;
	CHECK(total == want);
}

static void *detached_fn(void *arg)
{
	atomic_fetch_add(&counter, 1);
	return arg;
}

int main(int argc, char **argv)
{
	int ncpus = argc > 1 ? atoi(argv[1]) : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) == ncpus);
	cpu_set_t set;
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 &&
	      CPU_COUNT(&set) == ncpus);

	/* Progress lines say where a hang happened. */
	test_create_join();
	printf("t_threads: create/join done\n");
	test_sync();
	printf("t_threads: mutex, condvar, barrier done\n");
	test_timeouts();
	printf("t_threads: timeouts done\n");
	test_parallel(ncpus);
	printf("t_threads: parallel done\n");
	fflush(stdout);

	/* Detached threads end on their own. */
	atomic_store(&counter, 0);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 20; i++) {
		pthread_t t;
		CHECK(pthread_create(&t, &attr, detached_fn, NULL) == 0);
	}
	for (int i = 0; i < 1000 && atomic_load(&counter) < 20; i++)
		usleep(1000);
	CHECK(atomic_load(&counter) == 20);

	/* fork fails cleanly and nothing is disturbed. */
	CHECK_ERR(syscall(SYS_fork), ENOSYS);
	DONE("t_threads");
}
