/* Between the parts of fs/nfs; not public. */
#ifndef FS_NFS_NFS_INTERNAL_H
#define FS_NFS_NFS_INTERNAL_H

#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/waitq.h>
#include <vfs/vnode.h>

#include "nfs_proto.h"
#include "nfs_opts.h"

/* One libnfs context: a TCP connection and whoever is bound to it. */
struct nfs_ctx {
	struct mutex lock; /* held for a whole vnode op */
	struct nfsfs_conn *conn;
	unsigned binders; /* threads bound; under the mount's pool_lock */
	char *buf;	  /* bounce buffer of io_size bytes, under lock */
};

struct nfs_mount;

/*
 * Write-behind (nfs_wb.c): flusher threads send the files' written
 * chunks as UNSTABLE WRITEs, flusher i through the pool's context i.
 */
struct nfs_flusher {
	struct nfs_mount *nm;
	unsigned index; /* works through nm->ctx[index] */
	struct thread *thread;
	struct list_node flight; /* chunks SENDING, oldest first */
	unsigned nflight;	 /* under the write-behind lock */
};

struct nfs_wb {
	struct mutex lock;	/* protects what follows and chunk states */
	struct condvar work;	/* a chunk was queued, or stop */
	struct condvar sent;	/* a chunk became SENT */
	struct list_node queue; /* chunks QUEUED, oldest first */
	unsigned nqueued;
	enum {
		WB_UNSTARTED,
		WB_UP,
		WB_DOWN
	} status; /* atomic reads */
	bool stop;
	bool starting;	       /* a new flusher is opening its connection */
	unsigned nflushers;    /* threads started, flushers[0 .. nflushers) */
	unsigned max_flushers; /* nconnect, less after a flusher failed */
	unsigned idle;	       /* flushers waiting for work */
	struct nfs_flusher flushers[NFS_NCONNECT_MAX];
	uint64_t bytes, budget; /* chunk buffers' bytes (atomic), at most */
	unsigned file_max;	/* chunks one file keeps at most */
};

struct nfs_mount {
	struct nfs_opts opts;
	struct nfsfs_fh root_fh;
	uint32_t rsize, wsize;	/* bytes per READ, WRITE: options and server */
	uint32_t io_size;	/* the larger: the bounce buffers' size */
	struct mutex pool_lock; /* protects nr_ctx and binders */
	unsigned nr_ctx;
	struct nfs_ctx *ctx[NFS_NCONNECT_MAX];
	uint64_t ra_bytes;	    /* readahead buffers' bytes, atomic */
	uint64_t ra_budget;	    /* ... at most: an eighth of the RAM */
	spinlock_t nodes_lock;	    /* protects the node table */
	struct list_node nodes[64]; /* by fileid */
	struct nfs_wb wb;
};

/*
 * Files: what was read ahead of a sequential reader, bytes [off, off +
 * len) of the file as it was when its mtime, ctime and size were these.
 * Under the vnode's lock.
 */
struct nfs_readahead {
	char *buf; /* cap bytes, allocated on the first small sequential read */
	uint32_t cap, len;
	uint64_t off;
	uint64_t next; /* where the last read ended: the next, if sequential */
	struct vtime mtime, ctime;
	uint64_t size;
};

enum wb_state {
	WB_FILLING,
	WB_QUEUED,
	WB_SENDING,
	WB_SENT
};

/*
 * Bytes [off, off + len) a program wrote, at most wsize, kept until a
 * COMMIT with the verifier their WRITE returned says the server has them
 * on disk: if the server restarted in between, they are sent again.
 */
struct wb_chunk {
	struct list_node in_file;  /* the file's chunks; under its vnode lock */
	struct list_node in_queue; /* the queue or a flusher's flight */
	struct nfs_node *node;
	uint64_t off;
	uint32_t len;
	uint32_t done;	     /* bytes the server took: a short WRITE goes on */
	enum wb_state state; /* under the write-behind lock, as below */
	unsigned tries;	     /* sent again for mixed verifiers */
	int err;	     /* SENT: the WRITE failed */
	uint8_t verf[NFSFS_VERFSIZE]; /* SENT: the WRITE's verifier */
	struct nfsfs_xfer *x;	      /* SENDING */
	char *buf;		      /* wsize bytes */
};

