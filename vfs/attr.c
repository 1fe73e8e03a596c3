/*
 * Operations on what a path names rather than on its name: stat,
 * attribute changes, access checks, readlink, and the working directory
 * (chdir, getcwd).
 *
 * getcwd has no names stored with vnodes to read back: it climbs from the
 * working directory through ".." and finds each directory's name by its
 * inode number in its parent's entries, crossing mounts on the way.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#include "vfs_internal.h"

static unsigned at_lookup_flags(int flags)
{
	unsigned lf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	return lf;
}

int vfs_statat(int dirfd, const char *path, int flags, struct kstat *st)
{
	struct vnode *vn;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	int ret = vfs_lookup_at(dirfd, path, at_lookup_flags(flags), &vn);
	if (ret)
		return ret;
	vfs_getattr(vn, st);
	vnode_put(vn);
	return 0;
}

int vfs_stat(const char *path, struct kstat *st, bool follow)
{
	return vfs_statat(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, st);
}

int vfs_setattrat(int dirfd, const char *path, int flags,
		  const struct vattr *va)
{
	struct vnode *vn;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int ret = vfs_lookup_at(dirfd, path, at_lookup_flags(flags), &vn);
	if (ret)
		return ret;
	ret = vfs_setattr(vn, va);
	vnode_put(vn);
	return ret;
}

int vfs_setattr_path(const char *path, const struct vattr *va, bool follow)
{
	return vfs_setattrat(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW,
			     va);
}

int vfs_set_owner_times(const char *path, uint32_t uid, uint32_t gid,
			uint64_t mtime_sec)
{
	struct vtime t = { .sec = (int64_t)mtime_sec, .nsec = 0 };
	struct vattr va = { .mask = VATTR_UID | VATTR_GID | VATTR_ATIME |
				    VATTR_MTIME,
			    .uid = uid,
			    .gid = gid,
			    .atime = t,
			    .mtime = t };
	return vfs_setattr_path(path, &va, false);
}

int vfs_accessat(int dirfd, const char *path, int mode, int flags)
{
	struct vnode *vn;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_EACCESS))
		return -EINVAL;
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	int ret = vfs_lookup_at(dirfd, path, at_lookup_flags(flags), &vn);
	if (ret)
		return ret;
	ret = vnode_access(vn, mode);
	vnode_put(vn);
	return ret;
}

ssize_t vfs_readlinkat(int dirfd, const char *path, struct uio *u)
{
	struct vnode *vn;
	ssize_t n;

	int ret = vfs_lookup_at(dirfd, path, LOOKUP_EMPTY, &vn);
	if (ret)
		return ret;
	if (vn->type != VLNK || !vn->ops->readlink) {
		vnode_put(vn);
		return path[0] ? -EINVAL : -ENOENT;
	}
	vnode_lock(vn);
	n = vn->ops->readlink(vn, u);
	if (n >= 0)
		vn->atime = vtime_now();
	vnode_unlock(vn);
	vnode_put(vn);
	return n;
}

ssize_t vfs_readlink(const char *path, char *buf, size_t size)
{
	struct uio u = { .base = buf, .len = size, .user = false };
	return vfs_readlinkat(AT_FDCWD, path, &u);
}

int vfs_chdir(const char *path)
{
	struct vnode *vn;
	int ret = vfs_lookup_at(AT_FDCWD, path,
				LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &vn);
	if (ret)
		return ret;
	vfs_set_cwd(vn);
	vnode_put(vn);
	return 0;
}

int vfs_fchdir(struct file *f)
{
	if (f->vn->type != VDIR)
		return -ENOTDIR;
	vfs_set_cwd(f->vn);
	return 0;
}

struct name_search {
	uint64_t ino;
	char *name; /* NAME_MAX + 1 bytes */
	size_t len;
	bool found;
};

static int match_ino(void *ctx, const char *name, size_t len, uint64_t ino,
		     enum vtype type, uint64_t next)
{
	struct name_search *s = ctx;
	bool dots = (len == 1 && name[0] == '.') ||
		    (len == 2 && name[0] == '.' && name[1] == '.');
	if (dots || ino != s->ino)
		return 0;
	memcpy(s->name, name, len);
	s->len = len;
	s->found = true;
	return 1;
}

/* The name under which @parent holds directory @child. */
static int name_in_parent(struct vnode *parent, struct vnode *child,
			  struct name_search *s)
{
	uint64_t cookie = 0;
	int ret;

	s->ino = child->ino;
	s->found = false;
	vnode_lock(parent);
	ret = parent->ops->readdir(parent, &cookie, match_ino, s);
	vnode_unlock(parent);
	if (ret < 0)
		return ret;
	return s->found ? 0 : -ENOENT;
}

/* Prepends "/name" to the path being built backwards from @end. */
static int prepend(char *buf, size_t *pos, const char *name, size_t len)
{
	if (*pos < len + 1)
		return -ERANGE;
	*pos -= len;
	memcpy(buf + *pos, name, len);
	buf[--*pos] = '/';
	return 0;
}

int vfs_getcwd(char *buf, size_t size)
{
	struct name_search s;
	struct vnode *cur = vfs_cwd(), *root = vfs_root(), *up;
	size_t pos = size;
	int ret = -ERANGE;

	s.name = kmalloc(NAME_MAX + 1);
	if (!s.name) {
		ret = -ENOMEM;
		goto out_put;
	}
	if (size == 0)
		goto out_free;
	buf[--pos] = '\0';
	for (;;) {
		if (cur->nlink == 0) {
			ret = -ENOENT; /* the working directory was removed */
			goto out_free;
		}
		if (cur == root)
			break;
		while (cur == cur->mount->root && cur->mount->covered) {
			up = cur->mount->covered;
			vnode_get(up);
			vnode_put(cur);
			cur = up;
		}
		vnode_lock(cur);
		ret = vfs_dir_lookup_locked(cur, "..", 2, &up);
		vnode_unlock(cur);
		if (ret)
			goto out_free;
		ret = name_in_parent(up, cur, &s);
		vnode_put(cur);
		cur = up;
		if (ret)
			goto out_free;
		ret = prepend(buf, &pos, s.name, s.len);
		if (ret)
			goto out_free;
	}
	if (pos == size - 1) {
		ret = prepend(buf, &pos, "", 0);
		if (ret)
			goto out_free;
	}
	memmove(buf, buf + pos, size - pos);
	ret = (int)(size - pos);
out_free:
	kfree(s.name);
out_put:
	vnode_put(root);
	vnode_put(cur);
	return ret;
}
