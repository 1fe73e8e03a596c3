#!/usr/bin/env python3
"""Hostile Ethernet frames at a guest, from the host side of its tap.

   hostile_frames.py IFACE GUEST_MAC GUEST_IP HOST_IP [SEED]

Sends, through a raw packet socket on IFACE: truncated frames and headers,
IPv4 headers whose lengths and checksums lie, TCP and UDP segments with bad
checksums and lengths, overlapping and endless IP fragments, malformed ARP
and ICMP, and a few thousand frames of random bytes. Every loop is bounded.
The caller then checks that the guest still answers. Prints what it sent.
"""
import random
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, frag=0, tot=None, bad_csum=False, ihl=5):
    tot = 20 + len(payload) if tot is None else tot
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, ident, frag, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(hdr) ^ (0x1234 if bad_csum else 0)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def tcp(src, dst, sport, dport, flags, payload=b"", bad_csum=False, doff=5):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, doff << 4, flags, 65535, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr) + len(payload))
    c = csum(pseudo + hdr + payload) ^ (0x5555 if bad_csum else 0)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def main():
    iface, gmac, gip, hip = sys.argv[1:5]
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    dst = bytes.fromhex(gmac.replace(":", ""))
    src = bytes.fromhex("02aabbccddee")
    eth = lambda t: dst + src + struct.pack("!H", t)
    sent = 0

    def send(frame):
        nonlocal sent
        try:
            s.send(frame)
            sent += 1
        except OSError:
            pass  # the tap refused it (too big): nothing reached the guest

    # Truncated Ethernet and IP headers.
    for n in range(0, 14):
        send(eth(0x0800)[:n])
    for n in range(0, 20):
        send(eth(0x0800) + ipv4(hip, gip, 6, b"")[:n])
    # IPv4 lengths and checksums that lie.
    send(eth(0x0800) + ipv4(hip, gip, 17, b"x" * 8, tot=60000))
    send(eth(0x0800) + ipv4(hip, gip, 17, b"x" * 8, tot=3))
    send(eth(0x0800) + ipv4(hip, gip, 17, b"x" * 8, bad_csum=True))
    for ihl in (0, 1, 4, 15):
        send(eth(0x0800) + ipv4(hip, gip, 6, b"y" * 40, ihl=ihl))
    # TCP: bad checksum, data offsets past the end, SYN+FIN+RST soup.
    send(eth(0x0800) + ipv4(hip, gip, 6, tcp(hip, gip, 4000, 7, 0x02, bad_csum=True)))
    for doff in (0, 1, 4, 15):
        send(eth(0x0800) + ipv4(hip, gip, 6, tcp(hip, gip, 4001, 7, 0x18, b"z" * 8, doff=doff)))
    for flags in range(0, 64):
        send(eth(0x0800) + ipv4(hip, gip, 6, tcp(hip, gip, 4002 + flags, 7, flags, b"q")))
    # UDP whose length field lies, both ways.
    for ulen in (0, 7, 9, 65535):
        send(eth(0x0800) + ipv4(hip, gip, 17, struct.pack("!HHHH", 5000, 7, ulen, 0) + b"u" * 8))
    # ICMP: truncated, bad checksum, huge echo.
    send(eth(0x0800) + ipv4(hip, gip, 1, b"\x08"))
    send(eth(0x0800) + ipv4(hip, gip, 1, b"\x08\x00\x12\x34" + b"p" * 20))
    send(eth(0x0800) + ipv4(hip, gip, 1, b"\x08\x00\x00\x00" + b"p" * 1400))
    # IP fragments: overlapping, endless, and a tiny first fragment.
    for i in range(200):
        off = rng.randrange(0, 8191)
        more = 0x2000 if rng.random() < 0.9 else 0
        send(eth(0x0800) + ipv4(hip, gip, 17, bytes(rng.randrange(256) for _ in range(rng.randrange(8, 200))),
                                ident=77 + i % 3, frag=more | off))
    # ARP: truncated, and lying about address lengths. The sender is an
    # address nobody uses: a well-formed part naming the host would, quite
    # rightly, redirect the guest's replies to the host.
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + src + socket.inet_aton("10.0.0.77") + bytes(6) + socket.inet_aton(gip)
    for n in (1, 8, 27):
        send(eth(0x0806) + arp[:n])
    send(eth(0x0806) + struct.pack("!HHBBH", 1, 0x0800, 200, 200, 1) + b"a" * 20)
    # Other ethertypes, VLAN tags, IPv6 with nonsense.
    for t in (0x86DD, 0x8100, 0x88CC, 0xFFFF, 0x0000):
        send(eth(t) + bytes(rng.randrange(256) for _ in range(rng.randrange(0, 100))))
    # Random bytes after a valid IPv4 Ethernet header, then fully random.
    for _ in range(2000):
        n = rng.randrange(0, 1500)
        send(eth(rng.choice((0x0800, 0x0806, 0x86DD))) + bytes(rng.randrange(256) for _ in range(n)))
    for _ in range(500):
        send(dst + bytes(rng.randrange(256) for _ in range(rng.randrange(0, 1508))))
    # Larger than the MTU (the tap may refuse these).
    send(eth(0x0800) + ipv4(hip, gip, 17, b"o" * 3000))
    print("hostile_frames: sent %d frames" % sent)


if __name__ == "__main__":
    main()
