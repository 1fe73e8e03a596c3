/*
 * The Linux x86_64 system-call ABI. Handlers take the six argument
 * registers as longs and return a value or a negative errno, exactly what
 * the program sees in %rax. Each subsystem defines its handlers in its own
 * file (vfs/sys_file.c, kernel/mm/sys_mm.c, ...) with SYSCALL_DEFINE; the
 * one table that maps numbers to handlers is kernel/syscall/table.c, and
 * kernel/include/kernel/syscalls.h declares every handler.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <kernel/types.h>

#define SYSCALL_DEFINE(name) \
	long sys_##name(long a0, long a1, long a2, long a3, long a4, long a5)

typedef long (*syscall_fn)(long, long, long, long, long, long);

struct syscall_entry {
	const char *name;
	syscall_fn fn;
};

#endif
