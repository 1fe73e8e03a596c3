build/kernel/arch/x86_64/probe.S.o: kernel/arch/x86_64/probe.S
