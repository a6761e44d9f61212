// SPDX-License-Identifier: GPL-2.0
/*
 * Stream I/O: a FIFO of whole messages in a ring of shared pages.  Order
 * and framing over many wrap-arounds, putting a message back, abandoning a
 * reservation, full and empty with and without blocking, wake-ups from
 * another process, -EMSGSIZE, -EPIPE, -EIDRM, signals, a reader killed
 * holding a message, DIOS_IO_REARM and buffer reuse.  docs/io.md.
 *
 * Cross-process tests find the stream by its name; a process waiting for
 * another to block polls its state in /proc (S: asleep in the call).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP		(4 * 4096)
#define SLEEP_MS	20000	/* waiting for the other process to block */

FIXTURE(stream) {
	dios_ref_t s;
	struct dios_name name;
};

FIXTURE_SETUP(stream)
{
	struct dios_create_args a = { .capacity = CAP };

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &self->s,
				 &self->name));
}

FIXTURE_TEARDOWN(stream)
{
}

/* The zero-copy helpers of dios_test.h, under short names. */
#define send_msg	dios_test_send_msg
#define recv_msg	dios_test_recv_msg

TEST_F(stream, one_message)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 5, &w));
	EXPECT_LE(5, w.len);
	memcpy(w.buf, "hello", 5);
	ASSERT_EQ(0, dios_commit_write(0, self->s, 5, &w));
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	EXPECT_EQ(5, r.len);
	EXPECT_EQ(0, memcmp(r.buf, "hello", 5));
	EXPECT_EQ(0, dios_commit_read(0, self->s, &r));
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
}

/* A commit of fewer bytes than reserved is a message of that length. */
TEST_F(stream, commit_shorter_than_reserved)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 1000, &w));
	dios_test_fill(w.buf, 10, 1);
	ASSERT_EQ(0, dios_commit_write(0, self->s, 10, &w));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 10, 1));
}

TEST_F(stream, commit_longer_than_reserved)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 100, &w));
	EXPECT_EQ(-EINVAL, dios_commit_write(0, self->s, 101, &w));
	EXPECT_EQ(0, dios_release_write(0, self->s, &w));
}

static uint64_t next_len(uint64_t *state)
{
	static const uint64_t fixed[] = { 1, CAP, 4095, 4096, 4097, 2,
					  CAP - 1, 3 * 4096 + 1, 8191 };

	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	if ((*state >> 60) < ARRAY_LEN(fixed))
		return fixed[*state >> 60];
	return 1 + (*state >> 33) % CAP;
}

/*
 * Many messages of sizes from 1 byte to the capacity, written as long as
 * they fit and read back when the ring is full: the ring wraps around many
 * times, and every message comes back whole, in order, with its length.
 */
TEST_F(stream, fifo_varied_sizes)
{
	enum { N = 300 };
	uint64_t lens[N], state = 1, bytes = 0;
	int sent = 0, rcvd = 0, chosen = 0, ret;

	while (rcvd < N) {
		if (sent < N) {
			if (chosen == sent)
				lens[chosen++] = next_len(&state);
			ret = send_msg(DIOS_NONBLOCK, self->s, lens[sent],
				       sent);
			if (ret == 0) {
				bytes += lens[sent++];
				continue;
			}
			ASSERT_EQ(-EAGAIN, ret) TH_LOG("message %d", sent);
			/* Full: an empty ring takes any message. */
			ASSERT_LT(rcvd, sent) TH_LOG("message %d did not fit "
						     "an empty ring", sent);
		}
		ret = recv_msg(DIOS_NONBLOCK, self->s, lens[rcvd], rcvd);
		ASSERT_EQ(0, ret) TH_LOG("message %d of %llu bytes", rcvd,
					 (unsigned long long)lens[rcvd]);
		rcvd++;
	}
	EXPECT_LT(4 * CAP, bytes);
	EXPECT_EQ(-EAGAIN, recv_msg(DIOS_NONBLOCK, self->s, 0, 0));
}

/* Whole messages in FIFO order when several are queued. */
TEST_F(stream, fifo_queued)
{
	int i;

	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, send_msg(DIOS_NONBLOCK, self->s, 100 + i, i));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 100 + i, i));
}

