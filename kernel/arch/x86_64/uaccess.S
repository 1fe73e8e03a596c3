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
	 * Eight bytes a step, then the odd bytes: under TCG each step of a
	 * rep string instruction costs the same whatever its width. A fault
	 * in the 8-byte part goes on byte by byte from where it stopped, so
	 * the copy still stops exactly at the first byte it cannot touch
	 * (an 8-byte step may straddle the page that faulted).
	 */
	.globl uaccess_copy
uaccess_copy:
	movq %rdx, %rcx
	shrq $3, %rcx
	andl $7, %edx
	SMAP_OPEN
1:	rep movsq
	movq %rdx, %rcx
2:	rep movsb
3:	SMAP_CLOSE
	movq %rcx, %rax
	ret
4:	leaq (%rdx, %rcx, 8), %rcx
	jmp 2b

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
	.quad 1b, 4b
	.quad 2b, 3b
	.quad 5b, 8b
	.quad 6b, 7b
