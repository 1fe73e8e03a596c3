$(eval $(call unit_test,mm,$(MM_SRCS) tests/unit/test_mm.c))
