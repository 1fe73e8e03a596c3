KERNEL_SRCS += kernel/drivers/virtio/mmio_cmdline.c \
	kernel/drivers/virtio/virtio.c kernel/drivers/virtio/mmio.c kernel/drivers/virtio/pci.c \
	kernel/drivers/virtio/drivers.c kernel/drivers/virtio/rng.c \
	kernel/drivers/virtio/net.c
