/*
 * PVH start_info parsing. The structure, the memory map, the command line
 * and the module list are all read through the boot-time direct map (the
 * first GiB), so every pointer from the loader is range-checked first.
 */
#include <arch/x86_64/pvh.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>

#define HVM_START_MAGIC 0x336ec578
#define E820_RAM 1
#define BOOT_MAP_LIMIT GiB /* what boot.S maps */

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
} __packed;

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
} __packed;

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
} __packed;

struct boot_info boot_info;

static const void *boot_ptr(uint64_t pa, uint64_t len, const char *what)
{
	if (pa == 0 || pa >= BOOT_MAP_LIMIT || len > BOOT_MAP_LIMIT - pa)
		panic("pvh: %s at 0x%lx (+%lu bytes) is outside low memory",
		      what, pa, len);
	return phys_to_virt(pa);
}

static void add_ram(uint64_t base, uint64_t size)
{
	struct boot_info *b = &boot_info;
	if (!size || base + size < base)
		return;
	if (b->nr_ram == BOOT_MAX_RAM_RANGES) {
		pr_warn("pvh: more than %d RAM ranges; ignoring 0x%lx+0x%lx",
			BOOT_MAX_RAM_RANGES, base, size);
		return;
	}
	/* Insertion sort keeps the ranges ordered by base. */
	size_t i = b->nr_ram++;
	while (i > 0 && b->ram[i - 1].base > base) {
		b->ram[i] = b->ram[i - 1];
		i--;
	}
	b->ram[i] = (struct mem_range){ base, size };
	if (base + size > b->max_ram)
		b->max_ram = base + size;
}

void pvh_parse(phys_addr_t start_info)
{
	const struct hvm_start_info *si =
		boot_ptr(start_info, sizeof(*si), "start_info");
	if (si->magic != HVM_START_MAGIC)
		panic("pvh: bad start_info magic 0x%x (not booted through PVH?)",
		      si->magic);
	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
		panic("pvh: start_info version %u has no memory map",
		      si->version);

	const struct hvm_memmap_entry *mm = boot_ptr(
		si->memmap_paddr, (uint64_t)si->memmap_entries * sizeof(*mm),
		"memory map");
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (mm[i].type == E820_RAM)
			add_ram(mm[i].addr, mm[i].size);
	if (!boot_info.nr_ram)
		panic("pvh: the memory map has no RAM");

	if (si->cmdline_paddr) {
		const char *cl = boot_ptr(si->cmdline_paddr, 1, "command line");
		size_t max = BOOT_MAP_LIMIT - si->cmdline_paddr;
		size_t len = strnlen(cl, MIN(max, (size_t)BOOT_CMDLINE_MAX));
		if (len == BOOT_CMDLINE_MAX) {
			boot_info.cmdline_truncated = true;
			len = BOOT_CMDLINE_MAX - 1;
		}
		memcpy(boot_info.cmdline, cl, len);
		boot_info.cmdline[len] = 0;
	}
	if (si->nr_modules) {
		const struct hvm_modlist_entry *mod = boot_ptr(
			si->modlist_paddr, sizeof(*mod), "module list");
		if (si->nr_modules > 1)
			pr_warn("pvh: %u modules given; only the first is the initrd",
				si->nr_modules);
		boot_info.initrd = (struct mem_range){ mod->paddr, mod->size };
	}
	boot_info.rsdp = si->rsdp_paddr;
}
