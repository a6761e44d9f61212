// SPDX-License-Identifier: GPL-2.0
/*
 * Channels (dios_chan_*): two streams, one per direction.  Named channels
 * opened by another process and the connect handshake, anonymous pairs,
 * copies in and out, zero-length and oversized messages, blocking and
 * DIOS_NONBLOCK, dios_chan_call, either end closing or being killed (the
 * other drains, then -EPIPE), references and whole channel ends carried
 * through a channel, the rights of each end, argument errors, and that
 * nothing leaks.
 * docs/api.md, "Channels".
 *
 * The "named" fixture is a channel made by dios_chan_create whose far end
 * a forked child opens by the names (with its own, fresh context); the
 * "pair" fixture is a dios_chan_pair whose far end stays in the test's own
 * task.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP		4096	/* small streams fill quickly */
#define SLEEP_MS	20000	/* waiting for the other process to block */
#define SETTLE_MS	5000	/* waiting for a dead task's teardown */
#define BAD_FLAG	(1ULL << 62)

#define FEATS		(DIOS_FEAT_IO_STREAM | DIOS_FEAT_IO_REFS)

FIXTURE(named) {
	struct dios_chan c;
	struct dios_name names[2];
};

FIXTURE_SETUP(named)
{
	DIOS_REQUIRE(FEATS);
	ASSERT_EQ(0, dios_chan_create(0, 0, &self->c, self->names));
}

FIXTURE_TEARDOWN(named)
{
}

FIXTURE(pair) {
	struct dios_chan a;	/* dios_chan_pair's end */
	struct dios_chan b;	/* the far end, from the peer references */
};

FIXTURE_SETUP(pair)
{
	dios_ref_t peer[2];

	DIOS_REQUIRE(FEATS);
	ASSERT_EQ(0, dios_chan_pair(0, CAP, &self->a, peer));
	dios_chan_from_refs(&self->b, peer[0], peer[1]);
}

FIXTURE_TEARDOWN(pair)
{
}

static uint64_t rights_of(dios_ref_t ref)
{
	struct dios_ref_info info;

	if (dios_ref_info(ref, &info))
		return 0;
	return info.rights;
}

/* Send @len pattern bytes of message @seq. */
static int send_pat(uint64_t flags, struct dios_chan *c, uint64_t len,
		    uint64_t seq)
{
	uint8_t buf[CAP];

	dios_test_fill(buf, len, seq);
	return dios_chan_send(flags, c, buf, len);
}

/*
 * Receive a message and check it is @len pattern bytes of @seq: 0, -errno,
 * or 1 if it is not.
 */
static int recv_pat(uint64_t flags, struct dios_chan *c, uint64_t len,
		    uint64_t seq)
{
	uint8_t buf[CAP];
	int ret = dios_chan_recv(flags, c, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	return (uint64_t)ret == len && dios_test_check(buf, len, seq) == -1 ?
	       0 : 1;
}

/* Send @len raw bytes on the stream @s, bypassing the channel calls. */
static int stream_send(dios_ref_t s, const void *buf, uint64_t len)
{
	struct dios_iovec w = dios_test_iov(0);
	int ret = dios_acquire_write(0, s, len, &w);

	if (ret)
		return ret;
	memcpy(w.buf, buf, len);
	return dios_commit_write(0, s, len, &w);
}

/*
 * Fork a child that opens the far end of @names as @c (its own context)
 * and runs the statements that follow; it exits with the test's verdict.
 */
#define FAR_END(pid, names, c, ...) do {				\
	pid = fork();							\
	ASSERT_LE(0, pid);						\
	if (pid == 0) {							\
		struct dios_chan c;					\
									\
		ASSERT_EQ(0, dios_chan_open(0, names, &c));		\
		__VA_ARGS__						\
		DIOS_CHILD_EXIT();					\
	}								\
} while (0)

/* ---- named channels: create, open, accept ------------------------------ */

/* Both directions between the creator and a far end in another process. */
TEST_F(named, round_trip_both_ways)
{
	int i;
	pid_t pid;

	FAR_END(pid, self->names, c, {
		for (i = 0; i < 20; i++) {
			ASSERT_EQ(0, send_pat(0, &c, 100 + i, i));
			ASSERT_EQ(0, recv_pat(0, &c, 200 + i, 1000 + i));
		}
	});
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, recv_pat(0, &self->c, 100 + i, i));
		ASSERT_EQ(0, send_pat(0, &self->c, 200 + i, 1000 + i));
	}
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * dios_chan_call: the far end answers each request; the creator sends and
 * receives in one call, and its first call accepts the far end first.
 */
TEST_F(named, call_round_trip)
{
	uint8_t out[64], in[CAP];
	uint32_t done;
	int i, j, len;
	pid_t pid;

	FAR_END(pid, self->names, c, {
		for (i = 0; i < 20; i++) {
			len = dios_chan_recv(0, &c, in, sizeof(in));
			ASSERT_LT(0, len);
			for (j = 0; j < len; j++)
				in[j]++;
			ASSERT_EQ(0, dios_chan_send(0, &c, in, len));
		}
	});
	for (i = 0; i < 20; i++) {
		len = 1 + i;
		dios_test_fill(out, len, i);
		done = 0;
		ASSERT_EQ(len, dios_chan_call(0, &self->c, out, len, in,
					      sizeof(in), &done));
		EXPECT_EQ(DIOS_XFER_SEND | DIOS_XFER_RECV, done);
		for (j = 0; j < len; j++)
			ASSERT_EQ((uint8_t)(out[j] + 1), in[j]);
	}
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* Before the far end opens, a non-blocking call sends nothing. */
TEST_F(named, call_nonblock_before_open)
{
	uint32_t done = 7;
	uint8_t buf[8];

	EXPECT_EQ(-EAGAIN, dios_chan_call(DIOS_NONBLOCK, &self->c, "x", 1,
					  buf, sizeof(buf), &done));
	EXPECT_EQ(0, done);
	EXPECT_NE(0, self->c.__hold[0]);
}

/* Given names: a service at names both sides know beforehand. */
TEST(named_given)
{
	struct dios_name names[2], got[2];
	struct dios_chan c, far;

	DIOS_REQUIRE(FEATS);
	dios_test_random_name(&names[0]);
	dios_test_random_name(&names[1]);
	memcpy(got, names, sizeof(got));
	ASSERT_EQ(0, dios_chan_create(DIOS_CREATE_NAME_GIVEN, 0, &c, got));
	EXPECT_EQ(0, memcmp(got, names, sizeof(got)));
	ASSERT_EQ(0, dios_chan_open(0, names, &far));
	ASSERT_EQ(0, send_pat(0, &far, 10, 1));
	EXPECT_EQ(0, recv_pat(0, &c, 10, 1));
	EXPECT_EQ(-EEXIST, dios_chan_create(DIOS_CREATE_NAME_GIVEN, 0, &c,
					    got));
}

/*
 * The creator's first send waits for the far end like opening a FIFO: it
 * returns only after the child, which waits for the parent to sleep in it,
 * has started opening.
 */
TEST_F(named, first_send_waits_for_open)
{
	pid_t parent = getpid(), pid;
	int opening[2];
	char c0;

	ASSERT_EQ(0, pipe(opening));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dios_chan c;

		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, dios_test_write(opening[1], "o", 1));
		ASSERT_EQ(0, dios_chan_open(0, self->names, &c));
		EXPECT_EQ(0, recv_pat(0, &c, 64, 5));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, fcntl(opening[0], F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, send_pat(0, &self->c, 64, 5));
	EXPECT_EQ(1, read(opening[0], &c0, 1));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * Before the far end connects its connect message is missing: the read
 * stream is not ready (select), a non-blocking accept is -EAGAIN.
 */
TEST_F(named, accept_nonblock_before_open)
{
	uint32_t idx;

	EXPECT_EQ(-ETIMEDOUT, dios_select(0, &self->c.rx, 1, DIOS_EV_READ, 0,
					  &idx));
	EXPECT_EQ(-EAGAIN, dios_chan_accept(DIOS_NONBLOCK, &self->c));
	EXPECT_NE(0, self->c.__hold[0]);
}

TEST_F(named, send_nonblock_before_open)
{
	EXPECT_EQ(-EAGAIN, send_pat(DIOS_NONBLOCK, &self->c, 1, 1));
}

TEST_F(named, recv_nonblock_before_open)
{
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, &self->c, 1, 1));
}

/* Once the far end has opened, accept takes its message, once. */
TEST_F(named, accept_after_open)
{
	struct dios_chan far;
	uint32_t idx;

	ASSERT_EQ(0, dios_chan_open(0, self->names, &far));
	EXPECT_EQ(0, dios_select(0, &self->c.rx, 1, DIOS_EV_READ, 0, &idx));
	EXPECT_EQ(0, dios_chan_accept(DIOS_NONBLOCK, &self->c));
	EXPECT_EQ(0, self->c.__hold[0]);
	EXPECT_EQ(0, self->c.__hold[1]);
	EXPECT_EQ(0, dios_chan_accept(DIOS_NONBLOCK, &self->c));
	/* The connect message is gone: the read stream is empty. */
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, &self->c, 1, 1));
	ASSERT_EQ(0, send_pat(0, &far, 3, 3));
	EXPECT_EQ(0, recv_pat(0, &self->c, 3, 3));
}

/* A first message that is not "DIOSCHAN": -EPROTO, nothing changes. */
TEST_F(named, bad_connect_is_eproto)
{
	dios_ref_t w;

	ASSERT_EQ(0, dios_lookup(0, &self->names[1], DIOS_REF_NONE, &w));
	ASSERT_EQ(0, stream_send(w, "DIOSCHAM", DIOS_CHAN_CONNECT_LEN));
	EXPECT_EQ(-EPROTO, dios_chan_accept(0, &self->c));
	EXPECT_NE(0, self->c.__hold[0]);
	EXPECT_NE(0, self->c.__hold[1]);
	/* The message stays queued: the same answer again, and for recv. */
	EXPECT_EQ(-EPROTO, dios_chan_accept(DIOS_NONBLOCK, &self->c));
	EXPECT_EQ(-EPROTO, recv_pat(0, &self->c, 1, 1));
}

TEST_F(named, long_connect_is_eproto)
{
	dios_ref_t w;

	ASSERT_EQ(0, dios_lookup(0, &self->names[1], DIOS_REF_NONE, &w));
	ASSERT_EQ(0, stream_send(w, DIOS_CHAN_CONNECT "!",
				 DIOS_CHAN_CONNECT_LEN + 1));
	EXPECT_EQ(-EPROTO, dios_chan_accept(0, &self->c));
	EXPECT_NE(0, self->c.__hold[1]);
}

TEST_F(named, open_unknown_name_is_enoent)
{
	struct dios_name names[2] = { self->names[0], self->names[1] };
	struct dios_chan far;

	dios_test_random_name(&names[1]);
	EXPECT_EQ(-ENOENT, dios_chan_open(0, names, &far));
}

/* The names' rights: swapped, the far end would write a read-only one. */
TEST_F(named, open_swapped_names_is_eacces)
{
	struct dios_name names[2] = { self->names[1], self->names[0] };
	struct dios_chan far;

	EXPECT_EQ(-EACCES, dios_chan_open(0, names, &far));
}

TEST_F(named, open_not_a_stream_is_eproto)
{
	struct dios_name names[2] = { self->names[0] };
	struct dios_chan far;
	dios_ref_t shm;

	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_SHMEM, &shm, &names[1]));
	EXPECT_EQ(-EPROTO, dios_chan_open(0, names, &far));
}

/* Both ends hold exactly their direction's right, plus COPY. */
TEST_F(named, rights_of_each_end)
{
	const uint64_t own = DIOS_RIGHT_COPY | DIOS_RIGHT_DELETE;
	dios_ref_t hold = self->c.__hold[0];
	struct dios_chan far;

	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(hold));
	ASSERT_EQ(0, dios_chan_open(0, self->names, &far));
	EXPECT_EQ(DIOS_RIGHT_WRITE | own, rights_of(self->c.tx));
	EXPECT_EQ(DIOS_RIGHT_READ | own, rights_of(self->c.rx));
	EXPECT_EQ(DIOS_RIGHT_WRITE | DIOS_RIGHT_COPY, rights_of(far.tx));
	EXPECT_EQ(DIOS_RIGHT_READ | DIOS_RIGHT_COPY, rights_of(far.rx));
	EXPECT_EQ(0, far.__hold[0]);
	EXPECT_EQ(0, far.__hold[1]);
	EXPECT_EQ(0, dios_chan_accept(0, &self->c));
	/* The full references are gone once connected. */
	EXPECT_EQ(0, rights_of(hold));
}

/* The far end cannot write the stream it reads (kernel: -EACCES). */
TEST_F(named, far_end_cannot_write_its_rx)
{
	struct dios_iovec w = dios_test_iov(0);
	struct dios_chan far;

	ASSERT_EQ(0, dios_chan_open(0, self->names, &far));
	EXPECT_EQ(-EACCES, dios_acquire_write(0, far.rx, 1, &w));
}

TEST_F(named, far_end_cannot_read_its_tx)
{
	struct dios_iovec r = dios_test_iov(0);
	struct dios_chan far;

	ASSERT_EQ(0, dios_chan_open(0, self->names, &far));
	EXPECT_EQ(-EACCES, dios_acquire_read(DIOS_NONBLOCK, far.tx, CAP, &r));
}

/* No DELETE: the far end cannot zombify the creator's streams. */
TEST_F(named, far_end_cannot_zombify)
{
	struct dios_chan far;

	ASSERT_EQ(0, dios_chan_open(0, self->names, &far));
	EXPECT_EQ(-EACCES, dios_delete(DIOS_DELETE_ZOMBIFY, far.tx));
}

TEST_F(named, creator_cannot_read_its_tx)
{
	struct dios_iovec r = dios_test_iov(0);

	EXPECT_EQ(-EACCES, dios_acquire_read(DIOS_NONBLOCK, self->c.tx, CAP,
					     &r));
}

/* ---- closing and dying ------------------------------------------------- */

/* The far end sends two messages and closes: drained, then -EPIPE. */
TEST_F(named, far_close_drains_then_epipe)
{
	pid_t pid;

	FAR_END(pid, self->names, c, {
		ASSERT_EQ(0, send_pat(0, &c, 11, 1));
		ASSERT_EQ(0, send_pat(0, &c, 22, 2));
		ASSERT_EQ(0, dios_chan_close(&c));
	});
	EXPECT_EQ(0, dios_test_wait(pid));
	EXPECT_EQ(0, recv_pat(0, &self->c, 11, 1));
	EXPECT_EQ(0, recv_pat(0, &self->c, 22, 2));
	EXPECT_EQ(-EPIPE, recv_pat(0, &self->c, 0, 0));
	EXPECT_EQ(-EPIPE, recv_pat(DIOS_NONBLOCK, &self->c, 0, 0));
	EXPECT_EQ(-EPIPE, send_pat(0, &self->c, 1, 1));
}

/* The creator sends two messages and closes: the far end drains, -EPIPE. */
TEST_F(named, creator_close_drains_then_epipe)
{
	int done[2];
	pid_t pid;
	char x;

	ASSERT_EQ(0, pipe(done));
	FAR_END(pid, self->names, c, {
		ASSERT_EQ(0, dios_test_read(done[0], &x, 1));
		EXPECT_EQ(0, recv_pat(0, &c, 11, 1));
		EXPECT_EQ(0, recv_pat(0, &c, 22, 2));
		EXPECT_EQ(-EPIPE, recv_pat(0, &c, 0, 0));
		EXPECT_EQ(-EPIPE, send_pat(0, &c, 1, 1));
	});
	ASSERT_EQ(0, send_pat(0, &self->c, 11, 1));
	ASSERT_EQ(0, send_pat(0, &self->c, 22, 2));
	ASSERT_EQ(0, dios_chan_close(&self->c));
	ASSERT_EQ(0, dios_test_write(done[1], "c", 1));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* The far end connects and closes before the creator ever accepted. */
TEST_F(named, far_close_before_accept)
{
	struct dios_chan far;

	ASSERT_EQ(0, dios_chan_open(0, self->names, &far));
	ASSERT_EQ(0, send_pat(0, &far, 7, 7));
	ASSERT_EQ(0, dios_chan_close(&far));
	EXPECT_EQ(0, recv_pat(0, &self->c, 7, 7));
	EXPECT_EQ(-EPIPE, recv_pat(0, &self->c, 0, 0));
	EXPECT_EQ(-EPIPE, send_pat(0, &self->c, 1, 1));
}

/* Closing before the far end opened removes the names. */
TEST_F(named, close_before_open)
{
	struct dios_chan far;

	ASSERT_EQ(0, dios_chan_close(&self->c));
	EXPECT_EQ(-ENOENT, dios_chan_open(0, self->names, &far));
}

/*
 * A far end killed while blocked in recv: its references go with it, the
 * creator's blocking recv gets -EPIPE, and so does its send.
 */
TEST_F(named, peer_killed_in_recv)
{
	int ready[2], i, ret = 0;
	pid_t pid;
	char x;

	ASSERT_EQ(0, pipe(ready));
	FAR_END(pid, self->names, c, {
		ASSERT_EQ(0, dios_test_write(ready[1], "r", 1));
		recv_pat(0, &c, 0, 0);
		_exit(3);
	});
	ASSERT_EQ(0, dios_test_read(ready[0], &x, 1));
	EXPECT_EQ(0, dios_test_wait_sleeping(pid, SLEEP_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
	EXPECT_EQ(-EPIPE, recv_pat(0, &self->c, 0, 0));
	/* Its read reference may go a little after its write reference. */
	for (i = 0; i < SETTLE_MS; i++) {
		ret = dios_chan_send(DIOS_NONBLOCK, &self->c, NULL, 0);
		if (ret != 0)
			break;
		usleep(1000);
	}
	EXPECT_EQ(-EPIPE, ret);
}

/*
 * The creator blocked in recv while the far end is killed (by a third
 * process, once the creator sleeps): the recv wakes with -EPIPE.
 */
TEST_F(named, peer_killed_wakes_blocked_recv)
{
	pid_t parent = getpid(), pid, killer;
	int ready[2];
	char x;

	ASSERT_EQ(0, pipe(ready));
	FAR_END(pid, self->names, c, {
		ASSERT_EQ(0, dios_test_write(ready[1], "r", 1));
		for (;;)
			pause();
	});
	ASSERT_EQ(0, dios_test_read(ready[0], &x, 1));
	killer = fork();
	ASSERT_LE(0, killer);
	if (killer == 0) {
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, kill(pid, SIGKILL));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(-EPIPE, recv_pat(0, &self->c, 0, 0));
	EXPECT_EQ(0, dios_test_wait(killer));
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
}

/* After close the handles are dead and the struct is zeroed. */
TEST_F(pair, handles_dead_after_close)
{
	struct dios_chan old = self->a;
	struct dios_ref_info info;

	ASSERT_EQ(0, dios_chan_close(&self->a));
	EXPECT_EQ(0, self->a.tx);
	EXPECT_EQ(0, self->a.rx);
	EXPECT_EQ(-EBADF, dios_ref_info(old.tx, &info));
	EXPECT_EQ(-EBADF, dios_ref_info(old.rx, &info));
	EXPECT_EQ(-EBADF, send_pat(0, &old, 1, 1));
	EXPECT_EQ(-EBADF, recv_pat(0, &old, 1, 1));
	/* The zeroed struct: no handle, and closing again is harmless. */
	EXPECT_EQ(-EBADF, send_pat(0, &self->a, 1, 1));
	EXPECT_EQ(0, dios_chan_close(&self->a));
}

/* ---- data ---------------------------------------------------------------- */

TEST_F(pair, round_trip)
{
	ASSERT_EQ(0, send_pat(0, &self->a, 100, 1));
	ASSERT_EQ(0, send_pat(0, &self->b, 200, 2));
	EXPECT_EQ(0, recv_pat(0, &self->b, 100, 1));
	EXPECT_EQ(0, recv_pat(0, &self->a, 200, 2));
}

/* A call whose answer is already queued; the request reaches the far end. */
TEST_F(pair, call)
{
	uint8_t buf[CAP];

	ASSERT_EQ(0, send_pat(0, &self->b, 200, 2));
	dios_test_fill(buf, 100, 1);
	EXPECT_EQ(200, dios_chan_call(0, &self->a, buf, 100, buf, sizeof(buf),
				      NULL));
	EXPECT_EQ(-1, dios_test_check(buf, 200, 2));
	EXPECT_EQ(0, recv_pat(0, &self->b, 100, 1));
}

/* An answer too long: the request is sent, the answer stays. */
TEST_F(pair, call_recv_too_small)
{
	uint32_t done = 0;
	uint8_t buf[8];

	ASSERT_EQ(0, send_pat(0, &self->b, 9, 2));
	EXPECT_EQ(-EMSGSIZE, dios_chan_call(0, &self->a, "x", 1, buf,
					    sizeof(buf), &done));
	EXPECT_EQ(DIOS_XFER_SEND, done);
	EXPECT_EQ(1, dios_chan_recv(0, &self->b, buf, sizeof(buf)));
	EXPECT_EQ('x', buf[0]);
	EXPECT_EQ(0, recv_pat(0, &self->a, 9, 2));
}

/* Messages keep their boundaries and order. */
TEST_F(pair, fifo)
{
	int i;

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, send_pat(DIOS_NONBLOCK, &self->a, 1 + i * 37, i));
	for (i = 0; i < 10; i++)
		EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, &self->b, 1 + i * 37, i));
}

/* A buffer too small: -EMSGSIZE, and the message is still there. */
TEST_F(pair, recv_too_small_keeps_message)
{
	uint8_t buf[50];

	ASSERT_EQ(0, send_pat(0, &self->a, 100, 9));
	EXPECT_EQ(-EMSGSIZE, dios_chan_recv(0, &self->b, buf, sizeof(buf)));
	EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, &self->b, 100, 9));
}

TEST_F(pair, zero_length_message)
{
	uint8_t buf[8];

	ASSERT_EQ(0, dios_chan_send(0, &self->a, NULL, 0));
	ASSERT_EQ(0, dios_chan_send(0, &self->a, buf, 0));
	ASSERT_EQ(0, send_pat(0, &self->a, 3, 3));
	EXPECT_EQ(0, dios_chan_recv(DIOS_NONBLOCK, &self->b, NULL, 0));
	EXPECT_EQ(0, dios_chan_recv(DIOS_NONBLOCK, &self->b, buf,
				    sizeof(buf)));
	EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, &self->b, 3, 3));
}

TEST_F(pair, send_larger_than_capacity)
{
	static uint8_t buf[CAP + 1];

	EXPECT_EQ(-EMSGSIZE, dios_chan_send(0, &self->a, buf, sizeof(buf)));
}

TEST_F(pair, recv_nonblock_empty)
{
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, &self->b, 0, 0));
}

TEST_F(pair, send_nonblock_full)
{
	ASSERT_EQ(0, send_pat(0, &self->a, CAP, 1));
	EXPECT_EQ(-EAGAIN, send_pat(DIOS_NONBLOCK, &self->a, 1, 2));
	/* The other direction is independent. */
	EXPECT_EQ(0, send_pat(DIOS_NONBLOCK, &self->b, 1, 2));
}

/* A full channel's blocked sender continues once the reader takes one. */
TEST_F(named, blocked_send_woken)
{
	static uint8_t big[DIOS_CHAN_CAPACITY];
	pid_t parent = getpid(), pid;

	FAR_END(pid, self->names, c, {
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		EXPECT_EQ(sizeof(big), dios_chan_recv(0, &c, big,
						      sizeof(big)));
		EXPECT_EQ(0, recv_pat(0, &c, 10, 2));
	});
	ASSERT_EQ(0, dios_chan_send(0, &self->c, big, sizeof(big)));
	EXPECT_EQ(0, send_pat(0, &self->c, 10, 2));
	EXPECT_EQ(0, dios_test_wait(pid));
}

struct recv_thread {
	struct dios_chan *c;
	pid_t tid;
	int ret;
};

static void *recv_thread_fn(void *arg)
{
	struct recv_thread *t = arg;

	__atomic_store_n(&t->tid, gettid(), __ATOMIC_RELEASE);
	t->ret = recv_pat(0, t->c, 20, 20);
	return NULL;
}

/*
 * Two threads of the creator enter the implicit accept at once, one
 * receiving and one sending: one takes the connect message, the other
 * gives way, and neither takes the other's data.
 */
TEST_F(named, accept_from_two_threads)
{
	struct recv_thread t = { .c = &self->c };
	pthread_t th;
	pid_t pid;

	ASSERT_EQ(0, pthread_create(&th, NULL, recv_thread_fn, &t));
	while (!__atomic_load_n(&t.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	ASSERT_EQ(0, dios_test_wait_sleeping(t.tid, SLEEP_MS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dios_chan c;

		/* Let the parent's main thread reach its accept too. */
		usleep(200 * 1000);
		ASSERT_EQ(0, dios_chan_open(0, self->names, &c));
		EXPECT_EQ(0, recv_pat(0, &c, 10, 10));
		EXPECT_EQ(0, send_pat(0, &c, 20, 20));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, send_pat(0, &self->c, 10, 10));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.ret);
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* ---- references through a channel --------------------------------------- */

/* A SHMEM reference moves to another process, which reads the object. */
TEST_F(named, carries_memory_object)
{
	const uint64_t rights = DIOS_RIGHT_READ | DIOS_RIGHT_COPY;
	int has_mem = !!(dios_test_features() & DIOS_FEAT_IO_MEM);
	struct dios_ref_info info;
	dios_ref_t obj, d;
	pid_t pid;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &obj,
				      NULL));
	if (has_mem) {
		struct dios_iovec w = dios_test_iov(0);

		ASSERT_EQ(0, dios_acquire_write(0, obj, 32, &w));
		dios_test_fill(w.buf, 32, 77);
		ASSERT_EQ(0, dios_commit_write(0, obj, 32, &w));
	}
	ASSERT_EQ(0, dios_dup(obj, rights, &d));
	FAR_END(pid, self->names, c, {
		dios_ref_t got[4];
		uint32_t n = 4;
		char buf[8];

		ASSERT_EQ(3, dios_chan_recv_refs(0, &c, buf, sizeof(buf),
						 got, &n));
		EXPECT_EQ(0, memcmp(buf, "obj", 3));
		ASSERT_EQ(1, n);
		ASSERT_EQ(0, dios_ref_info(got[0], &info));
		EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
		EXPECT_EQ(rights, info.rights);
		if (has_mem) {
			struct dios_iovec r = dios_test_iov(0);

			ASSERT_EQ(0, dios_acquire_read(0, got[0], 32, &r));
			EXPECT_EQ(-1, dios_test_check(r.buf, 32, 77));
			EXPECT_EQ(0, dios_commit_read(0, got[0], &r));
		}
	});
	ASSERT_EQ(0, dios_chan_send_refs(0, &self->c, "obj", 3, &d, 1));
	EXPECT_EQ(-EBADF, dios_ref_info(d, &info));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * A channel end travels through a channel: the creator makes a pair,
 * sends the peer's two references to the far end's process, and both talk
 * over the new channel once the far end has said it holds them (in flight
 * they count as neither reader nor writer: see the next test).
 */
TEST_F(named, carries_channel_end)
{
	struct dios_ref_info info;
	struct dios_chan mine;
	dios_ref_t peer[2];
	pid_t pid;

	ASSERT_EQ(0, dios_chan_pair(0, CAP, &mine, peer));
	FAR_END(pid, self->names, c, {
		struct dios_chan sub;
		dios_ref_t got[2];
		uint32_t n = 2;

		ASSERT_EQ(0, dios_chan_recv_refs(0, &c, NULL, 0, got, &n));
		ASSERT_EQ(2, n);
		ASSERT_EQ(0, dios_chan_send(0, &c, NULL, 0));
		dios_chan_from_refs(&sub, got[0], got[1]);
		ASSERT_EQ(0, send_pat(0, &sub, 300, 30));
		EXPECT_EQ(0, recv_pat(0, &sub, 400, 40));
		ASSERT_EQ(0, dios_chan_close(&sub));
	});
	ASSERT_EQ(0, dios_chan_send_refs(0, &self->c, NULL, 0, peer, 2));
	EXPECT_EQ(-EBADF, dios_ref_info(peer[0], &info));
	EXPECT_EQ(-EBADF, dios_ref_info(peer[1], &info));
	ASSERT_EQ(0, dios_chan_recv(0, &self->c, NULL, 0));
	EXPECT_EQ(0, recv_pat(0, &mine, 300, 30));
	EXPECT_EQ(0, send_pat(0, &mine, 400, 40));
	/* The far process closed its end of the new channel: -EPIPE. */
	EXPECT_EQ(-EPIPE, recv_pat(0, &mine, 0, 0));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * References in a queued message are neither readers nor writers until
 * they are received (docs/io.md): an end whose peer is in flight sees
 * -EPIPE both ways, and a working channel once the peer is installed.
 */
TEST_F(pair, end_in_flight_until_received)
{
	struct dios_chan mine, sub;
	dios_ref_t peer[2], got[2];
	uint32_t n = 2;

	ASSERT_EQ(0, dios_chan_pair(0, CAP, &mine, peer));
	ASSERT_EQ(0, dios_chan_send_refs(0, &self->a, NULL, 0, peer, 2));
	EXPECT_EQ(-EPIPE, recv_pat(DIOS_NONBLOCK, &mine, 0, 0));
	EXPECT_EQ(-EPIPE, send_pat(DIOS_NONBLOCK, &mine, 1, 1));
	ASSERT_EQ(0, dios_chan_recv_refs(0, &self->b, NULL, 0, got, &n));
	dios_chan_from_refs(&sub, got[0], got[1]);
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, &mine, 0, 0));
	ASSERT_EQ(0, send_pat(0, &mine, 12, 12));
	EXPECT_EQ(0, recv_pat(0, &sub, 12, 12));
}

/* Too small a reference array: -EMSGSIZE, *n the count needed, it stays. */
TEST_F(pair, recv_refs_capacity_too_small)
{
	dios_ref_t d[3], got[3];
	uint32_t n = 2;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, dios_dup(self->a.tx, DIOS_RIGHT_COPY, &d[i]));
	ASSERT_EQ(0, dios_chan_send_refs(0, &self->b, "x", 1, d, 3));
	char c;

	EXPECT_EQ(-EMSGSIZE, dios_chan_recv_refs(0, &self->a, &c, 1, got, &n));
	EXPECT_EQ(3, n);
	EXPECT_EQ(1, dios_chan_recv_refs(0, &self->a, &c, 1, got, &n));
	EXPECT_EQ(3, n);
	EXPECT_EQ(DIOS_RIGHT_COPY, rights_of(got[2]));
}

/* A plain recv of a message carrying references: -EMSGSIZE, it stays. */
TEST_F(pair, plain_recv_of_refs_message)
{
	dios_ref_t d, got[1];
	uint32_t n = 1;
	char c;

	ASSERT_EQ(0, dios_dup(self->a.tx, DIOS_RIGHT_COPY, &d));
	ASSERT_EQ(0, dios_chan_send_refs(0, &self->b, "x", 1, &d, 1));
	EXPECT_EQ(-EMSGSIZE, dios_chan_recv(0, &self->a, &c, 1));
	EXPECT_EQ(1, dios_chan_recv_refs(0, &self->a, &c, 1, got, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(DIOS_RIGHT_COPY, rights_of(got[0]));
}

/* A failed send of references keeps them in the sender's table. */
TEST_F(pair, send_refs_without_copy_keeps_them)
{
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->a.tx, DIOS_RIGHT_WRITE, &d));
	EXPECT_EQ(-EACCES, dios_chan_send_refs(0, &self->b, "x", 1, &d, 1));
	EXPECT_EQ(DIOS_RIGHT_WRITE, rights_of(d));
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, &self->a, 0, 0));
}

/* ---- zero-copy ----------------------------------------------------------- */

TEST_F(pair, zero_copy_round_trip)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);

	ASSERT_EQ(0, dios_chan_send_acquire(0, &self->a, 500, &w));
	dios_test_fill(w.buf, 500, 5);
	ASSERT_EQ(0, dios_chan_send_commit(0, &self->a, 500, &w));
	ASSERT_EQ(0, dios_chan_recv_acquire(0, &self->b, &r));
	EXPECT_EQ(500, r.len);
	EXPECT_EQ(-1, dios_test_check(r.buf, 500, 5));
	ASSERT_EQ(0, dios_chan_recv_release(0, &self->b, &r));
	EXPECT_EQ(-EAGAIN, dios_chan_recv_acquire(DIOS_NONBLOCK, &self->b,
						  &r));
}

/* DIOS_IO_REARM through the zero-copy calls: one call per message. */
TEST_F(pair, zero_copy_rearm)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	int i;

	w.next_len = 64;
	r.next_len = CAP;
	ASSERT_EQ(0, dios_chan_send_acquire(0, &self->a, 64, &w));
	for (i = 0; i < 10; i++) {
		dios_test_fill(w.buf, 64, i);
		ASSERT_EQ(0, dios_chan_send_commit(DIOS_IO_REARM, &self->a, 64,
						   &w));
	}
	ASSERT_EQ(0, dios_chan_recv_acquire(0, &self->b, &r));
	for (i = 0; i < 9; i++) {
		ASSERT_EQ(64, r.len);
		ASSERT_EQ(-1, dios_test_check(r.buf, 64, i));
		ASSERT_EQ(0, dios_chan_recv_release(DIOS_IO_REARM, &self->b,
						    &r));
	}
	EXPECT_EQ(-1, dios_test_check(r.buf, 64, 9));
	EXPECT_EQ(0, dios_chan_recv_release(0, &self->b, &r));
	EXPECT_EQ(0, dios_release_write(0, self->a.tx, &w));
}

