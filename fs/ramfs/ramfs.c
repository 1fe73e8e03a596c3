/*
 * ramfs nodes and namespace operations.
 *
 * A node is a vnode plus its contents. Each directory entry holds a
 * reference on the node it names, and a directory holds one on its
 * parent (for ".."), so a node lives while it is named or open: unlinking
 * the last name of an open file leaves its data readable until the last
 * close, when the reference count reaches zero and release frees it.
 * Link counts follow Linux: a file counts its names, a directory 2 plus
 * its subdirectories, 0 once removed.
 *
 * All operations run with the vnode locks the VFS contract names
 * (vfs/vnode.h) and allocate before they change anything, so a failed
 * allocation (-ENOSPC) leaves the tree as it was.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#include "ramfs_internal.h"

#define RAMFS_ROOT_INO 1

static const struct vnode_ops ramfs_ops;

static struct ramfs_node *node_alloc(struct mount *mp, unsigned mode)
{
	struct ramfs_mount *rm = mp->fs_data;
	enum vtype type;

	switch (mode & S_IFMT) {
	case S_IFDIR:
		type = VDIR;
		break;
	case S_IFLNK:
		type = VLNK;
		break;
	case S_IFREG:
		type = VREG;
		break;
	default:
		return ERR_PTR(-EINVAL);
	}
	struct ramfs_node *node = kmalloc(sizeof(*node));
	if (!node)
		return ERR_PTR(-ENOSPC);
	uint64_t ino = __atomic_fetch_add(&rm->next_ino, 1, __ATOMIC_RELAXED);
	vnode_init(&node->vn, type, mode, &ramfs_ops, mp, ino);
	memset(&node->data, 0, sizeof(node->data));
	if (type == VDIR) {
		if (ramfs_dir_init(&node->dir)) {
			kfree(node);
			return ERR_PTR(-ENOSPC);
		}
		node->vn.nlink = 2;
	}
	return node;
}

/* Frees a node nothing refers to any more. */
static void node_free(struct ramfs_node *node)
{
	switch (node->vn.type) {
	case VREG:
		ramfs_data_free(&node->data);
		break;
	case VDIR:
		ASSERT(node->dir.parent == NULL || node->dir.parent == node);
		ramfs_dir_free(&node->dir);
		break;
	case VLNK:
		kfree(node->target);
		break;
	default:
		break;
	}
	kfree(node);
}

static void ramfs_release(struct vnode *vn)
{
	ASSERT(vn->refs == 0);
	node_free(ramfs_node(vn));
}

static int ramfs_lookup(struct vnode *vn, const char *name, size_t len,
			struct vnode **out)
{
	struct ramfs_node *dir = ramfs_node(vn);
	struct ramfs_node *found;

	ASSERT(mutex_held(&vn->lock));
	if (len == 1 && name[0] == '.') {
		found = dir;
	} else if (len == 2 && name[0] == '.' && name[1] == '.') {
		found = dir->dir.parent;
		if (!found)
			return -ENOENT;
	} else {
		struct ramfs_dirent *e = ramfs_dir_find_locked(dir, name, len);
		if (!e)
			return -ENOENT;
		found = e->node;
	}
	vnode_get(&found->vn);
	*out = &found->vn;
	return 0;
}

/*
 * Names @node in @dir. The entry takes over the caller's reference on
 * @node; on failure the caller keeps it.
 */
static int add_entry_locked(struct ramfs_node *dir, const char *name,
			    size_t len, struct ramfs_node *node)
{
	struct ramfs_dirent *e = ramfs_dirent_alloc(name, len, node);
	if (!e)
		return -ENOSPC;
	ramfs_dir_insert_locked(dir, e);
	return 0;
}

/* A new node named (@name, @len) in @vn, set up by the caller first. */
static int create_node(struct vnode *vn, const char *name, size_t len,
		       struct ramfs_node *node, struct vnode **out)
{
	struct ramfs_node *dir = ramfs_node(vn);

	ASSERT(mutex_held(&vn->lock));
	if (node->vn.type == VDIR) {
		vnode_get(vn);
		node->dir.parent = dir;
	}
	int ret = add_entry_locked(dir, name, len, node);
	if (ret) {
		if (node->vn.type == VDIR) {
			node->dir.parent = NULL;
			vnode_put(vn);
		}
		vnode_put(&node->vn); /* frees it */
		return ret;
	}
	if (node->vn.type == VDIR)
		vn->nlink++;
	vnode_get(&node->vn);
	*out = &node->vn;
	return 0;
}

static int ramfs_create(struct vnode *vn, const char *name, size_t len,
			unsigned mode, struct vnode **out)
{
	struct ramfs_node *node = node_alloc(vn->mount, mode);
	if (IS_ERR(node))
		return (int)PTR_ERR(node);
	return create_node(vn, name, len, node, out);
}

static int ramfs_symlink(struct vnode *vn, const char *name, size_t len,
			 const char *target, struct vnode **out)
{
	struct ramfs_node *node = node_alloc(vn->mount, S_IFLNK | 0777);
	if (IS_ERR(node))
		return (int)PTR_ERR(node);
	node->target = strdup(target);
	if (!node->target) {
		vnode_put(&node->vn);
		return -ENOSPC;
	}
	node->vn.size = strlen(target);
	return create_node(vn, name, len, node, out);
}

