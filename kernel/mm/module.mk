MM_SRCS := kernel/mm/pmm.c kernel/mm/heap.c
KERNEL_SRCS += kernel/mm/mm_selftest.c
KERNEL_SRCS += $(MM_SRCS)
