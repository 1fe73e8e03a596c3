/* The initrd (cpio "newc" archive) unpacker; see kernel/init/initrd.c. */
#ifndef KERNEL_INITRD_H
#define KERNEL_INITRD_H

#include <kernel/types.h>

/*
 * Unpacks the archive of @size bytes at @archive into the root
 * filesystem. Returns 0, or a negative errno with the reason (and the
 * offset, for a corrupt archive) in @err.
 */
int initrd_unpack(const void *archive, size_t size, char *err, size_t errlen);

#endif
