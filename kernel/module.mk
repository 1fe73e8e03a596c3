# The kernel: each subsystem directory adds its sources in its own module.mk.
include kernel/arch/x86_64/module.mk
include $(sort $(wildcard kernel/*/module.mk kernel/drivers/*/module.mk))
