build/kernel/sched/sched.c.o: kernel/sched/sched.c \
 kernel/arch/x86_64/apic.h kernel/include/kernel/types.h \
 kernel/arch/x86_64/cpu.h kernel/include/kernel/list.h \
 kernel/include/kernel/percpu.h kernel/include/kernel/spinlock.h \
 kernel/arch/x86_64/traps.h kernel/arch/x86_64/asm.h \
 kernel/include/kernel/heap.h kernel/include/kernel/irqflags.h \
 kernel/include/kernel/panic.h kernel/include/kernel/printk.h \
 kernel/include/kernel/sched.h kernel/include/kernel/thread.h \
 kernel/include/kernel/waitq.h kernel/include/kernel/time.h \
 kernel/include/kernel/errno.h kernel/sched/sched_internal.h
kernel/arch/x86_64/apic.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/traps.h:
kernel/arch/x86_64/asm.h:
kernel/include/kernel/heap.h:
kernel/include/kernel/irqflags.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/sched.h:
kernel/include/kernel/thread.h:
kernel/include/kernel/waitq.h:
kernel/include/kernel/time.h:
kernel/include/kernel/errno.h:
kernel/sched/sched_internal.h:
