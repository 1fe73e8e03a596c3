/*
 * Kernel threads. A thread is the unit the scheduler runs; later issues run
 * program threads on the same structure.
 *
 * Every thread starts with a TCB: while kernel code runs, %fs points at it,
 * so third-party code compiled for user space (and our own stack protector)
 * finds its stack canary at %fs:0x28.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <kernel/list.h>
#include <kernel/types.h>
#include <kernel/waitq.h>

struct nfs_binding;
struct trap_frame;

struct thread_tcb {
	struct thread_tcb *self; /* 0x00, as glibc and musl lay it out */
	uint64_t reserved[4];
	uint64_t stack_guard;	/* 0x28: the stack-protector canary */
	uint64_t pointer_guard; /* 0x30 */
};

enum thread_state {
	THREAD_READY,	/* in a run queue */
	THREAD_RUNNING, /* on a CPU */
	THREAD_BLOCKED, /* waiting for a wake-up */
	THREAD_EXITED,	/* finished; waiting to be joined or freed */
};

struct thread {
	struct thread_tcb tcb;	 /* must stay first: FS base = &tcb */
	uint64_t user_fs;	 /* THREAD_USER_FS: the program's FS base */
	uint64_t saved_rsp;	 /* kernel stack pointer while switched out */
	void *fpu;		 /* FPU/SSE/AVX save area */
	enum thread_state state; /* protected by the rq lock of @cpu */
	bool on_cpu; /* still running its switch-out: do not migrate */
	bool detached;
	unsigned cpu; /* run queue the thread belongs to */
	uint64_t id;
	char name[24];
	void *stack; /* base of the kernel stack */
	size_t stack_size;
	void (*fn)(void *);
	void *arg;
	struct list_node rq_node;  /* in runqueue.ready or .dead */
	struct waitq joiners;	   /* woken when the thread exits */
	bool reap_on_exit;	   /* detached: freed after its last switch */
	bool is_program;	   /* runs program code in ring 3 */
	uintptr_t clear_child_tid; /* set_tid_address(2) */
	struct trap_frame *user_frame; /* its latest syscall's frame */
	uint64_t affinity;	       /* CPUs it may run on (bit per CPU) */
	uint64_t sigmask;	       /* rt_sigprocmask(2): recorded */
	int posix_errno; /* errno of embedded libraries (kernel/posix) */
	struct nfs_binding *nfs_bindings; /* NFS contexts it holds (fs/nfs) */
	uint64_t cpu_ns;	 /* CPU time used up to its last switch-out */
	uint64_t switched_in_ns; /* when it last got the CPU */
	/*
	 * Sleeps again soon after each thread it wakes (a device's worker):
	 * that thread may wait for this CPU rather than wake another.
	 */
	bool wakes_here;
};

#define THREAD_STACK_SIZE (64 * KiB)

/* Creates and starts a kernel thread running fn(arg). ERR_PTR on failure. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
/*
 * thread_create in two steps, for a creator that must publish the new
 * thread (its id) before it can run: the thread runs from
 * thread_start_new() on.
 */
struct thread *thread_create_stopped(const char *name, void (*fn)(void *),
				     void *arg);
void thread_start_new(struct thread *t);
/* Waits for @t to exit, then frees it. Each thread is joined at most once. */
void thread_join(struct thread *t);
/* The thread frees itself when it exits; it must not be joined. */
void thread_detach(struct thread *t);
/* Ends the calling thread. */
__noreturn void thread_exit(void);
struct thread *thread_current(void);
/* Gives up the CPU to another ready thread, if any. */
void thread_yield(void);
/* Sleeps for at least @ns nanoseconds. */
void thread_sleep_ns(uint64_t ns);
/* Makes a BLOCKED thread runnable again; no-op for other states. */
void thread_wake(struct thread *t);
/* Marks the calling thread BLOCKED; it sleeps at its next schedule(). */
void thread_set_blocked(void);
/* Number of threads created and not yet freed. */
unsigned long thread_count(void);

#endif
