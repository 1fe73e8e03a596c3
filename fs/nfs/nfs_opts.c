/*
 * nfs:// mount sources. libnfs parses the URL and the options it knows
 * (uid=, gid=, tcp-syncnt=, ...); the ones the kernel implements itself
 * are taken out here first. readahead= is one of those: libnfs's own
 * works only in its file API, which the kernel does not use.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <kernel/string.h>

#include "nfs_opts.h"

/* @s[0..len) as a decimal number in [lo, hi]. */
static bool parse_uint(const char *s, size_t len, unsigned lo, unsigned hi,
		       unsigned *out)
{
	unsigned long v = 0;
	if (!len || len > 9)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static bool key_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && !memcmp(key, name, klen);
}

/*
 * One option (@opt, @len bytes): ours is applied and dropped (false),
 * libnfs's is kept (true). -EINVAL in *@ret for a bad value.
 */
static bool take_option(const char *opt, size_t len, struct nfs_opts *o,
			int *ret, char *err, size_t errlen)
{
	const char *eq = memchr(opt, '=', len);
	size_t klen = eq ? (size_t)(eq - opt) : len;
	const char *val = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - klen - 1 : 0;

	if (key_is(opt, klen, "nconnect")) {
		if (!val ||
		    !parse_uint(val, vlen, 1, NFS_NCONNECT_MAX, &o->nconnect))
			goto bad;
		return false;
	}
	if (key_is(opt, klen, "retry")) {
		if (!val ||
		    !parse_uint(val, vlen, 0, NFS_RETRY_MAX_S, &o->retry_s))
			goto bad;
		return false;
	}
	if (key_is(opt, klen, "rsize") || key_is(opt, klen, "wsize")) {
		unsigned *size = opt[0] == 'r' ? &o->rsize : &o->wsize;
		if (!val ||
		    !parse_uint(val, vlen, NFS_IO_MIN, NFS_IO_MAX, size))
			goto bad;
		*size &= ~(NFS_IO_MIN - 1u);
		return false;
	}
	if (key_is(opt, klen, "readahead")) {
		if (!val ||
		    !parse_uint(val, vlen, 0, NFS_READAHEAD_MAX, &o->readahead))
			goto bad;
		o->readahead &= ~(NFS_IO_MIN - 1u);
		return false;
	}
	if (key_is(opt, klen, "ro") || key_is(opt, klen, "rw")) {
		if (val)
			goto bad;
		o->ro = opt[1] == 'o';
		return false;
	}
	if (key_is(opt, klen, "sync") || key_is(opt, klen, "async")) {
		if (val)
			goto bad;
		o->sync = opt[0] == 's';
		return false;
	}
	if (key_is(opt, klen, "version")) {
		if (!val || !parse_uint(val, vlen, 3, 4, &o->version)) {
			snprintf(
				err, errlen,
				"NFS version '%.*s' is not supported (version=3 or version=4)",
				(int)MIN(vlen, 16), val ? val : "");
			*ret = -EINVAL;
		}
		return o->version == 4; /* libnfs mounts NFSv4 when told */
	}
	return true;
bad:
	snprintf(err, errlen, "bad NFS mount option '%.*s'", (int)MIN(len, 64),
		 opt);
	*ret = -EINVAL;
	return false;
}

int nfs_opts_parse(const char *source, struct nfs_opts *o, char *err,
		   size_t errlen)
{
	size_t len = strlen(source);
	const char *query = memchr(source, '?', len);
	size_t base = query ? (size_t)(query - source) : len;
	int ret = 0;

	*o = (struct nfs_opts){ .nconnect = NFS_NCONNECT_DEFAULT,
				.retry_s = NFS_RETRY_DEFAULT_S,
				.version = 3,
				.readahead = NFS_READAHEAD_DEFAULT };
	if (len < 7 || memcmp(source, "nfs://", 6) || source[6] == '/') {
		snprintf(err, errlen, "'%.64s' is not nfs://SERVER/PATH",
			 source);
		return -EINVAL;
	}
	o->url = kmalloc(len + 1);
	if (!o->url)
		return -ENOMEM;
	memcpy(o->url, source, base);
	size_t out = base;
	char sep = '?';
	for (const char *p = query ? query + 1 : NULL; p && *p && !ret;) {
		const char *end = strchr(p, '&');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n && take_option(p, n, o, &ret, err, errlen)) {
			o->url[out++] = sep;
			memcpy(o->url + out, p, n);
			out += n;
			sep = '&';
		}
		p = end ? end + 1 : NULL;
	}
	o->url[out] = '\0';
	if (ret)
		nfs_opts_free(o);
	return ret;
}

void nfs_opts_free(struct nfs_opts *o)
{
	kfree(o->url);
	o->url = NULL;
}
