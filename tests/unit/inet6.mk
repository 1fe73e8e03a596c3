$(eval $(call unit_test,inet6,kernel/lib/inet6.c tests/unit/test_inet6.c))
