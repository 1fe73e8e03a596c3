/*
 * The network interfaces: virtio-net devices as lwIP netifs en0, en1, ...
 * in device order, configured from the command line (`ip=` for en0 with
 * `gw=`, `ip.1=` for en1, ...). en0 is lwIP's default route.
 *
 * struct netif is lwIP's; its size and the offsets of the few fields the
 * driver fills in come from Debian's lwIP headers at build time
 * (scripts/gen-lwip-layout.sh), so they match the library. Frames go out
 * through linkoutput (copied out of the pbuf chain into the device's
 * buffers; TCP segments may first be joined into large ones, tso.c) and
 * come in from the device's worker thread into a pbuf that the worker
 * runs through lwIP itself, under lwIP's core lock.
 */
#include <drivers/virtio.h>
#include <generated/lwip_layout.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/net.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <vfs/vfs.h>

#include "net_internal.h"

#define ERR_OK 0
#define ERR_IF (-12)

static const char *gw_option;

/* "a.b.c.d" into network order; false when it is not one. */
static bool parse_ipv4(const char *s, const char **end, uint32_t *out)
{
	uint32_t v = 0;
	for (int part = 0; part < 4; part++) {
		uint64_t n;
		if (cmdline_read_u64(&s, &n) || n > 255)
			return false;
		v = v << 8 | (uint32_t)n;
		if (part < 3 && *s++ != '.')
			return false;
	}
	*end = s;
	*out = __builtin_bswap32(v);
	return true;
}

/* One interface: lwIP's struct netif (first) and what configures it. */
struct iface {
	char netif[LWIP_NETIF_SIZE] __aligned(16);
	struct virtio_net *nic;
	uint32_t addr, mask, gw; /* network order */
	bool set, dhcp, added;
	const char *option; /* the ip= value, for messages */
	struct tso tso;	    /* segments held for the device's TSO */
};
static struct iface ifaces[NET_MAX_IFACES];

static struct iface *iface_of(void *netif)
{
	return (struct iface *)netif; /* netif is the first member */
}

/* ip= (en0) and ip.N= (enN): the index from the option's name. */
static int set_ip(const char *name, const char *value, char *err, size_t errlen)
{
	struct iface *ifc = &ifaces[name[2] == '.' ? name[3] - '0' : 0];
	const char *end;
	uint64_t prefix = 24;
	if (value && !strcmp(value, "dhcp")) {
		if (ifc != &ifaces[0]) {
			snprintf(
				err, errlen,
				"option '%s': DHCP works on the first interface only",
				name);
			return -EINVAL;
		}
		ifc->set = ifc->dhcp = true;
		ifc->option = value;
		return 0;
	}
	if (!value || !parse_ipv4(value, &end, &ifc->addr) ||
	    (*end == '/' && (end++, cmdline_read_u64(&end, &prefix) ||
					    prefix < 1 || prefix > 32)) ||
	    *end) {
		snprintf(
			err, errlen,
			"option '%s' needs ADDR/PREFIX, e.g. 10.0.0.5/24, not '%.64s'",
			name, value ? value : "");
		return -EINVAL;
	}
	ifc->mask = __builtin_bswap32(prefix == 32 ? ~0u : ~(~0u >> prefix));
	ifc->set = true;
	ifc->option = value;
	return 0;
}
KPARAM_CUSTOM(
	ip, "ip", "ip=dhcp|ADDR/PREFIX", set_ip, false, false,
	"IPv4 address of the first network interface (en0, virtio-net), or dhcp");
KPARAM_CUSTOM(ip1, "ip.1", "ip.1=ADDR/PREFIX", set_ip, false, false,
	      "IPv4 address of the second network interface (en1)");
KPARAM_CUSTOM(ip2, "ip.2", "ip.2=ADDR/PREFIX", set_ip, false, false,
	      "IPv4 address of the third network interface (en2)");
KPARAM_CUSTOM(ip3, "ip.3", "ip.3=ADDR/PREFIX", set_ip, false, false,
	      "IPv4 address of the fourth network interface (en3)");

static int set_gw(const char *name, const char *value, char *err, size_t errlen)
{
	const char *end;
	if (!value || !parse_ipv4(value, &end, &ifaces[0].gw) || *end) {
		snprintf(err, errlen,
			 "option 'gw' needs an IPv4 address, not '%.64s'",
			 value ? value : "");
		return -EINVAL;
	}
	gw_option = value;
	return 0;
}
KPARAM_CUSTOM(gw, "gw", "gw=ADDR", set_gw, false, false,
	      "default gateway of the first network interface");

static uint32_t dns_servers[3]; /* network order; dns= or DHCP */
static unsigned nr_dns;

static int set_dns(const char *name, const char *value, char *err,
		   size_t errlen)
{
	const char *end;
	uint32_t a;
	if (!value || !parse_ipv4(value, &end, &a) || *end) {
		snprintf(err, errlen,
			 "option 'dns' needs an IPv4 address, not '%.64s'",
			 value ? value : "");
		return -EINVAL;
	}
	if (nr_dns == ARRAY_SIZE(dns_servers)) {
		snprintf(err, errlen, "at most %zu dns= options",
			 ARRAY_SIZE(dns_servers));
		return -E2BIG;
	}
	dns_servers[nr_dns++] = a;
	return 0;
}
KPARAM_CUSTOM(dns, "dns", "dns=ADDR", set_dns, false, true,
	      "a name server for /etc/resolv.conf (up to 3)");

int net_write_resolv_conf(void)
{
	char text[160];
	size_t n = 0;
	if (!nr_dns)
		return 0;
	for (unsigned i = 0; i < nr_dns; i++) {
		uint32_t a = __builtin_bswap32(dns_servers[i]);
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "nameserver %u.%u.%u.%u\n", a >> 24,
				      (a >> 16) & 255, (a >> 8) & 255, a & 255);
	}
	int ret = vfs_mkdir("/etc", 0755);
	if (ret && ret != -EEXIST)
		return ret;
	struct file *f = vfs_open("/etc/resolv.conf",
				  O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	struct uio u = { .base = text, .len = n, .user = false };
	ssize_t w = vfs_write(f, &u);
	file_put(f);
	return w == (ssize_t)n ? 0 : -EIO;
}

static int (*tcpip_input)(void *p, void *netif);
static int (*ethernet_input)(void *p, void *netif);
static void *(*pbuf_alloc)(int layer, uint16_t len, int type);
static uint8_t (*pbuf_free)(void *p);
static uint16_t (*inet_chksum)(const void *data, uint16_t len);

#define FIELD(ifc, type, off) (*(type *)((ifc)->netif + (off)))

/* lwIP's output, under its core lock. */
static int linkoutput(void *netif, void *p)
{
	struct iface *ifc = iface_of(netif);
	return tso_output(&ifc->tso, ifc->nic, p);
}

static int8_t (*lwip_ip4_frag)(void *p, void *netif, const void *dest);

/*
 * In place of lwIP's ip4_frag, which it calls for an IPv4 packet longer
 * than the netif's MTU: a TCP segment (one of a connection given large
 * segments, lwip_tcp_large) goes on whole to a device that cuts it; any
 * other packet, or any packet for a device that does not cut TCP, is
 * fragmented by lwIP as before.
 */
int8_t net_ip4_frag(void *p, void *netif, const void *dest)
{
	struct iface *ifc = iface_of(netif);
	const uint8_t *ip = *(uint8_t **)((char *)p + LWIP_PBUF_OFF_payload);
	uint16_t len = *(uint16_t *)((char *)p + LWIP_PBUF_OFF_len);
	if (ifc >= ifaces && ifc < ifaces + NET_MAX_IFACES && ifc->nic &&
	    virtio_net_tso4(ifc->nic) && len >= 20 && ip[0] == 0x45 &&
	    ip[9] == 6) {
		int8_t (*output)(void *, void *, const void *) =
			FIELD(ifc, void *, LWIP_NETIF_OFF_output);
		return output(netif, p, dest);
	}
	return lwip_ip4_frag(p, netif, dest);
}

void net_tx_flush(void)
{
	for (unsigned i = 0; i < NET_MAX_IFACES; i++)
		if (ifaces[i].tso.nseg)
			tso_flush(&ifaces[i].tso, ifaces[i].nic);
}

void net_tx_reclaim(void)
{
	for (unsigned i = 0; i < NET_MAX_IFACES; i++)
		if (ifaces[i].nic)
			virtio_net_tx_reclaim(ifaces[i].nic);
}

bool net_tx_idle(void)
{
	for (unsigned i = 0; i < NET_MAX_IFACES; i++)
		if (ifaces[i].nic && !virtio_net_tx_idle(ifaces[i].nic))
			return false;
	return true;
}

/*
 * A frame from the device, copied into one PBUF_RAM pbuf of its size. Not
 * PBUF_POOL: Debian's liblwip.so.0 allocates pool buffers of 616 bytes
 * (memp_PBUF_POOL, built with the default TCP_MSS of 536) but fills them
 * up to 1536 (pbuf.c, built with TCP_MSS 1460), so any frame over 592
 * bytes overran the heap. A checksum the device left to finish (a large
 * segment, or the host's own traffic) is finished here; lwIP then checks
 * it as it checks every other.
 */
static void rx(void *ctx, const struct virtio_net_frame *f)
{
	struct iface *ifc = ctx;
	if (f->total > UINT16_MAX) { /* a pbuf holds 64 KiB at most */
		static bool logged;
		if (!logged) {
			logged = true;
			pr_warn("net: dropped a %zu-byte frame (lwIP takes 65535 at most)",
				f->total);
		}
		return;
	}
	void *p = pbuf_alloc(LWIP_PBUF_RAW, (uint16_t)f->total, LWIP_PBUF_RAM);
	if (!p)
		return; /* out of memory: dropped, as a NIC would */
	char *frame = *(char **)((char *)p + LWIP_PBUF_OFF_payload);
	size_t at = 0;
	for (unsigned i = 0; i < f->nparts; i++) {
		memcpy(frame + at, f->part[i], f->len[i]);
		at += f->len[i];
	}
	if (f->needs_csum) {
		size_t field = (size_t)f->csum_start + f->csum_offset;
		if (field + 2 > f->total) {
			pbuf_free(p);
			return;
		}
		uint16_t sum =
			inet_chksum(frame + f->csum_start,
				    (uint16_t)(f->total - f->csum_start));
		if (sum == 0)
			sum = 0xffff; /* 0 would mean "no checksum" to UDP */
		memcpy(frame + field, &sum, 2);
	}
	/*
	 * Processed here, in the device's worker, under lwIP's core lock (as
	 * LWIP_TCPIP_CORE_LOCKING_INPUT would have it): no hand-off to lwIP's
	 * thread and back for every frame, which measured 13-26% more
	 * throughput and 20% less latency. ethernet_input takes the pbuf.
	 */
	lwip_lock();
	ethernet_input(p, ifc->netif);
	lwip_unlock();
}

static int netif_init_fn(void *netif)
{
	struct iface *ifc = iface_of(netif);
	FIELD(ifc, void *, LWIP_NETIF_OFF_output) =
		lwip_symbol("etharp_output");
	FIELD(ifc, void *, LWIP_NETIF_OFF_linkoutput) = (void *)linkoutput;
	FIELD(ifc, void *, LWIP_NETIF_OFF_output_ip6) =
		lwip_symbol("ethip6_output");
	FIELD(ifc, uint16_t, LWIP_NETIF_OFF_mtu) = NET_MTU;
	memcpy(&FIELD(ifc, uint8_t, LWIP_NETIF_OFF_hwaddr),
	       virtio_net_mac(ifc->nic), 6);
	FIELD(ifc, uint8_t, LWIP_NETIF_OFF_hwaddr_len) = 6;
	FIELD(ifc, uint8_t, LWIP_NETIF_OFF_flags) =
		LWIP_NETIF_FLAG_BROADCAST | LWIP_NETIF_FLAG_ETHARP |
		LWIP_NETIF_FLAG_ETHERNET | LWIP_NETIF_FLAG_LINK_UP |
		LWIP_NETIF_FLAG_MLD6;
	memcpy(&FIELD(ifc, char, LWIP_NETIF_OFF_name), "en", 2);
	net6_netif_init((unsigned)(ifc - ifaces), netif);
	return ERR_OK;
}

static void set_addr(void *arg)
{
	struct iface *ifc = arg;
	void (*set)(void *, const uint32_t *, const uint32_t *,
		    const uint32_t *) = lwip_symbol("netif_set_addr");
	set(ifc->netif, &ifc->addr, &ifc->mask, &ifc->gw);
}

/* In lwIP's thread: en0 becomes the default route. */
static void add_netif(void *arg)
{
	struct iface *ifc = arg;
	void *(*add)(void *, const uint32_t *, const uint32_t *,
		     const uint32_t *, void *, int (*)(void *),
		     void *) = lwip_symbol("netif_add");
	void (*set_default)(void *) = lwip_symbol("netif_set_default");
	void (*up)(void *) = lwip_symbol("netif_set_up");
	void (*linklocal)(void *, uint8_t) =
		lwip_symbol("netif_create_ip6_linklocal_address");
	if (add(ifc->netif, &ifc->addr, &ifc->mask, &ifc->gw, NULL,
		netif_init_fn, (void *)tcpip_input)) {
		if (ifc == &ifaces[0])
			set_default(ifc->netif);
		up(ifc->netif);
		/* IPv6: fe80::/64 from the MAC (EUI-64), after duplicate detection. */
		if (linklocal)
			linklocal(ifc->netif, 1);
		ifc->added = true;
	}
}

/* en0 by DHCP: the lease's address, mask, router and name servers. */
static int dhcp_up(struct iface *ifc, lwip_callback_fn callback)
{
	struct net_config c;
	/*
	 * lwIP takes no packet on an interface without an address, not even
	 * a broadcast: a link-local one stands in until the lease.
	 */
	int ret = lwip_symbol("netif_set_addr") ?
			  dhcp_configure(virtio_net_mac(ifc->nic), &c) :
			  -ENOSYS;
	if (ret) {
		pr_err("net: DHCP failed (%s)",
		       ret == -ETIMEDOUT ? "no server answered" : "error");
		return ret;
	}
	ifc->addr = c.addr;
	ifc->mask = c.mask;
	ifc->gw = c.gw;
	/* The server's name servers, unless dns= gave some. */
	bool dns_given = nr_dns > 0;
	for (unsigned i = 0; !dns_given && i < ARRAY_SIZE(c.dns); i++)
		if (c.dns[i])
			dns_servers[nr_dns++] = c.dns[i];
	callback(set_addr, ifc);
	uint32_t a = __builtin_bswap32(c.addr), g = __builtin_bswap32(c.gw),
		 m = __builtin_bswap32(c.mask),
		 sv = __builtin_bswap32(c.server);
	unsigned prefix = 0;
	for (uint32_t x = m; x & 0x80000000u; x <<= 1)
		prefix++;
	pr_notice(
		"net: en0 %u.%u.%u.%u/%u gw %u.%u.%u.%u (DHCP from %u.%u.%u.%u, lease %u s)",
		a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, prefix,
		g >> 24, (g >> 16) & 255, (g >> 8) & 255, g & 255, sv >> 24,
		(sv >> 16) & 255, (sv >> 8) & 255, sv & 255, c.lease_seconds);
	return 0;
}

/* en@i: its device, lwIP's netif, its address. */
static int iface_up(unsigned i, lwip_callback_fn callback)
{
	struct iface *ifc = &ifaces[i];
	ifc->nic = virtio_net_device(i);
	if (!ifc->nic) {
		const char *v4 = ifc->set ? ifc->option : NULL;
		const char *what = v4 ? "ip" : "ip6",
			   *value = v4 ? v4 : net6_option(i);
		if (i == 0)
			pr_err("net: %s=%s given, but there is no virtio-net device",
			       what, value);
		else
			pr_err("net: %s.%u=%s given, but there are only %u virtio-net devices",
			       what, i, value, i);
		return -ENODEV;
	}
	if (ifc->dhcp) {
		ifc->addr = __builtin_bswap32(0xa9fe0001); /* 169.254.0.1 */
		ifc->mask = __builtin_bswap32(0xffff0000);
	}
	callback(add_netif, ifc);
	if (!ifc->added) {
		pr_err("net: lwIP refused interface en%u", i);
		return -EIO;
	}
	virtio_net_set_rx(ifc->nic, rx, ifc);
	int ret = ifc->dhcp ? dhcp_up(ifc, callback) : 0;
	bool gw = i == 0 && gw_option;
	if (ifc->set && !ifc->dhcp)
		pr_notice("net: en%u %s%s%s", i, ifc->option, gw ? " gw " : "",
			  gw ? gw_option : "");
	return ret ? ret : net6_up(i, ifc->netif, callback);
}

int net_init(void)
{
	unsigned n = 0;
	while (n < NET_MAX_IFACES && (ifaces[n].set || net6_option(n)))
		n++;
	for (unsigned i = n; i < NET_MAX_IFACES; i++) {
		if (ifaces[i].set || net6_option(i)) {
			pr_err("net: %s.%u given without %s: interfaces are numbered without gaps",
			       ifaces[i].set ? "ip" : "ip6", i,
			       i == 1 ? "ip or ip6" : "the ones before it");
			return -EINVAL;
		}
	}
	if (!n)
		return 0;
	int ret = lwip_start();
	if (ret)
		return ret;
	tcpip_input = lwip_symbol("tcpip_input");
	ethernet_input = lwip_symbol("ethernet_input");
	pbuf_alloc = lwip_symbol("pbuf_alloc");
	inet_chksum = lwip_symbol("inet_chksum");
	pbuf_free = lwip_symbol("pbuf_free");
	lwip_ip4_frag = lwip_symbol("ip4_frag");
	lwip_callback_fn callback = lwip_symbol("tcpip_callback_wait");
	if (!tcpip_input || !ethernet_input || !pbuf_alloc || !inet_chksum ||
	    !pbuf_free || !lwip_ip4_frag || !callback ||
	    !lwip_symbol("etharp_output") || tso_init())
		return -ENOEXEC;
	for (unsigned i = 0; i < n && !ret; i++)
		ret = iface_up(i, callback);
	return ret;
}

int net_iface(unsigned index, struct net_iface *out)
{
	memset(out, 0, sizeof(*out));
	out->index = index;
	if (index == 1) { /* lwIP loops its own addresses back */
		strlcpy(out->name, "lo", sizeof(out->name));
		out->flags = NET_IFF_UP | NET_IFF_LOOPBACK | NET_IFF_RUNNING;
		out->addr = __builtin_bswap32(0x7f000001);
		out->mask = __builtin_bswap32(0xff000000);
		out->mtu = 65536;
		return 0;
	}
	if (index < 2 || index - 2 >= NET_MAX_IFACES ||
	    !ifaces[index - 2].added)
		return -ENODEV;
	const struct iface *ifc = &ifaces[index - 2];
	snprintf(out->name, sizeof(out->name), "en%u", index - 2);
	out->flags = NET_IFF_UP | NET_IFF_BROADCAST | NET_IFF_RUNNING |
		     NET_IFF_MULTICAST;
	out->addr = ifc->addr;
	out->mask = ifc->mask;
	out->nr_addr6 = net6_addresses((void *)ifc->netif, out->addr6,
				       ARRAY_SIZE(out->addr6));
	memcpy(out->mac, virtio_net_mac(ifc->nic), 6);
	out->mtu = NET_MTU;
	return 0;
}
