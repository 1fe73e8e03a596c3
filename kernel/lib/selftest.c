/*
 * Self-test runner: walks the "selftests" section in link order, runs each
 * test in the boot thread, and reports one line per test plus a summary.
 * A test that leaks threads or memory is reported as failed too, since a
 * leak in a self-test is a leak in the code it tests.
 */
#include <kernel/page.h>
#include <kernel/selftest.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>

extern const struct selftest __start_selftests[], __stop_selftests[];

/* Is @name one of the comma-separated names in @list? */
static bool in_list(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == len && !strncmp(p, name, n))
			return true;
		p += n + (end ? 1 : 0);
	}
	return false;
}

/* Every name in @only must exist, so a typo cannot pass as "0 failed". */
static bool names_valid(const char *only)
{
	for (const char *p = only; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		bool found = false;
		for (const struct selftest *t = __start_selftests;
		     t < __stop_selftests; t++)
			if (strlen(t->name) == n && !strncmp(t->name, p, n))
				found = true;
		if (!found) {
			console_printf("selftest: no test named '%.*s'\n",
				       (int)n, p);
			return false;
		}
		p += n + (end ? 1 : 0);
	}
	return true;
}

static size_t pages_kept;
static unsigned long threads_kept;

void selftest_pages_kept(size_t pages)
{
	pages_kept += pages;
}

void selftest_threads_kept(unsigned long threads)
{
	threads_kept += threads;
}

int selftest_run(const char *only)
{
	unsigned passed = 0, failed = 0;

	if (only && !names_valid(only))
		return -1;
	for (const struct selftest *t = __start_selftests; t < __stop_selftests;
	     t++) {
		if (only && !in_list(only, t->name))
			continue;
		unsigned long threads = thread_count();
		size_t free_pages = pmm_free_pages();
		pages_kept = 0;
		threads_kept = 0;
		uint64_t t0 = clock_monotonic_ns();
		int ret = t->fn();
		uint64_t ms = (clock_monotonic_ns() - t0) / NSEC_PER_MSEC;
		/* Fewer is fine: a background thread may have finished. */
		if (ret == 0 && thread_count() > threads + threads_kept) {
			console_printf("selftest: %s left %ld threads behind\n",
				       t->name,
				       (long)(thread_count() - threads));
			ret = -1;
		}
		if (ret == 0 && pmm_free_pages() + pages_kept < free_pages) {
			console_printf("selftest: %s leaked %zu pages\n",
				       t->name, free_pages - pmm_free_pages());
			ret = -1;
		}
		console_printf("selftest: %-24s %s (%lu ms)\n", t->name,
			       ret ? "FAILED" : "ok", ms);
		if (ret)
			failed++;
		else
			passed++;
	}
	console_printf("selftest: %u passed, %u failed\n", passed, failed);
	return (int)failed;
}
