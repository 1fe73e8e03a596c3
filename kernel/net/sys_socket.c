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
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/net.h>
#include <kernel/printk.h>
#include <kernel/syscalls.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>
#include <vfs/vfs.h>
#include <vfs/vnode.h>

#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define F_SETFL 4
#define SOCKADDR_MAX 128
#define OPTVAL_MAX 256
#define CHUNK (64 * KiB)

struct socket {
	struct vnode vn;
	int lwip_fd;
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
	    !SYM(getsockopt) || !SYM(fcntl))
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

static ssize_t sock_read(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct socket *s = container_of(vn, struct socket, vn);
	size_t n = MIN(u->len, (size_t)CHUNK);
	char *buf = kmalloc(n ? n : 1);
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
	size_t n = MIN(u->len, (size_t)CHUNK);
	char *buf = kmalloc(n ? n : 1);
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

static const struct vnode_ops socket_ops = {
	.read = sock_read,
	.write = sock_write,
	.release = sock_release,
};

/* A file for lwIP socket @lfd, installed at a new fd. */
static long install(int lfd, int flags)
{
	struct socket *s = kzalloc(sizeof(*s));
	if (!s) {
		api.close(lfd);
		return -ENOMEM;
	}
	s->lwip_fd = lfd;
	vnode_init(&s->vn, VCHR, S_IFSOCK | 0777, &socket_ops, NULL,
		   (uint64_t)lfd + 1);
	if (flags & SOCK_NONBLOCK)
		api.fcntl(lfd, F_SETFL, O_NONBLOCK);
	struct file *f = file_alloc(&s->vn, O_RDWR | (flags & SOCK_NONBLOCK));
	vnode_put(&s->vn); /* the file holds it now, or it goes */
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(f, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* The lwIP socket behind program fd @fd, with the file referenced. */
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
	int ret = api_init();
	if (ret)
		return ret;
	if (a1 & ~(long)(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	int lfd = api.socket((int)a0, (int)(a1 & SOCK_TYPE_MASK), (int)a2);
	if (lfd < 0)
		return lwip_ret(lfd);
	return install(lfd, (int)a1);
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

SYSCALL_DEFINE(bind)
{
	char a[SOCKADDR_MAX];
	int ret = get_addr((void *)a1, (unsigned)a2, a);
	return ret ? ret :
		     WITH_SOCKET(a0, lwip_ret(api.bind(s, a, (unsigned)a2)));
}

SYSCALL_DEFINE(connect)
{
	char a[SOCKADDR_MAX];
	int ret = get_addr((void *)a1, (unsigned)a2, a);
	if (ret)
		return ret;
	long r = WITH_SOCKET(a0, lwip_ret(api.connect(s, a, (unsigned)a2)));
	/* A reset while connecting is a refusal, as Linux reports it. */
	return r == -ECONNRESET ? -ECONNREFUSED : r;
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
	long lfd = WITH_SOCKET(fd, lwip_ret(api.accept(s, a, &alen)));
	if (lfd < 0)
		return lfd;
	long ret = put_addr(uaddr, ulen, a, alen);
	if (ret) {
		api.close((int)lfd);
		return ret;
	}
	return install((int)lfd, flags);
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
	size_t len = MIN((size_t)a2, (size_t)CHUNK);
	int ret = a4 ? get_addr((void *)a4, (unsigned)a5, a) : 0;
	if (ret)
		return ret;
	char *buf = kmalloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	long r = copy_from_user(buf, (void *)a1, len) ? -EFAULT : 0;
	if (!r)
		r = WITH_SOCKET(a0, lwip_ret(api.sendto(
					    s, buf, len, (int)a3, a4 ? a : NULL,
					    a4 ? (unsigned)a5 : 0)));
	kfree(buf);
	return r;
}

SYSCALL_DEFINE(recvfrom)
{
	char a[SOCKADDR_MAX];
	unsigned alen = sizeof(a);
	size_t len = MIN((size_t)a2, (size_t)CHUNK);
	char *buf = kmalloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	long r = WITH_SOCKET(a0, lwip_ret(api.recvfrom(s, buf, len, (int)a3,
						       a4 ? a : NULL,
						       a4 ? &alen : NULL)));
	if (r > 0 && copy_to_user((void *)a1, buf, (size_t)r))
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
	long r = WITH_SOCKET(fd, lwip_ret(peer ? api.getpeername(s, a, &alen) :
						 api.getsockname(s, a, &alen)));
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
	long r = WITH_SOCKET(
		a0, lwip_ret(api.getsockopt(s, (int)a1, (int)a2, v, &len)));
	if (r == 0 && (copy_to_user((void *)a3, v, len) ||
		       copy_to_user((void *)a4, &len, sizeof(len))))
		r = -EFAULT;
	return r;
}

/*
 * poll(2) over sockets and files alike. Files (and the console) are always
 * ready for what they are asked; sockets are asked through lwip_poll with
 * their lwIP descriptors. With a file ready, sockets are only sampled;
 * otherwise lwip_poll waits, up to the timeout.
 */
struct pollfd {
	int fd;
	short events, revents;
};
#define POLLIN 0x1
#define POLLOUT 0x4
#define POLLNVAL 0x20
#define POLL_MAX 4096

static long do_poll(struct pollfd *ufds, unsigned long n, int timeout_ms)
{
	if (n > POLL_MAX)
		return -EINVAL;
	struct pollfd *p = kcalloc(n ? n : 1, sizeof(*p));
	struct pollfd *lp = kcalloc(n ? n : 1, sizeof(*lp));
	struct file **files = kcalloc(n ? n : 1, sizeof(*files));
	long ret = -ENOMEM;
	if (!p || !lp || !files)
		goto out;
	ret = -EFAULT;
	if (copy_from_user(p, ufds, n * sizeof(*p)))
		goto out;
	unsigned long ready = 0, nsock = 0;
	for (unsigned long i = 0; i < n; i++) {
		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		struct file *f = fd_get(p[i].fd);
		if (IS_ERR(f)) {
			p[i].revents = POLLNVAL;
			ready++;
			continue;
		}
		files[i] = f;
		if (f->vn->ops == &socket_ops) {
			lp[nsock] = (struct pollfd){
				container_of(f->vn, struct socket, vn)->lwip_fd,
				p[i].events, 0
			};
			nsock++;
		} else {
			p[i].revents = p[i].events & (POLLIN | POLLOUT);
			ready += p[i].revents != 0;
		}
	}
	if (nsock) {
		int (*lpoll)(struct pollfd *, unsigned long, int) =
			lwip_symbol("lwip_poll");
		long r = lpoll(lp, nsock, ready ? 0 : timeout_ms);
		if (r < 0) {
			ret = lwip_ret(r);
			goto out;
		}
		for (unsigned long i = 0, k = 0; i < n; i++) {
			if (!files[i] || files[i]->vn->ops != &socket_ops)
				continue;
			p[i].revents = lp[k++].revents;
			ready += p[i].revents != 0;
		}
	} else if (!ready && timeout_ms) {
		/* Nothing can become ready: only the timeout ends this. */
		thread_sleep_ns(timeout_ms < 0 ?
					3600 * NSEC_PER_SEC :
					(uint64_t)timeout_ms * NSEC_PER_MSEC);
	}
	ret = (long)ready;
	for (unsigned long i = 0; i < n; i++)
		if (copy_to_user(&ufds[i].revents, &p[i].revents,
				 sizeof(p[i].revents)))
			ret = -EFAULT;
out:
	for (unsigned long i = 0; files && i < n; i++)
		if (files[i])
			file_put(files[i]);
	kfree(files);
	kfree(lp);
	kfree(p);
	return ret;
}

/* No api_init(): a program that has sockets has started lwIP already. */
SYSCALL_DEFINE(poll)
{
	return do_poll((struct pollfd *)a0, (unsigned long)a1, (int)a2);
}

struct timespec64 {
	int64_t sec, nsec;
};

SYSCALL_DEFINE(ppoll)
{
	int timeout = -1;
	if (a2) {
		struct timespec64 ts;
		if (copy_from_user(&ts, (void *)a2, sizeof(ts)))
			return -EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return -EINVAL;
		timeout = ts.sec > 1000000 ?
				  1000000000 :
				  (int)(ts.sec * 1000 +
					(ts.nsec + 999999) / 1000000);
	}
	/* The signal mask (a3) is recorded nowhere: no signals are sent. */
	return do_poll((struct pollfd *)a0, (unsigned long)a1, timeout);
}
