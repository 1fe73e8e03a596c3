/*
 * In-kernel self-tests, run by the `selftest` boot option. Each subsystem
 * declares its tests next to its code with SELFTEST(name) { ... }; the
 * declarations land in the "selftests" section, so the runner needs no list.
 * A test returns 0 when it passes; a failing check prints what failed
 * (ST_CHECK) and makes the test return -1.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <kernel/printk.h>
#include <kernel/types.h>

struct selftest {
	const char *name;
	int (*fn)(void);
};

#define SELFTEST(tname)                                                        \
	static int selftest_fn_##tname(void);                                  \
	static const struct selftest selftest_##tname                          \
		__attribute__((used, section("selftests"),                     \
			       aligned(8))) = { #tname, selftest_fn_##tname }; \
	static int selftest_fn_##tname(void)

#define ST_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			console_printf("selftest: check failed: %s (%s:%d)\n", \
				       #cond, __FILE__, __LINE__);             \
			console_printf("selftest:   " __VA_ARGS__);            \
			console_printf("\n");                                  \
			return -1;                                             \
		}                                                              \
	} while (0)

/*
 * A test that keeps @pages pages by design (page tables it created, which
 * stay) says so, so the runner's leak check does not count them.
 */
void selftest_pages_kept(size_t pages);
/* Likewise for threads that stay by design (a service it started). */
void selftest_threads_kept(unsigned long threads);

/*
 * Runs the self-tests named in @only (comma-separated; NULL for all) and
 * returns how many failed, or -1 if a name matches no test.
 */
int selftest_run(const char *only);

#endif
