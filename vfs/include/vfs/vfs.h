/*
 * The virtual filesystem, as the rest of the kernel uses it: open files,
 * the file-descriptor table, path operations, mounts and the console
 * device. Flags and mode bits are Linux's x86_64 values, so syscall
 * arguments pass through unchanged.
 *
 * The appliance runs one process: one fd table, one working directory,
 * one umask, all global and safe to use from any thread. Paths given to
 * these functions are kernel strings; relative ones start at the working
 * directory. Functions return 0 or a negative errno; those returning a
 * pointer encode the errno with ERR_PTR.
 */
#ifndef VFS_VFS_H
#define VFS_VFS_H

#include <kernel/types.h>
#include <kernel/waitq.h>
#include <vfs/uio.h>
#include <vfs/vnode.h>

#define PATH_MAX 4096  /* bytes in a path, NUL included */
#define NAME_MAX 255   /* bytes in one path component */
#define SYMLOOP_MAX 40 /* symbolic links followed in one lookup */
#define FD_MAX 1024    /* open files (RLIMIT_NOFILE) */

/* open() flags. */
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_ASYNC 00020000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define O_TMPFILE 020200000

/* File types and permission bits in a mode. */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_IRWXUGO 00777
#define S_IALLUGO 07777

/* *at() directory and flags. */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EACCESS 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000

/* access() modes. */
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

/* lseek() whence. */
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

/* renameat2() flags. */
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4

/* What stat reports; struct linux_stat and statx are filled from it. */
struct kstat {
	uint64_t dev;
	uint64_t ino;
	uint64_t nlink;
	unsigned mode;
	uint32_t uid, gid;
	uint64_t rdev;
	uint64_t size;
	uint64_t blksize;
	uint64_t blocks;
	struct vtime atime, mtime, ctime;
	uint64_t mnt_id;
};

/* What statfs reports; struct linux_statfs is filled from it. */
struct kstatfs {
	uint64_t type; /* Linux's magic number for the filesystem */
	uint64_t bsize;
	uint64_t blocks, bfree, bavail; /* in bsize units */
	uint64_t files, ffree;
	uint64_t namelen;
};

/* Attribute changes: the fields @mask names are set. */
#define VATTR_MODE 0x01 /* permission bits only */
#define VATTR_UID 0x02
#define VATTR_GID 0x04
#define VATTR_SIZE 0x08
#define VATTR_ATIME 0x10
#define VATTR_MTIME 0x20
#define VATTR_ATIME_NOW 0x40 /* atime = now (atime ignored) */
#define VATTR_MTIME_NOW 0x80

struct vattr {
	unsigned mask;
	unsigned mode;
	uint32_t uid, gid;
	uint64_t size;
	struct vtime atime, mtime;
};

/*
 * An open file. The vnode and flags' access mode never change; the rest
 * of flags changes through fcntl(F_SETFL).
 */
struct file {
	struct vnode *vn; /* one reference */
	int refs;	  /* atomic: fds and kernel users */
	unsigned flags;	  /* O_* as opened (O_CREAT/O_EXCL/O_TRUNC cleared) */
	struct mutex pos_lock; /* protects pos */
	uint64_t pos;	       /* offset, or directory cookie */
};

/* Mounts a ramfs at "/" and makes it the working directory. */
int vfs_init(void);
/* The root directory, with a reference. */
struct vnode *vfs_root(void);

/* Opens @path (relative to the working directory) as open(2) would. */
struct file *vfs_open(const char *path, int flags, unsigned mode);
/* Same, relative to directory fd @dirfd (AT_FDCWD: working directory). */
struct file *vfs_openat(int dirfd, const char *path, int flags, unsigned mode);
/* A new open file on @vn (reference taken); for devices and tests. */
struct file *file_alloc(struct vnode *vn, unsigned flags);
void file_get(struct file *f);
/* Drops a reference; the last one closes the file. */
void file_put(struct file *f);
bool file_readable(const struct file *f);
bool file_writable(const struct file *f);
/* A descriptor of @f is being closed: the vnode's flush op, its result. */
int file_flush(struct file *f);

/* Reads at f's position and advances it; bytes read or an errno. */
ssize_t vfs_read(struct file *f, struct uio *u);
/* Writes at f's position (the end with O_APPEND) and advances it. */
ssize_t vfs_write(struct file *f, struct uio *u);
/* At @off; f's position does not move. -ESPIPE on devices. */
ssize_t vfs_pread(struct file *f, struct uio *u, uint64_t off);
ssize_t vfs_pwrite(struct file *f, struct uio *u, uint64_t off);
/* Moves f's position; returns the new one or an errno. */
int64_t vfs_lseek(struct file *f, int64_t off, int whence);
int vfs_ftruncate(struct file *f, uint64_t size);
int vfs_fsync(struct file *f);
int vfs_fstat(struct file *f, struct kstat *st);
/*
 * Directory entries from f's position on: @fill as in readdir, with the
 * position advanced past each entry accepted. -ENOTDIR for non-dirs.
 */
int vfs_readdir(struct file *f, vfs_filldir_fn fill, void *ctx);

/* The filesystem @vn is on: space and files (statfs(2)). */
int vfs_statfs(struct vnode *vn, struct kstatfs *st);

/* Attributes of the vnode @path names; @follow: follow a final link. */
int vfs_stat(const char *path, struct kstat *st, bool follow);
/* Fills @st from @vn (not locked). */
void vfs_getattr(struct vnode *vn, struct kstat *st);
int vfs_mkdir(const char *path, unsigned mode);
int vfs_symlink(const char *target, const char *path);
int vfs_unlink(const char *path);
int vfs_rmdir(const char *path);
int vfs_rename(const char *from, const char *to);
int vfs_link(const char *from, const char *to);
/* Copies the target of link @path into @buf; returns its length. */
ssize_t vfs_readlink(const char *path, char *buf, size_t size);
/* Changes attributes of @vn as @va says (not locked on entry). */
int vfs_setattr(struct vnode *vn, const struct vattr *va);
/* Same for the vnode @path names. */
int vfs_setattr_path(const char *path, const struct vattr *va, bool follow);
/*
 * Owner and modification time as an archive records them (the initrd):
 * atime and mtime are set to @mtime_sec. A final link is not followed.
 */
int vfs_set_owner_times(const char *path, uint32_t uid, uint32_t gid,
			uint64_t mtime_sec);
int vfs_chdir(const char *path);
/*
 * The working directory's absolute path into @buf; returns its length
 * with the NUL, as the getcwd syscall does. -ERANGE when it does not fit.
 */
int vfs_getcwd(char *buf, size_t size);
/* Sets the umask and returns the previous one. */
unsigned vfs_umask(unsigned mask);

/*
 * Installs @f at the lowest free fd and returns it (-EMFILE when full).
 * The table takes over the caller's reference on success.
 */
int fd_install(struct file *f, bool cloexec);
/*
 * A new open file on @vn, installed at the lowest free fd, which it
 * returns. The file takes over the caller's reference to @vn; on failure
 * that reference is dropped (which may release @vn).
 */
int fd_install_new(struct vnode *vn, unsigned flags, bool cloexec);
/* The file at @fd with a reference for the caller, or ERR_PTR(-EBADF). */
struct file *fd_get(int fd);

/*
 * The *at forms the syscalls use: relative paths start at directory fd
 * @dirfd (AT_FDCWD: the working directory).
 */
int vfs_mkdirat(int dirfd, const char *path, unsigned mode);
int vfs_symlinkat(const char *target, int dirfd, const char *path);
/* @flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH. */
int vfs_linkat(int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, int flags);
/* @flags: AT_REMOVEDIR. */
int vfs_unlinkat(int dirfd, const char *path, int flags);
/* @flags: RENAME_NOREPLACE (RENAME_EXCHANGE and others: -EINVAL). */
int vfs_renameat(int olddirfd, const char *oldpath, int newdirfd,
		 const char *newpath, unsigned flags);
/* Copies the link's target into @u (not NUL-terminated); its length. */
ssize_t vfs_readlinkat(int dirfd, const char *path, struct uio *u);
/* @flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. */
int vfs_statat(int dirfd, const char *path, int flags, struct kstat *st);
int vfs_setattrat(int dirfd, const char *path, int flags,
		  const struct vattr *va);
/* access(2) as root; @flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. */
int vfs_accessat(int dirfd, const char *path, int mode, int flags);
/* Makes @f's directory the working directory. */
int vfs_fchdir(struct file *f);
/* fcntl(F_SETFL): changes O_APPEND, O_NONBLOCK and the like. */
int vfs_file_setfl(struct file *f, unsigned flags);

/* As fd_install, at the lowest free fd at or above @from (F_DUPFD). */
int fd_install_from(struct file *f, int from, bool cloexec);
/*
 * Installs @f at @fd, closing what @fd had; takes over the caller's
 * reference. Returns @fd or -EBADF.
 */
int fd_install_at(struct file *f, int fd, bool cloexec);
/* Closes @fd; -EBADF when it is not open. */
int fd_close(int fd);
/* A copy of @oldfd at the lowest free fd at or above @from. */
int fd_dup(int oldfd, int from, bool cloexec);
/* Makes @newfd a copy of @oldfd, closing what @newfd had. */
int fd_dup2(int oldfd, int newfd, bool cloexec);
/* 1 or 0 for the close-on-exec bit of @fd, or -EBADF. */
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);
/*
 * Reserves the lowest free fd for a file being opened, so a full table
 * fails the open before it creates anything. fd_commit() fills it (taking
 * over the file's reference), fd_unreserve() gives it back.
 */
int fd_reserve(bool cloexec);
void fd_commit(int fd, struct file *f);
void fd_unreserve(int fd);
/* Open fds, for tests and diagnostics. */
unsigned fd_count(void);

/*
 * Mounts filesystem @fstype (from @source) on directory @path, which is
 * created (with its missing parents) when absent. -ENODEV for an unknown
 * type, -EBUSY when something is mounted there already.
 */
int vfs_mount(const char *path, const char *fstype, const char *source,
	      unsigned long flags);
/* Performs the `mount=` options of the command line, after vfs_init. */
int vfs_mount_cmdline(void);
/* Every mount's sync op (what is written reaches storage): the first error. */
int vfs_sync(void);
/*
 * Waiting in poll for pipes and eventfds (vfs/pipe.c): take the
 * generation, look at the files, and sleep until the generation moves
 * (something changed) or @deadline (monotonic ns, DEADLINE_NONE).
 */
uint64_t vfs_poll_generation(void);
void vfs_poll_wait(uint64_t gen, uint64_t deadline);
void vfs_poll_wake(void);

/* Opens fds 0, 1 and 2 on the console device. */
int vfs_open_console_fds(void);
/* Whether @f is open on the console device. */
bool vfs_is_console(const struct file *f);

#endif
