/*
 * Socket system calls for programs, on lwIP's socket API. A program's
 * socket is a file in its fd table (a vnode of its own, S_IFSOCK) that
 * holds an lwIP socket; read/write and close work on it like on any file.
 * Debian's lwIP takes Linux's sockaddr layouts and constants, so
 * addresses and options pass through unchanged.
 *
 * lwIP copies with plain memcpy, which must not touch program memory:
 * data goes through a kernel bounce buffer, a chunk at a time. lwIP
 * reports errors in errno (the calling thread's, kernel/posix); they come
 * back to the program as -errno.
 */
#include <generated/lwip_layout.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/net.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/syscalls.h>
#include <kernel/thread.h>
#include <kernel/uaccess.h>
#include <vfs/vfs.h>
#include <vfs/vnode.h>

#include "net_internal.h"

#define SOCK_TYPE_MASK 0xf
#define AF_NETLINK 16
#define MSG_TRUNC 0x20
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define F_SETFL 4
#define SOCKADDR_MAX 128
#define OPTVAL_MAX 256
#define CHUNK (64 * KiB)

struct socket {
	struct vnode vn;
	int lwip_fd;
	bool connecting; /* a non-blocking connect not yet seen through */
	uint32_t sndbuf; /* SO_SNDBUF, under lwIP's core lock (lwip_sndbuf_set) */
};

static struct {
	int (*socket)(int, int, int);
	int (*close)(int);
	int (*bind)(int, const void *, unsigned);
	int (*listen)(int, int);
	int (*accept)(int, void *, unsigned *);
	int (*connect)(int, const void *, unsigned);
	long (*sendto)(int, const void *, size_t, int, const void *, unsigned);
	long (*recvfrom)(int, void *, size_t, int, void *, unsigned *);
	int (*shutdown)(int, int);
	int (*getsockname)(int, void *, unsigned *);
	int (*getpeername)(int, void *, unsigned *);
	int (*setsockopt)(int, int, int, const void *, unsigned);
	int (*getsockopt)(int, int, int, void *, unsigned *);
	int (*fcntl)(int, int, int);
	int (*ioctl)(int, long, void *);
} api;

static int api_init(void)
{
	if (api.socket)
		return 0;
	int ret = lwip_start();
	if (ret)
		return ret;
#define SYM(f) (api.f = lwip_symbol("lwip_" #f))
	if (!SYM(close) || !SYM(bind) || !SYM(listen) || !SYM(accept) ||
	    !SYM(connect) || !SYM(sendto) || !SYM(recvfrom) || !SYM(shutdown) ||
	    !SYM(getsockname) || !SYM(getpeername) || !SYM(setsockopt) ||
	    !SYM(getsockopt) || !SYM(fcntl) || !SYM(ioctl))
		return -ENOSYS;
	__atomic_store_n(&api.socket, lwip_symbol("lwip_socket"),
			 __ATOMIC_RELEASE);
#undef SYM
	return api.socket ? 0 : -ENOSYS;
}

/* lwIP's result: -1 means errno holds the reason. */
static long lwip_ret(long r)
{
	return r < 0 ? -(long)thread_current()->posix_errno : r;
}

/*
 * The kernel copy one call moves through lwIP (lwIP copies with plain
 * memcpy, which must not touch program memory): *len is cut to CHUNK.
 */
static char *bounce_alloc(size_t *len)
{
	*len = MIN(*len, (size_t)CHUNK);
	return kmalloc(*len ? *len : 1);
}

static ssize_t sock_read(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct socket *s = container_of(vn, struct socket, vn);
	size_t n = u->len;
	char *buf = bounce_alloc(&n);
	if (!buf)
		return -ENOMEM;
	long got = lwip_ret(api.recvfrom(s->lwip_fd, buf, n, 0, NULL, NULL));
	if (got > 0 && uio_copy_out(u, buf, (size_t)got))
		got = -EFAULT;
	kfree(buf);
	return got;
}

static ssize_t sock_write(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct socket *s = container_of(vn, struct socket, vn);
	size_t n = u->len;
	char *buf = bounce_alloc(&n);
	if (!buf)
		return -ENOMEM;
	long sent =
		uio_copy_in(u, buf, n) ?
			-EFAULT :
			lwip_ret(api.sendto(s->lwip_fd, buf, n, 0, NULL, 0));
	kfree(buf);
	return sent;
}

static void sock_release(struct vnode *vn)
{
	struct socket *s = container_of(vn, struct socket, vn);
	api.close(s->lwip_fd);
	kfree(s);
}

static void sock_set_nonblock(struct vnode *vn, bool on)
{
	struct socket *s = container_of(vn, struct socket, vn);
	api.fcntl(s->lwip_fd, F_SETFL, on ? O_NONBLOCK : 0);
}

/* Linux's struct ifreq and struct ifconf (x86_64). */
struct linux_ifreq {
	char name[16];
	union {
		struct {
			uint16_t family;
			uint8_t data[14];
		} addr;
		int16_t flags;
		int32_t ivalue;
		uint8_t pad[24];
	};
};
BUILD_ASSERT(sizeof(struct linux_ifreq) == 40);
struct linux_ifconf {
	int32_t len;
	uint32_t pad;
	uint64_t buf;
};

#define FIONREAD 0x541b
#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCGIFADDR 0x8915
#define SIOCGIFBRDADDR 0x8919
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMTU 0x8921
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933
#define AF_INET 2
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

static void put_inet(struct linux_ifreq *r, uint32_t addr)
{
	memset(&r->addr, 0, sizeof(r->addr));
	r->addr.family = AF_INET;
	memcpy(r->addr.data + 2, &addr, 4); /* after sin_port */
}

/* SIOCGIFCONF: one entry per interface with an IPv4 address. */
static long ifconf(long uarg)
{
	struct linux_ifconf ic;
	struct net_iface ni;
	if (copy_from_user(&ic, (const void *)uarg, sizeof(ic)))
		return -EFAULT;
	int32_t used = 0;
	for (unsigned i = 1; net_iface(i, &ni) == 0; i++) {
		if (!ni.addr)
			continue; /* IPv6 only */
		if (!ic.buf) {	  /* only the size wanted */
			used += (int32_t)sizeof(struct linux_ifreq);
			continue;
		}
		if (used + (int32_t)sizeof(struct linux_ifreq) > ic.len)
			break;
		struct linux_ifreq r = { 0 };
		strlcpy(r.name, ni.name, sizeof(r.name));
		put_inet(&r, ni.addr);
		if (copy_to_user((void *)(ic.buf + (uint64_t)used), &r,
				 sizeof(r)))
			return -EFAULT;
		used += (int32_t)sizeof(r);
	}
	ic.len = used;
	return copy_to_user((void *)uarg, &ic, sizeof(ic)) ? -EFAULT : 0;
}

/* SIOCGIF* on one interface, named in the request (SIOCGIFNAME: indexed). */
static long ifreq(unsigned cmd, long uarg)
{
	struct linux_ifreq r;
	struct net_iface ni;
	unsigned i;
	if (copy_from_user(&r, (const void *)uarg, sizeof(r)))
		return -EFAULT;
	r.name[sizeof(r.name) - 1] = '\0';
	for (i = 1; net_iface(i, &ni) == 0; i++)
		if (cmd == SIOCGIFNAME ? (int32_t)i == r.ivalue :
					 !strcmp(ni.name, r.name))
			break;
	if (net_iface(i, &ni))
		return -ENODEV;
	switch (cmd) {
	case SIOCGIFNAME:
		strlcpy(r.name, ni.name, sizeof(r.name));
		break;
	case SIOCGIFFLAGS:
		r.flags = (int16_t)ni.flags;
		break;
	case SIOCGIFADDR:
		put_inet(&r, ni.addr);
		break;
	case SIOCGIFNETMASK:
		put_inet(&r, ni.mask);
		break;
	case SIOCGIFBRDADDR:
		put_inet(&r, ni.addr | ~ni.mask);
		break;
	case SIOCGIFMTU:
		r.ivalue = (int32_t)ni.mtu;
		break;
	case SIOCGIFINDEX:
		r.ivalue = (int32_t)ni.index;
		break;
	case SIOCGIFHWADDR:
		memset(&r.addr, 0, sizeof(r.addr));
		r.addr.family = (ni.flags & NET_IFF_LOOPBACK) ?
					ARPHRD_LOOPBACK :
					ARPHRD_ETHER;
		memcpy(r.addr.data, ni.mac, 6);
		break;
	}
	return copy_to_user((void *)uarg, &r, sizeof(r)) ? -EFAULT : 0;
}

static long sock_ioctl(struct vnode *vn, unsigned cmd, long arg)
{
	struct socket *s = container_of(vn, struct socket, vn);
	int n;
	switch (cmd) {
	case FIONREAD:
		if (api.ioctl(s->lwip_fd, FIONREAD, &n) < 0)
			return lwip_ret(-1);
		return copy_to_user((void *)arg, &n, sizeof(n)) ? -EFAULT : 0;
	case SIOCGIFCONF:
		return ifconf(arg);
	case SIOCGIFNAME:
	case SIOCGIFFLAGS:
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFMTU:
	case SIOCGIFINDEX:
	case SIOCGIFHWADDR:
		return ifreq(cmd, arg);
	default:
		return -ENOTTY;
	}
}

static const struct vnode_ops socket_ops = {
	.read = sock_read,
	.write = sock_write,
	.release = sock_release,
	.ioctl = sock_ioctl,
	.set_nonblock = sock_set_nonblock,
};

/*
 * A file for lwIP socket @lfd, installed at a new fd, with a send buffer
 * of @sndbuf bytes.
 */
static long install(int lfd, int flags, uint32_t sndbuf)
{
	struct socket *s = kzalloc(sizeof(*s));
	if (!s) {
		api.close(lfd);
		return -ENOMEM;
	}
	s->lwip_fd = lfd;
	lwip_sndbuf_set(lfd, &s->sndbuf, sndbuf);
	vnode_init(&s->vn, VCHR, S_IFSOCK | 0777, &socket_ops, NULL,
		   (uint64_t)lfd + 1);
	if (flags & SOCK_NONBLOCK)
		api.fcntl(lfd, F_SETFL, O_NONBLOCK);
	return fd_install_new(&s->vn, O_RDWR | (flags & SOCK_NONBLOCK),
			      flags & SOCK_CLOEXEC);
}

/* The lwIP socket behind program fd @fd, with the file referenced. */
static struct socket *sock_of(struct file *f)
{
	return container_of(f->vn, struct socket, vn);
}

static int lookup(int fd, struct file **fp)
{
	struct file *f = fd_get(fd);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	if (f->vn->ops != &socket_ops) {
		file_put(f);
		return -ENOTSOCK;
	}
	*fp = f;
	return container_of(f->vn, struct socket, vn)->lwip_fd;
}

static int get_addr(const void *uaddr, unsigned len, char *kaddr)
{
	if (len > SOCKADDR_MAX)
		return -EINVAL;
	return copy_from_user(kaddr, uaddr, len) ? -EFAULT : 0;
}

/* Copies an address lwIP returned back to the program (*ulen in/out). */
static int put_addr(void *uaddr, unsigned *ulen, const char *kaddr,
		    unsigned klen)
{
	unsigned room;
	if (!uaddr)
		return 0;
	if (copy_from_user(&room, ulen, sizeof(room)))
		return -EFAULT;
	if (copy_to_user(uaddr, kaddr, MIN(room, klen)) ||
	    copy_to_user(ulen, &klen, sizeof(klen)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(socket)
{
	if (a1 & ~(long)(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (a0 == AF_NETLINK)
		return netlink_socket((int)a1, (int)a2);
	int ret = api_init();
	if (ret)
		return ret;
	int lfd = api.socket((int)a0, (int)(a1 & SOCK_TYPE_MASK), (int)a2);
	if (lfd < 0)
		return lwip_ret(lfd);
	return install(lfd, (int)a1, NET_SNDBUF_MAX);
}

#define WITH_SOCKET(fd, body)                   \
	({                                      \
		struct file *f_ = NULL;         \
		int s = lookup((int)(fd), &f_); \
		long r_ = s;                    \
		if (s >= 0) {                   \
			r_ = (body);            \
			file_put(f_);           \
		}                               \
		r_;                             \
	})

/* The netlink socket at @fd, with a reference, or NULL. */
static struct file *netlink_get(long fd)
{
	struct file *f = fd_get((int)fd);
	if (IS_ERR(f))
		return NULL;
	if (netlink_file(f))
		return f;
	file_put(f);
	return NULL;
}

/* sendto and recvfrom on kernel buffers, for netlink and lwIP sockets. */
static long sock_sendto(long fd, const void *buf, size_t len, int flags,
			const void *addr, unsigned alen)
{
	struct file *nf = netlink_get(fd);
	if (nf) {
		long r = netlink_send(nf, buf, len);
		file_put(nf);
		return r;
	}
	return WITH_SOCKET(
		fd, lwip_ret(api.sendto(s, buf, len, flags, addr, alen)));
}

static long sock_recvfrom(long fd, void *buf, size_t len, int flags, void *addr,
			  unsigned *alen)
{
	struct file *nf = netlink_get(fd);
	if (nf) {
		long r = netlink_recv(nf, buf, len, flags, addr, alen);
		file_put(nf);
		return r;
	}
	return WITH_SOCKET(
		fd, lwip_ret(api.recvfrom(s, buf, len, flags, addr, alen)));
}

SYSCALL_DEFINE(bind)
{
	char a[SOCKADDR_MAX];
	int ret = get_addr((void *)a1, (unsigned)a2, a);
	if (ret)
		return ret;
	struct file *nf = netlink_get(a0);
	if (nf) {
		long r = netlink_bind(nf, a, (unsigned)a2);
		file_put(nf);
		return r;
	}
	return WITH_SOCKET(a0, lwip_ret(api.bind(s, a, (unsigned)a2)));
}

SYSCALL_DEFINE(connect)
{
	char a[SOCKADDR_MAX];
	int ret = get_addr((void *)a1, (unsigned)a2, a);
	if (ret)
		return ret;
	struct file *f = NULL;
	int s = lookup((int)a0, &f);
	if (s < 0)
		return s;
	long r = lwip_ret(api.connect(s, a, (unsigned)a2));
	if (r == -EINPROGRESS)
		sock_of(f)->connecting = true;
	file_put(f);
	/* A reset while connecting is a refusal, as Linux reports it. */
	return r == -ECONNRESET ? -ECONNREFUSED : r;
}

#define SOL_SOCKET 1
#define SO_ERROR 4
#define SO_SNDBUF 7
/*
 * SO_SNDBUF's least: lwIP's own buffer, not Linux's 4608, as lwIP calls a
 * connection writable only with more than TCP_SNDLOWAT (32 KiB) free.
 */
#define SNDBUF_MIN LWIP_TCP_SND_BUF

/* SO_ERROR's value *@err for a socket that was connecting. */
static void sock_connect_result(struct socket *so, int *err)
{
	char peer[SOCKADDR_MAX];
	unsigned len = sizeof(peer);
	if (*err == ECONNRESET) {
		*err = ECONNREFUSED;
		so->connecting = false;
	} else if (*err || api.getpeername(so->lwip_fd, peer, &len) == 0) {
		so->connecting = false; /* failed otherwise, or connected */
	}
}

SYSCALL_DEFINE(listen)
{
	return WITH_SOCKET(a0, lwip_ret(api.listen(s, (int)a1)));
}

static long do_accept(long fd, void *uaddr, unsigned *ulen, int flags)
{
	char a[SOCKADDR_MAX];
	unsigned alen = sizeof(a);
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f = NULL;
	int s = lookup((int)fd, &f);
	if (s < 0)
		return s;
	/* As on Linux, the connection gets the listener's send buffer. */
	uint32_t sndbuf =
		__atomic_load_n(&sock_of(f)->sndbuf, __ATOMIC_RELAXED);
	long lfd = lwip_ret(api.accept(s, a, &alen));
	file_put(f);
	if (lfd < 0)
		return lfd;
	long ret = put_addr(uaddr, ulen, a, alen);
	if (ret) {
		api.close((int)lfd);
		return ret;
	}
	return install((int)lfd, flags, sndbuf);
}

SYSCALL_DEFINE(accept)
{
	return do_accept(a0, (void *)a1, (unsigned *)a2, 0);
}

SYSCALL_DEFINE(accept4)
{
	return do_accept(a0, (void *)a1, (unsigned *)a2, (int)a3);
}

SYSCALL_DEFINE(sendto)
{
	char a[SOCKADDR_MAX];
	size_t len = (size_t)a2;
	int ret = a4 ? get_addr((void *)a4, (unsigned)a5, a) : 0;
	if (ret)
		return ret;
	char *buf = bounce_alloc(&len);
	if (!buf)
		return -ENOMEM;
	long r = copy_from_user(buf, (void *)a1, len) ? -EFAULT : 0;
	if (!r)
		r = sock_sendto(a0, buf, len, (int)a3, a4 ? a : NULL,
				a4 ? (unsigned)a5 : 0);
	kfree(buf);
	return r;
}

SYSCALL_DEFINE(recvfrom)
{
	char a[SOCKADDR_MAX];
	unsigned alen = sizeof(a);
	size_t len = (size_t)a2;
	char *buf = bounce_alloc(&len);
	if (!buf)
		return -ENOMEM;
	long r = sock_recvfrom(a0, buf, len, (int)a3, a4 ? a : NULL,
			       a4 ? &alen : NULL);
	/* With MSG_TRUNC the length can exceed what was copied. */
	if (r > 0 && copy_to_user((void *)a1, buf, MIN((size_t)r, len)))
		r = -EFAULT;
	if (r >= 0 && a4 && put_addr((void *)a4, (unsigned *)a5, a, alen))
		r = -EFAULT;
	kfree(buf);
	return r;
}

SYSCALL_DEFINE(shutdown)
{
	return WITH_SOCKET(a0, lwip_ret(api.shutdown(s, (int)a1)));
}

static long name_call(long fd, void *uaddr, unsigned *ulen, bool peer)
{
	char a[SOCKADDR_MAX];
	unsigned alen = sizeof(a);
	struct file *nf = netlink_get(fd);
	long r;
	if (nf) {
		r = peer ? -ENOTCONN : netlink_getsockname(nf, a, &alen);
		file_put(nf);
	} else {
		r = WITH_SOCKET(fd,
				lwip_ret(peer ? api.getpeername(s, a, &alen) :
						api.getsockname(s, a, &alen)));
	}
	if (r == 0 && !uaddr)
		return -EFAULT;
	return r ? r : put_addr(uaddr, ulen, a, alen);
}

SYSCALL_DEFINE(getsockname)
{
	return name_call(a0, (void *)a1, (unsigned *)a2, false);
}

SYSCALL_DEFINE(getpeername)
{
	return name_call(a0, (void *)a1, (unsigned *)a2, true);
}

SYSCALL_DEFINE(setsockopt)
{
	char v[OPTVAL_MAX];
	if ((unsigned long)a4 > sizeof(v))
		return -EINVAL;
	if (copy_from_user(v, (void *)a3, (size_t)a4))
		return -EFAULT;
	/*
	 * lwIP has no SO_SNDBUF; the kernel sizes a connection's send buffer
	 * itself (lwip_sndbuf_set) and, as Linux, doubles the value asked for
	 * (Linux's room for its bookkeeping) within limits.
	 */
	if (a1 == SOL_SOCKET && a2 == SO_SNDBUF) {
		if (a4 < (long)sizeof(int))
			return -EINVAL;
		uint32_t want = MIN(*(uint32_t *)v, NET_SNDBUF_MAX / 2) * 2;
		want = MAX(want, SNDBUF_MIN);
		struct file *f = NULL;
		int s = lookup((int)a0, &f);
		if (s < 0)
			return s;
		lwip_sndbuf_set(s, &sock_of(f)->sndbuf, want);
		file_put(f);
		return 0;
	}
	return WITH_SOCKET(a0, lwip_ret(api.setsockopt(s, (int)a1, (int)a2, v,
						       (unsigned)a4)));
}

SYSCALL_DEFINE(getsockopt)
{
	char v[OPTVAL_MAX];
	unsigned len;
	if (copy_from_user(&len, (void *)a4, sizeof(len)))
		return -EFAULT;
	len = MIN(len, (unsigned)sizeof(v));
	/*
	 * SO_ERROR after a non-blocking connect: lwIP says ECONNRESET where
	 * Linux says ECONNREFUSED (a reset answering the SYN). Once the
	 * connection is seen established, a reset is ECONNRESET again.
	 */
	struct file *f = NULL;
	int s = lookup((int)a0, &f);
	if (s < 0)
		return s;
	long r;
	if (a1 == SOL_SOCKET && a2 == SO_SNDBUF && len >= sizeof(int)) {
		*(int *)v = (int)__atomic_load_n(&sock_of(f)->sndbuf,
						 __ATOMIC_RELAXED);
		len = sizeof(int);
		r = 0;
	} else {
		r = lwip_ret(api.getsockopt(s, (int)a1, (int)a2, v, &len));
	}
	if (r == 0 && a1 == SOL_SOCKET && a2 == SO_ERROR &&
	    len >= sizeof(int) && sock_of(f)->connecting)
		sock_connect_result(sock_of(f), (int *)v);
	file_put(f);
	if (r == 0 && (copy_to_user((void *)a3, v, len) ||
		       copy_to_user((void *)a4, &len, sizeof(len))))
		r = -EFAULT;
	return r;
}

int socket_lwip_fd(const struct file *f)
{
	if (f->vn->ops != &socket_ops)
		return -ENOTSOCK;
	return container_of(f->vn, struct socket, vn)->lwip_fd;
}

/*
 * sendmsg and recvmsg: the program's iovecs are gathered into (or
 * scattered from) one bounce buffer, and lwIP gets a kernel msghdr with
 * one iovec. No control data: sending some is -EINVAL, none comes back.
 */
struct iovec_k {
	void *base;
	size_t len;
};

struct msghdr_k {
	void *name;
	unsigned namelen;
	struct iovec_k *iov;
	size_t iovlen;
	void *control;
	size_t controllen;
	int flags;
};

#define IOV_MAX 1024

/* The program's msghdr and iovecs, checked; *@total: bytes they cover. */
static int get_msg(const void *umsg, struct msghdr_k *m, struct iovec_k **iov,
		   size_t *total)
{
	if (copy_from_user(m, umsg, sizeof(*m)))
		return -EFAULT;
	if (m->iovlen > IOV_MAX || m->namelen > SOCKADDR_MAX)
		return -EINVAL;
	*iov = kcalloc(m->iovlen ? m->iovlen : 1, sizeof(**iov));
	if (!*iov)
		return -ENOMEM;
	if (copy_from_user(*iov, m->iov, m->iovlen * sizeof(**iov))) {
		kfree(*iov);
		return -EFAULT;
	}
	*total = 0;
	for (size_t i = 0; i < m->iovlen; i++)
		*total += (*iov)[i].len;
	return 0;
}

SYSCALL_DEFINE(sendmsg)
{
	struct msghdr_k m;
	struct iovec_k *iov;
	size_t total;
	char name[SOCKADDR_MAX];
	int ret = get_msg((const void *)a1, &m, &iov, &total);
	if (ret)
		return ret;
	char *buf = bounce_alloc(&total);
	long r = buf ? 0 : -ENOMEM;
	if (!r && m.controllen)
		r = -EINVAL;
	if (!r && m.name && copy_from_user(name, m.name, m.namelen))
		r = -EFAULT;
	for (size_t i = 0, done = 0; !r && i < m.iovlen && done < total; i++) {
		size_t n = MIN(iov[i].len, total - done);
		if (copy_from_user(buf + done, iov[i].base, n))
			r = -EFAULT;
		done += n;
	}
	if (!r)
		r = sock_sendto(a0, buf, total, (int)a2, m.name ? name : NULL,
				m.name ? m.namelen : 0);
	kfree(buf);
	kfree(iov);
	return r;
}

SYSCALL_DEFINE(recvmsg)
{
	struct msghdr_k m;
	struct iovec_k *iov;
	size_t total;
	char name[SOCKADDR_MAX];
	unsigned namelen = sizeof(name);
	int ret = get_msg((const void *)a1, &m, &iov, &total);
	if (ret)
		return ret;
	char *buf = bounce_alloc(&total);
	long r = buf ? sock_recvfrom(a0, buf, total, (int)a2,
				     m.name ? name : NULL,
				     m.name ? &namelen : NULL) :
		       -ENOMEM;
	size_t got = r > 0 ? MIN((size_t)r, total) : 0;
	for (size_t i = 0, done = 0; i < m.iovlen && done < got; i++) {
		size_t n = MIN(iov[i].len, got - done);
		if (copy_to_user(iov[i].base, buf + done, n))
			r = -EFAULT;
		done += n;
	}
	if (r >= 0) {
		/* Name, its length, no control data; MSG_TRUNC if cut. */
		struct msghdr_k *um = (struct msghdr_k *)a1;
		size_t zero = 0;
		int flags = (size_t)r > total ? MSG_TRUNC : 0;
		if ((m.name &&
		     (copy_to_user(m.name, name, MIN(namelen, m.namelen)) ||
		      copy_to_user(&um->namelen, &namelen, sizeof(namelen)))) ||
		    copy_to_user(&um->controllen, &zero, sizeof(zero)) ||
		    copy_to_user(&um->flags, &flags, sizeof(flags)))
			r = -EFAULT;
	}
	kfree(buf);
	kfree(iov);
	return r;
}
