/*
 * ramfs: the in-memory filesystem that holds the root, the initrd and
 * scratch mounts. Files keep their data in page-sized blocks under a
 * radix tree (holes read as zeros and take no memory); directories are
 * hash tables that grow, with readdir cookies that survive changes.
 * Node locking is the VFS's vnode lock (vfs/vnode.h).
 */
#ifndef RAMFS_RAMFS_H
#define RAMFS_RAMFS_H

#include <vfs/vnode.h>

/* Largest file ramfs holds (the radix tree's reach): 256 TiB. */
#define RAMFS_MAX_FILE_SIZE (1ULL << 48)

/* vfs_fstype.mount: a fresh empty filesystem; @source is ignored. */
int ramfs_mount(struct mount *mp, const char *source, unsigned long flags);
/* vfs_fstype.unmount. */
void ramfs_unmount(struct mount *mp);
/* vfs_fstype.statfs: the RAM the page allocator has, and has free. */
int ramfs_statfs(struct mount *mp, struct kstatfs *st);

#endif
