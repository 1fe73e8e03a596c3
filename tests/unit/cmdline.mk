$(eval $(call unit_test,cmdline,kernel/lib/cmdline.c kernel/drivers/virtio/mmio_cmdline.c tests/unit/test_cmdline.c))
