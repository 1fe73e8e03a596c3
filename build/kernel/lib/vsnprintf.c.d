build/kernel/lib/vsnprintf.c.o: kernel/lib/vsnprintf.c \
 kernel/include/kernel/printk.h kernel/include/kernel/types.h \
 kernel/include/kernel/string.h
kernel/include/kernel/printk.h:
kernel/include/kernel/types.h:
kernel/include/kernel/string.h:
