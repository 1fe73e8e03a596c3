# Appliance kernel: one GNU Make entry point. Each directory adds its
# sources in a module.mk; nothing recurses.
#
#   make            build build/kernel.elf
#   make run        boot it in QEMU, console on the terminal (ARGS="...",
#                   INITRD=archive.cpio)
#   make test       format check, host unit tests, in-VM tests
#   make bench      benchmarks (docs/performance.md)
#
# Every goal but `clean` first installs the Debian packages it needs that
# are missing (scripts/deps.sh).

BUILD := build
SHELL := /bin/bash

ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell scripts/deps.sh $(filter bench,$(MAKECMDGOALS)) >&2 && echo ok),ok)
$(error scripts/deps.sh could not install the packages the build needs)
endif
endif
CC := gcc
LD := ld
HOSTCC := gcc
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
# DEBUG=1: debug build (freed heap memory is poisoned). Unit tests always are.
DEBUG ?= 0

# Kernel C: freestanding, no red zone, no SSE in our own code (third-party
# code that uses SSE has its state saved on every switch), frame pointers
# for backtraces, and the stack protector reading %fs:0x28 like the
# third-party code does.
# Public headers: kernel/include, vfs/include; generated ones in build/gen.
INCLUDES := -Ikernel/include -Ikernel -Ivfs/include -Ifs/ramfs/include \
	-Ifs/nfs/include \
	-I$(BUILD)/gen
KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fstack-protector-strong -mstack-protector-guard=tls \
	-mstack-protector-guard-reg=fs -mstack-protector-guard-offset=0x28 \
	-fno-strict-aliasing -fno-common \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes \
	-Wstrict-prototypes $(INCLUDES) -MMD -MP
ifeq ($(DEBUG),1)
KERNEL_CFLAGS += -DKERNEL_DEBUG
endif
KERNEL_ASFLAGS := $(INCLUDES) -D__ASSEMBLY__ -MMD -MP
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-warn-rwx-segments -T kernel/arch/x86_64/kernel.ld

# Host unit tests: same sources, host compiler, sanitizers.
HOST_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all -Wall -Wextra \
	-Werror -Wno-unused-parameter $(INCLUDES) \
	-DHOST_TEST -DKERNEL_DEBUG -MMD -MP

.DEFAULT_GOAL := all
KERNEL_SRCS :=
KERNEL_LIBS :=
KERNEL_CHECKS :=
UNIT_TESTS :=

include kernel/module.mk
include $(wildcard vfs/module.mk fs/*/module.mk)
KERNEL_SRCS += $(VFS_SRCS) $(RAMFS_SRCS) $(VFS_SYSCALL_SRCS) \
	$(VFS_KERNEL_SRCS)
include tests/unit/module.mk
include tests/vm/module.mk

# Syscall numbers and names from the Linux UAPI header.
GEN_SYSCALL_NR := $(BUILD)/gen/generated/syscall_nr.h
$(GEN_SYSCALL_NR): scripts/gen-syscall-nr.sh
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)scripts/gen-syscall-nr.sh > $@.tmp && mv $@.tmp $@
$(BUILD)/kernel/syscall/table.c.o: $(GEN_SYSCALL_NR)

KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS))
# Checks over the linked objects (module.mk files add them).
$(KERNEL_CHECKS): $(KERNEL_OBJS)

.PHONY: all run test unit-test vm-test bench format-check clean
all: $(BUILD)/kernel.elf

# Objects depend on the Makefile too: a flag change rebuilds everything.
$(BUILD)/%.c.o: %.c Makefile
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S Makefile
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

# Two links: the first gives the addresses, from which the symbol table
# for backtraces is generated; it lives in the last segment, so adding it
# moves nothing. The check makes sure of that.
$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(KERNEL_LIBS) $(KERNEL_CHECKS) kernel/arch/x86_64/kernel.ld scripts/gen-ksyms.sh
	@echo "  LD      $@"
	$(Q)scripts/gen-ksyms.sh /dev/null > $(BUILD)/ksyms0.S
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $(BUILD)/ksyms0.S -o $(BUILD)/ksyms0.o
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $(BUILD)/kernel.pass1 $(KERNEL_OBJS) $(KERNEL_LIBS) $(BUILD)/ksyms0.o
	$(Q)nm -n $(BUILD)/kernel.pass1 | scripts/gen-ksyms.sh - > $(BUILD)/ksyms.S
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@.tmp $(KERNEL_OBJS) $(KERNEL_LIBS) $(BUILD)/ksyms.o
	$(Q)cmp -s <(nm -n $(BUILD)/kernel.pass1 | grep -v "ksym_\|_kernel_end") <(nm -n $@.tmp | grep -v "ksym_\|_kernel_end") \
		|| { echo "kernel symbols moved between link passes"; exit 1; }
	$(Q)mv $@.tmp $@

# ARGS reaches the shell through the environment, so any quoting in it
# (double quotes group words on the kernel command line) stays intact.
run: export ARGS := $(ARGS)
run: $(BUILD)/kernel.elf
	$(Q)scripts/qemu.sh -kernel $(BUILD)/kernel.elf $(if $(INITRD),-initrd $(INITRD)) -append "$$ARGS"

# All three run even when one fails; the last line sums them up.
test: $(UNIT_TESTS) $(BUILD)/kernel.elf $(VM_INITRD)
	$(Q)scripts/run-tests.sh $(UNIT_TESTS)

unit-test: $(UNIT_TESTS)
	$(Q)tests/unit/run.sh $(UNIT_TESTS)

vm-test: $(BUILD)/kernel.elf $(VM_INITRD)
	$(Q)tests/vm/run.sh $(BUILD)/kernel.elf

bench: $(BUILD)/kernel.elf
	$(Q)bench/boot.sh $(BUILD)/kernel.elf
	$(Q)bench/abi.sh $(BUILD)/kernel.elf
	$(Q)bench/threads.sh $(BUILD)/kernel.elf
	$(Q)bench/nfs.sh $(BUILD)/kernel.elf 256 2000
	$(Q)bench/net.sh $(BUILD)/kernel.elf 256 2000

format-check:
	$(Q)scripts/format-check.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
