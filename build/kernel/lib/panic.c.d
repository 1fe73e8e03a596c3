build/kernel/lib/panic.c.o: kernel/lib/panic.c kernel/arch/x86_64/traps.h \
 kernel/include/kernel/types.h kernel/arch/x86_64/asm.h \
 kernel/include/kernel/irqflags.h kernel/include/kernel/panic.h \
 kernel/include/kernel/printk.h
kernel/arch/x86_64/traps.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/asm.h:
kernel/include/kernel/irqflags.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
