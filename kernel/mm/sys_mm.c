/*
 * Memory system calls: brk, mmap, munmap, mprotect, mremap, madvise,
 * msync. Arguments are checked as Linux checks them.
 *
 * A file mapping's bytes are read in at mmap time. A shared one keeps a
 * reference to the open file as its backing (kernel/vm.h), and the pages
 * the program changes go back to the file at msync, munmap, fsync and
 * the program's end.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/syscalls.h>
#include <kernel/vm.h>
#include <vfs/vfs.h>

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x100
#define MAP_DENYWRITE 0x800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_HUGETLB 0x40000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_KNOWN                                                      \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN |        \
	 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | \
	 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB |       \
	 MAP_FIXED_NOREPLACE)

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

#define MADV_DONTNEED 4
#define MADV_FREE 8

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

SYSCALL_DEFINE(brk)
{
	return (long)vm_brk((uintptr_t)a0);
}

#define MAP_FILE_RESERVE_PAGES (16 * 1024 * 1024 / PAGE_SIZE)

struct file_backing {
	struct vm_backing b;
	struct file *f; /* one reference */
};

static int file_backing_write(struct vm_backing *b, const void *buf, size_t len,
			      uint64_t off)
{
	struct file *f = ((struct file_backing *)b)->f;
	struct kstat st;
	vfs_fstat(f, &st);
	if (off >= st.size)
		return 0; /* past the end: the file does not grow */
	len = (size_t)MIN((uint64_t)len, st.size - off);
	struct uio u = { .base = (char *)buf, .len = len, .user = false };
	ssize_t n = vfs_pwrite(f, &u, off);
	return n < 0 ? (int)n : (size_t)n == len ? 0 : -EIO;
}

static int file_backing_sync(struct vm_backing *b)
{
	return vfs_fsync(((struct file_backing *)b)->f);
}

static void file_backing_release(struct vm_backing *b)
{
	file_put(((struct file_backing *)b)->f);
	kfree(b);
}

static const struct vm_backing_ops file_backing_ops = {
	.write = file_backing_write,
	.sync = file_backing_sync,
	.release = file_backing_release,
};

/* Makes the mapping at @addr, holding @f's bytes, a shared one. */
static long share_file(uintptr_t addr, size_t len, struct file *f, uint64_t off)
{
	struct file_backing *fb = kzalloc(sizeof(*fb));
	if (!fb)
		return -ENOMEM;
	fb->b.ops = &file_backing_ops;
	fb->b.key = f->vn;
	fb->b.writable = file_writable(f);
	fb->f = f;
	file_get(f);
	int ret = vm_share(addr, len, &fb->b, off);
	if (ret)
		file_backing_release(&fb->b);
	return ret;
}

/* Reads the file's bytes into a fresh mapping; @shared: and keeps it. */
static long map_file(uintptr_t addr, size_t len, unsigned prot, int fd,
		     uint64_t off, bool shared)
{
	struct file *f = fd_get(fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (!file_readable(f) ||
	    (shared && (prot & VM_PROT_WRITE) && !file_writable(f))) {
		file_put(f);
		return -EACCES;
	}
	if (shared && f->vn->type != VREG) {
		file_put(f);
		return -ENODEV;
	}
	/*
	 * Reading in more than free memory would starve the kernel itself
	 * (NFS replies need buffers too): refuse it up front, as Linux's
	 * overcommit heuristic refuses what cannot fit.
	 */
	struct kstat st;
	vfs_fstat(f, &st);
	uint64_t bytes = st.size > off ? MIN((uint64_t)len, st.size - off) : 0;
	if (bytes / PAGE_SIZE + MAP_FILE_RESERVE_PAGES > pmm_free_pages()) {
		file_put(f);
		return -ENOMEM;
	}
	struct uio u = { .base = (char *)addr, .len = len, .user = true };
	ssize_t n = vfs_pread(f, &u, off);
	long ret = n < 0 ? n : shared ? share_file(addr, len, f, off) : 0;
	file_put(f);
	/* Bytes past the end of the file stay zero, as Linux gives them. */
	return ret ? ret : vm_protect(addr, len, prot);
}

SYSCALL_DEFINE(mmap)
{
	uintptr_t addr = (uintptr_t)a0;
	size_t len = (size_t)a1;
	unsigned prot = (unsigned)a2;
	long flags = a3;
	int fd = (int)a4;
	uint64_t off = (uint64_t)a5;
	long type = flags & MAP_TYPE;

	if (!len || (flags & ~(long)MAP_KNOWN) || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & ~VM_PROT_MASK)
		return -EINVAL;
	bool anon = flags & MAP_ANONYMOUS;
	unsigned vflags = (flags & MAP_FIXED)		? VM_MAP_FIXED :
			  (flags & MAP_FIXED_NOREPLACE) ? VM_MAP_NOREPLACE :
							  0;
	/* A file is read in with write access, then protected. */
	unsigned first = anon ? prot : prot | VM_PROT_READ | VM_PROT_WRITE;
	int ret = vm_map(&addr, len, first, vflags);
	if (ret)
		return ret;
	if (!anon) {
		long r =
			map_file(addr, len, prot, fd, off, type != MAP_PRIVATE);
		if (r) {
			vm_unmap(addr, len);
			return r;
		}
	}
	return (long)addr;
}

SYSCALL_DEFINE(munmap)
{
	return vm_unmap((uintptr_t)a0, (size_t)a1);
}

SYSCALL_DEFINE(mprotect)
{
	return vm_protect((uintptr_t)a0, (size_t)a1, (unsigned)a2);
}

SYSCALL_DEFINE(mremap)
{
	if (a3 & ~(long)(MREMAP_MAYMOVE | MREMAP_FIXED))
		return -EINVAL;
	if (a3 & MREMAP_FIXED)
		return -EINVAL; /* moving to a chosen address: not yet */
	return vm_remap((uintptr_t)a0, (size_t)a1, (size_t)a2,
			a3 & MREMAP_MAYMOVE);
}

SYSCALL_DEFINE(msync)
{
	long flags = a2;
	if ((flags & ~(long)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	/*
	 * MS_ASYNC writes back too: there is no flusher of pages to leave it
	 * to. MS_SYNC also waits until the file's server has the data stable.
	 */
	return vm_sync((uintptr_t)a0, (size_t)a1, flags & MS_SYNC);
}

SYSCALL_DEFINE(madvise)
{
	uintptr_t addr = (uintptr_t)a0;
	size_t len = (size_t)a1;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	/* DONTNEED and FREE: the pages read back as zeros afterwards. */
	if ((a2 == MADV_DONTNEED || a2 == MADV_FREE) && len)
		return vm_discard(addr, len);
	return 0;
}
