/*
 * Kernel page tables. paging_init() replaces the boot tables with:
 * a direct map of RAM (read-write, no-execute), the kernel image mapped per
 * section (text read-only + executable, rodata read-only, data no-execute:
 * W^X), and an empty lower half for the program. Device memory is mapped
 * uncached by ioremap().
 */
#ifndef ARCH_X86_64_PAGING_H
#define ARCH_X86_64_PAGING_H

#include <kernel/mm.h>
#include <kernel/types.h>

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_U (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_D (1ULL << 6)
#define PTE_PS (1ULL << 7)
#define PTE_G (1ULL << 8)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/*
 * Builds and loads the kernel page tables. Page-table pages come from
 * [pool, pool_end) until the page allocator is up; returns the first
 * unused address of that pool.
 */
phys_addr_t paging_init(const struct mem_range *ram, size_t nr,
			phys_addr_t pool, phys_addr_t pool_end);
/*
 * The boot page tables (boot.S), still intact: they map low memory 1:1 and
 * the kernel image, which is what a starting CPU needs.
 */
phys_addr_t paging_boot_tables(void);
/* From now on page tables come from the page allocator. */
void paging_use_page_allocator(void);
/*
 * Maps @size bytes of RAM at @pa (page-aligned) in the module area, for
 * code loaded at run time (kernel/elf/so_load.c): read-only until
 * paging_protect_module() gives each part its permission. 4 KiB pages.
 */
void *paging_map_module(phys_addr_t pa, size_t size);
void paging_protect_module(void *addr, size_t size, bool write, bool exec);
/* Maps device memory uncached; returns its virtual address. */
void *ioremap(phys_addr_t pa, size_t size);
/* Page-table entry for @va (the leaf), or 0 when unmapped. For tests. */
uint64_t paging_lookup(uintptr_t va);

/*
 * Program pages (va < USER_SPACE_END), 4 KiB each; @flags: PTE_W, PTE_NX.
 * paging_user_map: @va must be unmapped; 0 or -ENOMEM (page tables).
 * paging_user_unmap: returns the frame that was mapped, or 0.
 * paging_user_protect: false when @va is not mapped.
 * paging_user_clear_dirty: clears the dirty bit the CPU sets on a write;
 * whether it was set. The caller flushes the TLBs before relying on the
 * CPU to set it again.
 * The caller (kernel/mm/vm.c) serialises changes to one address range.
 * Entries are updated atomically: the CPU may set dirty bits meanwhile.
 */
int paging_user_map(uintptr_t va, phys_addr_t pa, uint64_t flags);
phys_addr_t paging_user_unmap(uintptr_t va);
bool paging_user_protect(uintptr_t va, uint64_t flags);
bool paging_user_clear_dirty(uintptr_t va);
uint64_t paging_user_lookup(uintptr_t va);

/* Installs the TLB shootdown IPI handler (tlb.c). */
void tlb_init(void);
/*
 * Drops [start, end) of the program's pages from every CPU's TLB, this one
 * included; returns when all have. Interrupts must be on.
 */
void tlb_shootdown(uintptr_t start, uintptr_t end);

#endif
