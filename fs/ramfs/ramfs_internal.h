/*
 * ramfs private structures, shared by its three files: ramfs.c (nodes and
 * namespace ops), ramfs_data.c (file blocks) and ramfs_dir.c (directory
 * hash tables and readdir). Every field of a node is protected by its
 * vnode's lock, which the VFS holds when it calls an op (vfs/vnode.h).
 */
#ifndef RAMFS_INTERNAL_H
#define RAMFS_INTERNAL_H

#include <kernel/list.h>
#include <ramfs/ramfs.h>
#include <vfs/vfs.h>

/*
 * File data: a radix tree of 512-slot tables over page numbers; a table
 * at level 1 points at pages, higher levels at tables. @height grows as
 * the file does (4 levels reach RAMFS_MAX_FILE_SIZE). Absent pages are
 * holes and read as zeros. Bytes at or past the file size in a present
 * page are always zero.
 */
struct ramfs_data {
	void **root;
	unsigned height; /* 0: no pages at all */
	uint64_t pages;	 /* pages present */
};

/* A directory entry: hashed by name and by cookie, listed by cookie. */
struct ramfs_dirent {
	struct ramfs_dirent *name_next;	  /* chain in names[] */
	struct ramfs_dirent *cookie_next; /* chain in cookies[] */
	struct list_node order;		  /* in ramfs_dir.order */
	struct ramfs_node *node;	  /* holds a reference */
	uint64_t cookie;		  /* readdir position after it */
	uint32_t hash;
	uint16_t len;
	char name[];
};

/*
 * A directory. Cookies grow with each insertion, so the order list is
 * sorted by cookie and a readdir resumes after the last cookie it
 * returned even when that entry is gone. Both hash tables double when the
 * entries outnumber the buckets.
 */
struct ramfs_dir {
	struct ramfs_dirent **names;
	struct ramfs_dirent **cookies;
	size_t nbuckets; /* a power of two */
	size_t count;
	uint64_t next_cookie;
	struct list_node order;
	/* ".." (referenced); the root points at itself without a reference,
	 * a removed directory at NULL. */
	struct ramfs_node *parent;
};

struct ramfs_node {
	struct vnode vn;
	union {
		struct ramfs_data data; /* VREG */
		struct ramfs_dir dir;	/* VDIR */
		char *target; /* VLNK: vn.size bytes, NUL-terminated */
	};
};

struct ramfs_mount {
	uint64_t next_ino; /* atomic */
};

static inline struct ramfs_node *ramfs_node(struct vnode *vn)
{
	return container_of(vn, struct ramfs_node, vn);
}

/* ramfs_data.c: the file ops, vnode locked (vfs/vnode.h). */
ssize_t ramfs_read(struct vnode *vn, struct uio *u, uint64_t off);
ssize_t ramfs_write(struct vnode *vn, struct uio *u, uint64_t off);
int ramfs_truncate(struct vnode *vn, uint64_t size);
int ramfs_seek_data(struct vnode *vn, uint64_t off, bool hole, uint64_t *out);
/* Frees every page and table of @d. */
void ramfs_data_free(struct ramfs_data *d);

/* ramfs_dir.c. All take the directory node locked. */
int ramfs_dir_init(struct ramfs_dir *dir);
void ramfs_dir_free(struct ramfs_dir *dir);
struct ramfs_dirent *ramfs_dir_find_locked(struct ramfs_node *dir,
					   const char *name, size_t len);
/* A new entry for (@name, @len) naming @node, not yet in a directory. */
struct ramfs_dirent *ramfs_dirent_alloc(const char *name, size_t len,
					struct ramfs_node *node);
/* Adds @e, taking a fresh cookie; never fails. */
void ramfs_dir_insert_locked(struct ramfs_node *dir, struct ramfs_dirent *e);
/* Unlinks @e from @dir; the caller frees it. */
void ramfs_dir_remove_locked(struct ramfs_node *dir, struct ramfs_dirent *e);
int ramfs_readdir(struct vnode *vn, uint64_t *cookie, vfs_filldir_fn fill,
		  void *ctx);

#endif
