/*
 * TLB shootdown. Every CPU caches translations of the program's pages;
 * after the program's page tables lose a page or a permission (munmap,
 * mprotect, mremap, madvise), the other CPUs must drop their copies before
 * the change counts, and before a freed frame is reused. The CPU making the
 * change flushes itself, then interrupts every other CPU with VEC_TLB and
 * waits until each has flushed the range.
 *
 * One shootdown at a time (shootdown.lock). The caller runs with
 * interrupts on, so a CPU waiting for the lock still answers the one in
 * progress.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/traps.h>
#include <kernel/irqflags.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/time.h>

/* Beyond this many pages a full flush is cheaper than one by one. */
#define FLUSH_ALL_PAGES 64

static struct {
	spinlock_t lock;      /* serialises shootdowns; protects below */
	uintptr_t start, end; /* the range being flushed */
	unsigned pending;     /* CPUs that have not flushed yet */
} shootdown = { .lock = SPINLOCK_INIT };

static void flush_range(uintptr_t start, uintptr_t end)
{
	if ((end - start) / PAGE_SIZE > FLUSH_ALL_PAGES) {
		write_cr3(read_cr3()); /* program pages are not global */
		return;
	}
	for (uintptr_t va = start; va < end; va += PAGE_SIZE)
		invlpg(va);
}

static void tlb_ipi(struct trap_frame *tf)
{
	flush_range(shootdown.start, shootdown.end);
	__atomic_sub_fetch(&shootdown.pending, 1, __ATOMIC_RELEASE);
}

void tlb_init(void)
{
	irq_register(VEC_TLB, tlb_ipi);
}

void tlb_shootdown(uintptr_t start, uintptr_t end)
{
	unsigned n = __atomic_load_n(&nr_cpus, __ATOMIC_ACQUIRE);

	ASSERT(irqs_enabled());
	spin_lock(&shootdown.lock);
	flush_range(start, end);
	if (n > 1) {
		struct cpu *me = this_cpu();
		shootdown.start = start;
		shootdown.end = end;
		__atomic_store_n(&shootdown.pending, n - 1, __ATOMIC_RELEASE);
		for (unsigned i = 0; i < n; i++)
			if (cpus[i] && cpus[i] != me)
				lapic_send_ipi(cpus[i]->apic_id, VEC_TLB);
		uint64_t deadline = clock_monotonic_ns() + NSEC_PER_SEC;
		while (__atomic_load_n(&shootdown.pending, __ATOMIC_ACQUIRE)) {
			if (clock_monotonic_ns() > deadline) {
				pr_err("tlb: %u CPUs did not flush within 1 s",
				       shootdown.pending);
				break;
			}
			cpu_relax();
		}
	}
	spin_unlock(&shootdown.lock);
}
