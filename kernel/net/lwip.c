/*
 * lwIP inside the kernel: Debian's liblwip.so.0 (lwIP 2.1.3, NO_SYS=0,
 * sockets as lwip_*), linked at run time against the kernel's POSIX layer
 * and started once: tcpip_init() creates lwIP's own thread, which calls
 * back when the stack is up. Later, the virtio-net netif and the socket
 * system calls sit on top of this.
 */
#include <kernel/errno.h>
#include <kernel/page.h>
#include <kernel/net.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/so.h>
#include <kernel/time.h>
#include <kernel/waitq.h>

extern const char lwip_image[], lwip_image_end[];

#define LWIP_START_TIMEOUT_NS NSEC_PER_SEC

static struct {
	struct mutex lock; /* serialises the start */
	struct shared_object *so;
	struct waitq up_wq; /* tcpip thread started; lock protects up */
	bool up;
	int error;
} lwip = { .up_wq = WAITQ_INIT(lwip.up_wq) };

static void tcpip_ready(void *arg)
{
	unsigned long flags = spin_lock_irqsave(&lwip.up_wq.lock);
	lwip.up = true;
	waitq_wake_all_locked(&lwip.up_wq);
	spin_unlock_irqrestore(&lwip.up_wq.lock, flags);
}

static int start_locked(void)
{
	struct shared_object *so =
		so_load("liblwip.so.0", lwip_image,
			(size_t)(lwip_image_end - lwip_image));
	if (IS_ERR(so))
		return (int)PTR_ERR(so);
	void (*tcpip_init)(void (*)(void *), void *) =
		so_symbol(so, "tcpip_init");
	if (!tcpip_init) {
		pr_err("lwip: liblwip.so.0 has no tcpip_init");
		return -ENOEXEC;
	}
	lwip.so = so;
	tcpip_init(tcpip_ready, NULL);
	uint64_t deadline = clock_monotonic_ns() + LWIP_START_TIMEOUT_NS;
	int ret = 0;
	unsigned long flags = spin_lock_irqsave(&lwip.up_wq.lock);
	while (!lwip.up && ret == 0)
		ret = waitq_sleep_locked(&lwip.up_wq, &flags, deadline);
	spin_unlock_irqrestore(&lwip.up_wq.lock, flags);
	if (!lwip.up) {
		pr_err("lwip: its thread did not start within 1 s");
		return -ETIMEDOUT;
	}
	pr_info("lwip: TCP/IP thread running");
	return 0;
}

int lwip_start(void)
{
	static bool initialized;
	if (!__atomic_exchange_n(&initialized, true, __ATOMIC_ACQ_REL))
		mutex_init(&lwip.lock);
	mutex_lock(&lwip.lock);
	if (!lwip.so && !lwip.error)
		lwip.error = start_locked();
	int ret = lwip.error;
	mutex_unlock(&lwip.lock);
	return ret;
}

void *lwip_symbol(const char *name)
{
	return lwip.so ? so_symbol(lwip.so, name) : NULL;
}

/*
 * lwIP loads, links, runs its thread, and serves a socket call (which goes
 * through its mailbox to the TCP/IP thread and back: pthread mutexes,
 * condition variables and threads of the POSIX layer at work).
 */
#define LWIP_AF_INET 2
#define LWIP_SOCK_DGRAM 2

SELFTEST(lwip_start)
{
	size_t before = pmm_free_pages();
	ST_CHECK(lwip_start() == 0, "lwIP did not start");
	/* The library, its memory and its thread stay: they are the stack. */
	selftest_threads_kept(1);
	selftest_pages_kept(before - MIN(before, pmm_free_pages()));
	int (*sock)(int, int, int) = lwip_symbol("lwip_socket");
	int (*close)(int) = lwip_symbol("lwip_close");
	ST_CHECK(sock && close, "lwip_socket/lwip_close missing");
	int fd = sock(LWIP_AF_INET, LWIP_SOCK_DGRAM, 0);
	ST_CHECK(fd >= 0, "lwip_socket gave %d", fd);
	ST_CHECK(close(fd) == 0, "lwip_close failed");
	ST_CHECK(lwip_start() == 0, "a second start must be a no-op");
	return 0;
}
