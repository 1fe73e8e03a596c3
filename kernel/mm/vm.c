/*
 * The program's address space (see kernel/vm.h).
 *
 * Areas are kept in a list sorted by address; every operation first splits
 * the areas at the edges of its range, so it then works on whole areas.
 * Pages are allocated on first touch and mapped with the area's
 * protection; unmapping frees them. Adjacent areas with the same
 * protection are merged, so a program growing its heap or stack does not
 * grow the list.
 *
 * Shared file mappings (vm_share) are areas with a backing: splitting one
 * shares the backing, areas merge only when they continue the same file.
 * Write-back goes a chunk at a time: under the lock it clears the pages'
 * dirty bits, flushes every CPU's TLB (so the next write sets the bit
 * again) and copies the pages that were dirty aside; without it, it
 * writes them to the file. No file is ever written, and no backing
 * released, under the lock: an NFS call may fault in program pages
 * itself, which needs the lock.
 *
 * Lock: vm.lock (a mutex) protects the list, the break and the program
 * half of the page tables. TLB entries are flushed on this CPU; remote
 * shootdown comes with SMP.
 */
#include <arch/x86_64/io.h>
#include <arch/x86_64/paging.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/list.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/vm.h>
#include <kernel/waitq.h>

struct vma {
	struct list_node node;	    /* in vm.areas, sorted by start */
	uintptr_t start, end;	    /* page-aligned, [start, end) */
	unsigned prot;		    /* VM_PROT_* */
	struct vm_backing *backing; /* shared file mapping, or NULL */
	uint64_t off;		    /* the file offset of start */
};

/* Pages written back per TLB shootdown. */
#define WRITEBACK_CHUNK 64

static struct {
	struct mutex lock; /* protects everything below and user PTEs */
	struct list_node areas;
	uintptr_t brk_start, brk; /* heap: [brk_start, brk) */
	size_t resident_pages;
} vm;

void vm_init(void)
{
	mutex_init(&vm.lock);
	list_init(&vm.areas);
}

static struct vma *vma_of(struct list_node *n)
{
	return list_entry(n, struct vma, node);
}

static uint64_t pte_flags(unsigned prot)
{
	return ((prot & VM_PROT_WRITE) ? PTE_W : 0) |
	       ((prot & VM_PROT_EXEC) ? 0 : PTE_NX);
}

/* The area containing @addr, or NULL. */
static struct vma *find_locked(uintptr_t addr)
{
	struct list_node *n;
	list_for_each (n, &vm.areas) {
		struct vma *v = vma_of(n);
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

/* Makes @addr an area boundary if it falls inside one. */
static int split_at_locked(uintptr_t addr)
{
	struct vma *v = find_locked(addr);
	if (!v || v->start == addr)
		return 0;
	struct vma *upper = kmalloc(sizeof(*upper));
	if (!upper)
		return -ENOMEM;
	*upper = (struct vma){ .start = addr,
			       .end = v->end,
			       .prot = v->prot,
			       .backing = v->backing,
			       .off = v->off + (addr - v->start) };
	if (v->backing)
		v->backing->refs++;
	v->end = addr;
	list_insert_between(&upper->node, &v->node, v->node.next);
	return 0;
}

/* Backings whose last area went while the lock was held. */
static struct vm_backing *released; /* under vm.lock */

static void backing_put_locked(struct vm_backing *b)
{
	if (b && --b->refs == 0) {
		b->next_released = released;
		released = b;
	}
}

/*
 * Drops the lock, then releases the backings that lost their last area:
 * closing a file may talk to an NFS server, never under the lock.
 */
static void vm_unlock(void)
{
	struct vm_backing *b = released;
	released = NULL;
	mutex_unlock(&vm.lock);
	while (b) {
		struct vm_backing *next = b->next_released;
		b->ops->release(b);
		b = next;
	}
}

/* Whether @b continues @a: adjacent, same protection, same file run. */
static bool mergeable(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot &&
	       a->backing == b->backing &&
	       (!a->backing || a->off + (a->end - a->start) == b->off);
}

/* Removes @n, which @v has just absorbed. */
static void absorb_locked(struct vma *v, struct vma *n)
{
	v->end = n->end;
	list_remove(&n->node);
	backing_put_locked(n->backing);
	kfree(n);
}

/* Merges @v with its neighbours where they touch and match. */
static void merge_locked(struct vma *v)
{
	if (v->node.prev != &vm.areas) {
		struct vma *p = vma_of(v->node.prev);
		if (mergeable(p, v)) {
			absorb_locked(p, v);
			v = p;
		}
	}
	if (v->node.next != &vm.areas) {
		struct vma *n = vma_of(v->node.next);
		if (mergeable(v, n))
			absorb_locked(v, n);
	}
}

/* One chunk of write-back: dirty runs copied out under the lock. */
struct wb_chunk {
	struct vm_backing *b; /* referenced until the runs are written */
	unsigned runs;
	uint64_t off[WRITEBACK_CHUNK]; /* file offset of each run */
	size_t len[WRITEBACK_CHUNK], at[WRITEBACK_CHUNK]; /* in the buffer */
};

static bool wants_sync(const struct vma *v, uintptr_t from, uintptr_t end,
		       const void *key)
{
	return v->backing && v->end > from && v->start < end &&
	       (!key || v->backing->key == key);
}

static bool any_shared_locked(uintptr_t start, uintptr_t end, const void *key)
{
	struct list_node *n;
	list_for_each (n, &vm.areas)
		if (wants_sync(vma_of(n), start, end, key))
			return true;
	return false;
}

/*
 * The next piece of shared area at or after *@cursor (below @end, of
 * @key), at most WRITEBACK_CHUNK pages: clears its dirty bits, flushes
 * every TLB (a write after that dirties the page again), and copies the
 * pages that were dirty to @buf, through the kernel's own mapping of
 * their frames. Advances *@cursor; false when nothing is left.
 */
static bool take_chunk_locked(uintptr_t *cursor, uintptr_t end, const void *key,
			      char *buf, struct wb_chunk *c)
{
	struct list_node *n;
	list_for_each (n, &vm.areas) {
		struct vma *v = vma_of(n);
		if (v->start >= end)
			return false;
		if (!wants_sync(v, *cursor, end, key))
			continue;
		uintptr_t s = MAX(*cursor, v->start);
		uintptr_t e =
			MIN(MIN(end, v->end), s + WRITEBACK_CHUNK * PAGE_SIZE);
		*cursor = e;
		uint64_t dirty = 0;
		for (uintptr_t va = s; va < e; va += PAGE_SIZE)
			if (paging_user_clear_dirty(va))
				dirty |= 1ULL << ((va - s) / PAGE_SIZE);
		c->b = v->backing;
		c->b->refs++;
		c->runs = 0;
		if (!dirty)
			return true;
		tlb_shootdown(s, e);
		size_t at = 0;
		for (unsigned i = 0; i < WRITEBACK_CHUNK;) {
			if (!(dirty & (1ULL << i))) {
				i++;
				continue;
			}
			unsigned j = i;
			for (; j < WRITEBACK_CHUNK && (dirty & (1ULL << j));
			     j++) {
				uint64_t pte =
					paging_user_lookup(s + j * PAGE_SIZE);
				memcpy(buf + at + (j - i) * PAGE_SIZE,
				       phys_to_virt(pte & PTE_ADDR_MASK),
				       PAGE_SIZE);
			}
			c->off[c->runs] =
				v->off + (s + i * PAGE_SIZE - v->start);
			c->len[c->runs] = (j - i) * PAGE_SIZE;
			c->at[c->runs++] = at;
			at += (j - i) * PAGE_SIZE;
			i = j;
		}
		return true;
	}
	return false;
}

/* Drops a write-back's reference on @b (NULL: none), taking the lock. */
static void backing_put(struct vm_backing *b)
{
	mutex_lock(&vm.lock);
	backing_put_locked(b);
	vm_unlock();
}

/* Makes @b's writes stable, then drops the reference; 0 or -errno. */
static int backing_sync_put(struct vm_backing *b)
{
	int e = b && b->ops->sync ? b->ops->sync(b) : 0;
	backing_put(b);
	return e;
}

/*
 * Writes back the changed pages of the shared areas in [start, end) (of
 * @key only, unless NULL), and when @stable makes each area's file
 * stable too: its fsync, once per run of chunks of one backing, dirty or
 * not (an earlier write-back may be unstable). Called without the lock:
 * it is taken for each chunk's copy and dropped for the write, so a slow
 * file never holds up page faults, and no file lock is ever taken under
 * it. Returns 0 or the first error; pages that failed stay clean (the
 * error is the program's news, as Linux's msync gives it once).
 */
static int sync_range(uintptr_t start, uintptr_t end, const void *key,
		      bool stable)
{
	mutex_lock(&vm.lock);
	bool any = any_shared_locked(start, end, key);
	vm_unlock();
	if (!any)
		return 0;
	char *buf = kmalloc(WRITEBACK_CHUNK * PAGE_SIZE);
	struct wb_chunk *c = kmalloc(sizeof(*c));
	int ret = 0;
	if (!buf || !c) {
		kfree(c);
		kfree(buf);
		return -ENOMEM;
	}
	struct vm_backing *due = NULL; /* to sync when @stable: a reference */
	for (uintptr_t cursor = start; cursor < end;) {
		mutex_lock(&vm.lock);
		bool more = take_chunk_locked(&cursor, end, key, buf, c);
		vm_unlock();
		if (!more)
			break;
		for (unsigned r = 0; r < c->runs; r++) {
			int e = c->b->ops->write(c->b, buf + c->at[r],
						 c->len[r], c->off[r]);
			if (e && !ret)
				ret = e;
		}
		if (!stable || c->b == due) {
			backing_put(c->b);
			continue;
		}
		int e = backing_sync_put(due);
		if (e && !ret)
			ret = e;
		due = c->b; /* keeps the chunk's reference */
	}
	int e = backing_sync_put(due);
	if (e && !ret)
		ret = e;
	kfree(c);
	kfree(buf);
	return ret;
}

/* munmap and friends cannot report a failed write-back: log it, once. */
static void sync_before_unmap(uintptr_t start, uintptr_t end)
{
	int r = sync_range(start, end, NULL, false);
	static bool logged;
	if (r && !logged) {
		logged = true;
		pr_warn("vm: writing a shared mapping back to its file failed (%d)",
			r);
	}
}

/*
 * Unmaps the pages of [start, end) and frees them, after every CPU has
 * dropped them from its TLB: until then another CPU may still write to
 * them. The frames wait on a list threaded through their struct page.
 */
static void free_pages_locked(uintptr_t start, uintptr_t end)
{
	struct list_node freed;
	list_init(&freed);
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		phys_addr_t pa = paging_user_unmap(va);
		if (pa) {
			list_add_tail(&freed,
				      &virt_to_page(phys_to_virt(pa))->node);
			vm.resident_pages--;
		}
	}
	if (list_empty(&freed))
		return;
	tlb_shootdown(start, end);
	struct list_node *n;
	while ((n = list_pop_head(&freed)) != NULL)
		page_free(page_to_virt(list_entry(n, struct page, node)), 1);
}

static int unmap_locked(uintptr_t start, uintptr_t end)
{
	int ret = split_at_locked(start);
	if (!ret)
		ret = split_at_locked(end);
	if (ret)
		return ret;
	struct list_node *n, *tmp;
	list_for_each_safe (n, tmp, &vm.areas) {
		struct vma *v = vma_of(n);
		if (v->start >= end)
			break;
		if (v->end <= start)
			continue;
		free_pages_locked(v->start, v->end);
		list_remove(&v->node);
		backing_put_locked(v->backing);
		kfree(v);
	}
	return 0;
}

static bool range_free_locked(uintptr_t start, uintptr_t end)
{
	struct list_node *n;
	list_for_each (n, &vm.areas) {
		struct vma *v = vma_of(n);
		if (v->start >= end)
			return true;
		if (v->end > start)
			return false;
	}
	return true;
}

/* The highest free range of @len bytes below VM_MMAP_TOP, or 0. */
static uintptr_t find_free_locked(size_t len)
{
	uintptr_t best = 0, gap_start = VM_MIN_ADDR;
	struct list_node *n;
	list_for_each (n, &vm.areas) {
		struct vma *v = vma_of(n);
		uintptr_t gap_end = MIN(v->start, VM_MMAP_TOP);
		if (gap_end > gap_start && gap_end - gap_start >= len)
			best = gap_end - len;
		gap_start = MAX(gap_start, v->end);
	}
	if (VM_MMAP_TOP > gap_start && VM_MMAP_TOP - gap_start >= len)
		best = VM_MMAP_TOP - len;
	return best;
}

static int insert_locked(uintptr_t start, uintptr_t end, unsigned prot)
{
	struct vma *v = kmalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	*v = (struct vma){ .start = start, .end = end, .prot = prot };
	struct list_node *n;
	list_for_each (n, &vm.areas)
		if (vma_of(n)->start > start)
			break;
	list_insert_between(&v->node, n->prev, n);
	merge_locked(v);
	return 0;
}

static bool range_valid(uintptr_t start, size_t len)
{
	return start >= VM_MIN_ADDR && len && start + len > start &&
	       start + len <= USER_SPACE_END;
}

int vm_map(uintptr_t *addr, size_t len, unsigned prot, unsigned flags)
{
	if (!len || len > USER_SPACE_END || (prot & ~VM_PROT_MASK))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	bool fixed = flags & (VM_MAP_FIXED | VM_MAP_NOREPLACE);
	uintptr_t start = *addr;
	if (fixed &&
	    (!IS_ALIGNED(start, PAGE_SIZE) || !range_valid(start, len)))
		return -EINVAL;

	if (flags & VM_MAP_FIXED)
		sync_before_unmap(start, start + len);
	mutex_lock(&vm.lock);
	int ret = 0;
	if (flags & VM_MAP_FIXED) {
		ret = unmap_locked(start, start + len);
	} else if (flags & VM_MAP_NOREPLACE) {
		if (!range_free_locked(start, start + len))
			ret = -EEXIST;
	} else if (!start || !IS_ALIGNED(start, PAGE_SIZE) ||
		   !range_valid(start, len) ||
		   !range_free_locked(start, start + len)) {
		start = find_free_locked(len);
		if (!start)
			ret = -ENOMEM;
	}
	if (!ret)
		ret = insert_locked(start, start + len, prot);
	vm_unlock();
	if (!ret)
		*addr = start;
	return ret;
}

int vm_unmap(uintptr_t addr, size_t len)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || !len ||
	    addr + ALIGN_UP(len, PAGE_SIZE) > USER_SPACE_END ||
	    addr + len < addr)
		return -EINVAL;
	sync_before_unmap(addr, addr + ALIGN_UP(len, PAGE_SIZE));
	mutex_lock(&vm.lock);
	int ret = unmap_locked(addr, addr + ALIGN_UP(len, PAGE_SIZE));
	vm_unlock();
	return ret;
}

int vm_protect(uintptr_t addr, size_t len, unsigned prot)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || (prot & ~VM_PROT_MASK) ||
	    addr + len < addr)
		return -EINVAL;
	uintptr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end > USER_SPACE_END)
		return -ENOMEM;
	if (end == addr)
		return 0;
	mutex_lock(&vm.lock);
	/* The whole range must be mapped, without holes. */
	int ret = 0;
	for (uintptr_t a = addr; a < end && !ret;) {
		struct vma *v = find_locked(a);
		if (!v)
			ret = -ENOMEM;
		else
			a = v->end;
	}
	for (uintptr_t a = addr; a < end && !ret;) {
		struct vma *v = find_locked(a);
		if (v->backing && !v->backing->writable &&
		    (prot & VM_PROT_WRITE))
			ret = -EACCES; /* the file was not opened for writing */
		a = v->end;
	}
	if (!ret)
		ret = split_at_locked(addr);
	if (!ret)
		ret = split_at_locked(end);
	if (!ret) {
		for (uintptr_t a = addr; a < end;) {
			struct vma *v = find_locked(a);
			v->prot = prot;
			for (uintptr_t va = v->start; va < v->end;
			     va += PAGE_SIZE)
				paging_user_protect(va, pte_flags(prot));
			a = v->end;
			merge_locked(v);
		}
		tlb_shootdown(addr, end);
	}
	vm_unlock();
	return ret;
}

/* Moves the pages of [from, from+len) to @to (unmapped), keeping them. */
static int move_pages_locked(uintptr_t from, uintptr_t to, size_t len,
			     unsigned prot)
{
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		phys_addr_t pa = paging_user_unmap(from + off);
		if (pa && paging_user_map(to + off, pa, pte_flags(prot))) {
			page_free(phys_to_virt(pa), 1);
			vm.resident_pages--;
			return -ENOMEM;
		}
	}
	return 0;
}

long vm_remap(uintptr_t old, size_t old_len, size_t new_len, bool may_move)
{
	if (!IS_ALIGNED(old, PAGE_SIZE) || !new_len)
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!range_valid(old, old_len) || new_len > USER_SPACE_END)
		return -EINVAL;
	if (new_len < old_len)
		sync_before_unmap(old + new_len, old + old_len);
	mutex_lock(&vm.lock);
	long ret;
	struct vma *v = find_locked(old);
	if (!v || v->end < old + old_len) {
		ret = -EFAULT; /* the old range must lie in one area */
	} else if (new_len <= old_len) {
		ret = unmap_locked(old + new_len, old + old_len);
		ret = ret ? ret : (long)old;
	} else if (v->backing) {
		/* Growing would need the file's next bytes read in. */
		static bool logged;
		if (!logged) {
			logged = true;
			pr_warn("mremap: growing a shared file mapping is not supported (-EINVAL)");
		}
		ret = -EINVAL;
	} else if (old + new_len <= USER_SPACE_END && v->end == old + old_len &&
		   range_free_locked(old + old_len, old + new_len)) {
		ret = insert_locked(old + old_len, old + new_len, v->prot);
		ret = ret ? ret : (long)old;
	} else if (!may_move) {
		ret = -ENOMEM;
	} else {
		unsigned prot = v->prot;
		uintptr_t to = find_free_locked(new_len);
		ret = to ? insert_locked(to, to + new_len, prot) : -ENOMEM;
		if (!ret)
			ret = move_pages_locked(old, to, old_len, prot);
		if (!ret)
			tlb_shootdown(old, old + old_len);
		if (!ret)
			ret = unmap_locked(old, old + old_len);
		ret = ret ? ret : (long)to;
	}
	vm_unlock();
	return ret;
}

