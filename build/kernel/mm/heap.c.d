build/kernel/mm/heap.c.o: kernel/mm/heap.c kernel/include/kernel/heap.h \
 kernel/include/kernel/types.h kernel/include/kernel/page.h \
 kernel/include/kernel/list.h kernel/include/kernel/mm.h \
 kernel/include/kernel/panic.h kernel/include/kernel/printk.h \
 kernel/include/kernel/spinlock.h kernel/include/kernel/string.h
kernel/include/kernel/heap.h:
kernel/include/kernel/types.h:
kernel/include/kernel/page.h:
kernel/include/kernel/list.h:
kernel/include/kernel/mm.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/spinlock.h:
kernel/include/kernel/string.h:
