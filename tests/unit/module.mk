# Host unit tests. Each tests/unit/*.mk registers its tests with
# $(call unit_test,NAME,SOURCES): SOURCES are the kernel's own source lists
# plus the test itself; the host shim is always linked.
UNIT_SHIM := tests/unit/shim.c

define unit_test
UNIT_TESTS += $(BUILD)/unit/$(1)
$(BUILD)/unit/$(1): $(2) $(UNIT_SHIM) Makefile
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(2) $(UNIT_SHIM) -o $$@ -lpthread
endef

include $(sort $(filter-out tests/unit/module.mk,$(wildcard tests/unit/*.mk)))
