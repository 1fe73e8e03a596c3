build/kernel/mm/pmm.c.o: kernel/mm/pmm.c kernel/include/kernel/page.h \
 kernel/include/kernel/list.h kernel/include/kernel/types.h \
 kernel/include/kernel/mm.h kernel/include/kernel/panic.h \
 kernel/include/kernel/printk.h kernel/include/kernel/spinlock.h \
 kernel/include/kernel/string.h
kernel/include/kernel/page.h:
kernel/include/kernel/list.h:
kernel/include/kernel/types.h:
kernel/include/kernel/mm.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/spinlock.h:
kernel/include/kernel/string.h:
