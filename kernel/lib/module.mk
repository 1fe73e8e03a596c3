KERNEL_SRCS += kernel/lib/string.c kernel/lib/vsnprintf.c kernel/lib/ksyms.c \
	kernel/lib/panic.c kernel/lib/cmdline.c kernel/lib/inet6.c \
	kernel/lib/selftest.c kernel/lib/csum.c
