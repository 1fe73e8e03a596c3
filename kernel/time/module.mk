KERNEL_SRCS += kernel/time/clock.c kernel/time/tsc.c kernel/time/timer.c
KERNEL_SRCS += kernel/time/time_selftest.c
