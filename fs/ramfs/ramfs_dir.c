/*
 * ramfs directories: entries in two hash tables (by name for lookup, by
 * cookie for resuming readdir) and one list in cookie order.
 *
 * Every insertion takes the next cookie, so the list stays sorted and a
 * readdir that returned cookie C resumes with the first entry after C:
 * the entry with cookie C is found by hash and the walk goes on from its
 * list successor. Only when that entry was removed meanwhile does the
 * resume walk the list from the start. Entries added during a listing
 * appear at its end; entries removed are skipped; none repeats.
 *
 * Cookies 0, 1 and 2 are the positions before ".", before ".." and
 * before the first entry; entries get cookies from 3 on.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#include "ramfs_internal.h"

#define DIR_MIN_BUCKETS 8
#define COOKIE_FIRST 3

/* FNV-1a. */
static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 16777619u;
	}
	return h;
}

static size_t cookie_bucket(uint64_t cookie, size_t nbuckets)
{
	return (size_t)((cookie * 0x9e3779b97f4a7c15ULL) >> 32) &
	       (nbuckets - 1);
}

int ramfs_dir_init(struct ramfs_dir *dir)
{
	dir->names = kcalloc(DIR_MIN_BUCKETS, sizeof(*dir->names));
	dir->cookies = kcalloc(DIR_MIN_BUCKETS, sizeof(*dir->cookies));
	if (!dir->names || !dir->cookies) {
		kfree(dir->names);
		kfree(dir->cookies);
		return -ENOSPC;
	}
	dir->nbuckets = DIR_MIN_BUCKETS;
	dir->count = 0;
	dir->next_cookie = COOKIE_FIRST;
	list_init(&dir->order);
	return 0;
}

void ramfs_dir_free(struct ramfs_dir *dir)
{
	ASSERT(dir->count == 0);
	kfree(dir->names);
	kfree(dir->cookies);
}

struct ramfs_dirent *ramfs_dir_find_locked(struct ramfs_node *dir,
					   const char *name, size_t len)
{
	ASSERT(mutex_held(&dir->vn.lock));
	uint32_t h = name_hash(name, len);
	struct ramfs_dirent *e = dir->dir.names[h & (dir->dir.nbuckets - 1)];
	for (; e; e = e->name_next)
		if (e->hash == h && e->len == len &&
		    !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static struct ramfs_dirent *cookie_find(struct ramfs_dir *dir, uint64_t cookie)
{
	struct ramfs_dirent *e =
		dir->cookies[cookie_bucket(cookie, dir->nbuckets)];
	for (; e; e = e->cookie_next)
		if (e->cookie == cookie)
			return e;
	return NULL;
}

struct ramfs_dirent *ramfs_dirent_alloc(const char *name, size_t len,
					struct ramfs_node *node)
{
	ASSERT(len > 0 && len <= NAME_MAX);
	struct ramfs_dirent *e = kmalloc(sizeof(*e) + len);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, len);
	e->len = (uint16_t)len;
	e->hash = name_hash(name, len);
	e->node = node;
	list_init(&e->order);
	return e;
}

/* Doubles both tables; on no memory the old ones stay (just slower). */
static void grow(struct ramfs_dir *dir)
{
	size_t n = dir->nbuckets * 2;
	struct ramfs_dirent **names = kcalloc(n, sizeof(*names));
	struct ramfs_dirent **cookies = kcalloc(n, sizeof(*cookies));
	if (!names || !cookies) {
		kfree(names);
		kfree(cookies);
		return;
	}
	struct list_node *pos;
	list_for_each (pos, &dir->order) {
		struct ramfs_dirent *e =
			list_entry(pos, struct ramfs_dirent, order);
		size_t b = e->hash & (n - 1);
		e->name_next = names[b];
		names[b] = e;
		b = cookie_bucket(e->cookie, n);
		e->cookie_next = cookies[b];
		cookies[b] = e;
	}
	kfree(dir->names);
	kfree(dir->cookies);
	dir->names = names;
	dir->cookies = cookies;
	dir->nbuckets = n;
}

void ramfs_dir_insert_locked(struct ramfs_node *node, struct ramfs_dirent *e)
{
	struct ramfs_dir *dir = &node->dir;

	ASSERT(mutex_held(&node->vn.lock));
	if (dir->count >= dir->nbuckets)
		grow(dir);
	e->cookie = dir->next_cookie++;
	size_t b = e->hash & (dir->nbuckets - 1);
	e->name_next = dir->names[b];
	dir->names[b] = e;
	b = cookie_bucket(e->cookie, dir->nbuckets);
	e->cookie_next = dir->cookies[b];
	dir->cookies[b] = e;
	list_add_tail(&dir->order, &e->order);
	dir->count++;
}

void ramfs_dir_remove_locked(struct ramfs_node *node, struct ramfs_dirent *e)
{
	struct ramfs_dir *dir = &node->dir;
	struct ramfs_dirent **pp;

	ASSERT(mutex_held(&node->vn.lock));
	for (pp = &dir->names[e->hash & (dir->nbuckets - 1)]; *pp != e;
	     pp = &(*pp)->name_next)
		ASSERT(*pp);
	*pp = e->name_next;
	for (pp = &dir->cookies[cookie_bucket(e->cookie, dir->nbuckets)];
	     *pp != e; pp = &(*pp)->cookie_next)
		ASSERT(*pp);
	*pp = e->cookie_next;
	list_remove(&e->order);
	dir->count--;
}

/* The first entry after position @cookie (>= 2), or the list head. */
static struct list_node *resume_point(struct ramfs_dir *dir, uint64_t cookie)
{
	if (cookie < COOKIE_FIRST)
		return dir->order.next;
	struct ramfs_dirent *e = cookie_find(dir, cookie);
	if (e)
		return e->order.next;
	struct list_node *pos;
	list_for_each (pos, &dir->order)
		if (list_entry(pos, struct ramfs_dirent, order)->cookie >
		    cookie)
			return pos;
	return &dir->order;
}

int ramfs_readdir(struct vnode *vn, uint64_t *cookie, vfs_filldir_fn fill,
		  void *ctx)
{
	struct ramfs_node *node = ramfs_node(vn);
	struct ramfs_dir *dir = &node->dir;

	ASSERT(mutex_held(&vn->lock));
	if (*cookie == 0) {
		if (fill(ctx, ".", 1, vn->ino, VDIR, 1))
			return 0;
		*cookie = 1;
	}
	if (*cookie == 1) {
		struct ramfs_node *parent = dir->parent ? dir->parent : node;
		if (fill(ctx, "..", 2, parent->vn.ino, VDIR, 2))
			return 0;
		*cookie = 2;
	}
	for (struct list_node *pos = resume_point(dir, *cookie);
	     pos != &dir->order; pos = pos->next) {
		struct ramfs_dirent *e =
			list_entry(pos, struct ramfs_dirent, order);
		if (fill(ctx, e->name, e->len, e->node->vn.ino,
			 e->node->vn.type, e->cookie))
			return 0;
		*cookie = e->cookie;
	}
	return 0;
}
