/*
 * virtio-mmio devices named on the command line. Firecracker (and Linux
 * users) describe each device as `virtio_mmio.device=SIZE@BASE:IRQ[:ID]`;
 * the option is parsed and recorded here at boot, and the virtio-mmio
 * transport probes these devices in addition to the ones it finds itself.
 */
#ifndef DRIVERS_VIRTIO_MMIO_H
#define DRIVERS_VIRTIO_MMIO_H

#include <kernel/types.h>

#define VIRTIO_MMIO_MAX_CMDLINE 32

struct virtio_mmio_desc {
	uint64_t base; /* physical address of the register window */
	uint64_t size; /* bytes, at least one page */
	unsigned irq;  /* GSI */
	unsigned id;   /* platform device id, or 0 */
};

/*
 * Parses one SIZE@BASE:IRQ[:ID] value: SIZE with an optional K, M or G
 * suffix, BASE and IRQ decimal or 0x-hex. Returns 0 or -EINVAL.
 */
int virtio_mmio_parse_desc(const char *s, struct virtio_mmio_desc *out);
/* Finds the virtio-mmio devices (microvm's window, the options) and binds drivers. */
void virtio_mmio_probe(void);
/* The devices given with virtio_mmio.device=, in command-line order. */
const struct virtio_mmio_desc *virtio_mmio_cmdline_devices(unsigned *count);

#endif
