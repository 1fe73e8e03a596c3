/*
 * Unit tests of nfs:// mount sources (fs/nfs/nfs_opts.c): the kernel's own
 * options come out of the URL, libnfs's stay in it in order, bad values
 * and versions are refused with a message, and hostile input (overlong,
 * empty keys, stray separators, random bytes) never overruns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../fs/nfs/nfs_opts.h"
#include "unit.h"

static int parse(const char *src, struct nfs_opts *o, char *err)
{
	return nfs_opts_parse(src, o, err, 128);
}

static void test_defaults(void)
{
	struct nfs_opts o;
	char err[128];
	CHECK(parse("nfs://10.0.0.1/export", &o, err) == 0);
	CHECK(!strcmp(o.url, "nfs://10.0.0.1/export"));
	CHECK(o.nconnect == NFS_NCONNECT_DEFAULT && !o.ro &&
	      o.retry_s == NFS_RETRY_DEFAULT_S &&
	      o.readahead == NFS_READAHEAD_DEFAULT && !o.sync);
	nfs_opts_free(&o);
}

static void test_ours_removed(void)
{
	struct nfs_opts o;
	char err[128];
	CHECK(parse("nfs://h/e?uid=5&nconnect=2&ro&gid=6&retry=0&version=3", &o,
		    err) == 0);
	CHECK(!strcmp(o.url, "nfs://h/e?uid=5&gid=6"));
	CHECK(o.nconnect == 2 && o.ro && o.retry_s == 0 && o.version == 3);
	nfs_opts_free(&o);
	/* version=4 is for libnfs too: it mounts NFSv4 when told. */
	CHECK(parse("nfs://h/e?nconnect=2&version=4&uid=0", &o, err) == 0);
	CHECK(o.version == 4 && !strcmp(o.url, "nfs://h/e?version=4&uid=0"));
	nfs_opts_free(&o);
	CHECK(parse("nfs://h/e?ro&rw", &o, err) == 0);
	CHECK(!o.ro && !strcmp(o.url, "nfs://h/e"));
	nfs_opts_free(&o);
	/* sync: write-through; the last of sync and async counts. */
	CHECK(parse("nfs://h/e?sync&uid=2", &o, err) == 0);
	CHECK(o.sync && !strcmp(o.url, "nfs://h/e?uid=2"));
	nfs_opts_free(&o);
	CHECK(parse("nfs://h/e?sync&async", &o, err) == 0);
	CHECK(!o.sync && !strcmp(o.url, "nfs://h/e"));
	nfs_opts_free(&o);
	CHECK(parse("nfs://h/e?&&tcp-syncnt=2&", &o, err) == 0);
	CHECK(!strcmp(o.url, "nfs://h/e?tcp-syncnt=2"));
	nfs_opts_free(&o);
}

static void test_transfer_sizes(void)
{
	struct nfs_opts o;
	char err[128];
	CHECK(parse("nfs://h/e", &o, err) == 0 && o.rsize == 0 && o.wsize == 0);
	nfs_opts_free(&o);
	CHECK(parse("nfs://h/e?rsize=65536&uid=3&wsize=32768", &o, err) == 0);
	CHECK(o.rsize == 65536 && o.wsize == 32768);
	CHECK(!strcmp(o.url, "nfs://h/e?uid=3"));
	nfs_opts_free(&o);
	/* Whole pages: rounded down. */
	CHECK(parse("nfs://h/e?rsize=5000&wsize=1048576", &o, err) == 0);
	CHECK(o.rsize == 4096 && o.wsize == 1048576);
	nfs_opts_free(&o);
	/* readahead: libnfs's never sees it; 0 turns it off. */
	CHECK(parse("nfs://h/e?readahead=0&uid=1", &o, err) == 0);
	CHECK(o.readahead == 0 && !strcmp(o.url, "nfs://h/e?uid=1"));
	nfs_opts_free(&o);
	CHECK(parse("nfs://h/e?readahead=70000", &o, err) == 0);
	CHECK(o.readahead == 69632 && !strcmp(o.url, "nfs://h/e"));
	nfs_opts_free(&o);
	CHECK(parse("nfs://h/e?readahead=16777216", &o, err) == 0);
	CHECK(o.readahead == NFS_READAHEAD_MAX);
	nfs_opts_free(&o);
	static const char *const bad[] = {
		"nfs://h/e?rsize=4095",	  "nfs://h/e?wsize=1048577",
		"nfs://h/e?rsize",	  "nfs://h/e?wsize=",
		"nfs://h/e?rsize=64k",	  "nfs://h/e?wsize=-1",
		"nfs://h/e?readahead",	  "nfs://h/e?readahead=16777217",
		"nfs://h/e?readahead=1M",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(parse(bad[i], &o, err) == -EINVAL);
		CHECK(strstr(err, "bad NFS mount option") != NULL);
	}
}

static void test_refused(void)
{
	static const char *const bad[] = {
		"nfs://h/e?nconnect=0",
		"nfs://h/e?nconnect=17",
		"nfs://h/e?nconnect=",
		"nfs://h/e?nconnect",
		"nfs://h/e?nconnect=2x",
		"nfs://h/e?retry=3601",
		"nfs://h/e?retry=-1",
		"nfs://h/e?ro=1",
		"nfs://h/e?sync=0",
		"nfs://h/e?version=2",
		"nfs://h/e?version=41",
		"nfs://h/e?version=",
		"nfs:///export",
		"nfs:/h/e",
		"http://h/e",
		"nfs://",
		"nfs://h/e?retry=99999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nfs_opts o;
		char err[128] = "";
		int ret = parse(bad[i], &o, err);
		if (ret != -22 || !err[0])
			fprintf(stderr, "  accepted or no message: %s\n",
				bad[i]);
		CHECK(ret == -22 && err[0]);
	}
	struct nfs_opts o;
	char err[128];
	CHECK(parse("nfs://h/e?version=5", &o, err) == -22);
	CHECK(strstr(err, "version=3 or version=4") != NULL);
}

/* Random sources: no crash, no leak, a message whenever refused. */
static void test_fuzz(void)
{
	static const char alphabet[] = "nfs:/?&=rovecit0123456789hx";
	char src[200], err[128];
	srand(1);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % (sizeof(src) - 1);
		memcpy(src, "nfs://h/", 8);
		for (size_t j = 8; j < len; j++)
			src[j] = alphabet[rand() % (sizeof(alphabet) - 1)];
		src[len < 8 ? 8 : len] = '\0';
		struct nfs_opts o;
		err[0] = '\0';
		int ret = parse(src, &o, err);
		if (ret == 0) {
			CHECK(strlen(o.url) <= strlen(src));
			nfs_opts_free(&o);
		} else {
			CHECK(err[0] != '\0');
		}
	}
}

TEST_MAIN(UNIT_CASE(test_defaults), UNIT_CASE(test_ours_removed),
	  UNIT_CASE(test_transfer_sizes), UNIT_CASE(test_refused),
	  UNIT_CASE(test_fuzz))
