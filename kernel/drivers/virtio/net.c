/*
 * virtio-net (virtio 1.x, 5.1): queue 0 receives, queue 1 transmits; each
 * frame travels behind a 12-byte virtio_net_hdr. NR_RX receive buffers of
 * a page each are always offered to the device.
 *
 * Receive offloads, where the device offers them: with mergeable buffers
 * (MRG_RXBUF) a frame may span several buffers (num_buffers in its first
 * header), which lets the device hand over large TCP segments (GUEST_TSO4:
 * up to 64 KiB, the host's own segments unsplit) with the checksum left
 * for the receiver (GUEST_CSUM: NEEDS_CSUM, csum_start, csum_offset). The
 * stack above gets the frame as its buffers plus that checksum request.
 *
 * Transmit offloads, where the device offers them: the stack may hand
 * over a TCP segment of up to 64 KiB with its checksum left to the device
 * (CSUM) and the device's own segmentation at a given size (HOST_TSO4).
 * Such a frame goes as a chain of buffers.
 *
 * The used rings are drained by a kernel thread per device, woken by the
 * interrupt: the stack above (lwIP) takes locks that sleep, which an
 * interrupt handler must not; it turns receive interrupts off while it
 * drains the ring. Transmit copies the frame into buffers of its own, or
 * (virtio_net_tx_parts) copies only its headers and lets the device read
 * the rest where the sender keeps it, lent until it is sent; it reclaims
 * sent frames (buffers onto a free list) before adding more, so the
 * transmit queue interrupts only when it is full: the sender then waits
 * for the device to send some (TX_WAIT_NS at most) rather than drop the
 * frame, which TCP would only recover by retransmitting. A frame of
 * several buffers takes one ring descriptor where the device offers
 * indirect descriptors, so the 256 of a ring hold 256 large frames, not 7.
 */
#include <drivers/virtio.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/waitq.h>

#define VIRTIO_NET_F_CSUM (1ULL << 0)
#define VIRTIO_NET_F_GUEST_CSUM (1ULL << 1)
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define VIRTIO_NET_F_GUEST_TSO4 (1ULL << 7)
#define VIRTIO_NET_F_HOST_TSO4 (1ULL << 11)
#define VIRTIO_NET_F_MRG_RXBUF (1ULL << 15)
#define NET_HDR_F_NEEDS_CSUM 1
#define NET_HDR_GSO_TCPV4 1
#define NET_HDR_LEN 12
#define NET_BUF_LEN 4096 /* a receive buffer */
/*
 * A transmit buffer: frame bytes (behind the header in the first buffer
 * of a frame), and at its end the next buffer of the same frame and, in a
 * frame's first, what the sender lent the device (virtio_net_tx_parts;
 * kept in that buffer too, behind the frame's headers).
 */
struct tx_lent {
	void (*release)(void *ref);
	unsigned n;
	void *ref[VIRTIO_NET_TX_PARTS];
};
struct tx_tail {
	void *next;
	struct tx_lent *lent;
};
#define TX_BUF_LEN 2048
#define TX_ROOM (TX_BUF_LEN - sizeof(struct tx_tail))
#define TX_MAX_FRAME (14 + 65535) /* Ethernet header and an IPv4 packet */
#define TX_MAX_PARTS ((NET_HDR_LEN + TX_MAX_FRAME + TX_ROOM - 1) / TX_ROOM)
#define TX_FREE_MAX 1024 /* sent buffers kept for reuse, 2 MiB */
#define TX_WAIT_NS (1ULL * NSEC_PER_SEC)
#define NR_RX 128
#define MAX_NET_DEVICES 4

struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
	uint16_t num_buffers; /* MRG_RXBUF: buffers this frame spans */
} __packed;

struct virtio_net {
	struct virtio_device *vd;
	struct virtqueue *rx, *tx;
	uint8_t mac[6];
	struct waitq wq; /* the worker sleeps here; lock protects pending */
	bool pending;	 /* the device signalled since the worker looked */
	struct mutex tx_lock; /* serialises transmitters; protects tx_free */
	void *tx_free;	      /* sent buffers for reuse, chained through
			         their first bytes */
	unsigned tx_nr_free;
	bool tx_stuck;	    /* a wait for room timed out; none since */
	bool tx_was_full;   /* said once */
	struct waitq tx_wq; /* a sender waits for room; lock protects tx_back */
	bool tx_back;	    /* the device gave transmit buffers back */
	bool mergeable;	    /* MRG_RXBUF negotiated */
	bool tso4;	    /* CSUM and HOST_TSO4 negotiated */
	void (*rx_fn)(void *ctx, const struct virtio_net_frame *f);
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

/* From an interrupt: sets *@flag, which @wq's lock protects, and wakes. */
static void wake_on(struct waitq *wq, bool *flag)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	*flag = true;
	waitq_wake_all_locked(wq);
	spin_unlock_irqrestore(&wq->lock, flags);
}

