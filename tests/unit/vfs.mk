# VFS and ramfs host tests: the kernel's own source lists (vfs/module.mk,
# fs/ramfs/module.mk) over the shim, with a malloc-backed heap.
VFS_UNIT_SRCS := $(VFS_SRCS) $(VFS_SYSCALL_SRCS) $(RAMFS_SRCS) \
	tests/unit/shim_alloc.c
$(eval $(call unit_test,vfs,$(VFS_UNIT_SRCS) tests/unit/test_vfs.c))
$(BUILD)/unit/vfs: HOST_CFLAGS += $(VFS_INCLUDES)
$(eval $(call unit_test,vfs_sys,$(VFS_UNIT_SRCS) kernel/lib/cmdline.c \
	tests/unit/test_vfs_sys.c))
$(BUILD)/unit/vfs_sys: HOST_CFLAGS += $(VFS_INCLUDES)
$(eval $(call unit_test,vfs_model,$(VFS_UNIT_SRCS) tests/unit/test_vfs_model.c))
$(BUILD)/unit/vfs_model: HOST_CFLAGS += $(VFS_INCLUDES)
