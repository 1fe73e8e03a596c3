/*
 * Unit tests of the page allocator (kernel/mm/pmm.c) and the heap
 * (kernel/mm/heap.c) on the host: the same sources as the kernel, over a
 * block of host memory standing in for RAM (on the host, physical and
 * virtual addresses are the same). Includes a randomised alloc/free run
 * checked against a model, concurrent heap use from several threads, and
 * the panics a bad free must raise (checked in a child process).
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kernel/heap.h>
#include <kernel/page.h>

#include "unit.h"

#define RAM_SIZE (32 * MiB)
#define HOLE_AT (20 * MiB)
#define HOLE_SIZE (1 * MiB)

static uint8_t *ram;
static size_t initial_free;

static void setup(void)
{
	/* 8 MiB alignment, so the largest buddy blocks can form. */
	ram = aligned_alloc(8 * MiB, RAM_SIZE);
	if (!ram)
		abort();
	struct mem_range ranges[2] = {
		{ (phys_addr_t)(uintptr_t)ram, HOLE_AT },
		{ (phys_addr_t)(uintptr_t)ram + HOLE_AT + HOLE_SIZE,
		  RAM_SIZE - HOLE_AT - HOLE_SIZE },
	};
	/* Only 4 MiB at once: the rest is readied on demand. */
	pmm_init(ranges, 2, NULL, 4 * MiB);
	heap_init();
	initial_free = pmm_free_pages();
}

static bool in_hole(const void *p, size_t len)
{
	const uint8_t *b = p;
	return b + len > ram + HOLE_AT && b < ram + HOLE_AT + HOLE_SIZE;
}

static void test_pmm_accounting(void)
{
	size_t pages = (RAM_SIZE - HOLE_SIZE) / PAGE_SIZE;
	/* The struct page array is carved from RAM. */
	CHECK(pmm_total_pages() < pages &&
	      pmm_total_pages() > pages * 95 / 100);
	CHECK(pmm_free_pages() == pmm_total_pages());
	CHECK(virt_to_page(ram + HOLE_AT) == NULL);
	CHECK(virt_to_page(ram + RAM_SIZE) == NULL);
	/* Not readied yet: no metadata, so no page. */
	CHECK(virt_to_page(ram + RAM_SIZE - PAGE_SIZE) == NULL);
	/* Readying a chunk moves pages, it does not add any. */
	size_t before = pmm_free_pages();
	CHECK(pmm_init_chunk());
	CHECK(pmm_free_pages() == before);
}

static void test_pmm_exhaust(void)
{
	size_t n = pmm_free_pages(), got = 0;
	void **all = calloc(n + 1, sizeof(*all));

	while ((all[got] = page_alloc(1)) != NULL) {
		CHECK(!in_hole(all[got], PAGE_SIZE));
		CHECK((uint8_t *)all[got] >= ram &&
		      (uint8_t *)all[got] < ram + RAM_SIZE);
		memset(all[got], (int)(got & 0xff), PAGE_SIZE);
		got++;
		if (got > n)
			break;
	}
	CHECK(got == n && pmm_free_pages() == 0);
	/* Exhaustion readied everything. */
	CHECK(!pmm_init_chunk());
	CHECK(virt_to_page(ram + RAM_SIZE - PAGE_SIZE) != NULL);
	for (size_t i = 0; i < got; i++) {
		CHECK(((uint8_t *)all[i])[PAGE_SIZE - 1] == (uint8_t)i);
		page_free(all[i], 1);
	}
	free(all);
	CHECK(pmm_free_pages() == n);
	/* Everything merged back: a largest-order block is available. */
	void *big = page_alloc(1 << PMM_MAX_ORDER);
	CHECK(big != NULL);
	if (big)
		page_free(big, 1 << PMM_MAX_ORDER);
}

static void test_pmm_alignment(void)
{
	for (size_t n = 1; n <= 300; n += 7) {
		size_t before = pmm_free_pages(), pow = 1;
		while (pow < n)
			pow <<= 1;
		void *p = page_alloc(n);
		CHECK(p && ((uintptr_t)p & (pow * PAGE_SIZE - 1)) == 0);
		/* The unused tail of the power of two went back at once. */
		CHECK(pmm_free_pages() == before - n);
		page_free(p, n);
		CHECK(pmm_free_pages() == before);
	}
	CHECK(page_alloc(0) == NULL);
	CHECK(page_alloc((1 << PMM_MAX_ORDER) + 1) == NULL);
	uint8_t *z = page_alloc_zeroed(3);
	CHECK(z && z[0] == 0 && z[3 * PAGE_SIZE - 1] == 0);
	page_free(z, 3);
}

static uint64_t rng = 0x243f6a8885a308d3ULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random allocs and frees; the model is the list of live blocks. */
static void test_pmm_random(void)
{
	enum {
		SLOTS = 256
	};
	static void *blk[SLOTS];
	static size_t len[SLOTS];
	size_t model_free = pmm_free_pages();

	for (int step = 0; step < 20000; step++) {
		size_t k = next_rand() % SLOTS;
		if (blk[k]) {
			const uint8_t *b = blk[k];
			CHECK(b[0] == (uint8_t)k &&
			      b[len[k] * PAGE_SIZE - 1] == (uint8_t)k);
			page_free(blk[k], len[k]);
			model_free += len[k];
			blk[k] = NULL;
		} else {
			len[k] = next_rand() % 64 + 1;
			blk[k] = page_alloc(len[k]);
			if (!blk[k])
				continue; /* fragmentation: allowed */
			memset(blk[k], (int)k, len[k] * PAGE_SIZE);
			model_free -= len[k];
		}
		CHECK(pmm_free_pages() == model_free);
	}
	for (size_t k = 0; k < SLOTS; k++)
		if (blk[k]) {
			page_free(blk[k], len[k]);
			blk[k] = NULL;
		}
	CHECK(pmm_free_pages() == initial_free);
}

/* Runs @fn in a child; true if the child died of abort() (a panic). */
static bool panics(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		fn();
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void double_page_free(void)
{
	void *p = page_alloc(1);
	page_free(p, 1);
	page_free(p, 1);
}

static void unaligned_page_free(void)
{
	uint8_t *p = page_alloc(1);
	page_free(p + 8, 1);
}

static void double_kfree(void)
{
	void *p = kmalloc(4096 * 3);
	kfree(p);
	kfree(p);
}

static void kfree_inside_object(void)
{
	char *p = kmalloc(64);
	kfree(p + 16);
}

static void kfree_foreign(void)
{
	static char not_heap[64];
	kfree(not_heap);
}

static void test_bad_frees_panic(void)
{
	CHECK(panics(double_page_free));
	CHECK(panics(unaligned_page_free));
	CHECK(panics(double_kfree));
	CHECK(panics(kfree_inside_object));
	CHECK(panics(kfree_foreign));
}

static void test_heap_api(void)
{
	size_t before = pmm_free_pages();
	for (size_t sz = 0; sz <= 3 * PAGE_SIZE; sz += 13) {
		uint8_t *p = kmalloc(sz);
		CHECK(p != NULL && kmalloc_usable_size(p) >= sz);
		CHECK(((uintptr_t)p & 15) == 0);
		memset(p, 0xab, sz);
		kfree(p);
	}
	for (size_t align = 16; align <= 128 * KiB; align <<= 1) {
		void *p = kmalloc_aligned(align + 1, align);
		CHECK(p && ((uintptr_t)p & (align - 1)) == 0);
		kfree(p);
	}
	char *s = kmalloc(8);
	memcpy(s, "abcdefg", 8);
	for (size_t n = 16; n <= 256 * KiB; n *= 4) {
		s = krealloc(s, n);
		CHECK(s && !strcmp(s, "abcdefg"));
	}
	s = krealloc(s, 8); /* shrinking keeps the data */
	CHECK(s && !strcmp(s, "abcdefg"));
	CHECK(krealloc(s, 0) == NULL);
	CHECK(kcalloc(SIZE_MAX / 8, 16) == NULL);
	CHECK(kmalloc(RAM_SIZE * 4) == NULL);
	uint64_t *z = kcalloc(512, 8);
	CHECK(z);
	for (int i = 0; z && i < 512; i++)
		CHECK(z[i] == 0);
	kfree(z);
	kfree(NULL);
	CHECK(pmm_free_pages() == before);
}

/* Debug builds (unit tests are) poison what kfree gets back. */
static void test_heap_poison(void)
{
	uint8_t *keep = kmalloc(64), *p = kmalloc(64);
	memset(p, 0, 64);
	kfree(p);
	/* The slab stays (keep), so p's bytes are still readable here. */
	for (int i = 8; i < 64; i++)
		CHECK(p[i] == 0x6b);
	kfree(keep);
}

static void nofail_exhaust(void)
{
	for (;;)
		kmalloc_nofail(4 * MiB);
}

static void test_nofail_panics(void)
{
	/* The child's panic message names the failed size. */
	char path[] = "/tmp/mm-nofail-XXXXXX";
	int fd = mkstemp(path);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, 2);
		nofail_exhaust();
		_exit(0);
	}
	int status;
	char out[512] = { 0 };
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(pread(fd, out, sizeof(out) - 1, 0) > 0);
	CHECK(strstr(out, "out of memory: cannot allocate 4194304 bytes"));
	close(fd);
	unlink(path);
}

struct worker {
	uint64_t seed;
	int errors;
};

static void *heap_worker(void *arg)
{
	struct worker *w = arg;
	enum {
		SLOTS = 512
	};
	void *obj[SLOTS] = { 0 };
	size_t len[SLOTS];

	for (int step = 0; step < 50000; step++) {
		w->seed ^= w->seed << 13;
		w->seed ^= w->seed >> 7;
		w->seed ^= w->seed << 17;
		size_t k = w->seed % SLOTS;
		if (obj[k]) {
			uint8_t *b = obj[k];
			for (size_t i = 0; i < len[k]; i++)
				if (b[i] != (uint8_t)(k ^ (uintptr_t)w))
					w->errors++;
			kfree(obj[k]);
			obj[k] = NULL;
		} else {
			len[k] = (w->seed >> 20) %
				 ((w->seed & 0x3f) ? 2049 : 20000);
			obj[k] = kmalloc(len[k]);
			if (!obj[k]) {
				w->errors++;
				continue;
			}
			memset(obj[k], (int)(uint8_t)(k ^ (uintptr_t)w),
			       len[k]);
		}
	}
	for (int k = 0; k < SLOTS; k++)
		kfree(obj[k]);
	return NULL;
}

static void test_heap_threads(void)
{
	pthread_t t[4];
	struct worker w[4];

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .seed = 0x9e3779b97f4a7c15ULL *
						(i + 1) };
		pthread_create(&t[i], NULL, heap_worker, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(w[i].errors == 0);
	}
	/* Every slab emptied and went back to the page allocator. */
	CHECK(pmm_free_pages() == initial_free);
}

static void release_overlap(void)
{
	pmm_release_range(
		(phys_addr_t)(uintptr_t)(ram + RAM_SIZE - 2 * PAGE_SIZE),
		2 * PAGE_SIZE);
}

/* Last: the hole becomes RAM, as the initrd does after boot. */
static void test_release_range(void)
{
	size_t total = pmm_total_pages(), nfree = pmm_free_pages();
	CHECK(panics(release_overlap));
	pmm_release_range((phys_addr_t)(uintptr_t)(ram + HOLE_AT), HOLE_SIZE);
	CHECK(pmm_total_pages() == total + HOLE_SIZE / PAGE_SIZE);
	CHECK(pmm_free_pages() == nfree + HOLE_SIZE / PAGE_SIZE);
	CHECK(virt_to_page(ram + HOLE_AT) != NULL);
	/* The whole of RAM now comes back as one run of free pages. */
	size_t n = pmm_free_pages(), got = 0;
	void **all = calloc(n + 1, sizeof(*all));
	while (got <= n && (all[got] = page_alloc(1)) != NULL)
		got++;
	CHECK(got == n);
	for (size_t i = 0; i < got; i++)
		page_free(all[i], 1);
	free(all);
}

int main(void)
{
	static const struct unit_case cases[] = {
		UNIT_CASE(test_pmm_accounting),	 UNIT_CASE(test_pmm_exhaust),
		UNIT_CASE(test_pmm_alignment),	 UNIT_CASE(test_pmm_random),
		UNIT_CASE(test_bad_frees_panic), UNIT_CASE(test_heap_api),
		UNIT_CASE(test_heap_threads),	 UNIT_CASE(test_heap_poison),
		UNIT_CASE(test_nofail_panics),	 UNIT_CASE(test_release_range),
	};
	setup();
	return unit_run(cases, sizeof(cases) / sizeof(cases[0]));
}
