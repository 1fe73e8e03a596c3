/*
 * PCI bus walk, configuration space, BARs and MSI-X (see drivers/pci.h).
 *
 * The walk starts at bus 0 and follows PCI-to-PCI bridges (PCIe root ports
 * on q35 are such bridges) to the secondary buses the firmware numbered;
 * a bus is visited once, so a bad bridge cannot send it round in circles.
 * Each function found is offered to the drivers in the static table below
 * by vendor id. Configuration accesses go through one port pair, so they
 * are serialised by cfg_lock.
 */
#include <arch/x86_64/io.h>
#include <arch/x86_64/paging.h>
#include <drivers/pci.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define MSIX_ENABLE 0x8000
#define MSIX_FUNCTION_MASK 0x4000
#define MSIX_ENTRY_BYTES 16
#define MSIX_CTRL_MASKED 1
#define MSI_ADDRESS_BASE 0xfee00000U
#define MAX_BRIDGE_DEPTH 8

static const struct pci_driver drivers[] = {
	{ .name = "virtio-pci", .vendor = 0x1af4, .probe = virtio_pci_probe },
};

static spinlock_t cfg_lock = SPINLOCK_INIT; /* the 0xcf8/0xcfc pair */

static uint32_t cfg_address(uint8_t bus, uint8_t slot, uint8_t func,
			    unsigned off)
{
	return 0x80000000U | (uint32_t)bus << 16 | (uint32_t)slot << 11 |
	       (uint32_t)func << 8 | (off & 0xfc);
}

static uint32_t cfg_read(uint8_t bus, uint8_t slot, uint8_t func, unsigned off)
{
	unsigned long flags = spin_lock_irqsave(&cfg_lock);
	outl(CONFIG_ADDRESS, cfg_address(bus, slot, func, off));
	uint32_t v = inl(CONFIG_DATA);
	spin_unlock_irqrestore(&cfg_lock, flags);
	return v;
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
	return cfg_read(d->bus, d->slot, d->func, off);
}

uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
	unsigned long flags = spin_lock_irqsave(&cfg_lock);
	outl(CONFIG_ADDRESS, cfg_address(d->bus, d->slot, d->func, off));
	outl(CONFIG_DATA, v);
	spin_unlock_irqrestore(&cfg_lock, flags);
}

void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
	unsigned long flags = spin_lock_irqsave(&cfg_lock);
	outl(CONFIG_ADDRESS, cfg_address(d->bus, d->slot, d->func, off));
	outw((uint16_t)(CONFIG_DATA + (off & 2)), v);
	spin_unlock_irqrestore(&cfg_lock, flags);
}

unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned prev)
{
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	unsigned off = prev ? pci_read8(d, prev + 1) :
			      pci_read8(d, PCI_CAPABILITY_LIST);
	/* At most 48 capabilities fit in the 192 bytes after the header. */
	for (int n = 0; n < 48 && off >= 0x40; n++) {
		off &= 0xfc;
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, off + 1);
	}
	return 0;
}

uint64_t pci_bar_address(const struct pci_dev *d, unsigned bar)
{
	if (bar > 5)
		return 0;
	uint32_t lo = pci_read32(d, PCI_BAR0 + 4 * bar);
	if (lo & 1) /* I/O space */
		return 0;
	uint64_t addr = lo & ~0xfULL;
	if (((lo >> 1) & 3) == 2) { /* 64-bit: the next slot is the top half */
		if (bar == 5)
			return 0;
		addr |= (uint64_t)pci_read32(d, PCI_BAR0 + 4 * (bar + 1)) << 32;
	}
	return addr;
}