/* The zero-copy calls wait for the far end like the others. */
TEST_F(named, zero_copy_waits_for_connect)
{
	struct dios_iovec w = dios_test_iov(0);

	EXPECT_EQ(-EAGAIN, dios_chan_send_acquire(DIOS_NONBLOCK, &self->c, 1,
						  &w));
	EXPECT_EQ(-EAGAIN, dios_chan_recv_acquire(DIOS_NONBLOCK, &self->c,
						  &w));
}

/*
 * The copying calls map no view at all: the kernel copies each payload
 * once, in (send) and once out (recv), and nothing else.
 */
TEST_F(pair, copying_maps_nothing)
{
	long views, copied;
	int i;

	views = dios_test_stat("views_mapped");
	copied = dios_test_stat("bytes_copied");
	if (views < 0 || copied < 0)
		SKIP(return, "no /sys/kernel/debug/dios/stats");
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, send_pat(0, &self->a, 64, i));
		ASSERT_EQ(0, recv_pat(0, &self->b, 64, i));
	}
	EXPECT_EQ(views, dios_test_stat("views_mapped"));
	EXPECT_EQ(copied + 2 * 64 * 200, dios_test_stat("bytes_copied"));
}

/* ---- argument errors: unknown flags ------------------------------------ */

TEST(create_unknown_flag)
{
	struct dios_name names[2];
	struct dios_chan c;

	DIOS_REQUIRE(FEATS);
	EXPECT_EQ(-EINVAL, dios_chan_create(BAD_FLAG, 0, &c, names));
}

TEST(create_anon_flag)
{
	struct dios_name names[2];
	struct dios_chan c;

	DIOS_REQUIRE(FEATS);
	EXPECT_EQ(-EINVAL, dios_chan_create(DIOS_CREATE_ANON, 0, &c, names));
}

TEST(pair_unknown_flag)
{
	dios_ref_t peer[2];
	struct dios_chan c;

	DIOS_REQUIRE(FEATS);
	EXPECT_EQ(-EINVAL, dios_chan_pair(BAD_FLAG, 0, &c, peer));
}

TEST_F(named, open_unknown_flag)
{
	struct dios_chan far;

	EXPECT_EQ(-EINVAL, dios_chan_open(BAD_FLAG, self->names, &far));
}

TEST_F(named, accept_unknown_flag)
{
	EXPECT_EQ(-EINVAL, dios_chan_accept(BAD_FLAG, &self->c));
}

TEST_F(pair, send_unknown_flag)
{
	EXPECT_EQ(-EINVAL, send_pat(BAD_FLAG, &self->a, 1, 1));
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, &self->b, 0, 0));
}

TEST_F(pair, recv_unknown_flag)
{
	ASSERT_EQ(0, send_pat(0, &self->a, 1, 1));
	EXPECT_EQ(-EINVAL, recv_pat(BAD_FLAG, &self->b, 1, 1));
}

TEST_F(pair, call_unknown_flag)
{
	uint8_t buf[8];

	EXPECT_EQ(-EINVAL, dios_chan_call(BAD_FLAG, &self->a, "x", 1, buf,
					  sizeof(buf), NULL));
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, &self->b, 0, 0));
}

TEST_F(pair, send_refs_unknown_flag)
{
	EXPECT_EQ(-EINVAL, dios_chan_send_refs(BAD_FLAG, &self->a, "x", 1,
					       NULL, 0));
}

TEST_F(pair, recv_refs_unknown_flag)
{
	dios_ref_t got[1];
	uint32_t n = 1;
	char c;

	ASSERT_EQ(0, send_pat(0, &self->a, 1, 1));
	EXPECT_EQ(-EINVAL, dios_chan_recv_refs(BAD_FLAG, &self->b, &c, 1, got,
					       &n));
}

TEST_F(pair, send_acquire_unknown_flag)
{
	struct dios_iovec w = dios_test_iov(0);

	EXPECT_EQ(-EINVAL, dios_chan_send_acquire(BAD_FLAG, &self->a, 1, &w));
}

TEST_F(pair, send_commit_unknown_flag)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, dios_chan_send_acquire(0, &self->a, 1, &w));
	EXPECT_EQ(-EINVAL, dios_chan_send_commit(BAD_FLAG, &self->a, 1, &w));
	EXPECT_EQ(0, dios_chan_send_commit(0, &self->a, 1, &w));
}

TEST_F(pair, recv_acquire_unknown_flag)
{
	struct dios_iovec r = dios_test_iov(0);

	EXPECT_EQ(-EINVAL, dios_chan_recv_acquire(BAD_FLAG, &self->b, &r));
}

TEST_F(pair, recv_release_unknown_flag)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, send_pat(0, &self->a, 1, 1));
	ASSERT_EQ(0, dios_chan_recv_acquire(0, &self->b, &r));
	EXPECT_EQ(-EINVAL, dios_chan_recv_release(BAD_FLAG, &self->b, &r));
	EXPECT_EQ(0, dios_chan_recv_release(0, &self->b, &r));
}

/* ---- argument errors: NULL pointers (-EFAULT, as dios_create's) -------- */

TEST(create_null_chan)
{
	struct dios_name names[2];

	DIOS_REQUIRE(FEATS);
	EXPECT_EQ(-EFAULT, dios_chan_create(0, 0, NULL, names));
}

TEST(create_null_names)
{
	struct dios_chan c;

	DIOS_REQUIRE(FEATS);
	EXPECT_EQ(-EFAULT, dios_chan_create(0, 0, &c, NULL));
}

TEST(pair_null_chan)
{
	dios_ref_t peer[2];

	DIOS_REQUIRE(FEATS);
	EXPECT_EQ(-EFAULT, dios_chan_pair(0, 0, NULL, peer));
}

