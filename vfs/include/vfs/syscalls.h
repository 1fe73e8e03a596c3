/*
 * The VFS's system-call handlers (Linux x86_64 ABI, kernel/syscall.h),
 * grouped by the file that defines them. kernel/syscall/table.c maps the
 * Linux numbers to them.
 */
#ifndef VFS_SYSCALLS_H
#define VFS_SYSCALLS_H

#include <kernel/syscall.h>

/* vfs/sys_file.c: data and descriptors. */
SYSCALL_DEFINE(read);
SYSCALL_DEFINE(write);
SYSCALL_DEFINE(readv);
SYSCALL_DEFINE(writev);
SYSCALL_DEFINE(pread64);
SYSCALL_DEFINE(pwrite64);
SYSCALL_DEFINE(preadv);
SYSCALL_DEFINE(pwritev);
SYSCALL_DEFINE(open);
SYSCALL_DEFINE(openat);
SYSCALL_DEFINE(creat);
SYSCALL_DEFINE(close);
SYSCALL_DEFINE(lseek);
SYSCALL_DEFINE(truncate);
SYSCALL_DEFINE(ftruncate);
SYSCALL_DEFINE(fsync);
SYSCALL_DEFINE(fdatasync);
SYSCALL_DEFINE(fcntl);
SYSCALL_DEFINE(dup);
SYSCALL_DEFINE(dup2);
SYSCALL_DEFINE(dup3);
SYSCALL_DEFINE(ioctl);

/* vfs/sys_stat.c: attributes and directory listing. */
SYSCALL_DEFINE(stat);
SYSCALL_DEFINE(lstat);
SYSCALL_DEFINE(fstat);
SYSCALL_DEFINE(newfstatat);
SYSCALL_DEFINE(statx);
SYSCALL_DEFINE(statfs);
SYSCALL_DEFINE(fstatfs);
SYSCALL_DEFINE(pipe);
SYSCALL_DEFINE(pipe2);
SYSCALL_DEFINE(eventfd);
SYSCALL_DEFINE(eventfd2);
SYSCALL_DEFINE(getdents64);
SYSCALL_DEFINE(access);
SYSCALL_DEFINE(faccessat);
SYSCALL_DEFINE(faccessat2);
SYSCALL_DEFINE(readlink);
SYSCALL_DEFINE(readlinkat);
SYSCALL_DEFINE(chmod);
SYSCALL_DEFINE(fchmod);
SYSCALL_DEFINE(fchmodat);
SYSCALL_DEFINE(chown);
SYSCALL_DEFINE(lchown);
SYSCALL_DEFINE(fchown);
SYSCALL_DEFINE(fchownat);
SYSCALL_DEFINE(utimensat);
SYSCALL_DEFINE(umask);

/* vfs/sys_namei.c: names and the working directory. */
SYSCALL_DEFINE(mkdir);
SYSCALL_DEFINE(mkdirat);
SYSCALL_DEFINE(rmdir);
SYSCALL_DEFINE(unlink);
SYSCALL_DEFINE(unlinkat);
SYSCALL_DEFINE(rename);
SYSCALL_DEFINE(renameat);
SYSCALL_DEFINE(renameat2);
SYSCALL_DEFINE(link);
SYSCALL_DEFINE(linkat);
SYSCALL_DEFINE(symlink);
SYSCALL_DEFINE(symlinkat);
SYSCALL_DEFINE(getcwd);
SYSCALL_DEFINE(chdir);
SYSCALL_DEFINE(fchdir);

#endif
