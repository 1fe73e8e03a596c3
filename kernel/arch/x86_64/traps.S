/*
 * Trap entry stubs. Each vector pushes an error code (a zero where the CPU
 * does not) and its number, then joins trap_common, which saves the
 * registers as a struct trap_frame.
 *
 * Vectors >= 32 (device interrupts, IPIs) then move the whole frame off the
 * per-CPU IST stack: onto the thread's kernel stack when they came from
 * ring 3, else onto the interrupted stack below its 128-byte red zone. The
 * handler runs there and may switch threads; the IST stack is free again
 * at once. Exceptions stay on their IST stack (trap_exception shifts the
 * IST pointer while it runs so a nested fault gets fresh stack).
 */
#include <arch/x86_64/asm.h>

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

	.text
	.p2align 4
trap_common:
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r11
	pushq %r10
	pushq %r9
	pushq %r8
	pushq %rbp
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rbx
	pushq %rax
	cld
	testb $3, TF_CS(%rsp)
	jz 1f
	swapgs
1:
	cmpq $32, TF_VECTOR(%rsp)
	jae trap_irq

	/* Exception: handle on this IST stack. */
	movq %rsp, %rdi
	call trap_exception
	jmp trap_return

trap_irq:
	/* Pick the stack the handler will run on. */
	testb $3, TF_CS(%rsp)
	jz 2f
	movq %gs:CPU_KSTACK_TOP, %rdi
	jmp 3f
2:	movq TF_RSP(%rsp), %rdi
	subq $128, %rdi			/* skip the red zone */
3:	andq $-16, %rdi
	subq $TF_SIZE, %rdi
	movq %rsp, %rsi
	movq %rdi, %rdx
	movl $(TF_SIZE / 8), %ecx
	rep movsq
	movq %rdx, %rsp
	movq %rsp, %rdi
	movq %rsp, %rbp
	call trap_irq_dispatch

trap_return:
	testb $3, TF_CS(%rsp)
	jz 4f
	swapgs
4:	popq %rax
	popq %rbx
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rbp
	popq %r8
	popq %r9
	popq %r10
	popq %r11
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	addq $16, %rsp
	iretq

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
