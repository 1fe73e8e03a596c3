/* Networking: lwIP inside the kernel (kernel/net/). */
#ifndef KERNEL_NET_H
#define KERNEL_NET_H

#include <kernel/types.h>

/*
 * Links Debian's lwIP into the kernel and starts its TCP/IP thread, once;
 * later calls return the first call's result (0 or a negative errno).
 */
int lwip_start(void);
/* An lwIP function by name, once lwIP is started; NULL otherwise. */
void *lwip_symbol(const char *name);
/*
 * lwIP's core lock (LWIP_TCPIP_CORE_LOCKING): held to read or change
 * lwIP's state outside its thread. lwIP must have started.
 */
void lwip_lock(void);
void lwip_unlock(void);
/*
 * Sets the send buffer of lwIP socket @lfd, held by the caller, whose size
 * is kept in *@size (0 for a new socket: lwIP's own TCP_SND_BUF), to @bytes;
 * *@size becomes the size it has, which is larger than @bytes when more
 * than @bytes is queued. Only a TCP connection's lwIP state changes.
 */
void lwip_sndbuf_set(int lfd, uint32_t *size, uint32_t bytes);
/*
 * The send buffer a TCP connection starts with, and the largest: about
 * what lwIP's queue of 180 segments (TCP_SND_QUEUELEN, from TCP_SND_BUF in
 * Debian's build) holds. Four times lwIP's own, so that more than one
 * 64 KiB window is in flight.
 */
#define NET_SNDBUF_MAX (256 * 1024)
/*
 * The send buffer of the kernel's own TCP connections (libnfs's): one
 * whole 1 MiB WRITE call fits, so a call goes to lwIP in one write and
 * its sender is not woken once per 256 KiB acknowledged. With 256 KiB,
 * each connection stopped after every 256 KiB until its ACKs were in;
 * an NFS write from one thread ran at 220-235 MB/s, against 254-283 with
 * this, and the host's CPUs were less busy (66-80% against 75-79%).
 * It fits lwIP's queue of 180 entries once the connection sends large
 * segments (kernel/net/tso.c): 66 of them hold 1 MiB.
 */
#define NET_KERNEL_SNDBUF (1024 * 1024)
/*
 * Brings up the network the command line asks for (`ip=`): lwIP and the
 * first virtio-net device. 0 when there is nothing to do or it is up.
 */
int net_init(void);
/* Writes /etc/resolv.conf from dns= or DHCP, if either gave servers. */
int net_write_resolv_conf(void);

/* An interface as ioctl(SIOCGIF*) reports it; addresses in network order. */
struct net_iface {
	char name[16];
	unsigned index;	      /* 1: lo, 2: en0, 3: en1, ... */
	unsigned flags;	      /* Linux IFF_* */
	uint32_t addr, mask;  /* 0 when the interface has no IPv4 address */
	uint8_t addr6[6][16]; /* IPv6: link-local first, all /64 */
	unsigned nr_addr6;
	uint8_t mac[6];
	unsigned mtu;
};
#define NET_IFF_UP 0x1
#define NET_IFF_BROADCAST 0x2
#define NET_IFF_LOOPBACK 0x8
#define NET_IFF_RUNNING 0x40
#define NET_IFF_MULTICAST 0x1000
/* Interface @index (from 1), or -ENODEV past the last. */
int net_iface(unsigned index, struct net_iface *out);
/*
 * At the program's end: closes its sockets and waits (a few seconds at
 * most) until what they sent has been acknowledged.
 */
void net_drain(void);

#endif
