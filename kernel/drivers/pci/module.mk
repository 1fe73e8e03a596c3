KERNEL_SRCS += kernel/drivers/pci/pci.c
