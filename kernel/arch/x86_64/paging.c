/*
 * Kernel page tables: four levels, built once at boot. Leaves use the
 * largest page size that the alignment of a range allows (1 GiB when the
 * CPU has it, 2 MiB, then 4 KiB), so the direct map costs a few pages.
 */
#include <arch/x86_64/io.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/paging.h>
#include <kernel/errno.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

extern const char _text[], _etext[], _rodata[], _erodata[], _data[],
	_kernel_end[];

static uint64_t *kernel_pml4;
static phys_addr_t pool_next, pool_limit;
static bool use_pmm;
static spinlock_t map_lock =
	SPINLOCK_INIT; /* protects the tables, ioremap_next */
static uintptr_t ioremap_next = IOREMAP_BASE;

static uint64_t *table_alloc(void)
{
	if (use_pmm) {
		void *p = page_alloc_zeroed(1);
		if (!p)
			panic("paging: out of memory for page tables");
		return p;
	}
	if (pool_next + PAGE_SIZE > pool_limit)
		panic("paging: boot page-table pool exhausted");
	uint64_t *t = phys_to_virt(pool_next);
	pool_next += PAGE_SIZE;
	memset(t, 0, PAGE_SIZE);
	return t;
}

/* The table that entry @e points to, created when missing. */
static uint64_t *next_table(uint64_t *e)
{
	if (!(*e & PTE_P)) {
		uint64_t *t = table_alloc();
		/* Permissions live in the leaves; inner levels allow all. */
		*e = virt_to_phys(t) | PTE_P | PTE_W;
	}
	ASSERT(!(*e & PTE_PS));
	return phys_to_virt(*e & PTE_ADDR_MASK);
}

static void map_range_locked(uintptr_t va, phys_addr_t pa, uint64_t size,
			     uint64_t flags)
{
	ASSERT(spin_is_locked(&map_lock) || !use_pmm);
	ASSERT(IS_ALIGNED(va | pa | size, PAGE_SIZE));
	while (size) {
		uint64_t *pdpt = next_table(&kernel_pml4[(va >> 39) & 511]);
		uint64_t *pdpte = &pdpt[(va >> 30) & 511];
		if (cpu_features.pdpe1gb && IS_ALIGNED(va | pa, GiB) &&
		    size >= GiB) {
			*pdpte = pa | flags | PTE_P | PTE_PS;
			va += GiB, pa += GiB, size -= GiB;
			continue;
		}
		uint64_t *pd = next_table(pdpte);
		uint64_t *pde = &pd[(va >> 21) & 511];
		if (IS_ALIGNED(va | pa, 2 * MiB) && size >= 2 * MiB) {
			*pde = pa | flags | PTE_P | PTE_PS;
			va += 2 * MiB, pa += 2 * MiB, size -= 2 * MiB;
			continue;
		}
		uint64_t *pt = next_table(pde);
		pt[(va >> 12) & 511] = pa | flags | PTE_P;
		invlpg(va);
		va += PAGE_SIZE, pa += PAGE_SIZE, size -= PAGE_SIZE;
	}
}

static void map_kernel_section(const char *start, const char *end,
			       uint64_t flags)
{
	uintptr_t va = (uintptr_t)start;
	map_range_locked(va, va - KERNEL_VMA,
			 ALIGN_UP((uintptr_t)end, PAGE_SIZE) - va,
			 flags | PTE_G);
}

phys_addr_t paging_init(const struct mem_range *ram, size_t nr,
			phys_addr_t pool, phys_addr_t pool_end)
{
	pool_next = pool;
	pool_limit = pool_end;
	kernel_pml4 = table_alloc();

	/* The first MiB holds firmware tables (ACPI); map it like RAM. */
	map_range_locked(PHYS_OFFSET, 0, MiB, PTE_W | PTE_NX | PTE_G);
	for (size_t i = 0; i < nr; i++) {
		phys_addr_t lo = ALIGN_UP(ram[i].base, PAGE_SIZE);
		phys_addr_t hi =
			ALIGN_DOWN(ram[i].base + ram[i].size, PAGE_SIZE);
		if (lo < MiB)
			lo = MiB;
		if (hi > lo)
			map_range_locked(PHYS_OFFSET + lo, lo, hi - lo,
					 PTE_W | PTE_NX | PTE_G);
	}
	map_kernel_section(_text, _etext, 0);
	map_kernel_section(_rodata, _erodata, PTE_NX);
	map_kernel_section(_data, _kernel_end, PTE_W | PTE_NX);

	write_cr3(virt_to_phys(kernel_pml4));
	return pool_next;
}

phys_addr_t paging_boot_tables(void)
{
	extern char boot_pml4[]; /* boot.S, linked at its physical address */
	return (phys_addr_t)(uintptr_t)boot_pml4;
}

void paging_use_page_allocator(void)
{
	use_pmm = true;
}

void *paging_map_module(phys_addr_t pa, size_t size)
{
	static uintptr_t module_next = MODULE_BASE;
	size = ALIGN_UP(size, PAGE_SIZE);
	unsigned long flags = spin_lock_irqsave(&map_lock);
	uintptr_t va = module_next;
	module_next += size + PAGE_SIZE; /* unmapped guard page between */
	/*
	 * Read-only and not executable until the loader says otherwise; page
	 * by page, so that each page can get its own permission later.
	 */
	for (size_t off = 0; off < size; off += PAGE_SIZE)
		map_range_locked(va + off, pa + off, PAGE_SIZE, PTE_NX | PTE_G);
	spin_unlock_irqrestore(&map_lock, flags);
	return (void *)va;
}

void paging_protect_module(void *addr, size_t size, bool write, bool exec)
{
	uintptr_t va = (uintptr_t)addr;
	unsigned long flags = spin_lock_irqsave(&map_lock);
	for (uintptr_t a = va; a < va + size; a += PAGE_SIZE) {
		uint64_t *t = kernel_pml4;
		uint64_t *e = NULL;
		for (int shift = 39; shift >= 12; shift -= 9) {
			e = &t[(a >> shift) & 511];
			ASSERT(*e & PTE_P);
			if (shift > 12)
				t = phys_to_virt(*e & PTE_ADDR_MASK);
		}
		*e = (*e & ~(PTE_W | PTE_NX)) | (write ? PTE_W : 0) |
		     (exec ? 0 : PTE_NX);
		invlpg(a);
	}
	spin_unlock_irqrestore(&map_lock, flags);
}

void *ioremap(phys_addr_t pa, size_t size)
{
	phys_addr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t len = ALIGN_UP(pa + size, PAGE_SIZE) - base;
	unsigned long flags = spin_lock_irqsave(&map_lock);
	uintptr_t va = ioremap_next;
	ioremap_next += len + PAGE_SIZE; /* unmapped guard page between */
	map_range_locked(va, base, len, PTE_W | PTE_NX | PTE_PCD | PTE_PWT);
	spin_unlock_irqrestore(&map_lock, flags);
	return (void *)(va + (pa - base));
}

uint64_t paging_lookup(uintptr_t va)
{
	uint64_t e = kernel_pml4[(va >> 39) & 511];
	for (int shift = 30; shift >= 12; shift -= 9) {
		if (!(e & PTE_P))
			return 0;
		uint64_t *t = phys_to_virt(e & PTE_ADDR_MASK);
		e = t[(va >> shift) & 511];
		if (shift > 12 && (e & PTE_PS))
			return e;
	}
	return (e & PTE_P) ? e : 0;
}

/*
 * Program (user) mappings: the lower half of the same tables, 4 KiB pages
 * only. Inner entries carry PTE_U so that the leaf decides; a missing
 * table is allocated, and running out of memory is the caller's -ENOMEM.
 */
static uint64_t *user_pte_locked(uintptr_t va, bool create)
{
	uint64_t *t = kernel_pml4;
	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			uint64_t *n = page_alloc_zeroed(1);
			if (!n)
				return NULL;
			*e = virt_to_phys(n) | PTE_P | PTE_W | PTE_U;
		}
		ASSERT(!(*e & PTE_PS));
		t = phys_to_virt(*e & PTE_ADDR_MASK);
	}
	return &t[(va >> 12) & 511];
}

int paging_user_map(uintptr_t va, phys_addr_t pa, uint64_t flags)
{
	ASSERT(va < USER_SPACE_END && IS_ALIGNED(va | pa, PAGE_SIZE));
	unsigned long irq = spin_lock_irqsave(&map_lock);
	uint64_t *pte = user_pte_locked(va, true);
	int ret = -ENOMEM;
	if (pte) {
		ASSERT(!(*pte & PTE_P));
		*pte = pa | (flags & (PTE_W | PTE_NX)) | PTE_P | PTE_U;
		ret = 0;
	}
	spin_unlock_irqrestore(&map_lock, irq);
	return ret;
}

phys_addr_t paging_user_unmap(uintptr_t va)
{
	unsigned long irq = spin_lock_irqsave(&map_lock);
	uint64_t *pte = user_pte_locked(va, false);
	phys_addr_t pa = 0;
	if (pte && (*pte & PTE_P)) {
		pa = *pte & PTE_ADDR_MASK;
		*pte = 0;
		invlpg(va);
	}
	spin_unlock_irqrestore(&map_lock, irq);
	return pa;
}

bool paging_user_protect(uintptr_t va, uint64_t flags)
{
	unsigned long irq = spin_lock_irqsave(&map_lock);
	uint64_t *pte = user_pte_locked(va, false);
	bool mapped = pte && (*pte & PTE_P);
	if (mapped) {
		uint64_t old = __atomic_load_n(pte, __ATOMIC_RELAXED), new;
		do {
			new = (old & ~(PTE_W | PTE_NX)) |
			      (flags & (PTE_W | PTE_NX));
		} while (!__atomic_compare_exchange_n(pte, &old, new, false,
						      __ATOMIC_SEQ_CST,
						      __ATOMIC_RELAXED));
		invlpg(va);
	}
	spin_unlock_irqrestore(&map_lock, irq);
	return mapped;
}

bool paging_user_clear_dirty(uintptr_t va)
{
	unsigned long irq = spin_lock_irqsave(&map_lock);
	uint64_t *pte = user_pte_locked(va, false);
	bool dirty =
		pte && (*pte & PTE_P) &&
		(__atomic_fetch_and(pte, ~PTE_D, __ATOMIC_SEQ_CST) & PTE_D);
	spin_unlock_irqrestore(&map_lock, irq);
	return dirty;
}

uint64_t paging_user_lookup(uintptr_t va)
{
	unsigned long irq = spin_lock_irqsave(&map_lock);
	uint64_t *pte = user_pte_locked(va, false);
	uint64_t e = pte && (*pte & PTE_P) ? *pte : 0;
	spin_unlock_irqrestore(&map_lock, irq);
	return e;
}
