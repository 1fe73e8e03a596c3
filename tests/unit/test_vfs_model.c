/*
 * Randomised file operations checked against a simple in-memory model,
 * and concurrent namespace operations from several threads.
 *
 * The model keeps inodes (byte arrays, link and open counts) apart from
 * names, so it follows what POSIX says about hard links, renames over
 * existing names and files unlinked while open. Each step does one
 * operation on both and compares; the first mismatch prints the seed and
 * the step so the run can be replayed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_vfs.h"

#define NAMES 6
#define HANDLES 4
#define INODES 64
#define MAX_SIZE (192 * 1024)
#define STEPS 20000
#define SEED 0x5eed1234u

struct minode {
	bool used;
	unsigned char *data; /* MAX_SIZE bytes */
	size_t size;
	int nlink, opens;
};

static struct minode inodes[INODES];
static int name_ino[NAMES];	    /* -1: no such name */
static struct file *hfile[HANDLES]; /* NULL: closed */
static int hino[HANDLES];
static uint64_t rng;
static unsigned step;
static bool failed;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void mismatch(const char *what)
{
	if (!failed)
		fprintf(stderr, "model mismatch (seed %#x, step %u): %s\n",
			SEED, step, what);
	failed = true;
	unit_failures++;
}

static void name_of(int i, char *buf)
{
	snprintf(buf, 8, "f%d", i);
}

static int inode_new(void)
{
	for (int i = 0; i < INODES; i++) {
		if (!inodes[i].used) {
			inodes[i] =
				(struct minode){ .used = true,
						 .data = calloc(1, MAX_SIZE) };
			return i;
		}
	}
	abort();
}

static void inode_maybe_free(int i)
{
	if (inodes[i].nlink == 0 && inodes[i].opens == 0) {
		free(inodes[i].data);
		inodes[i] = (struct minode){ 0 };
	}
}

/* Drops name @n from the model. */
static void model_unname(int n)
{
	int i = name_ino[n];
	name_ino[n] = -1;
	inodes[i].nlink--;
	inode_maybe_free(i);
}

static void model_resize(struct minode *m, size_t size)
{
	if (size < m->size)
		memset(m->data + size, 0, m->size - size);
	m->size = size;
}

/* An open file on a random existing inode, through a handle or a name. */
static struct file *pick_file(int *ino, bool *temp, int flags)
{
	int h = (int)pick(HANDLES);
	*temp = false;
	if (hfile[h] && pick(2)) {
		*ino = hino[h];
		return hfile[h];
	}
	int n = (int)pick(NAMES);
	if (name_ino[n] < 0)
		return NULL;
	char name[8];
	name_of(n, name);
	struct file *f = vfs_open(name, flags, 0);
	if (IS_ERR(f)) {
		mismatch("open of an existing name failed");
		return NULL;
	}
	*ino = name_ino[n];
	*temp = true;
	return f;
}

static void op_write(void)
{
	static unsigned char buf[9000];
	int ino;
	bool temp;
	struct file *f = pick_file(&ino, &temp, O_RDWR);
	if (!f)
		return;
	struct minode *m = &inodes[ino];
	size_t off = pick(MAX_SIZE - sizeof(buf)), len = pick(sizeof(buf));
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)rnd();
	if (vt_kpwrite(f, buf, len, off) != (ssize_t)len)
		mismatch("write");
	memcpy(m->data + off, buf, len);
	if (len && off + len > m->size)
		m->size = off + len;
	if (temp)
		file_put(f);
}

static void op_read(void)
{
	static unsigned char buf[12000];
	int ino;
	bool temp;
	struct file *f = pick_file(&ino, &temp, O_RDONLY);
	if (!f)
		return;
	struct minode *m = &inodes[ino];
	size_t off = pick(MAX_SIZE), len = pick(sizeof(buf));
	size_t want = off >= m->size ? 0 : MIN(len, m->size - off);
	ssize_t n = vt_kpread(f, buf, len, off);
	if (n != (ssize_t)want || memcmp(buf, m->data + off, want))
		mismatch("read");
	struct kstat st;
	vfs_fstat(f, &st);
	if (st.size != m->size || st.nlink != (uint64_t)m->nlink)
		mismatch("fstat size or link count");
	if (temp)
		file_put(f);
}

static void op_truncate(void)
{
	int ino;
	bool temp;
	struct file *f = pick_file(&ino, &temp, O_RDWR);
	if (!f)
		return;
	size_t size = pick(4) ? pick(MAX_SIZE) : pick(8192);
	if (vfs_ftruncate(f, size))
		mismatch("truncate");
	model_resize(&inodes[ino], size);
	if (temp)
		file_put(f);
}

static void op_create(void)
{
	int n = (int)pick(NAMES);
	char name[8];
	name_of(n, name);
	bool excl = pick(2), trunc = pick(2);
	int flags = O_CREAT | O_RDWR | (excl ? O_EXCL : 0) |
		    (trunc ? O_TRUNC : 0);
	struct file *f = vfs_open(name, flags, 0644);
	if (name_ino[n] >= 0 && excl) {
		if (!IS_ERR(f) || PTR_ERR(f) != -EEXIST)
			mismatch("O_EXCL on an existing name");
		if (!IS_ERR(f))
			file_put(f);
		return;
	}
	if (IS_ERR(f)) {
		mismatch("create");
		return;
	}
	if (name_ino[n] < 0) {
		name_ino[n] = inode_new();
		inodes[name_ino[n]].nlink = 1;
	} else if (trunc) {
		model_resize(&inodes[name_ino[n]], 0);
	}
	/* Keep it as a handle, or close it. */
	int h = (int)pick(HANDLES);
	if (hfile[h]) {
		file_put(f);
		return;
	}
	hfile[h] = f;
	hino[h] = name_ino[n];
	inodes[hino[h]].opens++;
}

static void op_close(void)
{
	int h = (int)pick(HANDLES);
	if (!hfile[h])
		return;
	file_put(hfile[h]);
	hfile[h] = NULL;
	inodes[hino[h]].opens--;
	inode_maybe_free(hino[h]);
}

static void op_unlink(void)
{
	int n = (int)pick(NAMES);
	char name[8];
	name_of(n, name);
	int ret = vfs_unlink(name);
	if (ret != (name_ino[n] < 0 ? -ENOENT : 0))
		mismatch("unlink");
	if (!ret)
		model_unname(n);
}

static void op_rename(void)
{
	int a = (int)pick(NAMES), b = (int)pick(NAMES);
	char from[8], to[8];
	name_of(a, from);
	name_of(b, to);
	int ret = vfs_rename(from, to);
	if (ret != (name_ino[a] < 0 ? -ENOENT : 0))
		mismatch("rename");
	if (ret || name_ino[a] == name_ino[b])
		return; /* same file: POSIX says nothing happens */
	if (name_ino[b] >= 0)
		model_unname(b);
	name_ino[b] = name_ino[a];
	name_ino[a] = -1;
}

static void op_link(void)
{
	int a = (int)pick(NAMES), b = (int)pick(NAMES);
	char from[8], to[8];
	name_of(a, from);
	name_of(b, to);
	int want = name_ino[a] < 0 ? -ENOENT : name_ino[b] >= 0 ? -EEXIST : 0;
	if (vfs_link(from, to) != want)
		mismatch("link");
	if (!want) {
		name_ino[b] = name_ino[a];
		inodes[name_ino[a]].nlink++;
	}
}

static void check_listing(void)
{
	struct vt_listing l;
	int names = 0;
	vt_list(".", &l);
	for (int n = 0; n < NAMES; n++) {
		char name[8];
		name_of(n, name);
		if (vt_listed(&l, name) != (name_ino[n] >= 0))
			mismatch("directory listing");
		names += name_ino[n] >= 0;
	}
	if (l.count != names + 2)
		mismatch("directory entry count");
}

static void test_model(void)
{
	static void (*const ops[])(void) = {
		op_write,  op_write,	op_write,  op_read,   op_read,
		op_read,   op_truncate, op_create, op_create, op_close,
		op_unlink, op_rename,	op_link,
	};

	vt_enter("model");
	rng = SEED;
	for (int n = 0; n < NAMES; n++)
		name_ino[n] = -1;
	for (step = 0; step < STEPS && !failed; step++) {
		ops[pick(ARRAY_SIZE(ops))]();
		if (step % 500 == 0)
			check_listing();
	}
	check_listing();
	for (int h = 0; h < HANDLES; h++)
		if (hfile[h])
			op_close();
	for (int h = 0; h < HANDLES; h++) {
		if (hfile[h]) {
			file_put(hfile[h]);
			inodes[hino[h]].opens--;
			inode_maybe_free(hino[h]);
		}
	}
	for (int n = 0; n < NAMES; n++)
		if (name_ino[n] >= 0)
			model_unname(n);
	for (int i = 0; i < INODES; i++)
		CHECK(!inodes[i].used);
}

/*
 * Threads rename directories back and forth between two parents in
 * opposite directions, create and remove files in a shared directory,
 * and write their own files, all at once: no deadlock, no lost entry.
 */
#define THREADS 4
#define ROUNDS 300

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	char a[64], b[64], own[64];

	snprintf(own, sizeof(own), "/conc/own%d", id);
	for (int i = 0; i < ROUNDS; i++) {
		/* Opposite directions for odd and even threads. */
		snprintf(a, sizeof(a), "/conc/%s/m%d", id % 2 ? "x" : "y", id);
		snprintf(b, sizeof(b), "/conc/%s/m%d", id % 2 ? "y" : "x", id);
		CHECK(vfs_rename(a, b) == 0);
		CHECK(vfs_rename(b, a) == 0);
		snprintf(a, sizeof(a), "/conc/shared/t%d-%d", id, i);
		CHECK(vt_put(a, "z") == 0);
		if (i % 2)
			CHECK(vfs_unlink(a) == 0);
		char c = (char)('a' + i % 26);
		struct file *f =
			vfs_open(own, O_WRONLY | O_CREAT | O_APPEND, 0644);
		CHECK(!IS_ERR(f) && vt_kwrite(f, &c, 1) == 1);
		file_put(f);
	}
	return NULL;
}

static void test_concurrency(void)
{
	pthread_t t[THREADS];
	char path[64];
	struct kstat st;

	vt_enter("conc");
	CHECK(vfs_mkdir("x", 0755) == 0 && vfs_mkdir("y", 0755) == 0);
	CHECK(vfs_mkdir("shared", 0755) == 0);
	for (int i = 0; i < THREADS; i++) {
		snprintf(path, sizeof(path), "%s/m%d", i % 2 ? "x" : "y", i);
		CHECK(vfs_mkdir(path, 0755) == 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	struct file *f = vfs_open("shared", O_RDONLY | O_DIRECTORY, 0);
	struct vt_listing l;
	CHECK(vt_list("shared", &l) == THREADS * ROUNDS / 2 + 2);
	file_put(f);
	for (int i = 0; i < THREADS; i++) {
		snprintf(path, sizeof(path), "own%d", i);
		CHECK(vfs_stat(path, &st, true) == 0 && st.size == ROUNDS);
	}
}

TEST_MAIN(UNIT_CASE(test_model), UNIT_CASE(test_concurrency))
