# The VFS. VFS_SRCS is portable (the host unit tests link it too);
# VFS_SYSCALL_SRCS holds the Linux syscall handlers, which the unit tests
# also link over the host shim's copy_*_user.
VFS_SRCS := vfs/vnode.c vfs/mount.c vfs/lookup.c vfs/namei.c vfs/attr.c \
	vfs/file.c vfs/fdtable.c vfs/console.c
VFS_SYSCALL_SRCS := vfs/sys_file.c vfs/sys_stat.c vfs/sys_namei.c
# Kernel only (they sleep on the scheduler's wait queues).
VFS_KERNEL_SRCS := vfs/pipe.c
VFS_INCLUDES := -Ivfs/include -Ifs/ramfs/include
