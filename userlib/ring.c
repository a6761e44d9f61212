// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Ring streams (DIOS_CREATE_RING; docs/ring.md): the user-level fast path.
 *
 * The first I/O call on a side of a ring stream finds the kernel refusing
 * the copying or zero-copy ioctl with -EOPNOTSUPP, takes the side's lease
 * (DIOS_RING_ATTACH) and keeps it in a table of leases, by handle and side.
 * From then on acquire, commit and release, send, recv and call move frames
 * in the mapped ring and enter the kernel only to sleep (DIOS_RING_WAIT) and
 * to wake a sleeper the kernel page announces (DIOS_RING_WAKE).  The lease
 * goes with dios_delete() of the reference, and the table with the context
 * (a fork child has neither the context nor the mappings).
 *
 * Nothing in the shared pages is trusted: every position and length read
 * is checked against the ring before it is used, and a violation is
 * -EBADMSG, the stream's contents are corrupt; no access leaves the ring.
 */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/*
 * One side's lease.  @ref and @side say whose it is; @ref is DIOS_REF_NONE
 * once the reference is deleted, and a call checks them under @lock before
 * it touches the mappings: a deletion takes @lock around the kernel's
 * delete, which unmaps them, so no call of another thread is inside.
 */
struct ring_side {
	dios_ref_t ref;
	int side;			/* DIOS_RING_READ or DIOS_RING_WRITE */
	int lock;			/* serialises the side's calls */
	int fd;				/* the context's, at the attach */
	uint32_t spin_ns;		/* how long to spin before a sleep */
	uint32_t spin_skip;		/* sleeps without a spin since one */
	const struct dios_ring_kern *kern;
	const struct dios_ring_pos *tail;
	const struct dios_ring_pos *head;
	struct dios_ring_pos *own;	/* our word: tail or head */
	char *data;			/* the ring, mapped twice */
	size_t page;			/* the kernel's page size */
	void *view;
	uint64_t size;
	uint64_t cap;
	uint64_t pos;			/* our position */
	int open;			/* a buffer is open */
	uint64_t open_len;		/* its length (read: the message's) */
	int open_refs;			/* read: its references are taken */
	struct ring_side *next;		/* in the table's bucket */
	struct ring_side *free_next;	/* on the free list */
};

/*
 * An attach or a delete in flight, on the table's pending list: a second
 * attach of the same side waits for the first (the kernel would answer it
 * -EBUSY), an attach that raced a delete of its reference learns the
 * delete's outcome before it publishes anything.  @side is -1 for a delete.
 */
struct ring_pending {
	dios_ref_t ref;
	int side;
	int cancelled;			/* attach: a delete of @ref succeeded */
	struct ring_pending *next;
};

#define RING_BUCKETS	64

/* The steps of a message that runs in one call, no function call inside. */
#define RING_HOT	static inline __attribute__((always_inline))

/*
 * The table: buckets read without the lock (entries are published with a
 * release store and never freed while the context lives), changed under
 * it.  Deleted entries go to a free list and are used again by a later
 * attach: a call racing dios_delete() of the same reference on another
 * thread may still hold one, and finds it is not its reference any more.
 *
 * Lock order: ring_table_lock, then a side's lock; nothing takes the
 * table's lock under a side's.  Nothing sleeps in the kernel under either:
 * an attach that may wait for a lease runs announced on the pending list
 * without the table's lock, and a wait drops the side's lock.
 */
static struct ring_side *ring_table[RING_BUCKETS];
static struct ring_side *ring_free;
static struct ring_pending *ring_pending;
static pthread_mutex_t ring_table_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ring_table_cond = PTHREAD_COND_INITIALIZER;
static int ring_used;			/* an attach was ever tried */
static unsigned int ring_fast_deletes;	/* deletes that skip the table */

static uint32_t ring_spin_max(void);

/*
 * The last lease each thread used, per side: a guess, checked as found.
 * Initial-exec: a fixed offset from the thread pointer, no call.
 */
static __thread struct ring_side *ring_hint[2]
	__attribute__((tls_model("initial-exec")));

/*
 * A side's lock, taken once or twice per call: a futex word, 0 free, 1
 * held, 2 held with waiters ("Futexes Are Tricky", mutex 2), two atomic
 * instructions in the common case where pthread_mutex_t took a hundred.
 */
#ifndef SYS_futex
#define SYS_futex SYS_futex_time64	/* 32-bit ABIs without the old call */
#endif

static void side_lock_slow(struct ring_side *r, int c)
{
	if (c != 2)
		c = __atomic_exchange_n(&r->lock, 2, __ATOMIC_ACQUIRE);
	while (c) {
		syscall(SYS_futex, &r->lock, FUTEX_WAIT_PRIVATE, 2, NULL,
			NULL, 0);
		c = __atomic_exchange_n(&r->lock, 2, __ATOMIC_ACQUIRE);
	}
}

