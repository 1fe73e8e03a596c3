/*
 * Write-behind. A stable WRITE costs the server a disk flush and the
 * writer a round trip per call, and the pipe to the server empties at
 * the end of every write(). So, unless the mount says `sync`, write()
 * copies the program's bytes into the file's chunks (wsize bytes each)
 * and returns; flusher threads send full chunks as UNSTABLE WRITEs,
 * several in flight each.
 *
 * The flushers share the mount's queue and its pool of connections:
 * flusher i works through context i, taking the context's lock around
 * each libnfs call as a bound thread would, so write-behind opens no
 * connection beyond `nconnect`. The first flusher starts at the first
 * write; another starts (opening the next context if the pool has not
 * yet) whenever chunks wait in the queue and no flusher is idle, up to
 * one per connection, so writers that outrun one connection get more.
 * Chunks of one file may travel on different connections; as sent
 * chunks never overlap (below), their order does not matter.
 *
 * The server may keep unstable data in memory only, so a chunk stays
 * until a COMMIT says it is on disk: the COMMIT's write verifier must be
 * the one the chunk's WRITE returned. A server that restarted in between
 * has a new verifier and may have lost the data, and the chunk is sent
 * again. A file's chunks are committed when half of the most it may keep
 * have been sent, and by fsync, close, truncate, the file's release and
 * the program's end; reads and attribute changes first send what is
 * pending. Chunks of one file never overlap once sent: a write over a
 * sent chunk commits the file first, so no chunk sent again can undo a
 * later write.
 *
 * A failed WRITE or COMMIT is kept and reported by the next write(),
 * fsync() or close() of the file, as Linux's client does. When the
 * mount's chunk budget (a sixteenth of the RAM) is taken, writes are
 * stable as with `sync`.
 */
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <vfs/vfs.h>

#include "nfs_internal.h"

#define WB_FLIGHT 4	/* chunks in flight at once on one flusher */
#define WB_FILE_MAX 16	/* chunks one file keeps at most */
#define WB_RESEND_MAX 8 /* COMMIT rounds that find lost chunks */
#define WB_MIXED_MAX 8	/* resends of a chunk whose parts disagree */

void nfs_wb_init(struct nfs_mount *nm)
{
	struct nfs_wb *w = &nm->wb;
	mutex_init(&w->lock);
	condvar_init(&w->work);
	condvar_init(&w->sent);
	list_init(&w->queue);
	w->max_flushers = nm->opts.nconnect;
	w->budget = (uint64_t)pmm_total_pages() * PAGE_SIZE / 16;
	w->file_max =
		(unsigned)MIN((uint64_t)WB_FILE_MAX, w->budget / nm->wsize);
	w->status = nm->opts.sync || nm->opts.ro || w->file_max < 2 ?
			    WB_DOWN :
			    WB_UNSTARTED;
}

/* Queues @ch for the flushers; lock held. */
static void enqueue(struct nfs_wb *w, struct wb_chunk *ch)
{
	ch->state = WB_QUEUED;
	list_add_tail(&w->queue, &ch->in_queue);
	w->nqueued++;
	condvar_signal(&w->work);
}

/* A chunk's WRITE came back @r (bytes or errno); lock held. */
static void chunk_sent(struct nfs_wb *w, struct wb_chunk *ch, long r,
		       const uint8_t verf[NFSFS_VERFSIZE])
{
	struct nfs_wb_file *wb = &ch->node->wb;
	if (r == 0)
		r = -EIO; /* no progress and no error: do not spin on it */
	if (r > 0 && ch->done && memcmp(verf, ch->verf, NFSFS_VERFSIZE)) {
		ch->done = 0; /* its parts span a restart: all of it again */
		r = -EAGAIN;
	}
	if (r == -EAGAIN) {
		if (++ch->tries <= WB_MIXED_MAX) {
			enqueue(w, ch);
			return;
		}
		r = -EIO;
	}
	if (r > 0) {
		memcpy(ch->verf, verf, NFSFS_VERFSIZE);
		ch->done += (uint32_t)r;
		if (ch->done < ch->len) { /* short: the rest goes next */
			enqueue(w, ch);
			return;
		}
	} else {
		ch->err = (int)r;
		if (!wb->err)
			wb->err = (int)r;
	}
	ch->state = WB_SENT;
	wb->unsent--;
	wb->sent++;
	condvar_broadcast(&w->sent);
}

/*
 * A flusher: starts queued chunks while fewer than WB_FLIGHT of its own
 * are in flight, then waits for its oldest (waiting runs the others'
 * replies too). It holds the write-behind lock except while libnfs
 * works, and its context's lock only then.
 */
static void flusher_main(void *arg)
{
	struct nfs_flusher *fl = arg;
	struct nfs_wb *w = &fl->nm->wb;
	struct nfs_ctx *c = nfs_ctx_nth(fl->nm, fl->index);

	mutex_lock(&w->lock);
	w->starting = false;
	if (!c) {
		w->max_flushers = fl->index; /* the pool has no more */
		mutex_unlock(&w->lock);
		return;
	}
	for (;;) {
		while (fl->nflight < WB_FLIGHT && !list_empty(&w->queue)) {
			struct wb_chunk *ch =
				list_entry(list_pop_head(&w->queue),
					   struct wb_chunk, in_queue);
			w->nqueued--;
			ch->state = WB_SENDING;
			list_add_tail(&fl->flight, &ch->in_queue);
			fl->nflight++;
			mutex_unlock(&w->lock);
			mutex_lock(&c->lock);
			ch->x = nfsfs_write_start(c->conn, &ch->node->fh,
						  ch->off + ch->done,
						  ch->len - ch->done,
						  ch->buf + ch->done);
			mutex_unlock(&c->lock);
			mutex_lock(&w->lock);
		}
		if (!fl->nflight) {
			if (w->stop)
				break;
			w->idle++;
			condvar_wait(&w->work, &w->lock);
			w->idle--;
			continue;
		}
		struct wb_chunk *ch =
			list_entry(fl->flight.next, struct wb_chunk, in_queue);
		mutex_unlock(&w->lock);
		uint8_t verf[NFSFS_VERFSIZE] = { 0 };
		struct nfsfs_attr attr;
		mutex_lock(&c->lock);
		long r = ch->x ? nfsfs_write_end(c->conn, ch->x, verf, &attr) :
				 -ENOMEM;
		mutex_unlock(&c->lock);
		mutex_lock(&w->lock);
		ch->x = NULL;
		list_remove(&ch->in_queue);
		fl->nflight--;
		chunk_sent(w, ch, r, verf);
	}
	mutex_unlock(&w->lock);
}

/* Starts flusher number w->nflushers; false if it cannot. Lock held. */
static bool flusher_start(struct nfs_mount *nm)
{
	struct nfs_wb *w = &nm->wb;
	struct nfs_flusher *fl = &w->flushers[w->nflushers];
	*fl = (struct nfs_flusher){ .nm = nm, .index = w->nflushers };
	list_init(&fl->flight);
	fl->thread = thread_create("nfs-flush", flusher_main, fl);
	if (IS_ERR(fl->thread)) {
		w->max_flushers = w->nflushers;
		return false;
	}
	w->nflushers++;
	w->starting = true;
	return true;
}

/* Starts the first flusher on first use: WB_UP, or WB_DOWN if it cannot. */
bool nfs_wb_enabled(struct nfs_mount *nm)
{
	struct nfs_wb *w = &nm->wb;
	int st = __atomic_load_n(&w->status, __ATOMIC_ACQUIRE);
	if (st != WB_UNSTARTED)
		return st == WB_UP;
	mutex_lock(&w->lock);
	if (w->status == WB_UNSTARTED) {
		bool up = flusher_start(nm);
		if (!up)
			pr_warn("nfs: %s: no write-behind; writes are stable",
				nm->opts.url);
		__atomic_store_n(&w->status, up ? WB_UP : WB_DOWN,
				 __ATOMIC_RELEASE);
	}
	mutex_unlock(&w->lock);
	return w->status == WB_UP;
}

/* Hands @n's filling chunk to the flushers; vnode lock held. */
static void queue_filling(struct nfs_mount *nm, struct nfs_node *n)
{
	struct nfs_wb *w = &nm->wb;
	struct wb_chunk *ch = n->wb.filling;
	if (!ch)
		return;
	n->wb.filling = NULL;
	mutex_lock(&w->lock);
	enqueue(w, ch);
	/* More than the flushers keep up with: one more, if the pool has. */
	if (w->nqueued > 1 && !w->idle && !w->starting && !w->stop &&
	    w->nflushers < w->max_flushers)
		flusher_start(nm);
	mutex_unlock(&w->lock);
}

static void chunk_free(struct nfs_wb *w, struct nfs_node *n,
		       struct wb_chunk *ch, uint32_t wsize)
{
	list_remove(&ch->in_file);
	n->wb.nchunks--;
	kfree(ch->buf);
	kfree(ch);
	__atomic_sub_fetch(&w->bytes, wsize, __ATOMIC_RELAXED);
}

/*
 * COMMITs @n through the calling thread's context: SENT chunks whose
 * verifier matches are freed, the others queued again (returns how many).
 */
static unsigned commit(struct nfs_mount *nm, struct nfs_node *n)
{
	struct nfs_wb *w = &nm->wb;
	uint8_t verf[NFSFS_VERFSIZE];
	unsigned again = 0;
	struct list_node *pos, *tmp;

	struct nfs_ctx *c = nfs_ctx_get(nm);
	int ret = nfsfs_commit(c->conn, &n->fh, verf);
	nfs_ctx_put(c);
	mutex_lock(&w->lock);
	if (ret && !n->wb.err)
		n->wb.err = ret;
	list_for_each_safe (pos, tmp, &n->wb.chunks) {
		struct wb_chunk *ch = list_entry(pos, struct wb_chunk, in_file);
		if (ch->state != WB_SENT)
			continue;
		if (!ret && !ch->err &&
		    memcmp(ch->verf, verf, NFSFS_VERFSIZE)) {
			ch->done = 0;
			ch->tries = 0;
			n->wb.sent--;
			n->wb.unsent++;
			enqueue(w, ch);
			again++;
			continue;
		}
		n->wb.sent--;
		chunk_free(w, n, ch, nm->wsize);
	}
	mutex_unlock(&w->lock);
	if (again)
		pr_warn("nfs: %s: the server restarted before a COMMIT; sending %u KiB again",
			nm->opts.url, again * (nm->wsize / 1024));
	return again;
}

/* Waits until none of @n's chunks is QUEUED or SENDING. */
static void wait_unsent(struct nfs_wb *w, struct nfs_node *n)
{
	mutex_lock(&w->lock);
	while (n->wb.unsent)
		condvar_wait(&w->sent, &w->lock);
	mutex_unlock(&w->lock);
}

void nfs_wb_flush(struct nfs_mount *nm, struct nfs_node *n, bool commit_too)
{
	struct nfs_wb *w = &nm->wb;
	if (list_empty(&n->wb.chunks))
		return;
	queue_filling(nm, n);
	for (unsigned round = 0;; round++) {
		wait_unsent(w, n);
		if (!commit_too || list_empty(&n->wb.chunks) || !commit(nm, n))
			return;
		if (round == WB_RESEND_MAX)
			break;
	}
	/* The server keeps restarting: give up on these bytes, and say so. */
	pr_err("nfs: %s: the server lost written data %u times; giving up on it",
	       nm->opts.url, WB_RESEND_MAX + 1);
	wait_unsent(w, n);
	mutex_lock(&w->lock);
	if (!n->wb.err)
		n->wb.err = -EIO;
	while (!list_empty(&n->wb.chunks))
		chunk_free(w, n,
			   list_entry(n->wb.chunks.next, struct wb_chunk,
				      in_file),
			   nm->wsize);
	n->wb.sent = 0;
	mutex_unlock(&w->lock);
}

int nfs_wb_take_error(struct nfs_mount *nm, struct nfs_node *n)
{
	struct nfs_wb *w = &nm->wb;
	if (!__atomic_load_n(&n->wb.err, __ATOMIC_RELAXED))
		return 0;
	mutex_lock(&w->lock);
	int err = n->wb.err;
	n->wb.err = 0;
	mutex_unlock(&w->lock);
	return err;
}

bool nfs_wb_unsent(struct nfs_node *n)
{
	return n->wb.filling ||
	       __atomic_load_n(&n->wb.unsent, __ATOMIC_RELAXED);
}

/*
 * A new filling chunk at @off, within the file's and the mount's limits:
 * at the file's limit, waits until half of its chunks are sent and
 * commits them. NULL when the mount's budget is taken by other files or
 * memory is short.
 */
static struct wb_chunk *chunk_new(struct nfs_mount *nm, struct nfs_node *n,
				  uint64_t off)
{
	struct nfs_wb *w = &nm->wb;
	for (;;) {
		if (n->wb.nchunks >= w->file_max) {
			mutex_lock(&w->lock);
			while (n->wb.unsent && n->wb.sent < w->file_max / 2)
				condvar_wait(&w->sent, &w->lock);
			mutex_unlock(&w->lock);
			commit(nm, n);
			continue;
		}
		if (__atomic_add_fetch(&w->bytes, nm->wsize, __ATOMIC_RELAXED) >
		    w->budget) {
			__atomic_sub_fetch(&w->bytes, nm->wsize,
					   __ATOMIC_RELAXED);
			if (!n->wb.nchunks)
				return NULL;
			nfs_wb_flush(nm, n, true); /* make room of our own */
			continue;
		}
		struct wb_chunk *ch = kzalloc(sizeof(*ch));
		char *buf = ch ? kmalloc(nm->wsize) : NULL;
		if (!buf) {
			kfree(ch);
			__atomic_sub_fetch(&w->bytes, nm->wsize,
					   __ATOMIC_RELAXED);
			return NULL;
		}
		ch->node = n;
		ch->off = off;
		ch->buf = buf;
		ch->state = WB_FILLING;
		list_add_tail(&n->wb.chunks, &ch->in_file);
		n->wb.nchunks++;
		mutex_lock(&w->lock);
		n->wb.unsent++;
		mutex_unlock(&w->lock);
		n->wb.filling = ch;
		return ch;
	}
}

/* Whether [off, off + len) meets a chunk of @n other than the filling one. */
static bool overlaps_sent(struct nfs_node *n, uint64_t off, uint64_t len)
{
	struct list_node *pos;
	list_for_each (pos, &n->wb.chunks) {
		struct wb_chunk *ch = list_entry(pos, struct wb_chunk, in_file);
		if (ch != n->wb.filling && off < ch->off + ch->len &&
		    ch->off < off + len)
			return true;
	}
	return false;
}

long nfs_wb_write(struct nfs_mount *nm, struct nfs_node *n, struct uio *u,
		  uint64_t off)
{
	long done = 0;

	while (u->len) {
		struct wb_chunk *ch = n->wb.filling;
		if (ch && (off < ch->off || off > ch->off + ch->len ||
			   off >= ch->off + nm->wsize)) {
			queue_filling(nm, n); /* not contiguous: a new chunk */
			ch = NULL;
		}
		uint64_t at = ch ? off - ch->off : 0;
		size_t k = (size_t)MIN((uint64_t)u->len, nm->wsize - at);
		if (overlaps_sent(n, off, k)) {
			nfs_wb_flush(nm, n, true);
			continue;
		}
		if (!ch) {
			ch = chunk_new(nm, n, off);
			if (!ch)
				break;
		}
		if (uio_copy_in(u, ch->buf + at, k))
			return done ? done : -EFAULT;
		ch->len = (uint32_t)MAX((uint64_t)ch->len, at + k);
		off += k;
		done += (long)k;
		if (ch->len == nm->wsize && at + k == nm->wsize)
			queue_filling(nm, n); /* full */
	}
	return done;
}

void nfs_wb_stop(struct nfs_mount *nm)
{
	struct nfs_wb *w = &nm->wb;
	if (w->status != WB_UP)
		return;
	mutex_lock(&w->lock);
	w->stop = true; /* and so no flusher starts */
	condvar_broadcast(&w->work);
	unsigned n = w->nflushers;
	mutex_unlock(&w->lock);
	for (unsigned i = 0; i < n; i++)
		thread_join(w->flushers[i].thread);
	w->status = WB_DOWN;
}
