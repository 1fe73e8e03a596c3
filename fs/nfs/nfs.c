/*
 * NFS mounts: connecting at boot, the per-mount pool of libnfs contexts
 * and the threads bound to them, and the table of vnodes by file.
 *
 * libnfs contexts are not thread-safe, so every thread works through a
 * context of its own: it binds to one on its first operation on a mount
 * and keeps it until it exits (nfsfs_thread_exit), when the context goes
 * back to the pool. A mount has at most `nconnect` contexts (TCP
 * connections); a thread takes an unbound context, else opens a new one
 * while under the cap, else shares the least-bound one (its mutex then
 * serialises the sharers). Write-behind's flushers work through the same
 * contexts (nfs_ctx_nth), unbound. Contexts live as long as the mount, so
 * no connection is ever closed under a thread using it.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <nfs/nfs.h>
#include <vfs/vfs.h>

#include "nfs_internal.h"

#define CONNECT_TIMEOUT_MS 10000 /* one mount attempt at most */
#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 5000
#define SYNC_PASSES 256 /* files of one table bucket a sync writes back */

/* libnfs-side logging, time and sleep (nfs_proto.h). */

BUILD_ASSERT(NFS_LOG_ERR == LOG_ERR && NFS_LOG_WARNING == LOG_WARNING);

void nfs_log(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

uint64_t nfs_now_ms(void)
{
	return clock_monotonic_ns() / NSEC_PER_MSEC;
}

void nfs_sleep_ms(unsigned ms)
{
	thread_sleep_ns((uint64_t)ms * NSEC_PER_MSEC);
}

/* Contexts and threads. */

/* A thread's binding to one mount's context (thread->nfs_bindings). */
struct nfs_binding {
	struct nfs_binding *next;
	struct nfs_mount *nm;
	struct nfs_ctx *ctx;
};

/* A new connection, giving up after @timeout_ms; *@root: the export. */
static struct nfs_ctx *ctx_new(struct nfs_mount *nm, unsigned timeout_ms,
			       struct nfsfs_fh *root, char *err, size_t errlen)
{
	struct nfsfs_mount_args args = { .url = nm->opts.url,
					 .timeout_ms = timeout_ms,
					 .version = nm->opts.version };
	struct nfs_ctx *c = kzalloc(sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	mutex_init(&c->lock);
	int ret = nfsfs_connect(&args, &c->conn, root, err, errlen);
	if (ret) {
		kfree(c);
		return ERR_PTR(ret);
	}
	return c;
}

static void ctx_close(struct nfs_ctx *c)
{
	nfsfs_disconnect(c->conn);
	kfree(c->buf);
	kfree(c);
}

/* A new connection for @nm with its bounce buffer; NULL (logged) if none. */
static struct nfs_ctx *ctx_open(struct nfs_mount *nm)
{
	char err[128];
	struct nfsfs_fh root;
	struct nfs_ctx *c =
		ctx_new(nm, CONNECT_TIMEOUT_MS, &root, err, sizeof(err));
	if (IS_ERR(c)) {
		pr_warn("nfs: another connection to %s failed (%s)",
			nm->opts.url, err);
		return NULL;
	}
	c->buf = kmalloc(nm->io_size);
	if (!c->buf) {
		ctx_close(c);
		return NULL;
	}
	return c;
}

/* Picks the context a thread binds to; pool_lock held. */
static struct nfs_ctx *ctx_choose_locked(struct nfs_mount *nm)
{
	struct nfs_ctx *best = nm->ctx[0];
	for (unsigned i = 0; i < nm->nr_ctx; i++) {
		if (!nm->ctx[i]->binders)
			return nm->ctx[i];
		if (nm->ctx[i]->binders < best->binders)
			best = nm->ctx[i];
	}
	if (nm->nr_ctx < nm->opts.nconnect) {
		struct nfs_ctx *c = ctx_open(nm);
		if (c) {
			nm->ctx[nm->nr_ctx++] = c;
			return c;
		}
		pr_warn("nfs: %s: threads share a connection", nm->opts.url);
	}
	return best;
}

struct nfs_ctx *nfs_ctx_nth(struct nfs_mount *nm, unsigned i)
{
	mutex_lock(&nm->pool_lock);
	if (i >= nm->nr_ctx && nm->nr_ctx < nm->opts.nconnect) {
		struct nfs_ctx *c = ctx_open(nm);
		if (c)
			nm->ctx[nm->nr_ctx++] = c;
	}
	struct nfs_ctx *c = i < nm->nr_ctx ? nm->ctx[i] : NULL;
	mutex_unlock(&nm->pool_lock);
	return c;
}

struct nfs_ctx *nfs_ctx_get(struct nfs_mount *nm)
{
	struct thread *t = thread_current();
	struct nfs_binding *b;

	for (b = t->nfs_bindings; b; b = b->next)
		if (b->nm == nm)
			break;
	if (!b) {
		b = kmalloc_nofail(sizeof(*b));
		mutex_lock(&nm->pool_lock);
		b->ctx = ctx_choose_locked(nm);
		b->ctx->binders++;
		mutex_unlock(&nm->pool_lock);
		b->nm = nm;
		b->next = t->nfs_bindings;
		t->nfs_bindings = b;
	}
	mutex_lock(&b->ctx->lock);
	return b->ctx;
}

void nfs_ctx_put(struct nfs_ctx *c)
{
	mutex_unlock(&c->lock);
}

void nfsfs_thread_exit(struct thread *t)
{
	struct nfs_binding *b = t->nfs_bindings;
	t->nfs_bindings = NULL;
	while (b) {
		struct nfs_binding *next = b->next;
		mutex_lock(&b->nm->pool_lock);
		b->ctx->binders--;
		mutex_unlock(&b->nm->pool_lock);
		kfree(b);
		b = next;
	}
}

/* Vnodes by file: one vnode per file, whatever name reached it. */

static struct list_node *bucket(struct nfs_mount *nm, uint64_t fileid)
{
	return &nm->nodes[fileid % ARRAY_SIZE(nm->nodes)];
}

static enum vtype vtype_of(uint32_t t)
{
	switch (t) {
	case NFSFS_REG:
		return VREG;
	case NFSFS_DIR:
		return VDIR;
	case NFSFS_LNK:
		return VLNK;
	default:
		return VNON;
	}
}

static unsigned ifmt_of(enum vtype t)
{
	return t == VDIR ? S_IFDIR : t == VLNK ? S_IFLNK : S_IFREG;
}

void nfs_attr_apply(struct vnode *vn, const struct nfsfs_attr *a)
{
	if (!a->valid)
		return;
	vn->mode = (vn->mode & S_IFMT) | (a->mode & S_IALLUGO);
	vn->uid = a->uid;
	vn->gid = a->gid;
	vn->nlink = a->nlink;
	/* Bytes written behind and not sent yet: the server's size lags. */
	if (!nfs_wb_unsent(nfs_node_of(vn)) || a->size > vn->size)
		vn->size = a->size;
	vn->blocks = (a->used + 511) / 512;
	vn->atime = (struct vtime){ a->atime.sec, a->atime.nsec };
	vn->mtime = (struct vtime){ a->mtime.sec, a->mtime.nsec };
	vn->ctime = (struct vtime){ a->ctime.sec, a->ctime.nsec };
}

/* A reference to @vn unless its last one is already gone. */
static bool get_unless_zero(struct vnode *vn)
{
	int refs = __atomic_load_n(&vn->refs, __ATOMIC_RELAXED);
	while (refs > 0)
		if (__atomic_compare_exchange_n(&vn->refs, &refs, refs + 1,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

int nfs_node_get(struct mount *mp, const struct nfsfs_fh *fh,
		 const struct nfsfs_attr *attr, struct vnode **out)
{
	struct nfs_mount *nm = mp->fs_data;
	struct list_node *head = bucket(nm, attr->fileid);
	struct list_node *pos;
	struct nfs_node *n;
	enum vtype type = vtype_of(attr->type);

	if (!attr->valid)
		return -EIO; /* every reply this is called for carries them */
	if (type == VNON)
		return -EOPNOTSUPP; /* devices, sockets, FIFOs on the server */
	spin_lock(&nm->nodes_lock);
	list_for_each (pos, head) {
		n = list_entry(pos, struct nfs_node, hash);
		if (n->vn.ino == attr->fileid && n->fh.len == fh->len &&
		    !memcmp(n->fh.data, fh->data, fh->len) &&
		    get_unless_zero(&n->vn)) {
			spin_unlock(&nm->nodes_lock);
			vnode_lock(&n->vn);
			nfs_attr_apply(&n->vn, attr);
			vnode_unlock(&n->vn);
			*out = &n->vn;
			return 0;
		}
	}
	spin_unlock(&nm->nodes_lock);

	n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	vnode_init(&n->vn, type, ifmt_of(type) | (attr->mode & S_IALLUGO),
		   &nfs_vnode_ops, mp, attr->fileid);
	n->fh = *fh;
	list_init(&n->wb.chunks);
	nfs_attr_apply(&n->vn, attr);
	/* Two lookups may race to here; both vnodes work, the table has one. */
	spin_lock(&nm->nodes_lock);
	list_add_tail(head, &n->hash);
	spin_unlock(&nm->nodes_lock);
	*out = &n->vn;
	return 0;
}

void nfs_node_release(struct vnode *vn)
{
	struct nfs_node *n = nfs_node_of(vn);
	struct nfs_mount *nm = nfs_mount_of(vn);
	nfs_wb_flush(nm, n, true);
	int err = nfs_wb_take_error(nm, n);
	if (err)
		pr_err("nfs: %s: writing file %llu back after its last close failed (%d)",
		       nm->opts.url, (unsigned long long)vn->ino, err);
	if (n->silly_name) {
		struct nfs_ctx *c = nfs_ctx_get(nm);
		int ret = nfsfs_remove(c->conn, &n->silly_dir, n->silly_name);
		nfs_ctx_put(c);
		if (ret)
			pr_warn("nfs: cannot remove %s, left by a file unlinked while open (%d)",
				n->silly_name, ret);
		kfree(n->silly_name);
	}
	spin_lock(&nm->nodes_lock);
	list_remove(&n->hash);
	spin_unlock(&nm->nodes_lock);
	__atomic_sub_fetch(&nm->ra_bytes, n->ra.cap, __ATOMIC_RELAXED);
	kfree(n->ra.buf);
	kfree(n);
}

/* Mounting. */

/* Errors retrying may cure: no server yet, or no answer. */
static bool mount_error_transient(int ret)
{
	return ret == -EAGAIN || ret == -ETIMEDOUT;
}

/* One attempt's time limit when @left ms remain. */
static uint64_t clamp_ms(uint64_t left)
{
	return MAX(MIN(left, (uint64_t)CONNECT_TIMEOUT_MS), (uint64_t)1000);
}

/* The first connection, retried with backoff for opts.retry_s. */
/*
 * Bytes per READ or WRITE: the server's limit, under the option when one
 * was given, at most 1 MiB, and whole 4 KiB pages.
 */
static uint32_t io_size(uint32_t server_max, unsigned option)
{
	uint32_t n = MIN(server_max, (uint32_t)NFS_IO_MAX);
	if (option)
		n = MIN(n, (uint32_t)option);
	return MAX(n & ~(NFS_IO_MIN - 1u), (uint32_t)NFS_IO_MIN);
}

static int connect_first(struct nfs_mount *nm, const char *source)
{
	uint64_t start = nfs_now_ms();
	uint64_t deadline = start + (uint64_t)nm->opts.retry_s * 1000;
	uint64_t delay = BACKOFF_FIRST_MS;
	char err[160];

	for (unsigned attempt = 1;; attempt++) {
		uint64_t now = nfs_now_ms();
		struct nfs_ctx *c = ctx_new(
			nm, (unsigned)clamp_ms(deadline - MIN(now, deadline)),
			&nm->root_fh, err, sizeof(err));
		if (!IS_ERR(c)) {
			nm->ctx[nm->nr_ctx++] = c;
			return 0;
		}
		int ret = (int)PTR_ERR(c);
		now = nfs_now_ms();
		if (!mount_error_transient(ret) || now + delay >= deadline) {
			pr_err("nfs: cannot mount %s: %s (%u attempts in %llu ms)",
			       source, err, attempt,
			       (unsigned long long)(now - start));
			return ret;
		}
		if (attempt == 1)
			pr_warn("nfs: %s: %s; retrying for up to %u s", source,
				err, nm->opts.retry_s);
		thread_sleep_ns(delay * NSEC_PER_MSEC);
		delay = MIN(delay * 2, (uint64_t)BACKOFF_MAX_MS);
	}
}

static void mount_free(struct nfs_mount *nm)
{
	nfs_wb_stop(nm);
	for (unsigned i = 0; i < nm->nr_ctx; i++)
		ctx_close(nm->ctx[i]);
	nfs_opts_free(&nm->opts);
	kfree(nm);
}

int nfsfs_mount(struct mount *mp, const char *source, unsigned long flags)
{
	char err[160];
	struct nfs_mount *nm = kzalloc(sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	int ret = nfs_opts_parse(source, &nm->opts, err, sizeof(err));
	if (ret) {
		pr_err("nfs: %s", err);
		kfree(nm);
		return ret;
	}
	nm->ra_budget = (uint64_t)pmm_total_pages() * PAGE_SIZE / 8;
	mutex_init(&nm->pool_lock);
	nm->nodes_lock = (spinlock_t)SPINLOCK_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(nm->nodes); i++)
		list_init(&nm->nodes[i]);
	ret = connect_first(nm, source);
	if (ret)
		goto fail;
	struct nfsfs_conn *conn = nm->ctx[0]->conn;
	nm->rsize = io_size(nfsfs_readmax(conn), nm->opts.rsize);
	nm->wsize = io_size(nfsfs_writemax(conn), nm->opts.wsize);
	nm->io_size = MAX(nm->rsize, nm->wsize);
	nfs_wb_init(nm);
	ret = -ENOMEM;
	nm->ctx[0]->buf = kmalloc(nm->io_size);
	if (!nm->ctx[0]->buf)
		goto fail;
	struct nfsfs_attr attr;
	ret = nfsfs_getattr(conn, &nm->root_fh, &attr);
	if (ret) {
		pr_err("nfs: %s: cannot read the export's attributes (%d)",
		       source, ret);
		goto fail;
	}
	mp->fs_data = nm;
	ret = nfs_node_get(mp, &nm->root_fh, &attr, &mp->root);
	if (ret == 0 && mp->root->type != VDIR)
		ret = -ENOTDIR;
	if (ret) {
		mp->fs_data = NULL;
		goto fail;
	}
	pr_info("nfs: %s: %s, rsize %u KiB, wsize %u KiB, up to %u connections%s",
		source, nfsfs_version(conn), nm->rsize / 1024, nm->wsize / 1024,
		nm->opts.nconnect,
		nm->opts.ro		 ? ", read-only" :
		nm->wb.status == WB_DOWN ? ", stable writes" :
					   ", write-behind");
	return 0;
fail:
	mount_free(nm);
	return ret;
}

#define NFS_SUPER_MAGIC 0x6969 /* Linux's, for statfs */
#define STATFS_BSIZE 4096

int nfsfs_statfs(struct mount *mp, struct kstatfs *st)
{
	struct nfs_mount *nm = mp->fs_data;
	struct nfsfs_fsstat fs;
	struct nfs_ctx *c = nfs_ctx_get(nm);
	int ret = nfsfs_fsstat(c->conn, &nm->root_fh, &fs);
	nfs_ctx_put(c);
	if (ret)
		return ret;
	*st = (struct kstatfs){
		.type = NFS_SUPER_MAGIC,
		.bsize = STATFS_BSIZE,
		.blocks = fs.tbytes / STATFS_BSIZE,
		.bfree = fs.fbytes / STATFS_BSIZE,
		.bavail = fs.abytes / STATFS_BSIZE,
		.files = fs.tfiles,
		.ffree = fs.ffiles,
		.namelen = NAME_MAX,
	};
	return 0;
}

int nfsfs_sync(struct mount *mp)
{
	struct nfs_mount *nm = mp->fs_data;
	int first = 0;

	for (size_t b = 0; b < ARRAY_SIZE(nm->nodes); b++) {
		/* Bounded: files may still be written while this runs. */
		for (unsigned pass = 0; pass < SYNC_PASSES; pass++) {
			struct nfs_node *n = NULL;
			struct list_node *pos;
			spin_lock(&nm->nodes_lock);
			list_for_each (pos, &nm->nodes[b]) {
				struct nfs_node *m =
					list_entry(pos, struct nfs_node, hash);
				if (!list_empty(&m->wb.chunks) &&
				    get_unless_zero(&m->vn)) {
					n = m;
					break;
				}
			}
			spin_unlock(&nm->nodes_lock);
			if (!n)
				break;
			vnode_lock(&n->vn);
			nfs_wb_flush(nm, n, true);
			int err = nfs_wb_take_error(nm, n);
			vnode_unlock(&n->vn);
			vnode_put(&n->vn);
			if (err && !first)
				first = err;
		}
	}
	return first;
}

void nfsfs_unmount(struct mount *mp)
{
	mount_free(mp->fs_data);
	mp->fs_data = NULL;
}
