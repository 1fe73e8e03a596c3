/*
 * Physical page allocator: a buddy allocator over all RAM, one struct page
 * per frame. Pages are handed out by their direct-map address.
 */
#ifndef KERNEL_PAGE_H
#define KERNEL_PAGE_H

#include <kernel/list.h>
#include <kernel/mm.h>
#include <kernel/types.h>

#define PMM_MAX_ORDER 11 /* blocks up to 2^11 pages = 8 MiB */

enum page_state {
	PAGE_RESERVED = 0, /* not managed (holes, kernel, firmware) */
	PAGE_FREE,	   /* head of a free buddy block of @order */
	PAGE_FREE_TAIL,	   /* inside a free block */
	PAGE_ALLOCATED,	   /* handed out by page_alloc */
	PAGE_SLAB,	   /* heap slab; @slab_class valid */
	PAGE_LARGE,	   /* heap large allocation head; @npages valid */
};

struct page {
	struct list_node node; /* free list, or heap slab list */
	uint8_t state;
	uint8_t order;
	uint16_t slab_class;
	uint32_t npages;
	void *slab_free; /* heap: free objects of this slab */
	uint32_t slab_inuse;
};

/*
 * Manages the usable RAM @ranges (sorted by base); the struct page array
 * is carved from them and also covers @later (may be NULL), RAM released
 * after boot. At least @boot_bytes (or all) is ready at once; the rest
 * comes with pmm_init_chunk() or on demand.
 */
void pmm_init(const struct mem_range *ranges, size_t nr,
	      const struct mem_range *later, uint64_t boot_bytes);
/*
 * Hands RAM that was in use at boot (the initrd, given as @later to
 * pmm_init) to the allocator.
 */
void pmm_release_range(phys_addr_t base, uint64_t size);
/* Readies the next chunk of RAM; false when everything is ready. */
bool pmm_init_chunk(void);
/* @npages contiguous pages, aligned to the power of two >= npages; NULL if none. */
void *page_alloc(size_t npages);
void *page_alloc_zeroed(size_t npages);
/* Frees what page_alloc(@npages) returned. Bad frees panic. */
void page_free(void *addr, size_t npages);
/* The frame's direct-map address. */
void *page_to_virt(const struct page *p);
/* The frame's metadata, or NULL when @addr is not managed RAM. */
struct page *virt_to_page(const void *addr);
/* Free pages, counting RAM not yet readied (it is free too). */
size_t pmm_free_pages(void);
size_t pmm_total_pages(void);

#endif
