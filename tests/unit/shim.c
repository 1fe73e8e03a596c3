/*
 * Host platform shim: the kernel services that portable subsystems (cmdline,
 * mm, later vfs) call, implemented on top of the C library and pthreads so
 * the kernel's own sources can run under ASan/UBSan on the host.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>

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
