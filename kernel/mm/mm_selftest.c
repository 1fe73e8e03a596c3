/*
 * Self-tests of the page allocator and the heap: patterns written into
 * every allocation and checked before it is freed catch overlapping
 * objects; the runner's page count catches leaks; several threads at once
 * check that the locking holds.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/selftest.h>
#include <kernel/string.h>
#include <kernel/percpu.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>
#include <kernel/vm.h>
#include <arch/x86_64/cpu.h>

/* xorshift64: a reproducible stream per seed. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(void *p, size_t n, uint8_t tag)
{
	memset(p, tag, n);
}

static bool check(const void *p, size_t n, uint8_t tag)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != tag)
			return false;
	return true;
}

#define STRESS_OBJECTS 4096

struct stress {
	uint64_t seed;
	int rounds;
	int failed;
};

/* Random sizes, random frees, each object tagged; returns 0 or -1. */
static int heap_stress(uint64_t seed, int rounds)
{
	void **obj = kcalloc(STRESS_OBJECTS, sizeof(*obj));
	size_t *len = kcalloc(STRESS_OBJECTS, sizeof(*len));
	int ret = -1;

	if (!obj || !len)
		goto out;
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < STRESS_OBJECTS; i++) {
			size_t k = next_rand(&seed) % STRESS_OBJECTS;
			if (obj[k]) {
				if (!check(obj[k], len[k], (uint8_t)k))
					goto out;
				kfree(obj[k]);
				obj[k] = NULL;
				continue;
			}
			uint64_t x = next_rand(&seed);
			/* Mostly small objects, now and then a large one. */
			len[k] = (x & 0xff) == 0 ? x % (64 * KiB) : x % 2049;
			obj[k] = kmalloc(len[k]);
			if (!obj[k])
				goto out;
			fill(obj[k], len[k], (uint8_t)k);
		}
	}
	ret = 0;
out:
	for (int k = 0; obj && k < STRESS_OBJECTS; k++) {
		if (obj[k] && !check(obj[k], len[k], (uint8_t)k))
			ret = -1;
		kfree(obj[k]);
	}
	kfree(obj);
	kfree(len);
	return ret;
}

SELFTEST(heap_stress)
{
	ST_CHECK(heap_stress(0x12345678, 8) == 0,
		 "an object's contents changed, or allocation failed");
	return 0;
}

static void stress_thread(void *arg)
{
	struct stress *s = arg;
	s->failed = heap_stress(s->seed, s->rounds);
}

SELFTEST(heap_threads)
{
	struct stress s[4];
	struct thread *t[4];

	for (int i = 0; i < 4; i++) {
		s[i] = (struct stress){ .seed = 0x9e3779b9u * (i + 1),
					.rounds = 4 };
		t[i] = thread_create("heap-stress", stress_thread, &s[i]);
		ST_CHECK(!IS_ERR(t[i]), "thread_create failed");
	}
	for (int i = 0; i < 4; i++)
		thread_join(t[i]);
	for (int i = 0; i < 4; i++)
		ST_CHECK(!s[i].failed, "thread %d saw a corrupted object", i);
	return 0;
}

SELFTEST(heap_api)
{
	for (size_t align = 16; align <= 64 * KiB; align <<= 1) {
		void *p = kmalloc_aligned(align / 2 + 1, align);
		ST_CHECK(p && IS_ALIGNED((uintptr_t)p, align),
			 "kmalloc_aligned(%zu) gave %p", align, p);
		kfree(p);
	}
	char *p = kmalloc(10);
	ST_CHECK(p, "kmalloc(10) failed");
	memcpy(p, "0123456789", 10);
	for (size_t n = 100; n <= 100 * KiB; n *= 10) {
		p = krealloc(p, n);
		ST_CHECK(p && !memcmp(p, "0123456789", 10),
			 "krealloc to %zu lost the data", n);
	}
	ST_CHECK(krealloc(p, 0) == NULL, "krealloc(p, 0) must free");
	ST_CHECK(kcalloc(SIZE_MAX / 2, 4) == NULL, "kcalloc overflow passed");
	ST_CHECK(kmalloc(SIZE_MAX / 2) == NULL, "a huge kmalloc succeeded");
	uint64_t *z = kzalloc(4000);
	ST_CHECK(z, "kzalloc failed");
	for (size_t i = 0; i < 500; i++)
		ST_CHECK(z[i] == 0, "kzalloc memory not zero at %zu", i);
	kfree(z);
	void *a = kmalloc(0), *b = kmalloc(0);
	ST_CHECK(a && b && a != b, "kmalloc(0) must give unique pointers");
	kfree(a);
	kfree(b);
	return 0;
}

SELFTEST(page_alloc)
{
	static void *blocks[64];
	size_t before = pmm_free_pages();

	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		size_t n = i % 9 + 1;
		blocks[i] = page_alloc_zeroed(n);
		ST_CHECK(blocks[i], "page_alloc(%zu) failed", n);
		ST_CHECK(check(blocks[i], n * PAGE_SIZE, 0), "not zeroed");
		fill(blocks[i], n * PAGE_SIZE, (uint8_t)i);
	}
	ST_CHECK(pmm_free_pages() < before, "free count did not drop");
	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		size_t n = i % 9 + 1;
		ST_CHECK(check(blocks[i], n * PAGE_SIZE, (uint8_t)i),
			 "block %zu overlaps another", i);
		page_free(blocks[i], n);
	}
	/* Other CPUs may free memory meanwhile, never take ours. */
	ST_CHECK(pmm_free_pages() >= before, "pages lost: %zu -> %zu", before,
		 pmm_free_pages());
	ST_CHECK(page_alloc(0) == NULL, "page_alloc(0) must fail");
	return 0;
}

/*
 * TLB shootdown: a thread on another CPU reads a program page until the
 * read fails; once the page is unmapped here, its CPU must have dropped
 * the translation, so the read must fail soon (it would go on reading the
 * freed frame through a stale TLB entry otherwise).
 */
size_t uaccess_copy(void *dst, const void *src, size_t n);

struct tlb_probe {
	uintptr_t addr;
	bool ready;
	bool saw_fault;
	unsigned cpu;
};

static void tlb_reader(void *arg)
{
	struct tlb_probe *p = arg;
	uint64_t v, end = clock_monotonic_ns() + 2 * NSEC_PER_SEC;
	p->cpu = cpu_current_id();
	while (clock_monotonic_ns() < end) {
		if (uaccess_copy(&v, (void *)p->addr, sizeof(v))) {
			__atomic_store_n(&p->saw_fault, true, __ATOMIC_RELEASE);
			return;
		}
		__atomic_store_n(&p->ready, true, __ATOMIC_RELEASE);
	}
}

SELFTEST(tlb_shootdown)
{
	struct tlb_probe p = { 0 };
	uint64_t val = 42;
	struct thread *self = thread_current();

	ST_CHECK(vm_map(&p.addr, PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE, 0) ==
			 0,
		 "vm_map failed");
	ST_CHECK(copy_to_user((void *)p.addr, &val, sizeof(val)) == 0,
		 "cannot write the page");
	/*
	 * The reader runs elsewhere when there is an elsewhere; this thread
	 * stays on its CPU meanwhile (affinity), so "elsewhere" holds.
	 */
	uint64_t saved = self->affinity, here = 1ULL << cpu_current_id();
	if (nr_cpus > 1)
		self->affinity = ~here;
	struct thread *t = thread_create("st-tlb", tlb_reader, &p);
	self->affinity = here;
	if (IS_ERR(t))
		self->affinity = saved;
	ST_CHECK(!IS_ERR(t), "thread_create failed");
	while (!__atomic_load_n(&p.ready, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&p.saw_fault, __ATOMIC_ACQUIRE))
		thread_yield();
	ST_CHECK(vm_unmap(p.addr, PAGE_SIZE) == 0, "vm_unmap failed");
	/* The page tables down to the page stay, as they do for programs. */
	selftest_pages_kept(3);
	thread_join(t);
	self->affinity = saved;
	ST_CHECK(p.saw_fault,
		 "CPU %u still read the page after it was unmapped", p.cpu);
	ST_CHECK(nr_cpus == 1 || !(here & (1ULL << p.cpu)),
		 "the reader ran on this CPU");
	return 0;
}

/*
 * memcpy at every size up to a few blocks and every alignment of both
 * ends: the bytes land, nothing around them changes.
 */
SELFTEST(memcpy_edges)
{
	static uint8_t src[320], dst[320 + 24];
	uint64_t seed = 0x5eed;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)next_rand(&seed);
	for (size_t n = 0; n <= 300; n++)
		for (size_t so = 0; so < 8; so++)
			for (size_t d = 0; d < 8; d++) {
				memset(dst, 0xee, sizeof(dst));
				void *r = memcpy(dst + d, src + so, n);
				ST_CHECK(r == dst + d, "memcpy returned %p", r);
				for (size_t i = 0; i < sizeof(dst); i++) {
					bool in = i >= d && i < d + n;
					uint8_t want = in ? src[so + i - d] :
							    0xee;
					ST_CHECK(
						dst[i] == want,
						"memcpy n %zu src+%zu dst+%zu: byte %zu is %#x, want %#x",
						n, so, d, i, dst[i], want);
				}
			}
	return 0;
}

/*
 * The raw program-memory copy stops exactly at the first byte it cannot
 * touch, whether that falls in a 64-byte block, in the 8-byte steps or
 * in the odd bytes: a copy running k bytes into the page after the last
 * present one returns n - k left, with the k bytes done.
 */
SELFTEST(uaccess_copy_edges)
{
	static const size_t ks[] = { 0, 1, 7, 8, 9, 63, 64, 65, 100, 200 };
	static const size_t extra[] = { 1, 8, 64, 200 };
	static uint8_t pattern[PAGE_SIZE], buf[512];
	uintptr_t base;
	uint64_t seed = 0xc0b7;

	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)next_rand(&seed);
	ST_CHECK(vm_map(&base, 2 * PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE,
			0) == 0,
		 "vm_map failed");
	/* The first page is faulted in; the second stays untouched. */
	int ret = copy_to_user((void *)base, pattern, PAGE_SIZE);
	char *edge = (char *)base + PAGE_SIZE;
	for (size_t i = 0; !ret && i < ARRAY_SIZE(ks); i++)
		for (size_t j = 0; !ret && j < ARRAY_SIZE(extra); j++) {
			size_t k = ks[i], n = k + extra[j];
			const uint8_t *want = pattern + PAGE_SIZE - k;
			memset(buf, 0, sizeof(buf));
			size_t left = uaccess_copy(buf, edge - k, n);
			if (left != n - k || memcmp(buf, want, k)) {
				console_printf(
					"selftest: from program memory, %zu bytes before the edge, %zu long: %zu left, want %zu\n",
					k, n, left, n - k);
				ret = -1;
				break;
			}
			/* buf[256..] is zeros: they must reach the page. */
			left = uaccess_copy(edge - k, buf + 256, n);
			if (left != n - k || uaccess_copy(buf, edge - k, k) ||
			    memcmp(buf, buf + 256, k)) {
				console_printf(
					"selftest: to program memory, %zu bytes before the edge, %zu long: %zu left, want %zu\n",
					k, n, left, n - k);
				ret = -1;
			}
			/* Put the pattern back for the next round. */
			uaccess_copy(edge - k, want, k);
		}
	ST_CHECK(vm_unmap(base, 2 * PAGE_SIZE) == 0, "vm_unmap failed");
	selftest_pages_kept(3);
	return ret;
}
