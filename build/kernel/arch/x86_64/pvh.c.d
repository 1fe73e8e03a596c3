build/kernel/arch/x86_64/pvh.c.o: kernel/arch/x86_64/pvh.c \
 kernel/arch/x86_64/pvh.h kernel/include/kernel/mm.h \
 kernel/include/kernel/types.h kernel/include/kernel/panic.h \
 kernel/include/kernel/printk.h kernel/include/kernel/string.h
kernel/arch/x86_64/pvh.h:
kernel/include/kernel/mm.h:
kernel/include/kernel/types.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/string.h:
