/*
 * Debian's lwIP (package liblwip0), carried in the kernel image as the
 * binary Debian ships, and linked into the kernel at run time
 * (kernel/net/lwip.c, kernel/elf/so_load.c).
 */
	.section .rodata
	.p2align 12
	.globl lwip_image, lwip_image_end
lwip_image:
	.incbin "/usr/lib/x86_64-linux-gnu/liblwip.so.0"
lwip_image_end:
