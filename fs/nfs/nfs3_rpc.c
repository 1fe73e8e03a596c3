/*
 * NFSv3: each call is one raw NFSv3 procedure on a file handle, issued
 * with rpc_nfs3_*_async and waited for by nfs_rpc.c. Compiled against
 * libnfs's headers: see nfs_proto.h.
 */
#define NFS_GLUE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nfsc/libnfs-raw-nfs.h>

#include "nfs_rpc.h"

int nfsfs_status_errno(uint32_t status)
{
	switch (status) {
	case NFS3_OK:
		return 0;
	case NFS3ERR_PERM:
	case NFS3ERR_NOENT:
	case NFS3ERR_IO:
	case NFS3ERR_NXIO:
	case NFS3ERR_ACCES:
	case NFS3ERR_EXIST:
	case NFS3ERR_XDEV:
	case NFS3ERR_NODEV:
	case NFS3ERR_NOTDIR:
	case NFS3ERR_ISDIR:
	case NFS3ERR_INVAL:
	case NFS3ERR_FBIG:
	case NFS3ERR_NOSPC:
	case NFS3ERR_ROFS:
	case NFS3ERR_MLINK:
		return -(int)status; /* the same numbers as Linux */
	case NFS3ERR_NAMETOOLONG:
		return -ENAMETOOLONG;
	case NFS3ERR_NOTEMPTY:
		return -ENOTEMPTY;
	case NFS3ERR_DQUOT:
		return -EDQUOT;
	case NFS3ERR_STALE:
	case NFS3ERR_BADHANDLE:
		return -ESTALE;
	case NFS3ERR_REMOTE:
		return -EREMOTE;
	case NFS3ERR_NOTSUPP:
		return -EOPNOTSUPP;
	case NFS3ERR_BAD_COOKIE:
	case NFS3ERR_TOOSMALL:
	case NFS3ERR_BADTYPE:
		return -EINVAL;
	case NFS3ERR_JUKEBOX:
		return -EAGAIN;
	default: /* NOT_SYNC, SERVERFAULT, anything new */
		return -EIO;
	}
}

static void fh_to_arg(const struct nfsfs_fh *fh, nfs_fh3 *a)
{
	a->data.data_len = fh->len;
	a->data.data_val = (char *)fh->data;
}

static int fh_from_reply(struct nfsfs_fh *fh, const nfs_fh3 *r)
{
	if (r->data.data_len == 0 || r->data.data_len > NFS3_FHSIZE)
		return -EIO; /* a handle no server may send */
	fh->len = r->data.data_len;
	memcpy(fh->data, r->data.data_val, r->data.data_len);
	return 0;
}

static void attr_from_reply(struct nfsfs_attr *a, const post_op_attr *p)
{
	if (!a)
		return;
	memset(a, 0, sizeof(*a));
	if (!p->attributes_follow)
		return;
	const fattr3 *f = &p->post_op_attr_u.attributes;
	a->valid = true;
	a->type = f->type;
	a->mode = f->mode & 07777;
	a->nlink = f->nlink;
	a->uid = f->uid;
	a->gid = f->gid;
	a->size = f->size;
	a->used = f->used;
	a->fileid = f->fileid;
	a->atime = (struct nfsfs_time){ f->atime.seconds, f->atime.nseconds };
	a->mtime = (struct nfsfs_time){ f->mtime.seconds, f->mtime.nseconds };
	a->ctime = (struct nfsfs_time){ f->ctime.seconds, f->ctime.nseconds };
}

/* GETATTR, SETATTR */

static int unpack_getattr(struct call *c, void *data)
{
	GETATTR3res *r = data;
	if (r->status != NFS3_OK)
		return nfsfs_status_errno(r->status);
	post_op_attr p = { 1, { r->GETATTR3res_u.resok.obj_attributes } };
	attr_from_reply(c->out, &p);
	return 0;
}

static int v3_getattr(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		      struct nfsfs_attr *attr)
{
	struct call c = { .unpack = unpack_getattr, .out = attr };
	GETATTR3args a;
	fh_to_arg(fh, &a.object);
	return nfsfs_wait_call(cn, &c,
			       rpc_nfs3_getattr_async(cn->rpc, nfsfs_rpc_done,
						      &a, &c));
}

static int unpack_setattr(struct call *c, void *data)
{
	SETATTR3res *r = data;
	if (r->status != NFS3_OK)
		return nfsfs_status_errno(r->status);
	attr_from_reply(c->out, &r->SETATTR3res_u.resok.obj_wcc.after);
	return 0;
}

