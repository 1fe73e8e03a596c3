/*
 * Memory probes with exception fix-ups: if the load faults, the page-fault
 * handler finds the instruction in .extable and resumes at the fix-up,
 * which returns -EFAULT (14).
 */
	.text
	.globl probe_read_u64
probe_read_u64:
1:	movq (%rdi), %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
2:	movl $-14, %eax
	ret

	.section .extable, "a"
	.p2align 3
	.quad 1b, 2b
