/* The Internet checksum (kernel/lib/csum.c). */
#ifndef KERNEL_CSUM_H
#define KERNEL_CSUM_H

#include <kernel/types.h>

/*
 * The ones' complement sum of @len bytes at @data as 16-bit words in
 * memory order (an odd last byte padded with a zero byte), folded, not
 * inverted: what lwIP's lwip_standard_chksum returns for the same bytes,
 * at any alignment.
 */
uint16_t csum_sum16(const void *data, int len);

#endif
