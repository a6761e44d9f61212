// SPDX-License-Identifier: GPL-2.0
/*
 * Threads of one task racing on the same objects and the same reference
 * table: duplicating, looking up, creating and deleting while another
 * thread zombifies.  Nothing may crash, every result must be one the API
 * allows, zombification must be final, and the reference count of the
 * table must add up at the end.  Thread interleaving varies from run to
 * run; the checks hold for every interleaving.
 */
#include <pthread.h>
#include <sched.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define WORKERS	4
#define ITERS	1500

struct shared {
	dios_ref_t base[WORKERS];	/* one per worker, to the same object */
	dios_ref_t killer;		/* the zombifier's reference */
	dios_ref_t group;
	struct dios_name name;
	int progress;			/* atomic: iterations done by all */
	int zombified;			/* atomic */
};

struct worker {
	struct shared *s;
	int id;
	unsigned long ok, idrm, enoent, bad, resurrected;
	int last_bad;
};

static void bad(struct worker *w, int ret)
{
	w->bad++;
	w->last_bad = ret;
}

static void wait_then_zombify(struct shared *s, int threshold)
{
	while (__atomic_load_n(&s->progress, __ATOMIC_ACQUIRE) < threshold)
		sched_yield();
	if (dios_delete(DIOS_DELETE_ZOMBIFY, s->killer) == 0)
		__atomic_store_n(&s->zombified, 1, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&s->zombified, -1, __ATOMIC_RELEASE);
}

/*
 * Workers loop for at least ITERS rounds and until one round started after
 * the zombification completed: that round must see its effect.  The
 * decision is taken before the round's call (a round whose call started
 * before the zombification proves nothing), so the last round always
 * observed zombified != 0 first.
 */
static int last_round(struct worker *w, int i)
{
	return i >= ITERS &&
	       __atomic_load_n(&w->s->zombified, __ATOMIC_ACQUIRE);
}

static void *dup_worker(void *arg)
{
	struct worker *w = arg;
	int seen_idrm = 0, done, i;

	for (i = 0, done = 0; !done; i++) {
		struct dios_ref_info info;
		dios_ref_t d;
		int ret;

		done = last_round(w, i);
		ret = dios_dup(w->s->base[w->id],
			       DIOS_RIGHT_READ | DIOS_RIGHT_COPY, &d);

		if (ret == 0) {
			if (seen_idrm)
				w->resurrected++;
			w->ok++;
			if (dios_ref_info(d, &info) ||
			    info.rights != (DIOS_RIGHT_READ | DIOS_RIGHT_COPY) ||
			    (info.state != DIOS_REF_LIVE &&
			     info.state != DIOS_REF_ZOMBIE))
				bad(w, 1000);
			ret = dios_delete(0, d);
			if (ret)
				bad(w, ret);
		} else if (ret == -EIDRM) {
			seen_idrm = 1;
			w->idrm++;
		} else {
			bad(w, ret);
		}
		__atomic_add_fetch(&w->s->progress, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static uint32_t live_refs(void)
{
	static const struct dios_meta_header *h;

	if (!h)
		h = dios_test_meta(NULL);
	return h ? dios_test_count_refs(h) : 0xffffffffu;
}

TEST(dup_delete_while_zombified)
{
	struct worker w[WORKERS];
	pthread_t th[WORKERS];
	struct shared s;
	dios_ref_t obj;
	uint32_t before;
	int i;

	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &obj,
				      NULL));
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, dios_dup(obj, DIOS_RIGHTS_ALL, &s.base[i]));
	ASSERT_EQ(0, dios_dup(obj, DIOS_RIGHTS_ALL, &s.killer));
	before = live_refs();
	for (i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .s = &s, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, dup_worker, &w[i]));
	}
	wait_then_zombify(&s, WORKERS * ITERS / 2);
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));

	ASSERT_EQ(1, s.zombified);
	for (i = 0; i < WORKERS; i++) {
		TH_LOG("worker %d: %lu dups, %lu -EIDRM", i, w[i].ok,
		       w[i].idrm);
		EXPECT_EQ(0, w[i].bad) TH_LOG("last bad result %d",
					      w[i].last_bad);
		EXPECT_EQ(0, w[i].resurrected);
		EXPECT_LT(0, w[i].idrm);
	}
	/* Only the zombifier's reference went away. */
	EXPECT_EQ(before - 1, live_refs());
	for (i = 0; i < WORKERS; i++) {
		struct dios_ref_info info;

		ASSERT_EQ(0, dios_ref_info(s.base[i], &info));
		EXPECT_EQ(DIOS_REF_ZOMBIE, info.state);
		EXPECT_EQ(0, dios_delete(0, s.base[i]));
	}
	EXPECT_EQ(before - 1 - WORKERS, live_refs());
}

static void *lookup_worker(void *arg)
{
	struct worker *w = arg;
	int seen_enoent = 0, done, i;

	for (i = 0, done = 0; !done; i++) {
		struct dios_ref_info info;
		dios_ref_t d;
		int ret;

		done = last_round(w, i);
		ret = dios_lookup(0, &w->s->name, DIOS_REF_NONE, &d);

		if (ret == 0) {
			if (seen_enoent)
				w->resurrected++;
			w->ok++;
			if (dios_ref_info(d, &info) ||
			    info.type != DIOS_OBJ_BLOB ||
			    (info.state != DIOS_REF_LIVE &&
			     info.state != DIOS_REF_ZOMBIE))
				bad(w, 1000);
			ret = dios_delete(0, d);
			if (ret)
				bad(w, ret);
		} else if (ret == -ENOENT) {
			seen_enoent = 1;
			w->enoent++;
		} else {
			bad(w, ret);
		}
		__atomic_add_fetch(&w->s->progress, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

TEST(lookup_while_zombified)
{
	struct worker w[WORKERS];
	pthread_t th[WORKERS];
	struct shared s;
	uint32_t before;
	int i;

	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_BLOB, &s.killer, &s.name));
	before = live_refs();
	for (i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .s = &s, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, lookup_worker,
					    &w[i]));
	}
	wait_then_zombify(&s, WORKERS * ITERS / 2);
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	ASSERT_EQ(1, s.zombified);
	for (i = 0; i < WORKERS; i++) {
		EXPECT_EQ(0, w[i].bad) TH_LOG("last bad result %d",
					      w[i].last_bad);
		EXPECT_EQ(0, w[i].resurrected);
		EXPECT_LT(0, w[i].enoent);
	}
	EXPECT_EQ(before - 1, live_refs());
}

static void *group_worker(void *arg)
{
	struct worker *w = arg;
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);
	int seen_idrm = 0, done, i;

	a.group = w->s->base[w->id];
	for (i = 0, done = 0; !done; i++) {
		struct dios_name name;
		dios_ref_t ref, found;
		int ret;

		done = last_round(w, i);
		ret = dios_create(0, DIOS_OBJ_SHMEM, &a, &ref, &name);

		if (ret == 0) {
			if (seen_idrm)
				w->resurrected++;
			w->ok++;
			/* Found, unless the group died in between. */
			ret = dios_lookup(0, &name, a.group, &found);
			if (ret == 0)
				ret = dios_delete(0, found);
			if (ret && ret != -EIDRM)
				bad(w, ret);
			ret = dios_delete(0, ref);
			if (ret)
				bad(w, ret);
		} else if (ret == -EIDRM) {
			seen_idrm = 1;
			w->idrm++;
		} else {
			bad(w, ret);
		}
		__atomic_add_fetch(&w->s->progress, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

TEST(create_in_group_while_zombified)
{
	struct worker w[WORKERS];
	pthread_t th[WORKERS];
	struct shared s;
	uint32_t before;
	int i;

	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, NULL,
				 &s.group, NULL));
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, dios_dup(s.group, DIOS_RIGHTS_ALL, &s.base[i]));
	ASSERT_EQ(0, dios_dup(s.group, DIOS_RIGHTS_ALL, &s.killer));
	before = live_refs();
	for (i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .s = &s, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, group_worker, &w[i]));
	}
	wait_then_zombify(&s, WORKERS * ITERS / 4);
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	ASSERT_EQ(1, s.zombified);
	for (i = 0; i < WORKERS; i++) {
		EXPECT_EQ(0, w[i].bad) TH_LOG("last bad result %d",
					      w[i].last_bad);
		EXPECT_EQ(0, w[i].resurrected);
		EXPECT_LT(0, w[i].idrm);
	}
	EXPECT_EQ(before - 1, live_refs());
}

#define PER_THREAD	400

struct churn {
	dios_ref_t refs[PER_THREAD];
	int id;
	int err;
};