static void sattr_to_arg(const struct nfsfs_sattr *s, sattr3 *a)
{
	memset(a, 0, sizeof(*a));
	if (s->set_mode) {
		a->mode.set_it = 1;
		a->mode.set_mode3_u.mode = s->mode & 07777;
	}
	if (s->set_uid) {
		a->uid.set_it = 1;
		a->uid.set_uid3_u.uid = s->uid;
	}
	if (s->set_gid) {
		a->gid.set_it = 1;
		a->gid.set_gid3_u.gid = s->gid;
	}
	if (s->set_size) {
		a->size.set_it = 1;
		a->size.set_size3_u.size = s->size;
	}
	if (s->set_atime) {
		a->atime.set_it = s->atime_now ? SET_TO_SERVER_TIME :
						 SET_TO_CLIENT_TIME;
		a->atime.set_atime_u.atime.seconds = (u_int)s->atime.sec;
		a->atime.set_atime_u.atime.nseconds = s->atime.nsec;
	}
	if (s->set_mtime) {
		a->mtime.set_it = s->mtime_now ? SET_TO_SERVER_TIME :
						 SET_TO_CLIENT_TIME;
		a->mtime.set_mtime_u.mtime.seconds = (u_int)s->mtime.sec;
		a->mtime.set_mtime_u.mtime.nseconds = s->mtime.nsec;
	}
}

static int v3_setattr(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		      const struct nfsfs_sattr *sa, struct nfsfs_attr *attr)
{
	struct call c = { .unpack = unpack_setattr, .out = attr };
	SETATTR3args a;
	memset(&a, 0, sizeof(a));
	fh_to_arg(fh, &a.object);
	sattr_to_arg(sa, &a.new_attributes);
	return nfsfs_wait_call(cn, &c,
			       rpc_nfs3_setattr_async(cn->rpc, nfsfs_rpc_done,
						      &a, &c));
}

/* LOOKUP */

static int unpack_lookup(struct call *c, void *data)
{
	LOOKUP3res *r = data;
	if (r->status != NFS3_OK)
		return nfsfs_status_errno(r->status);
	attr_from_reply(c->out2, &r->LOOKUP3res_u.resok.obj_attributes);
	return fh_from_reply(c->out, &r->LOOKUP3res_u.resok.object);
}

static int v3_lookup(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		     const char *name, struct nfsfs_fh *fh,
		     struct nfsfs_attr *attr)
{
	struct call c = { .unpack = unpack_lookup, .out = fh, .out2 = attr };
	LOOKUP3args a;
	fh_to_arg(dir, &a.what.dir);
	a.what.name = (char *)name;
	return nfsfs_wait_call(
		cn, &c, rpc_nfs3_lookup_async(cn->rpc, nfsfs_rpc_done, &a, &c));
}

/* READ, WRITE, COMMIT */

static int unpack_read(struct call *c, void *data)
{
	READ3res *r = data;
	if (r->status != NFS3_OK)
		return nfsfs_status_errno(r->status);
	READ3resok *ok = &r->READ3res_u.resok;
	uint32_t n = ok->data.data_len;
	if (n > c->arg)
		return -EIO; /* more than asked for */
	memcpy(c->out, ok->data.data_val, n);
	*c->eof = ok->eof != 0;
	attr_from_reply(c->out2, &ok->file_attributes);
	return (int)n;
}

static int unpack_write(struct call *c, void *data)
{
	WRITE3res *r = data;
	if (r->status != NFS3_OK)
		return nfsfs_status_errno(r->status);
	WRITE3resok *ok = &r->WRITE3res_u.resok;
	if (ok->count > c->arg)
		return -EIO;
	if (c->stable && ok->committed != FILE_SYNC &&
	    ok->committed != DATA_SYNC)
		return -EIO; /* asked for stable storage and did not get it */
	memcpy(c->verf, ok->verf, NFSFS_VERFSIZE);
	attr_from_reply(c->out2, &ok->file_wcc.after);
	return (int)ok->count;
}

/* A READ or WRITE in flight (nfs_proto.h): each part's call and results. */
struct nfsfs_xfer {
	unsigned n;
	uint32_t part, count;
	struct call calls[NFSFS_PIPELINE_PARTS];
	struct nfsfs_attr attrs[NFSFS_PIPELINE_PARTS];
	bool eofs[NFSFS_PIPELINE_PARTS];
	uint8_t verfs[NFSFS_PIPELINE_PARTS][NFSFS_VERFSIZE];
};

/* Sends the parts of a READ or WRITE; see struct nfsfs_proto. */
static struct nfsfs_xfer *xfer_start(struct nfsfs_conn *cn,
				     const struct nfsfs_fh *fh, uint64_t off,
				     uint32_t count, char *buf, bool write,
				     bool stable)
{
	struct nfsfs_xfer *x = posix_malloc(sizeof(*x));
	if (!x)
		return NULL;
	x->n = nfsfs_pipeline_split(count, &x->part);
	x->count = count;
	for (unsigned i = 0; i < x->n; i++) {
		uint32_t len = i + 1 < x->n ? x->part : count - i * x->part;
		char *at = buf + (size_t)i * x->part;
		x->eofs[i] = false;
		x->calls[i] = (struct call){ .unpack = write ? unpack_write :
							       unpack_read,
					     .out = at,
					     .out2 = &x->attrs[i],
					     .arg = len,
					     .eof = &x->eofs[i],
					     .verf = x->verfs[i],
					     .stable = stable };
		int queued;
		if (write) {
			WRITE3args a;
			fh_to_arg(fh, &a.file);
			a.offset = off + (uint64_t)i * x->part;
			a.count = len;
			a.stable = stable ? FILE_SYNC : UNSTABLE;
			a.data.data_len = len;
			a.data.data_val = at;
			queued = rpc_nfs3_write_async(cn->rpc, nfsfs_rpc_done,
						      &a, &x->calls[i]);
		} else {
			READ3args a;
			fh_to_arg(fh, &a.file);
			a.offset = off + (uint64_t)i * x->part;
			a.count = len;
			queued = rpc_nfs3_read_async(cn->rpc, nfsfs_rpc_done,
						     &a, &x->calls[i]);
		}
		if (!nfsfs_sent(cn, &x->calls[i], queued))
			x->n = i + 1; /* no more after a part that failed */
	}
	return x;
}

/* Waits for @x's parts and frees it; see struct nfsfs_proto. */
static long xfer_end(struct nfsfs_conn *cn, struct nfsfs_xfer *x, bool *eof,
		     struct nfsfs_attr *attr, uint8_t *verf)
{
	long total = 0;
	if (x->n) {
		nfsfs_wait_calls(cn, x->calls, x->n);
		unsigned last;
		total = nfsfs_pipeline_end(x->calls, x->n, x->part, x->count,
					   x->verfs, verf, &last);
		if (total >= 0) {
			if (eof)
				*eof = x->eofs[last];
			*attr = x->attrs[last];
		}
	}
	posix_free(x);
	return total;
}

static int unpack_commit(struct call *c, void *data)
{
	COMMIT3res *r = data;
	if (r->status == NFS3_OK)
		memcpy(c->verf, r->COMMIT3res_u.resok.verf, NFSFS_VERFSIZE);
	return nfsfs_status_errno(r->status);
}

static int v3_commit(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		     uint8_t verf[NFSFS_VERFSIZE])
{
	struct call c = { .unpack = unpack_commit, .verf = verf };
	COMMIT3args a;
	fh_to_arg(fh, &a.file);
	a.offset = 0;
	a.count = 0;
	return nfsfs_wait_call(
		cn, &c, rpc_nfs3_commit_async(cn->rpc, nfsfs_rpc_done, &a, &c));
}

/* CREATE, MKDIR, SYMLINK: a new object, its handle and attributes. */

static int new_object(struct call *c, uint32_t status, post_op_fh3 *fh,
		      post_op_attr *attr)
{
	if (status != NFS3_OK)
		return nfsfs_status_errno(status);
	attr_from_reply(c->out2, attr);
	if (!fh->handle_follows) {
		((struct nfsfs_fh *)c->out)->len = 0; /* caller looks it up */
		return 0;
	}
	return fh_from_reply(c->out, &fh->post_op_fh3_u.handle);
}

static int unpack_create(struct call *c, void *data)
{
	CREATE3res *r = data;
	return new_object(c, r->status, &r->CREATE3res_u.resok.obj,
			  &r->CREATE3res_u.resok.obj_attributes);
}

static int unpack_mkdir(struct call *c, void *data)
{
	MKDIR3res *r = data;
	return new_object(c, r->status, &r->MKDIR3res_u.resok.obj,
			  &r->MKDIR3res_u.resok.obj_attributes);
}

static int unpack_symlink(struct call *c, void *data)
{
	SYMLINK3res *r = data;
	return new_object(c, r->status, &r->SYMLINK3res_u.resok.obj,
			  &r->SYMLINK3res_u.resok.obj_attributes);
}

