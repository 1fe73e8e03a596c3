/* Networking: lwIP inside the kernel (kernel/net/). */
#ifndef KERNEL_NET_H
#define KERNEL_NET_H

/*
 * Links Debian's lwIP into the kernel and starts its TCP/IP thread, once;
 * later calls return the first call's result (0 or a negative errno).
 */
int lwip_start(void);
/* An lwIP function by name, once lwIP is started; NULL otherwise. */
void *lwip_symbol(const char *name);
/*
 * Brings up the network the command line asks for (`ip=`): lwIP and the
 * first virtio-net device. 0 when there is nothing to do or it is up.
 */
int net_init(void);
/* Writes /etc/resolv.conf from dns= or DHCP, if either gave servers. */
int net_write_resolv_conf(void);

#endif
