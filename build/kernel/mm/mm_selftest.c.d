build/kernel/mm/mm_selftest.c.o: kernel/mm/mm_selftest.c \
 kernel/include/kernel/errno.h kernel/include/kernel/types.h \
 kernel/include/kernel/heap.h kernel/include/kernel/page.h \
 kernel/include/kernel/list.h kernel/include/kernel/mm.h \
 kernel/include/kernel/selftest.h kernel/include/kernel/printk.h \
 kernel/include/kernel/string.h kernel/include/kernel/thread.h \
 kernel/include/kernel/waitq.h kernel/include/kernel/spinlock.h
kernel/include/kernel/errno.h:
kernel/include/kernel/types.h:
kernel/include/kernel/heap.h:
kernel/include/kernel/page.h:
kernel/include/kernel/list.h:
kernel/include/kernel/mm.h:
kernel/include/kernel/selftest.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/string.h:
kernel/include/kernel/thread.h:
kernel/include/kernel/waitq.h:
kernel/include/kernel/spinlock.h:
