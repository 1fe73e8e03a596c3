/*
 * Shared objects linked into the kernel at run time (kernel/elf/so_load.c)
 * and the symbols the kernel exports to them (kernel/posix/).
 */
#ifndef KERNEL_SO_H
#define KERNEL_SO_H

#include <kernel/types.h>

struct shared_object;

/* A symbol the kernel defines in place of the object's own. */
struct so_override {
	const char *name;
	void *addr;
};

/*
 * Loads the ELF shared object of @size bytes at @image, links it against
 * the kernel's exports and runs its constructors. The object's references
 * to a symbol named in @over (ended by a NULL name; @over may be NULL) go
 * to the kernel's definition, even where the object defines it too, as a
 * program's definition takes precedence over a library's. ERR_PTR on
 * failure, after naming every missing symbol.
 */
struct shared_object *so_load(const char *name, const void *image, size_t size,
			      const struct so_override *over);
/* The address of symbol @name defined by @so, or NULL. */
void *so_symbol(struct shared_object *so, const char *name);
/* The kernel function or object exported as @name, or NULL. */
void *kernel_export(const char *name);

#endif
