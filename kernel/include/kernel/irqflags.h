/*
 * Local interrupt control. On the host (unit tests) these are no-ops, so
 * code built for both stays identical.
 */
#ifndef KERNEL_IRQFLAGS_H
#define KERNEL_IRQFLAGS_H

#include <kernel/types.h>

#ifdef HOST_TEST
static inline unsigned long local_irq_save(void)
{
	return 0;
}
static inline void local_irq_restore(unsigned long flags)
{
	(void)flags;
}
static inline void local_irq_enable(void)
{
}
static inline void local_irq_disable(void)
{
}
static inline bool irqs_enabled(void)
{
	return true;
}
#else
#define X86_RFLAGS_IF (1UL << 9)

static inline unsigned long local_irq_save(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}
static inline void local_irq_restore(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}
static inline void local_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}
static inline void local_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}
static inline bool irqs_enabled(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags & X86_RFLAGS_IF;
}
#endif

#endif
