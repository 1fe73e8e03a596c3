/*
 * PVH entry. QEMU, Firecracker and Cloud Hypervisor find the 32-bit entry
 * point in the Xen PHYS32_ENTRY note and jump to it in protected mode with
 * paging off and %ebx holding the physical address of hvm_start_info.
 *
 * This code reads the TSC first (the boot-time measurement starts here),
 * maps the first GiB three times (identity, direct map, kernel image) with
 * 2 MiB pages, enters long mode and jumps to the kernel in the top 2 GiB.
 * The C code then builds the real page tables and drops these.
 */
#include <arch/x86_64/asm.h>

#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a"
	.p2align 2
	.long 4				/* name size: "Xen\0" */
	.long 4				/* descriptor size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_entry32

	.section .boot.text, "ax"
	.code32
	.globl pvh_entry32
pvh_entry32:
	cli
	cld
	/* Boot time is measured from this instruction. */
	rdtsc
	movl %eax, boot_tsc - KERNEL_VMA
	movl %edx, boot_tsc - KERNEL_VMA + 4
	movl %ebx, boot_start_info - KERNEL_VMA

	/* 512 x 2 MiB pages: physical 0..1 GiB, global, writable. */
	movl $boot_pd, %edi
	movl $0x83, %eax		/* present | writable | huge */
	xorl %edx, %edx
	movl $512, %ecx
1:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 1b

	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE | CR0_WP | CR0_NE | CR0_MP), %eax
	andl $~(CR0_EM | CR0_CD | CR0_NW), %eax
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $0x08, $entry64

	.code64
entry64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	/*
	 * Kernel C reads its stack canary at %fs:0x28, so FS must point at
	 * the boot thread's TCB before the first C function. The canary is
	 * the boot TSC scrambled; its low byte is zero like glibc's.
	 */
	movabsq $boot_thread, %rcx
	movq %rcx, (%rcx)		/* tcb.self */
	movq boot_tsc - KERNEL_VMA, %rax
	movabsq $0x9e3779b97f4a7c15, %rdx
	imulq %rdx, %rax
	rorq $29, %rax
	xorb %al, %al
	movq %rax, 0x28(%rcx)
	movl $MSR_FS_BASE, %ecx
	movabsq $boot_thread, %rax
	movq %rax, %rdx
	shrq $32, %rdx
	wrmsr
	movl boot_start_info - KERNEL_VMA, %edi
	movabsq $kernel_entry, %rax
	call *%rax
	ud2

	.section .boot.data, "aw"
	.p2align 3
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .boot.pagetables, "aw"
	.p2align 12
	.globl boot_pml4
boot_pml4:
	.quad boot_pdpt_low + 3		/* identity, for the jump above */
	.fill 255, 8, 0
	.quad boot_pdpt_low + 3		/* PHYS_OFFSET: direct map */
	.fill 254, 8, 0
	.quad boot_pdpt_high + 3	/* KERNEL_VMA */
boot_pdpt_low:
	.quad boot_pd + 3
	.fill 511, 8, 0
boot_pdpt_high:
	.fill 510, 8, 0
	.quad boot_pd + 3
	.quad 0
boot_pd:
	.fill 512, 8, 0

	.bss
	.p2align 12
	.globl boot_stack
boot_stack:
	.skip 16384
boot_stack_top:
	.data
	.globl boot_tsc, boot_start_info
	.p2align 3
boot_tsc:
	.quad 0
boot_start_info:
	.quad 0
