/*
 * CPU set-up: feature detection, control registers, the per-CPU block with
 * its GDT, TSS and interrupt stacks, and FPU state management.
 *
 * Third-party code built for user space runs in ring 0 with SSE and AVX, so
 * the FPU is always enabled and its state saved on every thread switch
 * (XSAVE when present, FXSAVE otherwise).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <arch/x86_64/traps.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/thread.h>

BUILD_ASSERT(offsetof(struct cpu, self) == CPU_SELF);
BUILD_ASSERT(offsetof(struct cpu, kstack_top) == CPU_KSTACK_TOP);
BUILD_ASSERT(offsetof(struct cpu, current) == CPU_CURRENT);
BUILD_ASSERT(offsetof(struct cpu, user_rsp) == CPU_USER_RSP);
BUILD_ASSERT(offsetof(struct thread, user_fs) == THREAD_USER_FS);
BUILD_ASSERT(offsetof(struct thread_tcb, stack_guard) == 0x28);

struct cpu_features cpu_features;
uint8_t fsgsbase_enabled;
uint8_t smap_enabled;
struct cpu *cpus[MAX_CPUS];
unsigned nr_cpus;

static struct cpu boot_cpu;
static uint8_t boot_ist_stacks[7 * IST_STACK_SIZE] __aligned(PAGE_SIZE);
/* Clean FPU state copied into every new thread's save area. */
static uint8_t fpu_template[4096] __aligned(64);

#define XCR0_X87 (1 << 0)
#define XCR0_SSE (1 << 1)
#define XCR0_AVX (1 << 2)
#define XCR0_AVX512 (7 << 5)

static void detect_features(void)
{
	struct cpu_features *f = &cpu_features;
	uint32_t a, b, c, d, max;

	cpuid(0, 0, &max, &b, &c, &d);
	cpuid(1, 0, &a, &b, &c, &d);
	f->x2apic = c & (1 << 21);
	f->tsc_deadline = c & (1 << 24);
	f->xsave = c & (1 << 26);
	f->rdrand = c & (1 << 30);
	f->hypervisor = c & (1u << 31);
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		f->fsgsbase = b & (1 << 0);
		f->smep = b & (1 << 7);
		f->smap = b & (1 << 20);
	}
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		f->pdpe1gb = d & (1 << 26);
	}
	if (a >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		f->invariant_tsc = d & (1 << 8);
	}
	if (f->hypervisor) {
		char sig[13];
		cpuid(0x40000000, 0, &a, &b, &c, &d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		sig[12] = 0;
		f->kvm = strcmp(sig, "KVMKVMKVM") == 0;
		if (f->kvm && a >= 0x40000001) {
			cpuid(0x40000001, 0, &a, &b, &c, &d);
			f->kvm_clock = a &
				       (1 << 3); /* KVM_FEATURE_CLOCKSOURCE2 */
		}
	}
}

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv"
			 :
			 : "c"(reg), "a"((uint32_t)v),
			   "d"((uint32_t)(v >> 32)));
}

/* This CPU's FPU on, with the state components the boot CPU chose. */
static void fpu_enable_cpu(void)
{
	struct cpu_features *f = &cpu_features;
	uint64_t cr0 = read_cr0();

	cr0 = (cr0 & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE;
	write_cr0(cr0);
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (f->xsave)
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);
	if (f->xsave)
		xsetbv(0, f->xcr0);
	__asm__ volatile("fninit");
	uint32_t mxcsr = 0x1f80; /* all exceptions masked, round to nearest */
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

/* Boot CPU: choose the state components, enable, keep a clean template. */
static void fpu_enable(void)
{
	struct cpu_features *f = &cpu_features;
	uint64_t cr4 = read_cr4();

	if (f->xsave)
		write_cr4(cr4 | CR4_OSXSAVE);
	if (f->xsave) {
		uint32_t a, b, c, d;
		cpuid(0xd, 0, &a, &b, &c, &d);
		uint64_t supported = ((uint64_t)d << 32) | a;
		f->xcr0 = supported & (XCR0_X87 | XCR0_SSE | XCR0_AVX);
		/* AVX-512 state only as a whole, as the SDM requires. */
		if ((supported & XCR0_AVX512) == XCR0_AVX512 &&
		    (f->xcr0 & XCR0_AVX))
			f->xcr0 |= XCR0_AVX512;
		xsetbv(0, f->xcr0);
		cpuid(0xd, 0, &a, &b, &c, &d);
		f->xsave_size = b;
		cpuid(0xd, 1, &a, &b, &c, &d);
		f->xsaveopt = a & 1;
	} else {
		f->xsave_size = 512;
	}
	if (f->xsave_size > sizeof(fpu_template))
		panic("cpu: XSAVE area of %u bytes is larger than supported",
		      f->xsave_size);
	fpu_enable_cpu();
	fpu_save(fpu_template);
}

void fpu_save(void *area)
{
	if (cpu_features.xsave) {
		uint32_t lo = (uint32_t)cpu_features.xcr0;
		uint32_t hi = (uint32_t)(cpu_features.xcr0 >> 32);
		if (cpu_features.xsaveopt)
			__asm__ volatile("xsaveopt64 (%0)"
					 :
					 : "r"(area), "a"(lo), "d"(hi)
					 : "memory");
		else
			__asm__ volatile("xsave64 (%0)"
					 :
					 : "r"(area), "a"(lo), "d"(hi)
					 : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
	}
}

void fpu_restore(const void *area)
{
	if (cpu_features.xsave) {
		uint32_t lo = (uint32_t)cpu_features.xcr0;
		uint32_t hi = (uint32_t)(cpu_features.xcr0 >> 32);
		__asm__ volatile("xrstor64 (%0)"
				 :
				 : "r"(area), "a"(lo), "d"(hi)
				 : "memory");
	} else {
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
	}
}

void fpu_init_state(void *area)
{
	memcpy(area, fpu_template, cpu_features.xsave_size);
}

void cpu_set_fs_base(uint64_t base)
{
	if (cpu_features.fsgsbase)
		__asm__ volatile("wrfsbase %0" : : "r"(base) : "memory");
	else
		wrmsr(MSR_FS_BASE, base);
}

uint64_t cpu_get_fs_base(void)
{
	uint64_t base;
	if (cpu_features.fsgsbase)
		__asm__ volatile("rdfsbase %0" : "=r"(base));
	else
		base = rdmsr(MSR_FS_BASE);
	return base;
}

static void gdt_build(struct cpu *c)
{
	uint64_t tss = (uint64_t)&c->tss;
	uint64_t limit = sizeof(c->tss) - 1;

	c->gdt[0] = 0;
	c->gdt[1] = 0x00af9a000000ffff; /* kernel code, 64-bit */
	c->gdt[2] = 0x00cf92000000ffff; /* kernel data */
	c->gdt[3] = 0x00cff2000000ffff; /* user data (SYSRET order) */
	c->gdt[4] = 0x00affa000000ffff; /* user code, 64-bit */
	c->gdt[5] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
		    (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
		    (((tss >> 24) & 0xff) << 56);
	c->gdt[6] = tss >> 32;
	for (int i = 0; i < 7; i++)
		c->tss.ist[i] = (uint64_t)(c->ist_stacks +
					   (size_t)(i + 1) * IST_STACK_SIZE);
	c->tss.iomap_base = sizeof(c->tss);
}

void cpu_load_tables(struct cpu *c)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };

	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	/* Reload CS through a far return, then the data segments. */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %1, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 :
			 : "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS)
			 : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
	idt_load();
}

void cpu_struct_init(struct cpu *c, unsigned id, uint8_t *ist_stacks)
{
	c->self = c;
	c->id = id;
	c->ist_stacks = ist_stacks;
	spin_lock_init(&c->rq.lock);
	list_init(&c->rq.ready);
	list_init(&c->rq.dead);
	spin_lock_init(&c->tq.lock);
	list_init(&c->tq.timers);
	c->tq.armed_ns = 0;
}

/* What every CPU sets up for itself: GS, control registers, tables. */
static void cpu_setup(struct cpu *c)
{
	/* Kernel GS base: per-CPU block; the user one stays 0 until ring 3. */
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	if (cpu_features.fsgsbase)
		write_cr4(read_cr4() | CR4_FSGSBASE);
	/* The kernel never runs program code (SMEP) and touches program
	 * memory only through uaccess, which opens SMAP for the copy. */
	if (cpu_features.smep)
		write_cr4(read_cr4() | CR4_SMEP);
	if (cpu_features.smap)
		write_cr4(read_cr4() | CR4_SMAP);
	write_cr4(read_cr4() | CR4_PGE);
	gdt_build(c);
	cpu_load_tables(c);
}

void cpu_init_boot(void)
{
	struct cpu *c = &boot_cpu;

	detect_features();
	fsgsbase_enabled = cpu_features.fsgsbase;
	smap_enabled = cpu_features.smap;
	cpu_struct_init(c, 0, boot_ist_stacks);
	cpus[0] = c;
	nr_cpus = 1;
	idt_init();
	cpu_setup(c);
	fpu_enable();
}

void cpu_init_ap(struct cpu *c)
{
	cpu_setup(c);
	fpu_enable_cpu();
}

uint64_t cpu_online_mask(void)
{
	unsigned n = __atomic_load_n(&nr_cpus, __ATOMIC_ACQUIRE);
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

unsigned cpu_current_id(void)
{
	return this_cpu()->id;
}