/* When the reply had no handle, LOOKUP gets it. */
static int complete_new(struct nfsfs_conn *cn, int ret,
			const struct nfsfs_fh *dir, const char *name,
			struct nfsfs_fh *fh, struct nfsfs_attr *attr)
{
	if (ret || fh->len)
		return ret;
	return v3_lookup(cn, dir, name, fh, attr);
}

static int v3_create(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		     const char *name, uint32_t mode, struct nfsfs_fh *fh,
		     struct nfsfs_attr *attr)
{
	struct call c = { .unpack = unpack_create, .out = fh, .out2 = attr };
	CREATE3args a;
	memset(&a, 0, sizeof(a));
	fh_to_arg(dir, &a.where.dir);
	a.where.name = (char *)name;
	a.how.mode = GUARDED;
	a.how.createhow3_u.obj_attributes.mode.set_it = 1;
	a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = mode & 07777;
	int ret = nfsfs_wait_call(
		cn, &c, rpc_nfs3_create_async(cn->rpc, nfsfs_rpc_done, &a, &c));
	return complete_new(cn, ret, dir, name, fh, attr);
}

static int v3_mkdir(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		    const char *name, uint32_t mode, struct nfsfs_fh *fh,
		    struct nfsfs_attr *attr)
{
	struct call c = { .unpack = unpack_mkdir, .out = fh, .out2 = attr };
	MKDIR3args a;
	memset(&a, 0, sizeof(a));
	fh_to_arg(dir, &a.where.dir);
	a.where.name = (char *)name;
	a.attributes.mode.set_it = 1;
	a.attributes.mode.set_mode3_u.mode = mode & 07777;
	int ret = nfsfs_wait_call(
		cn, &c, rpc_nfs3_mkdir_async(cn->rpc, nfsfs_rpc_done, &a, &c));
	return complete_new(cn, ret, dir, name, fh, attr);
}

static int v3_symlink(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		      const char *name, const char *target, struct nfsfs_fh *fh,
		      struct nfsfs_attr *attr)
{
	struct call c = { .unpack = unpack_symlink, .out = fh, .out2 = attr };
	SYMLINK3args a;
	memset(&a, 0, sizeof(a));
	fh_to_arg(dir, &a.where.dir);
	a.where.name = (char *)name;
	a.symlink.symlink_data = (char *)target;
	int ret = nfsfs_wait_call(
		cn, &c,
		rpc_nfs3_symlink_async(cn->rpc, nfsfs_rpc_done, &a, &c));
	return complete_new(cn, ret, dir, name, fh, attr);
}

/* READLINK */

static int unpack_readlink(struct call *c, void *data)
{
	READLINK3res *r = data;
	if (r->status != NFS3_OK)
		return nfsfs_status_errno(r->status);
	const char *t = r->READLINK3res_u.resok.data;
	size_t len = strlen(t);
	memcpy(c->out, t, len < c->arg ? len : c->arg);
	return (int)len;
}

static long v3_readlink(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
			char *buf, size_t size)
{
	struct call c = { .unpack = unpack_readlink, .out = buf, .arg = size };
	READLINK3args a;
	fh_to_arg(fh, &a.symlink);
	return nfsfs_wait_call(cn, &c,
			       rpc_nfs3_readlink_async(cn->rpc, nfsfs_rpc_done,
						       &a, &c));
}

/* REMOVE, RMDIR, RENAME, LINK: only a status matters. */

static int unpack_remove(struct call *c, void *data)
{
	return nfsfs_status_errno(((REMOVE3res *)data)->status);
}

static int unpack_rmdir(struct call *c, void *data)
{
	return nfsfs_status_errno(((RMDIR3res *)data)->status);
}

static int unpack_rename(struct call *c, void *data)
{
	return nfsfs_status_errno(((RENAME3res *)data)->status);
}

static int unpack_link(struct call *c, void *data)
{
	return nfsfs_status_errno(((LINK3res *)data)->status);
}

static int v3_remove(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		     const char *name)
{
	struct call c = { .unpack = unpack_remove };
	REMOVE3args a;
	fh_to_arg(dir, &a.object.dir);
	a.object.name = (char *)name;
	return nfsfs_wait_call(
		cn, &c, rpc_nfs3_remove_async(cn->rpc, nfsfs_rpc_done, &a, &c));
}

static int v3_rmdir(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		    const char *name)
{
	struct call c = { .unpack = unpack_rmdir };
	RMDIR3args a;
	fh_to_arg(dir, &a.object.dir);
	a.object.name = (char *)name;
	return nfsfs_wait_call(
		cn, &c, rpc_nfs3_rmdir_async(cn->rpc, nfsfs_rpc_done, &a, &c));
}

static int v3_rename(struct nfsfs_conn *cn, const struct nfsfs_fh *fdir,
		     const char *fname, const struct nfsfs_fh *tdir,
		     const char *tname)
{
	struct call c = { .unpack = unpack_rename };
	RENAME3args a;
	fh_to_arg(fdir, &a.from.dir);
	a.from.name = (char *)fname;
	fh_to_arg(tdir, &a.to.dir);
	a.to.name = (char *)tname;
	return nfsfs_wait_call(
		cn, &c, rpc_nfs3_rename_async(cn->rpc, nfsfs_rpc_done, &a, &c));
}

static int v3_link(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		   const struct nfsfs_fh *dir, const char *name)
{
	struct call c = { .unpack = unpack_link };
	LINK3args a;
	fh_to_arg(fh, &a.file);
	fh_to_arg(dir, &a.link.dir);
	a.link.name = (char *)name;
	return nfsfs_wait_call(
		cn, &c, rpc_nfs3_link_async(cn->rpc, nfsfs_rpc_done, &a, &c));
}

/* FSSTAT */

static int unpack_fsstat(struct call *c, void *data)
{
	FSSTAT3res *r = data;
	if (r->status != NFS3_OK)
		return nfsfs_status_errno(r->status);
	FSSTAT3resok *ok = &r->FSSTAT3res_u.resok;
	*(struct nfsfs_fsstat *)c->out = (struct nfsfs_fsstat){
		ok->tbytes, ok->fbytes, ok->abytes,
		ok->tfiles, ok->ffiles, ok->afiles,
	};
	return 0;
}

static int v3_fsstat(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		     struct nfsfs_fsstat *st)
{
	struct call c = { .unpack = unpack_fsstat, .out = st };
	FSSTAT3args a;
	fh_to_arg(fh, &a.fsroot);
	return nfsfs_wait_call(
		cn, &c, rpc_nfs3_fsstat_async(cn->rpc, nfsfs_rpc_done, &a, &c));
}

/* READDIRPLUS */

#define READDIR_DIRCOUNT 8192
#define READDIR_MAXCOUNT 65536

static int unpack_readdir(struct call *c, void *data)
{
	READDIRPLUS3res *r = data;
	if (r->status != NFS3_OK)
		return nfsfs_status_errno(r->status);
	READDIRPLUS3resok *ok = &r->READDIRPLUS3res_u.resok;
	memcpy(c->verf, ok->cookieverf, NFSFS_VERFSIZE);
	for (entryplus3 *e = ok->reply.entries; e; e = e->nextentry) {
		struct nfsfs_attr attr;
		struct nfsfs_fh fh, *fhp = NULL;
		attr_from_reply(&attr, &e->name_attributes);
		if (e->name_handle.handle_follows &&
		    !fh_from_reply(&fh, &e->name_handle.post_op_fh3_u.handle))
			fhp = &fh;
		if (c->entry_fn(c->out, e->name, e->fileid, e->cookie,
				attr.valid ? &attr : NULL, fhp))
			return 0;
	}
	return ok->reply.eof ? 1 : 0;
}

static int v3_readdir(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		      uint64_t cookie, uint8_t verf[NFSFS_VERFSIZE],
		      nfsfs_entry_fn fn, void *ctx)
{
	struct call c = { .unpack = unpack_readdir,
			  .out = ctx,
			  .entry_fn = fn,
			  .verf = verf };
	READDIRPLUS3args a;
	fh_to_arg(dir, &a.dir);
	a.cookie = cookie;
	memcpy(a.cookieverf, verf, NFSFS_VERFSIZE);
	a.dircount = READDIR_DIRCOUNT;
	a.maxcount = READDIR_MAXCOUNT;
	return nfsfs_wait_call(
		cn, &c,
		rpc_nfs3_readdirplus_async(cn->rpc, nfsfs_rpc_done, &a, &c));
}

const struct nfsfs_proto nfsfs_v3_proto = {
	.name = "NFSv3",
	.getattr = v3_getattr,
	.setattr = v3_setattr,
	.lookup = v3_lookup,
	.xfer_start = xfer_start,
	.xfer_end = xfer_end,
	.commit = v3_commit,
	.create = v3_create,
	.mkdir = v3_mkdir,
	.symlink = v3_symlink,
	.readlink = v3_readlink,
	.remove = v3_remove,
	.rmdir = v3_rmdir,
	.rename = v3_rename,
	.link = v3_link,
	.fsstat = v3_fsstat,
	.readdir = v3_readdir,
};
