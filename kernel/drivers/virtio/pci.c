/*
 * The virtio-pci transport (virtio 1.x, 4.1), modern interface only.
 *
 * A virtio PCI function (vendor 0x1af4) is device 0x1040 + the virtio
 * device id, or a transitional 0x1000-0x103f whose subsystem id is the
 * virtio id. Its registers sit in memory BARs that vendor capabilities
 * point at: common configuration (features, status, queues), notification
 * (one doorbell per queue, at queue_notify_off * multiplier), the ISR byte
 * and the device's own configuration. A function without the common
 * capability is legacy-only and is left alone.
 *
 * Interrupts: with MSI-X, queue i raises table entry min(i, entries - 1)
 * and each entry has a CPU vector of its own, so the queue's handler runs
 * without reading the ISR; configuration changes raise nothing. Without
 * MSI-X (QEMU `vectors=0`), the INTx line the firmware wrote into the
 * interrupt-line register is routed through the I/O APIC, level-triggered;
 * devices on one line share its vector, and each one's ISR read both
 * tells whether it was the one and lowers its part of the line.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/traps.h>
#include <drivers/pci.h>
#include <drivers/virtio.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/string.h>

#define VIRTIO_PCI_VENDOR 0x1af4

/* virtio_pci_cap.cfg_type */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* Common configuration registers. */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0c
#define COMMON_MSIX_CONFIG 0x10
#define COMMON_NUM_QUEUES 0x12
#define COMMON_STATUS 0x14
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE 0x18
#define COMMON_Q_MSIX 0x1a
#define COMMON_Q_ENABLE 0x1c
#define COMMON_Q_NOFF 0x1e
#define COMMON_Q_DESC 0x20
#define COMMON_Q_DRIVER 0x28
#define COMMON_Q_DEVICE 0x30
#define COMMON_LEN 0x38

#define NO_VECTOR 0xffff
#define MAX_QUEUES ARRAY_SIZE(((struct virtio_device *)0)->queues)

struct vpci {
	struct pci_dev *pci;
	volatile uint8_t *common, *isr, *device, *notify;
	size_t device_len, notify_len;
	uint32_t notify_mult;
	volatile uint16_t *doorbell[MAX_QUEUES]; /* by queue index */
	bool msix;
	struct pci_msix table;
	struct virtio_device vd;
};

/* What each CPU vector is for: an MSI-X table entry of a device. */
static struct {
	struct vpci *dev;
	int entry;
} by_vector[256];

/*
 * INTx lines, which devices share (SeaBIOS puts four PCI interrupt pins
 * on two lines): one vector per line, and every device on the line looks
 * at its own ISR when it fires.
 */
#define MAX_INTX_LINES 8
#define MAX_INTX_SHARERS 8
static struct intx_line {
	unsigned gsi;
	int vector;
	struct vpci *devs[MAX_INTX_SHARERS];
	unsigned n;
} intx_lines[MAX_INTX_LINES];
static unsigned nr_intx_lines;

static uint8_t rd8(struct vpci *p, unsigned r)
{
	return *(volatile uint8_t *)(p->common + r);
}
static uint16_t rd16(struct vpci *p, unsigned r)
{
	return *(volatile uint16_t *)(p->common + r);
}
static uint32_t rd32(struct vpci *p, unsigned r)
{
	return *(volatile uint32_t *)(p->common + r);
}
static void wr8(struct vpci *p, unsigned r, uint8_t v)
{
	*(volatile uint8_t *)(p->common + r) = v;
}
static void wr16(struct vpci *p, unsigned r, uint16_t v)
{
	*(volatile uint16_t *)(p->common + r) = v;
}
static void wr32(struct vpci *p, unsigned r, uint32_t v)
{
	*(volatile uint32_t *)(p->common + r) = v;
}
/* 64-bit registers are written as two halves, low first. */
static void wr64(struct vpci *p, unsigned r, uint64_t v)
{
	wr32(p, r, (uint32_t)v);
	wr32(p, r + 4, (uint32_t)(v >> 32));
}

static uint64_t get_features(struct virtio_device *vd)
{
	struct vpci *p = vd->transport;
	wr32(p, COMMON_DFSELECT, 1);
	uint64_t hi = rd32(p, COMMON_DF);
	wr32(p, COMMON_DFSELECT, 0);
	return hi << 32 | rd32(p, COMMON_DF);
}

static void set_features(struct virtio_device *vd, uint64_t f)
{
	struct vpci *p = vd->transport;
	wr32(p, COMMON_GFSELECT, 1);
	wr32(p, COMMON_GF, (uint32_t)(f >> 32));
	wr32(p, COMMON_GFSELECT, 0);
	wr32(p, COMMON_GF, (uint32_t)f);
}

static uint8_t get_status(struct virtio_device *vd)
{
	return rd8(vd->transport, COMMON_STATUS);
}

static void set_status(struct virtio_device *vd, uint8_t s)
{
	wr8(vd->transport, COMMON_STATUS, s);
}

static unsigned queue_max(struct virtio_device *vd, unsigned index)
{
	struct vpci *p = vd->transport;
	if (index >= MAX_QUEUES || index >= rd16(p, COMMON_NUM_QUEUES))
		return 0;
	wr16(p, COMMON_Q_SELECT, (uint16_t)index);
	return rd16(p, COMMON_Q_ENABLE) ? 0 : rd16(p, COMMON_Q_SIZE);
}

/* The MSI-X table entry queue @index raises. */
static unsigned queue_entry(struct vpci *p, unsigned index)
{
	return MIN(index, p->table.nr_entries - 1);
}

static int queue_enable(struct virtio_device *vd, struct virtqueue *vq)
{
	struct vpci *p = vd->transport;
	wr16(p, COMMON_Q_SELECT, (uint16_t)vq->index);
	wr16(p, COMMON_Q_SIZE, (uint16_t)vq->size);
	if (p->msix) {
		uint16_t entry = (uint16_t)queue_entry(p, vq->index);
		wr16(p, COMMON_Q_MSIX, entry);
		if (rd16(p, COMMON_Q_MSIX) != entry) {
			pr_warn("virtio: %s: queue %u refused MSI-X entry %u",
				vd->where, vq->index, entry);
			return -EIO;
		}
	}
	uint64_t off = (uint64_t)rd16(p, COMMON_Q_NOFF) * p->notify_mult;
	if (off + 2 > p->notify_len) {
		pr_warn("virtio: %s: queue %u's doorbell lies outside its window",
			vd->where, vq->index);
		return -EIO;
	}
	p->doorbell[vq->index] = (volatile uint16_t *)(p->notify + off);
	wr64(p, COMMON_Q_DESC, virt_to_phys(vq->desc));
	wr64(p, COMMON_Q_DRIVER, virt_to_phys(vq->avail));
	wr64(p, COMMON_Q_DEVICE, virt_to_phys(vq->used));
	wr16(p, COMMON_Q_ENABLE, 1);
	return rd16(p, COMMON_Q_ENABLE) == 1 ? 0 : -EIO;
}

static void notify(struct virtio_device *vd, unsigned index)
{
	struct vpci *p = vd->transport;
	*p->doorbell[index] = (uint16_t)index;
}

static uint32_t interrupt_ack(struct virtio_device *vd)
{
	struct vpci *p = vd->transport;
	return *p->isr; /* reading clears it and lowers INTx */
}

static void intx_irq(struct trap_frame *tf)
{
	for (unsigned l = 0; l < nr_intx_lines; l++)
		if (intx_lines[l].vector == (int)(tf->vector & 0xff))
			for (unsigned i = 0; i < intx_lines[l].n; i++)
				virtio_interrupt(&intx_lines[l].devs[i]->vd);
}

static void msix_irq(struct trap_frame *tf)
{
	unsigned v = tf->vector & 0xff;
	struct vpci *p = by_vector[v].dev;
	if (!p)
		return;
	for (unsigned i = 0; i < p->vd.nr_queues; i++) {
		struct virtqueue *vq = p->vd.queues[i];
		if (queue_entry(p, vq->index) == (unsigned)by_vector[v].entry)
			virtio_queue_interrupt(vq);
	}
}

static int setup_msix(struct vpci *p)
{
	unsigned entries = MIN(p->vd.nr_queues, p->table.nr_entries);
	for (unsigned e = 0; e < entries; e++) {
		int vector = irq_alloc_vector(msix_irq);
		if (vector < 0)
			return vector;
		by_vector[vector].dev = p;
		by_vector[vector].entry = (int)e;
		pci_msix_route(&p->table, e, (uint8_t)vector, cpus[0]->apic_id);
	}
	pci_msix_enable(p->pci, &p->table);
	pr_info("virtio: %s: MSI-X, %u vector%s", p->vd.where, entries,
		entries == 1 ? "" : "s");
	return 0;
}

static int setup_intx(struct vpci *p)
{
	uint8_t pin = pci_read8(p->pci, PCI_INTERRUPT_PIN);
	uint8_t line = pci_read8(p->pci, PCI_INTERRUPT_LINE);
	if (pin == 0 || line == 0 || line == 0xff) {
		pr_warn("virtio: %s: no MSI-X and no interrupt line",
			p->vd.where);
		return -ENODEV;
	}
	struct intx_line *l = NULL;
	for (unsigned i = 0; i < nr_intx_lines && !l; i++)
		if (intx_lines[i].gsi == line)
			l = &intx_lines[i];
	if (!l) {
		if (nr_intx_lines == MAX_INTX_LINES)
			return -ENOSPC;
		int vector = irq_alloc_vector(intx_irq);
		if (vector < 0)
			return vector;
		/* QEMU's MADT declares the PCI lines level-triggered, active high. */
		int ret = ioapic_route(line, (uint8_t)vector, cpus[0]->apic_id,
				       true, false);
		if (ret) {
			pr_warn("virtio: %s: no I/O APIC line %u", p->vd.where,
				line);
			return ret;
		}
		l = &intx_lines[nr_intx_lines];
		*l = (struct intx_line){ .gsi = line, .vector = vector };
	}
	if (l->n == MAX_INTX_SHARERS)
		return -ENOSPC;
	l->devs[l->n] = p;
	/* The handler may run on another CPU: publish the device first. */
	__atomic_store_n(&l->n, l->n + 1, __ATOMIC_RELEASE);
	if (l == &intx_lines[nr_intx_lines])
		__atomic_store_n(&nr_intx_lines, nr_intx_lines + 1,
				 __ATOMIC_RELEASE);
	pr_info("virtio: %s: INTx on line %u", p->vd.where, line);
	return 0;
}

static int interrupt_setup(struct virtio_device *vd)
{
	struct vpci *p = vd->transport;
	return p->msix ? setup_msix(p) : setup_intx(p);
}

static void config_read(struct virtio_device *vd, unsigned off, void *buf,
			size_t len)
{
	struct vpci *p = vd->transport;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] =
			off + i < p->device_len ? p->device[off + i] : 0;
}

static const struct virtio_transport_ops pci_ops = {
	.get_features = get_features,
	.set_features = set_features,
	.get_status = get_status,
	.set_status = set_status,
	.queue_max = queue_max,
	.queue_enable = queue_enable,
	.notify = notify,
	.interrupt_ack = interrupt_ack,
	.interrupt_setup = interrupt_setup,
	.config_read = config_read,
};

/*
 * Maps the region a vendor capability at @cap describes; NULL when its BAR
 * is not a usable memory BAR or the region is shorter than @min_len.
 */
static volatile uint8_t *map_cap(struct vpci *p, unsigned cap, size_t min_len,
				 size_t *len)
{
	uint8_t bar = pci_read8(p->pci, cap + 4);
	uint32_t off = pci_read32(p->pci, cap + 8);
	uint32_t length = pci_read32(p->pci, cap + 12);
	uint64_t base = pci_bar_address(p->pci, bar);
	if (!base || length < min_len) {
		pr_warn("virtio: %s: capability at 0x%x (BAR %u) is unusable",
			p->vd.where, cap, bar);
		return NULL;
	}
	if (len)
		*len = length;
	return ioremap(base + off, length);
}

/* Finds and maps the four register regions; -ENODEV if one is missing. */
static int map_regions(struct vpci *p)
{
	for (unsigned cap = pci_find_cap(p->pci, PCI_CAP_ID_VNDR, 0); cap;
	     cap = pci_find_cap(p->pci, PCI_CAP_ID_VNDR, cap)) {
		uint8_t type = pci_read8(p->pci, cap + 3);
		if (type == CAP_COMMON && !p->common) {
			p->common = map_cap(p, cap, COMMON_LEN, NULL);
		} else if (type == CAP_NOTIFY && !p->notify) {
			p->notify = map_cap(p, cap, 2, &p->notify_len);
			p->notify_mult = pci_read32(p->pci, cap + 16);
		} else if (type == CAP_ISR && !p->isr) {
			p->isr = map_cap(p, cap, 1, NULL);
		} else if (type == CAP_DEVICE && !p->device) {
			p->device = map_cap(p, cap, 1, &p->device_len);
		}
	}
	if (!p->common) {
		pr_warn("virtio: %s: legacy-only device %u, not supported "
			"(QEMU: disable-modern=false)",
			p->vd.where, p->vd.device_id);
		return -ENODEV;
	}
	if (!p->notify || !p->isr) {
		pr_warn("virtio: %s: notification or ISR region missing",
			p->vd.where);
		return -ENODEV;
	}
	return 0;
}

int virtio_pci_probe(struct pci_dev *d)
{
	uint32_t id;
	if (d->device >= 0x1040 && d->device <= 0x107f)
		id = d->device - 0x1040u;
	else if (d->device >= 0x1000 && d->device <= 0x103f)
		id = pci_read16(d, PCI_SUBSYSTEM_ID);
	else
		return -ENODEV;
	struct vpci *p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pci = d;
	p->vd = (struct virtio_device){ .ops = &pci_ops,
					.device_id = id,
					.transport = p };
	snprintf(p->vd.where, sizeof(p->vd.where), "pci %s", d->name);
	int ret = map_regions(p);
	if (ret)
		goto err_free;
	pci_enable(d);
	p->msix = pci_msix_init(d, &p->table) == 0;
	if (p->msix)
		wr16(p, COMMON_MSIX_CONFIG, NO_VECTOR);
	if (!virtio_bind(&p->vd)) {
		pr_info("virtio: %s: no driver for device %u", p->vd.where, id);
		ret = -ENODEV;
		goto err_free;
	}
	return 0;

err_free:
	/* The mappings stay: ioremap space is not given back. */
	kfree(p);
	return ret;
}
