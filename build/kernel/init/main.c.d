build/kernel/init/main.c.o: kernel/init/main.c \
 kernel/include/kernel/cmdline.h kernel/include/kernel/types.h \
 kernel/include/kernel/errno.h kernel/include/kernel/heap.h \
 kernel/include/kernel/init.h kernel/include/kernel/mm.h \
 kernel/include/kernel/panic.h kernel/include/kernel/printk.h \
 kernel/include/kernel/selftest.h kernel/include/kernel/string.h \
 kernel/include/kernel/time.h kernel/include/kernel/list.h
kernel/include/kernel/cmdline.h:
kernel/include/kernel/types.h:
kernel/include/kernel/errno.h:
kernel/include/kernel/heap.h:
kernel/include/kernel/init.h:
kernel/include/kernel/mm.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/selftest.h:
kernel/include/kernel/string.h:
kernel/include/kernel/time.h:
kernel/include/kernel/list.h:
