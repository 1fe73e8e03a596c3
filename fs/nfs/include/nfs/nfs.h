/*
 * The NFS filesystem (fs/nfs): what the VFS and the scheduler call.
 * `mount=/data,nfs://server/export?options` mounts an NFSv3 export; see
 * docs/cmdline.md for the options.
 */
#ifndef NFS_NFS_H
#define NFS_NFS_H

struct kstatfs;
struct mount;
struct thread;

/* The VFS's filesystem-type ops (vfs_fstype). */
int nfsfs_mount(struct mount *mp, const char *source, unsigned long flags);
void nfsfs_unmount(struct mount *mp);
/* Files written behind: sent, committed; the first error. */
int nfsfs_sync(struct mount *mp);
/* The server's FSSTAT for the export. */
int nfsfs_statfs(struct mount *mp, struct kstatfs *st);
/* A thread ends: the NFS connections bound to it go back to their pools. */
void nfsfs_thread_exit(struct thread *t);

#endif
