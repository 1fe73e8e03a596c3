/*
 * Signal system calls. Nothing sends signals to the program yet (a fatal
 * fault ends it, see usermode.c), but C libraries install handlers and
 * masks at start-up and expect them to be kept and reported back: this
 * records dispositions process-wide and masks per thread, with Linux's
 * argument checks.
 */
#include <kernel/errno.h>
#include <kernel/spinlock.h>
#include <kernel/syscalls.h>
#include <kernel/thread.h>
#include <kernel/uaccess.h>

#define NSIG 64
#define SIGKILL 9
#define SIGSTOP 19
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SS_DISABLE 2

/* The kernel's struct sigaction on x86_64. */
struct k_sigaction {
	uint64_t handler, flags, restorer, mask;
};

static struct k_sigaction actions[NSIG + 1];
static spinlock_t actions_lock = SPINLOCK_INIT; /* protects actions */

SYSCALL_DEFINE(rt_sigaction)
{
	int sig = (int)a0;
	struct k_sigaction act, old;

	if (a3 != 8)
		return -EINVAL;
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (a1) {
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		if (copy_from_user(&act, (void *)a1, sizeof(act)))
			return -EFAULT;
	}
	unsigned long flags = spin_lock_irqsave(&actions_lock);
	old = actions[sig];
	if (a1)
		actions[sig] = act;
	spin_unlock_irqrestore(&actions_lock, flags);
	if (a2 && copy_to_user((void *)a2, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(rt_sigprocmask)
{
	struct thread *t = thread_current();
	uint64_t set, old = t->sigmask;
	/* SIGKILL and SIGSTOP cannot be blocked. */
	const uint64_t unblockable = (1ULL << (SIGKILL - 1)) |
				     (1ULL << (SIGSTOP - 1));

	if (a3 != 8)
		return -EINVAL;
	if (a1) {
		if (copy_from_user(&set, (void *)a1, sizeof(set)))
			return -EFAULT;
		switch (a0) {
		case SIG_BLOCK:
			t->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		t->sigmask &= ~unblockable;
	}
	if (a2 && copy_to_user((void *)a2, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

struct stack_t {
	uint64_t sp;
	int flags;
	int pad;
	uint64_t size;
};

SYSCALL_DEFINE(sigaltstack)
{
	/* No alternate stack is in use: report it disabled. */
	struct stack_t old = { .flags = SS_DISABLE };
	if (a1 && copy_to_user((void *)a1, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
