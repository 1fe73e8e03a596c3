/*
 * Symbol lookup over the table scripts/gen-ksyms.sh generates from the
 * first link: sorted addresses, name offsets, and a blob of names.
 */
#include <kernel/ksyms.h>
#include <kernel/printk.h>

extern const uint64_t ksym_count;
extern const uint64_t ksym_addrs[];
extern const uint32_t ksym_name_offsets[];
extern const char ksym_names[];
extern const char _text[], _etext[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset, uint64_t *size)
{
	if (addr < (uint64_t)_text || addr >= (uint64_t)_etext ||
	    ksym_count == 0 || addr < ksym_addrs[0])
		return NULL;
	/* Last symbol whose address is <= addr. */
	uint64_t lo = 0, hi = ksym_count;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksym_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	uint64_t end = lo + 1 < ksym_count ? ksym_addrs[lo + 1] :
					     (uint64_t)_etext;
	*offset = addr - ksym_addrs[lo];
	*size = end - ksym_addrs[lo];
	return ksym_names + ksym_name_offsets[lo];
}

void ksym_format(uint64_t addr, char *buf, size_t len)
{
	uint64_t off, size;
	const char *name = ksym_lookup(addr, &off, &size);
	if (name)
		snprintf(buf, len, "%s+0x%lx/0x%lx", name, off, size);
	else
		snprintf(buf, len, "?");
}
