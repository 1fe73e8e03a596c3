/*
 * Interrupts and exceptions. Every vector enters on an IST stack, because
 * ring-0 code from third parties uses the red zone below %rsp: the CPU must
 * never push a frame onto the interrupted stack. Device interrupts copy
 * their frame onto the interrupted thread's stack (below the red zone)
 * and run there, so the handler may switch threads; exceptions run on
 * their IST stack, shifted down while they run so that they can nest.
 */
#ifndef ARCH_X86_64_TRAPS_H
#define ARCH_X86_64_TRAPS_H

#include <kernel/types.h>
#include <arch/x86_64/asm.h>

struct trap_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

enum {
	VEC_DE = 0,
	VEC_DB = 1,
	VEC_NMI = 2,
	VEC_BP = 3,
	VEC_UD = 6,
	VEC_NM = 7,
	VEC_DF = 8,
	VEC_GP = 13,
	VEC_PF = 14,
	VEC_MC = 18,
	VEC_FIRST_IRQ = 32,
	VEC_TIMER = 32,
	VEC_RESCHED = 0xf0,
	VEC_TLB = 0xf1,
	VEC_SPURIOUS = 0xff,
};

typedef void (*irq_handler_t)(struct trap_frame *tf);

void idt_init(void);
void idt_load(void);
/* Install the handler for a device or IPI vector (>= 32). */
void irq_register(unsigned vector, irq_handler_t handler);
/* A free device vector with @handler installed, or -ENOSPC. */
int irq_alloc_vector(irq_handler_t handler);

/*
 * Exception fix-ups: an instruction listed in the .extable section that
 * faults resumes at its fix-up address instead of panicking. This is how
 * the kernel probes memory it does not trust.
 */
struct extable_entry {
	uint64_t insn;
	uint64_t fixup;
};

/* Reads 8 bytes at @addr; returns 0 or -EFAULT if the read faulted. */
int probe_read_u64(const void *addr, uint64_t *val);

/* Print a symbolised backtrace starting at @rip, walking frame pointers. */
void trap_backtrace(uint64_t rip, uint64_t rbp);
/* Print registers of @tf and a backtrace from its frame pointer. */
void trap_dump(const struct trap_frame *tf);

#endif
