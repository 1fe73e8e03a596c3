/*
 * Local APIC: x2APIC through MSRs when the CPU has it, else xAPIC through
 * MMIO. Its timer is the one interrupt source of the scheduler and the
 * timers, in TSC-deadline mode when available, else one-shot mode with a
 * count calibrated against the TSC.
 */
#ifndef ARCH_X86_64_APIC_H
#define ARCH_X86_64_APIC_H

#include <kernel/types.h>

/* Enables this CPU's local APIC; the timer needs calibrating after. */
void lapic_init(void);
/*
 * One-shot timer calibration against the TSC (nothing to do in
 * TSC-deadline mode): begin/end around a window the caller measures in
 * TSC ticks, or by_delay, which busy-waits 0.5 ms itself.
 */
bool lapic_needs_calibration(void);
void lapic_calibrate_begin(void);
void lapic_calibrate_end(uint64_t tsc_elapsed);
void lapic_calibrate_by_delay(void);
void lapic_eoi(void);
uint32_t lapic_id(void);
/* Fire the timer interrupt at TSC value @tsc (or as soon as possible). */
void lapic_timer_at(uint64_t tsc);
/* Send an IPI with @vector to the CPU with APIC id @apic_id. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
const char *lapic_timer_mode(void);
/* CPU start-up IPIs: INIT, then STARTUP at physical address @page << 12. */
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint8_t page);

#endif
