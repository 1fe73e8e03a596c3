/*
 * Application-processor start-up. The boot CPU copies ap_trampoline to
 * AP_TRAMPOLINE_PHYS (below 1 MiB, where a SIPI can point) and patches its
 * CR3 and entry words; an AP starts there in real mode, goes through
 * protected mode into long mode on the boot page tables (which map the
 * trampoline 1:1 and the kernel image high), and jumps to ap_entry64 in
 * the kernel, which switches to the kernel page tables, the stack of the
 * CPU's idle thread and its TCB, and calls ap_start(cpu).
 */
#include <arch/x86_64/asm.h>

#define AP_TRAMPOLINE_PHYS 0x8000
#define T(x) (AP_TRAMPOLINE_PHYS + (x) - ap_trampoline)

	.section .rodata
	.p2align 4
	.globl ap_trampoline, ap_trampoline_end, ap_tramp_cr3, ap_tramp_entry
	.code16
ap_trampoline:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (ap_gdt_desc - ap_trampoline)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $0x08, $T(ap_pm32)

	.code32
ap_pm32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl T(ap_tramp_cr3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP | CR0_NE | CR0_MP), %eax
	andl $~(CR0_EM | CR0_CD | CR0_NW), %eax
	movl %eax, %cr0
	ljmp $0x18, $T(ap_lm64)

	.code64
ap_lm64:
	movq T(ap_tramp_entry), %rax
	jmp *%rax

	.p2align 3
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
ap_gdt_desc:
	.word ap_gdt_desc - ap_gdt - 1
	.long T(ap_gdt)
	.p2align 3
ap_tramp_entry:
	.quad 0
ap_tramp_cr3:
	.long 0
ap_trampoline_end:

	.text
	.globl ap_entry64
ap_entry64:
	movq ap_boot_cr3(%rip), %rax
	movq %rax, %cr3
	movq ap_boot_stack(%rip), %rsp
	xorl %ebp, %ebp
	/* FS at the idle thread's TCB before any C runs (stack protector). */
	movq ap_boot_thread(%rip), %rax
	movq %rax, %rdx
	shrq $32, %rdx
	movl $MSR_FS_BASE, %ecx
	wrmsr
	movq ap_boot_cpu(%rip), %rdi
	call ap_start
	ud2
