build/kernel/arch/x86_64/apic.c.o: kernel/arch/x86_64/apic.c \
 kernel/arch/x86_64/apic.h kernel/include/kernel/types.h \
 kernel/arch/x86_64/cpu.h kernel/include/kernel/list.h \
 kernel/include/kernel/percpu.h kernel/include/kernel/spinlock.h \
 kernel/arch/x86_64/io.h kernel/arch/x86_64/asm.h \
 kernel/arch/x86_64/paging.h kernel/include/kernel/mm.h \
 kernel/arch/x86_64/traps.h kernel/include/kernel/panic.h \
 kernel/include/kernel/printk.h kernel/include/kernel/time.h
kernel/arch/x86_64/apic.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/io.h:
kernel/arch/x86_64/asm.h:
kernel/arch/x86_64/paging.h:
kernel/include/kernel/mm.h:
kernel/arch/x86_64/traps.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/time.h:
