// SPDX-License-Identifier: GPL-2.0
/*
 * dios-fuzz: the ioctls.  Every call goes through fz_call(): the request is
 * built valid (or almost) by the generator of its command, then, now and
 * then, framed wrongly on purpose (sizes, pointers).  Results the ABI fixes
 * are checked exactly; everything else against the documented errno sets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

/* Command number, current size and first-version size of each ioctl. */
static const struct {
	unsigned int nr;
	size_t size;
	size_t v0;
} fz_ioc[FZ_K_TASK_WAIT + 1] = {
#define IOC(k, nr, type) [k] = { nr, sizeof(type), sizeof(type) }
/* The I/O steps: 72 bytes up to ABI 1.2, 80 with @done (1.3). */
#define IO(k, nr) [k] = { nr, sizeof(struct dios_io_req), \
			  DIOS_IO_REQ_SIZE_VER0 }
	IOC(FZ_K_VERSION, 0x00, struct dios_version_req),
	IOC(FZ_K_CREATE, 0x01, struct dios_create_req),
	IOC(FZ_K_LOOKUP, 0x02, struct dios_lookup_req),
	IOC(FZ_K_PUBLISH, 0x03, struct dios_publish_req),
	IOC(FZ_K_DUP, 0x04, struct dios_dup_req),
	IOC(FZ_K_COPY, 0x05, struct dios_copy_req),
	IOC(FZ_K_DELETE, 0x06, struct dios_delete_req),
	IOC(FZ_K_NAME, 0x07, struct dios_name_req),
	IOC(FZ_K_TASK_SELF, 0x08, struct dios_task_self_req),
	IO(FZ_K_ACQUIRE_READ, 0x10),
	IO(FZ_K_COMMIT_READ, 0x11),
	IO(FZ_K_RELEASE_READ, 0x12),
	IO(FZ_K_ACQUIRE_WRITE, 0x13),
	IO(FZ_K_COMMIT_WRITE, 0x14),
	IO(FZ_K_RELEASE_WRITE, 0x15),
	IOC(FZ_K_XFER, 0x16, struct dios_xfer_req),
	IOC(FZ_K_XFER_BATCH, 0x17, struct dios_xfer_batch_req),
	[FZ_K_RING] = { 0x18, sizeof(struct dios_ring_req),
			DIOS_RING_REQ_SIZE_VER0 },
	IOC(FZ_K_SELECT, 0x20, struct dios_select_req),
	IOC(FZ_K_INTEREST, 0x21, struct dios_interest_req),
	IOC(FZ_K_INTEREST_WAIT, 0x22, struct dios_interest_wait_req),
	[FZ_K_RUN] = { 0x30, sizeof(struct dios_run_req),
		       DIOS_RUN_REQ_SIZE_VER0 },
	IOC(FZ_K_TASK_REFS, 0x31, struct dios_task_refs_req),
	IOC(FZ_K_PAUSE, 0x32, struct dios_task_req),
	IOC(FZ_K_RESUME, 0x33, struct dios_task_req),
	IOC(FZ_K_TASK_WAIT, 0x34, struct dios_task_wait_req),
#undef IO
#undef IOC
};

unsigned long fz_cmd(unsigned int nr, size_t size)
{
	return _IOC(_IOC_READ | _IOC_WRITE, DIOS_IOC_MAGIC, nr, size);
}

/* One ioctl on the thread's context, counted and checked. */
long fz_raw(struct fz_thread *t, enum fz_kind k, unsigned long cmd,
	    void *arg)
{
	long ret;

	/* No view goes away while an mm operation works on the maps. */
	fz_mm_rdlock();
	fz_slot_call(t->slot, k);
	fz_fi(true);
	ret = ioctl(t->fd, cmd, arg);
	if (ret < 0)
		ret = -errno;
	fz_fi(false);
	fz_slot_done(t->slot);
	fz_mm_rdunlock();
	fz_count(k, ret);
	t->ncalls++;
	if (t->worker >= 0 && t->worker < FZ_MAX_WORKERS)
		__atomic_fetch_add(&fz_sh->heartbeat[t->worker], 1,
				   __ATOMIC_RELAXED);
	/* A batch returns the entries it did, when it did any. */
	if (ret > 0 && k == FZ_K_XFER_BATCH) {
		if ((uint64_t)ret > t->batch_n)
			fz_violation("xfer_batch of %u entries returned %ld",
				     t->batch_n, ret);
	} else if (ret > 0) {
		fz_violation("%s returned %ld: every command returns 0 or a negative errno",
			     fz_kind_name(k), ret);
	}
	else if (ret < 0 && !fz_errno_allowed(k, (int)-ret))
		fz_violation("%s failed with %s (%ld), which the docs never give for it",
			     fz_kind_name(k), strerror((int)-ret), -ret);
	return ret;
}

/*
 * Issue @k with the request @req of @size bytes.  With @mutate, one call
 * in four is framed wrongly: a size below the first version (-EINVAL), a
 * larger struct with a zero tail (as if valid), a non-zero tail or a size
 * above 4096 (-E2BIG), an unreadable pointer (-EFAULT), the request on a
 * read-only page (the reply cannot be written) or on a userfaultfd page
 * (the kernel reads zeros after a stall).  @expect, if not 0, is the only
 * errno the call may return when framed right.  The reply is copied back
 * into @req when the request sat in the thread's page.
 */
long fz_call(struct fz_thread *t, enum fz_kind k, void *req, size_t size,
	     int expect, bool mutate)
{
	size_t usize = size, v0 = fz_ioc[k].v0;
	uint8_t *buf = t->page_rw;
	bool tail = false, readable = true;
	void *arg = buf;
	int exp = expect;
	uint64_t p;
	long ret;

	t->reframed = mutate && fz_chance(t, 20);
	if (t->reframed) {
		switch (fz_below(t, 8)) {
		case 0:
			usize = fz_below(t, v0);
			exp = EINVAL;
			break;
		case 1:
			usize = size + 8 * (1 + fz_below(t, 64));
			break;
		case 2:
			usize = size + 64 + 8 * fz_below(t, 32);
			tail = true;
			exp = E2BIG;
			break;
		case 3:
			usize = 4097 + fz_below(t, 0x3fff - 4096);
			exp = E2BIG;
			break;
		case 4:
			p = fz_bad_ptr(t, false);
			arg = (void *)(uintptr_t)p;
			exp = fz_ptr_faults(t, p) ? EFAULT : 0;
			readable = p == (uint64_t)(uintptr_t)t->page_ro;
			break;
		case 5:
			mprotect(t->page_ro, FZ_PAGE, PROT_READ | PROT_WRITE);
			memcpy(t->page_ro, req, size);
			mprotect(t->page_ro, FZ_PAGE, PROT_READ);
			arg = t->page_ro;
			exp = 0;
			break;
		case 6:
			arg = fz_uffd_page(t);
			if (!arg)
				arg = buf;
			exp = 0;
			break;
		default:
			/* Right at the end of the page: the tail faults. */
			arg = buf + FZ_PAGE - 8;
			readable = false;
			exp = size > 8 && t->guard_ok ? EFAULT : 0;
			break;
		}
	}
	if (arg == buf) {
		memset(buf, 0, usize < FZ_PAGE ? usize : FZ_PAGE);
		memcpy(buf, req, size < usize ? size : usize);
		if (tail)
			buf[usize - 1] = 0x5a;
	}
	ret = fz_raw(t, k, fz_cmd(fz_ioc[k].nr, usize), arg);
	if (exp && ret != -exp)
		fz_violation("%s with size %zu (struct %zu) at %p: %ld, expected -%s",
			     fz_kind_name(k), usize, size, arg, ret,
			     strerror(exp));
	/*
	 * The reply, wherever it could be written: the thread's page, the
	 * read-only page (where it could not: the call failed or has none),
	 * the userfaultfd page (resolved by now).
	 */
	if (readable)
		memcpy(req, arg, size < usize ? size : usize);
	return ret;
}

/* ---- pools -------------------------------------------------------------- */

int fz_pool_find(struct fz_thread *t, uint64_t h)
{
	int i;

	for (i = 0; i < t->nrefs; i++)
		if (t->refs[i].h == h)
			return i;
	return -1;
}

/*
 * Forget entry @i.  @gone: the kernel took the handle out of the table, so
 * it must give -EBADF from now on (the stale list).  Pointers into the
 * pool are invalid after this.
 */
void fz_pool_drop(struct fz_thread *t, int i, bool gone)
{
	if (i < 0 || i >= t->nrefs)
		return;
	if (gone) {
		t->stale[t->nstale++ % FZ_STALE] = t->refs[i].h;
		if (t->nstale >= 2 * FZ_STALE)
			t->nstale -= FZ_STALE;
	}
	t->refs[i] = t->refs[--t->nrefs];
}

uint64_t fz_stale(struct fz_thread *t)
{
	int n = t->nstale < FZ_STALE ? t->nstale : FZ_STALE;

	return n ? t->stale[fz_below(t, n)] : 0;
}

/* Type, rights and size from the metadata map when the caller lacks them. */
void fz_ref_fill(struct fz_thread *t, struct fz_ref *r)
{
	struct dios_ref_meta m;

	if (fz_meta_read(t->meta, r->h, &m)) {
		r->type = m.info.type;
		r->rights = m.info.rights;
		r->size = m.info.size;
	}
}

void fz_pool_add(struct fz_thread *t, uint64_t h, uint32_t type,
		 uint64_t rights, uint64_t size)
{
	struct fz_ref *r;

	if (!h || fz_pool_find(t, h) >= 0)
		return;
	if (t->nrefs >= FZ_POOL)
		fz_do_delete(t, (int)fz_below(t, t->nrefs), false);
	if (t->nrefs >= FZ_POOL)
		fz_pool_drop(t, (int)fz_below(t, t->nrefs), false);
	r = &t->refs[t->nrefs++];
	memset(r, 0, sizeof(*r));
	r->h = h;
	r->type = type;
	r->rights = rights;
	r->size = size;
	if (!type)
		fz_ref_fill(t, r);
}

struct fz_ref *fz_pick(struct fz_thread *t, uint32_t type)
{
	int i, start;

	if (!t->nrefs)
		return NULL;
	start = (int)fz_below(t, t->nrefs);
	for (i = 0; i < t->nrefs; i++) {
		struct fz_ref *r = &t->refs[(start + i) % t->nrefs];

		if (!type || r->type == type)
			return r;
	}
	return NULL;
}

/* A reference that may leave the context: never our own task. */
struct fz_ref *fz_pick_out(struct fz_thread *t)
{
	int i;

	for (i = 0; i < 4; i++) {
		struct fz_ref *r = fz_pick(t, 0);

		if (r && !r->self_task)
			return r;
	}
	return NULL;
}

/* A handle argument: mostly live, sometimes stale, zero or garbage. */
uint64_t fz_pick_handle(struct fz_thread *t)
{
	struct fz_ref *r;

	switch (fz_below(t, 20)) {
	case 0: return fz_stale(t);
	case 1: return 0;
	case 2: return fz_rand(t);
	case 3:
		r = fz_pick(t, 0);
		return r ? r->h + (1ULL << 32) : 1;
	default:
		r = fz_pick(t, 0);
		return r ? r->h : fz_stale(t);
	}
}

/*
 * A handle for an argument that may take it out of the task or stop the
 * task: never our own task (nothing would resume or replace us), never a
 * guess that a later handle of our own task could match.
 */
uint64_t fz_pick_handle_out(struct fz_thread *t)
{
	struct fz_ref *r;

	switch (fz_below(t, 12)) {
	case 0: return fz_stale(t);
	case 1: return 0;
	case 2: return fz_rand(t) | 0x80000000ULL;	/* index beyond any table */
	default:
		r = fz_pick_out(t);
		return r ? r->h : fz_stale(t);
	}
}

void fz_name_add(const struct dios_name *n)
{
	uint32_t i = __atomic_fetch_add(&fz_sh->names_next, 1,
					__ATOMIC_RELAXED);

	memcpy(&fz_sh->names[i % FZ_NAMES], n, sizeof(*n));
}

/* A real name, a well-known one, a random one, or zero. */
void fz_name_pick(struct fz_thread *t, struct dios_name *n)
{
	uint32_t have = __atomic_load_n(&fz_sh->names_next, __ATOMIC_RELAXED);
	unsigned int i;

	switch (fz_below(t, 10)) {
	case 0:
		memset(n, 0, sizeof(*n));
		break;
	case 1:
	case 2:
		for (i = 0; i < sizeof(n->raw); i++)
			n->raw[i] = (uint8_t)fz_rand(t);
		break;
	case 3:
	case 4:
		*n = fz_sh->well_known[fz_below(t, FZ_WELL_KNOWN)];
		break;
	default:
		if (!have) {
			*n = fz_sh->well_known[0];
			break;
		}
		have = have < FZ_NAMES ? have : FZ_NAMES;
		memcpy(n, &fz_sh->names[fz_below(t, have)], sizeof(*n));
	}
}

bool fz_name_zero(const struct dios_name *n)
{
	unsigned int i;

	for (i = 0; i < sizeof(n->raw); i++)
		if (n->raw[i])
			return false;
	return true;
}

uint64_t fz_rights(struct fz_thread *t, uint64_t within)
{
	if (fz_chance(t, 4))
		return fz_rand(t) & 0xff;
	return fz_rand(t) & within;
}

uint64_t fz_size_for(struct fz_thread *t, uint64_t max)
{
	if (fz_chance(t, 10))
		return fz_boundary(t, max);
	if (fz_chance(t, 50))
		return FZ_PAGE * (1 + fz_below(t, 16));
	return 1 + fz_below(t, 64 * 1024);
}

/* Check what the metadata map says of a reference we just got. */
void fz_check_meta(struct fz_thread *t, const char *what, uint64_t h,
			  uint32_t type, uint64_t rights, uint64_t size)
{
	struct dios_ref_meta m;

	if (!t->meta)
		return;
	if (!fz_meta_read(t->meta, h, &m)) {
		fz_violation("%s: handle %#llx missing from the metadata map",
			     what, (unsigned long long)h);
		return;
	}
	if ((type && m.info.type != type) || m.info.rights != rights ||
	    (size && m.info.size != size))
		fz_violation("%s: metadata of %#llx says type %u rights %#llx size %llu, expected %u %#llx %llu",
			     what, (unsigned long long)h, m.info.type,
			     (unsigned long long)m.info.rights,
			     (unsigned long long)m.info.size, type,
			     (unsigned long long)rights,
			     (unsigned long long)size);
}
