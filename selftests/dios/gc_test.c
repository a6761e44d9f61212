// SPDX-License-Identifier: GPL-2.0
/*
 * The cycle collector (docs/io.md, "Cycles"): streams whose queues carry
 * each other, once no task holds any of them, are zombified and freed with
 * everything their queues hold; a cycle a task can still reach is left
 * alone, every message intact.  Objects are counted in debugfs.
 */
#include <signal.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP		(4 * 4096)
#define DATA_LEN	64
#define SETTLE_MS	5000

FIXTURE(gc) {
	long streams;	/* objects_stream before the test */
	long shmems;	/* objects_shmem before the test */
};

FIXTURE_SETUP(gc)
{
	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM | DIOS_FEAT_IO_REFS);
	self->streams = dios_test_stat("objects_stream");
	self->shmems = dios_test_stat("objects_shmem");
	if (self->streams < 0 || self->shmems < 0)
		SKIP(_exit(255), "no /sys/kernel/debug/dios/stats");
}

FIXTURE_TEARDOWN(gc)
{
}

static dios_ref_t new_stream(uint64_t flags)
{
	struct dios_create_args a = { .capacity = CAP };
	dios_ref_t s = 0;

	if (dios_create(flags, DIOS_OBJ_STREAM, &a, &s, NULL))
		return 0;
	return s;
}

/* Send a message carrying a new reference to @what; 0 or -errno. */
static int send_ref(dios_ref_t s, dios_ref_t what)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t d;
	int ret;

	ret = dios_dup(what, DIOS_RIGHTS_ALL, &d);
	if (ret)
		return ret;
	ret = dios_acquire_write(0, s, 4, &w);
	if (ret)
		return ret;
	memcpy(w.buf, "refs", 4);
	w.refs = &d;
	w.n_refs = 1;
	ret = dios_commit_write(DIOS_IO_REFS, s, 4, &w);
	if (ret)
		dios_release_write(0, s, &w);
	return ret;
}

/* Send DATA_LEN bytes of pattern @seq; 0 or -errno. */
static int send_data(dios_ref_t s, uint64_t seq)
{
	struct dios_iovec w = dios_test_iov(0);
	int ret = dios_acquire_write(0, s, DATA_LEN, &w);

	if (ret)
		return ret;
	dios_test_fill(w.buf, DATA_LEN, seq);
	return dios_commit_write(0, s, DATA_LEN, &w);
}

/* Receive a message carrying one reference: the new handle, or 0. */
static dios_ref_t recv_ref(dios_ref_t s)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t got = 0;

	r.refs = &got;
	r.n_refs = 1;
	if (dios_acquire_read(DIOS_NONBLOCK, s, CAP, &r))
		return 0;
	if (r.n_refs != 1 || r.len != 4 || memcmp(r.buf, "refs", 4)) {
		dios_release_read(0, s, &r);
		return 0;
	}
	return dios_commit_read(0, s, &r) ? 0 : got;
}

/* Receive pattern @seq: 0 if it arrives intact, else -1 or -errno. */
static int recv_data(dios_ref_t s, uint64_t seq)
{
	struct dios_iovec r = dios_test_iov(0);
	int ret = dios_acquire_read(DIOS_NONBLOCK, s, CAP, &r);

	if (ret)
		return ret;
	if (r.len != DATA_LEN || r.n_refs ||
	    dios_test_check(r.buf, DATA_LEN, seq) != -1) {
		dios_release_read(0, s, &r);
		return -1;
	}
	return dios_commit_read(0, s, &r);
}

/* Wait up to SETTLE_MS for the stats counter @key to reach @want. */
static long settles(const char *key, long want)
{
	return dios_test_stat_settles(key, want, SETTLE_MS);
}

/*
 * Make a garbage 2-cycle and wait until it is freed: the collector has
 * run at least once after everything the caller did before.
 */
static int collector_ran(long streams_now)
{
	dios_ref_t a = new_stream(DIOS_CREATE_ANON);
	dios_ref_t b = new_stream(DIOS_CREATE_ANON);

	if (!a || !b || send_ref(a, b) || send_ref(b, a) ||
	    dios_delete(0, a) || dios_delete(0, b))
		return -1;
	return settles("objects_stream", streams_now) == streams_now ? 0 : -1;
}

/* A carries B, B carries A, no task holds either: both are freed. */
TEST_F(gc, two_cycle_freed)
{
	dios_ref_t a = new_stream(DIOS_CREATE_ANON);
	dios_ref_t b = new_stream(DIOS_CREATE_ANON);
	dios_ref_t m;

	ASSERT_NE(0, a);
	ASSERT_NE(0, b);
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &m,
				      NULL));
	ASSERT_EQ(0, send_ref(a, b));
	ASSERT_EQ(0, send_ref(b, a));
	/* What the queues hold goes with them. */
	ASSERT_EQ(0, send_ref(a, m));
	ASSERT_EQ(0, send_data(b, 1));
	ASSERT_EQ(0, dios_delete(0, m));
	ASSERT_EQ(self->streams + 2, dios_test_stat("objects_stream"));
	ASSERT_EQ(0, dios_delete(0, a));
	ASSERT_EQ(0, dios_delete(0, b));
	EXPECT_EQ(self->streams, settles("objects_stream", self->streams));
	EXPECT_EQ(self->shmems, settles("objects_shmem", self->shmems));
}

/* A -> B -> C -> A. */
TEST_F(gc, three_cycle_freed)
{
	dios_ref_t s[3];
	int i;

	for (i = 0; i < 3; i++) {
		s[i] = new_stream(DIOS_CREATE_ANON);
		ASSERT_NE(0, s[i]);
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, send_ref(s[i], s[(i + 1) % 3]));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, dios_delete(0, s[i]));
	EXPECT_EQ(self->streams, settles("objects_stream", self->streams));
}

/* Names hold no reference: a cycle of named streams is garbage too. */
TEST_F(gc, named_cycle_freed)
{
	dios_ref_t a = new_stream(0);
	dios_ref_t b = new_stream(0);

	ASSERT_NE(0, a);
	ASSERT_NE(0, b);
	ASSERT_EQ(0, send_ref(a, b));
	ASSERT_EQ(0, send_ref(b, a));
	ASSERT_EQ(0, dios_delete(0, a));
	ASSERT_EQ(0, dios_delete(0, b));
	EXPECT_EQ(self->streams, settles("objects_stream", self->streams));
}

/*
 * The task still holds A of the cycle A <-> B: after the collector ran,
 * both streams live and every message is there, in order.
 */
TEST_F(gc, reachable_cycle_kept)
{
	dios_ref_t a = new_stream(DIOS_CREATE_ANON);
	dios_ref_t b = new_stream(DIOS_CREATE_ANON);
	dios_ref_t b2, a2;

	ASSERT_NE(0, a);
	ASSERT_NE(0, b);
	ASSERT_EQ(0, send_data(a, 1));
	ASSERT_EQ(0, send_ref(a, b));
	ASSERT_EQ(0, send_data(a, 2));
	ASSERT_EQ(0, send_ref(b, a));
	ASSERT_EQ(0, send_data(b, 3));
	ASSERT_EQ(0, dios_delete(0, b));
	ASSERT_EQ(0, collector_ran(self->streams + 2));
	ASSERT_EQ(self->streams + 2, dios_test_stat("objects_stream"));

	EXPECT_EQ(0, recv_data(a, 1));
	b2 = recv_ref(a);
	ASSERT_NE(0, b2);
	EXPECT_EQ(0, recv_data(a, 2));
	a2 = recv_ref(b2);
	ASSERT_NE(0, a2);
	EXPECT_EQ(0, recv_data(b2, 3));
	EXPECT_EQ(-EAGAIN, recv_data(b2, 4));
	/* a2 is A again: a message through it arrives on a. */
	ASSERT_EQ(0, send_data(a2, 5));
	EXPECT_EQ(0, recv_data(a, 5));
	ASSERT_EQ(0, dios_delete(0, a));
	ASSERT_EQ(0, dios_delete(0, a2));
	ASSERT_EQ(0, dios_delete(0, b2));
	EXPECT_EQ(self->streams, settles("objects_stream", self->streams));
}

/* A carries B, B carries data, no cycle: nothing changes. */
TEST_F(gc, chain_unchanged)
{
	dios_ref_t a = new_stream(DIOS_CREATE_ANON);
	dios_ref_t b = new_stream(DIOS_CREATE_ANON);
	dios_ref_t b2;

	ASSERT_NE(0, a);
	ASSERT_NE(0, b);
	ASSERT_EQ(0, send_data(b, 7));
	ASSERT_EQ(0, send_ref(a, b));
	ASSERT_EQ(0, dios_delete(0, b));
	ASSERT_EQ(0, collector_ran(self->streams + 2));
	b2 = recv_ref(a);
	ASSERT_NE(0, b2);
	EXPECT_EQ(0, recv_data(b2, 7));

	/* Dropping the head of a chain frees it, as before. */
	ASSERT_EQ(0, send_ref(a, b2));
	ASSERT_EQ(0, dios_delete(0, b2));
	ASSERT_EQ(0, dios_delete(0, a));
	EXPECT_EQ(self->streams, settles("objects_stream", self->streams));
}

/*
 * X sits in the queue of the garbage cycle A <-> B but the task holds X
 * too: the cycle goes, X lives on with its queue intact.
 */
