/*
 * Time system calls: clock_gettime/getres for the Linux clock ids,
 * gettimeofday, time, nanosleep and clock_nanosleep (relative and
 * absolute). CPU-time clocks count the time threads spent on a CPU.
 */
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/syscalls.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

struct timespec {
	int64_t sec, nsec;
};

struct timeval {
	int64_t sec, usec;
};

/* Reads clock @id in ns; -EINVAL for clocks that do not exist. */
static int clock_read(long id, uint64_t *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = clock_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = clock_monotonic_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = sched_program_cpu_ns();
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = sched_thread_cpu_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

static int put_timespec(void *u, uint64_t ns)
{
	struct timespec ts = { (int64_t)(ns / NSEC_PER_SEC),
			       (int64_t)(ns % NSEC_PER_SEC) };
	return copy_to_user(u, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* A duration or time from the program: 0 <= nsec < 1e9, sec >= 0. */
static int get_timespec(const void *u, uint64_t *ns)
{
	struct timespec ts;
	if (copy_from_user(&ts, u, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	/* Far-future times saturate instead of wrapping. */
	if ((uint64_t)ts.sec > UINT64_MAX / NSEC_PER_SEC - 1)
		*ns = UINT64_MAX;
	else
		*ns = (uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
	return 0;
}

SYSCALL_DEFINE(clock_gettime)
{
	uint64_t ns;
	int ret = clock_read(a0, &ns);
	return ret ? ret : put_timespec((void *)a1, ns);
}

SYSCALL_DEFINE(clock_getres)
{
	uint64_t ns;
	int ret = clock_read(a0, &ns);
	if (ret || !a1)
		return ret;
	return put_timespec((void *)a1, 1);
}

SYSCALL_DEFINE(gettimeofday)
{
	uint64_t ns = clock_realtime_ns();
	struct timeval tv = { (int64_t)(ns / NSEC_PER_SEC),
			      (int64_t)(ns % NSEC_PER_SEC / 1000) };
	if (a0 && copy_to_user((void *)a0, &tv, sizeof(tv)))
		return -EFAULT;
	/* The timezone argument is obsolete: zeros. */
	if (a1 && clear_user((void *)a1, 8))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(time)
{
	int64_t t = (int64_t)(clock_realtime_ns() / NSEC_PER_SEC);
	if (a0 && copy_to_user((void *)a0, &t, sizeof(t)))
		return -EFAULT;
	return t;
}

/* Sleeps until clock @id reads @deadline (monotonic or realtime based). */
static void sleep_until(long id, uint64_t deadline)
{
	uint64_t now;
	while (!clock_read(id, &now) && now < deadline)
		thread_sleep_ns(MIN(deadline - now, 3600 * NSEC_PER_SEC));
}

SYSCALL_DEFINE(nanosleep)
{
	uint64_t ns;
	int ret = get_timespec((const void *)a0, &ns);
	if (ret)
		return ret;
	uint64_t start = clock_monotonic_ns();
	sleep_until(CLOCK_MONOTONIC,
		    ns > UINT64_MAX - start ? UINT64_MAX : start + ns);
	return 0;
}

SYSCALL_DEFINE(clock_nanosleep)
{
	uint64_t ns, now;
	/* Sleeping uses no CPU time: a CPU-time clock would never get there. */
	if (a0 == CLOCK_THREAD_CPUTIME_ID || a0 == CLOCK_PROCESS_CPUTIME_ID)
		return -EINVAL;
	if (a1 & ~TIMER_ABSTIME)
		return -EINVAL;
	int ret = clock_read(a0, &now);
	if (!ret)
		ret = get_timespec((const void *)a2, &ns);
	if (ret)
		return ret;
	if (!(a1 & TIMER_ABSTIME))
		ns = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	sleep_until(a0, ns);
	return 0;
}
