build/kernel/arch/x86_64/boot.S.o: kernel/arch/x86_64/boot.S \
 kernel/arch/x86_64/asm.h
kernel/arch/x86_64/asm.h:
