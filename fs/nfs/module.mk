# NFS: Debian's libnfs.a (libnfs-dev) linked into the kernel. Its imports
# are renamed onto kernel/posix (libnfs.imports), so one the kernel lacks
# fails the link by name. nfs3_rpc.c is the one file compiled against
# libnfs's headers and so the C library's; it keeps the kernel's code model.
LIBNFS_A := /usr/lib/x86_64-linux-gnu/libnfs.a
NFS_OPTS_SRCS := fs/nfs/nfs_opts.c
KERNEL_SRCS += fs/nfs/nfs.c fs/nfs/nfs_vnops.c fs/nfs/nfs3_rpc.c \
	$(NFS_OPTS_SRCS)
KERNEL_LIBS += $(BUILD)/fs/nfs/libnfs.a

$(BUILD)/fs/nfs/libnfs.a: $(LIBNFS_A) fs/nfs/libnfs.imports
	@mkdir -p $(@D)
	@echo "  OBJCOPY $@"
	$(Q)objcopy --redefine-syms=fs/nfs/libnfs.imports $< $@

$(BUILD)/fs/nfs/nfs3_rpc.c.o: fs/nfs/nfs3_rpc.c Makefile
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(filter-out -nostdinc -Wstrict-prototypes,$(KERNEL_CFLAGS)) \
		-c $< -o $@

# A kernel function with the name of one of libnfs's would silently take
# its place (the archive member is then never linked): refuse that.
KERNEL_CHECKS += $(BUILD)/fs/nfs/names.ok
$(BUILD)/fs/nfs/names.ok: $(BUILD)/fs/nfs/libnfs.a
	$(Q)clash=$$(comm -12 \
		<(nm --defined-only $(KERNEL_OBJS) 2>/dev/null | awk 'NF == 3 && $$2 ~ /[TDBRC]/ { print $$3 }' | sort -u) \
		<(nm --defined-only $(BUILD)/fs/nfs/libnfs.a 2>/dev/null | awk 'NF == 3 && $$2 ~ /[TDBRC]/ { print $$3 }' | sort -u)); \
	if [ -n "$$clash" ]; then echo "kernel symbols that libnfs.a defines too: $$clash"; exit 1; fi; touch $@
