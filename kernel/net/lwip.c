/*
 * lwIP inside the kernel: Debian's liblwip.so.0 (lwIP 2.1.3, NO_SYS=0,
 * sockets as lwip_*), linked at run time against the kernel's POSIX layer
 * and started once: tcpip_init() creates lwIP's own thread, which calls
 * back when the stack is up. Later, the virtio-net netif and the socket
 * system calls sit on top of this.
 */
#include <generated/lwip_layout.h>
#include <kernel/csum.h>
#include <kernel/errno.h>
#include <kernel/page.h>
#include <kernel/net.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/so.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/waitq.h>

#include "net_internal.h"

extern const char lwip_image[], lwip_image_end[];

#define LWIP_START_TIMEOUT_NS NSEC_PER_SEC

static struct {
	struct mutex lock; /* serialises the start */
	struct shared_object *so;
	void (*core_lock)(void), (*core_unlock)(void); /* lwIP's own */
	char *(*get_socket)(int); /* lwip_socket_dbg_get_socket; core lock */
	char **active_pcbs;	  /* tcp_active_pcbs; core lock */
	struct waitq up_wq;	  /* tcpip thread started; lock protects up */
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
	/*
	 * lwIP's own takings and releases of its core lock come here too:
	 * segments the device has sent are given back (a segment still lent
	 * to it is not sent again, and with nothing more to send a lost one
	 * would never be), and those held for the device's TSO go out
	 * (kernel/net/tso.c); its
	 * checksums use the kernel's sum, which is 32 bytes a pass where
	 * lwIP's is 2 (kernel/lib/csum.c); and a TCP segment longer than its
	 * interface's MTU goes to a device that cuts it (net_ip4_frag).
	 */
	static const struct so_override over[] = {
		{ "sys_lock_tcpip_core", lwip_lock },
		{ "sys_unlock_tcpip_core", lwip_unlock },
		{ "lwip_standard_chksum", csum_sum16 },
		{ "ip4_frag", net_ip4_frag },
		{ NULL, NULL },
	};
	struct shared_object *so =
		so_load("liblwip.so.0", lwip_image,
			(size_t)(lwip_image_end - lwip_image), over);
	if (IS_ERR(so))
		return (int)PTR_ERR(so);
	void (*tcpip_init)(void (*)(void *), void *) =
		so_symbol(so, "tcpip_init");
	lwip.core_lock = so_symbol(so, "sys_lock_tcpip_core");
	lwip.core_unlock = so_symbol(so, "sys_unlock_tcpip_core");
	if (!tcpip_init || !lwip.core_lock || !lwip.core_unlock) {
		pr_err("lwip: liblwip.so.0 lacks tcpip_init or its core lock");
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

void lwip_lock(void)
{
	lwip.core_lock();
	net_tx_reclaim();
}

void lwip_unlock(void)
{
	net_tx_flush();
	lwip.core_unlock();
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

/*
 * sockaddr_in as Debian's lwIP takes it: built with the system's socket
 * headers (LWIP_SOCKET_EXTERNAL_HEADERS), so Linux's layout.
 */
struct lwip_sockaddr_in {
	uint16_t family;
	uint16_t port; /* network order */
	uint32_t addr; /* network order */
	char zero[8];
};

/*
 * A netif with no device: lwIP delivers what is sent to its own address
 * back to it (LWIP_NETIF_LOOPBACK), which is all the self-test needs.
 * struct netif is lwIP's, opaque here: zeroed memory larger than it.
 */
static char test_netif[1024] __aligned(16);
static uint32_t test_ip; /* network order */
static bool test_netif_added;

static int test_netif_init(void *netif)
{
	return 0; /* ERR_OK */
}

static void add_test_netif(void *arg)
{
	void *(*add)(void *, const uint32_t *, const uint32_t *,
		     const uint32_t *, void *, int (*)(void *),
		     void *) = lwip_symbol("netif_add");
	void (*up)(void *) = lwip_symbol("netif_set_up");
	void (*link_up)(void *) = lwip_symbol("netif_set_link_up");
	void *input = lwip_symbol("tcpip_input");
	uint32_t mask = __builtin_bswap32(0xffffff00), gw = 0;
	if (add && up && link_up &&
	    add(test_netif, &test_ip, &mask, &gw, NULL, test_netif_init,
		input)) {
		up(test_netif);
		link_up(test_netif);
		test_netif_added = true;
	}
}

struct loop_server {
	int listen_fd;
	int got;
	char buf[64];
};

static void loop_server_fn(void *arg)
{
	struct loop_server *s = arg;
	int (*accept)(int, void *, unsigned *) = lwip_symbol("lwip_accept");
	long (*recv)(int, void *, size_t, int) = lwip_symbol("lwip_recv");
	long (*send)(int, const void *, size_t, int) = lwip_symbol("lwip_send");
	int (*close)(int) = lwip_symbol("lwip_close");
	int fd = accept(s->listen_fd, NULL, NULL);
	if (fd < 0)
		return;
	long n = recv(fd, s->buf, sizeof(s->buf), 0);
	s->got = (int)n;
	if (n > 0)
		send(fd, s->buf, (size_t)n, 0); /* echo */
	close(fd);
}

/*
 * TCP through lwIP, all inside the kernel: a server thread accepts on the
 * test netif's address and echoes what a client thread sends.
 */
SELFTEST(lwip_loopback_tcp)
{
	size_t before = pmm_free_pages();
	ST_CHECK(lwip_start() == 0, "lwIP did not start");
	selftest_threads_kept(1);
	int (*sock)(int, int, int) = lwip_symbol("lwip_socket");
	int (*bind)(int, const void *, unsigned) = lwip_symbol("lwip_bind");
	int (*listen)(int, int) = lwip_symbol("lwip_listen");
	int (*connect)(int, const void *, unsigned) =
		lwip_symbol("lwip_connect");
	long (*send)(int, const void *, size_t, int) = lwip_symbol("lwip_send");
	long (*recv)(int, void *, size_t, int) = lwip_symbol("lwip_recv");
	int (*close)(int) = lwip_symbol("lwip_close");
	int (*callback)(void (*)(void *), void *) =
		lwip_symbol("tcpip_callback_wait");
	ST_CHECK(sock && bind && listen && connect && send && recv && close &&
			 callback,
		 "lwIP functions missing");
	if (!test_netif_added) {
		test_ip = __builtin_bswap32(0x0a000005); /* 10.0.0.5 */
		callback(add_test_netif, NULL);
	}
	ST_CHECK(test_netif_added, "netif_add failed");

	struct lwip_sockaddr_in a = { .family = 2,
				      .port = __builtin_bswap16(7777),
				      .addr = test_ip };
	struct loop_server s = { .listen_fd = sock(2, 1, 0) };
	ST_CHECK(s.listen_fd >= 0, "socket");
	ST_CHECK(bind(s.listen_fd, &a, sizeof(a)) == 0, "bind: errno %d",
		 thread_current()->posix_errno);
	ST_CHECK(listen(s.listen_fd, 1) == 0, "listen");
	struct thread *t = thread_create("st-lwip-server", loop_server_fn, &s);
	ST_CHECK(!IS_ERR(t), "thread_create failed");

	int c = sock(2, 1, 0);
	int ok = c >= 0 && connect(c, &a, sizeof(a)) == 0 &&
		 send(c, "ping over lwip", 14, 0) == 14;
	int err = thread_current()->posix_errno;
	char reply[64] = { 0 };
	long n = ok ? recv(c, reply, sizeof(reply), 0) : -1;
	close(c);
	close(s.listen_fd); /* unblocks the server if nobody came */
	thread_join(t);
	selftest_pages_kept(before - MIN(before, pmm_free_pages()));
	ST_CHECK(ok, "connect or send failed: errno %d", err);
	ST_CHECK(s.got == 14 && n == 14 && !memcmp(reply, "ping over lwip", 14),
		 "server got %d bytes, client %ld back", s.got, n);
	return 0;
}

/*
 * A TCP connection's send buffer. Debian's lwIP gives every connection
 * TCP_SND_BUF (64 KiB) of room in its tcp_pcb.snd_buf, 32 bits wide as
 * the build has window scaling; writes take from it and acknowledgements
 * give back, and nothing else sets it after tcp_alloc. So a connection's
 * buffer is resized by moving snd_buf by the difference. Shrinking stops
 * at what is queued: the room cannot go below none.
 */
void lwip_sndbuf_set(int lfd, uint32_t *size, uint32_t bytes)
{
	lwip_lock();
	if (!lwip.get_socket)
		lwip.get_socket = lwip_symbol("lwip_socket_dbg_get_socket");
	char *sock = lwip.get_socket ? lwip.get_socket(lfd) : NULL;
	char *conn = sock ? *(char **)(sock + LWIP_SOCK_OFF_conn) : NULL;
	char *pcb = NULL;
	if (conn &&
	    (*(int *)(conn + LWIP_NETCONN_OFF_type) & 0xf0) == LWIP_NETCONN_TCP)
		pcb = *(char **)(conn + LWIP_NETCONN_OFF_pcb);
	uint32_t have = *size ? *size : LWIP_TCP_SND_BUF;
	/* A listening connection's pcb is the smaller tcp_pcb_listen. */
	if (pcb && *(int *)(pcb + LWIP_TCP_PCB_OFF_state) != LWIP_TCP_LISTEN) {
		uint32_t *room = (uint32_t *)(pcb + LWIP_TCP_PCB_OFF_snd_buf);
		if (bytes >= have) {
			*room += bytes - have;
		} else {
			uint32_t cut = MIN(have - bytes, *room);
			*room -= cut;
			bytes = have - cut;
		}
	}
	*size = bytes;
	lwip_unlock();
}

_Static_assert(LWIP_TCP_PCB_CWND_SIZE == 4, "cwnd is 32 bits wide");

char *lwip_tcp_first(void)
{
	if (!lwip.active_pcbs)
		lwip.active_pcbs = lwip_symbol("tcp_active_pcbs");
	return lwip.active_pcbs ? *lwip.active_pcbs : NULL;
}

char *lwip_tcp_next(const char *pcb)
{
	return *(char *const *)(pcb + LWIP_TCP_PCB_OFF_next);
}

/*
 * Large segments, for the device to cut (kernel/net/tso.c). lwIP cuts
 * what a program sends at the connection's MSS, and every segment costs it
 * two allocations, headers, a checksum, a pass through IP, Ethernet and
 * linkoutput, and two frees when it is acknowledged: with 1460-byte
 * segments, most of what sending costs the guest. A connection that
 * sends full segments through a device that segments TCP is given an MSS
 * of @large instead of @mss; lwIP's tcp_write still cuts at half the
 * largest window the peer offered, so a small window gets smaller
 * segments. Its congestion window grows to one such segment if smaller
 * (lwIP waits, and nothing would come to wake it, while the first unsent
 * segment does not fit the window and nothing is in flight). @ip is the
 * IPv4 and TCP header of one of its segments as sent. Under the core lock.
 */
void lwip_tcp_large(const uint8_t *ip, uint16_t mss, uint16_t large)
{
	const uint8_t *tcp = ip + 20;
	uint16_t local_port = (uint16_t)(tcp[0] << 8 | tcp[1]);
	uint16_t remote_port = (uint16_t)(tcp[2] << 8 | tcp[3]);
	for (char *pcb = lwip_tcp_first(); pcb; pcb = lwip_tcp_next(pcb)) {
		const char *local = pcb + LWIP_TCP_PCB_OFF_local_ip;
		const char *remote = pcb + LWIP_TCP_PCB_OFF_remote_ip;
		if (*(uint16_t *)(pcb + LWIP_TCP_PCB_OFF_local_port) !=
			    local_port ||
		    *(uint16_t *)(pcb + LWIP_TCP_PCB_OFF_remote_port) !=
			    remote_port ||
		    *(const uint8_t *)(remote + LWIP_IP_ADDR_OFF_type) !=
			    LWIP_IPADDR_TYPE_V4 ||
		    memcmp(local, ip + 12, 4) || memcmp(remote, ip + 16, 4))
			continue;
		uint16_t *pcb_mss = (uint16_t *)(pcb + LWIP_TCP_PCB_OFF_mss);
		uint32_t *cwnd = (uint32_t *)(pcb + LWIP_TCP_PCB_OFF_cwnd);
		if (*pcb_mss != mss)
			return;
		*pcb_mss = large;
		*cwnd = MAX(*cwnd, (uint32_t)large);
		static bool told;
		if (!__atomic_exchange_n(&told, true, __ATOMIC_RELAXED))
			pr_info("tcp: connections sending full segments now send %u-byte ones, for the device to cut at %u",
				large, mss);
		return;
	}
}
