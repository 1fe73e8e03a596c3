/*
 * DHCP client (RFC 2131), since Debian's lwIP has none compiled in: at
 * boot, with `ip=dhcp`, DISCOVER, wait for an OFFER, REQUEST it, wait for
 * the ACK, then give the address, mask and router to the interface. It
 * runs over an lwIP UDP socket bound to port 68 with broadcast on (the
 * interface still has 0.0.0.0). Each wait has a deadline and the whole
 * exchange a bounded number of tries, so a network without a server ends
 * the boot with a message instead of hanging it. Replies are checked field
 * by field (type, transaction id, cookie, option lengths) before use.
 * The lease is not renewed yet: it is logged, and jobs are expected to be
 * shorter.
 */
#include <kernel/errno.h>
#include <kernel/net.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>

#include "net_internal.h"

uint64_t random_u64(void);

#define BOOTP_REQUEST 1
#define BOOTP_REPLY 2
#define DHCP_COOKIE 0x63825363
#define DHCPDISCOVER 1
#define DHCPOFFER 2
#define DHCPREQUEST 3
#define DHCPACK 5
#define DHCPNAK 6

#define OPT_MASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_REQUESTED_IP 50
#define OPT_LEASE 51
#define OPT_MSG_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_PARAMS 55
#define OPT_END 255

#define TRIES 3
#define WAIT_MS 1000

struct bootp {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	char sname[64], file[128];
	uint32_t cookie;
	uint8_t options[312];
} __packed;

struct lease {
	uint32_t addr, mask, router, server, seconds; /* network order */
	uint32_t dns[3];
	bool have_mask, have_router;
};

struct sockaddr_in4 {
	uint16_t family, port;
	uint32_t addr;
	char zero[8];
};

static struct {
	int (*socket)(int, int, int);
	int (*bind)(int, const void *, unsigned);
	int (*setsockopt)(int, int, int, const void *, unsigned);
	long (*sendto)(int, const void *, size_t, int, const void *, unsigned);
	long (*recvfrom)(int, void *, size_t, int, void *, unsigned *);
	int (*close)(int);
} udp;

static size_t build(struct bootp *b, uint8_t type, uint32_t xid,
		    const uint8_t mac[6], const struct lease *offer)
{
	memset(b, 0, sizeof(*b));
	b->op = BOOTP_REQUEST;
	b->htype = 1; /* Ethernet */
	b->hlen = 6;
	b->xid = xid;
	b->flags = __builtin_bswap16(0x8000); /* answer by broadcast */
	memcpy(b->chaddr, mac, 6);
	b->cookie = __builtin_bswap32(DHCP_COOKIE);
	uint8_t *o = b->options;
	*o++ = OPT_MSG_TYPE, *o++ = 1, *o++ = type;
	if (offer) {
		*o++ = OPT_REQUESTED_IP, *o++ = 4;
		memcpy(o, &offer->addr, 4), o += 4;
		*o++ = OPT_SERVER_ID, *o++ = 4;
		memcpy(o, &offer->server, 4), o += 4;
	}
	*o++ = OPT_PARAMS, *o++ = 4, *o++ = OPT_MASK, *o++ = OPT_ROUTER,
	*o++ = OPT_DNS, *o++ = OPT_LEASE;
	*o++ = OPT_END;
	return (size_t)(o - (uint8_t *)b);
}

/* The message type of a reply to @xid, filling @l; 0 if it is not one. */
static int parse(const struct bootp *b, size_t len, uint32_t xid,
		 struct lease *l)
{
	if (len < offsetof(struct bootp, options) || b->op != BOOTP_REPLY ||
	    b->xid != xid || b->cookie != __builtin_bswap32(DHCP_COOKIE))
		return 0;
	memset(l, 0, sizeof(*l));
	l->addr = b->yiaddr;
	int type = 0;
	const uint8_t *o = b->options,
		      *end = (const uint8_t *)b + MIN(len, sizeof(*b));
	while (o < end && *o != OPT_END) {
		if (*o == 0) { /* pad */
			o++;
			continue;
		}
		if (o + 2 > end || o + 2 + o[1] > end)
			break; /* an option runs past the packet: stop there */
		const uint8_t *v = o + 2;
		if (o[0] == OPT_MSG_TYPE && o[1] == 1)
			type = v[0];
		else if (o[0] == OPT_MASK && o[1] == 4)
			memcpy(&l->mask, v, 4), l->have_mask = true;
		else if (o[0] == OPT_ROUTER && o[1] >= 4)
			memcpy(&l->router, v, 4), l->have_router = true;
		else if (o[0] == OPT_SERVER_ID && o[1] == 4)
			memcpy(&l->server, v, 4);
		else if (o[0] == OPT_LEASE && o[1] == 4)
			memcpy(&l->seconds, v, 4);
		else if (o[0] == OPT_DNS && o[1] >= 4)
			memcpy(l->dns, v, MIN((size_t)o[1] / 4, 3u) * 4);
		o += 2 + o[1];
	}
	return type;
}

/* Sends @b and waits for a reply of @want; 0, -ETIMEDOUT or -EPROTO (NAK). */
static int exchange(int s, struct bootp *b, size_t len, uint32_t xid, int want,
		    struct lease *l)
{
	struct sockaddr_in4 to = { .family = 2,
				   .port = __builtin_bswap16(67),
				   .addr = 0xffffffff };
	struct bootp reply;
	for (int tries = 0; tries < TRIES; tries++) {
		if (udp.sendto(s, b, len, 0, &to, sizeof(to)) < 0) {
			pr_err("dhcp: cannot send (errno %d)",
			       thread_current()->posix_errno);
			return -EIO;
		}
		uint64_t end = clock_monotonic_ns() + WAIT_MS * NSEC_PER_MSEC;
		while (clock_monotonic_ns() < end) {
			long n = udp.recvfrom(s, &reply, sizeof(reply), 0, NULL,
					      NULL);
			if (n <= 0)
				continue; /* receive timeout: look at the clock */
			int type = parse(&reply, (size_t)n, xid, l);
			if (type == want)
				return 0;
			if (type == DHCPNAK)
				return -EPROTO;
		}
	}
	return -ETIMEDOUT;
}

#define SOL_SOCKET 1
#define SO_BROADCAST 6
#define SO_RCVTIMEO 20
#define SO_BINDTODEVICE 25

int dhcp_configure(const uint8_t mac[6], struct net_config *cfg)
{
	udp.socket = lwip_symbol("lwip_socket");
	udp.bind = lwip_symbol("lwip_bind");
	udp.setsockopt = lwip_symbol("lwip_setsockopt");
	udp.sendto = lwip_symbol("lwip_sendto");
	udp.recvfrom = lwip_symbol("lwip_recvfrom");
	udp.close = lwip_symbol("lwip_close");
	if (!udp.socket || !udp.bind || !udp.setsockopt || !udp.sendto ||
	    !udp.recvfrom || !udp.close)
		return -ENOSYS;

	int s = udp.socket(2, 2, 0); /* AF_INET, SOCK_DGRAM */
	if (s < 0)
		return -ENOMEM;
	int one = 1;
	struct {
		int64_t sec, usec;
	} tv = { 0, 200 * 1000 };
	struct sockaddr_in4 any = { .family = 2,
				    .port = __builtin_bswap16(68) };
	int ret = -EIO;
	/* lwIP may allow broadcast without asking (IP_SOF_BROADCAST=0). */
	udp.setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	/*
	 * The interface has no address yet, so lwIP cannot route even a
	 * broadcast: send through the interface by name (struct ifreq).
	 */
	char ifreq[40] = "en0";
	if (udp.setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifreq,
			   sizeof(ifreq))) {
		pr_err("dhcp: cannot bind to en0 (errno %d)",
		       thread_current()->posix_errno);
		goto out;
	}
	if (udp.setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    udp.bind(s, &any, sizeof(any))) {
		pr_err("dhcp: cannot set up the socket (errno %d)",
		       thread_current()->posix_errno);
		goto out;
	}

	struct bootp b;
	struct lease offer, ack;
	for (int attempt = 0; attempt < 2; attempt++) {
		uint32_t xid = (uint32_t)random_u64();
		size_t len = build(&b, DHCPDISCOVER, xid, mac, NULL);
		ret = exchange(s, &b, len, xid, DHCPOFFER, &offer);
		if (ret)
			continue;
		len = build(&b, DHCPREQUEST, xid, mac, &offer);
		ret = exchange(s, &b, len, xid, DHCPACK, &ack);
		if (ret == 0)
			break; /* a NAK starts over */
	}
	if (ret)
		goto out;
	cfg->addr = ack.addr ? ack.addr : offer.addr;
	cfg->mask = ack.have_mask ? ack.mask : __builtin_bswap32(0xffffff00);
	cfg->gw = ack.have_router ? ack.router : 0;
	cfg->lease_seconds = __builtin_bswap32(ack.seconds);
	cfg->server = ack.server;
	memcpy(cfg->dns, ack.dns, sizeof(cfg->dns));
out:
	udp.close(s);
	return ret;
}
