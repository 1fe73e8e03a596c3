build/kernel/time/timer.c.o: kernel/time/timer.c \
 kernel/arch/x86_64/apic.h kernel/include/kernel/types.h \
 kernel/arch/x86_64/cpu.h kernel/include/kernel/list.h \
 kernel/include/kernel/percpu.h kernel/include/kernel/spinlock.h \
 kernel/arch/x86_64/io.h kernel/arch/x86_64/asm.h \
 kernel/arch/x86_64/traps.h kernel/include/kernel/irqflags.h \
 kernel/include/kernel/panic.h kernel/include/kernel/sched.h \
 kernel/include/kernel/time.h
kernel/arch/x86_64/apic.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/io.h:
kernel/arch/x86_64/asm.h:
kernel/arch/x86_64/traps.h:
kernel/include/kernel/irqflags.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/sched.h:
kernel/include/kernel/time.h:
