/* I/O APICs: device interrupt lines (GSIs) to vectors; see ioapic.c. */
#ifndef ARCH_X86_64_IOAPIC_H
#define ARCH_X86_64_IOAPIC_H

#include <kernel/types.h>

/* Finds the I/O APICs in the MADT and masks every line. */
void ioapic_init(void);
/* Routes @gsi to @vector on the CPU with @apic_id; -ENODEV if no I/O APIC serves it. */
int ioapic_route(unsigned gsi, uint8_t vector, uint32_t apic_id, bool level,
		 bool active_low);
unsigned ioapic_count(void);

#endif
