/*
 * The raw copies between kernel and program memory. Each may fault on a
 * program address; the fault is caught through .extable and the copy
 * returns how many bytes it did NOT do, so the C side (kernel/mm/uaccess.c)
 * can fault the page in and go on, or give -EFAULT. With SMAP on, program
 * memory is opened (stac) only for the duration of the copy.
 *
 *   size_t uaccess_copy(void *dst, const void *src, size_t n)
 *   size_t uaccess_clear(void *dst, size_t n)
 */
#include "copy.inc"

	.macro SMAP_OPEN
	testb $1, smap_enabled(%rip)
	jz 101f
	stac
101:
	.endm

	.macro SMAP_CLOSE
	testb $1, smap_enabled(%rip)
	jz 102f
	clac
102:
	.endm

	.text
	/*
	 * 64-byte blocks (copy.inc), then 8 bytes a step, then the odd bytes.
	 * A fault in a block or in the 8-byte part goes on byte by byte from
	 * where it stopped, so the copy still stops exactly at the first byte
	 * it cannot touch (a wide access may straddle the page that faulted).
	 */
	.globl uaccess_copy
uaccess_copy:
	pushq %rbx
	pushq %r12
	pushq %r13
	movq %rdx, %rax
	shrq $6, %rax
	andl $63, %edx
	SMAP_OPEN
	testq %rax, %rax
	jz 1f
	COPY_BLOCKS 9f
1:	movl %edx, %ecx
	shrl $3, %ecx
	andl $7, %edx
2:	rep movsq
	movq %rdx, %rcx
3:	rep movsb
4:	SMAP_CLOSE
	popq %r13
	popq %r12
	popq %rbx
	movq %rcx, %rax
	ret
	/* Faulted in a block: %rax blocks and %rdx bytes were left. */
9:	shlq $6, %rax
	leaq (%rax, %rdx), %rcx
	jmp 3b
	/* Faulted in the 8-byte part: %rcx words and %rdx bytes were left. */
10:	leaq (%rdx, %rcx, 8), %rcx
	jmp 3b

	.globl uaccess_clear
uaccess_clear:
	movq %rsi, %rcx
	shrq $3, %rcx
	andl $7, %esi
	xorl %eax, %eax
	SMAP_OPEN
5:	rep stosq
	movq %rsi, %rcx
6:	rep stosb
7:	SMAP_CLOSE
	movq %rcx, %rax
	ret
8:	leaq (%rsi, %rcx, 8), %rcx
	jmp 6b

	.section .extable, "a"
	.p2align 3
	.quad 2b, 10b
	.quad 3b, 4b
	.quad 5b, 8b
	.quad 6b, 7b
