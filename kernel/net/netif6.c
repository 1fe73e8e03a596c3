/*
 * IPv6 addresses beyond link-local. Every interface gets fe80::/64 from
 * its MAC (netif.c); `ip6=ADDR/64` gives en0 a static address too, and
 * `ip6.N=` enN; `ip6=auto` takes one from router advertisements (SLAAC,
 * which Debian's lwIP has built in) and waits up to 10 s for it.
 *
 * lwIP gives static addresses an implied /64 subnet (ip6_route), so no
 * other prefix length is accepted. A static address is usable at once:
 * in a cloud the platform hands out addresses, and duplicate detection
 * would only delay the boot (Linux's `nodad`). Traffic beyond the /64
 * goes to routers lwIP learns from advertisements; lwIP has no static
 * IPv6 default route.
 *
 * The addresses live in lwIP's struct netif; the offsets and sizes come
 * from Debian's headers (generated/lwip_layout.h). They are read under
 * lwIP's core lock.
 */
#include <generated/lwip_layout.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/inet6.h>
#include <kernel/net.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>

#include "net_internal.h"

#define SLAAC_WAIT_NS (10ULL * 1000 * 1000 * 1000)
#define SLAAC_POLL_NS (50ULL * 1000 * 1000)

struct ip6_option {
	bool set, autoconf;
	uint8_t addr[16];
	const char *text; /* the value, for messages */
};
static struct ip6_option options[NET_MAX_IFACES];

static bool is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static int set_ip6(const char *name, const char *value, char *err,
		   size_t errlen)
{
	struct ip6_option *o = &options[name[3] == '.' ? name[4] - '0' : 0];
	const char *p = value;
	uint64_t prefix = 0;
	if (value && !strcmp(value, "auto")) {
		o->set = o->autoconf = true;
		o->text = value;
		return 0;
	}
	if (!value || inet6_parse(&p, o->addr) || *p++ != '/' ||
	    cmdline_read_u64(&p, &prefix) || *p) {
		snprintf(
			err, errlen,
			"option '%s' needs auto or ADDR/64, e.g. fd00::5/64, not '%.64s'",
			name, value ? value : "");
		return -EINVAL;
	}
	if (prefix != 64) {
		snprintf(
			err, errlen,
			"option '%s': only /64 prefixes (lwIP gives static IPv6 addresses a /64 subnet), not /%lu",
			name, (unsigned long)prefix);
		return -EINVAL;
	}
	static const uint8_t zero[16];
	if (o->addr[0] == 0xff || is_link_local(o->addr) ||
	    !memcmp(o->addr, zero, 15)) {
		snprintf(
			err, errlen,
			"option '%s': %.64s is not a unicast global or unique local address",
			name, value);
		return -EINVAL;
	}
	o->set = true;
	o->autoconf = false;
	o->text = value;
	return 0;
}
KPARAM_CUSTOM(ip6, "ip6", "ip6=auto|ADDR/64", set_ip6, false, false,
	      "IPv6 address of en0 besides its link-local one, or auto (SLAAC)");
KPARAM_CUSTOM(ip6_1, "ip6.1", "ip6.1=auto|ADDR/64", set_ip6, false, false,
	      "IPv6 address of en1");
KPARAM_CUSTOM(ip6_2, "ip6.2", "ip6.2=auto|ADDR/64", set_ip6, false, false,
	      "IPv6 address of en2");
KPARAM_CUSTOM(ip6_3, "ip6.3", "ip6.3=auto|ADDR/64", set_ip6, false, false,
	      "IPv6 address of en3");

const char *net6_option(unsigned i)
{
	return i < NET_MAX_IFACES && options[i].set ? options[i].text : NULL;
}

#define NETIF_FIELD(netif, type, off) (*(type *)((char *)(netif) + (off)))

void net6_netif_init(unsigned i, void *netif)
{
	/* Router advertisements then make addresses; set before netif_add's end. */
	NETIF_FIELD(netif, uint8_t, LWIP_NETIF_OFF_ip6_autoconfig_enabled) =
		net6_option(i) && options[i].autoconf;
}

static const uint8_t *addr_at(void *netif, unsigned slot)
{
	return (const uint8_t *)netif + LWIP_NETIF_OFF_ip6_addr +
	       slot * LWIP_IP_ADDR_SIZE;
}

static uint8_t state_at(void *netif, unsigned slot)
{
	return ((const uint8_t *)netif + LWIP_NETIF_OFF_ip6_addr_state)[slot];
}

unsigned net6_addresses(void *netif, uint8_t (*out)[16], unsigned max)
{
	unsigned n = 0;
	lwip_lock();
	for (unsigned s = 0; s < LWIP_IPV6_NUM_ADDRESSES && n < max; s++)
		if (state_at(netif, s) &
		    (LWIP_IP6_ADDR_VALID | LWIP_IP6_ADDR_TENTATIVE))
			memcpy(out[n++], addr_at(netif, s), 16);
	lwip_unlock();
	return n;
}

struct add_request {
	void *netif;
	const uint8_t *addr;
	int err;
};

/* In lwIP's thread: the static address, preferred at once. */
static void add_static(void *arg)
{
	struct add_request *r = arg;
	int8_t (*add)(void *, const void *, int8_t *) =
		lwip_symbol("netif_add_ip6_address");
	void (*set_state)(void *, int8_t, uint8_t) =
		lwip_symbol("netif_ip6_addr_set_state");
	uint32_t a[LWIP_IP6_ADDR_SIZE / 4] = { 0 }; /* zone 0: none */
	int8_t slot = -1;
	memcpy(a, r->addr, 16);
	r->err = add && set_state ? add(r->netif, a, &slot) : -1;
	if (r->err == 0)
		set_state(r->netif, slot, LWIP_IP6_ADDR_PREFERRED);
}

/* The first preferred address that is not link-local, if any. */
static bool global_address(void *netif, uint8_t out[16])
{
	bool found = false;
	lwip_lock();
	for (unsigned s = 0; s < LWIP_IPV6_NUM_ADDRESSES && !found; s++) {
		const uint8_t *a = addr_at(netif, s);
		if (state_at(netif, s) == LWIP_IP6_ADDR_PREFERRED &&
		    !is_link_local(a)) {
			memcpy(out, a, 16);
			found = true;
		}
	}
	lwip_unlock();
	return found;
}

int net6_up(unsigned i, void *netif, lwip_callback_fn callback)
{
	struct ip6_option *o = &options[i];
	char text[INET6_TEXT_MAX];
	uint8_t a[16];
	if (!o->set)
		return 0;
	if (!o->autoconf) {
		struct add_request r = { netif, o->addr, 0 };
		callback(add_static, &r);
		if (r.err) {
			pr_err("net: en%u: lwIP refused IPv6 address %s (%d)",
			       i, o->text, r.err);
			return -EIO;
		}
		pr_notice("net: en%u %s", i, o->text);
		return 0;
	}
	uint64_t deadline = clock_monotonic_ns() + SLAAC_WAIT_NS;
	while (!global_address(netif, a)) {
		if (clock_monotonic_ns() >= deadline) {
			pr_err("net: en%u: no IPv6 router advertisement with a prefix within 10 s (ip6=auto)",
			       i);
			return -ETIMEDOUT;
		}
		thread_sleep_ns(SLAAC_POLL_NS);
	}
	inet6_format(a, text);
	pr_notice("net: en%u %s/64 (router advertisement)", i, text);
	return 0;
}
