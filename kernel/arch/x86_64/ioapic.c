/*
 * I/O APICs: where device interrupt lines (GSIs) become vectors. The MADT
 * lists each I/O APIC with the first GSI it serves; a driver routes its
 * GSI to a vector on one CPU. Lines start masked and stay so until routed.
 */
#include <arch/x86_64/acpi.h>
#include <arch/x86_64/apic.h>
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/paging.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

#define MADT_IOAPIC 1
#define MAX_IOAPICS 8

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPICVER 0x01
#define IOREDTBL(n) (0x10 + 2 * (n))

#define RTE_MASKED (1u << 16)
#define RTE_LEVEL (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)

static struct ioapic {
	volatile uint32_t *regs;
	unsigned gsi_base, nr_pins;
} ioapics[MAX_IOAPICS];
static unsigned nr_ioapics;
static spinlock_t ioapic_lock = SPINLOCK_INIT; /* IOREGSEL/IOWIN pairs */

static uint32_t reg_read(struct ioapic *io, uint32_t reg)
{
	io->regs[IOREGSEL / 4] = reg;
	return io->regs[IOWIN / 4];
}

static void reg_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[IOREGSEL / 4] = reg;
	io->regs[IOWIN / 4] = v;
}

void ioapic_init(void)
{
	const struct acpi_header *madt = acpi_find_table("APIC");
	if (!madt)
		return;
	const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8;
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		if (p[0] != MADT_IOAPIC || p[1] < 12 ||
		    nr_ioapics == MAX_IOAPICS)
			continue;
		uint32_t addr, gsi_base;
		memcpy(&addr, p + 4, 4);
		memcpy(&gsi_base, p + 8, 4);
		struct ioapic *io = &ioapics[nr_ioapics++];
		io->regs = ioremap(addr, PAGE_SIZE);
		io->gsi_base = gsi_base;
		io->nr_pins = ((reg_read(io, IOAPICVER) >> 16) & 0xff) + 1;
		for (unsigned pin = 0; pin < io->nr_pins; pin++)
			reg_write(io, IOREDTBL(pin), RTE_MASKED);
		pr_info("ioapic: GSIs %u-%u at 0x%x", gsi_base,
			gsi_base + io->nr_pins - 1, addr);
	}
}

static struct ioapic *ioapic_for(unsigned gsi, unsigned *pin)
{
	for (unsigned i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi < io->gsi_base + io->nr_pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

int ioapic_route(unsigned gsi, uint8_t vector, uint32_t apic_id, bool level,
		 bool active_low)
{
	unsigned pin;
	struct ioapic *io = ioapic_for(gsi, &pin);
	if (!io)
		return -ENODEV;
	uint32_t low = vector | (level ? RTE_LEVEL : 0) |
		       (active_low ? RTE_ACTIVE_LOW : 0);
	unsigned long flags = spin_lock_irqsave(&ioapic_lock);
	reg_write(io, IOREDTBL(pin) + 1, apic_id << 24);
	reg_write(io, IOREDTBL(pin), low);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

unsigned ioapic_count(void)
{
	return nr_ioapics;
}
