/*
 * Trap entry stubs. Each vector pushes an error code (a zero where the CPU
 * does not) and its number, then joins trap_common, which saves the
 * registers as a struct trap_frame.
 *
 * Anything from ring 3 moves its frame onto the thread's kernel stack (and
 * takes GS and FS, user_entry.inc), runs there and leaves through
 * return_to_user. In the kernel, vectors >= 32 (device interrupts, IPIs)
 * move the frame off the per-CPU IST stack onto the interrupted stack
 * below its 128-byte red zone; the handler runs there and may switch
 * threads, and the IST stack is free again at once. Kernel exceptions stay
 * on their IST stack (trap_exception shifts the IST pointer while it runs
 * so a nested fault gets fresh stack).
 */
#include <arch/x86_64/asm.h>
#include <arch/x86_64/user_entry.inc>

	.altmacro
	.macro STUB_ADDR vec
	.quad trap_stub_\vec
	.endm

	.macro TRAP_STUB vec
	.p2align 4
trap_stub_\vec:
	.if \vec == 8 || \vec == 10 || \vec == 11 || \vec == 12 || \vec == 13 || \vec == 14 || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
	.endm

	/* Moves the trap frame at %rsp to just below %rdi and runs on it there. */
	.macro MOVE_FRAME
	subq $TF_SIZE, %rdi
	movq %rsp, %rsi
	movq %rdi, %rdx
	movl $(TF_SIZE / 8), %ecx
	rep movsq
	movq %rdx, %rsp
	.endm

	.text
	.p2align 4
trap_common:
	PUSH_GPRS
	cld
	/* Interrupted inside a uaccess copy: close program memory again. */
	testb $1, smap_enabled(%rip)
	jz 5f
	clac
5:
	testb $3, TF_CS(%rsp)
	jnz trap_from_user
	cmpq $32, TF_VECTOR(%rsp)
	jae trap_irq

	/* Exception in the kernel: handle on this IST stack. */
	movq %rsp, %rdi
	call trap_exception
	jmp trap_return_kernel

trap_irq:
	/* Interrupted kernel code: run below its stack's red zone. */
	movq TF_RSP(%rsp), %rdi
	subq $128, %rdi
	andq $-16, %rdi
	MOVE_FRAME
	movq %rsp, %rdi
	movq %rsp, %rbp
	call trap_irq_dispatch

trap_return_kernel:
	POP_GPRS
	addq $16, %rsp
	iretq

trap_from_user:
	/* From the program: take GS and FS, run on the thread's kernel stack. */
	swapgs
	movq %gs:CPU_KSTACK_TOP, %rdi
	MOVE_FRAME
	FS_ENTER
	xorl %ebp, %ebp
	movq %rsp, %rdi
	cmpq $32, TF_VECTOR(%rsp)
	jae 1f
	call trap_user_exception
	jmp return_to_user
1:	call trap_irq_dispatch
	jmp return_to_user

	/* The stubs, and a table of their addresses for idt_init(). */
	.set vec, 0
	.rept 256
	TRAP_STUB %vec
	.set vec, vec + 1
	.endr

	.section .rodata
	.p2align 3
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	STUB_ADDR %vec
	.set vec, vec + 1
	.endr
