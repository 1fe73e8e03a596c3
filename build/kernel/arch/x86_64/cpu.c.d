build/kernel/arch/x86_64/cpu.c.o: kernel/arch/x86_64/cpu.c \
 kernel/arch/x86_64/cpu.h kernel/include/kernel/list.h \
 kernel/include/kernel/types.h kernel/include/kernel/percpu.h \
 kernel/include/kernel/spinlock.h kernel/arch/x86_64/io.h \
 kernel/arch/x86_64/asm.h kernel/arch/x86_64/traps.h \
 kernel/include/kernel/panic.h kernel/include/kernel/printk.h \
 kernel/include/kernel/string.h kernel/include/kernel/thread.h \
 kernel/include/kernel/waitq.h
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/types.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/io.h:
kernel/arch/x86_64/asm.h:
kernel/arch/x86_64/traps.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/string.h:
kernel/include/kernel/thread.h:
kernel/include/kernel/waitq.h:
