/*
 * Vnode life cycle and attributes, and the uio copy helpers.
 *
 * References are plain atomic counts: whoever drops the last one calls the
 * filesystem's release op, which frees the node when nothing names it any
 * more. Attributes live in the vnode under its lock; vfs_setattr() changes
 * them and tells the filesystem through its setattr op.
 */
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

#include "vfs_internal.h"

void vnode_init(struct vnode *vn, enum vtype type, unsigned mode,
		const struct vnode_ops *ops, struct mount *mp, uint64_t ino)
{
	memset(vn, 0, sizeof(*vn));
	vn->type = type;
	vn->mode = mode;
	vn->ops = ops;
	vn->mount = mp;
	vn->ino = ino;
	vn->refs = 1;
	vn->nlink = 1;
	mutex_init(&vn->lock);
	vn->atime = vn->mtime = vn->ctime = vtime_now();
}

void vnode_get(struct vnode *vn)
{
	int old = __atomic_fetch_add(&vn->refs, 1, __ATOMIC_RELAXED);
	ASSERT(old > 0);
}

void vnode_put(struct vnode *vn)
{
	int old = __atomic_fetch_sub(&vn->refs, 1, __ATOMIC_ACQ_REL);
	ASSERT(old > 0);
	if (old == 1 && vn->ops->release)
		vn->ops->release(vn);
}

void vnode_lock(struct vnode *vn)
{
	mutex_lock(&vn->lock);
}

void vnode_unlock(struct vnode *vn)
{
	mutex_unlock(&vn->lock);
}

struct vtime vtime_now(void)
{
	uint64_t ns = clock_realtime_ns();
	return (struct vtime){ .sec = (int64_t)(ns / NSEC_PER_SEC),
			       .nsec = (long)(ns % NSEC_PER_SEC) };
}

void vnode_touch_locked(struct vnode *vn)
{
	ASSERT(mutex_held(&vn->lock));
	vn->mtime = vn->ctime = vtime_now();
}

void vnode_change_locked(struct vnode *vn)
{
	ASSERT(mutex_held(&vn->lock));
	vn->ctime = vtime_now();
}

void vfs_getattr(struct vnode *vn, struct kstat *st)
{
	bool lock = vn->type != VCHR;

	if (lock)
		vnode_lock(vn);
	*st = (struct kstat){
		.dev = vn->mount ? vn->mount->id : 0,
		.ino = vn->ino,
		.nlink = vn->nlink,
		.mode = vn->mode,
		.uid = vn->uid,
		.gid = vn->gid,
		.rdev = vn->rdev,
		.size = vn->size,
		.blksize = PAGE_SIZE,
		.blocks = vn->blocks,
		.atime = vn->atime,
		.mtime = vn->mtime,
		.ctime = vn->ctime,
		.mnt_id = vn->mount ? vn->mount->id : 0,
	};
	if (lock)
		vnode_unlock(vn);
}

int vfs_setattr(struct vnode *vn, const struct vattr *va)
{
	int ret = 0;

	if (!va->mask)
		return 0;
	if ((va->mask & VATTR_SIZE) && vn->type != VREG)
		return vn->type == VDIR ? -EISDIR : -EINVAL;
	vnode_lock(vn);
	if (va->mask & VATTR_SIZE) {
		ret = vn->ops->truncate ? vn->ops->truncate(vn, va->size) :
					  -EINVAL;
		if (ret)
			goto out_unlock;
		vnode_touch_locked(vn);
	}
	if (va->mask & VATTR_MODE)
		vn->mode = (vn->mode & S_IFMT) | (va->mode & S_IALLUGO);
	if (va->mask & VATTR_UID)
		vn->uid = va->uid;
	if (va->mask & VATTR_GID)
		vn->gid = va->gid;
	if (va->mask & VATTR_ATIME)
		vn->atime = va->atime;
	if (va->mask & VATTR_MTIME)
		vn->mtime = va->mtime;
	if (va->mask & VATTR_ATIME_NOW)
		vn->atime = vtime_now();
	if (va->mask & VATTR_MTIME_NOW)
		vn->mtime = vtime_now();
	vnode_change_locked(vn);
	if (vn->ops->setattr)
		ret = vn->ops->setattr(vn, va);
out_unlock:
	vnode_unlock(vn);
	return ret;
}

/*
 * The program runs as root: read and write are always allowed, execute
 * needs an execute bit somewhere (or a directory), as Linux grants root.
 */
int vnode_access(struct vnode *vn, int mask)
{
	if (mask & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if ((mask & X_OK) && vn->type != VDIR && !(vn->mode & 0111))
		return -EACCES;
	return 0;
}

int uio_copy_out(struct uio *u, const void *src, size_t n)
{
	ASSERT(n <= u->len);
	if (u->user) {
		if (copy_to_user(u->base, src, n))
			return -EFAULT;
	} else {
		memcpy(u->base, src, n);
	}
	u->base += n;
	u->len -= n;
	return 0;
}

int uio_copy_in(struct uio *u, void *dst, size_t n)
{
	ASSERT(n <= u->len);
	if (u->user) {
		if (copy_from_user(dst, u->base, n))
			return -EFAULT;
	} else {
		memcpy(dst, u->base, n);
	}
	u->base += n;
	u->len -= n;
	return 0;
}

int uio_zero_out(struct uio *u, size_t n)
{
	ASSERT(n <= u->len);
	if (u->user) {
		if (clear_user(u->base, n))
			return -EFAULT;
	} else {
		memset(u->base, 0, n);
	}
	u->base += n;
	u->len -= n;
	return 0;
}
