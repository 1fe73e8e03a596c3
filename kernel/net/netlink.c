/*
 * AF_NETLINK, NETLINK_ROUTE, as far as the C libraries use it to list
 * interfaces (glibc's and musl's getifaddrs, if_nameindex): RTM_GETLINK
 * and RTM_GETADDR dumps, answered from net_iface(). Anything else gets an
 * NLMSG_ERROR of -EOPNOTSUPP, as a kernel without that family would give.
 *
 * A netlink socket is a file of its own (not lwIP's): a request is
 * answered at once into a queue of datagrams that recv takes one at a
 * time, with MSG_PEEK and MSG_TRUNC as Linux has them.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/net.h>
#include <kernel/string.h>
#include <vfs/vfs.h>
#include <vfs/vnode.h>

#include "net_internal.h"

#define AF_NETLINK 16
#define NETLINK_ROUTE 0
#define SOCK_TYPE_MASK 0xf
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define MSG_PEEK 0x2
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define POLLIN 0x1
#define POLLOUT 0x4

#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define NLM_F_REQUEST 0x1
#define NLM_F_MULTI 0x2
#define NLM_F_DUMP 0x300
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_OPERSTATE 16
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define AF_INET 2
#define AF_INET6 10
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define IF_OPER_UP 6

#define REPLY_MAX 8192
#define QUEUE_MAX 16

struct nlmsghdr {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
};

struct ifinfomsg {
	uint8_t family, pad;
	uint16_t type;
	int32_t index;
	uint32_t flags, change;
};

struct ifaddrmsg {
	uint8_t family, prefixlen, flags, scope;
	uint32_t index;
};

struct sockaddr_nl {
	uint16_t family, pad;
	uint32_t pid, groups;
};

struct datagram {
	size_t len;
	char data[];
};

struct nlsock {
	struct vnode vn;
	struct mutex lock; /* protects the fields below */
	uint32_t pid;
	struct datagram *queue[QUEUE_MAX];
	unsigned head, count;
};

static const struct vnode_ops netlink_ops;
static uint32_t next_pid = 1000; /* what bind(pid 0) assigns; atomic */

static struct nlsock *nl_of(struct file *f)
{
	return container_of(f->vn, struct nlsock, vn);
}

bool netlink_file(const struct file *f)
{
	return f->vn->ops == &netlink_ops;
}

/* A reply under construction. */
struct reply {
	struct datagram *d;
	bool full;
};

static void *put(struct reply *r, const void *src, size_t len)
{
	size_t at = r->d->len, n = (len + 3) & ~(size_t)3;
	if (r->full || at + n > REPLY_MAX) {
		r->full = true;
		return NULL;
	}
	memset(r->d->data + at, 0, n);
	if (src)
		memcpy(r->d->data + at, src, len);
	r->d->len += n;
	return r->d->data + at;
}

static void put_attr(struct reply *r, uint16_t type, const void *data,
		     size_t len)
{
	uint16_t hdr[2] = { (uint16_t)(4 + len), type };
	put(r, hdr, sizeof(hdr));
	put(r, data, len);
}

/* Starts a message; finish() fills in its length. */
static size_t begin(struct reply *r, uint16_t type, uint16_t flags,
		    const struct nlmsghdr *req, uint32_t pid)
{
	struct nlmsghdr h = { 0, type, flags, req->seq, pid };
	size_t at = r->d->len;
	put(r, &h, sizeof(h));
	return at;
}

static void finish(struct reply *r, size_t at)
{
	if (!r->full)
		((struct nlmsghdr *)(r->d->data + at))->len =
			(uint32_t)(r->d->len - at);
}

static void dump_links(struct reply *r, const struct nlmsghdr *req,
		       uint32_t pid)
{
	struct net_iface ni;
	for (unsigned i = 1; net_iface(i, &ni) == 0; i++) {
		size_t at = begin(r, RTM_NEWLINK, NLM_F_MULTI, req, pid);
		bool lo = ni.flags & NET_IFF_LOOPBACK;
		struct ifinfomsg m = { .type = lo ? ARPHRD_LOOPBACK :
						    ARPHRD_ETHER,
				       .index = (int32_t)ni.index,
				       .flags = ni.flags };
		put(r, &m, sizeof(m));
		put_attr(r, IFLA_IFNAME, ni.name, strlen(ni.name) + 1);
		put_attr(r, IFLA_ADDRESS, ni.mac, 6);
		static const uint8_t bcast[6] = { 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff };
		put_attr(r, IFLA_BROADCAST, lo ? ni.mac : bcast, 6);
		uint32_t mtu = ni.mtu;
		put_attr(r, IFLA_MTU, &mtu, 4);
		uint8_t oper = IF_OPER_UP;
		put_attr(r, IFLA_OPERSTATE, &oper, 1);
		finish(r, at);
	}
}

/* The prefix length of netmask @mask (network order). */
static uint8_t prefix_len(uint32_t mask)
{
	uint8_t n = 0;
	for (uint32_t m = __builtin_bswap32(mask); m & 0x80000000u; m <<= 1)
		n++;
	return n;
}

/* @ni's IPv6 addresses: link-local ones with link scope, all /64. */
static void dump_addrs6(struct reply *r, const struct nlmsghdr *req,
			uint32_t pid, const struct net_iface *ni)
{
	for (unsigned k = 0; k < ni->nr_addr6; k++) {
		const uint8_t *a = ni->addr6[k];
		bool link = a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
		size_t at = begin(r, RTM_NEWADDR, NLM_F_MULTI, req, pid);
		struct ifaddrmsg m = {
			.family = AF_INET6,
			.prefixlen = 64,
			.scope = link ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
			.index = ni->index,
		};
		put(r, &m, sizeof(m));
		put_attr(r, IFA_ADDRESS, a, 16);
		put_attr(r, IFA_LABEL, ni->name, strlen(ni->name) + 1);
		finish(r, at);
	}
}

static void dump_addrs(struct reply *r, const struct nlmsghdr *req,
		       uint32_t pid, uint8_t family)
{
	struct net_iface ni;
	for (unsigned i = 1; net_iface(i, &ni) == 0; i++) {
		if (family == 0 || family == AF_INET6)
			dump_addrs6(r, req, pid, &ni);
		if ((family != 0 && family != AF_INET) || !ni.addr)
			continue;
		size_t at = begin(r, RTM_NEWADDR, NLM_F_MULTI, req, pid);
		bool lo = ni.flags & NET_IFF_LOOPBACK;
		struct ifaddrmsg m = {
			.family = AF_INET,
			.prefixlen = prefix_len(ni.mask),
			.scope = lo ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE,
			.index = ni.index,
		};
		put(r, &m, sizeof(m));
		put_attr(r, IFA_ADDRESS, &ni.addr, 4);
		put_attr(r, IFA_LOCAL, &ni.addr, 4);
		if (!lo) {
			uint32_t b = ni.addr | ~ni.mask;
			put_attr(r, IFA_BROADCAST, &b, 4);
		}
		put_attr(r, IFA_LABEL, ni.name, strlen(ni.name) + 1);
		finish(r, at);
	}
}

static int enqueue(struct nlsock *s, struct datagram *d)
{
	if (s->count == QUEUE_MAX) {
		kfree(d);
		return -ENOBUFS;
	}
	s->queue[(s->head + s->count++) % QUEUE_MAX] = d;
	return 0;
}

/* Answers one request message; the socket is locked. */
static int answer(struct nlsock *s, const struct nlmsghdr *req, size_t len)
{
	struct reply r = { kmalloc(sizeof(struct datagram) + REPLY_MAX),
			   false };
	if (!r.d)
		return -ENOMEM;
	r.d->len = 0;
	bool dump = (req->flags & NLM_F_DUMP) == NLM_F_DUMP;
	const uint8_t *family = (const uint8_t *)(req + 1);
	if (dump && req->type == RTM_GETLINK) {
		dump_links(&r, req, s->pid);
	} else if (dump && req->type == RTM_GETADDR) {
		dump_addrs(&r, req, s->pid, len > sizeof(*req) ? *family : 0);
	} else {
		size_t at = begin(&r, NLMSG_ERROR, 0, req, s->pid);
		int32_t err = -EOPNOTSUPP;
		put(&r, &err, sizeof(err));
		put(&r, req, sizeof(*req));
		finish(&r, at);
		return r.full ? -ENOBUFS : enqueue(s, r.d);
	}
	size_t at = begin(&r, NLMSG_DONE, NLM_F_MULTI, req, s->pid);
	int32_t zero = 0;
	put(&r, &zero, sizeof(zero));
	finish(&r, at);
	if (r.full) {
		kfree(r.d);
		return -ENOBUFS;
	}
	return enqueue(s, r.d);
}

static long nl_send(struct nlsock *s, const void *buf, size_t len)
{
	const char *p = buf;
	size_t off = 0;
	long ret = 0;
	mutex_lock(&s->lock);
	while (ret == 0 && len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const void *)(p + off);
		if (h->len < sizeof(*h) || h->len > len - off) {
			ret = -EINVAL;
			break;
		}
		if (h->flags & NLM_F_REQUEST)
			ret = answer(s, h, h->len);
		off += (h->len + 3) & ~3u;
	}
	mutex_unlock(&s->lock);
	return ret ? ret : (long)len;
}

static long nl_recv(struct nlsock *s, void *buf, size_t len, int flags,
		    void *name, unsigned *namelen)
{
	mutex_lock(&s->lock);
	if (!s->count) {
		mutex_unlock(&s->lock);
		return -EAGAIN; /* replies are queued at send: none will come */
	}
	struct datagram *d = s->queue[s->head];
	size_t n = MIN(len, d->len);
	memcpy(buf, d->data, n);
	long ret = (flags & MSG_TRUNC) ? (long)d->len : (long)n;
	if (!(flags & MSG_PEEK)) {
		s->head = (s->head + 1) % QUEUE_MAX;
		s->count--;
		kfree(d);
	}
	mutex_unlock(&s->lock);
	if (name && namelen) {
		struct sockaddr_nl a = { .family = AF_NETLINK };
		memcpy(name, &a, MIN(*namelen, (unsigned)sizeof(a)));
		*namelen = sizeof(a);
	}
	return ret;
}

long netlink_send(struct file *f, const void *buf, size_t len)
{
	return nl_send(nl_of(f), buf, len);
}

long netlink_recv(struct file *f, void *buf, size_t len, int flags, void *name,
		  unsigned *namelen)
{
	return nl_recv(nl_of(f), buf, len, flags, name, namelen);
}

long netlink_bind(struct file *f, const void *addr, unsigned len)
{
	struct sockaddr_nl a;
	struct nlsock *s = nl_of(f);
	if (len < sizeof(a))
		return -EINVAL;
	memcpy(&a, addr, sizeof(a));
	if (a.family != AF_NETLINK)
		return -EINVAL;
	mutex_lock(&s->lock);
	if (a.pid)
		s->pid = a.pid;
	mutex_unlock(&s->lock);
	return 0;
}

long netlink_getsockname(struct file *f, void *addr, unsigned *len)
{
	struct nlsock *s = nl_of(f);
	struct sockaddr_nl a = { .family = AF_NETLINK };
	mutex_lock(&s->lock);
	a.pid = s->pid;
	mutex_unlock(&s->lock);
	memcpy(addr, &a, MIN(*len, (unsigned)sizeof(a)));
	*len = sizeof(a);
	return 0;
}

static ssize_t nl_read(struct vnode *vn, struct uio *u, uint64_t off)
{
	char *buf = kmalloc(REPLY_MAX);
	if (!buf)
		return -ENOMEM;
	long n = nl_recv(container_of(vn, struct nlsock, vn), buf,
			 MIN(u->len, (size_t)REPLY_MAX), 0, NULL, NULL);
	if (n > 0 && uio_copy_out(u, buf, (size_t)n))
		n = -EFAULT;
	kfree(buf);
	return n;
}

static ssize_t nl_write(struct vnode *vn, struct uio *u, uint64_t off)
{
	size_t len = MIN(u->len, (size_t)REPLY_MAX);
	char *buf = kmalloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	long n = uio_copy_in(u, buf, len) ?
			 -EFAULT :
			 nl_send(container_of(vn, struct nlsock, vn), buf, len);
	kfree(buf);
	return n;
}

static short nl_poll(struct vnode *vn, short events)
{
	struct nlsock *s = container_of(vn, struct nlsock, vn);
	mutex_lock(&s->lock);
	short r = (short)((s->count ? POLLIN : 0) | POLLOUT);
	mutex_unlock(&s->lock);
	return (short)(r & events);
}

static void nl_release(struct vnode *vn)
{
	struct nlsock *s = container_of(vn, struct nlsock, vn);
	while (s->count) {
		kfree(s->queue[s->head]);
		s->head = (s->head + 1) % QUEUE_MAX;
		s->count--;
	}
	kfree(s);
}

static const struct vnode_ops netlink_ops = {
	.read = nl_read,
	.write = nl_write,
	.poll = nl_poll,
	.release = nl_release,
};

long netlink_socket(int type, int protocol)
{
	if ((type & SOCK_TYPE_MASK) != SOCK_RAW &&
	    (type & SOCK_TYPE_MASK) != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	struct nlsock *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	mutex_init(&s->lock);
	s->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
	vnode_init(&s->vn, VCHR, S_IFSOCK | 0777, &netlink_ops, NULL, 4);
	return fd_install_new(&s->vn, O_RDWR | (type & SOCK_NONBLOCK),
			      type & SOCK_CLOEXEC);
}
