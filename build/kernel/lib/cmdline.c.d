build/kernel/lib/cmdline.c.o: kernel/lib/cmdline.c \
 kernel/include/kernel/cmdline.h kernel/include/kernel/types.h \
 kernel/include/kernel/errno.h kernel/include/kernel/printk.h \
 kernel/include/kernel/string.h
kernel/include/kernel/cmdline.h:
kernel/include/kernel/types.h:
kernel/include/kernel/errno.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/string.h:
