$(eval $(call unit_test,elf,$(ELF_CHECK_SRCS) tests/unit/test_elf.c))
