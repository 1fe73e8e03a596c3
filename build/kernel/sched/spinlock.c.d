build/kernel/sched/spinlock.c.o: kernel/sched/spinlock.c \
 kernel/arch/x86_64/cpu.h kernel/include/kernel/list.h \
 kernel/include/kernel/types.h kernel/include/kernel/percpu.h \
 kernel/include/kernel/spinlock.h kernel/arch/x86_64/io.h \
 kernel/arch/x86_64/asm.h kernel/include/kernel/irqflags.h \
 kernel/include/kernel/panic.h kernel/include/kernel/sched.h
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/types.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/io.h:
kernel/arch/x86_64/asm.h:
kernel/include/kernel/irqflags.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/sched.h:
