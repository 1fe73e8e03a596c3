/*
 * Loading a checked program: each PT_LOAD segment becomes an area of the
 * program address space, first writable so its file bytes can be read
 * straight into it (the rest stays zero: .bss), then given its final
 * protection. A page shared by two segments gets the union of their
 * protections. Then the initial stack, laid out as the x86_64 ABI and
 * the C libraries expect:
 *
 *   sp -> argc, argv[0..argc-1], NULL, envp[..], NULL, auxv pairs, AT_NULL
 *         ... strings (argv, envp, execfn, platform), 16 random bytes ... top
 */
#include <arch/x86_64/io.h>
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>
#include <kernel/vm.h>
#include <vfs/vfs.h>

#include "elf_format.h"

uint64_t random_u64(void);

static unsigned segment_prot(uint32_t flags)
{
	return ((flags & PF_R) ? VM_PROT_READ : 0) |
	       ((flags & PF_W) ? VM_PROT_WRITE : 0) |
	       ((flags & PF_X) ? VM_PROT_EXEC : 0);
}

/* The pages a loadable segment covers; false for other headers. */
static bool segment_pages(const struct elf64_phdr *p, uintptr_t base,
			  uintptr_t *start, uintptr_t *end)
{
	if (p->type != PT_LOAD || !p->memsz)
		return false;
	*start = ALIGN_DOWN(base + p->vaddr, PAGE_SIZE);
	*end = ALIGN_UP(base + p->vaddr + p->memsz, PAGE_SIZE);
	return true;
}

static int read_exact(struct file *f, void *buf, size_t len, uint64_t off)
{
	struct uio u = { .base = buf, .len = len, .user = false };
	ssize_t n = vfs_pread(f, &u, off);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -ENOEXEC;
}

static int map_segments(struct file *f, const struct elf64_phdr *ph,
			unsigned phnum, uintptr_t base, char *err,
			size_t errlen)
{
	uintptr_t mapped_end = 0; /* end of the pages mapped so far */
	int ret;

	for (unsigned i = 0; i < phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		uintptr_t start, end;
		if (!segment_pages(p, base, &start, &end))
			continue;
		/* The first page may already be the previous segment's. */
		uintptr_t from = MAX(start, mapped_end);
		if (end > from) {
			ret = vm_map(&from, end - from,
				     VM_PROT_READ | VM_PROT_WRITE,
				     VM_MAP_NOREPLACE);
			if (ret) {
				snprintf(
					err, errlen,
					"cannot map segment %u at 0x%lx: error %d",
					i, from, ret);
				return ret;
			}
			mapped_end = end;
		}
		struct uio u = { .base = (char *)(base + p->vaddr),
				 .len = p->filesz,
				 .user = true };
		ssize_t n = p->filesz ? vfs_pread(f, &u, p->offset) : 0;
		if (n < 0 || (uint64_t)n != p->filesz) {
			snprintf(err, errlen, "cannot read segment %u (%ld)", i,
				 (long)n);
			return n < 0 ? (int)n : -EIO;
		}
	}
	/* Final protections; a shared page keeps the union. */
	uintptr_t prev_last = 0;
	unsigned prev_prot = 0;
	for (unsigned i = 0; i < phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		uintptr_t start, end;
		if (!segment_pages(p, base, &start, &end))
			continue;
		unsigned prot = segment_prot(p->flags);
		ret = vm_protect(start, end - start, prot);
		if (!ret && prev_last == start)
			ret = vm_protect(start, PAGE_SIZE, prot | prev_prot);
		if (ret) {
			snprintf(err, errlen, "cannot protect segment %u", i);
			return ret;
		}
		prev_last = end - PAGE_SIZE;
		prev_prot = prot;
	}
	return 0;
}

int elf_load(struct file *f, struct elf_image *img, char *err, size_t errlen)
{
	struct elf64_ehdr eh;
	struct elf64_phdr *ph = NULL;
	struct kstat st;
	int ret;

	ret = vfs_fstat(f, &st);
	if (ret) {
		snprintf(err, errlen, "cannot stat it (%d)", ret);
		return ret;
	}
	if (read_exact(f, &eh, sizeof(eh), 0)) {
		snprintf(err, errlen, "too short for an ELF header");
		return -ENOEXEC;
	}
	ret = elf_check_header(&eh, err, errlen);
	if (ret)
		return ret;
	ph = kcalloc(eh.phnum, sizeof(*ph));
	if (!ph)
		return -ENOMEM;
	if (read_exact(f, ph, eh.phnum * sizeof(*ph), eh.phoff)) {
		snprintf(err, errlen,
			 "program headers beyond the end of the file");
		ret = -ENOEXEC;
		goto out_free;
	}
	uintptr_t base = eh.type == ELF_TYPE_DYN ? ELF_PIE_BASE : 0;
	ret = elf_check(&eh, ph, st.size, base, img, err, errlen);
	if (!ret)
		ret = map_segments(f, ph, eh.phnum, base, err, errlen);
out_free:
	kfree(ph);
	return ret;
}

/* The stack is built in a kernel buffer, then copied below the top. */
#define STACK_ARGS_MAX (256 * KiB)

struct stack_builder {
	char *buf;     /* mirrors [top - size, top) */
	size_t size;   /* bytes of strings used, from the top */
	uintptr_t top; /* program address of the end of buf */
};

/* Pushes @len bytes at the top end; returns their program address or 0. */
static uintptr_t push_bytes(struct stack_builder *sb, const void *p, size_t len)
{
	if (len > STACK_ARGS_MAX - sb->size)
		return 0;
	sb->size += len;
	memcpy(sb->buf + STACK_ARGS_MAX - sb->size, p, len);
	return sb->top - sb->size;
}

static size_t count(const char *const v[])
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

int elf_build_stack(const struct elf_image *img, const char *execfn,
		    const char *const argv[], const char *const envp[],
		    uintptr_t *sp)
{
	size_t argc = count(argv), envc = count(envp);
	uintptr_t stack = VM_STACK_TOP - VM_STACK_SIZE;
	int ret = vm_map(&stack, VM_STACK_SIZE, VM_PROT_READ | VM_PROT_WRITE,
			 VM_MAP_NOREPLACE);
	if (ret)
		return ret;

	struct stack_builder sb = { .buf = kmalloc(STACK_ARGS_MAX),
				    .top = VM_STACK_TOP };
	uintptr_t *ptrs = kcalloc(argc + envc + 2, sizeof(uintptr_t));
	ret = -ENOMEM;
	if (!sb.buf || !ptrs)
		goto out;

	uint64_t rnd[2] = { random_u64(), random_u64() };
	uintptr_t at_random = push_bytes(&sb, rnd, sizeof(rnd));
	uintptr_t at_platform = push_bytes(&sb, "x86_64", 7);
	uintptr_t at_execfn = push_bytes(&sb, execfn, strlen(execfn) + 1);
	ret = -E2BIG;
	for (size_t i = envc; i-- > 0;)
		if (!(ptrs[argc + 1 + i] =
			      push_bytes(&sb, envp[i], strlen(envp[i]) + 1)))
			goto out;
	for (size_t i = argc; i-- > 0;)
		if (!(ptrs[i] = push_bytes(&sb, argv[i], strlen(argv[i]) + 1)))
			goto out;
	if (!at_random || !at_platform || !at_execfn)
		goto out;

	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	const uint64_t auxv[] = {
		AT_PHDR,     img->phdr,	  AT_PHENT,  sizeof(struct elf64_phdr),
		AT_PHNUM,    img->phnum,  AT_PAGESZ, PAGE_SIZE,
		AT_BASE,     0,		  AT_FLAGS,  0,
		AT_ENTRY,    img->entry,  AT_UID,    0,
		AT_EUID,     0,		  AT_GID,    0,
		AT_EGID,     0,		  AT_SECURE, 0,
		AT_HWCAP,    d,		  AT_HWCAP2, 0,
		AT_CLKTCK,   100,	  AT_RANDOM, at_random,
		AT_PLATFORM, at_platform, AT_EXECFN, at_execfn,
		AT_NULL,     0,
	};
	/* argc, argv + NULL, envp + NULL, auxv: 16-byte aligned at argc. */
	size_t words = 1 + argc + 1 + envc + 1 + ARRAY_SIZE(auxv);
	size_t table = words * 8;
	size_t strings = ALIGN_UP(sb.size, 16);
	if (table > STACK_ARGS_MAX - strings)
		goto out;
	size_t total = ALIGN_UP(strings + table, 16);
	uint64_t *w = (uint64_t *)(sb.buf + STACK_ARGS_MAX - total);
	memset(w, 0, total - sb.size);
	size_t k = 0;
	w[k++] = argc;
	for (size_t i = 0; i < argc; i++)
		w[k++] = ptrs[i];
	w[k++] = 0;
	for (size_t i = 0; i < envc; i++)
		w[k++] = ptrs[argc + 1 + i];
	w[k++] = 0;
	memcpy(&w[k], auxv, sizeof(auxv));
	*sp = VM_STACK_TOP - total;
	ret = copy_to_user((void *)*sp, w, total);
out:
	kfree(ptrs);
	kfree(sb.buf);
	return ret;
}
