build/kernel/time/time_selftest.c.o: kernel/time/time_selftest.c \
 kernel/arch/x86_64/io.h kernel/include/kernel/types.h \
 kernel/arch/x86_64/asm.h kernel/include/kernel/selftest.h \
 kernel/include/kernel/printk.h kernel/include/kernel/thread.h \
 kernel/include/kernel/list.h kernel/include/kernel/waitq.h \
 kernel/include/kernel/spinlock.h kernel/include/kernel/time.h
kernel/arch/x86_64/io.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/asm.h:
kernel/include/kernel/selftest.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/thread.h:
kernel/include/kernel/list.h:
kernel/include/kernel/waitq.h:
kernel/include/kernel/spinlock.h:
kernel/include/kernel/time.h:
