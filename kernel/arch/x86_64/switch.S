/*
 * arch_switch(prev_rsp_slot, next_rsp): saves the callee-saved registers
 * on the current stack, stores %rsp in *prev_rsp_slot, loads next_rsp and
 * pops the next thread's registers. FPU state and the FS base are switched
 * in C around this call.
 *
 * A new thread's stack is built so that the pops and the ret land in
 * thread_start with the thread in %rbx.
 */
	.text
	.globl arch_switch
arch_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.globl arch_thread_entry
arch_thread_entry:
	movq %rbx, %rdi
	xorl %ebp, %ebp
	call thread_start
	ud2
