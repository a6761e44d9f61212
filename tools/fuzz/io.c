// SPDX-License-Identifier: GPL-2.0
/*
 * dios-fuzz: I/O.  Acquire, commit (with REARM, references, forwarding) and
 * release on the handles of the thread's pool, with the open buffers
 * recorded so that commits name them; copying I/O (DIOS_IOC_XFER).  A
 * buffer just acquired must be mapped in the caller and is touched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

/* ---- I/O ---------------------------------------------------------------- */

static struct fz_ref *fz_pick_io(struct fz_thread *t)
{
	int i;

	for (i = 0; i < 4; i++) {
		struct fz_ref *r = fz_pick(t, 0);

		if (!r)
			return NULL;
		if (!r->type)
			fz_ref_fill(t, r);
		if (r->type >= DIOS_OBJ_PRIVMEM && r->type <= DIOS_OBJ_STREAM)
			return r;
	}
	return fz_pick(t, 0);
}

/* Whether @h is a ring stream of the pool: neither the zero-copy
 * steps nor copying I/O take it (-EOPNOTSUPP), only DIOS_IOC_RING. */
static bool fz_is_ring(struct fz_thread *t, uint64_t h)
{
	int i = fz_pool_find(t, h);

	return i >= 0 && t->refs[i].ring;
}

static const enum fz_kind fz_io_kind[2][3] = {
	{ FZ_K_ACQUIRE_READ, FZ_K_COMMIT_READ, FZ_K_RELEASE_READ },
	{ FZ_K_ACQUIRE_WRITE, FZ_K_COMMIT_WRITE, FZ_K_RELEASE_WRITE },
};

enum fz_kind fz_io_kind_acquire(int dir)
{
	return fz_io_kind[dir][0];
}

enum fz_kind fz_io_kind_commit(int dir)
{
	return fz_io_kind[dir][1];
}

enum fz_kind fz_io_kind_release(int dir)
{
	return fz_io_kind[dir][2];
}

/* Touch a buffer we were given, and write a pattern into a write buffer. */
static void fz_touch_buf(uint64_t addr, uint64_t len, bool write)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;

	if (!len)
		return;
	if (fz_guard_touch(p, write) && len > 1)
		fz_guard_touch(p + len - 1, write);
}

static uint64_t *fz_rx_handles(struct fz_thread *t)
{
	return (uint64_t *)(t->xbuf + FZ_XBUF - 1024);
}

/*
 * A buffer just acquired: record it, check it is mapped (a reference only
 * we use: nothing else may unmap it meanwhile) and touch it.
 */
static void fz_got_buf(struct fz_thread *t, struct fz_ref *ref, int dir,
		       struct dios_io_req *q, const char *what)
{
	if (dir) {
		ref->wr_addr = q->addr;
		ref->wr_len = q->len;
	} else {
		ref->rd_addr = q->addr;
		ref->rd_len = q->len;
	}
	if (q->len && !fz_addr_mapped(q->addr, q->len))
		fz_violation("%s on %#llx returned [%#llx, +%llu), which is not mapped in the caller",
			     what, (unsigned long long)ref->h,
			     (unsigned long long)q->addr,
			     (unsigned long long)q->len);
	fz_touch_buf(q->addr, q->len, dir);
	if (!dir && q->n_refs && q->refs == (uint64_t)(uintptr_t)fz_rx_handles(t)) {
		uint32_t i;

		for (i = 0; i < q->n_refs && i < 8; i++)
			fz_pool_add(t, fz_rx_handles(t)[i], 0, 0, 0);
	}
}

/* Length and offset for an acquire on @ref, valid most of the time. */
static void fz_io_window(struct fz_thread *t, struct fz_ref *ref, int dir,
			 struct dios_io_req *q)
{
	uint64_t size = ref->size, room;

	if (ref->type == DIOS_OBJ_STREAM) {
		if (!dir) {
			q->len = fz_chance(t, 50) ? UINT64_MAX :
				 fz_size_for(t, size);
			if (fz_chance(t, 30)) {
				q->refs = (uint64_t)(uintptr_t)fz_rx_handles(t);
				q->n_refs = 4;
			}
			return;
		}
		if (size > FZ_IO_LIMIT) {
			q->len = fz_chance(t, 50) ? size + 1 : 0;
			return;
		}
		q->len = fz_chance(t, 40) ?
			 FZ_PAGE * (1 + fz_below(t, (size + FZ_PAGE - 1) / FZ_PAGE)) :
			 1 + fz_below(t, size < 65536 ? size : 65536);
		if (fz_chance(t, 5))
			q->len = fz_boundary(t, size);
		if (q->len == size && size > 65536)
			q->len = size + 1;
		return;
	}
	/* Memory and blobs: windows in the first FZ_IO_LIMIT bytes. */
	room = size < FZ_IO_LIMIT ? size : FZ_IO_LIMIT;
	if (!room)
		room = FZ_PAGE;
	q->offset = fz_below(t, room);
	if (fz_chance(t, 50))
		q->offset &= ~(FZ_PAGE - 1);
	q->len = 1 + fz_below(t, room - q->offset < 262144 ?
				 room - q->offset : 262144);
	if (fz_chance(t, 40) && q->len >= FZ_PAGE)
		q->len &= ~(FZ_PAGE - 1);
	if (fz_chance(t, 6)) {
		/* Invalid windows only: a valid huge one would eat the guest. */
		q->offset = fz_boundary(t, size);
		q->len = fz_boundary(t, size);
		if (q->offset + q->len >= q->offset &&
		    q->offset + q->len <= size && q->len > 262144)
			q->len = size + 1;
	}
}

/*
 * The frame of an I/O request: the 72 bytes of ABI 1.0 to 1.2 one time in
 * four, else the 80 of 1.3, with @done carrying garbage in now and then
 * (ignored on input) and, rarely, a non-zero __pad2 (-EINVAL, before the
 * handle is looked up).  Returns the size.
 */
static size_t fz_io_frame(struct fz_thread *t, struct dios_io_req *q,
			  int *expect)
{
	if (fz_chance(t, 25))
		return DIOS_IO_REQ_SIZE_VER0;
	if (fz_chance(t, 20))
		q->done = (uint32_t)fz_rand(t);
	if (fz_chance(t, 40)) {
		q->__pad2 = 1 + (uint32_t)fz_below(t, 0xffffffffu);
		if (expect)
			*expect = EINVAL;
	}
	return sizeof(*q);
}

/*
 * @done after a step that acquires (@rearm: a re-arming commit), framed
 * with 80 bytes (@size): on success DIOS_IO_DONE_ACQUIRE, and
 * DIOS_IO_DONE_COMMIT too for a commit; on failure never
 * DIOS_IO_DONE_ACQUIRE, nor DIOS_IO_DONE_COMMIT for an acquire.  After a
 * failure only if it went in as 0 (@in), as a failure that comes before
 * the step leaves the request unwritten; never if fz_call() framed the
 * request otherwise.  Returns whether a re-arming
 * commit says it committed (no buffer is open).
 */
static bool fz_check_done(struct fz_thread *t, const struct dios_io_req *q,
			  size_t size, uint32_t in, bool rearm, long ret,
			  const char *what)
{
	uint32_t want = DIOS_IO_DONE_ACQUIRE |
			(rearm ? DIOS_IO_DONE_COMMIT : 0);
	uint32_t d = q->done;

	if (t->reframed || size < sizeof(*q) || (ret && in))
		return false;
	if (!ret && d != want)
		fz_violation("%s succeeded with done %#x, expected %#x",
			     what, d, want);
	else if (ret && (d & ~DIOS_IO_DONE_COMMIT ||
			 (!rearm && d & DIOS_IO_DONE_COMMIT)))
		fz_violation("%s failed (%ld) with done %#x", what, ret, d);
	return ret && rearm && d & DIOS_IO_DONE_COMMIT;
}

static void fz_acquire(struct fz_thread *t, struct fz_ref *ref, int dir)
{
	enum fz_kind k = fz_io_kind[dir][0];
	struct dios_io_req q;
	int expect = 0;
	uint32_t in;
	size_t size;
	long ret;

	memset(&q, 0, sizeof(q));
	q.ref = ref->h;
	if (fz_chance(t, ref->type == DIOS_OBJ_STREAM ? 75 : 15))
		q.flags |= DIOS_NONBLOCK;
	if (dir && ref->type == DIOS_OBJ_BLOB && fz_chance(t, 30))
		q.flags |= DIOS_IO_OVERWRITE;
	fz_io_window(t, ref, dir, &q);
	switch (fz_below(t, 40)) {
	case 0: q.addr = 1; break;
	case 1: q.__pad = 1; break;
	case 2: q.next_len = 1; break;
	case 3: q.src_ref = ref->h; break;
	case 4: q.flags |= 1ULL << fz_below(t, 64); break;
	case 5:
		/* A deleted handle, otherwise valid: -EBADF and nothing else. */
		q.ref = fz_stale(t);
		expect = EBADF;
		break;
	case 6:
		if (!dir) {
			q.refs = fz_bad_ptr(t, true);
			q.n_refs = 1 + (uint32_t)fz_below(t, 8);
		}
		break;
	}
	size = fz_io_frame(t, &q, &expect);
	in = q.done;
	fz_mm_rdlock();
	ret = fz_call(t, k, &q, size, expect, true);
	if (!ret && ref->ring)
		fz_violation("%s on the ring stream %#llx succeeded",
			     fz_kind_name(k), (unsigned long long)ref->h);
	fz_check_done(t, &q, size, in, false, ret, fz_kind_name(k));
	if (ret == 0 && q.ref == ref->h)
		fz_got_buf(t, ref, dir, &q, fz_kind_name(k));
	fz_mm_rdunlock();
	/*
	 * Open in the kernel, unknown here (its reply could not be written):
	 * only deleting the reference closes it.
	 */
	if (ret == -EBUSY && q.ref == ref->h && fz_chance(t, 50))
		fz_do_delete(t, fz_pool_find(t, ref->h), false);
}

/* Whether the buffer of @dir is still open after a failed commit. */
static long fz_release_at(struct fz_thread *t, struct fz_ref *ref, int dir,
			  uint64_t addr)
{
	struct dios_io_req q;

	memset(&q, 0, sizeof(q));
	q.ref = ref->h;
	q.addr = addr;
	return fz_call(t, fz_io_kind[dir][2], &q, sizeof(q), 0, false);
}

/*
 * Released now if it was open; -EIDRM (a zombie refuses every step, the
 * release too) leaves it unknown, so recorded as open: only deleting the
 * reference ends it.
 */
static bool fz_still_open(struct fz_thread *t, struct fz_ref *ref, int dir,
			  uint64_t addr)
{
	return fz_release_at(t, ref, dir, addr) == -EIDRM;
}

/* Close the record of a buffer; the entry may have moved meanwhile. */
static void fz_buf_closed(struct fz_thread *t, uint64_t h, int dir)
{
	int i = fz_pool_find(t, h);

	if (i < 0)
		return;
	if (dir)
		t->refs[i].wr_addr = t->refs[i].wr_len = 0;
	else
		t->refs[i].rd_addr = t->refs[i].rd_len = 0;
}

static void fz_commit(struct fz_thread *t, struct fz_ref *ref, int dir)
{
	uint64_t *out = (uint64_t *)(t->xbuf + FZ_XBUF - 2048);
	enum fz_kind k = fz_io_kind[dir][1];
	uint64_t addr = dir ? ref->wr_addr : ref->rd_addr;
	uint64_t blen = dir ? ref->wr_len : ref->rd_len;
	uint64_t h = ref->h;
	uint32_t i, nout = 0, in;
	struct dios_io_req q;
	struct fz_ref *src;
	bool committed;
	size_t size;
	long ret;
	int at;

	memset(&q, 0, sizeof(q));
	q.ref = h;
	q.addr = addr;
	if (dir) {
		q.len = fz_below(t, blen + 1);
		if (fz_chance(t, 40))
			q.len = blen;
		if (ref->type == DIOS_OBJ_STREAM && fz_chance(t, 15)) {
			q.flags |= DIOS_IO_REFS;
			nout = (uint32_t)fz_below(t, 4);
			for (i = 0; i < nout; i++) {
				src = fz_pick_out(t);
				out[i] = src ? src->h : fz_pick_handle_out(t);
			}
			q.refs = (uint64_t)(uintptr_t)out;
			q.n_refs = nout;
		}
	}
	if (fz_chance(t, 35)) {
		q.flags |= DIOS_IO_REARM;
		if (fz_chance(t, 60))
			q.flags |= DIOS_NONBLOCK;
		q.next_len = dir ? (blen ? blen : 1) : UINT64_MAX;
		if (ref->type != DIOS_OBJ_STREAM)
			q.next_len = blen;
	}
	switch (fz_below(t, 30)) {
	case 0: q.addr += 1; break;
	case 1: q.len = blen + 1; break;
	case 2: q.flags |= DIOS_IO_OVERWRITE; break;
	case 3: q.n_refs = 70; q.flags |= dir ? DIOS_IO_REFS : 0; break;
	case 4: q.refs = fz_bad_ptr(t, false); break;
	}
	size = fz_io_frame(t, &q, NULL);
	in = q.done;
	fz_mm_rdlock();
	ret = fz_call(t, k, &q, size, q.__pad2 && size == sizeof(q) ?
		      EINVAL : 0, true);
	committed = q.flags & DIOS_IO_REARM &&
		    fz_check_done(t, &q, size, in, true, ret, fz_kind_name(k));
	if (ret == 0 && q.flags & DIOS_IO_REARM) {
		at = fz_pool_find(t, h);
		if (at >= 0)
			fz_got_buf(t, &t->refs[at], dir, &q, fz_kind_name(k));
	} else if (ret == 0) {
		fz_buf_closed(t, h, dir);
	}
	fz_mm_rdunlock();
	if (q.flags & DIOS_IO_REFS && q.n_refs <= 64) {
		/* Sent or not, as the table says. */
		struct dios_ref_meta m;

		for (i = 0; i < nout; i++)
			if (t->meta && !fz_meta_read(t->meta, out[i], &m))
				fz_pool_drop(t, fz_pool_find(t, out[i]), true);
	}
	if (ret == 0)
		return;
	/*
	 * A read that went stale is over, and so is a re-arming commit that
	 * committed; otherwise ask the kernel.
	 */
	at = fz_pool_find(t, h);
	if (at < 0)
		return;
	/* A zombie's release is -EIDRM, open or not: only 0 tells. */
	if (committed && fz_release_at(t, &t->refs[at], dir, addr) == 0)
		fz_violation("%s failed (%ld) with DIOS_IO_DONE_COMMIT, but the buffer %#llx is still open",
			     fz_kind_name(k), ret, (unsigned long long)addr);
	if (committed || (ret == -ESTALE && !dir) ||
	    !fz_still_open(t, &t->refs[at], dir, addr))
		fz_buf_closed(t, h, dir);
}

static void fz_release(struct fz_thread *t, struct fz_ref *ref, int dir)
{
	struct dios_io_req q;
	long ret;

	memset(&q, 0, sizeof(q));
	q.ref = ref->h;
	q.addr = dir ? ref->wr_addr : ref->rd_addr;
	if (fz_chance(t, 4))
		q.addr ^= FZ_PAGE;
	if (fz_chance(t, 3))
		q.flags = 1;
	ret = fz_call(t, fz_io_kind[dir][2], &q, sizeof(q), 0, true);
	if (ret == 0 || ret == -EBADF)
		fz_buf_closed(t, q.ref, dir);
}

/* One step of the forwarding scenario on pool handle @h; 0 on success. */
static long fz_fwd_io(struct fz_thread *t, enum fz_kind k, uint64_t h,
		      uint64_t len, uint64_t flags, uint64_t src)
{
	int dir = k == FZ_K_ACQUIRE_WRITE || k == FZ_K_COMMIT_WRITE;
	struct dios_io_req q;
	long ret;
	int at = fz_pool_find(t, h);

	if (at < 0)
		return -ENOENT;
	memset(&q, 0, sizeof(q));
	q.ref = h;
	q.flags = flags;
	q.len = len;
	q.src_ref = src;
	if (k == FZ_K_COMMIT_WRITE)
		q.addr = t->refs[at].wr_addr;
	fz_mm_rdlock();
	ret = fz_call(t, k, &q, sizeof(q), 0, k == FZ_K_COMMIT_WRITE &&
		      src);
	if (!ret && k == FZ_K_COMMIT_WRITE)
		fz_buf_closed(t, h, 1);
	else if (!ret)
		fz_got_buf(t, &t->refs[at], dir, &q, fz_kind_name(k));
	fz_mm_rdunlock();
	return ret;
}

/* Create an object for the forwarding scenario; its handle, 0 if none. */
static uint64_t fz_fwd_create(struct fz_thread *t, uint32_t type,
			      uint64_t size)
{
	struct dios_create_req c;

	memset(&c, 0, sizeof(c));
	c.type = type;
	c.flags = fz_chance(t, 50) ? DIOS_CREATE_ANON : 0;
	if (type == DIOS_OBJ_STREAM)
		c.args.capacity = size;
	else
		c.args.size = size;
	if (fz_call(t, FZ_K_CREATE, &c, sizeof(c), 0, false))
		return 0;
	fz_pool_add(t, c.ref, type, DIOS_RIGHTS_ALL, size);
	if (!c.flags)
		fz_name_add(&c.name);
	return c.ref;
}

/*
 * Forwarding: a page-aligned read buffer (a blob window, or a message at
 * the start of a fresh ring) published into a fresh stream by moving its
 * pages, then the read ended either way.
 */
static void fz_forward(struct fz_thread *t)
{
	uint64_t len = FZ_PAGE * (1 + fz_below(t, 4));
	bool blob = fz_chance(t, 50);
	uint64_t src, dst;
	int at;

	src = fz_fwd_create(t, blob ? DIOS_OBJ_BLOB : DIOS_OBJ_STREAM,
			    blob ? len + FZ_PAGE * fz_below(t, 4) : 2 * len);
	dst = fz_fwd_create(t, DIOS_OBJ_STREAM, len * (1 + fz_below(t, 3)));
	if (!src || !dst)
		return;
	if (!blob && (fz_fwd_io(t, FZ_K_ACQUIRE_WRITE, src, len,
				DIOS_NONBLOCK, 0) ||
		      fz_fwd_io(t, FZ_K_COMMIT_WRITE, src, len, 0, 0)))
		return;
	if (fz_fwd_io(t, FZ_K_ACQUIRE_READ, src, blob ? len : UINT64_MAX,
		      DIOS_NONBLOCK, 0) ||
	    fz_fwd_io(t, FZ_K_ACQUIRE_WRITE, dst, len, DIOS_NONBLOCK, 0))
		return;
	fz_fwd_io(t, FZ_K_COMMIT_WRITE, dst, len, DIOS_IO_FORWARD, src);
	at = fz_pool_find(t, src);
	if (at < 0 || !t->refs[at].rd_addr)
		return;
	if (fz_chance(t, 50))
		fz_commit(t, &t->refs[at], 0);
	else
		fz_release(t, &t->refs[at], 0);
}

void fz_io_step(struct fz_thread *t)
{
	struct fz_ref *ref;
	int dir = (int)fz_below(t, 2);
	uint64_t addr;

	if (fz_chance(t, 4)) {
		fz_forward(t);
		return;
	}
	ref = fz_pick_io(t);
	if (!ref)
		return;
	if (ref->ring && ref->rs[dir].own && fz_chance(t, 30)) {
		fz_ring_plain_step(t, ref, dir);
		return;
	}
	addr = dir ? ref->wr_addr : ref->rd_addr;
	if (!addr) {
		fz_acquire(t, ref, dir);
		return;
	}
	if (fz_chance(t, 70))
		fz_commit(t, ref, dir);
	else
		fz_release(t, ref, dir);
}

/* ---- copying I/O ---------------------------------------------------------- */

void fz_xfer(struct fz_thread *t)
{
	struct fz_ref *s = fz_pick(t, DIOS_OBJ_STREAM), *r2;
	struct dios_xfer_req x;
	void *uf;

	memset(&x, 0, sizeof(x));
	switch (fz_below(t, 3)) {
	case 0: x.flags = DIOS_XFER_SEND; break;
	case 1: x.flags = DIOS_XFER_RECV; break;
	default: x.flags = DIOS_XFER_SEND | DIOS_XFER_RECV;
	}
	if (fz_chance(t, 80))
		x.flags |= DIOS_NONBLOCK;
	if (x.flags & DIOS_XFER_SEND) {
		x.send_ref = s && fz_chance(t, 92) ? s->h : fz_pick_handle(t);
		x.send_buf = (uint64_t)(uintptr_t)t->xbuf;
		x.send_len = fz_below(t, 4096);
		if (fz_chance(t, 20))
			x.send_len = fz_below(t, FZ_XBUF);
		if (s && s->size > FZ_IO_LIMIT && x.send_len > 65536)
			x.send_len = 65536;
	}
	if (x.flags & DIOS_XFER_RECV) {
		r2 = fz_pick(t, DIOS_OBJ_STREAM);
		x.recv_ref = r2 && fz_chance(t, 92) ? r2->h : fz_pick_handle(t);
		x.recv_buf = (uint64_t)(uintptr_t)t->xbuf + FZ_XBUF / 2;
		x.recv_len = fz_chance(t, 50) ? FZ_XBUF / 2 :
			     fz_below(t, FZ_XBUF / 2);
	}
	switch (fz_below(t, 25)) {
	case 0: x.send_buf = fz_bad_ptr(t, false); break;
	case 1: x.recv_buf = fz_bad_ptr(t, true); break;
	case 2: x.__pad = 1; break;
	case 3: x.flags = fz_rand(t); break;
	case 4: x.flags &= ~(DIOS_XFER_SEND | DIOS_XFER_RECV); break;
	case 5:
		uf = fz_uffd_page(t);
		if (uf && x.send_len <= FZ_PAGE)
			x.send_buf = (uint64_t)(uintptr_t)uf;
		break;
	case 6:
		uf = fz_uffd_page(t);
		if (uf && x.recv_len) {
			x.recv_buf = (uint64_t)(uintptr_t)uf;
			x.recv_len = FZ_PAGE;
		}
		break;
	case 7:
		x.send_len = fz_boundary(t, s ? s->size : 4096);
		if (x.send_len > FZ_XBUF && x.send_len <= (s ? s->size : 0))
			x.send_len = FZ_XBUF;
		break;
	}
	if (!fz_call(t, FZ_K_XFER, &x, sizeof(x), 0, true) &&
	    ((x.flags & DIOS_XFER_SEND && fz_is_ring(t, x.send_ref)) ||
	     (x.flags & DIOS_XFER_RECV && fz_is_ring(t, x.recv_ref))))
		fz_violation("xfer on a ring stream succeeded");
}

