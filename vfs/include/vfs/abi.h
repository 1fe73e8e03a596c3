/*
 * Linux x86_64 user-space layouts the file syscalls read and write, with
 * their sizes asserted, and the ioctl and fcntl numbers they accept.
 * Named linux_* so they never clash with a host C library's own.
 */
#ifndef VFS_ABI_H
#define VFS_ABI_H

#include <kernel/panic.h>
#include <kernel/types.h>

struct linux_timespec {
	int64_t tv_sec;
	long tv_nsec;
};

/* UTIME_* in a utimensat() timespec's tv_nsec. */
#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

struct linux_iovec {
	void *iov_base;
	size_t iov_len;
};

#define IOV_MAX 1024
/* Largest transfer one read or write makes, as Linux caps it. */
#define MAX_RW_COUNT 0x7ffff000L

/* struct stat of the x86_64 stat, fstat, lstat and newfstatat calls. */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	int64_t st_atime_sec;
	int64_t st_atime_nsec;
	int64_t st_mtime_sec;
	int64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	int64_t st_ctime_nsec;
	int64_t unused[3];
};
BUILD_ASSERT(sizeof(struct linux_stat) == 144);

/* struct statfs of x86_64 (statfs, fstatfs). */
struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail;
	uint64_t f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};
BUILD_ASSERT(sizeof(struct linux_statfs) == 120);

struct linux_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t spare3[12];
};
BUILD_ASSERT(sizeof(struct linux_statx) == 256);

#define STATX_TYPE 0x001
#define STATX_MODE 0x002
#define STATX_NLINK 0x004
#define STATX_UID 0x008
#define STATX_GID 0x010
#define STATX_ATIME 0x020
#define STATX_MTIME 0x040
#define STATX_CTIME 0x080
#define STATX_INO 0x100
#define STATX_SIZE 0x200
#define STATX_BLOCKS 0x400
#define STATX_BASIC_STATS 0x7ff
#define STATX_MNT_ID 0x1000
#define STATX__RESERVED 0x80000000u
#define AT_STATX_SYNC_TYPE 0x6000

/* One getdents64 record: 19 bytes of header, the name, a NUL, padding. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
BUILD_ASSERT(offsetof(struct linux_dirent64, d_name) == 19);

#define DT_UNKNOWN 0
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

/* struct flock for F_GETLK and friends. */
struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
};
BUILD_ASSERT(sizeof(struct linux_flock) == 32);

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

#define TCGETS 0x5401
#define TIOCGWINSZ 0x5413
#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451

#endif
