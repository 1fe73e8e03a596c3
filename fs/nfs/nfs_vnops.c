/*
 * Vnode operations of NFS: each is one call of nfs_proto.h (or a few) on
 * the vnode's file handle, through the calling thread's context, in the
 * mount's protocol version. Attributes
 * come back with nearly every reply and refresh the vnode, so stat sees
 * what the server has; lookups refresh them too, which gives
 * close-to-open consistency (open looks the name up).
 *
 * Data moves through the context's bounce buffer, the file's readahead
 * buffer or its write-behind chunks (nfs_wb.c): libnfs copies with plain
 * memcpy, which must not touch program memory. Writes go behind unless
 * the mount says `sync`, when they are stable (FILE_SYNC): what write()
 * returned is then on the server's disk. Either way close() and fsync()
 * return once it is, or with the error that kept it from getting there.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <vfs/vfs.h>

#include "nfs_internal.h"

/* A name the VFS gives (@name, @len) as a C string, in @buf. */
static const char *cname(char buf[NAME_MAX + 1], const char *name, size_t len)
{
	memcpy(buf, name, len);
	buf[len] = '\0';
	return buf;
}

static bool read_only(struct vnode *vn)
{
	return nfs_mount_of(vn)->opts.ro;
}

static int nfs_lookup(struct vnode *dir, const char *name, size_t len,
		      struct vnode **out)
{
	char nb[NAME_MAX + 1];
	struct nfsfs_fh fh;
	struct nfsfs_attr attr;

	if (len == 1 && name[0] == '.') {
		vnode_get(dir);
		*out = dir;
		return 0;
	}
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(dir));
	int ret = nfsfs_lookup(c->conn, &nfs_node_of(dir)->fh,
			       cname(nb, name, len), &fh, &attr);
	if (!ret && !attr.valid)
		ret = nfsfs_getattr(c->conn, &fh, &attr);
	nfs_ctx_put(c);
	return ret ? ret : nfs_node_get(dir->mount, &fh, &attr, out);
}

/* After a call that made an object: its vnode, and the directory's times. */
static int made(struct vnode *dir, int ret, struct nfs_ctx *c,
		const struct nfsfs_fh *fh, struct nfsfs_attr *attr,
		struct vnode **out)
{
	if (!ret && !attr->valid)
		ret = nfsfs_getattr(c->conn, fh, attr);
	nfs_ctx_put(c);
	if (ret)
		return ret;
	vnode_touch_locked(dir);
	return nfs_node_get(dir->mount, fh, attr, out);
}

static int nfs_create(struct vnode *dir, const char *name, size_t len,
		      unsigned mode, struct vnode **out)
{
	char nb[NAME_MAX + 1];
	struct nfsfs_fh fh;
	struct nfsfs_attr attr;

	if (read_only(dir))
		return -EROFS;
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(dir));
	const struct nfsfs_fh *dfh = &nfs_node_of(dir)->fh;
	int ret = (mode & S_IFMT) == S_IFDIR ?
			  nfsfs_mkdir(c->conn, dfh, cname(nb, name, len), mode,
				      &fh, &attr) :
			  nfsfs_create(c->conn, dfh, cname(nb, name, len), mode,
				       &fh, &attr);
	return made(dir, ret, c, &fh, &attr, out);
}

static int nfs_symlink(struct vnode *dir, const char *name, size_t len,
		       const char *target, struct vnode **out)
{
	char nb[NAME_MAX + 1];
	struct nfsfs_fh fh;
	struct nfsfs_attr attr;

	if (read_only(dir))
		return -EROFS;
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(dir));
	int ret = nfsfs_symlink(c->conn, &nfs_node_of(dir)->fh,
				cname(nb, name, len), target, &fh, &attr);
	return made(dir, ret, c, &fh, &attr, out);
}

/* The attributes of @vn again, after a call that changed them. */
static void refresh(struct nfs_ctx *c, struct vnode *vn)
{
	struct nfsfs_attr attr;
	if (!nfsfs_getattr(c->conn, &nfs_node_of(vn)->fh, &attr))
		nfs_attr_apply(vn, &attr);
}

static int nfs_link(struct vnode *dir, const char *name, size_t len,
		    struct vnode *vn)
{
	char nb[NAME_MAX + 1];

	if (read_only(dir))
		return -EROFS;
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(dir));
	int ret = nfsfs_link(c->conn, &nfs_node_of(vn)->fh,
			     &nfs_node_of(dir)->fh, cname(nb, name, len));
	if (!ret) {
		refresh(c, vn);
		vnode_touch_locked(dir);
	}
	nfs_ctx_put(c);
	return ret;
}

static int remove_name(struct vnode *dir, const char *name, size_t len,
		       struct vnode *vn, bool is_dir)
{
	char nb[NAME_MAX + 1];

	if (read_only(dir))
		return -EROFS;
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(dir));
	const struct nfsfs_fh *dfh = &nfs_node_of(dir)->fh;
	int ret = is_dir ? nfsfs_rmdir(c->conn, dfh, cname(nb, name, len)) :
			   nfsfs_remove(c->conn, dfh, cname(nb, name, len));
	nfs_ctx_put(c);
	if (ret)
		return ret;
	/* Open files stay readable here until closed; the server decides. */
	vn->nlink = is_dir || vn->nlink <= 1 ? 0 : vn->nlink - 1;
	vnode_touch_locked(dir);
	return 0;
}

/*
 * Unlinking a file that is open elsewhere would make the server forget it
 * under its readers. As Linux's client does, rename it to a hidden name
 * instead; it is removed when the last reference goes (nfs_node_release).
 */
static int silly_rename(struct vnode *dir, const char *name, size_t len,
			struct vnode *vn)
{
	static uint32_t counter;
	char nb[NAME_MAX + 1];
	struct nfs_node *n = nfs_node_of(vn);

	if (read_only(dir))
		return -EROFS;
	char *silly = kmalloc(32);
	if (!silly)
		return -ENOMEM;
	snprintf(silly, 32, ".nfs%016llx%08x", (unsigned long long)vn->ino,
		 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(dir));
	const struct nfsfs_fh *dfh = &nfs_node_of(dir)->fh;
	int ret = nfsfs_rename(c->conn, dfh, cname(nb, name, len), dfh, silly);
	nfs_ctx_put(c);
	if (ret) {
		kfree(silly);
		return ret;
	}
	kfree(n->silly_name); /* unlinked twice: the newer name counts */
	n->silly_name = silly;
	n->silly_dir = nfs_node_of(dir)->fh;
	vn->nlink = 0;
	vnode_touch_locked(dir);
	return 0;
}

static int nfs_unlink(struct vnode *dir, const char *name, size_t len,
		      struct vnode *vn)
{
	/* The caller's reference is one; any other is an open file. */
	if (__atomic_load_n(&vn->refs, __ATOMIC_RELAXED) > 1)
		return silly_rename(dir, name, len, vn);
	return remove_name(dir, name, len, vn, false);
}

static int nfs_rmdir(struct vnode *dir, const char *name, size_t len,
		     struct vnode *vn)
{
	return remove_name(dir, name, len, vn, true);
}

static int nfs_rename(struct vnode *fdir, const char *fname, size_t flen,
		      struct vnode *vn, struct vnode *tdir, const char *tname,
		      size_t tlen, struct vnode *target)
{
	char fb[NAME_MAX + 1], tb[NAME_MAX + 1];

	if (read_only(fdir))
		return -EROFS;
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(fdir));
	int ret = nfsfs_rename(c->conn, &nfs_node_of(fdir)->fh,
			       cname(fb, fname, flen), &nfs_node_of(tdir)->fh,
			       cname(tb, tname, tlen));
	nfs_ctx_put(c);
	if (ret)
		return ret;
	if (target)
		target->nlink = target->type == VDIR || target->nlink <= 1 ?
					0 :
					target->nlink - 1;
	vnode_touch_locked(fdir);
	if (tdir != fdir)
		vnode_touch_locked(tdir);
	return 0;
}

/*
 * Readahead. A read smaller than the mount's readahead that starts where
 * the last one ended (or at 0) fetches readahead bytes at once, in
 * pipelined READs, and the reads after it are served from those: a
 * program reading in small steps (stdio's 1 to 4 KiB) pays one round trip
 * per readahead bytes instead of one per read, and the copy replaces the
 * bounce buffer's. What was read ahead is dropped when the file changes:
 * at a write or truncate here, and when the attributes the server last
 * sent differ from those it was read with. Every open looks the name up,
 * which refreshes them, so readahead keeps close-to-open consistency.
 */

static bool vtime_eq(struct vtime a, struct vtime b)
{
	return a.sec == b.sec && a.nsec == b.nsec;
}

static void ra_validate(struct nfs_node *n)
{
	struct nfs_readahead *ra = &n->ra;
	if (ra->len &&
	    (!vtime_eq(ra->mtime, n->vn.mtime) ||
	     !vtime_eq(ra->ctime, n->vn.ctime) || ra->size != n->vn.size))
		ra->len = 0;
}

/* Copies what was read ahead at @off into @u: bytes, 0 if none, -EFAULT. */
static long ra_copy(struct nfs_node *n, struct uio *u, uint64_t off)
{
	struct nfs_readahead *ra = &n->ra;
	if (!ra->len || off < ra->off || off - ra->off >= ra->len)
		return 0;
	size_t k = MIN(u->len, (size_t)(ra->off + ra->len - off));
	return uio_copy_out(u, ra->buf + (off - ra->off), k) ? -EFAULT :
							       (long)k;
}

/*
 * Up to @len bytes at @off into kernel memory @buf, in READs of rsize at
 * most: bytes read (fewer at the end of the file, *@eof then) or an errno.
 */
static long read_into(struct nfs_ctx *c, struct nfs_node *n, uint32_t rsize,
		      uint64_t off, char *buf, uint32_t len, bool *eof,
		      struct nfsfs_attr *attr)
{
	uint32_t got = 0;
	long ret = 0;

	*eof = false;
	while (got < len) {
		uint32_t want = MIN(len - got, rsize);
		ret = nfsfs_read(c->conn, &n->fh, off + got, want, buf + got,
				 eof, attr);
		if (ret <= 0)
			break;
		got += (uint32_t)ret;
		if (*eof || (uint32_t)ret < want)
			break;
	}
	return got ? (long)got : ret;
}

/*
 * A buffer of @want bytes at least for @ra, within the mount's budget;
 * false when there is none (the read then goes to the server as it is).
 */
static bool ra_reserve(struct nfs_mount *nm, struct nfs_readahead *ra,
		       uint32_t want)
{
	if (ra->cap >= want)
		return true;
	if (__atomic_add_fetch(&nm->ra_bytes, want, __ATOMIC_RELAXED) >
	    nm->ra_budget + ra->cap) {
		__atomic_sub_fetch(&nm->ra_bytes, want, __ATOMIC_RELAXED);
		return false;
	}
	char *buf = kmalloc(want);
	if (!buf) {
		__atomic_sub_fetch(&nm->ra_bytes, want, __ATOMIC_RELAXED);
		return false;
	}
	__atomic_sub_fetch(&nm->ra_bytes, ra->cap, __ATOMIC_RELAXED);
	kfree(ra->buf);
	ra->buf = buf;
	ra->cap = want;
	return true;
}

/*
 * Reads ahead at @off: bytes now held (0 at the end of the file) or an
 * errno, -ENOMEM when there is no buffer for it. The buffer is sized for
 * what is left of the file as last seen, so small files cost small
 * buffers; all of a mount's together stay within an eighth of the RAM.
 */
static long ra_fill(struct nfs_mount *nm, struct nfs_node *n, struct nfs_ctx *c,
		    uint64_t off, struct nfsfs_attr *attr)
{
	struct nfs_readahead *ra = &n->ra;
	uint64_t left = n->vn.size > off ? n->vn.size - off : 1;
	uint32_t want = (uint32_t)MIN((uint64_t)nm->opts.readahead,
				      ALIGN_UP(left, NFS_IO_MIN));
	bool eof;

	ra->len = 0;
	if (!ra_reserve(nm, ra, want))
		return -ENOMEM;
	long got = read_into(c, n, nm->rsize, off, ra->buf, want, &eof, attr);
	nfs_attr_apply(&n->vn, attr);
	if (got > 0) {
		ra->off = off;
		ra->len = (uint32_t)got;
		ra->mtime = n->vn.mtime;
		ra->ctime = n->vn.ctime;
		ra->size = n->vn.size;
	}
	return got;
}

/* Reads into @u at @off from the server through the bounce buffer. */
static long read_direct(struct nfs_mount *nm, struct nfs_node *n,
			struct nfs_ctx *c, struct uio *u, uint64_t off,
			struct nfsfs_attr *attr)
{
	long done = 0, ret = 0;
	bool eof = false;

	while (u->len && !eof) {
		uint32_t want = (uint32_t)MIN(u->len, (size_t)nm->rsize);
		ret = read_into(c, n, want, off, c->buf, want, &eof, attr);
		if (ret <= 0)
			break;
		if (uio_copy_out(u, c->buf, (size_t)ret)) {
			ret = -EFAULT;
			break;
		}
		done += ret;
		off += (uint64_t)ret;
		if ((uint32_t)ret < want)
			break;
	}
	return done ? done : ret;
}

static ssize_t nfs_read(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct nfs_mount *nm = nfs_mount_of(vn);
	struct nfs_node *n = nfs_node_of(vn);
	struct nfs_ctx *c = NULL;
	struct nfsfs_attr attr = { 0 };
	bool sequential = off == 0 || off == n->ra.next;
	ssize_t done = 0;
	long ret = 0;

	if (nfs_wb_unsent(n))
		nfs_wb_flush(nm, n, false); /* the server reads what we wrote */
	ra_validate(n);
	while (u->len) {
		ret = ra_copy(n, u, off);
		if (ret > 0) {
			done += ret;
			off += (uint64_t)ret;
			continue;
		}
		if (ret < 0)
			break;
		if (!c)
			c = nfs_ctx_get(nm);
		if (sequential && u->len < nm->opts.readahead) {
			ret = ra_fill(nm, n, c, off, &attr);
			if (ret > 0)
				continue;
			if (ret != -ENOMEM)
				break;
		}
		ret = read_direct(nm, n, c, u, off, &attr);
		if (ret > 0) {
			done += ret;
			off += (uint64_t)ret;
		}
		break;
	}
	n->ra.next = off;
	nfs_attr_apply(vn, &attr);
	if (c)
		nfs_ctx_put(c);
	return done ? done : ret;
}

/* Stable WRITEs of @u at @off through the bounce buffer. */
static ssize_t write_through(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct nfs_mount *nm = nfs_mount_of(vn);
	struct nfsfs_attr attr = { 0 };
	ssize_t done = 0;
	long ret = 0;

	struct nfs_ctx *c = nfs_ctx_get(nm);
	while (u->len) {
		uint32_t n = (uint32_t)MIN(u->len, (size_t)nm->wsize);
		struct uio saved = *u;
		if (uio_copy_in(u, c->buf, n)) {
			ret = -EFAULT;
			break;
		}
		ret = nfsfs_write(c->conn, &nfs_node_of(vn)->fh, off, n, c->buf,
				  &attr);
		if (ret <= 0) {
			*u = saved;
			break;
		}
		if ((uint32_t)ret <
		    n) { /* short: give back what was not sent */
			*u = saved;
			u->base += ret;
			u->len -= (size_t)ret;
		}
		done += ret;
		off += (uint64_t)ret;
	}
	nfs_attr_apply(vn, &attr);
	nfs_ctx_put(c);
	return done ? done : ret;
}

static ssize_t nfs_write(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct nfs_mount *nm = nfs_mount_of(vn);
	struct nfs_node *n = nfs_node_of(vn);
	ssize_t done = 0;
	long ret = 0;

	if (nm->opts.ro)
		return -EROFS;
	/* A write behind that failed: this write() says so, as on Linux. */
	ret = nfs_wb_take_error(nm, n);
	if (ret)
		return ret;
	n->ra.len = 0;
	if (nfs_wb_enabled(nm)) {
		ret = nfs_wb_write(nm, n, u, off);
		if (ret > 0) {
			done = ret;
			off += (uint64_t)ret;
			vnode_touch_locked(vn);
		}
	}
	if (u->len && ret >= 0) { /* stable, or no room to write behind */
		nfs_wb_flush(nm, n, true); /* no resend may undo this write */
		ret = write_through(vn, u, off);
		if (ret > 0) {
			done += ret;
			off += (uint64_t)ret;
		}
	}
	if (done && off > vn->size)
		vn->size = off; /* in case the reply carried no attributes */
	return done ? done : ret;
}

static int nfs_truncate(struct vnode *vn, uint64_t size)
{
	struct nfsfs_sattr sa = { .set_size = true, .size = size };
	struct nfsfs_attr attr = { 0 };

	if (read_only(vn))
		return -EROFS;
	nfs_node_of(vn)->ra.len = 0;
	/* Committed first: no chunk sent again may write past the end. */
	nfs_wb_flush(nfs_mount_of(vn), nfs_node_of(vn), true);
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(vn));
	int ret = nfsfs_setattr(c->conn, &nfs_node_of(vn)->fh, &sa, &attr);
	nfs_ctx_put(c);
	if (ret)
		return ret;
	vn->size = size;
	nfs_attr_apply(vn, &attr);
	return 0;
}

/* The VFS stored the new attributes in the vnode; now the server. */
static int nfs_setattr(struct vnode *vn, const struct vattr *va)
{
	struct nfsfs_sattr sa = {
		.set_mode = va->mask & VATTR_MODE,
		.set_uid = va->mask & VATTR_UID,
		.set_gid = va->mask & VATTR_GID,
		.set_atime = va->mask & (VATTR_ATIME | VATTR_ATIME_NOW),
		.set_mtime = va->mask & (VATTR_MTIME | VATTR_MTIME_NOW),
		.atime_now = va->mask & VATTR_ATIME_NOW,
		.mtime_now = va->mask & VATTR_MTIME_NOW,
		.mode = va->mode,
		.uid = va->uid,
		.gid = va->gid,
		.atime = { va->atime.sec, (uint32_t)va->atime.nsec },
		.mtime = { va->mtime.sec, (uint32_t)va->mtime.nsec },
	};
	struct nfsfs_attr attr = { 0 };

	if (!sa.set_mode && !sa.set_uid && !sa.set_gid && !sa.set_atime &&
	    !sa.set_mtime)
		return 0; /* a size change alone: truncate did it */
	if (read_only(vn))
		return -EROFS;
	/* The times set are not to be moved by WRITEs still to come. */
	nfs_wb_flush(nfs_mount_of(vn), nfs_node_of(vn), false);
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(vn));
	int ret = nfsfs_setattr(c->conn, &nfs_node_of(vn)->fh, &sa, &attr);
	if (ret)
		refresh(c, vn); /* undo what the VFS stored */
	nfs_ctx_put(c);
	nfs_attr_apply(vn, &attr);
	return ret;
}

static int nfs_fsync(struct vnode *vn)
{
	struct nfs_mount *nm = nfs_mount_of(vn);
	struct nfs_node *n = nfs_node_of(vn);
	uint8_t verf[NFSFS_VERFSIZE];

	if (vn->type != VREG || read_only(vn))
		return 0;
	if (!list_empty(&n->wb.chunks)) {
		nfs_wb_flush(nm, n, true);
		return nfs_wb_take_error(nm, n);
	}
	struct nfs_ctx *c = nfs_ctx_get(nm);
	int ret = nfsfs_commit(c->conn, &n->fh, verf);
	nfs_ctx_put(c);
	int err = nfs_wb_take_error(nm, n);
	return err ? err : ret;
}

/* close(): what was written behind is on the server's disk, or the error. */
static int nfs_flush(struct vnode *vn)
{
	struct nfs_mount *nm = nfs_mount_of(vn);
	struct nfs_node *n = nfs_node_of(vn);
	nfs_wb_flush(nm, n, true);
	return nfs_wb_take_error(nm, n);
}

static ssize_t nfs_readlink(struct vnode *vn, struct uio *u)
{
	char *buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(vn));
	long len = nfsfs_readlink(c->conn, &nfs_node_of(vn)->fh, buf, PATH_MAX);
	nfs_ctx_put(c);
	if (len > 0) {
		size_t n = MIN((size_t)len, MIN(u->len, (size_t)PATH_MAX));
		len = uio_copy_out(u, buf, n) ? -EFAULT : (long)n;
	}
	kfree(buf);
	return len;
}

struct readdir_ctx {
	vfs_filldir_fn fill;
	void *ctx;
	uint64_t *cookie;
	bool stopped;
};

static enum vtype entry_type(const struct nfsfs_attr *attr)
{
	if (!attr)
		return VNON;
	return attr->type == NFSFS_DIR ? VDIR :
	       attr->type == NFSFS_LNK ? VLNK :
	       attr->type == NFSFS_REG ? VREG :
					 VNON;
}

static int readdir_entry(void *arg, const char *name, uint64_t fileid,
			 uint64_t cookie, const struct nfsfs_attr *attr,
			 const struct nfsfs_fh *fh)
{
	struct readdir_ctx *rc = arg;
	if (rc->fill(rc->ctx, name, strlen(name), fileid, entry_type(attr),
		     cookie)) {
		rc->stopped = true;
		return 1;
	}
	*rc->cookie = cookie;
	return 0;
}

static int nfs_readdir(struct vnode *dir, uint64_t *cookie, vfs_filldir_fn fill,
		       void *ctx)
{
	struct nfs_node *n = nfs_node_of(dir);
	struct readdir_ctx rc = { fill, ctx, cookie, false };
	int ret = 0;

	if (*cookie == 0)
		memset(n->cookie_verf, 0, sizeof(n->cookie_verf));
	struct nfs_ctx *c = nfs_ctx_get(nfs_mount_of(dir));
	while (!rc.stopped && ret == 0) {
		uint64_t before = *cookie;
		ret = nfsfs_readdir(c->conn, &n->fh, *cookie, n->cookie_verf,
				    readdir_entry, &rc);
		if (ret == 0 && !rc.stopped && *cookie == before) {
			pr_err("nfs: the server sent an empty directory page that is not the last");
			ret = -EIO;
		}
	}
	nfs_ctx_put(c);
	return ret < 0 ? ret : 0;
}

const struct vnode_ops nfs_vnode_ops = {
	.lookup = nfs_lookup,
	.create = nfs_create,
	.symlink = nfs_symlink,
	.link = nfs_link,
	.unlink = nfs_unlink,
	.rmdir = nfs_rmdir,
	.rename = nfs_rename,
	.read = nfs_read,
	.write = nfs_write,
	.truncate = nfs_truncate,
	.readdir = nfs_readdir,
	.readlink = nfs_readlink,
	.setattr = nfs_setattr,
	.fsync = nfs_fsync,
	.flush = nfs_flush,
	.release = nfs_node_release,
};