/* A file's write-behind. */
struct nfs_wb_file {
	struct list_node chunks;  /* oldest first; under the vnode lock */
	struct wb_chunk *filling; /* the one writes append to; vnode lock */
	unsigned nchunks;	  /* vnode lock */
	unsigned unsent, sent;	  /* not SENT yet; SENT: write-behind lock */
	int err; /* write-behind lock: a failed WRITE or COMMIT, not reported */
};

/* A file, directory or link: the vnode and its handle. */
struct nfs_node {
	struct vnode vn;
	struct nfsfs_fh fh;
	struct list_node hash; /* in the mount's table, under nodes_lock */
	uint8_t cookie_verf[NFSFS_VERFSIZE]; /* directories: READDIR's */
	struct nfs_readahead ra;
	struct nfs_wb_file wb;
	/* Unlinked while open: renamed to this, removed at release. */
	char *silly_name;
	struct nfsfs_fh silly_dir;
};

static inline struct nfs_node *nfs_node_of(struct vnode *vn)
{
	return container_of(vn, struct nfs_node, vn);
}

static inline struct nfs_mount *nfs_mount_of(struct vnode *vn)
{
	return vn->mount->fs_data;
}

/*
 * The calling thread's context on @nm, bound on first use and kept until
 * the thread exits; returned locked. nfs_ctx_put() unlocks it.
 */
struct nfs_ctx *nfs_ctx_get(struct nfs_mount *nm);
void nfs_ctx_put(struct nfs_ctx *c);

/*
 * The vnode for handle @fh with attributes @attr (valid): the cached one,
 * refreshed, or a new one. With a reference.
 */
int nfs_node_get(struct mount *mp, const struct nfsfs_fh *fh,
		 const struct nfsfs_attr *attr, struct vnode **out);
/* The vnode release op: out of the table, freed. */
void nfs_node_release(struct vnode *vn);
/* Copies @attr into @vn (locked by the caller, or new). */
void nfs_attr_apply(struct vnode *vn, const struct nfsfs_attr *attr);

/*
 * Context @i of @nm's pool, opened if it is the next one and the pool is
 * under its cap; NULL if there is none (logged). Not locked, not bound.
 */
struct nfs_ctx *nfs_ctx_nth(struct nfs_mount *nm, unsigned i);

/*
 * Write-behind (nfs_wb.c). A write() copies the program's bytes into the
 * file's chunks and returns; the flushers send them. Every function but
 * nfs_wb_init and nfs_wb_stop is called with the vnode locked (or
 * unreferenced, at release).
 */
void nfs_wb_init(struct nfs_mount *nm);
/* Whether @nm's writes go behind: mounted async and a flusher runs. */
bool nfs_wb_enabled(struct nfs_mount *nm);
/*
 * Copies what it can of @u at @off into @n's chunks: bytes taken (0: no
 * room, the caller writes the rest itself) or an errno.
 */
long nfs_wb_write(struct nfs_mount *nm, struct nfs_node *n, struct uio *u,
		  uint64_t off);
/*
 * Sends @n's chunks and waits until the server has them; with @commit,
 * COMMITs them and frees them (sending again what a restarted server
 * lost). Failures are kept for nfs_wb_take_error.
 */
void nfs_wb_flush(struct nfs_mount *nm, struct nfs_node *n, bool commit);
/* The first failure since the last call, cleared; 0 if none. */
int nfs_wb_take_error(struct nfs_mount *nm, struct nfs_node *n);
/* Whether @n has data the server has not been sent (its size is ours). */
bool nfs_wb_unsent(struct nfs_node *n);
/* Stops the flushers; nothing is queued (every file was released). */
void nfs_wb_stop(struct nfs_mount *nm);

extern const struct vnode_ops nfs_vnode_ops;

#endif