static int ramfs_link(struct vnode *vn, const char *name, size_t len,
		      struct vnode *target)
{
	ASSERT(mutex_held(&vn->lock) && mutex_held(&target->lock));
	vnode_get(target);
	int ret =
		add_entry_locked(ramfs_node(vn), name, len, ramfs_node(target));
	if (ret) {
		vnode_put(target);
		return ret;
	}
	target->nlink++;
	return 0;
}

/* Removes @dir's entry for @node and drops the entry's reference. */
static void drop_entry_locked(struct ramfs_node *dir, const char *name,
			      size_t len, struct ramfs_node *node)
{
	struct ramfs_dirent *e = ramfs_dir_find_locked(dir, name, len);
	ASSERT(e && e->node == node);
	ramfs_dir_remove_locked(dir, e);
	kfree(e);
	/* The caller holds a reference too, so this never releases. */
	ASSERT(node->vn.refs > 1);
	vnode_put(&node->vn);
}

/* Marks directory @node removed from @parent: no "..", no links. */
static void dir_detach_locked(struct ramfs_node *parent,
			      struct ramfs_node *node)
{
	ASSERT(node->dir.parent == parent);
	node->dir.parent = NULL;
	node->vn.nlink = 0;
	parent->vn.nlink--;
	ASSERT(parent->vn.refs > 1); /* the VFS holds it too */
	vnode_put(&parent->vn);
}

static int ramfs_unlink(struct vnode *vn, const char *name, size_t len,
			struct vnode *target)
{
	ASSERT(mutex_held(&vn->lock) && mutex_held(&target->lock));
	ASSERT(target->type != VDIR && target->nlink > 0);
	drop_entry_locked(ramfs_node(vn), name, len, ramfs_node(target));
	target->nlink--;
	return 0;
}

static int ramfs_rmdir(struct vnode *vn, const char *name, size_t len,
		       struct vnode *target)
{
	struct ramfs_node *node = ramfs_node(target);

	ASSERT(mutex_held(&vn->lock) && mutex_held(&target->lock));
	if (node->dir.count)
		return -ENOTEMPTY;
	dir_detach_locked(ramfs_node(vn), node);
	drop_entry_locked(ramfs_node(vn), name, len, node);
	return 0;
}

static int ramfs_rename(struct vnode *fvn, const char *fname, size_t flen,
			struct vnode *vn, struct vnode *tvn, const char *tname,
			size_t tlen, struct vnode *target)
{
	struct ramfs_node *fdir = ramfs_node(fvn), *tdir = ramfs_node(tvn);
	struct ramfs_node *node = ramfs_node(vn);

	if (target && target->type == VDIR && ramfs_node(target)->dir.count)
		return -ENOTEMPTY;
	struct ramfs_dirent *e = ramfs_dirent_alloc(tname, tlen, node);
	if (!e)
		return -ENOSPC;
	/* Nothing can fail from here on: the replacement is atomic. */
	if (target) {
		if (target->type == VDIR)
			dir_detach_locked(tdir, ramfs_node(target));
		else
			target->nlink--;
		drop_entry_locked(tdir, tname, tlen, ramfs_node(target));
	}
	struct ramfs_dirent *old = ramfs_dir_find_locked(fdir, fname, flen);
	ASSERT(old && old->node == node);
	ramfs_dir_remove_locked(fdir, old);
	kfree(old); /* its reference moves to the new entry */
	ramfs_dir_insert_locked(tdir, e);
	if (vn->type == VDIR && fdir != tdir) {
		node->dir.parent = tdir;
		vnode_get(tvn);
		tvn->nlink++;
		fvn->nlink--;
		vnode_put(fvn); /* the VFS holds it too */
	}
	return 0;
}

static ssize_t ramfs_readlink(struct vnode *vn, struct uio *u)
{
	size_t n = MIN((size_t)vn->size, u->len);
	int ret = uio_copy_out(u, ramfs_node(vn)->target, n);
	return ret ? ret : (ssize_t)n;
}

static const struct vnode_ops ramfs_ops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create,
	.symlink = ramfs_symlink,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rmdir = ramfs_rmdir,
	.rename = ramfs_rename,
	.read = ramfs_read,
	.write = ramfs_write,
	.truncate = ramfs_truncate,
	.readdir = ramfs_readdir,
	.readlink = ramfs_readlink,
	.seek_data = ramfs_seek_data,
	.release = ramfs_release,
};

int ramfs_mount(struct mount *mp, const char *source, unsigned long flags)
{
	struct ramfs_mount *rm = kzalloc(sizeof(*rm));
	if (!rm)
		return -ENOMEM;
	rm->next_ino = RAMFS_ROOT_INO;
	mp->fs_data = rm;
	struct ramfs_node *root = node_alloc(mp, S_IFDIR | 0755);
	if (IS_ERR(root)) {
		kfree(rm);
		mp->fs_data = NULL;
		return (int)PTR_ERR(root);
	}
	root->dir.parent = root; /* no reference: ".." of the root is itself */
	mp->root = &root->vn;
	return 0;
}

void ramfs_unmount(struct mount *mp)
{
	kfree(mp->fs_data);
	mp->fs_data = NULL;
}

#define RAMFS_MAGIC 0x858458f6 /* Linux's, for statfs */

int ramfs_statfs(struct mount *mp, struct kstatfs *st)
{
	size_t free = pmm_free_pages();
	*st = (struct kstatfs){
		.type = RAMFS_MAGIC,
		.bsize = PAGE_SIZE,
		.blocks = pmm_total_pages(),
		.bfree = free,
		.bavail = free,
		.files = free,
		.ffree = free,
		.namelen = NAME_MAX,
	};
	return 0;
}
