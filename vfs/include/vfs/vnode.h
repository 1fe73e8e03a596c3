/*
 * The filesystem interface: vnodes, their operations, mounts and
 * filesystem types. This is what a filesystem (fs/ramfs, later fs/nfs)
 * implements; the rest of the kernel uses vfs/vfs.h.
 *
 * A vnode is one file, directory, symbolic link or device. Filesystems
 * embed it in their own node. Its reference count counts everything that
 * keeps it alive: open files, the working directory, lookups in progress,
 * mounts, and (in ramfs) the directory entries naming it. When the count
 * drops to zero the filesystem's release op decides what happens.
 *
 * Locking: the VFS takes vnode locks, never the filesystem. Each op below
 * says which vnodes are locked when it is called; they are still locked
 * when it returns. Order: a directory before its entries; two directories
 * (rename only, under the mount's rename_lock) ancestor first, else by
 * address. No vnode lock is held while taking a file's position lock.
 */
#ifndef VFS_VNODE_H
#define VFS_VNODE_H

#include <kernel/list.h>
#include <kernel/types.h>
#include <kernel/waitq.h>
#include <vfs/uio.h>

struct kstatfs;
struct mount;
struct vattr;

enum vtype {
	VNON = 0,
	VREG, /* regular file */
	VDIR, /* directory */
	VLNK, /* symbolic link */
	VCHR, /* character device */
};

/* A point in wall-clock time. */
struct vtime {
	int64_t sec;
	long nsec;
};

struct vnode {
	/* Set at creation, never changed. */
	enum vtype type;
	uint64_t ino;
	struct mount *mount; /* NULL for devices outside any filesystem */
	const struct vnode_ops *ops;
	int refs; /* atomic (__atomic builtins) */

	struct mutex lock; /* protects the fields below and the fs's data */
	unsigned mode;	   /* S_IFMT type and permission bits */
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t size;
	uint64_t blocks; /* 512-byte units of storage in use */
	uint64_t rdev;	 /* devices: Linux dev_t */
	struct vtime atime, mtime, ctime;

	struct mount *mounted_here; /* protected by the global mount lock */
};

/*
 * Called by readdir for each entry. @next is the cookie that resumes after
 * this entry. Returns 0 to go on, non-zero when there is no room (the entry
 * is then not consumed and the cookie stays before it).
 */
typedef int (*vfs_filldir_fn)(void *ctx, const char *name, size_t len,
			      uint64_t ino, enum vtype type, uint64_t next);

/*
 * Operations. Names are (@name, @len), not NUL-terminated, never "." or
 * ".." except for lookup, and at most NAME_MAX bytes. A NULL op means the
 * VFS default: -EPERM for namespace ops, -EINVAL for data ops. A vnode
 * returned through @out carries a reference for the caller.
 */
struct vnode_ops {
	/* @dir locked. "." and ".." included; -ENOENT when absent. */
	int (*lookup)(struct vnode *dir, const char *name, size_t len,
		      struct vnode **out);
	/*
	 * @dir locked; the name is absent (checked by the VFS under the same
	 * lock). Makes a regular file or a directory as @mode's type says,
	 * with @mode's permission bits.
	 */
	int (*create)(struct vnode *dir, const char *name, size_t len,
		      unsigned mode, struct vnode **out);
	/* @dir locked; the name is absent. */
	int (*symlink)(struct vnode *dir, const char *name, size_t len,
		       const char *target, struct vnode **out);
	/* @dir and @vn locked; the name is absent; @vn is not a directory. */
	int (*link)(struct vnode *dir, const char *name, size_t len,
		    struct vnode *vn);
	/* @dir and @vn (what the name maps to, not a directory) locked. */
	int (*unlink)(struct vnode *dir, const char *name, size_t len,
		      struct vnode *vn);
	/* @dir and @vn (a directory) locked; -ENOTEMPTY unless empty. */
	int (*rmdir)(struct vnode *dir, const char *name, size_t len,
		     struct vnode *vn);
	/*
	 * @fdir, @tdir, @vn and @target (when the new name exists) locked,
	 * mount's rename_lock held. The VFS has checked: same mount, types
	 * compatible, no directory moved below itself, @vn != @target. Must
	 * replace @target atomically; -ENOTEMPTY for a non-empty directory.
	 */
	int (*rename)(struct vnode *fdir, const char *fname, size_t flen,
		      struct vnode *vn, struct vnode *tdir, const char *tname,
		      size_t tlen, struct vnode *target);
	/*
	 * Regular files: @vn locked, returns bytes moved (0 at or after the
	 * end), or a negative errno when nothing was moved. Devices: no lock
	 * held, @off ignored.
	 */
	ssize_t (*read)(struct vnode *vn, struct uio *u, uint64_t off);
	/* As read; extends vn->size when writing past it. */
	ssize_t (*write)(struct vnode *vn, struct uio *u, uint64_t off);
	/* @vn (regular) locked: sets the size, freeing or zero-filling. */
	int (*truncate)(struct vnode *vn, uint64_t size);
	/*
	 * @dir locked. Emits entries from *@cookie on (0: the start, "." and
	 * ".." included), advancing *@cookie past each one @fill accepts.
	 * Cookies stay valid while entries come and go.
	 */
	int (*readdir)(struct vnode *dir, uint64_t *cookie, vfs_filldir_fn fill,
		       void *ctx);
	/* @vn (a link) locked: copies up to u->len bytes of the target. */
	ssize_t (*readlink)(struct vnode *vn, struct uio *u);
	/*
	 * @vn locked, after the VFS stored the new attributes in the vnode:
	 * for filesystems that keep them elsewhere too. NULL: nothing to do.
	 */
	int (*setattr)(struct vnode *vn, const struct vattr *va);
	/* @vn locked: offset of the next data (@hole false) or hole. */
	int (*seek_data)(struct vnode *vn, uint64_t off, bool hole,
			 uint64_t *out);
	/* @vn locked. NULL: nothing to write back. */
	int (*fsync)(struct vnode *vn);
	/*
	 * @vn (regular) locked: a descriptor of a file open for writing was
	 * closed; what close() returns (a write that failed after write()
	 * returned, say). NULL: nothing to do.
	 */
	int (*flush)(struct vnode *vn);
	/*
	 * Devices and sockets, nothing locked: an ioctl the VFS does not
	 * answer itself. NULL: -ENOTTY.
	 */
	long (*ioctl)(struct vnode *vn, unsigned cmd, long arg);
	/* Nothing locked: the file's O_NONBLOCK changed. NULL: nothing to do. */
	void (*set_nonblock)(struct vnode *vn, bool on);
	/*
	 * Nothing locked: which of @events (POLLIN, POLLOUT) hold now, plus
	 * POLLHUP/POLLERR. A change calls vfs_poll_wake(). NULL: always ready.
	 */
	short (*poll)(struct vnode *vn, short events);
	/* The last reference went; nothing locked. NULL: nothing to do. */
	void (*release)(struct vnode *vn);
};

/* Sets up a vnode a filesystem made: one reference, times now, unlocked. */
void vnode_init(struct vnode *vn, enum vtype type, unsigned mode,
		const struct vnode_ops *ops, struct mount *mp, uint64_t ino);
/* Takes a reference. */
void vnode_get(struct vnode *vn);
/* Drops a reference; the last one calls ops->release. No lock held. */
void vnode_put(struct vnode *vn);
void vnode_lock(struct vnode *vn);
void vnode_unlock(struct vnode *vn);
/* The current wall-clock time. */
struct vtime vtime_now(void);
/* Marks @vn modified now (mtime and ctime); @vn locked. */
void vnode_touch_locked(struct vnode *vn);
/* Marks @vn changed now (ctime); @vn locked. */
void vnode_change_locked(struct vnode *vn);

/* A filesystem type, one entry of the VFS's static table. */
struct vfs_fstype {
	const char *name;
	/*
	 * Sets mp->root (one reference, owned by the mount) and mp->fs_data.
	 * @source is what the mount names ("ramfs", a URL, ...).
	 */
	int (*mount)(struct mount *mp, const char *source, unsigned long flags);
	/* Frees what mount made; mp->root has been released already. */
	void (*unmount)(struct mount *mp);
	/* Space and files, for statfs(2). */
	int (*statfs)(struct mount *mp, struct kstatfs *st);
	/*
	 * Everything written reaches storage, before the VM powers off:
	 * the first error. NULL: nothing is kept back.
	 */
	int (*sync)(struct mount *mp);
};

struct mount {
	const struct vfs_fstype *type; /* set at creation, never changed */
	struct vnode *root;	       /* set by the fs's mount op */
	struct vnode *covered;	       /* NULL for "/" */
	unsigned id;		       /* st_dev and statx mnt_id */
	void *fs_data;
	struct mutex rename_lock; /* serialises renames within the mount */
	struct list_node node;	  /* global list, under the mount lock */
};

#endif
