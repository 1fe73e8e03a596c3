KERNEL_SRCS += kernel/syscall/table.c
