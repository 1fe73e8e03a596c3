/*
 * NFSv4.0: each call is one COMPOUND (PUTFH, the operation, GETFH and
 * GETATTR as needed) built here from libnfs's XDR types and waited for by
 * nfs_rpc.c. libnfs 4.0's own rpc_nfs4_compound_async() sizes its request
 * for 4 KiB of arguments, so a larger WRITE fails to encode; this file
 * allocates the request itself with room for the data
 * (scripts/gen-libnfs-layout.sh says how).
 *
 * State is kept to the minimum NFSv4 asks for. READ, WRITE and SETATTR
 * use the anonymous stateid, as NFSv3 clients' I/O is, so no file stays
 * open on the server and nothing needs reclaiming after it restarts.
 * Only creating a regular file needs an OPEN (NFSv4 has no other way):
 * it is closed at once. For that, each connection has its own client ID
 * (SETCLIENTID) and one open-owner whose sequence number this file keeps;
 * a connection is used by one thread at a time, so they never race. A
 * client ID the server forgot (restart, lease expired) is set up again
 * and the OPEN repeated.
 *
 * Compiled against libnfs's headers: see nfs_proto.h.
 */
#define NFS_GLUE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <generated/libnfs_layout.h>
#include <nfsc/libnfs-raw-nfs4.h>

#include "nfs4_attr.h"
#include "nfs_rpc.h"

/* libnfs's, not in its installed headers (libnfs-private.h). */
struct rpc_pdu;
struct rpc_pdu *rpc_allocate_pdu2(struct rpc_context *rpc, int program,
				  int version, int procedure, rpc_cb cb,
				  void *private_data, zdrproc_t zdr_decode_fn,
				  int zdr_decode_bufsize, size_t alloc_hint);
int rpc_queue_pdu(struct rpc_context *rpc, struct rpc_pdu *pdu);
void rpc_free_pdu(struct rpc_context *rpc, struct rpc_pdu *pdu);

#define NFS4_PROGRAM 100003
#define NFS4_COMPOUND 1
#define MAX_OPS 5
#define RETRY_MS 1000	   /* NFS4ERR_DELAY, NFS4ERR_GRACE: again after */
#define RETRY_LOG_EVERY 10 /* of those, one log line per this many */
#define ESTABLISH_TRIES 3  /* client ID set up again, at most */
#define READDIR_DIRCOUNT 8192
#define READDIR_MAXCOUNT 65536
#define SATTR_MAX 128 /* encoded SETATTR values: 6 attributes at most */

struct nfs4_state {
	uint64_t clientid;
	bool have_client;
	verifier4 verifier; /* this connection's, for SETCLIENTID */
	char owner[48];	    /* the open-owner, new after a sequence error */
	uint32_t seqid;	    /* its next sequence number */
	bool confirmed;	    /* its first OPEN was confirmed */
};

/* One COMPOUND: its operations, and what the reply fills in. */
struct compound {
	nfs_argop4 ops[MAX_OPS];
	unsigned n;
	size_t hint;	 /* bytes of data the arguments carry (WRITE) */
	uint32_t status; /* the compound's: its first failing operation's */
	unsigned nres;	 /* results in the reply: operations done */
	struct nfs4_attrs *attrs; /* GETATTR's, when asked for */
	struct nfsfs_fh *fh;	  /* GETFH's */
	/* READ */
	void *read_buf;
	uint32_t read_len;
	bool read_eof;
	/* WRITE, COMMIT */
	uint32_t written;
	bool stable; /* FILE_SYNC asked for */
	uint8_t wverf[NFSFS_VERFSIZE];
	/* OPEN, OPEN_CONFIRM */
	stateid4 stateid;
	uint32_t rflags;
	/* SETCLIENTID */
	uint64_t clientid;
	verifier4 confirm;
	/* READLINK */
	char *link;
	size_t link_max;
	long link_len;
	/* READDIR */
	nfsfs_entry_fn entry_fn;
	void *entry_ctx;
	uint8_t *verf;
	int readdir_ret; /* 1 at the end of the directory */
	/* The first dot the GETATTR before READDIR makes: 1 ".", 2 "..". */
	uint64_t dot;
	bool stopped; /* entry_fn had no room for the dots */
};

