/*
 * IPv6 address text. Parsing collects the groups before and after a "::"
 * separately and closes the gap with zeros; every group, digit count and
 * the total are checked, so nothing longer than 16 bytes is ever written.
 * Formatting follows RFC 5952: lowercase, no leading zeros, the longest
 * run of two or more zero groups (the first of equal runs) as "::".
 */
#include <kernel/errno.h>
#include <kernel/inet6.h>
#include <kernel/printk.h>
#include <kernel/string.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A dotted quad at *@s into @out[4]; 0 or -EINVAL. */
static int parse_quad(const char **s, uint8_t out[4])
{
	const char *p = *s;
	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (!digits || v > 255 ||
		    (digits > 1 && p[-(int)digits] == '0'))
			return -EINVAL;
		out[part] = (uint8_t)v;
		if (part < 3 && *p++ != '.')
			return -EINVAL;
	}
	*s = p;
	return 0;
}

/* Whether a dotted quad starts at @p: digits, then a '.' before any ':'. */
static bool quad_ahead(const char *p)
{
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '.';
}

int inet6_parse(const char **s, uint8_t out[16])
{
	uint16_t head[8], tail[8];
	unsigned nhead = 0, ntail = 0;
	bool gap = false;
	const char *p = *s;
	uint8_t quad[4];
	bool has_quad = false;

	if (p[0] == ':' && p[1] == ':') {
		gap = true;
		p += 2;
	} else if (p[0] == ':') {
		return -EINVAL;
	}
	for (;;) {
		unsigned used = nhead + ntail + (has_quad ? 2 : 0);
		if (quad_ahead(p) && used + 2 <= 8) {
			if (parse_quad(&p, quad))
				return -EINVAL;
			has_quad = true;
			break;
		}
		int d = hex_value(*p);
		if (d < 0)
			break; /* after "::", or an empty address */
		unsigned v = 0, digits = 0;
		while ((d = hex_value(*p)) >= 0) {
			if (++digits > 4)
				return -EINVAL;
			v = v << 4 | (unsigned)d;
			p++;
		}
		if (used + 1 > 8)
			return -EINVAL;
		if (gap)
			tail[ntail++] = (uint16_t)v;
		else
			head[nhead++] = (uint16_t)v;
		if (p[0] == ':' && p[1] == ':') {
			if (gap)
				return -EINVAL; /* a second "::" */
			gap = true;
			p += 2;
		} else if (p[0] == ':') {
			p++;
			if (hex_value(*p) < 0)
				return -EINVAL; /* "1:" ends in a colon */
		} else {
			break;
		}
	}
	unsigned groups = nhead + ntail + (has_quad ? 2 : 0);
	if (gap ? groups > 7 : groups != 8)
		return -EINVAL;
	memset(out, 0, 16);
	for (unsigned i = 0; i < nhead; i++) {
		out[2 * i] = (uint8_t)(head[i] >> 8);
		out[2 * i + 1] = (uint8_t)head[i];
	}
	unsigned at = 16 - (has_quad ? 4 : 0) - 2 * ntail;
	for (unsigned i = 0; i < ntail; i++) {
		out[at + 2 * i] = (uint8_t)(tail[i] >> 8);
		out[at + 2 * i + 1] = (uint8_t)tail[i];
	}
	if (has_quad)
		memcpy(out + 12, quad, 4);
	*s = p;
	return 0;
}

void inet6_format(const uint8_t a[16], char buf[INET6_TEXT_MAX])
{
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	int best = -1, best_len = 1; /* a single zero group stays "0" */
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			n += (size_t)snprintf(buf + n, INET6_TEXT_MAX - n,
					      "::");
			i += best_len - 1;
			continue;
		}
		bool sep = i > 0 && i != best + best_len;
		n += (size_t)snprintf(buf + n, INET6_TEXT_MAX - n, "%s%x",
				      sep ? ":" : "", g[i]);
	}
	buf[n] = '\0';
}
