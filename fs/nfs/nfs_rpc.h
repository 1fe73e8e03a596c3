/*
 * Between nfs_rpc.c (connecting, waiting, dispatching) and the two
 * protocol files, nfs3_rpc.c and nfs4_rpc.c; compiled against libnfs's
 * headers, like them (see nfs_proto.h).
 */
#ifndef FS_NFS_NFS_RPC_H
#define FS_NFS_NFS_RPC_H

#include <sys/time.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>

#include "nfs_proto.h"

/* kernel/posix, under their kernel names (nfs_proto.h explains why). */
void *posix_malloc(size_t size);
void posix_free(void *p);
char *posix_strstr(const char *hay, const char *needle);

/* One protocol version's calls (nfs_proto.h documents each). */
struct nfsfs_proto {
	const char *name; /* "NFSv3" */
	/* After libnfs mounted: whatever the version needs before use. */
	int (*setup)(struct nfsfs_conn *c, char *err, size_t errlen);
	void (*teardown)(struct nfsfs_conn *c);
	int (*getattr)(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		       struct nfsfs_attr *attr);
	int (*setattr)(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		       const struct nfsfs_sattr *sa, struct nfsfs_attr *attr);
	int (*lookup)(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		      const char *name, struct nfsfs_fh *fh,
		      struct nfsfs_attr *attr);
	/*
	 * A READ (@buf written) or WRITE (@buf only read; FILE_SYNC when
	 * @stable, else UNSTABLE) of @count bytes at @off, sent now as up to
	 * NFSFS_PIPELINE_PARTS calls in flight; NULL when out of memory.
	 * @buf stays the caller's until xfer_end.
	 */
	struct nfsfs_xfer *(*xfer_start)(struct nfsfs_conn *c,
					 const struct nfsfs_fh *fh,
					 uint64_t off, uint32_t count,
					 char *buf, bool write, bool stable);
	/*
	 * Waits for @x and frees it: the bytes done (nfsfs_pipeline_total)
	 * or an errno; *@eof (READ, may be NULL), *@attr and *@verf (WRITE,
	 * may be NULL) from the last part counted. With @verf, parts that
	 * came back with different write verifiers give -EAGAIN.
	 */
	long (*xfer_end)(struct nfsfs_conn *c, struct nfsfs_xfer *x, bool *eof,
			 struct nfsfs_attr *attr, uint8_t *verf);
	int (*commit)(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		      uint8_t verf[NFSFS_VERFSIZE]);
	int (*create)(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		      const char *name, uint32_t mode, struct nfsfs_fh *fh,
		      struct nfsfs_attr *attr);
	int (*mkdir)(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		     const char *name, uint32_t mode, struct nfsfs_fh *fh,
		     struct nfsfs_attr *attr);
	int (*symlink)(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		       const char *name, const char *target,
		       struct nfsfs_fh *fh, struct nfsfs_attr *attr);
	long (*readlink)(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
			 char *buf, size_t size);
	int (*remove)(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		      const char *name);
	int (*rmdir)(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		     const char *name);
	int (*rename)(struct nfsfs_conn *c, const struct nfsfs_fh *fdir,
		      const char *fname, const struct nfsfs_fh *tdir,
		      const char *tname);
	int (*link)(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		    const struct nfsfs_fh *dir, const char *name);
	int (*fsstat)(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		      struct nfsfs_fsstat *st);
	int (*readdir)(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		       uint64_t cookie, uint8_t verf[NFSFS_VERFSIZE],
		       nfsfs_entry_fn fn, void *ctx);
};

extern const struct nfsfs_proto nfsfs_v3_proto, nfsfs_v4_proto;

struct mount_wait {
	bool done;
	int err;
	char msg[160];
};

struct nfs4_state;

struct nfsfs_conn {
	const struct nfsfs_proto *proto;
	struct nfs_context *nfs;
	/* Mounting; in here, not on a stack: cancelling calls back late. */
	struct mount_wait mount;
	struct rpc_context *rpc;
	char server[64];
	struct nfsfs_fh root;
	uint32_t readmax, writemax; /* 0: ask libnfs (NFSv3) */
	struct nfs4_state *v4;	    /* NFSv4's client and owner state */
};

/* One call in flight: what the callback fills in. */
struct call {
	bool done;
	int err;
	int (*unpack)(struct call *c, void *res); /* on RPC success */
	void *out, *out2;
	uint64_t arg;
	nfsfs_entry_fn entry_fn;
	uint8_t *verf; /* READDIR's cookie verifier; WRITE's, COMMIT's */
	bool *eof;     /* READ */
	bool stable;   /* WRITE: FILE_SYNC asked for */
};

/*
 * An NFS status as a negative Linux errno: NFSv3's codes (nfs3_rpc.c),
 * which NFSv4 numbers the same where it has them (1 to 70 and 10001 to
 * 10008); nfs4_rpc.c maps its own others first.
 */
int nfsfs_status_errno(uint32_t status);

/* The rpc_cb for every call: runs c->unpack, or records the failure. */
void nfsfs_rpc_done(struct rpc_context *rpc, int status, void *data,
		    void *private_data);
/*
 * @queued is what the rpc_*_async function returned for @c: on non-zero
 * (not sent) @c is failed with -EIO and false returned.
 */
bool nfsfs_sent(struct nfsfs_conn *cn, struct call *c, int queued);
/* Runs the context until each of @calls (sent or failed) has its answer. */
void nfsfs_wait_calls(struct nfsfs_conn *cn, struct call *calls, unsigned n);
/* nfsfs_sent, then nfsfs_wait_calls for it: the call's result. */
int nfsfs_wait_call(struct nfsfs_conn *cn, struct call *c, int queued);

/*
 * A large READ or WRITE goes as up to NFSFS_PIPELINE_PARTS calls in flight
 * at once, so the server works on one part while the next travels.
 * nfsfs_pipeline_split gives the number of parts of @count bytes and
 * *@part, the size of each but the last (whole pages, at least 64 KiB).
 */
#define NFSFS_PIPELINE_PARTS 4
unsigned nfsfs_pipeline_split(uint32_t count, uint32_t *part);
/*
 * What the parts of one pipelined transfer add up to: the bytes of the
 * parts that came back whole (c->err is each one's count), in order, up
 * to the first short or failed one (whose error is the result when
 * nothing came before it). *@last: the last part counted.
 */
long nfsfs_pipeline_total(struct call *calls, unsigned n, uint32_t part,
			  uint32_t count, unsigned *last);
/*
 * nfsfs_pipeline_total, and for an unstable WRITE (@verf not NULL) the
 * parts' write verifiers @verfs: -EAGAIN unless the counted parts agree,
 * else the verifier into @verf.
 */
long nfsfs_pipeline_end(struct call *calls, unsigned n, uint32_t part,
			uint32_t count, const uint8_t (*verfs)[NFSFS_VERFSIZE],
			uint8_t *verf, unsigned *last);

#endif
