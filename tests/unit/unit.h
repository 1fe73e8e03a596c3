/*
 * A minimal harness for host unit tests: CHECK records a failure with its
 * location and goes on; TEST_MAIN runs the listed cases and exits non-zero
 * if any check failed.
 */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

#include <stdio.h>
#include <stdlib.h>

extern int unit_failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			unit_failures++;                                       \
		}                                                              \
	} while (0)

typedef void (*unit_case_fn)(void);
struct unit_case {
	const char *name;
	unit_case_fn fn;
};

/* Runs @cases; prints one line per case; returns the exit status. */
int unit_run(const struct unit_case *cases, size_t n);

#define UNIT_CASE(fn)   \
	{               \
#fn, fn \
	}
#define TEST_MAIN(...)                                                    \
	int main(void)                                                    \
	{                                                                 \
		static const struct unit_case cases[] = { __VA_ARGS__ };  \
		return unit_run(cases, sizeof(cases) / sizeof(cases[0])); \
	}

#endif
