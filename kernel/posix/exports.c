/*
 * What the kernel exports to shared objects linked into it: one static
 * table of C-library names and the kernel functions behind them (base.c,
 * and the kernel's own string routines where they match the C library's
 * contract). Calls that make no sense inside the kernel (files, terminals,
 * signals, processes) are exported as stubs that fail with ENOSYS and say
 * so once, so a library that links against them still loads and an
 * unexpected call is visible.
 */
#include <kernel/so.h>
#include <kernel/string.h>

#include "posix.h"

void __stack_chk_fail(void);

#define UNSUPPORTED(fn)                                 \
	static long unsupported_##fn(void)              \
	{                                               \
		static bool logged;                     \
		return posix_unsupported(#fn, &logged); \
	}
UNSUPPORTED(open)
UNSUPPORTED(read)
UNSUPPORTED(write)
UNSUPPORTED(fcntl)
UNSUPPORTED(ioctl)
UNSUPPORTED(select)
UNSUPPORTED(sigaction)
UNSUPPORTED(system)
UNSUPPORTED(tcflush)
UNSUPPORTED(tcgetattr)
UNSUPPORTED(tcsetattr)

#define EXPORT(name, fn)           \
	{                          \
		name, (void *)(fn) \
	}

static const struct {
	const char *name;
	void *addr;
} exports[] = {
	/* memory and strings */
	EXPORT("malloc", posix_malloc),
	EXPORT("calloc", posix_calloc),
	EXPORT("free", posix_free),
	EXPORT("memcpy", memcpy),
	EXPORT("memmove", memmove),
	EXPORT("memcmp", memcmp),
	EXPORT("strlen", strlen),
	EXPORT("strncmp", strncmp),
	EXPORT("strncpy", posix_strncpy),
	EXPORT("strtol", posix_strtol),
	EXPORT("__memcpy_chk", posix_memcpy_chk),
	EXPORT("__ctype_b_loc", posix_ctype_b_loc),
	/* errors, output, process */
	EXPORT("__errno_location", posix_errno_location),
	EXPORT("__stack_chk_fail", __stack_chk_fail),
	EXPORT("__printf_chk", posix_printf_chk),
	EXPORT("__snprintf_chk", posix_snprintf_chk),
	EXPORT("__fdelt_chk", posix_fdelt_chk),
	EXPORT("perror", posix_perror),
	EXPORT("fflush", posix_fflush),
	EXPORT("abort", posix_abort),
	EXPORT("exit", posix_exit),
	EXPORT("getenv", posix_getenv),
	EXPORT("getpid", posix_getpid),
	EXPORT("rand", posix_rand),
	EXPORT("clock_gettime", posix_clock_gettime),
	/* threads */
	EXPORT("pthread_create", posix_pthread_create),
	EXPORT("pthread_self", posix_pthread_self),
	EXPORT("pthread_mutex_init", posix_mutex_init),
	EXPORT("pthread_mutex_lock", posix_mutex_lock),
	EXPORT("pthread_mutex_unlock", posix_mutex_unlock),
	EXPORT("pthread_mutex_destroy", posix_mutex_destroy),
	EXPORT("pthread_condattr_init", posix_condattr_init),
	EXPORT("pthread_condattr_setclock", posix_condattr_setclock),
	EXPORT("pthread_condattr_destroy", posix_condattr_destroy),
	EXPORT("pthread_cond_init", posix_cond_init),
	EXPORT("pthread_cond_wait", posix_cond_wait),
	EXPORT("pthread_cond_timedwait", posix_cond_timedwait),
	EXPORT("pthread_cond_broadcast", posix_cond_broadcast),
	EXPORT("pthread_cond_destroy", posix_cond_destroy),
	/* not inside the kernel */
	EXPORT("open", unsupported_open),
	EXPORT("read", unsupported_read),
	EXPORT("write", unsupported_write),
	EXPORT("fcntl", unsupported_fcntl),
	EXPORT("ioctl", unsupported_ioctl),
	EXPORT("select", unsupported_select),
	EXPORT("sigaction", unsupported_sigaction),
	EXPORT("system", unsupported_system),
	EXPORT("tcflush", unsupported_tcflush),
	EXPORT("tcgetattr", unsupported_tcgetattr),
	EXPORT("tcsetattr", unsupported_tcsetattr),
};

void *kernel_export(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(exports); i++)
		if (!strcmp(exports[i].name, name))
			return exports[i].addr;
	return NULL;
}
