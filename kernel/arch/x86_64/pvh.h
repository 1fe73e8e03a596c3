/*
 * The boot information a PVH loader hands over (hvm_start_info), copied
 * out of guest memory into kernel variables before anything can overwrite
 * it, and checked: a loader's bad pointers or sizes give a clear panic.
 */
#ifndef ARCH_X86_64_PVH_H
#define ARCH_X86_64_PVH_H

#include <kernel/mm.h>
#include <kernel/types.h>

#define BOOT_MAX_RAM_RANGES 64
#define BOOT_CMDLINE_MAX (64 * 1024)

struct boot_info {
	struct mem_range ram[BOOT_MAX_RAM_RANGES]; /* usable RAM, sorted */
	size_t nr_ram;
	phys_addr_t max_ram;	 /* end of the highest RAM range */
	struct mem_range initrd; /* size 0 when none */
	phys_addr_t rsdp;
	char cmdline[BOOT_CMDLINE_MAX];
	bool cmdline_truncated;
};

extern struct boot_info boot_info;

/* Reads hvm_start_info at physical @start_info (boot map still live). */
void pvh_parse(phys_addr_t start_info);

#endif
