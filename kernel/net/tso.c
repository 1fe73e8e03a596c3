/*
 * TCP segmentation by the device, for a stack that has none. Debian's lwIP
 * cuts what a program sends into segments of one MSS and hands each to
 * linkoutput alone; each would then cross the virtio ring, QEMU and the
 * host's stack on its own. Where the device segments TCP itself
 * (virtio_net_tso4), the consecutive segments of one connection are held
 * here and go to the device as one segment of up to 64 KiB: the first
 * one's headers, all of their payloads, the device left to cut it again at
 * the first one's size and to compute every checksum.
 *
 * A connection that sends full segments is also given larger ones
 * (lwip_tcp_large: TSO_LARGE_SEGS times the MSS), so that lwIP's work per
 * segment is done once for many: such a segment, alone or with others,
 * goes to the device with the connection's real MSS to cut it at.
 *
 * What is held goes out when a frame comes that does not continue it,
 * when a segment is shorter than the first or has PSH or FIN set (the
 * end of what the program wrote), when 64 KiB are held, and at the latest
 * when lwIP's core lock is released (lwip_unlock, which lwIP's own
 * releases reach too: kernel/net/lwip.c). All of this runs under the core lock, so nothing is
 * held past the lwIP work that made it.
 *
 * The held segments' pbufs are referenced, not copied, until they go out:
 * lwIP does not retransmit a segment whose pbuf is still referenced. Where
 * the device takes indirect descriptors, they stay referenced until the
 * device has sent them, which reads their payloads in place: of a sent
 * byte's copies (the program's, lwIP's, the device's), one fewer.
 */
#include <drivers/virtio.h>
#include <generated/lwip_layout.h>
#include <kernel/errno.h>
#include <kernel/net.h>
#include <kernel/string.h>

#include "net_internal.h"

#define ERR_OK 0
#define ERR_IF (-12)

_Static_assert(TSO_MAX_SEGS <= VIRTIO_NET_TX_PARTS, "held segments go whole");

#define ETH_HLEN 14
#define IP_HLEN 20 /* no options: others are not held */
#define TCP_OFF (ETH_HLEN + IP_HLEN)
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
/*
 * A large segment is this many of the MSS: four of 1460 bytes each fill
 * one 64 KiB frame, and half of lwIP's 64 KiB receive window still holds
 * two when the peer is another of these kernels.
 */
#define TSO_LARGE_SEGS 11
#define IP_MAX 65535 /* an IPv4 packet's bytes, headers included */

static uint16_t (*pbuf_copy_partial)(const void *p, void *buf, uint16_t len,
				     uint16_t off);
static void (*pbuf_ref)(void *p);
static uint8_t (*pbuf_free)(void *p);

int tso_init(void)
{
	pbuf_copy_partial = lwip_symbol("pbuf_copy_partial");
	pbuf_ref = lwip_symbol("pbuf_ref");
	pbuf_free = lwip_symbol("pbuf_free");
	return pbuf_copy_partial && pbuf_ref && pbuf_free ? 0 : -ENOEXEC;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The ones' complement sum of @n bytes (even) as 16-bit words, folded. */
static uint16_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The IPv4 length of what is held, with @more payload bytes added. */
static size_t ip_len(const struct tso *t, size_t more)
{
	return IP_HLEN + t->hdr_len - TCP_OFF + t->payload + more;
}

static size_t frame_len(const void *p)
{
	return *(const uint16_t *)((const char *)p + LWIP_PBUF_OFF_tot_len);
}

/* The frame's bytes when they are in one piece (one pbuf), or NULL. */
static uint8_t *frame_bytes(const void *p)
{
	if (*(const uint16_t *)((const char *)p + LWIP_PBUF_OFF_len) !=
	    frame_len(p))
		return NULL;
	return *(uint8_t *const *)((const char *)p + LWIP_PBUF_OFF_payload);
}

static void release_pbuf(void *p)
{
	pbuf_free(p);
}

static void copy_frame(void *dst, size_t off, size_t len, void *p)
{
	pbuf_copy_partial(p, dst, (uint16_t)len, (uint16_t)off);
}

static int send_frame(struct virtio_net *nic, void *p)
{
	return virtio_net_tx(nic, NULL, frame_len(p), copy_frame, p) ? ERR_IF :
								       ERR_OK;
}

/*
 * The length of the headers of @h (the first @have bytes of a @len-byte
 * frame) when it is a TCP/IPv4 data segment that may be held: no IP
 * options or fragments, ACK and perhaps PSH or FIN set. 0 otherwise.
 */
static size_t holdable(const uint8_t *h, size_t have, size_t len)
{
	if (have < TCP_OFF + 20 || get16(h + 12) != 0x0800)
		return 0;
	const uint8_t *ip = h + ETH_HLEN, *tcp = h + TCP_OFF;
	if (ip[0] != 0x45 || ip[9] != 6 || (get16(ip + 6) & 0x3fff) ||
	    get16(ip + 2) != len - ETH_HLEN)
		return 0;
	size_t hlen = TCP_OFF + (size_t)(tcp[12] >> 4) * 4;
	if (hlen < TCP_OFF + 20 || hlen > have || hlen >= len ||
	    (tcp[13] & ~(TCP_PSH | TCP_FIN)) != TCP_ACK)
		return 0;
	return hlen;
}

/* The payload of a full segment on the wire after headers of @hlen bytes. */
static size_t wire_mss(size_t hlen)
{
	return ETH_HLEN + NET_MTU - hlen;
}

/*
 * Whether @h continues the held segments: the same headers but for the IP
 * length, identification and checksum, and the TCP sequence number, flags
 * and checksum; and the next sequence number.
 */
static bool continues(const struct tso *t, const uint8_t *h, size_t hlen)
{
	static const struct {
		uint8_t from, to;
	} same[] = {
		{ 0, ETH_HLEN + 2 }, /* MACs, type; IP version, TOS */
		{ ETH_HLEN + 6, ETH_HLEN + 10 }, /* IP flags, TTL, protocol */
		{ ETH_HLEN + 12, TCP_OFF + 4 },	 /* IP addresses, TCP ports */
		{ TCP_OFF + 8, TCP_OFF + 13 },	 /* ACK number, data offset */
		{ TCP_OFF + 14, TCP_OFF + 16 },	 /* window */
		{ TCP_OFF + 18, TCP_OFF + 20 },	 /* urgent pointer */
	};
	if (hlen != t->hdr_len || get32(h + TCP_OFF + 4) != t->next_seq)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(same); i++)
		if (memcmp(h + same[i].from, t->hdr + same[i].from,
			   same[i].to - same[i].from))
			return false;
	return !memcmp(h + TCP_OFF + 20, t->hdr + TCP_OFF + 20,
		       hlen - TCP_OFF - 20); /* options */
}

struct cursor {
	const struct tso *t;
	unsigned seg;	/* the segment the next byte comes from */
	size_t seg_off; /* and its offset in that segment's payload */
};

/* Bytes @off.. of the large segment: the headers, then the payloads. */
static void copy_held(void *dst, size_t off, size_t len, void *arg)
{
	struct cursor *c = arg;
	const struct tso *t = c->t;
	char *d = dst;
	if (off < t->hdr_len) {
		size_t n = MIN(len, t->hdr_len - off);
		memcpy(d, t->hdr + off, n);
		d += n;
		len -= n;
	}
	while (len) {
		void *p = t->seg[c->seg];
		size_t left = frame_len(p) - t->hdr_len - c->seg_off;
		size_t n = MIN(len, left);
		pbuf_copy_partial(p, d, (uint16_t)n,
				  (uint16_t)(t->hdr_len + c->seg_off));
		d += n;
		len -= n;
		c->seg_off += n;
		if (n == left) {
			c->seg++;
			c->seg_off = 0;
		}
	}
}

/*
 * The held segments' payloads go to the device in place, where it reads
 * them so (virtio_net_tx_parts): the pbufs stay referenced until it has
 * sent them, then are freed. Whether it took them.
 */
static bool lend_held(struct tso *t, struct virtio_net *nic,
		      const struct virtio_net_offload *o)
{
	struct virtq_buf parts[TSO_MAX_SEGS];
	for (unsigned i = 0; i < t->nseg; i++) {
		uint8_t *bytes = frame_bytes(t->seg[i]);
		if (!bytes)
			return false;
		parts[i] = (struct virtq_buf){
			bytes + t->hdr_len,
			(uint32_t)(frame_len(t->seg[i]) - t->hdr_len), false
		};
	}
	if (virtio_net_tx_parts(nic, o, t->hdr, t->hdr_len, parts, t->nseg,
				release_pbuf, t->seg, t->nseg))
		return false;
	t->nseg = 0;
	return true;
}

void tso_flush(struct tso *t, struct virtio_net *nic)
{
	if (!t->nseg)
		return;
	if (t->nseg == 1 && t->payload <= wire_mss(t->hdr_len)) {
		/* Alone: as lwIP made it, its checksums and all. */
		send_frame(nic, t->seg[0]);
	} else {
		uint8_t *ip = t->hdr + ETH_HLEN, *tcp = t->hdr + TCP_OFF;
		size_t tcp_len = ip_len(t, 0) - IP_HLEN;
		put16(ip + 2, (uint16_t)ip_len(t, 0));
		put16(ip + 10, 0);
		put16(ip + 10, (uint16_t)~sum16(0, ip, IP_HLEN));
		/* The pseudo-header's sum; the device adds the rest. */
		put16(tcp + 16, sum16(6 + (uint32_t)tcp_len, ip + 12, 8));
		struct virtio_net_offload o = {
			.csum_start = TCP_OFF,
			.csum_offset = 16,
			.hdr_len = t->hdr_len,
			.gso_size = (uint16_t)MIN(t->mss, wire_mss(t->hdr_len)),
		};
		if (lend_held(t, nic, &o))
			return; /* the device has the pbufs now */
		struct cursor c = { t, 0, 0 };
		/* Lost when the device sends nothing, as on a wire. */
		virtio_net_tx(nic, &o, t->hdr_len + t->payload, copy_held, &c);
	}
	for (unsigned i = 0; i < t->nseg; i++)
		pbuf_free(t->seg[i]);
	t->nseg = 0;
}

int tso_output(struct tso *t, struct virtio_net *nic, void *p)
{
	if (!virtio_net_tso4(nic))
		return send_frame(nic, p);
	uint8_t h[TSO_HDR_MAX];
	size_t len = frame_len(p);
	size_t have = pbuf_copy_partial(p, h, (uint16_t)MIN(len, sizeof(h)), 0);
	size_t hlen = holdable(h, have, len);
	size_t payload = len - hlen;
	if (hlen && payload == wire_mss(hlen))
		lwip_tcp_large(h + ETH_HLEN, (uint16_t)payload,
			       (uint16_t)(payload * TSO_LARGE_SEGS));
	if (t->nseg && (!hlen || !continues(t, h, hlen) || payload > t->mss ||
			ip_len(t, payload) > IP_MAX))
		tso_flush(t, nic);
	uint8_t last = hlen ? h[TCP_OFF + 13] & (TCP_PSH | TCP_FIN) : 0;
	if (!t->nseg) {
		if (!hlen || (last && payload <= wire_mss(hlen)))
			return send_frame(nic, p); /* nothing to join or cut */
		memcpy(t->hdr, h, hlen);
		t->hdr_len = (uint16_t)hlen;
		t->mss = (uint16_t)payload;
		t->payload = 0;
		t->next_seq = get32(h + TCP_OFF + 4);
	}
	pbuf_ref(p);
	t->seg[t->nseg++] = p;
	t->payload += payload;
	t->next_seq += (uint32_t)payload;
	t->hdr[TCP_OFF + 13] |= last;
	/* The last of a run, or no room for another. */
	if (last || payload < t->mss || t->nseg == TSO_MAX_SEGS ||
	    ip_len(t, t->mss) > IP_MAX)
		tso_flush(t, nic);
	return ERR_OK;
}
