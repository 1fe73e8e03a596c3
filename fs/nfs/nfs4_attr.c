/*
 * NFSv4 attribute values, as nfs4_attr.h says. Values are XDR: big-endian
 * 32-bit units, 64-bit ones as two, strings and opaques as a length and
 * bytes padded to four. Decoding walks the bitmap in bit order and needs
 * each attribute's size, so every attribute of RFC 7530's first 56 that
 * has a fixed or length-prefixed encoding is known here, whether or not
 * the calls use it: a server may send more than was asked for.
 */
#ifdef NFS_GLUE
#include <errno.h>
#include <string.h>
#else
#include <kernel/errno.h>
#include <kernel/string.h>
#endif

#include "nfs4_attr.h"

/* Attribute numbers (RFC 7530, section 5.8). */
enum {
	A_SUPPORTED = 0,
	A_TYPE = 1,
	A_SIZE = 4,
	A_FSID = 8,
	A_ACL = 12,
	A_FILEHANDLE = 19,
	A_FILEID = 20,
	A_FILES_AVAIL = 21,
	A_FILES_FREE = 22,
	A_FILES_TOTAL = 23,
	A_FS_LOCATIONS = 24,
	A_MAXREAD = 30,
	A_MAXWRITE = 31,
	A_MIMETYPE = 32,
	A_MODE = 33,
	A_NUMLINKS = 35,
	A_OWNER = 36,
	A_OWNER_GROUP = 37,
	A_RAWDEV = 41,
	A_SPACE_AVAIL = 42,
	A_SPACE_FREE = 43,
	A_SPACE_TOTAL = 44,
	A_SPACE_USED = 45,
	A_TIME_ACCESS = 47,
	A_TIME_ACCESS_SET = 48,
	A_TIME_METADATA = 52,
	A_TIME_MODIFY = 53,
	A_TIME_MODIFY_SET = 54,
	A_LAST = 55,
};

#define BIT(a) (1u << ((a) % 32))
#define W0(a) ((a) < 32 ? BIT(a) : 0)
#define W1(a) ((a) >= 32 ? BIT(a) : 0)

const uint32_t nfs4_mask_attr[NFS4_MASK_WORDS] = {
	W0(A_TYPE) | W0(A_SIZE) | W0(A_FILEID),
	W1(A_MODE) | W1(A_NUMLINKS) | W1(A_OWNER) | W1(A_OWNER_GROUP) |
		W1(A_SPACE_USED) | W1(A_TIME_ACCESS) | W1(A_TIME_METADATA) |
		W1(A_TIME_MODIFY),
};
const uint32_t nfs4_mask_fsstat[NFS4_MASK_WORDS] = {
	W0(A_FILES_AVAIL) | W0(A_FILES_FREE) | W0(A_FILES_TOTAL),
	W1(A_SPACE_AVAIL) | W1(A_SPACE_FREE) | W1(A_SPACE_TOTAL),
};
const uint32_t nfs4_mask_limits[NFS4_MASK_WORDS] = {
	W0(A_MAXREAD) | W0(A_MAXWRITE),
	0,
};

/*
 * Each attribute's encoding: a fixed size in bytes, or one of these.
 * Write-only (the *_SET ones) and unknown attributes are UNKNOWN.
 */
enum {
	UNKNOWN = 0,
	OPAQUE = -1,
	BITMAP = -2
};

static int attr_size(unsigned a)
{
	switch (a) {
	case A_SUPPORTED:
		return BITMAP;
	case A_FSID:
		return 16;
	case A_FILEHANDLE:
	case A_MIMETYPE:
	case A_OWNER:
	case A_OWNER_GROUP:
		return OPAQUE;
	case A_RAWDEV:
		return 8;
	case A_ACL:
	case A_FS_LOCATIONS:
	case A_TIME_ACCESS_SET:
	case A_TIME_MODIFY_SET:
		return UNKNOWN;
	case 3: /* change */
	case A_SIZE:
	case A_FILEID:
	case A_FILES_AVAIL:
	case A_FILES_FREE:
	case A_FILES_TOTAL:
	case 27: /* maxfilesize */
	case A_MAXREAD:
	case A_MAXWRITE:
	case 38: /* quota_avail_hard */
	case 39: /* quota_avail_soft */
	case 40: /* quota_used */
	case A_SPACE_AVAIL:
	case A_SPACE_FREE:
	case A_SPACE_TOTAL:
	case A_SPACE_USED:
	case A_LAST: /* mounted_on_fileid */
		return 8;
	case A_TIME_ACCESS:
	case 49: /* time_backup */
	case 50: /* time_create */
	case 51: /* time_delta */
	case A_TIME_METADATA:
	case A_TIME_MODIFY:
		return 12;
	default: /* the rest up to A_LAST: a uint32 or a boolean */
		return a <= A_LAST ? 4 : UNKNOWN;
	}
}

/* A cursor over XDR bytes; any read past the end sets .bad. */
struct xdr {
	const uint8_t *p, *end;
	bool bad;
};

static const uint8_t *take(struct xdr *x, size_t n)
{
	if (x->bad || (size_t)(x->end - x->p) < n) {
		x->bad = true;
		return NULL;
	}
	const uint8_t *at = x->p;
	x->p += n;
	return at;
}

static uint32_t get32(struct xdr *x)
{
	const uint8_t *b = take(x, 4);
	if (!b)
		return 0;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static uint64_t get64(struct xdr *x)
{
	uint64_t hi = get32(x);
	return hi << 32 | get32(x);
}

/* A length-prefixed opaque of at most @max bytes; its padding skipped. */
static const uint8_t *get_opaque(struct xdr *x, size_t max, uint32_t *len)
{
	*len = get32(x);
	if (*len > max) {
		x->bad = true;
		return NULL;
	}
	const uint8_t *b = take(x, *len);
	take(x, (4 - *len % 4) % 4);
	return b;
}

static struct nfsfs_time get_time(struct xdr *x)
{
	struct nfsfs_time t;
	t.sec = (int64_t)get64(x);
	t.nsec = get32(x);
	if (t.nsec >= 1000000000u)
		x->bad = true;
	return t;
}

uint32_t nfs4_owner_id(const char *s, size_t len)
{
	size_t n = 0;
	uint64_t v = 0;
	while (n < len && n < 10 && s[n] >= '0' && s[n] <= '9')
		v = v * 10 + (uint64_t)(s[n++] - '0');
	if (n && (n == len || s[n] == '@') && v <= 0xffffffffu)
		return (uint32_t)v;
	if (len >= 5 && !memcmp(s, "root@", 5))
		return 0;
	return 65534;
}

#define MAX_STRING 1024 /* owners, mime types: longer is not an answer */

/* One attribute @a's value into @out; what is not kept is skipped. */
static void decode_one(struct xdr *x, unsigned a, struct nfs4_attrs *out)
{
	struct nfsfs_attr *at = &out->attr;
	uint32_t len;
	const uint8_t *b;

	switch (a) {
	case A_TYPE:
		at->type = get32(x);
		return;
	case A_SIZE:
		at->size = get64(x);
		return;
	case A_FILEHANDLE:
		b = get_opaque(x, NFSFS_FHSIZE, &len);
		if (b && len) {
			out->fh.len = len;
			memcpy(out->fh.data, b, len);
		}
		return;
	case A_FILEID:
		at->fileid = get64(x);
		return;
	case A_FILES_AVAIL:
		out->fs.afiles = get64(x);
		return;
	case A_FILES_FREE:
		out->fs.ffiles = get64(x);
		return;
	case A_FILES_TOTAL:
		out->fs.tfiles = get64(x);
		return;
	case A_MAXREAD:
		out->maxread = get64(x);
		return;
	case A_MAXWRITE:
		out->maxwrite = get64(x);
		return;
	case A_MODE:
		at->mode = get32(x) & 07777;
		return;
	case A_NUMLINKS:
		at->nlink = get32(x);
		return;
	case A_OWNER:
	case A_OWNER_GROUP:
		b = get_opaque(x, MAX_STRING, &len);
		if (b)
			*(a == A_OWNER ? &at->uid : &at->gid) =
				nfs4_owner_id((const char *)b, len);
		return;
	case A_SPACE_AVAIL:
		out->fs.abytes = get64(x);
		return;
	case A_SPACE_FREE:
		out->fs.fbytes = get64(x);
		return;
	case A_SPACE_TOTAL:
		out->fs.tbytes = get64(x);
		return;
	case A_SPACE_USED:
		at->used = get64(x);
		return;
	case A_TIME_ACCESS:
		at->atime = get_time(x);
		return;
	case A_TIME_METADATA:
		at->ctime = get_time(x);
		return;
	case A_TIME_MODIFY:
		at->mtime = get_time(x);
		return;
	}
	int size = attr_size(a);
	if (size == OPAQUE)
		get_opaque(x, MAX_STRING, &len);
	else if (size == BITMAP)
		take(x, 4 * (size_t)get32(x));
	else if (size > 0)
		take(x, (size_t)size);
	else
		x->bad = true; /* cannot know where the next one starts */
}

static bool has(const uint32_t *mask, unsigned words, unsigned a)
{
	return a / 32 < words && (mask[a / 32] & BIT(a));
}

int nfs4_attr_decode(const uint32_t *mask, unsigned words, const void *vals,
		     size_t len, struct nfs4_attrs *out)
{
	struct xdr x = { vals, (const uint8_t *)vals + len, false };

	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < words; w++) {
		for (unsigned bit = 0; bit < 32 && mask[w] >> bit; bit++)
			if (mask[w] & (1u << bit))
				decode_one(&x, w * 32 + bit, out);
	}
	if (x.bad || x.p != x.end)
		return -EIO;
	out->attr.valid =
		has(mask, words, A_TYPE) && has(mask, words, A_SIZE) &&
		has(mask, words, A_FILEID) && has(mask, words, A_MODE);
	out->fs_valid = true;
	for (unsigned w = 0; w < NFS4_MASK_WORDS; w++)
		if ((nfs4_mask_fsstat[w] & (w < words ? mask[w] : 0)) !=
		    nfs4_mask_fsstat[w])
			out->fs_valid = false;
	return 0;
}