/* NFSv4's own status codes, then those it shares with NFSv3. */
static int nfs4_errno(uint32_t status)
{
	switch (status) {
	case NFS4ERR_FHEXPIRED:
		return -ESTALE;
	case NFS4ERR_ATTRNOTSUPP:
		return -EOPNOTSUPP;
	case NFS4ERR_SYMLINK:
		return -ELOOP;
	case NFS4ERR_BADNAME:
	case NFS4ERR_BADCHAR:
	case NFS4ERR_BADOWNER:
		return -EINVAL;
	case NFS4ERR_LOCKED:
	case NFS4ERR_SHARE_DENIED:
	case NFS4ERR_FILE_OPEN:
		return -EBUSY;
	case NFS4ERR_WRONGSEC:
		return -EPERM;
	default: /* the shared codes; state errors and the rest: EIO */
		return nfsfs_status_errno(status);
	}
}

/* Operations, appended to a compound. */

static nfs_argop4 *op(struct compound *cp, nfs_opnum4 num)
{
	nfs_argop4 *o = &cp->ops[cp->n++];
	memset(o, 0, sizeof(*o));
	o->argop = num;
	return o;
}

static void op_putfh(struct compound *cp, const struct nfsfs_fh *fh)
{
	nfs_fh4 *a = &op(cp, OP_PUTFH)->nfs_argop4_u.opputfh.object;
	a->nfs_fh4_len = fh->len;
	a->nfs_fh4_val = (char *)fh->data;
}

static void op_getattr(struct compound *cp, const uint32_t *mask,
		       struct nfs4_attrs *out)
{
	bitmap4 *b = &op(cp, OP_GETATTR)->nfs_argop4_u.opgetattr.attr_request;
	b->bitmap4_len = NFS4_MASK_WORDS;
	b->bitmap4_val = (uint32_t *)mask;
	cp->attrs = out;
}

static void op_getfh(struct compound *cp, struct nfsfs_fh *out)
{
	op(cp, OP_GETFH);
	cp->fh = out;
}

static void set_name(component4 *c, const char *name)
{
	c->utf8string_len = (u_int)strlen(name);
	c->utf8string_val = (char *)name;
}

/* Replies. */

static int copy_fh(struct nfsfs_fh *fh, const nfs_fh4 *r)
{
	if (r->nfs_fh4_len == 0 || r->nfs_fh4_len > NFSFS_FHSIZE)
		return -EIO; /* a handle no server may send */
	fh->len = r->nfs_fh4_len;
	memcpy(fh->data, r->nfs_fh4_val, r->nfs_fh4_len);
	return 0;
}

static int decode_fattr(const fattr4 *f, struct nfs4_attrs *out)
{
	return nfs4_attr_decode(f->attrmask.bitmap4_val,
				f->attrmask.bitmap4_len,
				f->attr_vals.attrlist4_val,
				f->attr_vals.attrlist4_len, out);
}

static int readdir_entries(struct compound *cp, READDIR4resok *ok)
{
	memcpy(cp->verf, ok->cookieverf, NFSFS_VERFSIZE);
	for (entry4 *e = ok->reply.entries; e; e = e->nextentry) {
		struct nfs4_attrs a;
		char name[256];
		if (e->name.utf8string_len >= sizeof(name) ||
		    memchr(e->name.utf8string_val, '\0',
			   e->name.utf8string_len) ||
		    e->cookie <= 2 || decode_fattr(&e->attrs, &a))
			return -EIO; /* no name, cookie or entry a server sends */
		memcpy(name, e->name.utf8string_val, e->name.utf8string_len);
		name[e->name.utf8string_len] = '\0';
		if (cp->entry_fn(cp->entry_ctx, name, a.attr.fileid, e->cookie,
				 a.attr.valid ? &a.attr : NULL,
				 a.fh.len ? &a.fh : NULL))
			return 0;
	}
	return ok->reply.eof ? 1 : 0;
}

/*
 * "." (cookie 1) and ".." (cookie 2) of the directory whose attributes
 * the GETATTR just brought, both with its own file ID; once, though the
 * compound may be sent again.
 */
static void emit_dots(struct compound *cp)
{
	struct nfsfs_attr d = cp->attrs->attr;
	d.type = NFSFS_DIR;
	for (; cp->dot <= 2 && !cp->stopped; cp->dot++)
		cp->stopped = cp->entry_fn(cp->entry_ctx,
					   cp->dot == 1 ? "." : "..", d.fileid,
					   cp->dot, &d, NULL);
	cp->dot = 0;
}

/* One operation's result @o (status OK) into @cp. */
static int unpack_op(struct compound *cp, nfs_resop4 *o)
{
	switch (o->resop) {
	case OP_GETATTR: {
		int ret = decode_fattr(&o->nfs_resop4_u.opgetattr.GETATTR4res_u
						.resok4.obj_attributes,
				       cp->attrs);
		if (!ret && cp->dot)
			emit_dots(cp);
		return ret;
	}
	case OP_GETFH:
		return copy_fh(
			cp->fh,
			&o->nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object);
	case OP_READ: {
		READ4resok *ok = &o->nfs_resop4_u.opread.READ4res_u.resok4;
		if (ok->data.data_len > cp->read_len)
			return -EIO; /* more than asked for */
		memcpy(cp->read_buf, ok->data.data_val, ok->data.data_len);
		cp->read_len = ok->data.data_len;
		cp->read_eof = ok->eof != 0;
		return 0;
	}
	case OP_WRITE: {
		WRITE4resok *ok = &o->nfs_resop4_u.opwrite.WRITE4res_u.resok4;
		if (ok->count > cp->hint)
			return -EIO;
		if (cp->stable && ok->committed != FILE_SYNC4 &&
		    ok->committed != DATA_SYNC4)
			return -EIO; /* asked for stable storage, not given */
		cp->written = ok->count;
		memcpy(cp->wverf, ok->writeverf, NFSFS_VERFSIZE);
		return 0;
	}
	case OP_COMMIT:
		memcpy(cp->wverf,
		       o->nfs_resop4_u.opcommit.COMMIT4res_u.resok4.writeverf,
		       NFSFS_VERFSIZE);
		return 0;
	case OP_OPEN: {
		OPEN4resok *ok = &o->nfs_resop4_u.opopen.OPEN4res_u.resok4;
		cp->stateid = ok->stateid;
		cp->rflags = ok->rflags;
		return 0;
	}
	case OP_OPEN_CONFIRM:
		cp->stateid = o->nfs_resop4_u.opopen_confirm.OPEN_CONFIRM4res_u
				      .resok4.open_stateid;
		return 0;
	case OP_SETCLIENTID: {
		SETCLIENTID4resok *ok =
			&o->nfs_resop4_u.opsetclientid.SETCLIENTID4res_u.resok4;
		cp->clientid = ok->clientid;
		memcpy(cp->confirm, ok->setclientid_confirm,
		       sizeof(cp->confirm));
		return 0;
	}
	case OP_READLINK: {
		linktext4 *l =
			&o->nfs_resop4_u.opreadlink.READLINK4res_u.resok4.link;
		size_t n = l->utf8string_len;
		memcpy(cp->link, l->utf8string_val,
		       n < cp->link_max ? n : cp->link_max);
		cp->link_len = (long)n;
		return 0;
	}
	case OP_READDIR:
		if (cp->stopped)
			return 0; /* no room after the dots */
		cp->readdir_ret = readdir_entries(
			cp, &o->nfs_resop4_u.opreaddir.READDIR4res_u.resok4);
		return cp->readdir_ret < 0 ? cp->readdir_ret : 0;
	default:
		return 0; /* only a status */
	}
}

/*
 * The rpc_cb's unpack: each result in order, checked against what was
 * asked. Every result type starts with its status, as the union's
 * members all do.
 */
static int unpack_compound(struct call *c, void *data)
{
	struct compound *cp = c->out;
	COMPOUND4res *r = data;
	unsigned n = r->resarray.resarray_len;

	cp->status = r->status;
	cp->nres = n;
	if (n > cp->n || (r->status == NFS4_OK && n != cp->n))
		return -EIO;
	for (unsigned i = 0; i < n; i++) {
		nfs_resop4 *o = &r->resarray.resarray_val[i];
		if (o->resop != cp->ops[i].argop)
			return -EIO;
		uint32_t st = o->nfs_resop4_u.opputfh.status;
		if (st != NFS4_OK)
			return st == r->status && i + 1 == n ? 0 : -EIO;
		int ret = unpack_op(cp, o);
		if (ret)
			return ret;
	}
	return r->status == NFS4_OK ? 0 : -EIO;
}

/* Queues @cp for @c; non-zero when it could not be sent. */
static int send_compound(struct nfsfs_conn *cn, struct compound *cp,
			 struct call *c)
{
	COMPOUND4args a;
	memset(&a, 0, sizeof(a));
	a.argarray.argarray_len = cp->n;
	a.argarray.argarray_val = cp->ops;
	*c = (struct call){ .unpack = unpack_compound, .out = cp };
	struct rpc_pdu *pdu = rpc_allocate_pdu2(cn->rpc, NFS4_PROGRAM, 4,
						NFS4_COMPOUND, nfsfs_rpc_done,
						c, (zdrproc_t)zdr_COMPOUND4res,
						sizeof(COMPOUND4res), cp->hint);
	if (!pdu)
		return -1;
	if (!zdr_COMPOUND4args((ZDR *)((char *)pdu + LIBNFS_PDU_OFF_zdr), &a)) {
		rpc_free_pdu(cn->rpc, pdu);
		return -1;
	}
	return rpc_queue_pdu(cn->rpc, pdu);
}

/* Whether the server asks for the same request again later. */
static bool try_later(uint32_t status)
{
	return status == NFS4ERR_DELAY || status == NFS4ERR_GRACE;
}

/* Waits RETRY_MS before resending; says so now and then. */
static void wait_retry(struct nfsfs_conn *cn, uint32_t status, unsigned n)
{
	if (n % RETRY_LOG_EVERY == 0)
		nfs_log(NFS_LOG_WARNING, "nfs: server %s %s, trying again",
			cn->server,
			status == NFS4ERR_GRACE ? "is in its grace period" :
						  "asks to wait");
	nfs_sleep_ms(RETRY_MS);
}

/*
 * Sends @cp until it has an answer other than "later": 0, an errno of
 * the RPC, or the compound's status as an errno (cp->status has it).
 */
static int run(struct nfsfs_conn *cn, struct compound *cp)
{
	for (unsigned tries = 0;; tries++) {
		struct call c;
		int ret = nfsfs_wait_call(cn, &c, send_compound(cn, cp, &c));
		if (ret)
			return ret;
		if (!try_later(cp->status))
			return nfs4_errno(cp->status);
		wait_retry(cn, cp->status, tries);
	}
}

/* The client ID: SETCLIENTID, SETCLIENTID_CONFIRM. */

static int establish_client(struct nfsfs_conn *cn)
{
	struct nfs4_state *st = cn->v4;
	struct compound cp = { 0 };
	char id[96];

	snprintf(id, sizeof(id), "appliance %p %llx", (void *)cn,
		 (unsigned long long)nfs_now_ms());
	SETCLIENTID4args *a =
		&op(&cp, OP_SETCLIENTID)->nfs_argop4_u.opsetclientid;
	memcpy(a->client.verifier, st->verifier, sizeof(st->verifier));
	a->client.id.id_len = (u_int)strlen(id);
	a->client.id.id_val = id;
	a->callback.cb_location.r_netid = "tcp";
	a->callback.cb_location.r_addr = "0.0.0.0.0.0"; /* no callbacks */
	int ret = run(cn, &cp);
	if (ret)
		return ret;

	struct compound conf = { 0 };
	SETCLIENTID_CONFIRM4args *ca =
		&op(&conf, OP_SETCLIENTID_CONFIRM)
			 ->nfs_argop4_u.opsetclientid_confirm;
	ca->clientid = cp.clientid;
	memcpy(ca->setclientid_confirm, cp.confirm, sizeof(cp.confirm));
	ret = run(cn, &conf);
	if (ret)
		return ret;
	st->clientid = cp.clientid;
	st->have_client = true;
	st->confirmed = false; /* owners belong to a client ID */
	st->seqid = 0;
	return 0;
}

/* A fresh open-owner, after the server lost or refused the last one. */
static void new_owner(struct nfs4_state *st)
{
	static uint32_t counter;
	snprintf(st->owner, sizeof(st->owner), "appliance-owner-%u",
		 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	st->seqid = 0;
	st->confirmed = false;
}

static int v4_setup(struct nfsfs_conn *cn, char *err, size_t errlen)
{
	struct nfs4_state *st = posix_malloc(sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(st, 0, sizeof(*st));
	uint64_t v = nfs_now_ms() ^ (uint64_t)(uintptr_t)cn;
	memcpy(st->verifier, &v, sizeof(st->verifier));
	new_owner(st);
	cn->v4 = st;

	struct nfs4_attrs lim;
	struct compound cp = { 0 };
	op_putfh(&cp, &cn->root);
	op_getattr(&cp, nfs4_mask_limits, &lim);
	int ret = run(cn, &cp);
	if (!ret)
		ret = establish_client(cn);
	if (ret) {
		snprintf(err, errlen, "NFSv4 setup failed (%d)", ret);
		goto err_free_state;
	}
	/* Servers send 64-bit limits; the calls take 32-bit counts. */
	cn->readmax = lim.maxread > (1u << 30) ? 1u << 30 :
						 (uint32_t)lim.maxread;
	cn->writemax = lim.maxwrite > (1u << 30) ? 1u << 30 :
						   (uint32_t)lim.maxwrite;
	if (!cn->readmax || !cn->writemax) {
		snprintf(err, errlen, "the server gave no READ or WRITE size");
		ret = -EIO;
		goto err_free_state;
	}
	return 0;

err_free_state:
	posix_free(st);
	cn->v4 = NULL;
	return ret;
}

static void v4_teardown(struct nfsfs_conn *cn)
{
	posix_free(cn->v4);
	cn->v4 = NULL;
}

/* The calls. */

static int v4_getattr(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		      struct nfsfs_attr *attr)
{
	struct nfs4_attrs a;
	struct compound cp = { 0 };
	op_putfh(&cp, fh);
	op_getattr(&cp, nfs4_mask_attr, &a);
	int ret = run(cn, &cp);
	if (!ret)
		*attr = a.attr;
	return ret;
}

static int v4_setattr(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		      const struct nfsfs_sattr *sa, struct nfsfs_attr *attr)
{
	uint32_t mask[NFS4_MASK_WORDS];
	uint8_t vals[SATTR_MAX];
	long len = nfs4_sattr_encode(sa, mask, vals, sizeof(vals));
	struct nfs4_attrs a;
	struct compound cp = { 0 };

	if (len < 0)
		return (int)len;
	op_putfh(&cp, fh);
	SETATTR4args *s = &op(&cp, OP_SETATTR)->nfs_argop4_u.opsetattr;
	/* stateid: all zeros, the anonymous one */
	s->obj_attributes.attrmask.bitmap4_len = NFS4_MASK_WORDS;
	s->obj_attributes.attrmask.bitmap4_val = mask;
	s->obj_attributes.attr_vals.attrlist4_len = (u_int)len;
	s->obj_attributes.attr_vals.attrlist4_val = (char *)vals;
	op_getattr(&cp, nfs4_mask_attr, &a);
	int ret = run(cn, &cp);
	memset(attr, 0, sizeof(*attr));
	if (!ret)
		*attr = a.attr;
	return ret;
}

static int v4_lookup(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		     const char *name, struct nfsfs_fh *fh,
		     struct nfsfs_attr *attr)
{
	struct nfs4_attrs a;
	struct compound cp = { 0 };
	op_putfh(&cp, dir);
	if (!strcmp(name, ".."))
		op(&cp, OP_LOOKUPP); /* NFSv4 has no ".." name */
	else
		set_name(&op(&cp, OP_LOOKUP)->nfs_argop4_u.oplookup.objname,
			 name);
	op_getfh(&cp, fh);
	op_getattr(&cp, nfs4_mask_attr, &a);
	int ret = run(cn, &cp);
	if (!ret)
		*attr = a.attr;
	return ret;
}

/* One part of a transfer: PUTFH, READ or WRITE, GETATTR. */
static void transfer_part(struct compound *cp, const struct nfsfs_fh *fh,
			  uint64_t off, uint32_t len, char *buf, bool write,
			  bool stable, struct nfs4_attrs *attrs)
{
	*cp = (struct compound){ 0 };
	op_putfh(cp, fh);
	if (write) {
		WRITE4args *w = &op(cp, OP_WRITE)->nfs_argop4_u.opwrite;
		w->offset = off;
		w->stable = stable ? FILE_SYNC4 : UNSTABLE4;
		w->data.data_len = len;
		w->data.data_val = buf;
		cp->hint = len;
		cp->stable = stable;
	} else {
		READ4args *r = &op(cp, OP_READ)->nfs_argop4_u.opread;
		r->offset = off;
		r->count = len;
		cp->read_buf = buf;
		cp->read_len = len;
	}
	op_getattr(cp, nfs4_mask_attr, attrs);
}

/* A READ or WRITE in flight (nfs_proto.h): one compound per part. */
struct nfsfs_xfer {
	unsigned n;
	uint32_t part, count;
	bool write;
	struct compound cps[NFSFS_PIPELINE_PARTS];
	struct call calls[NFSFS_PIPELINE_PARTS];
	struct nfs4_attrs attrs[NFSFS_PIPELINE_PARTS];
	uint8_t verfs[NFSFS_PIPELINE_PARTS][NFSFS_VERFSIZE];
};

/* Sends the parts, as nfs3_rpc.c's xfer_start. */
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
	x->write = write;
	for (unsigned i = 0; i < x->n; i++) {
		uint32_t len = i + 1 < x->n ? x->part : count - i * x->part;
		transfer_part(&x->cps[i], fh, off + (uint64_t)i * x->part, len,
			      buf + (size_t)i * x->part, write, stable,
			      &x->attrs[i]);
		if (!nfsfs_sent(cn, &x->calls[i],
				send_compound(cn, &x->cps[i], &x->calls[i])))
			x->n = i + 1; /* no more after a part that failed */
	}
	return x;
}

/*
 * Waits for the parts, as nfs3_rpc.c's xfer_end; a part the server asks
 * to send again later is sent again alone.
 */
static long xfer_end(struct nfsfs_conn *cn, struct nfsfs_xfer *x, bool *eof,
		     struct nfsfs_attr *attr, uint8_t *verf)
{
	long total = 0;
	if (!x->n)
		goto out;
	nfsfs_wait_calls(cn, x->calls, x->n);
	for (unsigned i = 0; i < x->n; i++) {
		struct compound *cp = &x->cps[i];
		struct call *c = &x->calls[i];
		if (c->err == 0 && try_later(cp->status))
			c->err = run(cn, cp);
		else if (c->err == 0)
			c->err = nfs4_errno(cp->status);
		if (c->err == 0)
			c->err = (int)(x->write ? cp->written : cp->read_len);
		memcpy(x->verfs[i], cp->wverf, NFSFS_VERFSIZE);
	}
	unsigned last;
	total = nfsfs_pipeline_end(x->calls, x->n, x->part, x->count, x->verfs,
				   verf, &last);
	if (total >= 0) {
		if (eof)
			*eof = x->cps[last].read_eof;
		*attr = x->attrs[last].attr;
	}
out:
	posix_free(x);
	return total;
}

static int v4_commit(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		     uint8_t verf[NFSFS_VERFSIZE])
{
	struct compound cp = { 0 };
	op_putfh(&cp, fh);
	op(&cp, OP_COMMIT); /* offset 0, count 0: the whole file */
	int ret = run(cn, &cp);
	if (!ret)
		memcpy(verf, cp.wverf, NFSFS_VERFSIZE);
	return ret;
}

/* The open-owner errors that a new client ID or owner cures. */
static bool state_lost(uint32_t status)
{
	return status == NFS4ERR_STALE_CLIENTID || status == NFS4ERR_EXPIRED ||
	       status == NFS4ERR_BAD_SEQID || status == NFS4ERR_ADMIN_REVOKED;
}

/*
 * After a compound whose operation @at carried the open-owner's sequence
 * number: the number is used unless the server never got to that
 * operation or refused it for one of the reasons that leave it unused
 * (RFC 7530, section 9.1.7).
 */
static void seqid_advance(struct nfs4_state *st, const struct compound *cp,
			  unsigned at)
{
	if (cp->nres <= at)
		return;
	switch (cp->status) {
	case NFS4ERR_STALE_CLIENTID:
	case NFS4ERR_STALE_STATEID:
	case NFS4ERR_BAD_STATEID:
	case NFS4ERR_BAD_SEQID:
	case NFS4ERR_BADZDR:
	case NFS4ERR_RESOURCE:
	case NFS4ERR_NOFILEHANDLE:
	case NFS4ERR_MOVED:
		return;
	}
	st->seqid++;
}

/* OPEN_CONFIRM or CLOSE of what OPEN gave in @open. */
static int owner_op(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		    struct compound *open, bool close)
{
	struct nfs4_state *st = cn->v4;
	struct compound cp = { 0 };
	op_putfh(&cp, fh);
	if (close) {
		CLOSE4args *a = &op(&cp, OP_CLOSE)->nfs_argop4_u.opclose;
		a->seqid = st->seqid;
		a->open_stateid = open->stateid;
	} else {
		OPEN_CONFIRM4args *a =
			&op(&cp, OP_OPEN_CONFIRM)->nfs_argop4_u.opopen_confirm;
		a->seqid = st->seqid;
		a->open_stateid = open->stateid;
	}
	int ret = run(cn, &cp);
	seqid_advance(st, &cp, 1);
	if (ret && !cp.nres)
		new_owner(st); /* no answer: whether it counted is unknown */
	if (!ret && !close) {
		open->stateid = cp.stateid;
		st->confirmed = true;
	}
	return ret;
}

/*
 * A new regular file, exclusive of an existing name: OPEN with GUARDED4
 * creation, confirmed if the server asks (a new owner's first), then
 * closed. A lost client ID or owner is set up again and the OPEN sent
 * again; GUARDED4 makes a repeat after a lost reply answer EEXIST, as a
 * repeated NFSv3 CREATE does.
 */
static int v4_create(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		     const char *name, uint32_t mode, struct nfsfs_fh *fh,
		     struct nfsfs_attr *attr)
{
	struct nfs4_state *st = cn->v4;
	struct nfsfs_sattr sa = { .set_mode = true, .mode = mode & 07777 };
	uint32_t mask[NFS4_MASK_WORDS];
	uint8_t vals[SATTR_MAX];
	long len = nfs4_sattr_encode(&sa, mask, vals, sizeof(vals));
	struct nfs4_attrs a;
	struct compound cp;
	int ret;

	if (len < 0)
		return (int)len;
	for (unsigned tries = 0;; tries++) {
		if (!st->have_client && (ret = establish_client(cn)))
			return ret;
		cp = (struct compound){ 0 };
		op_putfh(&cp, dir);
		OPEN4args *o = &op(&cp, OP_OPEN)->nfs_argop4_u.opopen;
		o->seqid = st->seqid;
		o->share_access = OPEN4_SHARE_ACCESS_WRITE;
		o->share_deny = OPEN4_SHARE_DENY_NONE;
		o->owner.clientid = st->clientid;
		o->owner.owner.owner_len = (u_int)strlen(st->owner);
		o->owner.owner.owner_val = st->owner;
		o->openhow.opentype = OPEN4_CREATE;
		createhow4 *how = &o->openhow.openflag4_u.how;
		how->mode = GUARDED4;
		how->createhow4_u.createattrs.attrmask.bitmap4_len =
			NFS4_MASK_WORDS;
		how->createhow4_u.createattrs.attrmask.bitmap4_val = mask;
		how->createhow4_u.createattrs.attr_vals.attrlist4_len =
			(u_int)len;
		how->createhow4_u.createattrs.attr_vals.attrlist4_val =
			(char *)vals;
		o->claim.claim = CLAIM_NULL;
		set_name(&o->claim.open_claim4_u.file, name);
		op_getfh(&cp, fh);
		op_getattr(&cp, nfs4_mask_attr, &a);
		ret = run(cn, &cp);
		if (!ret || !state_lost(cp.status) || tries >= ESTABLISH_TRIES)
			break;
		if (cp.status == NFS4ERR_BAD_SEQID)
			new_owner(st);
		else
			st->have_client = false;
	}
	seqid_advance(st, &cp, 1);
	if (ret && !cp.nres)
		new_owner(st);
	if (ret)
		return ret;
	*attr = a.attr;
	if (cp.rflags & OPEN4_RESULT_CONFIRM) {
		ret = owner_op(cn, fh, &cp, false);
		if (ret)
			return ret;
	}
	ret = owner_op(cn, fh, &cp, true);
	if (ret)
		nfs_log(NFS_LOG_WARNING,
			"nfs: %s: closing new file %s failed (%d); its state stays until the lease ends",
			cn->server, name, ret);
	return 0; /* the file is there either way */
}

/* CREATE of a directory or symbolic link; *@fh and *@attr the new one. */
static int create_other(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
			const char *name, nfs_ftype4 type, uint32_t mode,
			const char *target, struct nfsfs_fh *fh,
			struct nfsfs_attr *attr)
{
	struct nfsfs_sattr sa = { .set_mode = true, .mode = mode & 07777 };
	uint32_t mask[NFS4_MASK_WORDS];
	uint8_t vals[SATTR_MAX];
	long len = nfs4_sattr_encode(&sa, mask, vals, sizeof(vals));
	struct nfs4_attrs a;
	struct compound cp = { 0 };

	if (len < 0)
		return (int)len;
	op_putfh(&cp, dir);
	CREATE4args *c = &op(&cp, OP_CREATE)->nfs_argop4_u.opcreate;
	c->objtype.type = type;
	if (type == NF4LNK)
		set_name(&c->objtype.createtype4_u.linkdata, target);
	set_name(&c->objname, name);
	c->createattrs.attrmask.bitmap4_len = NFS4_MASK_WORDS;
	c->createattrs.attrmask.bitmap4_val = mask;
	c->createattrs.attr_vals.attrlist4_len = (u_int)len;
	c->createattrs.attr_vals.attrlist4_val = (char *)vals;
	op_getfh(&cp, fh);
	op_getattr(&cp, nfs4_mask_attr, &a);
	int ret = run(cn, &cp);
	if (!ret)
		*attr = a.attr;
	return ret;
}

static int v4_mkdir(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		    const char *name, uint32_t mode, struct nfsfs_fh *fh,
		    struct nfsfs_attr *attr)
{
	return create_other(cn, dir, name, NF4DIR, mode, NULL, fh, attr);
}

static int v4_symlink(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		      const char *name, const char *target, struct nfsfs_fh *fh,
		      struct nfsfs_attr *attr)
{
	return create_other(cn, dir, name, NF4LNK, 0777, target, fh, attr);
}

static long v4_readlink(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
			char *buf, size_t size)
{
	struct compound cp = { .link = buf, .link_max = size };
	op_putfh(&cp, fh);
	op(&cp, OP_READLINK);
	int ret = run(cn, &cp);
	return ret ? ret : cp.link_len;
}

/* REMOVE takes files and directories alike; the VFS checked the type. */
static int v4_remove(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		     const char *name)
{
	struct compound cp = { 0 };
	op_putfh(&cp, dir);
	set_name(&op(&cp, OP_REMOVE)->nfs_argop4_u.opremove.target, name);
	return run(cn, &cp);
}

static int v4_rename(struct nfsfs_conn *cn, const struct nfsfs_fh *fdir,
		     const char *fname, const struct nfsfs_fh *tdir,
		     const char *tname)
{
	struct compound cp = { 0 };
	op_putfh(&cp, fdir);
	op(&cp, OP_SAVEFH);
	op_putfh(&cp, tdir);
	RENAME4args *r = &op(&cp, OP_RENAME)->nfs_argop4_u.oprename;
	set_name(&r->oldname, fname);
	set_name(&r->newname, tname);
	return run(cn, &cp);
}

static int v4_link(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		   const struct nfsfs_fh *dir, const char *name)
{
	struct compound cp = { 0 };
	op_putfh(&cp, fh);
	op(&cp, OP_SAVEFH);
	op_putfh(&cp, dir);
	set_name(&op(&cp, OP_LINK)->nfs_argop4_u.oplink.newname, name);
	return run(cn, &cp);
}

static int v4_fsstat(struct nfsfs_conn *cn, const struct nfsfs_fh *fh,
		     struct nfsfs_fsstat *st)
{
	struct nfs4_attrs a;
	struct compound cp = { 0 };
	op_putfh(&cp, fh);
	op_getattr(&cp, nfs4_mask_fsstat, &a);
	int ret = run(cn, &cp);
	if (ret)
		return ret;
	if (!a.fs_valid)
		return -EIO;
	*st = a.fs;
	return 0;
}

/*
 * READDIR. NFSv4 servers send neither "." nor "..", and keep cookies 1
 * and 2 for them: they are made here, "." as cookie 1 and ".." as 2,
 * both with the directory's own file ID, from a GETATTR in the first
 * page's COMPOUND, ahead of its READDIR.
 */
static int v4_readdir(struct nfsfs_conn *cn, const struct nfsfs_fh *dir,
		      uint64_t cookie, uint8_t verf[NFSFS_VERFSIZE],
		      nfsfs_entry_fn fn, void *ctx)
{
	struct nfs4_attrs self;
	struct compound cp = { .entry_fn = fn, .entry_ctx = ctx, .verf = verf };
	op_putfh(&cp, dir);
	if (cookie < 2) {
		op_getattr(&cp, nfs4_mask_attr, &self);
		cp.dot = cookie + 1;
	}
	READDIR4args *r = &op(&cp, OP_READDIR)->nfs_argop4_u.opreaddir;
	r->cookie = cookie <= 2 ? 0 : cookie;
	memcpy(r->cookieverf, verf, NFSFS_VERFSIZE);
	r->dircount = READDIR_DIRCOUNT;
	r->maxcount = READDIR_MAXCOUNT;
	r->attr_request.bitmap4_len = NFS4_MASK_WORDS;
	r->attr_request.bitmap4_val = (uint32_t *)nfs4_mask_attr;
	int ret = run(cn, &cp);
	return ret ? ret : cp.readdir_ret;
}

const struct nfsfs_proto nfsfs_v4_proto = {
	.name = "NFSv4.0",
	.setup = v4_setup,
	.teardown = v4_teardown,
	.getattr = v4_getattr,
	.setattr = v4_setattr,
	.lookup = v4_lookup,
	.xfer_start = xfer_start,
	.xfer_end = xfer_end,
	.commit = v4_commit,
	.create = v4_create,
	.mkdir = v4_mkdir,
	.symlink = v4_symlink,
	.readlink = v4_readlink,
	.remove = v4_remove,
	.rmdir = v4_remove,
	.rename = v4_rename,
	.link = v4_link,
	.fsstat = v4_fsstat,
	.readdir = v4_readdir,
};
