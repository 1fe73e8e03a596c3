/*
 * Unit tests of the initrd unpacker (kernel/init/initrd.c) over the real
 * VFS and ramfs: archives built here in cpio "newc" format unpack into the
 * expected tree (files with their data and modes, directories, symbolic
 * links, hard links), and every kind of corruption or truncation is
 * refused with a message naming the offset, never read out of bounds
 * (ASan), including a bounded run of random corruptions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/errno.h>
#include <kernel/initrd.h>
#include <vfs/vfs.h>

#include "unit.h"

static char archive[1 << 16];
static size_t alen;
static char err[256];

static void add(const char *name, unsigned mode, unsigned ino, unsigned nlink,
		const char *data, size_t size)
{
	size_t nsize = strlen(name) + 1;
	alen += (size_t)sprintf(
		archive + alen,
		"070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
		ino, mode, 0, 0, nlink, 1700000000, size, 0, 0, 0, 0, nsize, 0);
	memcpy(archive + alen, name, nsize);
	alen += nsize;
	while (alen % 4)
		archive[alen++] = 0;
	memcpy(archive + alen, data, size);
	alen += size;
	while (alen % 4)
		archive[alen++] = 0;
}

static void build_good(void)
{
	alen = 0;
	add(".", 040755, 1, 2, "", 0);
	add("bin", 040755, 2, 2, "", 0);
	add("bin/prog", 0100755, 3, 1,
	    "\x7f"
	    "ELFprogram",
	    11);
	add("./etc", 040700, 4, 2, "", 0);
	add("etc/hosts", 0100644, 5, 1, "127.0.0.1 localhost\n", 20);
	add("etc/link", 0120777, 6, 1, "hosts", 5);
	add("etc/a", 0100600, 7, 2, "", 0); /* hard link, data comes later */
	add("etc/b", 0100600, 7, 2, "shared", 6);
	add("dev/null", 020666, 8, 1, "", 0); /* skipped */
	add("TRAILER!!!", 0, 0, 1, "", 0);
}

static void read_file(const char *path, char *buf, size_t len, ssize_t *n)
{
	struct file *f = vfs_open(path, O_RDONLY, 0);
	*n = -1;
	if (IS_ERR(f))
		return;
	struct uio u = { .base = buf, .len = len, .user = false };
	*n = vfs_read(f, &u);
	file_put(f);
}

static void test_good(void)
{
	char buf[64] = { 0 };
	ssize_t n;
	struct kstat st;

	build_good();
	CHECK(initrd_unpack(archive, alen, err, sizeof(err)) == 0);
	read_file("/bin/prog", buf, sizeof(buf), &n);
	CHECK(n == 11 && !memcmp(buf,
				 "\x7f"
				 "ELFprogram",
				 11));
	read_file("/etc/link", buf, sizeof(buf), &n);
	CHECK(n == 20 && !memcmp(buf, "127.0.0.1", 9));
	read_file("/etc/a", buf, sizeof(buf), &n);
	CHECK(n == 6 && !memcmp(buf, "shared", 6));
	read_file("/etc/b", buf, sizeof(buf), &n);
	CHECK(n == 6);
	struct file *f = vfs_open("/bin/prog", O_RDONLY, 0);
	CHECK(!IS_ERR(f) && vfs_fstat(f, &st) == 0 &&
	      (st.mode & 07777) == 0755);
	if (!IS_ERR(f))
		file_put(f);
	CHECK(IS_ERR(vfs_open("/dev/null", O_RDONLY, 0)));
}

/* Each corruption of the good archive is refused with an offset. */
static void refused(const char *what, size_t at, const char *bytes, size_t len,
		    const char *why)
{
	build_good();
	memcpy(archive + at, bytes, len);
	int r = initrd_unpack(archive, alen, err, sizeof(err));
	CHECK(r < 0);
	if (r >= 0 || !strstr(err, why))
		fprintf(stderr, "%s: got %d '%s', want '%s'\n", what, r, err,
			why);
	CHECK(strstr(err, why) != NULL);
}

static void test_corrupt(void)
{
	refused("magic", 0, "170701", 6, "offset 0: bad magic");
	refused("hex", 6, "zzzzzzzz", 8, "not hexadecimal");
	refused("namesize", 94, "ffffffff", 8, "name size out of bounds");
	refused("name nul", 94, "00000001", 8, "not NUL-terminated");
	/* File size of bin/prog far beyond the archive. */
	build_good();
	size_t at = 0;
	while (at + 8 < alen && memcmp(archive + at, "bin/prog", 8))
		at++;
	CHECK(at + 8 < alen);
	size_t hdr = at - 110;
	refused("filesize", hdr + 54, "7fffffff", 8,
		"past the end of the archive");
	/* Truncations anywhere: never a crash, always an error. */
	build_good();
	size_t full = alen;
	for (size_t cut = 0; cut < full - 4; cut += 3) {
		build_good();
		int r = initrd_unpack(archive, cut, err, sizeof(err));
		CHECK(r < 0 && strstr(err, "offset"));
	}
}

static void test_fuzz(void)
{
	unsigned seed = 12345;
	for (int i = 0; i < 3000; i++) {
		build_good();
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			archive[(seed >> 8) % alen] = (char)(seed >> 20);
		}
		err[0] = 0;
		int r = initrd_unpack(archive, alen, err, sizeof(err));
		CHECK(r == 0 || (r < 0 && err[0]));
	}
}

int main(void)
{
	static const struct unit_case cases[] = {
		UNIT_CASE(test_good),
		UNIT_CASE(test_corrupt),
		UNIT_CASE(test_fuzz),
	};
	if (vfs_init())
		return 1;
	return unit_run(cases, sizeof(cases) / sizeof(cases[0]));
}
