/*
 * Bringing up the other CPUs. The ACPI MADT lists the local APIC of every
 * CPU; for each enabled one but our own, the boot CPU prepares a per-CPU
 * block, IST stacks and an idle thread, copies the real-mode trampoline
 * (ap_boot.S) below 1 MiB, and sends INIT and STARTUP IPIs. The new CPU
 * sets itself up (ap_start) and reports in; it is counted online only
 * then, so the scheduler never sees a CPU that cannot run threads. A CPU
 * that does not answer within a second is reported and left out.
 *
 * CPUs are started one at a time: they share the trampoline and the
 * ap_boot_* words below.
 */
#include <arch/x86_64/acpi.h>
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <arch/x86_64/paging.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/irqflags.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>

#define AP_TRAMPOLINE_PHYS 0x8000

extern const char ap_trampoline[], ap_trampoline_end[], ap_tramp_cr3[],
	ap_tramp_entry[];
void ap_entry64(void);
__noreturn void ap_start(struct cpu *c);

/* Handed to the AP being started (read by ap_entry64). */
uint64_t ap_boot_cr3, ap_boot_stack, ap_boot_thread;
struct cpu *ap_boot_cpu;
static volatile bool ap_started;

/* MADT entry types. */
#define MADT_LAPIC 0
#define MADT_X2APIC 9
#define MADT_ENABLED 1

/* APIC ids of the enabled CPUs, from the MADT; returns how many. */
static unsigned madt_apic_ids(uint32_t *ids, unsigned max)
{
	const struct acpi_header *madt = acpi_find_table("APIC");
	unsigned n = 0;
	if (!madt)
		return 0;
	const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8;
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t id, flags;
		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			id = p[3];
			memcpy(&flags, p + 4, 4);
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
		} else {
			p += p[1];
			continue;
		}
		if ((flags & MADT_ENABLED) && n < max)
			ids[n++] = id;
		p += p[1];
	}
	return n;
}

static bool wait_started(uint64_t ns)
{
	uint64_t end = clock_monotonic_ns() + ns;
	while (!__atomic_load_n(&ap_started, __ATOMIC_ACQUIRE))
		if (clock_monotonic_ns() > end)
			return false;
	return true;
}

static bool start_cpu(unsigned id, uint32_t apic_id)
{
	struct cpu *c = kzalloc(sizeof(*c));
	uint8_t *ist = page_alloc(7 * IST_STACK_SIZE / PAGE_SIZE);
	if (!c || !ist) {
		pr_warn("smp: no memory for CPU %u", id);
		goto err_free;
	}
	cpu_struct_init(c, id, ist);
	c->apic_id = apic_id;
	struct thread *idle = sched_create_idle(c);
	if (IS_ERR(idle))
		goto err_free;

	ap_boot_cpu = c;
	ap_boot_stack = (uint64_t)idle->stack + idle->stack_size;
	ap_boot_thread = (uint64_t)idle;
	__atomic_store_n(&ap_started, false, __ATOMIC_RELEASE);
	cpus[id] = c;

	lapic_send_init(apic_id);
	uint8_t vector = AP_TRAMPOLINE_PHYS >> 12;
	/* A second STARTUP only if the first was missed, as the MP spec says. */
	for (int tries = 0; tries < 2; tries++) {
		lapic_send_startup(apic_id, vector);
		if (wait_started(tries ? NSEC_PER_SEC : 10 * NSEC_PER_MSEC))
			return true;
	}
	pr_warn("smp: CPU %u (APIC id %u) did not start; going on without it",
		id, apic_id);
	cpus[id] = NULL;
	return false; /* its memory stays: it may still wake up and use it */

err_free:
	kfree(c);
	if (ist)
		page_free(ist, 7 * IST_STACK_SIZE / PAGE_SIZE);
	return false;
}

void smp_boot(void)
{
	uint32_t ids[MAX_CPUS];
	unsigned n = madt_apic_ids(ids, MAX_CPUS);
	uint32_t self = lapic_id();

	if (n <= 1)
		return;
	memcpy(phys_to_virt(AP_TRAMPOLINE_PHYS), ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));
	char *t = phys_to_virt(AP_TRAMPOLINE_PHYS);
	uint32_t boot_cr3 = (uint32_t)paging_boot_tables();
	uint64_t entry = (uint64_t)ap_entry64;
	memcpy(t + (ap_tramp_cr3 - ap_trampoline), &boot_cr3, 4);
	memcpy(t + (ap_tramp_entry - ap_trampoline), &entry, 8);
	ap_boot_cr3 = read_cr3();

	uint64_t t0 = clock_monotonic_ns();
	for (unsigned i = 0; i < n; i++) {
		if (ids[i] == self)
			continue;
		unsigned id = nr_cpus;
		if (start_cpu(id, ids[i]))
			__atomic_store_n(&nr_cpus, id + 1, __ATOMIC_RELEASE);
	}
	pr_info("smp: %u CPUs online (%lu us to start them)", nr_cpus,
		(clock_monotonic_ns() - t0) / NSEC_PER_USEC);
}

__noreturn void ap_start(struct cpu *c)
{
	cpu_init_ap(c);
	syscall_init_cpu();
	lapic_init();
	__atomic_store_n(&ap_started, true, __ATOMIC_RELEASE);
	sched_run_idle();
}
