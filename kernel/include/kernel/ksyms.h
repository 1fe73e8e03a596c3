/* Kernel symbol lookup for backtraces (table generated at link time). */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <kernel/types.h>

/*
 * Finds the function containing @addr. Returns its name and sets *@offset
 * and *@size, or returns NULL when @addr is outside the kernel text.
 */
const char *ksym_lookup(uint64_t addr, uint64_t *offset, uint64_t *size);
/* Formats @addr as "name+0xoff/0xsize" (or "?") into @buf. */
void ksym_format(uint64_t addr, char *buf, size_t len);

#endif
