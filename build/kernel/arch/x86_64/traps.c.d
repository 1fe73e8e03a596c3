build/kernel/arch/x86_64/traps.c.o: kernel/arch/x86_64/traps.c \
 kernel/arch/x86_64/apic.h kernel/include/kernel/types.h \
 kernel/arch/x86_64/cpu.h kernel/include/kernel/list.h \
 kernel/include/kernel/percpu.h kernel/include/kernel/spinlock.h \
 kernel/arch/x86_64/io.h kernel/arch/x86_64/asm.h \
 kernel/arch/x86_64/traps.h kernel/include/kernel/ksyms.h \
 kernel/include/kernel/panic.h kernel/include/kernel/printk.h \
 kernel/include/kernel/sched.h
kernel/arch/x86_64/apic.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/io.h:
kernel/arch/x86_64/asm.h:
kernel/arch/x86_64/traps.h:
kernel/include/kernel/ksyms.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/sched.h:
