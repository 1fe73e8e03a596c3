KERNEL_SRCS += kernel/drivers/virtio/mmio_cmdline.c
