/*
 * 16550 UART console on COM1 (0x3f8), 115200 8N1, FIFO on. Output only:
 * the appliance reads nothing from its console. Each port access is a VM
 * exit, so the transmitter is polled once per FIFO load, not per byte.
 */
#include <arch/x86_64/io.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/printk.h>
#include <kernel/string.h>

#define COM1 0x3f8
#define UART_FIFO_SIZE 16
#define LSR_THRE 0x20

static bool present;
static const char *console_name = "ttyS0";
KPARAM_STRING(console_name, "console",
	      "console device; only the first serial port (ttyS0) exists");

void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0x07); /* FIFO on, cleared */
	/* A missing UART reads back all ones. */
	present = inb(COM1 + 5) != 0xff;
}

void console_check_option(void)
{
	if (strncmp(console_name, "ttyS0", 5) ||
	    (console_name[5] && console_name[5] != ','))
		pr_warn("console: '%s' does not exist here; the console stays on ttyS0",
			console_name);
}

void serial_write(const char *s, size_t len)
{
	if (!present)
		return;
	for (size_t i = 0; i < len;) {
		for (int spins = 0; !(inb(COM1 + 5) & LSR_THRE); spins++)
			if (spins > 1000000)
				return; /* stuck transmitter: drop output */
		for (int n = 0; n < UART_FIFO_SIZE && i < len; n++, i++) {
			if (s[i] == '\n')
				outb(COM1, '\r');
			outb(COM1, (uint8_t)s[i]);
		}
	}
}
