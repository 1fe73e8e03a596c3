/*
 * memcpy: 64-byte blocks (copy.inc), then the string instructions for the
 * rest, 8 bytes and then 1 a step. Under TCG each step of a rep string
 * instruction costs the same whatever its width, so they only take the
 * tail.
 *
 *   void *memcpy(void *dst, const void *src, size_t n)
 */
#include "copy.inc"

	.text
	.globl memcpy
	.type memcpy, @function
memcpy:
	pushq %rdi
	movq %rdx, %rax
	shrq $6, %rax
	jz 1f
	pushq %rbx
	pushq %r12
	pushq %r13
	COPY_BLOCKS
	popq %r13
	popq %r12
	popq %rbx
1:	movl %edx, %ecx
	andl $63, %ecx
	shrl $3, %ecx
	rep movsq
	movl %edx, %ecx
	andl $7, %ecx
	rep movsb
	popq %rax
	ret
	.size memcpy, . - memcpy
