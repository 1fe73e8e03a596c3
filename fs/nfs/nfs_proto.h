/*
 * NFS calls, one blocking function per operation, over one libnfs context:
 * the same calls for NFSv3 (nfs3_rpc.c, one procedure each) and NFSv4.0
 * (nfs4_rpc.c, one COMPOUND each); nfs_rpc.c connects and dispatches to
 * the mount's version. This header sits between two worlds: the *_rpc.c
 * files are compiled against libnfs's headers (and so the C library's
 * types), the rest of fs/nfs against the kernel's. It uses nothing either
 * side would define differently. Types and numbers follow NFSv3, which
 * NFSv4 numbers the same way (file types, the 8-byte cookie verifier).
 *
 * A connection is used by one thread at a time. Functions return 0 (or a
 * byte count) on success and a negative Linux errno on failure; NFS status
 * codes are translated. A call that gets no answer is retried across
 * reconnects for as long as it takes (a hard mount), logging while the
 * server does not respond; so is one the server asks to repeat later
 * (NFS4ERR_DELAY, NFS4ERR_GRACE).
 */
#ifndef FS_NFS_NFS_PROTO_H
#define FS_NFS_NFS_PROTO_H

#ifdef NFS_GLUE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#else
#include <kernel/types.h>
#endif

#define NFSFS_FHSIZE 128 /* NFSv4's limit; NFSv3's is 64 */
#define NFSFS_VERFSIZE 8

struct nfsfs_fh {
	uint32_t len;
	uint8_t data[NFSFS_FHSIZE];
};

/* File types, as NFSv3 numbers them. */
enum nfsfs_type {
	NFSFS_REG = 1,
	NFSFS_DIR = 2,
	NFSFS_BLK = 3,
	NFSFS_CHR = 4,
	NFSFS_LNK = 5,
	NFSFS_SOCK = 6,
	NFSFS_FIFO = 7,
};

struct nfsfs_time {
	int64_t sec;
	uint32_t nsec;
};

struct nfsfs_attr {
	bool valid; /* the server sent them */
	uint32_t type;
	uint32_t mode; /* permission bits only */
	uint32_t nlink, uid, gid;
	uint64_t size, used, fileid;
	struct nfsfs_time atime, mtime, ctime;
};

/* What SETATTR changes: each field applies when its flag is set. */
struct nfsfs_sattr {
	bool set_mode, set_uid, set_gid, set_size;
	bool set_atime, set_mtime; /* with atime_now/mtime_now: server's time */
	bool atime_now, mtime_now;
	uint32_t mode, uid, gid;
	uint64_t size;
	struct nfsfs_time atime, mtime;
};

struct nfsfs_fsstat {
	uint64_t tbytes, fbytes, abytes, tfiles, ffiles, afiles;
};

struct nfsfs_conn;

/* Mount options that reach libnfs (the URL) and the ones it lacks. */
struct nfsfs_mount_args {
	const char *url;     /* libnfs URL, our own options removed */
	unsigned timeout_ms; /* give up connecting after this long */
	unsigned version;    /* 3 or 4 */
};

/*
 * Connects and mounts as the URL says; *@root gets the export's handle.
 * On failure @err (@errlen bytes) says why, for the boot log, and the
 * errno tells whether trying again may help: -EAGAIN or -ETIMEDOUT (no
 * server, no answer) may; -ENOENT (no such export), -EACCES (refused),
 * -EINVAL (bad URL) and the rest will not.
 */
int nfsfs_connect(const struct nfsfs_mount_args *a, struct nfsfs_conn **out,
		  struct nfsfs_fh *root, char *err, size_t errlen);
void nfsfs_disconnect(struct nfsfs_conn *c);
/* "NFSv3" or "NFSv4.0", for the log. */
const char *nfsfs_version(struct nfsfs_conn *c);
/* The largest READ and WRITE the server takes. */
uint32_t nfsfs_readmax(struct nfsfs_conn *c);
uint32_t nfsfs_writemax(struct nfsfs_conn *c);

int nfsfs_getattr(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		  struct nfsfs_attr *attr);
int nfsfs_setattr(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		  const struct nfsfs_sattr *sa, struct nfsfs_attr *attr);
int nfsfs_lookup(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		 const char *name, struct nfsfs_fh *fh,
		 struct nfsfs_attr *attr);
/* Bytes read into @buf; *@eof when the file ends there. */
long nfsfs_read(struct nfsfs_conn *c, const struct nfsfs_fh *fh, uint64_t off,
		uint32_t count, void *buf, bool *eof, struct nfsfs_attr *attr);
/* Stable (FILE_SYNC) writes: acknowledged data is on the server's disk. */
long nfsfs_write(struct nfsfs_conn *c, const struct nfsfs_fh *fh, uint64_t off,
		 uint32_t count, const void *buf, struct nfsfs_attr *attr);
/*
 * Unstable writes, for write-behind: the server may hold the data in
 * memory until a COMMIT, and a server that restarted in between has lost
 * it, which its write verifier tells (a new one each time it starts).
 * nfsfs_write_start sends the WRITEs of @count bytes at @off now (NULL:
 * out of memory); @buf must stay until nfsfs_write_end, which waits for
 * them: bytes written or an errno, *@verf the server's verifier. -EAGAIN:
 * the parts came back with different verifiers; send them all again.
 * Waiting for one transfer runs the others started on @c too.
 */
struct nfsfs_xfer;
struct nfsfs_xfer *nfsfs_write_start(struct nfsfs_conn *c,
				     const struct nfsfs_fh *fh, uint64_t off,
				     uint32_t count, const void *buf);
long nfsfs_write_end(struct nfsfs_conn *c, struct nfsfs_xfer *x,
		     uint8_t verf[NFSFS_VERFSIZE], struct nfsfs_attr *attr);
/*
 * COMMIT of the whole file: what was written unstable is on disk, if
 * *@verf (the server's verifier now) is the one those writes returned.
 */
int nfsfs_commit(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		 uint8_t verf[NFSFS_VERFSIZE]);
/* Exclusive of an existing name (GUARDED): -EEXIST when it is there. */
int nfsfs_create(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		 const char *name, uint32_t mode, struct nfsfs_fh *fh,
		 struct nfsfs_attr *attr);
int nfsfs_mkdir(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		const char *name, uint32_t mode, struct nfsfs_fh *fh,
		struct nfsfs_attr *attr);
int nfsfs_symlink(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		  const char *name, const char *target, struct nfsfs_fh *fh,
		  struct nfsfs_attr *attr);
/* The target's length; at most @size bytes copied (not terminated). */
long nfsfs_readlink(struct nfsfs_conn *c, const struct nfsfs_fh *fh, char *buf,
		    size_t size);
int nfsfs_remove(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		 const char *name);
int nfsfs_rmdir(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		const char *name);
int nfsfs_rename(struct nfsfs_conn *c, const struct nfsfs_fh *fdir,
		 const char *fname, const struct nfsfs_fh *tdir,
		 const char *tname);
int nfsfs_link(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
	       const struct nfsfs_fh *dir, const char *name);
int nfsfs_fsstat(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		 struct nfsfs_fsstat *st);

/*
 * Called for each directory entry, in order; returns non-zero to stop
 * (the entry is then not consumed). @attr and @fh may be NULL.
 */
typedef int (*nfsfs_entry_fn)(void *ctx, const char *name, uint64_t fileid,
			      uint64_t cookie, const struct nfsfs_attr *attr,
			      const struct nfsfs_fh *fh);
/*
 * One READDIRPLUS from @cookie (0: the start) with verifier @verf (updated
 * from the reply). Returns 1 at the end of the directory, 0 when there is
 * more or @fn stopped, or an errno.
 */
int nfsfs_readdir(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		  uint64_t cookie, uint8_t verf[NFSFS_VERFSIZE],
		  nfsfs_entry_fn fn, void *ctx);

/* From the kernel side, for the *_rpc.c files: printk, clock, sleep. */
#define NFS_LOG_ERR 3 /* the kernel's LOG_ERR and LOG_WARNING */
#define NFS_LOG_WARNING 4
void nfs_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t nfs_now_ms(void);
void nfs_sleep_ms(unsigned ms);

#endif
