/*
 * NFSv4 attributes (fattr4) to and from the calls' own types: the
 * attribute bitmap and the XDR-encoded values that follow it, in bit
 * order (RFC 7530, section 5). Pure code over bytes, so the host unit
 * tests run it; nfs4_rpc.c hands it what libnfs decoded as an opaque.
 */
#ifndef FS_NFS_NFS4_ATTR_H
#define FS_NFS_NFS4_ATTR_H

#include "nfs_proto.h"

#define NFS4_MASK_WORDS 2 /* attributes 0 to 63: all we use */

/* What GETATTR asks for, by use: each a bitmap of NFS4_MASK_WORDS. */
extern const uint32_t nfs4_mask_attr[NFS4_MASK_WORDS];	 /* nfsfs_attr */
extern const uint32_t nfs4_mask_fsstat[NFS4_MASK_WORDS]; /* nfsfs_fsstat */
extern const uint32_t nfs4_mask_limits[NFS4_MASK_WORDS]; /* maxread/write */

/* Decoded attributes: each part valid when the server sent all of it. */
struct nfs4_attrs {
	struct nfsfs_attr attr; /* .valid: type, size, fileid, mode came */
	struct nfsfs_fsstat fs;
	bool fs_valid;
	uint64_t maxread, maxwrite; /* 0 when not sent */
	struct nfsfs_fh fh;	    /* .len 0 when not sent */
};

/*
 * Decodes the @len bytes at @vals that bitmap @mask (@words words) says
 * are there into *@out. -EIO when they are not what the bitmap says: too
 * short, too long, a string or handle over its limit, or an attribute
 * whose encoding is not known here (such as ACLs, never asked for).
 */
int nfs4_attr_decode(const uint32_t *mask, unsigned words, const void *vals,
		     size_t len, struct nfs4_attrs *out);

/*
 * Encodes what @sa changes as SETATTR's or CREATE's attributes: the
 * bitmap in @mask, the values in @buf (@cap bytes). Returns their length,
 * or -ENOSPC when @cap is too small. Owners go as decimal ids.
 */
long nfs4_sattr_encode(const struct nfsfs_sattr *sa,
		       uint32_t mask[NFS4_MASK_WORDS], uint8_t *buf,
		       size_t cap);

/*
 * An owner or group string as a number: a decimal id (alone or before
 * '@'), "root@..." as 0, anything else as 65534, Linux's nobody.
 */
uint32_t nfs4_owner_id(const char *s, size_t len);

#endif
