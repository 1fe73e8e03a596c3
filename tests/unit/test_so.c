/*
 * Unit tests of the shared-object linker (kernel/elf/so_load.c) on the
 * host, with Debian's real liblwip.so.0: linked against the host C
 * library's functions standing in for the kernel's exports, lwIP code then
 * runs correctly (its imports and internal calls were relocated); an
 * override takes the object's own calls to a function it defines; the
 * kernel's checksum (kernel/lib/csum.c) gives what lwIP's does; with one
 * export missing, the load fails and names it; a truncated image is
 * refused. The module area is host memory made executable by mprotect.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sanitizer/lsan_interface.h>

#include <kernel/csum.h>
#include <kernel/errno.h>
#include <kernel/so.h>

#include "unit.h"

#define LWIP "/usr/lib/x86_64-linux-gnu/liblwip.so.0"

/* Host stand-ins for the kernel services so_load.c uses. */
void *page_alloc_zeroed(size_t n);
void *page_alloc_zeroed(size_t n)
{
	void *p = aligned_alloc(4096, n * 4096);
	if (p)
		memset(p, 0, n * 4096);
	return p;
}

void *paging_map_module(uint64_t pa, size_t size);
void *paging_map_module(uint64_t pa, size_t size)
{
	return (void *)(uintptr_t)pa; /* host: physical is virtual */
}

void paging_protect_module(void *addr, size_t size, bool write, bool exec);
void paging_protect_module(void *addr, size_t size, bool write, bool exec)
{
	mprotect(addr, size,
		 PROT_READ | (write ? PROT_WRITE : 0) | (exec ? PROT_EXEC : 0));
}

static const char *hidden; /* an export to pretend the kernel lacks */

void *kernel_export(const char *name)
{
	if (hidden && !strcmp(name, hidden))
		return NULL;
	return dlsym(RTLD_DEFAULT, name);
}

/* Loaded objects stay for good, in the kernel as here: not leaks. */
static struct shared_object *load_over(const char *name, const void *img,
				       size_t size,
				       const struct so_override *over)
{
	__lsan_disable();
	struct shared_object *so = so_load(name, img, size, over);
	__lsan_enable();
	return so;
}

static struct shared_object *load(const char *name, const void *img,
				  size_t size)
{
	return load_over(name, img, size, NULL);
}

static char *image;
static size_t image_size;

static void read_image(void)
{
	FILE *f = fopen(LWIP, "rb");
	CHECK(f != NULL);
	if (!f)
		exit(1);
	fseek(f, 0, SEEK_END);
	image_size = (size_t)ftell(f);
	rewind(f);
	image = malloc(image_size);
	CHECK(fread(image, 1, image_size, f) == image_size);
	fclose(f);
}

/* The real library with every export there (and @over): NULL if not. */
static struct shared_object *load_lwip(const struct so_override *over)
{
	hidden = NULL;
	struct shared_object *so =
		load_over("liblwip.so.0", image, image_size, over);
	CHECK(!IS_ERR(so));
	return IS_ERR(so) ? NULL : so;
}

static void test_links_and_runs(void)
{
	struct shared_object *so = load_lwip(NULL);
	if (!so)
		return;
	CHECK(so_symbol(so, "tcpip_init") != NULL);
	CHECK(so_symbol(so, "no_such_function") == NULL);
	/* Its code runs: parsing calls the imported ctype table. */
	int (*aton)(const char *, uint32_t *) = so_symbol(so, "ip4addr_aton");
	uint32_t addr = 0;
	CHECK(aton && aton("10.1.2.3", &addr) == 1 && addr == 0x0302010a);
	CHECK(aton && aton("10.1.2.x", &addr) == 0);
}

static void test_missing_import_named(void)
{
	char path[] = "/tmp/so-err-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char out[4096] = { 0 };
	hidden = "pthread_cond_timedwait";
	fflush(stderr);
	dup2(fd, 2);
	struct shared_object *so = load("liblwip.so.0", image, image_size);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK(IS_ERR(so) && PTR_ERR(so) == -ENOEXEC);
	CHECK(pread(fd, out, sizeof(out) - 1, 0) > 0);
	CHECK(strstr(out, "needs pthread_cond_timedwait, which the kernel "
			  "does not provide") != NULL);
	close(fd);
	unlink(path);
	hidden = NULL;
}

static void test_bad_images(void)
{
	CHECK(IS_ERR(load("short", image, 40)));
	CHECK(IS_ERR(load("half", image, image_size / 2)));
	char not_elf[128] = "not an ELF file";
	CHECK(IS_ERR(load("text", not_elf, sizeof(not_elf))));
}

static int overridden_calls;

static int fake_ip4addr_aton(const char *s, uint32_t *addr)
{
	overridden_calls++;
	*addr = 0x01020304;
	return 1;
}

/*
 * lwIP's ipaddr_aton calls its own ip4addr_aton (through its PLT): with
 * an override, the call comes here; so_symbol still gives lwIP's own.
 */
static void test_override(void)
{
	static const struct so_override over[] = {
		{ "ip4addr_aton", (void *)fake_ip4addr_aton },
		{ NULL, NULL },
	};
	struct shared_object *so = load_lwip(over);
	if (!so)
		return;
	int (*ipaddr_aton)(const char *, void *) = so_symbol(so, "ipaddr_aton");
	int (*own)(const char *, uint32_t *) = so_symbol(so, "ip4addr_aton");
	uint32_t addr[6] = { 0 }; /* an ip_addr_t, with room */
	CHECK(ipaddr_aton && ipaddr_aton("10.1.2.3", addr) == 1);
	CHECK(overridden_calls == 1 && addr[0] == 0x01020304);
	CHECK(own && own != fake_ip4addr_aton && own("10.1.2.3", addr) == 1 &&
	      addr[0] == 0x0302010a);
	CHECK(overridden_calls == 1);
}

/*
 * csum_sum16 against lwIP's lwip_standard_chksum, which the kernel links
 * lwIP to instead: the same sum for random bytes at every alignment and
 * every length up to a few hundred, then for long runs, all-zero and
 * all-0xff data.
 */
static void test_checksum_matches_lwip(void)
{
	struct shared_object *so = load_lwip(NULL);
	if (!so)
		return;
	uint16_t (*lwip_sum)(const void *, int) =
		so_symbol(so, "lwip_standard_chksum");
	CHECK(lwip_sum != NULL);
	if (!lwip_sum)
		return;
	static uint8_t buf[70000];
	srand(1071);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	unsigned bad = 0;
	for (int off = 0; off < 8; off++)
		for (int len = 0; len <= 400; len++)
			bad += csum_sum16(buf + off, len) !=
			       lwip_sum(buf + off, len);
	static const int longs[] = { 1460, 1461, 4095, 65535, 65536, 69999 };
	for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++)
		bad += csum_sum16(buf, longs[i]) != lwip_sum(buf, longs[i]) ||
		       csum_sum16(buf + 1, longs[i]) !=
			       lwip_sum(buf + 1, longs[i]);
	memset(buf, 0, sizeof(buf));
	bad += csum_sum16(buf, 1000) != lwip_sum(buf, 1000);
	memset(buf, 0xff, sizeof(buf));
	bad += csum_sum16(buf, 65535) != lwip_sum(buf, 65535) ||
	       csum_sum16(buf + 3, 1001) != lwip_sum(buf + 3, 1001);
	CHECK(bad == 0);
}

int main(void)
{
	static const struct unit_case cases[] = {
		UNIT_CASE(test_links_and_runs),
		UNIT_CASE(test_override),
		UNIT_CASE(test_checksum_matches_lwip),
		UNIT_CASE(test_missing_import_named),
		UNIT_CASE(test_bad_images),
	};
	read_image();
	return unit_run(cases, sizeof(cases) / sizeof(cases[0]));
}
