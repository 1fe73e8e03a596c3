/*
 * Fatal errors. panic() prints the message and a backtrace, then ends the
 * VM with EXIT_PANIC. ASSERT() states an invariant; a broken one panics
 * naming the condition and its location.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <kernel/types.h>

/* Exit statuses the kernel itself produces (docs/cmdline.md). */
#define EXIT_NO_PROGRAM 1
#define EXIT_USAGE 2
#define EXIT_SELFTEST_FAILED 3
#define EXIT_BAD_INITRD 4
#define EXIT_BOOT_FAILED 5 /* root filesystem, mounts, console */
#define EXIT_PANIC 70	   /* sysexits.h EX_SOFTWARE */

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
/*
 * The two halves of every fatal path: panic_begin() stops interrupts and
 * makes sure the console prints (a fatal error inside one stops at once);
 * panic_end() ends the VM with @status.
 */
void panic_begin(void);
__noreturn void panic_end(int status);
/* Ends the VM: prints "appliance: exit status N" and powers off. */
__noreturn void kernel_exit(int status);

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (unlikely(!(cond)))                                         \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, \
			      __LINE__);                                       \
	} while (0)

#define BUILD_ASSERT(cond) _Static_assert(cond, #cond)

#endif