int vm_fault(uintptr_t addr, bool write, bool exec)
{
	uintptr_t page = ALIGN_DOWN(addr, PAGE_SIZE);
	int ret = -EFAULT;

	if (addr >= USER_SPACE_END)
		return -EFAULT;
	mutex_lock(&vm.lock);
	struct vma *v = find_locked(page);
	/* x86 cannot make a page writable but not readable. */
	if (!v || !(v->prot & VM_PROT_MASK) ||
	    (write && !(v->prot & VM_PROT_WRITE)) ||
	    (exec && !(v->prot & VM_PROT_EXEC)))
		goto out;
	if (paging_user_lookup(page)) {
		/* Another thread faulted it in, or this CPU's TLB was stale. */
		invlpg(page);
		ret = 0;
		goto out;
	}
	void *mem = page_alloc_zeroed(1);
	if (!mem) {
		ret = -ENOMEM;
		goto out;
	}
	ret = paging_user_map(page, virt_to_phys(mem), pte_flags(v->prot));
	if (ret) {
		page_free(mem, 1);
		goto out;
	}
	vm.resident_pages++;
out:
	vm_unlock();
	return ret;
}

int vm_discard(uintptr_t addr, size_t len)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || addr + len < addr ||
	    addr + len > USER_SPACE_END)
		return -EINVAL;
	uintptr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	int ret = sync_range(addr, end, NULL, false);
	mutex_lock(&vm.lock);
	struct list_node *n;
	list_for_each (n, &vm.areas) {
		struct vma *v = vma_of(n);
		if (v->start >= end)
			break;
		if (v->end > addr && !v->backing)
			free_pages_locked(MAX(addr, v->start),
					  MIN(end, v->end));
	}
	vm_unlock();
	return ret;
}

int vm_share(uintptr_t addr, size_t len, struct vm_backing *b, uint64_t off)
{
	uintptr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	mutex_lock(&vm.lock);
	int ret = split_at_locked(addr);
	if (!ret)
		ret = split_at_locked(end);
	struct vma *v = ret ? NULL : find_locked(addr);
	if (v && v->end == end && !v->backing) {
		v->backing = b;
		v->off = off;
		b->refs++;
		/* Reading the file in dirtied the pages: they are clean now. */
		for (uintptr_t va = addr; va < end; va += PAGE_SIZE)
			paging_user_clear_dirty(va);
		tlb_shootdown(addr, end);
	} else if (!ret) {
		ret = -EINVAL; /* not the one fresh area vm_map made */
	}
	vm_unlock();
	return ret;
}

int vm_sync(uintptr_t addr, size_t len, bool stable)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || addr + len < addr)
		return -EINVAL;
	uintptr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end > USER_SPACE_END)
		return -ENOMEM;
	mutex_lock(&vm.lock);
	int ret = 0;
	for (uintptr_t a = addr; a < end && !ret;) {
		struct vma *v = find_locked(a);
		if (!v)
			ret = -ENOMEM; /* Linux: part of the range is unmapped */
		else
			a = v->end;
	}
	vm_unlock();
	return ret ? ret : sync_range(addr, end, NULL, stable);
}

int vm_sync_backing(const void *key)
{
	return sync_range(0, USER_SPACE_END, key, false);
}

void vm_set_brk_start(uintptr_t start)
{
	mutex_lock(&vm.lock);
	vm.brk_start = vm.brk = ALIGN_UP(start, PAGE_SIZE);
	vm_unlock();
}

uintptr_t vm_brk(uintptr_t new_brk)
{
	mutex_lock(&vm.lock);
	uintptr_t cur_end = ALIGN_UP(vm.brk, PAGE_SIZE);
	uintptr_t new_end = ALIGN_UP(new_brk, PAGE_SIZE);
	if (!vm.brk_start || new_brk < vm.brk_start || new_brk >= VM_MMAP_TOP)
		goto out;
	if (new_end > cur_end) {
		if (!range_free_locked(cur_end, new_end) ||
		    insert_locked(cur_end, new_end,
				  VM_PROT_READ | VM_PROT_WRITE))
			goto out;
	} else if (new_end < cur_end && unmap_locked(new_end, cur_end)) {
		goto out;
	}
	vm.brk = new_brk;
out:;
	uintptr_t brk = vm.brk;
	vm_unlock();
	return brk;
}

size_t vm_resident_bytes(void)
{
	return __atomic_load_n(&vm.resident_pages, __ATOMIC_RELAXED) *
	       PAGE_SIZE;
}
