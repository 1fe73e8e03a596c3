/*
 * The in-kernel shared-object linker: loads an x86_64 ELF shared object
 * (Debian's liblwip.so.0, built for user space) into the kernel and links
 * it against the kernel's exports (kernel/posix/).
 *
 * The object's loadable segments are copied into fresh pages, which are
 * mapped in the module area read-only; relocations are applied through
 * the direct map (RELATIVE, 64, GLOB_DAT, JUMP_SLOT: what a -fPIC library
 * linked with -z now has); then each segment gets its own permissions
 * (code read+execute, data read+write, the rest read-only: W^X holds), and
 * the constructors run. An undefined symbol the kernel does not export is
 * reported by name, all of them before the load fails: never a silent
 * jump to nowhere. The loader may name symbols whose references go to the
 * kernel even where the object defines them (so_override).
 */
#include <arch/x86_64/paging.h>
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/so.h>
#include <kernel/string.h>

#include "elf_format.h"

#define PT_DYNAMIC 2
#define SHT_DYNSYM 11

#define DT_NULL 0
#define DT_PLTRELSZ 2
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_INIT 12
#define DT_JMPREL 23
#define DT_INIT_ARRAY 25
#define DT_INIT_ARRAYSZ 27

#define R_X86_64_64 1
#define R_X86_64_GLOB_DAT 6
#define R_X86_64_JUMP_SLOT 7
#define R_X86_64_RELATIVE 8

#define STB_WEAK 2

struct elf64_shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};

struct elf64_sym {
	uint32_t name;
	uint8_t info, other;
	uint16_t shndx;
	uint64_t value, size;
};

struct elf64_rela {
	uint64_t offset, info;
	int64_t addend;
};

struct elf64_dyn {
	int64_t tag;
	uint64_t val;
};

struct shared_object {
	const char *name;
	char *rw;    /* the image through the direct map (writable) */
	char *base;  /* the image where it runs (module area) */
	size_t span; /* bytes from base */
	const struct elf64_sym *syms;
	size_t nr_syms;
	const char *strtab;
	const struct so_override *over; /* while linking */
};

/* Bounds-checked pointer into the image for an address of the object. */
static void *at(struct shared_object *so, uint64_t vaddr, size_t len)
{
	if (vaddr > so->span || len > so->span - vaddr)
		return NULL;
	return so->rw + vaddr;
}

static int load_segments(struct shared_object *so, const char *file,
			 size_t size, const struct elf64_ehdr *eh,
			 const struct elf64_phdr *ph)
{
	uint64_t span = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		if (ph[i].offset > size || ph[i].filesz > size - ph[i].offset ||
		    ph[i].filesz > ph[i].memsz || ph[i].vaddr > 64 * MiB ||
		    ph[i].memsz > 64 * MiB)
			return -ENOEXEC;
		span = MAX(span,
			   ALIGN_UP(ph[i].vaddr + ph[i].memsz, PAGE_SIZE));
	}
	if (!span)
		return -ENOEXEC;
	size_t pages = span / PAGE_SIZE;
	so->rw = page_alloc_zeroed(pages);
	if (!so->rw)
		return -ENOMEM;
	so->span = span;
	for (unsigned i = 0; i < eh->phnum; i++)
		if (ph[i].type == PT_LOAD)
			memcpy(so->rw + ph[i].vaddr, file + ph[i].offset,
			       ph[i].filesz);
	so->base = paging_map_module(virt_to_phys(so->rw), span);
	return 0;
}

/* The dynamic symbol table, found through the section headers. */
static int find_symbols(struct shared_object *so, const char *file, size_t size,
			const struct elf64_ehdr *eh)
{
	if (eh->shoff > size || eh->shentsize != sizeof(struct elf64_shdr) ||
	    (uint64_t)eh->shnum * sizeof(struct elf64_shdr) > size - eh->shoff)
		return -ENOEXEC;
	const struct elf64_shdr *sh = (const void *)(file + eh->shoff);
	for (unsigned i = 0; i < eh->shnum; i++) {
		if (sh[i].type != SHT_DYNSYM ||
		    sh[i].entsize != sizeof(struct elf64_sym) ||
		    sh[i].link >= eh->shnum)
			continue;
		so->syms = at(so, sh[i].addr, sh[i].size);
		so->nr_syms = sh[i].size / sizeof(struct elf64_sym);
		const struct elf64_shdr *str = &sh[sh[i].link];
		so->strtab = at(so, str->addr, str->size);
		if (!so->syms || !so->strtab || !str->size ||
		    so->strtab[str->size - 1])
			return -ENOEXEC;
		return 0;
	}
	return -ENOEXEC;
}

/*
 * Where symbol @idx points: the kernel's override, the object's own, or a
 * kernel export.
 */
static int resolve(struct shared_object *so, uint64_t idx, uint64_t *out,
		   unsigned *missing)
{
	if (idx >= so->nr_syms)
		return -ENOEXEC;
	const struct elf64_sym *s = &so->syms[idx];
	const char *name = so->strtab + s->name;
	for (const struct so_override *o = so->over; o && o->name; o++)
		if (!strcmp(o->name, name)) {
			*out = (uint64_t)o->addr;
			return 0;
		}
	if (s->shndx != 0) {
		*out = (uint64_t)so->base + s->value;
		return 0;
	}
	*out = (uint64_t)kernel_export(name);
	if (*out || (s->info >> 4) == STB_WEAK)
		return 0;
	pr_err("so: %s needs %s, which the kernel does not provide", so->name,
	       name);
	(*missing)++;
	return 0;
}

static int relocate(struct shared_object *so, uint64_t table, uint64_t bytes,
		    unsigned *missing)
{
	const struct elf64_rela *r = at(so, table, bytes);
	if (!r && bytes)
		return -ENOEXEC;
	for (size_t i = 0; i < bytes / sizeof(*r); i++) {
		uint64_t *where = at(so, r[i].offset, 8), sym = 0;
		uint32_t type = (uint32_t)r[i].info;
		if (!where)
			return -ENOEXEC;
		if (type != R_X86_64_RELATIVE &&
		    resolve(so, r[i].info >> 32, &sym, missing))
			return -ENOEXEC;
		switch (type) {
		case R_X86_64_RELATIVE:
			*where = (uint64_t)so->base + (uint64_t)r[i].addend;
			break;
		case R_X86_64_64:
			*where = sym + (uint64_t)r[i].addend;
			break;
		case R_X86_64_GLOB_DAT:
		case R_X86_64_JUMP_SLOT:
			*where = sym;
			break;
		default:
			pr_err("so: %s: relocation type %u is not supported",
			       so->name, type);
			return -ENOEXEC;
		}
	}
	return 0;
}

static int link_dynamic(struct shared_object *so, const struct elf64_ehdr *eh,
			const struct elf64_phdr *ph, uint64_t *init,
			uint64_t *init_array, uint64_t *init_count)
{
	const struct elf64_dyn *dyn = NULL;
	size_t nr_dyn = 0;
	for (unsigned i = 0; i < eh->phnum; i++)
		if (ph[i].type == PT_DYNAMIC) {
			dyn = at(so, ph[i].vaddr, ph[i].memsz);
			nr_dyn = ph[i].memsz / sizeof(*dyn);
		}
	if (!dyn)
		return -ENOEXEC;
	uint64_t rela = 0, relasz = 0, jmprel = 0, pltrelsz = 0;
	for (size_t i = 0; i < nr_dyn && dyn[i].tag != DT_NULL; i++) {
		switch (dyn[i].tag) {
		case DT_RELA:
			rela = dyn[i].val;
			break;
		case DT_RELASZ:
			relasz = dyn[i].val;
			break;
		case DT_JMPREL:
			jmprel = dyn[i].val;
			break;
		case DT_PLTRELSZ:
			pltrelsz = dyn[i].val;
			break;
		case DT_INIT:
			*init = dyn[i].val;
			break;
		case DT_INIT_ARRAY:
			*init_array = dyn[i].val;
			break;
		case DT_INIT_ARRAYSZ:
			*init_count = dyn[i].val / 8;
			break;
		}
	}
	unsigned missing = 0;
	int ret = relocate(so, rela, relasz, &missing);
	if (!ret)
		ret = relocate(so, jmprel, pltrelsz, &missing);
	if (!ret && missing) {
		pr_err("so: %s: %u symbols missing; not loaded", so->name,
		       missing);
		ret = -ENOEXEC;
	}
	return ret;
}

static void protect_segments(struct shared_object *so,
			     const struct elf64_ehdr *eh,
			     const struct elf64_phdr *ph)
{
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		uint64_t start = ALIGN_DOWN(ph[i].vaddr, PAGE_SIZE);
		uint64_t end = ALIGN_UP(ph[i].vaddr + ph[i].memsz, PAGE_SIZE);
		/* W^X: a writable segment never runs. */
		paging_protect_module(
			so->base + start, end - start, ph[i].flags & PF_W,
			(ph[i].flags & PF_X) && !(ph[i].flags & PF_W));
	}
}

struct shared_object *so_load(const char *name, const void *image, size_t size,
			      const struct so_override *over)
{
	const char *file = image;
	const struct elf64_ehdr *eh = image;
	char why[128];
	uint64_t init = 0, init_array = 0, init_count = 0;

	if (size < sizeof(*eh) || elf_check_header(eh, why, sizeof(why)) ||
	    eh->type != ELF_TYPE_DYN || eh->phoff > size ||
	    (uint64_t)eh->phnum * sizeof(struct elf64_phdr) >
		    size - eh->phoff) {
		pr_err("so: %s is not an x86_64 shared object", name);
		return ERR_PTR(-ENOEXEC);
	}
	const struct elf64_phdr *ph = (const void *)(file + eh->phoff);
	struct shared_object *so = kzalloc(sizeof(*so));
	if (!so)
		return ERR_PTR(-ENOMEM);
	so->name = name;
	so->over = over;
	int ret = load_segments(so, file, size, eh, ph);
	if (!ret)
		ret = find_symbols(so, file, size, eh);
	if (!ret)
		ret = link_dynamic(so, eh, ph, &init, &init_array, &init_count);
	if (ret) {
		pr_err("so: cannot load %s (%d)", name, ret);
		/* The pages stay mapped in the module area: never reused. */
		kfree(so);
		return ERR_PTR(ret);
	}
	protect_segments(so, eh, ph);
	/* Constructors: DT_INIT, then DT_INIT_ARRAY in order. */
	if (init)
		((void (*)(void))(so->base + init))();
	const uint64_t *fns = at(so, init_array, init_count * 8);
	for (uint64_t i = 0; fns && i < init_count; i++)
		if (fns[i] && fns[i] != ~0ULL)
			((void (*)(void))fns[i])();
	pr_info("so: %s loaded at %p (%zu KiB)", name, so->base,
		so->span / KiB);
	return so;
}

void *so_symbol(struct shared_object *so, const char *name)
{
	for (size_t i = 0; i < so->nr_syms; i++) {
		const struct elf64_sym *s = &so->syms[i];
		if (s->shndx != 0 && s->value &&
		    !strcmp(so->strtab + s->name, name))
			return so->base + s->value;
	}
	return NULL;
}
