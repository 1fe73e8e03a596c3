/*
 * Unit tests of IPv6 address text (kernel/lib/inet6.c): every form RFC
 * 4291 allows parses to the same bytes glibc's inet_pton gives, every
 * malformed one is refused, formatting is RFC 5952's canonical form, and
 * random strings never make the parser write or read out of bounds.
 */
#include <arpa/inet.h>
#include <string.h>

#include <kernel/inet6.h>

#include "unit.h"

/* Parses @text whole; checks the result against inet_pton's. */
static void want_same_as_libc(const char *text)
{
	uint8_t ours[16], libc[16];
	const char *p = text;
	int ret = inet6_parse(&p, ours);
	int ok = inet_pton(AF_INET6, text, libc);
	if (ok == 1) {
		CHECK(ret == 0 && *p == '\0');
		CHECK(ret == 0 && memcmp(ours, libc, 16) == 0);
		if (ret || *p || memcmp(ours, libc, 16))
			fprintf(stderr, "  address: '%s'\n", text);
	} else {
		CHECK(ret != 0 || *p != '\0');
		if (ret == 0 && *p == '\0')
			fprintf(stderr, "  accepted: '%s'\n", text);
	}
}

static void test_valid_forms(void)
{
	static const char *const good[] = {
		"::",
		"::1",
		"1::",
		"fd00::5",
		"FD00:0:0:0:0:0:0:5",
		"2001:db8:85a3:8d3:1319:8a2e:370:7348",
		"fe80::5054:ff:fe12:3456",
		"1:2:3:4:5:6:7::",
		"::2:3:4:5:6:7:8",
		"1:2:3:4:5:6:1.2.3.4",
		"::ffff:10.0.0.1",
		"::1.2.3.4",
		"0:0:0:0:0:0:0:0",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint8_t a[16];
		const char *p = good[i];
		CHECK(inet6_parse(&p, a) == 0 && *p == '\0');
		want_same_as_libc(good[i]);
	}
}

static void test_invalid_forms(void)
{
	static const char *const bad[] = {
		"",
		":",
		":1::",
		"1:",
		"1::2::3",
		"12345::",
		"1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7",
		"::1.2.3",
		"::1.2.3.256",
		"::01.2.3.4",
		"1.2.3.4",
		"1:2:3:4:5:6:7:8::",
		"::g",
		"1:2:3:4:5:6:7:1.2.3.4",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		want_same_as_libc(bad[i]);
}

static void test_stops_at_suffix(void)
{
	uint8_t a[16];
	const char *p = "fd00::5/64";
	CHECK(inet6_parse(&p, a) == 0 && !strcmp(p, "/64"));
	CHECK(a[0] == 0xfd && a[15] == 5);
}

static void want_format(const char *in, const char *out)
{
	uint8_t a[16];
	char text[INET6_TEXT_MAX];
	CHECK(inet_pton(AF_INET6, in, a) == 1);
	inet6_format(a, text);
	CHECK(!strcmp(text, out));
	if (strcmp(text, out))
		fprintf(stderr, "  %s: got '%s', want '%s'\n", in, text, out);
}

static void test_format(void)
{
	want_format("::", "::");
	want_format("::1", "::1");
	want_format("1::", "1::");
	want_format("fd00:0:0:0:0:0:0:5", "fd00::5");
	want_format("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	want_format("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
	want_format("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	want_format("FE80::5054:FF:FE12:3456", "fe80::5054:ff:fe12:3456");
	want_format("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

/* Formatting and parsing back gives the same bytes, for random addresses
 * with many zero groups; random strings never overrun. */
static void test_round_trip_and_fuzz(void)
{
	srand(6);
	for (int n = 0; n < 20000; n++) {
		uint8_t a[16], b[16];
		char text[INET6_TEXT_MAX];
		for (int i = 0; i < 16; i += 2) {
			int r = rand();
			a[i] = (r & 3) ? 0 : (uint8_t)(r >> 8);
			a[i + 1] = (r & 3) ? 0 : (uint8_t)(r >> 16);
		}
		inet6_format(a, text);
		want_same_as_libc(text);
		const char *p = text;
		CHECK(inet6_parse(&p, b) == 0 && memcmp(a, b, 16) == 0);
	}
	static const char alphabet[] = "0123456789abcdefABCDEF:.:/g";
	for (int n = 0; n < 200000; n++) {
		char s[48];
		int len = rand() % 47;
		for (int i = 0; i < len; i++)
			s[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
		s[len] = '\0';
		want_same_as_libc(s);
	}
}

TEST_MAIN(UNIT_CASE(test_valid_forms), UNIT_CASE(test_invalid_forms),
	  UNIT_CASE(test_stops_at_suffix), UNIT_CASE(test_format),
	  UNIT_CASE(test_round_trip_and_fuzz))
