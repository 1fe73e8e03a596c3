/*
 * The program's address space: one per appliance (one program, many
 * threads), in the lower half of the kernel's page tables. It is a sorted
 * list of areas (struct vma) with their protection; pages are allocated
 * zeroed on first touch (vm_fault), so a large mmap() costs nothing until
 * used. All changes are serialised by one mutex.
 */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include <kernel/types.h>

/* Protection bits, as mmap(2) numbers them. */
#define VM_PROT_READ 0x1
#define VM_PROT_WRITE 0x2
#define VM_PROT_EXEC 0x4
#define VM_PROT_MASK 0x7

/* vm_map() flags. */
#define VM_MAP_FIXED 0x1     /* exactly at *addr, replacing what is there */
#define VM_MAP_NOREPLACE 0x2 /* exactly at *addr, -EEXIST if taken */

/* Where things go: the stack below the top, mmap() areas below it. */
#define VM_STACK_TOP 0x00007ffffffff000UL
#define VM_STACK_SIZE (8 * MiB)
#define VM_MMAP_TOP (VM_STACK_TOP - VM_STACK_SIZE - 16 * MiB)
#define VM_MIN_ADDR 0x10000UL /* nothing is mapped below (NULL guard) */

void vm_init(void);
/*
 * Maps @len bytes (rounded up to pages) of zero-fill-on-demand memory.
 * Without a fixed flag *@addr is a hint; the chosen address is returned in
 * *@addr. Returns 0, -ENOMEM (no room), -EINVAL, -EEXIST.
 */
int vm_map(uintptr_t *addr, size_t len, unsigned prot, unsigned flags);
/* Unmaps [addr, addr+len); holes in the range are fine. */
int vm_unmap(uintptr_t addr, size_t len);
/* Changes protection; -ENOMEM if part of the range is not mapped. */
int vm_protect(uintptr_t addr, size_t len, unsigned prot);
/*
 * mremap(2): grows or shrinks the area at @old; moves it (keeping its
 * pages) when it cannot grow in place and @may_move. Returns the address
 * or a negative errno.
 */
long vm_remap(uintptr_t old, size_t old_len, size_t new_len, bool may_move);
/*
 * Resolves a fault at @addr: allocates the page when the area allows the
 * access. 0 when the access can be retried, -EFAULT when it is invalid,
 * -ENOMEM when memory ran out.
 */
int vm_fault(uintptr_t addr, bool write, bool exec);
/*
 * Frees the pages of the range; they read back as zeros (madvise). Shared
 * mappings are written back instead and keep their pages.
 */
int vm_discard(uintptr_t addr, size_t len);

/*
 * Shared mappings of a file (mmap MAP_SHARED). The pages hold a copy of
 * the file's bytes, read in at mmap; pages the program changed (the CPU's
 * dirty bit) are written back to the file at msync, munmap, fsync and
 * when the program ends. Mappings share pages with each other only
 * through threads: two mmaps of one file are two copies.
 */
struct vm_backing;
struct vm_backing_ops {
	/*
	 * Writes @len bytes of @buf (kernel memory) to byte @off of the
	 * file, never past its end (the file does not grow); 0 or -errno.
	 */
	int (*write)(struct vm_backing *b, const void *buf, size_t len,
		     uint64_t off);
	/* Makes what was written stable (msync MS_SYNC); 0 or -errno. */
	int (*sync)(struct vm_backing *b);
	/* The last mapping of it is gone. */
	void (*release)(struct vm_backing *b);
};
struct vm_backing {
	const struct vm_backing_ops *ops;
	const void *key; /* what vm_sync_backing finds it by: the vnode */
	bool writable;	 /* opened for writing: PROT_WRITE allowed */
	unsigned refs;	 /* areas and write-backs using it; under the vm lock */
	struct vm_backing *next_released; /* vm.c's, once refs is 0 */
};
/*
 * Makes [addr, addr+len), mapped already and holding the file's bytes
 * from @off, a shared mapping of @b: its pages count as clean from now.
 * Takes a reference on @b; 0 or -ENOMEM.
 */
int vm_share(uintptr_t addr, size_t len, struct vm_backing *b, uint64_t off);
/*
 * msync(2): writes back changed pages in the range, and with @stable
 * makes them stable on the file's storage; -ENOMEM on holes.
 */
int vm_sync(uintptr_t addr, size_t len, bool stable);
/* Writes back every shared mapping of @key (every one when NULL). */
int vm_sync_backing(const void *key);
/* The heap (brk): set its start once, after the program is loaded. */
void vm_set_brk_start(uintptr_t start);
/* brk(2): moves the break when it can; returns the break in force. */
uintptr_t vm_brk(uintptr_t new_brk);
/* Bytes of program memory actually allocated (for sysinfo and tests). */
size_t vm_resident_bytes(void);

#endif
