/*
 * Unit tests of NFSv4 attribute encoding (fs/nfs/nfs4_attr.c): a reply
 * nfs-ganesha sent decodes to what it says, every truncation or excess is
 * refused, attributes of unknown size stop decoding, owners map to ids,
 * SETATTR values encode as RFC 7530 lays them out and never overrun, and
 * random input never reads out of bounds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../fs/nfs/nfs4_attr.h"
#include "unit.h"

/*
 * GETATTR of a 204800-byte file, mode 0666, owned by 0:0, as nfs-ganesha
 * 4.3 sent it; mtime's nanoseconds made one more, to tell it from ctime.
 */
static const uint32_t ganesha_mask[2] = { 0x00100012, 0x0030a03a };
static const char ganesha_hex[] = "00000001"
				  "0000000000032000"
				  "0000000000a720b7"
				  "000001b6"
				  "00000001"
				  "00000001"
				  "30000000"
				  "00000001"
				  "30000000"
				  "0000000000032000"
				  "000000006b13fce3"
				  "14dd6092"
				  "000000006b13fce3"
				  "32aac592"
				  "000000006b13fce3"
				  "32aac593";

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void test_ganesha_reply(void)
{
	uint8_t vals[128];
	size_t len = unhex(ganesha_hex, vals);
	struct nfs4_attrs a;
	CHECK(nfs4_attr_decode(ganesha_mask, 2, vals, len, &a) == 0);
	CHECK(a.attr.valid && a.attr.type == NFSFS_REG);
	CHECK(a.attr.size == 204800 && a.attr.used == 204800);
	CHECK(a.attr.fileid == 0xa720b7 && a.attr.mode == 0666);
	CHECK(a.attr.nlink == 1 && a.attr.uid == 0 && a.attr.gid == 0);
	CHECK(a.attr.atime.sec == 0x6b13fce3 &&
	      a.attr.atime.nsec == 0x14dd6092);
	CHECK(a.attr.ctime.nsec == 0x32aac592 &&
	      a.attr.mtime.nsec == 0x32aac593);
	CHECK(!a.fs_valid && a.fh.len == 0 && a.maxread == 0);
	/* The kernel asks for exactly these. */
	CHECK(!memcmp(ganesha_mask, nfs4_mask_attr, sizeof(ganesha_mask)));

	/* Every shorter value list, and one byte more, are refused. */
	for (size_t n = 0; n < len; n++)
		CHECK(nfs4_attr_decode(ganesha_mask, 2, vals, n, &a) == -EIO);
	vals[len] = 0;
	CHECK(nfs4_attr_decode(ganesha_mask, 2, vals, len + 1, &a) == -EIO);
	/* Nanoseconds past a second are no time. */
	vals[len - 4] = 0xff;
	CHECK(nfs4_attr_decode(ganesha_mask, 2, vals, len, &a) == -EIO);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void test_other_attributes(void)
{
	uint8_t v[256];
	struct nfs4_attrs a;
	/* maxread (30), maxwrite (31); a handle (19) of 3 bytes, padded. */
	uint32_t mask[2] = { 1u << 19 | 1u << 30 | 1u << 31, 0 };
	memset(v, 0, sizeof(v));
	put32(v, 3);
	memcpy(v + 4, "abc", 3);
	put32(v + 12, 1 << 20);
	put32(v + 20, 1 << 19);
	CHECK(nfs4_attr_decode(mask, 2, v, 24, &a) == 0);
	CHECK(a.fh.len == 3 && !memcmp(a.fh.data, "abc", 3));
	CHECK(a.maxread == 1 << 20 && a.maxwrite == 1 << 19 && !a.attr.valid);
	/* A handle over NFSv4's 128 bytes. */
	put32(v, 129);
	CHECK(nfs4_attr_decode(mask, 2, v, 24, &a) == -EIO);
	/* Sizes not used here still step over: fsid (8) is 16 bytes. */
	uint32_t fsid[2] = { 1u << 8, 0 };
	CHECK(nfs4_attr_decode(fsid, 2, v, 16, &a) == 0);
	CHECK(nfs4_attr_decode(fsid, 2, v, 12, &a) == -EIO);
	/* An ACL (12): its size is not known here, so nothing after is. */
	uint32_t acl[2] = { 1u << 12, 0 };
	CHECK(nfs4_attr_decode(acl, 2, v, 16, &a) == -EIO);
	/* Attribute 63, past the known ones. */
	uint32_t high[2] = { 0, 1u << 31 };
	CHECK(nfs4_attr_decode(high, 2, v, 4, &a) == -EIO);
	/* A third bitmap word with a bit set: nothing known there. */
	uint32_t three[3] = { 0, 0, 1 };
	CHECK(nfs4_attr_decode(three, 3, v, 4, &a) == -EIO);
	/* An empty bitmap and no values. */
	CHECK(nfs4_attr_decode(three, 0, v, 0, &a) == 0 && !a.attr.valid);
	/* The fsstat set, all six. */
	memset(v, 0, 48);
	CHECK(nfs4_attr_decode(nfs4_mask_fsstat, 2, v, 48, &a) == 0 &&
	      a.fs_valid);
}

static void test_owner_ids(void)
{
	CHECK(nfs4_owner_id("0", 1) == 0);
	CHECK(nfs4_owner_id("1000", 4) == 1000);
	CHECK(nfs4_owner_id("1000@example.org", 16) == 1000);
	CHECK(nfs4_owner_id("4294967295", 10) == 4294967295u);
	CHECK(nfs4_owner_id("4294967296", 10) == 65534);
	CHECK(nfs4_owner_id("12345678901", 11) == 65534);
	CHECK(nfs4_owner_id("root@localdomain", 16) == 0);
	CHECK(nfs4_owner_id("alice@localdomain", 17) == 65534);
	CHECK(nfs4_owner_id("12x", 3) == 65534);
	CHECK(nfs4_owner_id("", 0) == 65534);
	CHECK(nfs4_owner_id("42", 1) == 4); /* only the bytes given */
}

static void test_sattr_encode(void)
{
	struct nfsfs_sattr sa = {
		.set_mode = true,
		.mode = 0100755, /* type bits dropped */
		.set_uid = true,
		.uid = 1000,
		.set_gid = true,
		.gid = 7,
		.set_size = true,
		.size = 0x100000002ull,
		.set_atime = true,
		.atime_now = true,
		.set_mtime = true,
		.mtime = { 0x12345678, 999999999 },
	};
	uint32_t mask[2];
	uint8_t buf[128];
	long len = nfs4_sattr_encode(&sa, mask, buf, sizeof(buf));
	uint8_t want[128];
	size_t wlen = unhex("0000000100000002"
			    "000001ed"
			    "00000004"
			    "31303030"
			    "00000001"
			    "37000000"
			    "00000000"
			    "00000001"
			    "0000000012345678"
			    "3b9ac9ff",
			    want);
	CHECK(len == (long)wlen && !memcmp(buf, want, wlen));
	CHECK(mask[0] == 1u << 4);
	CHECK(mask[1] == (1u << 1 | 1u << 4 | 1u << 5 | 1u << 16 | 1u << 22));
	/* Too small a buffer: refused, never written past. */
	for (size_t cap = 0; cap < wlen; cap++) {
		uint8_t *b = malloc(cap ? cap : 1);
		CHECK(nfs4_sattr_encode(&sa, mask, b, cap) == -ENOSPC);
		free(b);
	}
	struct nfsfs_sattr none = { 0 };
	CHECK(nfs4_sattr_encode(&none, mask, buf, 0) == 0 && !mask[0] &&
	      !mask[1]);
}

/* Random bitmaps over random bytes: refused or decoded, in bounds. */
static void test_fuzz(void)
{
	srand(4);
	for (int i = 0; i < 50000; i++) {
		uint32_t mask[2] = { (uint32_t)rand() & (uint32_t)rand(),
				     (uint32_t)rand() & (uint32_t)rand() &
					     0x00ffffffu };
		size_t len = (size_t)rand() % 200;
		uint8_t *v = malloc(len ? len : 1);
		for (size_t j = 0; j < len; j++)
			v[j] = (uint8_t)(rand() % 4 ? rand() % 3 : rand());
		struct nfs4_attrs a;
		int ret = nfs4_attr_decode(mask, 2, v, len, &a);
		CHECK(ret == 0 || ret == -EIO);
		if (ret == 0)
			CHECK(a.fh.len <= NFSFS_FHSIZE);
		free(v);
	}
}

TEST_MAIN(UNIT_CASE(test_ganesha_reply), UNIT_CASE(test_other_attributes),
	  UNIT_CASE(test_owner_ids), UNIT_CASE(test_sattr_encode),
	  UNIT_CASE(test_fuzz))
