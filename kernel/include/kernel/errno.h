/*
 * Linux errno values. Kernel functions return 0 or a negative errno;
 * pointer-returning functions encode the errno with ERR_PTR.
 */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#include <kernel/types.h>

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define EPROTO 71
#define ENOTSOCK 88
#define EMSGSIZE 90
#define ECONNRESET 104
#define ETIMEDOUT 110
#define EPROTONOSUPPORT 93
#define ESOCKTNOSUPPORT 94
#define ENOBUFS 105
#define ECONNREFUSED 111
#define EADDRINUSE 98
#define ENOTCONN 107
#define EHOSTUNREACH 113
#define EINPROGRESS 115
#define ESTALE 116
#define EDQUOT 122
#define EREMOTE 66

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long err)
{
	return (void *)err;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return (uintptr_t)ptr >= (uintptr_t)-MAX_ERRNO;
}

#endif
