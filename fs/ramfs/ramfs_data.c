/*
 * ramfs file data: page-sized blocks under a radix tree.
 *
 * Each tree level resolves 9 bits of the page number (512 slots of a
 * page-sized table), so finding a page costs at most four steps whatever
 * the offset, and a sparse file only has tables where it has data. The
 * tree grows upwards when a write lands beyond its reach: the old root
 * becomes slot 0 of a new one. Truncation frees pages past the new size
 * and zeroes the tail of the last page, keeping the invariant that bytes
 * past the size read as zero when the file grows again.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#include "ramfs_internal.h"

#define RADIX_SHIFT 9
#define RADIX_SLOTS (1u << RADIX_SHIFT)
#define RADIX_MAX_HEIGHT 4
/* 512-byte units per page, for st_blocks. */
#define SECTORS_PER_PAGE (PAGE_SIZE / 512)

BUILD_ASSERT(RADIX_SLOTS * sizeof(void *) == PAGE_SIZE);
BUILD_ASSERT(RAMFS_MAX_FILE_SIZE ==
	     (1ULL << (RADIX_SHIFT * RADIX_MAX_HEIGHT + PAGE_SHIFT)));

/* Pages one slot of a level-@level table covers. */
static uint64_t slot_span(unsigned level)
{
	return 1ULL << (RADIX_SHIFT * (level - 1));
}

/* Pages a tree of @height reaches. */
static uint64_t reach(unsigned height)
{
	return height ? slot_span(height) * RADIX_SLOTS : 0;
}

static void *page_find(const struct ramfs_data *d, uint64_t idx)
{
	if (idx >= reach(d->height))
		return NULL;
	void **table = d->root;
	for (unsigned level = d->height; table; level--) {
		void *slot = table[(idx / slot_span(level)) % RADIX_SLOTS];
		if (level == 1)
			return slot;
		table = slot;
	}
	return NULL;
}

/* The page at @idx, allocated (zeroed) when absent; NULL without memory. */
static void *page_find_or_alloc(struct ramfs_data *d, uint64_t idx)
{
	while (idx >= reach(d->height)) {
		ASSERT(d->height < RADIX_MAX_HEIGHT);
		if (d->root) {
			void **top = kzalloc(PAGE_SIZE);
			if (!top)
				return NULL;
			top[0] = d->root;
			d->root = top;
		}
		d->height++;
	}
	if (!d->root) {
		d->root = kzalloc(PAGE_SIZE);
		if (!d->root)
			return NULL;
	}
	void **table = d->root;
	for (unsigned level = d->height;; level--) {
		void **slot = &table[(idx / slot_span(level)) % RADIX_SLOTS];
		if (!*slot) {
			*slot = kzalloc(PAGE_SIZE);
			if (!*slot)
				return NULL;
			if (level == 1)
				d->pages++;
		}
		if (level == 1)
			return *slot;
		table = *slot;
	}
}

/*
 * Frees the pages at or after page @first in the subtree @table of
 * @level covering pages from @base; returns true when the table itself
 * was freed (it covered nothing before @first).
 */
static bool free_from(struct ramfs_data *d, void **table, unsigned level,
		      uint64_t base, uint64_t first)
{
	uint64_t span = slot_span(level);
	for (unsigned i = 0; i < RADIX_SLOTS; i++) {
		uint64_t start = base + i * span;
		if (!table[i] || start + span <= first)
			continue;
		if (level == 1) {
			kfree(table[i]);
			d->pages--;
			table[i] = NULL;
		} else if (free_from(d, table[i], level - 1, start, first)) {
			table[i] = NULL;
		}
	}
	if (base < first)
		return false;
	kfree(table);
	return true;
}

void ramfs_data_free(struct ramfs_data *d)
{
	if (d->root)
		free_from(d, d->root, d->height, 0, 0);
	ASSERT(d->pages == 0);
	d->root = NULL;
	d->height = 0;
}

ssize_t ramfs_read(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct ramfs_data *d = &ramfs_node(vn)->data;
	size_t done = 0;

	ASSERT(mutex_held(&vn->lock));
	if (off >= vn->size)
		return 0;
	size_t want = (size_t)MIN((uint64_t)u->len, vn->size - off);
	while (done < want) {
		uint64_t pos = off + done;
		size_t in_page = pos % PAGE_SIZE;
		size_t n = MIN(want - done, PAGE_SIZE - in_page);
		const char *page = page_find(d, pos / PAGE_SIZE);
		int ret = page ? uio_copy_out(u, page + in_page, n) :
				 uio_zero_out(u, n);
		if (ret)
			return done ? (ssize_t)done : ret;
		done += n;
	}
	return (ssize_t)done;
}

ssize_t ramfs_write(struct vnode *vn, struct uio *u, uint64_t off)
{
	struct ramfs_data *d = &ramfs_node(vn)->data;
	size_t done = 0;
	int ret = 0;

	ASSERT(mutex_held(&vn->lock));
	if (off >= RAMFS_MAX_FILE_SIZE)
		return -EFBIG;
	size_t want = (size_t)MIN((uint64_t)u->len, RAMFS_MAX_FILE_SIZE - off);
	while (done < want) {
		uint64_t pos = off + done;
		size_t in_page = pos % PAGE_SIZE;
		size_t n = MIN(want - done, PAGE_SIZE - in_page);
		char *page = page_find_or_alloc(d, pos / PAGE_SIZE);
		if (!page) {
			ret = -ENOSPC;
			break;
		}
		ret = uio_copy_in(u, page + in_page, n);
		if (ret)
			break;
		done += n;
	}
	vn->blocks = d->pages * SECTORS_PER_PAGE;
	if (done && off + done > vn->size)
		vn->size = off + done;
	return done ? (ssize_t)done : ret;
}

int ramfs_truncate(struct vnode *vn, uint64_t size)
{
	struct ramfs_data *d = &ramfs_node(vn)->data;

	ASSERT(mutex_held(&vn->lock));
	if (size > RAMFS_MAX_FILE_SIZE)
		return -EFBIG;
	if (size < vn->size) {
		uint64_t keep = (size + PAGE_SIZE - 1) / PAGE_SIZE;
		if (d->root)
			free_from(d, d->root, d->height, 0, keep);
		if (keep == 0) {
			d->root = NULL; /* free_from freed it */
			d->height = 0;
		}
		char *last = size % PAGE_SIZE ? page_find(d, size / PAGE_SIZE) :
						NULL;
		if (last)
			memset(last + size % PAGE_SIZE, 0,
			       PAGE_SIZE - size % PAGE_SIZE);
	}
	vn->size = size;
	vn->blocks = d->pages * SECTORS_PER_PAGE;
	return 0;
}

/*
 * The first page at or after @from that is present (@want) or absent
 * (!@want) in the subtree @table of @level covering pages from @base.
 */
static bool search(void **table, unsigned level, uint64_t base, uint64_t from,
		   bool want, uint64_t *found)
{
	uint64_t span = slot_span(level);
	unsigned i = from > base ? (unsigned)((from - base) / span) : 0;

	for (; i < RADIX_SLOTS; i++) {
		uint64_t start = base + i * span;
		void *slot = table[i];
		if (slot && level > 1) {
			if (search(slot, level - 1, start, from, want, found))
				return true;
		} else if (!!slot == want) {
			*found = MAX(start, from);
			return true;
		}
	}
	return false;
}

int ramfs_seek_data(struct vnode *vn, uint64_t off, bool hole, uint64_t *out)
{
	struct ramfs_data *d = &ramfs_node(vn)->data;
	uint64_t idx = off / PAGE_SIZE, found;

	ASSERT(mutex_held(&vn->lock));
	bool hit = d->root && idx < reach(d->height) &&
		   search(d->root, d->height, 0, idx, !hole, &found);
	if (!hit) {
		/* Past the tree everything is a hole. */
		if (!hole)
			return -ENXIO;
		found = MAX(idx, reach(d->height));
	}
	uint64_t pos = MAX(found * PAGE_SIZE, off);
	if (pos >= vn->size) {
		if (!hole)
			return -ENXIO;
		pos = vn->size; /* the implicit hole at the end */
	}
	*out = pos;
	return 0;
}
