/* IPv6 addresses as text (RFC 4291 section 2.2, RFC 5952), both ways. */
#ifndef KERNEL_INET6_H
#define KERNEL_INET6_H

#include <kernel/types.h>

/* Longest text inet6_format writes, with its NUL. */
#define INET6_TEXT_MAX 46

/*
 * Parses an address at *@s: eight groups of up to four hex digits, one
 * "::" standing for one or more zero groups, optionally ending in a
 * dotted IPv4 quad. Parsing stops at the first character that cannot
 * continue the address, which *@s then points at. Returns 0 or -EINVAL.
 */
int inet6_parse(const char **s, uint8_t out[16]);

/* Writes @a in its canonical short form (RFC 5952) to @buf. */
void inet6_format(const uint8_t a[16], char buf[INET6_TEXT_MAX]);

#endif