/* ---- batches of copying I/O ----------------------------------------------- */

/* Input values of the outputs, which the kernel ignores on input. */
#define FZ_DONE_IN	0xa5a5a5a5u
#define FZ_COUNT_IN	0x5a5a5a5au
#define FZ_ERROR_IN	0x7eadbeef

/* The streams of a batch: one for all entries (as dios_sendv), or any. */
static uint64_t fz_batch_ref(struct fz_thread *t, struct fz_ref *one)
{
	struct fz_ref *s;

	if (one && fz_chance(t, 90))
		return one->h;
	s = fz_pick(t, DIOS_OBJ_STREAM);
	return s && fz_chance(t, 90) ? s->h : fz_pick_handle(t);
}

/* One valid entry: a send, a receive or both, on @one or the pool's streams. */
static void fz_batch_entry(struct fz_thread *t, struct fz_ref *one,
			   struct dios_xfer_req *x)
{
	memset(x, 0, sizeof(*x));
	switch (fz_below(t, 4)) {
	case 0: x->flags = DIOS_XFER_SEND | DIOS_XFER_RECV; break;
	case 1: x->flags = DIOS_XFER_RECV; break;
	default: x->flags = DIOS_XFER_SEND;
	}
	if (fz_chance(t, 10))
		x->flags |= DIOS_NONBLOCK;
	if (x->flags & DIOS_XFER_SEND) {
		x->send_ref = fz_batch_ref(t, one);
		x->send_buf = (uint64_t)(uintptr_t)t->xbuf + fz_below(t, 1024);
		x->send_len = fz_chance(t, 90) ? fz_below(t, 256) :
			      fz_below(t, 8192);
	}
	if (x->flags & DIOS_XFER_RECV) {
		x->recv_ref = fz_batch_ref(t, one);
		x->recv_buf = (uint64_t)(uintptr_t)t->xbuf + FZ_XBUF / 2;
		x->recv_len = fz_chance(t, 80) ? FZ_XBUF / 4 :
			      fz_below(t, 512);
	}
	x->done = FZ_DONE_IN;
}

/* Break entry @x so that DIOS_IOC_XFER would refuse it with -EINVAL. */
static void fz_batch_entry_invalid(struct fz_thread *t,
				   struct dios_xfer_req *x)
{
	switch (fz_below(t, 4)) {
	case 0:
		x->__pad = 1 + (uint32_t)fz_below(t, 0xffff);
		break;
	case 1:
		/* Any bit but SEND, RECV and NONBLOCK. */
		x->flags |= 1ULL << (10 + fz_below(t, 54));
		break;
	case 2:
		x->flags &= ~(DIOS_XFER_SEND | DIOS_XFER_RECV);
		break;
	default:
		/* A field of the half that is not asked for. */
		if (!(x->flags & DIOS_XFER_SEND))
			x->send_len = 1;
		else if (!(x->flags & DIOS_XFER_RECV))
			x->recv_ref = 1;
		else
			x->flags &= ~DIOS_XFER_RECV;	/* recv_buf stays */
	}
}

/*
 * The entries after a batch ran, in the thread's array: those before
 * @count done in full (never on a ring stream), entry @count failed (at
 * most its send done, if it also receives), the rest not even written.
 * @count of -1: nothing ran, nothing was written.
 */
static void fz_batch_check_entries(struct fz_thread *t,
				   const struct dios_xfer_req *x, uint32_t n,
				   int64_t count)
{
	const uint64_t both = DIOS_XFER_SEND | DIOS_XFER_RECV;
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint32_t want = (uint32_t)(x[i].flags & both), d = x[i].done;

		if ((int64_t)i < count) {
			if (d != want)
				fz_violation("xfer_batch: entry %u of %u done (count %lld), but its done is %#x, expected %#x",
					     i, n, (long long)count, d, want);
			if ((x[i].flags & DIOS_XFER_SEND &&
			     fz_is_ring(t, x[i].send_ref)) ||
			    (x[i].flags & DIOS_XFER_RECV &&
			     fz_is_ring(t, x[i].recv_ref)))
				fz_violation("xfer_batch: entry %u done on a ring stream",
					     i);
		} else if ((int64_t)i == count) {
			if (d && !(d == DIOS_XFER_SEND && want == both))
				fz_violation("xfer_batch: entry %u failed with done %#x (flags %#llx)",
					     i, d, (unsigned long long)x[i].flags);
		} else if (d != FZ_DONE_IN) {
			fz_violation("xfer_batch: entry %u written, but the batch stopped at %lld of %u",
				     i, (long long)count, n);
			return;
		}
	}
}

/*
 * The reply of a batch that was framed right: the count it returned, and
 * 0 in @error iff all n were done; after a failure, either nothing ran
 * (count and error untouched, a check of the request's) or entry 0
 * failed (count 0, error the return value).  Returns the entries done, or
 * -1 if nothing ran.
 */
static int64_t fz_batch_check_reply(const struct dios_xfer_batch_req *b,
				    long ret)
{
	if (ret > 0) {
		if (b->count != (uint64_t)ret || (b->count == b->n) != !b->error ||
		    b->error > 0 || (b->error && !fz_xfer_errno(-b->error)))
			fz_violation("xfer_batch of %u returned %ld with count %u, error %d",
				     b->n, ret, b->count, b->error);
		if (b->count < b->n)
			__atomic_fetch_add(&fz_sh->st.batch_partial, 1,
					   __ATOMIC_RELAXED);
		return b->count;
	}
	if (!ret) {
		fz_violation("xfer_batch of %u returned 0", b->n);
		return 0;
	}
	if (b->count == FZ_COUNT_IN && b->error == FZ_ERROR_IN) {
		if (ret != -EINVAL && ret != -EFAULT && ret != -ENOMEM)
			fz_violation("xfer_batch failed with %ld before any entry ran",
				     ret);
		return -1;
	}
	if (b->count || b->error != ret)
		fz_violation("xfer_batch failed with %ld, but says count %u, error %d",
			     ret, b->count, b->error);
	return 0;
}

/* Where the entries go, when not in the thread's array. */
enum fz_batch_at { FZ_AT_ARRAY, FZ_AT_BAD, FZ_AT_GUARD, FZ_AT_RO, FZ_AT_UFFD };

/*
 * DIOS_IOC_XFER_BATCH: valid entries on live streams mostly, one thing
 * broken now and then, in the batch (n of 0, 1, the maximum or one more,
 * req_size, flags) or in one entry (invalid, a stale or garbage handle, a
 * bad or stalling buffer), or the array itself (unreadable, running into
 * a guard page, read-only so that no reply can be written back, on a
 * userfaultfd page that reads as zeros).
 */
void fz_xfer_batch(struct fz_thread *t)
{
	struct dios_xfer_req *x = (struct dios_xfer_req *)t->batch;
	struct fz_ref *one = fz_chance(t, 50) ? fz_pick(t, DIOS_OBJ_STREAM) :
				NULL;
	enum fz_batch_at at = FZ_AT_ARRAY;
	struct dios_xfer_batch_req b;
	uint32_t n, i, k;
	int expect = 0;
	void *arr = x, *uf;
	uint64_t h;
	int64_t count;
	long ret;

	switch (fz_below(t, 10)) {
	case 0: n = DIOS_XFER_BATCH_MAX; break;
	case 1: case 2: case 3: n = 1; break;
	case 4: n = 1 + (uint32_t)fz_below(t, 64); break;
	default: n = 2 + (uint32_t)fz_below(t, 7);
	}
	for (i = 0; i < n; i++)
		fz_batch_entry(t, one, &x[i]);
	memset(&b, 0, sizeof(b));
	b.flags = fz_chance(t, 80) ? DIOS_NONBLOCK : 0;
	if (fz_chance(t, 15))
		b.flags |= DIOS_XFER_WAITFORONE;
	b.reqs = (uint64_t)(uintptr_t)x;
	b.n = n;
	b.req_size = sizeof(*x);
	b.count = FZ_COUNT_IN;
	b.error = FZ_ERROR_IN;
	k = (uint32_t)fz_below(t, n);
	switch (fz_below(t, 40)) {
	case 0: b.n = 0; expect = EINVAL; break;
	case 1: b.n = DIOS_XFER_BATCH_MAX + 1; expect = EINVAL; break;
	case 2:
		b.req_size = (uint32_t[]){ 0, 56, 72, 128, 4096,
					   (uint32_t)fz_rand(t) }[fz_below(t, 6)];
		expect = b.req_size == sizeof(*x) ? 0 : EINVAL;
		break;
	case 3:
		b.flags |= 1ULL << (1 + fz_below(t, 63));
		expect = b.flags & ~(DIOS_NONBLOCK | DIOS_XFER_WAITFORONE) ?
			 EINVAL : 0;
		break;
	case 4: case 5:
		/* Checked before any runs; the array is allocated first. */
		fz_batch_entry_invalid(t, &x[k]);
		expect = n > 4 && fz_sh->faultinject ? 0 : EINVAL;
		break;
	case 6: case 7: case 8:
		/* A deleted handle (-EBADF) or garbage mid-batch. */
		h = fz_below(t, 3) ? fz_stale(t) : fz_rand(t);
		if (x[k].flags & DIOS_XFER_SEND)
			x[k].send_ref = h;
		else
			x[k].recv_ref = h;
		break;
	case 9:
		if (x[k].flags & DIOS_XFER_SEND)
			x[k].send_buf = fz_bad_ptr(t, false);
		break;
	case 10:
		if (x[k].flags & DIOS_XFER_RECV)
			x[k].recv_buf = fz_bad_ptr(t, true);
		break;
	case 11:
		uf = fz_uffd_page(t);
		if (uf && x[k].flags & DIOS_XFER_SEND) {
			x[k].send_buf = (uint64_t)(uintptr_t)uf;
			x[k].send_len = fz_below(t, FZ_PAGE);
		} else if (uf) {
			x[k].recv_buf = (uint64_t)(uintptr_t)uf;
			x[k].recv_len = FZ_PAGE;
		}
		break;
	case 12:
		at = FZ_AT_BAD;
		arr = (void *)(uintptr_t)fz_bad_ptr(t, false);
		break;
	case 13:
		/* The last entries in the guard page. */
		at = FZ_AT_GUARD;
		arr = t->batch + FZ_BATCH - (n - 1) * sizeof(*x) -
		      8 * (1 + fz_below(t, 7));
		memmove(arr, x, (n - 1) * sizeof(*x));
		break;
	case 14:
		/* Read, run, but no entry's reply can be written back. */
		if (n > FZ_PAGE / sizeof(*x) || !t->ro_ok)
			break;
		at = FZ_AT_RO;
		arr = t->page_ro;
		mprotect(t->page_ro, FZ_PAGE, PROT_READ | PROT_WRITE);
		memcpy(t->page_ro, x, n * sizeof(*x));
		mprotect(t->page_ro, FZ_PAGE, PROT_READ);
		break;
	case 15:
		/*
		 * Read after a stall, as zeros: flags 0, -EINVAL (with -F
		 * the zero page may fail to map: -EFAULT).
		 */
		uf = fz_uffd_page(t);
		if (!uf || n > FZ_PAGE / sizeof(*x))
			break;
		at = FZ_AT_UFFD;
		arr = uf;
		expect = fz_sh->faultinject ? 0 : EINVAL;
		break;
	}
	b.reqs = (uint64_t)(uintptr_t)arr;
	/* The array is read whole before anything runs: a fault is -EFAULT. */
	if ((at == FZ_AT_BAD && fz_ptr_faults(t, b.reqs)) ||
	    (at == FZ_AT_GUARD && t->batch_guard))
		expect = n > 4 && fz_sh->faultinject ? 0 : EFAULT;
	if (!b.n || b.n > DIOS_XFER_BATCH_MAX || b.req_size != sizeof(*x) ||
	    b.flags & ~(DIOS_NONBLOCK | DIOS_XFER_WAITFORONE))
		expect = EINVAL;
	t->batch_n = b.n;
	ret = fz_call(t, FZ_K_XFER_BATCH, &b, sizeof(b), expect, true);
	t->batch_n = 0;
	if (t->reframed)
		return;
	count = fz_batch_check_reply(&b, ret);
	if (at == FZ_AT_ARRAY)
		fz_batch_check_entries(t, x, n, count);
}
