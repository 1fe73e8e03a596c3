build/kernel/arch/x86_64/acpi.c.o: kernel/arch/x86_64/acpi.c \
 kernel/arch/x86_64/io.h kernel/include/kernel/types.h \
 kernel/arch/x86_64/asm.h kernel/arch/x86_64/paging.h \
 kernel/include/kernel/mm.h kernel/arch/x86_64/pvh.h \
 kernel/include/kernel/irqflags.h kernel/include/kernel/panic.h \
 kernel/include/kernel/printk.h kernel/include/kernel/string.h
kernel/arch/x86_64/io.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/asm.h:
kernel/arch/x86_64/paging.h:
kernel/include/kernel/mm.h:
kernel/arch/x86_64/pvh.h:
kernel/include/kernel/irqflags.h:
kernel/include/kernel/panic.h:
kernel/include/kernel/printk.h:
kernel/include/kernel/string.h:
