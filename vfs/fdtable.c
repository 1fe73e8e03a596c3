/*
 * The file-descriptor table. The appliance runs one process, so there is
 * one table: FD_MAX slots, each an open file plus a close-on-exec bit,
 * under one spinlock. Nothing sleeps under the lock: files are released
 * (which may free memory and take sleeping locks) after it is dropped.
 */
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>

#include "vfs_internal.h"

/* Marks a slot taken by fd_reserve() until fd_commit(). */
#define FD_RESERVED ((struct file *)1)

static struct {
	spinlock_t lock; /* protects files, cloexec */
	struct file *files[FD_MAX];
	uint64_t cloexec[FD_MAX / 64];
} fdt = { .lock = SPINLOCK_INIT };

static void set_cloexec_locked(int fd, bool on)
{
	ASSERT(spin_is_locked(&fdt.lock));
	uint64_t bit = 1ULL << (fd % 64);
	if (on)
		fdt.cloexec[fd / 64] |= bit;
	else
		fdt.cloexec[fd / 64] &= ~bit;
}

/* The lowest free fd at or above @from, or -EMFILE. */
static int alloc_fd_locked(int from)
{
	ASSERT(spin_is_locked(&fdt.lock));
	for (int fd = from; fd < FD_MAX; fd++)
		if (!fdt.files[fd])
			return fd;
	return -EMFILE;
}

int fd_install_from(struct file *f, int from, bool cloexec)
{
	if (from < 0 || from >= FD_MAX)
		return -EINVAL;
	spin_lock(&fdt.lock);
	int fd = alloc_fd_locked(from);
	if (fd >= 0) {
		fdt.files[fd] = f;
		set_cloexec_locked(fd, cloexec);
	}
	spin_unlock(&fdt.lock);
	return fd;
}

int fd_install(struct file *f, bool cloexec)
{
	return fd_install_from(f, 0, cloexec);
}

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return ERR_PTR(-EBADF);
	spin_lock(&fdt.lock);
	struct file *f = fdt.files[fd];
	if (f == FD_RESERVED)
		f = NULL;
	if (f)
		file_get(f);
	spin_unlock(&fdt.lock);
	return f ? f : ERR_PTR(-EBADF);
}

int fd_close(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&fdt.lock);
	struct file *f = fdt.files[fd];
	if (f == FD_RESERVED)
		f = NULL;
	if (f) {
		fdt.files[fd] = NULL;
		set_cloexec_locked(fd, false);
	}
	spin_unlock(&fdt.lock);
	if (!f)
		return -EBADF;
	int ret = file_flush(f); /* closed either way, as on Linux */
	file_put(f);
	return ret;
}

int fd_dup(int oldfd, int from, bool cloexec)
{
	struct file *f = fd_get(oldfd);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	int fd = fd_install_from(f, from, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

int fd_install_at(struct file *f, int fd, bool cloexec)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&fdt.lock);
	struct file *old = fdt.files[fd];
	if (old == FD_RESERVED) {
		spin_unlock(&fdt.lock);
		return -EBUSY; /* being opened: Linux's dup2 says so too */
	}
	fdt.files[fd] = f;
	set_cloexec_locked(fd, cloexec);
	spin_unlock(&fdt.lock);
	if (old) {
		file_flush(old); /* dup2 closes quietly, as on Linux */
		file_put(old);
	}
	return fd;
}

int fd_dup2(int oldfd, int newfd, bool cloexec)
{
	if (newfd < 0 || newfd >= FD_MAX)
		return -EBADF;
	struct file *f = fd_get(oldfd);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	if (oldfd == newfd) {
		file_put(f); /* dup2(fd, fd): nothing changes */
		return newfd;
	}
	return fd_install_at(f, newfd, cloexec);
}

int fd_get_cloexec(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&fdt.lock);
	bool open = fdt.files[fd] && fdt.files[fd] != FD_RESERVED;
	int ret = !open ? -EBADF :
			  (int)((fdt.cloexec[fd / 64] >> (fd % 64)) & 1);
	spin_unlock(&fdt.lock);
	return ret;
}

int fd_set_cloexec(int fd, bool on)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&fdt.lock);
	int ret = -EBADF;
	if (fdt.files[fd] && fdt.files[fd] != FD_RESERVED) {
		set_cloexec_locked(fd, on);
		ret = 0;
	}
	spin_unlock(&fdt.lock);
	return ret;
}

int fd_reserve(bool cloexec)
{
	spin_lock(&fdt.lock);
	int fd = alloc_fd_locked(0);
	if (fd >= 0) {
		fdt.files[fd] = FD_RESERVED;
		set_cloexec_locked(fd, cloexec);
	}
	spin_unlock(&fdt.lock);
	return fd;
}

void fd_commit(int fd, struct file *f)
{
	spin_lock(&fdt.lock);
	ASSERT(fdt.files[fd] == FD_RESERVED);
	fdt.files[fd] = f;
	spin_unlock(&fdt.lock);
}

void fd_unreserve(int fd)
{
	spin_lock(&fdt.lock);
	ASSERT(fdt.files[fd] == FD_RESERVED);
	fdt.files[fd] = NULL;
	set_cloexec_locked(fd, false);
	spin_unlock(&fdt.lock);
}

unsigned fd_count(void)
{
	unsigned n = 0;
	spin_lock(&fdt.lock);
	for (int fd = 0; fd < FD_MAX; fd++)
		n += fdt.files[fd] != NULL;
	spin_unlock(&fdt.lock);
	return n;
}

int fd_install_new(struct vnode *vn, unsigned flags, bool cloexec)
{
	struct file *f = file_alloc(vn, flags);
	vnode_put(vn); /* the file holds it now, or it goes */
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	int fd = fd_install(f, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}
