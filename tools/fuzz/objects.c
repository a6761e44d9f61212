// SPDX-License-Identifier: GPL-2.0
/*
 * dios-fuzz: the commands on objects, references, names and tasks, select
 * and the interest set, and command numbers that do not exist.  Each
 * generator builds a valid request most of the time and breaks one field
 * now and then; what comes back feeds the pools.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

/* ---- objects and references --------------------------------------------- */

void fz_do_create(struct fz_thread *t)
{
	static const uint32_t types[] = {
		DIOS_OBJ_PRIVMEM, DIOS_OBJ_SHMEM, DIOS_OBJ_BLOB,
		DIOS_OBJ_STREAM, DIOS_OBJ_STREAM, DIOS_OBJ_STREAM,
		DIOS_OBJ_BLOB, DIOS_OBJ_SHMEM, DIOS_OBJ_GROUP,
	};
	struct dios_create_req r;
	struct fz_ref *g;
	bool sane = true;
	uint64_t size;
	long ret;
	int i;

	memset(&r, 0, sizeof(r));
	r.type = types[fz_below(t, sizeof(types) / sizeof(types[0]))];
	if (fz_chance(t, 3)) {
		r.type = (uint32_t[]){ 0, DIOS_OBJ_TASK, 7,
				       0xffffffff }[fz_below(t, 4)];
		sane = false;
	}
	switch (fz_below(t, 20)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
		r.flags = DIOS_CREATE_ANON;
		break;
	case 8: case 9:
		r.flags = DIOS_CREATE_NAME_GIVEN;
		if (fz_chance(t, 70))
			r.args.name = fz_sh->well_known[fz_below(t, FZ_WELL_KNOWN)];
		else
			fz_name_pick(t, &r.args.name);
		break;
	case 10:
		r.flags = fz_chance(t, 50) ? 3 : 1ULL << fz_below(t, 64);
		sane = false;
		break;
	}
	/* Ring streams (ABI 1.4); the flag on another type is -EINVAL. */
	if ((r.type == DIOS_OBJ_STREAM && fz_chance(t, 35)) ||
	    fz_chance(t, 1)) {
		r.flags |= DIOS_CREATE_RING;
		sane &= r.type == DIOS_OBJ_STREAM;
	}
	if (r.type == DIOS_OBJ_STREAM)
		r.args.capacity = fz_size_for(t, fz_sh->max_capacity);
	else if (r.type != DIOS_OBJ_GROUP)
		r.args.size = fz_size_for(t, fz_sh->max_size);
	if (!(r.flags & DIOS_CREATE_ANON) && r.type != DIOS_OBJ_PRIVMEM) {
		if (fz_chance(t, 20)) {
			g = fz_pick(t, DIOS_OBJ_GROUP);
			r.args.group = g && fz_chance(t, 80) ? g->h :
				       fz_pick_handle(t);
		}
		if (fz_chance(t, 30))
			r.args.name_rights = fz_rights(t, DIOS_RIGHTS_ALL);
	}
	if (fz_chance(t, 3)) {
		r.__pad = 1;
		sane = false;
	}
	if (fz_chance(t, 3)) {
		r.args.size = fz_rand(t);
		r.args.capacity = fz_rand(t) >> fz_below(t, 64);
	}
	ret = fz_call(t, FZ_K_CREATE, &r, sizeof(r), 0, true);
	/* Given names in the global group: CAP_SYS_ADMIN (root) only. */
	if ((r.flags & ~DIOS_CREATE_RING) == DIOS_CREATE_NAME_GIVEN &&
	    !r.args.group && !ret &&
	    !fz_sh->given_names && geteuid())
		fz_violation("create: uid %u gave a name in the global group",
			     geteuid());
	if (ret == -EPERM && !geteuid())
		fz_violation("create by root: -EPERM");
	if (ret)
		return;
	size = r.type == DIOS_OBJ_STREAM ? r.args.capacity : r.args.size;
	fz_pool_add(t, r.ref, r.type, DIOS_RIGHTS_ALL, size);
	i = fz_pool_find(t, r.ref);
	if (i >= 0)
		t->refs[i].ring = r.flags & DIOS_CREATE_RING;
	if (!fz_name_zero(&r.name))
		fz_name_add(&r.name);
	if (sane)
		fz_check_meta(t, "create", r.ref, r.type, DIOS_RIGHTS_ALL,
			      r.type == DIOS_OBJ_GROUP ? 0 : size);
}

/* Delete (or zombify) pool entry @i; it leaves the pool either way. */
void fz_do_delete(struct fz_thread *t, int i, bool zombify)
{
	struct dios_delete_req r;
	struct fz_ref *ref = &t->refs[i];
	long ret;

	if (i < 0 || i >= t->nrefs)
		return;
	if (ref->self_task)
		zombify = false;
	memset(&r, 0, sizeof(r));
	r.ref = ref->h;
	r.flags = zombify ? DIOS_DELETE_ZOMBIFY : 0;
	ret = fz_call(t, FZ_K_DELETE, &r, sizeof(r), 0, false);
	if (ret == -EPERM && ref->task_child)
		fz_violation("zombify of our own task %#llx: -EPERM",
			     (unsigned long long)ref->h);
	if ((ret == -EACCES || ret == -EPERM) && zombify) {
		r.flags = 0;
		ret = fz_call(t, FZ_K_DELETE, &r, sizeof(r), 0, false);
	}
	if (ret == 0 && t->meta) {
		struct dios_ref_meta m;

		if (fz_meta_read(t->meta, ref->h, &m))
			fz_violation("delete: handle %#llx still in the metadata map",
				     (unsigned long long)ref->h);
	}
	fz_pool_drop(t, i, ret == 0 || ret == -EBADF);
}

static void fz_delete_step(struct fz_thread *t)
{
	struct dios_delete_req r;
	int expect = 0;

	if (t->nrefs && fz_chance(t, 85)) {
		fz_do_delete(t, (int)fz_below(t, t->nrefs), fz_chance(t, 12));
		return;
	}
	memset(&r, 0, sizeof(r));
	switch (fz_below(t, 4)) {
	case 0:
		r.ref = fz_stale(t);
		expect = EBADF;
		break;
	case 1:
		r.ref = 0;
		expect = EBADF;
		break;
	case 2:
		r.ref = fz_pick_handle_out(t);
		r.flags = fz_rand(t);
		break;
	default:
		r.ref = (uint64_t)0xffffffff << 32 | 0xfffffff0;
		expect = EBADF;
	}
	if (expect == EBADF && !r.ref && fz_chance(t, 50))
		r.flags = DIOS_DELETE_ZOMBIFY;
	fz_call(t, FZ_K_DELETE, &r, sizeof(r), expect, true);
}

/* Zombify every reference we may kill, then delete the rest. */
void fz_zombify_all(struct fz_thread *t)
{
	while (t->nrefs)
		fz_do_delete(t, t->nrefs - 1, true);
}

static void fz_dup(struct fz_thread *t)
{
	struct fz_ref *src = fz_pick(t, 0), copy;
	struct dios_dup_req r;
	bool stale = !src || fz_chance(t, 8);
	bool sane;
	long ret;
	int i;

	memset(&r, 0, sizeof(r));
	r.ref = stale ? fz_stale(t) : src->h;
	r.rights = src ? fz_rights(t, src->rights) : 0;
	if (fz_chance(t, 30) && src)
		r.rights = src->rights;
	sane = !(r.rights & ~DIOS_RIGHTS_ALL);
	if (fz_chance(t, 3)) {
		r.flags = 1;
		sane = false;
	}
	ret = fz_call(t, FZ_K_DUP, &r, sizeof(r),
		      stale && sane ? EBADF : 0, true);
	if (ret || stale)
		return;
	copy = *src;
	fz_pool_add(t, r.new_ref, copy.type, r.rights, copy.size);
	i = fz_pool_find(t, r.new_ref);
	if (i < 0)
		return;
	t->refs[i].self_task = copy.self_task;
	t->refs[i].task_child = copy.task_child;
	t->refs[i].shared = copy.shared;
	t->refs[i].ring = copy.ring;
	if (!copy.shared)
		fz_check_meta(t, "dup", r.new_ref, copy.type, r.rights, 0);
}

static void fz_lookup(struct fz_thread *t)
{
	struct dios_lookup_req r;
	struct fz_ref *g;
	long ret;
	int i;

	memset(&r, 0, sizeof(r));
	fz_name_pick(t, &r.name);
	if (fz_chance(t, 15)) {
		g = fz_pick(t, DIOS_OBJ_GROUP);
		r.group = g ? g->h : fz_pick_handle(t);
	}
	if (fz_chance(t, 3))
		r.flags = fz_rand(t);
	ret = fz_call(t, FZ_K_LOOKUP, &r, sizeof(r), 0, true);
	if (ret)
		return;
	fz_pool_add(t, r.ref, 0, 0, 0);
	i = fz_pool_find(t, r.ref);
	if (i >= 0)
		t->refs[i].shared = true;
}

static void fz_publish(struct fz_thread *t)
{
	struct fz_ref *src = fz_pick_out(t), *g;
	struct dios_publish_req r;
	long ret;

	memset(&r, 0, sizeof(r));
	r.ref = src && fz_chance(t, 90) ? src->h : fz_pick_handle_out(t);
	if (fz_chance(t, 15)) {
		g = fz_pick(t, DIOS_OBJ_GROUP);
		r.group = g ? g->h : fz_pick_handle(t);
	}
	if (fz_chance(t, 40))
		r.name_rights = fz_rights(t, src ? src->rights : DIOS_RIGHTS_ALL);
	if (fz_chance(t, 3))
		r.flags = fz_rand(t);
	if (src && r.ref == src->h && src->self_task)
		return;
	ret = fz_call(t, FZ_K_PUBLISH, &r, sizeof(r), 0, true);
	if (ret)
		return;
	fz_name_add(&r.name);
	if (src && r.ref == src->h)
		src->shared = true;
}

static void fz_name(struct fz_thread *t)
{
	struct dios_name_req r;
	struct fz_ref *src = fz_pick(t, 0);
	bool stale = fz_chance(t, 8);

	memset(&r, 0, sizeof(r));
	r.ref = stale || !src ? fz_stale(t) : src->h;
	if (fz_chance(t, 3)) {
		r.flags = 1;
		stale = false;
	}
	if (fz_call(t, FZ_K_NAME, &r, sizeof(r),
		    stale ? EBADF : 0, true) == 0)
		fz_name_add(&r.name);
}

static void fz_task_self(struct fz_thread *t)
{
	struct dios_task_self_req r;
	int i;

	memset(&r, 0, sizeof(r));
	if (fz_chance(t, 3))
		r.flags = 1;
	if (fz_call(t, FZ_K_TASK_SELF, &r, sizeof(r), 0, true))
		return;
	fz_pool_add(t, r.ref, DIOS_OBJ_TASK, DIOS_RIGHTS_ALL, 0);
	i = fz_pool_find(t, r.ref);
	if (i >= 0)
		t->refs[i].self_task = true;
}

static void fz_version(struct fz_thread *t)
{
	struct dios_version_req r;

	memset(&r, 0, sizeof(r));
	if (fz_call(t, FZ_K_VERSION, &r, sizeof(r), 0, true))
		return;
	if (r.abi_major != DIOS_ABI_MAJOR || r.max_refs != fz_sh->max_refs ||
	    r.meta_map_size != fz_sh->meta_map_size)
		fz_violation("version: ABI %u.%u, max_refs %u, meta %llu changed during the run (was %u, %llu)",
			     r.abi_major, r.abi_minor, r.max_refs,
			     (unsigned long long)r.meta_map_size,
			     fz_sh->max_refs,
			     (unsigned long long)fz_sh->meta_map_size);
}

/*
 * Delegate to a task: our own (the copies land in our table) or a task
 * child.  The handles leave nothing behind in the source table.
 */
static void fz_copy(struct fz_thread *t)
{
	uint64_t *refs = (uint64_t *)(t->xbuf + FZ_XBUF - 4096);
	uint64_t *rights = refs + 128, *remote = refs + 256;
	struct fz_ref *task = fz_pick(t, DIOS_OBJ_TASK), *src;
	struct dios_copy_req r;
	uint32_t i;
	long ret;

	memset(&r, 0, sizeof(r));
	r.task = task && fz_chance(t, 90) ? task->h : fz_pick_handle(t);
	r.n = 1 + (uint32_t)fz_below(t, 4);
	for (i = 0; i < r.n; i++) {
		src = fz_pick_out(t);
		refs[i] = src && fz_chance(t, 95) ? src->h : fz_pick_handle_out(t);
		rights[i] = src ? fz_rights(t, src->rights) : 0;
	}
	r.refs = (uint64_t)(uintptr_t)refs;
	r.rights = fz_chance(t, 50) ? (uint64_t)(uintptr_t)rights : 0;
	r.remote_refs = (uint64_t)(uintptr_t)remote;
	switch (fz_below(t, 25)) {
	case 0: r.n = 0; break;
	case 1: r.n = 1025; break;
	case 2: r.refs = fz_bad_ptr(t, false); break;
	case 3: r.remote_refs = fz_bad_ptr(t, true); break;
	case 4: r.__pad = 1; break;
	case 5:
		if (fz_uffd_page(t))
			r.remote_refs = (uint64_t)(uintptr_t)fz_uffd_page(t);
		break;
	}
	ret = fz_call(t, FZ_K_COPY, &r, sizeof(r), 0, true);
	if (ret || !task || r.task != task->h || !task->self_task ||
	    r.remote_refs != (uint64_t)(uintptr_t)remote)
		return;
	for (i = 0; i < r.n && i < 8; i++)
		fz_pool_add(t, remote[i], 0, 0, 0);
}

static void fz_select(struct fz_thread *t)
{
	uint64_t *refs = (uint64_t *)(t->xbuf + FZ_XBUF - 4096);
	struct dios_select_req r;
	uint32_t i;

	memset(&r, 0, sizeof(r));
	r.n = 1 + (uint32_t)fz_below(t, 8);
	for (i = 0; i < r.n; i++)
		refs[i] = fz_pick_handle(t);
	r.refs = (uint64_t)(uintptr_t)refs;
	r.events = 1 + (uint32_t)fz_below(t, 3);
	switch (fz_below(t, 10)) {
	case 0: r.timeout_ns = -1; break;
	case 1: r.timeout_ns = 1000000 * (int64_t)fz_below(t, 20); break;
	case 2: r.flags = DIOS_NONBLOCK; r.timeout_ns = -1; break;
	default: r.timeout_ns = 0;
	}
	switch (fz_below(t, 30)) {
	case 0: r.n = 0; break;
	case 1: r.n = 65537; break;
	case 2: r.events = 0; break;
	case 3: r.events = 4; break;
	case 4: r.refs = fz_bad_ptr(t, false); break;
	case 5: r.__pad = 1; break;
	case 6: r.flags = 2; break;
	case 7:
		/* Many references: the xbuf is mostly zero handles. */
		r.n = 1 + (uint32_t)fz_below(t, FZ_XBUF / 8);
		r.refs = (uint64_t)(uintptr_t)t->xbuf;
		break;
	}
	fz_call(t, FZ_K_SELECT, &r, sizeof(r), 0, true);
}

