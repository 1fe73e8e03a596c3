/*
 * The virtio drivers, in one static table: a device goes to the first
 * driver for its device id whose probe accepts it.
 */
#include <drivers/virtio.h>
#include <kernel/printk.h>

static const struct virtio_driver drivers[] = {
	{ .name = "virtio-net",
	  .device_id = VIRTIO_ID_NET,
	  .probe = virtio_net_probe },
	{ .name = "virtio-rng",
	  .device_id = VIRTIO_ID_RNG,
	  .probe = virtio_rng_probe },
};

bool virtio_bind(struct virtio_device *vd)
{
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
		if (drivers[i].device_id != vd->device_id)
			continue;
		int ret = drivers[i].probe(vd);
		if (ret == 0)
			return true;
		pr_warn("virtio: %s: %s refused the device (%d)", vd->where,
			drivers[i].name, ret);
	}
	return false;
}
