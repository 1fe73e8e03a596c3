/*
 * Path lookup.
 *
 * A walk copies the path into a PATH_MAX buffer and consumes it one
 * component at a time, holding a reference on the current directory and
 * its lock only for the filesystem's lookup op. A symbolic link met on the
 * way is spliced into the buffer in place of the consumed part: the rest
 * of the walk becomes "target/rest" (from the root when the target is
 * absolute), and after SYMLOOP_MAX links the walk fails with -ELOOP.
 *
 * Mounts: a component that lands on a covered directory continues at the
 * mount's root; ".." at a mount's root continues from the covered
 * directory, so ".." there is the covered directory's parent. ".." at the
 * root of everything stays there.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#include "vfs_internal.h"

/* The directory a walk starts from, referenced. */
static int start_dir(int dirfd, const char *path, struct vnode **out)
{
	if (path[0] == '/') {
		*out = vfs_root();
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		*out = vfs_cwd();
		return 0;
	}
	struct file *f = fd_get(dirfd);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	int ret = -ENOTDIR;
	if (f->vn->type == VDIR) {
		vnode_get(f->vn);
		*out = f->vn;
		ret = 0;
	}
	file_put(f);
	return ret;
}

int vfs_dir_lookup_locked(struct vnode *dir, const char *name, size_t len,
			  struct vnode **out)
{
	ASSERT(mutex_held(&dir->lock));
	if (dir->type != VDIR)
		return -ENOTDIR;
	if (dir->nlink == 0)
		return -ENOENT; /* removed: nothing can be found in it */
	if (!dir->ops->lookup)
		return -ENOENT;
	return dir->ops->lookup(dir, name, len, out);
}

static bool is_global_root(struct vnode *vn)
{
	return vn == vn->mount->root && !vn->mount->covered;
}

/*
 * One step from directory @dir (referenced, not locked) to its entry
 * @name, crossing mounts both ways. The result is referenced; @dir keeps
 * its reference.
 */
static int step(struct vnode *dir, const char *name, size_t len,
		struct vnode **out)
{
	struct vnode *cur = dir, *child;
	int ret;

	if (dir->type != VDIR)
		return -ENOTDIR;
	vnode_get(cur);
	if (len == 1 && name[0] == '.') {
		*out = cur;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (is_global_root(cur)) {
			*out = cur;
			return 0;
		}
		/* Up out of mounts: ".." of a mount root is the covered dir's. */
		while (cur->mount && cur == cur->mount->root &&
		       cur->mount->covered) {
			struct vnode *covered = cur->mount->covered;
			vnode_get(covered);
			vnode_put(cur);
			cur = covered;
		}
	}
	vnode_lock(cur);
	ret = vfs_dir_lookup_locked(cur, name, len, &child);
	vnode_unlock(cur);
	vnode_put(cur);
	if (ret)
		return ret;
	/* Down into mounts: a covered directory is seen as the mount's root. */
	for (struct mount *mp; (mp = vfs_mounted_on(child));) {
		vnode_get(mp->root);
		vnode_put(child);
		child = mp->root;
	}
	*out = child;
	return 0;
}

/*
 * Replaces the walked part of nd->buf with @link's target: the buffer
 * becomes "target" + "/" + @rest (no "/" when @rest is empty), and the
 * walk restarts at the root for an absolute target.
 */
static int splice_link(struct nameidata *nd, struct vnode *link,
		       const char *rest)
{
	size_t rest_len = strlen(rest);
	ssize_t n;

	if (++nd->links > SYMLOOP_MAX)
		return -ELOOP;
	/* Park the rest at the end of the buffer, then read the target. */
	char *parked = nd->buf + PATH_MAX - rest_len;
	memmove(parked, rest, rest_len + 1);
	size_t room = PATH_MAX - rest_len - (rest_len ? 1 : 0);
	struct uio u = { .base = nd->buf, .len = room, .user = false };
	vnode_lock(link);
	if (link->size >= room)
		n = -ENAMETOOLONG;
	else
		n = link->ops->readlink ? link->ops->readlink(link, &u) :
					  -EINVAL;
	vnode_unlock(link);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT;
	if (rest_len) {
		nd->buf[n] = '/';
		memmove(nd->buf + n + 1, parked, rest_len + 1);
	} else {
		nd->buf[n] = '\0';
	}
	if (nd->buf[0] == '/') {
		vnode_put(nd->dir);
		nd->dir = vfs_root();
	}
	return 0;
}

/* Walks nd->buf from nd->dir up to its last component. */
static int walk(struct nameidata *nd)
{
	const char *p = nd->buf;

	for (;;) {
		while (*p == '/')
			p++;
		const char *name = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - name);
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		const char *after = p;
		while (*after == '/')
			after++;
		if (!*after) {
			/* The last component (empty for "/" or ""). */
			nd->last = name;
			nd->last_len = len;
			nd->trailing_slash = len && *p == '/';
			return nd->dir->type == VDIR ? 0 : -ENOTDIR;
		}
		struct vnode *child;
		int ret = step(nd->dir, name, len, &child);
		if (ret)
			return ret;
		if (child->type == VLNK) {
			ret = splice_link(nd, child, after);
			vnode_put(child);
			if (ret)
				return ret;
			p = nd->buf;
			continue;
		}
		vnode_put(nd->dir);
		nd->dir = child;
		p = after;
	}
}

int nd_walk_parent(struct nameidata *nd, int dirfd, const char *path)
{
	memset(nd, 0, sizeof(*nd));
	size_t len = strnlen(path, PATH_MAX);
	if (len == PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	nd->buf = kmalloc(PATH_MAX + 1);
	if (!nd->buf)
		return -ENOMEM;
	memcpy(nd->buf, path, len + 1);
	int ret = start_dir(dirfd, path, &nd->dir);
	if (ret)
		return ret;
	return walk(nd);
}

int nd_follow_last(struct nameidata *nd, struct vnode *link)
{
	/* The last component's own trailing '/' survives the splice. */
	int ret = splice_link(nd, link, nd->trailing_slash ? "/" : "");
	if (ret)
		return ret;
	return walk(nd);
}

void nd_release(struct nameidata *nd)
{
	if (nd->dir)
		vnode_put(nd->dir);
	kfree(nd->buf);
	nd->dir = NULL;
	nd->buf = NULL;
}

bool nd_last_is_dots(const struct nameidata *nd)
{
	return (nd->last_len == 1 && nd->last[0] == '.') ||
	       (nd->last_len == 2 && nd->last[0] == '.' && nd->last[1] == '.');
}

int vfs_lookup_at(int dirfd, const char *path, unsigned flags,
		  struct vnode **out)
{
	struct nameidata nd;
	struct vnode *vn;
	int ret;

	if ((flags & LOOKUP_EMPTY) && path[0] == '\0') {
		if (dirfd == AT_FDCWD) {
			*out = vfs_cwd();
			return 0;
		}
		struct file *f = fd_get(dirfd);
		if (IS_ERR(f))
			return (int)PTR_ERR(f);
		vnode_get(f->vn);
		*out = f->vn;
		file_put(f);
		return 0;
	}
	ret = nd_walk_parent(&nd, dirfd, path);
	while (!ret) {
		if (nd.last_len == 0) {
			vn = nd.dir;
			vnode_get(vn);
			break;
		}
		ret = step(nd.dir, nd.last, nd.last_len, &vn);
		if (ret)
			break;
		if (vn->type == VLNK &&
		    ((flags & LOOKUP_FOLLOW) || nd.trailing_slash)) {
			ret = nd_follow_last(&nd, vn);
			vnode_put(vn);
			continue;
		}
		break;
	}
	if (!ret && (nd.trailing_slash || (flags & LOOKUP_DIRECTORY)) &&
	    vn->type != VDIR) {
		vnode_put(vn);
		ret = -ENOTDIR;
	}
	nd_release(&nd);
	if (!ret)
		*out = vn;
	return ret;
}

/* Creates regular file nd->last in nd->dir (locked): open(O_CREAT). */
static int create_locked(struct nameidata *nd, unsigned mode,
			 struct vnode **out)
{
	struct vnode *dir = nd->dir;
	if (!dir->ops->create)
		return -EPERM;
	mode = S_IFREG | (mode & S_IALLUGO & ~vfs_umask_get());
	int ret = dir->ops->create(dir, nd->last, nd->last_len, mode, out);
	if (!ret)
		vnode_touch_locked(dir);
	return ret;
}

int vfs_lookup_open(int dirfd, const char *path, int flags, unsigned mode,
		    struct vnode **out, bool *created)
{
	struct nameidata nd;
	struct vnode *vn = NULL;
	int ret;

	*created = false;
	if (!(flags & O_CREAT)) {
		unsigned lf = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
		if (flags & O_DIRECTORY)
			lf |= LOOKUP_DIRECTORY;
		ret = vfs_lookup_at(dirfd, path, lf, &vn);
		if (ret)
			return ret;
		if (vn->type == VLNK && !(flags & O_PATH)) {
			vnode_put(vn);
			return -ELOOP; /* O_NOFOLLOW on a link */
		}
		*out = vn;
		return 0;
	}

	ret = nd_walk_parent(&nd, dirfd, path);
	while (!ret) {
		if (nd.last_len == 0 || nd.trailing_slash ||
		    nd_last_is_dots(&nd)) {
			ret = -EISDIR;
			break;
		}
		vnode_lock(nd.dir);
		ret = vfs_dir_lookup_locked(nd.dir, nd.last, nd.last_len, &vn);
		if (ret == -ENOENT && nd.dir->nlink) {
			ret = create_locked(&nd, mode, &vn);
			*created = !ret;
			vnode_unlock(nd.dir);
			break;
		}
		vnode_unlock(nd.dir);
		if (ret)
			break;
		if (flags & O_EXCL) {
			ret = -EEXIST;
		} else if (vn->type == VLNK) {
			if (flags & O_NOFOLLOW) {
				ret = -ELOOP;
			} else {
				/* Follow, creating the target if dangling. */
				ret = nd_follow_last(&nd, vn);
				vnode_put(vn);
				vn = NULL;
				continue;
			}
		} else {
			for (struct mount *mp; (mp = vfs_mounted_on(vn));) {
				vnode_get(mp->root);
				vnode_put(vn);
				vn = mp->root;
			}
		}
		if (ret) {
			vnode_put(vn);
			vn = NULL;
		}
		break;
	}
	nd_release(&nd);
	if (!ret)
		*out = vn;
	return ret;
}
