KERNEL_SRCS += kernel/arch/x86_64/boot.S kernel/arch/x86_64/traps.S \
	kernel/arch/x86_64/switch.S kernel/arch/x86_64/probe.S \
	kernel/arch/x86_64/user_entry.S kernel/arch/x86_64/uaccess.S \
	kernel/arch/x86_64/string.S \
	kernel/arch/x86_64/ap_boot.S kernel/arch/x86_64/smp.c \
	kernel/arch/x86_64/tlb.c kernel/arch/x86_64/ioapic.c \
	kernel/arch/x86_64/cpu.c kernel/arch/x86_64/traps.c \
	kernel/arch/x86_64/paging.c kernel/arch/x86_64/apic.c \
	kernel/arch/x86_64/pvh.c kernel/arch/x86_64/acpi.c \
	kernel/arch/x86_64/entry.c kernel/arch/x86_64/usermode.c \
	kernel/arch/x86_64/arch_selftest.c
