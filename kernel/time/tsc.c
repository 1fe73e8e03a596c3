/*
 * TSC calibration and the wall clock.
 *
 * Sources, best first: the KVM clock (the hypervisor states the TSC rate
 * exactly), the hypervisor frequency leaf 0x40000010, CPUID leaves 0x15 and
 * 0x16, and last the PIT: count PIT ticks while the TSC runs. The PIT
 * path measures only 1 ms at boot (the local APIC timer is calibrated in
 * the same window), then a kernel thread measures for a second and
 * refines the rate (clock.c keeps time continuous across the change).
 * Wall time at boot comes from the KVM wall clock or the CMOS RTC.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <kernel/errno.h>
#include <kernel/irqflags.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/waitq.h>

#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define PIT_HZ 1193182ULL

struct pvclock_time {
	volatile uint32_t version;
	uint32_t pad0;
	volatile uint64_t tsc_timestamp;
	volatile uint64_t system_time;
	volatile uint32_t tsc_to_system_mul;
	volatile int8_t tsc_shift;
	volatile uint8_t flags;
	uint8_t pad[2];
} __packed;

struct pvclock_wall {
	volatile uint32_t version;
	volatile uint32_t sec;
	volatile uint32_t nsec;
} __packed;

static struct pvclock_time kvm_time __aligned(64);
static struct pvclock_wall kvm_wall __aligned(64);

static uint64_t tsc_freq;
static const char *calib_source = "none";
static uint64_t boot_wall_ns;
/* Set once the rate is final; refine_done wakes waiters. */
static bool refined;
static struct waitq refine_done = WAITQ_INIT(refine_done);

const char *tsc_calibration_source(void)
{
	return calib_source;
}

uint64_t clock_realtime_ns(void)
{
	return boot_wall_ns + clock_monotonic_ns();
}

/* Reads a consistent KVM clock snapshot; returns its system time in ns. */
static uint64_t kvm_system_time_ns(uint64_t *tsc_out)
{
	uint32_t v;
	uint64_t ns;
	do {
		v = kvm_time.version;
		__asm__ volatile("" : : : "memory");
		uint64_t tsc = rdtsc();
		uint64_t delta = tsc - kvm_time.tsc_timestamp;
		int8_t shift = kvm_time.tsc_shift;
		if (shift >= 0)
			delta <<= shift;
		else
			delta >>= -shift;
		ns = kvm_time.system_time +
		     (uint64_t)(((unsigned __int128)delta *
				 kvm_time.tsc_to_system_mul) >>
				32);
		*tsc_out = tsc;
		__asm__ volatile("" : : : "memory");
	} while ((v & 1) || v != kvm_time.version);
	return ns;
}

static bool calibrate_kvmclock(void)
{
	if (!cpu_features.kvm_clock)
		return false;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, virt_to_phys(&kvm_time) | 1);
	uint64_t mul = kvm_time.tsc_to_system_mul;
	int8_t shift = kvm_time.tsc_shift;
	if (!mul)
		return false;
	/* system_ns = ((tsc << shift) * mul) >> 32, so hz = 1e9 * 2^32 / mul / 2^shift */
	uint64_t hz = (NSEC_PER_SEC << 32) / mul; /* 1e9 * 2^32 < 2^62 */
	if (shift >= 0)
		hz >>= shift;
	else
		hz <<= -shift;
	tsc_freq = hz;
	calib_source = "kvmclock";
	return true;
}

static bool calibrate_cpuid(void)
{
	uint32_t a, b, c, d, max;

	if (cpu_features.hypervisor) {
		cpuid(0x40000000, 0, &max, &b, &c, &d);
		if (max >= 0x40000010) {
			cpuid(0x40000010, 0, &a, &b, &c, &d);
			if (a) {
				tsc_freq = (uint64_t)a * 1000;
				calib_source = "cpuid 0x40000010";
				return true;
			}
		}
	}
	cpuid(0, 0, &max, &b, &c, &d);
	if (max >= 0x15) {
		cpuid(0x15, 0, &a, &b, &c, &d);
		if (a && b && c) {
			tsc_freq = (uint64_t)c * b / a;
			calib_source = "cpuid 0x15";
			return true;
		}
	}
	if (max >= 0x16) {
		cpuid(0x16, 0, &a, &b, &c, &d);
		if (a) {
			tsc_freq = (uint64_t)a * 1000000;
			calib_source = "cpuid 0x16";
			return true;
		}
	}
	return false;
}

static uint16_t pit_read(void)
{
	outb(0x43, 0x00); /* latch channel 0 */
	uint8_t lo = inb(0x40);
	uint8_t hi = inb(0x40);
	return (uint16_t)(lo | (hi << 8));
}

/*
 * Channel 0 in mode 2 counts down from 65535 at 1.193182 MHz, over and
 * over (one period is 55 ms); its interrupt is masked. The PIT is started
 * once and read from then on.
 */
static void pit_start(void)
{
	outb(0x43, 0x34); /* channel 0, lo/hi, mode 2, binary */
	outb(0x40, 0xff);
	outb(0x40, 0xff);
}

/* The PIT count and the TSC, read back to back with interrupts off. */
static uint16_t pit_sample(uint64_t *tsc)
{
	unsigned long flags = local_irq_save();
	uint16_t v = pit_read();
	*tsc = rdtsc();
	local_irq_restore(flags);
	return v;
}

uint64_t pit_measure_tsc(uint64_t pit_ticks)
{
	uint64_t t0, t1;
	uint16_t prev = pit_sample(&t0);
	uint64_t ticks = 0;

	for (long spins = 0; ticks < pit_ticks; spins++) {
		/* A PIT that does not count reads the same forever. */
		if (spins > 1000000 && ticks == 0)
			return 0;
		uint16_t cur = pit_sample(&t1);
		ticks += (uint16_t)(prev - cur);
		prev = cur;
	}
	/* Scale to exactly @pit_ticks: the last read may overshoot. */
	return (t1 - t0) * pit_ticks / ticks;
}

/*
 * 1 ms of PIT time (1193 ticks: 0.2% at worst, refined later), with the
 * local APIC timer counting in the same window when it needs calibrating.
 */
static bool calibrate_pit(void)
{
	uint64_t ticks = PIT_HZ / 1000;

	pit_start();
	lapic_calibrate_begin();
	uint64_t tsc = pit_measure_tsc(ticks);
	if (!tsc)
		return false;
	lapic_calibrate_end(tsc);
	tsc_freq = tsc * PIT_HZ / ticks;
	calib_source = "PIT";
	return true;
}

/*
 * Counts PIT ticks against the TSC for a second, sampling every 10 ms so
 * that no 55 ms wrap of the PIT goes unseen (a late sample is corrected
 * with the rough rate: it tells how many wraps were missed).
 */
static void refine_thread(void *arg)
{
	uint64_t t0, tprev, t1 = 0;
	uint16_t prev = pit_sample(&t0);
	uint64_t ticks = 0;

	tprev = t0;
	while (ticks < PIT_HZ) {
		thread_sleep_ns(10 * NSEC_PER_MSEC);
		uint16_t cur = pit_sample(&t1);
		uint64_t step = (uint16_t)(prev - cur);
		uint64_t expect = (t1 - tprev) * PIT_HZ / tsc_freq;
		while (step + 32768 < expect)
			step += 65536;
		ticks += step;
		prev = cur;
		tprev = t1;
	}
	uint64_t hz = (t1 - t0) * PIT_HZ / ticks;
	clock_set_tsc_hz(hz);
	pr_info("time: TSC refined to %lu.%03lu MHz against 1 s of PIT time",
		hz / 1000000, hz / 1000 % 1000);
	tsc_freq = hz;
	unsigned long flags = spin_lock_irqsave(&refine_done.lock);
	refined = true;
	waitq_wake_all_locked(&refine_done);
	spin_unlock_irqrestore(&refine_done.lock, flags);
}

void time_start_refinement(void)
{
	if (strcmp(calib_source, "PIT") != 0) {
		refined = true;
		return;
	}
	struct thread *t = thread_create("tsc-refine", refine_thread, NULL);
	if (IS_ERR(t)) {
		pr_warn("time: cannot start the TSC refinement; keeping %s",
			calib_source);
		refined = true;
		return;
	}
	thread_detach(t);
}

void time_wait_refined(void)
{
	unsigned long flags = spin_lock_irqsave(&refine_done.lock);
	while (!refined)
		waitq_sleep_locked(&refine_done, &flags, DEADLINE_NONE);
	spin_unlock_irqrestore(&refine_done.lock, flags);
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (v & 0xf) + (v >> 4) * 10 : v;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool wall_from_cmos(uint64_t *ns)
{
	uint8_t status_a = cmos_read(0x0a);
	if (status_a == 0xff)
		return false; /* no RTC: reads float high */
	for (int i = 0; i < 100000 && (cmos_read(0x0a) & 0x80); i++)
		cpu_relax(); /* wait out an update in progress */
	uint8_t sec = cmos_read(0x00), min = cmos_read(0x02),
		hour = cmos_read(0x04), day = cmos_read(0x07),
		mon = cmos_read(0x08), year = cmos_read(0x09);
	bool is_bcd = !(cmos_read(0x0b) & 0x04);
	unsigned y = 2000 + bcd(year, is_bcd), m = bcd(mon, is_bcd),
		 d = bcd(day, is_bcd);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	int64_t secs = days_from_civil(y, m, d) * 86400 +
		       bcd(hour & 0x7f, is_bcd) * 3600 + bcd(min, is_bcd) * 60 +
		       bcd(sec, is_bcd);
	*ns = (uint64_t)secs * NSEC_PER_SEC;
	return true;
}

static const char *init_wall_clock(void)
{
	uint64_t wall;
	if (cpu_features.kvm_clock) {
		wrmsr(MSR_KVM_WALL_CLOCK_NEW, virt_to_phys(&kvm_wall));
		uint32_t v;
		uint64_t base;
		do {
			v = kvm_wall.version;
			base = kvm_wall.sec * NSEC_PER_SEC + kvm_wall.nsec;
		} while ((v & 1) || v != kvm_wall.version);
		uint64_t tsc;
		uint64_t sys = kvm_system_time_ns(&tsc);
		boot_wall_ns = base + sys - clock_tsc_to_monotonic(tsc);
		return "kvm wall clock";
	}
	if (wall_from_cmos(&wall)) {
		boot_wall_ns = wall - clock_monotonic_ns();
		return "CMOS RTC";
	}
	boot_wall_ns = 0;
	return "none (wall clock starts at the epoch)";
}

void time_init(void)
{
	if (!calibrate_kvmclock() && !calibrate_cpuid() && !calibrate_pit()) {
		tsc_freq = 1000000000ULL;
		calib_source = "guess (no clock source found)";
		pr_warn("time: cannot calibrate the TSC; assuming 1 GHz");
	}
	clock_set_tsc_hz(tsc_freq);
	lapic_calibrate_by_delay();
	const char *wall = init_wall_clock();
	pr_info("time: TSC %lu.%03lu MHz (%s)%s, wall clock: %s",
		tsc_freq / 1000000, tsc_freq / 1000 % 1000, calib_source,
		cpu_features.invariant_tsc ? ", invariant" : "", wall);
}
