/*
 * File and directory system calls through the C library, in a directory
 * given as the argument (the root ramfs's /tmp without one; the NFS tests
 * pass their mount): create, read, write, seek, positional I/O, O_APPEND, O_EXCL,
 * O_TRUNC, O_DIRECTORY, O_CLOEXEC, truncate, stat, rename, link, symlink,
 * readlink, directories and their listing, cwd, dup and fcntl, and the
 * errors each gives on bad input.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

static const char *base = "/tmp";

/* @name under the base directory; eight results stay valid at a time. */
static const char *P(const char *name)
{
	static char bufs[8][256];
	static unsigned next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", base, name);
	return b;
}

static void test_read_write(void)
{
	char buf[64];
	int fd = open(P("a"), O_RDWR | O_CREAT | O_EXCL, 0640);
	CHECK(fd >= 3);
	CHECK(write(fd, "hello, world", 12) == 12);
	CHECK(lseek(fd, 0, SEEK_CUR) == 12);
	CHECK(lseek(fd, 7, SEEK_SET) == 7);
	CHECK(read(fd, buf, sizeof(buf)) == 5 && !memcmp(buf, "world", 5));
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	CHECK(pwrite(fd, "H", 1, 0) == 1);
	CHECK(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "Hello", 5));
	CHECK(lseek(fd, 0, SEEK_CUR) == 12); /* pread/pwrite keep the offset */
	CHECK(lseek(fd, -2, SEEK_END) == 10);
	CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL);

	/* A hole reads as zeros. */
	CHECK(pwrite(fd, "Z", 1, 10000) == 1);
	CHECK(pread(fd, buf, 4, 5000) == 4 && !memcmp(buf, "\0\0\0\0", 4));
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == 10001);
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0640);
	CHECK(ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5);
	CHECK(close(fd) == 0);
	CHECK_ERR(close(fd), EBADF);

	CHECK_ERR(open(P("a"), O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	fd = open(P("a"), O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, "XY", 2) == 2);
	CHECK_ERR(read(fd, buf, 1), EBADF);
	close(fd);
	fd = open(P("a"), O_RDONLY);
	CHECK(read(fd, buf, 64) == 7 && !memcmp(buf, "HelloXY", 7));
	CHECK_ERR(write(fd, "x", 1), EBADF);
	close(fd);
	fd = open(P("a"), O_RDWR | O_TRUNC);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
	close(fd);

	/* readv/writev */
	struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
	fd = open(P("v"), O_RDWR | O_CREAT, 0600);
	CHECK(writev(fd, iov, 2) == 5);
	char x[2], y[3];
	struct iovec riov[2] = { { x, 2 }, { y, 3 } };
	CHECK(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "abcde", 5));
	lseek(fd, 0, SEEK_SET);
	CHECK(readv(fd, riov, 2) == 5 && !memcmp(y, "cde", 3));
	close(fd);
}

static void test_names(void)
{
	char buf[256];
	struct stat st;

	CHECK(mkdir(P("d"), 0755) == 0);
	CHECK_ERR(mkdir(P("d"), 0755), EEXIST);
	CHECK(mkdir(P("d/e"), 0700) == 0);
	int fd = open(P("d/e/f"), O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && write(fd, "data", 4) == 4);
	close(fd);
	CHECK_ERR(rmdir(P("d/e")), ENOTEMPTY);
	CHECK_ERR(open(P("d/e/f/g"), O_RDONLY), ENOTDIR);
	CHECK_ERR(open(P("d/nope"), O_RDONLY), ENOENT);
	CHECK_ERR(open(P("d"), O_WRONLY), EISDIR);
	CHECK_ERR(open(P("d/e/f"), O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK(access(P("d/e/f"), R_OK) == 0);
	CHECK_ERR(access(P("d/e/x"), F_OK), ENOENT);

	CHECK(link(P("d/e/f"), P("d/hard")) == 0);
	CHECK(stat(P("d/hard"), &st) == 0 && st.st_nlink == 2);
	CHECK(symlink("e/f", P("d/sym")) == 0);
	CHECK(readlink(P("d/sym"), buf, sizeof(buf)) == 3 &&
	      !memcmp(buf, "e/f", 3));
	CHECK(lstat(P("d/sym"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat(P("d/sym"), &st) == 0 && S_ISREG(st.st_mode) &&
	      st.st_size == 4);
	CHECK(symlink("loop2", P("loop1")) == 0 &&
	      symlink("loop1", P("loop2")) == 0);
	CHECK_ERR(open(P("loop1"), O_RDONLY), ELOOP);

	/* rename replaces, and a renamed open file keeps its data. */
	fd = open(P("d/hard"), O_RDONLY);
	CHECK(rename(P("d/hard"), P("d/moved")) == 0);
	CHECK(read(fd, buf, 4) == 4 && !memcmp(buf, "data", 4));
	close(fd);
	CHECK_ERR(rename(P("d"), P("d/e/inside")), EINVAL);
	CHECK(unlink(P("d/moved")) == 0);
	CHECK(stat(P("d/e/f"), &st) == 0 && st.st_nlink == 1);
	CHECK_ERR(unlink(P("d/e")), EISDIR);

	/* An unlinked open file stays readable until closed. */
	fd = open(P("d/e/f"), O_RDONLY);
	CHECK(unlink(P("d/e/f")) == 0);
	CHECK(pread(fd, buf, 4, 0) == 4 && !memcmp(buf, "data", 4));
	close(fd);
	CHECK(rmdir(P("d/e")) == 0);

	/* cwd and relative names */
	CHECK(chdir(P("d")) == 0);
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, P("d")));
	CHECK(mkdir("rel", 0755) == 0 && chdir("rel/..") == 0);
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, P("d")));
	errno = 0;
	CHECK(getcwd(buf, 3) == NULL && errno == ERANGE);
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && chdir("/") == 0 && fchdir(dfd) == 0);
	CHECK(openat(dfd, "rel", O_RDONLY | O_DIRECTORY) >= 0);
	CHECK(unlinkat(dfd, "rel", AT_REMOVEDIR) == 0);
	close(dfd);
	CHECK(chdir("/") == 0);
}

static void test_readdir(void)
{
	char name[64];
	CHECK(mkdir(P("many"), 0755) == 0);
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "%s/many/f%03d", base, i);
		int fd = open(name, O_CREAT | O_WRONLY, 0600);
		CHECK(fd >= 0);
		close(fd);
	}
	DIR *d = opendir(P("many"));
	CHECK(d != NULL);
	int seen = 0, dots = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			dots++;
		else if (e->d_name[0] == 'f' && e->d_type == DT_REG)
			seen++;
	}
	if (d)
		closedir(d);
	CHECK(seen == 500 && dots == 2);

	/* A buffer with room for one entry: every call resumes, dots too. */
	int fd = open(P("many"), O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	char buf[32];
	long calls = 0, n;
	seen = dots = 0;
	while (fd >= 0 && calls++ < 1000 &&
	       (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		const char *nm = buf + offsetof(struct dirent, d_name);
		unsigned short reclen;
		memcpy(&reclen, buf + offsetof(struct dirent, d_reclen),
		       sizeof(reclen));
		CHECK(reclen == n); /* one entry */
		if (!strcmp(nm, ".") || !strcmp(nm, ".."))
			CHECK(dots++ == (nm[1] == '.') && seen == 0);
		else if (nm[0] == 'f')
			seen++;
	}
	CHECK(seen == 500 && dots == 2 && calls == 503);
	if (fd >= 0)
		close(fd);
}

static void test_fds(void)
{
	int fd = open(P("fds"), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	int d = dup(fd);
	CHECK(d > fd && fcntl(d, F_GETFD) == 0);
	CHECK(write(fd, "abc", 3) == 3 && lseek(d, 0, SEEK_CUR) == 3);
	CHECK(dup2(fd, 50) == 50 && dup2(50, 50) == 50);
	CHECK(dup3(fd, 51, O_CLOEXEC) == 51 &&
	      fcntl(51, F_GETFD) == FD_CLOEXEC);
	CHECK_ERR(dup3(fd, fd, 0), EINVAL);
	CHECK(fcntl(fd, F_SETFL, O_APPEND) == 0 &&
	      (fcntl(fd, F_GETFL) & O_APPEND));
	CHECK(fcntl(fd, F_DUPFD, 60) >= 60);
	CHECK_ERR(dup2(fd, -1), EBADF);
	CHECK_ERR(fcntl(999, F_GETFD), EBADF);
	struct winsize ws;
	CHECK_ERR(ioctl(1, TIOCGWINSZ, &ws), ENOTTY);
	CHECK_ERR(ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
	mode_t old = umask(077);
	CHECK(umask(old) == 077);
}

/* Raw system calls with pointers the kernel must refuse. */
static void test_bad_pointers(void)
{
	void *bad = (void *)16, *kernel = (void *)0xffffffff80100000UL;
	int fd = open(P("bp"), O_CREAT | O_RDWR, 0600);
	CHECK(write(fd, "0123456789", 10) == 10);
	lseek(fd, 0, SEEK_SET);
	CHECK_ERR(syscall(SYS_read, fd, bad, 10), EFAULT);
	CHECK_ERR(syscall(SYS_read, fd, kernel, 10), EFAULT);
	CHECK_ERR(syscall(SYS_write, fd, kernel, 10), EFAULT);
	CHECK_ERR(syscall(SYS_open, bad, O_RDONLY), EFAULT);
	CHECK_ERR(syscall(SYS_open, kernel, O_RDONLY), EFAULT);
	CHECK_ERR(syscall(SYS_fstat, fd, bad), EFAULT);
	CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, P("bp"), bad, 0), EFAULT);
	CHECK_ERR(syscall(SYS_getcwd, bad, 100), EFAULT);
	CHECK_ERR(syscall(SYS_getdents64, fd, bad, 100), ENOTDIR);
	CHECK_ERR(syscall(SYS_read, 12345, bad, 1), EBADF);
	/* The file is intact after all that. */
	char buf[10];
	CHECK(pread(fd, buf, 10, 0) == 10 && !memcmp(buf, "0123456789", 10));
	close(fd);
}

/* statfs: the base is a ramfs (/tmp) or an NFS mount, and says which. */
static void test_statfs(void)
{
	struct statfs a, b;
	CHECK(statfs(base, &a) == 0);
	CHECK(a.f_type == 0x858458f6 || a.f_type == 0x6969);
	CHECK(a.f_bsize > 0 && a.f_blocks > 0 && a.f_bfree <= a.f_blocks &&
	      a.f_bavail <= a.f_blocks && a.f_namelen == 255);
	int fd = open(P("statfs"), O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0 && fstatfs(fd, &b) == 0 && b.f_type == a.f_type &&
	      b.f_blocks == a.f_blocks);
	close(fd);
	CHECK_ERR(statfs(P("no/such"), &a), ENOENT);
	CHECK_ERR(fstatfs(999, &a), EBADF);
	CHECK(statfs("/", &b) == 0 && b.f_type == 0x858458f6);
}

/* The runner mounts a ramfs on /scratch (mount=/scratch,ramfs). */
static void test_mount(void)
{
	struct stat root, scratch;
	CHECK(stat("/", &root) == 0 && stat("/scratch", &scratch) == 0);
	CHECK(S_ISDIR(scratch.st_mode) && scratch.st_dev != root.st_dev);
	int fd = open("/scratch/f", O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	CHECK_ERR(rename("/scratch/f", P("f")), EXDEV);
	CHECK_ERR(link("/scratch/f", P("f")), EXDEV);
	CHECK(chdir("/scratch") == 0 && chdir("..") == 0);
	char buf[64];
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"));
}

int main(int argc, char **argv)
{
	if (argc > 1)
		base = argv[1];
	test_read_write();
	test_names();
	test_readdir();
	test_fds();
	test_bad_pointers();
	test_statfs();
	test_mount();
	DONE("t_files");
}
