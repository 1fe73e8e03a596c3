/* The base POSIX layer's functions (base.c), named for exports.c. */
#ifndef KERNEL_POSIX_POSIX_H
#define KERNEL_POSIX_POSIX_H

#include <kernel/types.h>
#include <stdarg.h>

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

/* The layer above lwIP (sockets.c), for libnfs.a. */
struct posix_pollfd {
	int fd;
	short events, revents;
};
struct posix_addrinfo;
struct posix_timeval;

int posix_socket(int domain, int type, int protocol);
int posix_close(int fd);
int posix_dup2(int oldfd, int newfd);
int posix_bind(int fd, const void *addr, unsigned len);
int posix_connect(int fd, const void *addr, unsigned len);
long posix_recv(int fd, void *buf, size_t len, int flags);
long posix_send(int fd, const void *buf, size_t len, int flags);
long posix_recvfrom(int fd, void *buf, size_t len, int flags, void *addr,
		    unsigned *alen);
long posix_sendto(int fd, const void *buf, size_t len, int flags,
		  const void *addr, unsigned alen);
int posix_getsockopt(int fd, int level, int name, void *val, unsigned *len);
int posix_setsockopt(int fd, int level, int name, const void *val,
		     unsigned len);
int posix_fcntl(int fd, int cmd, ...);
int posix_ioctl(int fd, unsigned long request, ...);
int posix_poll(struct posix_pollfd *p, unsigned long n, int timeout_ms);
bool posix_inet_aton(const char *s, uint32_t *out);
int posix_getaddrinfo(const char *node, const char *service,
		      const struct posix_addrinfo *hints,
		      struct posix_addrinfo **res);
void posix_freeaddrinfo(struct posix_addrinfo *ai);
int posix_getnameinfo(const void *sa, unsigned salen, char *host,
		      unsigned hostlen, char *serv, unsigned servlen,
		      int flags);
void *posix_getservbyport(int port, const char *proto);
void *posix_getpwnam(const char *name);
unsigned posix_getuid(void);
unsigned posix_getgid(void);
extern void *posix_stderr;
int posix_fprintf_chk(void *stream, int flag, const char *fmt, ...);
int posix_vsnprintf_chk(char *buf, size_t maxlen, int flag, size_t slen,
			const char *fmt, va_list ap);
int posix_sprintf_chk(char *buf, int flag, size_t slen, const char *fmt, ...);
__noreturn void posix_assert_fail(const char *expr, const char *file,
				  unsigned line, const char *func);
char *posix_strerror(int e);
char *posix_strstr(const char *hay, const char *needle);
void *posix_realloc(void *p, size_t size);
int posix_gettimeofday(struct posix_timeval *tv, void *tz);
int64_t posix_time(int64_t *t);

#endif
