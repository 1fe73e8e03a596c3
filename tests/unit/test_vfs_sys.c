/*
 * Host tests of the VFS system-call handlers (vfs/sys_*.c), called
 * directly with host pointers: the shim's copy_*_user treats pointers in
 * the first page as bad, so -EFAULT paths run too. Also the console
 * device on fds 0-2, getdents64 over a 10,000-entry directory and while
 * entries come and go, and the `mount=` boot option.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/cmdline.h>
#include <vfs/abi.h>
#include <vfs/syscalls.h>

#include "test_vfs.h"

#define S0(n) sys_##n(0, 0, 0, 0, 0, 0)
#define S1(n, a) sys_##n((long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b) sys_##n((long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c) sys_##n((long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(n, a, b, c, d) \
	sys_##n((long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) \
	sys_##n((long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

#define BAD ((void *)16) /* a pointer in the first page */

extern char shim_console_buf[4096];
extern size_t shim_console_len;

/* The layouts programs see, field by field. */
BUILD_ASSERT(offsetof(struct linux_stat, st_mode) == 24);
BUILD_ASSERT(offsetof(struct linux_stat, st_size) == 48);
BUILD_ASSERT(offsetof(struct linux_stat, st_blocks) == 64);
BUILD_ASSERT(offsetof(struct linux_stat, st_mtime_sec) == 88);
BUILD_ASSERT(offsetof(struct linux_statx, stx_mode) == 28);
BUILD_ASSERT(offsetof(struct linux_statx, stx_size) == 40);
BUILD_ASSERT(offsetof(struct linux_statx, stx_mtime) == 112);
BUILD_ASSERT(offsetof(struct linux_statx, stx_mnt_id) == 144);
BUILD_ASSERT(sizeof(struct linux_iovec) == 16);

static void test_sys_files(void)
{
	struct linux_stat st;
	char buf[64];

	vt_enter("sys");
	long fd = S4(openat, AT_FDCWD, "f", O_CREAT | O_RDWR | O_CLOEXEC, 0640);
	CHECK(fd >= 0);
	CHECK(S3(fcntl, fd, F_GETFD, 0) == FD_CLOEXEC);
	CHECK(S3(write, fd, "hello world", 11) == 11);
	CHECK(S3(lseek, fd, 6, SEEK_SET) == 6);
	CHECK(S3(read, fd, buf, sizeof(buf)) == 5 && !memcmp(buf, "world", 5));
	CHECK(S4(pread64, fd, buf, 5, 0) == 5 && !memcmp(buf, "hello", 5));
	CHECK(S4(pwrite64, fd, "J", 1, 0) == 1);
	CHECK(S4(pread64, fd, buf, 5, -1) == -EINVAL);
	CHECK(S2(fstat, fd, &st) == 0);
	CHECK(st.st_size == 11 && st.st_mode == (S_IFREG | 0640));
	CHECK(st.st_nlink == 1 && st.st_blksize == 4096);
	CHECK(S4(newfstatat, AT_FDCWD, "f", &st, 0) == 0 && st.st_size == 11);
	CHECK(S4(newfstatat, fd, "", &st, AT_EMPTY_PATH) == 0 &&
	      st.st_size == 11);
	CHECK(S4(newfstatat, fd, "", &st, 0) == -ENOENT);
	CHECK(S4(newfstatat, AT_FDCWD, "f", &st, 0x8000) == -EINVAL);
	CHECK(S2(ftruncate, fd, 4) == 0);
	CHECK(S2(stat, "f", &st) == 0 && st.st_size == 4);
	CHECK(S2(truncate, "f", 2) == 0);
	CHECK(S2(truncate, "f", -1) == -EINVAL);
	CHECK(S1(fsync, fd) == 0 && S1(fdatasync, fd) == 0);

	/* readv/writev. */
	struct linux_iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	CHECK(S3(lseek, fd, 0, SEEK_SET) == 0);
	CHECK(S3(writev, fd, iov, 3) == 5);
	char r1[2], r2[8];
	struct linux_iovec riov[2] = { { r1, 2 }, { r2, 8 } };
	CHECK(S3(lseek, fd, 0, SEEK_SET) == 0);
	CHECK(S3(readv, fd, riov, 2) == 5);
	CHECK(!memcmp(r1, "ab", 2) && !memcmp(r2, "cde", 3));
	CHECK(S4(preadv, fd, riov, 2, 1) == 4 && !memcmp(r1, "bc", 2));
	CHECK(S3(readv, fd, riov, IOV_MAX + 1) == -EINVAL);
	CHECK(S3(readv, fd, riov, -1) == -EINVAL);
	CHECK(S3(readv, fd, BAD, 2) == -EFAULT);
	struct linux_iovec huge[2] = { { r1, (size_t)-1 / 2 },
				       { r2, (size_t)-1 / 2 } };
	CHECK(S3(readv, fd, huge, 2) == -EINVAL);

	/* Bad pointers: -EFAULT, never a crash. */
	CHECK(S3(read, fd, BAD, 10) == 0); /* at the end: nothing copied */
	CHECK(S3(lseek, fd, 0, SEEK_SET) == 0);
	CHECK(S3(read, fd, BAD, 10) == -EFAULT);
	CHECK(S3(write, fd, BAD, 10) == -EFAULT);
	CHECK(S4(openat, AT_FDCWD, BAD, O_RDONLY, 0) == -EFAULT);
	CHECK(S4(newfstatat, AT_FDCWD, "f", BAD, 0) == -EFAULT);
	CHECK(S2(fstat, fd, BAD) == -EFAULT);
	CHECK(S2(stat, BAD, &st) == -EFAULT);
	CHECK(S2(mkdir, BAD, 0755) == -EFAULT);
	CHECK(S2(rename, "f", BAD) == -EFAULT);
	CHECK(S2(getcwd, BAD, 100) == -EFAULT);
	CHECK(S3(readlink, BAD, buf, 10) == -EFAULT);

	/* Bad descriptors and flags. */
	CHECK(S3(read, 999, buf, 1) == -EBADF);
	CHECK(S3(read, -1, buf, 1) == -EBADF);
	CHECK(S1(close, 999) == -EBADF);
	CHECK(S3(lseek, fd, 0, 7) == -EINVAL);
	CHECK(S3(fcntl, fd, 12345, 0) == -EINVAL);
	CHECK(S3(dup3, fd, fd, 0) == -EINVAL);
	CHECK(S3(dup3, fd, 100, 1) == -EINVAL);
	CHECK(S3(unlinkat, AT_FDCWD, "f", 1) == -EINVAL);
	CHECK(S5(renameat2, AT_FDCWD, "f", AT_FDCWD, "g", 8) == -EINVAL);
	CHECK(S4(faccessat2, AT_FDCWD, "f", R_OK, 0x10) == -EINVAL);
	CHECK(S5(statx, AT_FDCWD, "f", 0, 0x80000000u, buf) == -EINVAL);
	CHECK(S5(linkat, AT_FDCWD, "f", AT_FDCWD, "g", 1) == -EINVAL);

	/* fcntl. */
	CHECK(S3(fcntl, fd, F_SETFD, 0) == 0 && S3(fcntl, fd, F_GETFD, 0) == 0);
	long d = S3(fcntl, fd, F_DUPFD_CLOEXEC, 100);
	CHECK(d == 100 && S3(fcntl, d, F_GETFD, 0) == FD_CLOEXEC);
	CHECK(S3(fcntl, fd, F_SETFL, O_APPEND | O_RDONLY) == 0);
	CHECK((S3(fcntl, d, F_GETFL, 0) & (O_ACCMODE | O_APPEND)) ==
	      (O_RDWR | O_APPEND));
	struct linux_flock fl = { .l_type = F_WRLCK };
	CHECK(S3(fcntl, fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK);
	CHECK(S3(fcntl, fd, F_SETLK, &fl) == 0);
	CHECK(S3(fcntl, fd, F_GETLK, BAD) == -EFAULT);
	CHECK(S1(close, d) == 0);
	CHECK(S2(dup2, fd, fd) == fd);
	long d2 = S1(dup, fd);
	CHECK(d2 > 0 && S3(fcntl, d2, F_GETFD, 0) == 0);
	CHECK(S3(dup3, fd, d2, O_CLOEXEC) == d2);
	CHECK(S3(fcntl, d2, F_GETFD, 0) == FD_CLOEXEC);
	CHECK(S1(close, d2) == 0);

	/* ioctl on a file. */
	int avail = -1;
	CHECK(S3(lseek, fd, 1, SEEK_SET) == 1);
	CHECK(S3(ioctl, fd, FIONREAD, &avail) == 0 && avail == 4);
	CHECK(S3(ioctl, fd, TCGETS, buf) == -ENOTTY);
	CHECK(S3(ioctl, fd, TIOCGWINSZ, buf) == -ENOTTY);
	CHECK(S3(ioctl, fd, FIOCLEX, 0) == 0);
	CHECK(S3(fcntl, fd, F_GETFD, 0) == FD_CLOEXEC);
	CHECK(S1(close, fd) == 0 && S1(close, fd) == -EBADF);

	/* O_PATH descriptors: only for lookups and fstat. */
	fd = S3(open, ".", O_PATH | O_DIRECTORY, 0);
	CHECK(fd >= 0);
	CHECK(S3(read, fd, buf, 1) == -EBADF);
	CHECK(S3(getdents64, fd, buf, sizeof(buf)) == -EBADF);
	CHECK(S4(newfstatat, fd, "f", &st, 0) == 0);
	CHECK(S1(close, fd) == 0);
	CHECK(S2(creat, "c", 0600) >= 0);
}

static void test_sys_names(void)
{
	struct linux_stat st;
	struct linux_statx sx;
	char buf[PATH_MAX];

	vt_enter("sysnames");
	CHECK(S2(mkdir, "d", 0700) == 0 && S2(mkdir, "d", 0700) == -EEXIST);
	long dfd = S3(open, "d", O_RDONLY | O_DIRECTORY, 0);
	CHECK(dfd >= 0);
	CHECK(S3(mkdirat, dfd, "sub", 0755) == 0);
	long fd = S4(openat, dfd, "sub/f", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && S3(write, fd, "1234", 4) == 4 && !S1(close, fd));
	CHECK(S4(newfstatat, dfd, "sub/f", &st, 0) == 0 && st.st_size == 4);
	CHECK(S3(symlinkat, "sub/f", dfd, "ln") == 0);
	CHECK(S2(symlink, "d/ln", "ln2") == 0);
	CHECK(S2(lstat, "ln2", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK);
	/* d/ln's target is relative to d. */
	CHECK(S2(stat, "ln2", &st) == 0 && st.st_size == 4);
	CHECK(S4(readlinkat, dfd, "ln", buf, sizeof(buf)) == 5);
	CHECK(S3(readlink, "ln2", buf, 0) == -EINVAL);
	CHECK(S3(readlink, "d", buf, 10) == -EINVAL);
	CHECK(S5(statx, dfd, "ln", 0, STATX_BASIC_STATS, &sx) == 0);
	CHECK(sx.stx_size == 4 && (sx.stx_mode & S_IFMT) == S_IFREG);
	CHECK((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	CHECK(S5(statx, dfd, "ln", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS,
		 &sx) == 0);
	CHECK((sx.stx_mode & S_IFMT) == S_IFLNK && sx.stx_size == 5);
	CHECK(S5(statx, dfd, NULL, AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0);
	CHECK((sx.stx_mode & S_IFMT) == S_IFDIR);
	CHECK(S5(linkat, dfd, "sub/f", AT_FDCWD, "hard", 0) == 0);
	CHECK(S2(stat, "hard", &st) == 0 && st.st_nlink == 2);
	CHECK(S2(link, "hard", "hard2") == 0);
	CHECK(S4(renameat, AT_FDCWD, "hard2", dfd, "moved") == 0);
	CHECK(S3(unlinkat, dfd, "moved", 0) == 0);
	CHECK(S1(unlink, "hard") == 0);
	CHECK(S3(unlinkat, dfd, "sub", AT_REMOVEDIR) == -ENOTEMPTY);
	CHECK(S1(rmdir, "d/sub") == -ENOTEMPTY);
	CHECK(S2(rename, "d/sub/f", "top") == 0);
	CHECK(S1(rmdir, "d/sub") == 0);

	/* access, chmod, chown, utimensat. */
	CHECK(S2(access, "top", R_OK | W_OK) == 0);
	CHECK(S2(access, "top", X_OK) == -EACCES);
	CHECK(S2(chmod, "top", 0755) == 0 && S2(access, "top", X_OK) == 0);
	CHECK(S3(faccessat, dfd, "ln", F_OK) == -ENOENT);
	CHECK(S4(faccessat2, dfd, "ln", F_OK, AT_SYMLINK_NOFOLLOW) == 0);
	fd = S2(open, "top", O_RDONLY);
	CHECK(S2(fchmod, fd, 0600) == 0);
	CHECK(S3(fchown, fd, 7, -1) == 0);
	CHECK(S3(chown, "top", -1, 8) == 0);
	CHECK(S2(fstat, fd, &st) == 0 && st.st_mode == (S_IFREG | 0600));
	CHECK(st.st_uid == 7 && st.st_gid == 8);
	CHECK(S5(fchownat, AT_FDCWD, "ln2", 1, 1, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK(S2(lstat, "ln2", &st) == 0 && st.st_uid == 1);
	struct linux_timespec ts[2] = { { 5, 6 }, { 0, UTIME_OMIT } };
	CHECK(S4(utimensat, AT_FDCWD, "top", ts, 0) == 0);
	CHECK(S2(stat, "top", &st) == 0 && st.st_atime_sec == 5 &&
	      st.st_atime_nsec == 6 && st.st_mtime_sec > 5);
	ts[1] = (struct linux_timespec){ 9, 0 };
	CHECK(S4(utimensat, fd, NULL, ts, 0) == 0);
	CHECK(S2(stat, "top", &st) == 0 && st.st_mtime_sec == 9);
	ts[0].tv_nsec = 1000000000;
	CHECK(S4(utimensat, AT_FDCWD, "top", ts, 0) == -EINVAL);
	CHECK(S4(utimensat, AT_FDCWD, "top", BAD, 0) == -EFAULT);
	CHECK(S4(utimensat, AT_FDCWD, "top", NULL, 0) == 0);
	CHECK(S1(close, fd) == 0);
	CHECK(S1(umask, 077) == 022 && S1(umask, 022) == 077);

	/* getcwd, chdir, fchdir. */
	CHECK(S2(getcwd, buf, sizeof(buf)) == 10 && !strcmp(buf, "/sysnames"));
	CHECK(S2(getcwd, buf, 5) == -ERANGE);
	CHECK(S1(fchdir, dfd) == 0);
	CHECK(S2(getcwd, buf, sizeof(buf)) == 12 &&
	      !strcmp(buf, "/sysnames/d"));
	CHECK(S1(chdir, "..") == 0);
	CHECK(S1(chdir, "top") == -ENOTDIR);
	CHECK(S1(close, dfd) == 0);
}

/* Reads a whole directory through getdents64 with a @bufsize buffer. */
static long count_entries(long fd, size_t bufsize, long *records)
{
	static char buf[65536];
	long total = 0, n;

	*records = 0;
	while ((n = S3(getdents64, fd, buf, bufsize)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			CHECK(d->d_reclen % 8 == 0 && d->d_reclen >= 24);
			CHECK(strlen(d->d_name) + 20 <= d->d_reclen);
			off += d->d_reclen;
			(*records)++;
		}
		total += n;
	}
	return n < 0 ? n : total;
}

static void test_big_directory(void)
{
	enum {
		N = 10000
	};
	char name[32];
	struct linux_stat st;
	long records;

	vt_enter("big");
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "entry-%d", i);
		long fd = S4(openat, AT_FDCWD, name, O_CREAT | O_WRONLY, 0644);
		CHECK(fd >= 0);
		S1(close, fd);
	}
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "entry-%d", i);
		if (S4(newfstatat, AT_FDCWD, name, &st, 0)) {
			CHECK(!"entry missing");
			break;
		}
	}
	long fd = S3(open, ".", O_RDONLY | O_DIRECTORY, 0);
	CHECK(count_entries(fd, 4096, &records) > 0 && records == N + 2);
	CHECK(S3(lseek, fd, 0, SEEK_SET) == 0);
	CHECK(count_entries(fd, 32768, &records) > 0 && records == N + 2);
	char tiny[16];
	CHECK(S3(lseek, fd, 0, SEEK_SET) == 0);
	CHECK(S3(getdents64, fd, tiny, sizeof(tiny)) == -EINVAL);
	CHECK(S3(getdents64, fd, BAD, 4096) == -EFAULT);
	S1(close, fd);
	for (int i = 0; i < N; i += 2) {
		snprintf(name, sizeof(name), "entry-%d", i);
		CHECK(S1(unlink, name) == 0);
	}
	fd = S3(open, ".", O_RDONLY | O_DIRECTORY, 0);
	CHECK(count_entries(fd, 4096, &records) > 0 && records == N / 2 + 2);
	S1(close, fd);
}

/* A listing interleaved with removals and additions sees each name once. */
static void test_getdents_resume(void)
{
	enum {
		N = 200
	};
	static char buf[512];
	char seen[N + 20] = { 0 }, name[16];

	vt_enter("resume");
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		CHECK(vt_put(name, "") == 0);
	}
	long fd = S3(open, ".", O_RDONLY | O_DIRECTORY, 0);
	int calls = 0, dups = 0, last = -1;
	int64_t mark = -1;
	long n;
	while ((n = S3(getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			int idx = -1;
			if (d->d_name[0] == 'e')
				idx = atoi(d->d_name + 1);
			else if (d->d_name[0] == 'n')
				idx = N + atoi(d->d_name + 1);
			if (idx >= 0) {
				dups += seen[idx]++ > 0;
				last = idx;
			}
			if (idx == 60)
				mark = d->d_off;
			off += d->d_reclen;
		}
		if (++calls == 1) {
			/* Past e0..: remove the tail and the last seen entry,
			 * add new names. */
			for (int i = 150; i < N; i++) {
				snprintf(name, sizeof(name), "e%d", i);
				CHECK(vfs_unlink(name) == 0);
			}
			snprintf(name, sizeof(name), "e%d", last);
			CHECK(vfs_unlink(name) == 0);
			for (int i = 0; i < 10; i++) {
				snprintf(name, sizeof(name), "n%d", i);
				CHECK(vt_put(name, "") == 0);
			}
		}
	}
	CHECK(n == 0 && calls > 3 && dups == 0);
	for (int i = 0; i < 150; i++)
		CHECK(seen[i] == 1);
	for (int i = 150; i < N; i++)
		CHECK(seen[i] == 0);
	for (int i = N; i < N + 10; i++)
		CHECK(seen[i] == 1);
	/* seekdir to a d_off resumes after that entry. */
	CHECK(mark > 0 && S3(lseek, fd, mark, SEEK_SET) == mark);
	CHECK(S3(getdents64, fd, buf, sizeof(buf)) > 0);
	CHECK(!strcmp(((struct linux_dirent64 *)buf)->d_name, "e61"));
	S1(close, fd);
}

static void test_console(void)
{
	struct linux_stat st;
	char buf[16];

	vt_enter("console");
	CHECK(vfs_open_console_fds() == 0);
	shim_console_len = 0;
	CHECK(S3(write, 1, "out\n", 4) == 4);
	struct linux_iovec iov[2] = { { "err", 3 }, { "!\n", 2 } };
	CHECK(S3(writev, 2, iov, 2) == 5);
	CHECK(shim_console_len == 9 &&
	      !memcmp(shim_console_buf, "out\nerr!\n", 9));
	CHECK(S3(read, 0, buf, sizeof(buf)) == 0);
	CHECK(S2(fstat, 1, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR);
	CHECK(st.st_rdev == ((5 << 8) | 1));
	CHECK(S3(ioctl, 1, TCGETS, buf) == -ENOTTY);
	CHECK(S3(ioctl, 1, TIOCGWINSZ, buf) == -ENOTTY);
	CHECK(S3(ioctl, 0, FIONREAD, buf) == -ENOTTY);
	CHECK(S3(lseek, 1, 0, SEEK_CUR) == -ESPIPE);
	CHECK(S4(pwrite64, 1, "x", 1, 0) == -ESPIPE);
	CHECK(S3(write, 1, BAD, 4) == -EFAULT);
	CHECK((S3(fcntl, 0, F_GETFL, 0) & O_ACCMODE) == O_RDWR);
	struct file *f = fd_get(1);
	CHECK(!IS_ERR(f) && vfs_is_console(f));
	file_put(f);
}

static void test_mount_option(void)
{
	static char good[] = "mount=/opt/scratch,ramfs mount=/opt/two,ramfs";
	static char rel[] = "mount=opt,ramfs";
	static char nfs[] = "mount=/data,nfs://10.0.0.1/export";
	static char bare[] = "mount=/data";
	char err[200];
	struct kstat a, b;

	vt_enter("cmdline");
	CHECK(cmdline_parse(rel, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "MOUNTPOINT,SOURCE") != NULL);
	CHECK(cmdline_parse(nfs, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "unknown filesystem 'nfs'") != NULL);
	CHECK(cmdline_parse(bare, err, sizeof(err)) == -EINVAL);
	CHECK(cmdline_parse(good, err, sizeof(err)) == 0);
	CHECK(vfs_mount_cmdline() == 0);
	CHECK(vfs_stat("/opt/scratch", &a, true) == 0);
	CHECK(vfs_stat("/opt", &b, true) == 0 && a.dev != b.dev);
	CHECK(vfs_stat("/opt/two", &b, true) == 0 && a.dev != b.dev);
	CHECK(vt_put("/opt/scratch/f", "s") == 0);
}

TEST_MAIN(UNIT_CASE(test_sys_files), UNIT_CASE(test_sys_names),
	  UNIT_CASE(test_big_directory), UNIT_CASE(test_getdents_resume),
	  UNIT_CASE(test_console), UNIT_CASE(test_mount_option))
