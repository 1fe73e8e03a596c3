/*
 * Heap: size classes over page-sized slabs, large allocations straight
 * from the page allocator. Each class has its own lock and list of slabs
 * with free objects; a slab's free objects form a list threaded through
 * the objects themselves, and a slab that becomes empty goes back to the
 * page allocator.
 */
#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

static const uint16_t class_size[] = { 16,  32,	 48,  64,  96,	 128,  192,
				       256, 384, 512, 768, 1024, 1536, 2048 };
#define NR_CLASSES ARRAY_SIZE(class_size)
#define SMALL_MAX 2048

struct size_class {
	spinlock_t lock;	  /* protects partial and the slabs on it */
	struct list_node partial; /* slabs (struct page) with free objects */
};

static struct size_class classes[NR_CLASSES];

#ifdef KERNEL_DEBUG
/* Debug builds fill freed memory, so a use after free reads garbage. */
#define HEAP_POISON_BYTE 0x6b
static void poison(void *p, size_t n)
{
	memset(p, HEAP_POISON_BYTE, n);
}
#else
static void poison(void *p, size_t n)
{
	(void)p;
	(void)n;
}
#endif
static bool oom_warned;

void heap_init(void)
{
	for (size_t i = 0; i < NR_CLASSES; i++) {
		spin_lock_init(&classes[i].lock);
		list_init(&classes[i].partial);
	}
}

static unsigned class_for(size_t size)
{
	for (unsigned i = 0; i < NR_CLASSES; i++)
		if (size <= class_size[i])
			return i;
	return NR_CLASSES;
}

static void oom(size_t size)
{
	if (!oom_warned) {
		oom_warned = true;
		pr_warn("heap: out of memory allocating %zu bytes (%zu KiB free)",
			size, pmm_free_pages() * PAGE_SIZE / 1024);
	}
}

static struct page *slab_new(unsigned cls)
{
	char *mem = page_alloc(1);
	if (!mem)
		return NULL;
	struct page *pg = virt_to_page(mem);
	size_t sz = class_size[cls];
	pg->state = PAGE_SLAB;
	pg->slab_class = (uint16_t)cls;
	pg->slab_inuse = 0;
	pg->slab_free = NULL;
	for (size_t off = (PAGE_SIZE / sz - 1) * sz;; off -= sz) {
		*(void **)(mem + off) = pg->slab_free;
		pg->slab_free = mem + off;
		if (off == 0)
			break;
	}
	return pg;
}

static void *small_alloc(unsigned cls)
{
	struct size_class *c = &classes[cls];
	unsigned long flags = spin_lock_irqsave(&c->lock);
	struct page *pg;
	if (list_empty(&c->partial)) {
		spin_unlock_irqrestore(&c->lock, flags);
		pg = slab_new(cls);
		if (!pg)
			return NULL;
		flags = spin_lock_irqsave(&c->lock);
		list_add_head(&c->partial, &pg->node);
	}
	pg = list_entry(c->partial.next, struct page, node);
	void *obj = pg->slab_free;
	ASSERT(obj);
	pg->slab_free = *(void **)obj;
	pg->slab_inuse++;
	if (!pg->slab_free)
		list_remove(&pg->node);
	spin_unlock_irqrestore(&c->lock, flags);
	return obj;
}

static void small_free(struct page *pg, void *obj)
{
	unsigned cls = pg->slab_class;
	struct size_class *c = &classes[cls];
	size_t offset = (uintptr_t)obj & (PAGE_SIZE - 1);
	if (offset % class_size[cls])
		panic("kfree: %p is not an object start", obj);
	poison(obj, class_size[cls]);
	unsigned long flags = spin_lock_irqsave(&c->lock);
	ASSERT(pg->slab_inuse > 0);
	bool was_full = !pg->slab_free;
	*(void **)obj = pg->slab_free;
	pg->slab_free = obj;
	pg->slab_inuse--;
	if (was_full)
		list_add_head(&c->partial, &pg->node);
	bool empty = pg->slab_inuse == 0;
	if (empty)
		list_remove(&pg->node);
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty) {
		pg->state = PAGE_ALLOCATED;
		page_free((void *)ALIGN_DOWN((uintptr_t)obj, PAGE_SIZE), 1);
	}
}

static void *large_alloc(size_t size)
{
	size_t n = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
	void *p = page_alloc(n);
	if (!p)
		return NULL;
	struct page *pg = virt_to_page(p);
	pg->state = PAGE_LARGE;
	pg->npages = (uint32_t)n;
	return p;
}

void *kmalloc(size_t size)
{
	if (size > (1UL << PMM_MAX_ORDER) * PAGE_SIZE) {
		/* Larger than any block: the caller's size is wrong, not RAM short. */
		pr_debug("heap: refusing a %zu-byte allocation", size);
		return NULL;
	}
	unsigned cls = class_for(size ? size : 1);
	void *p = cls < NR_CLASSES ? small_alloc(cls) : large_alloc(size);
	if (!p)
		oom(size);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kzalloc(n * size);
}

void *kmalloc_aligned(size_t size, size_t align)
{
	ASSERT(align && !(align & (align - 1)));
	if (align <= 16)
		return kmalloc(size);
	/* Power-of-two classes are naturally aligned within their slab. */
	size_t need = MAX(size, align);
	if (need <= SMALL_MAX) {
		size_t pow = 16;
		while (pow < need)
			pow <<= 1;
		return kmalloc(pow);
	}
	if (align <= PAGE_SIZE)
		return large_alloc(size);
	/* Buddy blocks are aligned to their size. */
	size_t n = ALIGN_UP(MAX(size, align), PAGE_SIZE) / PAGE_SIZE;
	return large_alloc(n * PAGE_SIZE);
}

void kfree(void *p)
{
	if (!p)
		return;
	struct page *pg = virt_to_page(p);
	if (!pg)
		panic("kfree: %p is not heap memory", p);
	if (pg->state == PAGE_SLAB) {
		small_free(pg, p);
	} else if (pg->state == PAGE_LARGE &&
		   IS_ALIGNED((uintptr_t)p, PAGE_SIZE)) {
		size_t n = pg->npages;
		poison(p, n * PAGE_SIZE);
		pg->state = PAGE_ALLOCATED;
		page_free(p, n);
	} else {
		panic("kfree: %p was not allocated by kmalloc (double free?)",
		      p);
	}
}

size_t kmalloc_usable_size(const void *p)
{
	if (!p)
		return 0;
	struct page *pg = virt_to_page(p);
	ASSERT(pg && (pg->state == PAGE_SLAB || pg->state == PAGE_LARGE));
	if (pg->state == PAGE_SLAB)
		return class_size[pg->slab_class];
	return (size_t)pg->npages * PAGE_SIZE;
}

void *krealloc(void *p, size_t size)
{
	if (!p)
		return kmalloc(size);
	if (!size) {
		kfree(p);
		return NULL;
	}
	size_t old = kmalloc_usable_size(p);
	if (size <= old && (old <= SMALL_MAX || size > SMALL_MAX))
		return p;
	void *q = kmalloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, MIN(old, size));
	kfree(p);
	return q;
}

void *kmalloc_nofail(size_t size)
{
	void *p = kmalloc(size);
	if (!p)
		panic("out of memory: cannot allocate %zu bytes (%zu KiB free)",
		      size, pmm_free_pages() * PAGE_SIZE / 1024);
	return p;
}
