/*
 * Helpers shared by the VFS host tests (test_vfs*.c): a fresh directory
 * per case, whole-file reads and writes through the kernel API, and
 * directory listings.
 */
#ifndef TESTS_UNIT_TEST_VFS_H
#define TESTS_UNIT_TEST_VFS_H

#include <string.h>

#include <kernel/errno.h>
#include <vfs/vfs.h>

#include "unit.h"

/* tests/unit/shim_alloc.c */
extern long shim_alloc_fail_after;

/* Mounts the root once, then makes and enters /@name (fresh each run). */
static inline void vt_enter(const char *name)
{
	static bool ready;
	char path[300];

	if (!ready) {
		if (vfs_init())
			abort();
		ready = true;
	}
	snprintf(path, sizeof(path), "/%s", name);
	CHECK(vfs_mkdir(path, 0755) == 0);
	CHECK(vfs_chdir(path) == 0);
}

static inline ssize_t vt_kread(struct file *f, void *buf, size_t n)
{
	struct uio u = { .base = buf, .len = n, .user = false };
	return vfs_read(f, &u);
}

static inline ssize_t vt_kwrite(struct file *f, const void *buf, size_t n)
{
	struct uio u = { .base = (char *)buf, .len = n, .user = false };
	return vfs_write(f, &u);
}

static inline ssize_t vt_kpread(struct file *f, void *buf, size_t n,
				uint64_t off)
{
	struct uio u = { .base = buf, .len = n, .user = false };
	return vfs_pread(f, &u, off);
}

static inline ssize_t vt_kpwrite(struct file *f, const void *buf, size_t n,
				 uint64_t off)
{
	struct uio u = { .base = (char *)buf, .len = n, .user = false };
	return vfs_pwrite(f, &u, off);
}

/* Creates or replaces @path with the string @data; 0 or an errno. */
static inline int vt_put(const char *path, const char *data)
{
	struct file *f = vfs_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	ssize_t n = vt_kwrite(f, data, strlen(data));
	file_put(f);
	return n == (ssize_t)strlen(data) ? 0 : n < 0 ? (int)n : -EIO;
}

/* Reads @path as a string into @buf; its length or an errno. */
static inline ssize_t vt_get(const char *path, char *buf, size_t size)
{
	struct file *f = vfs_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ssize_t n = vt_kread(f, buf, size - 1);
	file_put(f);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* True when @path reads as exactly @want. */
static inline bool vt_is(const char *path, const char *want)
{
	char buf[256];
	return vt_get(path, buf, sizeof(buf)) >= 0 && !strcmp(buf, want);
}

static inline uint64_t vt_ino(const char *path)
{
	struct kstat st;
	return vfs_stat(path, &st, false) ? 0 : st.ino;
}

static inline int vt_stat_err(const char *path)
{
	struct kstat st;
	return vfs_stat(path, &st, true);
}

struct vt_listing {
	int count;
	char names[64][64];
};

static inline int vt_collect(void *ctx, const char *name, size_t len,
			     uint64_t ino, enum vtype type, uint64_t next)
{
	struct vt_listing *l = ctx;
	if (l->count < 64 && len < 64) {
		memcpy(l->names[l->count], name, len);
		l->names[l->count][len] = '\0';
	}
	l->count++;
	return 0;
}

/* Lists directory @path ("." and ".." included); -1 on error. */
static inline int vt_list(const char *path, struct vt_listing *l)
{
	memset(l, 0, sizeof(*l));
	struct file *f = vfs_open(path, O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(f))
		return -1;
	int ret = vfs_readdir(f, vt_collect, l);
	file_put(f);
	return ret ? -1 : l->count;
}

static inline bool vt_listed(const struct vt_listing *l, const char *name)
{
	for (int i = 0; i < l->count && i < 64; i++)
		if (!strcmp(l->names[i], name))
			return true;
	return false;
}

#endif
