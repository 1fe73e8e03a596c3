KERNEL_SRCS += kernel/console/serial.c kernel/console/printk.c
