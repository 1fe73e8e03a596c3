/*
 * Host heap for unit tests of subsystems above the kernel's allocator
 * (vfs, ramfs): kmalloc and friends on the C library's malloc, so ASan
 * sees every overflow, use after free and leak. Tests that link
 * kernel/mm/heap.c (test_mm) do not link this file.
 *
 * Fault injection: when shim_alloc_fail_after is N >= 0, N more
 * allocations succeed and every one after fails, until a test sets it
 * back to -1.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/panic.h>

long shim_alloc_fail_after = -1;

static bool shim_alloc_fails(void)
{
	if (shim_alloc_fail_after < 0)
		return false;
	if (shim_alloc_fail_after == 0)
		return true;
	shim_alloc_fail_after--;
	return false;
}

void *kmalloc(size_t size)
{
	return shim_alloc_fails() ? NULL : malloc(size ? size : 1);
}

void *kzalloc(size_t size)
{
	return shim_alloc_fails() ? NULL : calloc(1, size ? size : 1);
}

void *kcalloc(size_t n, size_t size)
{
	return shim_alloc_fails() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *krealloc(void *p, size_t size)
{
	if (!size) {
		free(p);
		return NULL;
	}
	return shim_alloc_fails() ? NULL : realloc(p, size);
}

void *kmalloc_aligned(size_t size, size_t align)
{
	if (shim_alloc_fails())
		return NULL;
	return aligned_alloc(align, (size + align - 1) / align * align);
}

void kfree(void *p)
{
	free(p);
}

size_t kmalloc_usable_size(const void *p)
{
	return malloc_usable_size((void *)p);
}

void *kmalloc_nofail(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		panic("shim: out of memory for %zu bytes", size);
	return p;
}

/* ramfs's statfs asks the page allocator; here the host's RAM stands in. */
size_t pmm_total_pages(void)
{
	return (size_t)sysconf(_SC_PHYS_PAGES);
}

size_t pmm_free_pages(void)
{
	return (size_t)sysconf(_SC_AVPHYS_PAGES);
}
