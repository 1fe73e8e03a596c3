/*
 * The program loader: static ELF64 x86_64 programs, fixed-address
 * (ET_EXEC) or position-independent (static-PIE, ET_DYN without an
 * interpreter). Headers are checked before anything is mapped; a bad
 * file gets an error that says what is wrong with it.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <kernel/types.h>

struct file;
struct elf64_ehdr;
struct elf64_phdr;

/* Where a loaded program is. */
struct elf_image {
	uintptr_t entry;     /* first instruction */
	uintptr_t base;	     /* load bias: 0 for ET_EXEC */
	uintptr_t phdr;	     /* program headers in memory (AT_PHDR) */
	unsigned phnum;	     /* AT_PHNUM */
	uintptr_t brk_start; /* end of the highest segment */
};

/* Where static-PIE programs are loaded. */
#define ELF_PIE_BASE 0x0000555555554000UL
#define ELF_MAX_PHNUM 128

/* Checks the ELF header alone (before its program headers are read). */
int elf_check_header(const struct elf64_ehdr *eh, char *err, size_t errlen);
/*
 * Checks a file's ELF header and program headers (@ph: @eh->phnum
 * entries, @file_size: the file's size); on success fills @img with the
 * addresses the program will have at load bias @base. Portable: the host
 * unit tests run it. Returns 0 or -ENOEXEC with the reason in @err.
 */
int elf_check(const struct elf64_ehdr *eh, const struct elf64_phdr *ph,
	      uint64_t file_size, uintptr_t base, struct elf_image *img,
	      char *err, size_t errlen);
/*
 * Maps the program in @f into the program address space. Returns 0 or a
 * negative errno with the reason in @err.
 */
int elf_load(struct file *f, struct elf_image *img, char *err, size_t errlen);
/*
 * Builds the initial stack (argc, argv, envp, auxv, strings) and returns
 * the stack pointer for the entry point in *@sp. -E2BIG when the strings
 * do not fit.
 */
int elf_build_stack(const struct elf_image *img, const char *execfn,
		    const char *const argv[], const char *const envp[],
		    uintptr_t *sp);

#endif
