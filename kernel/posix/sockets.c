/*
 * The POSIX layer above lwIP: the sockets, poll, name lookup and stdio
 * functions that libnfs.a (linked statically into the kernel) imports.
 * Like base.c these carry posix_ names; the build renames libnfs's imports
 * to them (fs/nfs/libnfs.imports), so an import the kernel does not
 * provide fails the link by name.
 *
 * Descriptors here belong to the kernel, not to the program: a small
 * table maps them to lwIP sockets, which also gives dup2() (libnfs moves a
 * reconnected socket onto its old number) something to work on. Several
 * descriptors may share one lwIP socket; it closes with the last of them.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/net.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>

#include "posix.h"

#define FIRST_FD 3 /* 0-2 look like stdio to library code; never used */
#define NR_FDS 256
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4

static struct {
	spinlock_t lock;
	int lwip[NR_FDS]; /* lwIP descriptor + 1; 0: free */
} fds = { .lock = SPINLOCK_INIT };

static struct {
	int (*socket)(int, int, int);
	int (*close)(int);
	int (*bind)(int, const void *, unsigned);
	int (*connect)(int, const void *, unsigned);
	long (*recv)(int, void *, size_t, int);
	long (*send)(int, const void *, size_t, int);
	long (*recvfrom)(int, void *, size_t, int, void *, unsigned *);
	long (*sendto)(int, const void *, size_t, int, const void *, unsigned);
	int (*getsockopt)(int, int, int, void *, unsigned *);
	int (*setsockopt)(int, int, int, const void *, unsigned);
	int (*fcntl)(int, int, int);
	int (*ioctl)(int, long, void *);
	int (*poll)(struct posix_pollfd *, unsigned long, int);
} lw;

static int set_errno(int e)
{
	*posix_errno_location() = e;
	return -1;
}

static int api_init(void)
{
	if (__atomic_load_n(&lw.socket, __ATOMIC_ACQUIRE))
		return 0;
	int ret = lwip_start();
	if (ret)
		return set_errno(-ret);
#define SYM(f) (lw.f = lwip_symbol("lwip_" #f))
	if (!SYM(close) || !SYM(bind) || !SYM(connect) || !SYM(recv) ||
	    !SYM(send) || !SYM(recvfrom) || !SYM(sendto) || !SYM(getsockopt) ||
	    !SYM(setsockopt) || !SYM(fcntl) || !SYM(ioctl) || !SYM(poll))
		return set_errno(ENOSYS);
#undef SYM
	void *sock = lwip_symbol("lwip_socket");
	if (!sock)
		return set_errno(ENOSYS);
	__atomic_store_n(&lw.socket, sock, __ATOMIC_RELEASE);
	return 0;
}

/* The lwIP descriptor behind @fd, or -1 with errno EBADF. */
static int lwip_fd(int fd)
{
	int l = 0;
	spin_lock(&fds.lock);
	if (fd >= FIRST_FD && fd < NR_FDS)
		l = fds.lwip[fd];
	spin_unlock(&fds.lock);
	return l ? l - 1 : set_errno(EBADF);
}

int posix_socket(int domain, int type, int protocol)
{
	if (api_init())
		return -1;
	int l = lw.socket(domain, type, protocol);
	if (l < 0)
		return -1;
	uint32_t sndbuf = 0;
	lwip_sndbuf_set(l, &sndbuf, NET_KERNEL_SNDBUF);
	spin_lock(&fds.lock);
	for (int fd = FIRST_FD; fd < NR_FDS; fd++) {
		if (!fds.lwip[fd]) {
			fds.lwip[fd] = l + 1;
			spin_unlock(&fds.lock);
			return fd;
		}
	}
	spin_unlock(&fds.lock);
	lw.close(l);
	return set_errno(EMFILE);
}

/* Frees @fd; returns its lwIP socket if no other fd shares it, else -1. */
static int fd_free_locked(int fd)
{
	int l = fds.lwip[fd];
	fds.lwip[fd] = 0;
	for (int i = FIRST_FD; i < NR_FDS; i++)
		if (fds.lwip[i] == l)
			return -1;
	return l - 1;
}

int posix_close(int fd)
{
	if (lwip_fd(fd) < 0)
		return -1;
	spin_lock(&fds.lock);
	int l = fds.lwip[fd] ? fd_free_locked(fd) : -1;
	spin_unlock(&fds.lock);
	return l >= 0 ? lw.close(l) : 0;
}

int posix_dup2(int oldfd, int newfd)
{
	int l = lwip_fd(oldfd);
	if (l < 0)
		return -1;
	if (newfd < FIRST_FD || newfd >= NR_FDS)
		return set_errno(EBADF);
	if (newfd == oldfd)
		return newfd;
	spin_lock(&fds.lock);
	int old = fds.lwip[newfd] ? fd_free_locked(newfd) : -1;
	fds.lwip[newfd] = l + 1;
	spin_unlock(&fds.lock);
	if (old >= 0)
		lw.close(old);
	return newfd;
}

int posix_bind(int fd, const void *addr, unsigned len)
{
	int l = lwip_fd(fd);
	return l < 0 ? -1 : lw.bind(l, addr, len);
}

int posix_connect(int fd, const void *addr, unsigned len)
{
	int l = lwip_fd(fd);
	return l < 0 ? -1 : lw.connect(l, addr, len);
}

long posix_recv(int fd, void *buf, size_t len, int flags)
{
	int l = lwip_fd(fd);
	return l < 0 ? -1 : lw.recv(l, buf, len, flags);
}

long posix_send(int fd, const void *buf, size_t len, int flags)
{
	int l = lwip_fd(fd);
	return l < 0 ? -1 : lw.send(l, buf, len, flags);
}

long posix_recvfrom(int fd, void *buf, size_t len, int flags, void *addr,
		    unsigned *alen)
{
	int l = lwip_fd(fd);
	return l < 0 ? -1 : lw.recvfrom(l, buf, len, flags, addr, alen);
}

long posix_sendto(int fd, const void *buf, size_t len, int flags,
		  const void *addr, unsigned alen)
{
	int l = lwip_fd(fd);
	return l < 0 ? -1 : lw.sendto(l, buf, len, flags, addr, alen);
}

int posix_getsockopt(int fd, int level, int name, void *val, unsigned *len)
{
	int l = lwip_fd(fd);
	return l < 0 ? -1 : lw.getsockopt(l, level, name, val, len);
}

int posix_setsockopt(int fd, int level, int name, const void *val, unsigned len)
{
	int l = lwip_fd(fd);
	return l < 0 ? -1 : lw.setsockopt(l, level, name, val, len);
}

/* Descriptor flags (close-on-exec) mean nothing inside the kernel. */
int posix_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	int arg = va_arg(ap, int);
	va_end(ap);
	int l = lwip_fd(fd);
	if (l < 0)
		return -1;
	if (cmd == F_GETFD || cmd == F_SETFD)
		return 0;
	if (cmd != F_GETFL && cmd != F_SETFL)
		return set_errno(EINVAL);
	return lw.fcntl(l, cmd, arg);
}

int posix_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	int l = lwip_fd(fd);
	return l < 0 ? -1 : lw.ioctl(l, (long)request, arg);
}

int posix_poll(struct posix_pollfd *p, unsigned long n, int timeout_ms)
{
	struct posix_pollfd small[4];
	struct posix_pollfd *lp =
		n <= ARRAY_SIZE(small) ? small : kcalloc(n, sizeof(*lp));
	if (!lp)
		return set_errno(ENOMEM);
	int ret = -1;
	for (unsigned long i = 0; i < n; i++) {
		lp[i] = p[i];
		if (p[i].fd >= 0 && (lp[i].fd = lwip_fd(p[i].fd)) < 0)
			goto out; /* POSIX would say POLLNVAL; libnfs never asks */
	}
	if (n && api_init())
		goto out;
	ret = n ? lw.poll(lp, n, timeout_ms) : 0;
	if (!n && timeout_ms > 0)
		thread_sleep_ns((uint64_t)timeout_ms * NSEC_PER_MSEC);
	for (unsigned long i = 0; i < n; i++)
		p[i].revents = lp[i].revents;
out:
	if (lp != small)
		kfree(lp);
	return ret;
}

/* Name lookup: numeric IPv4 addresses only; there is no resolver here. */

#define AF_INET 2
#define SOCK_STREAM 1
#define EAI_NONAME (-2)
#define EAI_FAMILY (-6)
#define EAI_MEMORY (-10)
#define NI_NUMERICHOST 1

struct posix_sockaddr_in {
	uint16_t family;
	uint16_t port; /* network order */
	uint32_t addr; /* network order */
	uint8_t zero[8];
};

struct posix_addrinfo {
	int flags, family, socktype, protocol;
	unsigned addrlen;
	struct posix_sockaddr_in *addr;
	char *canonname;
	struct posix_addrinfo *next;
};

/* Parses dotted-quad @s into network order; false unless exactly that. */
bool posix_inet_aton(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int part = 0; part < 4; part++) {
		unsigned n = 0, digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			n = n * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || n > 255 || *s != (part < 3 ? '.' : '\0'))
			return false;
		s++;
		v = v << 8 | n;
	}
	*out = __builtin_bswap32(v);
	return true;
}

int posix_getaddrinfo(const char *node, const char *service,
		      const struct posix_addrinfo *hints,
		      struct posix_addrinfo **res)
{
	uint32_t addr;
	if (hints && hints->family && hints->family != AF_INET)
		return EAI_FAMILY;
	if (!node || !posix_inet_aton(node, &addr)) {
		pr_err("posix: cannot resolve '%s': only numeric IPv4 addresses work in the kernel",
		       node ? node : "");
		return EAI_NONAME;
	}
	struct {
		struct posix_addrinfo ai;
		struct posix_sockaddr_in sin;
	} *r = kzalloc(sizeof(*r));
	if (!r)
		return EAI_MEMORY;
	r->sin.family = AF_INET;
	r->sin.addr = addr;
	if (service)
		r->sin.port = __builtin_bswap16(
			(uint16_t)posix_strtol(service, NULL, 10));
	r->ai.family = AF_INET;
	r->ai.socktype = hints && hints->socktype ? hints->socktype :
						    SOCK_STREAM;
	r->ai.addrlen = sizeof(r->sin);
	r->ai.addr = &r->sin;
	*res = &r->ai;
	return 0;
}

void posix_freeaddrinfo(struct posix_addrinfo *ai)
{
	kfree(ai); /* one allocation holds it all; never a list */
}

int posix_getnameinfo(const void *sa, unsigned salen, char *host,
		      unsigned hostlen, char *serv, unsigned servlen, int flags)
{
	const struct posix_sockaddr_in *sin = sa;
	if (salen < sizeof(*sin) || sin->family != AF_INET)
		return EAI_FAMILY;
	const uint8_t *b = (const uint8_t *)&sin->addr;
	if (host && hostlen)
		snprintf(host, hostlen, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	if (serv && servlen)
		snprintf(serv, servlen, "%u", __builtin_bswap16(sin->port));
	return 0;
}

/* No services database: libnfs only asks to avoid well-known ports. */
void *posix_getservbyport(int port, const char *proto)
{
	return NULL;
}

/* No user database: uid= and gid= take numbers. */
void *posix_getpwnam(const char *name)
{
	return NULL;
}

/* The appliance runs as root. */
unsigned posix_getuid(void)
{
	return 0;
}

unsigned posix_getgid(void)
{
	return 0;
}

/* stdio and the rest of libc that libnfs uses. */

static int stderr_object;
void *posix_stderr = &stderr_object;

int posix_fprintf_chk(void *stream, int flag, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	pr_warn("posix: %s", buf);
	return n;
}

int posix_vsnprintf_chk(char *buf, size_t maxlen, int flag, size_t slen,
			const char *fmt, va_list ap)
{
	if (maxlen > slen)
		panic("posix: vsnprintf of %zu bytes into %zu", maxlen, slen);
	return vsnprintf(buf, maxlen, fmt, ap);
}

int posix_sprintf_chk(char *buf, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, slen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= slen)
		panic("posix: sprintf of %d bytes into %zu", n, slen);
	return n;
}

__noreturn void posix_assert_fail(const char *expr, const char *file,
				  unsigned line, const char *func)
{
	panic("posix: assertion '%s' failed in %s (%s:%u)", expr, func, file,
	      line);
}

char *posix_strerror(int e)
{
	static const struct {
		int e;
		const char *s;
	} msgs[] = {
		{ EPERM, "Operation not permitted" },
		{ ENOENT, "No such file or directory" },
		{ EINTR, "Interrupted system call" },
		{ EIO, "Input/output error" },
		{ EBADF, "Bad file descriptor" },
		{ EAGAIN, "Resource temporarily unavailable" },
		{ ENOMEM, "Cannot allocate memory" },
		{ EACCES, "Permission denied" },
		{ EINVAL, "Invalid argument" },
		{ EMFILE, "Too many open files" },
		{ ENOSYS, "Function not implemented" },
		{ ENOTCONN, "Transport endpoint is not connected" },
		{ ECONNRESET, "Connection reset by peer" },
		{ ETIMEDOUT, "Connection timed out" },
		{ ECONNREFUSED, "Connection refused" },
		{ EHOSTUNREACH, "No route to host" },
		{ EINPROGRESS, "Operation now in progress" },
		{ EADDRINUSE, "Address already in use" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++)
		if (msgs[i].e == e)
			return (char *)msgs[i].s;
	return "Unknown error";
}

char *posix_strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return (char *)hay;
	return n ? NULL : (char *)hay;
}

void *posix_realloc(void *p, size_t size)
{
	void *r = krealloc(p, size);
	if (!r && size)
		set_errno(ENOMEM);
	return r;
}

struct posix_timeval {
	int64_t sec, usec;
};

int posix_gettimeofday(struct posix_timeval *tv, void *tz)
{
	uint64_t ns = clock_realtime_ns();
	tv->sec = (int64_t)(ns / NSEC_PER_SEC);
	tv->usec = (int64_t)(ns % NSEC_PER_SEC / 1000);
	return 0;
}

int64_t posix_time(int64_t *t)
{
	int64_t s = (int64_t)(clock_realtime_ns() / NSEC_PER_SEC);
	if (t)
		*t = s;
	return s;
}
