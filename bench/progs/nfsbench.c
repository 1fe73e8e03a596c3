/*
 * File throughput and metadata rates in one directory, from 1 and from 4
 * threads (bench/nfs.sh runs it in the guest on an NFS mount).
 *
 *   nfsbench DIR SIZE_MIB META_FILES [THREADS PHASE]
 *
 * Sequential write then read of SIZE_MIB in 1 MiB calls, then the read
 * again in 4 KiB calls (as stdio reads): one thread on one file, then 4
 * threads on 4 files of SIZE_MIB/4 each. Then
 * create+close, stat and unlink of META_FILES names from 1 thread, and of
 * META_FILES/4 names each from 4 threads. One line per measurement.
 * THREADS (1 or 4) and PHASE (write, read, ...: as the lines name them)
 * run that one measurement only (bench/nfs-profile.sh runs a write so).
 * Where there is a page cache to drop (the Linux VM peer), it is dropped
 * before each read and stat phase, so those go to the server as they do
 * in the appliance, which caches nothing.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static const char *dir;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct job {
	pthread_t t;
	int id;
	long mib;   /* file size */
	long files; /* metadata: names */
	int phase;  /* 0 write, 1 read, 2 read4k, 3 create, 4 stat, 5 unlink */
	int failed;
};

static void *run(void *arg)
{
	struct job *j = arg;
	char path[512];
	static __thread char buf[MIB];
	if (j->phase <= 2) {
		snprintf(path, sizeof(path), "%s/seq-%d", dir, j->id);
		int fd =
			j->phase == 0 ?
				open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644) :
				open(path, O_RDONLY);
		if (fd < 0) {
			j->failed = 1;
			return NULL;
		}
		memset(buf, 'a' + j->id, sizeof(buf));
		size_t step = j->phase == 2 ? 4096 : MIB;
		for (long i = 0; i < j->mib * (long)(MIB / step); i++) {
			ssize_t n = j->phase == 0 ? write(fd, buf, step) :
						    read(fd, buf, step);
			if (n != (ssize_t)step)
				j->failed = 1;
		}
		close(fd);
		return NULL;
	}
	for (long i = 0; i < j->files; i++) {
		snprintf(path, sizeof(path), "%s/meta-%d-%ld", dir, j->id, i);
		struct stat st;
		int fd;
		switch (j->phase) {
		case 3:
			fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
			if (fd < 0)
				j->failed = 1;
			else
				close(fd);
			break;
		case 4:
			if (stat(path, &st))
				j->failed = 1;
			break;
		default:
			if (unlink(path))
				j->failed = 1;
		}
	}
	return NULL;
}

/* Linux only: write back and forget cached pages, names and attributes. */
static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return;
	sync();
	if (write(fd, "3", 1) != 1)
		perror("nfsbench: drop_caches");
	close(fd);
}

/* Runs @phase on @n threads; returns the seconds it took, <0 on failure. */
static double timed(int n, int phase, long mib, long files)
{
	struct job j[4];
	if (phase == 1 || phase == 2 || phase == 4)
		drop_caches();
	double t0 = now();
	for (int i = 0; i < n; i++) {
		j[i] = (struct job){
			.id = i, .mib = mib, .files = files, .phase = phase
		};
		pthread_create(&j[i].t, NULL, run, &j[i]);
	}
	int failed = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(j[i].t, NULL);
		failed |= j[i].failed;
	}
	double t = now() - t0;
	return failed ? -1 : t;
}

int main(int argc, char **argv)
{
	static const char *const what[] = { "write",  "read", "read4k",
					    "create", "stat", "unlink" };
	int only_threads = 0, only_phase = -1;
	if (argc == 6) {
		only_threads = atoi(argv[4]);
		for (int phase = 0; phase < 6; phase++)
			if (!strcmp(argv[5], what[phase]))
				only_phase = phase;
	}
	if ((argc != 4 && argc != 6) ||
	    (argc == 6 &&
	     ((only_threads != 1 && only_threads != 4) || only_phase < 0))) {
		fprintf(stderr, "usage: nfsbench DIR SIZE_MIB META_FILES "
				"[1|4 write|read|read4k|create|stat|unlink]\n");
		return 2;
	}
	dir = argv[1];
	long mib = atol(argv[2]), files = atol(argv[3]);
	int status = 0;
	for (int threads = 1; threads <= 4; threads += 3) {
		if (only_threads && threads != only_threads)
			continue;
		for (int phase = 0; phase < 6; phase++) {
			if (only_phase >= 0 && phase != only_phase)
				continue;
			double t = timed(threads, phase, mib / threads,
					 files / threads);
			if (t < 0) {
				printf("nfsbench: %s with %d threads failed\n",
				       what[phase], threads);
				status = 1;
			} else if (phase <= 2) {
				printf("nfsbench: %-6s %d thread%s %8.1f MB/s\n",
				       what[phase], threads,
				       threads > 1 ? "s" : " ",
				       (double)(mib / threads * threads) * MIB /
					       1e6 / t);
			} else {
				printf("nfsbench: %-6s %d thread%s %8.0f ops/s\n",
				       what[phase], threads,
				       threads > 1 ? "s" : " ",
				       (double)(files / threads * threads) / t);
			}
			fflush(stdout);
		}
		for (int i = 0; i < threads; i++) {
			char path[512];
			snprintf(path, sizeof(path), "%s/seq-%d", dir, i);
			unlink(path);
		}
	}
	return status;
}