static void fz_interest(struct fz_thread *t)
{
	struct dios_interest_req r;
	struct dios_interest_wait_req w;
	struct fz_ref *ref;

	if (fz_chance(t, 30)) {
		memset(&w, 0, sizeof(w));
		w.events = (uint64_t)(uintptr_t)t->xbuf;
		w.max = 1 + (uint32_t)fz_below(t, 16);
		w.timeout_ns = fz_chance(t, 80) ? 0 :
			       1000000 * (int64_t)fz_below(t, 10);
		switch (fz_below(t, 15)) {
		case 0: w.max = 0; break;
		case 1: w.max = 65537; break;
		case 2: w.events = fz_bad_ptr(t, true); break;
		case 3: w.flags = DIOS_NONBLOCK; break;
		case 4: w.timeout_ns = -1; break;
		}
		fz_call(t, FZ_K_INTEREST_WAIT, &w, sizeof(w), 0, true);
		return;
	}
	memset(&r, 0, sizeof(r));
	ref = fz_pick(t, 0);
	r.ref = ref && fz_chance(t, 90) ? ref->h : fz_pick_handle(t);
	r.flags = 1ULL << fz_below(t, 3);
	if (r.flags != DIOS_INTEREST_DEL) {
		r.events = 1 + (uint32_t)fz_below(t, 3);
		r.cookie = fz_rand(t);
	}
	switch (fz_below(t, 20)) {
	case 0: r.flags = 0; break;
	case 1: r.flags = 3; break;
	case 2: r.events = 8; break;
	case 3: r.__pad = 1; break;
	case 4: r.cookie = 1; break;
	}
	fz_call(t, FZ_K_INTEREST, &r, sizeof(r), 0, true);
}

static void fz_task_refs(struct fz_thread *t)
{
	struct dios_task_refs_req r;

	memset(&r, 0, sizeof(r));
	r.n = (uint32_t)fz_below(t, 8);
	r.refs = (uint64_t)(uintptr_t)(t->xbuf + FZ_XBUF - 3072);
	if (fz_chance(t, 10))
		r.refs = fz_bad_ptr(t, true);
	if (fz_chance(t, 3))
		r.__pad = 1;
	fz_call(t, FZ_K_TASK_REFS, &r, sizeof(r), 0, true);
}

/*
 * A task of root's, looked up by an unprivileged worker: kill(2) would
 * refuse SIGSTOP and SIGKILL, and so must pause and zombify (-EPERM, or
 * -ESRCH once it exited).  Resume may succeed: SIGCONT within a session.
 */
static void fz_foreign_task(struct fz_thread *t)
{
	struct dios_lookup_req l;
	struct dios_delete_req d;
	struct dios_task_req r;
	long ret;

	memset(&l, 0, sizeof(l));
	memcpy(&l.name, &fz_sh->root_task, sizeof(l.name));
	if (fz_name_zero(&l.name) ||
	    fz_call(t, FZ_K_LOOKUP, &l, sizeof(l), 0, false))
		return;
	memset(&r, 0, sizeof(r));
	r.task = l.ref;
	ret = fz_call(t, FZ_K_PAUSE, &r, sizeof(r), 0, false);
	if (!ret)
		fz_violation("uid %u paused a task of root's", geteuid());
	fz_call(t, FZ_K_RESUME, &r, sizeof(r), 0, false);
	memset(&d, 0, sizeof(d));
	d.ref = l.ref;
	d.flags = DIOS_DELETE_ZOMBIFY;
	if (fz_call(t, FZ_K_DELETE, &d, sizeof(d), 0, false)) {
		d.flags = 0;
		fz_call(t, FZ_K_DELETE, &d, sizeof(d), 0, false);
	}
}

