/*
 * Memory system calls: malloc of small and large blocks (brk and mmap
 * underneath), anonymous mmap touched sparsely, munmap, mprotect,
 * mremap keeping the data, madvise(DONTNEED) zeroing, a private and a
 * shared file mapping, and thread-local storage (set up by the C library through
 * arch_prctl).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static __thread int tls_value = 42;

int main(void)
{
	/* brk, raw: musl's sbrk() refuses increments on purpose. */
	char *b0 = (char *)syscall(SYS_brk, 0);
	CHECK(b0 != NULL && ((uintptr_t)b0 & 4095) == 0);
	CHECK((char *)syscall(SYS_brk, b0 + (1 << 20)) == b0 + (1 << 20));
	memset(b0, 0x5a, 1 << 20);
	CHECK((char *)syscall(SYS_brk, b0) == b0);
	/* A break that cannot move stays where it is. */
	CHECK((char *)syscall(SYS_brk, (char *)8) == b0);

	/* malloc, small and large */
	char *small[1000];
	for (int i = 0; i < 1000; i++) {
		small[i] = malloc(i + 1);
		CHECK(small[i] != NULL);
		memset(small[i], i & 0xff, i + 1);
	}
	for (int i = 0; i < 1000; i++) {
		CHECK((unsigned char)small[i][i] == (i & 0xff));
		free(small[i]);
	}
	size_t big = 64 << 20;
	char *p = malloc(big);
	CHECK(p != NULL);
	for (size_t off = 0; p && off < big; off += 1 << 20)
		p[off] = (char)off;
	free(p);

	/* Anonymous mapping: zero-filled, touched sparsely. */
	size_t len = 256 << 20;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED && ((uintptr_t)m & 4095) == 0);
	CHECK(m[0] == 0 && m[len - 1] == 0);
	m[12345] = 7;
	CHECK(m[12345] == 7);
	CHECK(munmap(m, len) == 0);

	/* mremap keeps data when it grows and moves. */
	char *r = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(r, "kept across mremap");
	char *blocker = mmap(r + 8192, 4096, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			     -1, 0);
	CHECK(blocker == r + 8192);
	CHECK(mremap(r, 8192, 1 << 20, 0) == MAP_FAILED && errno == ENOMEM);
	char *r2 = mremap(r, 8192, 1 << 20, MREMAP_MAYMOVE);
	CHECK(r2 != MAP_FAILED && !strcmp(r2, "kept across mremap"));
	r2[(1 << 20) - 1] = 1;
	CHECK(munmap(r2, 1 << 20) == 0 && munmap(blocker, 4096) == 0);

	/* madvise(DONTNEED) gives zeros back. */
	char *z = mmap(NULL, 4096 * 4, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(z, 1, 4096 * 4);
	CHECK(madvise(z, 4096 * 4, MADV_DONTNEED) == 0 && z[100] == 0);

	/* mprotect: read-only, then writable again. */
	CHECK(mprotect(z, 4096, PROT_READ) == 0);
	CHECK(z[0] == 0);
	CHECK(mprotect(z, 4096, PROT_READ | PROT_WRITE) == 0);
	z[0] = 3;
	CHECK(z[0] == 3);
	/* Raw: musl rounds the address down before the call. */
	CHECK_ERR(syscall(SYS_mprotect, z + 1, 4096, PROT_READ), EINVAL);
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		  EINVAL);
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR(munmap((void *)1, 4096), EINVAL);

	/* A private file mapping sees the file; its writes stay private. */
	int fd = open("/tmp/mapped", O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0 && write(fd, "file contents", 13) == 13);
	char *f = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(f != MAP_FAILED && !memcmp(f, "file contents", 13) && f[13] == 0);
	f[0] = 'F';
	char buf[4];
	CHECK(pread(fd, buf, 4, 0) == 4 && buf[0] == 'f');
	/* A shared one writes back; a directory cannot be mapped. */
	char *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED && !memcmp(s, "file contents", 13));
	s[0] = 'S';
	CHECK(msync(s, 4096, MS_SYNC) == 0 && pread(fd, buf, 4, 0) == 4 &&
	      buf[0] == 'S');
	CHECK(munmap(s, 4096) == 0);
	close(fd);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_SHARED, dir, 0), ENODEV);
	close(dir);

	/*
	 * Copies to and from a buffer straddling a page boundary at an odd
	 * offset, the second page not touched yet: the kernel's copy faults
	 * it in mid-way (its 8-byte steps straddle the boundary).
	 */
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(two != MAP_FAILED);
	two[0] = 1;
	int sf = open("/tmp/straddle", O_CREAT | O_RDWR, 0600);
	char pattern[50];
	for (int i = 0; i < 50; i++)
		pattern[i] = (char)('a' + i % 26);
	CHECK(sf >= 0 && write(sf, pattern, 50) == 50);
	CHECK(pread(sf, two + 4096 - 3, 50, 0) == 50 &&
	      !memcmp(two + 4096 - 3, pattern, 50));
	char *fresh = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(fresh != MAP_FAILED);
	memcpy(fresh + 4096 - 5, pattern, 5);
	CHECK(pwrite(sf, fresh + 4096 - 5, 21, 100) == 21);
	char back[21];
	CHECK(pread(sf, back, 21, 100) == 21 && !memcmp(back, pattern, 5));
	for (int i = 5; i < 21; i++)
		CHECK(back[i] == 0);
	close(sf);
	munmap(two, 8192);
	munmap(fresh, 8192);

	CHECK(tls_value == 42);
	tls_value++;
	CHECK(tls_value == 43);
	DONE("t_mem");
}
