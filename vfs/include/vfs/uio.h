/*
 * Data transfer descriptors. A read or write op moves bytes straight
 * between the filesystem's storage and the buffer a uio describes: a
 * program's buffer (user: every copy goes through copy_to_user and
 * copy_from_user, so a bad pointer is -EFAULT) or a kernel buffer (memcpy).
 * There is no bounce buffer in between.
 */
#ifndef VFS_UIO_H
#define VFS_UIO_H

#include <kernel/types.h>

struct uio {
	char *base; /* next byte to transfer */
	size_t len; /* bytes left */
	bool user;  /* base is a program pointer */
};

/*
 * Copies @n bytes from kernel memory @src into the uio and advances it.
 * @n must not exceed u->len. Returns 0 or -EFAULT (the uio is then left
 * where it was).
 */
int uio_copy_out(struct uio *u, const void *src, size_t n);
/* Copies @n bytes out of the uio into kernel memory @dst; 0 or -EFAULT. */
int uio_copy_in(struct uio *u, void *dst, size_t n);
/* Writes @n zero bytes into the uio (a hole being read); 0 or -EFAULT. */
int uio_zero_out(struct uio *u, size_t n);

#endif