TEST_F(gc, held_stream_in_garbage_survives)
{
	dios_ref_t a = new_stream(DIOS_CREATE_ANON);
	dios_ref_t b = new_stream(DIOS_CREATE_ANON);
	dios_ref_t x = new_stream(DIOS_CREATE_ANON);

	ASSERT_NE(0, a);
	ASSERT_NE(0, b);
	ASSERT_NE(0, x);
	ASSERT_EQ(0, send_data(x, 9));
	ASSERT_EQ(0, send_ref(a, b));
	ASSERT_EQ(0, send_ref(b, a));
	ASSERT_EQ(0, send_ref(a, x));
	ASSERT_EQ(0, send_ref(b, x));
	ASSERT_EQ(0, dios_delete(0, a));
	ASSERT_EQ(0, dios_delete(0, b));
	EXPECT_EQ(self->streams + 1, settles("objects_stream",
					     self->streams + 1));
	EXPECT_EQ(0, recv_data(x, 9));
	ASSERT_EQ(0, send_data(x, 10));
	EXPECT_EQ(0, recv_data(x, 10));
	ASSERT_EQ(0, dios_delete(0, x));
	EXPECT_EQ(self->streams, settles("objects_stream", self->streams));
}

/*
 * The cycle R <-> S is carried back and forth between the held streams P
 * and Q while another process keeps the collector busy with garbage: R is
 * in flight alone between hops, a candidate every time, and must never be
 * taken for garbage.  In the end both queues are intact.
 */
TEST_F(gc, cycle_in_transit_kept)
{
	dios_ref_t p = new_stream(DIOS_CREATE_ANON);
	dios_ref_t q = new_stream(DIOS_CREATE_ANON);
	dios_ref_t r = new_stream(DIOS_CREATE_ANON);
	dios_ref_t s = new_stream(DIOS_CREATE_ANON);
	dios_ref_t x, s2, r2;
	pid_t pid;
	int i;

	ASSERT_NE(0, p);
	ASSERT_NE(0, q);
	ASSERT_NE(0, r);
	ASSERT_NE(0, s);
	ASSERT_EQ(0, send_data(r, 21));
	ASSERT_EQ(0, send_ref(r, s));
	ASSERT_EQ(0, send_ref(s, r));
	ASSERT_EQ(0, send_data(s, 22));
	ASSERT_EQ(0, send_ref(p, r));
	ASSERT_EQ(0, dios_delete(0, r));
	ASSERT_EQ(0, dios_delete(0, s));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Garbage for the collector, until killed. */
		for (i = 0; i < 100000; i++) {
			dios_ref_t a = new_stream(DIOS_CREATE_ANON);
			dios_ref_t b = new_stream(DIOS_CREATE_ANON);

			if (!a || !b || send_ref(a, b) || send_ref(b, a) ||
			    dios_delete(0, a) || dios_delete(0, b))
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < 200; i++) {
		x = recv_ref(i % 2 ? q : p);
		ASSERT_NE(0, x) TH_LOG("hop %d", i);
		ASSERT_EQ(0, send_ref(i % 2 ? p : q, x));
		ASSERT_EQ(0, dios_delete(0, x));
	}
	ASSERT_EQ(0, kill(pid, SIGKILL));
	i = dios_test_wait(pid);
	EXPECT_TRUE(i == 0 || i == 128 + SIGKILL);

	x = recv_ref(p);
	ASSERT_NE(0, x);
	EXPECT_EQ(0, recv_data(x, 21));
	s2 = recv_ref(x);
	ASSERT_NE(0, s2);
	r2 = recv_ref(s2);
	ASSERT_NE(0, r2);
	EXPECT_EQ(0, recv_data(s2, 22));
	ASSERT_EQ(0, dios_delete(0, x));
	ASSERT_EQ(0, dios_delete(0, r2));
	ASSERT_EQ(0, dios_delete(0, s2));
	ASSERT_EQ(0, dios_delete(0, p));
	ASSERT_EQ(0, dios_delete(0, q));
	EXPECT_EQ(self->streams, settles("objects_stream", self->streams));
}

/*
 * A process leaves with cycles queued and its handles never deleted: the
 * context teardown drops them and the collector frees the rest.
 */
TEST_F(gc, exit_with_cycles)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s[5], m;
		int i;

		for (i = 0; i < 5; i++) {
			s[i] = new_stream(i % 2 ? 0 : DIOS_CREATE_ANON);
			ASSERT_NE(0, s[i]);
		}
		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON,
					      DIOS_OBJ_SHMEM, &m, NULL));
		/* A 2-cycle and a 3-cycle, linked one way, and a leaf. */
		ASSERT_EQ(0, send_ref(s[0], s[1]));
		ASSERT_EQ(0, send_ref(s[1], s[0]));
		ASSERT_EQ(0, send_ref(s[2], s[3]));
		ASSERT_EQ(0, send_ref(s[3], s[4]));
		ASSERT_EQ(0, send_ref(s[4], s[2]));
		ASSERT_EQ(0, send_ref(s[4], s[0]));
		ASSERT_EQ(0, send_ref(s[1], m));
		ASSERT_EQ(0, send_data(s[3], 11));
		_exit(0);
	}
	ASSERT_EQ(0, dios_test_wait(pid));
	EXPECT_EQ(self->streams, settles("objects_stream", self->streams));
	EXPECT_EQ(self->shmems, settles("objects_shmem", self->shmems));
}

TEST_HARNESS_MAIN
