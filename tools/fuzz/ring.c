// SPDX-License-Identifier: GPL-2.0
/*
 * dios-fuzz: ring streams (DIOS_CREATE_RING, DIOS_IOC_RING; docs/ring.md).
 * Leases taken and given back on either side (ATTACH, DETACH), waits that
 * return at once on a stale position or sleep until the interrupter ends
 * them, wakes, each with valid and invalid fields; then what a peer may
 * do in the shared pages: random positions in the writer's tail and the
 * reader's word page, random frames and state words through the writer's
 * view.  The kernel reads positions only to decide whether to sleep and
 * for select, so nothing written there may make a call misbehave.  A
 * write into the read side's view must fault; the plain zero-copy steps,
 * copying I/O and forwarding must refuse a ring stream.  The race threads
 * (procs.c) run fz_ring_race_role(): a reader and a writer moving frames
 * and sleeping, a third thread selecting and waking, against the deletion
 * or zombification of both handles, which must end every wait.
 *
 * The shared pages are only touched under fz_mm_lock (read), once
 * /proc/self/maps says the view is still the one ATTACH made: an mm
 * operation may have unmapped it, and something else may have taken its
 * place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

/* Rings attached only up to this size: ATTACH populates the view. */
#define FZ_RING_MAX	(256UL << 10)

/*
 * In a race thread: the race's lock, which the deleter holds for writing
 * around each deletion.  A deletion unmaps the handle's views at once,
 * and something else may be mapped there the next instant: every write
 * into a ring's pages holds it for reading, from the look at the maps to
 * the write.  Elsewhere a handle of the pool is deleted by its own thread
 * only, under fz_mm_lock.
 */
static __thread pthread_rwlock_t *fz_ring_race_lock;

static void fz_ring_hold(void)
{
	if (fz_ring_race_lock)
		pthread_rwlock_rdlock(fz_ring_race_lock);
	fz_mm_rdlock();
}

static void fz_ring_unhold(void)
{
	fz_mm_rdunlock();
	if (fz_ring_race_lock)
		pthread_rwlock_unlock(fz_ring_race_lock);
}

static const uint32_t fz_ring_side_id[2] = { DIOS_RING_READ, DIOS_RING_WRITE };

static void fz_ring_req(struct dios_ring_req *q, uint32_t op, int side,
			uint64_t h)
{
	memset(q, 0, sizeof(*q));
	q->op = op;
	q->side = fz_ring_side_id[side];
	q->ref = h;
}

static uint64_t fz_round8(uint64_t n)
{
	return (n + 7) & ~7ULL;
}

/*
 * Under fz_mm_lock: whether the view of @s is still mapped where ATTACH
 * put it (same length, same file offset); its protection in *@prot.
 */
static bool fz_ring_here(const struct fz_ring_side *s, int *prot)
{
	uint64_t len, off;
	int p;

	if (!s->view)
		return false;
	p = fz_dios_map_at(s->view, &len, &off);
	if (p < 0 || len != s->view_len || off != s->view_off)
		return false;
	if (prot)
		*prot = p;
	return true;
}

/*
 * Under fz_mm_lock: the position word the side writes, still mapped and
 * writable.  A writer's view stays writable after DETACH (only the lease
 * goes): its tail can still be written; a reader's word page goes.
 */
static void *fz_ring_own(const struct fz_ring_side *s, int side)
{
	uint64_t len, off;
	int prot;

	if (side)
		return fz_ring_here(s, &prot) && prot & PROT_WRITE ?
		       (void *)(uintptr_t)(s->view + FZ_PAGE) : NULL;
	if (!s->own)
		return NULL;
	prot = fz_dios_map_at(s->own, &len, &off);
	return prot >= 0 && prot & PROT_WRITE && len == FZ_PAGE &&
	       off == s->own_off ? (void *)(uintptr_t)s->own : NULL;
}

/* Under fz_mm_lock: a word of the view's control pages, guarded. */
static bool fz_ring_word(const struct fz_ring_side *s, uint64_t at,
			 void *out, size_t len)
{
	return fz_ring_here(s, NULL) &&
	       fz_guard_copy(out, (const void *)(uintptr_t)(s->view + at), len);
}

/* The other side's position, as side @side waits for it. */
static bool fz_ring_other_pos(const struct fz_ring_side *s, int side,
			      uint64_t *pos)
{
	return fz_ring_word(s, (side ? 2 : 1) * FZ_PAGE, pos, sizeof(*pos));
}

/*
 * Under fz_mm_lock: check and record what ATTACH of side @side of @ref
 * returned.  The view: control pages and the ring twice, never writable
 * for a reader (a writer's may have been mprotect()ed since an earlier
 * attach made it); the writer's word is its tail, the reader's a fresh
 * page of its own; the kernel page says what ATTACH says (the fuzzer
 * writes only its flags and wake counts).
 */
static void fz_ring_attached(struct fz_ref *ref, int side,
			     const struct dios_ring_req *q)
{
	struct fz_ring_side *s = &ref->rs[side];
	uint64_t pages = DIOS_RING_CTL_PAGES + 2 * q->ring_size / FZ_PAGE;
	uint64_t len, off, olen, ooff;
	struct dios_ring_kern k;
	int prot, oprot;

	if (s->own)
		fz_violation("ring: a second ATTACH of side %d of %#llx succeeded",
			     side, (unsigned long long)ref->h);
	prot = fz_dios_map_at(q->addr, &len, &off);
	oprot = side ? prot : fz_dios_map_at(q->own, &olen, &ooff);
	if (!q->ring_size || q->ring_size % FZ_PAGE ||
	    (ref->ring && ref->size &&
	     q->ring_size < 8 + fz_round8(ref->size)) ||
	    prot < 0 || len != pages * FZ_PAGE ||
	    (!side && prot & PROT_WRITE)) {
		fz_violation("ring: ATTACH of side %d of %#llx: view %#llx ring_size %llu (capacity %llu): prot %d, %llu bytes mapped",
			     side, (unsigned long long)ref->h,
			     (unsigned long long)q->addr,
			     (unsigned long long)q->ring_size,
			     (unsigned long long)ref->size, prot,
			     prot < 0 ? 0ULL : (unsigned long long)len);
		return;
	}
	if (side ? q->own != q->addr + FZ_PAGE :
		   oprot != (PROT_READ | PROT_WRITE) || olen != FZ_PAGE) {
		fz_violation("ring: ATTACH of side %d of %#llx: word %#llx (view %#llx), prot %d",
			     side, (unsigned long long)ref->h,
			     (unsigned long long)q->own,
			     (unsigned long long)q->addr, oprot);
		return;
	}
	__atomic_fetch_add(&fz_sh->st.ring_leases, 1, __ATOMIC_RELAXED);
	s->view = q->addr;
	s->view_len = len;
	s->view_off = off;
	s->own = q->own;
	s->own_off = side ? 0 : ooff;
	s->ring_size = q->ring_size;
	if (fz_guard_copy(&k, (const void *)(uintptr_t)q->addr, sizeof(k)) &&
	    (k.magic != DIOS_RING_MAGIC || k.ring_size != q->ring_size ||
	     (ref->ring && ref->size && k.capacity != ref->size)))
		fz_violation("ring: kernel page of %#llx says magic %#x ring_size %llu capacity %llu; ATTACH said %llu, capacity %llu",
			     (unsigned long long)ref->h, k.magic,
			     (unsigned long long)k.ring_size,
			     (unsigned long long)k.capacity,
			     (unsigned long long)q->ring_size,
			     (unsigned long long)ref->size);
}

/*
 * Under fz_mm_lock, after ATTACH of @h: whether what it mapped is still
 * there to be checked.  Always, but in a race, where the deleter may have
 * unmapped it already (and something else taken the place): there, only
 * if the deleter is not at work and @h is still in the table, and then
 * the deleter waits until fz_ring_unsettle().  Never waits: the deleter
 * may be waiting for fz_mm_lock.
 */
static bool fz_ring_settle(struct fz_thread *t, uint64_t h)
{
	struct dios_name_req n;

	if (!fz_ring_race_lock)
		return true;
	if (pthread_rwlock_tryrdlock(fz_ring_race_lock))
		return false;
	memset(&n, 0, sizeof(n));
	n.ref = h;
	if (fz_call(t, FZ_K_NAME, &n, sizeof(n), 0, false) != -EBADF)
		return true;
	pthread_rwlock_unlock(fz_ring_race_lock);
	return false;
}

static void fz_ring_unsettle(void)
{
	if (fz_ring_race_lock)
		pthread_rwlock_unlock(fz_ring_race_lock);
}

/*
 * ATTACH: valid (small rings only), or (unless @clean) one field wrong or
 * the request framed wrongly.  @block: wait for a lease held elsewhere.
 */
static long fz_ring_attach(struct fz_thread *t, struct fz_ref *ref, int side,
			   bool block, bool clean)
{
	struct fz_ring_side *s = &ref->rs[side];
	struct dios_ring_req q;
	uint64_t h = ref->h;
	int expect = 0;
	long ret;

	fz_ring_req(&q, DIOS_RING_ATTACH, side, h);
	if (!block)
		q.flags = DIOS_NONBLOCK;
	if (!ref->size)
		fz_ref_fill(t, ref);
	/* A big ring or one of unknown size: invalid requests only. */
	if (clean && (!ref->size || ref->size > FZ_RING_MAX))
		return -EFBIG;
	switch (clean ? 99 : fz_below(t, ref->size && ref->size <= FZ_RING_MAX ?
					 30 : 6)) {
	case 0: q.pos = 1 + fz_below(t, 1 << 20); expect = EINVAL; break;
	case 1: q.wake_ref = h; expect = EINVAL; break;
	case 2: q.addr = s->view ? s->view : FZ_PAGE; expect = EINVAL; break;
	case 3: q.own = 1 + fz_below(t, FZ_PAGE); expect = EINVAL; break;
	case 4: q.ring_size = fz_rand(t) | 1; expect = EINVAL; break;
	case 5: q.flags |= 1ULL << (1 + fz_below(t, 63)); expect = EINVAL; break;
	case 6: q.ref = fz_stale(t); expect = EBADF; break;
	}
	fz_mm_rdlock();
	ret = fz_call(t, FZ_K_RING, &q, sizeof(q), expect, !clean);
	if (!ret && fz_ring_settle(t, h)) {
		fz_ring_attached(ref, side, &q);
		fz_ring_unsettle();
	}
	fz_mm_rdunlock();
	return ret;
}

/* DETACH with the view's address, or a wrong one. */
static long fz_ring_detach(struct fz_thread *t, struct fz_ref *ref, int side)
{
	struct fz_ring_side *s = &ref->rs[side];
	bool held = s->own, wrong = false;
	struct dios_ring_req q;
	int expect = 0;
	long ret;

	fz_ring_req(&q, DIOS_RING_DETACH, side, ref->h);
	q.addr = s->view;
	switch (fz_below(t, 12)) {
	case 0: q.addr = s->view + FZ_PAGE; wrong = true; break;
	case 1: q.addr = s->own; wrong = true; break;
	case 2: q.flags = DIOS_NONBLOCK; expect = EINVAL; break;
	case 3: q.pos = 1 + fz_below(t, 4096); expect = EINVAL; break;
	case 4: q.own = s->own ? s->own : 1; expect = EINVAL; break;
	}
	ret = fz_call(t, FZ_K_RING, &q, sizeof(q), expect, true);
	if (!ret && (!held || wrong))
		fz_violation("ring: DETACH of side %d of %#llx at %#llx succeeded (lease %s, view %#llx)",
			     side, (unsigned long long)ref->h,
			     (unsigned long long)q.addr, held ? "held" : "not held",
			     (unsigned long long)s->view);
	/* The reader's word page goes with the lease; the view stays. */
	if (!ret)
		s->own = 0;
	return ret;
}

/*
 * WAIT: with a stale position it must return at once (0: the position
 * moved, or -EIDRM); with the position as it is it sleeps until the other
 * side moves, the interrupter ends it (-EINTR), no one is left (-EPIPE) or
 * the ring dies.  Without the lease: -EINVAL.
 */
static void fz_ring_wait(struct fz_thread *t, struct fz_ref *ref, int side)
{
	struct fz_ring_side *s = &ref->rs[side];
	bool held = s->own, stale = false;
	uint64_t seen = fz_rand(t);
	struct dios_ring_req q;
	struct fz_ref *w;
	int expect = 0;
	long ret;

	fz_mm_rdlock();
	if (held && fz_ring_other_pos(s, side, &seen) && fz_chance(t, 70)) {
		seen ^= 0x80000000ULL;
		stale = true;
	}
	fz_mm_rdunlock();
	fz_ring_req(&q, DIOS_RING_WAIT, side, ref->h);
	q.pos = seen;
	switch (fz_below(t, 16)) {
	case 0: q.flags = DIOS_NONBLOCK; expect = EINVAL; break;
	case 1: q.addr = s->view ? s->view : 1; expect = EINVAL; break;
	case 2: q.ring_size = 1; expect = EINVAL; break;
	case 3: q.side = (uint32_t)fz_below(t, 2) * 3; expect = EINVAL; break;
	case 4: case 5:
		/* The stream a call sent on: woken first. */
		w = fz_pick(t, DIOS_OBJ_STREAM);
		q.wake_ref = w && fz_chance(t, 70) ? w->h : fz_pick_handle(t);
		stale = false;
		break;
	}
	ret = fz_call(t, FZ_K_RING, &q, sizeof(q), expect, true);
	if (t->reframed || expect)
		return;
	if (stale)
		__atomic_fetch_add(&fz_sh->st.ring_stale_waits, 1,
				   __ATOMIC_RELAXED);
	if (stale && ret && ret != -EIDRM)
		fz_violation("ring: WAIT on side %d of %#llx with a stale position %#llx: %ld, expected 0 at once",
			     side, (unsigned long long)ref->h,
			     (unsigned long long)seen, ret);
	if (!ret && !held)
		fz_violation("ring: WAIT on side %d of %#llx without the lease succeeded",
			     side, (unsigned long long)ref->h);
}

/* WAKE: any ring stream with READ or WRITE, no lease needed. */
static void fz_ring_wake(struct fz_thread *t, struct fz_ref *ref, int side)
{
	struct dios_ring_req q;
	int expect = 0;
	long ret;

	fz_ring_req(&q, DIOS_RING_WAKE, side, ref->h);
	switch (fz_below(t, 12)) {
	case 0: q.pos = 1; expect = EINVAL; break;
	case 1: q.wake_ref = ref->h; expect = EINVAL; break;
	case 2: q.addr = 1; expect = EINVAL; break;
	case 3: q.flags = DIOS_NONBLOCK; expect = EINVAL; break;
	case 4: q.ref = fz_stale(t); expect = EBADF; break;
	case 5: q.ref = fz_pick_handle(t); break;
	}
	ret = fz_call(t, FZ_K_RING, &q, sizeof(q), expect, true);
	if (ret == -EOPNOTSUPP && ref->ring && q.ref == ref->h &&
	    !t->reframed)
		fz_violation("ring: WAKE of the ring stream %#llx: -EOPNOTSUPP",
			     (unsigned long long)ref->h);
}

/* Wake the other side if the kernel page asks for it, as libdios does. */
static void fz_ring_wake_if(struct fz_thread *t, uint64_t h, int side,
			    bool asked)
{
	struct dios_ring_req q;

	if (!asked)
		return;
	fz_ring_req(&q, DIOS_RING_WAKE, side, h);
	fz_call(t, FZ_K_RING, &q, sizeof(q), 0, false);
}

/*
 * Under fz_mm_lock, the writer's view mapped and writable: a message of
 * @len random bytes as a real writer writes it, if it fits by the
 * positions as they read now.  Returns whether the readers asked for a
 * wake; *@full if it did not fit.
 */
static bool fz_ring_put(struct fz_thread *t, const struct fz_ring_side *s,
			uint32_t len, bool *full)
{
	uint8_t *v = (uint8_t *)(uintptr_t)s->view, msg[264];
	uint64_t tail, head, frame = 8 + fz_round8(len);
	struct dios_ring_frame f = { .len = len };
	uint32_t rwake = 0;
	uint32_t i;

	*full = true;
	if (len > 256 || !fz_guard_copy(&tail, v + FZ_PAGE, 8) ||
	    !fz_guard_copy(&head, v + 2 * FZ_PAGE, 8))
		return false;
	/* A position scribbled beyond reason: start again at the head. */
	if (tail - head > s->ring_size)
		tail = head;
	if (s->ring_size - (tail - head) < frame)
		return false;
	*full = false;
	memcpy(msg, &f, sizeof(f));
	for (i = 0; i < len; i++)
		msg[8 + i] = (uint8_t)fz_rand(t);
	fz_guard_copy(v + DIOS_RING_CTL_PAGES * FZ_PAGE + tail % s->ring_size,
		      msg, 8 + len);
	tail += frame;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	fz_guard_copy(v + FZ_PAGE, &tail, 8);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	fz_guard_copy(&rwake, v + offsetof(struct dios_ring_kern, rwake), 4);
	return rwake;
}

/* A value a peer might write into a position: anything. */
static uint64_t fz_ring_junk(struct fz_thread *t, const struct fz_ring_side *s)
{
	switch (fz_below(t, 6)) {
	case 0: return fz_rand(t);
	case 1: return s->ring_size * (1 + fz_below(t, 8));
	case 2: return 1 + 2 * fz_below(t, 1000);	/* misaligned */
	case 3: return UINT64_MAX - fz_below(t, 64);
	case 4: return 0;
	default: return 8 * fz_below(t, 2 * s->ring_size / 8 + 1);
	}
}

/*
 * Under fz_mm_lock, the writer's view mapped and writable: scribble on
 * it.  Returns whether to wake the readers.
 */
static bool fz_ring_scribble_writer(struct fz_thread *t,
				    const struct fz_ring_side *s)
{
	uint8_t *v = (uint8_t *)(uintptr_t)s->view, junk[72];
	uint64_t x = fz_ring_junk(t, s), at;
	struct dios_ring_frame f;
	bool full;
	uint32_t i;

	switch (fz_below(t, 6)) {
	case 0:
		fz_guard_copy(v + FZ_PAGE, &x, 8);			/* tail */
		return fz_chance(t, 50);
	case 1:
		fz_guard_copy(v + 2 * FZ_PAGE, &x, 8);			/* head */
		return false;
	case 2:
		/* The kernel page's flags and wake counts, never its sizes. */
		at = 4 + 4 * fz_below(t, 3);
		fz_guard_copy(v + at, &x, 4);
		return false;
	case 3:
		/* A frame header and bytes anywhere in the ring. */
		f.len = fz_chance(t, 50) ? (uint32_t)fz_rand(t) :
			(uint32_t)fz_below(t, 2 * s->ring_size);
		f.flags = fz_chance(t, 70) ? 0 : (uint32_t)fz_rand(t);
		memcpy(junk, &f, sizeof(f));
		for (i = sizeof(f); i < sizeof(junk); i++)
			junk[i] = (uint8_t)fz_rand(t);
		at = fz_below(t, s->ring_size) & ~7ULL;
		fz_guard_copy(v + DIOS_RING_CTL_PAGES * FZ_PAGE + at, junk,
			      sizeof(junk));
		return fz_chance(t, 30);
	default:
		return fz_ring_put(t, s, (uint32_t)fz_below(t, 257), &full);
	}
}

static void fz_ring_select(struct fz_thread *t, uint64_t h)
{
	uint64_t *refs = (uint64_t *)(t->xbuf + FZ_XBUF - 4096);
	struct dios_select_req r;

	memset(&r, 0, sizeof(r));
	refs[0] = h;
	r.refs = (uint64_t)(uintptr_t)refs;
	r.n = 1;
	r.events = 1 + (uint32_t)fz_below(t, 3);
	r.timeout_ns = fz_chance(t, 80) ? 0 : 1000000 * (int64_t)fz_below(t, 5);
	fz_call(t, FZ_K_SELECT, &r, sizeof(r), 0, false);
}

/*
 * A peer's scribbles, then the calls that read what it wrote: select, a
 * wait, the wake, a zombify or deletion.
 */
static void fz_ring_scribble(struct fz_thread *t, struct fz_ref *ref)
{
	int side = ref->rs[1].view && fz_chance(t, 75) ? 1 : 0, i;
	struct fz_ring_side *s = &ref->rs[side];
	uint64_t x = fz_ring_junk(t, s), h = ref->h, tail;
	bool wake = false;
	uint32_t wwake = 0;
	void *own;

	fz_ring_hold();
	own = fz_ring_own(s, side);
	if (side && own) {
		wake = fz_ring_scribble_writer(t, s);
	} else if (own) {
		/* The reader's head: anything, or everything consumed. */
		if (fz_chance(t, 50) && fz_ring_other_pos(s, 0, &tail))
			x = tail;
		fz_guard_copy(own, &x, 8);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		wake = fz_ring_word(s, offsetof(struct dios_ring_kern, wwake),
				    &wwake, 4) && wwake;
	}
	fz_ring_unhold();
	if (!own)
		return;
	__atomic_fetch_add(&fz_sh->st.ring_scribbles, 1, __ATOMIC_RELAXED);
	fz_ring_wake_if(t, h, side, wake);
	if (fz_chance(t, 40))
		fz_ring_select(t, h);
	i = fz_pool_find(t, h);
	if (i >= 0 && fz_chance(t, 25))
		fz_ring_wait(t, &t->refs[i], side);
	if (i >= 0 && fz_chance(t, 8))
		fz_do_delete(t, i, fz_chance(t, 50));
}

/* Touch the views: a write into the read side's must fault. */
static void fz_ring_touch(struct fz_thread *t, struct fz_ref *ref)
{
	int side = (int)fz_below(t, 2), prot;
	struct fz_ring_side *s = &ref->rs[side];
	volatile uint8_t *p;

	fz_mm_rdlock();
	if (fz_ring_here(s, &prot)) {
		p = (volatile uint8_t *)(uintptr_t)(s->view +
			FZ_PAGE * fz_below(t, s->view_len / FZ_PAGE) +
			fz_below(t, FZ_PAGE));
		fz_guard_touch(p, false);
		if (side) {
			if (prot & PROT_WRITE && fz_chance(t, 50))
				fz_guard_touch(p, true);
		} else if (!(prot & PROT_WRITE)) {
			if (fz_guard_touch(p, true))
				fz_violation("ring: a write into the read view of %#llx at %p succeeded",
					     (unsigned long long)ref->h,
					     (void *)p);
			else
				__atomic_fetch_add(&fz_sh->st.ring_ro_faults,
						   1, __ATOMIC_RELAXED);
		}
	}
	fz_mm_rdunlock();
}

/*
 * A ring's read lease is no message to forward: a commit of a plain
 * stream's write buffer of the same length, forwarding it, is -EINVAL
 * (-EIDRM for a zombie).
 */
static void fz_ring_forward(struct fz_thread *t, struct fz_ref *ref)
{
	struct fz_ring_side *s = &ref->rs[0];
	struct dios_create_req c;
	struct dios_delete_req d;
	struct dios_io_req q;
	uint64_t len = s->view_len;
	long ret;

	if (!s->own || !len || len > FZ_IO_LIMIT / 4)
		return;
	memset(&c, 0, sizeof(c));
	c.type = DIOS_OBJ_STREAM;
	c.flags = DIOS_CREATE_ANON;
	c.args.capacity = len;
	if (fz_call(t, FZ_K_CREATE, &c, sizeof(c), 0, false))
		return;
	memset(&q, 0, sizeof(q));
	q.ref = c.ref;
	q.len = len;
	q.flags = DIOS_NONBLOCK;
	fz_mm_rdlock();
	if (!fz_call(t, FZ_K_ACQUIRE_WRITE, &q, sizeof(q), 0, false)) {
		q.flags = DIOS_IO_FORWARD;
		q.src_ref = ref->h;
		q.len = len;
		q.done = 0;
		ret = fz_call(t, FZ_K_COMMIT_WRITE, &q, sizeof(q), 0, false);
		if (ret != -EINVAL && ret != -EIDRM && ret != -ENOMEM)
			fz_violation("ring: forwarding the read lease of %#llx: %ld, expected -EINVAL",
				     (unsigned long long)ref->h, ret);
	}
	fz_mm_rdunlock();
	memset(&d, 0, sizeof(d));
	d.ref = c.ref;
	fz_call(t, FZ_K_DELETE, &d, sizeof(d), 0, false);
}

/*
 * The plain zero-copy steps on a held lease's buffer (io.c): both are
 * -EOPNOTSUPP; the lease is given back through DIOS_IOC_RING only.
 */
void fz_ring_plain_step(struct fz_thread *t, struct fz_ref *ref, int dir)
{
	struct fz_ring_side *s = &ref->rs[dir];
	bool commit = fz_chance(t, 50);
	struct dios_io_req q;
	long ret;

	memset(&q, 0, sizeof(q));
	q.ref = ref->h;
	q.addr = s->view;
	ret = fz_call(t, commit ? fz_io_kind_commit(dir) :
		      fz_io_kind_release(dir), &q, sizeof(q), 0, false);
	if (!ret)
		fz_violation("ring: %s of the lease of %#llx succeeded",
			     fz_kind_name(commit ? fz_io_kind_commit(dir) :
					  fz_io_kind_release(dir)),
			     (unsigned long long)ref->h);
}

/* A ring stream of a size that ATTACH may map; in the pool. */
static struct fz_ref *fz_ring_create(struct fz_thread *t)
{
	struct dios_create_req c;
	int i;

	memset(&c, 0, sizeof(c));
	c.type = DIOS_OBJ_STREAM;
	c.flags = DIOS_CREATE_RING | (fz_chance(t, 70) ? DIOS_CREATE_ANON : 0);
	c.args.capacity = fz_chance(t, 50) ? 1 + fz_below(t, 4096) :
			  FZ_PAGE * (1 + fz_below(t, 16));
	if (fz_call(t, FZ_K_CREATE, &c, sizeof(c), 0, false))
		return NULL;
	fz_pool_add(t, c.ref, DIOS_OBJ_STREAM, DIOS_RIGHTS_ALL,
		    c.args.capacity);
	if (!(c.flags & DIOS_CREATE_ANON))
		fz_name_add(&c.name);
	i = fz_pool_find(t, c.ref);
	if (i < 0)
		return NULL;
	t->refs[i].ring = true;
	return &t->refs[i];
}

/* A ring stream of the pool, else a stream (maybe one), else a new ring. */
static struct fz_ref *fz_pick_ring(struct fz_thread *t)
{
	struct fz_ref *r = NULL;
	int i;

	for (i = 0; i < 6; i++) {
		r = fz_pick(t, DIOS_OBJ_STREAM);
		if (!r || r->ring)
			break;
	}
	if (r && (r->ring || fz_chance(t, 30)))
		return r;
	return fz_ring_create(t);
}

/* A request with an unknown op or side, or neither. */
static void fz_ring_garbage(struct fz_thread *t, struct fz_ref *ref)
{
	struct dios_ring_req q;

	fz_ring_req(&q, (uint32_t[]){ 0, 9, 0xffffffffu,
				      DIOS_RING_WAKE }[fz_below(t, 4)],
		    0, ref->h);
	q.side = (uint32_t[]){ 0, 3, 0x100, DIOS_RING_READ }[fz_below(t, 4)];
	if (q.op == DIOS_RING_WAKE && q.side == DIOS_RING_READ)
		q.side = 0;
	fz_call(t, FZ_K_RING, &q, sizeof(q), EINVAL, true);
}

/*
 * The references of a frame (ABI 1.5): PUSH_REFS on the write side, TAKE,
 * COMMIT and RELEASE_REFS on the read side, at the side's own position
 * mostly, with handles of the pool, a bad array, counts around the limit
 * of 64.  A push takes its handles out of the table; a take installs
 * some.  Entries never published are the kernel's to drop.
 */
static void fz_ring_refs(struct fz_thread *t, struct fz_ref *ref, int side)
{
	static const uint32_t ops[2][3] = {
		{ DIOS_RING_TAKE_REFS, DIOS_RING_COMMIT_REFS,
		  DIOS_RING_RELEASE_REFS },
		{ DIOS_RING_PUSH_REFS, DIOS_RING_PUSH_REFS,
		  DIOS_RING_PUSH_REFS },
	};
	uint64_t hs[4] = { 0 }, pos = 0;
	struct dios_ring_req q;
	uint32_t i, n;
	int expect = 0;
	bool have;
	long ret;

	fz_ring_req(&q, ops[side][fz_below(t, 3)], side, ref->h);
	fz_mm_rdlock();
	have = fz_ring_word(&ref->rs[side], (side ? 1 : 2) * FZ_PAGE, &pos,
			    sizeof(pos));
	fz_mm_rdunlock();
	q.pos = have && fz_chance(t, 85) ? pos : fz_rand(t);
	n = (uint32_t)fz_below(t, 4);
	for (i = 0; i < n; i++) {
		struct fz_ref *o = fz_pick_out(t);

		hs[i] = o && o != ref ? o->h : fz_pick_handle_out(t);
	}
	if (q.op == DIOS_RING_PUSH_REFS || q.op == DIOS_RING_TAKE_REFS) {
		q.refs = (uint64_t)(uintptr_t)hs;
		q.n_refs = q.op == DIOS_RING_TAKE_REFS ? 4 : n;
	}
	switch (fz_below(t, 10)) {
	case 0: q.refs = fz_bad_ptr(t, q.op == DIOS_RING_TAKE_REFS); break;
	case 1: q.n_refs = 65; break;
	case 2: q.__pad = 1; expect = EINVAL; break;
	case 3: q.wake_ref = ref->h; expect = EINVAL; break;
	}
	ret = fz_call(t, FZ_K_RING, &q, sizeof(q), expect, true);
	if (ret || t->reframed)
		return;
	if (q.op == DIOS_RING_PUSH_REFS)
		for (i = 0; i < q.n_refs && i < 4; i++)
			fz_pool_drop(t, fz_pool_find(t, hs[i]), true);
	else if (q.op == DIOS_RING_TAKE_REFS)
		for (i = 0; i < q.n_refs && i < 4; i++)
			fz_pool_add(t, hs[i], 0, 0, 0);
}

/* The side to act on: one whose lease we hold, mostly. */
static int fz_ring_side_pick(struct fz_thread *t, struct fz_ref *ref)
{
	int side = (int)fz_below(t, 2);

	if (!ref->rs[side].own && ref->rs[!side].own && fz_chance(t, 70))
		side = !side;
	return side;
}

void fz_ring_step(struct fz_thread *t)
{
	struct fz_ref *ref = fz_pick_ring(t);
	unsigned int w = (unsigned int)fz_below(t, 100);
	int side;

	if (!ref)
		return;
	side = fz_ring_side_pick(t, ref);
	if (w < 20)
		fz_ring_attach(t, ref, side, fz_chance(t, 25), false);
	else if (w < 28)
		fz_ring_detach(t, ref, side);
	else if (w < 42)
		fz_ring_wait(t, ref, side);
	else if (w < 50)
		fz_ring_wake(t, ref, side);
	else if (w < 72)
		fz_ring_scribble(t, ref);
	else if (w < 80)
		fz_ring_touch(t, ref);
	else if (w < 84)
		fz_ring_forward(t, ref);
	else if (w < 86)
		fz_ring_garbage(t, ref);
	else if (w < 88)
		fz_ring_refs(t, ref, side);
	else if (w < 93)
		fz_ring_select(t, ref->h);
	else
		fz_do_delete(t, fz_pool_find(t, ref->h), fz_chance(t, 50));
}

/* For mm.c: a ring view or reader's word page of the thread's, or 0. */
uint64_t fz_ring_view_pick(struct fz_thread *t)
{
	int i, start = t->nrefs ? (int)fz_below(t, t->nrefs) : 0, side;

	for (i = 0; i < t->nrefs; i++) {
		struct fz_ref *r = &t->refs[(start + i) % t->nrefs];

		side = (int)fz_below(t, 2);
		if (!r->rs[side].view)
			side = !side;
		if (!r->rs[side].view)
			continue;
		return !side && r->rs[0].own && fz_chance(t, 30) ?
		       r->rs[0].own : r->rs[side].view;
	}
	return 0;
}

/* ---- the race ------------------------------------------------------------- */

/*
 * The lease of a race thread's side: taken when not held (another
 * reference's, or this one's in another thread, is waited for or passed
 * over), given back now and then.  True if the caller goes on with it;
 * else *@ret is the step's result.
 */
static bool fz_ring_race_lease(struct fz_thread *t, struct fz_ref *r,
			       int side, long *ret)
{
	if (!r->rs[side].own) {
		*ret = fz_ring_attach(t, r, side, fz_chance(t, 80), true);
		if (*ret == -EAGAIN || *ret == -EBUSY)
			*ret = 0;
		return false;
	}
	if (fz_chance(t, 8)) {
		*ret = fz_ring_detach(t, r, side);
		return false;
	}
	return true;
}

/*
 * A reader on one handle: consume everything published (as the head
 * word's owner), else sleep until the writer moves the tail; now and then
 * give the lease back.  Blocking calls without an interrupter: only the
 * other side, the deletion or the zombification ends them.
 */
static long fz_ring_race_read(struct fz_thread *t, struct fz_ref *r)
{
	struct fz_ring_side *s = &r->rs[0];
	struct dios_ring_req q;
	uint64_t tail = 0, head;
	bool seen = false, wake = false;
	uint32_t wwake = 0;
	void *own;
	long ret;

	if (!fz_ring_race_lease(t, r, 0, &ret))
		return ret;
	fz_ring_hold();
	own = fz_ring_own(s, 0);
	if (own && fz_ring_other_pos(s, 0, &tail) &&
	    fz_guard_copy(&head, own, 8)) {
		seen = true;
		if (head != tail) {
			fz_guard_copy(own, &tail, 8);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			wake = fz_ring_word(s, offsetof(struct dios_ring_kern,
							 wwake), &wwake, 4) &&
			       wwake;
		}
	}
	fz_ring_unhold();
	if (!seen)
		return fz_ring_detach(t, r, 0);	/* unmapped: attach anew */
	if (head != tail) {
		fz_ring_wake_if(t, r->h, 0, wake);
		return 0;
	}
	fz_ring_req(&q, DIOS_RING_WAIT, 0, r->h);
	q.pos = tail;
	return fz_call(t, FZ_K_RING, &q, sizeof(q), 0, false);
}

/*
 * A writer on one handle: publish a frame when it fits, else sleep until
 * the reader moves the head; scribble now and then.
 */
static long fz_ring_race_write(struct fz_thread *t, struct fz_ref *r)
{
	struct fz_ring_side *s = &r->rs[1];
	struct dios_ring_req q;
	bool wake = false, full = false, ok;
	uint64_t head = 0;
	long ret;

	if (!fz_ring_race_lease(t, r, 1, &ret))
		return ret;
	fz_ring_hold();
	ok = fz_ring_own(s, 1) && fz_ring_other_pos(s, 1, &head);
	if (ok && fz_chance(t, 10))
		wake = fz_ring_scribble_writer(t, s);
	else if (ok)
		wake = fz_ring_put(t, s, (uint32_t)fz_below(t, 257), &full);
	fz_ring_unhold();
	if (!ok)
		return fz_ring_detach(t, r, 1);
	fz_ring_wake_if(t, r->h, 1, wake);
	if (!full)
		return 0;
	fz_ring_req(&q, DIOS_RING_WAIT, 1, r->h);
	q.pos = head;
	return fz_call(t, FZ_K_RING, &q, sizeof(q), 0, false);
}

/* Select, wake, a lease tried and given back, the refused I/O. */
static long fz_ring_race_other(struct fz_thread *t, struct fz_ref *r)
{
	uint64_t *refs = (uint64_t *)(t->xbuf + FZ_XBUF - 4096);
	int side = (int)fz_below(t, 2);
	struct dios_select_req sel;
	struct dios_xfer_req x;
	long ret = 0;

	switch (fz_below(t, 5)) {
	case 0:
		memset(&sel, 0, sizeof(sel));
		refs[0] = r[0].h;
		refs[1] = r[1].h;
		sel.refs = (uint64_t)(uintptr_t)refs;
		sel.n = 2;
		sel.events = 1 + (uint32_t)fz_below(t, 3);
		sel.timeout_ns = 1000000 * (int64_t)fz_below(t, 10);
		ret = fz_call(t, FZ_K_SELECT, &sel, sizeof(sel), 0, false);
		break;
	case 1:
		fz_ring_wake(t, &r[fz_below(t, 2)], side);
		break;
	case 2:
		r = &r[fz_below(t, 2)];
		ret = fz_ring_attach(t, r, side, false, true);
		if (!ret)
			ret = fz_ring_detach(t, r, side);
		break;
	case 3:
		memset(&x, 0, sizeof(x));
		x.flags = DIOS_XFER_SEND | DIOS_NONBLOCK;
		x.send_ref = r[fz_below(t, 2)].h;
		x.send_buf = (uint64_t)(uintptr_t)t->xbuf;
		x.send_len = fz_below(t, 64);
		ret = fz_call(t, FZ_K_XFER, &x, sizeof(x), 0, false);
		if (!ret)
			fz_violation("ring: xfer on the ring stream %#llx succeeded",
				     (unsigned long long)x.send_ref);
		break;
	default:
		usleep(1000);
	}
	return ret;
}

/*
 * Race role @role (0 reader, 1 writer, 2 the rest) on the ring stream of
 * capacity @cap behind the handles @h[0] and @h[1] (another thread deletes
 * both or zombifies the object, holding @lock for writing): until a
 * handle is gone.
 */
void fz_ring_race_role(struct fz_thread *t, const uint64_t *h, uint64_t cap,
		       int role, pthread_rwlock_t *lock)
{
	struct fz_ref r[2];
	int i, x;
	long ret;

	memset(r, 0, sizeof(r));
	for (x = 0; x < 2; x++) {
		r[x].h = h[x];
		r[x].ring = true;
		r[x].type = DIOS_OBJ_STREAM;
		r[x].size = cap;
	}
	fz_ring_race_lock = lock;
	for (i = 0; i < 200 && !fz_sh->stop; i++) {
		x = (int)fz_below(t, 2);
		if (role == 0)
			ret = fz_ring_race_read(t, &r[x]);
		else if (role == 1)
			ret = fz_ring_race_write(t, &r[x]);
		else
			ret = fz_ring_race_other(t, r);
		if (ret == -EBADF || ret == -EIDRM)
			break;
		if (ret)
			usleep(500);
	}
	fz_ring_race_lock = NULL;
}
