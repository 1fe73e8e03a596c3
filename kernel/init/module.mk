INITRD_SRCS := kernel/init/initrd.c
KERNEL_SRCS += kernel/init/main.c $(INITRD_SRCS)
