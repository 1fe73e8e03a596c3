/*
 * The file table and the VFS under threads on every vCPU: 8 threads each
 * create, write, read back, rename and unlink their own files in one
 * shared directory (under /tmp, or under the argument), share one fd for
 * appends, and dup/close fds concurrently; afterwards every byte and every name is checked.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define THREADS 8
#define ROUNDS 200

static const char *base = "/tmp"; /* or the argument: the NFS tests' mount */
static char dir_path[128], log_path[128];
static int shared_fd;
static atomic_int_fast32_t errors;

static void fail(const char *what, int i)
{
	printf("FAIL thread %d: %s (errno %d)\n", i, what, errno);
	atomic_fetch_add(&errors, 1);
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	char name[64], moved[64], buf[256], want[256];

	for (int r = 0; r < ROUNDS; r++) {
		snprintf(name, sizeof(name), "%s/fst/t%d-%d", base, id, r);
		snprintf(moved, sizeof(moved), "%s/fst/m%d-%d", base, id, r);
		int n = snprintf(want, sizeof(want), "thread %d round %d\n", id,
				 r);
		int fd = open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
		if (fd < 0) {
			fail("open", id);
			continue;
		}
		if (write(fd, want, (size_t)n) != n)
			fail("write", id);
		int d = dup(fd);
		if (d < 0 || pread(d, buf, sizeof(buf), 0) != n ||
		    memcmp(buf, want, (size_t)n))
			fail("dup+pread", id);
		close(d);
		close(fd);
		if (rename(name, moved))
			fail("rename", id);
		if (r % 2 && unlink(moved))
			fail("unlink", id);
		/* One line per round into the shared O_APPEND file. */
		if (write(shared_fd, want, (size_t)n) != n)
			fail("append", id);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];

	if (argc > 1)
		base = argv[1];
	snprintf(dir_path, sizeof(dir_path), "%s/fst", base);
	snprintf(log_path, sizeof(log_path), "%s/fst-log", base);
	CHECK(mkdir(dir_path, 0755) == 0);
	shared_fd = open(log_path, O_CREAT | O_WRONLY | O_APPEND, 0600);
	CHECK(shared_fd >= 0);
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker,
				     (void *)(intptr_t)i) == 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK(atomic_load(&errors) == 0);

	/* What is left: the even rounds' files, under their new names. */
	int files = 0, bad = 0;
	DIR *dir = opendir(dir_path);
	struct dirent *e;
	while (dir && (e = readdir(dir)) != NULL) {
		int id, r;
		if (e->d_name[0] == '.')
			continue;
		if (sscanf(e->d_name, "m%d-%d", &id, &r) != 2 || r % 2)
			bad++;
		files++;
	}
	if (dir)
		closedir(dir);
	CHECK(files == THREADS * ROUNDS / 2 && bad == 0);

	/* Appends never overwrite each other: every line is there, whole. */
	struct stat st;
	CHECK(stat(log_path, &st) == 0);
	long want_size = 0;
	char line[64];
	for (int i = 0; i < THREADS; i++)
		for (int r = 0; r < ROUNDS; r++)
			want_size += snprintf(line, sizeof(line),
					      "thread %d round %d\n", i, r);
	CHECK(st.st_size == want_size);
	DONE("t_fsthreads");
}
