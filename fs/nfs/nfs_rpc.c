/*
 * Connections and waiting, for both protocol versions. libnfs's
 * high-level API mounts (portmapper and MOUNT for NFSv3; SETCLIENTID and
 * a LOOKUP of the export for NFSv4: it knows the URL syntax); every file
 * operation after that is raw RPC on file handles, issued by nfs3_rpc.c
 * or nfs4_rpc.c and waited for here: poll the context's socket and let
 * rpc_service() run the callbacks. Results are copied out inside the
 * callback, while libnfs still owns the reply.
 *
 * Compiled against libnfs's headers (hence the C library's types, but the
 * kernel's code model): see nfs_proto.h. libnfs's imports are renamed onto
 * kernel/posix at link time.
 */
#define NFS_GLUE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "nfs_rpc.h"

/* Not in libnfs 4.0's public headers; its layout in libnfs-private.h. */
struct nfs_fh {
	int len;
	char *val;
};
const struct nfs_fh *nfs_get_rootfh(struct nfs_context *nfs);
/*
 * libnfs's NFSv3 mount hands nfs_set_autoreconnect()'s value on to the
 * connection; its NFSv4 mount does not, so it is set here for both.
 */
void rpc_set_autoreconnect(struct rpc_context *rpc, int num_retries);

int posix_poll(struct pollfd *p, unsigned long n, int timeout_ms);

#define POLL_MS 100
#define NOT_RESPONDING_MS 10000 /* first "not responding" line after */

void nfsfs_rpc_done(struct rpc_context *rpc, int status, void *data,
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
		nfs_log(NFS_LOG_ERR, "nfs: RPC failed: %s (%s)",
			data ? (const char *)data : "no reason given",
			rpc_get_error(rpc));
		c->err = -EIO;
	}
	c->done = true;
}

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
 * error) has its answer. libnfs reconnects and resends by itself
 * (autoreconnect); this loop keeps time: a hard mount gives up on no
 * call, but a silent server is reported every NOT_RESPONDING_MS.
 */
void nfsfs_wait_calls(struct nfsfs_conn *cn, struct call *calls, unsigned n)
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
bool nfsfs_sent(struct nfsfs_conn *cn, struct call *c, int queued)
{
	if (!queued)
		return true;
	nfs_log(NFS_LOG_ERR, "nfs: cannot send a request to %s: %s", cn->server,
		rpc_get_error(cn->rpc));
	c->err = -EIO;
	c->done = true;
	return false;
}

int nfsfs_wait_call(struct nfsfs_conn *cn, struct call *c, int queued)
{
	if (nfsfs_sent(cn, c, queued))
		nfsfs_wait_calls(cn, c, 1);
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
	    posix_strstr(msg, "MNT3ERR_NOTDIR") ||
	    posix_strstr(msg, "NFS4ERR_NOENT") ||
	    posix_strstr(msg, "NFS4ERR_NOTDIR"))
		return -ENOENT;
	if (posix_strstr(msg, "MNT3ERR_ACCES") ||
	    posix_strstr(msg, "MNT3ERR_PERM") ||
	    posix_strstr(msg, "NFS4ERR_ACCESS") ||
	    posix_strstr(msg, "NFS4ERR_PERM"))
		return -EACCES;
	if (posix_strstr(msg, "MNT3ERR_") || posix_strstr(msg, "NFS4ERR_"))
		return -EIO;
	return -EAGAIN;
}

/*
 * libnfs's own nfs_mount() waits as long as TCP keeps trying; this one
 * gives up after @timeout_ms. Destroying the context then cancels all.
 */
static int mount_bounded(struct nfsfs_conn *cn, struct nfs_url *url,
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

int nfsfs_connect(const struct nfsfs_mount_args *a, struct nfsfs_conn **out,
		  struct nfsfs_fh *root, char *err, size_t errlen)
{
	struct nfsfs_conn *cn = posix_malloc(sizeof(*cn));
	struct nfs_url *url = NULL;
	int ret = -ENOMEM;

	if (!cn)
		return ret;
	memset(cn, 0, sizeof(*cn));
	cn->proto = a->version == 4 ? &nfsfs_v4_proto : &nfsfs_v3_proto;
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
	if (rfh->len <= 0 || rfh->len > NFSFS_FHSIZE) {
		snprintf(err, errlen,
			 "the server gave a root handle of %d bytes", rfh->len);
		ret = -EIO;
		goto fail;
	}
	root->len = (uint32_t)rfh->len;
	memcpy(root->data, rfh->val, root->len);
	cn->root = *root;
	/* From now on: a hard mount. Reconnect and resend without end. */
	nfs_set_timeout(cn->nfs, -1);
	nfs_set_autoreconnect(cn->nfs, -1);
	cn->rpc = nfs_get_rpc_context(cn->nfs);
	rpc_set_autoreconnect(cn->rpc, -1);
	ret = cn->proto->setup ? cn->proto->setup(cn, err, errlen) : 0;
	if (ret)
		goto fail;
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

void nfsfs_disconnect(struct nfsfs_conn *c)
{
	if (c->proto->teardown)
		c->proto->teardown(c);
	nfs_destroy_context(c->nfs);
	posix_free(c);
}

uint32_t nfsfs_readmax(struct nfsfs_conn *c)
{
	return c->readmax ? c->readmax : (uint32_t)nfs_get_readmax(c->nfs);
}

uint32_t nfsfs_writemax(struct nfsfs_conn *c)
{
	return c->writemax ? c->writemax : (uint32_t)nfs_get_writemax(c->nfs);
}

#define PIPELINE_MIN (64u * 1024)

unsigned nfsfs_pipeline_split(uint32_t count, uint32_t *part)
{
	uint32_t p = (count + NFSFS_PIPELINE_PARTS - 1) / NFSFS_PIPELINE_PARTS;
	p = (p + 4095) & ~4095u;
	*part = p < PIPELINE_MIN ? PIPELINE_MIN : p;
	return (count + *part - 1) / *part;
}

long nfsfs_pipeline_total(struct call *calls, unsigned n, uint32_t part,
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

long nfsfs_pipeline_end(struct call *calls, unsigned n, uint32_t part,
			uint32_t count, const uint8_t (*verfs)[NFSFS_VERFSIZE],
			uint8_t *verf, unsigned *last)
{
	long total = nfsfs_pipeline_total(calls, n, part, count, last);
	if (total <= 0 || !verf)
		return total;
	for (unsigned i = 1; i <= *last; i++)
		if (memcmp(verfs[i], verfs[0], NFSFS_VERFSIZE))
			return -EAGAIN; /* a restart between the parts */
	memcpy(verf, verfs[0], NFSFS_VERFSIZE);
	return total;
}

const char *nfsfs_version(struct nfsfs_conn *c)
{
	return c->proto->name;
}

/* The calls: the mount's version does each. */

int nfsfs_getattr(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		  struct nfsfs_attr *attr)
{
	return c->proto->getattr(c, fh, attr);
}

int nfsfs_setattr(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		  const struct nfsfs_sattr *sa, struct nfsfs_attr *attr)
{
	return c->proto->setattr(c, fh, sa, attr);
}

int nfsfs_lookup(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		 const char *name, struct nfsfs_fh *fh, struct nfsfs_attr *attr)
{
	return c->proto->lookup(c, dir, name, fh, attr);
}

long nfsfs_read(struct nfsfs_conn *c, const struct nfsfs_fh *fh, uint64_t off,
		uint32_t count, void *buf, bool *eof, struct nfsfs_attr *attr)
{
	struct nfsfs_xfer *x =
		c->proto->xfer_start(c, fh, off, count, buf, false, false);
	return x ? c->proto->xfer_end(c, x, eof, attr, NULL) : -ENOMEM;
}

/* Both versions copy the data into the request: @buf is only read. */
long nfsfs_write(struct nfsfs_conn *c, const struct nfsfs_fh *fh, uint64_t off,
		 uint32_t count, const void *buf, struct nfsfs_attr *attr)
{
	struct nfsfs_xfer *x = c->proto->xfer_start(c, fh, off, count,
						    (char *)buf, true, true);
	return x ? c->proto->xfer_end(c, x, NULL, attr, NULL) : -ENOMEM;
}

struct nfsfs_xfer *nfsfs_write_start(struct nfsfs_conn *c,
				     const struct nfsfs_fh *fh, uint64_t off,
				     uint32_t count, const void *buf)
{
	return c->proto->xfer_start(c, fh, off, count, (char *)buf, true,
				    false);
}

long nfsfs_write_end(struct nfsfs_conn *c, struct nfsfs_xfer *x,
		     uint8_t verf[NFSFS_VERFSIZE], struct nfsfs_attr *attr)
{
	return c->proto->xfer_end(c, x, NULL, attr, verf);
}

int nfsfs_commit(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		 uint8_t verf[NFSFS_VERFSIZE])
{
	return c->proto->commit(c, fh, verf);
}

int nfsfs_create(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		 const char *name, uint32_t mode, struct nfsfs_fh *fh,
		 struct nfsfs_attr *attr)
{
	return c->proto->create(c, dir, name, mode, fh, attr);
}

int nfsfs_mkdir(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		const char *name, uint32_t mode, struct nfsfs_fh *fh,
		struct nfsfs_attr *attr)
{
	return c->proto->mkdir(c, dir, name, mode, fh, attr);
}

int nfsfs_symlink(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		  const char *name, const char *target, struct nfsfs_fh *fh,
		  struct nfsfs_attr *attr)
{
	return c->proto->symlink(c, dir, name, target, fh, attr);
}

long nfsfs_readlink(struct nfsfs_conn *c, const struct nfsfs_fh *fh, char *buf,
		    size_t size)
{
	return c->proto->readlink(c, fh, buf, size);
}

int nfsfs_remove(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		 const char *name)
{
	return c->proto->remove(c, dir, name);
}

int nfsfs_rmdir(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		const char *name)
{
	return c->proto->rmdir(c, dir, name);
}

int nfsfs_rename(struct nfsfs_conn *c, const struct nfsfs_fh *fdir,
		 const char *fname, const struct nfsfs_fh *tdir,
		 const char *tname)
{
	return c->proto->rename(c, fdir, fname, tdir, tname);
}

int nfsfs_link(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
	       const struct nfsfs_fh *dir, const char *name)
{
	return c->proto->link(c, fh, dir, name);
}

int nfsfs_fsstat(struct nfsfs_conn *c, const struct nfsfs_fh *fh,
		 struct nfsfs_fsstat *st)
{
	return c->proto->fsstat(c, fh, st);
}

int nfsfs_readdir(struct nfsfs_conn *c, const struct nfsfs_fh *dir,
		  uint64_t cookie, uint8_t verf[NFSFS_VERFSIZE],
		  nfsfs_entry_fn fn, void *ctx)
{
	return c->proto->readdir(c, dir, cookie, verf, fn, ctx);
}
