KERNEL_SRCS += kernel/time/clock.c kernel/time/tsc.c kernel/time/timer.c \
	kernel/time/sys_time.c kernel/time/time_selftest.c
