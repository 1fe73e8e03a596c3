build/kernel/arch/x86_64/traps.S.o: kernel/arch/x86_64/traps.S \
 kernel/arch/x86_64/asm.h
kernel/arch/x86_64/asm.h:
