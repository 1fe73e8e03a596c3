/*
 * Pipes, eventfds, select and pselect6, inside the guest: data across
 * threads, end-of-file and EPIPE, non-blocking ends, atomic small writes,
 * readiness through poll, select, pselect6 and epoll, and the errors bad
 * input gets.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define BIG (1024 * 1024)

static int pfd[2];
static unsigned char big_out[BIG], big_in[BIG + 1]; /* +1: sees extra bytes */

static void *writer(void *arg)
{
	size_t done = 0;
	while (done < BIG) {
		size_t want = BIG - done < 7000 ? BIG - done : 7000;
		ssize_t n = write(pfd[1], big_out + done, want);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(pfd[1]);
	return (void *)done;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_pipe(void)
{
	struct stat st;
	CHECK(pipe(pfd) == 0);
	CHECK(fstat(pfd[0], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK_ERR(lseek(pfd[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERR(write(pfd[0], "x", 1), EBADF);
	/* 1 MiB through a 64 KiB pipe, from another thread. */
	for (size_t i = 0; i < BIG; i++)
		big_out[i] = (unsigned char)(i * 7 + i / 251);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, writer, NULL) == 0);
	size_t got = 0;
	for (;;) {
		ssize_t n = read(pfd[0], big_in + got,
				 BIG - got < 5000 ? BIG - got + 1 : 5000);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	void *sent;
	pthread_join(t, &sent);
	if ((size_t)sent != BIG || got != BIG)
		printf("pipe: sent %zu, received %zu\n", (size_t)sent, got);
	CHECK((size_t)sent == BIG && got == BIG &&
	      !memcmp(big_in, big_out, BIG));
	CHECK(read(pfd[0], big_in, 10) == 0); /* end of file */
	close(pfd[0]);

	/* No reader: EPIPE (no SIGPIPE is delivered). */
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe2(pfd, O_CLOEXEC) == 0 &&
	      fcntl(pfd[0], F_GETFD) == FD_CLOEXEC);
	close(pfd[0]);
	CHECK_ERR(write(pfd[1], "x", 1), EPIPE);
	close(pfd[1]);

	/* Non-blocking: empty reads and full writes say EAGAIN. */
	CHECK(pipe2(pfd, O_NONBLOCK) == 0);
	char buf[4096];
	CHECK_ERR(read(pfd[0], buf, sizeof(buf)), EAGAIN);
	memset(buf, 'p', sizeof(buf));
	long filled = 0;
	for (int i = 0; i < 100; i++) {
		ssize_t n = write(pfd[1], buf, sizeof(buf));
		if (n < 0)
			break;
		filled += n;
	}
	CHECK(filled == 65536);
	CHECK_ERR(write(pfd[1], buf, 1), EAGAIN);
	struct pollfd pp[2] = { { pfd[0], POLLIN, 0 }, { pfd[1], POLLOUT, 0 } };
	CHECK(poll(pp, 2, 0) == 1 && pp[0].revents == POLLIN && !pp[1].revents);
	CHECK(read(pfd[0], buf, 100) == 100);
	/* 100 bytes free: a 200-byte write is atomic, so it must wait. */
	CHECK_ERR(write(pfd[1], buf, 200), EAGAIN);
	CHECK(write(pfd[1], buf, 100) == 100);
	close(pfd[1]);
	CHECK(poll(pp, 1, 0) == 1 && (pp[0].revents & POLLHUP));
	close(pfd[0]);
	CHECK_ERR(pipe2(pfd, 0x40000000), EINVAL);
	CHECK_ERR(syscall(SYS_pipe, (int *)16), EFAULT);
}

static void *delayed_write(void *arg)
{
	usleep(50 * 1000);
	uint64_t one = 1;
	CHECK(write((int)(intptr_t)arg, &one, 8) == 8);
	return NULL;
}

static void test_eventfd(void)
{
	int e = eventfd(3, EFD_CLOEXEC);
	uint64_t v;
	CHECK(e >= 0 && fcntl(e, F_GETFD) == FD_CLOEXEC);
	CHECK(read(e, &v, 8) == 8 && v == 3);
	CHECK(fcntl(e, F_SETFL, O_NONBLOCK) == 0);
	CHECK_ERR(read(e, &v, 8), EAGAIN);
	CHECK_ERR(read(e, &v, 4), EINVAL);
	v = UINT64_MAX;
	CHECK_ERR(write(e, &v, 8), EINVAL);
	v = UINT64_MAX - 1;
	CHECK(write(e, &v, 8) == 8);
	v = 1;
	CHECK_ERR(write(e, &v, 8), EAGAIN); /* would overflow */
	close(e);

	e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(read(e, &v, 8) == 8 && v == 1 && read(e, &v, 8) == 8 && v == 1);
	CHECK_ERR(read(e, &v, 8), EAGAIN);
	CHECK(fcntl(e, F_SETFL, 0) == 0);
	/* A blocking read wakes when another thread writes. */
	pthread_t t;
	CHECK(pthread_create(&t, NULL, delayed_write, (void *)(intptr_t)e) ==
	      0);
	CHECK(read(e, &v, 8) == 8 && v == 1);
	pthread_join(t, NULL);
	/* poll sleeps until the write, not until the timeout. */
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(pthread_create(&t, NULL, delayed_write, (void *)(intptr_t)e) ==
	      0);
	struct pollfd pe = { e, POLLIN, 0 };
	CHECK(poll(&pe, 1, 10000) == 1 && pe.revents == POLLIN);
	CHECK(ms_since(&t0) < 5000); /* woken, not timed out */
	pthread_join(t, NULL);
	CHECK(read(e, &v, 8) == 8);
	CHECK_ERR(eventfd(0, 0x4000000), EINVAL);
	close(e);
}

static void test_select(void)
{
	int p[2], e = eventfd(0, 0);
	CHECK(pipe(p) == 0 && e >= 0);
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(e, &r);
	FD_SET(p[1], &w);
	int maxfd = (p[0] > e ? (p[0] > p[1] ? p[0] : p[1]) :
				(e > p[1] ? e : p[1]));
	/* Only the write end is ready. */
	struct timeval tv = { 0, 0 };
	CHECK(select(maxfd + 1, &r, &w, NULL, &tv) == 1 && FD_ISSET(p[1], &w) &&
	      !FD_ISSET(p[0], &r) && !FD_ISSET(e, &r));
	/* A timeout with nothing ready takes about that long. */
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timespec t0, ts = { 0, 60 * 1000 * 1000 };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(pselect(maxfd + 1, &r, NULL, NULL, &ts, NULL) == 0 &&
	      !FD_ISSET(p[0], &r));
	long ms = ms_since(&t0);
	CHECK(ms >= 55 && ms < 5000);
	/* The eventfd becomes readable from another thread. */
	pthread_t t;
	CHECK(pthread_create(&t, NULL, delayed_write, (void *)(intptr_t)e) ==
	      0);
	FD_ZERO(&r);
	FD_SET(e, &r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 10, 0 };
	CHECK(select(maxfd + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(e, &r) &&
	      !FD_ISSET(p[0], &r));
	pthread_join(t, NULL);
	/* Bad input. */
	FD_ZERO(&r);
	FD_SET(900, &r);
	tv = (struct timeval){ 0, 0 };
	CHECK_ERR(select(901, &r, NULL, NULL, &tv), EBADF);
	CHECK_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL);
	tv.tv_usec =
		2000000; /* the C libraries normalise; the kernel refuses */
	CHECK_ERR(syscall(SYS_select, 1, NULL, NULL, NULL, &tv), EINVAL);
	/* epoll over a pipe and an eventfd. */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[2];
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	ev.data.u64 = 8;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) == 0);
	CHECK(epoll_wait(ep, out, 2, 0) == 1 && out[0].data.u64 == 8);
	uint64_t v;
	CHECK(read(e, &v, 8) == 8);
	CHECK(epoll_wait(ep, out, 2, 20) == 0);
	CHECK(write(p[1], "z", 1) == 1);
	CHECK(epoll_wait(ep, out, 2, 1000) == 1 && out[0].data.u64 == 7);
	close(ep);
	close(p[0]);
	close(p[1]);
	close(e);
}

int main(void)
{
	test_pipe();
	test_eventfd();
	test_select();
	DONE("t_pipe");
}
