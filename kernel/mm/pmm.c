/*
 * Buddy allocator. Free blocks of 2^order pages sit on per-order lists;
 * allocation splits the smallest fitting block, freeing merges a block
 * with its buddy while the buddy is free and of the same order. Requests
 * that are not a power of two give the unused tail back right away.
 *
 * Initialisation is deferred, because writing one struct page per frame
 * costs time in proportion to RAM: pmm_init() sets up the metadata of the
 * first few chunks only (PMM_CHUNK_PAGES frames each, in address order);
 * pmm_init_chunk() adds the next chunk, called by a background thread
 * after boot and by page_alloc() itself when the free lists run dry. Frames
 * at or above init_pfn have no valid metadata yet: nothing looks at them.
 */
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

/* Frames per initialisation chunk: the largest buddy block, 8 MiB. */
#define PMM_CHUNK_PAGES (1ULL << PMM_MAX_ORDER)
#define PMM_MAX_RANGES 128

struct pfn_range {
	uint64_t start, end;
};

static struct {
	spinlock_t lock;    /* protects everything below and page states */
	struct page *pages; /* one per frame from base_pfn */
	uint64_t base_pfn, nr_frames;
	struct list_node free[PMM_MAX_ORDER + 1];
	size_t nr_free;	   /* pages on the free lists */
	size_t nr_total;   /* usable pages, initialised or not */
	size_t nr_uninit;  /* usable pages at or above init_pfn */
	uint64_t init_pfn; /* frames below have metadata */
	struct pfn_range usable[PMM_MAX_RANGES]; /* sorted, disjoint */
	size_t nr_usable;
} pmm = { .lock = SPINLOCK_INIT };

static uint64_t page_pfn(const struct page *p)
{
	return pmm.base_pfn + (uint64_t)(p - pmm.pages);
}

static void *pfn_to_virt(uint64_t pfn)
{
	return phys_to_virt(pfn << PAGE_SHIFT);
}

void *page_to_virt(const struct page *p)
{
	return pfn_to_virt(page_pfn(p));
}

struct page *virt_to_page(const void *addr)
{
	uint64_t pfn = virt_to_phys(addr) >> PAGE_SHIFT;
	if (pfn < pmm.base_pfn ||
	    pfn >= __atomic_load_n(&pmm.init_pfn, __ATOMIC_ACQUIRE))
		return NULL;
	struct page *p = &pmm.pages[pfn - pmm.base_pfn];
	return p->state == PAGE_RESERVED ? NULL : p;
}

static void free_block_locked(uint64_t pfn, unsigned order)
{
	/* Merge with the buddy while it is a free block of the same order. */
	while (order < PMM_MAX_ORDER) {
		uint64_t buddy = pfn ^ (1ULL << order);
		if (buddy < pmm.base_pfn || buddy >= pmm.init_pfn)
			break;
		struct page *b = &pmm.pages[buddy - pmm.base_pfn];
		if (b->state != PAGE_FREE || b->order != order)
			break;
		list_remove(&b->node);
		b->state = PAGE_FREE_TAIL;
		pfn &= ~(1ULL << order);
		order++;
	}
	struct page *p = &pmm.pages[pfn - pmm.base_pfn];
	p->state = PAGE_FREE;
	p->order = (uint8_t)order;
	list_add_head(&pmm.free[order], &p->node);
}

/* Free single pages [pfn, pfn + n) in the largest aligned blocks. */
static void free_range_locked(uint64_t pfn, uint64_t n)
{
	while (n) {
		unsigned order = 0;
		while (order < PMM_MAX_ORDER &&
		       !(pfn & ((2ULL << order) - 1)) && (2ULL << order) <= n)
			order++;
		for (uint64_t i = 0; i < (1ULL << order); i++)
			pmm.pages[pfn + i - pmm.base_pfn].state =
				PAGE_FREE_TAIL;
		free_block_locked(pfn, order);
		pmm.nr_free += 1ULL << order;
		pfn += 1ULL << order;
		n -= 1ULL << order;
	}
}

/* Metadata for the next chunk, and its usable frames on the free lists. */
static bool init_chunk_locked(void)
{
	uint64_t end_pfn = pmm.base_pfn + pmm.nr_frames;
	uint64_t lo = pmm.init_pfn;
	if (lo >= end_pfn)
		return false;
	uint64_t hi =
		MIN(ALIGN_DOWN(lo, PMM_CHUNK_PAGES) + PMM_CHUNK_PAGES, end_pfn);
	memset(&pmm.pages[lo - pmm.base_pfn], 0,
	       (hi - lo) * sizeof(struct page));
	/* Publish first: merging looks at frames below init_pfn only. */
	__atomic_store_n(&pmm.init_pfn, hi, __ATOMIC_RELEASE);
	for (size_t i = 0; i < pmm.nr_usable; i++) {
		uint64_t s = MAX(pmm.usable[i].start, lo);
		uint64_t e = MIN(pmm.usable[i].end, hi);
		if (e > s) {
			free_range_locked(s, e - s);
			pmm.nr_uninit -= e - s;
		}
	}
	return true;
}

void pmm_release_range(phys_addr_t base, uint64_t size)
{
	uint64_t s = ALIGN_DOWN(base, PAGE_SIZE) >> PAGE_SHIFT;
	uint64_t e = ALIGN_UP(base + size, PAGE_SIZE) >> PAGE_SHIFT;
	unsigned long flags = spin_lock_irqsave(&pmm.lock);
	if (s < pmm.base_pfn || e > pmm.base_pfn + pmm.nr_frames || e <= s) {
		spin_unlock_irqrestore(&pmm.lock, flags);
		panic("pmm: released range 0x%lx+0x%lx is outside managed RAM",
		      base, size);
	}
	/* Insert in order; the range must not overlap a usable one. */
	size_t i = 0;
	while (i < pmm.nr_usable && pmm.usable[i].start < s)
		i++;
	if ((i > 0 && pmm.usable[i - 1].end > s) ||
	    (i < pmm.nr_usable && pmm.usable[i].start < e) ||
	    pmm.nr_usable == PMM_MAX_RANGES) {
		spin_unlock_irqrestore(&pmm.lock, flags);
		panic("pmm: released range 0x%lx+0x%lx overlaps free RAM", base,
		      size);
	}
	memmove(&pmm.usable[i + 1], &pmm.usable[i],
		(pmm.nr_usable - i) * sizeof(pmm.usable[0]));
	pmm.usable[i] = (struct pfn_range){ s, e };
	pmm.nr_usable++;
	pmm.nr_total += e - s;
	/* Frames with metadata already go free now; the rest with their chunk. */
	uint64_t ready_end = MIN(e, pmm.init_pfn);
	if (ready_end > s)
		free_range_locked(s, ready_end - s);
	if (e > MAX(s, pmm.init_pfn))
		pmm.nr_uninit += e - MAX(s, pmm.init_pfn);
	spin_unlock_irqrestore(&pmm.lock, flags);
}

bool pmm_init_chunk(void)
{
	unsigned long flags = spin_lock_irqsave(&pmm.lock);
	bool more = init_chunk_locked() &&
		    pmm.init_pfn < pmm.base_pfn + pmm.nr_frames;
	spin_unlock_irqrestore(&pmm.lock, flags);
	return more;
}

static void add_usable(uint64_t s, uint64_t e)
{
	if (e <= s)
		return;
	if (pmm.nr_usable == PMM_MAX_RANGES)
		panic("pmm: more than %d RAM ranges", PMM_MAX_RANGES);
	pmm.usable[pmm.nr_usable++] = (struct pfn_range){ s, e };
	pmm.nr_total += e - s;
}

void pmm_init(const struct mem_range *ranges, size_t nr,
	      const struct mem_range *later, uint64_t boot_bytes)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	/* RAM handed over later (pmm_release_range) needs metadata too. */
	if (later && later->size) {
		lo = ALIGN_DOWN(later->base, PAGE_SIZE) >> PAGE_SHIFT;
		hi = ALIGN_UP(later->base + later->size, PAGE_SIZE) >>
		     PAGE_SHIFT;
	}
	for (size_t i = 0; i < nr; i++) {
		uint64_t s = ALIGN_UP(ranges[i].base, PAGE_SIZE) >> PAGE_SHIFT;
		uint64_t e = ALIGN_DOWN(ranges[i].base + ranges[i].size,
					PAGE_SIZE) >>
			     PAGE_SHIFT;
		if (e > s) {
			lo = MIN(lo, s);
			hi = MAX(hi, e);
		}
		if (i > 0 && ranges[i].base < ranges[i - 1].base)
			panic("pmm: RAM ranges are not sorted");
	}
	if (hi == 0)
		panic("pmm: no usable RAM");
	size_t array_bytes =
		ALIGN_UP((hi - lo) * sizeof(struct page), PAGE_SIZE);
	/* Carve the array from the first range that holds it. */
	size_t carve = SIZE_MAX;
	for (size_t i = 0; i < nr; i++) {
		uint64_t s = ALIGN_UP(ranges[i].base, PAGE_SIZE);
		uint64_t e =
			ALIGN_DOWN(ranges[i].base + ranges[i].size, PAGE_SIZE);
		if (e > s && e - s >= array_bytes) {
			carve = i;
			pmm.pages = phys_to_virt(s);
			break;
		}
	}
	if (carve == SIZE_MAX)
		panic("pmm: no room for %zu KiB of page metadata",
		      array_bytes / 1024);
	pmm.base_pfn = lo;
	pmm.nr_frames = hi - lo;
	pmm.init_pfn = lo;
	for (int o = 0; o <= PMM_MAX_ORDER; o++)
		list_init(&pmm.free[o]);
	for (size_t i = 0; i < nr; i++) {
		uint64_t s = ALIGN_UP(ranges[i].base, PAGE_SIZE) >> PAGE_SHIFT;
		uint64_t e = ALIGN_DOWN(ranges[i].base + ranges[i].size,
					PAGE_SIZE) >>
			     PAGE_SHIFT;
		if (i == carve)
			s += array_bytes >> PAGE_SHIFT;
		add_usable(s, e);
	}
	pmm.nr_uninit = pmm.nr_total;

	unsigned long flags = spin_lock_irqsave(&pmm.lock);
	while (pmm.nr_free * PAGE_SIZE < boot_bytes && init_chunk_locked())
		;
	spin_unlock_irqrestore(&pmm.lock, flags);
}

static unsigned order_for(size_t npages)
{
	unsigned order = 0;
	while ((1ULL << order) < npages)
		order++;
	return order;
}

void *page_alloc(size_t npages)
{
	if (npages == 0 || npages > (1ULL << PMM_MAX_ORDER))
		return NULL;
	unsigned want = order_for(npages);
	unsigned long flags = spin_lock_irqsave(&pmm.lock);
	unsigned o;
	for (;;) {
		o = want;
		while (o <= PMM_MAX_ORDER && list_empty(&pmm.free[o]))
			o++;
		if (o <= PMM_MAX_ORDER)
			break;
		/* Nothing fits yet: initialise more RAM, or fail. */
		if (!init_chunk_locked()) {
			spin_unlock_irqrestore(&pmm.lock, flags);
			return NULL;
		}
	}
	struct page *p =
		list_entry(list_pop_head(&pmm.free[o]), struct page, node);
	uint64_t pfn = page_pfn(p);
	/* Split: the upper halves go back to the free lists. */
	while (o > want) {
		o--;
		uint64_t upper = pfn + (1ULL << o);
		struct page *u = &pmm.pages[upper - pmm.base_pfn];
		u->state = PAGE_FREE;
		u->order = (uint8_t)o;
		list_add_head(&pmm.free[o], &u->node);
	}
	for (size_t i = 0; i < (1ULL << want); i++) {
		struct page *q = &pmm.pages[pfn + i - pmm.base_pfn];
		q->state = PAGE_ALLOCATED;
		q->order = 0;
	}
	pmm.nr_free -= 1ULL << want;
	/* Give back the tail beyond npages. */
	if ((1ULL << want) > npages) {
		uint64_t extra = (1ULL << want) - npages;
		free_range_locked(pfn + npages, extra);
	}
	spin_unlock_irqrestore(&pmm.lock, flags);
	return pfn_to_virt(pfn);
}

void *page_alloc_zeroed(size_t npages)
{
	void *p = page_alloc(npages);
	if (p)
		memset(p, 0, npages * PAGE_SIZE);
	return p;
}

void page_free(void *addr, size_t npages)
{
	if (!IS_ALIGNED((uintptr_t)addr, PAGE_SIZE))
		panic("page_free: %p is not page aligned", addr);
	unsigned long flags = spin_lock_irqsave(&pmm.lock);
	for (size_t i = 0; i < npages; i++) {
		struct page *p = virt_to_page((char *)addr + i * PAGE_SIZE);
		if (!p || p->state == PAGE_FREE || p->state == PAGE_FREE_TAIL)
			panic("page_free: %p (+%zu pages) was not allocated",
			      addr, i);
		p->state = PAGE_FREE_TAIL;
	}
	free_range_locked(virt_to_phys(addr) >> PAGE_SHIFT, npages);
	spin_unlock_irqrestore(&pmm.lock, flags);
}

size_t pmm_free_pages(void)
{
	unsigned long flags = spin_lock_irqsave(&pmm.lock);
	size_t n = pmm.nr_free + pmm.nr_uninit;
	spin_unlock_irqrestore(&pmm.lock, flags);
	return n;
}

size_t pmm_total_pages(void)
{
	return pmm.nr_total;
}
