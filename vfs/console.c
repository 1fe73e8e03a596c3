/*
 * The console character device, on which the program finds fds 0, 1 and
 * 2 at start. Writes go to console_write() between kernel log lines;
 * reads see end-of-file (there is no console input). It is not a terminal
 * as programs understand one: terminal ioctls fail with -ENOTTY, so C
 * libraries buffer stdout fully, as they would into a file or a pipe.
 *
 * The vnode lives outside any filesystem and is never freed.
 */
#include <kernel/console.h>
#include <kernel/errno.h>

#include "vfs_internal.h"

/* Linux's /dev/console: character device 5:1. */
#define CONSOLE_RDEV ((5u << 8) | 1u)
/* Bytes copied from the program per console_write() call. */
#define CONSOLE_CHUNK 256

static ssize_t console_read(struct vnode *vn, struct uio *u, uint64_t off)
{
	return 0;
}

static ssize_t console_write_op(struct vnode *vn, struct uio *u, uint64_t off)
{
	char chunk[CONSOLE_CHUNK];
	size_t done = 0;

	while (u->len) {
		size_t n = MIN(u->len, sizeof(chunk));
		if (uio_copy_in(u, chunk, n))
			return done ? (ssize_t)done : -EFAULT;
		console_write(chunk, n);
		done += n;
	}
	return (ssize_t)done;
}

static const struct vnode_ops console_ops = {
	.read = console_read,
	.write = console_write_op,
};

static struct vnode console_vn;
static bool console_ready;

/* The console vnode, made on first use. */
static struct vnode *console_vnode(void)
{
	if (!console_ready) {
		vnode_init(&console_vn, VCHR, S_IFCHR | 0620, &console_ops,
			   NULL, 1);
		console_vn.rdev = CONSOLE_RDEV;
		console_ready = true;
	}
	return &console_vn;
}

int vfs_open_console_fds(void)
{
	struct vnode *vn = console_vnode();

	for (int fd = 0; fd < 3; fd++) {
		struct file *f = file_alloc(vn, O_RDWR);
		if (IS_ERR(f))
			return (int)PTR_ERR(f);
		int ret = fd_install_at(f, fd, false);
		if (ret < 0) {
			file_put(f);
			return ret;
		}
	}
	return 0;
}

bool vfs_is_console(const struct file *f)
{
	return f->vn == &console_vn;
}
