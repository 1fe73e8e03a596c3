/*
 * First C code: brings the machine up in dependency order, then hands over
 * to kernel_main() in the boot thread.
 *
 *   console    serial port, so that any later panic is seen
 *   cpu        features, per-CPU block (GS), GDT/TSS/IST, IDT, FPU
 *   pvh        boot information copied out of loader memory
 *   memory     page tables (pool after the kernel image), page allocator
 *              over the RAM left over, heap
 *   threads    the boot flow becomes a thread; local APIC
 *   time       TSC and APIC timer calibration, clocks (log lines logged
 *              before this get their timestamps when printed)
 *   scheduler  idle thread, timer interrupts; threads that refine the TSC
 *              rate and ready the rest of RAM in the background
 *
 * boot.S has already pointed FS at the boot thread's TCB, so the stack
 * protector works from the first function on.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/pvh.h>
#include <kernel/console.h>
#include <kernel/heap.h>
#include <kernel/init.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/errno.h>
#include <kernel/time.h>

extern const char _kernel_end[];

/* Page-table pages the boot map can hold before the page allocator runs. */
#define PAGING_POOL_PAGES 64
/* RAM the page allocator readies at boot; a thread readies the rest. */
#define PMM_BOOT_BYTES (8 * MiB)

/* Usable RAM for the page allocator: above @floor and outside the initrd. */
static size_t usable_ram(struct mem_range *out, size_t max, phys_addr_t floor)
{
	const struct mem_range *ird = &boot_info.initrd;
	size_t n = 0;

	for (size_t i = 0; i < boot_info.nr_ram; i++) {
		phys_addr_t lo = boot_info.ram[i].base;
		phys_addr_t hi = lo + boot_info.ram[i].size;
		if (lo < floor)
			lo = floor;
		if (hi <= lo)
			continue;
		/* Cut the initrd out: at most two pieces remain. */
		struct mem_range piece[2] = { { lo, hi - lo }, { 0, 0 } };
		if (ird->size && ird->base < hi && ird->base + ird->size > lo) {
			phys_addr_t ilo = ALIGN_DOWN(ird->base, PAGE_SIZE);
			phys_addr_t ihi =
				ALIGN_UP(ird->base + ird->size, PAGE_SIZE);
			piece[0] = (struct mem_range){ lo, ilo > lo ? ilo - lo :
								      0 };
			piece[1] = (struct mem_range){ ihi, hi > ihi ?
								    hi - ihi :
								    0 };
		}
		for (int p = 0; p < 2; p++) {
			if (!piece[p].size)
				continue;
			if (n == max)
				panic("boot: more than %zu RAM ranges", max);
			out[n++] = piece[p];
		}
	}
	return n;
}

static void memory_init(void)
{
	phys_addr_t pool = ALIGN_UP(virt_to_phys(_kernel_end), PAGE_SIZE);
	phys_addr_t pool_end = pool + PAGING_POOL_PAGES * PAGE_SIZE;
	struct mem_range ram[BOOT_MAX_RAM_RANGES + 1];

	if (boot_info.initrd.size && boot_info.initrd.base < pool_end)
		panic("boot: initrd at 0x%lx overlaps the kernel image",
		      boot_info.initrd.base);
	phys_addr_t used =
		paging_init(boot_info.ram, boot_info.nr_ram, pool, pool_end);
	size_t nr = usable_ram(ram, ARRAY_SIZE(ram), used);
	pmm_init(ram, nr, &boot_info.initrd, PMM_BOOT_BYTES);
	paging_use_page_allocator();
	heap_init();
	pr_info("mm: %zu MiB RAM, %zu KiB free after the kernel",
		boot_info.max_ram / MiB, pmm_free_pages() * PAGE_SIZE / KiB);
}

/* Readies the RAM that boot left for later, a chunk at a time. */
static void pmm_deferred_thread(void *arg)
{
	uint64_t t0 = clock_monotonic_ns();
	while (pmm_init_chunk())
		thread_yield();
	pr_info("mm: all RAM ready %lu ms after boot",
		(clock_monotonic_ns() - t0) / NSEC_PER_MSEC);
}

static void memory_init_late(void)
{
	struct thread *t = thread_create("mm-init", pmm_deferred_thread, NULL);
	if (IS_ERR(t)) {
		/* page_alloc() readies RAM on demand all the same. */
		pr_warn("mm: cannot start the RAM initialisation thread");
		return;
	}
	thread_detach(t);
}

__noreturn void kernel_entry(phys_addr_t start_info);
__noreturn void kernel_entry(phys_addr_t start_info)
{
	serial_init();
	cpu_init_boot();
	syscall_init_cpu();
	pvh_parse(start_info);
	memory_init();
	thread_adopt_boot();
	lapic_init();
	time_init();
	sched_init();
	ioapic_init();
	tlb_init();
	smp_boot();
	time_start_refinement();
	memory_init_late();
	pr_info("cpu: %s%s%s, timer %s", cpu_features.kvm ? "KVM" : "no KVM",
		cpu_features.x2apic ? ", x2APIC" : ", xAPIC",
		cpu_features.fsgsbase ? ", FSGSBASE" : "", lapic_timer_mode());
	struct boot_params bp = {
		.cmdline = boot_info.cmdline,
		.cmdline_truncated = boot_info.cmdline_truncated,
		.initrd = boot_info.initrd,
	};
	kernel_main(&bp);
}
