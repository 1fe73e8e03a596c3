/*
 * Local APIC driver. The legacy 8259 PICs are masked: every interrupt the
 * kernel uses arrives through the local APIC.
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

#define APIC_REG_ID 0x20
#define APIC_REG_EOI 0xb0
#define APIC_REG_SVR 0xf0
#define APIC_REG_ICR 0x300
#define APIC_REG_ICR_HI 0x310
#define APIC_REG_LVT_TIMER 0x320
#define APIC_REG_TIMER_INIT 0x380
#define APIC_REG_TIMER_CUR 0x390
#define APIC_REG_TIMER_DIV 0x3e0

#define APIC_BASE_ENABLE (1 << 11)
#define APIC_BASE_X2APIC (1 << 10)
#define LVT_MASKED (1 << 16)
#define LVT_TSC_DEADLINE (2 << 17)

static volatile uint32_t *xapic_mmio;
static bool use_x2apic, use_deadline;
/* One-shot mode: APIC timer ticks per 2^32 TSC ticks. */
static uint64_t lapic_per_tsc_fp32;

static uint32_t apic_read(uint32_t reg)
{
	if (use_x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return xapic_mmio[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (use_x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		xapic_mmio[reg / 4] = v;
}

void lapic_eoi(void)
{
	apic_write(APIC_REG_EOI, 0);
}

uint32_t lapic_id(void)
{
	uint32_t id = apic_read(APIC_REG_ID);
	return use_x2apic ? id : id >> 24;
}

static void pic_mask_all(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

bool lapic_needs_calibration(void)
{
	return !use_deadline && !lapic_per_tsc_fp32;
}

void lapic_calibrate_begin(void)
{
	if (!lapic_needs_calibration())
		return;
	apic_write(APIC_REG_TIMER_DIV, 0x3); /* divide by 16 */
	apic_write(APIC_REG_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	apic_write(APIC_REG_TIMER_INIT, 0xffffffff);
}

void lapic_calibrate_end(uint64_t tsc_elapsed)
{
	if (!lapic_needs_calibration())
		return;
	uint64_t ticks = 0xffffffffu - apic_read(APIC_REG_TIMER_CUR);
	apic_write(APIC_REG_TIMER_INIT, 0);
	if (ticks == 0 || tsc_elapsed == 0)
		panic("apic: timer does not count; cannot schedule");
	lapic_per_tsc_fp32 = (ticks << 32) / tsc_elapsed;
	apic_write(APIC_REG_LVT_TIMER, VEC_TIMER); /* unmasked, one-shot */
}

void lapic_calibrate_by_delay(void)
{
	if (!lapic_needs_calibration())
		return;
	lapic_calibrate_begin();
	uint64_t t0 = rdtsc();
	udelay_ns(500 * NSEC_PER_USEC); /* ~30k ticks at QEMU's rate */
	lapic_calibrate_end(rdtsc() - t0);
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	pic_mask_all();
	use_x2apic = cpu_features.x2apic;
	if (use_x2apic) {
		wrmsr(MSR_APIC_BASE,
		      base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	} else {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
		if (!xapic_mmio)
			xapic_mmio = ioremap(base & ~0xfffULL, PAGE_SIZE);
	}
	/* Software-enable, spurious vector 0xff. */
	apic_write(APIC_REG_SVR, 0x100 | VEC_SPURIOUS);
	use_deadline = cpu_features.tsc_deadline;
	if (use_deadline) {
		apic_write(APIC_REG_LVT_TIMER, LVT_TSC_DEADLINE | VEC_TIMER);
	} else {
		/* One-shot mode; masked until calibrated (time_init). */
		apic_write(APIC_REG_TIMER_DIV, 0x3);
		apic_write(APIC_REG_LVT_TIMER,
			   (lapic_per_tsc_fp32 ? 0 : LVT_MASKED) | VEC_TIMER);
	}
	this_cpu()->apic_id = lapic_id();
}

void lapic_timer_at(uint64_t tsc)
{
	if (use_deadline) {
		wrmsr(MSR_TSC_DEADLINE, tsc ? tsc : 1);
		return;
	}
	uint64_t now = rdtsc();
	uint64_t delta = tsc > now ? tsc - now : 0;
	unsigned __int128 count = (unsigned __int128)delta * lapic_per_tsc_fp32;
	uint64_t c = (uint64_t)(count >> 32);
	if (c == 0)
		c = 1;
	if (c > 0xffffffffu)
		c = 0xffffffffu;
	apic_write(APIC_REG_TIMER_INIT, (uint32_t)c);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	if (use_x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | vector);
	} else {
		/* An interrupt's own IPI between the two would retarget it. */
		unsigned long flags = local_irq_save();
		apic_write(APIC_REG_ICR_HI, apic_id << 24);
		apic_write(APIC_REG_ICR, vector);
		local_irq_restore(flags);
	}
}

/* ICR: INIT (level assert), and STARTUP with the trampoline page. */
#define ICR_INIT 0x4500
#define ICR_STARTUP 0x4600
#define ICR_PENDING (1 << 12)

static void send_icr(uint32_t apic_id, uint32_t low)
{
	if (use_x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | low);
		return;
	}
	apic_write(APIC_REG_ICR_HI, apic_id << 24);
	apic_write(APIC_REG_ICR, low);
	for (int i = 0; i < 100000 && (apic_read(APIC_REG_ICR) & ICR_PENDING);
	     i++)
		cpu_relax();
}

void lapic_send_init(uint32_t apic_id)
{
	send_icr(apic_id, ICR_INIT);
}

void lapic_send_startup(uint32_t apic_id, uint8_t page)
{
	send_icr(apic_id, ICR_STARTUP | page);
}

const char *lapic_timer_mode(void)
{
	return use_deadline ? "TSC-deadline" : "one-shot";
}
