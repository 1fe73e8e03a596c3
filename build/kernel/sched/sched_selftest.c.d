build/kernel/sched/sched_selftest.c.o: kernel/sched/sched_selftest.c \
 kernel/arch/x86_64/cpu.h kernel/include/kernel/list.h \
 kernel/include/kernel/types.h kernel/include/kernel/percpu.h \
 kernel/include/kernel/spinlock.h kernel/include/kernel/errno.h \
 kernel/include/kernel/heap.h kernel/include/kernel/selftest.h \
 kernel/include/kernel/printk.h kernel/include/kernel/sched.h \
 kernel/include/kernel/thread.h kernel/include/kernel/waitq.h \
 kernel/include/kernel/time.h
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/types.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/include/kernel/errno.h:
kernel/include/kernel/heap.h:
kernel/include/kernel/selftest.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/sched.h:
kernel/include/kernel/thread.h:
kernel/include/kernel/waitq.h:
kernel/include/kernel/time.h:
