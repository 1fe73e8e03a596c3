# ramfs, the in-memory filesystem (root, initrd, scratch mounts).
RAMFS_SRCS := fs/ramfs/ramfs.c fs/ramfs/ramfs_data.c fs/ramfs/ramfs_dir.c
