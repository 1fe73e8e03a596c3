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

/* A file, directory or link: the vnode and its handle. */
struct nfs_node {
	struct vnode vn;
	struct nfsfs_fh fh;
	struct list_node hash; /* in the mount's table, under nodes_lock */
	uint8_t cookie_verf[NFSFS_VERFSIZE]; /* directories: READDIR's */
	struct nfs_readahead ra;
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

extern const struct vnode_ops nfs_vnode_ops;

#endif
