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

static spinlock_t log_lock = SPINLOCK_INIT; /* early_*, console output */
static bool console_started;
/*
 * Lines logged before the console started, each as: level byte, the TSC
 * when it was logged, the text and a NUL. The timestamp is formatted when
 * the line is printed, so lines logged before the TSC was calibrated get
 * the right time too.
 */
static char early_buf[16 * 1024];
static size_t early_len;
static unsigned early_dropped;

static const char level_tag[] = "EACEWNID";

static size_t format_header(char *buf, size_t size, int level, uint64_t tsc)
{
	uint64_t ns = clock_tsc_to_monotonic(tsc);
	return (size_t)snprintf(buf, size,
				"[%5lu.%06lu] %c: ", ns / NSEC_PER_SEC,
				ns % NSEC_PER_SEC / 1000, level_tag[level & 7]);
}

void vprintk(int level, const char *fmt, va_list ap)
{
	char text[480], line[512];
	uint64_t tsc = clock_read_tsc();
	size_t n = (size_t)vsnprintf(text, sizeof(text), fmt, ap);

	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	if (n && text[n - 1] == '\n')
		text[--n] = 0;

	unsigned long flags = spin_lock_irqsave(&log_lock);
	if (!console_started) {
		if (early_len + 1 + sizeof(tsc) + n + 1 <= sizeof(early_buf)) {
			early_buf[early_len++] = (char)level;
			memcpy(early_buf + early_len, &tsc, sizeof(tsc));
			early_len += sizeof(tsc);
			memcpy(early_buf + early_len, text, n + 1);
			early_len += n + 1;
		} else {
			early_dropped++;
		}
	} else if ((unsigned)level <= console_loglevel) {
		size_t h = format_header(line, sizeof(line), level, tsc);
		n = (size_t)snprintf(line + h, sizeof(line) - h, "%s\n", text);
		serial_write(line, MIN(h + n, sizeof(line) - 1));
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
	char header[32];
	unsigned long flags = spin_lock_irqsave(&log_lock);
	if (console_started) {
		spin_unlock_irqrestore(&log_lock, flags);
		return;
	}
	for (size_t i = 0; i < early_len;) {
		int level = early_buf[i++];
		uint64_t tsc;
		memcpy(&tsc, early_buf + i, sizeof(tsc));
		i += sizeof(tsc);
		size_t len = strlen(early_buf + i);
		if ((unsigned)level <= console_loglevel) {
			size_t h = format_header(header, sizeof(header), level,
						 tsc);
			serial_write(header, h);
			serial_write(early_buf + i, len);
			serial_write("\n", 1);
		}
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

void console_write(const char *buf, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	serial_write(buf, len);
	spin_unlock_irqrestore(&log_lock, flags);
}
