/*
 * Self-tests of the clocks and timers: the monotonic clock never goes
 * back, sleeps and timer callbacks are never early and not much late
 * (measured on the TSC directly), and the TSC calibration agrees with an
 * independent clock, the PIT.
 */
#include <arch/x86_64/io.h>
#include <kernel/selftest.h>
#include <kernel/thread.h>
#include <kernel/time.h>

/*
 * How late a wake-up may be. Generous: under TCG on a loaded host the
 * vCPU thread can lose the physical CPU for a while; lateness beyond
 * this means lost timer interrupts, not scheduling noise.
 */
#define LATE_SLACK_NS (50 * NSEC_PER_MSEC)

SELFTEST(clock_monotonic)
{
	uint64_t prev = clock_monotonic_ns();
	for (int i = 0; i < 100000; i++) {
		uint64_t now = clock_monotonic_ns();
		ST_CHECK(now >= prev, "clock went back from %lu to %lu", prev,
			 now);
		prev = now;
	}
	return 0;
}

SELFTEST(sleep_accuracy)
{
	static const uint64_t us[] = { 100, 1000, 5000, 20000 };

	for (size_t i = 0; i < ARRAY_SIZE(us); i++) {
		uint64_t want = us[i] * NSEC_PER_USEC;
		uint64_t t0 = rdtsc();
		thread_sleep_ns(want);
		uint64_t got = tsc_to_ns(rdtsc() - t0);
		ST_CHECK(got >= want, "sleep(%lu us) woke after %lu ns", us[i],
			 got);
		ST_CHECK(got <= want + LATE_SLACK_NS,
			 "sleep(%lu us) took %lu ns", us[i], got);
	}
	return 0;
}

struct order_timer {
	struct timer tm;
	uint64_t fired_tsc;
	unsigned *seq, my_seq;
};

static void order_fn(struct timer *tm)
{
	struct order_timer *o = tm->data;
	o->fired_tsc = rdtsc();
	o->my_seq = ++*o->seq;
}

SELFTEST(timer_order)
{
	enum {
		N = 8
	};
	static struct order_timer t[N];
	unsigned seq = 0;
	uint64_t base = clock_monotonic_ns() + NSEC_PER_MSEC;

	/* Armed in scrambled order, deadlines 1..8 ms from now. */
	for (unsigned i = 0; i < N; i++) {
		unsigned k = (i * 5) % N;
		t[k].seq = &seq;
		t[k].my_seq = 0;
		timer_init(&t[k].tm, order_fn, &t[k]);
		timer_arm(&t[k].tm, base + k * NSEC_PER_MSEC);
	}
	/* A cancelled timer never fires. */
	static struct order_timer cancelled;
	cancelled.seq = &seq;
	cancelled.my_seq = 0;
	timer_init(&cancelled.tm, order_fn, &cancelled);
	timer_arm(&cancelled.tm, base);
	ST_CHECK(timer_cancel(&cancelled.tm),
		 "cancel of an armed timer failed");

	thread_sleep_ns(N * NSEC_PER_MSEC + LATE_SLACK_NS);
	for (unsigned k = 0; k < N; k++) {
		ST_CHECK(t[k].my_seq == k + 1, "timer %u fired as number %u", k,
			 t[k].my_seq);
		uint64_t at = clock_tsc_to_monotonic(t[k].fired_tsc);
		ST_CHECK(at >= base + k * NSEC_PER_MSEC, "timer %u fired early",
			 k);
	}
	ST_CHECK(cancelled.my_seq == 0, "a cancelled timer fired");
	return 0;
}

SELFTEST(tsc_vs_pit)
{
	/* The PIT is the refinement's while it runs. */
	time_wait_refined();
	/* 50 ms of PIT time: 59659 ticks at 1.193182 MHz. */
	uint64_t tsc = pit_measure_tsc(59659);
	ST_CHECK(tsc, "the PIT does not count (no PIT?)");
	uint64_t ns = tsc_to_ns(tsc);
	uint64_t want = 50 * NSEC_PER_MSEC;
	uint64_t diff = ns > want ? ns - want : want - ns;
	/* 1%: the calibration is good to 0.01%; the rest is host noise. */
	ST_CHECK(diff * 100 <= want, "50 ms of PIT time is %lu ns of TSC time",
		 ns);
	return 0;
}
