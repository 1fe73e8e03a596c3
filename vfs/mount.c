/*
 * Filesystem types, mounts, the root and the working directory.
 *
 * The table of filesystem types is static, like OSv's vfssw[]: a type is
 * known by its name. A mount covers a directory vnode: the covered vnode's
 * mounted_here points at the mount, and path lookup steps from it to the
 * mount's root (and back up for ".."). Mounts are never removed today.
 *
 * `mount=MOUNTPOINT,SOURCE` on the command line records mounts, checked as
 * it is parsed; vfs_mount_cmdline() performs them once the root exists.
 * SOURCE is a filesystem name ("ramfs") or a URL whose scheme names one
 * ("nfs://server/export").
 */
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <nfs/nfs.h>
#include <ramfs/ramfs.h>

#include "vfs_internal.h"

static const struct vfs_fstype vfs_fstypes[] = {
	{ .name = "ramfs",
	  .mount = ramfs_mount,
	  .unmount = ramfs_unmount,
	  .statfs = ramfs_statfs },
#ifndef HOST_TEST /* the host unit tests link no NFS */
	{ .name = "nfs",
	  .mount = nfsfs_mount,
	  .unmount = nfsfs_unmount,
	  .statfs = nfsfs_statfs,
	  .sync = nfsfs_sync },
#endif
};

spinlock_t vfs_mount_lock = SPINLOCK_INIT;
static struct list_node mounts = LIST_INIT(mounts); /* under vfs_mount_lock */
static unsigned next_mount_id = 1;		    /* under vfs_mount_lock */

/* The process's root and working directory, each holding a reference. */
static struct {
	spinlock_t lock; /* protects root, cwd */
	struct vnode *root;
	struct vnode *cwd;
} ns = { .lock = SPINLOCK_INIT };
static unsigned umask_bits = 022; /* atomic */

/* Serialises mounting, so two mounts cannot claim the same directory. */
static struct mutex mount_mutex;
static bool mount_mutex_ready;

static const struct vfs_fstype *fstype_find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(vfs_fstypes); i++)
		if (strlen(vfs_fstypes[i].name) == len &&
		    !memcmp(vfs_fstypes[i].name, name, len))
			return &vfs_fstypes[i];
	return NULL;
}

/*
 * The type a mount source names: the source itself ("ramfs") or the
 * scheme of a URL ("nfs" of "nfs://..."). Sets *@name and *@len to what was
 * looked for, for error messages.
 */
static const struct vfs_fstype *
fstype_for_source(const char *source, const char **name, size_t *len)
{
	const char *scheme = strchr(source, ':');

	*name = source;
	*len = strlen(source);
	if (scheme && scheme[1] == '/' && scheme[2] == '/')
		*len = (size_t)(scheme - source);
	return fstype_find(*name, *len);
}

int vfs_statfs(struct vnode *vn, struct kstatfs *st)
{
	memset(st, 0, sizeof(*st));
	if (!vn->mount)
		return -ENOSYS; /* a device outside any filesystem */
	return vn->mount->type->statfs(vn->mount, st);
}

int vfs_sync(void)
{
	int first = 0;

	/* Mounts are never removed from the list: walk it unlocked. */
	spin_lock(&vfs_mount_lock);
	for (struct list_node *pos = mounts.next; pos != &mounts;
	     pos = pos->next) {
		struct mount *mp = list_entry(pos, struct mount, node);
		spin_unlock(&vfs_mount_lock);
		int ret = mp->type->sync ? mp->type->sync(mp) : 0;
		if (ret && !first)
			first = ret;
		spin_lock(&vfs_mount_lock);
	}
	spin_unlock(&vfs_mount_lock);
	return first;
}

struct mount *vfs_mounted_on(struct vnode *vn)
{
	spin_lock(&vfs_mount_lock);
	struct mount *mp = vn->mounted_here;
	spin_unlock(&vfs_mount_lock);
	return mp;
}

/* Creates a mount of @type; on success it owns a reference to its root. */
static int mount_create(const struct vfs_fstype *type, const char *source,
			unsigned long flags, struct mount **out)
{
	struct mount *mp = kzalloc(sizeof(*mp));
	if (!mp)
		return -ENOMEM;
	mp->type = type;
	mutex_init(&mp->rename_lock);
	list_init(&mp->node);
	spin_lock(&vfs_mount_lock);
	mp->id = next_mount_id++;
	spin_unlock(&vfs_mount_lock);
	int ret = type->mount(mp, source, flags);
	if (ret) {
		kfree(mp);
		return ret;
	}
	ASSERT(mp->root && mp->root->type == VDIR);
	*out = mp;
	return 0;
}

int vfs_init(void)
{
	struct mount *mp;

	if (!mount_mutex_ready) {
		mutex_init(&mount_mutex);
		mount_mutex_ready = true;
	}
	ASSERT(!ns.root);
	int ret = mount_create(&vfs_fstypes[0], "ramfs", 0, &mp);
	if (ret)
		return ret;
	spin_lock(&vfs_mount_lock);
	list_add_tail(&mounts, &mp->node);
	spin_unlock(&vfs_mount_lock);
	vnode_get(mp->root);
	spin_lock(&ns.lock);
	ns.root = mp->root;
	ns.cwd = mp->root;
	spin_unlock(&ns.lock);
	return 0;
}

struct vnode *vfs_root(void)
{
	spin_lock(&ns.lock);
	struct vnode *vn = ns.root;
	ASSERT(vn);
	vnode_get(vn);
	spin_unlock(&ns.lock);
	return vn;
}

struct vnode *vfs_cwd(void)
{
	spin_lock(&ns.lock);
	struct vnode *vn = ns.cwd;
	ASSERT(vn);
	vnode_get(vn);
	spin_unlock(&ns.lock);
	return vn;
}

void vfs_set_cwd(struct vnode *vn)
{
	ASSERT(vn->type == VDIR);
	vnode_get(vn);
	spin_lock(&ns.lock);
	struct vnode *old = ns.cwd;
	ns.cwd = vn;
	spin_unlock(&ns.lock);
	vnode_put(old);
}

unsigned vfs_umask(unsigned mask)
{
	return __atomic_exchange_n(&umask_bits, mask & 0777, __ATOMIC_RELAXED);
}

unsigned vfs_umask_get(void)
{
	return __atomic_load_n(&umask_bits, __ATOMIC_RELAXED);
}

/* mkdir -p: the directory @path, created with its parents when missing. */
static int make_mount_point(const char *path, struct vnode **out)
{
	char *buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	size_t len = strnlen(path, PATH_MAX);
	int ret = -ENAMETOOLONG;
	if (len == PATH_MAX)
		goto out_free;
	memcpy(buf, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char saved = buf[i];
		buf[i] = '\0';
		ret = vfs_mkdir(buf, 0755);
		buf[i] = saved;
		if (ret && ret != -EEXIST)
			goto out_free;
	}
	ret = vfs_lookup_at(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
			    out);
out_free:
	kfree(buf);
	return ret;
}

int vfs_mount(const char *path, const char *fstype, const char *source,
	      unsigned long flags)
{
	struct vnode *vn;
	struct mount *mp;
	const struct vfs_fstype *type = fstype_find(fstype, strlen(fstype));
	if (!type)
		return -ENODEV;

	mutex_lock(&mount_mutex);
	int ret = make_mount_point(path, &vn);
	if (ret)
		goto out_unlock;
	ret = -EBUSY;
	if (vn == vn->mount->root)
		goto out_put; /* "/", or a mount point already: no stacking */
	ret = mount_create(type, source, flags, &mp);
	if (ret)
		goto out_put;
	spin_lock(&vfs_mount_lock);
	if (vn->mounted_here) {
		spin_unlock(&vfs_mount_lock);
		vnode_put(mp->root);
		type->unmount(mp);
		kfree(mp);
		ret = -EBUSY;
		goto out_put;
	}
	mp->covered = vn; /* keeps our reference */
	vn->mounted_here = mp;
	list_add_tail(&mounts, &mp->node);
	spin_unlock(&vfs_mount_lock);
	mutex_unlock(&mount_mutex);
	return 0;

out_put:
	vnode_put(vn);
out_unlock:
	mutex_unlock(&mount_mutex);
	return ret;
}

/* Mounts recorded from the command line. */
#define CMDLINE_MOUNTS_MAX 16
static struct {
	const char *value; /* MOUNTPOINT,SOURCE: points into the command line */
	size_t path_len;
} cmdline_mounts[CMDLINE_MOUNTS_MAX];
static unsigned nr_cmdline_mounts;

static int set_mount(const char *name, const char *value, char *err,
		     size_t errlen)
{
	const char *comma = value ? strchr(value, ',') : NULL;
	const char *type_name;
	size_t type_len;

	if (!comma || value[0] != '/' || !comma[1] ||
	    comma - value >= PATH_MAX) {
		snprintf(
			err, errlen,
			"option '%s' needs MOUNTPOINT,SOURCE with an absolute mount point (e.g. /scratch,ramfs), not '%.64s'",
			name, value ? value : "");
		return -EINVAL;
	}
	if (!fstype_for_source(comma + 1, &type_name, &type_len)) {
		snprintf(err, errlen, "option '%s': unknown filesystem '%.*s'",
			 name, (int)MIN(type_len, 64), type_name);
		return -EINVAL;
	}
	if (nr_cmdline_mounts == CMDLINE_MOUNTS_MAX) {
		snprintf(err, errlen, "more than %d mount options",
			 CMDLINE_MOUNTS_MAX);
		return -E2BIG;
	}
	cmdline_mounts[nr_cmdline_mounts].value = value;
	cmdline_mounts[nr_cmdline_mounts++].path_len = (size_t)(comma - value);
	return 0;
}
KPARAM_CUSTOM(
	vfs_mount_option, "mount", "mount=MOUNTPOINT,SOURCE", set_mount, false,
	true,
	"mount SOURCE (ramfs, nfs://SERVER/EXPORT?OPTIONS) on MOUNTPOINT at boot, creating it");

int vfs_mount_cmdline(void)
{
	char *path = kmalloc(PATH_MAX);
	int ret = 0;

	if (!path)
		return -ENOMEM;
	for (unsigned i = 0; i < nr_cmdline_mounts && !ret; i++) {
		const char *value = cmdline_mounts[i].value;
		size_t len = cmdline_mounts[i].path_len;
		const char *source = value + len + 1;
		const char *type_name;
		size_t type_len;

		memcpy(path, value, len);
		path[len] = '\0';
		const struct vfs_fstype *type =
			fstype_for_source(source, &type_name, &type_len);
		ret = type ? vfs_mount(path, type->name, source, 0) : -ENODEV;
		if (ret)
			pr_err("vfs: cannot mount %s on %s (%d)", source, path,
			       ret);
		else
			pr_info("vfs: mounted %s on %s", source, path);
	}
	kfree(path);
	return ret;
}
