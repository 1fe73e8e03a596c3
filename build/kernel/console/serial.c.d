build/kernel/console/serial.c.o: kernel/console/serial.c \
 kernel/arch/x86_64/io.h kernel/include/kernel/types.h \
 kernel/arch/x86_64/asm.h kernel/include/kernel/cmdline.h \
 kernel/include/kernel/console.h
kernel/arch/x86_64/io.h:
kernel/include/kernel/types.h:
kernel/arch/x86_64/asm.h:
kernel/include/kernel/cmdline.h:
kernel/include/kernel/console.h:
