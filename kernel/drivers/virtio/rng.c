/*
 * virtio-rng (virtio 1.x, 5.4): one queue; the driver offers empty
 * buffers and the device fills them with entropy from the host. A read
 * waits for its buffer with a deadline, so a device that never answers
 * costs a message and an error, not a hung getrandom().
 */
#include <drivers/virtio.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/waitq.h>

#define RNG_TIMEOUT_NS NSEC_PER_SEC
#define RNG_CHUNK 256

static struct {
	struct virtio_device *vd;
	struct virtqueue *vq;
	struct mutex lock; /* one request at a time */
	struct waitq wq;   /* the requester sleeps here */
	char buf[RNG_CHUNK];
	bool done; /* the device returned buf; wq.lock */
	uint32_t got;
} rng;

static void rng_done(struct virtqueue *vq)
{
	uint32_t len;
	if (!virtq_get_used(vq, &len))
		return;
	unsigned long flags = spin_lock_irqsave(&rng.wq.lock);
	rng.got = len;
	rng.done = true;
	waitq_wake_all_locked(&rng.wq);
	spin_unlock_irqrestore(&rng.wq.lock, flags);
}

ssize_t virtio_rng_read(void *buf, size_t len)
{
	if (!rng.vq)
		return -ENODEV;
	len = MIN(len, (size_t)RNG_CHUNK);
	mutex_lock(&rng.lock);
	struct virtq_buf b = { rng.buf, (uint32_t)len, true };
	rng.done = false;
	ssize_t ret = virtq_add(rng.vq, &b, 1, rng.buf);
	if (ret == 0) {
		virtq_kick(rng.vq);
		uint64_t deadline = clock_monotonic_ns() + RNG_TIMEOUT_NS;
		unsigned long flags = spin_lock_irqsave(&rng.wq.lock);
		while (!rng.done && ret == 0)
			ret = waitq_sleep_locked(&rng.wq, &flags, deadline);
		spin_unlock_irqrestore(&rng.wq.lock, flags);
		if (rng.done) {
			ret = MIN(rng.got, (uint32_t)len);
			memcpy(buf, rng.buf, (size_t)ret);
		} else {
			pr_err("virtio-rng: %s did not answer within 1 s; not used any more",
			       rng.vd->where);
			rng.vq = NULL; /* its buffer is the device's now */
			ret = -EIO;
		}
	}
	mutex_unlock(&rng.lock);
	return ret;
}

bool virtio_rng_present(uint64_t *interrupts)
{
	if (interrupts)
		*interrupts = rng.vd ? rng.vd->interrupts : 0;
	return rng.vq != NULL;
}

int virtio_rng_probe(struct virtio_device *vd)
{
	if (rng.vd) {
		pr_info("virtio-rng: %s: one device is enough; ignored",
			vd->where);
		return -EBUSY;
	}
	if (!virtio_negotiate(vd, 0))
		return -EIO;
	struct virtqueue *vq = virtio_queue_create(vd, 0, rng_done);
	if (IS_ERR(vq))
		return (int)PTR_ERR(vq);
	mutex_init(&rng.lock);
	waitq_init(&rng.wq);
	rng.vd = vd;
	int ret = virtio_device_ready(vd);
	if (ret)
		return ret;
	rng.vq = vq;
	pr_info("virtio-rng: ready at %s", vd->where);
	return 0;
}

/*
 * With a device: two reads give bytes (not all zero, not the same twice),
 * and each answer came with an interrupt. Without one, reads say -ENODEV.
 */
SELFTEST(virtio_rng)
{
	uint8_t a[64] = { 0 }, b[64] = { 0 }, zero[64] = { 0 };
	uint64_t irqs0, irqs1;

	if (!virtio_rng_present(&irqs0)) {
		ST_CHECK(virtio_rng_read(a, sizeof(a)) == -ENODEV,
			 "read without a device");
		console_printf(
			"selftest: virtio_rng: no device (QEMU: -device virtio-rng-device, or virtio-rng-pci on q35/pc)\n");
		return 0;
	}
	ST_CHECK(virtio_rng_read(a, sizeof(a)) == sizeof(a), "first read");
	ST_CHECK(virtio_rng_read(b, sizeof(b)) == sizeof(b), "second read");
	ST_CHECK(memcmp(a, zero, sizeof(a)) && memcmp(a, b, sizeof(a)),
		 "the bytes are not random");
	virtio_rng_present(&irqs1);
	ST_CHECK(irqs1 >= irqs0 + 2, "%lu interrupts for two reads",
		 irqs1 - irqs0);
	return 0;
}
