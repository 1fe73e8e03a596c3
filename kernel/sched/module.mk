KERNEL_SRCS += kernel/sched/spinlock.c kernel/sched/sched.c \
	kernel/sched/thread.c kernel/sched/waitq.c \
	kernel/sched/sched_selftest.c
