/*
 * Pipes and eventfds: in-kernel objects behind file descriptors, and the
 * wait that poll uses for them.
 *
 * A pipe is a 64 KiB ring shared by two vnodes, the read end and the
 * write end; a vnode's release is the last close of that end. Reads block
 * while the ring is empty and a writer remains (then end-of-file); writes
 * block while it is full and a reader remains (then EPIPE: signals are not
 * delivered, so there is no SIGPIPE). Writes of up to PIPE_BUF bytes are
 * atomic. An eventfd is a 64-bit counter with Linux's read and write
 * rules (EFD_SEMAPHORE included).
 *
 * O_NONBLOCK is kept per end (set at creation and by fcntl/FIONBIO through
 * the set_nonblock op): two files opened on one end share it, which only
 * /proc/self/fd could do, and there is none.
 *
 * Every change a poller could wait for bumps one generation counter and
 * wakes the poll wait queue; poll re-examines its files and sleeps again.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>
#include <kernel/waitq.h>
#include <vfs/syscalls.h>
#include <vfs/vfs.h>

#define PIPE_SIZE (64 * 1024)
#define PIPE_BUF 4096
#define POLLIN 0x1
#define POLLOUT 0x4
#define POLLERR 0x8
#define POLLHUP 0x10

static struct waitq poll_wq = WAITQ_INIT(poll_wq);
static uint64_t poll_gen; /* under poll_wq.lock */

uint64_t vfs_poll_generation(void)
{
	unsigned long flags = spin_lock_irqsave(&poll_wq.lock);
	uint64_t g = poll_gen;
	spin_unlock_irqrestore(&poll_wq.lock, flags);
	return g;
}

void vfs_poll_wait(uint64_t gen, uint64_t deadline)
{
	unsigned long flags = spin_lock_irqsave(&poll_wq.lock);
	int ret = 0;
	while (poll_gen == gen && ret == 0)
		ret = waitq_sleep_locked(&poll_wq, &flags, deadline);
	spin_unlock_irqrestore(&poll_wq.lock, flags);
}

void vfs_poll_wake(void)
{
	unsigned long flags = spin_lock_irqsave(&poll_wq.lock);
	poll_gen++;
	waitq_wake_all_locked(&poll_wq);
	spin_unlock_irqrestore(&poll_wq.lock, flags);
}

/* Pipes */

struct pipe {
	struct mutex lock; /* protects everything below */
	struct condvar changed;
	char *buf;
	size_t head, len;    /* ring: next byte to read, bytes in it */
	bool reader, writer; /* the end is still open */
	bool nonblock[2];    /* per end: 0 read, 1 write */
};

struct pipe_end {
	struct vnode vn;
	struct pipe *p;
	bool write;
};

static struct pipe_end *end_of(struct vnode *vn)
{
	return container_of(vn, struct pipe_end, vn);
}

static ssize_t pipe_read(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct pipe *p = end_of(vn)->p;
	ssize_t done = 0;
	mutex_lock(&p->lock);
	while (!p->len && p->writer && !p->nonblock[0])
		condvar_wait(&p->changed, &p->lock);
	if (!p->len && p->writer) {
		mutex_unlock(&p->lock);
		return -EAGAIN;
	}
	while (u->len && p->len) {
		size_t n = MIN(MIN(u->len, p->len), PIPE_SIZE - p->head);
		if (uio_copy_out(u, p->buf + p->head, n)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		p->head = (p->head + n) % PIPE_SIZE;
		p->len -= n;
		done += (ssize_t)n;
	}
	condvar_broadcast(&p->changed);
	mutex_unlock(&p->lock);
	vfs_poll_wake();
	return done;
}

static ssize_t pipe_write(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct pipe *p = end_of(vn)->p;
	ssize_t done = 0;
	size_t total = u->len;
	mutex_lock(&p->lock);
	while (u->len) {
		/* Up to PIPE_BUF bytes go in one piece or not at all. */
		size_t need = total <= PIPE_BUF ? total : 1;
		while (p->reader && PIPE_SIZE - p->len < need &&
		       !p->nonblock[1])
			condvar_wait(&p->changed, &p->lock);
		if (!p->reader) {
			if (!done)
				done = -EPIPE;
			break;
		}
		if (PIPE_SIZE - p->len < need) {
			if (!done)
				done = -EAGAIN;
			break;
		}
		size_t tail = (p->head + p->len) % PIPE_SIZE;
		size_t n =
			MIN(MIN(u->len, PIPE_SIZE - p->len), PIPE_SIZE - tail);
		if (uio_copy_in(u, p->buf + tail, n)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		p->len += n;
		done += (ssize_t)n;
		condvar_broadcast(&p->changed);
		vfs_poll_wake();
	}
	mutex_unlock(&p->lock);
	return done;
}

static short pipe_poll(struct vnode *vn, short events)
{
	struct pipe_end *e = end_of(vn);
	struct pipe *p = e->p;
	short r = 0;
	mutex_lock(&p->lock);
	if (!e->write) {
		if (p->len)
			r |= POLLIN;
		if (!p->writer)
			r |= POLLHUP;
	} else {
		if (p->len < PIPE_SIZE)
			r |= POLLOUT;
		if (!p->reader)
			r |= POLLERR;
	}
	mutex_unlock(&p->lock);
	return (short)(r & (events | POLLHUP | POLLERR));
}

static void pipe_set_nonblock(struct vnode *vn, bool on)
{
	struct pipe_end *e = end_of(vn);
	mutex_lock(&e->p->lock);
	e->p->nonblock[e->write] = on;
	mutex_unlock(&e->p->lock);
}

/* The last close of one end; the second frees the pipe. */
static void pipe_release(struct vnode *vn)
{
	struct pipe_end *e = end_of(vn);
	struct pipe *p = e->p;
	mutex_lock(&p->lock);
	if (e->write)
		p->writer = false;
	else
		p->reader = false;
	bool last = !p->reader && !p->writer;
	condvar_broadcast(&p->changed);
	mutex_unlock(&p->lock);
	vfs_poll_wake();
	kfree(e);
	if (last) {
		kfree(p->buf);
		kfree(p);
	}
}

static const struct vnode_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.set_nonblock = pipe_set_nonblock,
	.release = pipe_release,
};

/* A new file on a new vnode, installed at a reserved fd. */
static struct file *new_file(struct vnode *vn, unsigned flags)
{
	struct file *f = file_alloc(vn, flags);
	vnode_put(vn); /* the file holds it now */
	return f;
}

static long do_pipe(int *ufds, long flags)
{
	if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct pipe *p = kzalloc(sizeof(*p));
	struct pipe_end *r = kzalloc(sizeof(*r)), *w = kzalloc(sizeof(*w));
	char *buf = kmalloc(PIPE_SIZE);
	if (!p || !r || !w || !buf) {
		kfree(p);
		kfree(r);
		kfree(w);
		kfree(buf);
		return -ENOMEM;
	}
	mutex_init(&p->lock);
	condvar_init(&p->changed);
	p->buf = buf;
	p->reader = p->writer = true;
	p->nonblock[0] = p->nonblock[1] = flags & O_NONBLOCK;
	r->p = w->p = p;
	w->write = true;
	vnode_init(&r->vn, VCHR, S_IFIFO | 0600, &pipe_ops, NULL, 2);
	vnode_init(&w->vn, VCHR, S_IFIFO | 0600, &pipe_ops, NULL, 2);
	unsigned fl = (unsigned)(flags & O_NONBLOCK);
	struct file *rf = new_file(&r->vn, O_RDONLY | fl);
	struct file *wf = new_file(&w->vn, O_WRONLY | fl);
	long ret = -ENOMEM;
	if (IS_ERR(rf) || IS_ERR(wf))
		goto out_put;
	int fds[2] = { fd_reserve(flags & O_CLOEXEC), -1 };
	ret = fds[0];
	if (fds[0] < 0)
		goto out_put;
	fds[1] = fd_reserve(flags & O_CLOEXEC);
	ret = fds[1];
	if (fds[1] < 0) {
		fd_unreserve(fds[0]);
		goto out_put;
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_unreserve(fds[0]);
		fd_unreserve(fds[1]);
		ret = -EFAULT;
		goto out_put;
	}
	fd_commit(fds[0], rf);
	fd_commit(fds[1], wf);
	return 0;
out_put:
	if (!IS_ERR(rf))
		file_put(rf);
	if (!IS_ERR(wf))
		file_put(wf);
	return ret;
}

SYSCALL_DEFINE(pipe)
{
	return do_pipe((int *)a0, 0);
}

SYSCALL_DEFINE(pipe2)
{
	return do_pipe((int *)a0, a1);
}

/* eventfd */

#define EFD_SEMAPHORE 1
#define EVENTFD_MAX (UINT64_MAX - 1)

struct eventfd {
	struct vnode vn;
	struct mutex lock; /* protects count, nonblock */
	struct condvar changed;
	uint64_t count;
	bool semaphore, nonblock;
};

static struct eventfd *efd_of(struct vnode *vn)
{
	return container_of(vn, struct eventfd, vn);
}

static ssize_t efd_read(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct eventfd *e = efd_of(vn);
	if (u->len < 8)
		return -EINVAL;
	mutex_lock(&e->lock);
	while (!e->count && !e->nonblock)
		condvar_wait(&e->changed, &e->lock);
	uint64_t v = e->semaphore ? 1 : e->count;
	long ret = 8;
	if (!e->count)
		ret = -EAGAIN;
	else if (uio_copy_out(u, &v, 8))
		ret = -EFAULT;
	else
		e->count -= v;
	condvar_broadcast(&e->changed);
	mutex_unlock(&e->lock);
	vfs_poll_wake();
	return ret;
}

static ssize_t efd_write(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct eventfd *e = efd_of(vn);
	uint64_t v;
	if (u->len < 8)
		return -EINVAL;
	if (uio_copy_in(u, &v, 8))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	mutex_lock(&e->lock);
	while (EVENTFD_MAX - e->count < v && !e->nonblock)
		condvar_wait(&e->changed, &e->lock);
	long ret = 8;
	if (EVENTFD_MAX - e->count < v)
		ret = -EAGAIN;
	else
		e->count += v;
	condvar_broadcast(&e->changed);
	mutex_unlock(&e->lock);
	vfs_poll_wake();
	return ret;
}

static short efd_poll(struct vnode *vn, short events)
{
	struct eventfd *e = efd_of(vn);
	mutex_lock(&e->lock);
	short r = (short)((e->count ? POLLIN : 0) |
			  (e->count < EVENTFD_MAX ? POLLOUT : 0));
	mutex_unlock(&e->lock);
	return (short)(r & events);
}

static void efd_set_nonblock(struct vnode *vn, bool on)
{
	struct eventfd *e = efd_of(vn);
	mutex_lock(&e->lock);
	e->nonblock = on;
	mutex_unlock(&e->lock);
}

static void efd_release(struct vnode *vn)
{
	kfree(efd_of(vn));
}

static const struct vnode_ops eventfd_ops = {
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
	.set_nonblock = efd_set_nonblock,
	.release = efd_release,
};

static long do_eventfd(unsigned initval, long flags)
{
	if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	struct eventfd *e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	mutex_init(&e->lock);
	condvar_init(&e->changed);
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	e->nonblock = flags & O_NONBLOCK;
	vnode_init(&e->vn, VCHR, 0600, &eventfd_ops, NULL, 3);
	return fd_install_new(&e->vn, O_RDWR | (unsigned)(flags & O_NONBLOCK),
			      flags & O_CLOEXEC);
}

SYSCALL_DEFINE(eventfd)
{
	return do_eventfd((unsigned)a0, 0);
}

SYSCALL_DEFINE(eventfd2)
{
	return do_eventfd((unsigned)a0, a1);
}
