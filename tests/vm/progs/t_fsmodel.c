/*
 * Random file operations on two trees in lockstep, one the model: every
 * operation runs on both, and results (return value, errno, data read,
 * sizes, types, link counts, directory listings) must agree. The NFS
 * tests run it with a ramfs tree as the model and an NFS tree under test.
 *
 *   t_fsmodel MODEL_DIR TEST_DIR OPS SEED
 *
 * Names come from a small pool over two directory levels, so operations
 * collide: creating what exists, removing what does not, renaming over
 * files and into non-empty directories all happen.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define BUF_MAX 70000

static const char *root[2];
static uint64_t rng;
static unsigned char wbuf[BUF_MAX], rbuf[2][BUF_MAX];

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A random relative name: "a", "d1/b", ... */
static void pick(char *out, size_t len)
{
	static const char *const dirs[] = { "", "d0/", "d1/", "d0/d2/" };
	snprintf(out, len, "%s%c", dirs[rnd(4)], 'a' + rnd(5));
}

static void path(char *out, size_t len, int side, const char *rel)
{
	snprintf(out, len, "%s/%s", root[side], rel);
}

struct result {
	long ret;
	int err;
};

static long ops, mismatches;

static void compare(const char *what, const char *name, struct result r[2])
{
	if (r[0].ret == r[1].ret && (r[0].ret >= 0 || r[0].err == r[1].err))
		return;
	printf("FAIL op %ld %s %s: model %ld (errno %d), test %ld (errno %d)\n",
	       ops, what, name, r[0].ret, r[0].err, r[1].ret, r[1].err);
	check_failures++;
	mismatches++;
}

#define BOTH(what, name, expr)                         \
	do {                                           \
		struct result r_[2];                   \
		for (int side = 0; side < 2; side++) { \
			errno = 0;                     \
			r_[side].ret = (long)(expr);   \
			r_[side].err = errno;          \
		}                                      \
		compare(what, name, r_);               \
	} while (0)

static void op_write(const char *rel)
{
	char p[2][256];
	size_t len = rnd(4) ? rnd(5000) : rnd(BUF_MAX);
	off_t off = rnd(4) ? 0 : rnd(200000);
	for (size_t i = 0; i < len; i++)
		wbuf[i] = (unsigned char)rnd(256);
	int flags = O_WRONLY | (rnd(2) ? O_CREAT : 0) | (rnd(8) ? 0 : O_TRUNC) |
		    (rnd(6) ? 0 : O_APPEND);
	for (int s = 0; s < 2; s++)
		path(p[s], sizeof(p[s]), s, rel);
	BOTH("write", rel, ({
		     long r = -1;
		     int fd = open(p[side], flags, 0644);
		     if (fd >= 0) {
			     r = pwrite(fd, wbuf, len, off);
			     if (flags & O_APPEND) /* pwrite appends too */
				     r = r >= 0 ? (long)lseek(fd, 0, SEEK_END) :
						  r;
			     close(fd);
		     }
		     r;
	     }));
}

static void op_read(const char *rel)
{
	char p[256];
	off_t off = rnd(3) ? 0 : rnd(100000);
	size_t len = rnd(BUF_MAX);
	long got[2];
	int err[2];
	for (int s = 0; s < 2; s++) {
		path(p, sizeof(p), s, rel);
		errno = 0;
		int fd = open(p, O_RDONLY);
		got[s] = fd >= 0 ? pread(fd, rbuf[s], len, off) : -1;
		err[s] = errno;
		if (fd >= 0)
			close(fd);
	}
	struct result r[2] = { { got[0], err[0] }, { got[1], err[1] } };
	compare("read", rel, r);
	if (got[0] == got[1] && got[0] > 0 &&
	    memcmp(rbuf[0], rbuf[1], (size_t)got[0])) {
		printf("FAIL op %ld read %s: data differs\n", ops, rel);
		check_failures++;
		mismatches++;
	}
}

static void op_stat(const char *rel)
{
	char p[256];
	struct stat st[2];
	long ret[2];
	int err[2];
	for (int s = 0; s < 2; s++) {
		path(p, sizeof(p), s, rel);
		errno = 0;
		ret[s] = lstat(p, &st[s]);
		err[s] = errno;
	}
	struct result r[2] = { { ret[0], err[0] }, { ret[1], err[1] } };
	compare("lstat", rel, r);
	if (ret[0] == 0 && ret[1] == 0 &&
	    ((st[0].st_mode & S_IFMT) != (st[1].st_mode & S_IFMT) ||
	     (S_ISREG(st[0].st_mode) && (st[0].st_size != st[1].st_size ||
					 st[0].st_nlink != st[1].st_nlink)) ||
	     (st[0].st_mode & 07777) != (st[1].st_mode & 07777))) {
		printf("FAIL op %ld lstat %s: mode %o/%o size %lld/%lld nlink %ld/%ld\n",
		       ops, rel, st[0].st_mode, st[1].st_mode,
		       (long long)st[0].st_size, (long long)st[1].st_size,
		       (long)st[0].st_nlink, (long)st[1].st_nlink);
		check_failures++;
		mismatches++;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of a directory, "." and ".." left out, joined by '/'. */
static long list(const char *dir, char *out, size_t len)
{
	char *names[64];
	int n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 64)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		strncat(out, names[i], len - strlen(out) - 2);
		strcat(out, "/");
		free(names[i]);
	}
	return n;
}

static void op_list(void)
{
	static const char *const dirs[] = { ".", "d0", "d1", "d0/d2" };
	const char *rel = dirs[rnd(4)];
	char p[256], l[2][1024];
	long ret[2];
	int err[2];
	for (int s = 0; s < 2; s++) {
		path(p, sizeof(p), s, rel);
		errno = 0;
		ret[s] = list(p, l[s], sizeof(l[s]));
		err[s] = errno;
	}
	struct result r[2] = { { ret[0], err[0] }, { ret[1], err[1] } };
	compare("readdir", rel, r);
	if (ret[0] >= 0 && ret[0] == ret[1] && strcmp(l[0], l[1])) {
		printf("FAIL op %ld readdir %s: '%s' vs '%s'\n", ops, rel, l[0],
		       l[1]);
		check_failures++;
		mismatches++;
	}
}

static void one_op(void)
{
	char a[64], b[64], pa[2][256], pb[2][256], lb[2][64];
	pick(a, sizeof(a));
	pick(b, sizeof(b));
	for (int s = 0; s < 2; s++) {
		path(pa[s], sizeof(pa[s]), s, a);
		path(pb[s], sizeof(pb[s]), s, b);
	}
	/* Random values are drawn once: both sides must do the same. */
	unsigned mode = 0600 | rnd(2) * 044;
	off_t size = rnd(100000);
	switch (rnd(13)) {
	case 0:
	case 1:
		op_write(a);
		break;
	case 2:
	case 3:
		op_read(a);
		break;
	case 4:
		BOTH("unlink", a, unlink(pa[side]));
		break;
	case 5:
		BOTH("mkdir", a, mkdir(pa[side], 0755));
		break;
	case 6:
		BOTH("rmdir", a, rmdir(pa[side]));
		break;
	case 7:
		BOTH("rename", a, rename(pa[side], pb[side]));
		break;
	case 8:
		BOTH("link", a, link(pa[side], pb[side]));
		break;
	case 9:
		BOTH("symlink", a, symlink(b, pa[side]));
		BOTH("readlink", a, ({
			     long n = readlink(pa[side], lb[side], 63);
			     n > 0 ? (long)lb[side][0] * 1000 + n : n;
		     }));
		break;
	case 10:
		BOTH("truncate", a, truncate(pa[side], size));
		break;
	case 11:
		BOTH("chmod", a, chmod(pa[side], mode));
		op_stat(a);
		break;
	default:
		op_stat(a);
		op_list();
		break;
	}
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		printf("usage: t_fsmodel MODEL_DIR TEST_DIR OPS SEED\n");
		return 2;
	}
	root[0] = argv[1];
	root[1] = argv[2];
	long n = atol(argv[3]);
	rng = strtoull(argv[4], NULL, 0) | 1;
	printf("t_fsmodel: seed %s, %ld operations\n", argv[4], n);
	for (int s = 0; s < 2; s++) {
		char p[256];
		CHECK(mkdir(root[s], 0755) == 0 || errno == EEXIST);
		path(p, sizeof(p), s, "d0");
		mkdir(p, 0755);
		path(p, sizeof(p), s, "d1");
		mkdir(p, 0755);
		path(p, sizeof(p), s, "d0/d2");
		mkdir(p, 0755);
	}
	for (ops = 0; ops < n && mismatches < 10; ops++)
		one_op();
	printf("t_fsmodel: %ld operations, %ld mismatches\n", ops, mismatches);
	DONE("t_fsmodel");
}
