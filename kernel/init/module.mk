KERNEL_SRCS += kernel/init/main.c
