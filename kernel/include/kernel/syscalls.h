/*
 * Every system-call handler the kernel defines outside the VFS (whose
 * handlers are in vfs/syscalls.h), by subsystem. The table that maps
 * numbers to them is kernel/syscall/table.c.
 */
#ifndef KERNEL_SYSCALLS_H
#define KERNEL_SYSCALLS_H

#include <kernel/syscall.h>

/* Runs system call @nr; -ENOSYS (logged once) when there is no handler. */
long syscall_invoke(unsigned long nr, long a0, long a1, long a2, long a3,
		    long a4, long a5);
/* The Linux name of system call @nr, or "unknown". */
const char *syscall_name(unsigned long nr);

/* kernel/proc/sys_proc.c */
SYSCALL_DEFINE(exit);
SYSCALL_DEFINE(exit_group);
SYSCALL_DEFINE(getpid);
SYSCALL_DEFINE(getppid);
SYSCALL_DEFINE(gettid);
SYSCALL_DEFINE(getuid);
SYSCALL_DEFINE(getresuid);
SYSCALL_DEFINE(getpgid);
SYSCALL_DEFINE(arch_prctl);
SYSCALL_DEFINE(set_tid_address);
SYSCALL_DEFINE(set_robust_list);
SYSCALL_DEFINE(uname);
SYSCALL_DEFINE(sched_yield);
SYSCALL_DEFINE(getrandom);
SYSCALL_DEFINE(prlimit64);
SYSCALL_DEFINE(getrlimit);
SYSCALL_DEFINE(setrlimit);
SYSCALL_DEFINE(sysinfo);
SYSCALL_DEFINE(fork);
SYSCALL_DEFINE(execve);

/* kernel/proc/sys_thread.c */
SYSCALL_DEFINE(clone);
SYSCALL_DEFINE(clone3);
SYSCALL_DEFINE(futex);
SYSCALL_DEFINE(sched_getaffinity);
SYSCALL_DEFINE(sched_setaffinity);

/* kernel/proc/sys_signal.c */
SYSCALL_DEFINE(rt_sigaction);
SYSCALL_DEFINE(rt_sigprocmask);
SYSCALL_DEFINE(sigaltstack);

/* kernel/time/sys_time.c */
SYSCALL_DEFINE(clock_gettime);
SYSCALL_DEFINE(clock_getres);
SYSCALL_DEFINE(gettimeofday);
SYSCALL_DEFINE(time);
SYSCALL_DEFINE(nanosleep);
SYSCALL_DEFINE(clock_nanosleep);

/* kernel/net/sys_socket.c */
SYSCALL_DEFINE(socket);
SYSCALL_DEFINE(bind);
SYSCALL_DEFINE(connect);
SYSCALL_DEFINE(listen);
SYSCALL_DEFINE(accept);
SYSCALL_DEFINE(accept4);
SYSCALL_DEFINE(sendto);
SYSCALL_DEFINE(recvfrom);
SYSCALL_DEFINE(shutdown);
SYSCALL_DEFINE(getsockname);
SYSCALL_DEFINE(getpeername);
SYSCALL_DEFINE(setsockopt);
SYSCALL_DEFINE(getsockopt);
SYSCALL_DEFINE(sendmsg);
SYSCALL_DEFINE(recvmsg);

/* kernel/net/sys_poll.c */
SYSCALL_DEFINE(poll);
SYSCALL_DEFINE(ppoll);
SYSCALL_DEFINE(select);
SYSCALL_DEFINE(pselect6);
SYSCALL_DEFINE(epoll_create);
SYSCALL_DEFINE(epoll_create1);
SYSCALL_DEFINE(epoll_ctl);
SYSCALL_DEFINE(epoll_wait);
SYSCALL_DEFINE(epoll_pwait);

/* kernel/mm/sys_mm.c */
SYSCALL_DEFINE(brk);
SYSCALL_DEFINE(mmap);
SYSCALL_DEFINE(munmap);
SYSCALL_DEFINE(mprotect);
SYSCALL_DEFINE(mremap);
SYSCALL_DEFINE(madvise);
SYSCALL_DEFINE(msync);

#endif