TEST_F(stream, release_read_keeps_head)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(0, self->s, 33, 1));
	ASSERT_EQ(0, send_msg(0, self->s, 44, 2));
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	EXPECT_EQ(33, r.len);
	ASSERT_EQ(0, dios_release_read(0, self->s, &r));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 33, 1));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 44, 2));
}

TEST_F(stream, release_write_abandons)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 100, &w));
	dios_test_fill(w.buf, 100, 1);
	ASSERT_EQ(0, dios_release_write(0, self->s, &w));
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
	/* The space is free again: a full-capacity message fits. */
	EXPECT_EQ(0, send_msg(DIOS_NONBLOCK, self->s, CAP, 2));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, CAP, 2));
}

TEST_F(stream, nonblock_empty)
{
	struct dios_iovec r = dios_test_iov(0);

	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
}

TEST_F(stream, nonblock_full)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(0, self->s, CAP, 1));
	EXPECT_EQ(-EAGAIN, dios_acquire_write(DIOS_NONBLOCK, self->s, 1, &w));
}

TEST_F(stream, write_larger_than_capacity)
{
	struct dios_iovec w = dios_test_iov(0);

	EXPECT_EQ(-EMSGSIZE, dios_acquire_write(0, self->s, CAP + 1, &w));
}

TEST_F(stream, read_limit_too_small)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(0, self->s, 100, 1));
	EXPECT_EQ(-EMSGSIZE, dios_acquire_read(0, self->s, 50, &r));
	EXPECT_EQ(100, r.len);
	/* The message stays at the head. */
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 100, 1));
}

TEST_F(stream, offset_must_be_zero)
{
	struct dios_iovec w = dios_test_iov(8), r = dios_test_iov(8);

	EXPECT_EQ(-EINVAL, dios_acquire_write(0, self->s, 1, &w));
	ASSERT_EQ(0, send_msg(0, self->s, 1, 1));
	EXPECT_EQ(-EINVAL, dios_acquire_read(0, self->s, CAP, &r));
}

TEST_F(stream, read_only_cannot_write)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	EXPECT_EQ(-EACCES, dios_acquire_write(0, ro, 1, &w));
}

TEST_F(stream, write_only_cannot_read)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t wo;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &wo));
	EXPECT_EQ(-EACCES, dios_acquire_read(0, wo, CAP, &r));
}

TEST_F(stream, second_read_is_ebusy)
{
	struct dios_iovec a = dios_test_iov(0), b = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(0, self->s, 1, 1));
	ASSERT_EQ(0, send_msg(0, self->s, 2, 2));
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &a));
	EXPECT_EQ(-EBUSY, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &b));
	EXPECT_EQ(0, dios_commit_read(0, self->s, &a));
}

TEST_F(stream, reserve_zero_is_einval)
{
	struct dios_iovec w = dios_test_iov(0);

	EXPECT_EQ(-EINVAL, dios_acquire_write(0, self->s, 0, &w));
}

/* A commit of 0 bytes is an empty message. */
TEST_F(stream, empty_message)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 10, &w));
	ASSERT_EQ(0, dios_commit_write(0, self->s, 0, &w));
	ASSERT_EQ(0, send_msg(0, self->s, 5, 1));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 0, 0));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 5, 1));
}

TEST_F(stream, overwrite_is_einval)
{
	struct dios_iovec w = dios_test_iov(0);

	EXPECT_EQ(-EINVAL, dios_acquire_write(DIOS_IO_OVERWRITE, self->s, 1,
					      &w));
}

/* One reader holds the head at a time: another reference waits. */
TEST_F(stream, head_held_by_other_reader)
{
	struct dios_iovec a = dios_test_iov(0), b = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, send_msg(0, self->s, 1, 1));
	ASSERT_EQ(0, send_msg(0, self->s, 2, 2));
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &a));
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, other, CAP, &b));
	ASSERT_EQ(0, dios_commit_read(0, self->s, &a));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, other, 2, 2));
}

/* Deleting a reader's reference while it holds a message puts it back. */
TEST_F(stream, delete_reader_puts_message_back)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, send_msg(0, self->s, 7, 7));
	ASSERT_EQ(0, dios_acquire_read(0, other, CAP, &r));
	ASSERT_EQ(0, dios_delete(0, other));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 7, 7));
}

/* Deleting a writer's reference abandons its reservation. */
TEST_F(stream, delete_writer_abandons_reservation)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_acquire_write(0, other, CAP, &w));
	ASSERT_EQ(0, dios_delete(0, other));
	EXPECT_EQ(0, send_msg(DIOS_NONBLOCK, self->s, CAP, 3));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, CAP, 3));
}

/* At most one message per 8 bytes of ring is queued. */
TEST_F(stream, message_count_limit)
{
	int n = 0, ret;

	while ((ret = send_msg(DIOS_NONBLOCK, self->s, 1, n)) == 0)
		n++;
	EXPECT_EQ(-EAGAIN, ret);
	EXPECT_EQ(CAP / 8, n);
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 1, 0));
	EXPECT_EQ(0, send_msg(DIOS_NONBLOCK, self->s, 1, n));
}

/*
 * The kernel keeps the queue as a ring of entries that grows as messages
 * pile up and is given back once empty: fill it to the message limit
 * (every doubling), drain half, wrap the entries around while refilling,
 * drain in order; then again, on a queue given back and grown anew.
 */
TEST_F(stream, queue_grows_wraps_and_shrinks)
{
	int round, sent, got, n;

	for (round = 0; round < 2; round++) {
		sent = got = 0;
		while (send_msg(DIOS_NONBLOCK, self->s, 1 + sent % 7, sent) == 0)
			sent++;
		ASSERT_GT(sent, CAP / 8 / 2);
		for (n = sent / 2; got < n; got++)
			ASSERT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s,
					      1 + got % 7, got));
		while (send_msg(DIOS_NONBLOCK, self->s, 1 + sent % 7, sent) == 0)
			sent++;
		ASSERT_GE(sent - got, CAP / 8 / 2);
		for (; got < sent; got++)
			ASSERT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s,
					      1 + got % 7, got));
		EXPECT_EQ(-EAGAIN, recv_msg(DIOS_NONBLOCK, self->s, 1, 0));
	}
}

#define GROW_MSGS	20000

struct grow_reader {
	dios_ref_t s;
	int bad;
};

static void *grow_reader_fn(void *arg)
{
	struct grow_reader *gr = arg;
	int i;

	for (i = 0; i < GROW_MSGS && !gr->bad; i++)
		if (recv_msg(0, gr->s, 8 + i % 9, i))
			gr->bad = i + 1;
	return NULL;
}

/*
 * A writer running ahead grows the queue while a reader consumes from it
 * on the other side of the same reference: every message arrives once, in
 * order, whole.
 */
TEST_F(stream, queue_grows_while_read)
{
	struct grow_reader gr = { .s = self->s };
	pthread_t t;
	int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, grow_reader_fn, &gr));
	for (i = 0; i < GROW_MSGS; i++) {
		ASSERT_EQ(0, send_msg(0, self->s, 8 + i % 9, i));
		/* Now and then let the reader drain the queue. */
		if (i % 4096 == 4095)
			usleep(20000);
	}
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, gr.bad);
}

struct side_reader {
	dios_ref_t s;
	pid_t tid;
	int ret;
	uint64_t len;
};

static void *side_reader_fn(void *arg)
{
	struct side_reader *sr = arg;
	struct dios_iovec r = dios_test_iov(0);

	__atomic_store_n(&sr->tid, gettid(), __ATOMIC_RELEASE);
	sr->ret = dios_acquire_read(0, sr->s, CAP, &r);
	sr->len = r.len;
	if (!sr->ret)
		sr->ret = dios_commit_read(0, sr->s, &r);
	return NULL;
}

/*
 * A thread blocked reading on a reference leaves the reference's write
 * side usable: another thread writes through the same reference and wakes
 * it.
 */
TEST_F(stream, sides_independent)
{
	struct side_reader sr = { .s = self->s };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, side_reader_fn, &sr));
	while (!__atomic_load_n(&sr.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	EXPECT_EQ(0, dios_test_wait_sleeping(sr.tid, SLEEP_MS));
	ASSERT_EQ(0, send_msg(0, self->s, 9, 9));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, sr.ret);
	EXPECT_EQ(9, sr.len);
}

/* The last writer reference is deleted: readers drain, then -EPIPE. */
TEST_F(stream, last_writer_gone)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, send_msg(0, self->s, 10, 1));
	ASSERT_EQ(0, send_msg(0, self->s, 20, 2));
	ASSERT_EQ(0, dios_delete(0, self->s));
	EXPECT_EQ(0, recv_msg(0, ro, 10, 1));
	EXPECT_EQ(0, recv_msg(0, ro, 20, 2));
	EXPECT_EQ(-EPIPE, dios_acquire_read(DIOS_NONBLOCK, ro, CAP, &r));
	/* Blocking too: nobody can ever write again. */
	EXPECT_EQ(-EPIPE, dios_acquire_read(0, ro, CAP, &r));
}

TEST_F(stream, no_reader_left)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t wo;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &wo));
	ASSERT_EQ(0, dios_delete(0, self->s));
	EXPECT_EQ(-EPIPE, dios_acquire_write(0, wo, 1, &w));
}

/* The reader blocks on an empty stream until another process writes. */
TEST_F(stream, blocked_reader_woken)
{
	pid_t parent = getpid(), pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, send_msg(0, s, 77, 7));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, recv_msg(0, self->s, 77, 7));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* The writer blocks on a full stream until another process reads. */
TEST_F(stream, blocked_writer_woken)
{
	pid_t parent = getpid(), pid;

	ASSERT_EQ(0, send_msg(0, self->s, CAP, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, recv_msg(0, s, CAP, 1));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, send_msg(0, self->s, 100, 2));
	EXPECT_EQ(0, dios_test_wait(pid));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 100, 2));
}

/* Another process zombifies the stream: the blocked reader gets -EIDRM. */
TEST_F(stream, zombify_wakes_reader)
{
	struct dios_iovec r = dios_test_iov(0);
	pid_t parent = getpid(), pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, s));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(-EIDRM, dios_acquire_read(0, self->s, CAP, &r));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * A signal handled with SA_RESTART: the blocked acquire runs the handler
 * and waits again, and gets the message sent after it.
 */
TEST_F(stream, signal_restarts)
{
	pid_t parent = getpid(), pid;

	ASSERT_EQ(0, dios_test_set_sigusr1(SA_RESTART));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		dios_test_interrupt(parent, SLEEP_MS, true);
		ASSERT_EQ(0, send_msg(0, s, 5, 5));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, recv_msg(0, self->s, 5, 5));
	EXPECT_EQ(1, dios_test_sig_count);
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* Without SA_RESTART the blocked acquire returns -EINTR. */
TEST_F(stream, signal_interrupts)
{
	struct dios_iovec r = dios_test_iov(0);
	pid_t parent = getpid(), pid;

	ASSERT_EQ(0, dios_test_set_sigusr1(0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_test_interrupt(parent, SLEEP_MS, false);
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(-EINTR, dios_acquire_read(0, self->s, CAP, &r));
	EXPECT_EQ(1, dios_test_sig_count);
	EXPECT_EQ(0, dios_test_wait(pid));
	/* Nothing is held: a message can be read normally. */
	ASSERT_EQ(0, send_msg(0, self->s, 3, 3));
	EXPECT_EQ(0, recv_msg(0, self->s, 3, 3));
}

/*
 * A reader killed while holding an uncommitted message: the message goes
 * back to the head and the next reader gets it.
 */
TEST_F(stream, killed_reader_message_returns)
{
	int ready[2], i, ret;
	pid_t pid;
	char c;

	ASSERT_EQ(0, send_msg(0, self->s, 123, 9));
	ASSERT_EQ(0, send_msg(0, self->s, 45, 10));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dios_iovec r = dios_test_iov(0);
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		ASSERT_EQ(0, dios_acquire_read(0, s, CAP, &r));
		ASSERT_EQ(123, r.len);
		ASSERT_EQ(0, dios_test_write(ready[1], "r", 1));
		for (;;)
			pause();
	}
	close(ready[1]);
	ASSERT_EQ(0, dios_test_read(ready[0], &c, 1));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
	/* The dead task's context may be torn down a little later. */
	for (i = 0; i < 2000; i++) {
		ret = recv_msg(DIOS_NONBLOCK, self->s, 123, 9);
		if (ret != -EAGAIN && ret != -EBUSY)
			break;
		usleep(1000);
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 45, 10));
}

/*
 * DIOS_IO_REARM: each commit acquires the next buffer in the same call, on
 * both sides, one system call per message each way in steady state.
 */
TEST_F(stream, rearm_both_sides)
{
	enum { N = 100, LEN = 64 };
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	dios_ref_t wo, ro;
	int i;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &wo));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	w.next_len = LEN;
	r.next_len = CAP;
	ASSERT_EQ(0, dios_acquire_write(0, wo, LEN, &w));
	dios_test_fill(w.buf, LEN, 0);
	ASSERT_EQ(0, dios_commit_write(DIOS_IO_REARM, wo, LEN, &w));
	ASSERT_NE(NULL, w.buf);
	EXPECT_LE(LEN, w.len);
	ASSERT_EQ(0, dios_acquire_read(0, ro, CAP, &r));
	for (i = 1; i < N; i++) {
		/* r holds message i - 1, w a reservation for message i. */
		ASSERT_EQ(LEN, r.len);
		ASSERT_EQ(-1, dios_test_check(r.buf, LEN, i - 1));
		dios_test_fill(w.buf, LEN, i);
		ASSERT_EQ(0, dios_commit_write(DIOS_IO_REARM, wo, LEN, &w))
			TH_LOG("message %d", i);
		ASSERT_EQ(0, dios_commit_read(DIOS_IO_REARM, ro, &r))
			TH_LOG("message %d", i);
	}
	ASSERT_EQ(LEN, r.len);
	EXPECT_EQ(-1, dios_test_check(r.buf, LEN, N - 1));
	EXPECT_EQ(0, dios_commit_read(0, ro, &r));
	EXPECT_EQ(0, dios_release_write(0, wo, &w));
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, ro, CAP, &r));
}

static size_t read_maps(char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/*
 * Buffers stay mapped: after the first message the task's mappings do not
 * change however many messages go through, wrapping around the ring, and
 * each direction's buffers lie within one view of twice the capacity.
 */
TEST_F(stream, buffers_stay_mapped)
{
	static char before[16384], after[16384];
	uintptr_t wmin = UINTPTR_MAX, wmax = 0, rmin = UINTPTR_MAX, rmax = 0;
	uint64_t len = 3000;
	int i;

	ASSERT_EQ(0, send_msg(0, self->s, len, 0));
	ASSERT_EQ(0, recv_msg(0, self->s, len, 0));
	ASSERT_LT(0, read_maps(before, sizeof(before)));
	for (i = 1; i < 40; i++) {
		struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);

		ASSERT_EQ(0, dios_acquire_write(0, self->s, len, &w));
		if ((uintptr_t)w.buf < wmin)
			wmin = (uintptr_t)w.buf;
		if ((uintptr_t)w.buf + len > wmax)
			wmax = (uintptr_t)w.buf + len;
		dios_test_fill(w.buf, len, i);
		ASSERT_EQ(0, dios_commit_write(0, self->s, len, &w));
		ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
		if ((uintptr_t)r.buf < rmin)
			rmin = (uintptr_t)r.buf;
		if ((uintptr_t)r.buf + len > rmax)
			rmax = (uintptr_t)r.buf + len;
		EXPECT_EQ(-1, dios_test_check(r.buf, len, i));
		ASSERT_EQ(0, dios_commit_read(0, self->s, &r));
	}
	ASSERT_LT(0, read_maps(after, sizeof(after)));
	EXPECT_EQ(0, strcmp(before, after));
	/* Every buffer lies in the view: the ring mapped twice. */
	EXPECT_GE(2 * CAP, wmax - wmin);
	EXPECT_GE(2 * CAP, rmax - rmin);
}

TEST_F(stream, zombie_is_eidrm)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->s));
	EXPECT_EQ(-EIDRM, dios_acquire_write(0, other, 1, &w));
}

/* A re-arming commit whose acquire fails: the commit stays done. */
TEST_F(stream, rearm_fails_commit_stays)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(0, self->s, 10, 1));
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	r.next_len = CAP;
	EXPECT_EQ(-EAGAIN, dios_commit_read(DIOS_IO_REARM | DIOS_NONBLOCK,
					    self->s, &r));
	/* No buffer is open, and the message was consumed. */
	EXPECT_EQ(-EINVAL, dios_release_read(0, self->s, &r));
	ASSERT_EQ(0, send_msg(0, self->s, 20, 2));
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 20, 2));
}

/* A re-arming read whose next message is too long: -EMSGSIZE, it stays. */
TEST_F(stream, rearm_next_message_too_long)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(0, self->s, 10, 1));
	ASSERT_EQ(0, send_msg(0, self->s, 100, 2));
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	r.next_len = 50;
	EXPECT_EQ(-EMSGSIZE, dios_commit_read(DIOS_IO_REARM, self->s, &r));
	EXPECT_EQ(100, r.len);
	EXPECT_EQ(0, recv_msg(DIOS_NONBLOCK, self->s, 100, 2));
}

/*
 * A reader blocked on an empty stream wakes with -EPIPE when the last
 * writer reference, held by another process, is deleted.
 */
TEST_F(stream, last_writer_gone_wakes_reader)
{
	struct dios_iovec r = dios_test_iov(0);
	pid_t parent = getpid(), pid;
	int ready[2];
	dios_ref_t ro;
	char c;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		ASSERT_EQ(0, dios_test_write(ready[1], "r", 1));
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, dios_delete(0, s));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_test_read(ready[0], &c, 1));
	ASSERT_EQ(0, dios_delete(0, self->s));
	EXPECT_EQ(-EPIPE, dios_acquire_read(0, ro, CAP, &r));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * A writer blocked on a full stream wakes with -EPIPE when the last reader
 * reference, held by another process, is deleted.
 */
TEST_F(stream, last_reader_gone_wakes_writer)
{
	struct dios_iovec w = dios_test_iov(0);
	pid_t parent = getpid(), pid;
	int ready[2];
	dios_ref_t wo;
	char c;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &wo));
	ASSERT_EQ(0, send_msg(0, self->s, CAP, 1));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		ASSERT_EQ(0, dios_test_write(ready[1], "r", 1));
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, dios_delete(0, s));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_test_read(ready[0], &c, 1));
	ASSERT_EQ(0, dios_delete(0, self->s));
	EXPECT_EQ(-EPIPE, dios_acquire_write(0, wo, 100, &w));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* Another process zombifies the stream: the blocked writer gets -EIDRM. */
TEST_F(stream, zombify_wakes_writer)
{
	struct dios_iovec w = dios_test_iov(0);
	pid_t parent = getpid(), pid;

	ASSERT_EQ(0, send_msg(0, self->s, CAP, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, s));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(-EIDRM, dios_acquire_write(0, self->s, 100, &w));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* Message @seq of writer @id: a header, then pattern bytes. */
struct tagged {
	uint32_t id;
	uint32_t seq;
};

static uint64_t tagged_len(uint32_t id, uint32_t seq)
{
	return sizeof(struct tagged) + (id * 1237 + seq * 577) % 3000;
}

static int send_tagged(dios_ref_t s, uint32_t id, uint32_t seq)
{
	struct dios_iovec w = dios_test_iov(0);
	uint64_t len = tagged_len(id, seq);
	struct tagged t = { id, seq };
	int ret = dios_acquire_write(0, s, len, &w);

	if (ret)
		return ret;
	memcpy(w.buf, &t, sizeof(t));
	dios_test_fill((char *)w.buf + sizeof(t), len - sizeof(t),
		       id * 1000 + seq);
	return dios_commit_write(0, s, len, &w);
}

/* Receive one tagged message and check it is whole: 0, -errno, or 1. */
static int recv_tagged(dios_ref_t s, struct tagged *t)
{
	struct dios_iovec r = dios_test_iov(0);
	int ret = dios_acquire_read(0, s, CAP, &r);

	if (ret)
		return ret;
	ret = 1;
	if (r.len >= sizeof(*t)) {
		memcpy(t, r.buf, sizeof(*t));
		if (r.len == tagged_len(t->id, t->seq) &&
		    dios_test_check((char *)r.buf + sizeof(*t),
				    r.len - sizeof(*t),
				    t->id * 1000 + t->seq) == -1)
			ret = 0;
	}
	dios_commit_read(0, s, &r);
	return ret;
}

/*
 * Two processes write concurrently: reservations are serialised, so every
 * message arrives whole, and each writer's messages in its order.
 */
TEST_F(stream, two_writers_whole_messages)
{
	enum { M = 60 };
	uint32_t next[3] = { 0, 0, 0 };
	pid_t pids[2];
	struct tagged t;
	int i, k;

	for (k = 0; k < 2; k++) {
		pids[k] = fork();
		ASSERT_LE(0, pids[k]);
		if (pids[k] == 0) {
			dios_ref_t s;

			ASSERT_EQ(0, dios_lookup(0, &self->name,
						 DIOS_REF_NONE, &s));
			for (i = 0; i < M; i++)
				ASSERT_EQ(0, send_tagged(s, k + 1, i));
			DIOS_CHILD_EXIT();
		}
	}
	for (i = 0; i < 2 * M; i++) {
		ASSERT_EQ(0, recv_tagged(self->s, &t)) TH_LOG("message %d", i);
		ASSERT_TRUE(t.id == 1 || t.id == 2);
		ASSERT_EQ(next[t.id], t.seq);
		next[t.id]++;
	}
	for (k = 0; k < 2; k++)
		EXPECT_EQ(0, dios_test_wait(pids[k]));
}

/*
 * Two reader processes share a stream: each message goes to exactly one
 * of them.  The readers' references are read-only (the name grants READ),
 * so they see -EPIPE once the writer is gone and the queue is drained.
 */
TEST(two_readers_each_message_once)
{
	enum { M = 60 };
	struct dios_create_args a = {
		.capacity = CAP, .name_rights = DIOS_RIGHT_READ,
	};
	int ready[2], seqs[2], count[M], i, k, n = 0;
	struct dios_name name;
	pid_t pids[2];
	dios_ref_t s;
	uint32_t seq;
	char c;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &s, &name));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(seqs));
	for (k = 0; k < 2; k++) {
		pids[k] = fork();
		ASSERT_LE(0, pids[k]);
		if (pids[k] == 0) {
			struct tagged t;
			dios_ref_t r;
			int ret;

			close(seqs[0]);
			ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &r));
			ASSERT_EQ(0, dios_test_write(ready[1], "r", 1));
			while ((ret = recv_tagged(r, &t)) == 0)
				ASSERT_EQ(0, dios_test_write(seqs[1], &t.seq,
							     sizeof(t.seq)));
			EXPECT_EQ(-EPIPE, ret);
			DIOS_CHILD_EXIT();
		}
	}
	close(seqs[1]);
	for (i = 0; i < M; i++)
		ASSERT_EQ(0, send_tagged(s, 0, i));
	for (k = 0; k < 2; k++)
		ASSERT_EQ(0, dios_test_read(ready[0], &c, 1));
	ASSERT_EQ(0, dios_delete(0, s));
	memset(count, 0, sizeof(count));
	while (dios_test_read(seqs[0], &seq, sizeof(seq)) == 0) {
		ASSERT_GT(M, seq);
		count[seq]++;
		n++;
	}
	for (k = 0; k < 2; k++)
		EXPECT_EQ(0, dios_test_wait(pids[k]));
	EXPECT_EQ(M, n);
	for (i = 0; i < M; i++)
		EXPECT_EQ(1, count[i]) TH_LOG("message %d", i);
}

TEST_HARNESS_MAIN
