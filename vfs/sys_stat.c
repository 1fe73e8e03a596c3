/*
 * File system calls about attributes: the stat family and statx,
 * getdents64, access, readlink, chmod, chown, utimensat and umask.
 *
 * stat results are built in kernel memory from a struct kstat and copied
 * out whole; getdents64 writes each linux_dirent64 record straight into
 * the program's buffer as the filesystem's readdir produces entries.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>
#include <vfs/abi.h>
#include <vfs/syscalls.h>

#include "vfs_internal.h"

static long put_stat(const struct kstat *st, long ubuf)
{
	struct linux_stat ls = {
		.st_dev = st->dev,
		.st_ino = st->ino,
		.st_nlink = st->nlink,
		.st_mode = st->mode,
		.st_uid = st->uid,
		.st_gid = st->gid,
		.st_rdev = st->rdev,
		.st_size = (int64_t)st->size,
		.st_blksize = (int64_t)st->blksize,
		.st_blocks = (int64_t)st->blocks,
		.st_atime_sec = st->atime.sec,
		.st_atime_nsec = st->atime.nsec,
		.st_mtime_sec = st->mtime.sec,
		.st_mtime_nsec = st->mtime.nsec,
		.st_ctime_sec = st->ctime.sec,
		.st_ctime_nsec = st->ctime.nsec,
	};
	return copy_to_user((void *)ubuf, &ls, sizeof(ls)) ? -EFAULT : 0;
}

/* stat of (@dirfd, @upath) with AT_* @flags into struct linux_stat @ubuf. */
static long stat_at(int dirfd, long upath, int flags, long ubuf)
{
	struct kstat st;

	char *path = (flags & AT_EMPTY_PATH) ?
			     vfs_getname_empty((const char *)upath) :
			     vfs_getname((const char *)upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = vfs_statat(dirfd, path, flags, &st);
	kfree(path);
	return ret ? ret : put_stat(&st, ubuf);
}

SYSCALL_DEFINE(stat)
{
	return stat_at(AT_FDCWD, a0, 0, a1);
}

static long put_statfs(struct vnode *vn, long ubuf)
{
	struct kstatfs st;
	long ret = vfs_statfs(vn, &st);
	if (ret)
		return ret;
	struct linux_statfs ls = {
		.f_type = (int64_t)st.type,
		.f_bsize = (int64_t)st.bsize,
		.f_blocks = st.blocks,
		.f_bfree = st.bfree,
		.f_bavail = st.bavail,
		.f_files = st.files,
		.f_ffree = st.ffree,
		.f_fsid = { (int32_t)vn->mount->id, 0 },
		.f_namelen = (int64_t)st.namelen,
		.f_frsize = (int64_t)st.bsize,
	};
	return copy_to_user((void *)ubuf, &ls, sizeof(ls)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(statfs)
{
	struct vnode *vn;
	char *path = vfs_getname((const char *)a0);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = vfs_lookup_at(AT_FDCWD, path, LOOKUP_FOLLOW, &vn);
	kfree(path);
	if (ret)
		return ret;
	ret = put_statfs(vn, a1);
	vnode_put(vn);
	return ret;
}

SYSCALL_DEFINE(fstatfs)
{
	struct file *f = fd_get((int)a0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	long ret = put_statfs(f->vn, a1); /* -ENOSYS off any filesystem */
	file_put(f);
	return ret;
}

SYSCALL_DEFINE(lstat)
{
	return stat_at(AT_FDCWD, a0, AT_SYMLINK_NOFOLLOW, a1);
}

SYSCALL_DEFINE(newfstatat)
{
	return stat_at((int)a0, a1, (int)a3, a2);
}

SYSCALL_DEFINE(fstat)
{
	struct kstat st;
	struct file *f = fd_get((int)a0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	vfs_fstat(f, &st);
	file_put(f);
	return put_stat(&st, a1);
}

static struct linux_statx_timestamp statx_time(struct vtime t)
{
	return (struct linux_statx_timestamp){ .tv_sec = t.sec,
					       .tv_nsec = (uint32_t)t.nsec };
}

SYSCALL_DEFINE(statx)
{
	int dirfd = (int)a0, flags = (int)a2;
	unsigned mask = (unsigned)a3;
	struct kstat st;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE ||
	    (mask & STATX__RESERVED))
		return -EINVAL;
	char *path = (flags & AT_EMPTY_PATH) ?
			     vfs_getname_empty((const char *)a1) :
			     vfs_getname((const char *)a1);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = vfs_statat(dirfd, path, flags & ~AT_STATX_SYNC_TYPE, &st);
	kfree(path);
	if (ret)
		return ret;
	struct linux_statx sx = {
		.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID,
		.stx_blksize = (uint32_t)st.blksize,
		.stx_nlink = (uint32_t)st.nlink,
		.stx_uid = st.uid,
		.stx_gid = st.gid,
		.stx_mode = (uint16_t)st.mode,
		.stx_ino = st.ino,
		.stx_size = st.size,
		.stx_blocks = st.blocks,
		.stx_atime = statx_time(st.atime),
		.stx_ctime = statx_time(st.ctime),
		.stx_mtime = statx_time(st.mtime),
		.stx_rdev_major = (uint32_t)(st.rdev >> 8) & 0xfff,
		.stx_rdev_minor = (uint32_t)(st.rdev & 0xff),
		.stx_dev_major = 0,
		.stx_dev_minor = (uint32_t)st.dev,
		.stx_mnt_id = st.mnt_id,
	};
	return copy_to_user((void *)a4, &sx, sizeof(sx)) ? -EFAULT : 0;
}

struct dirent_buf {
	char *ubuf;  /* next record goes here */
	size_t left; /* bytes of room */
	size_t used;
	bool full; /* an entry did not fit */
	int err;
};

static uint8_t dtype(enum vtype type)
{
	switch (type) {
	case VREG:
		return DT_REG;
	case VDIR:
		return DT_DIR;
	case VLNK:
		return DT_LNK;
	case VCHR:
		return DT_CHR;
	default:
		return DT_UNKNOWN;
	}
}

static int fill_dirent64(void *ctx, const char *name, size_t len, uint64_t ino,
			 enum vtype type, uint64_t next)
{
	struct dirent_buf *b = ctx;
	union {
		struct linux_dirent64 d;
		char bytes[ALIGN_UP(
			sizeof(struct linux_dirent64) + NAME_MAX + 1, 8)];
	} rec;
	size_t reclen =
		ALIGN_UP(offsetof(struct linux_dirent64, d_name) + len + 1, 8);

	if (reclen > b->left) {
		b->full = true;
		return 1;
	}
	memset(&rec, 0, reclen);
	rec.d.d_ino = ino;
	rec.d.d_off = (int64_t)next;
	rec.d.d_reclen = (uint16_t)reclen;
	rec.d.d_type = dtype(type);
	memcpy(rec.d.d_name, name, len);
	if (copy_to_user(b->ubuf, &rec, reclen)) {
		b->err = -EFAULT;
		return 1;
	}
	b->ubuf += reclen;
	b->left -= reclen;
	b->used += reclen;
	return 0;
}

SYSCALL_DEFINE(getdents64)
{
	struct dirent_buf b = { .ubuf = (char *)a1,
				.left = MIN((size_t)a2, (size_t)INT32_MAX) };

	struct file *f = fd_get_io((int)a0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	long ret = vfs_readdir(f, fill_dirent64, &b);
	file_put(f);
	if (ret)
		return ret;
	if (b.used)
		return (long)b.used;
	if (b.err)
		return b.err;
	return b.full ? -EINVAL : 0;
}

static long access_at(int dirfd, long upath, int mode, int flags)
{
	char *path = (flags & AT_EMPTY_PATH) ?
			     vfs_getname_empty((const char *)upath) :
			     vfs_getname((const char *)upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = vfs_accessat(dirfd, path, mode, flags);
	kfree(path);
	return ret;
}

SYSCALL_DEFINE(access)
{
	return access_at(AT_FDCWD, a0, (int)a1, 0);
}

SYSCALL_DEFINE(faccessat)
{
	return access_at((int)a0, a1, (int)a2, 0);
}

SYSCALL_DEFINE(faccessat2)
{
	return access_at((int)a0, a1, (int)a2, (int)a3);
}

static long readlink_at(int dirfd, long upath, long ubuf, long size)
{
	if (size <= 0)
		return -EINVAL;
	char *path = vfs_getname((const char *)upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	struct uio u = { .base = (char *)ubuf,
			 .len = (size_t)MIN(size, (long)PATH_MAX),
			 .user = true };
	long ret = vfs_readlinkat(dirfd, path, &u);
	kfree(path);
	return ret;
}

SYSCALL_DEFINE(readlink)
{
	return readlink_at(AT_FDCWD, a0, a1, a2);
}

SYSCALL_DEFINE(readlinkat)
{
	return readlink_at((int)a0, a1, a2, a3);
}

/* Applies @va to (@dirfd, @upath). */
static long setattr_at(int dirfd, long upath, int flags, const struct vattr *va)
{
	char *path = (flags & AT_EMPTY_PATH) ?
			     vfs_getname_empty((const char *)upath) :
			     vfs_getname((const char *)upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = vfs_setattrat(dirfd, path, flags, va);
	kfree(path);
	return ret;
}

static long setattr_fd(int fd, const struct vattr *va)
{
	struct file *f = fd_get_io(fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	long ret = vfs_setattr(f->vn, va);
	file_put(f);
	return ret;
}

static struct vattr mode_attr(long mode)
{
	return (struct vattr){ .mask = VATTR_MODE,
			       .mode = (unsigned)mode & S_IALLUGO };
}

SYSCALL_DEFINE(chmod)
{
	struct vattr va = mode_attr(a1);
	return setattr_at(AT_FDCWD, a0, 0, &va);
}

SYSCALL_DEFINE(fchmod)
{
	struct vattr va = mode_attr(a1);
	return setattr_fd((int)a0, &va);
}

SYSCALL_DEFINE(fchmodat)
{
	struct vattr va = mode_attr(a2);
	return setattr_at((int)a0, a1, 0, &va);
}

/* uid or gid (uint32_t)-1 leaves that one unchanged. */
static struct vattr owner_attr(long uid, long gid)
{
	struct vattr va = { .uid = (uint32_t)uid, .gid = (uint32_t)gid };
	if ((uint32_t)uid != UINT32_MAX)
		va.mask |= VATTR_UID;
	if ((uint32_t)gid != UINT32_MAX)
		va.mask |= VATTR_GID;
	return va;
}

SYSCALL_DEFINE(chown)
{
	struct vattr va = owner_attr(a1, a2);
	return setattr_at(AT_FDCWD, a0, 0, &va);
}

SYSCALL_DEFINE(lchown)
{
	struct vattr va = owner_attr(a1, a2);
	return setattr_at(AT_FDCWD, a0, AT_SYMLINK_NOFOLLOW, &va);
}

SYSCALL_DEFINE(fchown)
{
	struct vattr va = owner_attr(a1, a2);
	return setattr_fd((int)a0, &va);
}

SYSCALL_DEFINE(fchownat)
{
	struct vattr va = owner_attr(a2, a3);
	if (a4 & ~(long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return setattr_at((int)a0, a1, (int)a4, &va);
}

/* One utimensat time: sets @va's field for it unless UTIME_OMIT. */
static int utime_field(const struct linux_timespec *ts, struct vattr *va,
		       unsigned set, unsigned now, struct vtime *out)
{
	if (ts->tv_nsec == UTIME_OMIT)
		return 0;
	if (ts->tv_nsec == UTIME_NOW) {
		va->mask |= now;
		return 0;
	}
	if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -EINVAL;
	va->mask |= set;
	*out = (struct vtime){ .sec = ts->tv_sec, .nsec = ts->tv_nsec };
	return 0;
}

SYSCALL_DEFINE(utimensat)
{
	int dirfd = (int)a0, flags = (int)a3;
	struct linux_timespec ts[2];
	struct vattr va = { 0 };
	long ret;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a2) {
		if (copy_from_user(ts, (const void *)a2, sizeof(ts)))
			return -EFAULT;
		ret = utime_field(&ts[0], &va, VATTR_ATIME, VATTR_ATIME_NOW,
				  &va.atime);
		if (!ret)
			ret = utime_field(&ts[1], &va, VATTR_MTIME,
					  VATTR_MTIME_NOW, &va.mtime);
		if (ret)
			return ret;
	} else {
		va.mask = VATTR_ATIME_NOW | VATTR_MTIME_NOW;
	}
	/* A NULL path means dirfd itself (Linux's futimens). */
	if (!a1) {
		if (dirfd == AT_FDCWD)
			return -EFAULT;
		return setattr_fd(dirfd, &va);
	}
	return setattr_at(dirfd, a1, flags, &va);
}

SYSCALL_DEFINE(umask)
{
	return vfs_umask((unsigned)a0);
}
