/*
 * The peer of the boot benchmark: the smallest PVH kernel, which only
 * writes 0 to the isa-debug-exit port. Whatever QEMU spends on it is the
 * cost of the VM itself; the appliance's boot is measured against it.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a"
	.p2align 2
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long empty_entry

	.text
	.code32
	.globl empty_entry
empty_entry:
	xorl %eax, %eax
	outl %eax, $0xf4
1:	hlt
	jmp 1b
