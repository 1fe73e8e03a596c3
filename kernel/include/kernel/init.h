/*
 * The portable half of boot: what runs once the machine is up (memory,
 * time, threads) and the boot thread holds the command line.
 */
#ifndef KERNEL_INIT_H
#define KERNEL_INIT_H

#include <kernel/mm.h>
#include <kernel/types.h>

/* What the boot loader handed over, after the arch code checked it. */
struct boot_params {
	char *cmdline; /* writable copy; the parser splits it in place */
	bool cmdline_truncated;	 /* longer than the kernel keeps */
	struct mem_range initrd; /* physical; size 0 when none */
};

/*
 * Parses the command line, starts the console, and runs what it asks for
 * (help, self-tests, the program). Never returns: the VM ends with the
 * exit status of what ran.
 */
__noreturn void kernel_main(const struct boot_params *bp);

#endif
