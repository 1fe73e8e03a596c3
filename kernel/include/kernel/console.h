/* The console device (serial port) under printk. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <kernel/types.h>

void serial_init(void);
/* Warns when `console=` names a device other than the first serial port. */
void console_check_option(void);
/* Writes @len bytes, turning "\n" into "\r\n". */
void serial_write(const char *s, size_t len);
/* The program's stdout/stderr: raw bytes to the console, between log lines. */
void console_write(const char *buf, size_t len);

#endif