/* Pause, resume, wait: our task children, or what we were given. */
static void fz_task_ctl(struct fz_thread *t)
{
	struct fz_ref *task = fz_pick(t, DIOS_OBJ_TASK);
	struct dios_task_wait_req w;
	struct dios_task_req r;
	int what = (int)fz_below(t, 3);

	if (geteuid() && fz_chance(t, 6)) {
		fz_foreign_task(t);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.task = task && fz_chance(t, 90) ? task->h : fz_pick_handle_out(t);
	/* Never stop ourselves: nothing would resume us. */
	if (task && r.task == task->h && task->self_task && what == 0)
		what = 1;
	if (what < 2) {
		if (fz_chance(t, 3))
			r.flags = 1;
		/* kill(2) lets us signal our own children and ourselves. */
		if (fz_call(t, what ? FZ_K_RESUME : FZ_K_PAUSE, &r, sizeof(r),
			    0, true) == -EPERM && task && r.task == task->h &&
		    (task->task_child || task->self_task))
			fz_violation("%s of our own task %#llx: -EPERM",
				     what ? "resume" : "pause",
				     (unsigned long long)r.task);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.task = r.task;
	w.flags = fz_chance(t, 70) ? DIOS_NONBLOCK : 0;
	if (fz_chance(t, 3))
		w.__pad = 1;
	fz_call(t, FZ_K_TASK_WAIT, &w, sizeof(w), 0, true);
}

/* Command numbers that do not exist, of another type or direction. */
static void fz_bad_cmd(struct fz_thread *t)
{
	static const unsigned int types[] = { 0x00, 0x01, 0xd0, 0xd2, 0xff,
					      0xa5 };
	uint64_t *arg = (uint64_t *)t->page_rw;
	unsigned int dir = _IOC_READ | _IOC_WRITE, type = DIOS_IOC_MAGIC;
	unsigned int nr = 0x40 + (unsigned int)fz_below(t, 0xc0);
	unsigned int size = 8 * (2 + (unsigned int)fz_below(t, 16));

	memset(arg, 0, 256);
	switch (fz_below(t, 3)) {
	case 0:
		type = types[fz_below(t, sizeof(types) / sizeof(types[0]))];
		nr = (unsigned int)fz_below(t, 0x40);
		break;
	case 1:
		dir = (unsigned int)fz_below(t, 3);
		nr = (unsigned int)fz_below(t, 0x35);
		break;
	}
	if (fz_raw(t, FZ_K_BADCMD, _IOC(dir, type, nr, size), arg) != -ENOTTY)
		fz_violation("ioctl %#x (dir %u type %#x nr %#x) did not fail with ENOTTY",
			     _IOC(dir, type, nr, size), dir, type, nr);
}

/* One random operation of a fuzzing thread. */
void fz_step(struct fz_thread *t)
{
	unsigned int w = (unsigned int)fz_below(t, 1000);

	if (t->nrefs < 3 || w < 100)
		fz_do_create(t);
	else if (w < 160)
		fz_delete_step(t);
	else if (w < 210)
		fz_dup(t);
	else if (w < 260)
		fz_lookup(t);
	else if (w < 285)
		fz_publish(t);
	else if (w < 305)
		fz_name(t);
	else if (w < 335)
		fz_copy(t);
	else if (w < 345)
		fz_task_self(t);
	else if (w < 350)
		fz_version(t);
	else if (w < 600)
		fz_io_step(t);
	else if (w < 645)
		fz_xfer(t);
	else if (w < 680)
		fz_xfer_batch(t);
	else if (w < 720)
		fz_select(t);
	else if (w < 770)
		fz_interest(t);
	else if (w < 780)
		fz_task_refs(t);
	else if (w < 820)
		fz_task_ctl(t);
	else if (w < 840)
		fz_bad_cmd(t);
	else if (w < 900)
		fz_mm_step(t);
	else if (w < 935)
		fz_proc_step(t);
	else if (w < 936)
		fz_zombify_all(t);
	else if (w < 996)
		fz_ring_step(t);
	else
		fz_io_step(t);
}
