/* The base POSIX layer's functions (base.c), named for exports.c. */
#ifndef KERNEL_POSIX_POSIX_H
#define KERNEL_POSIX_POSIX_H

#include <kernel/types.h>

struct posix_timespec {
	int64_t sec, nsec;
};

void *posix_malloc(size_t size);
void *posix_calloc(size_t n, size_t size);
void posix_free(void *p);
int *posix_errno_location(void);
const uint16_t **posix_ctype_b_loc(void);
long posix_fdelt_chk(long fd);
void *posix_memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen);
int posix_printf_chk(int flag, const char *fmt, ...);
int posix_snprintf_chk(char *buf, size_t maxlen, int flag, size_t slen,
		       const char *fmt, ...);
__noreturn void posix_abort(void);
__noreturn void posix_exit(int status);
int posix_clock_gettime(int clock, struct posix_timespec *ts);
char *posix_getenv(const char *name);
int posix_getpid(void);
int posix_rand(void);
int posix_fflush(void *stream);
void posix_perror(const char *s);
char *posix_strncpy(char *dst, const char *src, size_t n);
long posix_strtol(const char *s, char **end, int base);
long posix_unsupported(const char *name, bool *logged);

int posix_mutex_init(void *m, const void *attr);
int posix_mutex_lock(void *m);
int posix_mutex_unlock(void *m);
int posix_mutex_destroy(void *m);
int posix_condattr_init(int *attr);
int posix_condattr_setclock(int *attr, int clock);
int posix_condattr_destroy(int *attr);
int posix_cond_init(void *c, const int *attr);
int posix_cond_wait(void *c, void *m);
int posix_cond_timedwait(void *c, void *m, const struct posix_timespec *abs);
int posix_cond_broadcast(void *c);
int posix_cond_destroy(void *c);
int posix_pthread_create(unsigned long *t, const void *attr,
			 void *(*fn)(void *), void *arg);
unsigned long posix_pthread_self(void);

#endif
