	.section .ksyms, "a"
	.p2align 3
	.globl ksym_count, ksym_addrs, ksym_name_offsets, ksym_names
ksym_count: .quad 0
ksym_addrs:
ksym_name_offsets:
ksym_names:
