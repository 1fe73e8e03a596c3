build/kernel/sched/thread.c.o: kernel/sched/thread.c \
 kernel/arch/x86_64/cpu.h kernel/include/kernel/list.h \
 kernel/include/kernel/types.h kernel/include/kernel/percpu.h \
 kernel/include/kernel/spinlock.h kernel/arch/x86_64/io.h \
 kernel/arch/x86_64/asm.h kernel/include/kernel/errno.h \
 kernel/include/kernel/heap.h kernel/include/kernel/irqflags.h \
 kernel/include/kernel/page.h kernel/include/kernel/mm.h \
 kernel/include/kernel/panic.h kernel/include/kernel/printk.h \
 kernel/include/kernel/sched.h kernel/include/kernel/string.h \
 kernel/include/kernel/time.h kernel/sched/sched_internal.h \
 kernel/include/kernel/thread.h kernel/include/kernel/waitq.h
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/types.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/io.h:
kernel/arch/x86_64/asm.h:
kernel/include/kernel/errno.h:
kernel/include/kernel/heap.h:
kernel/include/kernel/irqflags.h:
kernel/include/kernel/page.h:
kernel/include/kernel/mm.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/sched.h:
kernel/include/kernel/string.h:
kernel/include/kernel/time.h:
kernel/sched/sched_internal.h:
kernel/include/kernel/thread.h:
kernel/include/kernel/waitq.h:
