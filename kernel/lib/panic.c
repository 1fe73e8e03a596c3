/*
 * Fatal errors: print once, with a backtrace, then end the VM. A fault
 * while already panicking skips straight to the exit so the VM never
 * loops on a broken panic path.
 */
#include <arch/x86_64/traps.h>
#include <kernel/irqflags.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

static int panic_depth;

void panic_begin(void)
{
	local_irq_disable();
	if (__atomic_add_fetch(&panic_depth, 1, __ATOMIC_SEQ_CST) > 1) {
		console_printf("\nfatal error while handling a fatal error\n");
		kernel_exit(EXIT_PANIC);
	}
	printk_console_start();
}

__noreturn void panic_end(int status)
{
	kernel_exit(status);
}

__noreturn void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	console_printf("\npanic: %s\n", msg);
	uint64_t rip;
	__asm__ volatile("leaq (%%rip), %0" : "=r"(rip));
	trap_backtrace(rip, (uint64_t)__builtin_frame_address(0));
	panic_end(EXIT_PANIC);
}
