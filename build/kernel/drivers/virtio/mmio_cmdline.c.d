build/kernel/drivers/virtio/mmio_cmdline.c.o: \
 kernel/drivers/virtio/mmio_cmdline.c \
 kernel/include/drivers/virtio_mmio.h kernel/include/kernel/types.h \
 kernel/include/kernel/cmdline.h kernel/include/kernel/errno.h \
 kernel/include/kernel/printk.h
kernel/include/drivers/virtio_mmio.h:
kernel/include/kernel/types.h:
kernel/include/kernel/cmdline.h:
kernel/include/kernel/errno.h:
kernel/include/kernel/printk.h:
