/*
 * The program's end, for the network: the VM powers off right after, and
 * would take with it whatever TCP data is still on its way. So, as a
 * Linux process's exit does, the program's sockets are closed (a FIN
 * after their data), and the power-off waits until lwIP's connections
 * have nothing unsent or unacknowledged left, and the devices have sent
 * every frame (UDP's too), NET_DRAIN_NS at most: a peer that has gone
 * away must not keep the VM up.
 *
 * The connections are read from lwIP's own list (lwip_tcp_first), under
 * lwIP's core lock.
 */
#include <generated/lwip_layout.h>
#include <kernel/errno.h>
#include <kernel/net.h>
#include <kernel/printk.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <vfs/vfs.h>

#include "net_internal.h"

#define NET_DRAIN_NS (5ULL * NSEC_PER_SEC)
#define NET_DRAIN_POLL_NS (10ULL * NSEC_PER_MSEC)

#define PCB_FIELD(pcb, off) (*(void **)((char *)(pcb) + (off)))

/* Connections with data not yet acknowledged by their peer. */
static unsigned connections_in_flight(void)
{
	unsigned n = 0;
	lwip_lock();
	for (char *pcb = lwip_tcp_first(); pcb; pcb = lwip_tcp_next(pcb))
		if (PCB_FIELD(pcb, LWIP_TCP_PCB_OFF_unsent) ||
		    PCB_FIELD(pcb, LWIP_TCP_PCB_OFF_unacked))
			n++;
	lwip_unlock();
	return n;
}

void net_drain(void)
{
	if (!lwip_symbol("tcp_active_pcbs"))
		return; /* lwIP never started: nothing was sent */
	for (int fd = 0; fd < FD_MAX; fd++) {
		struct file *f = fd_get(fd);
		if (IS_ERR(f))
			continue;
		bool sock = socket_lwip_fd(f) >= 0;
		file_put(f);
		if (sock)
			fd_close(fd);
	}
	uint64_t deadline = clock_monotonic_ns() + NET_DRAIN_NS;
	unsigned n;
	while ((n = connections_in_flight()) && clock_monotonic_ns() < deadline)
		thread_sleep_ns(NET_DRAIN_POLL_NS);
	if (n)
		pr_warn("net: %u connection%s still had data on its way at exit; gave up after %llu s",
			n, n == 1 ? "" : "s",
			(unsigned long long)(NET_DRAIN_NS / NSEC_PER_SEC));
	/* Frames still in a device's ring (a program's last datagrams). */
	bool idle;
	while (!(idle = net_tx_idle()) && clock_monotonic_ns() < deadline)
		thread_sleep_ns(NET_DRAIN_POLL_NS / 10);
	if (!idle)
		pr_warn("net: a device had not sent every frame at exit");
}
