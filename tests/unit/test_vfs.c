/*
 * Host tests of the VFS and ramfs through the kernel-level API
 * (vfs/vfs.h): path lookup edge cases, symbolic links, open flags,
 * rename/link/unlink semantics, holes and truncation, mounts, the fd
 * table, the working directory and running out of memory. Each case works
 * in its own directory under the root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vfs/syscalls.h>

#include "test_vfs.h"

static void test_lookup_paths(void)
{
	struct kstat st, st2;

	vt_enter("lookup");
	CHECK(vfs_mkdir("a", 0755) == 0);
	CHECK(vfs_mkdir("a/b", 0755) == 0);
	CHECK(vt_put("a/b/f", "x") == 0);
	CHECK(vt_ino("a/b") != 0);
	CHECK(vt_ino("/lookup/a/b") == vt_ino("a/b"));
	CHECK(vt_ino("a//b/") == vt_ino("a/b"));
	CHECK(vt_ino("a/./b/../b/.") == vt_ino("a/b"));
	CHECK(vt_ino("a/b/..") == vt_ino("a"));
	CHECK(vt_ino("/..") == vt_ino("/"));
	CHECK(vt_ino("/../../lookup") == vt_ino("."));
	CHECK(vt_stat_err("a/x") == -ENOENT);
	CHECK(vt_stat_err("a/x/y") == -ENOENT);
	CHECK(vt_stat_err("a/b/f/x") == -ENOTDIR);
	CHECK(vt_stat_err("a/b/f/") == -ENOTDIR);
	CHECK(vt_stat_err("a/b/f/.") == -ENOTDIR);
	CHECK(vt_stat_err("") == -ENOENT);
	CHECK(vfs_stat("a/b/f", &st, true) == 0 && st.size == 1);
	CHECK((st.mode & S_IFMT) == S_IFREG && st.nlink == 1);
	CHECK(vfs_stat("a", &st2, true) == 0);
	CHECK((st2.mode & S_IFMT) == S_IFDIR && st2.nlink == 3);

	char name[NAME_MAX + 2];
	memset(name, 'n', sizeof(name));
	name[NAME_MAX] = '\0';
	CHECK(vt_put(name, "ok") == 0); /* 255 bytes: fine */
	name[NAME_MAX] = 'n';
	name[NAME_MAX + 1] = '\0';
	CHECK(vt_stat_err(name) == -ENAMETOOLONG);
	CHECK(vfs_mkdir(name, 0755) == -ENAMETOOLONG);

	char *longpath = malloc(PATH_MAX + 10);
	for (int i = 0; i < PATH_MAX + 8; i += 2)
		memcpy(longpath + i, "./", 2);
	longpath[PATH_MAX + 8] = '\0';
	CHECK(vt_stat_err(longpath) == -ENAMETOOLONG);
	longpath[PATH_MAX - 2] = '\0'; /* 4094 bytes of "./": fine */
	CHECK(vt_stat_err(longpath) == 0);
	free(longpath);
}

static void test_symlinks(void)
{
	struct kstat st;
	char buf[64];

	vt_enter("sym");
	CHECK(vfs_mkdir("d", 0755) == 0);
	CHECK(vt_put("d/f", "data") == 0);
	CHECK(vfs_symlink("d/f", "rel") == 0);
	CHECK(vfs_symlink("/sym/d", "abs") == 0);
	CHECK(vfs_symlink("rel", "chain") == 0);
	CHECK(vfs_symlink("nowhere", "dangling") == 0);
	CHECK(vfs_symlink("loop2", "loop1") == 0);
	CHECK(vfs_symlink("loop1", "loop2") == 0);
	CHECK(vfs_symlink("self", "self") == 0);
	CHECK(vt_is("rel", "data"));
	CHECK(vt_is("chain", "data"));
	CHECK(vt_is("abs/f", "data"));
	CHECK(vt_is("abs/../d/f", "data")); /* ".." of the target dir */
	CHECK(vt_stat_err("dangling") == -ENOENT);
	CHECK(vfs_stat("dangling", &st, false) == 0);
	CHECK((st.mode & S_IFMT) == S_IFLNK && st.size == 7);
	CHECK(vt_stat_err("loop1") == -ELOOP);
	CHECK(vt_stat_err("self/x") == -ELOOP);
	CHECK(vt_stat_err("abs/") == 0); /* a trailing slash follows */
	CHECK(vt_stat_err("rel/") == -ENOTDIR);
	CHECK(vfs_readlink("chain", buf, sizeof(buf)) == 3);
	CHECK(!memcmp(buf, "rel", 3));
	CHECK(vfs_readlink("d/f", buf, sizeof(buf)) == -EINVAL);
	CHECK(vfs_readlink("chain", buf, 2) == 2); /* truncated, no NUL */
	CHECK(vfs_symlink("", "empty") == -ENOENT);
	CHECK(vfs_symlink("x", "rel") == -EEXIST);

	/* 40 links in a row resolve, 41 do not. */
	CHECK(vfs_symlink("d/f", "l0") == 0);
	for (int i = 1; i <= 40; i++) {
		char from[16], to[16];
		snprintf(from, sizeof(from), "l%d", i - 1);
		snprintf(to, sizeof(to), "l%d", i);
		CHECK(vfs_symlink(from, to) == 0);
	}
	CHECK(vt_is("l39", "data"));
	CHECK(vt_stat_err("l40") == -ELOOP);

	/* open: O_NOFOLLOW, O_CREAT through a dangling link, O_EXCL. */
	struct file *f = vfs_open("rel", O_RDONLY | O_NOFOLLOW, 0);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -ELOOP);
	f = vfs_open("rel", O_PATH | O_NOFOLLOW, 0);
	CHECK(!IS_ERR(f));
	if (!IS_ERR(f)) {
		CHECK(f->vn->type == VLNK);
		file_put(f);
	}
	f = vfs_open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -EEXIST);
	f = vfs_open("dangling", O_CREAT | O_WRONLY, 0644);
	CHECK(!IS_ERR(f));
	if (!IS_ERR(f))
		file_put(f);
	CHECK(vt_stat_err("nowhere") == 0);
	f = vfs_open("loop1", O_CREAT | O_WRONLY, 0644);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -ELOOP);
}

static void test_open_flags(void)
{
	struct file *f;
	struct kstat st;
	char buf[64];

	vt_enter("flags");
	CHECK(vt_put("f", "hello") == 0);
	CHECK(vfs_mkdir("d", 0755) == 0);

	f = vfs_open("f", O_CREAT | O_EXCL | O_RDWR, 0644);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -EEXIST);
	f = vfs_open("missing", O_RDONLY, 0);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -ENOENT);
	f = vfs_open("f", O_RDONLY | O_DIRECTORY, 0);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -ENOTDIR);
	f = vfs_open("d", O_WRONLY, 0);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -EISDIR);
	f = vfs_open("d", O_CREAT | O_RDONLY, 0644);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -EISDIR);
	f = vfs_open("new/", O_CREAT | O_RDWR, 0644);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -EISDIR);
	f = vfs_open("x", O_CREAT | O_DIRECTORY | O_RDWR, 0644);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -EINVAL);
	f = vfs_open("nodir/x", O_CREAT | O_RDWR, 0644);
	CHECK(IS_ERR(f) && PTR_ERR(f) == -ENOENT);

	/* Access modes. */
	f = vfs_open("f", O_RDONLY, 0);
	CHECK(!IS_ERR(f) && vt_kwrite(f, "x", 1) == -EBADF);
	CHECK(vt_kread(f, buf, 2) == 2 && !memcmp(buf, "he", 2));
	CHECK(vt_kread(f, buf, sizeof(buf)) == 3 && !memcmp(buf, "llo", 3));
	CHECK(vt_kread(f, buf, sizeof(buf)) == 0);
	CHECK(vfs_ftruncate(f, 0) == -EINVAL);
	file_put(f);
	f = vfs_open("f", O_WRONLY, 0);
	CHECK(!IS_ERR(f) && vt_kread(f, buf, 1) == -EBADF);
	CHECK(vt_kwrite(f, "J", 1) == 1);
	file_put(f);
	CHECK(vt_is("f", "Jello"));
	f = vfs_open("d", O_PATH, 0);
	CHECK(!IS_ERR(f) && vt_kread(f, buf, 1) == -EBADF);
	file_put(f);

	/* O_APPEND writes at the end whatever the position. */
	f = vfs_open("f", O_WRONLY | O_APPEND, 0);
	CHECK(vfs_lseek(f, 0, SEEK_SET) == 0);
	CHECK(vt_kwrite(f, "!", 1) == 1);
	CHECK(vt_kpwrite(f, "?", 1, 0) == 1);
	file_put(f);
	CHECK(vt_is("f", "Jello!?"));

	/* O_TRUNC empties; O_CREAT applies the umask. */
	f = vfs_open("f", O_RDWR | O_TRUNC, 0);
	CHECK(!IS_ERR(f));
	file_put(f);
	CHECK(vfs_stat("f", &st, true) == 0 && st.size == 0);
	unsigned old = vfs_umask(027);
	f = vfs_open("masked", O_CREAT | O_WRONLY, 0666);
	CHECK(!IS_ERR(f));
	file_put(f);
	CHECK(vfs_stat("masked", &st, true) == 0 && (st.mode & 0777) == 0640);
	CHECK(vfs_mkdir("mdir", 0777) == 0);
	CHECK(vfs_stat("mdir", &st, true) == 0 && (st.mode & 0777) == 0750);
	CHECK(vfs_umask(old) == 027);

	/* lseek. */
	f = vfs_open("g", O_CREAT | O_RDWR, 0644);
	CHECK(vt_kwrite(f, "0123456789", 10) == 10);
	CHECK(vfs_lseek(f, -3, SEEK_END) == 7);
	CHECK(vt_kread(f, buf, 10) == 3 && !memcmp(buf, "789", 3));
	CHECK(vfs_lseek(f, -20, SEEK_CUR) == -EINVAL);
	CHECK(vfs_lseek(f, 0, 99) == -EINVAL);
	CHECK(vfs_lseek(f, 100, SEEK_SET) == 100);
	CHECK(vt_kread(f, buf, 10) == 0);
	file_put(f);
}

static void test_rename(void)
{
	struct kstat st;
	char buf[64];

	vt_enter("ren");
	CHECK(vt_put("a", "A") == 0);
	CHECK(vt_put("b", "B") == 0);
	/* Over an existing file: replaced; an open fd keeps the old data. */
	struct file *fb = vfs_open("b", O_RDONLY, 0);
	CHECK(vfs_rename("a", "b") == 0);
	CHECK(vt_stat_err("a") == -ENOENT);
	CHECK(vt_is("b", "A"));
	CHECK(vt_kread(fb, buf, sizeof(buf)) == 1 && buf[0] == 'B');
	CHECK(vfs_fstat(fb, &st) == 0 && st.nlink == 0);
	file_put(fb);
	/* To itself, and between two names of one file: nothing happens. */
	CHECK(vfs_rename("b", "b") == 0 && vt_is("b", "A"));
	CHECK(vfs_link("b", "b2") == 0);
	CHECK(vfs_rename("b", "b2") == 0);
	CHECK(vt_is("b", "A") && vt_is("b2", "A"));

	CHECK(vfs_mkdir("d1", 0755) == 0);
	CHECK(vfs_mkdir("d2", 0755) == 0);
	CHECK(vfs_mkdir("d1/sub", 0755) == 0);
	CHECK(vt_put("d1/sub/f", "F") == 0);
	CHECK(vfs_mkdir("full", 0755) == 0);
	CHECK(vt_put("full/x", "x") == 0);
	CHECK(vfs_rename("d1", "d2") == 0); /* onto an empty directory */
	CHECK(vt_is("d2/sub/f", "F"));
	CHECK(vt_stat_err("d1") == -ENOENT);
	CHECK(vfs_rename("d2", "full") == -ENOTEMPTY);
	CHECK(vfs_rename("b", "d2") == -EISDIR);
	CHECK(vfs_rename("d2", "b") == -ENOTDIR);
	CHECK(vfs_rename("d2", "d2/sub/into") == -EINVAL);
	CHECK(vfs_rename("d2", "d2/into") == -EINVAL);
	CHECK(vfs_rename("d2/sub", "d2/sub/x/y") == -ENOENT);
	CHECK(vfs_mkdir("d2/sub/deep", 0755) == 0);
	CHECK(vfs_rename("d2/sub/deep", "d2") == -ENOTEMPTY);
	CHECK(vfs_rename("missing", "x") == -ENOENT);
	CHECK(vfs_rename(".", "x") == -EBUSY);
	CHECK(vfs_rename("b/", "c") == -ENOTDIR);
	CHECK(vfs_renameat(AT_FDCWD, "b", AT_FDCWD, "b2", RENAME_NOREPLACE) ==
	      0); /* same file */
	CHECK(vt_put("c", "C") == 0);
	CHECK(vfs_renameat(AT_FDCWD, "b", AT_FDCWD, "c", RENAME_NOREPLACE) ==
	      -EEXIST);
	CHECK(vfs_renameat(AT_FDCWD, "b", AT_FDCWD, "c", RENAME_EXCHANGE) ==
	      -EINVAL);

	/* A directory moving between parents: link counts and "..". */
	CHECK(vfs_mkdir("p1", 0755) == 0);
	CHECK(vfs_mkdir("p2", 0755) == 0);
	CHECK(vfs_mkdir("p1/m", 0755) == 0);
	CHECK(vfs_stat("p1", &st, true) == 0 && st.nlink == 3);
	CHECK(vfs_rename("p1/m", "p2/m2") == 0);
	CHECK(vfs_stat("p1", &st, true) == 0 && st.nlink == 2);
	CHECK(vfs_stat("p2", &st, true) == 0 && st.nlink == 3);
	CHECK(vt_ino("p2/m2/..") == vt_ino("p2"));
	/* Replacing a directory drops the parent's count for it. */
	CHECK(vfs_mkdir("p2/e", 0755) == 0);
	CHECK(vfs_rename("p2/m2", "p2/e") == 0);
	CHECK(vfs_stat("p2", &st, true) == 0 && st.nlink == 3);
}

static void test_link_unlink(void)
{
	struct kstat st;
	char buf[64];

	vt_enter("links");
	CHECK(vt_put("f", "data") == 0);
	CHECK(vfs_link("f", "g") == 0);
	CHECK(vfs_stat("f", &st, true) == 0 && st.nlink == 2);
	CHECK(vt_ino("f") == vt_ino("g"));
	CHECK(vfs_link("f", "g") == -EEXIST);
	CHECK(vfs_link("missing", "h") == -ENOENT);
	CHECK(vfs_mkdir("d", 0755) == 0);
	CHECK(vfs_link("d", "d2") == -EPERM);
	CHECK(vfs_link("f", "h/") == -ENOENT);
	CHECK(vfs_unlink("g") == 0);
	CHECK(vfs_stat("f", &st, true) == 0 && st.nlink == 1);

	/* Unlinked while open: still readable and writable until closed. */
	struct file *f = vfs_open("f", O_RDWR, 0);
	CHECK(vfs_unlink("f") == 0);
	CHECK(vt_stat_err("f") == -ENOENT);
	CHECK(vt_kpwrite(f, "DATA", 4, 0) == 4);
	CHECK(vt_kread(f, buf, sizeof(buf)) == 4 && !memcmp(buf, "DATA", 4));
	CHECK(vfs_fstat(f, &st) == 0 && st.nlink == 0);
	file_put(f);

	CHECK(vfs_unlink("d") == -EISDIR);
	CHECK(vfs_rmdir("missing") == -ENOENT);
	CHECK(vt_put("file", "x") == 0);
	CHECK(vfs_rmdir("file") == -ENOTDIR);
	CHECK(vfs_unlink("file/") == -ENOTDIR);
	CHECK(vt_put("d/inner", "x") == 0);
	CHECK(vfs_rmdir("d") == -ENOTEMPTY);
	CHECK(vfs_rmdir("d/.") == -EINVAL);
	CHECK(vfs_rmdir("d/..") == -ENOTEMPTY);
	CHECK(vfs_unlink("d/inner") == 0);
	CHECK(vfs_rmdir("d/") == 0);
	CHECK(vt_stat_err("d") == -ENOENT);
	CHECK(vfs_rmdir("/") == -EBUSY);

	/* A removed working directory: nothing can be made in it. */
	CHECK(vfs_mkdir("gone", 0755) == 0);
	CHECK(vfs_chdir("gone") == 0);
	CHECK(vfs_rmdir("../gone") == 0);
	CHECK(vt_put("x", "x") == -ENOENT);
	CHECK(vfs_mkdir("y", 0755) == -ENOENT);
	CHECK(vfs_getcwd(buf, sizeof(buf)) == -ENOENT);
	CHECK(vt_stat_err(".") == 0);
	CHECK(vt_stat_err("..") == -ENOENT);
	CHECK(vfs_chdir("/links") == 0);
}

static void test_holes_truncate(void)
{
	struct kstat st;
	static char buf[3 * 4096];

	vt_enter("holes");
	struct file *f = vfs_open("sparse", O_CREAT | O_RDWR, 0644);
	CHECK(vt_kpwrite(f, "end", 3, 1 << 20) == 3);
	CHECK(vfs_fstat(f, &st) == 0 && st.size == (1 << 20) + 3);
	CHECK(st.blocks == 8); /* one page */
	memset(buf, 'x', sizeof(buf));
	CHECK(vt_kpread(f, buf, sizeof(buf), 4096) == sizeof(buf));
	bool zeros = true;
	for (size_t i = 0; i < sizeof(buf); i++)
		zeros &= buf[i] == 0;
	CHECK(zeros);
	CHECK(vfs_lseek(f, 0, SEEK_DATA) == 1 << 20);
	CHECK(vfs_lseek(f, 0, SEEK_HOLE) == 0);
	CHECK(vfs_lseek(f, 1 << 20, SEEK_HOLE) == (1 << 20) + 3);
	CHECK(vfs_lseek(f, (1 << 20) + 3, SEEK_DATA) == -ENXIO);

	/* Far out: the tree grows; truncating frees it again. */
	CHECK(vt_kpwrite(f, "far", 3, 1ULL << 40) == 3);
	CHECK(vfs_fstat(f, &st) == 0 && st.blocks == 16);
	CHECK(vt_kpread(f, buf, 3, 1ULL << 40) == 3 && !memcmp(buf, "far", 3));
	CHECK(vt_kpwrite(f, "x", 1, 1ULL << 48) == -EFBIG);
	CHECK(vfs_ftruncate(f, 100) == 0);
	CHECK(vfs_fstat(f, &st) == 0 && st.size == 100 && st.blocks == 0);

	/* Shrink inside a page, grow again: the cut bytes read as zero. */
	CHECK(vt_kpwrite(f, "abcdefgh", 8, 0) == 8);
	CHECK(vfs_ftruncate(f, 3) == 0);
	CHECK(vfs_ftruncate(f, 8) == 0);
	memset(buf, 'x', 8);
	CHECK(vt_kpread(f, buf, 8, 0) == 8);
	CHECK(!memcmp(buf, "abc\0\0\0\0\0", 8));
	CHECK(vfs_ftruncate(f, 0) == 0);
	CHECK(vfs_fstat(f, &st) == 0 && st.size == 0 && st.blocks == 0);
	CHECK(vt_kpread(f, buf, 8, 0) == 0);
	file_put(f);

	struct vattr va = { .mask = VATTR_SIZE, .size = 5000 };
	CHECK(vfs_setattr_path("sparse", &va, true) == 0);
	CHECK(vfs_stat("sparse", &st, true) == 0 && st.size == 5000);
	CHECK(vfs_mkdir("dir", 0755) == 0);
	CHECK(vfs_setattr_path("dir", &va, true) == -EISDIR);
}

static void test_mounts(void)
{
	struct kstat st, st2;
	char buf[128];

	vt_enter("mnt");
	CHECK(vt_put("file", "x") == 0);
	CHECK(vfs_mount("/mnt/a/b", "ramfs", "ramfs", 0) == 0);
	CHECK(vfs_mount("/mnt/a/b", "ramfs", "ramfs", 0) == -EBUSY);
	CHECK(vfs_mount("/mnt/c", "nosuchfs", "x", 0) == -ENODEV);
	CHECK(vfs_mount("/", "ramfs", "ramfs", 0) == -EBUSY);
	CHECK(vfs_mount("/mnt/file", "ramfs", "ramfs", 0) == -ENOTDIR);
	CHECK(vt_put("a/b/inside", "in") == 0);
	CHECK(vfs_stat("a/b/inside", &st, true) == 0);
	CHECK(vfs_stat("file", &st2, true) == 0);
	CHECK(st.dev != st2.dev);
	CHECK(vfs_stat("a/b", &st, true) == 0 && st.ino == 1);
	CHECK(vt_ino("a/b/..") == vt_ino("a"));
	CHECK(vt_ino("a/b/../..") == vt_ino("."));
	CHECK(vfs_rename("a/b/inside", "moved") == -EXDEV);
	CHECK(vfs_rename("file", "a/b/file") == -EXDEV);
	CHECK(vfs_link("file", "a/b/l") == -EXDEV);
	CHECK(vfs_rmdir("a/b") == -EBUSY);
	CHECK(vfs_rename("a/b", "z") == -EBUSY);
	CHECK(vfs_rename("a", "z") == 0); /* the covered dir's parent moves */
	CHECK(vt_is("z/b/inside", "in"));
	/* A symlink across the mount and getcwd inside it. */
	CHECK(vfs_symlink("/mnt/z/b", "lnk") == 0);
	CHECK(vt_is("lnk/inside", "in"));
	CHECK(vfs_chdir("lnk") == 0);
	CHECK(vfs_getcwd(buf, sizeof(buf)) == 9 && !strcmp(buf, "/mnt/z/b"));
	CHECK(vfs_chdir("..") == 0);
	CHECK(vfs_getcwd(buf, sizeof(buf)) == 7 && !strcmp(buf, "/mnt/z"));
	CHECK(vfs_getcwd(buf, 6) == -ERANGE);
	CHECK(vfs_chdir("/") == 0);
	CHECK(vfs_getcwd(buf, sizeof(buf)) == 2 && !strcmp(buf, "/"));
}

static void test_fd_table(void)
{
	vt_enter("fds");
	struct file *f = vfs_open("f", O_CREAT | O_RDWR, 0644);
	CHECK(!IS_ERR(f));
	unsigned before = fd_count();
	int fd = fd_install(f, false);
	CHECK(fd >= 0);
	CHECK(fd_get_cloexec(fd) == 0);
	CHECK(fd_dup2(fd, fd, false) == fd);
	int fd2 = fd_dup(fd, 0, true);
	CHECK(fd2 > fd && fd_get_cloexec(fd2) == 1);
	CHECK(fd_set_cloexec(fd2, false) == 0 && fd_get_cloexec(fd2) == 0);
	struct file *g = fd_get(fd2);
	CHECK(g == f);
	file_put(g);
	CHECK(fd_dup2(fd, 200, true) == 200 && fd_get_cloexec(200) == 1);
	CHECK(fd_dup(fd, 200, false) == 201);
	CHECK(fd_close(201) == 0 && fd_close(201) == -EBADF);
	CHECK(fd_close(-1) == -EBADF && fd_close(FD_MAX) == -EBADF);
	CHECK(IS_ERR(fd_get(FD_MAX)) && IS_ERR(fd_get(500)));
	CHECK(fd_dup2(fd, FD_MAX, false) == -EBADF);
	CHECK(fd_dup2(999, 3, false) == -EBADF);

	/* Fill the table: EMFILE, and a failed open creates nothing. */
	int n = 0;
	while (fd_dup(fd, 0, false) >= 0)
		n++;
	CHECK(fd_count() == FD_MAX);
	CHECK(fd_dup(fd, 0, false) == -EMFILE);
	CHECK(fd_reserve(false) == -EMFILE);
	/* open(2) fails before it creates anything. */
	CHECK(sys_open((long)"new", O_CREAT | O_RDWR, 0644, 0, 0, 0) ==
	      -EMFILE);
	CHECK(vt_stat_err("new") == -ENOENT);
	for (int i = 0; i < FD_MAX; i++)
		if (i != fd && i != fd2 && i != 200 && i >= (int)before)
			fd_close(i);
	CHECK(n > 0);
	CHECK(fd_close(fd) == 0 && fd_close(fd2) == 0 && fd_close(200) == 0);
	CHECK(fd_count() == before);
}

static void test_enospc(void)
{
	struct kstat st;
	struct vt_listing l;

	vt_enter("nospc");
	CHECK(vt_put("f", "abc") == 0);
	struct file *f = vfs_open("f", O_RDWR, 0);
	shim_alloc_fail_after = 0;
	CHECK(vt_kpwrite(f, "x", 1, 1 << 20) == -ENOSPC);
	CHECK(vfs_mkdir("d", 0755) == -ENOMEM ||
	      vfs_mkdir("d", 0755) == -ENOSPC);
	shim_alloc_fail_after = -1;
	CHECK(vfs_fstat(f, &st) == 0 && st.size == 3);
	file_put(f);
	/* Each allocation of a create failing in turn leaves no trace. */
	for (long i = 0; i < 8; i++) {
		shim_alloc_fail_after = i;
		int ret = vfs_mkdir("d", 0755);
		shim_alloc_fail_after = -1;
		if (ret == 0) {
			CHECK(vfs_rmdir("d") == 0);
			continue;
		}
		CHECK(ret == -ENOMEM || ret == -ENOSPC);
		CHECK(vt_stat_err("d") == -ENOENT);
	}
	CHECK(vt_list(".", &l) == 3);
}

static void test_attributes(void)
{
	struct kstat st;

	vt_enter("attr");
	CHECK(vt_put("f", "x") == 0);
	CHECK(vfs_set_owner_times("f", 1000, 100, 1234567890) == 0);
	CHECK(vfs_stat("f", &st, true) == 0);
	CHECK(st.uid == 1000 && st.gid == 100);
	CHECK(st.mtime.sec == 1234567890 && st.atime.sec == 1234567890);
	struct vattr va = { .mask = VATTR_MODE, .mode = 04755 | S_IFDIR };
	CHECK(vfs_setattr_path("f", &va, true) == 0);
	CHECK(vfs_stat("f", &st, true) == 0 && st.mode == (S_IFREG | 04755));
	CHECK(vfs_accessat(AT_FDCWD, "f", X_OK, 0) == 0);
	va.mode = 0644;
	CHECK(vfs_setattr_path("f", &va, true) == 0);
	CHECK(vfs_accessat(AT_FDCWD, "f", X_OK, 0) == -EACCES);
	CHECK(vfs_accessat(AT_FDCWD, "f", R_OK | W_OK, 0) == 0);
	CHECK(vfs_accessat(AT_FDCWD, "f", 8, 0) == -EINVAL);
	CHECK(vfs_accessat(AT_FDCWD, "nope", F_OK, 0) == -ENOENT);

	/* Writes move mtime; a new entry moves its directory's. */
	struct kstat dir1, dir2;
	CHECK(vfs_stat(".", &dir1, true) == 0);
	CHECK(vfs_set_owner_times(".", 0, 0, 1) == 0);
	CHECK(vt_put("g", "y") == 0);
	CHECK(vfs_stat(".", &dir2, true) == 0 && dir2.mtime.sec > 1);
	CHECK(vfs_stat("f", &st, true) == 0 && st.mtime.sec == 1234567890);
	CHECK(vt_put("f", "z") == 0);
	CHECK(vfs_stat("f", &st, true) == 0 && st.mtime.sec > 1234567890);
}

TEST_MAIN(UNIT_CASE(test_lookup_paths), UNIT_CASE(test_symlinks),
	  UNIT_CASE(test_open_flags), UNIT_CASE(test_rename),
	  UNIT_CASE(test_link_unlink), UNIT_CASE(test_holes_truncate),
	  UNIT_CASE(test_mounts), UNIT_CASE(test_fd_table),
	  UNIT_CASE(test_enospc), UNIT_CASE(test_attributes))
