/*
 * System calls about the program and its threads: exit, identities,
 * arch_prctl (the thread pointer), uname, limits, randomness, sysinfo.
 * The appliance runs one program as root in one process: the ids are
 * fixed, and fork/exec say clearly that they are not available.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <drivers/virtio.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/program.h>
#include <kernel/string.h>
#include <kernel/syscalls.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>
#include <kernel/vm.h>

uint64_t random_u64(void);

SYSCALL_DEFINE(exit)
{
	program_thread_exit((int)a0);
}

SYSCALL_DEFINE(exit_group)
{
	program_exit((int)a0);
}

SYSCALL_DEFINE(getpid)
{
	return program_pid();
}

SYSCALL_DEFINE(getppid)
{
	return 0;
}

SYSCALL_DEFINE(gettid)
{
	return (long)thread_current()->id;
}

/* getuid, geteuid, getgid, getegid: everything runs as root. */
SYSCALL_DEFINE(getuid)
{
	return 0;
}

SYSCALL_DEFINE(getresuid)
{
	unsigned zero = 0;
	for (int i = 0; i < 3; i++) {
		unsigned *p = (unsigned *)(i == 0 ? a0 : i == 1 ? a1 : a2);
		if (copy_to_user(p, &zero, sizeof(zero)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(getpgid)
{
	if (a0 != 0 && a0 != program_pid())
		return -ESRCH;
	return program_pid();
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

SYSCALL_DEFINE(arch_prctl)
{
	struct thread *t = thread_current();
	uint64_t v;

	switch (a0) {
	case ARCH_SET_FS:
		if ((uint64_t)a1 >= USER_SPACE_END)
			return -EPERM;
		t->user_fs = (uint64_t)a1;
		return 0;
	case ARCH_GET_FS:
		return copy_to_user((void *)a1, &t->user_fs, 8) ? -EFAULT : 0;
	case ARCH_SET_GS:
		/* The program's GS base waits in KERNEL_GS_BASE (swapgs). */
		if ((uint64_t)a1 >= USER_SPACE_END)
			return -EPERM;
		wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)a1);
		return 0;
	case ARCH_GET_GS:
		v = rdmsr(MSR_KERNEL_GS_BASE);
		return copy_to_user((void *)a1, &v, 8) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE(set_tid_address)
{
	/* Recorded for thread exit (clear and wake) with the threads issue. */
	thread_current()->clear_child_tid = (uintptr_t)a0;
	return (long)thread_current()->id;
}

SYSCALL_DEFINE(set_robust_list)
{
	if (a1 != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	return 0;
}

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
		domainname[65];
};

static const char *hostname = "appliance";

/* A host name as RFC 1123 allows: letters, digits, '-' and '.'. */
static int set_hostname(const char *name, const char *value, char *err,
			size_t errlen)
{
	size_t len = value ? strlen(value) : 0;
	bool ok = len > 0 && len <= 64 && value[0] != '-' && value[0] != '.';
	for (size_t i = 0; ok && i < len; i++) {
		char c = value[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		     (c >= '0' && c <= '9') || c == '-' || c == '.';
	}
	if (!ok) {
		snprintf(
			err, errlen,
			"option 'hostname' needs 1-64 letters, digits, '-' or '.', not '%.64s'",
			value ? value : "");
		return -EINVAL;
	}
	hostname = value;
	return 0;
}
KPARAM_CUSTOM(hostname, "hostname", "hostname=NAME", set_hostname, false, false,
	      "the host name programs see (uname, gethostname)");

SYSCALL_DEFINE(uname)
{
	struct utsname uts = {
		.sysname = "Linux",
		/* C libraries compare this with the oldest kernel they need. */
		.release = "6.1.0-appliance",
		.version = "#1 SMP appliance kernel",
		.machine = "x86_64",
		.domainname = "(none)",
	};
	strlcpy(uts.nodename, hostname, sizeof(uts.nodename));
	return copy_to_user((void *)a0, &uts, sizeof(uts)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(sched_yield)
{
	thread_yield();
	return 0;
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

SYSCALL_DEFINE(getrandom)
{
	char *p = (char *)a0;
	size_t len = (size_t)a1, done = 0;

	if (a2 & ~(long)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	len = MIN(len, 32 * MiB);
	while (done < len) {
		uint64_t r[32];
		/* The host's entropy through virtio-rng when there is one. */
		ssize_t got = virtio_rng_present(NULL) ?
				      virtio_rng_read(r, sizeof(r)) :
				      -ENODEV;
		if (got <= 0) {
			for (size_t i = 0; i < ARRAY_SIZE(r); i++)
				r[i] = random_u64();
			got = sizeof(r);
		}
		size_t n = MIN(len - done, (size_t)got);
		if (copy_to_user(p + done, r, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

/* Resource limits: recorded, and reported back; RLIMIT_NLIMITS is 16. */
struct rlimit {
	uint64_t cur, max;
};
#define RLIM_INFINITY (~0ULL)
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIMIT_NLIMITS 16

#define UNLIMITED                            \
	{                                    \
		RLIM_INFINITY, RLIM_INFINITY \
	}
static struct rlimit limits[RLIMIT_NLIMITS] = {
	UNLIMITED, UNLIMITED,
	UNLIMITED, [RLIMIT_STACK] = { VM_STACK_SIZE, VM_STACK_SIZE },
	UNLIMITED, UNLIMITED,
	UNLIMITED, [RLIMIT_NOFILE] = { 1024, 1024 },
	UNLIMITED, UNLIMITED,
	UNLIMITED, UNLIMITED,
	UNLIMITED, UNLIMITED,
	UNLIMITED, UNLIMITED,
};

static long do_prlimit(unsigned resource, const struct rlimit *new_user,
		       struct rlimit *old_user)
{
	struct rlimit nl;

	if (resource >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (new_user) {
		if (copy_from_user(&nl, new_user, sizeof(nl)))
			return -EFAULT;
		if (nl.cur > nl.max || nl.max > limits[resource].max)
			return nl.cur > nl.max ? -EINVAL : -EPERM;
	}
	if (old_user &&
	    copy_to_user(old_user, &limits[resource], sizeof(*old_user)))
		return -EFAULT;
	if (new_user)
		limits[resource] = nl;
	return 0;
}

SYSCALL_DEFINE(prlimit64)
{
	if (a0 != 0 && a0 != program_pid())
		return -ESRCH;
	return do_prlimit((unsigned)a1, (const struct rlimit *)a2,
			  (struct rlimit *)a3);
}

SYSCALL_DEFINE(getrlimit)
{
	return do_prlimit((unsigned)a0, NULL, (struct rlimit *)a1);
}

SYSCALL_DEFINE(setrlimit)
{
	return do_prlimit((unsigned)a0, (const struct rlimit *)a1, NULL);
}

struct sysinfo {
	long uptime;
	unsigned long loads[3], totalram, freeram, sharedram, bufferram,
		totalswap, freeswap;
	unsigned short procs, pad;
	unsigned long totalhigh, freehigh;
	unsigned mem_unit;
	char reserved[4];
};

SYSCALL_DEFINE(sysinfo)
{
	struct sysinfo si = {
		.uptime = (long)(clock_monotonic_ns() / NSEC_PER_SEC),
		.totalram = pmm_total_pages() * PAGE_SIZE,
		.freeram = pmm_free_pages() * PAGE_SIZE,
		.procs = 1,
		.mem_unit = 1,
	};
	return copy_to_user((void *)a0, &si, sizeof(si)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(fork)
{
	static bool logged;
	if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
		pr_warn("syscall: fork/vfork: the appliance runs one program in one process; no new processes (-ENOSYS)");
	return -ENOSYS;
}

SYSCALL_DEFINE(execve)
{
	static bool logged;
	if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
		pr_warn("syscall: execve: the appliance runs one program; it cannot be replaced (-ENOSYS)");
	return -ENOSYS;
}
