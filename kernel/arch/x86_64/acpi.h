/* ACPI tables the kernel reads: power-off (FADT) and the CPU list (MADT). */
#ifndef ARCH_X86_64_ACPI_H
#define ARCH_X86_64_ACPI_H

#include <kernel/types.h>

struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t rev, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __packed;

/* The mapped table with signature @sig (e.g. "APIC"), or NULL. */
const void *acpi_find_table(const char *sig);

#endif
