build/kernel/arch/x86_64/paging.c.o: kernel/arch/x86_64/paging.c \
 kernel/arch/x86_64/io.h kernel/include/kernel/types.h \
 kernel/arch/x86_64/asm.h kernel/arch/x86_64/cpu.h \
 kernel/include/kernel/list.h kernel/include/kernel/percpu.h \
 kernel/include/kernel/spinlock.h kernel/arch/x86_64/paging.h \
 kernel/include/kernel/mm.h kernel/include/kernel/page.h \
 kernel/include/kernel/panic.h kernel/include/kernel/printk.h \
 kernel/include/kernel/string.h
kernel/arch/x86_64/io.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/asm.h:
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/paging.h:
kernel/include/kernel/mm.h:
kernel/include/kernel/page.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/string.h:
