/*
 * NFSv3 over Debian's libnfs.a, inside the kernel. libnfs's high-level
 * API mounts (portmapper, MOUNT, FSINFO: it knows the URL syntax); every
 * file operation after that is one raw NFSv3 procedure on a file handle,
 * issued with rpc_nfs3_*_async and waited for here: poll the context's
 * socket and let rpc_service() run the callbacks. Results are copied out
 * inside the callback, while libnfs still owns the reply.
 *
 * Compiled against libnfs's headers (hence the C library's types, but the
 * kernel's code model): see nfs3.h. libnfs's imports are renamed onto
 * kernel/posix at link time.
 */
#define NFS3_GLUE
#include <errno.h>
#include <poll.h>
#include <sys/time.h>
#include <stdio.h>
#include <string.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>

#include "nfs3.h"

/* Not in libnfs 4.0's public headers; its layout in libnfs-private.h. */
struct nfs_fh {
	int len;
	char *val;
};
const struct nfs_fh *nfs_get_rootfh(struct nfs_context *nfs);

/* kernel/posix, under their kernel names (nfs3.h explains why). */
int posix_poll(struct pollfd *p, unsigned long n, int timeout_ms);
void *posix_malloc(size_t size);
char *posix_strstr(const char *hay, const char *needle);
void posix_free(void *p);

#define POLL_MS 100
#define NOT_RESPONDING_MS 10000 /* first "not responding" line after */

struct mount_wait {
	bool done;
	int err;
	char msg[160];
};

struct nfs3_conn {
	struct nfs_context *nfs;
	/* Mounting; in here, not on a stack: cancelling calls back late. */
	struct mount_wait mount;
	struct rpc_context *rpc;
	char server[64];
};

/* One call in flight: what the callback fills in. */
struct call {
	bool done;
	int err;
	int (*unpack)(struct call *c, void *res); /* on RPC success */
	void *out, *out2;
	uint64_t arg;
	nfs3_entry_fn entry_fn;
	uint8_t *verf; /* READDIRPLUS */
	bool *eof;     /* READ */
};

int nfs3_errno(uint32_t status)
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

static void fh_to_arg(const struct nfs3_fh *fh, nfs_fh3 *a)
{
	a->data.data_len = fh->len;
	a->data.data_val = (char *)fh->data;
}

static int fh_from_reply(struct nfs3_fh *fh, const nfs_fh3 *r)
{
	if (r->data.data_len == 0 || r->data.data_len > NFS3_FHSIZE)
		return -EIO; /* a handle no server may send */
	fh->len = r->data.data_len;
	memcpy(fh->data, r->data.data_val, r->data.data_len);
	return 0;
}

static void attr_from_reply(struct nfs3_attr *a, const post_op_attr *p)
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
	a->atime = (struct nfs3_time){ f->atime.seconds, f->atime.nseconds };
	a->mtime = (struct nfs3_time){ f->mtime.seconds, f->mtime.nseconds };
	a->ctime = (struct nfs3_time){ f->ctime.seconds, f->ctime.nseconds };
}

static void rpc_done(struct rpc_context *rpc, int status, void *data,
		     void *private_data)
{
	struct call *c = private_data;
	if (status == RPC_STATUS_SUCCESS)
		c->err = c->unpack(c, data);
	else if (status == RPC_STATUS_TIMEOUT)
		c->err = -ETIMEDOUT;
	else if (status == RPC_STATUS_CANCEL)
		c->err = -EINTR;
	else {
		nfs_log(NFS_LOG_ERR, "nfs: RPC failed: %s",
			data ? (const char *)data : "no reason given");
		c->err = -EIO;
	}
	c->done = true;
}

/*
 * Runs the context until @c completes. libnfs reconnects and resends by
 * itself (autoreconnect); this loop only keeps time and says so when the
 * server has not answered for a while.
 */
/* Whether every one of @calls has had its answer. */
static bool all_done(struct call *calls, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!calls[i].done)
			return false;
	return true;
}

/*
 * Runs the context until each of @calls (queued, or marked done with an
 * error) has its answer: a hard mount, so no call is given up on, but a
 * silent server is reported every NOT_RESPONDING_MS.
 */
static void wait_calls(struct nfs3_conn *cn, struct call *calls, unsigned n)
{
	uint64_t start = nfs_now_ms(), next_warn = start + NOT_RESPONDING_MS;
	bool warned = false;
	while (!all_done(calls, n)) {
		struct pollfd p = { rpc_get_fd(cn->rpc),
				    (short)rpc_which_events(cn->rpc), 0 };
		/* Between connections there is no socket: just wait. */
		if (posix_poll(&p, p.fd >= 0, POLL_MS) < 0)
			p.revents = 0;
		/*
		 * A failure here has usually failed the queued calls (their
		 * callbacks ran). If ours have not, libnfs still holds
		 * pointers to them: keep waiting, never return under them.
		 */
		if (rpc_service(cn->rpc, p.revents) < 0 &&
		    !all_done(calls, n) && !warned) {
			nfs_log(NFS_LOG_ERR, "nfs: connection to %s failed: %s",
				cn->server, rpc_get_error(cn->rpc));
			warned = true;
		}
		uint64_t now = nfs_now_ms();
		if (!all_done(calls, n) && now >= next_warn) {
			nfs_log(NFS_LOG_WARNING,
				"nfs: server %s not responding for %llu s, still trying",
				cn->server,
				(unsigned long long)(now - start) / 1000);
			next_warn = now + NOT_RESPONDING_MS;
			warned = true;
		}
	}
	if (warned)
		nfs_log(NFS_LOG_WARNING, "nfs: server %s OK", cn->server);
}

/* @queued is what rpc_nfs3_*_async returned for @c: non-zero, not sent. */
static bool sent(struct nfs3_conn *cn, struct call *c, int queued)
{
	if (!queued)
		return true;
	nfs_log(NFS_LOG_ERR, "nfs: cannot send a request to %s: %s", cn->server,
		rpc_get_error(cn->rpc));
	c->err = -EIO;
	c->done = true;
	return false;
}

static int wait_call(struct nfs3_conn *cn, struct call *c, int queued)
{
	if (sent(cn, c, queued))
		wait_calls(cn, c, 1);
	return c->err;
}

static void mount_done(int err, struct nfs_context *nfs, void *data,
		       void *private_data)
{
	struct mount_wait *w = private_data;
	w->err = err;
	if (err)
		snprintf(w->msg, sizeof(w->msg), "%s",
			 data ? (const char *)data : "mount failed");
	w->done = true;
}

/*
 * The errno for a failed mount. The MOUNT service's own refusals (no such
 * export, not allowed) are final; anything else (no route, no answer,
 * connection refused) may pass, and is worth another try.
 */
static int mount_errno(const char *msg)
{
	if (posix_strstr(msg, "MNT3ERR_NOENT") ||
	    posix_strstr(msg, "MNT3ERR_NOTDIR"))
		return -ENOENT;
	if (posix_strstr(msg, "MNT3ERR_ACCES") ||
	    posix_strstr(msg, "MNT3ERR_PERM"))
		return -EACCES;
	if (posix_strstr(msg, "MNT3ERR_"))
		return -EIO;
	return -EAGAIN;
}

/*
 * libnfs's own nfs_mount() waits as long as TCP keeps trying; this one
 * gives up after @timeout_ms. Destroying the context then cancels all.
 */
static int mount_bounded(struct nfs3_conn *cn, struct nfs_url *url,
			 unsigned timeout_ms, char *err, size_t errlen)
{
	struct mount_wait *w = &cn->mount;
	uint64_t deadline = nfs_now_ms() + timeout_ms;

	if (nfs_mount_async(cn->nfs, url->server, url->path, mount_done, w)) {
		snprintf(err, errlen, "%s", nfs_get_error(cn->nfs));
		return mount_errno(err);
	}
	while (!w->done) {
		if (nfs_now_ms() >= deadline) {
			snprintf(err, errlen, "no answer from %s in %u ms",
				 url->server, timeout_ms);
			return -ETIMEDOUT;
		}
		struct pollfd p = { nfs_get_fd(cn->nfs),
				    (short)nfs_which_events(cn->nfs), 0 };
		if (posix_poll(&p, p.fd >= 0, POLL_MS) < 0)
			p.revents = 0;
		if (nfs_service(cn->nfs, p.revents) < 0 && !w->done) {
			snprintf(err, errlen, "%s", nfs_get_error(cn->nfs));
			return mount_errno(err);
		}
	}
	if (w->err) {
		snprintf(err, errlen, "%s", w->msg);
		return mount_errno(w->msg);
	}
	return 0;
}

int nfs3_connect(const struct nfs3_mount_args *a, struct nfs3_conn **out,
		 struct nfs3_fh *root, char *err, size_t errlen)
{
	struct nfs3_conn *cn = posix_malloc(sizeof(*cn));
	struct nfs_url *url = NULL;
	int ret = -ENOMEM;

	if (!cn)
		return ret;
	memset(cn, 0, sizeof(*cn));
	cn->nfs = nfs_init_context();
	if (!cn->nfs) {
		snprintf(err, errlen, "cannot create an NFS context");
		goto fail;
	}
	url = nfs_parse_url_dir(cn->nfs, a->url);
	ret = -EINVAL;
	if (!url) {
		snprintf(err, errlen, "bad NFS URL: %s",
			 nfs_get_error(cn->nfs));
		goto fail;
	}
	snprintf(cn->server, sizeof(cn->server), "%s", url->server);
	ret = mount_bounded(cn, url, a->timeout_ms, err, errlen);
	if (ret)
		goto fail;
	const struct nfs_fh *rfh = nfs_get_rootfh(cn->nfs);
	if (rfh->len <= 0 || rfh->len > NFS3_FHSIZE) {
		snprintf(err, errlen,
			 "the server gave a root handle of %d bytes", rfh->len);
		ret = -EIO;
		goto fail;
	}
	root->len = (uint32_t)rfh->len;
	memcpy(root->data, rfh->val, root->len);
	/* From now on: a hard mount. Reconnect and resend without end. */
	nfs_set_timeout(cn->nfs, -1);
	nfs_set_autoreconnect(cn->nfs, -1);
	cn->rpc = nfs_get_rpc_context(cn->nfs);
	nfs_destroy_url(url);
	*out = cn;
	return 0;

fail:
	if (url)
		nfs_destroy_url(url);
	if (cn->nfs)
		nfs_destroy_context(cn->nfs);
	posix_free(cn);
	return ret;
}

void nfs3_disconnect(struct nfs3_conn *c)
{
	nfs_destroy_context(c->nfs);
	posix_free(c);
}

uint32_t nfs3_readmax(struct nfs3_conn *c)
{
	return (uint32_t)nfs_get_readmax(c->nfs);
}

uint32_t nfs3_writemax(struct nfs3_conn *c)
{
	return (uint32_t)nfs_get_writemax(c->nfs);
}

/* GETATTR, SETATTR */

static int unpack_getattr(struct call *c, void *data)
{
	GETATTR3res *r = data;
	if (r->status != NFS3_OK)
		return nfs3_errno(r->status);
	post_op_attr p = { 1, { r->GETATTR3res_u.resok.obj_attributes } };
	attr_from_reply(c->out, &p);
	return 0;
}

int nfs3_getattr(struct nfs3_conn *cn, const struct nfs3_fh *fh,
		 struct nfs3_attr *attr)
{
	struct call c = { .unpack = unpack_getattr, .out = attr };
	GETATTR3args a;
	fh_to_arg(fh, &a.object);
	return wait_call(cn, &c,
			 rpc_nfs3_getattr_async(cn->rpc, rpc_done, &a, &c));
}

static int unpack_setattr(struct call *c, void *data)
{
	SETATTR3res *r = data;
	if (r->status != NFS3_OK)
		return nfs3_errno(r->status);
	attr_from_reply(c->out, &r->SETATTR3res_u.resok.obj_wcc.after);
	return 0;
}

static void sattr_to_arg(const struct nfs3_sattr *s, sattr3 *a)
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

int nfs3_setattr(struct nfs3_conn *cn, const struct nfs3_fh *fh,
		 const struct nfs3_sattr *sa, struct nfs3_attr *attr)
{
	struct call c = { .unpack = unpack_setattr, .out = attr };
	SETATTR3args a;
	memset(&a, 0, sizeof(a));
	fh_to_arg(fh, &a.object);
	sattr_to_arg(sa, &a.new_attributes);
	return wait_call(cn, &c,
			 rpc_nfs3_setattr_async(cn->rpc, rpc_done, &a, &c));
}

/* LOOKUP */

static int unpack_lookup(struct call *c, void *data)
{
	LOOKUP3res *r = data;
	if (r->status != NFS3_OK)
		return nfs3_errno(r->status);
	attr_from_reply(c->out2, &r->LOOKUP3res_u.resok.obj_attributes);
	return fh_from_reply(c->out, &r->LOOKUP3res_u.resok.object);
}

int nfs3_lookup(struct nfs3_conn *cn, const struct nfs3_fh *dir,
		const char *name, struct nfs3_fh *fh, struct nfs3_attr *attr)
{
	struct call c = { .unpack = unpack_lookup, .out = fh, .out2 = attr };
	LOOKUP3args a;
	fh_to_arg(dir, &a.what.dir);
	a.what.name = (char *)name;
	return wait_call(cn, &c,
			 rpc_nfs3_lookup_async(cn->rpc, rpc_done, &a, &c));
}

/* READ, WRITE, COMMIT */

static int unpack_read(struct call *c, void *data)
{
	READ3res *r = data;
	if (r->status != NFS3_OK)
		return nfs3_errno(r->status);
	READ3resok *ok = &r->READ3res_u.resok;
	uint32_t n = ok->data.data_len;
	if (n > c->arg)
		return -EIO; /* more than asked for */
	memcpy(c->out, ok->data.data_val, n);
	*c->eof = ok->eof != 0;
	attr_from_reply(c->out2, &ok->file_attributes);
	return (int)n;
}

/*
 * A large READ or WRITE goes as up to PIPELINE_PARTS calls in flight at
 * once, so the server works on one part while the next travels. Each
 * part is a whole number of pages, at least PIPELINE_MIN.
 */
#define PIPELINE_PARTS 4
#define PIPELINE_MIN (64u * 1024)

static unsigned pipeline_split(uint32_t count, uint32_t *part)
{
	uint32_t p = (count + PIPELINE_PARTS - 1) / PIPELINE_PARTS;
	p = (p + 4095) & ~4095u;
	*part = p < PIPELINE_MIN ? PIPELINE_MIN : p;
	return (count + *part - 1) / *part;
}

/*
 * What the parts of one pipelined transfer add up to: the bytes of the
 * parts that came back whole, in order, up to the first short or failed
 * one (whose error is the result when nothing came before it).
 */
static long pipeline_total(struct call *calls, unsigned n, uint32_t part,
			   uint32_t count, unsigned *last)
{
	long total = 0;
	*last = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t want = i + 1 < n ? part : count - i * part;
		if (calls[i].err < 0)
			return total ? total : calls[i].err;
		*last = i;
		total += calls[i].err;
		if ((uint32_t)calls[i].err < want)
			break;
	}
	return total;
}

static int unpack_write(struct call *c, void *data)
{
	WRITE3res *r = data;
	if (r->status != NFS3_OK)
		return nfs3_errno(r->status);
	WRITE3resok *ok = &r->WRITE3res_u.resok;
	if (ok->count > c->arg)
		return -EIO;
	if (ok->committed != FILE_SYNC && ok->committed != DATA_SYNC)
		return -EIO; /* asked for stable storage and did not get it */
	attr_from_reply(c->out2, &ok->file_wcc.after);
	return (int)ok->count;
}

/*
 * One READ or WRITE transfer of @count bytes at @off, to or from @buf, as
 * up to PIPELINE_PARTS calls in flight: the bytes done (see
 * pipeline_total) or an errno; *@eof (READ) and *@attr from the last part
 * counted.
 */
static long transfer(struct nfs3_conn *cn, const struct nfs3_fh *fh,
		     uint64_t off, uint32_t count, char *buf, bool write,
		     bool *eof, struct nfs3_attr *attr)
{
	struct call calls[PIPELINE_PARTS];
	struct nfs3_attr attrs[PIPELINE_PARTS];
	bool eofs[PIPELINE_PARTS];
	uint32_t part;
	unsigned n = pipeline_split(count, &part);
	if (!n)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = i + 1 < n ? part : count - i * part;
		eofs[i] = false;
		calls[i] = (struct call){ .unpack = write ? unpack_write :
							    unpack_read,
					  .out = buf + i * part,
					  .out2 = &attrs[i],
					  .arg = len,
					  .eof = &eofs[i] };
		int queued;
		if (write) {
			WRITE3args a;
			fh_to_arg(fh, &a.file);
			a.offset = off + i * part;
			a.count = len;
			a.stable = FILE_SYNC;
			a.data.data_len = len;
			a.data.data_val = buf + i * part;
			queued = rpc_nfs3_write_async(cn->rpc, rpc_done, &a,
						      &calls[i]);
		} else {
			READ3args a;
			fh_to_arg(fh, &a.file);
			a.offset = off + i * part;
			a.count = len;
			queued = rpc_nfs3_read_async(cn->rpc, rpc_done, &a,
						     &calls[i]);
		}
		if (!sent(cn, &calls[i], queued))
			n = i + 1; /* no more after a part that failed */
	}
	wait_calls(cn, calls, n);
	unsigned last;
	long total = pipeline_total(calls, n, part, count, &last);
	if (total >= 0) {
		if (eof)
			*eof = eofs[last];
		*attr = attrs[last];
	}
	return total;
}

long nfs3_read(struct nfs3_conn *cn, const struct nfs3_fh *fh, uint64_t off,
	       uint32_t count, void *buf, bool *eof, struct nfs3_attr *attr)
{
	return transfer(cn, fh, off, count, buf, false, eof, attr);
}

long nfs3_write(struct nfs3_conn *cn, const struct nfs3_fh *fh, uint64_t off,
		uint32_t count, const void *buf, struct nfs3_attr *attr)
{
	/* libnfs copies the data into its request: @buf is only read. */
	return transfer(cn, fh, off, count, (char *)buf, true, NULL, attr);
}

static int unpack_commit(struct call *c, void *data)
{
	COMMIT3res *r = data;
	return nfs3_errno(r->status);
}

int nfs3_commit(struct nfs3_conn *cn, const struct nfs3_fh *fh)
{
	struct call c = { .unpack = unpack_commit };
	COMMIT3args a;
	fh_to_arg(fh, &a.file);
	a.offset = 0;
	a.count = 0;
	return wait_call(cn, &c,
			 rpc_nfs3_commit_async(cn->rpc, rpc_done, &a, &c));
}

/* CREATE, MKDIR, SYMLINK: a new object, its handle and attributes. */

static int new_object(struct call *c, uint32_t status, post_op_fh3 *fh,
		      post_op_attr *attr)
{
	if (status != NFS3_OK)
		return nfs3_errno(status);
	attr_from_reply(c->out2, attr);
	if (!fh->handle_follows) {
		((struct nfs3_fh *)c->out)->len = 0; /* caller looks it up */
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
static int complete_new(struct nfs3_conn *cn, int ret,
			const struct nfs3_fh *dir, const char *name,
			struct nfs3_fh *fh, struct nfs3_attr *attr)
{
	if (ret || fh->len)
		return ret;
	return nfs3_lookup(cn, dir, name, fh, attr);
}

int nfs3_create(struct nfs3_conn *cn, const struct nfs3_fh *dir,
		const char *name, uint32_t mode, struct nfs3_fh *fh,
		struct nfs3_attr *attr)
{
	struct call c = { .unpack = unpack_create, .out = fh, .out2 = attr };
	CREATE3args a;
	memset(&a, 0, sizeof(a));
	fh_to_arg(dir, &a.where.dir);
	a.where.name = (char *)name;
	a.how.mode = GUARDED;
	a.how.createhow3_u.obj_attributes.mode.set_it = 1;
	a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = mode & 07777;
	int ret = wait_call(cn, &c,
			    rpc_nfs3_create_async(cn->rpc, rpc_done, &a, &c));
	return complete_new(cn, ret, dir, name, fh, attr);
}

int nfs3_mkdir(struct nfs3_conn *cn, const struct nfs3_fh *dir,
	       const char *name, uint32_t mode, struct nfs3_fh *fh,
	       struct nfs3_attr *attr)
{
	struct call c = { .unpack = unpack_mkdir, .out = fh, .out2 = attr };
	MKDIR3args a;
	memset(&a, 0, sizeof(a));
	fh_to_arg(dir, &a.where.dir);
	a.where.name = (char *)name;
	a.attributes.mode.set_it = 1;
	a.attributes.mode.set_mode3_u.mode = mode & 07777;
	int ret = wait_call(cn, &c,
			    rpc_nfs3_mkdir_async(cn->rpc, rpc_done, &a, &c));
	return complete_new(cn, ret, dir, name, fh, attr);
}

int nfs3_symlink(struct nfs3_conn *cn, const struct nfs3_fh *dir,
		 const char *name, const char *target, struct nfs3_fh *fh,
		 struct nfs3_attr *attr)
{
	struct call c = { .unpack = unpack_symlink, .out = fh, .out2 = attr };
	SYMLINK3args a;
	memset(&a, 0, sizeof(a));
	fh_to_arg(dir, &a.where.dir);
	a.where.name = (char *)name;
	a.symlink.symlink_data = (char *)target;
	int ret = wait_call(cn, &c,
			    rpc_nfs3_symlink_async(cn->rpc, rpc_done, &a, &c));
	return complete_new(cn, ret, dir, name, fh, attr);
}

/* READLINK */

static int unpack_readlink(struct call *c, void *data)
{
	READLINK3res *r = data;
	if (r->status != NFS3_OK)
		return nfs3_errno(r->status);
	const char *t = r->READLINK3res_u.resok.data;
	size_t len = strlen(t);
	memcpy(c->out, t, len < c->arg ? len : c->arg);
	return (int)len;
}

long nfs3_readlink(struct nfs3_conn *cn, const struct nfs3_fh *fh, char *buf,
		   size_t size)
{
	struct call c = { .unpack = unpack_readlink, .out = buf, .arg = size };
	READLINK3args a;
	fh_to_arg(fh, &a.symlink);
	return wait_call(cn, &c,
			 rpc_nfs3_readlink_async(cn->rpc, rpc_done, &a, &c));
}

/* REMOVE, RMDIR, RENAME, LINK: only a status matters. */

static int unpack_remove(struct call *c, void *data)
{
	return nfs3_errno(((REMOVE3res *)data)->status);
}

static int unpack_rmdir(struct call *c, void *data)
{
	return nfs3_errno(((RMDIR3res *)data)->status);
}

static int unpack_rename(struct call *c, void *data)
{
	return nfs3_errno(((RENAME3res *)data)->status);
}

static int unpack_link(struct call *c, void *data)
{
	return nfs3_errno(((LINK3res *)data)->status);
}

int nfs3_remove(struct nfs3_conn *cn, const struct nfs3_fh *dir,
		const char *name)
{
	struct call c = { .unpack = unpack_remove };
	REMOVE3args a;
	fh_to_arg(dir, &a.object.dir);
	a.object.name = (char *)name;
	return wait_call(cn, &c,
			 rpc_nfs3_remove_async(cn->rpc, rpc_done, &a, &c));
}

int nfs3_rmdir(struct nfs3_conn *cn, const struct nfs3_fh *dir,
	       const char *name)
{
	struct call c = { .unpack = unpack_rmdir };
	RMDIR3args a;
	fh_to_arg(dir, &a.object.dir);
	a.object.name = (char *)name;
	return wait_call(cn, &c,
			 rpc_nfs3_rmdir_async(cn->rpc, rpc_done, &a, &c));
}

int nfs3_rename(struct nfs3_conn *cn, const struct nfs3_fh *fdir,
		const char *fname, const struct nfs3_fh *tdir,
		const char *tname)
{
	struct call c = { .unpack = unpack_rename };
	RENAME3args a;
	fh_to_arg(fdir, &a.from.dir);
	a.from.name = (char *)fname;
	fh_to_arg(tdir, &a.to.dir);
	a.to.name = (char *)tname;
	return wait_call(cn, &c,
			 rpc_nfs3_rename_async(cn->rpc, rpc_done, &a, &c));
}

int nfs3_link(struct nfs3_conn *cn, const struct nfs3_fh *fh,
	      const struct nfs3_fh *dir, const char *name)
{
	struct call c = { .unpack = unpack_link };
	LINK3args a;
	fh_to_arg(fh, &a.file);
	fh_to_arg(dir, &a.link.dir);
	a.link.name = (char *)name;
	return wait_call(cn, &c,
			 rpc_nfs3_link_async(cn->rpc, rpc_done, &a, &c));
}

/* FSSTAT */

static int unpack_fsstat(struct call *c, void *data)
{
	FSSTAT3res *r = data;
	if (r->status != NFS3_OK)
		return nfs3_errno(r->status);
	FSSTAT3resok *ok = &r->FSSTAT3res_u.resok;
	*(struct nfs3_fsstat *)c->out = (struct nfs3_fsstat){
		ok->tbytes, ok->fbytes, ok->abytes,
		ok->tfiles, ok->ffiles, ok->afiles,
	};
	return 0;
}

int nfs3_fsstat(struct nfs3_conn *cn, const struct nfs3_fh *fh,
		struct nfs3_fsstat *st)
{
	struct call c = { .unpack = unpack_fsstat, .out = st };
	FSSTAT3args a;
	fh_to_arg(fh, &a.fsroot);
	return wait_call(cn, &c,
			 rpc_nfs3_fsstat_async(cn->rpc, rpc_done, &a, &c));
}

/* READDIRPLUS */

#define READDIR_DIRCOUNT 8192
#define READDIR_MAXCOUNT 65536

static int unpack_readdir(struct call *c, void *data)
{
	READDIRPLUS3res *r = data;
	if (r->status != NFS3_OK)
		return nfs3_errno(r->status);
	READDIRPLUS3resok *ok = &r->READDIRPLUS3res_u.resok;
	memcpy(c->verf, ok->cookieverf, NFS3_VERFSIZE);
	for (entryplus3 *e = ok->reply.entries; e; e = e->nextentry) {
		struct nfs3_attr attr;
		struct nfs3_fh fh, *fhp = NULL;
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

int nfs3_readdir(struct nfs3_conn *cn, const struct nfs3_fh *dir,
		 uint64_t cookie, uint8_t verf[NFS3_VERFSIZE], nfs3_entry_fn fn,
		 void *ctx)
{
	struct call c = { .unpack = unpack_readdir,
			  .out = ctx,
			  .entry_fn = fn,
			  .verf = verf };
	READDIRPLUS3args a;
	fh_to_arg(dir, &a.dir);
	a.cookie = cookie;
	memcpy(a.cookieverf, verf, NFS3_VERFSIZE);
	a.dircount = READDIR_DIRCOUNT;
	a.maxcount = READDIR_MAXCOUNT;
	return wait_call(cn, &c,
			 rpc_nfs3_readdirplus_async(cn->rpc, rpc_done, &a, &c));
}
