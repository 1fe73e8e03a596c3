/* Constants shared by assembly and C: control registers, MSRs, selectors. */
#ifndef ARCH_X86_64_ASM_H
#define ARCH_X86_64_ASM_H

#ifdef __ASSEMBLY__
#define KERNEL_VMA 0xffffffff80000000 /* C code has it from kernel/mm.h */
#endif

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_TS (1 << 3)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_NW (1 << 29)
#define CR0_CD (1 << 30)
#define CR0_PG (1 << 31)

#define CR4_PAE (1 << 5)
#define CR4_PGE (1 << 7)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define CR4_FSGSBASE (1 << 16)
#define CR4_OSXSAVE (1 << 18)
#define CR4_SMEP (1 << 20)
#define CR4_SMAP (1 << 21)

#define MSR_EFER 0xc0000080
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_APIC_BASE 0x1b

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_USER_DS 0x1b
#define GDT_USER_CS 0x23
#define GDT_TSS 0x28

/* Offsets into struct cpu used by the trap entry code (checked in cpu.c). */
#define CPU_SELF 0
#define CPU_KSTACK_TOP 8
#define CPU_CURRENT 16
#define CPU_USER_RSP 24

/* Offset of the program's FS base in struct thread (checked in cpu.c). */
#define THREAD_USER_FS 0x38

/* struct trap_frame layout (checked in traps.c). */
#define TF_VECTOR (15 * 8)
#define TF_RIP (17 * 8)
#define TF_CS (18 * 8)
#define TF_RFLAGS (19 * 8)
#define TF_RSP (20 * 8)
#define TF_SS (21 * 8)
#define TF_SIZE (22 * 8)

/* The "vector" of a trap frame built by the syscall entry. */
#define SYSCALL_FRAME_VECTOR 0x100

#endif