static void *churn_worker(void *arg)
{
	static const uint32_t types[] = { DIOS_OBJ_PRIVMEM, DIOS_OBJ_SHMEM,
					  DIOS_OBJ_BLOB, DIOS_OBJ_STREAM,
					  DIOS_OBJ_GROUP };
	struct churn *c = arg;
	int i, ret;

	for (i = 0; i < PER_THREAD; i++) {
		uint32_t type = types[(i + c->id) % ARRAY_LEN(types)];
		uint64_t flags = (i & 1) ? DIOS_CREATE_ANON : 0;
		dios_ref_t tmp;

		ret = dios_test_create(flags, type, &c->refs[i], NULL);
		if (ret) {
			c->err = ret;
			return NULL;
		}
		/* Churn: a short-lived reference in between. */
		ret = dios_dup(c->refs[i], DIOS_RIGHT_READ, &tmp);
		if (!ret)
			ret = dios_delete(0, tmp);
		if (ret) {
			c->err = ret;
			return NULL;
		}
	}
	return NULL;
}

static void *delete_worker(void *arg)
{
	struct churn *c = arg;
	int i, ret;

	for (i = 0; i < PER_THREAD; i++) {
		ret = dios_delete(0, c->refs[i]);
		if (ret) {
			c->err = ret;
			return NULL;
		}
	}
	return NULL;
}

static int cmp_ref(const void *a, const void *b)
{
	dios_ref_t x = *(const dios_ref_t *)a, y = *(const dios_ref_t *)b;

	return x < y ? -1 : x > y;
}

TEST(parallel_create_delete)
{
	static struct churn c[WORKERS];
	static dios_ref_t all[WORKERS * PER_THREAD];
	pthread_t th[WORKERS];
	uint32_t before = live_refs();
	size_t n = 0, i;
	int t;

	for (t = 0; t < WORKERS; t++) {
		c[t].id = t;
		ASSERT_EQ(0, pthread_create(&th[t], NULL, churn_worker, &c[t]));
	}
	for (t = 0; t < WORKERS; t++) {
		ASSERT_EQ(0, pthread_join(th[t], NULL));
		ASSERT_EQ(0, c[t].err);
	}
	EXPECT_EQ(before + WORKERS * PER_THREAD, live_refs());
	for (t = 0; t < WORKERS; t++)
		for (i = 0; i < PER_THREAD; i++)
			all[n++] = c[t].refs[i];
	qsort(all, n, sizeof(all[0]), cmp_ref);
	for (i = 1; i < n; i++)
		ASSERT_NE(all[i - 1], all[i]);
	for (t = 0; t < WORKERS; t++)
		ASSERT_EQ(0, pthread_create(&th[t], NULL, delete_worker, &c[t]));
	for (t = 0; t < WORKERS; t++) {
		ASSERT_EQ(0, pthread_join(th[t], NULL));
		ASSERT_EQ(0, c[t].err);
	}
	EXPECT_EQ(before, live_refs());
}

/* Two threads delete the same reference: exactly one succeeds. */
struct dd {
	dios_ref_t ref;
	int ret;
};

static void *del_one(void *arg)
{
	struct dd *d = arg;

	d->ret = dios_delete(0, d->ref);
	return NULL;
}

TEST(concurrent_double_delete)
{
	dios_ref_t obj;
	int i;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &obj,
				      NULL));
	for (i = 0; i < 300; i++) {
		struct dd a, b;
		pthread_t ta, tb;
		dios_ref_t d;

		ASSERT_EQ(0, dios_dup(obj, DIOS_RIGHTS_ALL, &d));
		a.ref = b.ref = d;
		ASSERT_EQ(0, pthread_create(&ta, NULL, del_one, &a));
		ASSERT_EQ(0, pthread_create(&tb, NULL, del_one, &b));
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		ASSERT_TRUE((a.ret == 0 && b.ret == -EBADF) ||
			    (a.ret == -EBADF && b.ret == 0))
			TH_LOG("results %d and %d", a.ret, b.ret);
	}
}

/* Each thread maps the first view of its own streams' read sides. */
struct first_view {
	dios_ref_t refs[200];
	pthread_barrier_t *start;
	int unexpected, last;
};

static void *first_view_worker(void *arg)
{
	struct first_view *f = arg;
	size_t i;

	pthread_barrier_wait(f->start);
	for (i = 0; i < ARRAY_LEN(f->refs); i++) {
		struct dios_iovec r = dios_test_iov(0);
		int ret = dios_acquire_read(DIOS_NONBLOCK, f->refs[i], 64, &r);

		if (ret != -EAGAIN) {
			f->unexpected++;
			f->last = ret;
		}
	}
	return NULL;
}

/*
 * Two threads mapping views at once (the first acquire on a side maps
 * one): each gets its own, none fails.  An empty stream's acquire maps the
 * view, then says -EAGAIN.
 */
TEST(first_views_in_parallel)
{
	struct first_view f[2];
	pthread_barrier_t start;
	pthread_t t[2];
	size_t i, k;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	memset(f, 0, sizeof(f));
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 2));
	for (k = 0; k < 2; k++) {
		f[k].start = &start;
		for (i = 0; i < ARRAY_LEN(f[k].refs); i++)
			ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON,
						      DIOS_OBJ_STREAM,
						      &f[k].refs[i], NULL));
	}
	for (k = 0; k < 2; k++)
		ASSERT_EQ(0, pthread_create(&t[k], NULL, first_view_worker,
					    &f[k]));
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, pthread_join(t[k], NULL));
		EXPECT_EQ(0, f[k].unexpected) TH_LOG("last error %d", f[k].last);
	}
}

/*
 * A reference gets its I/O state (buffers, views) from its first I/O
 * step, not when it is made: the racers of that first step.
 */
struct first_io {
	dios_ref_t ref;
	pthread_barrier_t *start;
	int del;			/* delete instead of acquire */
	struct dios_iovec r;
	int ret;
};

static void *first_io_worker(void *arg)
{
	struct first_io *f = arg;

	f->r = dios_test_iov(0);
	pthread_barrier_wait(f->start);
	if (f->del)
		f->ret = dios_delete(0, f->ref);
	else
		f->ret = dios_acquire_read(0, f->ref, 64, &f->r);
	return NULL;
}

/* Run @f[0] and @f[1] on @ref at once. */
static int first_io_race(struct first_io f[2], dios_ref_t ref)
{
	pthread_barrier_t start;
	pthread_t t[2];
	int k;

	if (pthread_barrier_init(&start, NULL, 2))
		return -1;
	for (k = 0; k < 2; k++) {
		f[k].ref = ref;
		f[k].start = &start;
		if (pthread_create(&t[k], NULL, first_io_worker, &f[k]))
			return -1;
	}
	for (k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	pthread_barrier_destroy(&start);
	return 0;
}

/*
 * The first two acquires of a new reference's read side, at once: both
 * see the same side, so one opens the buffer and the other gets -EBUSY.
 */
TEST(first_io_of_a_ref_in_parallel)
{
	uint32_t before = live_refs();
	dios_ref_t obj, d;
	int i, k;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &obj,
				      NULL));
	for (i = 0; i < 300; i++) {
		struct first_io f[2] = {};

		ASSERT_EQ(0, dios_dup(obj, DIOS_RIGHTS_ALL, &d));
		ASSERT_EQ(0, first_io_race(f, d));
		ASSERT_TRUE((f[0].ret == 0 && f[1].ret == -EBUSY) ||
			    (f[0].ret == -EBUSY && f[1].ret == 0))
			TH_LOG("round %d: results %d and %d", i, f[0].ret,
			       f[1].ret);
		k = f[0].ret ? 1 : 0;
		ASSERT_EQ(0, dios_release_read(0, d, &f[k].r));
		ASSERT_EQ(0, dios_delete(0, d));
	}
	ASSERT_EQ(0, dios_delete(0, obj));
	EXPECT_EQ(before, live_refs());
}

/*
 * The first acquire of a reference racing its deletion: the acquire works
 * (and the deletion closes its buffer) or finds no reference; the deletion
 * always works.
 */
TEST(first_io_of_a_ref_while_deleted)
{
	uint32_t before = live_refs();
	dios_ref_t obj, d;
	int i;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &obj,
				      NULL));
	for (i = 0; i < 300; i++) {
		struct first_io f[2] = { { .del = 0 }, { .del = 1 } };

		ASSERT_EQ(0, dios_dup(obj, DIOS_RIGHTS_ALL, &d));
		ASSERT_EQ(0, first_io_race(f, d));
		ASSERT_EQ(0, f[1].ret) TH_LOG("round %d", i);
		ASSERT_TRUE(f[0].ret == 0 || f[0].ret == -EBADF)
			TH_LOG("round %d: acquire %d", i, f[0].ret);
		/* The reference is gone, and the buffer it opened with it. */
		if (!f[0].ret)
			ASSERT_EQ(-EBADF, dios_release_read(0, d, &f[0].r));
		ASSERT_EQ(-EBADF, dios_dup(d, DIOS_RIGHTS_ALL, &d));
	}
	ASSERT_EQ(0, dios_delete(0, obj));
	EXPECT_EQ(before, live_refs());
}

TEST_HARNESS_MAIN
