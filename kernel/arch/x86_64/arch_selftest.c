/*
 * Self-tests of the x86_64 layer: exceptions taken and recovered through
 * the fix-up table (the mechanism that turns bad pointers into -EFAULT),
 * and the W^X layout of the kernel page tables.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/traps.h>
#include <kernel/errno.h>
#include <kernel/selftest.h>

extern const char _text[], _etext[], _rodata[], _data[];

SELFTEST(exception_fixup)
{
	struct cpu *c = this_cpu();
	uint64_t ist[7], v = 0;

	for (int i = 0; i < 7; i++)
		ist[i] = c->tss.ist[i];
	/* Page fault: the lower half is unmapped. */
	ST_CHECK(probe_read_u64((void *)0x1000, &v) == -EFAULT,
		 "read of an unmapped page was not caught");
	/* General protection: a non-canonical address. */
	ST_CHECK(probe_read_u64((void *)0x8000000000000000ULL, &v) == -EFAULT,
		 "read of a non-canonical address was not caught");
	uint64_t x = 0x1122334455667788ULL;
	ST_CHECK(probe_read_u64(&x, &v) == 0 && v == x,
		 "a good read failed or read %lx", v);
	for (int i = 0; i < 7; i++)
		ST_CHECK(c->tss.ist[i] == ist[i],
			 "IST %d not restored after a fault", i + 1);
	return 0;
}

SELFTEST(wx_mappings)
{
	uint64_t e;

	e = paging_lookup((uintptr_t)_text);
	ST_CHECK(e && !(e & PTE_W) && !(e & PTE_NX), "text is not RX: %lx", e);
	e = paging_lookup((uintptr_t)_rodata);
	ST_CHECK(e && !(e & PTE_W) && (e & PTE_NX), "rodata is not R: %lx", e);
	e = paging_lookup((uintptr_t)_data);
	ST_CHECK(e && (e & PTE_W) && (e & PTE_NX), "data is not RW+NX: %lx", e);
	e = paging_lookup((uintptr_t)&e);
	ST_CHECK(e && (e & PTE_NX), "the stack is executable: %lx", e);
	e = paging_lookup(PHYS_OFFSET + 2 * MiB);
	ST_CHECK(e && (e & PTE_NX), "the direct map is executable: %lx", e);
	ST_CHECK(paging_lookup(0) == 0 && paging_lookup(0x100000) == 0,
		 "the lower half is mapped");
	ST_CHECK(!(e & PTE_U), "kernel memory is user-accessible");
	return 0;
}
