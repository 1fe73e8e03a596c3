/*
 * Checks for the in-VM test programs: CHECK prints the failed expression
 * with errno and counts it; CHECK_ERR expects a failure with one errno.
 * DONE prints the summary line the runner looks for and exits 0 only if
 * every check passed. Each program is built with musl and with glibc.
 */
#ifndef TESTS_VM_PROGS_CHECK_H
#define TESTS_VM_PROGS_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures __attribute__((unused)),
	check_count __attribute__((unused));

#define CHECK(cond)                                                        \
	do {                                                               \
		check_count++;                                             \
		if (!(cond)) {                                             \
			printf("FAIL %s:%d: %s (errno %d %s)\n", __FILE__, \
			       __LINE__, #cond, errno, strerror(errno));   \
			check_failures++;                                  \
		}                                                          \
	} while (0)

/* @expr must return -1 with errno @err (or a raw syscall's -err). */
#define CHECK_ERR(expr, err)                                                  \
	do {                                                                  \
		errno = 0;                                                    \
		long r_ = (long)(expr);                                       \
		check_count++;                                                \
		if (!(r_ == -1 && errno == (err)) && r_ != -(err)) {          \
			printf("FAIL %s:%d: %s gave %ld errno %d, want %s\n", \
			       __FILE__, __LINE__, #expr, r_, errno, #err);   \
			check_failures++;                                     \
		}                                                             \
	} while (0)

#define DONE(name)                                                      \
	do {                                                            \
		printf("%s: %d checks, %d failed\n", name, check_count, \
		       check_failures);                                 \
		fflush(stdout);                                         \
		exit(check_failures ? 1 : 0);                           \
	} while (0)

#endif
