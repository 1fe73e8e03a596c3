/*
 * Open files: open, read and write at a position, seek, truncate, stat,
 * directory reading.
 *
 * A struct file holds a vnode reference, the open flags and the position.
 * The position has its own lock, taken before the vnode's, so reads and
 * writes through one file are atomic with respect to each other while
 * pread/pwrite never touch it. Regular-file data ops run under the vnode
 * lock; device ops run without it (the device serialises itself).
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/panic.h>

#include "vfs_internal.h"

/* Flags fcntl(F_SETFL) may change; the rest are fixed at open. */
#define FILE_SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

struct file *file_alloc(struct vnode *vn, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return ERR_PTR(-ENOMEM);
	vnode_get(vn);
	f->vn = vn;
	f->refs = 1;
	f->flags = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC);
	mutex_init(&f->pos_lock);
	return f;
}

void file_get(struct file *f)
{
	int old = __atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
	ASSERT(old > 0);
}

void file_put(struct file *f)
{
	int old = __atomic_fetch_sub(&f->refs, 1, __ATOMIC_ACQ_REL);
	ASSERT(old > 0);
	if (old > 1)
		return;
	vnode_put(f->vn);
	kfree(f);
}

bool file_readable(const struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

bool file_writable(const struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

int file_flush(struct file *f)
{
	struct vnode *vn = f->vn;
	if (!vn->ops->flush || vn->type != VREG || !file_writable(f))
		return 0;
	vnode_lock(vn);
	int ret = vn->ops->flush(vn);
	vnode_unlock(vn);
	return ret;
}

struct file *vfs_openat(int dirfd, const char *path, int flags, unsigned mode)
{
	struct vnode *vn;
	bool created;
	int ret;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return ERR_PTR(-EOPNOTSUPP);
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return ERR_PTR(-EINVAL);
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	ret = vfs_lookup_open(dirfd, path, flags, mode, &vn, &created);
	if (ret)
		return ERR_PTR(ret);
	bool wants_write = (flags & O_ACCMODE) != O_RDONLY ||
			   (flags & (O_TRUNC | O_CREAT));
	if (vn->type == VDIR && wants_write && !(flags & O_PATH)) {
		ret = -EISDIR;
		goto out_put;
	}
	if ((flags & O_DIRECTORY) && vn->type != VDIR) {
		ret = -ENOTDIR;
		goto out_put;
	}
	if ((flags & O_TRUNC) && vn->type == VREG && !created &&
	    !(flags & O_PATH)) {
		struct vattr va = { .mask = VATTR_SIZE, .size = 0 };
		ret = vfs_setattr(vn, &va);
		if (ret)
			goto out_put;
	}
	struct file *f = file_alloc(vn, (unsigned)flags);
	vnode_put(vn);
	return f;

out_put:
	vnode_put(vn);
	return ERR_PTR(ret);
}

struct file *vfs_open(const char *path, int flags, unsigned mode)
{
	return vfs_openat(AT_FDCWD, path, flags, mode);
}

/* Reads at @off from @vn; -EISDIR for a directory. */
static ssize_t vnode_read(struct vnode *vn, struct uio *u, uint64_t off)
{
	ssize_t n;

	if (vn->type == VDIR)
		return -EISDIR;
	if (!vn->ops->read)
		return -EINVAL;
	if (vn->type == VCHR)
		return vn->ops->read(vn, u, off);
	if (u->len == 0)
		return 0;
	vnode_lock(vn);
	n = vn->ops->read(vn, u, off);
	if (n > 0)
		vn->atime = vtime_now();
	vnode_unlock(vn);
	return n;
}

/*
 * Writes at @off, or at the end when @off is NULL (O_APPEND), setting *@at
 * to where the write went.
 */
static ssize_t vnode_write(struct vnode *vn, struct uio *u, const uint64_t *off,
			   uint64_t *at)
{
	ssize_t n;

	if (vn->type == VDIR)
		return -EISDIR;
	if (!vn->ops->write)
		return -EINVAL;
	if (vn->type == VCHR)
		return vn->ops->write(vn, u, 0);
	vnode_lock(vn);
	*at = off ? *off : vn->size;
	n = u->len ? vn->ops->write(vn, u, *at) : 0;
	if (n > 0)
		vnode_touch_locked(vn);
	vnode_unlock(vn);
	return n;
}

static bool seekable(const struct file *f)
{
	return f->vn->type != VCHR;
}

ssize_t vfs_read(struct file *f, struct uio *u)
{
	if (!file_readable(f))
		return -EBADF;
	if (!seekable(f))
		return vnode_read(f->vn, u, 0);
	mutex_lock(&f->pos_lock);
	ssize_t n = vnode_read(f->vn, u, f->pos);
	if (n > 0)
		f->pos += (uint64_t)n;
	mutex_unlock(&f->pos_lock);
	return n;
}

ssize_t vfs_write(struct file *f, struct uio *u)
{
	uint64_t at;

	if (!file_writable(f))
		return -EBADF;
	if (!seekable(f))
		return vnode_write(f->vn, u, NULL, &at);
	mutex_lock(&f->pos_lock);
	bool append = f->flags & O_APPEND;
	ssize_t n = vnode_write(f->vn, u, append ? NULL : &f->pos, &at);
	if (n > 0)
		f->pos = at + (uint64_t)n;
	mutex_unlock(&f->pos_lock);
	return n;
}

ssize_t vfs_pread(struct file *f, struct uio *u, uint64_t off)
{
	if (!file_readable(f))
		return -EBADF;
	if (!seekable(f))
		return -ESPIPE;
	if ((int64_t)off < 0)
		return -EINVAL;
	return vnode_read(f->vn, u, off);
}

ssize_t vfs_pwrite(struct file *f, struct uio *u, uint64_t off)
{
	uint64_t at;

	if (!file_writable(f))
		return -EBADF;
	if (!seekable(f))
		return -ESPIPE;
	if ((int64_t)off < 0)
		return -EINVAL;
	/* Linux writes at the end under O_APPEND even with an offset. */
	return vnode_write(f->vn, u, (f->flags & O_APPEND) ? NULL : &off, &at);
}

/* SEEK_DATA/SEEK_HOLE: the filesystem's answer, or all-data. */
static int64_t seek_data_hole(struct vnode *vn, int64_t off, bool hole)
{
	uint64_t out;
	int ret;

	vnode_lock(vn);
	if (off < 0 || (uint64_t)off >= vn->size) {
		ret = -ENXIO;
	} else if (vn->ops->seek_data) {
		ret = vn->ops->seek_data(vn, (uint64_t)off, hole, &out);
	} else {
		out = hole ? vn->size : (uint64_t)off;
		ret = 0;
	}
	vnode_unlock(vn);
	return ret ? ret : (int64_t)out;
}

int64_t vfs_lseek(struct file *f, int64_t off, int whence)
{
	struct vnode *vn = f->vn;
	int64_t base, pos;

	if (f->flags & O_PATH)
		return -EBADF;
	if (!seekable(f))
		return -ESPIPE;
	mutex_lock(&f->pos_lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		vnode_lock(vn);
		base = (int64_t)vn->size;
		vnode_unlock(vn);
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		base = 0;
		if (vn->type != VREG) {
			pos = -EINVAL;
			goto out_unlock;
		}
		off = seek_data_hole(vn, off, whence == SEEK_HOLE);
		if (off < 0) {
			pos = off;
			goto out_unlock;
		}
		break;
	default:
		pos = -EINVAL;
		goto out_unlock;
	}
	if (__builtin_add_overflow(base, off, &pos)) {
		pos = -EOVERFLOW;
		goto out_unlock;
	}
	if (pos < 0) {
		pos = -EINVAL;
		goto out_unlock;
	}
	f->pos = (uint64_t)pos;
out_unlock:
	mutex_unlock(&f->pos_lock);
	return pos;
}

int vfs_ftruncate(struct file *f, uint64_t size)
{
	if (!file_writable(f))
		return -EINVAL; /* Linux: EINVAL (EBADF for O_PATH, below) */
	if (f->vn->type == VDIR)
		return -EISDIR;
	if (f->vn->type != VREG)
		return -EINVAL;
	if ((int64_t)size < 0)
		return -EINVAL;
	struct vattr va = { .mask = VATTR_SIZE, .size = size };
	return vfs_setattr(f->vn, &va);
}

int vfs_fsync(struct file *f)
{
	struct vnode *vn = f->vn;
	int ret = 0;

	if (f->flags & O_PATH)
		return -EBADF;
	if (vn->type == VCHR)
		return -EINVAL;
	if (vn->ops->fsync) {
		vnode_lock(vn);
		ret = vn->ops->fsync(vn);
		vnode_unlock(vn);
	}
	return ret;
}

int vfs_fstat(struct file *f, struct kstat *st)
{
	vfs_getattr(f->vn, st);
	return 0;
}

int vfs_readdir(struct file *f, vfs_filldir_fn fill, void *ctx)
{
	struct vnode *vn = f->vn;
	int ret;

	if (f->flags & O_PATH)
		return -EBADF;
	if (vn->type != VDIR)
		return -ENOTDIR;
	mutex_lock(&f->pos_lock);
	vnode_lock(vn);
	if (vn->nlink == 0)
		ret = -ENOENT; /* removed while open: Linux shows it empty */
	else
		ret = vn->ops->readdir(vn, &f->pos, fill, ctx);
	if (ret >= 0)
		vn->atime = vtime_now();
	vnode_unlock(vn);
	mutex_unlock(&f->pos_lock);
	return ret == -ENOENT ? 0 : ret;
}

int vfs_file_setfl(struct file *f, unsigned flags)
{
	mutex_lock(&f->pos_lock);
	bool was = f->flags & O_NONBLOCK;
	f->flags = (f->flags & ~FILE_SETFL_MASK) | (flags & FILE_SETFL_MASK);
	bool now = f->flags & O_NONBLOCK;
	mutex_unlock(&f->pos_lock);
	if (was != now && f->vn->ops->set_nonblock)
		f->vn->ops->set_nonblock(f->vn, now);
	return 0;
}
