/*
 * IDT set-up, exception handling and interrupt dispatch.
 *
 * An exception in the kernel is fatal unless the faulting instruction has a
 * fix-up (.extable): then it resumes there. A fatal one prints the vector,
 * error code, registers and a symbolised backtrace, and ends the VM with
 * EXIT_PANIC.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <arch/x86_64/traps.h>
#include <kernel/errno.h>
#include <kernel/ksyms.h>
#include <kernel/spinlock.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>

BUILD_ASSERT(offsetof(struct trap_frame, vector) == TF_VECTOR);
BUILD_ASSERT(offsetof(struct trap_frame, cs) == TF_CS);
BUILD_ASSERT(offsetof(struct trap_frame, rsp) == TF_RSP);
BUILD_ASSERT(sizeof(struct trap_frame) == TF_SIZE);

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t zero;
} __packed;

static struct idt_gate idt[256] __aligned(16);
static irq_handler_t irq_handlers[256];
extern const uint64_t trap_stubs[256];
extern const struct extable_entry __start_extable[], __stop_extable[];

static const char *const exception_names[32] = {
	[0] = "divide error",
	[1] = "debug",
	[2] = "non-maskable interrupt",
	[3] = "breakpoint",
	[4] = "overflow",
	[5] = "bound range exceeded",
	[6] = "invalid opcode",
	[7] = "device not available",
	[8] = "double fault",
	[10] = "invalid TSS",
	[11] = "segment not present",
	[12] = "stack-segment fault",
	[13] = "general protection fault",
	[14] = "page fault",
	[16] = "x87 floating-point error",
	[17] = "alignment check",
	[18] = "machine check",
	[19] = "SIMD floating-point error",
	[20] = "virtualization exception",
	[21] = "control protection fault",
};

static unsigned ist_for_vector(unsigned vector)
{
	switch (vector) {
	case VEC_DF:
		return IST_DF;
	case VEC_NMI:
		return IST_NMI;
	case VEC_MC:
		return IST_MC;
	case VEC_PF:
		return IST_PF;
	case VEC_DB:
	case VEC_BP:
		return IST_DB;
	default:
		return vector >= VEC_FIRST_IRQ ? IST_IRQ : IST_EXC;
	}
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = trap_stubs[v];
		idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)a,
			.selector = GDT_KERNEL_CS,
			.ist = (uint8_t)ist_for_vector(v),
			.type_attr = 0x8e, /* present, DPL 0, interrupt gate */
			.offset_mid = (uint16_t)(a >> 16),
			.offset_hi = (uint32_t)(a >> 32),
		};
	}
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void irq_register(unsigned vector, irq_handler_t handler)
{
	ASSERT(vector >= VEC_FIRST_IRQ && vector < 256);
	irq_handlers[vector] = handler;
}

/* Device vectors are handed out from here up, below the IPI vectors. */
#define VEC_DEVICE_FIRST 0x30
#define VEC_DEVICE_LAST 0xdf

int irq_alloc_vector(irq_handler_t handler)
{
	static spinlock_t lock = SPINLOCK_INIT; /* irq_handlers, device range */
	int ret = -ENOSPC;
	unsigned long flags = spin_lock_irqsave(&lock);
	for (unsigned v = VEC_DEVICE_FIRST; v <= VEC_DEVICE_LAST; v++) {
		if (!irq_handlers[v]) {
			irq_handlers[v] = handler;
			ret = (int)v;
			break;
		}
	}
	spin_unlock_irqrestore(&lock, flags);
	return ret;
}

static const struct extable_entry *extable_find(uint64_t rip)
{
	for (const struct extable_entry *e = __start_extable;
	     e < __stop_extable; e++)
		if (e->insn == rip)
			return e;
	return NULL;
}

void trap_backtrace(uint64_t rip, uint64_t rbp)
{
	char sym[96];

	ksym_format(rip, sym, sizeof(sym));
	console_printf("backtrace:\n  [<%016lx>] %s\n", rip, sym);
	for (int depth = 0; depth < 32 && rbp; depth++) {
		uint64_t next, ret;
		if ((rbp & 7) || probe_read_u64((void *)rbp, &next) ||
		    probe_read_u64((void *)(rbp + 8), &ret))
			break;
		uint64_t off, size;
		if (!ksym_lookup(ret, &off, &size))
			break; /* left the kernel text: boot code or garbage */
		ksym_format(ret, sym, sizeof(sym));
		console_printf("  [<%016lx>] %s\n", ret, sym);
		if (next <= rbp)
			break;
		rbp = next;
	}
}

void trap_dump(const struct trap_frame *tf)
{
	console_printf("RIP: %04lx:%016lx RFLAGS: %016lx\n"
		       "RSP: %04lx:%016lx ERR: %016lx\n"
		       "RAX: %016lx RBX: %016lx RCX: %016lx\n"
		       "RDX: %016lx RSI: %016lx RDI: %016lx\n"
		       "RBP: %016lx R8:  %016lx R9:  %016lx\n"
		       "R10: %016lx R11: %016lx R12: %016lx\n"
		       "R13: %016lx R14: %016lx R15: %016lx\n"
		       "CR2: %016lx CR3: %016lx FS:  %016lx\n",
		       tf->cs, tf->rip, tf->rflags, tf->ss, tf->rsp, tf->error,
		       tf->rax, tf->rbx, tf->rcx, tf->rdx, tf->rsi, tf->rdi,
		       tf->rbp, tf->r8, tf->r9, tf->r10, tf->r11, tf->r12,
		       tf->r13, tf->r14, tf->r15, read_cr2(), read_cr3(),
		       cpu_get_fs_base());
	trap_backtrace(tf->rip, tf->rbp);
}

void trap_exception(struct trap_frame *tf);
void trap_exception(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();
	unsigned slot = ist_for_vector((unsigned)tf->vector);

	/* Give a nested exception on this vector fresh stack below ours. */
	c->tss.ist[slot - 1] -= IST_NEST_SLICE;

	const struct extable_entry *fix = NULL;
	if (!(tf->cs & 3) && tf->vector != VEC_DF)
		fix = extable_find(tf->rip);
	if (fix) {
		tf->rip = fix->fixup;
		c->tss.ist[slot - 1] += IST_NEST_SLICE;
		return;
	}

	const char *name = exception_names[tf->vector & 31];
	panic_begin();
	console_printf(
		"\nexception: %s (vector %lu) error code 0x%lx in %s on CPU %u\n",
		name ? name : "reserved", tf->vector, tf->error,
		(tf->cs & 3) ? "user mode" : "kernel mode", c->id);
	if (tf->vector == VEC_PF)
		console_printf("page fault at address 0x%lx (%s, %s%s)\n",
			       read_cr2(),
			       (tf->error & 1) ? "protection violation" :
						 "page not present",
			       (tf->error & 2) ? "write" : "read",
			       (tf->error & 16) ? ", instruction fetch" : "");
	trap_dump(tf);
	panic_end(EXIT_PANIC);
}

void trap_irq_dispatch(struct trap_frame *tf);
void trap_irq_dispatch(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();
	unsigned vector = (unsigned)tf->vector;
	irq_handler_t handler = irq_handlers[vector];

	c->irq_depth++;
	c->nr_irqs++;
	if (handler) {
		handler(tf);
	} else if (vector != VEC_SPURIOUS) {
		static bool warned[256];
		if (!warned[vector]) {
			warned[vector] = true;
			pr_warn("irq: unexpected interrupt on vector %u",
				vector);
		}
	}
	if (vector != VEC_SPURIOUS)
		lapic_eoi();
	c->irq_depth--;
	/* Preempt only when the interrupted code allowed it. */
	if (c->need_resched && c->preempt_count == 0 && c->irq_depth == 0)
		schedule();
}