static void net_tx_done(struct virtqueue *vq)
{
	struct virtio_net *n = vq->vd->driver_data;
	wake_on(&n->tx_wq, &n->tx_back);
}

static void net_irq_done(struct virtqueue *vq)
{
	struct virtio_net *n = vq->vd->driver_data;
	wake_on(&n->wq, &n->pending);
}

static struct tx_tail *tx_tail(void *buf)
{
	return (struct tx_tail *)((char *)buf + TX_ROOM);
}

/*
 * @buf and the buffers chained after it go on the free list; what the
 * frame was lent goes back to its owner.
 */
static void free_tx_chain_locked(struct virtio_net *n, void *buf)
{
	struct tx_lent *lent = buf ? tx_tail(buf)->lent : NULL;
	if (lent)
		for (unsigned i = 0; i < lent->n; i++)
			lent->release(lent->ref[i]);
	while (buf) {
		void *next = tx_tail(buf)->next;
		if (n->tx_nr_free < TX_FREE_MAX) {
			*(void **)buf = n->tx_free;
			n->tx_free = buf;
			n->tx_nr_free++;
		} else {
			kfree(buf);
		}
		buf = next;
	}
}

/* Frames the device has sent give their buffers back (a ring's worth). */
static void reclaim_tx_locked(struct virtio_net *n)
{
	void *buf;
	while ((buf = virtq_get_used(n->tx, NULL)) != NULL) {
		free_tx_chain_locked(n, buf);
		n->tx_stuck = false;
	}
}

static void *alloc_tx_locked(struct virtio_net *n)
{
	void *buf = n->tx_free;
	if (buf) {
		n->tx_free = *(void **)buf;
		n->tx_nr_free--;
	} else {
		buf = kmalloc(TX_BUF_LEN);
	}
	if (buf)
		*tx_tail(buf) = (struct tx_tail){ NULL, NULL };
	return buf;
}

/*
 * One frame, starting in @buf (@len bytes, header included): gathers the
 * buffers it spans, hands it up, and gives every buffer back to the
 * device. A frame that claims more buffers than came, or than a 64 KiB
 * frame needs, is dropped, its buffers still given back.
 */
static void receive(struct virtio_net *n, char *buf, uint32_t len)
{
	const struct virtio_net_hdr *h = (const void *)buf;
	unsigned want = n->mergeable ? h->num_buffers : 1;
	struct virtio_net_frame f = {
		.needs_csum = h->flags & NET_HDR_F_NEEDS_CSUM,
		.csum_start = h->csum_start,
		.csum_offset = h->csum_offset,
	};
	char *bufs[VIRTIO_NET_FRAME_PARTS];
	bool ok = want >= 1 && want <= VIRTIO_NET_FRAME_PARTS &&
		  len > NET_HDR_LEN && len <= NET_BUF_LEN;
	unsigned got = 0;
	for (;;) {
		if (got < VIRTIO_NET_FRAME_PARTS) {
			bufs[got] = buf;
			f.part[got] = buf + (got ? 0 : NET_HDR_LEN);
			f.len[got] = len - (got ? 0 : NET_HDR_LEN);
			f.total += f.len[got];
		} else {
			post_rx(n, buf);
		}
		ok = ok && len <= NET_BUF_LEN;
		if (++got >= want || got >= n->rx->size)
			break;
		buf = virtq_get_used(n->rx, &len);
		if (!buf) {
			ok = false; /* the device said more buffers would come */
			break;
		}
	}
	f.nparts = MIN(got, VIRTIO_NET_FRAME_PARTS);
	if (ok && n->rx_fn) {
		n->rx_fn(n->rx_ctx, &f);
		n->rx_frames++;
	} else {
		n->rx_dropped++; /* runt, oversized, or no stack */
	}
	for (unsigned i = 0; i < f.nparts; i++)
		post_rx(n, bufs[i]);
}

static void net_worker(void *arg)
{
	struct virtio_net *n = arg;
	/* Readers it wakes run here once it sleeps (kernel/sched). */
	thread_current()->wakes_here = true;
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&n->wq.lock);
		while (!n->pending)
			waitq_sleep_locked(&n->wq, &flags, DEADLINE_NONE);
		n->pending = false;
		spin_unlock_irqrestore(&n->wq.lock, flags);

		/* No receive interrupts while the ring is drained anyway. */
		do {
			virtq_disable_interrupts(n->rx);
			char *buf;
			uint32_t len;
			bool reposted = false;
			while ((buf = virtq_get_used(n->rx, &len)) != NULL) {
				receive(n, buf, len);
				reposted = true;
			}
			if (reposted)
				virtq_kick(n->rx);
		} while (!virtq_enable_interrupts(n->rx));
	}
}

/*
 * The transmit ring is full: waits, with the queue's interrupt on, until
 * the device gives buffers back or @deadline passes (-ETIMEDOUT).
 */
static int wait_tx_room_locked(struct virtio_net *n, uint64_t deadline)
{
	if (!n->tx_was_full) {
		n->tx_was_full = true;
		pr_info("virtio-net: %s: transmit ring full; senders wait for the device",
			n->vd->where);
	}
	unsigned long flags = spin_lock_irqsave(&n->tx_wq.lock);
	n->tx_back = false;
	spin_unlock_irqrestore(&n->tx_wq.lock, flags);
	int ret = 0;
	if (virtq_enable_interrupts(n->tx)) {
		flags = spin_lock_irqsave(&n->tx_wq.lock);
		while (!n->tx_back && ret == 0)
			ret = waitq_sleep_locked(&n->tx_wq, &flags, deadline);
		spin_unlock_irqrestore(&n->tx_wq.lock, flags);
	}
	virtq_disable_interrupts(n->tx);
	reclaim_tx_locked(n);
	return ret;
}

/*
 * Frame @b (@nb buffers, the first starting with room for the header)
 * goes to the device with the header for @o, waiting for room in a full
 * ring (TX_WAIT_NS at most). On failure the buffers are the caller's.
 */
static int submit_locked(struct virtio_net *n,
			 const struct virtio_net_offload *o,
			 const struct virtq_buf *b, unsigned nb)
{
	struct virtio_net_hdr *h = b[0].addr;
	memset(h, 0, NET_HDR_LEN);
	if (o) {
		h->flags = NET_HDR_F_NEEDS_CSUM;
		h->csum_start = o->csum_start;
		h->csum_offset = o->csum_offset;
		if (o->gso_size) {
			h->gso_type = NET_HDR_GSO_TCPV4;
			h->hdr_len = o->hdr_len;
			h->gso_size = o->gso_size;
		}
	}
	uint64_t deadline = clock_monotonic_ns() + TX_WAIT_NS;
	int ret;
	while ((ret = virtq_add(n->tx, b, nb, b[0].addr)) == -ENOSPC) {
		if (n->tx_stuck || wait_tx_room_locked(n, deadline)) {
			if (!n->tx_stuck)
				pr_warn("virtio-net: %s: the device sent nothing in %llu ms; dropping frames until it does",
					n->vd->where,
					TX_WAIT_NS / NSEC_PER_MSEC);
			n->tx_stuck = true;
			return ret;
		}
	}
	virtq_kick(n->tx);
	n->tx_frames++;
	return 0;
}

int virtio_net_tx(struct virtio_net *n, const struct virtio_net_offload *o,
		  size_t len,
		  void (*copy)(void *dst, size_t off, size_t len, void *arg),
		  void *arg)
{
	size_t max = o ? (n->tso4 ? TX_MAX_FRAME : 0) : TX_ROOM - NET_HDR_LEN;
	if (len == 0 || len > max)
		return -EMSGSIZE;
	struct virtq_buf b[TX_MAX_PARTS];
	unsigned nb = 0;
	int ret = 0;
	mutex_lock(&n->tx_lock);
	reclaim_tx_locked(n);
	/* The header, then the frame, TX_ROOM bytes a buffer. */
	for (size_t done = 0, room; done < len; done += room) {
		char *buf = alloc_tx_locked(n);
		if (!buf) {
			ret = -ENOMEM;
			break;
		}
		if (nb)
			tx_tail(b[nb - 1].addr)->next = buf;
		size_t hdr = nb ? 0 : NET_HDR_LEN;
		room = MIN(TX_ROOM - hdr, len - done);
		b[nb++] = (struct virtq_buf){ buf, (uint32_t)(hdr + room),
					      false };
		copy(buf + hdr, done, room, arg);
	}
	if (ret == 0)
		ret = submit_locked(n, o, b, nb);
	if (ret && nb)
		free_tx_chain_locked(n, b[0].addr);
	mutex_unlock(&n->tx_lock);
	return ret;
}

int virtio_net_tx_parts(struct virtio_net *n,
			const struct virtio_net_offload *o, const void *hdr,
			size_t hdr_len, const struct virtq_buf *parts,
			unsigned nparts, void (*release)(void *ref),
			void *const *refs, unsigned nrefs)
{
	if (!n->tx->tables || !n->tso4)
		return -EOPNOTSUPP;
	size_t len = hdr_len;
	for (unsigned i = 0; i < nparts; i++)
		len += parts[i].len;
	size_t lent_at = ALIGN_UP(NET_HDR_LEN + hdr_len, sizeof(void *));
	if (lent_at + sizeof(struct tx_lent) > TX_ROOM ||
	    nparts > VIRTIO_NET_TX_PARTS || nrefs > VIRTIO_NET_TX_PARTS ||
	    len > TX_MAX_FRAME)
		return -EMSGSIZE;
	struct virtq_buf b[1 + VIRTIO_NET_TX_PARTS];
	int ret = -ENOMEM;
	mutex_lock(&n->tx_lock);
	reclaim_tx_locked(n);
	char *buf = alloc_tx_locked(n);
	if (buf) {
		memcpy(buf + NET_HDR_LEN, hdr, hdr_len);
		b[0] = (struct virtq_buf){ buf,
					   (uint32_t)(NET_HDR_LEN + hdr_len),
					   false };
		memcpy(&b[1], parts, nparts * sizeof(*parts));
		ret = submit_locked(n, o, b, 1 + nparts);
		if (ret == 0) {
			/* Released when the device has sent the frame. */
			struct tx_lent *lent = (void *)(buf + lent_at);
			lent->release = release;
			lent->n = nrefs;
			memcpy(lent->ref, refs, nrefs * sizeof(*refs));
			tx_tail(buf)->lent = lent;
		} else {
			free_tx_chain_locked(n, buf);
		}
	}
	mutex_unlock(&n->tx_lock);
	return ret;
}

void virtio_net_tx_reclaim(struct virtio_net *n)
{
	if (!virtq_has_used(n->tx))
		return;
	mutex_lock(&n->tx_lock);
	reclaim_tx_locked(n);
	mutex_unlock(&n->tx_lock);
}

bool virtio_net_tx_idle(struct virtio_net *n)
{
	mutex_lock(&n->tx_lock);
	reclaim_tx_locked(n);
	bool idle = n->tx->nr_free == n->tx->size;
	mutex_unlock(&n->tx_lock);
	return idle;
}

bool virtio_net_tso4(const struct virtio_net *n)
{
	return n->tso4;
}

void virtio_net_set_rx(struct virtio_net *n,
		       void (*fn)(void *ctx, const struct virtio_net_frame *f),
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
	uint64_t wanted = VIRTIO_NET_F_MAC | VIRTIO_NET_F_GUEST_CSUM |
			  VIRTIO_NET_F_MRG_RXBUF;
	uint64_t offered = vd->ops->get_features(vd);
	/* Large segments need room: only with mergeable buffers. */
	if (offered & VIRTIO_NET_F_MRG_RXBUF)
		wanted |= VIRTIO_NET_F_GUEST_TSO4;
	/* Segmentation by the device needs its checksums. */
	if (offered & VIRTIO_NET_F_CSUM)
		wanted |= VIRTIO_NET_F_CSUM | VIRTIO_NET_F_HOST_TSO4;
	wanted |= VIRTIO_F_INDIRECT_DESC;
	uint64_t f = virtio_negotiate(vd, wanted);
	if (!f)
		goto err_free;
	n->mergeable = f & VIRTIO_NET_F_MRG_RXBUF;
	n->tso4 = (f & VIRTIO_NET_F_CSUM) && (f & VIRTIO_NET_F_HOST_TSO4);
	if (f & VIRTIO_NET_F_MAC)
		vd->ops->config_read(vd, 0, n->mac, 6);
	else /* locally administered, from the device's place */
		memcpy(n->mac, "\x02\x00\x00\x00\x00\x01", 6);
	vd->driver_data = n;
	n->vd = vd;
	waitq_init(&n->wq);
	mutex_init(&n->tx_lock);
	waitq_init(&n->tx_wq);
	n->rx = virtio_queue_create(vd, 0, net_irq_done);
	n->tx = virtio_queue_create(vd, 1, net_tx_done);
	if (IS_ERR(n->rx) || IS_ERR(n->tx))
		goto err_free;
	if ((f & VIRTIO_F_INDIRECT_DESC) && virtq_set_indirect(n->tx))
		goto err_free;
	/* Sent buffers are reclaimed by the next send: no interrupts. */
	virtq_disable_interrupts(n->tx);
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
	pr_info("virtio-net: %02x:%02x:%02x:%02x:%02x:%02x at %s%s%s%s%s",
		n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
		n->mac[5], vd->where,
		(f & VIRTIO_NET_F_GUEST_CSUM) ? ", rx checksum" : "",
		(f & VIRTIO_NET_F_GUEST_TSO4) ? ", rx TSO4" : "",
		n->tso4 ? ", tx checksum and TSO4" : "",
		(f & VIRTIO_F_INDIRECT_DESC) ? ", tx indirect" : "");
	return 0;

err_free:
	/* Queues and a started worker stay with the dead device. */
	pr_warn("virtio-net: %s could not be set up", vd->where);
	return -EIO;
}
