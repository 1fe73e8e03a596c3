/*
 * Unit tests of the ELF checks (kernel/elf/elf_check.c): a good static
 * program and a static-PIE pass with the right addresses; every kind of
 * broken header is refused with -ENOEXEC and a reason; and a bounded run
 * of random mutations never crashes (ASan/UBSan) nor lets through a
 * program whose entry or segments fall outside the program area.
 */
#include <errno.h>
#include <string.h>

#include <kernel/elf.h>
#include <kernel/vm.h>

#include "../../kernel/elf/elf_format.h"
#include "unit.h"

#define FILE_SIZE 0x3000

static struct elf64_ehdr eh;
static struct elf64_phdr ph[4];
static struct elf_image img;
static char err[160];

/* A plausible static program: text at 0x401000, data+bss at 0x403000. */
static void good(uint16_t type)
{
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.ident,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	eh.type = type;
	eh.machine = ELF_MACHINE_X86_64;
	eh.version = 1;
	eh.entry = type == ELF_TYPE_EXEC ? 0x401010 : 0x1010;
	eh.phoff = 64;
	eh.phentsize = sizeof(struct elf64_phdr);
	eh.phnum = 3;
	uint64_t b = type == ELF_TYPE_EXEC ? 0x400000 : 0;
	ph[0] = (struct elf64_phdr){ .type = PT_PHDR,
				     .flags = PF_R,
				     .offset = 64,
				     .vaddr = b + 64,
				     .filesz = 3 * 56,
				     .memsz = 3 * 56 };
	ph[1] = (struct elf64_phdr){ .type = PT_LOAD,
				     .flags = PF_R | PF_X,
				     .offset = 0x1000,
				     .vaddr = b + 0x1000,
				     .filesz = 0x800,
				     .memsz = 0x800,
				     .align = 0x1000 };
	ph[2] = (struct elf64_phdr){ .type = PT_LOAD,
				     .flags = PF_R | PF_W,
				     .offset = 0x2000,
				     .vaddr = b + 0x3000,
				     .filesz = 0x100,
				     .memsz = 0x5000,
				     .align = 0x1000 };
}

static int check(uintptr_t base)
{
	err[0] = 0;
	return elf_check(&eh, ph, FILE_SIZE, base, &img, err, sizeof(err));
}

static void test_good(void)
{
	good(ELF_TYPE_EXEC);
	CHECK(check(0) == 0);
	CHECK(img.entry == 0x401010 && img.phdr == 0x400040 && img.phnum == 3);
	CHECK(img.brk_start == 0x408000);
	good(ELF_TYPE_DYN);
	CHECK(check(ELF_PIE_BASE) == 0);
	CHECK(img.entry == ELF_PIE_BASE + 0x1010);
	CHECK(img.phdr == ELF_PIE_BASE + 64);
}

/* Applies @broken to a good header and expects a refusal naming @why. */
#define REFUSED(type, broken, why)                                      \
	do {                                                            \
		good(type);                                             \
		broken;                                                 \
		CHECK(check(type == ELF_TYPE_DYN ? ELF_PIE_BASE : 0) == \
		      -ENOEXEC);                                        \
		CHECK(strstr(err, why) != NULL);                        \
	} while (0)

static void test_refused(void)
{
	const uint16_t X = ELF_TYPE_EXEC;
	REFUSED(X, eh.ident[0] = 0, "not an ELF file");
	REFUSED(X, eh.ident[4] = 1, "not a 64-bit");
	REFUSED(X, eh.ident[5] = 2, "little-endian");
	REFUSED(X, eh.machine = 3, "not x86_64");
	REFUSED(X, eh.type = 1, "not an executable");
	REFUSED(X, eh.phentsize = 32, "program header size");
	REFUSED(X, eh.phnum = 0, "0 program headers");
	REFUSED(X, eh.phnum = 200, "200 program headers");
	REFUSED(X, eh.phoff = FILE_SIZE - 10, "beyond the end of the file");
	REFUSED(X, eh.phoff = ~0ULL, "beyond the end of the file");
	REFUSED(X, ph[1].filesz = 0x900, "file size above memory size");
	REFUSED(X, ph[2].filesz = 0x2000, "beyond the end of the file");
	REFUSED(X, ph[2].offset = ~0ULL - 5, "beyond the end of the file");
	REFUSED(X, ph[1].align = 0x1001, "not a power of two");
	REFUSED(X, ph[1].vaddr += 8, "modulo the page size");
	REFUSED(X, (ph[1].vaddr = 0, ph[1].offset = 0),
		"outside the program area");
	REFUSED(X, (ph[2].vaddr = 0xffffffff80003000ULL),
		"outside the program area");
	REFUSED(X, ph[2].memsz = ~0ULL - 0x1000, "outside the program area");
	REFUSED(X, (ph[2].vaddr = 0x401000, ph[2].offset = 0x2000), "overlaps");
	REFUSED(X, ph[1].type = PT_INTERP, "dynamically linked");
	REFUSED(X, eh.entry = 0x403010, "not in an executable segment");
	REFUSED(X, ph[1].flags = PF_R, "not in an executable segment");
	REFUSED(X, (ph[1].type = 0, ph[2].type = 0), "no loadable segment");
}

static uint64_t rng = 0x853c49e6748fea9bULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_fuzz(void)
{
	for (int i = 0; i < 100000; i++) {
		good(next_rand() & 1 ? ELF_TYPE_EXEC : ELF_TYPE_DYN);
		uint8_t *bytes = next_rand() & 1 ? (uint8_t *)&eh :
						   (uint8_t *)ph;
		size_t size = bytes == (uint8_t *)&eh ? sizeof(eh) : sizeof(ph);
		for (int k = next_rand() % 4 + 1; k > 0; k--)
			bytes[next_rand() % size] = (uint8_t)next_rand();
		if (eh.phnum > 4)
			eh.phnum = 4; /* the buffer holds four */
		uintptr_t base = eh.type == ELF_TYPE_DYN ? ELF_PIE_BASE : 0;
		int r = check(base);
		CHECK(r == 0 || (r == -ENOEXEC && err[0]));
		if (r == 0)
			CHECK(img.entry >= VM_MIN_ADDR &&
			      img.entry < VM_MMAP_TOP &&
			      img.brk_start <= VM_MMAP_TOP);
	}
}

TEST_MAIN(UNIT_CASE(test_good), UNIT_CASE(test_refused), UNIT_CASE(test_fuzz))
