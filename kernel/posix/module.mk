KERNEL_SRCS += kernel/posix/base.c kernel/posix/exports.c kernel/posix/sockets.c
