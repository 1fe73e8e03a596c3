build/kernel/arch/x86_64/arch_selftest.c.o: \
 kernel/arch/x86_64/arch_selftest.c kernel/arch/x86_64/cpu.h \
 kernel/include/kernel/list.h kernel/include/kernel/types.h \
 kernel/include/kernel/percpu.h kernel/include/kernel/spinlock.h \
 kernel/arch/x86_64/paging.h kernel/include/kernel/mm.h \
 kernel/arch/x86_64/traps.h kernel/arch/x86_64/asm.h \
 kernel/include/kernel/errno.h kernel/include/kernel/selftest.h \
 kernel/include/kernel/printk.h
kernel/arch/x86_64/cpu.h:
kernel/include/kernel/list.h:
kernel/include/kernel/types.h:
kernel/include/kernel/percpu.h:
kernel/include/kernel/spinlock.h:
kernel/arch/x86_64/paging.h:
kernel/include/kernel/mm.h:
kernel/arch/x86_64/traps.h:
kernel/arch/x86_64/asm.h:
kernel/include/kernel/errno.h:
kernel/include/kernel/selftest.h:
kernel/include/kernel/printk.h:
