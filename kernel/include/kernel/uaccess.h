/*
 * Access to the program's memory from the kernel. Every pointer a program
 * passes in a syscall goes through these: a bad pointer (unmapped, kernel
 * half, wrapping) gives -EFAULT, never a kernel fault. Pages the program
 * mapped but has not touched yet are faulted in first, so a copy into a
 * fresh mmap() buffer works.
 *
 * The host unit tests get a shim (tests/unit/shim.c) that treats any
 * pointer below 4096 as bad and copies everything else with memcpy.
 */
#ifndef KERNEL_UACCESS_H
#define KERNEL_UACCESS_H

#include <kernel/types.h>

/* 0, or -EFAULT when any byte of the range is not accessible. */
int copy_from_user(void *dst, const void *usrc, size_t n);
int copy_to_user(void *udst, const void *src, size_t n);
int clear_user(void *udst, size_t n);
/*
 * Copies a NUL-terminated string of at most @max bytes including the NUL.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL comes within
 * @max bytes.
 */
long strncpy_from_user(char *dst, const char *usrc, size_t max);

#endif
