/*
 * Kernel heap. Small objects (up to 2 KiB) come from page-sized slabs of
 * fixed size classes whose metadata lives in struct page, so objects start
 * at offset 0 and power-of-two classes are naturally aligned. Larger
 * requests take whole pages. Safe from any thread; not from interrupt
 * handlers (they must not allocate).
 */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include <kernel/types.h>

void heap_init(void);
/* NULL on failure (logged once). kmalloc(0) returns a unique pointer. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *kcalloc(size_t n, size_t size);
/* krealloc(p, 0) frees p and returns NULL. */
void *krealloc(void *p, size_t size);
/* @align: power of two; freed with kfree. */
void *kmalloc_aligned(size_t size, size_t align);
void kfree(void *p);
size_t kmalloc_usable_size(const void *p);
/* For allocations the kernel cannot do without: panics when out of memory. */
void *kmalloc_nofail(size_t size);

#endif
