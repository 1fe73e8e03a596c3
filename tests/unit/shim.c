/*
 * Host platform shim: the kernel services that portable subsystems (cmdline,
 * mm, later vfs) call, implemented on top of the C library and pthreads so
 * the kernel's own sources can run under ASan/UBSan on the host.
 */
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kernel/console.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>
#include <kernel/waitq.h>

#include "unit.h"

/* Tests may raise this to see kernel log output. */
int shim_log_level = LOG_WARNING;

void vprintk(int level, const char *fmt, va_list ap)
{
	if (level > shim_log_level)
		return;
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void printk_console_start(void)
{
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* Each host thread is its own "CPU"; ids are handed out on first use. */
static _Thread_local int shim_cpu = -1;
static atomic_uint shim_next_cpu;

unsigned cpu_current_id(void)
{
	if (shim_cpu < 0) {
		unsigned id = atomic_fetch_add(&shim_next_cpu, 1);
		if (id >= MAX_CPUS)
			panic("shim: more than %d test threads", MAX_CPUS);
		shim_cpu = (int)id;
	}
	return (unsigned)shim_cpu;
}

void preempt_disable(void)
{
}

void preempt_enable(void)
{
}

void spin_lock_init(spinlock_t *lock)
{
	lock->locked = 0;
	lock->owner_cpu = 0;
}

void spin_lock(spinlock_t *lock)
{
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	lock->owner_cpu = cpu_current_id();
}

bool spin_trylock(spinlock_t *lock)
{
	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	lock->owner_cpu = cpu_current_id();
	return true;
}

void spin_unlock(spinlock_t *lock)
{
	ASSERT(lock->locked);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	spin_lock(lock);
	return 0;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	(void)flags;
	spin_unlock(lock);
}

bool spin_is_locked(const spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED);
}

/*
 * Threads: each host thread is a kernel thread; its identity is the
 * address of a thread-local byte (struct thread stays opaque here).
 */
static _Thread_local char shim_thread_token;

struct thread *thread_current(void)
{
	return (struct thread *)&shim_thread_token;
}

/*
 * Mutexes spin with sched_yield() on the owner field. Locking a mutex the
 * thread already holds panics instead of hanging, as a lock-order bug
 * should.
 */
void mutex_init(struct mutex *m)
{
	m->owner = NULL;
	spin_lock_init(&m->waiters.lock);
	list_init(&m->waiters.waiters);
}

bool mutex_trylock(struct mutex *m)
{
	struct thread *none = NULL;
	return __atomic_compare_exchange_n(&m->owner, &none, thread_current(),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void mutex_lock(struct mutex *m)
{
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == thread_current())
		panic("shim: mutex %p locked twice by one thread", (void *)m);
	while (!mutex_trylock(m))
		sched_yield();
}

void mutex_unlock(struct mutex *m)
{
	ASSERT(mutex_held(m));
	__atomic_store_n(&m->owner, NULL, __ATOMIC_RELEASE);
}

bool mutex_held(const struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == thread_current();
}

/* Condition variables: waiters poll, so a wait may return spuriously. */
void condvar_init(struct condvar *cv)
{
	spin_lock_init(&cv->wq.lock);
	list_init(&cv->wq.waiters);
}

void condvar_wait(struct condvar *cv, struct mutex *m)
{
	mutex_unlock(m);
	sched_yield();
	mutex_lock(m);
}

int condvar_wait_deadline(struct condvar *cv, struct mutex *m,
			  uint64_t deadline_ns)
{
	condvar_wait(cv, m);
	return clock_monotonic_ns() >= deadline_ns ? -ETIMEDOUT : 0;
}

void condvar_signal(struct condvar *cv)
{
}

void condvar_broadcast(struct condvar *cv)
{
}

/* Time from the host's clocks. */
static uint64_t host_clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t clock_monotonic_ns(void)
{
	return host_clock_ns(CLOCK_MONOTONIC);
}

uint64_t clock_realtime_ns(void)
{
	return host_clock_ns(CLOCK_REALTIME);
}

/*
 * Program memory: on the host any pointer is the program's, except the
 * first page and ranges that wrap, which stand for bad pointers.
 */
static bool shim_bad_user(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;
	return a < 4096 || a + n < a;
}

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (n && shim_bad_user(usrc, n))
		return -EFAULT;
	memcpy(dst, usrc, n);
	return 0;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	if (n && shim_bad_user(udst, n))
		return -EFAULT;
	memcpy(udst, src, n);
	return 0;
}

int clear_user(void *udst, size_t n)
{
	if (n && shim_bad_user(udst, n))
		return -EFAULT;
	memset(udst, 0, n);
	return 0;
}

long strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	if (shim_bad_user(usrc, 1))
		return -EFAULT;
	for (size_t i = 0; i < max; i++) {
		dst[i] = usrc[i];
		if (!usrc[i])
			return (long)i;
	}
	return -ENAMETOOLONG;
}

/* Shared file mappings: host tests map no program memory, so none. */
int vm_sync_backing(const void *key)
{
	(void)key;
	return 0;
}

/* The console: stdout, and the last bytes kept for tests to look at. */
char shim_console_buf[4096];
size_t shim_console_len;

void console_write(const char *buf, size_t len)
{
	fwrite(buf, 1, len, stdout);
	for (size_t i = 0; i < len; i++) {
		if (shim_console_len == sizeof(shim_console_buf))
			shim_console_len = 0;
		shim_console_buf[shim_console_len++] = buf[i];
	}
}

/* The unit-test harness (tests/unit/unit.h). */
int unit_failures;

int unit_run(const struct unit_case *cases, size_t n)
{
	int failed_cases = 0;
	for (size_t i = 0; i < n; i++) {
		int before = unit_failures;
		cases[i].fn();
		bool ok = unit_failures == before;
		printf("%s %s\n", ok ? "ok  " : "FAIL", cases[i].name);
		failed_cases += !ok;
	}
	printf("%zu passed, %d failed\n", n - (size_t)failed_cases,
	       failed_cases);
	return failed_cases ? 1 : 0;
}
