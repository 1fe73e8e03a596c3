/*
 * Address-space layout and physical/virtual conversion.
 *
 *   0x0000000000000000 - 0x00007fffffffffff  program (ring 3), later issues
 *   0xffff800000000000 - ...                 direct map of all RAM (RW, NX)
 *   0xffffc00000000000 - ...                 device MMIO (ioremap, UC, NX)
 *   0xffffffff80000000 + phys                kernel image (W^X per section)
 *
 * On the host (unit tests) physical and virtual addresses are the same.
 */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include <kernel/types.h>

#define KERNEL_VMA 0xffffffff80000000UL
#define PHYS_OFFSET 0xffff800000000000UL
#define IOREMAP_BASE 0xffffc00000000000UL
/* Code loaded at run time (shared objects), with a guard page each. */
#define MODULE_BASE 0xffffffffc0000000UL
/* Program addresses are below this (the canonical lower half). */
#define USER_SPACE_END 0x0000800000000000UL

#ifdef HOST_TEST
static inline void *phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)pa;
}
static inline phys_addr_t virt_to_phys(const void *va)
{
	return (phys_addr_t)(uintptr_t)va;
}
#else
static inline void *phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)(pa + PHYS_OFFSET);
}
/* Valid for direct-map and kernel-image addresses. */
static inline phys_addr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;
	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	return v - PHYS_OFFSET;
}
#endif

/* A range of physical memory. */
struct mem_range {
	phys_addr_t base;
	uint64_t size;
};

#endif
