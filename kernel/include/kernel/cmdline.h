/*
 * Boot command line. Options are declared next to the variable they set,
 * with a one-line help text, by the KPARAM_* macros below; each declaration
 * lands in the "kparams" section, so the parser and `help` see one table
 * of every option in the kernel without a central list to keep in sync.
 *
 * Syntax: options separated by spaces, each `name` or `name=value`; a value
 * may be double-quoted to hold spaces. Everything after a lone `--` is the
 * program's argument list. An unknown option, a malformed value, a second
 * copy of an option that is not repeatable, an overlong token or bytes that
 * are not printable UTF-8 are errors: the parser reports the first one and
 * the kernel ends with exit status 2.
 *
 * The parser is portable C: the host unit tests link this same code.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <kernel/types.h>

enum kparam_type {
	KPARAM_T_UINT,	 /* unsigned decimal or 0x-hex, range-checked */
	KPARAM_T_STRING, /* pointer into the parsed command line */
	KPARAM_T_FLAG,	 /* bool: `name`, `name=1` or `name=0` */
	KPARAM_T_CUSTOM, /* the option's own setter checks the value */
};

/*
 * Setter of a custom option. @name is the option as written (with its
 * suffix for prefix options), @value is NULL when no `=` was given.
 * Returns 0, or a negative errno after writing what is wrong into @err.
 */
typedef int (*kparam_set_fn)(const char *name, const char *value, char *err,
			     size_t errlen);

struct kparam {
	const char *name;   /* "loglevel"; "env." with .prefix matches env.X */
	const char *syntax; /* how help shows it: "loglevel=0..7" */
	const char *help;
	enum kparam_type type;
	bool prefix;	 /* name is a prefix: any name starting with it */
	bool repeatable; /* may be given more than once */
	void *var; /* UINT: unsigned *, STRING: const char **, FLAG: bool * */
	unsigned long min, max; /* UINT range */
	kparam_set_fn set;	/* CUSTOM */
};

#define KPARAM_DECLARE(id, ...)                                \
	static const struct kparam kparam_##id __attribute__(( \
		used, section("kparams"), aligned(8))) = { __VA_ARGS__ }

/* unsigned @var set by `name=N`, N in [lo, hi]. */
#define KPARAM_UINT(variable, pname, lo, hi, text)                             \
	KPARAM_DECLARE(variable, .name = pname,                                \
		       .syntax = pname "=" #lo ".." #hi, .help = text,         \
		       .type = KPARAM_T_UINT, .var = &(variable), .min = (lo), \
		       .max = (hi))
/* const char *@var set by `name=VALUE` (the value may not be empty). */
#define KPARAM_STRING(variable, pname, text)                              \
	KPARAM_DECLARE(variable, .name = pname, .syntax = pname "=VALUE", \
		       .help = text, .type = KPARAM_T_STRING,             \
		       .var = &(variable))
/* bool @var set by `name` (or `name=1`), cleared by `name=0`. */
#define KPARAM_FLAG(variable, pname, text)                                     \
	KPARAM_DECLARE(variable, .name = pname, .syntax = pname, .help = text, \
		       .type = KPARAM_T_FLAG, .var = &(variable))
/* An option with its own setter: @id names the declaration. */
#define KPARAM_CUSTOM(id, pname, psyntax, fn, is_prefix, is_repeatable, text) \
	KPARAM_DECLARE(id, .name = pname, .syntax = psyntax, .help = text,    \
		       .type = KPARAM_T_CUSTOM, .set = fn,                    \
		       .prefix = is_prefix, .repeatable = is_repeatable)

/* Longest token (option or value) the parser accepts. */
#define CMDLINE_TOKEN_MAX 4096
/* Most program arguments after `--`. */
#define CMDLINE_MAX_ARGS 256

/*
 * Parses @cmdline in place (it is split into NUL-terminated strings that
 * string options then point into, so it must live as long as they are
 * used). Returns 0, or a negative errno with the reason in @err. Each call
 * starts afresh: duplicates are counted and `--` arguments collected per
 * call; variables keep what earlier calls set.
 */
int cmdline_parse(char *cmdline, char *err, size_t errlen);
/* Program arguments after `--`, NULL-terminated; empty before parsing. */
extern const char *cmdline_argv[CMDLINE_MAX_ARGS + 1];
extern unsigned cmdline_argc;
/*
 * Reads a decimal or 0x-hex number at *@s and advances *@s past it, for
 * option setters with structured values. Returns 0, -EINVAL when there
 * are no digits, or -ERANGE when the number does not fit.
 */
int cmdline_read_u64(const char **s, uint64_t *out);
/* Prints every option with its help line, sorted by name. */
void cmdline_print_help(void);

#endif
