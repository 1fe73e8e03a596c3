/* Mount options of an nfs:// source (nfs_opts.c); host-unit-tested. */
#ifndef FS_NFS_NFS_OPTS_H
#define FS_NFS_NFS_OPTS_H

#include <kernel/types.h>

#define NFS_NCONNECT_DEFAULT 4
#define NFS_NCONNECT_MAX 16
#define NFS_RETRY_DEFAULT_S 30
#define NFS_RETRY_MAX_S 3600
#define NFS_IO_MIN 4096 /* rsize, wsize: bytes per READ/WRITE */
#define NFS_IO_MAX (1024 * 1024)
#define NFS_READAHEAD_DEFAULT (1024 * 1024)
#define NFS_READAHEAD_MAX (16 * 1024 * 1024)

struct nfs_opts {
	char *url;	   /* for libnfs: the source without our own options */
	unsigned nconnect; /* connections (libnfs contexts) at most */
	unsigned retry_s;  /* keep trying to mount at boot this long */
	unsigned rsize, wsize; /* bytes per READ, WRITE at most; 0: 1 MiB */
	unsigned version;      /* NFS version: 3 or 4 (4.0) */
	unsigned readahead;    /* bytes read ahead of small reads; 0: none */
	bool ro;
	bool sync; /* write() returns once the data is on the server's disk */
};

/*
 * Splits @source (nfs://server/path?opt&opt=val...) into libnfs's URL and
 * the options the kernel implements itself: nconnect=N, retry=SECONDS,
 * ro, rw, sync, async, rsize=BYTES and wsize=BYTES (4096 to 1 MiB), readahead=BYTES
 * (0 to 16 MiB), sizes rounded down to 4 KiB. version=3 (the default) or
 * version=4 is recorded; version=4 also stays in the URL, for libnfs to
 * mount NFSv4. Any other version is refused. On error @err says why.
 * nfs_opts_free() frees o->url.
 */
int nfs_opts_parse(const char *source, struct nfs_opts *o, char *err,
		   size_t errlen);
void nfs_opts_free(struct nfs_opts *o);

#endif
