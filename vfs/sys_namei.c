/*
 * File system calls about names: mkdir, rmdir, unlink, rename, link,
 * symlink (and their *at forms), and the working directory (getcwd,
 * chdir, fchdir). Each copies its paths in with vfs_getname() and calls
 * the matching vfs_*at() function.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/uaccess.h>
#include <vfs/syscalls.h>

#include "vfs_internal.h"

char *vfs_getname(const char *upath)
{
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return ERR_PTR(-ENOMEM);
	long n = strncpy_from_user(path, upath, PATH_MAX);
	if (n < 0) {
		kfree(path);
		return ERR_PTR(n);
	}
	return path;
}

char *vfs_getname_empty(const char *upath)
{
	if (upath)
		return vfs_getname(upath);
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return ERR_PTR(-ENOMEM);
	path[0] = '\0';
	return path;
}

/* Copies two program paths; both freed on failure. */
static long getname2(long a, long b, char **pa, char **pb)
{
	*pa = vfs_getname((const char *)a);
	if (IS_ERR(*pa))
		return PTR_ERR(*pa);
	*pb = vfs_getname((const char *)b);
	if (IS_ERR(*pb)) {
		kfree(*pa);
		return PTR_ERR(*pb);
	}
	return 0;
}

static long mkdir_at(int dirfd, long upath, long mode)
{
	char *path = vfs_getname((const char *)upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = vfs_mkdirat(dirfd, path, (unsigned)mode);
	kfree(path);
	return ret;
}

SYSCALL_DEFINE(mkdir)
{
	return mkdir_at(AT_FDCWD, a0, a1);
}

SYSCALL_DEFINE(mkdirat)
{
	return mkdir_at((int)a0, a1, a2);
}

static long unlink_at(int dirfd, long upath, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	char *path = vfs_getname((const char *)upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = vfs_unlinkat(dirfd, path, flags);
	kfree(path);
	return ret;
}

SYSCALL_DEFINE(rmdir)
{
	return unlink_at(AT_FDCWD, a0, AT_REMOVEDIR);
}

SYSCALL_DEFINE(unlink)
{
	return unlink_at(AT_FDCWD, a0, 0);
}

SYSCALL_DEFINE(unlinkat)
{
	return unlink_at((int)a0, a1, (int)a2);
}

static long rename_at(int olddirfd, long uold, int newdirfd, long unew,
		      unsigned flags)
{
	char *from, *to;

	if (flags &
	    ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & RENAME_NOREPLACE))
		return -EINVAL;
	long ret = getname2(uold, unew, &from, &to);
	if (ret)
		return ret;
	ret = vfs_renameat(olddirfd, from, newdirfd, to, flags);
	kfree(from);
	kfree(to);
	return ret;
}

SYSCALL_DEFINE(rename)
{
	return rename_at(AT_FDCWD, a0, AT_FDCWD, a1, 0);
}

SYSCALL_DEFINE(renameat)
{
	return rename_at((int)a0, a1, (int)a2, a3, 0);
}

SYSCALL_DEFINE(renameat2)
{
	return rename_at((int)a0, a1, (int)a2, a3, (unsigned)a4);
}

static long link_at(int olddirfd, long uold, int newdirfd, long unew, int flags)
{
	char *from, *to;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long ret = getname2(uold, unew, &from, &to);
	if (ret)
		return ret;
	ret = vfs_linkat(olddirfd, from, newdirfd, to, flags);
	kfree(from);
	kfree(to);
	return ret;
}

SYSCALL_DEFINE(link)
{
	return link_at(AT_FDCWD, a0, AT_FDCWD, a1, 0);
}

SYSCALL_DEFINE(linkat)
{
	return link_at((int)a0, a1, (int)a2, a3, (int)a4);
}

static long symlink_at(long utarget, int dirfd, long upath)
{
	char *target, *path;

	long ret = getname2(utarget, upath, &target, &path);
	if (ret)
		return ret;
	ret = vfs_symlinkat(target, dirfd, path);
	kfree(target);
	kfree(path);
	return ret;
}

SYSCALL_DEFINE(symlink)
{
	return symlink_at(a0, AT_FDCWD, a1);
}

SYSCALL_DEFINE(symlinkat)
{
	return symlink_at(a0, (int)a1, a2);
}

SYSCALL_DEFINE(getcwd)
{
	size_t size = (size_t)a1;
	char *buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	long ret = vfs_getcwd(buf, PATH_MAX);
	if (ret > 0 && (size_t)ret > size)
		ret = -ERANGE;
	if (ret > 0 && copy_to_user((void *)a0, buf, (size_t)ret))
		ret = -EFAULT;
	kfree(buf);
	return ret;
}

SYSCALL_DEFINE(chdir)
{
	char *path = vfs_getname((const char *)a0);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long ret = vfs_chdir(path);
	kfree(path);
	return ret;
}

SYSCALL_DEFINE(fchdir)
{
	struct file *f = fd_get((int)a0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	long ret = vfs_fchdir(f);
	file_put(f);
	return ret;
}
