/*
 * The virtio-mmio transport (virtio 1.x, 4.2), version 2 registers.
 *
 * Devices come from two places: QEMU microvm's window (24 transports of
 * 0x200 bytes from 0xfeb00000 on GSIs 24.., or 8 on GSIs 5.. when the
 * machine has one I/O APIC; an empty transport reads device id 0), probed
 * from the top slot down, and then `virtio_mmio.device=` options in the
 * order given (Firecracker's way, which lists devices as it adds them). Each device's line is
 * routed through the I/O APIC, level-triggered, to a vector of its own on
 * the boot CPU. Legacy (version 1) transports are reported and left alone:
 * QEMU speaks version 2 with `-global virtio-mmio.force-legacy=false`.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/traps.h>
#include <drivers/virtio.h>
#include <drivers/virtio_mmio.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/string.h>

#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC 0x080
#define REG_QUEUE_DRIVER 0x090
#define REG_QUEUE_DEVICE 0x0a0
#define REG_CONFIG 0x100

#define MMIO_MAGIC 0x74726976 /* "virt" */
#define MICROVM_BASE 0xfeb00000UL
#define MICROVM_SLOT_SIZE 0x200

struct mmio_dev {
	volatile uint8_t *regs;
	unsigned gsi;
	struct virtio_device vd;
};

static struct virtio_device *by_vector[256];

static uint32_t rd(struct virtio_device *vd, unsigned reg)
{
	struct mmio_dev *m = vd->transport;
	return *(volatile uint32_t *)(m->regs + reg);
}

static void wr(struct virtio_device *vd, unsigned reg, uint32_t v)
{
	struct mmio_dev *m = vd->transport;
	*(volatile uint32_t *)(m->regs + reg) = v;
}

static uint64_t get_features(struct virtio_device *vd)
{
	wr(vd, REG_DEVICE_FEATURES_SEL, 1);
	uint64_t hi = rd(vd, REG_DEVICE_FEATURES);
	wr(vd, REG_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | rd(vd, REG_DEVICE_FEATURES);
}

static void set_features(struct virtio_device *vd, uint64_t f)
{
	wr(vd, REG_DRIVER_FEATURES_SEL, 1);
	wr(vd, REG_DRIVER_FEATURES, (uint32_t)(f >> 32));
	wr(vd, REG_DRIVER_FEATURES_SEL, 0);
	wr(vd, REG_DRIVER_FEATURES, (uint32_t)f);
}

static uint8_t get_status(struct virtio_device *vd)
{
	return (uint8_t)rd(vd, REG_STATUS);
}

static void set_status(struct virtio_device *vd, uint8_t s)
{
	wr(vd, REG_STATUS, s);
}

static unsigned queue_max(struct virtio_device *vd, unsigned index)
{
	wr(vd, REG_QUEUE_SEL, index);
	return rd(vd, REG_QUEUE_READY) ? 0 : rd(vd, REG_QUEUE_NUM_MAX);
}

static void wr64(struct virtio_device *vd, unsigned reg, uint64_t v)
{
	wr(vd, reg, (uint32_t)v);
	wr(vd, reg + 4, (uint32_t)(v >> 32));
}

static int queue_enable(struct virtio_device *vd, struct virtqueue *vq)
{
	wr(vd, REG_QUEUE_SEL, vq->index);
	wr(vd, REG_QUEUE_NUM, vq->size);
	wr64(vd, REG_QUEUE_DESC, virt_to_phys(vq->desc));
	wr64(vd, REG_QUEUE_DRIVER, virt_to_phys(vq->avail));
	wr64(vd, REG_QUEUE_DEVICE, virt_to_phys(vq->used));
	wr(vd, REG_QUEUE_READY, 1);
	return rd(vd, REG_QUEUE_READY) == 1 ? 0 : -EIO;
}

static void notify(struct virtio_device *vd, unsigned index)
{
	wr(vd, REG_QUEUE_NOTIFY, index);
}

static uint32_t interrupt_ack(struct virtio_device *vd)
{
	uint32_t cause = rd(vd, REG_INTERRUPT_STATUS);
	wr(vd, REG_INTERRUPT_ACK, cause);
	return cause;
}

static void mmio_irq(struct trap_frame *tf)
{
	struct virtio_device *vd = by_vector[tf->vector & 0xff];
	if (vd)
		virtio_interrupt(vd);
}

static int interrupt_setup(struct virtio_device *vd)
{
	struct mmio_dev *m = vd->transport;
	int vector = irq_alloc_vector(mmio_irq);
	if (vector < 0)
		return vector;
	by_vector[vector] = vd;
	int ret = ioapic_route(m->gsi, (uint8_t)vector, cpus[0]->apic_id, true,
			       false);
	if (ret)
		pr_warn("virtio: %s: no I/O APIC line %u", vd->where, m->gsi);
	return ret;
}

static void config_read(struct virtio_device *vd, unsigned off, void *buf,
			size_t len)
{
	struct mmio_dev *m = vd->transport;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = m->regs[REG_CONFIG + off + i];
}

static const struct virtio_transport_ops mmio_ops = {
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

/* Looks at one transport; binds a driver to what is there. */
static void probe_one(volatile uint8_t *regs, uint64_t base, unsigned gsi)
{
	uint32_t magic = *(volatile uint32_t *)(regs + REG_MAGIC);
	uint32_t version = *(volatile uint32_t *)(regs + REG_VERSION);
	uint32_t id = *(volatile uint32_t *)(regs + REG_DEVICE_ID);
	if (magic != MMIO_MAGIC || id == 0)
		return;
	if (version != 2) {
		pr_warn("virtio: mmio@0x%lx: device %u speaks virtio-mmio version %u; "
			"only version 2 is supported (QEMU: -global virtio-mmio.force-legacy=false)",
			base, id, version);
		return;
	}
	struct mmio_dev *m = kzalloc(sizeof(*m));
	if (!m)
		return;
	m->regs = regs;
	m->gsi = gsi;
	m->vd = (struct virtio_device){ .ops = &mmio_ops,
					.device_id = id,
					.transport = m };
	snprintf(m->vd.where, sizeof(m->vd.where), "mmio@0x%lx irq %u", base,
		 gsi);
	if (!virtio_bind(&m->vd)) {
		pr_info("virtio: %s: no driver for device %u", m->vd.where, id);
		kfree(m);
	}
}

void virtio_mmio_probe(void)
{
	/* microvm's window: 24 transports with its second I/O APIC. */
	unsigned slots = ioapic_count() > 1 ? 24 : 8;
	unsigned gsi_base = ioapic_count() > 1 ? 24 : 5;
	volatile uint8_t *win =
		ioremap(MICROVM_BASE, slots * MICROVM_SLOT_SIZE);
	/*
	 * QEMU fills the window from its last slot down, in the order of its
	 * -device options: probing top-down keeps that order, so the first
	 * virtio-net device on QEMU's command line is the first NIC (en0).
	 */
	for (unsigned i = slots; i-- > 0;)
		probe_one(win + i * MICROVM_SLOT_SIZE,
			  MICROVM_BASE + i * MICROVM_SLOT_SIZE, gsi_base + i);

	unsigned n;
	const struct virtio_mmio_desc *d = virtio_mmio_cmdline_devices(&n);
	for (unsigned i = 0; i < n; i++) {
		/* The window is probed already: skip what lies in it. */
		if (d[i].base >= MICROVM_BASE &&
		    d[i].base < MICROVM_BASE + slots * MICROVM_SLOT_SIZE)
			continue;
		probe_one(ioremap(d[i].base, d[i].size), d[i].base, d[i].irq);
	}
}
