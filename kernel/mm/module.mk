MM_SRCS := kernel/mm/pmm.c kernel/mm/heap.c
KERNEL_SRCS += $(MM_SRCS)
