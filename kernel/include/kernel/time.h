/*
 * Time. The TSC is the clock source: calibrated at boot (KVM clock, CPUID
 * frequency leaves, or the PIT), it gives monotonic nanoseconds since boot.
 * Wall-clock time is the boot wall time (KVM wall clock, CMOS RTC, or the
 * epoch when neither exists) plus monotonic time.
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <kernel/list.h>
#include <kernel/types.h>

#define NSEC_PER_USEC 1000UL
#define NSEC_PER_MSEC 1000000UL
#define NSEC_PER_SEC 1000000000UL

/* TSC value at the kernel's first instruction (boot.S). */
extern uint64_t boot_tsc;

/* Calibrates the TSC (and the APIC timer with it); local APIC up first. */
void time_init(void);
/* After the scheduler runs: refine a rough calibration in the background. */
void time_start_refinement(void);
/* Sleeps until the TSC rate is final (at once when it already is). */
void time_wait_refined(void);
uint64_t tsc_hz(void);
/* Which source calibrated the TSC, for the log and the self-tests. */
const char *tsc_calibration_source(void);
/* Nanoseconds since the first kernel instruction. */
uint64_t clock_monotonic_ns(void);
/* Nanoseconds since 1970-01-01 UTC. */
uint64_t clock_realtime_ns(void);
/* The raw TSC, for timestamps taken now and converted later. */
uint64_t clock_read_tsc(void);
/* An absolute TSC reading as monotonic time, and back. */
uint64_t clock_tsc_to_monotonic(uint64_t tsc);
uint64_t clock_monotonic_to_tsc(uint64_t ns);
/* Durations, at the current rate. */
uint64_t tsc_to_ns(uint64_t tsc_delta);
uint64_t ns_to_tsc(uint64_t ns);
/* Installs a TSC rate; monotonic time stays continuous. */
void clock_set_tsc_hz(uint64_t hz);
/*
 * TSC ticks elapsed over @pit_ticks ticks of the PIT (1.193182 MHz), or 0
 * when there is no PIT. Busy-waits; for calibration and its self-test.
 */
uint64_t pit_measure_tsc(uint64_t pit_ticks);
/* Busy-waits at least @ns; for early boot and drivers only. */
void udelay_ns(uint64_t ns);

/*
 * One-shot timers, kept per CPU and driven by the local APIC. Callbacks run
 * in interrupt context with interrupts disabled: they must not sleep.
 */
struct timer {
	struct list_node node;
	uint64_t deadline_ns;
	void (*fn)(struct timer *);
	void *data;
	int cpu; /* queue it is on, -1 when not armed */
};

void timer_init(struct timer *t, void (*fn)(struct timer *), void *data);
/* Arms @t for monotonic time @deadline_ns on this CPU (re-arms if armed). */
void timer_arm(struct timer *t, uint64_t deadline_ns);
/* Disarms @t; returns true if it was armed (its callback will not run). */
bool timer_cancel(struct timer *t);
/* Called from the timer interrupt: run expired timers, reprogram. */
void timer_interrupt(void);
/* Program this CPU's timer hardware for its next event. */
void timer_reprogram(void);

#endif
