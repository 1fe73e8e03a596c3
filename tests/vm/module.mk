# In-VM test programs: each tests/vm/progs/t_*.c is built three ways,
# static musl, static glibc and static-PIE glibc (Debian's musl-gcc cannot
# link static-PIE), and packed with a few directories into the initrd the
# VM tests boot (build/vm-initrd.cpio):
#   /bin/musl/t_x  /bin/glibc/t_x  /bin/glibc-pie/t_x  /tmp
VM_PROG_NAMES := $(patsubst tests/vm/progs/%.c,%,$(wildcard tests/vm/progs/t_*.c))
VM_PROG_CFLAGS := -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter
VM_ROOT := $(BUILD)/vm-root
VM_PROGS := $(foreach n,$(VM_PROG_NAMES),$(VM_ROOT)/bin/musl/$(n) \
	$(VM_ROOT)/bin/glibc/$(n) $(VM_ROOT)/bin/glibc-pie/$(n))
VM_INITRD := $(BUILD)/vm-initrd.cpio

$(VM_ROOT)/bin/musl/%: tests/vm/progs/%.c tests/vm/progs/check.h
	@mkdir -p $(@D)
	@echo "  MUSL    $@"
	$(Q)musl-gcc -static $(VM_PROG_CFLAGS) -o $@ $<

$(VM_ROOT)/bin/glibc-pie/%: tests/vm/progs/%.c tests/vm/progs/check.h
	@mkdir -p $(@D)
	@echo "  GLIBPIE $@"
	$(Q)$(HOSTCC) -static-pie -fPIE -pthread $(VM_PROG_CFLAGS) -o $@ $<

$(VM_ROOT)/bin/glibc/%: tests/vm/progs/%.c tests/vm/progs/check.h
	@mkdir -p $(@D)
	@echo "  GLIBC   $@"
	$(Q)$(HOSTCC) -static -pthread $(VM_PROG_CFLAGS) -o $@ $<

$(VM_INITRD): $(VM_PROGS)
	@echo "  CPIO    $@"
	$(Q)mkdir -p $(VM_ROOT)/tmp $(VM_ROOT)/etc
	$(Q)cd $(VM_ROOT) && find . | LC_ALL=C sort | cpio -o -H newc --quiet > $(abspath $@).tmp
	$(Q)mv $@.tmp $@
