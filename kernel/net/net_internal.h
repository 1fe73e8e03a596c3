/* Between the parts of kernel/net/; not public. */
#ifndef KERNEL_NET_NET_INTERNAL_H
#define KERNEL_NET_NET_INTERNAL_H

#include <kernel/types.h>

/* Network interfaces: en0 .. en3. */
#define NET_MAX_IFACES 4

/*
 * Large TCP segments for a device that cuts them itself (tso.c): what an
 * interface holds of lwIP's segments. Under lwIP's core lock: tso_output
 * is the interface's linkoutput, tso_flush sends what it holds.
 */
#define TSO_HDR_MAX (14 + 20 + 60) /* Ethernet, IPv4, TCP with options */
#define TSO_MAX_SEGS 48		   /* 64 KiB of 1460-byte segments is 45 */
struct virtio_net;
struct tso {
	uint8_t hdr[TSO_HDR_MAX]; /* the first segment's headers */
	uint16_t hdr_len, mss;	  /* mss: the first segment's payload */
	uint32_t next_seq;	  /* the sequence number that continues */
	uint32_t payload;	  /* bytes held, headers not counted */
	unsigned nseg;
	void *seg[TSO_MAX_SEGS]; /* the segments' pbufs, referenced */
};
int tso_init(void);
int tso_output(struct tso *t, struct virtio_net *nic, void *p);
void tso_flush(struct tso *t, struct virtio_net *nic);
/* Sends what every interface holds (netif.c); under the core lock. */
void net_tx_flush(void);
/*
 * What the devices have sent gives back what tso.c lent them (netif.c):
 * lwIP sends no segment again while its pbuf is still referenced. Under
 * the core lock, each time it is taken.
 */
void net_tx_reclaim(void);
/* Whether every interface's device has sent all it was given. */
bool net_tx_idle(void);

/*
 * Large TCP segments (lwip.c, tso.c, netif.c): the connection that sent
 * the IPv4 segment with headers @ip, at @mss, is given @large from now
 * on; net_ip4_frag stands in for lwIP's ip4_frag, so that such a segment
 * goes to a device that cuts it whole. Both under the core lock.
 */
void lwip_tcp_large(const uint8_t *ip, uint16_t mss, uint16_t large);
/*
 * lwIP's TCP connections (tcp_active_pcbs, read at offsets from Debian's
 * headers), under the core lock: the first, and the one after @pcb; NULL
 * at the end, and before lwIP has started.
 */
char *lwip_tcp_first(void);
char *lwip_tcp_next(const char *pcb);
int8_t net_ip4_frag(void *p, void *netif, const void *dest);
/* An Ethernet interface's MTU: what lwIP's netif and the device's cuts use. */
#define NET_MTU 1500

/* lwIP's tcpip_callback_wait: runs a function in lwIP's thread. */
typedef int (*lwip_callback_fn)(void (*)(void *), void *);

/*
 * IPv6 beyond link-local (netif6.c), for netif.c: the value of ip6= (en0)
 * or ip6.@i= when given, else NULL; setting up lwIP's netif of en@i while
 * it is added; and after that, its static address or the wait for one
 * from a router (0 or -errno, with the error logged).
 */
const char *net6_option(unsigned i);
void net6_netif_init(unsigned i, void *netif);
int net6_up(unsigned i, void *netif, lwip_callback_fn callback);
/*
 * Copies up to @max of @netif's IPv6 addresses (valid ones, and tentative
 * ones still in duplicate detection, as Linux lists them) to @out; how many.
 */
unsigned net6_addresses(void *netif, uint8_t (*out)[16], unsigned max);

/* An interface's IPv4 configuration; addresses in network order. */
struct net_config {
	uint32_t addr, mask, gw;
	uint32_t server; /* DHCP: the server that gave it */
	uint32_t lease_seconds;
	uint32_t dns[3]; /* name servers, 0 where none */
};

/*
 * Gets a configuration for the interface with hardware address @mac from a
 * DHCP server (lwIP running, interface up at 0.0.0.0). 0, -ETIMEDOUT when
 * no server answered, or another negative errno.
 */
int dhcp_configure(const uint8_t mac[6], struct net_config *cfg);

struct file;
/* The lwIP descriptor behind a socket file, or -ENOTSOCK (sys_socket.c). */
int socket_lwip_fd(const struct file *f);

/*
 * AF_NETLINK sockets (netlink.c), for the socket system calls: buffers
 * here are kernel memory.
 */
bool netlink_file(const struct file *f);
long netlink_socket(int type, int protocol);
long netlink_bind(struct file *f, const void *addr, unsigned len);
long netlink_getsockname(struct file *f, void *addr, unsigned *len);
long netlink_send(struct file *f, const void *buf, size_t len);
long netlink_recv(struct file *f, void *buf, size_t len, int flags, void *name,
		  unsigned *namelen);

#endif
