/*
 * Thread benchmark (docs/performance.md): a CPU-bound computation split
 * over T threads (wall time), futex ping-pong between two threads (the
 * cost of a wake-up plus a context switch), and thread create+join.
 *
 *   threadbench T
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#define WORK (1L << 28) /* xorshift steps in all, split over the threads */

static long nthreads;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
	uint64_t x = (uintptr_t)arg * 2654435761u + 1;
	for (long i = 0; i < WORK / nthreads; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return (void *)(uintptr_t)x;
}

static atomic_int turn;
#define ROUNDS 20000

static void futex_wait(atomic_int *w, int v)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void futex_wake(atomic_int *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Two threads hand a token back and forth through one futex word. */
static void *ponger(void *arg)
{
	int me = (int)(intptr_t)arg;
	for (int i = 0; i < ROUNDS; i++) {
		while (atomic_load(&turn) != me)
			futex_wait(&turn, !me);
		atomic_store(&turn, !me);
		futex_wake(&turn);
	}
	return NULL;
}

static void *nothing(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	nthreads = argc > 1 ? atol(argv[1]) : 1;
	if (nthreads < 1 || nthreads > 64)
		return 2;

	pthread_t t[64];
	double t0 = now();
	for (long i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, work, (void *)(intptr_t)i);
	uint64_t sum = 0;
	for (long i = 0; i < nthreads; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (uintptr_t)r;
	}
	double compute = now() - t0;

	pthread_t a, b;
	t0 = now();
	pthread_create(&a, NULL, ponger, (void *)0);
	pthread_create(&b, NULL, ponger, (void *)1);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	double pingpong_us = (now() - t0) / (2.0 * ROUNDS) * 1e6;

	const int creates = 2000;
	t0 = now();
	for (int i = 0; i < creates; i++) {
		pthread_t x;
		pthread_create(&x, NULL, nothing, NULL);
		pthread_join(x, NULL);
	}
	double create_us = (now() - t0) / creates * 1e6;

	printf("threadbench: %ld threads: compute %.3f s (checksum %lx), "
	       "futex hand-off %.2f us, create+join %.2f us\n",
	       nthreads, compute, (unsigned long)(sum & 0xffff), pingpong_us,
	       create_us);
	return 0;
}
