/*
 * Ring-3 boundary: the SYSCALL entry, and the one way back to the program
 * (return_to_user), shared by syscalls, interrupts and exceptions that
 * came from ring 3.
 *
 * On entry from ring 3 the kernel takes over GS (swapgs: the per-CPU
 * block) and FS: the program's FS base is saved in the current thread and
 * FS points at the thread's TCB, so kernel code (and third-party code in
 * it) finds its stack canary at %fs:0x28 whatever the program set. The
 * way back restores the program's FS base and GS. Both run with
 * interrupts off.
 *
 * Frames are struct trap_frame on the thread's kernel stack; a syscall
 * frame has vector SYSCALL_FRAME_VECTOR and returns with SYSRET when its
 * RIP is canonical (else IRET: SYSRET to a non-canonical RIP faults in
 * ring 0 on some CPUs).
 */
#include <arch/x86_64/asm.h>
#include <arch/x86_64/user_entry.inc>

	.text
	.globl syscall_entry
	.p2align 4
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_KSTACK_TOP, %rsp
	pushq $GDT_USER_DS		/* ss */
	pushq %gs:CPU_USER_RSP		/* rsp */
	pushq %r11			/* rflags */
	pushq $GDT_USER_CS		/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error */
	pushq $SYSCALL_FRAME_VECTOR
	PUSH_GPRS
	cld
	FS_ENTER
	xorl %ebp, %ebp
	sti
	movq %rsp, %rdi
	call syscall_dispatch
	jmp return_to_user

	.globl return_to_user
	.p2align 4
return_to_user:
	cli
	FS_EXIT
	cmpq $SYSCALL_FRAME_VECTOR, TF_VECTOR(%rsp)
	jne 1f
	movq TF_RIP(%rsp), %rcx
	shrq $47, %rcx
	jnz 1f
	cmpq $GDT_USER_CS, TF_CS(%rsp)
	jne 1f
	cmpq $GDT_USER_DS, TF_SS(%rsp)
	jne 1f
	/* SYSRET: RIP from %rcx, RFLAGS from %r11 (the ABI clobbers both). */
	POP_GPRS
	movq 16(%rsp), %rcx		/* rip, past vector and error */
	movq 32(%rsp), %r11		/* rflags */
	movq 40(%rsp), %rsp		/* the program's stack */
	swapgs
	sysretq
1:	swapgs
	POP_GPRS
	addq $16, %rsp
	iretq

/* user_jump(frame): starts the program at a frame built on the kernel stack. */
	.globl user_jump
user_jump:
	movq %rdi, %rsp
	jmp return_to_user
