# fs/nfs mount-option parsing, on the host (nfs_opts.c over the shim).
$(eval $(call unit_test,nfs_opts,$(NFS_OPTS_SRCS) tests/unit/shim_alloc.c \
	tests/unit/test_nfs_opts.c))

# NFSv4 attribute encoding and decoding (nfs4_attr.c).
$(eval $(call unit_test,nfs4_attr,fs/nfs/nfs4_attr.c tests/unit/shim_alloc.c \
	tests/unit/test_nfs4_attr.c))
