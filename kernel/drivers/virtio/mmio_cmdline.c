/*
 * `virtio_mmio.device=SIZE@BASE:IRQ[:ID]`, the format Linux documents and
 * Firecracker appends for each device. Values are checked strictly (no
 * trailing bytes, no overflow, page-aligned base, at least one page) so a
 * bad line fails at boot instead of mapping the wrong memory later. Two
 * devices may not overlap or share an interrupt line: each line's vector
 * belongs to one device, so the second would take it from the first.
 */
#include <drivers/virtio_mmio.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/printk.h>

static struct virtio_mmio_desc cmdline_devices[VIRTIO_MMIO_MAX_CMDLINE];
static unsigned nr_cmdline_devices;

int virtio_mmio_parse_desc(const char *s, struct virtio_mmio_desc *out)
{
	uint64_t size, base, irq, id = 0;
	unsigned shift = 0;

	if (cmdline_read_u64(&s, &size))
		return -EINVAL;
	if (*s == 'K' || *s == 'k')
		shift = 10;
	else if (*s == 'M' || *s == 'm')
		shift = 20;
	else if (*s == 'G' || *s == 'g')
		shift = 30;
	if (shift) {
		s++;
		if (size > (UINT64_MAX >> shift))
			return -EINVAL;
		size <<= shift;
	}
	if (*s++ != '@' || cmdline_read_u64(&s, &base) || *s++ != ':' ||
	    cmdline_read_u64(&s, &irq))
		return -EINVAL;
	if (*s == ':') {
		s++;
		if (cmdline_read_u64(&s, &id))
			return -EINVAL;
	}
	if (*s || size < PAGE_SIZE || !IS_ALIGNED(base, PAGE_SIZE) ||
	    base + size < base || irq > 255 || id > 0xffffffffu)
		return -EINVAL;
	*out = (struct virtio_mmio_desc){ base, size, (unsigned)irq,
					  (unsigned)id };
	return 0;
}

static int set_device(const char *name, const char *value, char *err,
		      size_t errlen)
{
	struct virtio_mmio_desc d;

	if (!value || virtio_mmio_parse_desc(value, &d)) {
		snprintf(
			err, errlen,
			"option '%s' needs SIZE@BASE:IRQ[:ID] (e.g. 4K@0xd0000000:5), not '%.64s'",
			name, value ? value : "");
		return -EINVAL;
	}
	for (unsigned i = 0; i < nr_cmdline_devices; i++) {
		const struct virtio_mmio_desc *o = &cmdline_devices[i];
		if (o->irq == d.irq ||
		    (d.base < o->base + o->size && o->base < d.base + d.size)) {
			snprintf(
				err, errlen,
				"option '%s': '%.64s' %s the device at 0x%lx (irq %u); each needs its own",
				name, value,
				o->irq == d.irq ? "shares the irq of" :
						  "overlaps",
				o->base, o->irq);
			return -EINVAL;
		}
	}
	if (nr_cmdline_devices == VIRTIO_MMIO_MAX_CMDLINE) {
		snprintf(err, errlen, "more than %d virtio_mmio.device options",
			 VIRTIO_MMIO_MAX_CMDLINE);
		return -E2BIG;
	}
	cmdline_devices[nr_cmdline_devices++] = d;
	return 0;
}
KPARAM_CUSTOM(virtio_mmio_device, "virtio_mmio.device",
	      "virtio_mmio.device=SIZE@BASE:IRQ[:ID]", set_device, false, true,
	      "a virtio-mmio device the platform does not announce otherwise");

const struct virtio_mmio_desc *virtio_mmio_cmdline_devices(unsigned *count)
{
	*count = nr_cmdline_devices;
	return cmdline_devices;
}
