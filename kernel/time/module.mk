KERNEL_SRCS += kernel/time/tsc.c kernel/time/timer.c
