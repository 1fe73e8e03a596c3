/*
 * printk: formats a message with its timestamp and writes it to the
 * console when its level passes `loglevel=`. Until the command line has
 * been read (printk_console_start), messages wait in a buffer so that the
 * user's loglevel applies to them as well.
 */
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <kernel/time.h>

static unsigned console_loglevel = LOG_NOTICE;
KPARAM_UINT(console_loglevel, "loglevel", 0, 7,
	    "console log level: 0 emergencies only .. 7 debug (default 5)");

static spinlock_t log_lock =
	SPINLOCK_INIT; /* protects early_buf, console output */
static bool console_started;
/* Lines logged before the console started: level byte, then the text. */
static char early_buf[16 * 1024];
static size_t early_len;
static unsigned early_dropped;

static const char level_tag[] = "EACEWNID";

void vprintk(int level, const char *fmt, va_list ap)
{
	char line[512];
	uint64_t ns = clock_monotonic_ns();
	int n = snprintf(line, sizeof(line),
			 "[%5lu.%06lu] %c: ", ns / NSEC_PER_SEC,
			 ns % NSEC_PER_SEC / 1000, level_tag[level & 7]);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	if (line[n - 1] != '\n')
		line[n++] = '\n';
	line[n] = 0;

	unsigned long flags = spin_lock_irqsave(&log_lock);
	if (!console_started) {
		if (early_len + (size_t)n + 2 <= sizeof(early_buf)) {
			early_buf[early_len++] = (char)level;
			memcpy(early_buf + early_len, line, (size_t)n + 1);
			early_len += (size_t)n + 1;
		} else {
			early_dropped++;
		}
	} else if ((unsigned)level <= console_loglevel) {
		serial_write(line, (size_t)n);
	}
	spin_unlock_irqrestore(&log_lock, flags);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void printk_console_start(void)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	if (console_started) {
		spin_unlock_irqrestore(&log_lock, flags);
		return;
	}
	for (size_t i = 0; i < early_len;) {
		int level = early_buf[i++];
		size_t len = strlen(early_buf + i);
		if ((unsigned)level <= console_loglevel)
			serial_write(early_buf + i, len);
		i += len + 1;
	}
	console_started = true;
	spin_unlock_irqrestore(&log_lock, flags);
	if (early_dropped)
		pr_warn("printk: %u early messages dropped", early_dropped);
}

void console_printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	unsigned long flags = spin_lock_irqsave(&log_lock);
	serial_write(buf, (size_t)n);
	spin_unlock_irqrestore(&log_lock, flags);
}