TEST(pair_null_peer)
{
	struct dios_chan c;

	DIOS_REQUIRE(FEATS);
	EXPECT_EQ(-EFAULT, dios_chan_pair(0, 0, &c, NULL));
}

TEST_F(named, open_null_names)
{
	struct dios_chan far;

	EXPECT_EQ(-EFAULT, dios_chan_open(0, NULL, &far));
}

TEST_F(named, open_null_chan)
{
	EXPECT_EQ(-EFAULT, dios_chan_open(0, self->names, NULL));
}

TEST(accept_null_chan)
{
	DIOS_REQUIRE(FEATS);
	EXPECT_EQ(-EFAULT, dios_chan_accept(0, NULL));
}

TEST(close_null_chan)
{
	DIOS_REQUIRE(FEATS);
	EXPECT_EQ(-EFAULT, dios_chan_close(NULL));
}

TEST_F(pair, send_null_buf)
{
	EXPECT_EQ(-EFAULT, dios_chan_send(0, &self->a, NULL, 1));
}

TEST_F(pair, send_null_chan)
{
	EXPECT_EQ(-EFAULT, dios_chan_send(0, NULL, "x", 1));
}

TEST_F(pair, recv_null_buf)
{
	ASSERT_EQ(0, send_pat(0, &self->a, 1, 1));
	EXPECT_EQ(-EFAULT, dios_chan_recv(0, &self->b, NULL, 1));
	EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, &self->b, 1, 1));
}

TEST_F(pair, call_null_pointers)
{
	uint8_t buf[8];

	EXPECT_EQ(-EFAULT, dios_chan_call(0, NULL, "x", 1, buf, 8, NULL));
	EXPECT_EQ(-EFAULT, dios_chan_call(0, &self->a, NULL, 1, buf, 8, NULL));
	EXPECT_EQ(-EFAULT, dios_chan_call(0, &self->a, "x", 1, NULL, 8, NULL));
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, &self->b, 0, 0));
}

TEST_F(pair, send_refs_null_refs)
{
	EXPECT_EQ(-EFAULT, dios_chan_send_refs(0, &self->a, "x", 1, NULL, 1));
}

TEST_F(pair, recv_refs_null_count)
{
	dios_ref_t got[1];
	char c;

	EXPECT_EQ(-EFAULT, dios_chan_recv_refs(0, &self->b, &c, 1, got,
					       NULL));
}

TEST_F(pair, recv_refs_null_refs)
{
	uint32_t n = 1;
	char c;

	EXPECT_EQ(-EFAULT, dios_chan_recv_refs(0, &self->b, &c, 1, NULL, &n));
}

TEST_F(pair, send_acquire_null_iov)
{
	EXPECT_EQ(-EFAULT, dios_chan_send_acquire(0, &self->a, 1, NULL));
}

TEST_F(pair, send_commit_null_iov)
{
	EXPECT_EQ(-EFAULT, dios_chan_send_commit(0, &self->a, 1, NULL));
}

TEST_F(pair, recv_acquire_null_iov)
{
	EXPECT_EQ(-EFAULT, dios_chan_recv_acquire(0, &self->b, NULL));
}

TEST_F(pair, recv_release_null_iov)
{
	EXPECT_EQ(-EFAULT, dios_chan_recv_release(0, &self->b, NULL));
}

/* ---- nothing leaks ---------------------------------------------------- */

/*
 * Named channels opened, used (with a reference carried) and closed by
 * both sides, pairs made and closed, a creator that never connected: every
 * stream, name and reference is gone afterwards.
 */
TEST(nothing_leaks)
{
	const char *keys[] = { "objects_stream", "objects_shmem", "names",
			       "refs" };
	long before[ARRAY_LEN(keys)];
	struct dios_name names[2];
	struct dios_chan c, p;
	dios_ref_t peer[2], obj;
	size_t k;
	pid_t pid;

	DIOS_REQUIRE(FEATS);
	for (k = 0; k < ARRAY_LEN(keys); k++) {
		before[k] = dios_test_stat(keys[k]);
		if (before[k] < 0)
			SKIP(return, "no /sys/kernel/debug/dios/stats");
	}
	ASSERT_EQ(0, dios_chan_create(0, 0, &c, names));
	FAR_END(pid, names, far, {
		dios_ref_t got[1];
		uint32_t n = 1;

		ASSERT_EQ(0, dios_chan_recv_refs(0, &far, NULL, 0, got, &n));
		ASSERT_EQ(0, send_pat(0, &far, 5, 5));
		ASSERT_EQ(0, dios_chan_close(&far));
	});
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &obj,
				      NULL));
	ASSERT_EQ(0, dios_chan_send_refs(0, &c, NULL, 0, &obj, 1));
	EXPECT_EQ(0, recv_pat(0, &c, 5, 5));
	EXPECT_EQ(-EPIPE, recv_pat(0, &c, 0, 0));
	EXPECT_EQ(0, dios_test_wait(pid));
	ASSERT_EQ(0, dios_chan_close(&c));
	/* A pair whose peer references are dropped unused. */
	ASSERT_EQ(0, dios_chan_pair(0, 0, &p, peer));
	ASSERT_EQ(0, send_pat(0, &p, 9, 9));
	ASSERT_EQ(0, dios_delete(0, peer[0]));
	ASSERT_EQ(0, dios_delete(0, peer[1]));
	ASSERT_EQ(0, dios_chan_close(&p));
	/* A creator whose far end never came. */
	ASSERT_EQ(0, dios_chan_create(0, 0, &c, names));
	ASSERT_EQ(0, dios_chan_close(&c));
	for (k = 0; k < ARRAY_LEN(keys); k++)
		EXPECT_EQ(before[k], dios_test_stat_settles(keys[k], before[k],
							     SETTLE_MS))
			TH_LOG("%s", keys[k]);
}

TEST_HARNESS_MAIN
