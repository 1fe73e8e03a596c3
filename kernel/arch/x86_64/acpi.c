/*
 * Ending the VM. The exit status goes to QEMU's isa-debug-exit port when
 * the VM has one (QEMU then exits with 2N+1); otherwise the kernel powers
 * off through ACPI: the FADT's sleep control register on hardware-reduced
 * machines (microvm), else PM1a_CNT, with SLP_TYP from the DSDT's _S5_.
 */
#include <arch/x86_64/acpi.h>
#include <arch/x86_64/io.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/pvh.h>
#include <kernel/irqflags.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>

#define DEBUG_EXIT_PORT 0xf4

/* Maps an ACPI table of unknown length: header first, then all of it. */
static const struct acpi_header *map_table(phys_addr_t pa)
{
	const struct acpi_header *h = ioremap(pa, sizeof(*h));
	if (h->length < sizeof(*h) || h->length > 16 * MiB)
		return NULL;
	return ioremap(pa, h->length);
}

static phys_addr_t find_rsdp(void)
{
	if (boot_info.rsdp)
		return boot_info.rsdp;
	/* Legacy BIOS area, 16-byte aligned "RSD PTR ". */
	const char *p = phys_to_virt(0xe0000);
	for (size_t off = 0; off < 0x20000; off += 16)
		if (!memcmp(p + off, "RSD PTR ", 8))
			return 0xe0000 + off;
	return 0;
}

const void *acpi_find_table(const char *sig)
{
	phys_addr_t rsdp_pa = find_rsdp();
	if (!rsdp_pa)
		return NULL;
	const uint8_t *rsdp = ioremap(rsdp_pa, 36);
	bool xsdt = rsdp[15] >= 2;
	phys_addr_t root;
	if (xsdt)
		memcpy(&root, rsdp + 24, 8);
	else
		root = *(const uint32_t *)(rsdp + 16);
	const struct acpi_header *rt = map_table(root);
	if (!rt)
		return NULL;
	size_t esz = xsdt ? 8 : 4;
	size_t n = (rt->length - sizeof(*rt)) / esz;
	const uint8_t *ents = (const uint8_t *)(rt + 1);
	for (size_t i = 0; i < n; i++) {
		phys_addr_t pa = 0;
		memcpy(&pa, ents + i * esz, esz);
		const struct acpi_header *t = map_table(pa);
		if (t && !memcmp(t->sig, sig, 4))
			return t;
	}
	return NULL;
}

/* SLP_TYPa of \_S5_: Name(_S5_, Package() { typ, ... }). */
static int s5_sleep_type(const struct acpi_header *dsdt)
{
	const uint8_t *p = (const uint8_t *)dsdt;
	for (size_t i = sizeof(*dsdt); i + 8 < dsdt->length; i++) {
		if (memcmp(p + i, "_S5_", 4) || p[i + 4] != 0x12)
			continue;
		size_t j = i + 5;
		j += (p[j] >> 6) + 1; /* PkgLength */
		j++;		      /* NumElements */
		if (p[j] == 0x0a)     /* BytePrefix */
			return p[j + 1];
		if (p[j] <= 1) /* ZeroOp, OneOp */
			return p[j];
	}
	return -1;
}

static void acpi_poweroff(void)
{
	const struct acpi_header *fadt = acpi_find_table("FACP");
	if (!fadt)
		return;
	const uint8_t *f = (const uint8_t *)fadt;
	int typ = 5; /* QEMU's GED uses S5 = 5 when no _S5_ is found */
	uint32_t dsdt32 = *(const uint32_t *)(f + 40);
	uint64_t dsdt = dsdt32;
	if (fadt->length >= 148) {
		uint64_t x;
		memcpy(&x, f + 140, 8);
		if (x)
			dsdt = x;
	}
	const struct acpi_header *d = dsdt ? map_table(dsdt) : NULL;
	if (d) {
		int t = s5_sleep_type(d);
		if (t >= 0)
			typ = t;
	}
	/* Hardware-reduced ACPI: sleep control register (GAS at 244). */
	if (fadt->length >= 256) {
		uint8_t space = f[244];
		uint64_t addr;
		memcpy(&addr, f + 248, 8);
		uint8_t v = (uint8_t)(((typ & 7) << 2) | (1 << 5));
		if (addr && space == 0) {
			*(volatile uint8_t *)ioremap(addr, 1) = v;
		} else if (addr && space == 1) {
			outb((uint16_t)addr, v);
		}
	}
	uint32_t pm1a = *(const uint32_t *)(f + 64);
	if (pm1a)
		outw((uint16_t)pm1a, (uint16_t)(((typ & 7) << 10) | (1 << 13)));
}

__noreturn void kernel_exit(int status)
{
	local_irq_disable();
	printk_console_start();
	console_printf("appliance: exit status %d\n", status);
	outl(DEBUG_EXIT_PORT, (uint32_t)status);
	/* Still here: no isa-debug-exit device. */
	acpi_poweroff();
	console_printf("appliance: cannot power off; halting\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}
