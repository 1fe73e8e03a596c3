/*
 * copy_to_user and friends (kernel/uaccess.h). The raw copy runs with
 * fault fix-ups (kernel/arch/x86_64/uaccess.S) and stops at the first
 * page that is not mapped; that page is faulted in through the program's
 * address space, as if the program had touched it, and the copy goes on.
 * A page the program may not access ends the copy with -EFAULT.
 */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>
#include <kernel/vm.h>

size_t uaccess_copy(void *dst, const void *src, size_t n);
size_t uaccess_clear(void *dst, size_t n);

static bool user_range_ok(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;
	return a + n >= a && a + n <= USER_SPACE_END;
}

/*
 * Copies until done, faulting in the program page where the raw copy
 * stopped; @to_user says which side is the program's (and so whether the
 * program page must be writable).
 */
static int copy_loop(char *dst, const char *src, size_t n, bool to_user)
{
	uintptr_t last_fault = 0;
	while (n) {
		size_t left = uaccess_copy(dst, src, n);
		if (!left)
			return 0;
		size_t done = n - left;
		dst += done;
		src += done;
		n = left;
		uintptr_t at = (uintptr_t)(to_user ? dst : src);
		/* The same page twice: mapped, yet the copy cannot touch it. */
		if (at == last_fault || vm_fault(at, to_user, false))
			return -EFAULT;
		last_fault = at;
	}
	return 0;
}

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return copy_loop(dst, usrc, n, false);
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return copy_loop(udst, src, n, true);
}

int clear_user(void *udst, size_t n)
{
	char *p = udst;
	uintptr_t last_fault = 0;

	if (!user_range_ok(udst, n))
		return -EFAULT;
	while (n) {
		size_t left = uaccess_clear(p, n);
		if (!left)
			return 0;
		p += n - left;
		n = left;
		if ((uintptr_t)p == last_fault ||
		    vm_fault((uintptr_t)p, true, false))
			return -EFAULT;
		last_fault = (uintptr_t)p;
	}
	return 0;
}

long strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	size_t copied = 0;

	/* Page by page: the string may end just before an unmapped page. */
	while (copied < max) {
		uintptr_t at = (uintptr_t)usrc + copied;
		size_t chunk =
			MIN(max - copied, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
		if (copy_from_user(dst + copied, (const void *)at, chunk))
			return -EFAULT;
		const char *nul = memchr(dst + copied, 0, chunk);
		if (nul)
			return nul - dst;
		copied += chunk;
	}
	return -ENAMETOOLONG;
}
