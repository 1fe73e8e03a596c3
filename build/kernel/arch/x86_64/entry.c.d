build/kernel/arch/x86_64/entry.c.o: kernel/arch/x86_64/entry.c \
 kernel/arch/x86_64/apic.h kernel/include/kernel/types.h \
 kernel/arch/x86_64/cpu.h kernel/include/kernel/list.h \
 kernel/include/kernel/percpu.h kernel/include/kernel/spinlock.h \
 kernel/arch/x86_64/paging.h kernel/include/kernel/mm.h \
 kernel/arch/x86_64/pvh.h kernel/include/kernel/console.h \
 kernel/include/kernel/heap.h kernel/include/kernel/init.h \
 kernel/include/kernel/page.h kernel/include/kernel/panic.h \
 kernel/include/kernel/printk.h kernel/include/kernel/sched.h \
 kernel/include/kernel/time.h
kernel/arch/x86_64/apic.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/paging.h:
kernel/include/kernel/mm.h:
kernel/arch/x86_64/pvh.h:
kernel/include/kernel/console.h:
kernel/include/kernel/heap.h:
kernel/include/kernel/init.h:
kernel/include/kernel/page.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/sched.h:
kernel/include/kernel/time.h:
