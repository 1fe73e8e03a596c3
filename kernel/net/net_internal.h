/* Between the network interface (netif.c) and DHCP (dhcp.c); not public. */
#ifndef KERNEL_NET_NET_INTERNAL_H
#define KERNEL_NET_NET_INTERNAL_H

#include <kernel/types.h>

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
