MM_SRCS := kernel/mm/pmm.c kernel/mm/heap.c
KERNEL_SRCS += $(MM_SRCS) kernel/mm/mm_selftest.c kernel/mm/vm.c \
	kernel/mm/uaccess.c kernel/mm/sys_mm.c
