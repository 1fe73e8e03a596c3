/*
 * The initrd: a cpio archive in "newc" format (what `cpio -H newc` and
 * the Linux initramfs tools write), unpacked into the root ramfs at boot.
 *
 * Each entry is a 110-byte ASCII header (magic 070701 or 070702, then 13
 * eight-digit hex fields), the NUL-terminated name padded to 4 bytes, and
 * the data padded to 4 bytes; "TRAILER!!!" ends the archive. Every field
 * is checked against the bytes that are really there before it is used,
 * so a corrupt or truncated archive is reported (with its offset) and
 * never read out of bounds. Directories, regular files and symbolic links
 * are created (an entry replaces an earlier one of the same name); device
 * nodes, FIFOs and sockets are skipped with a warning.
 * Hard links arrive as several names with one inode, the data on the last
 * one: each name gets its own copy of the data.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/initrd.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <vfs/vfs.h>

#define HEADER_SIZE 110
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define PATH_MAX 4096
#define MAX_PENDING_LINKS 64

struct cpio_entry {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize, namesize;
	const char *name;
	const char *data;
};

struct unpacker {
	const char *base;
	size_t size, off;
	char *err;
	size_t errlen;
	unsigned files, dirs, links, skipped;
	/* Names waiting for their hard link's data. */
	struct {
		uint32_t ino;
		char *path;
	} pending[MAX_PENDING_LINKS];
	unsigned nr_pending;
};

static int corrupt(struct unpacker *u, const char *why)
{
	snprintf(u->err, u->errlen, "corrupt archive at offset %zu: %s", u->off,
		 why);
	return -EINVAL;
}

static bool parse_hex(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Reads the entry at u->off; returns 1 for an entry, 0 at the trailer. */
static int next_entry(struct unpacker *u, struct cpio_entry *e)
{
	uint32_t f[13];

	if (u->size - u->off < HEADER_SIZE)
		return corrupt(u, "truncated header");
	const char *h = u->base + u->off;
	if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
		return corrupt(u, "bad magic (not a newc cpio archive)");
	for (int i = 0; i < 13; i++)
		if (!parse_hex(h + 6 + 8 * i, &f[i]))
			return corrupt(u, "header field is not hexadecimal");
	*e = (struct cpio_entry){ .ino = f[0],
				  .mode = f[1],
				  .uid = f[2],
				  .gid = f[3],
				  .nlink = f[4],
				  .mtime = f[5],
				  .filesize = f[6],
				  .namesize = f[11] };
	size_t name_off = u->off + HEADER_SIZE;
	if (e->namesize == 0 || e->namesize > PATH_MAX ||
	    e->namesize > u->size - name_off)
		return corrupt(u, "name size out of bounds");
	e->name = u->base + name_off;
	if (e->name[e->namesize - 1] != 0 || strlen(e->name) != e->namesize - 1)
		return corrupt(u, "name is not NUL-terminated where it says");
	size_t data_off = ALIGN_UP(name_off + e->namesize, 4);
	if (!strcmp(e->name, "TRAILER!!!"))
		return 0;
	if (data_off > u->size || e->filesize > u->size - data_off)
		return corrupt(u, "file data runs past the end of the archive");
	e->data = u->base + data_off;
	u->off = ALIGN_UP(data_off + e->filesize, 4);
	if (u->off > u->size)
		u->off = u->size;
	return 1;
}

/* "./a/b", "/a/b" and "a/b" all mean "/a/b"; "." alone is the root. */
static int make_path(const char *name, char *out, size_t len)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	if (!*name || !strcmp(name, "."))
		return 0;
	if (snprintf(out, len, "/%s", name) >= (int)len)
		return -ENAMETOOLONG;
	return 1;
}

/* A later entry replaces an earlier one of the same name (whatever it was). */
static void remove_old(const char *path)
{
	if (vfs_unlink(path) == -EISDIR)
		vfs_rmdir(path);
}

static int write_file(struct unpacker *u, const char *path,
		      const struct cpio_entry *e)
{
	remove_old(path);
	struct file *f =
		vfs_open(path, O_WRONLY | O_CREAT | O_TRUNC, e->mode & 07777);
	if (IS_ERR(f)) {
		snprintf(u->err, u->errlen, "cannot create %s (%ld)", path,
			 PTR_ERR(f));
		return (int)PTR_ERR(f);
	}
	struct uio io = { .base = (char *)e->data,
			  .len = e->filesize,
			  .user = false };
	ssize_t n = e->filesize ? vfs_write(f, &io) : 0;
	file_put(f);
	if (n != (ssize_t)e->filesize) {
		snprintf(u->err, u->errlen, "cannot write %s (%ld)", path,
			 (long)n);
		return n < 0 ? (int)n : -EIO;
	}
	u->files++;
	return vfs_set_owner_times(path, e->uid, e->gid, e->mtime);
}

static int regular_file(struct unpacker *u, const char *path,
			const struct cpio_entry *e)
{
	/* A hard-link name without data: its data comes with a later name. */
	if (e->nlink > 1 && e->filesize == 0) {
		if (u->nr_pending < MAX_PENDING_LINKS) {
			char *copy = strdup(path);
			if (!copy)
				return -ENOMEM;
			u->pending[u->nr_pending].ino = e->ino;
			u->pending[u->nr_pending++].path = copy;
		}
		return write_file(u, path, e);
	}
	int ret = write_file(u, path, e);
	for (unsigned i = 0; !ret && i < u->nr_pending; i++) {
		if (u->pending[i].ino != e->ino || !u->pending[i].path)
			continue;
		ret = write_file(u, u->pending[i].path, e);
		kfree(u->pending[i].path);
		u->pending[i].path = NULL;
	}
	return ret;
}

static int unpack_entry(struct unpacker *u, const struct cpio_entry *e)
{
	char path[PATH_MAX + 1];
	int ret = make_path(e->name, path, sizeof(path));
	if (ret <= 0)
		return ret;
	char *target;
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		ret = vfs_mkdir(path, e->mode & 07777);
		if (ret == -EEXIST)
			ret = 0;
		if (!ret) {
			u->dirs++;
			ret = vfs_set_owner_times(path, e->uid, e->gid,
						  e->mtime);
		}
		break;
	case S_IFREG:
		ret = regular_file(u, path, e);
		break;
	case S_IFLNK:
		if (e->filesize == 0 || e->filesize > PATH_MAX)
			return corrupt(u, "symbolic link target size");
		target = strndup(e->data, e->filesize);
		if (!target)
			return -ENOMEM;
		remove_old(path);
		ret = vfs_symlink(target, path);
		kfree(target);
		u->links += !ret;
		break;
	default:
		if (!u->skipped++)
			pr_warn("initrd: skipping %s: device nodes, FIFOs and sockets are not supported",
				path);
		return 0;
	}
	if (ret && !u->err[0])
		snprintf(u->err, u->errlen, "cannot create %s (%d)", path, ret);
	return ret;
}

int initrd_unpack(const void *archive, size_t size, char *err, size_t errlen)
{
	struct unpacker *u = kzalloc(sizeof(*u));
	struct cpio_entry e;
	int ret;

	if (!u)
		return -ENOMEM;
	*u = (struct unpacker){
		.base = archive, .size = size, .err = err, .errlen = errlen
	};
	err[0] = 0;
	for (;;) {
		size_t at = u->off;
		ret = next_entry(u, &e);
		if (ret <= 0)
			break;
		ret = unpack_entry(u, &e);
		if (ret) {
			if (!err[0])
				snprintf(err, errlen,
					 "entry at offset %zu: error %d", at,
					 ret);
			break;
		}
	}
	if (!ret)
		pr_info("initrd: %u files, %u directories, %u symbolic links from %zu KiB",
			u->files, u->dirs, u->links, size / KiB);
	for (unsigned i = 0; i < u->nr_pending; i++)
		kfree(u->pending[i].path);
	kfree(u);
	return ret;
}
