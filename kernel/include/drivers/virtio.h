/*
 * virtio (modern, 1.0+): devices, their transport, split virtqueues, and
 * the drivers that bind to them.
 *
 * A transport (virtio-mmio in mmio.c, virtio-pci in pci.c) finds devices
 * and implements struct virtio_transport_ops; the core negotiates
 * features, sets up queues and dispatches interrupts; a driver (struct
 * virtio_driver, one static table in drivers.c) claims devices by device
 * id.
 */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <kernel/spinlock.h>
#include <kernel/types.h>

/* Device status bits (virtio 1.x, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

#define VIRTIO_F_INDIRECT_DESC (1ULL << 28)
#define VIRTIO_F_VERSION_1 (1ULL << 32)

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG 4

struct virtio_device;
struct virtqueue;

struct virtio_transport_ops {
	uint64_t (*get_features)(struct virtio_device *vd);
	void (*set_features)(struct virtio_device *vd, uint64_t features);
	uint8_t (*get_status)(struct virtio_device *vd);
	void (*set_status)(struct virtio_device *vd, uint8_t status);
	/* Queue @index: its size limit (0: no such queue). */
	unsigned (*queue_max)(struct virtio_device *vd, unsigned index);
	/* Tells the device where the rings of @vq are and enables it. */
	int (*queue_enable)(struct virtio_device *vd, struct virtqueue *vq);
	void (*notify)(struct virtio_device *vd, unsigned index);
	/* Reads and acknowledges the interrupt cause (bit 0: used buffers). */
	uint32_t (*interrupt_ack)(struct virtio_device *vd);
	/* Routes the device's interrupt to @fn(vd). */
	int (*interrupt_setup)(struct virtio_device *vd);
	void (*config_read)(struct virtio_device *vd, unsigned off, void *buf,
			    size_t len);
};

struct virtio_device {
	const struct virtio_transport_ops *ops;
	uint32_t device_id;
	char where[40];	   /* for messages: "mmio@0xfeb02e00 irq 47" */
	void *transport;   /* the transport's own state */
	void *driver_data; /* the driver's own state */
	struct virtqueue *queues[4];
	unsigned nr_queues;
	uint64_t interrupts; /* count, for tests and statistics */
};

/*
 * A split virtqueue: descriptor table, available ring and used ring in one
 * zeroed allocation. Buffers are added with a token that comes back when
 * the device is done with them. lock protects everything below it.
 */
struct virtqueue {
	struct virtio_device *vd;
	unsigned index, size;
	spinlock_t lock;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	void **tokens;	    /* by head descriptor */
	void **tables;	    /* by head: its indirect table, or NULL */
	uint16_t free_head; /* free descriptors, chained through next */
	unsigned nr_free;
	uint16_t last_used; /* next used-ring entry to look at */
	void (*done)(struct virtqueue *vq); /* interrupt: buffers are back */
};

/* One buffer of a request: kernel memory, written by the device or not. */
struct virtq_buf {
	void *addr;
	uint32_t len;
	bool device_writes;
};

/*
 * Negotiates features: the device's, limited to @wanted (VERSION_1 is
 * always required). Returns the features in force, or 0 when the device
 * refused them (FAILED is then set).
 */
uint64_t virtio_negotiate(struct virtio_device *vd, uint64_t wanted);
/* Sets up queue @index; @done runs from the interrupt. ERR_PTR on failure. */
struct virtqueue *virtio_queue_create(struct virtio_device *vd, unsigned index,
				      void (*done)(struct virtqueue *vq));
/* Sets DRIVER_OK and routes the interrupt: the device may start. */
int virtio_device_ready(struct virtio_device *vd);
/*
 * Adds a request of @n buffers; -ENOSPC when the ring is full. On a queue
 * set to indirect (the device offered VIRTIO_F_INDIRECT_DESC), a request
 * of several buffers takes one descriptor of the ring, pointing at a table
 * of its own.
 */
int virtq_add(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned n,
	      void *token);
void virtq_kick(struct virtqueue *vq);
/* Requests of several buffers go indirect (negotiated by the driver). */
int virtq_set_indirect(struct virtqueue *vq);
/*
 * Interrupt suppression (a hint the device may ignore): off while the
 * driver drains the used ring anyway, or for good on a queue it reclaims
 * as it adds. Turning them back on returns false when buffers came back
 * meanwhile: the driver drains again, or it would wait for an interrupt
 * that is not coming.
 */
void virtq_disable_interrupts(struct virtqueue *vq);
bool virtq_enable_interrupts(struct virtqueue *vq);
/* Whether the device has finished requests not yet taken (a hint). */
bool virtq_has_used(const struct virtqueue *vq);
/* The next finished request's token (and bytes written), or NULL. */
void *virtq_get_used(struct virtqueue *vq, uint32_t *len);
/* The transport's interrupt entry: acknowledges and runs queues' done. */
void virtio_interrupt(struct virtio_device *vd);
/* An interrupt for @vq alone (an MSI-X vector of its own): runs its done. */
void virtio_queue_interrupt(struct virtqueue *vq);

struct virtio_driver {
	const char *name;
	uint32_t device_id;
	int (*probe)(struct virtio_device *vd);
};

/* Offers @vd to the drivers; false when none claims it. */
bool virtio_bind(struct virtio_device *vd);

/* Driver probes, named in drivers.c's table. */
int virtio_rng_probe(struct virtio_device *vd);
int virtio_net_probe(struct virtio_device *vd);

/* virtio-net (net.c): the devices found, in probe order. */
struct virtio_net;
struct virtio_net *virtio_net_device(unsigned i);
const uint8_t *virtio_net_mac(const struct virtio_net *n);
/* Buffers a 64 KiB frame can span (a page each, header in the first). */
#define VIRTIO_NET_FRAME_PARTS 17
/*
 * A received Ethernet frame, in the device's buffers (valid during the
 * call). With @needs_csum the device left a TCP or UDP checksum to finish:
 * the ones' complement sum of the frame from @csum_start goes, inverted,
 * at @csum_start + @csum_offset (the field holds the pseudo-header sum).
 */
struct virtio_net_frame {
	const void *part[VIRTIO_NET_FRAME_PARTS];
	uint32_t len[VIRTIO_NET_FRAME_PARTS];
	unsigned nparts;
	size_t total; /* bytes, all parts */
	bool needs_csum;
	uint16_t csum_start, csum_offset;
};
/* Frames received go to @fn (in the device's worker thread). */
void virtio_net_set_rx(struct virtio_net *n,
		       void (*fn)(void *ctx, const struct virtio_net_frame *f),
		       void *ctx);
/*
 * What the device is asked to do to a frame it sends: finish the checksum
 * over the bytes from @csum_start (stored at @csum_start + @csum_offset,
 * where the pseudo-header sum is), and with @gso_size cut the TCP/IPv4
 * segment into segments of @gso_size payload bytes, each behind a copy of
 * the first @hdr_len bytes (Ethernet, IP and TCP headers).
 */
struct virtio_net_offload {
	uint16_t csum_start, csum_offset;
	uint16_t hdr_len, gso_size;
};
/*
 * Sends one Ethernet frame of @len bytes, which @copy writes straight into
 * the device's buffers, a piece at a time in order (bytes @off to
 * @off + @len of the frame). Without @o, one frame of at most 2028 bytes
 * as it is; with @o (only where virtio_net_tso4() says so), up to 64 KiB.
 * 0 or -ENOSPC/-EMSGSIZE/-ENOMEM.
 */
int virtio_net_tx(struct virtio_net *n, const struct virtio_net_offload *o,
		  size_t len,
		  void (*copy)(void *dst, size_t off, size_t len, void *arg),
		  void *arg);
/* The most parts virtio_net_tx_parts takes. */
#define VIRTIO_NET_TX_PARTS 48
/*
 * Sends one frame with @o (a large TCP segment) without copying it: its
 * @hdr_len bytes of headers at @hdr, then @nparts parts of memory that the
 * device reads in place. The caller lends them: @release(@refs[i]) is
 * called for each of @nrefs refs once the device has sent the frame (from
 * a later send, or virtio_net_tx_idle). Only where the device takes TSO4
 * and indirect descriptors (-EOPNOTSUPP otherwise); on any error nothing
 * was lent. 0 or -errno.
 */
int virtio_net_tx_parts(struct virtio_net *n,
			const struct virtio_net_offload *o, const void *hdr,
			size_t hdr_len, const struct virtq_buf *parts,
			unsigned nparts, void (*release)(void *ref),
			void *const *refs, unsigned nrefs);
/* Whether the device takes checksum and TCP segmentation requests. */
bool virtio_net_tso4(const struct virtio_net *n);
/*
 * Frames the device has sent give their buffers back, and what they were
 * lent goes back to its owner, now rather than at the next send.
 */
void virtio_net_tx_reclaim(struct virtio_net *n);
/* Whether the device has sent every frame it was given. */
bool virtio_net_tx_idle(struct virtio_net *n);

/* virtio-rng (rng.c): fills @buf from the device; bytes read, or -errno. */
ssize_t virtio_rng_read(void *buf, size_t len);
/* Whether a virtio-rng device is in use, and its interrupt count. */
bool virtio_rng_present(uint64_t *interrupts);

#endif
