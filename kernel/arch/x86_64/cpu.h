/*
 * Per-CPU state and CPU features. %gs always points at this CPU's struct
 * cpu in the kernel (swapgs on entry from ring 3), so this_cpu() is one
 * load. The first two fields are read by the trap entry code.
 */
#ifndef ARCH_X86_64_CPU_H
#define ARCH_X86_64_CPU_H

#include <kernel/list.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>
#include <kernel/types.h>

struct thread;

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

/* Interrupt stack table slots (TSS ist[] index + 1). */
enum ist_slot {
	IST_IRQ = 1, /* device interrupts and IPIs; left at once */
	IST_DF = 2,
	IST_NMI = 3,
	IST_MC = 4,
	IST_PF = 5,
	IST_DB = 6,
	IST_EXC = 7, /* every other exception */
};
#define IST_STACK_SIZE (32 * KiB)
/* Exception handlers shift their IST down by this much so nesting works. */
#define IST_NEST_SLICE (8 * KiB)

/* Per-CPU run queue: threads ready to run here; rq.lock protects all. */
struct runqueue {
	spinlock_t lock;
	struct list_node ready; /* threads in state READY, FIFO */
	unsigned nr_ready;
	struct list_node dead; /* exited detached threads to free */
};

/* Per-CPU timer queue; lock protects the list. */
struct timer_queue {
	spinlock_t lock;
	struct list_node timers; /* struct timer, sorted by deadline */
	uint64_t armed_ns;	 /* the local APIC's deadline; 0: none */
};

struct cpu {
	struct cpu *self;	/* CPU_SELF */
	uint64_t kstack_top;	/* CPU_KSTACK_TOP: stack for ring-3 entries */
	struct thread *current; /* CPU_CURRENT */
	uint64_t user_rsp;	/* CPU_USER_RSP: scratch at syscall entry */
	struct thread *idle;
	unsigned id;
	uint32_t apic_id;
	int preempt_count; /* >0: no preemption on this CPU */
	int irq_depth;	   /* >0: in an interrupt handler */
	int locks_held;	   /* spinlocks this CPU holds */
	uint64_t kicks;	   /* CPUs to send VEC_RESCHED once none is held */
	bool need_resched;
	uint64_t slice_end_ns; /* when the running thread's slice ends */
	uint64_t nr_switches;
	uint64_t nr_irqs;
	struct runqueue rq;
	struct timer_queue tq;
	uint64_t gdt[7] __aligned(16);
	struct tss tss __aligned(16);
	uint8_t *ist_stacks; /* 7 stacks of IST_STACK_SIZE */
};

extern struct cpu *cpus[MAX_CPUS];
extern unsigned nr_cpus;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* CPU features found at boot. */
struct cpu_features {
	bool x2apic, tsc_deadline, fsgsbase, xsave, xsaveopt, pdpe1gb;
	bool invariant_tsc, hypervisor, kvm, kvm_clock, rdrand, smep, smap;
	uint32_t xsave_size; /* bytes of the XSAVE area for enabled state */
	uint64_t xcr0;
};
extern struct cpu_features cpu_features;

/* Boot CPU: detect features, enable SSE/XSAVE/FSGSBASE, set up per-CPU. */
void cpu_init_boot(void);
/* Bit i set for each CPU i that runs. */
uint64_t cpu_online_mask(void);
/* SYSCALL/SYSRET MSRs for this CPU (usermode.c). */
void syscall_init_cpu(void);
/* Fills a new per-CPU block (run queue, timers, IST stacks). */
void cpu_struct_init(struct cpu *c, unsigned id, uint8_t *ist_stacks);
/* An application processor sets itself up like the boot CPU did. */
void cpu_init_ap(struct cpu *c);
/* Starts the other CPUs the firmware lists (smp.c); after the scheduler. */
void smp_boot(void);
/* Load this CPU's GDT, TSS and IDT. */
void cpu_load_tables(struct cpu *c);
/* 1 when FSGSBASE instructions are enabled; read by the entry code. */
extern uint8_t fsgsbase_enabled;
/* 1 when SMAP is on: uaccess opens program memory with stac/clac. */
extern uint8_t smap_enabled;
/* Set the FS base (the TCB pointer kernel code reads %fs:0x28 from). */
void cpu_set_fs_base(uint64_t base);
uint64_t cpu_get_fs_base(void);

/* FPU/SSE/AVX state save and restore for context switches. */
void fpu_save(void *area);
void fpu_restore(const void *area);
/* Fill @area with the clean initial FPU state. */
void fpu_init_state(void *area);

#endif
