/*
 * ELF header checks, apart from the loader so the host unit tests can feed
 * them hostile headers. Everything the loader later trusts is checked
 * here: identification, type and machine, program-header bounds, each
 * loadable segment's sizes, alignment and address range (after the load
 * bias), and that the entry point lies in an executable segment.
 */
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/vm.h>

#include "elf_format.h"

#define BAD(...)                                    \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return -ENOEXEC;                    \
	} while (0)

int elf_check_header(const struct elf64_ehdr *eh, char *err, size_t errlen)
{
	if (memcmp(eh->ident,
		   "\x7f"
		   "ELF",
		   4))
		BAD("not an ELF file");
	if (eh->ident[4] != ELF_CLASS64)
		BAD("not a 64-bit ELF file");
	if (eh->ident[5] != ELF_DATA_LSB)
		BAD("not a little-endian ELF file");
	if (eh->ident[6] != 1 || eh->version != 1)
		BAD("unknown ELF version %u", eh->ident[6]);
	if (eh->machine != ELF_MACHINE_X86_64)
		BAD("built for machine %u, not x86_64", eh->machine);
	if (eh->type != ELF_TYPE_EXEC && eh->type != ELF_TYPE_DYN)
		BAD("ELF type %u is not an executable", eh->type);
	if (eh->phentsize != sizeof(struct elf64_phdr))
		BAD("program header size %u, want %zu", eh->phentsize,
		    sizeof(struct elf64_phdr));
	if (eh->phnum == 0 || eh->phnum > ELF_MAX_PHNUM)
		BAD("%u program headers", eh->phnum);
	return 0;
}

static int check_segment(const struct elf64_phdr *p, unsigned i,
			 uint64_t file_size, uintptr_t base, char *err,
			 size_t errlen)
{
	if (p->filesz > p->memsz)
		BAD("segment %u: file size above memory size", i);
	if (p->offset > file_size || p->filesz > file_size - p->offset)
		BAD("segment %u: data beyond the end of the file", i);
	if (p->align > 1 && (p->align & (p->align - 1)))
		BAD("segment %u: alignment %lu is not a power of two", i,
		    p->align);
	if ((p->vaddr - p->offset) % PAGE_SIZE)
		BAD("segment %u: address and offset disagree modulo the page size",
		    i);
	uintptr_t start = base + p->vaddr;
	if (start < base || start < VM_MIN_ADDR || p->memsz > VM_MMAP_TOP ||
	    start + p->memsz > VM_MMAP_TOP || start + p->memsz < start)
		BAD("segment %u: addresses 0x%lx+0x%lx are outside the program area",
		    i, start, p->memsz);
	return 0;
}

int elf_check(const struct elf64_ehdr *eh, const struct elf64_phdr *ph,
	      uint64_t file_size, uintptr_t base, struct elf_image *img,
	      char *err, size_t errlen)
{
	int ret = elf_check_header(eh, err, errlen);
	if (ret)
		return ret;
	if (eh->phoff > file_size ||
	    (uint64_t)eh->phnum * sizeof(*ph) > file_size - eh->phoff)
		BAD("program headers beyond the end of the file");

	*img = (struct elf_image){ .base = base, .phnum = eh->phnum };
	bool entry_ok = false, have_load = false;
	uintptr_t prev_end = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		if (p->type == PT_INTERP)
			BAD("it is dynamically linked (PT_INTERP); only static programs run for now");
		if (p->type == PT_PHDR)
			img->phdr = base + p->vaddr;
		if (p->type != PT_LOAD || p->memsz == 0)
			continue;
		ret = check_segment(p, i, file_size, base, err, errlen);
		if (ret)
			return ret;
		uintptr_t start = base + p->vaddr, end = start + p->memsz;
		/* Loaders map segments in order; so do we. */
		if (start < prev_end)
			BAD("segment %u overlaps the one before", i);
		prev_end = end;
		have_load = true;
		if ((p->flags & PF_X) && eh->entry + base >= start &&
		    eh->entry + base < end)
			entry_ok = true;
		if (!img->phdr && eh->phoff >= p->offset &&
		    eh->phoff < p->offset + p->filesz)
			img->phdr = start + (eh->phoff - p->offset);
		img->brk_start = MAX(img->brk_start, end);
	}
	if (!have_load)
		BAD("no loadable segment");
	if (!entry_ok)
		BAD("entry point 0x%lx is not in an executable segment",
		    eh->entry + base);
	img->entry = eh->entry + base;
	return 0;
}
