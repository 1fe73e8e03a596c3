# lwIP as Debian ships it (liblwip0), embedded in the kernel image.
LWIP_SO := /usr/lib/x86_64-linux-gnu/liblwip.so.0
KERNEL_SRCS += kernel/net/lwip_image.S kernel/net/lwip.c
$(BUILD)/kernel/net/lwip_image.S.o: $(LWIP_SO)
