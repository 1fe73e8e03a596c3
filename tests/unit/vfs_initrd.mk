# The initrd unpacker over the real VFS and ramfs (after vfs.mk: its list).
$(eval $(call unit_test,initrd,$(INITRD_SRCS) $(VFS_UNIT_SRCS) \
	kernel/lib/cmdline.c tests/unit/test_initrd.c))
$(BUILD)/unit/initrd: HOST_CFLAGS += $(VFS_INCLUDES)
