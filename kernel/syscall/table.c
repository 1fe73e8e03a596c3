/*
 * The system-call table: Linux x86_64 numbers to handlers, grouped by the
 * subsystem that implements them. Numbers and names come from the Linux
 * UAPI header (scripts/gen-syscall-nr.sh), so an unimplemented call is
 * reported by name: -ENOSYS, and one log line the first time.
 */
#include <generated/syscall_nr.h>
#include <kernel/printk.h>
#include <kernel/syscall.h>
#include <kernel/syscalls.h>
#include <vfs/syscalls.h>

static const char *const syscall_names[NR_SYSCALLS] = {
#define X(nr, name) [nr] = #name,
	SYSCALL_NAME_LIST(X)
#undef X
};

static const syscall_fn syscall_table[NR_SYSCALLS] = {
	/* program and threads: kernel/proc/sys_proc.c */
	[NR_exit] = sys_exit,
	[NR_exit_group] = sys_exit_group,
	[NR_getpid] = sys_getpid,
	[NR_getppid] = sys_getppid,
	[NR_gettid] = sys_gettid,
	[NR_getuid] = sys_getuid,
	[NR_geteuid] = sys_getuid,
	[NR_getgid] = sys_getuid,
	[NR_getegid] = sys_getuid,
	[NR_getresuid] = sys_getresuid,
	[NR_getresgid] = sys_getresuid,
	[NR_getpgrp] = sys_getpid,
	[NR_getpgid] = sys_getpgid,
	[NR_getsid] = sys_getpgid,
	[NR_setsid] = sys_getpid,
	[NR_arch_prctl] = sys_arch_prctl,
	[NR_set_tid_address] = sys_set_tid_address,
	[NR_set_robust_list] = sys_set_robust_list,
	[NR_uname] = sys_uname,
	[NR_sched_yield] = sys_sched_yield,
	[NR_getrandom] = sys_getrandom,
	[NR_prlimit64] = sys_prlimit64,
	[NR_getrlimit] = sys_getrlimit,
	[NR_setrlimit] = sys_setrlimit,
	[NR_sysinfo] = sys_sysinfo,
	[NR_fork] = sys_fork,
	[NR_vfork] = sys_fork,
	[NR_execve] = sys_execve,
	[NR_execveat] = sys_execve,
	/* threads: kernel/proc/sys_thread.c */
	[NR_clone] = sys_clone,
	[NR_clone3] = sys_clone3,
	[NR_futex] = sys_futex,
	[NR_sched_getaffinity] = sys_sched_getaffinity,
	[NR_sched_setaffinity] = sys_sched_setaffinity,
	/* signals (recorded, not delivered): kernel/proc/sys_signal.c */
	[NR_rt_sigaction] = sys_rt_sigaction,
	[NR_rt_sigprocmask] = sys_rt_sigprocmask,
	[NR_sigaltstack] = sys_sigaltstack,
	/* time: kernel/time/sys_time.c */
	[NR_clock_gettime] = sys_clock_gettime,
	[NR_clock_getres] = sys_clock_getres,
	[NR_gettimeofday] = sys_gettimeofday,
	[NR_time] = sys_time,
	[NR_nanosleep] = sys_nanosleep,
	[NR_clock_nanosleep] = sys_clock_nanosleep,
	/* sockets (on lwIP): kernel/net/sys_socket.c */
	[NR_socket] = sys_socket,
	[NR_bind] = sys_bind,
	[NR_connect] = sys_connect,
	[NR_listen] = sys_listen,
	[NR_accept] = sys_accept,
	[NR_accept4] = sys_accept4,
	[NR_sendto] = sys_sendto,
	[NR_recvfrom] = sys_recvfrom,
	[NR_shutdown] = sys_shutdown,
	[NR_getsockname] = sys_getsockname,
	[NR_getpeername] = sys_getpeername,
	[NR_setsockopt] = sys_setsockopt,
	[NR_getsockopt] = sys_getsockopt,
	[NR_sendmsg] = sys_sendmsg,
	[NR_recvmsg] = sys_recvmsg,
	/* readiness: kernel/net/sys_poll.c */
	[NR_poll] = sys_poll,
	[NR_ppoll] = sys_ppoll,
	[NR_select] = sys_select,
	[NR_pselect6] = sys_pselect6,
	[NR_epoll_create] = sys_epoll_create,
	[NR_epoll_create1] = sys_epoll_create1,
	[NR_epoll_ctl] = sys_epoll_ctl,
	[NR_epoll_wait] = sys_epoll_wait,
	[NR_epoll_pwait] = sys_epoll_pwait,
	/* memory: kernel/mm/sys_mm.c */
	[NR_brk] = sys_brk,
	[NR_mmap] = sys_mmap,
	[NR_munmap] = sys_munmap,
	[NR_mprotect] = sys_mprotect,
	[NR_mremap] = sys_mremap,
	[NR_madvise] = sys_madvise,
	[NR_msync] = sys_msync,
	/* files and directories: vfs/sys_file.c, sys_stat.c, sys_namei.c */
	[NR_read] = sys_read,
	[NR_write] = sys_write,
	[NR_readv] = sys_readv,
	[NR_writev] = sys_writev,
	[NR_pread64] = sys_pread64,
	[NR_pwrite64] = sys_pwrite64,
	[NR_preadv] = sys_preadv,
	[NR_pwritev] = sys_pwritev,
	[NR_open] = sys_open,
	[NR_openat] = sys_openat,
	[NR_creat] = sys_creat,
	[NR_close] = sys_close,
	[NR_lseek] = sys_lseek,
	[NR_truncate] = sys_truncate,
	[NR_ftruncate] = sys_ftruncate,
	[NR_fsync] = sys_fsync,
	[NR_fdatasync] = sys_fdatasync,
	[NR_fcntl] = sys_fcntl,
	[NR_dup] = sys_dup,
	[NR_dup2] = sys_dup2,
	[NR_dup3] = sys_dup3,
	[NR_ioctl] = sys_ioctl,
	[NR_stat] = sys_stat,
	[NR_lstat] = sys_lstat,
	[NR_fstat] = sys_fstat,
	[NR_newfstatat] = sys_newfstatat,
	[NR_statx] = sys_statx,
	[NR_statfs] = sys_statfs,
	[NR_fstatfs] = sys_fstatfs,
	[NR_pipe] = sys_pipe,
	[NR_pipe2] = sys_pipe2,
	[NR_eventfd] = sys_eventfd,
	[NR_eventfd2] = sys_eventfd2,
	[NR_getdents64] = sys_getdents64,
	[NR_access] = sys_access,
	[NR_faccessat] = sys_faccessat,
	[NR_faccessat2] = sys_faccessat2,
	[NR_readlink] = sys_readlink,
	[NR_readlinkat] = sys_readlinkat,
	[NR_chmod] = sys_chmod,
	[NR_fchmod] = sys_fchmod,
	[NR_fchmodat] = sys_fchmodat,
	[NR_chown] = sys_chown,
	[NR_lchown] = sys_lchown,
	[NR_fchown] = sys_fchown,
	[NR_fchownat] = sys_fchownat,
	[NR_utimensat] = sys_utimensat,
	[NR_umask] = sys_umask,
	[NR_mkdir] = sys_mkdir,
	[NR_mkdirat] = sys_mkdirat,
	[NR_rmdir] = sys_rmdir,
	[NR_unlink] = sys_unlink,
	[NR_unlinkat] = sys_unlinkat,
	[NR_rename] = sys_rename,
	[NR_renameat] = sys_renameat,
	[NR_renameat2] = sys_renameat2,
	[NR_link] = sys_link,
	[NR_linkat] = sys_linkat,
	[NR_symlink] = sys_symlink,
	[NR_symlinkat] = sys_symlinkat,
	[NR_getcwd] = sys_getcwd,
	[NR_chdir] = sys_chdir,
	[NR_fchdir] = sys_fchdir,
};

const char *syscall_name(unsigned long nr)
{
	return nr < NR_SYSCALLS && syscall_names[nr] ? syscall_names[nr] :
						       "unknown";
}

/* One bit per number: set once its missing-call line was logged. */
static uint64_t reported[(NR_SYSCALLS + 63) / 64 + 1];

static long unimplemented(unsigned long nr)
{
	size_t word = nr < NR_SYSCALLS ? nr / 64 : ARRAY_SIZE(reported) - 1;
	uint64_t bit = nr < NR_SYSCALLS ? 1ULL << (nr % 64) : 1;
	if (!(__atomic_fetch_or(&reported[word], bit, __ATOMIC_RELAXED) & bit))
		pr_warn("syscall: %s (%lu) is not implemented; returning -ENOSYS",
			syscall_name(nr), nr);
	return -38; /* -ENOSYS */
}

long syscall_invoke(unsigned long nr, long a0, long a1, long a2, long a3,
		    long a4, long a5)
{
	if (nr < NR_SYSCALLS && syscall_table[nr])
		return syscall_table[nr](a0, a1, a2, a3, a4, a5);
	return unimplemented(nr);
}