void pci_enable(const struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND,
		    cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

int pci_msix_init(const struct pci_dev *d, struct pci_msix *m)
{
	unsigned cap = pci_find_cap(d, PCI_CAP_ID_MSIX, 0);
	if (!cap)
		return -ENODEV;
	unsigned n = (pci_read16(d, cap + 2) & 0x7ff) + 1;
	uint32_t where = pci_read32(d, cap + 4);
	uint64_t bar = pci_bar_address(d, where & 7);
	if (!bar) {
		pr_warn("pci %s: the MSI-X table's BAR %u is not assigned",
			d->name, where & 7);
		return -ENODEV;
	}
	m->cap = cap;
	m->nr_entries = n;
	m->table = ioremap(bar + (where & ~7U), n * MSIX_ENTRY_BYTES);
	for (unsigned i = 0; i < n; i++)
		m->table[i * 4 + 3] |= MSIX_CTRL_MASKED;
	return 0;
}

void pci_msix_route(struct pci_msix *m, unsigned entry, uint8_t vector,
		    uint32_t apic_id)
{
	volatile uint32_t *e = m->table + entry * 4;
	e[3] |= MSIX_CTRL_MASKED;
	/* Physical destination, fixed delivery, edge: xAPIC ids below 256. */
	e[0] = MSI_ADDRESS_BASE | (apic_id & 0xff) << 12;
	e[1] = 0;
	e[2] = vector;
	e[3] &= ~(uint32_t)MSIX_CTRL_MASKED;
}

void pci_msix_enable(const struct pci_dev *d, const struct pci_msix *m)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd | PCI_COMMAND_INTX_DISABLE);
	uint16_t mc = pci_read16(d, m->cap + 2);
	pci_write16(d, m->cap + 2,
		    (uint16_t)((mc | MSIX_ENABLE) & ~MSIX_FUNCTION_MASK));
}

static void bind(struct pci_dev *tmpl)
{
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
		if (drivers[i].vendor != tmpl->vendor)
			continue;
		struct pci_dev *d = kmalloc(sizeof(*d));
		if (!d)
			return;
		*d = *tmpl;
		int ret = drivers[i].probe(d);
		if (ret == 0)
			return;
		kfree(d);
		if (ret != -ENODEV)
			pr_warn("pci %s: %s refused the device (%d)",
				tmpl->name, drivers[i].name, ret);
	}
}

static void scan_bus(uint8_t bus, unsigned depth, uint8_t *visited);

static void scan_function(uint8_t bus, uint8_t slot, uint8_t func,
			  unsigned depth, uint8_t *visited)
{
	struct pci_dev d = { .bus = bus, .slot = slot, .func = func };
	uint32_t id = pci_read32(&d, PCI_VENDOR_ID);
	d.vendor = (uint16_t)id;
	d.device = (uint16_t)(id >> 16);
	d.class = pci_read32(&d, PCI_CLASS_REVISION) >> 8;
	snprintf(d.name, sizeof(d.name), "%02x:%02x.%u", bus, slot, func);
	uint8_t type = pci_read8(&d, PCI_HEADER_TYPE) & 0x7f;
	if (type == 1 && (d.class >> 8) == 0x0604) { /* PCI-to-PCI bridge */
		uint8_t sec = pci_read8(&d, PCI_SECONDARY_BUS);
		if (sec > bus && depth < MAX_BRIDGE_DEPTH)
			scan_bus(sec, depth + 1, visited);
		return;
	}
	if (type == 0)
		bind(&d);
}

static bool present(uint8_t bus, uint8_t slot, uint8_t func)
{
	uint16_t vendor = (uint16_t)cfg_read(bus, slot, func, PCI_VENDOR_ID);
	return vendor != 0xffff && vendor != 0;
}

static void scan_bus(uint8_t bus, unsigned depth, uint8_t *visited)
{
	if (visited[bus / 8] & (1 << (bus % 8)))
		return;
	visited[bus / 8] |= (uint8_t)(1 << (bus % 8));
	for (uint8_t slot = 0; slot < 32; slot++) {
		if (!present(bus, slot, 0))
			continue;
		uint8_t type = (uint8_t)(cfg_read(bus, slot, 0, 0xc) >> 16);
		unsigned funcs = (type & 0x80) ? 8 : 1;
		for (uint8_t func = 0; func < funcs; func++)
			if (present(bus, slot, func))
				scan_function(bus, slot, func, depth, visited);
	}
}

void pci_probe(void)
{
	uint8_t visited[32] = { 0 };
	scan_bus(0, 0, visited);
}
