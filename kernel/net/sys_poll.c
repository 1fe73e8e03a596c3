/*
 * poll, ppoll and epoll over sockets and files alike.
 *
 * select and pselect6 too: they are poll over bit sets.
 *
 * Files (and the console) are always ready for what they are asked;
 * pipes and eventfds answer through their poll op; sockets are asked
 * through lwip_poll with their lwIP descriptors (poll_kernel says how the
 * waiting is shared). epoll keeps an interest list in a file of its own and
 * answers epoll_wait with the same machinery: level-triggered (EPOLLET is
 * taken as level-triggered, which reports at least what edge-triggered
 * would), EPOLLONESHOT disarms an entry once reported.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/net.h>
#include <kernel/syscalls.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>
#include <kernel/waitq.h>
#include <vfs/vfs.h>
#include <vfs/vnode.h>

#include "net_internal.h"

struct pollfd {
	int fd;
	short events, revents;
};
#define POLLIN 0x1
#define POLLOUT 0x4
#define POLLERR 0x8
#define POLLHUP 0x10
#define POLLNVAL 0x20
#define POLL_MAX 4096

#define POLL_SLICE_MS 10 /* sockets and pipes together: how often to look */

/* Milliseconds left until @deadline (DEADLINE_NONE: -1, forever). */
static int ms_left(uint64_t deadline)
{
	if (deadline == DEADLINE_NONE)
		return -1;
	uint64_t now = clock_monotonic_ns();
	return now >= deadline ? 0 :
				 (int)MIN((deadline - now + NSEC_PER_MSEC - 1) /
						  NSEC_PER_MSEC,
					  (uint64_t)INT32_MAX);
}

/*
 * poll() on a kernel array; returns how many entries have revents.
 * Sockets are asked through lwip_poll, files with a poll op (pipes,
 * eventfds) through it, other files are always ready. Only sockets: one
 * lwip_poll waits. Only pipes and the like: sleep until one of them
 * changes (vfs_poll_wait). Both: lwip_poll in slices of POLL_SLICE_MS,
 * looking at the rest in between.
 */
static long poll_kernel(struct pollfd *p, unsigned long n, int timeout_ms)
{
	struct pollfd *lp = kcalloc(n ? n : 1, sizeof(*lp));
	struct file **files = kcalloc(n ? n : 1, sizeof(*files));
	uint64_t deadline =
		timeout_ms < 0 ? DEADLINE_NONE :
				 clock_monotonic_ns() +
					 (uint64_t)timeout_ms * NSEC_PER_MSEC;
	long ret = -ENOMEM;
	if (!lp || !files)
		goto out;
	for (unsigned long i = 0; i < n; i++)
		files[i] = p[i].fd < 0 ? NULL : fd_get(p[i].fd);
	for (;;) {
		uint64_t gen = vfs_poll_generation();
		unsigned long ready = 0, nsock = 0, waitable = 0;
		for (unsigned long i = 0; i < n; i++) {
			struct file *f = files[i];
			int l = p[i].fd < 0 || IS_ERR(f) ? -1 :
							   socket_lwip_fd(f);
			p[i].revents = 0;
			if (p[i].fd < 0)
				continue;
			if (IS_ERR(f)) {
				p[i].revents = POLLNVAL;
			} else if (l >= 0) {
				lp[nsock++] =
					(struct pollfd){ l, p[i].events, 0 };
			} else if (f->vn->ops->poll) {
				p[i].revents =
					f->vn->ops->poll(f->vn, p[i].events);
				waitable++;
			} else {
				p[i].revents = p[i].events & (POLLIN | POLLOUT);
			}
			ready += p[i].revents != 0;
		}
		int left = ms_left(deadline);
		if (nsock) {
			int (*lpoll)(struct pollfd *, unsigned long, int) =
				lwip_symbol("lwip_poll");
			int slice = ready     ? 0 :
				    !waitable ? left :
				    left < 0  ? POLL_SLICE_MS :
						MIN(left, POLL_SLICE_MS);
			long r = lpoll(lp, nsock, slice);
			if (r < 0) {
				ret = -(long)thread_current()->posix_errno;
				goto out;
			}
			for (unsigned long i = 0, k = 0; i < n; i++) {
				if (p[i].fd < 0 || IS_ERR(files[i]) ||
				    socket_lwip_fd(files[i]) < 0)
					continue;
				p[i].revents = lp[k++].revents;
				ready += p[i].revents != 0;
			}
		} else if (!ready && left != 0) {
			/* Only something a pipe or eventfd does ends this. */
			vfs_poll_wait(gen, deadline);
		}
		if (ready || ms_left(deadline) == 0) {
			ret = (long)ready;
			goto out;
		}
	}
out:
	for (unsigned long i = 0; files && i < n; i++)
		if (files[i] && !IS_ERR(files[i]))
			file_put(files[i]);
	kfree(files);
	kfree(lp);
	return ret;
}

static long do_poll(struct pollfd *ufds, unsigned long n, int timeout_ms)
{
	if (n > POLL_MAX)
		return -EINVAL;
	struct pollfd *p = kcalloc(n ? n : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	long ret = copy_from_user(p, ufds, n * sizeof(*p)) ?
			   -EFAULT :
			   poll_kernel(p, n, timeout_ms);
	for (unsigned long i = 0; ret >= 0 && i < n; i++)
		if (copy_to_user(&ufds[i].revents, &p[i].revents,
				 sizeof(p[i].revents)))
			ret = -EFAULT;
	kfree(p);
	return ret;
}

/* No lwip_start(): a program that has sockets has started lwIP already. */
SYSCALL_DEFINE(poll)
{
	return do_poll((struct pollfd *)a0, (unsigned long)a1, (int)a2);
}

struct timespec64 {
	int64_t sec, nsec;
};

/* A timeout in ms from a timespec pointer (NULL: forever). */
static int timeout_from(const void *uts, int *ms)
{
	struct timespec64 ts;
	*ms = -1;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -EINVAL;
	*ms = ts.sec > 1000000 ?
		      1000000000 :
		      (int)(ts.sec * 1000 + (ts.nsec + 999999) / 1000000);
	return 0;
}

SYSCALL_DEFINE(ppoll)
{
	int ms, ret = timeout_from((const void *)a2, &ms);
	/* The signal mask (a3) is recorded nowhere: no signals are sent. */
	return ret ? ret : do_poll((struct pollfd *)a0, (unsigned long)a1, ms);
}

/* select, pselect6 */

#define SELECT_MAX 1024 /* FD_SETSIZE */
#define POLLPRI 0x2

struct timeval64 {
	int64_t sec, usec;
};

/* The fd sets in, the ready ones out; @ms as for poll. */
static long do_select(int nfds, uint64_t *ur, uint64_t *uw, uint64_t *ue,
		      int ms)
{
	uint64_t in[3][SELECT_MAX / 64] = { 0 },
				    out[3][SELECT_MAX / 64] = { 0 };
	uint64_t *u[3] = { ur, uw, ue };
	size_t words = ((size_t)nfds + 63) / 64;

	if (nfds < 0 || nfds > SELECT_MAX)
		return -EINVAL;
	for (int k = 0; k < 3; k++)
		if (u[k] && copy_from_user(in[k], u[k], words * 8))
			return -EFAULT;
	struct pollfd *p = kcalloc((size_t)nfds ? (size_t)nfds : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	unsigned long n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		short ev = (short)(((in[0][fd / 64] & bit) ? POLLIN : 0) |
				   ((in[1][fd / 64] & bit) ? POLLOUT : 0) |
				   ((in[2][fd / 64] & bit) ? POLLPRI : 0));
		if (ev)
			p[n++] = (struct pollfd){ fd, ev, 0 };
	}
	long ret = poll_kernel(p, n, ms);
	long count = 0;
	for (unsigned long i = 0; ret > 0 && i < n; i++) {
		short r = p[i].revents;
		int fd = p[i].fd;
		uint64_t bit = 1ULL << (fd % 64);
		if (r & POLLNVAL) {
			ret = -EBADF;
			break;
		}
		if ((p[i].events & POLLIN) &&
		    (r & (POLLIN | POLLHUP | POLLERR)))
			out[0][fd / 64] |= bit, count++;
		if ((p[i].events & POLLOUT) && (r & (POLLOUT | POLLERR)))
			out[1][fd / 64] |= bit, count++;
		if ((p[i].events & POLLPRI) && (r & POLLPRI))
			out[2][fd / 64] |= bit, count++;
	}
	kfree(p);
	if (ret < 0)
		return ret;
	for (int k = 0; k < 3; k++)
		if (u[k] && copy_to_user(u[k], out[k], words * 8))
			return -EFAULT;
	return count;
}

SYSCALL_DEFINE(select)
{
	int ms = -1;
	if (a4) {
		struct timeval64 tv;
		if (copy_from_user(&tv, (const void *)a4, sizeof(tv)))
			return -EFAULT;
		if (tv.sec < 0 || tv.usec < 0 || tv.usec >= 1000000)
			return -EINVAL;
		ms = tv.sec > 1000000 ?
			     1000000000 :
			     (int)(tv.sec * 1000 + (tv.usec + 999) / 1000);
	}
	return do_select((int)a0, (uint64_t *)a1, (uint64_t *)a2,
			 (uint64_t *)a3, ms);
}

SYSCALL_DEFINE(pselect6)
{
	int ms, ret = timeout_from((const void *)a4, &ms);
	/* The signal mask (a5) is recorded nowhere: no signals are sent. */
	return ret ? ret :
		     do_select((int)a0, (uint64_t *)a1, (uint64_t *)a2,
			       (uint64_t *)a3, ms);
}

/* epoll */

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLONESHOT (1u << 30)
#define EPOLL_CLOEXEC 02000000
#define EPOLL_MAX_WATCHED 4096

struct epoll_event {
	uint32_t events;
	uint64_t data;
} __packed;

struct watch {
	int fd;
	uint32_t events; /* 0 after a one-shot report */
	uint64_t data;
};

struct epoll {
	struct vnode vn;
	struct mutex lock; /* protects the list */
	struct watch *w;
	unsigned n, cap;
};

static void epoll_release(struct vnode *vn)
{
	struct epoll *ep = container_of(vn, struct epoll, vn);
	kfree(ep->w);
	kfree(ep);
}

static const struct vnode_ops epoll_ops = {
	.release = epoll_release,
};

static long epoll_new(long flags)
{
	if (flags & ~(long)EPOLL_CLOEXEC)
		return -EINVAL;
	struct epoll *ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	mutex_init(&ep->lock);
	vnode_init(&ep->vn, VCHR, 0600, &epoll_ops, NULL, 1);
	return fd_install_new(&ep->vn, O_RDWR, flags & EPOLL_CLOEXEC);
}

SYSCALL_DEFINE(epoll_create1)
{
	return epoll_new(a0);
}

SYSCALL_DEFINE(epoll_create)
{
	return a0 <= 0 ? -EINVAL : epoll_new(0);
}

static struct epoll *epoll_get(int fd, struct file **fp)
{
	struct file *f = fd_get(fd);
	if (IS_ERR(f))
		return ERR_PTR(PTR_ERR(f));
	if (f->vn->ops != &epoll_ops) {
		file_put(f);
		return ERR_PTR(-EINVAL);
	}
	*fp = f;
	return container_of(f->vn, struct epoll, vn);
}

SYSCALL_DEFINE(epoll_ctl)
{
	int op = (int)a1, fd = (int)a2;
	struct epoll_event ev = { 0 };
	struct file *ef, *target;

	if (op != EPOLL_CTL_DEL &&
	    copy_from_user(&ev, (const void *)a3, sizeof(ev)))
		return -EFAULT;
	struct epoll *ep = epoll_get((int)a0, &ef);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	long ret = 0;
	target = fd_get(fd);
	if (IS_ERR(target)) {
		ret = PTR_ERR(target);
		goto out;
	}
	if (target == ef) {
		ret = -EINVAL;
		goto out_target;
	}
	mutex_lock(&ep->lock);
	unsigned i = 0;
	while (i < ep->n && ep->w[i].fd != fd)
		i++;
	bool found = i < ep->n;
	if (op == EPOLL_CTL_ADD && found) {
		ret = -EEXIST;
	} else if ((op == EPOLL_CTL_MOD || op == EPOLL_CTL_DEL) && !found) {
		ret = -ENOENT;
	} else if (op == EPOLL_CTL_DEL) {
		ep->w[i] = ep->w[--ep->n];
	} else if (op == EPOLL_CTL_MOD) {
		ep->w[i] = (struct watch){ fd, ev.events, ev.data };
	} else if (op != EPOLL_CTL_ADD) {
		ret = -EINVAL;
	} else if (ep->n == EPOLL_MAX_WATCHED) {
		ret = -ENOSPC;
	} else {
		if (ep->n == ep->cap) {
			unsigned cap = ep->cap ? ep->cap * 2 : 16;
			struct watch *w = krealloc(ep->w, cap * sizeof(*w));
			if (!w) {
				ret = -ENOMEM;
				goto out_unlock;
			}
			ep->w = w;
			ep->cap = cap;
		}
		ep->w[ep->n++] = (struct watch){ fd, ev.events, ev.data };
	}
out_unlock:
	mutex_unlock(&ep->lock);
out_target:
	file_put(target);
out:
	file_put(ef);
	return ret;
}

static long epoll_wait_ms(int epfd, struct epoll_event *uev, int max, int ms)
{
	struct file *ef;
	if (max <= 0 || max > EPOLL_MAX_WATCHED)
		return -EINVAL;
	struct epoll *ep = epoll_get(epfd, &ef);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	mutex_lock(&ep->lock);
	unsigned n = ep->n;
	struct pollfd *p = kcalloc(n ? n : 1, sizeof(*p));
	struct watch *w = kcalloc(n ? n : 1, sizeof(*w));
	if (p && w) {
		for (unsigned i = 0; i < n; i++) {
			w[i] = ep->w[i];
			/* A disarmed one-shot entry waits for nothing. */
			p[i] = (struct pollfd){ w[i].events ? w[i].fd : -1,
						(short)(w[i].events & 0xffff),
						0 };
		}
	}
	mutex_unlock(&ep->lock);
	long ret = -ENOMEM;
	if (p && w)
		ret = poll_kernel(p, n, ms);
	long out = 0;
	for (unsigned i = 0; ret > 0 && i < n && out < max; i++) {
		if (!p[i].revents)
			continue;
		struct epoll_event ev = { (uint32_t)(uint16_t)p[i].revents,
					  w[i].data };
		if (copy_to_user(&uev[out], &ev, sizeof(ev))) {
			ret = -EFAULT;
			break;
		}
		out++;
		if (w[i].events & EPOLLONESHOT) {
			mutex_lock(&ep->lock);
			for (unsigned k = 0; k < ep->n; k++)
				if (ep->w[k].fd == w[i].fd)
					ep->w[k].events = 0;
			mutex_unlock(&ep->lock);
		}
	}
	kfree(p);
	kfree(w);
	file_put(ef);
	return ret < 0 ? ret : out;
}

SYSCALL_DEFINE(epoll_wait)
{
	return epoll_wait_ms((int)a0, (struct epoll_event *)a1, (int)a2,
			     (int)a3);
}

SYSCALL_DEFINE(epoll_pwait)
{
	/* The signal mask (a4) is recorded nowhere: no signals are sent. */
	return epoll_wait_ms((int)a0, (struct epoll_event *)a1, (int)a2,
			     (int)a3);
}
