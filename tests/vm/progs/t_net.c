/*
 * Sockets from a program, inside the guest: TCP between two threads over
 * the guest's own address (lwIP loops it back), with read/write and
 * send/recv on socket fds, getsockname/getpeername, socket options, UDP
 * to itself, and the errors bad input gets.
 *
 *   t_net ADDR            (the address given with ip=)
 *   t_net serve ADDR      list the addresses (getifaddrs), accept one TCP
 *                         connection on ADDR:7, echo, exit (ADDR "::":
 *                         IPv6, any address)
 *   t_net connect HOST [PORT]  connect to HOST:PORT (7000), IPv4 or IPv6,
 *                         send a line, expect it back
 *   t_net send HOST PORT BYTES  send BYTES and end at once, no close
 *   t_net stuff HOST PORT write to a host that does not read until it
 *                         would block, then end
 *   t_net sndbuf HOST PORT  send buffers (SO_SNDBUF) sized and filled, on
 *                         two connections to a host that does not read
 *   t_net blast HOST PORT N  one UDP datagram, a second's pause, then N
 *                         more as fast as they go
 *   t_net many ADDR N     accept N connections on ADDR:7 and hold them all
 *                         open at once; echo a line on each (epoll,
 *                         non-blocking accept), then wait for the closes
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pthread.h>
#include <time.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

/* Netlink's ABI (musl's toolchain has no <linux/netlink.h>). */
#ifndef AF_NETLINK
#define AF_NETLINK 16
#endif
#define NETLINK_ROUTE 0
#define NLMSG_ERROR 2
#define NLM_F_REQUEST 0x1
#define NLM_F_DUMP 0x300
#define RTM_GETROUTE 26
struct nl_hdr {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
};
struct nl_err {
	int32_t error;
	struct nl_hdr orig;
};

static struct sockaddr_in addr;
static int listener;
static char server_got[64];

static void *server(void *arg)
{
	int c = accept(listener, NULL, NULL);
	if (c < 0)
		return NULL;
	ssize_t n = read(c, server_got, sizeof(server_got));
	if (n > 0)
		write(c, server_got, (size_t)n); /* echo */
	close(c);
	return NULL;
}

static void *poke_eventfd(void *arg)
{
	usleep(50 * 1000);
	uint64_t one = 1;
	if (write((int)(intptr_t)arg, &one, 8) != 8)
		printf("FAIL eventfd write\n");
	return NULL;
}

/*
 * Non-blocking connect with epoll, to a listener and to a closed port;
 * poll over a socket and an eventfd together.
 */
static void test_nonblocking(void)
{
	struct sockaddr_in la = addr, ca = addr;
	la.sin_port = htons(5556);
	ca.sin_port = htons(5557); /* nobody listens there */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(bind(l, (struct sockaddr *)&la, sizeof(la)) == 0 &&
	      listen(l, 2) == 0);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = connect(c, (struct sockaddr *)&la, sizeof(la));
	CHECK(r == 0 || errno == EINPROGRESS);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = c }, out;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0);
	CHECK(epoll_wait(ep, &out, 1, 2000) == 1 && (out.events & EPOLLOUT));
	int err = -1;
	socklen_t el = sizeof(err);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0);
	int a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	close(a);
	close(c);
	close(ep);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(c, (struct sockaddr *)&ca, sizeof(ca));
	CHECK(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED));
	if (errno == EINPROGRESS) {
		struct pollfd pc = { c, POLLOUT, 0 };
		CHECK(poll(&pc, 1, 2000) == 1 &&
		      (pc.revents & (POLLERR | POLLHUP | POLLOUT)));
		err = 0;
		CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el) == 0 &&
		      err == ECONNREFUSED);
	}
	close(c);
	close(l);

	/* A socket and an eventfd in one poll: the eventfd wakes it. */
	int u = socket(AF_INET, SOCK_DGRAM, 0), e = eventfd(0, 0);
	struct sockaddr_in ua = addr;
	ua.sin_port = htons(5558);
	CHECK(bind(u, (struct sockaddr *)&ua, sizeof(ua)) == 0 && e >= 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, poke_eventfd, (void *)(intptr_t)e) == 0);
	struct pollfd pm[2] = { { u, POLLIN, 0 }, { e, POLLIN, 0 } };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(poll(pm, 2, 10000) == 1 && !pm[0].revents &&
	      pm[1].revents == POLLIN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 5); /* woken, not timed out */
	pthread_join(t, NULL);
	close(u);
	close(e);
}

/* Prints each address getifaddrs lists: "t_net: address en0 fd00::5". */
static void print_addresses(void)
{
	struct ifaddrs *list;
	CHECK(getifaddrs(&list) == 0);
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		char text[INET6_ADDRSTRLEN];
		int family = i->ifa_addr ? i->ifa_addr->sa_family : 0;
		const void *a =
			family == AF_INET6 ?
				(const void *)&(
					(struct sockaddr_in6 *)i->ifa_addr)
					->sin6_addr :
				(const void *)&(
					(struct sockaddr_in *)i->ifa_addr)
					->sin_addr;
		if ((family == AF_INET || family == AF_INET6) &&
		    inet_ntop(family, a, text, sizeof(text)))
			printf("t_net: address %s %s\n", i->ifa_name, text);
	}
	freeifaddrs(list);
}

/* One echo for a host-side client, over IPv4 or (ADDR "::") IPv6. */
static int serve(const char *ip)
{
	int l;
	print_addresses();
	if (strchr(ip, ':')) {
		struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
					   .sin6_port = htons(7) };
		CHECK(inet_pton(AF_INET6, ip, &a6.sin6_addr) == 1);
		l = socket(AF_INET6, SOCK_STREAM, 0);
		CHECK(l >= 0 &&
		      bind(l, (struct sockaddr *)&a6, sizeof(a6)) == 0 &&
		      listen(l, 1) == 0);
	} else {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(7) };
		CHECK(inet_pton(AF_INET, ip, &a.sin_addr) == 1);
		l = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		      listen(l, 1) == 0);
	}
	printf("t_net: listening\n");
	fflush(stdout);
	int c = accept(l, NULL, NULL);
	CHECK(c >= 0);
	char buf[256];
	ssize_t n = read(c, buf, sizeof(buf));
	CHECK(n > 0 && write(c, buf, (size_t)n) == n);
	/* The echo may still be in flight: the kernel delivers it at exit. */
	close(c);
	close(l);
	DONE("t_net serve");
}

/* N clients at once, one thread, epoll: every one gets its line back. */
static int serve_many(const char *ip, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7) };
	CHECK(inet_pton(AF_INET, ip, &a.sin_addr) == 1);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	      listen(l, 128) == 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = l };
	CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0);
	printf("t_net: listening\n");
	fflush(stdout);
	int accepted = 0, echoed = 0, closed = 0, idle = 0;
	while (closed < n && idle < 600) {
		struct epoll_event evs[64];
		int k = epoll_wait(ep, evs, 64, 100);
		idle = k > 0 ? 0 : idle + 1; /* 60 s without events: give up */
		for (int i = 0; i < k; i++) {
			int fd = evs[i].data.fd;
			if (fd == l) {
				int c;
				while ((c = accept4(l, NULL, NULL,
						    SOCK_NONBLOCK)) >= 0) {
					struct epoll_event ce = {
						.events = EPOLLIN, .data.fd = c
					};
					CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c,
							&ce) == 0);
					accepted++;
				}
				CHECK(errno == EAGAIN);
				continue;
			}
			char buf[128];
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r > 0) {
				CHECK(write(fd, buf, (size_t)r) == r);
				echoed++;
			} else if (r == 0) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				closed++;
			} else {
				CHECK(errno == EAGAIN);
			}
		}
	}
	printf("t_net many: %d accepted, %d echoed, %d closed\n", accepted,
	       echoed, closed);
	CHECK(accepted == n && echoed >= n && closed == n);
	close(ep);
	close(l);
	DONE("t_net many");
}

/* A line to a host-side echo server and back. */
static int connect_to(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons((uint16_t)port) };
	int family = strchr(host, ':') ? AF_INET6 : AF_INET;
	struct sockaddr *sa = family == AF_INET6 ? (struct sockaddr *)&a6 :
						   (struct sockaddr *)&a;
	socklen_t salen = family == AF_INET6 ? sizeof(a6) : sizeof(a);
	CHECK(inet_pton(family, host,
			family == AF_INET6 ? (void *)&a6.sin6_addr :
					     (void *)&a.sin_addr) == 1);
	int c = socket(family, SOCK_STREAM, 0);
	int ok = 0;
	/* The host server may come up a moment after the guest. */
	for (int i = 0; i < 50 && !ok; i++) {
		ok = connect(c, sa, salen) == 0;
		if (!ok) {
			close(c);
			c = socket(family, SOCK_STREAM, 0);
			usleep(100000);
		}
	}
	CHECK(ok);
	const char line[] = "from a guest\n";
	CHECK(write(c, line, sizeof(line) - 1) == (ssize_t)sizeof(line) - 1);
	char buf[64] = { 0 };
	ssize_t got = 0, n;
	while (got < (ssize_t)sizeof(line) - 1 &&
	       (n = read(c, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	CHECK(got == (ssize_t)sizeof(line) - 1 && !strcmp(buf, line));
	/* The server waits for the FIN: the kernel sends it at exit. */
	DONE("t_net connect");
}

/* A connected TCP socket to HOST:PORT (IPv4), retried while the host's
 * server comes up; -1 if it never does. */
static int connect_v4(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	CHECK(inet_pton(AF_INET, host, &a.sin_addr) == 1);
	for (int i = 0; i < 50; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, sizeof(a)) == 0)
			return c;
		close(c);
		usleep(100000);
	}
	CHECK(0);
	return -1;
}

/*
 * BYTES to HOST:PORT, then the program ends at once: no close, no
 * waiting. The kernel must still deliver every byte, and the FIN.
 */
/*
 * Sends @bytes and ends at once, without closing. Byte i of the stream is
 * i % 251, which the host checks: a segment lost, doubled or misplaced
 * shows.
 */
static int send_and_exit(const char *host, int port, long bytes)
{
	int c = connect_v4(host, port);
	enum {
		CHUNK = 64 * 1024
	};
	static char buf[CHUNK + 251];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i % 251);
	for (long sent = 0; c >= 0 && sent < bytes;) {
		size_t n = bytes - sent < CHUNK ? (size_t)(bytes - sent) :
						  CHUNK;
		ssize_t w = write(c, buf + sent % 251, n);
		CHECK(w > 0);
		if (w <= 0)
			break;
		sent += w;
	}
	printf("t_net send: wrote %ld bytes\n", bytes);
	DONE("t_net send");
}

/*
 * Writes to non-blocking connection @c until it would block and stays
 * blocked for a second (the host does not read); the bytes it took.
 */
static long fill(int c)
{
	static char buf[64 * 1024];
	long total = 0;
	for (int i = 0; c >= 0 && i < 100000; i++) {
		ssize_t w = write(c, buf, sizeof(buf));
		if (w > 0) {
			total += w;
			continue;
		}
		if (errno != EAGAIN) {
			CHECK(errno == EAGAIN);
			break;
		}
		struct pollfd p = { .fd = c, .events = POLLOUT };
		if (poll(&p, 1, 1000) == 0)
			break;
	}
	return total;
}

/*
 * Fills the connection until it would block (the host does not read),
 * then ends: the kernel's wait for the data must give up, not hang.
 */
static int stuff_and_exit(const char *host, int port)
{
	int c = connect_v4(host, port);
	CHECK(c >= 0 && fcntl(c, F_SETFL, O_NONBLOCK) == 0);
	printf("t_net stuff: %ld bytes queued\n", fill(c));
	DONE("t_net stuff");
}

/*
 * N datagrams as fast as sendto takes them, each "blast I" padded to
 * 1400 bytes, after a first one ("hello") and a pause for ARP: lwIP keeps
 * few datagrams while it resolves an address.
 */
static int blast(const char *host, int port, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	CHECK(inet_pton(AF_INET, host, &a.sin_addr) == 1);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	static char msg[1400];
	CHECK(sendto(u, "hello", 5, 0, (struct sockaddr *)&a, sizeof(a)) == 5);
	sleep(1);
	int sent = 0;
	for (int i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "blast %d", i);
		if (sendto(u, msg, sizeof(msg), 0, (struct sockaddr *)&a,
			   sizeof(a)) == (ssize_t)sizeof(msg))
			sent++;
	}
	CHECK(sent == n);
	printf("t_net blast: sent %d\n", sent);
	close(u);
	DONE("t_net blast");
}

static int sndbuf_of(int c)
{
	int v = 0;
	socklen_t l = sizeof(v);
	CHECK(getsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0 &&
	      l == sizeof(v));
	return v;
}

/*
 * Send buffers, against a host that accepts connections and reads none:
 * after a first connection that finds the host listening, one is set to
 * the largest size and one to a small size before they connect; then the
 * small one is made larger once full. What each takes
 * before it blocks is its send buffer plus the little the host's window
 * lets through, the same on both.
 */
static int sndbuf(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	CHECK(inet_pton(AF_INET, host, &a.sin_addr) == 1);
	close(connect_v4(host, port)); /* once the host listens */
	int big = socket(AF_INET, SOCK_STREAM, 0),
	    small = socket(AF_INET, SOCK_STREAM, 0);
	int dflt = sndbuf_of(big), want = 40000, tiny = 1, huge = 1 << 30;
	CHECK(dflt >= 256 * 1024);
	CHECK(setsockopt(small, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want)) ==
	      0);
	CHECK(sndbuf_of(small) == 2 * want); /* doubled, as Linux does */
	CHECK(setsockopt(big, SOL_SOCKET, SO_SNDBUF, &tiny, sizeof(tiny)) == 0);
	CHECK(sndbuf_of(big) > 0 && sndbuf_of(big) < 2 * want);
	CHECK(setsockopt(big, SOL_SOCKET, SO_SNDBUF, &huge, sizeof(huge)) == 0);
	CHECK(sndbuf_of(big) == dflt); /* the default is the most */
	CHECK(connect(big, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(connect(small, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(fcntl(big, F_SETFL, O_NONBLOCK) == 0);
	CHECK(fcntl(small, F_SETFL, O_NONBLOCK) == 0);
	long took_big = fill(big), took_small = fill(small);
	printf("t_net sndbuf: %d bytes took %ld, %d took %ld\n", sndbuf_of(big),
	       took_big, 2 * want, took_small);
	CHECK(took_big >= dflt / 4 * 3); /* lwIP's queue may end it first */
	CHECK(took_small >= 2 * want);
	CHECK(took_big - took_small > (dflt - 2 * want) / 2);
	/* A full connection's buffer grows at once, and shrinks only to what
	 * it holds. */
	int grow = 100000;
	CHECK(setsockopt(small, SOL_SOCKET, SO_SNDBUF, &grow, sizeof(grow)) ==
	      0);
	long more = fill(small);
	printf("t_net sndbuf: grown to %d, took %ld more\n", sndbuf_of(small),
	       more);
	CHECK(sndbuf_of(small) == 2 * grow);
	CHECK(more >= 2 * grow - took_small);
	CHECK(setsockopt(small, SOL_SOCKET, SO_SNDBUF, &tiny, sizeof(tiny)) ==
	      0);
	CHECK(sndbuf_of(small) > 2 * want);
	/* Reset both, so the program's end does not wait for the data. */
	struct linger l0 = { .l_onoff = 1, .l_linger = 0 };
	CHECK(setsockopt(big, SOL_SOCKET, SO_LINGER, &l0, sizeof(l0)) == 0);
	CHECK(setsockopt(small, SOL_SOCKET, SO_LINGER, &l0, sizeof(l0)) == 0);
	close(big);
	close(small);
	DONE("t_net sndbuf");
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "serve"))
		return serve(argv[2]);
	if (argc > 3 && !strcmp(argv[1], "many"))
		return serve_many(argv[2], atoi(argv[3]));
	if (argc > 4 && !strcmp(argv[1], "send"))
		return send_and_exit(argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc > 3 && !strcmp(argv[1], "stuff"))
		return stuff_and_exit(argv[2], atoi(argv[3]));
	if (argc > 4 && !strcmp(argv[1], "blast"))
		return blast(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc > 3 && !strcmp(argv[1], "sndbuf"))
		return sndbuf(argv[2], atoi(argv[3]));
	if (argc > 2 && !strcmp(argv[1], "connect"))
		return connect_to(argv[2], argc > 3 ? atoi(argv[3]) : 7000);
	const char *ip = argc > 1 ? argv[1] : "10.0.0.5";
	addr.sin_family = AF_INET;
	addr.sin_port = htons(5555);
	CHECK(inet_pton(AF_INET, ip, &addr.sin_addr) == 1);

	listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(listener >= 0 && fcntl(listener, F_GETFD) == FD_CLOEXEC);
	struct stat st;
	CHECK(fstat(listener, &st) == 0 && S_ISSOCK(st.st_mode));
	int one = 1;
	CHECK(setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one,
			 sizeof(one)) == 0);
	CHECK(bind(listener, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(listen(listener, 4) == 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, server, NULL) == 0);

	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
	int v = 0;
	socklen_t vl = sizeof(v);
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl) == 0 && v);
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	CHECK(getpeername(c, (struct sockaddr *)&peer, &pl) == 0 &&
	      peer.sin_port == htons(5555));
	CHECK(getsockname(c, (struct sockaddr *)&peer, &pl) == 0 &&
	      peer.sin_addr.s_addr == addr.sin_addr.s_addr);
	CHECK(send(c, "hello over sockets", 18, 0) == 18);
	char reply[64] = { 0 };
	ssize_t got = 0;
	while (got < 18) {
		ssize_t n =
			recv(c, reply + got, sizeof(reply) - (size_t)got, 0);
		if (n <= 0)
			break;
		got += n;
	}
	CHECK(got == 18 && !memcmp(reply, "hello over sockets", 18));
	pthread_join(t, NULL);
	CHECK(!memcmp(server_got, "hello over sockets", 18));
	CHECK(close(c) == 0 && close(listener) == 0);

	/* poll: an idle socket times out, a file is ready, data wakes it. */
	int p1 = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in pa = addr;
	pa.sin_port = htons(7777);
	CHECK(bind(p1, (struct sockaddr *)&pa, sizeof(pa)) == 0);
	struct pollfd pf[2] = { { p1, POLLIN, 0 }, { -1, POLLIN, 0 } };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(poll(pf, 1, 50) == 0 && pf[0].revents == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK((t1.tv_sec - t0.tv_sec) * 1000 +
		      (t1.tv_nsec - t0.tv_nsec) / 1000000 >=
	      45);
	int file = open("/tmp/pollfile", O_CREAT | O_RDWR, 0600);
	pf[1].fd = file;
	CHECK(poll(pf, 2, 1000) == 1 && pf[1].revents == POLLIN &&
	      !pf[0].revents);
	CHECK(sendto(p1, "x", 1, 0, (struct sockaddr *)&pa, sizeof(pa)) == 1);
	CHECK(poll(pf, 1, 1000) == 1 && (pf[0].revents & POLLIN));
	pf[1].fd = 12345;
	CHECK(poll(pf + 1, 1, 0) == 1 && pf[1].revents == POLLNVAL);
	close(file);
	close(p1);

	/* epoll: nothing yet, then a datagram; one-shot fires once. */
	int e = epoll_create1(EPOLL_CLOEXEC);
	int u2 = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ea = addr;
	ea.sin_port = htons(8888);
	CHECK(e >= 0 && bind(u2, (struct sockaddr *)&ea, sizeof(ea)) == 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT,
				  .data.u64 = 42 },
			   got_ev[4];
	CHECK(epoll_ctl(e, EPOLL_CTL_ADD, u2, &ev) == 0);
	CHECK_ERR(epoll_ctl(e, EPOLL_CTL_ADD, u2, &ev), EEXIST);
	CHECK(epoll_wait(e, got_ev, 4, 30) == 0);
	CHECK(sendto(u2, "e", 1, 0, (struct sockaddr *)&ea, sizeof(ea)) == 1);
	CHECK(epoll_wait(e, got_ev, 4, 1000) == 1 && got_ev[0].data.u64 == 42 &&
	      (got_ev[0].events & EPOLLIN));
	CHECK(epoll_wait(e, got_ev, 4, 0) == 0); /* disarmed */
	ev.events = EPOLLIN;
	CHECK(epoll_ctl(e, EPOLL_CTL_MOD, u2, &ev) == 0);
	CHECK(epoll_wait(e, got_ev, 4, 0) == 1);
	CHECK(epoll_ctl(e, EPOLL_CTL_DEL, u2, NULL) == 0);
	CHECK_ERR(epoll_ctl(e, EPOLL_CTL_DEL, u2, NULL), ENOENT);
	CHECK_ERR(epoll_wait(u2, got_ev, 4, 0), EINVAL);
	close(u2);
	close(e);

	/* The options programs set on every socket (Open MPI's TCP too). */
	int so = socket(AF_INET, SOCK_STREAM, 0), val = 256 * 1024, got_val = 0;
	socklen_t gl = sizeof(got_val);
	CHECK(setsockopt(so, SOL_SOCKET, SO_SNDBUF, &val, sizeof(val)) == 0);
	CHECK(setsockopt(so, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)) == 0);
	CHECK(getsockopt(so, SOL_SOCKET, SO_RCVBUF, &got_val, &gl) == 0 &&
	      got_val > 0);
	CHECK(setsockopt(so, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == 0);
	CHECK(setsockopt(so, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(setsockopt(so, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
	close(so);

	/* Non-blocking by fcntl and by FIONBIO; FIONREAD counts a datagram. */
	int nb = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in na = addr;
	na.sin_port = htons(9998);
	CHECK(bind(nb, (struct sockaddr *)&na, sizeof(na)) == 0);
	char nbuf[16];
	CHECK(fcntl(nb, F_SETFL, fcntl(nb, F_GETFL) | O_NONBLOCK) == 0);
	CHECK_ERR(recv(nb, nbuf, sizeof(nbuf), 0), EAGAIN);
	int off = 0, on = 1, avail = -1;
	CHECK(ioctl(nb, FIONBIO, &off) == 0 &&
	      !(fcntl(nb, F_GETFL) & O_NONBLOCK));
	CHECK(ioctl(nb, FIONBIO, &on) == 0);
	CHECK_ERR(recv(nb, nbuf, sizeof(nbuf), 0), EAGAIN);
	CHECK(sendto(nb, "12345", 5, 0, (struct sockaddr *)&na, sizeof(na)) ==
	      5);
	struct pollfd npf = { nb, POLLIN, 0 };
	CHECK(poll(&npf, 1, 1000) == 1);
	CHECK(ioctl(nb, FIONREAD, &avail) == 0 && avail == 5);
	close(nb);

	/* Interfaces as ioctl sees them: lo and en0 with the ip= address. */
	int q = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr[8];
	struct ifconf ifc = { .ifc_len = sizeof(ifr), .ifc_req = ifr };
	CHECK(ioctl(q, SIOCGIFCONF, &ifc) == 0 &&
	      ifc.ifc_len == 2 * (int)sizeof(struct ifreq));
	CHECK(!strcmp(ifr[0].ifr_name, "lo") &&
	      !strcmp(ifr[1].ifr_name, "en0"));
	struct sockaddr_in *ia = (struct sockaddr_in *)&ifr[1].ifr_addr;
	CHECK(ia->sin_family == AF_INET &&
	      ia->sin_addr.s_addr == addr.sin_addr.s_addr);
	struct ifreq one_if = { 0 };
	strcpy(one_if.ifr_name, "en0");
	CHECK(ioctl(q, SIOCGIFINDEX, &one_if) == 0 && one_if.ifr_ifindex == 2);
#ifdef __GLIBC__ /* musl's asks an AF_UNIX socket, which the kernel lacks */
	CHECK(if_nametoindex("en0") == 2 && if_nametoindex("lo") == 1);
#endif
	CHECK(ioctl(q, SIOCGIFFLAGS, &one_if) == 0 &&
	      (one_if.ifr_flags & IFF_UP) &&
	      !(one_if.ifr_flags & IFF_LOOPBACK));
	CHECK(ioctl(q, SIOCGIFNETMASK, &one_if) == 0 &&
	      ((struct sockaddr_in *)&one_if.ifr_netmask)->sin_addr.s_addr ==
		      htonl(0xffffff00));
	CHECK(ioctl(q, SIOCGIFHWADDR, &one_if) == 0 &&
	      one_if.ifr_hwaddr.sa_family == 1 /* ARPHRD_ETHER */);
	CHECK(ioctl(q, SIOCGIFMTU, &one_if) == 0 && one_if.ifr_mtu == 1500);
	strcpy(one_if.ifr_name, "nope0");
	CHECK_ERR(ioctl(q, SIOCGIFFLAGS, &one_if), ENODEV);
	CHECK_ERR(ioctl(q, SIOCGIFCONF, (void *)16), EFAULT);
	CHECK_ERR(ioctl(q, TIOCGWINSZ, &one_if), ENOTTY);
	close(q);

	test_nonblocking();

	/* getifaddrs and if_nameindex: both C libraries ask netlink. */
	struct ifaddrs *ifs;
	int en0 = 0, lo = 0;
	CHECK(getifaddrs(&ifs) == 0);
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		struct sockaddr_in *sa = (struct sockaddr_in *)i->ifa_addr,
				   *nm = (struct sockaddr_in *)i->ifa_netmask;
		if (!strcmp(i->ifa_name, "en0") &&
		    sa->sin_addr.s_addr == addr.sin_addr.s_addr && nm &&
		    nm->sin_addr.s_addr == htonl(0xffffff00) &&
		    (i->ifa_flags & IFF_UP))
			en0++;
		if (!strcmp(i->ifa_name, "lo") &&
		    sa->sin_addr.s_addr == htonl(0x7f000001) &&
		    (i->ifa_flags & IFF_LOOPBACK))
			lo++;
	}
	CHECK(en0 == 1 && lo == 1);
	freeifaddrs(ifs);
	struct if_nameindex *ni = if_nameindex();
	int named = 0;
	for (struct if_nameindex *i = ni; i && i->if_index; i++)
		named += (i->if_index == 1 && !strcmp(i->if_name, "lo")) ||
			 (i->if_index == 2 && !strcmp(i->if_name, "en0"));
	CHECK(ni && named == 2);
	if_freenameindex(ni);
	/* What netlink does not do it says, and bad families are refused. */
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct {
		struct nl_hdr h;
		uint8_t family, pad[3];
	} req = { { sizeof(req), RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 7,
		    0 },
		  AF_INET,
		  { 0 } };
	char rbuf[512];
	CHECK(nl >= 0 && send(nl, &req, sizeof(req), 0) == sizeof(req));
	struct nl_hdr *nh = (struct nl_hdr *)rbuf;
	CHECK(recv(nl, rbuf, sizeof(rbuf), 0) > 0 && nh->type == NLMSG_ERROR &&
	      nh->seq == 7 &&
	      ((struct nl_err *)(nh + 1))->error == -EOPNOTSUPP);
	CHECK_ERR(recv(nl, rbuf, sizeof(rbuf), MSG_DONTWAIT), EAGAIN);
	close(nl);
	CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, 99), EPROTONOSUPPORT);

	/* sendmsg/recvmsg with several iovecs and a name */
	int m1 = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ma = addr;
	ma.sin_port = htons(9999);
	CHECK(bind(m1, (struct sockaddr *)&ma, sizeof(ma)) == 0);
	struct iovec out[2] = { { "scatter", 7 }, { "-gather", 7 } };
	struct msghdr mh = { .msg_name = &ma,
			     .msg_namelen = sizeof(ma),
			     .msg_iov = out,
			     .msg_iovlen = 2 };
	CHECK(sendmsg(m1, &mh, 0) == 14);
	char part1[5] = { 0 }, part2[16] = { 0 };
	struct iovec in[2] = { { part1, 4 }, { part2, 15 } };
	struct sockaddr_in src;
	struct msghdr rh = { .msg_name = &src,
			     .msg_namelen = sizeof(src),
			     .msg_iov = in,
			     .msg_iovlen = 2 };
	CHECK(recvmsg(m1, &rh, 0) == 14 && !strcmp(part1, "scat") &&
	      !strcmp(part2, "ter-gather") && src.sin_port == htons(9999) &&
	      rh.msg_controllen == 0);
	close(m1);

	/* UDP to itself */
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ua = addr;
	ua.sin_port = htons(6666);
	CHECK(bind(u, (struct sockaddr *)&ua, sizeof(ua)) == 0);
	CHECK(sendto(u, "datagram", 8, 0, (struct sockaddr *)&ua, sizeof(ua)) ==
	      8);
	char d[16] = { 0 };
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	CHECK(recvfrom(u, d, sizeof(d), 0, (struct sockaddr *)&from, &fl) ==
		      8 &&
	      !memcmp(d, "datagram", 8) && from.sin_port == htons(6666));
	close(u);

	/* Errors */
	CHECK_ERR(bind(0, (struct sockaddr *)&addr, sizeof(addr)), ENOTSOCK);
	CHECK_ERR(syscall(SYS_bind, 999, &addr, sizeof(addr)), EBADF);
	int s2 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(syscall(SYS_connect, s2, (void *)16, sizeof(addr)), EFAULT);
	CHECK_ERR(syscall(SYS_socket, AF_INET, SOCK_STREAM | 0x100, 0), EINVAL);
	struct sockaddr_in closed = addr;
	closed.sin_port = htons(1);
	CHECK(connect(s2, (struct sockaddr *)&closed, sizeof(closed)) == -1 &&
	      errno == ECONNREFUSED);
	close(s2);
	DONE("t_net");
}
