/*
 * The monotonic clock: nanoseconds since the kernel's first instruction,
 * computed from the TSC as
 *
 *     ns = ns_base + (tsc - tsc_base) * ns_mult / 2^32
 *
 * The rate may change once after boot: where the TSC was calibrated against
 * the PIT over a short window (to keep the boot fast), a kernel thread
 * measures the PIT again over a second and installs the better rate. The
 * change re-bases the line at the current instant, so time stays
 * continuous and monotonic; readers see a consistent (base, mult) through
 * a sequence count.
 */
#include <arch/x86_64/io.h>
#include <kernel/irqflags.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>

static struct {
	uint32_t seq; /* odd while an update is in progress */
	uint64_t tsc_base, ns_base;
	uint64_t ns_mult;  /* ns per TSC tick, << 32 */
	uint64_t tsc_mult; /* TSC ticks per ns, << 32 */
	uint64_t hz;
} clk;
static spinlock_t clk_update_lock = SPINLOCK_INIT; /* serialises writers */

/* a * b >> 32, for a TSC or ns delta and a 32.32 multiplier. */
static uint64_t mul_shift(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 32);
}

struct clock_snapshot {
	uint64_t tsc_base, ns_base, ns_mult, tsc_mult;
};

static void clock_read_params(struct clock_snapshot *s)
{
	uint32_t seq;
	do {
		seq = __atomic_load_n(&clk.seq, __ATOMIC_ACQUIRE);
		s->tsc_base = clk.tsc_base;
		s->ns_base = clk.ns_base;
		s->ns_mult = clk.ns_mult;
		s->tsc_mult = clk.tsc_mult;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) ||
		 seq != __atomic_load_n(&clk.seq, __ATOMIC_RELAXED));
}

static uint64_t to_ns(const struct clock_snapshot *s, uint64_t tsc)
{
	if (tsc >= s->tsc_base)
		return s->ns_base + mul_shift(tsc - s->tsc_base, s->ns_mult);
	uint64_t back = mul_shift(s->tsc_base - tsc, s->ns_mult);
	return back < s->ns_base ? s->ns_base - back : 0;
}

uint64_t clock_tsc_to_monotonic(uint64_t tsc)
{
	struct clock_snapshot s;
	clock_read_params(&s);
	return to_ns(&s, tsc);
}

uint64_t clock_monotonic_to_tsc(uint64_t ns)
{
	struct clock_snapshot s;
	clock_read_params(&s);
	if (ns >= s.ns_base)
		return s.tsc_base + mul_shift(ns - s.ns_base, s.tsc_mult);
	return s.tsc_base - mul_shift(s.ns_base - ns, s.tsc_mult);
}

uint64_t clock_read_tsc(void)
{
	return rdtsc();
}

uint64_t clock_monotonic_ns(void)
{
	return clock_tsc_to_monotonic(rdtsc());
}

uint64_t tsc_to_ns(uint64_t delta)
{
	return mul_shift(delta,
			 __atomic_load_n(&clk.ns_mult, __ATOMIC_RELAXED));
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return mul_shift(ns, __atomic_load_n(&clk.tsc_mult, __ATOMIC_RELAXED));
}

uint64_t tsc_hz(void)
{
	return clk.hz;
}

void udelay_ns(uint64_t ns)
{
	uint64_t end = rdtsc() + ns_to_tsc(ns);
	while (rdtsc() < end)
		cpu_relax();
}

void clock_set_tsc_hz(uint64_t hz)
{
	unsigned long flags = spin_lock_irqsave(&clk_update_lock);
	uint64_t now = rdtsc();
	uint64_t ns_now = clk.ns_mult ? clock_tsc_to_monotonic(now) : 0;

	__atomic_store_n(&clk.seq, clk.seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (clk.ns_mult) {
		clk.tsc_base = now;
		clk.ns_base = ns_now;
	} else {
		/* First calibration: time 0 is the first instruction. */
		clk.tsc_base = boot_tsc;
		clk.ns_base = 0;
	}
	clk.hz = hz;
	clk.ns_mult = (NSEC_PER_SEC << 32) / hz;
	/* (hz << 32) / 1e9 without 128-bit division. */
	clk.tsc_mult = ((hz / NSEC_PER_SEC) << 32) +
		       ((hz % NSEC_PER_SEC) << 32) / NSEC_PER_SEC;
	__atomic_store_n(&clk.seq, clk.seq + 1, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&clk_update_lock, flags);
}
