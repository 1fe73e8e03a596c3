# NFS: Debian's libnfs.a (libnfs-dev) linked into the kernel. Its imports
# are renamed onto kernel/posix (libnfs.imports), so one the kernel lacks
# fails the link by name. The *_rpc.c files are the ones compiled against
# libnfs's headers and so the C library's; they keep the kernel's code model.
LIBNFS_A := /usr/lib/x86_64-linux-gnu/libnfs.a
NFS_OPTS_SRCS := fs/nfs/nfs_opts.c
NFS_GLUE_SRCS := fs/nfs/nfs_rpc.c fs/nfs/nfs3_rpc.c fs/nfs/nfs4_rpc.c
KERNEL_SRCS += fs/nfs/nfs.c fs/nfs/nfs_vnops.c fs/nfs/nfs_wb.c fs/nfs/nfs4_attr.c \
	$(NFS_GLUE_SRCS) $(NFS_OPTS_SRCS)
KERNEL_LIBS += $(BUILD)/fs/nfs/libnfs.a

$(BUILD)/fs/nfs/libnfs.a: $(LIBNFS_A) fs/nfs/libnfs.imports
	@mkdir -p $(@D)
	@echo "  OBJCOPY $@"
	$(Q)objcopy --redefine-syms=fs/nfs/libnfs.imports $< $@

$(NFS_GLUE_SRCS:%=$(BUILD)/%.o): $(BUILD)/%.o: % Makefile
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

# Where libnfs's PDU keeps its encoder (scripts/gen-libnfs-layout.sh).
GEN_LIBNFS_LAYOUT := $(BUILD)/gen/generated/libnfs_layout.h
$(GEN_LIBNFS_LAYOUT): scripts/gen-libnfs-layout.sh $(LIBNFS_A)
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)scripts/gen-libnfs-layout.sh $(LIBNFS_A) $@
$(BUILD)/fs/nfs/nfs4_rpc.c.o: $(GEN_LIBNFS_LAYOUT)
