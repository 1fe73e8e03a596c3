/*
 * virtio-net (virtio 1.x, 5.1): queue 0 receives, queue 1 transmits; each
 * frame travels behind a 12-byte virtio_net_hdr (no offloads negotiated
 * yet). NR_RX receive buffers are always offered to the device.
 *
 * The used rings are drained by a kernel thread per device, woken by the
 * interrupt: the stack above (lwIP) takes locks that sleep, which an
 * interrupt handler must not. Transmit copies the frame into a buffer of
 * its own and reclaims finished ones before adding more.
 */
#include <drivers/virtio.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/waitq.h>

#define VIRTIO_NET_F_MAC (1ULL << 5)
#define NET_HDR_LEN 12
#define NET_BUF_LEN 2048
#define NR_RX 64
#define MAX_NET_DEVICES 4

struct virtio_net {
	struct virtio_device *vd;
	struct virtqueue *rx, *tx;
	uint8_t mac[6];
	struct waitq wq; /* the worker sleeps here; lock protects pending */
	bool pending;	 /* the device signalled since the worker looked */
	struct mutex tx_lock; /* serialises transmitters */
	void (*rx_fn)(void *ctx, const void *frame, size_t len);
	void *rx_ctx;
	uint64_t rx_frames, tx_frames, rx_dropped;
};

static struct virtio_net *devices[MAX_NET_DEVICES];
static unsigned nr_devices;

static int post_rx(struct virtio_net *n, char *buf)
{
	struct virtq_buf b = { buf, NET_BUF_LEN, true };
	return virtq_add(n->rx, &b, 1, buf);
}

static void net_irq_done(struct virtqueue *vq)
{
	struct virtio_net *n = vq->vd->driver_data;
	unsigned long flags = spin_lock_irqsave(&n->wq.lock);
	n->pending = true;
	waitq_wake_all_locked(&n->wq);
	spin_unlock_irqrestore(&n->wq.lock, flags);
}

static void reclaim_tx(struct virtio_net *n)
{
	void *buf;
	while ((buf = virtq_get_used(n->tx, NULL)) != NULL)
		kfree(buf);
}

static void net_worker(void *arg)
{
	struct virtio_net *n = arg;
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&n->wq.lock);
		while (!n->pending)
			waitq_sleep_locked(&n->wq, &flags, DEADLINE_NONE);
		n->pending = false;
		spin_unlock_irqrestore(&n->wq.lock, flags);

		char *buf;
		uint32_t len;
		bool reposted = false;
		while ((buf = virtq_get_used(n->rx, &len)) != NULL) {
			if (len > NET_HDR_LEN && len <= NET_BUF_LEN &&
			    n->rx_fn) {
				n->rx_fn(n->rx_ctx, buf + NET_HDR_LEN,
					 len - NET_HDR_LEN);
				n->rx_frames++;
			} else {
				n->rx_dropped++; /* runt, oversized, or no stack */
			}
			post_rx(n, buf);
			reposted = true;
		}
		if (reposted)
			virtq_kick(n->rx);
		mutex_lock(&n->tx_lock);
		reclaim_tx(n);
		mutex_unlock(&n->tx_lock);
	}
}

int virtio_net_tx(struct virtio_net *n, const void *frame, size_t len)
{
	if (len == 0 || len > NET_BUF_LEN - NET_HDR_LEN)
		return -EMSGSIZE;
	char *buf = kzalloc(NET_HDR_LEN + len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf + NET_HDR_LEN, frame, len);
	struct virtq_buf b = { buf, (uint32_t)(NET_HDR_LEN + len), false };
	mutex_lock(&n->tx_lock);
	reclaim_tx(n);
	int ret = virtq_add(n->tx, &b, 1, buf);
	if (ret == 0) {
		virtq_kick(n->tx);
		n->tx_frames++;
	}
	mutex_unlock(&n->tx_lock);
	if (ret)
		kfree(buf);
	return ret;
}

void virtio_net_set_rx(struct virtio_net *n,
		       void (*fn)(void *ctx, const void *frame, size_t len),
		       void *ctx)
{
	n->rx_ctx = ctx;
	__atomic_store_n(&n->rx_fn, fn, __ATOMIC_RELEASE);
}

struct virtio_net *virtio_net_device(unsigned i)
{
	return i < nr_devices ? devices[i] : NULL;
}

const uint8_t *virtio_net_mac(const struct virtio_net *n)
{
	return n->mac;
}

int virtio_net_probe(struct virtio_device *vd)
{
	if (nr_devices == MAX_NET_DEVICES)
		return -EBUSY;
	struct virtio_net *n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	uint64_t f = virtio_negotiate(vd, VIRTIO_NET_F_MAC);
	if (!f)
		goto err_free;
	if (f & VIRTIO_NET_F_MAC)
		vd->ops->config_read(vd, 0, n->mac, 6);
	else /* locally administered, from the device's place */
		memcpy(n->mac, "\x02\x00\x00\x00\x00\x01", 6);
	vd->driver_data = n;
	n->vd = vd;
	waitq_init(&n->wq);
	mutex_init(&n->tx_lock);
	n->rx = virtio_queue_create(vd, 0, net_irq_done);
	n->tx = virtio_queue_create(vd, 1, net_irq_done);
	if (IS_ERR(n->rx) || IS_ERR(n->tx))
		goto err_free;
	for (int i = 0; i < NR_RX; i++) {
		char *buf = kmalloc(NET_BUF_LEN);
		if (!buf || post_rx(n, buf)) {
			kfree(buf);
			break;
		}
	}
	struct thread *t = thread_create("virtio-net", net_worker, n);
	if (IS_ERR(t))
		goto err_free;
	thread_detach(t);
	if (virtio_device_ready(vd))
		goto err_free;
	virtq_kick(n->rx);
	devices[nr_devices++] = n;
	pr_info("virtio-net: %02x:%02x:%02x:%02x:%02x:%02x at %s", n->mac[0],
		n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5],
		vd->where);
	return 0;

err_free:
	/* Queues and a started worker stay with the dead device. */
	pr_warn("virtio-net: %s could not be set up", vd->where);
	return -EIO;
}
