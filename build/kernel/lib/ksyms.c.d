build/kernel/lib/ksyms.c.o: kernel/lib/ksyms.c \
 kernel/include/kernel/ksyms.h kernel/include/kernel/types.h \
 kernel/include/kernel/printk.h
kernel/include/kernel/ksyms.h:
kernel/include/kernel/types.h:
kernel/include/kernel/printk.h:
