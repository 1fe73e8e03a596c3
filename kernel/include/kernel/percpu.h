/*
 * The minimal per-CPU interface that portable code (heap, scheduler users,
 * host-testable subsystems) needs. The full per-CPU block is in
 * kernel/arch/x86_64/cpu.h.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <kernel/types.h>

#define MAX_CPUS 64

/* Index of the CPU running the caller, 0..MAX_CPUS-1. */
unsigned cpu_current_id(void);
/*
 * Preemption control: while disabled, the caller stays on this CPU and no
 * other thread runs here. Nests. Interrupts may still arrive.
 */
void preempt_disable(void);
void preempt_enable(void);

#endif
