/*
 * File system calls: data transfer and descriptors (read, write and their
 * vector and positioned forms, open, close, lseek, truncate, fsync, fcntl,
 * dup, ioctl).
 *
 * Arguments arrive as the program passed them: every pointer goes through
 * copy_from_user/copy_to_user (through a user uio for data, so bytes move
 * straight between the file and the program's buffer), every flag word is
 * checked, and the result is a value or a negative errno for %rax.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/uaccess.h>
#include <kernel/vm.h>
#include <vfs/abi.h>
#include <vfs/syscalls.h>

#include "vfs_internal.h"

struct file *fd_get_io(int fd)
{
	struct file *f = fd_get(fd);
	if (!IS_ERR(f) && (f->flags & O_PATH)) {
		file_put(f);
		return ERR_PTR(-EBADF);
	}
	return f;
}

/* One transfer through @f: at its position (@off < 0) or at @off. */
static ssize_t transfer(struct file *f, struct uio *u, bool write, int64_t off)
{
	if (off < 0)
		return write ? vfs_write(f, u) : vfs_read(f, u);
	return write ? vfs_pwrite(f, u, (uint64_t)off) :
		       vfs_pread(f, u, (uint64_t)off);
}

static long rw(long fd, long ubuf, long count, bool write, int64_t off)
{
	struct file *f = fd_get_io((int)fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	struct uio u = { .base = (char *)ubuf,
			 .len = MIN((size_t)count, (size_t)MAX_RW_COUNT),
			 .user = true };
	long ret = transfer(f, &u, write, off);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE(read)
{
	return rw(a0, a1, a2, false, -1);
}

SYSCALL_DEFINE(write)
{
	return rw(a0, a1, a2, true, -1);
}

SYSCALL_DEFINE(pread64)
{
	return a3 < 0 ? -EINVAL : rw(a0, a1, a2, false, a3);
}

SYSCALL_DEFINE(pwrite64)
{
	return a3 < 0 ? -EINVAL : rw(a0, a1, a2, true, a3);
}

/* readv/writev and the positioned forms: one transfer per iovec. */
static long rw_vec(long fd, long uiov, long cnt, bool write, int64_t off)
{
	struct linux_iovec *iov;
	size_t total = 0;
	long ret, done = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	struct file *f = fd_get_io((int)fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = -EBADF;
	if (write ? !file_writable(f) : !file_readable(f))
		goto out_put;
	ret = -ENOMEM;
	iov = kmalloc((size_t)cnt * sizeof(*iov) + 1);
	if (!iov)
		goto out_put;
	ret = -EFAULT;
	if (copy_from_user(iov, (const void *)uiov, (size_t)cnt * sizeof(*iov)))
		goto out_free;
	ret = -EINVAL;
	for (long i = 0; i < cnt; i++)
		if ((ssize_t)iov[i].iov_len < 0 ||
		    __builtin_add_overflow(total, iov[i].iov_len, &total) ||
		    (ssize_t)total < 0)
			goto out_free;
	ret = 0;
	for (long i = 0; i < cnt && total; i++) {
		size_t len = MIN(iov[i].iov_len, (size_t)MAX_RW_COUNT - done);
		struct uio u = { .base = iov[i].iov_base,
				 .len = len,
				 .user = true };
		if (!len)
			continue;
		ssize_t n = transfer(f, &u, write, off < 0 ? -1 : off + done);
		if (n < 0) {
			ret = done ? 0 : n;
			break;
		}
		done += n;
		if ((size_t)n < len || done >= MAX_RW_COUNT)
			break;
	}
	if (!ret)
		ret = done;
out_free:
	kfree(iov);
out_put:
	file_put(f);
	return ret;
}

SYSCALL_DEFINE(readv)
{
	return rw_vec(a0, a1, a2, false, -1);
}

SYSCALL_DEFINE(writev)
{
	return rw_vec(a0, a1, a2, true, -1);
}

SYSCALL_DEFINE(preadv)
{
	return a3 < 0 ? -EINVAL : rw_vec(a0, a1, a2, false, a3);
}

SYSCALL_DEFINE(pwritev)
{
	return a3 < 0 ? -EINVAL : rw_vec(a0, a1, a2, true, a3);
}

static long do_openat(int dirfd, const char *upath, int flags, unsigned mode)
{
	char *path = vfs_getname(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = fd_reserve(flags & O_CLOEXEC);
	if (ret < 0)
		goto out_free;
	struct file *f = vfs_openat(dirfd, path, flags, mode);
	if (IS_ERR(f)) {
		fd_unreserve((int)ret);
		ret = PTR_ERR(f);
		goto out_free;
	}
	fd_commit((int)ret, f);
out_free:
	kfree(path);
	return ret;
}

SYSCALL_DEFINE(open)
{
	return do_openat(AT_FDCWD, (const char *)a0, (int)a1, (unsigned)a2);
}

SYSCALL_DEFINE(openat)
{
	return do_openat((int)a0, (const char *)a1, (int)a2, (unsigned)a3);
}

SYSCALL_DEFINE(creat)
{
	return do_openat(AT_FDCWD, (const char *)a0,
			 O_CREAT | O_WRONLY | O_TRUNC, (unsigned)a1);
}

SYSCALL_DEFINE(close)
{
	return fd_close((int)a0);
}

SYSCALL_DEFINE(lseek)
{
	struct file *f = fd_get_io((int)a0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	long ret = vfs_lseek(f, a1, (int)a2);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE(truncate)
{
	struct vnode *vn;

	if (a1 < 0)
		return -EINVAL;
	char *path = vfs_getname((const char *)a0);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = vfs_lookup_at(AT_FDCWD, path, LOOKUP_FOLLOW, &vn);
	kfree(path);
	if (ret)
		return ret;
	struct vattr va = { .mask = VATTR_SIZE, .size = (uint64_t)a1 };
	ret = vfs_setattr(vn, &va);
	vnode_put(vn);
	return ret;
}

SYSCALL_DEFINE(ftruncate)
{
	if (a1 < 0)
		return -EINVAL;
	struct file *f = fd_get_io((int)a0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	long ret = vfs_ftruncate(f, (uint64_t)a1);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE(fsync)
{
	struct file *f = fd_get_io((int)a0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	/* Pages of shared mappings the program changed go first, as on Linux. */
	long synced = vm_sync_backing(f->vn);
	long ret = vfs_fsync(f);
	file_put(f);
	return synced ? synced : ret;
}

SYSCALL_DEFINE(fdatasync)
{
	return sys_fsync(a0, a1, a2, a3, a4, a5);
}

/* F_GETLK and F_SETLK: record locks are not kept; the file is unlocked. */
static long lock_query(long uarg, bool get)
{
	struct linux_flock fl;

	if (copy_from_user(&fl, (const void *)uarg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK &&
	    fl.l_type != F_UNLCK)
		return -EINVAL;
	if (fl.l_whence < SEEK_SET || fl.l_whence > SEEK_END)
		return -EINVAL;
	if (!get)
		return 0;
	fl.l_type = F_UNLCK;
	return copy_to_user((void *)uarg, &fl, sizeof(fl)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(fcntl)
{
	int fd = (int)a0, cmd = (int)a1;
	long ret;

	struct file *f = fd_get(fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a2 < 0 || a2 >= FD_MAX) {
			ret = -EINVAL;
			break;
		}
		file_get(f);
		ret = fd_install_from(f, (int)a2, cmd == F_DUPFD_CLOEXEC);
		if (ret < 0)
			file_put(f);
		break;
	case F_GETFD:
		ret = fd_get_cloexec(fd);
		break;
	case F_SETFD:
		ret = fd_set_cloexec(fd, a2 & FD_CLOEXEC);
		break;
	case F_GETFL:
		ret = f->flags | O_LARGEFILE;
		break;
	case F_SETFL:
		ret = (f->flags & O_PATH) ? -EBADF :
					    vfs_file_setfl(f, (unsigned)a2);
		break;
	case F_GETLK:
	case F_OFD_GETLK:
		ret = (f->flags & O_PATH) ? -EBADF : lock_query(a2, true);
		break;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		ret = (f->flags & O_PATH) ? -EBADF : lock_query(a2, false);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	file_put(f);
	return ret;
}

SYSCALL_DEFINE(dup)
{
	return fd_dup((int)a0, 0, false);
}

SYSCALL_DEFINE(dup2)
{
	return fd_dup2((int)a0, (int)a1, false);
}

SYSCALL_DEFINE(dup3)
{
	if (a2 & ~(long)O_CLOEXEC)
		return -EINVAL;
	if (a0 == a1)
		return -EINVAL;
	return fd_dup2((int)a0, (int)a1, a2 & O_CLOEXEC);
}

/* FIONREAD: bytes between the position and the end of a regular file. */
static long bytes_readable(struct file *f, long uarg)
{
	struct kstat st;
	vfs_fstat(f, &st);
	mutex_lock(&f->pos_lock);
	uint64_t pos = f->pos;
	mutex_unlock(&f->pos_lock);
	int n = st.size > pos ? (int)MIN(st.size - pos, (uint64_t)INT32_MAX) :
				0;
	return copy_to_user((void *)uarg, &n, sizeof(n)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(ioctl)
{
	int fd = (int)a0, on;
	unsigned cmd = (unsigned)a1;
	long ret;

	struct file *f = fd_get_io(fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		ret = fd_set_cloexec(fd, cmd == FIOCLEX);
		break;
	case FIONBIO:
		ret = -EFAULT;
		if (copy_from_user(&on, (const void *)a2, sizeof(on)))
			break;
		ret = vfs_file_setfl(f, on ? (f->flags | O_NONBLOCK) :
					     (f->flags & ~O_NONBLOCK));
		break;
	case FIONREAD:
		if (f->vn->type == VREG) {
			ret = bytes_readable(f, a2);
			break;
		}
		__attribute__((fallthrough)); /* sockets count their own */
	default:
		/*
		 * Sockets answer FIONREAD and SIOCGIF*; TCGETS, TIOCGWINSZ and
		 * the rest: nothing here is a tty.
		 */
		ret = f->vn->ops->ioctl ? f->vn->ops->ioctl(f->vn, cmd, a2) :
					  -ENOTTY;
		break;
	}
	file_put(f);
	return ret;
}
