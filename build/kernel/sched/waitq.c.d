build/kernel/sched/waitq.c.o: kernel/sched/waitq.c \
 kernel/include/kernel/errno.h kernel/include/kernel/types.h \
 kernel/include/kernel/irqflags.h kernel/include/kernel/panic.h \
 kernel/include/kernel/sched.h kernel/include/kernel/thread.h \
 kernel/include/kernel/list.h kernel/include/kernel/waitq.h \
 kernel/include/kernel/spinlock.h kernel/include/kernel/time.h
kernel/include/kernel/errno.h:
kernel/include/kernel/types.h:
kernel/include/kernel/irqflags.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/sched.h:
kernel/include/kernel/thread.h:
kernel/include/kernel/list.h:
kernel/include/kernel/waitq.h:
kernel/include/kernel/spinlock.h:
kernel/include/kernel/time.h:
