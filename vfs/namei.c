/*
 * Namespace operations: mkdir, symlink, link, unlink, rmdir, rename.
 *
 * Each walks to the parent directory of its last component, locks it,
 * looks the name up again under the lock (so the check and the change are
 * one step), then calls the filesystem with the locks its op's contract
 * names (vfs/vnode.h). Rename additionally holds the mount's rename_lock,
 * under which directories cannot move: the ancestry checks it makes
 * before locking stay true until it is done.
 */
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#include "vfs_internal.h"

/* The parent of a new name: walks, then rejects names that cannot be made. */
static int walk_for_create(struct nameidata *nd, int dirfd, const char *path,
			   bool dir_ok)
{
	int ret = nd_walk_parent(nd, dirfd, path);
	if (ret)
		return ret;
	if (nd->last_len == 0 || nd_last_is_dots(nd))
		return -EEXIST;
	if (nd->trailing_slash && !dir_ok)
		return -ENOENT; /* "new/" can only name a directory */
	return 0;
}

/*
 * nd->dir locked: 0 when the name is free, -EEXIST when it is taken,
 * -ENOENT when the directory was removed.
 */
static int check_absent_locked(struct nameidata *nd)
{
	struct vnode *vn;

	if (nd->dir->nlink == 0)
		return -ENOENT;
	int ret = vfs_dir_lookup_locked(nd->dir, nd->last, nd->last_len, &vn);
	if (ret == 0) {
		vnode_put(vn);
		return -EEXIST;
	}
	return ret == -ENOENT ? 0 : ret;
}

/*
 * Makes the last component of path: a symlink to target, or a directory
 * with mode when target is NULL.
 */
static int make_at(int dirfd, const char *path, unsigned mode,
		   const char *target)
{
	struct nameidata nd;
	struct vnode *vn;

	int ret = walk_for_create(&nd, dirfd, path, !target);
	if (ret)
		goto out_release;
	vnode_lock(nd.dir);
	ret = check_absent_locked(&nd);
	if (ret)
		goto out_unlock;
	const struct vnode_ops *ops = nd.dir->ops;
	ret = -EPERM;
	if (target && ops->symlink)
		ret = ops->symlink(nd.dir, nd.last, nd.last_len, target, &vn);
	else if (!target && ops->create)
		ret = ops->create(nd.dir, nd.last, nd.last_len, mode, &vn);
	if (ret)
		goto out_unlock;
	vnode_touch_locked(nd.dir);
	vnode_put(vn);
out_unlock:
	vnode_unlock(nd.dir);
out_release:
	nd_release(&nd);
	return ret;
}

int vfs_mkdirat(int dirfd, const char *path, unsigned mode)
{
	mode = S_IFDIR | (mode & (S_IRWXUGO | S_ISVTX) & ~vfs_umask_get());
	return make_at(dirfd, path, mode, NULL);
}

int vfs_symlinkat(const char *target, int dirfd, const char *path)
{
	size_t len = strnlen(target, PATH_MAX);
	if (len == 0)
		return -ENOENT;
	if (len == PATH_MAX)
		return -ENAMETOOLONG;
	return make_at(dirfd, path, 0, target);
}

int vfs_linkat(int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, int flags)
{
	struct nameidata nd;
	struct vnode *vn;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	unsigned lf = (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	int ret = vfs_lookup_at(olddirfd, oldpath, lf, &vn);
	if (ret)
		return ret;
	ret = -EPERM;
	if (vn->type == VDIR)
		goto out_put;
	ret = walk_for_create(&nd, newdirfd, newpath, false);
	if (ret)
		goto out_release;
	ret = -EXDEV;
	if (nd.dir->mount != vn->mount)
		goto out_release;
	vnode_lock(nd.dir);
	ret = check_absent_locked(&nd);
	if (ret)
		goto out_unlock_dir;
	vnode_lock(vn);
	ret = -ENOENT; /* unlinked while open: no way back into the tree */
	if (vn->nlink == 0)
		goto out_unlock_vn;
	ret = -EPERM;
	if (!nd.dir->ops->link)
		goto out_unlock_vn;
	ret = nd.dir->ops->link(nd.dir, nd.last, nd.last_len, vn);
	if (ret)
		goto out_unlock_vn;
	vnode_change_locked(vn);
	vnode_touch_locked(nd.dir);
out_unlock_vn:
	vnode_unlock(vn);
out_unlock_dir:
	vnode_unlock(nd.dir);
out_release:
	nd_release(&nd);
out_put:
	vnode_put(vn);
	return ret;
}

static bool is_mount_root(struct vnode *vn)
{
	return vn->mount && vn == vn->mount->root;
}

int vfs_unlinkat(int dirfd, const char *path, int flags)
{
	struct nameidata nd;
	struct vnode *vn = NULL;
	bool rmdir = flags & AT_REMOVEDIR;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	int ret = nd_walk_parent(&nd, dirfd, path);
	if (ret)
		goto out_release;
	if (nd.last_len == 0) {
		ret = rmdir ? -EBUSY : -EISDIR;
		goto out_release;
	}
	if (nd_last_is_dots(&nd)) {
		ret = !rmdir	       ? -EISDIR :
		      nd.last_len == 1 ? -EINVAL :
					 -ENOTEMPTY;
		goto out_release;
	}
	vnode_lock(nd.dir);
	ret = vfs_dir_lookup_locked(nd.dir, nd.last, nd.last_len, &vn);
	if (ret)
		goto out_unlock_dir;
	if (rmdir && vn->type != VDIR)
		ret = -ENOTDIR;
	else if (!rmdir && vn->type == VDIR)
		ret = -EISDIR;
	else if (!rmdir && nd.trailing_slash)
		ret = -ENOTDIR;
	else if (vfs_mounted_on(vn) || is_mount_root(vn))
		ret = -EBUSY;
	if (ret)
		goto out_unlock_dir;
	vnode_lock(vn);
	if (rmdir)
		ret = nd.dir->ops->rmdir ? nd.dir->ops->rmdir(nd.dir, nd.last,
							      nd.last_len, vn) :
					   -EPERM;
	else
		ret = nd.dir->ops->unlink ?
			      nd.dir->ops->unlink(nd.dir, nd.last, nd.last_len,
						  vn) :
			      -EPERM;
	if (!ret) {
		vnode_change_locked(vn);
		vnode_touch_locked(nd.dir);
	}
	vnode_unlock(vn);
out_unlock_dir:
	vnode_unlock(nd.dir);
	if (vn)
		vnode_put(vn);
out_release:
	nd_release(&nd);
	return ret;
}

/*
 * Whether directory @top is @d or one of its ancestors within their mount.
 * When it is, *@below (referenced, or NULL when @d == @top) is the
 * directory on the way up whose parent is @top. Rename lock held.
 */
static int find_ancestor(struct vnode *top, struct vnode *d,
			 struct vnode **below)
{
	struct vnode *cur = d, *prev = NULL, *up;
	int ret = 0;

	*below = NULL;
	vnode_get(cur);
	while (cur != top) {
		if (cur == cur->mount->root) {
			ret = 0;
			goto out;
		}
		vnode_lock(cur);
		ret = vfs_dir_lookup_locked(cur, "..", 2, &up);
		vnode_unlock(cur);
		if (ret)
			goto out;
		if (prev)
			vnode_put(prev);
		prev = cur;
		cur = up;
	}
	*below = prev;
	prev = NULL;
	ret = 1;
out:
	if (prev)
		vnode_put(prev);
	vnode_put(cur);
	return ret;
}

/* Locks two vnodes (possibly the same), @first first unless equal. */
static void lock_two(struct vnode *first, struct vnode *second)
{
	vnode_lock(first);
	if (second && second != first)
		vnode_lock(second);
}

static void unlock_two(struct vnode *a, struct vnode *b)
{
	if (b && b != a)
		vnode_unlock(b);
	vnode_unlock(a);
}

/* The part of rename that runs with both directories locked. */
static int rename_locked(struct nameidata *from, struct nameidata *to,
			 unsigned flags, struct vnode *below_from,
			 struct vnode *below_to)
{
	struct vnode *fdir = from->dir, *tdir = to->dir, *vn, *target = NULL;
	int ret = vfs_dir_lookup_locked(fdir, from->last, from->last_len, &vn);
	if (ret)
		return ret;
	ret = vfs_dir_lookup_locked(tdir, to->last, to->last_len, &target);
	if (ret == -ENOENT && tdir->nlink) {
		target = NULL; /* a new name */
		ret = 0;
	}
	if (ret)
		goto out_put;
	if (vn->type != VDIR && (from->trailing_slash || to->trailing_slash)) {
		ret = -ENOTDIR;
		goto out_put;
	}
	if (target == vn) {
		ret = 0; /* two names of one file: nothing to do */
		goto out_put;
	}
	if (target && (flags & RENAME_NOREPLACE)) {
		ret = -EEXIST;
		goto out_put;
	}
	if (vfs_mounted_on(vn) || is_mount_root(vn) ||
	    (target && (vfs_mounted_on(target) || is_mount_root(target)))) {
		ret = -EBUSY;
		goto out_put;
	}
	if (vn->type == VDIR) {
		if (target && target->type != VDIR)
			ret = -ENOTDIR;
		else if (vn == below_from)
			ret = -EINVAL; /* into itself */
		else if (target && target == below_to)
			ret = -ENOTEMPTY; /* onto an ancestor of itself */
	} else if (target && target->type == VDIR) {
		ret = -EISDIR;
	}
	if (ret)
		goto out_put;
	ret = -EPERM;
	if (!fdir->ops->rename)
		goto out_put;
	lock_two(MIN(vn, target ? target : vn), MAX(vn, target));
	ret = fdir->ops->rename(fdir, from->last, from->last_len, vn, tdir,
				to->last, to->last_len, target);
	if (!ret) {
		vnode_change_locked(vn);
		if (target)
			vnode_change_locked(target);
	}
	unlock_two(MIN(vn, target ? target : vn), MAX(vn, target));
	if (!ret) {
		vnode_touch_locked(fdir);
		if (tdir != fdir)
			vnode_touch_locked(tdir);
	}
out_put:
	vnode_put(vn);
	if (target)
		vnode_put(target);
	return ret;
}

int vfs_renameat(int olddirfd, const char *oldpath, int newdirfd,
		 const char *newpath, unsigned flags)
{
	struct nameidata from, to;
	struct vnode *below_from = NULL, *below_to = NULL;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL; /* RENAME_EXCHANGE, RENAME_WHITEOUT: unsupported */
	memset(&to, 0, sizeof(to));
	int ret = nd_walk_parent(&from, olddirfd, oldpath);
	if (ret)
		goto out_release;
	ret = nd_walk_parent(&to, newdirfd, newpath);
	if (ret)
		goto out_release;
	ret = -EXDEV;
	if (from.dir->mount != to.dir->mount)
		goto out_release;
	ret = -EBUSY;
	if (from.last_len == 0 || nd_last_is_dots(&from))
		goto out_release;
	if (to.last_len == 0 || nd_last_is_dots(&to)) {
		ret = (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
		goto out_release;
	}

	struct mount *mp = from.dir->mount;
	mutex_lock(&mp->rename_lock);
	/* Which directory holds the other decides the lock order. */
	int from_above = find_ancestor(from.dir, to.dir, &below_from);
	int to_above =
		from_above > 0 ? 0 : find_ancestor(to.dir, from.dir, &below_to);
	if (from_above < 0 || to_above < 0) {
		ret = from_above < 0 ? from_above : to_above;
		goto out_unlock_rename;
	}
	if (from_above > 0)
		lock_two(from.dir, to.dir);
	else if (to_above > 0)
		lock_two(to.dir, from.dir);
	else
		lock_two(MIN(from.dir, to.dir), MAX(from.dir, to.dir));
	ret = rename_locked(&from, &to, flags, below_from, below_to);
	unlock_two(from.dir, to.dir);
out_unlock_rename:
	mutex_unlock(&mp->rename_lock);
	if (below_from)
		vnode_put(below_from);
	if (below_to)
		vnode_put(below_to);
out_release:
	nd_release(&from);
	nd_release(&to);
	return ret;
}

int vfs_mkdir(const char *path, unsigned mode)
{
	return vfs_mkdirat(AT_FDCWD, path, mode);
}

int vfs_symlink(const char *target, const char *path)
{
	return vfs_symlinkat(target, AT_FDCWD, path);
}

int vfs_link(const char *from, const char *to)
{
	return vfs_linkat(AT_FDCWD, from, AT_FDCWD, to, 0);
}

int vfs_unlink(const char *path)
{
	return vfs_unlinkat(AT_FDCWD, path, 0);
}

int vfs_rmdir(const char *path)
{
	return vfs_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

int vfs_rename(const char *from, const char *to)
{
	return vfs_renameat(AT_FDCWD, from, AT_FDCWD, to, 0);
}
