/*
 * Unit tests of the boot command-line parser (kernel/lib/cmdline.c) and
 * the virtio_mmio.device value parser, including hostile input: overlong
 * tokens, missing '=', duplicates, bytes that are not UTF-8, and a bounded
 * random fuzz run under ASan/UBSan.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <drivers/virtio_mmio.h>
#include <kernel/cmdline.h>

#include "unit.h"

static unsigned t_level = 5;
KPARAM_UINT(t_level, "level", 0, 7, "a small number");
static unsigned t_big;
KPARAM_UINT(t_big, "big", 0, 4294967295, "a large number");
static const char *t_name;
KPARAM_STRING(t_name, "name", "a string");
static bool t_flag;
KPARAM_FLAG(t_flag, "flag", "a flag");

static char env_seen[8][64];
static int env_count;
static int set_env(const char *name, const char *value, char *err,
		   size_t errlen)
{
	if (!value) {
		snprintf(err, errlen, "%s needs a value", name);
		return -EINVAL;
	}
	if (env_count < 8)
		snprintf(env_seen[env_count++], 64, "%s=%s", name + 4, value);
	return 0;
}
KPARAM_CUSTOM(env, "env.", "env.NAME=VALUE", set_env, true, true,
	      "a prefix option");

static char buf[3 * CMDLINE_TOKEN_MAX];
static char err[256];

/* Parses a copy of @s, after resetting every variable. */
static int parse(const char *s)
{
	t_level = 5;
	t_big = 0;
	t_name = NULL;
	t_flag = false;
	env_count = 0;
	err[0] = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	return cmdline_parse(buf, err, sizeof(err));
}

static void test_basic(void)
{
	CHECK(parse("") == 0 && cmdline_argc == 0);
	CHECK(parse("   ") == 0);
	CHECK(parse("level=3 name=foo flag") == 0);
	CHECK(t_level == 3 && t_name && !strcmp(t_name, "foo") && t_flag);
	CHECK(parse("flag=0 level=0x7 big=4294967295") == 0);
	CHECK(!t_flag && t_level == 7 && t_big == 4294967295u);
	CHECK(parse("\tlevel=1\nname=x\r") == 0 && t_level == 1);
}

static void test_quotes_and_args(void)
{
	CHECK(parse("name=\"a b  c\" level=2") == 0);
	CHECK(t_name && !strcmp(t_name, "a b  c") && t_level == 2);
	CHECK(parse("\"name=x y\"") == 0 && !strcmp(t_name, "x y"));
	CHECK(parse("level=1 -- prog -x \"two words\" --") == 0);
	CHECK(cmdline_argc == 4 && !strcmp(cmdline_argv[0], "prog") &&
	      !strcmp(cmdline_argv[2], "two words") &&
	      !strcmp(cmdline_argv[3], "--") && cmdline_argv[4] == NULL);
	CHECK(parse("-- level=3") == 0 && t_level == 5 && cmdline_argc == 1);
	CHECK(parse("--") == 0 && cmdline_argc == 0);
	CHECK(parse("name=\"open") == -EINVAL && strstr(err, "unterminated"));
	/* A new parse forgets the previous arguments. */
	CHECK(parse("level=1") == 0 && cmdline_argc == 0 && !cmdline_argv[0]);
}

static void test_errors(void)
{
	CHECK(parse("nope=1") == -EINVAL &&
	      strstr(err, "unknown option 'nope'"));
	CHECK(parse("levelx=1") == -EINVAL);
	CHECK(parse("level") == -EINVAL && strstr(err, "needs a number"));
	CHECK(parse("level=") == -EINVAL);
	CHECK(parse("level=8") == -EINVAL && strstr(err, "from 0 to 7"));
	CHECK(parse("level=-1") == -EINVAL);
	CHECK(parse("level=1a") == -EINVAL);
	CHECK(parse("level=0x") == -EINVAL);
	CHECK(parse("big=4294967296") == -EINVAL);
	CHECK(parse("big=18446744073709551616") == -EINVAL);
	CHECK(parse("big=99999999999999999999999999") == -EINVAL);
	CHECK(parse("name") == -EINVAL && strstr(err, "needs a value"));
	CHECK(parse("name=") == -EINVAL);
	CHECK(parse("=5") == -EINVAL && strstr(err, "empty name"));
	CHECK(parse("=") == -EINVAL);
	CHECK(parse("flag=2") == -EINVAL);
	CHECK(parse("env.") == -EINVAL && strstr(err, "unknown option"));
	/* The first error stops the parse. */
	CHECK(parse("level=1 bad level=2") == -EINVAL && t_level == 1);
}

static void test_duplicates(void)
{
	CHECK(parse("level=1 level=2") == -EINVAL &&
	      strstr(err, "more than once"));
	CHECK(parse("flag flag") == -EINVAL);
	CHECK(parse("env.A=1 env.B=2 env.A=3") == 0 && env_count == 3);
	CHECK(!strcmp(env_seen[0], "A=1") && !strcmp(env_seen[2], "A=3"));
	/* Duplicates are counted per parse. */
	CHECK(parse("level=1") == 0 && parse("level=2") == 0 && t_level == 2);
}

static void test_overlong(void)
{
	char s[2 * CMDLINE_TOKEN_MAX];
	size_t prefix = strlen("name=");

	memcpy(s, "name=", prefix);
	memset(s + prefix, 'x', CMDLINE_TOKEN_MAX - prefix);
	s[CMDLINE_TOKEN_MAX] = 0;
	CHECK(parse(s) == 0 && strlen(t_name) == CMDLINE_TOKEN_MAX - prefix);
	memset(s + prefix, 'x', CMDLINE_TOKEN_MAX);
	s[prefix + CMDLINE_TOKEN_MAX] = 0;
	CHECK(parse(s) == -E2BIG && strstr(err, "longer than"));
	memset(s, 'y', sizeof(s) - 1);
	s[sizeof(s) - 1] = 0;
	CHECK(parse(s) == -E2BIG);
	CHECK(strlen(err) < sizeof(err));
}

static void test_too_many_args(void)
{
	static char s[4 * (CMDLINE_MAX_ARGS + 2)];
	size_t n = 0;

	n += (size_t)sprintf(s + n, "--");
	for (int i = 0; i < CMDLINE_MAX_ARGS; i++)
		n += (size_t)sprintf(s + n, " a");
	CHECK(parse(s) == 0 && cmdline_argc == CMDLINE_MAX_ARGS);
	sprintf(s + n, " b");
	CHECK(parse(s) == -E2BIG);
}

static void test_utf8(void)
{
	CHECK(parse("name=caf\xc3\xa9") == 0 && !strcmp(t_name, "caf\xc3\xa9"));
	CHECK(parse("name=\xf0\x9f\x98\x80") == 0); /* U+1F600 */
	CHECK(parse("name=\xff") == -EINVAL && strstr(err, "0xff at offset 5"));
	CHECK(parse("name=\xc3") == -EINVAL);	      /* truncated sequence */
	CHECK(parse("name=\xc0\xaf") == -EINVAL);     /* overlong '/' */
	CHECK(parse("name=\xe0\x80\xaf") == -EINVAL); /* overlong, 3 bytes */
	CHECK(parse("name=\xed\xa0\x80") == -EINVAL); /* surrogate */
	CHECK(parse("name=\xf4\x90\x80\x80") == -EINVAL); /* > U+10FFFF */
	CHECK(parse("name=a\x01") == -EINVAL); /* control character */
	CHECK(parse("name=a\x7f") == -EINVAL);
}

static void test_virtio_mmio(void)
{
	struct virtio_mmio_desc d;
	unsigned n;

	CHECK(virtio_mmio_parse_desc("4K@0xd0000000:5", &d) == 0);
	CHECK(d.size == 4096 && d.base == 0xd0000000 && d.irq == 5 &&
	      d.id == 0);
	CHECK(virtio_mmio_parse_desc("1M@0xfeb00000:12:2", &d) == 0);
	CHECK(d.size == 1 << 20 && d.irq == 12 && d.id == 2);
	CHECK(virtio_mmio_parse_desc("0x1000@4096:0", &d) == 0);
	CHECK(virtio_mmio_parse_desc("0x200@0x1000:5", &d) == -EINVAL);
	CHECK(virtio_mmio_parse_desc("4K@0x1001:5", &d) == -EINVAL);
	CHECK(virtio_mmio_parse_desc("4K@0x1000", &d) == -EINVAL);
	CHECK(virtio_mmio_parse_desc("4K@0x1000:5x", &d) == -EINVAL);
	CHECK(virtio_mmio_parse_desc("4K@0x1000:256", &d) == -EINVAL);
	CHECK(virtio_mmio_parse_desc("4K@:5", &d) == -EINVAL);
	CHECK(virtio_mmio_parse_desc("99999999999999999999K@0:1", &d) ==
	      -EINVAL);
	CHECK(virtio_mmio_parse_desc("17179869184G@0:1", &d) == -EINVAL);
	CHECK(virtio_mmio_parse_desc("8K@0xfffffffffffff000:1", &d) == -EINVAL);
	CHECK(virtio_mmio_parse_desc("", &d) == -EINVAL);

	CHECK(parse("virtio_mmio.device=4K@0xd0000000:5 "
		    "virtio_mmio.device=4K@0xd0001000:6") == 0);
	const struct virtio_mmio_desc *dev = virtio_mmio_cmdline_devices(&n);
	CHECK(n == 2 && dev[1].base == 0xd0001000 && dev[1].irq == 6);
	CHECK(parse("virtio_mmio.device=4K") == -EINVAL &&
	      strstr(err, "SIZE@BASE:IRQ"));
}

static void test_help(void)
{
	char path[] = "/tmp/cmdline-help-XXXXXX";
	int fd = mkstemp(path), saved = dup(1);
	char out[4096] = { 0 };

	CHECK(fd >= 0 && saved >= 0);
	fflush(stdout);
	dup2(fd, 1);
	cmdline_print_help();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	CHECK(pread(fd, out, sizeof(out) - 1, 0) > 0);
	close(fd);
	unlink(path);
	char *big = strstr(out, "big=0..4294967295"),
	     *env = strstr(out, "env.NAME=VALUE"),
	     *level = strstr(out, "level=0..7 ");
	CHECK(big && env && level && big < env && env < level);
	CHECK(level && strstr(level, "a small number") < strchr(level, '\n'));
	CHECK(strstr(out, "a prefix option (repeatable)"));
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned rand_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 24) & 0xff;
}

/* Random lines built from fragments and raw bytes: no crash, no overrun. */
static void test_fuzz(void)
{
	static const char *frag[] = { "level",
				      "=",
				      "name",
				      "\"",
				      " ",
				      "--",
				      "env.",
				      "flag",
				      "0x",
				      "9",
				      "\xc3",
				      "\xa9",
				      "big=",
				      "virtio_mmio.device=",
				      "4K@0x1000:5",
				      "@",
				      ":" };
	char s[512];

	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 0, len = rand_byte() % 64;
		for (size_t i = 0; i < len && n < sizeof(s) - 32; i++) {
			if (rand_byte() < 200) {
				const char *f =
					frag[rand_byte() %
					     (sizeof(frag) / sizeof(frag[0]))];
				n += (size_t)snprintf(s + n, sizeof(s) - n,
						      "%s", f);
			} else {
				s[n++] = (char)(rand_byte() | 1);
			}
		}
		s[n] = 0;
		int ret = parse(s);
		CHECK(ret == 0 ||
		      (ret < 0 && err[0] && strlen(err) < sizeof(err)));
		for (unsigned i = 0; ret == 0 && i < cmdline_argc; i++)
			CHECK(cmdline_argv[i] >= buf &&
			      cmdline_argv[i] < buf + sizeof(buf));
	}
}

TEST_MAIN(UNIT_CASE(test_basic), UNIT_CASE(test_quotes_and_args),
	  UNIT_CASE(test_errors), UNIT_CASE(test_duplicates),
	  UNIT_CASE(test_overlong), UNIT_CASE(test_too_many_args),
	  UNIT_CASE(test_utf8), UNIT_CASE(test_virtio_mmio),
	  UNIT_CASE(test_help), UNIT_CASE(test_fuzz))
