# lwIP as Debian ships it (liblwip0), embedded in the kernel image.
LWIP_SO := /usr/lib/x86_64-linux-gnu/liblwip.so.0
KERNEL_SRCS += kernel/net/lwip_image.S kernel/net/lwip.c kernel/net/netif.c \
	kernel/net/sys_socket.c kernel/net/sys_poll.c kernel/net/dhcp.c \
	kernel/net/netlink.c kernel/net/netif6.c kernel/net/drain.c \
	kernel/net/tso.c
$(BUILD)/kernel/net/lwip_image.S.o: $(LWIP_SO)
# struct netif's layout, from Debian's lwIP headers (liblwip-dev).
GEN_LWIP_LAYOUT := $(BUILD)/gen/generated/lwip_layout.h
$(GEN_LWIP_LAYOUT): scripts/gen-lwip-layout.sh
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)scripts/gen-lwip-layout.sh $@
$(BUILD)/kernel/net/netif.c.o $(BUILD)/kernel/net/sys_socket.c.o \
	$(BUILD)/kernel/net/netif6.c.o $(BUILD)/kernel/net/drain.c.o \
	$(BUILD)/kernel/net/tso.c.o $(BUILD)/kernel/net/lwip.c.o: \
	$(GEN_LWIP_LAYOUT)
