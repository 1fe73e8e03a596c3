ELF_CHECK_SRCS := kernel/elf/elf_check.c
KERNEL_SRCS += $(ELF_CHECK_SRCS) kernel/elf/elf_load.c kernel/elf/so_load.c
