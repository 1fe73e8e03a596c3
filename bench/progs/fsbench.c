/*
 * In-guest benchmark for the root filesystem and the syscall path
 * (docs/performance.md): sequential write then read of a file in ramfs
 * against memcpy bandwidth in the same run, and the round-trip time of a
 * trivial system call (getppid).
 *
 *   fsbench [MiB]     (default 1024)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define CHUNK (1 << 20)

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 1024;
	char *buf = malloc(CHUNK), *src = malloc(64 * CHUNK),
	     *dst = malloc(64 * CHUNK);
	if (!buf || !src || !dst || mib <= 0)
		return 2;
	memset(buf, 0xa5, CHUNK);
	memset(src, 1, 64 * CHUNK);
	memset(dst, 2, 64 * CHUNK);

	/* memcpy bandwidth over the same number of bytes, 64 MiB at a time. */
	double t0 = now();
	for (long done = 0; done < mib; done += 64)
		memcpy(dst, src, 64 * CHUNK);
	double memcpy_s = now() - t0;

	int fd = open("/tmp/fsbench", O_CREAT | O_TRUNC | O_RDWR, 0600);
	if (fd < 0)
		return 3;
	t0 = now();
	for (long i = 0; i < mib; i++)
		if (write(fd, buf, CHUNK) != CHUNK)
			return 4;
	double write_s = now() - t0;
	lseek(fd, 0, SEEK_SET);
	t0 = now();
	for (long i = 0; i < mib; i++)
		if (read(fd, buf, CHUNK) != CHUNK)
			return 5;
	double read_s = now() - t0;
	close(fd);
	unlink("/tmp/fsbench");

	const long calls = 1000000;
	t0 = now();
	for (long i = 0; i < calls; i++)
		syscall(SYS_getppid);
	double call_ns = (now() - t0) / calls * 1e9;

	printf("fsbench: %ld MiB: memcpy %.0f MiB/s, ramfs write %.0f MiB/s (%.0f%%), "
	       "ramfs read %.0f MiB/s (%.0f%%), getppid %.0f ns\n",
	       mib, mib / memcpy_s, mib / write_s, 100 * memcpy_s / write_s,
	       mib / read_s, 100 * memcpy_s / read_s, call_ns);
	return 0;
}
