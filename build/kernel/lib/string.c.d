build/kernel/lib/string.c.o: kernel/lib/string.c \
 kernel/include/kernel/heap.h kernel/include/kernel/types.h \
 kernel/include/kernel/string.h
kernel/include/kernel/heap.h:
kernel/include/kernel/types.h:
kernel/include/kernel/string.h:
