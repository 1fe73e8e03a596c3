/*
 * The Internet checksum's ones' complement sum (RFC 1071), 32 bytes a
 * pass. lwIP's own (lwip_standard_chksum in Debian's build) adds two bytes
 * a loop iteration, which under TCG is one translated block per two
 * bytes: receiving, it was half of the guest's busy time. The kernel
 * links lwIP to this one instead (kernel/net/lwip.c).
 */
#include <kernel/csum.h>

/* An unaligned load: x86 allows them, the type tells the compiler. */
typedef uint64_t __attribute__((aligned(1), may_alias)) unaligned_u64;

static uint64_t load64(const uint8_t *p)
{
	return *(const unaligned_u64 *)p;
}

uint16_t csum_sum16(const void *data, int len)
{
	const uint8_t *p = data;
	size_t n = len > 0 ? (size_t)len : 0;
	uint64_t sum = 0;
	/*
	 * 32-bit halves into a 64-bit sum: 2^16 is 1 modulo 0xffff, so they
	 * add up to what the 16-bit words would, and no carry is lost.
	 */
	for (; n >= 32; p += 32, n -= 32) {
		uint64_t a = load64(p), b = load64(p + 8), c = load64(p + 16),
			 d = load64(p + 24);
		sum += (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) +
		       (b >> 32) + (c & 0xffffffff) + (c >> 32) +
		       (d & 0xffffffff) + (d >> 32);
	}
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t a = load64(p);
		sum += (a & 0xffffffff) + (a >> 32);
	}
	for (; n >= 2; p += 2, n -= 2)
		sum += (uint32_t)(p[0] | p[1] << 8);
	if (n)
		sum += p[0];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}
