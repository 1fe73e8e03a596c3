/*
 * virtio core: feature negotiation, split virtqueues, interrupt dispatch.
 *
 * A split virtqueue (virtio 1.x, 2.7) is three areas the driver and the
 * device share: the descriptor table (buffers, chained), the available
 * ring (heads the driver offers) and the used ring (heads the device gave
 * back, with the bytes it wrote). Free descriptors are chained through
 * their next fields. The device is notified only when it asks to be
 * (VIRTQ_USED_F_NO_NOTIFY clear); it interrupts when buffers come back,
 * unless the driver asked it not to (VIRTQ_AVAIL_F_NO_INTERRUPT: a driver
 * busy draining the ring, or one that reclaims buffers as it adds them).
 * With VIRTIO_F_INDIRECT_DESC (2.7.5.3) a request of several buffers
 * takes one descriptor, which points at a table of the request's own.
 */
#include <drivers/virtio.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/mm.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/string.h>

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};
#define VIRTQ_USED_F_NO_NOTIFY 1
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

#define VIRTQ_MAX_SIZE 256

uint64_t virtio_negotiate(struct virtio_device *vd, uint64_t wanted)
{
	const struct virtio_transport_ops *ops = vd->ops;
	ops->set_status(vd, 0); /* reset */
	ops->set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	ops->set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	uint64_t offered = ops->get_features(vd);
	if (!(offered & VIRTIO_F_VERSION_1)) {
		pr_warn("virtio: %s: device %u is not a virtio 1.0 device",
			vd->where, vd->device_id);
		goto failed;
	}
	uint64_t features = offered & (wanted | VIRTIO_F_VERSION_1);
	ops->set_features(vd, features);
	uint8_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		    VIRTIO_STATUS_FEATURES_OK;
	ops->set_status(vd, s);
	if (!(ops->get_status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
		pr_warn("virtio: %s: device refused features 0x%lx", vd->where,
			features);
		goto failed;
	}
	return features;
failed:
	ops->set_status(vd, VIRTIO_STATUS_FAILED);
	return 0;
}

struct virtqueue *virtio_queue_create(struct virtio_device *vd, unsigned index,
				      void (*done)(struct virtqueue *vq))
{
	unsigned size = MIN(vd->ops->queue_max(vd, index), VIRTQ_MAX_SIZE);
	if (!size || (size & (size - 1)) ||
	    vd->nr_queues == ARRAY_SIZE(vd->queues))
		return ERR_PTR(-ENODEV);

	struct virtqueue *vq = kzalloc(sizeof(*vq));
	size_t desc_bytes = 16 * size, avail_bytes = 6 + 2 * size,
	       used_bytes = 6 + 8 * size;
	/* The used ring starts 4-byte aligned, the others are smaller. */
	size_t total = ALIGN_UP(desc_bytes + avail_bytes, 4) + used_bytes;
	size_t pages = ALIGN_UP(total, PAGE_SIZE) / PAGE_SIZE;
	char *mem = page_alloc_zeroed(pages);
	void **tokens = kcalloc(size, sizeof(void *));
	if (!vq || !mem || !tokens)
		goto err_free;
	vq->vd = vd;
	vq->index = index;
	vq->size = size;
	vq->done = done;
	spin_lock_init(&vq->lock);
	vq->desc = (struct virtq_desc *)mem;
	vq->avail = (struct virtq_avail *)(mem + desc_bytes);
	vq->used = (struct virtq_used *)(mem +
					 ALIGN_UP(desc_bytes + avail_bytes, 4));
	vq->tokens = tokens;
	for (unsigned i = 0; i < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->nr_free = size;
	if (vd->ops->queue_enable(vd, vq))
		goto err_free;
	vd->queues[vd->nr_queues++] = vq;
	return vq;

err_free:
	kfree(tokens);
	if (mem)
		page_free(mem, pages);
	kfree(vq);
	return ERR_PTR(-ENOMEM);
}

int virtio_device_ready(struct virtio_device *vd)
{
	int ret = vd->ops->interrupt_setup(vd);
	if (ret)
		return ret;
	vd->ops->set_status(vd,
			    vd->ops->get_status(vd) | VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

int virtq_set_indirect(struct virtqueue *vq)
{
	void **tables = kcalloc(vq->size, sizeof(void *));
	if (!tables)
		return -ENOMEM;
	vq->tables = tables;
	return 0;
}

/* Descriptor @d for buffer @b; @more: another follows it in the chain. */
static void set_desc(struct virtq_desc *d, const struct virtq_buf *b, bool more)
{
	d->addr = virt_to_phys(b->addr);
	d->len = b->len;
	d->flags = (uint16_t)((b->device_writes ? VIRTQ_DESC_F_WRITE : 0) |
			      (more ? VIRTQ_DESC_F_NEXT : 0));
}

int virtq_add(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned n,
	      void *token)
{
	struct virtq_desc *table = NULL;
	if (vq->tables && n > 1) {
		table = kmalloc(n * sizeof(*table));
		if (!table)
			return -ENOMEM;
		for (unsigned i = 0; i < n; i++) {
			set_desc(&table[i], &bufs[i], i + 1 < n);
			table[i].next = (uint16_t)(i + 1);
		}
	}
	unsigned ring_n = table ? 1 : n;
	unsigned long flags = spin_lock_irqsave(&vq->lock);
	if (n == 0 || ring_n > vq->nr_free) {
		spin_unlock_irqrestore(&vq->lock, flags);
		kfree(table);
		return -ENOSPC;
	}
	uint16_t head = vq->free_head, d = head;
	if (table) {
		vq->desc[d].addr = virt_to_phys(table);
		vq->desc[d].len = (uint32_t)(n * sizeof(*table));
		vq->desc[d].flags = VIRTQ_DESC_F_INDIRECT;
		vq->tables[head] = table;
	} else {
		for (unsigned i = 0; i < n; i++) {
			set_desc(&vq->desc[d], &bufs[i], i + 1 < n);
			if (i + 1 < n)
				d = vq->desc[d].next;
		}
	}
	vq->free_head = vq->desc[d].next;
	vq->nr_free -= ring_n;
	vq->tokens[head] = token;
	uint16_t idx = vq->avail->idx;
	vq->avail->ring[idx % vq->size] = head;
	/* The device must see the ring entry before the new index. */
	__atomic_store_n(&vq->avail->idx, (uint16_t)(idx + 1),
			 __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&vq->lock, flags);
	return 0;
}

void virtq_kick(struct virtqueue *vq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&vq->used->flags, __ATOMIC_ACQUIRE) &
	      VIRTQ_USED_F_NO_NOTIFY))
		vq->vd->ops->notify(vq->vd, vq->index);
}

void virtq_disable_interrupts(struct virtqueue *vq)
{
	__atomic_store_n(&vq->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT,
			 __ATOMIC_RELEASE);
}

bool virtq_enable_interrupts(struct virtqueue *vq)
{
	__atomic_store_n(&vq->avail->flags, 0, __ATOMIC_RELEASE);
	/* The flag must be visible before the used index is looked at. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) ==
	       vq->last_used;
}

bool virtq_has_used(const struct virtqueue *vq)
{
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&vq->last_used, __ATOMIC_RELAXED);
}

void *virtq_get_used(struct virtqueue *vq, uint32_t *len)
{
	unsigned long flags = spin_lock_irqsave(&vq->lock);
	void *token = NULL, *table = NULL;
	uint16_t used_idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	if (vq->last_used != used_idx) {
		struct virtq_used_elem *e =
			&vq->used->ring[vq->last_used % vq->size];
		vq->last_used++;
		uint32_t head = e->id;
		/* A device handing back a head it was never given is broken. */
		if (head < vq->size && vq->tokens[head]) {
			token = vq->tokens[head];
			vq->tokens[head] = NULL;
			if (vq->tables) {
				table = vq->tables[head];
				vq->tables[head] = NULL;
			}
			if (len)
				*len = e->len;
			/* Return the chain to the free list. */
			uint16_t d = (uint16_t)head;
			unsigned n = 1;
			while ((vq->desc[d].flags & VIRTQ_DESC_F_NEXT) &&
			       n < vq->size) {
				d = vq->desc[d].next;
				n++;
			}
			vq->desc[d].next = vq->free_head;
			vq->free_head = (uint16_t)head;
			vq->nr_free += n;
		} else {
			pr_warn("virtio: %s queue %u: bad used entry %u",
				vq->vd->where, vq->index, head);
		}
	}
	spin_unlock_irqrestore(&vq->lock, flags);
	kfree(table);
	return token;
}

void virtio_queue_interrupt(struct virtqueue *vq)
{
	vq->vd->interrupts++;
	if (vq->done)
		vq->done(vq);
}

void virtio_interrupt(struct virtio_device *vd)
{
	uint32_t cause = vd->ops->interrupt_ack(vd);
	if (!cause)
		return; /* a line shared with another device: not ours */
	vd->interrupts++;
	if (!(cause & 1))
		return;
	for (unsigned i = 0; i < vd->nr_queues; i++)
		if (vd->queues[i]->done)
			vd->queues[i]->done(vd->queues[i]);
}
