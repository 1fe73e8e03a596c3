build/ksyms.o: build/ksyms.S
