/*
 * The base POSIX layer: the C-library and pthread functions that shared
 * objects built for user space (Debian's liblwip.so.0) import, mapped
 * straight onto kernel services: the heap, kernel threads, mutexes and
 * condition variables, the clocks, printk. Their glibc names are given to
 * them only in the export table (exports.c), so the kernel's own code
 * never calls them by mistake.
 *
 * pthread objects live in memory the library sized for glibc
 * (pthread_mutex_t 40 bytes, pthread_cond_t 48): the kernel's fit, and a
 * zero-filled one (a static initializer) is set up on first use.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/waitq.h>

#include "posix.h"

uint64_t random_u64(void);

BUILD_ASSERT(sizeof(struct mutex) <= 40);

void *posix_malloc(size_t size)
{
	void *p = kmalloc(size);
	if (!p)
		*posix_errno_location() = ENOMEM;
	return p;
}

void *posix_calloc(size_t n, size_t size)
{
	void *p = kcalloc(n, size);
	if (!p)
		*posix_errno_location() = ENOMEM;
	return p;
}

void posix_free(void *p)
{
	kfree(p);
}

int *posix_errno_location(void)
{
	return &thread_current()->posix_errno;
}

/* glibc's character classes, indexed from -128: the bits of <ctype.h>. */
enum {
	C_UPPER = 0x100,
	C_LOWER = 0x200,
	C_ALPHA = 0x400,
	C_DIGIT = 0x800,
	C_XDIGIT = 0x1000,
	C_SPACE = 0x2000,
	C_PRINT = 0x4000,
	C_GRAPH = 0x8000,
	C_BLANK = 0x1,
	C_CNTRL = 0x2,
	C_PUNCT = 0x4,
	C_ALNUM = 0x8,
};
static uint16_t ctype_table[384];
static const uint16_t *ctype_ptr;

static void ctype_init(void)
{
	for (int c = 0; c < 128; c++) {
		uint16_t v = 0;
		bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z',
		     digit = c >= '0' && c <= '9';
		if (upper)
			v |= C_UPPER | C_ALPHA | C_ALNUM;
		if (lower)
			v |= C_LOWER | C_ALPHA | C_ALNUM;
		if (digit)
			v |= C_DIGIT | C_ALNUM;
		if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
			v |= C_XDIGIT;
		if (c == ' ' || (c >= '\t' && c <= '\r'))
			v |= C_SPACE;
		if (c == ' ' || c == '\t')
			v |= C_BLANK;
		if (c < 0x20 || c == 0x7f)
			v |= C_CNTRL;
		if (c >= 0x20 && c < 0x7f)
			v |= C_PRINT;
		if (c > 0x20 && c < 0x7f)
			v |= C_GRAPH;
		if (c > 0x20 && c < 0x7f && !upper && !lower && !digit)
			v |= C_PUNCT;
		ctype_table[128 + c] = v;
	}
	ctype_ptr = ctype_table + 128;
}

const uint16_t **posix_ctype_b_loc(void)
{
	if (!ctype_ptr)
		ctype_init();
	return &ctype_ptr;
}

long posix_fdelt_chk(long fd)
{
	if (fd < 0 || fd >= 1024)
		panic("posix: select() on fd %ld, past FD_SETSIZE", fd);
	return fd / 64;
}

void *posix_memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen)
{
	if (len > dstlen)
		panic("posix: memcpy of %zu bytes into %zu", len, dstlen);
	return memcpy(dst, src, len);
}

int posix_printf_chk(int flag, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_notice("lwip: %s", buf);
	return n;
}

int posix_snprintf_chk(char *buf, size_t maxlen, int flag, size_t slen,
		       const char *fmt, ...)
{
	va_list ap;
	if (maxlen > slen)
		panic("posix: snprintf into %zu bytes given as %zu", slen,
		      maxlen);
	va_start(ap, fmt);
	int n = vsnprintf(buf, maxlen, fmt, ap);
	va_end(ap);
	return n;
}

__noreturn void posix_abort(void)
{
	panic("posix: abort() called by an embedded library");
}

__noreturn void posix_exit(int status)
{
	panic("posix: exit(%d) called by an embedded library", status);
}

int posix_clock_gettime(int clock, struct posix_timespec *ts)
{
	uint64_t ns = clock == 0 ? clock_realtime_ns() : clock_monotonic_ns();
	ts->sec = (int64_t)(ns / NSEC_PER_SEC);
	ts->nsec = (int64_t)(ns % NSEC_PER_SEC);
	return 0;
}

char *posix_getenv(const char *name)
{
	return NULL;
}

int posix_getpid(void)
{
	return 1;
}

int posix_rand(void)
{
	return (int)(random_u64() & 0x7fffffff);
}

int posix_fflush(void *stream)
{
	return 0;
}

void posix_perror(const char *s)
{
	pr_err("lwip: %s: error %d", s ? s : "", *posix_errno_location());
}

char *posix_strncpy(char *dst, const char *src, size_t n)
{
	size_t i = 0;
	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = 0;
	return dst;
}

long posix_strtol(const char *s, char **end, int base)
{
	const char *p = s;
	bool neg = false;
	long v = 0;
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	const char *digits = p;
	for (;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' :
			*p >= 'a' && *p <= 'z' ? *p - 'a' + 10 :
			*p >= 'A' && *p <= 'Z' ? *p - 'A' + 10 :
						 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	if (end)
		*end = (char *)(p == digits ? s : p);
	return neg ? -v : v;
}

/* Calls the kernel does not provide: -1 with ENOSYS, said once each. */
long posix_unsupported(const char *name, bool *logged)
{
	if (!__atomic_exchange_n(logged, true, __ATOMIC_RELAXED))
		pr_warn("posix: %s() is not available inside the kernel", name);
	*posix_errno_location() = ENOSYS;
	return -1;
}

/* pthreads */

static spinlock_t lazy_init_lock =
	SPINLOCK_INIT; /* first use of zeroed objects */

static struct mutex *as_mutex(void *m)
{
	struct mutex *mx = m;
	if (!__atomic_load_n(&mx->waiters.waiters.next, __ATOMIC_ACQUIRE)) {
		unsigned long flags = spin_lock_irqsave(&lazy_init_lock);
		if (!mx->waiters.waiters.next)
			mutex_init(mx);
		spin_unlock_irqrestore(&lazy_init_lock, flags);
	}
	return mx;
}

int posix_mutex_init(void *m, const void *attr)
{
	mutex_init(m);
	return 0;
}

int posix_mutex_lock(void *m)
{
	mutex_lock(as_mutex(m));
	return 0;
}

int posix_mutex_unlock(void *m)
{
	mutex_unlock(as_mutex(m));
	return 0;
}

int posix_mutex_destroy(void *m)
{
	return 0;
}

struct posix_cond {
	struct condvar cv;
	int clock; /* pthread_condattr_setclock */
};
BUILD_ASSERT(sizeof(struct posix_cond) <= 48);

static struct posix_cond *as_cond(void *c)
{
	struct posix_cond *pc = c;
	if (!__atomic_load_n(&pc->cv.wq.waiters.next, __ATOMIC_ACQUIRE)) {
		unsigned long flags = spin_lock_irqsave(&lazy_init_lock);
		if (!pc->cv.wq.waiters.next)
			condvar_init(&pc->cv);
		spin_unlock_irqrestore(&lazy_init_lock, flags);
	}
	return pc;
}

int posix_condattr_init(int *attr)
{
	*attr = 0; /* CLOCK_REALTIME */
	return 0;
}

int posix_condattr_setclock(int *attr, int clock)
{
	if (clock != 0 && clock != 1)
		return EINVAL;
	*attr = clock;
	return 0;
}

int posix_condattr_destroy(int *attr)
{
	return 0;
}

int posix_cond_init(void *c, const int *attr)
{
	struct posix_cond *pc = c;
	condvar_init(&pc->cv);
	pc->clock = attr ? *attr : 0;
	return 0;
}

int posix_cond_wait(void *c, void *m)
{
	condvar_wait(&as_cond(c)->cv, as_mutex(m));
	return 0;
}

int posix_cond_timedwait(void *c, void *m, const struct posix_timespec *abs)
{
	struct posix_cond *pc = as_cond(c);
	uint64_t when = (uint64_t)abs->sec * NSEC_PER_SEC + (uint64_t)abs->nsec;
	uint64_t now = pc->clock == 0 ? clock_realtime_ns() :
					clock_monotonic_ns();
	uint64_t deadline =
		clock_monotonic_ns() + (when > now ? when - now : 0);
	int ret = condvar_wait_deadline(&pc->cv, as_mutex(m), deadline);
	return ret == -ETIMEDOUT ? ETIMEDOUT : 0;
}

int posix_cond_broadcast(void *c)
{
	condvar_broadcast(&as_cond(c)->cv);
	return 0;
}

int posix_cond_destroy(void *c)
{
	return 0;
}

struct posix_start {
	void *(*fn)(void *);
	void *arg;
};

static void posix_thread(void *arg)
{
	struct posix_start s = *(struct posix_start *)arg;
	kfree(arg);
	s.fn(s.arg);
}

int posix_pthread_create(unsigned long *t, const void *attr,
			 void *(*fn)(void *), void *arg)
{
	struct posix_start *s = kmalloc(sizeof(*s));
	if (!s)
		return EAGAIN;
	*s = (struct posix_start){ fn, arg };
	struct thread *th = thread_create("posix", posix_thread, s);
	if (IS_ERR(th)) {
		kfree(s);
		return EAGAIN;
	}
	*t = (unsigned long)th;
	thread_detach(th);
	return 0;
}

unsigned long posix_pthread_self(void)
{
	return (unsigned long)thread_current();
}
