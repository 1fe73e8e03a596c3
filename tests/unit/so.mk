# The shared-object linker on the host, over Debian's liblwip.so.0.
$(eval $(call unit_test,so,$(ELF_CHECK_SRCS) kernel/elf/so_load.c \
	kernel/lib/csum.c tests/unit/shim_alloc.c tests/unit/test_so.c))
$(BUILD)/unit/so: $(LWIP_SO)
