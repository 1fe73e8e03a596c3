/*
 * NFSv3 calls, one blocking function per procedure, over one libnfs
 * context (nfs3_rpc.c). This header sits between two worlds: nfs3_rpc.c is
 * compiled against libnfs's headers (and so the C library's types), the
 * rest of fs/nfs against the kernel's. It uses nothing either side would
 * define differently.
 *
 * A connection is used by one thread at a time. Functions return 0 (or a
 * byte count) on success and a negative Linux errno on failure; NFS status
 * codes are translated (nfs3_errno). A call that gets no answer is retried
 * across reconnects for as long as it takes (a hard mount), logging while
 * the server does not respond.
 */
#ifndef FS_NFS_NFS3_H
#define FS_NFS_NFS3_H

#ifdef NFS3_GLUE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#else
#include <kernel/types.h>
#endif

#define NFS3_FHSIZE 64
#define NFS3_VERFSIZE 8

struct nfs3_fh {
	uint32_t len;
	uint8_t data[NFS3_FHSIZE];
};

/* File types, as NFSv3 numbers them. */
enum nfs3_type {
	NFS3_REG = 1,
	NFS3_DIR = 2,
	NFS3_BLK = 3,
	NFS3_CHR = 4,
	NFS3_LNK = 5,
	NFS3_SOCK = 6,
	NFS3_FIFO = 7,
};

struct nfs3_time {
	int64_t sec;
	uint32_t nsec;
};

struct nfs3_attr {
	bool valid; /* the server sent them */
	uint32_t type;
	uint32_t mode; /* permission bits only */
	uint32_t nlink, uid, gid;
	uint64_t size, used, fileid;
	struct nfs3_time atime, mtime, ctime;
};

/* What SETATTR changes: each field applies when its flag is set. */
struct nfs3_sattr {
	bool set_mode, set_uid, set_gid, set_size;
	bool set_atime, set_mtime; /* with atime_now/mtime_now: server's time */
	bool atime_now, mtime_now;
	uint32_t mode, uid, gid;
	uint64_t size;
	struct nfs3_time atime, mtime;
};

struct nfs3_fsstat {
	uint64_t tbytes, fbytes, abytes, tfiles, ffiles, afiles;
};

struct nfs3_conn;

/* Mount options that reach libnfs (the URL) and the ones it lacks. */
struct nfs3_mount_args {
	const char *url;     /* libnfs URL, our own options removed */
	unsigned timeout_ms; /* give up connecting after this long */
};

/*
 * Connects and mounts as the URL says; *@root gets the export's handle.
 * On failure @err (@errlen bytes) says why, for the boot log, and the
 * errno tells whether trying again may help: -EAGAIN or -ETIMEDOUT (no
 * server, no answer) may; -ENOENT (no such export), -EACCES (refused),
 * -EINVAL (bad URL) and the rest will not.
 */
int nfs3_connect(const struct nfs3_mount_args *a, struct nfs3_conn **out,
		 struct nfs3_fh *root, char *err, size_t errlen);
void nfs3_disconnect(struct nfs3_conn *c);
/* The largest READ and WRITE the server takes. */
uint32_t nfs3_readmax(struct nfs3_conn *c);
uint32_t nfs3_writemax(struct nfs3_conn *c);

/* NFS status (NFS3ERR_*) as a negative Linux errno. */
int nfs3_errno(uint32_t status);

int nfs3_getattr(struct nfs3_conn *c, const struct nfs3_fh *fh,
		 struct nfs3_attr *attr);
int nfs3_setattr(struct nfs3_conn *c, const struct nfs3_fh *fh,
		 const struct nfs3_sattr *sa, struct nfs3_attr *attr);
int nfs3_lookup(struct nfs3_conn *c, const struct nfs3_fh *dir,
		const char *name, struct nfs3_fh *fh, struct nfs3_attr *attr);
/* Bytes read into @buf; *@eof when the file ends there. */
long nfs3_read(struct nfs3_conn *c, const struct nfs3_fh *fh, uint64_t off,
	       uint32_t count, void *buf, bool *eof, struct nfs3_attr *attr);
/* Stable (FILE_SYNC) writes: acknowledged data is on the server's disk. */
long nfs3_write(struct nfs3_conn *c, const struct nfs3_fh *fh, uint64_t off,
		uint32_t count, const void *buf, struct nfs3_attr *attr);
int nfs3_commit(struct nfs3_conn *c, const struct nfs3_fh *fh);
/* Exclusive of an existing name (GUARDED): -EEXIST when it is there. */
int nfs3_create(struct nfs3_conn *c, const struct nfs3_fh *dir,
		const char *name, uint32_t mode, struct nfs3_fh *fh,
		struct nfs3_attr *attr);
int nfs3_mkdir(struct nfs3_conn *c, const struct nfs3_fh *dir, const char *name,
	       uint32_t mode, struct nfs3_fh *fh, struct nfs3_attr *attr);
int nfs3_symlink(struct nfs3_conn *c, const struct nfs3_fh *dir,
		 const char *name, const char *target, struct nfs3_fh *fh,
		 struct nfs3_attr *attr);
/* The target's length; at most @size bytes copied (not terminated). */
long nfs3_readlink(struct nfs3_conn *c, const struct nfs3_fh *fh, char *buf,
		   size_t size);
int nfs3_remove(struct nfs3_conn *c, const struct nfs3_fh *dir,
		const char *name);
int nfs3_rmdir(struct nfs3_conn *c, const struct nfs3_fh *dir,
	       const char *name);
int nfs3_rename(struct nfs3_conn *c, const struct nfs3_fh *fdir,
		const char *fname, const struct nfs3_fh *tdir,
		const char *tname);
int nfs3_link(struct nfs3_conn *c, const struct nfs3_fh *fh,
	      const struct nfs3_fh *dir, const char *name);
int nfs3_fsstat(struct nfs3_conn *c, const struct nfs3_fh *fh,
		struct nfs3_fsstat *st);

/*
 * Called for each directory entry, in order; returns non-zero to stop
 * (the entry is then not consumed). @attr and @fh may be NULL.
 */
typedef int (*nfs3_entry_fn)(void *ctx, const char *name, uint64_t fileid,
			     uint64_t cookie, const struct nfs3_attr *attr,
			     const struct nfs3_fh *fh);
/*
 * One READDIRPLUS from @cookie (0: the start) with verifier @verf (updated
 * from the reply). Returns 1 at the end of the directory, 0 when there is
 * more or @fn stopped, or an errno.
 */
int nfs3_readdir(struct nfs3_conn *c, const struct nfs3_fh *dir,
		 uint64_t cookie, uint8_t verf[NFS3_VERFSIZE], nfs3_entry_fn fn,
		 void *ctx);

/* From the kernel side, for nfs3_rpc.c: printk and the monotonic clock. */
#define NFS_LOG_ERR 3 /* the kernel's LOG_ERR and LOG_WARNING */
#define NFS_LOG_WARNING 4
void nfs_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t nfs_now_ms(void);

#endif
