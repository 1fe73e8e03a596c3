/*
 * Boot command-line parser.
 *
 * Three passes over a buffer the caller owns: the whole line is checked to
 * be printable UTF-8 (so every later message can quote it safely), then
 * split in place into tokens (quotes removed, the write position never
 * passing the read position), and each token is matched against the
 * "kparams" table and applied. The first error stops the parse; options
 * applied before it stay applied, which is harmless because the kernel
 * then exits.
 */
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>

extern const struct kparam __start_kparams[], __stop_kparams[];

#define MAX_KPARAMS 256
/* Set for each option seen by the current parse, by table index. */
static bool seen[MAX_KPARAMS];

const char *cmdline_argv[CMDLINE_MAX_ARGS + 1];
unsigned cmdline_argc;

static size_t nr_kparams(void)
{
	return (size_t)(__stop_kparams - __start_kparams);
}

/* Length of the UTF-8 sequence at @s, or 0 when it is malformed. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int check_text(const char *cl, char *err, size_t errlen)
{
	const unsigned char *s = (const unsigned char *)cl;
	for (size_t i = 0; s[i];) {
		size_t n = utf8_len(s + i);
		if (n == 0 ||
		    (n == 1 && s[i] < 0x20 && !is_space((char)s[i])) ||
		    s[i] == 0x7f) {
			snprintf(
				err, errlen,
				"byte 0x%02x at offset %zu is not printable UTF-8",
				s[i], i);
			return -EINVAL;
		}
		i += n;
	}
	return 0;
}

/*
 * Cuts the next token out of *@pos: removes double quotes, NUL-terminates
 * it and advances *@pos. Returns the token, NULL at the end of the line, or
 * ERR_PTR on an unterminated quote or an overlong token.
 */
static char *next_token(char **pos, char *err, size_t errlen)
{
	char *r = *pos;
	while (is_space(*r))
		r++;
	if (!*r)
		return NULL;
	char *start = r, *w = r;
	bool quoted = false;
	for (; *r && (quoted || !is_space(*r)); r++) {
		if (*r == '"')
			quoted = !quoted;
		else
			*w++ = *r;
	}
	if (quoted) {
		snprintf(err, errlen, "unterminated quote in '%.64s'", start);
		return ERR_PTR(-EINVAL);
	}
	if (w - start > CMDLINE_TOKEN_MAX) {
		snprintf(err, errlen,
			 "option '%.32s...' is longer than %d bytes", start,
			 CMDLINE_TOKEN_MAX);
		return ERR_PTR(-E2BIG);
	}
	*pos = *r ? r + 1 : r;
	*w = 0;
	return start;
}

static const struct kparam *find_kparam(const char *name, size_t *index)
{
	const struct kparam *p = __start_kparams;
	for (size_t i = 0; p + i < __stop_kparams; i++) {
		const struct kparam *k = p + i;
		size_t len = strlen(k->name);
		bool match = k->prefix ? !strncmp(name, k->name, len) &&
						 name[len] != 0 :
					 !strcmp(name, k->name);
		if (match) {
			*index = i;
			return k;
		}
	}
	return NULL;
}

int cmdline_read_u64(const char **s, uint64_t *out)
{
	const char *p = *s;
	unsigned base = 10;
	uint64_t v = 0;
	bool any = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++, any = true) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (!any)
		return -EINVAL;
	*s = p;
	*out = v;
	return 0;
}

/* A whole value that is one number. */
static int parse_ulong(const char *s, unsigned long *out)
{
	uint64_t v;
	int ret = cmdline_read_u64(&s, &v);
	if (ret)
		return ret;
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}

static int apply(const struct kparam *k, const char *name, const char *value,
		 char *err, size_t errlen)
{
	unsigned long v;

	switch (k->type) {
	case KPARAM_T_UINT:
		if (!value || parse_ulong(value, &v) || v < k->min ||
		    v > k->max) {
			snprintf(
				err, errlen,
				"option '%s' needs a number from %lu to %lu, not '%.64s'",
				name, k->min, k->max, value ? value : "");
			return -EINVAL;
		}
		*(unsigned *)k->var = (unsigned)v;
		return 0;
	case KPARAM_T_STRING:
		if (!value || !*value) {
			snprintf(err, errlen, "option '%s' needs a value (%s)",
				 name, k->syntax);
			return -EINVAL;
		}
		*(const char **)k->var = value;
		return 0;
	case KPARAM_T_FLAG:
		if (!value || !strcmp(value, "1")) {
			*(bool *)k->var = true;
		} else if (!strcmp(value, "0")) {
			*(bool *)k->var = false;
		} else {
			snprintf(
				err, errlen,
				"option '%s' takes no value, or 0 or 1, not '%.64s'",
				name, value);
			return -EINVAL;
		}
		return 0;
	case KPARAM_T_CUSTOM:
		return k->set(name, value, err, errlen);
	}
	snprintf(err, errlen, "option '%s' has a bad declaration", name);
	return -EINVAL;
}

static int parse_option(char *tok, char *err, size_t errlen)
{
	char *eq = strchr(tok, '=');
	const char *value = NULL;
	size_t index;

	if (eq) {
		*eq = 0;
		value = eq + 1;
	}
	if (!*tok) {
		snprintf(err, errlen,
			 "option with an empty name before '=%.64s'",
			 value ? value : "");
		return -EINVAL;
	}
	const struct kparam *k = find_kparam(tok, &index);
	if (!k) {
		snprintf(err, errlen, "unknown option '%.64s'", tok);
		return -EINVAL;
	}
	if (index < MAX_KPARAMS) {
		if (seen[index] && !k->repeatable) {
			snprintf(err, errlen,
				 "option '%s' given more than once", tok);
			return -EINVAL;
		}
		seen[index] = true;
	}
	return apply(k, tok, value, err, errlen);
}

int cmdline_parse(char *cmdline, char *err, size_t errlen)
{
	char *pos = cmdline, *tok;
	int ret;

	if (nr_kparams() > MAX_KPARAMS) {
		snprintf(err, errlen, "more than %d options declared",
			 MAX_KPARAMS);
		return -EINVAL;
	}
	memset(seen, 0, sizeof(seen));
	cmdline_argc = 0;
	cmdline_argv[0] = NULL;
	ret = check_text(cmdline, err, errlen);
	if (ret)
		return ret;

	bool args = false;
	while ((tok = next_token(&pos, err, errlen)) != NULL) {
		if (IS_ERR(tok))
			return (int)PTR_ERR(tok);
		if (args) {
			if (cmdline_argc == CMDLINE_MAX_ARGS) {
				snprintf(
					err, errlen,
					"more than %d program arguments after '--'",
					CMDLINE_MAX_ARGS);
				return -E2BIG;
			}
			cmdline_argv[cmdline_argc++] = tok;
			cmdline_argv[cmdline_argc] = NULL;
		} else if (!strcmp(tok, "--")) {
			args = true;
		} else {
			ret = parse_option(tok, err, errlen);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void cmdline_print_help(void)
{
	size_t n = nr_kparams();
	const struct kparam *sorted[MAX_KPARAMS];

	if (n > MAX_KPARAMS)
		n = MAX_KPARAMS;
	for (size_t i = 0; i < n; i++) {
		const struct kparam *k = &__start_kparams[i];
		size_t j = i;
		while (j > 0 && strcmp(sorted[j - 1]->name, k->name) > 0) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = k;
	}
	int width = 0;
	for (size_t i = 0; i < n; i++)
		width = MAX(width, (int)strlen(sorted[i]->syntax));
	console_printf("Options (name=value, separated by spaces; "
		       "program arguments follow '--'):\n");
	for (size_t i = 0; i < n; i++)
		console_printf("  %-*s  %s%s\n", width, sorted[i]->syntax,
			       sorted[i]->help,
			       sorted[i]->repeatable ? " (repeatable)" : "");
}
