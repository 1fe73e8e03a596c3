/*
 * Private to vfs/: path walking state and the pieces the syscall files
 * share with the core. Other subsystems use <vfs/vfs.h>.
 */
#ifndef VFS_INTERNAL_H
#define VFS_INTERNAL_H

#include <vfs/vfs.h>

/* vfs_lookup_at() flags. */
#define LOOKUP_FOLLOW 0x1    /* follow a final symbolic link */
#define LOOKUP_DIRECTORY 0x2 /* the result must be a directory */
#define LOOKUP_EMPTY 0x4     /* "" means @dirfd itself (AT_EMPTY_PATH) */

/*
 * A path being walked. nd_walk_parent() leaves @dir (referenced) on the
 * directory that holds the last component @last (inside @buf; @last_len
 * is 0 when the path names a directory itself, as "/" does).
 */
struct nameidata {
	char *buf;	   /* PATH_MAX + 1 bytes: the path being walked */
	struct vnode *dir; /* referenced */
	const char *last;
	size_t last_len;
	bool trailing_slash; /* the last component was followed by '/' */
	unsigned links;	     /* symbolic links followed so far */
};

/* Walks all but the last component of @path, from @dirfd. */
int nd_walk_parent(struct nameidata *nd, int dirfd, const char *path);
/*
 * Follows link @link found as nd->last: the rest of the walk becomes its
 * target (and a '/' when the last component had one), walked from
 * nd->dir, or the root when the target is absolute.
 */
int nd_follow_last(struct nameidata *nd, struct vnode *link);
/* Drops what a walk holds; safe on a zeroed or failed nameidata. */
void nd_release(struct nameidata *nd);
/* True when the last component is "." or "..". */
bool nd_last_is_dots(const struct nameidata *nd);

/* The vnode @path names, from @dirfd, referenced. LOOKUP_* @flags. */
int vfs_lookup_at(int dirfd, const char *path, unsigned flags,
		  struct vnode **out);
/*
 * Looks @name up in @dir (locked) without crossing mounts; a vnode found
 * is referenced. -ENOENT when @dir was removed.
 */
int vfs_dir_lookup_locked(struct vnode *dir, const char *name, size_t len,
			  struct vnode **out);
/*
 * Resolves open(2)'s path: creates a regular file under O_CREAT (mode
 * masked by the umask), follows links unless O_NOFOLLOW. @created tells
 * whether the file is new.
 */
int vfs_lookup_open(int dirfd, const char *path, int flags, unsigned mode,
		    struct vnode **out, bool *created);

/* The working directory, referenced. */
struct vnode *vfs_cwd(void);
/* Makes @vn (a directory, reference taken) the working directory. */
void vfs_set_cwd(struct vnode *vn);
/* The current umask. */
unsigned vfs_umask_get(void);
/* Protects every vnode's mounted_here and the mount list. */
extern spinlock_t vfs_mount_lock;
/* The mount on @vn, or NULL. */
struct mount *vfs_mounted_on(struct vnode *vn);

/* Root permission rules on @vn for access(2) mode @mask (R_OK...). */
int vnode_access(struct vnode *vn, int mask);

/*
 * Syscall helpers (vfs/sys_namei.c). vfs_getname() copies program path
 * @upath into a new PATH_MAX kernel buffer (free with kfree): ERR_PTR
 * -EFAULT or -ENAMETOOLONG. vfs_getname_empty() also lets a NULL @upath
 * mean "" (for AT_EMPTY_PATH).
 */
char *vfs_getname(const char *upath);
char *vfs_getname_empty(const char *upath);
/* The file at @fd unless it is an O_PATH file: ERR_PTR(-EBADF). */
struct file *fd_get_io(int fd);

#endif
