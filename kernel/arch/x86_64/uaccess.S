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
	.globl uaccess_copy
uaccess_copy:
	movq %rdx, %rcx
	SMAP_OPEN
1:	rep movsb
2:	SMAP_CLOSE
	movq %rcx, %rax
	ret

	.globl uaccess_clear
uaccess_clear:
	movq %rsi, %rcx
	xorl %eax, %eax
	SMAP_OPEN
3:	rep stosb
4:	SMAP_CLOSE
	movq %rcx, %rax
	ret

	.section .extable, "a"
	.p2align 3
	.quad 1b, 2b
	.quad 3b, 4b