/* Encoding: a cursor that counts what would not fit. */
struct xdr_out {
	uint8_t *p, *end;
	bool full;
};

static void put32(struct xdr_out *o, uint32_t v)
{
	if (o->full || o->end - o->p < 4) {
		o->full = true;
		return;
	}
	o->p[0] = (uint8_t)(v >> 24);
	o->p[1] = (uint8_t)(v >> 16);
	o->p[2] = (uint8_t)(v >> 8);
	o->p[3] = (uint8_t)v;
	o->p += 4;
}

static void put64(struct xdr_out *o, uint64_t v)
{
	put32(o, (uint32_t)(v >> 32));
	put32(o, (uint32_t)v);
}

/* An id as the decimal owner string. */
static void put_id(struct xdr_out *o, uint32_t id)
{
	char d[10];
	unsigned n = 0;
	do
		d[n++] = (char)('0' + id % 10);
	while ((id /= 10));
	put32(o, n);
	if (o->full || (size_t)(o->end - o->p) < (n + 3) / 4 * 4) {
		o->full = true;
		return;
	}
	for (unsigned i = 0; i < n; i++)
		*o->p++ = (uint8_t)d[n - 1 - i];
	while (n++ % 4)
		*o->p++ = 0;
}

static void put_settime(struct xdr_out *o, bool now, const struct nfsfs_time *t)
{
	put32(o, now ? 0 : 1); /* SET_TO_SERVER_TIME4, SET_TO_CLIENT_TIME4 */
	if (!now) {
		put64(o, (uint64_t)t->sec);
		put32(o, t->nsec);
	}
}

long nfs4_sattr_encode(const struct nfsfs_sattr *sa,
		       uint32_t mask[NFS4_MASK_WORDS], uint8_t *buf, size_t cap)
{
	struct xdr_out o = { buf, buf + cap, false };

	mask[0] = mask[1] = 0;
	/* In bit order. */
	if (sa->set_size) {
		mask[0] |= W0(A_SIZE);
		put64(&o, sa->size);
	}
	if (sa->set_mode) {
		mask[1] |= W1(A_MODE);
		put32(&o, sa->mode & 07777);
	}
	if (sa->set_uid) {
		mask[1] |= W1(A_OWNER);
		put_id(&o, sa->uid);
	}
	if (sa->set_gid) {
		mask[1] |= W1(A_OWNER_GROUP);
		put_id(&o, sa->gid);
	}
	if (sa->set_atime) {
		mask[1] |= W1(A_TIME_ACCESS_SET);
		put_settime(&o, sa->atime_now, &sa->atime);
	}
	if (sa->set_mtime) {
		mask[1] |= W1(A_TIME_MODIFY_SET);
		put_settime(&o, sa->mtime_now, &sa->mtime);
	}
	return o.full ? -ENOSPC : (long)(o.p - buf);
}
