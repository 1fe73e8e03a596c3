/*
 * Program threads: clone with the flags pthread_create uses (a thread in
 * the same address space, fd table, cwd and signal dispositions), the
 * futex system call, thread exit (clearing and waking the tid word that
 * pthread_join waits on), and CPU affinity.
 *
 * A new thread is a kernel thread that enters ring 3 with a copy of its
 * creator's syscall frame: same registers, %rax = 0, its own stack and
 * thread pointer.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/traps.h>
#include <kernel/errno.h>
#include <kernel/futex.h>
#include <kernel/heap.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/program.h>
#include <kernel/syscalls.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_THREAD 0x00010000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED 0x00400000
#define CLONE_CHILD_SETTID 0x01000000

#define THREAD_FLAGS \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define OPTIONAL_FLAGS                                        \
	(CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
	 CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID)

struct clone_start {
	struct trap_frame frame;
	uint64_t fs;
	uintptr_t set_tid, clear_tid;
};

static void clone_child(void *arg)
{
	struct clone_start cs = *(struct clone_start *)arg;
	struct thread *t = thread_current();
	kfree(arg);
	t->is_program = true;
	t->clear_child_tid = cs.clear_tid;
	if (cs.set_tid) {
		uint32_t tid = (uint32_t)t->id;
		copy_to_user((void *)cs.set_tid, &tid, sizeof(tid));
	}
	user_resume(&cs.frame, cs.fs);
}

SYSCALL_DEFINE(clone)
{
	unsigned long flags = (unsigned long)a0;
	uintptr_t stack = (uintptr_t)a1, parent_tid = (uintptr_t)a2,
		  child_tid = (uintptr_t)a3;
	struct thread *self = thread_current();

	if (!(flags & CLONE_VM))
		return sys_fork(0, 0, 0, 0, 0, 0); /* a new process */
	if ((flags & THREAD_FLAGS) != THREAD_FLAGS ||
	    (flags & ~(unsigned long)(THREAD_FLAGS | OPTIONAL_FLAGS)))
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && (uint64_t)a4 >= USER_SPACE_END)
		return -EPERM;

	struct clone_start *cs = kmalloc(sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	cs->frame = *self->user_frame;
	cs->frame.rax = 0;
	if (stack)
		cs->frame.rsp = stack;
	cs->fs = (flags & CLONE_SETTLS) ? (uint64_t)a4 : self->user_fs;
	cs->set_tid = (flags & CLONE_CHILD_SETTID) ? child_tid : 0;
	cs->clear_tid = (flags & CLONE_CHILD_CLEARTID) ? child_tid : 0;

	struct thread *t = thread_create_stopped("program", clone_child, cs);
	if (IS_ERR(t)) {
		kfree(cs);
		return PTR_ERR(t);
	}
	long tid = (long)t->id;
	/*
	 * The parent's tid word is written before the thread can run: the
	 * thread clears the same word when it exits (pthread_join), and a
	 * late write would bring a finished thread back to life. Like Linux,
	 * a bad pointer here does not stop the thread.
	 */
	if (flags & CLONE_PARENT_SETTID) {
		uint32_t v = (uint32_t)tid;
		if (copy_to_user((void *)parent_tid, &v, sizeof(v)))
			pr_warn("clone: bad parent tid pointer 0x%lx",
				parent_tid);
	}
	program_thread_starting();
	thread_detach(t);
	thread_start_new(t);
	return tid;
}

/* glibc tries clone3 first and falls back to clone on -ENOSYS. */
SYSCALL_DEFINE(clone3)
{
	return -ENOSYS;
}

/* pthread_join sleeps on the tid word: clear it and wake it. */
void program_thread_cleanup(struct thread *t)
{
	if (!t->clear_child_tid)
		return;
	uint32_t zero = 0;
	if (!copy_to_user((void *)t->clear_child_tid, &zero, sizeof(zero)))
		futex_wake(t->clear_child_tid, 1, FUTEX_BITSET_ALL);
	t->clear_child_tid = 0;
}

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

struct timespec64 {
	int64_t sec, nsec;
};

/* The deadline of a futex wait, as monotonic time. */
static int futex_deadline(uintptr_t uts, bool absolute, bool realtime,
			  uint64_t *deadline)
{
	struct timespec64 ts;
	*deadline = UINT64_MAX;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, (const void *)uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	uint64_t ns =
		(uint64_t)ts.sec > UINT64_MAX / NSEC_PER_SEC - 1 ?
			UINT64_MAX / 2 :
			(uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
	uint64_t now = clock_monotonic_ns();
	if (!absolute) {
		*deadline = now + MIN(ns, UINT64_MAX / 2);
	} else if (realtime) {
		uint64_t real = clock_realtime_ns();
		*deadline = ns > real ? now + MIN(ns - real, UINT64_MAX / 2) :
					now;
	} else {
		*deadline = ns;
	}
	return 0;
}

SYSCALL_DEFINE(futex)
{
	uintptr_t uaddr = (uintptr_t)a0, uaddr2 = (uintptr_t)a4;
	int op = (int)a1 & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool realtime = a1 & FUTEX_CLOCK_REALTIME;
	uint32_t val = (uint32_t)a2, val3 = (uint32_t)a5;
	uint64_t deadline;
	int ret;

	if (realtime && op != FUTEX_WAIT_BITSET && op != FUTEX_WAIT)
		return -ENOSYS;
	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		ret = futex_deadline((uintptr_t)a3, op == FUTEX_WAIT_BITSET,
				     realtime, &deadline);
		if (ret)
			return ret;
		return futex_wait(uaddr, val, deadline,
				  op == FUTEX_WAIT ? FUTEX_BITSET_ALL : val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake(uaddr, (int)MIN(val, (uint32_t)INT32_MAX),
				  op == FUTEX_WAKE ? FUTEX_BITSET_ALL : val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)a3, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)a3, &val3);
	default:
		return -ENOSYS;
	}
}

SYSCALL_DEFINE(sched_getaffinity)
{
	uint64_t mask = thread_current()->affinity & cpu_online_mask();
	if (a0 != 0 && a0 != program_pid() && a0 != (long)thread_current()->id)
		return -ESRCH;
	if (a1 < (long)sizeof(mask) || (a1 & (sizeof(long) - 1)))
		return -EINVAL;
	if (copy_to_user((void *)a2, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}

SYSCALL_DEFINE(sched_setaffinity)
{
	uint64_t mask = 0;
	if (a0 != 0 && a0 != program_pid() && a0 != (long)thread_current()->id)
		return -ESRCH;
	if (a1 <= 0)
		return -EINVAL;
	if (copy_from_user(&mask, (const void *)a2,
			   MIN((size_t)a1, sizeof(mask))))
		return -EFAULT;
	if (!(mask & cpu_online_mask()))
		return -EINVAL;
	thread_current()->affinity = mask;
	return 0;
}
