build/kernel/console/printk.c.o: kernel/console/printk.c \
 kernel/include/kernel/cmdline.h kernel/include/kernel/types.h \
 kernel/include/kernel/console.h kernel/include/kernel/printk.h \
 kernel/include/kernel/spinlock.h kernel/include/kernel/string.h \
 kernel/include/kernel/time.h kernel/include/kernel/list.h
kernel/include/kernel/cmdline.h:
kernel/include/kernel/types.h:
kernel/include/kernel/console.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/spinlock.h:
kernel/include/kernel/string.h:
kernel/include/kernel/time.h:
kernel/include/kernel/list.h:
