/*
 * Thread lifetime: creation, exit, join, detach, sleep.
 *
 * A thread owns a kernel stack (page allocator, so it is page-aligned and
 * naturally aligned), an FPU save area, and its TCB. The boot flow becomes
 * the first thread ("boot") so the rest of boot can sleep and join.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/irqflags.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <nfs/nfs.h>
#include <kernel/time.h>

#include "sched_internal.h"

/* The boot flow's thread; kernel_entry points %fs at it first thing. */
struct thread boot_thread;
extern char boot_stack[];

static uint64_t next_thread_id = 1;
static unsigned long live_threads;

void arch_thread_entry(void);

uint64_t random_u64(void);
uint64_t random_u64(void)
{
	uint64_t v;
	if (cpu_features.rdrand) {
		for (int i = 0; i < 10; i++) {
			unsigned char ok;
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(v), "=qm"(ok));
			if (ok)
				return v;
		}
	}
	/* No RDRAND: mix the TSC (splitmix64 finaliser). */
	v = rdtsc() +
	    0x9e3779b97f4a7c15ULL *
		    __atomic_add_fetch(&next_thread_id, 0, __ATOMIC_RELAXED);
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
	return v ^ (v >> 31);
}

static void tcb_init(struct thread *t)
{
	t->tcb.self = &t->tcb;
	/* A zero low byte stops string overflows at the canary, as glibc. */
	t->tcb.stack_guard = random_u64() & ~0xffULL;
	t->tcb.pointer_guard = random_u64();
}

struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->stack_size = THREAD_STACK_SIZE;
	t->stack = page_alloc(THREAD_STACK_SIZE / PAGE_SIZE);
	t->fpu = kmalloc_aligned(cpu_features.xsave_size, 64);
	if (!t->stack || !t->fpu)
		goto err_free;
	fpu_init_state(t->fpu);
	tcb_init(t);
	strlcpy(t->name, name, sizeof(t->name));
	t->id = __atomic_fetch_add(&next_thread_id, 1, __ATOMIC_RELAXED);
	t->fn = fn;
	t->arg = arg;
	t->cpu = this_cpu()->id;
	t->affinity = ~0ULL;
	t->state = THREAD_READY;
	list_init(&t->rq_node);
	waitq_init(&t->joiners);

	/* Registers popped by arch_switch, then its ret to the entry. */
	uint64_t *sp = (uint64_t *)((char *)t->stack + t->stack_size);
	*--sp = (uint64_t)arch_thread_entry;
	*--sp = 0;	     /* rbp */
	*--sp = (uint64_t)t; /* rbx: the thread, for thread_start */
	*--sp = 0;	     /* r12 */
	*--sp = 0;	     /* r13 */
	*--sp = 0;	     /* r14 */
	*--sp = 0;	     /* r15 */
	t->saved_rsp = (uint64_t)sp;
	__atomic_add_fetch(&live_threads, 1, __ATOMIC_RELAXED);
	return t;

err_free:
	if (t->stack)
		page_free(t->stack, THREAD_STACK_SIZE / PAGE_SIZE);
	kfree(t->fpu);
	kfree(t);
	return ERR_PTR(-ENOMEM);
}

void thread_free(struct thread *t)
{
	if (t->state != THREAD_EXITED || t->on_cpu)
		panic("thread_free: %s (id %lu) state %d on_cpu %d", t->name,
		      t->id, t->state, t->on_cpu);
	ASSERT(t != &boot_thread);
	page_free(t->stack, t->stack_size / PAGE_SIZE);
	kfree(t->fpu);
	memset(t, 0x6b, sizeof(*t));
	kfree(t);
	__atomic_sub_fetch(&live_threads, 1, __ATOMIC_RELAXED);
}

void thread_adopt_boot(void)
{
	struct thread *t = &boot_thread;
	static uint8_t boot_fpu[4096] __aligned(64);

	strlcpy(t->name, "boot", sizeof(t->name));
	t->id = 0;
	t->stack = boot_stack;
	t->stack_size = 16 * KiB;
	t->fpu = boot_fpu;
	t->state = THREAD_RUNNING;
	t->on_cpu = true;
	t->affinity = ~0ULL;
	list_init(&t->rq_node);
	waitq_init(&t->joiners);
	this_cpu()->current = t;
	live_threads = 1;
}

struct thread *thread_create_stopped(const char *name, void (*fn)(void *),
				     void *arg)
{
	struct thread *t = thread_alloc(name, fn, arg);
	if (!IS_ERR(t))
		t->affinity = thread_current()->affinity;
	return t;
}

void thread_start_new(struct thread *t)
{
	t->cpu = sched_pick_cpu(t);
	sched_enqueue(t);
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = thread_create_stopped(name, fn, arg);
	if (!IS_ERR(t))
		thread_start_new(t);
	return t;
}

struct thread *thread_current(void)
{
	return this_cpu()->current;
}

unsigned long thread_count(void)
{
	return __atomic_load_n(&live_threads, __ATOMIC_RELAXED);
}

__noreturn void thread_exit(void)
{
	struct thread *t = thread_current();

	ASSERT(t != &boot_thread);
	if (t->nfs_bindings)
		nfsfs_thread_exit(t);
	local_irq_disable();
	spin_lock(&t->joiners.lock);
	struct cpu *c = this_cpu();
	spin_lock(&c->rq.lock);
	t->state = THREAD_EXITED;
	t->reap_on_exit = t->detached;
	spin_unlock(&c->rq.lock);
	waitq_wake_all_locked(&t->joiners);
	spin_unlock(&t->joiners.lock);
	schedule();
	panic("thread %s ran after exit", t->name);
}

/* Waits until @t has switched out for the last time. */
static void wait_off_cpu(struct thread *t)
{
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		cpu_relax();
}

void thread_join(struct thread *t)
{
	ASSERT(t != thread_current());
	ASSERT(!t->detached);
	unsigned long flags = spin_lock_irqsave(&t->joiners.lock);
	while (t->state != THREAD_EXITED)
		waitq_sleep_locked(&t->joiners, &flags, DEADLINE_NONE);
	spin_unlock_irqrestore(&t->joiners.lock, flags);
	wait_off_cpu(t);
	thread_free(t);
}

void thread_detach(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&t->joiners.lock);
	bool exited = t->state == THREAD_EXITED;
	t->detached = true;
	spin_unlock_irqrestore(&t->joiners.lock, flags);
	if (exited) {
		wait_off_cpu(t);
		thread_free(t);
	}
}

void thread_yield(void)
{
	schedule();
}

static void sleep_timer_fn(struct timer *tm)
{
	thread_wake(tm->data);
}

void thread_sleep_ns(uint64_t ns)
{
	uint64_t deadline = clock_monotonic_ns() + ns;
	struct timer tm;

	timer_init(&tm, sleep_timer_fn, thread_current());
	while (clock_monotonic_ns() < deadline) {
		unsigned long flags = local_irq_save();
		thread_set_blocked();
		timer_arm(&tm, deadline);
		schedule();
		local_irq_restore(flags);
		timer_cancel(&tm);
	}
}
