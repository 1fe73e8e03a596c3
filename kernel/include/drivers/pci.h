/*
 * PCI: finding functions on the buses the firmware set up, their
 * configuration space, memory BARs and MSI-X.
 *
 * Configuration space is reached through the legacy port pair 0xcf8/0xcfc
 * (configuration mechanism #1), which QEMU's pc and q35 machines both
 * have: its first 256 bytes hold everything the kernel needs (BARs, the
 * capability list, the interrupt line). A machine without a PCI host
 * bridge (microvm) reads all-ones there and has no devices.
 *
 * The kernel does not assign resources: BARs and bus numbers are the
 * firmware's (SeaBIOS on pc/q35). A BAR it left empty is reported.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <kernel/types.h>

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x0010
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_MSIX 0x11

struct pci_dev {
	uint8_t bus, slot, func;
	uint16_t vendor, device;
	uint32_t class; /* class, subclass, prog-if: 0x020000 is Ethernet */
	char name[16];	/* "00:03.0", for messages */
};

uint8_t pci_read8(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint32_t pci_read32(const struct pci_dev *d, unsigned off);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);

/*
 * Capability walk: the offset of the first capability with @id after
 * @prev (0 starts at the head of the list), or 0 when there is none. The
 * walk is bounded, so a looping list ends.
 */
unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned prev);

/*
 * The physical address of memory BAR @bar (64-bit BARs take two slots),
 * or 0 for an I/O BAR, a BAR past the table, or one the firmware left
 * unassigned.
 */
uint64_t pci_bar_address(const struct pci_dev *d, unsigned bar);

/* Turns on memory decoding and bus mastering (the device may DMA). */
void pci_enable(const struct pci_dev *d);

/* A function's MSI-X table, mapped. */
struct pci_msix {
	unsigned cap;	     /* offset of the capability */
	unsigned nr_entries; /* table size */
	volatile uint32_t *table;
};

/* Maps @d's MSI-X table; -ENODEV when it has none or it cannot be reached. */
int pci_msix_init(const struct pci_dev *d, struct pci_msix *m);
/* Points table entry @entry at @vector on the CPU with @apic_id, unmasked. */
void pci_msix_route(struct pci_msix *m, unsigned entry, uint8_t vector,
		    uint32_t apic_id);
/* Turns MSI-X on (and INTx off) for @d. */
void pci_msix_enable(const struct pci_dev *d, const struct pci_msix *m);

struct pci_driver {
	const char *name;
	uint16_t vendor;
	/* 0 when the driver took @d (which it then owns); -errno otherwise. */
	int (*probe)(struct pci_dev *d);
};

/* Walks the buses from bus 0 through bridges and binds drivers. */
void pci_probe(void);

/* Driver probes, named in pci.c's table. */
int virtio_pci_probe(struct pci_dev *d);

#endif
