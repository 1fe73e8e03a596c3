KERNEL_SRCS += kernel/proc/program.c kernel/proc/sys_proc.c \
	kernel/proc/sys_signal.c kernel/proc/sys_thread.c kernel/proc/futex.c