RING_HOT void side_lock(struct ring_side *r)
{
	int c = 0;

	if (!__atomic_compare_exchange_n(&r->lock, &c, 1, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		side_lock_slow(r, c);
}

RING_HOT void side_unlock(struct ring_side *r)
{
	if (__atomic_exchange_n(&r->lock, 0, __ATOMIC_RELEASE) == 2)
		syscall(SYS_futex, &r->lock, FUTEX_WAKE_PRIVATE, 1, NULL,
			NULL, 0);
}

static unsigned int ring_bucket(dios_ref_t ref, int side)
{
	return (unsigned int)((ref ^ (ref >> 32)) * 2 + (unsigned int)side) %
	       RING_BUCKETS;
}

/* Whether @r is the lease of (@ref, @side); under @r->lock to use it. */
RING_HOT int ring_is(const struct ring_side *r, dios_ref_t ref, int side)
{
	return __atomic_load_n(&r->ref, __ATOMIC_ACQUIRE) == ref &&
	       __atomic_load_n(&r->side, __ATOMIC_RELAXED) == side;
}

/*
 * The lease of (@ref, @side), or NULL.  Without the table's lock the walk
 * may miss an entry that moves meanwhile: the callers then take the slow
 * path, which looks again under the lock.
 */
static struct ring_side *ring_find_slow(dios_ref_t ref, int side)
{
	struct ring_side *r;

	if (ref == DIOS_REF_NONE)
		return NULL;
	r = __atomic_load_n(&ring_table[ring_bucket(ref, side)],
			    __ATOMIC_ACQUIRE);
	for (; r; r = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE))
		if (ring_is(r, ref, side))
			return r;
	return NULL;
}

/*
 * ring_find_slow(), this thread's last lease of @side first.  Entries are
 * never freed, so the hint is safe to look at; whether it still is the
 * lease is checked under its lock, as for any entry found.  A process that
 * never tried an attach has none: its plain streams pay one load here.
 */
RING_HOT struct ring_side *ring_find(dios_ref_t ref, int side)
{
	struct ring_side *r = ring_hint[side & 1];

	if (r && ring_is(r, ref, side) && ref != DIOS_REF_NONE)
		return r;
	if (!__atomic_load_n(&ring_used, __ATOMIC_RELAXED))
		return NULL;
	r = ring_find_slow(ref, side);
	if (r)
		ring_hint[side & 1] = r;
	return r;
}

/*
 * A new entry, zeroed.  Entries live in pages the kernel wipes on fork
 * (MADV_WIPEONFORK, Linux 4.14): a child forked without the atfork handler
 * (a bare clone(2)) inherits the table, the threads' hints and the free
 * list, but every entry reads as zeros there, the lease of no reference.
 * Its calls then go to the kernel, which refuses the parent's descriptor
 * (-EBADFD), and libdios forgets the inherited context and the table,
 * rather than fault on views the child does not have (the module maps
 * them VM_DONTCOPY).  It costs the fast path nothing.  Under the table's
 * lock; never freed (ring_insert()).
 */
static struct ring_side *ring_side_alloc(void)
{
	static char *next;
	static size_t left;
	size_t size = (sizeof(struct ring_side) + 63) & ~(size_t)63;
	long page;
	char *p;

	if (left < size) {
		page = sysconf(_SC_PAGESIZE);
		if (page < 4096)
			page = 4096;
		p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
#ifdef MADV_WIPEONFORK
		madvise(p, (size_t)page, MADV_WIPEONFORK);
#endif
		next = p;
		left = (size_t)page;
	}
	p = next;
	next += size;
	left -= size;
	return (struct ring_side *)(void *)p;
}

/* The context is gone (fork child, stale copy): so are the mappings. */
void __dios_ring_forget(void)
{
	unsigned int i;

	for (i = 0; i < RING_BUCKETS; i++)
		__atomic_store_n(&ring_table[i], NULL, __ATOMIC_RELEASE);
	ring_hint[0] = ring_hint[1] = NULL;
	ring_free = NULL;
	ring_pending = NULL;
	ring_used = 0;
	ring_fast_deletes = 0;
	pthread_mutex_init(&ring_table_lock, NULL);
	pthread_cond_init(&ring_table_cond, NULL);
}

static inline int __sys_dios_ring(struct dios_ring_req *req)
{
	return __sys_dios_call(DIOS_IOC_RING, req);
}

/*
 * The ioctl of a wait or a wake, on the hot path of a call: straight to the
 * kernel on the two 64-bit ABIs where a library may (liburing does the
 * same), without errno; -errno.
 */
static inline long ring_ioctl(int fd, struct dios_ring_req *req)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "0"((long)SYS_ioctl), "D"((long)fd),
			       "S"((unsigned long)DIOS_IOC_RING),
			       "d"((unsigned long)(uintptr_t)req)
			     : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_ioctl;
	register long x0 __asm__("x0") = fd;
	register unsigned long x1 __asm__("x1") = DIOS_IOC_RING;
	register unsigned long x2 __asm__("x2") = (uintptr_t)req;

	__asm__ __volatile__("svc 0"
			     : "+r"(x0)
			     : "r"(x8), "r"(x1), "r"(x2)
			     : "memory", "cc");
	return x0;
#else
	return __sys_dios_ioctl(fd, DIOS_IOC_RING, req);
#endif
}

/*
 * A wait or a wake of a side: on the descriptor of its attach, which is
 * the context's while the lease is in the table (a new context forgets the
 * table).  A process that is not the context's owner, a fork child that
 * inherited the table without the atfork handler, gets -EBADFD there:
 * that retries as every call does.
 */
static inline int ring_sys(int fd, struct dios_ring_req *req)
{
	long ret = ring_ioctl(fd, req);

	if (ret == -EBADFD)
		return __sys_dios_ring(req);
	return (int)ret;
}

/* An attach or a delete of (@ref, @side) in flight; -1 matches a delete. */
static struct ring_pending *ring_pending_find(dios_ref_t ref, int side)
{
	struct ring_pending *p;

	for (p = ring_pending; p; p = p->next)
		if (p->ref == ref && p->side == side)
			return p;
	return NULL;
}

static void ring_pending_add(struct ring_pending *p)
{
	p->next = ring_pending;
	ring_pending = p;
}

static void ring_pending_del(struct ring_pending *p)
{
	struct ring_pending **pp;

	for (pp = &ring_pending; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	pthread_cond_broadcast(&ring_table_cond);
}

/*
 * Before an attach: from now on every delete takes the table's lock, and
 * the deletes that did not (they looked before the store) are over, so
 * that none of them can take a lease away behind the table's back.  The
 * first attach of a process may wait for a few deletes; later ones find
 * none.
 */
static void ring_wait_fast_deletes(void)
{
	__atomic_store_n(&ring_used, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&ring_fast_deletes, __ATOMIC_SEQ_CST))
		sched_yield();
}

/* Give back a lease taken by @req that no entry will hold. */
static void ring_detach(struct dios_ring_req *req)
{
	req->op = DIOS_RING_DETACH;
	req->flags = 0;
	req->own = 0;
	req->ring_size = 0;
	__sys_dios_ring(req);
}

/* Publish the lease @req took for (@ref, @side), under the table's lock. */
static struct ring_side *ring_insert(const struct dios_ring_req *req,
				     dios_ref_t ref, int side)
{
	struct ring_side *r = ring_free;
	unsigned int b;

	if (r) {
		ring_free = r->free_next;
	} else {
		r = ring_side_alloc();
		if (!r)
			return NULL;
	}
	/*
	 * A thread that found this entry before it was freed may hold its
	 * lock: it looks at ref last written, so the rest is set first.
	 */
	r->fd = __dios_ctx_fd();
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->view = (void *)(uintptr_t)req->addr;
	r->kern = r->view;
	r->tail = (const void *)((char *)r->view + r->page);
	r->head = (const void *)((char *)r->view + 2 * r->page);
	r->own = (void *)(uintptr_t)req->own;
	r->data = (char *)r->view + DIOS_RING_CTL_PAGES * r->page;
	r->size = req->ring_size;
	r->cap = r->kern->capacity;
	r->pos = __atomic_load_n(&r->own->pos, __ATOMIC_ACQUIRE);
	r->open = 0;
	r->open_len = 0;
	r->open_refs = 0;
	r->spin_ns = ring_spin_max();
	r->spin_skip = 0;
	__atomic_store_n(&r->side, side, __ATOMIC_RELAXED);
	__atomic_store_n(&r->ref, ref, __ATOMIC_RELEASE);
	b = ring_bucket(ref, side);
	r->next = ring_table[b];
	__atomic_store_n(&ring_table[b], r, __ATOMIC_RELEASE);
	return r;
}

/*
 * Take the lease of (@ref, @side): the side, or NULL with *@err.  The
 * kernel's attach may sleep until another reference gives the lease back,
 * so it runs without the table's lock, announced on the pending list.
 */
static struct ring_side *ring_attach(uint64_t flags, dios_ref_t ref,
				     int side, int *err)
{
	struct ring_pending me = { .ref = ref, .side = side };
	struct dios_ring_req req;
	struct ring_side *r;
	int ret;

	pthread_mutex_lock(&ring_table_lock);
	for (;;) {
		r = ring_find(ref, side);
		if (r) {
			pthread_mutex_unlock(&ring_table_lock);
			return r;
		}
		/* A delete is quick to settle; an attach may wait long. */
		if (ring_pending_find(ref, side) && flags & DIOS_NONBLOCK) {
			pthread_mutex_unlock(&ring_table_lock);
			*err = -EAGAIN;
			return NULL;
		}
		if (!ring_pending_find(ref, side) &&
		    !ring_pending_find(ref, -1))
			break;
		pthread_cond_wait(&ring_table_cond, &ring_table_lock);
	}
	ring_pending_add(&me);
	pthread_mutex_unlock(&ring_table_lock);
	ring_wait_fast_deletes();

	memset(&req, 0, sizeof(req));
	req.op = DIOS_RING_ATTACH;
	req.side = (uint32_t)side;
	req.ref = ref;
	req.flags = flags & DIOS_NONBLOCK;
	ret = __sys_dios_ring(&req);

	pthread_mutex_lock(&ring_table_lock);
	/* A delete of @ref in flight: its outcome decides ours. */
	while (ring_pending_find(ref, -1))
		pthread_cond_wait(&ring_table_cond, &ring_table_lock);
	ring_pending_del(&me);
	r = NULL;
	if (!ret && me.cancelled) {
		/* The lease went with the reference (or is a new object's). */
		ring_detach(&req);
		ret = -EBADF;
	} else if (!ret) {
		r = ring_insert(&req, ref, side);
		if (!r) {
			ring_detach(&req);
			ret = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&ring_table_lock);
	*err = ret;
	return r;
}

/* Unlink the entries of bucket @b whose reference is gone. */
static void ring_sweep(unsigned int b)
{
	struct ring_side **pp = &ring_table[b], *r;

	while ((r = *pp)) {
		if (__atomic_load_n(&r->ref, __ATOMIC_RELAXED) !=
		    DIOS_REF_NONE) {
			pp = &r->next;
			continue;
		}
		/* r->next stays: a walker on r goes on along the bucket. */
		__atomic_store_n(pp, r->next, __ATOMIC_RELEASE);
		r->free_next = ring_free;
		ring_free = r;
	}
}

static inline int __sys_dios_delete(struct dios_delete_req *req)
{
	return __sys_dios_call(DIOS_IOC_DELETE, req);
}

/* Cancel the attaches of @ref in flight: its delete succeeded. */
static void ring_cancel_attaches(dios_ref_t ref)
{
	struct ring_pending *p;

	for (p = ring_pending; p; p = p->next)
		if (p->ref == ref && p->side >= 0)
			p->cancelled = 1;
}

/*
 * dios_delete(): the kernel's delete of @req->ref under the locks of its
 * leases, so that no call of another thread is using the mappings the
 * delete takes away; the calls that come after find the entries gone.
 * A process that never tried an attach skips the bookkeeping.
 */
int __dios_ring_delete(struct dios_delete_req *req)
{
	struct ring_pending me = { .ref = req->ref, .side = -1 };
	struct ring_side *held[2], *r;
	int side, n = 0, i, ret;

	/* Counted in, then the look: pairs with ring_wait_fast_deletes(). */
	__atomic_add_fetch(&ring_fast_deletes, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&ring_used, __ATOMIC_SEQ_CST)) {
		ret = __sys_dios_delete(req);
		__atomic_sub_fetch(&ring_fast_deletes, 1, __ATOMIC_RELEASE);
		return ret;
	}
	__atomic_sub_fetch(&ring_fast_deletes, 1, __ATOMIC_RELAXED);

	pthread_mutex_lock(&ring_table_lock);
	for (side = DIOS_RING_READ; side <= DIOS_RING_WRITE; side++) {
		r = ring_find(req->ref, side);
		if (r)
			held[n++] = r;
	}
	ring_pending_add(&me);
	pthread_mutex_unlock(&ring_table_lock);

	for (i = 0; i < n; i++)
		side_lock(held[i]);
	ret = __sys_dios_delete(req);
	for (i = n - 1; i >= 0; i--) {
		if (!ret && ring_is(held[i], req->ref, held[i]->side))
			__atomic_store_n(&held[i]->ref, DIOS_REF_NONE,
					 __ATOMIC_RELEASE);
		side_unlock(held[i]);
	}

	pthread_mutex_lock(&ring_table_lock);
	if (!ret) {
		for (side = DIOS_RING_READ; side <= DIOS_RING_WRITE; side++)
			ring_sweep(ring_bucket(req->ref, side));
		ring_cancel_attaches(req->ref);
	}
	ring_pending_del(&me);
	pthread_mutex_unlock(&ring_table_lock);
	return ret;
}

/*
 * The side of @ref for a call the kernel refused with -EOPNOTSUPP: a ring
 * stream's lease, or NULL with *@err (-EOPNOTSUPP: not a ring stream).
 */
static struct ring_side *ring_get(uint64_t flags, dios_ref_t ref, int side,
				  int *err)
{
	struct ring_side *r = ring_find(ref, side);

	return r ? r : ring_attach(flags, ref, side, err);
}

RING_HOT uint64_t frame_bytes(uint64_t len)
{
	return sizeof(struct dios_ring_frame) + ((len + 7) & ~(uint64_t)7);
}

RING_HOT uint32_t ring_flags(const struct ring_side *r)
{
	return __atomic_load_n(&r->kern->flags, __ATOMIC_ACQUIRE);
}

/*
 * Spinning (docs/ring.md, "Spinning"): before a call sleeps in the kernel
 * it watches the other side's position for up to DIOS_RING_SPIN_NS
 * nanoseconds (20000 unless the environment says otherwise; 0 never
 * spins; no spin on a machine with one CPU online).  A peer on another
 * CPU that answers within the window costs no system call on either
 * side.  The window adapts per side: a spin that saw the peer move opens
 * it again to the full length; one that did not halves it, and below
 * RING_SPIN_MIN_NS the side stops spinning and tries the full window again
 * once in RING_SPIN_RETRY sleeps, so that a peer that shares our CPU, or
 * is slow, costs a spin per RING_SPIN_RETRY sleeps.
 */
#define RING_SPIN_DEFAULT_NS	20000
#define RING_SPIN_MAX_NS	10000000	/* 10 ms: more is a mistake */
#define RING_SPIN_MIN_NS	500
#define RING_SPIN_RETRY		64

static uint32_t ring_spin_max(void)
{
	static int max = -1;
	const char *e;
	char *end;
	long v;

	if (__atomic_load_n(&max, __ATOMIC_RELAXED) >= 0)
		return (uint32_t)max;
	v = RING_SPIN_DEFAULT_NS;
	e = getenv("DIOS_RING_SPIN_NS");
	if (e && *e) {
		v = strtol(e, &end, 10);
		if (*end || v < 0)
			v = RING_SPIN_DEFAULT_NS;
		if (v > RING_SPIN_MAX_NS)
			v = RING_SPIN_MAX_NS;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		v = 0;
	__atomic_store_n(&max, (int)v, __ATOMIC_RELAXED);
	return (uint32_t)v;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static inline uint64_t ring_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The window of the next spin of @r in ns, 0 for none (counted as a skip). */
RING_HOT uint64_t ring_spin_budget(struct ring_side *r)
{
	if (r->spin_ns)
		return r->spin_ns;
	if (++r->spin_skip < RING_SPIN_RETRY)
		return 0;
	r->spin_skip = 0;
	return ring_spin_max();
}

/*
 * Spin for up to @budget ns (not 0) until the word at @pos is no longer @seen or
 * the kernel page's flags change from @flags: 1 if so (look at the ring
 * again), 0 if the window closed first (sleep).  Under the side's lock,
 * which a delete waits for: the window bounds that wait too.
 */
static int ring_spin(struct ring_side *r, const struct dios_ring_pos *pos,
		     uint64_t seen, uint32_t flags, uint64_t budget)
{
	uint64_t start, now;
	unsigned int i;

	start = ring_now_ns();
	for (;;) {
		for (i = 0; i < 64; i++) {
			if (__atomic_load_n(&pos->pos, __ATOMIC_RELAXED) != seen ||
			    ring_flags(r) != flags) {
				r->spin_ns = ring_spin_max();
				return 1;
			}
			cpu_relax();
		}
		now = ring_now_ns();
		if (now - start >= budget)
			break;
	}
	r->spin_ns /= 2;
	if (r->spin_ns < RING_SPIN_MIN_NS)
		r->spin_ns = 0;
	return 0;
}

/*
 * Sleep in the kernel until the other side moves from @seen, without the
 * side's lock: a delete of the reference must not wait for the sleep, and
 * another thread may use the side meanwhile.  Under the lock again: the
 * reference deleted is -EBADF (or what the kernel said of it), a buffer
 * another thread opened meanwhile -EBUSY; the callers look at the ring
 * afresh otherwise.
 */
static int ring_wait(struct ring_side *r, uint64_t seen, dios_ref_t wake)
{
	struct dios_ring_req req = {
		.op = DIOS_RING_WAIT,
		.side = (uint32_t)r->side,
		.ref = r->ref,
		.pos = seen,
		.wake_ref = wake,
	};
	int fd = r->fd, ret;

	side_unlock(r);
	ret = ring_sys(fd, &req);
	side_lock(r);
	if (!ring_is(r, req.ref, (int)req.side))
		return ret < 0 ? ret : -EBADF;
	if (r->open)
		return -EBUSY;
	return ret;
}

/*
 * DIOS_RING_WAKE: wake the other side of side @side of @ref, on the
 * descriptor of its attach @fd if the caller holds the lease, else (-1) on
 * the context's.
 */
static int ring_wake_ref(int fd, dios_ref_t ref, int side)
{
	struct dios_ring_req req = {
		.op = DIOS_RING_WAKE,
		.side = (uint32_t)side,
		.ref = ref,
	};

	return fd < 0 ? __sys_dios_ring(&req) : ring_sys(fd, &req);
}

/* The same for side @r, under its lock. */
static int ring_wake(struct ring_side *r)
{
	return ring_wake_ref(r->fd, r->ref, r->side);
}

/* After a move: wake the other side if the kernel page says one may sleep. */
RING_HOT int ring_wake_if(struct ring_side *r, const uint32_t *count)
{
	/* Our position before the count; pairs with the kernel's barrier. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(count, __ATOMIC_RELAXED))
		return 0;
	return ring_wake(r);
}

/*
 * The references of a frame (DIOS_FEAT_RING_REFS) travel through the
 * kernel, queued by the position of their frame (docs/ring.md).
 */
static int ring_refs_op(struct ring_side *r, uint32_t op, uint64_t pos,
			dios_ref_t *refs, uint32_t *n)
{
	struct dios_ring_req req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.side = (uint32_t)r->side;
	req.ref = r->ref;
	req.pos = pos;
	req.refs = DIOS_PTR(refs);
	req.n_refs = n ? *n : 0;
	ret = __sys_dios_ring(&req);
	if (n)
		*n = req.n_refs;
	return ret;
}

/* Queue @n handles at @refs for the frame at our tail. */
static int ring_push_refs(struct ring_side *r, const dios_ref_t *refs,
			  uint32_t n)
{
	if (!refs)
		return -EFAULT;
	return ring_refs_op(r, DIOS_RING_PUSH_REFS, r->pos,
			    (dios_ref_t *)(uintptr_t)refs, &n);
}

/* Install the references of the frame at our head: *@n capacity in, count. */
static int ring_take_refs(struct ring_side *r, dios_ref_t *refs, uint32_t *n)
{
	return ring_refs_op(r, DIOS_RING_TAKE_REFS, r->pos, refs, n);
}

/* End the take of the frame at @pos: COMMIT_REFS or RELEASE_REFS. */
static int ring_end_refs(struct ring_side *r, uint32_t op, uint64_t pos)
{
	r->open_refs = 0;
	return ring_refs_op(r, op, pos, NULL, NULL);
}

/* Room for a message of @len at our tail: 0, or an error. */
static int ring_reserve_slow(struct ring_side *r, uint64_t flags,
			     uint64_t len)
{
	uint64_t need = frame_bytes(len), head, used, budget;
	uint32_t f;
	int ret;

	for (;;) {
		f = ring_flags(r);
		if (f & DIOS_RING_ZOMBIE)
			return -EIDRM;
		if (f & DIOS_RING_NO_READERS)
			return -EPIPE;
		head = __atomic_load_n(&r->head->pos, __ATOMIC_ACQUIRE);
		used = r->pos - head;
		if (used > r->size || (head & 7))
			return -EBADMSG;
		if (r->size - used >= need)
			return 0;
		if (flags & DIOS_NONBLOCK)
			return -EAGAIN;
		budget = ring_spin_budget(r);
		if (budget && ring_spin(r, r->head, head, f, budget))
			continue;
		ret = ring_wait(r, head, DIOS_REF_NONE);
		if (ret)
			return ret;
	}
}

/* ring_reserve_slow(), the common case where there is room inline. */
RING_HOT int ring_reserve(struct ring_side *r, uint64_t flags, uint64_t len)
{
	uint32_t f = ring_flags(r);
	uint64_t head = __atomic_load_n(&r->head->pos, __ATOMIC_ACQUIRE);
	uint64_t used = r->pos - head;

	if (!(f & (DIOS_RING_ZOMBIE | DIOS_RING_NO_READERS)) &&
	    used <= r->size && !(head & 7) && r->size - used >= frame_bytes(len))
		return 0;
	return ring_reserve_slow(r, flags, len);
}

/* Publish the message of @len at our tail, its header's @flags. */
RING_HOT int ring_publish(struct ring_side *r, uint64_t len, uint32_t flags,
			int wake)
{
	struct dios_ring_frame *fr = (void *)(r->data + r->pos % r->size);

	fr->len = (uint32_t)len;
	fr->flags = flags;
	r->pos += frame_bytes(len);
	__atomic_store_n(&r->own->pos, r->pos, __ATOMIC_RELEASE);
	return wake ? ring_wake_if(r, &r->kern->rwake) : 0;
}

/* The frame at our head, the tail at @tail: its *@len and *@fflags. */
RING_HOT int ring_frame(const struct ring_side *r, uint64_t tail,
			uint64_t *len, uint32_t *fflags)
{
	const struct dios_ring_frame *fr;
	uint64_t used = tail - r->pos;
	uint32_t n;

	if (used > r->size || (tail & 7) || used < sizeof(*fr))
		return -EBADMSG;
	fr = (const void *)(r->data + r->pos % r->size);
	n = __atomic_load_n(&fr->len, __ATOMIC_RELAXED);
	*fflags = __atomic_load_n(&fr->flags, __ATOMIC_RELAXED);
	if (*fflags & ~(uint32_t)DIOS_RING_FRAME_REFS || n > r->cap ||
	    frame_bytes(n) > used)
		return -EBADMSG;
	*len = n;
	return 0;
}

/*
 * The message at our head, whole: 0 with *@len and its header's *@fflags,
 * or an error.  *@wake: a ring stream to wake before sleeping (the send of
 * a call), cleared once woken.
 */
static int ring_take_slow(struct ring_side *r, uint64_t flags,
			  uint64_t *len, uint32_t *fflags, dios_ref_t *wake)
{
	uint64_t tail, budget;
	uint32_t f;
	int ret;

	for (;;) {
		f = ring_flags(r);
		if (f & DIOS_RING_ZOMBIE)
			return -EIDRM;
		tail = __atomic_load_n(&r->tail->pos, __ATOMIC_ACQUIRE);
		if (tail != r->pos)
			break;
		if (f & DIOS_RING_NO_WRITERS) {
			/* The last writer may have published, then left. */
			tail = __atomic_load_n(&r->tail->pos, __ATOMIC_ACQUIRE);
			if (tail != r->pos)
				break;
			return -EPIPE;
		}
		if (flags & DIOS_NONBLOCK)
			return -EAGAIN;
		/*
		 * A peer asleep answers only once woken: with a spin to come,
		 * wake it now, else the wait wakes it and sleeps in one call.
		 */
		budget = ring_spin_budget(r);
		if (budget && *wake != DIOS_REF_NONE) {
			__dios_ring_wake(*wake);
			*wake = DIOS_REF_NONE;
		}
		if (budget && ring_spin(r, r->tail, tail, f, budget))
			continue;
		ret = ring_wait(r, tail, *wake);
		/* The kernel woke the other stream first, whatever the wait. */
		*wake = DIOS_REF_NONE;
		if (ret)
			return ret;
	}
	return ring_frame(r, tail, len, fflags);
}

/* ring_take_slow(), the common case where a message waits inline. */
RING_HOT int ring_take(struct ring_side *r, uint64_t flags, uint64_t *len,
		       uint32_t *fflags, dios_ref_t *wake)
{
	uint32_t f = ring_flags(r);
	uint64_t tail = __atomic_load_n(&r->tail->pos, __ATOMIC_ACQUIRE);

	if (f & DIOS_RING_ZOMBIE || tail == r->pos)
		return ring_take_slow(r, flags, len, fflags, wake);
	return ring_frame(r, tail, len, fflags);
}

RING_HOT int ring_consume(struct ring_side *r)
{
	r->pos += frame_bytes(r->open_len);
	r->open = 0;
	__atomic_store_n(&r->own->pos, r->pos, __ATOMIC_RELEASE);
	return ring_wake_if(r, &r->kern->wwake);
}

/*
 * Consume the open message, then end the take of its references: the head
 * first, so that a reader dying between the two leaves a frame the kernel
 * sees consumed (ring_refs.c), never a flagged frame without its entry.
 */
RING_HOT int ring_consume_refs(struct ring_side *r)
{
	uint64_t pos = r->pos;
	int ret = ring_consume(r), err;

	if (!r->open_refs)
		return ret;
	err = ring_end_refs(r, DIOS_RING_COMMIT_REFS, pos);
	return ret ? ret : err;
}

/* ---- the calls of io.c on a ring stream --------------------------------- */

RING_HOT int ring_acquire_write(uint64_t flags, struct ring_side *r,
				uint64_t len, struct dios_iovec *iov)
{
	int ret;

	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if (!len)
		return -EINVAL;
	if (len > r->cap)
		return -EMSGSIZE;
	if (r->open)
		return -EBUSY;
	ret = ring_reserve(r, flags, len);
	if (ret)
		return ret;
	r->open = 1;
	r->open_len = len;
	iov->buf = r->data + r->pos % r->size + sizeof(struct dios_ring_frame);
	iov->len = len;
	iov->done = DIOS_IO_DONE_ACQUIRE;
	return 0;
}

RING_HOT int ring_check_buf(const struct ring_side *r,
			  const struct dios_iovec *iov)
{
	if (!r->open || iov->buf != r->data + r->pos % r->size +
				       sizeof(struct dios_ring_frame))
		return -EINVAL;
	return 0;
}

RING_HOT int ring_commit_write(uint64_t flags, struct ring_side *r,
			       uint64_t len, struct dios_iovec *iov)
{
	uint64_t next = iov->next_len;
	uint32_t fflags = 0;
	int ret;

	iov->done = 0;
	if (flags & ~(DIOS_IO_REARM | DIOS_NONBLOCK | DIOS_IO_REFS) ||
	    (flags & DIOS_NONBLOCK && !(flags & DIOS_IO_REARM)))
		return -EINVAL;
	ret = ring_check_buf(r, iov);
	if (ret)
		return ret;
	if (len > r->open_len)
		return -EINVAL;
	/* The references first: a reader that sees the flag finds them. */
	if (flags & DIOS_IO_REFS && iov->n_refs) {
		ret = ring_push_refs(r, iov->refs, iov->n_refs);
		if (ret)
			return ret;
		fflags = DIOS_RING_FRAME_REFS;
	}
	r->open = 0;
	ret = ring_publish(r, len, fflags, 1);
	iov->done = DIOS_IO_DONE_COMMIT;
	if (!(flags & DIOS_IO_REARM)) {
		iov->buf = NULL;
		return ret;
	}
	iov->buf = NULL;
	iov->len = 0;
	if (ret)
		return ret;
	ret = ring_acquire_write(flags & DIOS_NONBLOCK, r, next, iov);
	iov->done |= DIOS_IO_DONE_COMMIT;
	return ret;
}

int __dios_ring_release(struct ring_side *r, struct dios_iovec *iov)
{
	int ret = ring_check_buf(r, iov);

	iov->done = 0;
	if (ret)
		return ret;
	r->open = 0;
	if (r->open_refs)
		ret = ring_end_refs(r, DIOS_RING_RELEASE_REFS, r->pos);
	return ret;
}

RING_HOT int ring_acquire_read(uint64_t flags, struct ring_side *r,
			       uint64_t len, struct dios_iovec *iov)
{
	dios_ref_t none = DIOS_REF_NONE;
	uint32_t fflags, n_refs = 0;
	uint64_t n;
	int ret;

	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if (r->open)
		return -EBUSY;

	ret = ring_take(r, flags, &n, &fflags, &none);
	if (ret)
		return ret;
	if (fflags & DIOS_RING_FRAME_REFS) {
		/* Too long: no room to take them into, only their count. */
		n_refs = n > len ? 0 : (uint32_t)IOV_REFS_CAP(iov);
		ret = ring_take_refs(r, iov->refs, &n_refs);
		if (ret == -EMSGSIZE) {
			iov->len = n;
			iov->n_refs = n_refs;
		}
		if (ret)
			return ret;
		r->open_refs = 1;
	}
	if (n > len) {
		iov->len = n;
		iov->n_refs = 0;
		return -EMSGSIZE;
	}
	r->open = 1;
	r->open_len = n;
	iov->buf = r->data + r->pos % r->size + sizeof(struct dios_ring_frame);
	iov->len = n;
	iov->n_refs = n_refs;
	iov->done = DIOS_IO_DONE_ACQUIRE;
	return 0;
}

RING_HOT int ring_commit_read(uint64_t flags, struct ring_side *r,
			      struct dios_iovec *iov)
{
	int ret;

	iov->done = 0;
	if (flags & ~(DIOS_IO_REARM | DIOS_NONBLOCK) ||
	    (flags & DIOS_NONBLOCK && !(flags & DIOS_IO_REARM)))
		return -EINVAL;
	ret = ring_check_buf(r, iov);
	if (ret)
		return ret;
	ret = ring_consume_refs(r);
	iov->done = DIOS_IO_DONE_COMMIT;
	iov->buf = NULL;
	if (!(flags & DIOS_IO_REARM))
		return ret;
	iov->len = 0;
	if (ret)
		return ret;
	ret = ring_acquire_read(flags & DIOS_NONBLOCK, r, iov->next_len, iov);
	iov->done |= DIOS_IO_DONE_COMMIT;
	return ret;
}

/* ---- locking wrappers: io.c calls these ------------------------------- */

/* @r, found for (@ref, @side), locked if it still is theirs; or NULL. */
RING_HOT struct ring_side *ring_lock_if(struct ring_side *r, dios_ref_t ref,
					int side)
{
	if (!r)
		return NULL;
	side_lock(r);
	if (ring_is(r, ref, side))
		return r;
	/* Deleted since it was found. */
	side_unlock(r);
	return NULL;
}

/*
 * The side of a ring stream for a call that the kernel refused with
 * -EOPNOTSUPP (or that found the lease in the table), locked; NULL with
 * *@err otherwise.
 */
struct ring_side *__dios_ring_lock(uint64_t flags, dios_ref_t ref, int side,
				   int *err)
{
	struct ring_side *r = ring_get(flags, ref, side, err);

	if (!r)
		return NULL;
	r = ring_lock_if(r, ref, side);
	if (!r)
		*err = -EBADF;
	return r;
}

struct ring_side *__dios_ring_find_locked(dios_ref_t ref, int side)
{
	return ring_lock_if(ring_find(ref, side), ref, side);
}

int __dios_ring_known(dios_ref_t ref, int side)
{
	return ring_find(ref, side) != NULL;
}

void __dios_ring_unlock(struct ring_side *r)
{
	side_unlock(r);
}

/* ---- copying calls ------------------------------------------------------ */

RING_HOT int ring_send(uint64_t flags, struct ring_side *r, const void *buf,
		       uint64_t len, int wake)
{
	int ret;

	if (len > r->cap)
		return -EMSGSIZE;
	if (r->open)
		return -EBUSY;
	ret = ring_reserve(r, flags, len);
	if (ret)
		return ret;
	memcpy(r->data + r->pos % r->size + sizeof(struct dios_ring_frame),
	       buf, len);
	return ring_publish(r, len, 0, wake);
}

/* Whether the readers of the stream we just sent on asked for a wake. */
RING_HOT int ring_wants_wake(const struct ring_side *r)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !!__atomic_load_n(&r->kern->rwake, __ATOMIC_RELAXED);
}

int __dios_ring_wants_wake(const struct ring_side *r)
{
	return ring_wants_wake(r);
}

/* Wake the sleepers of the ring stream @ref. */
int __dios_ring_wake(dios_ref_t ref)
{
	return ring_wake_ref(-1, ref, DIOS_RING_WRITE);
}

/*
 * Receive into @buf.  @wake: a ring stream to wake (the send of a call),
 * with the wait if the call sleeps, before it returns otherwise.
 */
RING_HOT int ring_recv(uint64_t flags, struct ring_side *r, void *buf,
		       uint64_t cap, dios_ref_t wake)
{
	uint32_t fflags, n_refs = 0;
	uint64_t n;
	int ret;

	if (r->open)
		return -EBUSY;
	ret = ring_take(r, flags, &n, &fflags, &wake);
	if (wake)
		__dios_ring_wake(wake);
	if (ret)
		return ret;
	/*
	 * References need a table to land in, which the zero-copy read has:
	 * -EMSGSIZE if the kernel has them (a take with no room), -EBADMSG
	 * if the flag lies.
	 */
	if (fflags & DIOS_RING_FRAME_REFS)
		return ring_take_refs(r, NULL, &n_refs) ?: -EMSGSIZE;
	if (n > cap)
		return -EMSGSIZE;
	memcpy(buf, r->data + r->pos % r->size + sizeof(struct dios_ring_frame),
	       n);
	r->open_len = n;
	ret = ring_consume(r);
	return ret ? ret : (int)n;
}

/* ---- the calls of io.c: by the side, or by the reference -------------- */

int __dios_ring_acquire_write(uint64_t flags, struct ring_side *r,
			      uint64_t len, struct dios_iovec *iov)
{
	return ring_acquire_write(flags, r, len, iov);
}

int __dios_ring_commit_write(uint64_t flags, struct ring_side *r,
			     uint64_t len, struct dios_iovec *iov)
{
	return ring_commit_write(flags, r, len, iov);
}

int __dios_ring_acquire_read(uint64_t flags, struct ring_side *r,
			     uint64_t len, struct dios_iovec *iov)
{
	return ring_acquire_read(flags, r, len, iov);
}

int __dios_ring_commit_read(uint64_t flags, struct ring_side *r,
			    struct dios_iovec *iov)
{
	return ring_commit_read(flags, r, iov);
}

int __dios_ring_send(uint64_t flags, struct ring_side *r, const void *buf,
		     uint64_t len, int wake)
{
	return ring_send(flags, r, buf, len, wake);
}

int __dios_ring_recv(uint64_t flags, struct ring_side *r, void *buf,
		     uint64_t cap, dios_ref_t wake)
{
	return ring_recv(flags, r, buf, cap, wake);
}

/*
 * The steady state: the call on a lease this process holds, found, locked
 * and done in one function; DIOS_RING_UNKNOWN if it holds none, for io.c
 * to ask the kernel.
 */
#define RING_BY_REF(ref, side, call) ({					\
	struct ring_side *__r = ring_lock_if(ring_find(ref, side), ref,	\
					     side);			\
	int __ret = DIOS_RING_UNKNOWN;					\
	if (__r) {							\
		__ret = (call);						\
		side_unlock(__r);					\
	}								\
	__ret;								\
})

int __dios_ring_acquire_write_ref(uint64_t flags, dios_ref_t ref,
				  uint64_t len, struct dios_iovec *iov)
{
	return RING_BY_REF(ref, DIOS_RING_WRITE,
			   ring_acquire_write(flags, __r, len, iov));
}

int __dios_ring_commit_write_ref(uint64_t flags, dios_ref_t ref,
				 uint64_t len, struct dios_iovec *iov)
{
	return RING_BY_REF(ref, DIOS_RING_WRITE,
			   ring_commit_write(flags, __r, len, iov));
}

int __dios_ring_acquire_read_ref(uint64_t flags, dios_ref_t ref,
				 uint64_t len, struct dios_iovec *iov)
{
	return RING_BY_REF(ref, DIOS_RING_READ,
			   ring_acquire_read(flags, __r, len, iov));
}

int __dios_ring_commit_read_ref(uint64_t flags, dios_ref_t ref,
				struct dios_iovec *iov)
{
	return RING_BY_REF(ref, DIOS_RING_READ,
			   ring_commit_read(flags, __r, iov));
}

int __dios_ring_send_ref(uint64_t flags, dios_ref_t ref, const void *buf,
			 uint64_t len)
{
	return RING_BY_REF(ref, DIOS_RING_WRITE,
			   ring_send(flags, __r, buf, len, 1));
}

int __dios_ring_recv_ref(uint64_t flags, dios_ref_t ref, void *buf,
			 uint64_t cap)
{
	return RING_BY_REF(ref, DIOS_RING_READ,
			   ring_recv(flags, __r, buf, cap, DIOS_REF_NONE));
}

/*
 * dios_call(), here for the common case of ring streams: on two whose
 * leases this process holds, the send, then the receive, which wakes the
 * reader of the send if it sleeps (in its wait when it sleeps itself), in
 * one function.  Anything else is __dios_call_slow()'s (io.c).  A receive
 * side deleted after the send is -EBADF, as for any call racing a delete.
 */
int dios_call(uint64_t flags, dios_ref_t send_ref, const void *sbuf,
	      uint64_t slen, dios_ref_t recv_ref, void *rbuf, uint64_t rcap,
	      uint32_t *done)
{
	dios_ref_t wake = DIOS_REF_NONE;
	struct ring_side *s, *r;
	uint32_t d;
	int ret;

	if (done)
		*done = 0;
	if (!send_ref || !recv_ref)
		return -EBADF;
	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if ((!sbuf && slen) || (!rbuf && rcap))
		return -EFAULT;
	s = ring_find(send_ref, DIOS_RING_WRITE);
	r = ring_find(recv_ref, DIOS_RING_READ);
	if (s && r)
		s = ring_lock_if(s, send_ref, DIOS_RING_WRITE);
	if (!s || !r)
		return __dios_call_slow(flags, send_ref, sbuf, slen, recv_ref,
					rbuf, rcap, done);
	ret = ring_send(flags, s, sbuf, slen, 0);
	if (!ret && ring_wants_wake(s))
		wake = send_ref;
	side_unlock(s);
	if (ret)
		return ret;
	d = DIOS_XFER_SEND;
	r = ring_lock_if(r, recv_ref, DIOS_RING_READ);
	if (r) {
		ret = ring_recv(flags, r, rbuf, rcap, wake);
		side_unlock(r);
		if (ret >= 0)
			d |= DIOS_XFER_RECV;
	} else {
		if (wake)
			__dios_ring_wake(wake);
		ret = -EBADF;
	}
	if (done)
		*done = d;
	return ret;
}
