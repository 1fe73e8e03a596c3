/*
 * arch_switch(prev_rsp_slot, next_rsp, prev): saves the callee-saved
 * registers on the current stack, stores %rsp in *prev_rsp_slot, loads
 * next_rsp and pops the next thread's registers. It returns @prev in the
 * thread switched to, which needs it to finish the switch. FPU state and
 * the FS base are switched in C around this call.
 *
 * A new thread's stack is built so that the pops and the ret land in
 * arch_thread_entry with the thread in %rbx, which calls
 * thread_start(thread, prev).
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
	movq %rdx, %rax
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
	movq %rax, %rsi
	xorl %ebp, %ebp
	call thread_start
	ud2
