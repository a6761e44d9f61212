// SPDX-License-Identifier: GPL-2.0
/*
 * Copying stream I/O (DIOS_IOC_XFER; dios_send, dios_recv, dios_call): one
 * system call per message, no view, no buffer left open.  One test per
 * error path with otherwise valid input, FIFO order with zero-copy writers
 * and readers, a send-then-receive round trip between two processes,
 * signals, a task killed in a call, and that no view is ever mapped.
 * docs/io.md, "Copying I/O".
 *
 * Raw ioctls (xfer_raw) reach what libdios refuses before the kernel sees
 * it (NULL buffers) and read the reply's done and recv_len.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP		(4 * 4096)
#define SLEEP_MS	20000	/* waiting for the other process to block */
#define SETTLE_MS	5000	/* waiting for a dead task's teardown */
#define XFER_NR		0x16
#define FEATS		(DIOS_FEAT_IO_STREAM | DIOS_FEAT_IO_XFER)

FIXTURE(xfer) {
	dios_ref_t s;
	struct dios_name name;
};

FIXTURE_SETUP(xfer)
{
	struct dios_create_args a = { .capacity = CAP };

	DIOS_REQUIRE(FEATS);
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &self->s,
				 &self->name));
}

FIXTURE_TEARDOWN(xfer)
{
}

static int xfer_raw(struct dios_xfer_req *req)
{
	return dios_test_rw(XFER_NR, sizeof(*req), req);
}

/* A raw request of one half. */
static struct dios_xfer_req send_req(dios_ref_t s, const void *buf,
				     uint64_t len)
{
	struct dios_xfer_req req;

	memset(&req, 0, sizeof(req));
	req.flags = DIOS_XFER_SEND;
	req.send_ref = s;
	req.send_buf = (uintptr_t)buf;
	req.send_len = len;
	return req;
}

static struct dios_xfer_req recv_req(dios_ref_t s, void *buf, uint64_t cap)
{
	struct dios_xfer_req req;

	memset(&req, 0, sizeof(req));
	req.flags = DIOS_XFER_RECV;
	req.recv_ref = s;
	req.recv_buf = (uintptr_t)buf;
	req.recv_len = cap;
	return req;
}

/* Send @len pattern bytes of message @seq. */
static int send_pat(uint64_t flags, dios_ref_t s, uint64_t len, uint64_t seq)
{
	static uint8_t buf[CAP + 1];

	dios_test_fill(buf, len, seq);
	return dios_send(flags, s, buf, len);
}

/* Receive one message: 0 if it is @len pattern bytes of @seq, 1 if not. */
static int recv_pat(uint64_t flags, dios_ref_t s, uint64_t len, uint64_t seq)
{
	static uint8_t buf[CAP];
	int ret = dios_recv(flags, s, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	return (uint64_t)ret == len && dios_test_check(buf, len, seq) == -1 ?
	       0 : 1;
}

/* ---- messages ------------------------------------------------------------ */

TEST_F(xfer, one_message)
{
	char buf[16];

	ASSERT_EQ(0, dios_send(0, self->s, "hello", 5));
	EXPECT_EQ(5, dios_recv(0, self->s, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->s, buf,
				     sizeof(buf)));
}

TEST_F(xfer, zero_length)
{
	char c = 'x';

	ASSERT_EQ(0, dios_send(0, self->s, NULL, 0));
	EXPECT_EQ(0, dios_recv(0, self->s, NULL, 0));
	ASSERT_EQ(0, dios_send(0, self->s, &c, 0));
	EXPECT_EQ(0, dios_recv(0, self->s, &c, 1));
	EXPECT_EQ('x', c);
}

TEST_F(xfer, exactly_capacity)
{
	ASSERT_EQ(0, send_pat(0, self->s, CAP, 1));
	EXPECT_EQ(-EAGAIN, send_pat(DIOS_NONBLOCK, self->s, 1, 2));
	EXPECT_EQ(0, recv_pat(0, self->s, CAP, 1));
}

TEST_F(xfer, send_too_big)
{
	struct dios_xfer_req req;
	static uint8_t buf[CAP + 1];

	EXPECT_EQ(-EMSGSIZE, dios_send(0, self->s, buf, CAP + 1));
	/* Nothing was sent, nothing is held. */
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, self->s, 0, 0));
	req = send_req(self->s, buf, UINT64_MAX);
	EXPECT_EQ(-EMSGSIZE, xfer_raw(&req));
}

/* Longer than the receive buffer: -EMSGSIZE, the length, the message stays. */
TEST_F(xfer, recv_too_small)
{
	uint8_t buf[100];
	struct dios_xfer_req req = recv_req(self->s, buf, 99);

	ASSERT_EQ(0, send_pat(0, self->s, 100, 7));
	EXPECT_EQ(-EMSGSIZE, dios_recv(0, self->s, buf, 99));
	EXPECT_EQ(-EMSGSIZE, xfer_raw(&req));
	EXPECT_EQ(100, req.recv_len);
	EXPECT_EQ(0, req.done);
	EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, self->s, 100, 7));
}

/* Messages wrap around the ring's end, at every offset in a page. */
TEST_F(xfer, wraps_around_the_ring)
{
	uint64_t len, seq;

	for (seq = 0; seq < 200; seq++) {
		len = 1 + (seq * 1237) % (CAP / 2);
		ASSERT_EQ(0, send_pat(0, self->s, len, seq));
		ASSERT_EQ(0, recv_pat(0, self->s, len, seq));
	}
}

/*
 * A message carrying references cannot be copied out: -EMSGSIZE, and it
 * stays for a zero-copy reader, who gets it with its reference.
 */
TEST_F(xfer, message_with_refs_stays)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	dios_ref_t obj, got[1];
	uint8_t buf[64];
	struct dios_xfer_req req = recv_req(self->s, buf, sizeof(buf));

	DIOS_REQUIRE(DIOS_FEAT_IO_REFS);
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &obj,
				      NULL));
	ASSERT_EQ(0, dios_acquire_write(0, self->s, 4, &w));
	memcpy(w.buf, "refs", 4);
	w.refs = &obj;
	w.n_refs = 1;
	ASSERT_EQ(0, dios_commit_write(DIOS_IO_REFS, self->s, 4, &w));
	EXPECT_EQ(-EMSGSIZE, dios_recv(0, self->s, buf, sizeof(buf)));
	EXPECT_EQ(-EMSGSIZE, xfer_raw(&req));
	EXPECT_EQ(4, req.recv_len);
	r.refs = got;
	r.n_refs = 1;
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	EXPECT_EQ(4, r.len);
	EXPECT_EQ(1, r.n_refs);
	EXPECT_EQ(0, memcmp(r.buf, "refs", 4));
	EXPECT_EQ(0, dios_commit_read(0, self->s, &r));
}

/* Copying and zero-copy writers and readers share one FIFO. */
TEST_F(xfer, fifo_with_zero_copy)
{
	uint64_t seq;

	for (seq = 0; seq < 12; seq++) {
		uint64_t len = 100 + seq;
		int ret = seq % 3 ? send_pat(0, self->s, len, seq) :
				    dios_test_send_msg(0, self->s, len, seq);

		ASSERT_EQ(0, ret);
	}
	for (seq = 0; seq < 12; seq++) {
		uint64_t len = 100 + seq;
		int ret = seq % 2 ? recv_pat(0, self->s, len, seq) :
				    dios_test_recv_msg(0, self->s, len, seq);

		EXPECT_EQ(0, ret);
	}
}

/* ---- blocking ------------------------------------------------------------ */

TEST_F(xfer, nonblock_empty)
{
	char buf[8];

	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->s, buf,
				     sizeof(buf)));
}

TEST_F(xfer, nonblock_full)
{
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, send_pat(DIOS_NONBLOCK, self->s, 4096, i));
	EXPECT_EQ(-EAGAIN, send_pat(DIOS_NONBLOCK, self->s, 1, 9));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, self->s, 4096, i));
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, self->s, 1, 9));
}

/* A send blocked on a full ring goes through once a reader makes room. */
TEST_F(xfer, send_waits_for_room)
{
	pid_t parent = getpid(), pid;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, send_pat(0, self->s, 4096, i));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, recv_pat(0, s, 4096, 0));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, send_pat(0, self->s, 4096, 4));
	EXPECT_EQ(0, dios_test_wait(pid));
	for (i = 1; i < 5; i++)
		EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, self->s, 4096, i));
}

/* ---- -EPIPE -------------------------------------------------------------- */

TEST_F(xfer, send_without_reader)
{
	dios_ref_t wo;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &wo));
	ASSERT_EQ(0, dios_delete(0, self->s));
	EXPECT_EQ(-EPIPE, send_pat(0, wo, 10, 0));
	EXPECT_EQ(-EPIPE, send_pat(DIOS_NONBLOCK, wo, 10, 0));
}

/* No writer left: what is queued drains, then -EPIPE. */
TEST_F(xfer, recv_drains_then_epipe)
{
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, send_pat(0, self->s, 10, 1));
	ASSERT_EQ(0, send_pat(0, self->s, 20, 2));
	ASSERT_EQ(0, dios_delete(0, self->s));
	EXPECT_EQ(0, recv_pat(0, ro, 10, 1));
	EXPECT_EQ(0, recv_pat(0, ro, 20, 2));
	EXPECT_EQ(-EPIPE, recv_pat(0, ro, 0, 0));
	EXPECT_EQ(-EPIPE, recv_pat(DIOS_NONBLOCK, ro, 0, 0));
}

/*
 * The last writer going away wakes a blocked receive with -EPIPE; a
 * zombification wakes it with -EIDRM.  The parent receives through a
 * read-only reference; with @drop_own it deletes its full one, so that the
 * child's is the last writer.
 */
static void wake_recv(struct __test_metadata *_metadata, dios_ref_t s,
		      const struct dios_name *name, int drop_own,
		      uint64_t del_flags, int want)
{
	pid_t parent = getpid(), pid;
	int ready[2];
	dios_ref_t ro;
	char buf[8], c;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t mine;

		ASSERT_EQ(0, dios_lookup(0, name, DIOS_REF_NONE, &mine));
		ASSERT_EQ(0, dios_test_write(ready[1], "r", 1));
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, dios_delete(del_flags, mine));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_test_read(ready[0], &c, 1));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &ro));
	if (drop_own)
		ASSERT_EQ(0, dios_delete(0, s));
	EXPECT_EQ(want, dios_recv(0, ro, buf, sizeof(buf)));
	EXPECT_EQ(0, dios_test_wait(pid));
}

TEST_F(xfer, writer_gone_wakes_recv)
{
	wake_recv(_metadata, self->s, &self->name, 1, 0, -EPIPE);
}

TEST_F(xfer, zombify_wakes_recv)
{
	wake_recv(_metadata, self->s, &self->name, 0, DIOS_DELETE_ZOMBIFY,
		  -EIDRM);
}

/* ---- rights, types, handles, arguments ----------------------------------- */

TEST_F(xfer, send_needs_write)
{
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	EXPECT_EQ(-EACCES, send_pat(0, ro, 1, 0));
}

TEST_F(xfer, recv_needs_read)
{
	dios_ref_t wo;

	ASSERT_EQ(0, send_pat(0, self->s, 1, 0));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &wo));
	EXPECT_EQ(-EACCES, recv_pat(0, wo, 1, 0));
	EXPECT_EQ(0, recv_pat(0, self->s, 1, 0));
}

/* Only streams have messages: every other type, either direction. */
TEST(other_types_eopnotsupp)
{
	static const uint32_t types[] = { DIOS_OBJ_PRIVMEM, DIOS_OBJ_SHMEM,
					  DIOS_OBJ_BLOB, DIOS_OBJ_GROUP };
	char buf[8] = "abc";
	dios_ref_t ref;
	size_t i;

	DIOS_REQUIRE(FEATS);
	for (i = 0; i < ARRAY_LEN(types); i++) {
		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, types[i], &ref,
					      NULL));
		EXPECT_EQ(-EOPNOTSUPP, dios_send(0, ref, buf, 3));
		EXPECT_EQ(-EOPNOTSUPP, dios_recv(0, ref, buf, sizeof(buf)));
	}
	ASSERT_EQ(0, dios_task_self(&ref));
	EXPECT_EQ(-EOPNOTSUPP, dios_send(0, ref, buf, 3));
	EXPECT_EQ(-EOPNOTSUPP, dios_recv(0, ref, buf, sizeof(buf)));
}

TEST_F(xfer, bad_send_handle)
{
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(0, d));
	EXPECT_EQ(-EBADF, send_pat(0, d, 1, 0));
	EXPECT_EQ(-EBADF, send_pat(0, 0xdead00000001ULL, 1, 0));
}

TEST_F(xfer, bad_recv_handle)
{
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(0, d));
	EXPECT_EQ(-EBADF, recv_pat(0, d, 0, 0));
	EXPECT_EQ(-EBADF, recv_pat(0, 0xdead00000001ULL, 0, 0));
}

TEST_F(xfer, zombie)
{
	dios_ref_t d;
	char buf[8];

	ASSERT_EQ(0, send_pat(0, self->s, 3, 0));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, d));
	EXPECT_EQ(-EIDRM, dios_send(0, self->s, buf, 3));
	EXPECT_EQ(-EIDRM, dios_recv(0, self->s, buf, sizeof(buf)));
}

TEST_F(xfer, unknown_flags)
{
	static const uint64_t bad[] = { 1ULL << 62, DIOS_IO_REARM,
					DIOS_IO_REFS, 1ULL << 10 };
	struct dios_xfer_req req;
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		req = send_req(self->s, "x", 1);
		req.flags |= bad[i];
		EXPECT_EQ(-EINVAL, xfer_raw(&req));
	}
	EXPECT_EQ(-EINVAL, dios_send(1ULL << 62, self->s, "x", 1));
	EXPECT_EQ(-EINVAL, dios_recv(DIOS_IO_REARM, self->s, NULL, 0));
	/* Nothing was sent. */
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, self->s, 0, 0));
}

/* Neither half: nothing to do. */
TEST_F(xfer, no_half)
{
	struct dios_xfer_req req = send_req(self->s, "x", 1);

	req.flags = 0;
	EXPECT_EQ(-EINVAL, xfer_raw(&req));
	req.flags = DIOS_NONBLOCK;
	EXPECT_EQ(-EINVAL, xfer_raw(&req));
}

TEST_F(xfer, pad)
{
	struct dios_xfer_req req = send_req(self->s, "x", 1);

	req.__pad = 1;
	EXPECT_EQ(-EINVAL, xfer_raw(&req));
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, self->s, 0, 0));
}

/* The fields of a half that is not asked for must be zero. */
TEST_F(xfer, unused_half_fields)
{
	char buf[8];
	struct dios_xfer_req req;

	req = send_req(self->s, "x", 1);
	req.recv_ref = self->s;
	EXPECT_EQ(-EINVAL, xfer_raw(&req));
	req = send_req(self->s, "x", 1);
	req.recv_len = 8;
	EXPECT_EQ(-EINVAL, xfer_raw(&req));
	req = recv_req(self->s, buf, sizeof(buf));
	req.send_buf = (uintptr_t)buf;
	EXPECT_EQ(-EINVAL, xfer_raw(&req));
	req = recv_req(self->s, buf, sizeof(buf));
	req.send_len = 1;
	EXPECT_EQ(-EINVAL, xfer_raw(&req));
}

/* done is output only: whatever it holds on input is ignored. */
TEST_F(xfer, done_ignored_on_input)
{
	struct dios_xfer_req req = send_req(self->s, "x", 1);

	req.done = 0xffffffff;
	EXPECT_EQ(0, xfer_raw(&req));
	EXPECT_EQ(DIOS_XFER_SEND, req.done);
	req = recv_req(self->s, NULL, 0);
	req.done = 0xffffffff;
	EXPECT_EQ(-EMSGSIZE, xfer_raw(&req));
	EXPECT_EQ(0, req.done);
	EXPECT_EQ(1, req.recv_len);
}

/* Extensible by size: shorter is -EINVAL, longer needs a zero tail. */
TEST_F(xfer, struct_size)
{
	struct {
		struct dios_xfer_req req;
		uint64_t tail;
	} big;

	memset(&big, 0, sizeof(big));
	big.req = send_req(self->s, "x", 1);
	EXPECT_EQ(-EINVAL, dios_test_rw(XFER_NR, sizeof(big.req) - 8,
					 &big.req));
	big.tail = 1;
	EXPECT_EQ(-E2BIG, dios_test_rw(XFER_NR, sizeof(big), &big));
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, self->s, 0, 0));
	big.tail = 0;
	EXPECT_EQ(0, dios_test_rw(XFER_NR, sizeof(big), &big));
	EXPECT_EQ(DIOS_XFER_SEND, big.req.done);
	EXPECT_EQ(1, dios_recv(0, self->s, &big.tail, 8));
}

/* ---- bad buffers --------------------------------------------------------- */

TEST_F(xfer, bad_send_buf)
{
	struct dios_xfer_req req = send_req(self->s, NULL, 10);

	EXPECT_EQ(-EFAULT, xfer_raw(&req));
	req.send_buf = 1;
	EXPECT_EQ(-EFAULT, xfer_raw(&req));
	EXPECT_EQ(0, req.done);
	EXPECT_EQ(-EFAULT, dios_send(0, self->s, NULL, 10));
	/* Nothing was sent and the tail is free. */
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, self->s, 0, 0));
	EXPECT_EQ(0, send_pat(DIOS_NONBLOCK, self->s, 5, 5));
	EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, self->s, 5, 5));
}

/* A buffer whose second page is gone: nothing at all is sent. */
TEST_F(xfer, send_buf_faults_half_way)
{
	uint8_t *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct dios_xfer_req req;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + 4096, 4096));
	memset(p, 'a', 4096);
	req = send_req(self->s, p + 100, 4096);
	EXPECT_EQ(-EFAULT, xfer_raw(&req));
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, self->s, 0, 0));
	munmap(p, 4096);
}

TEST_F(xfer, bad_recv_buf)
{
	struct dios_xfer_req req = recv_req(self->s, NULL, 10);

	ASSERT_EQ(0, send_pat(0, self->s, 10, 3));
	EXPECT_EQ(-EFAULT, xfer_raw(&req));
	req.recv_buf = 1;
	EXPECT_EQ(-EFAULT, xfer_raw(&req));
	EXPECT_EQ(-EFAULT, dios_recv(0, self->s, NULL, 10));
	/* A read-only buffer faults too. */
	req.recv_buf = (uintptr_t)"read-only string";
	EXPECT_EQ(-EFAULT, xfer_raw(&req));
	/* The message stayed at the head. */
	EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, self->s, 10, 3));
}

/* ---- -EBUSY: a zero-copy transaction of the same side is open ------------ */

TEST_F(xfer, busy_write_side)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t d;

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 10, &w));
	EXPECT_EQ(-EBUSY, send_pat(0, self->s, 1, 0));
	/* Another reference waits for the tail like any writer. */
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	EXPECT_EQ(-EAGAIN, send_pat(DIOS_NONBLOCK, d, 1, 0));
	/* The read side of the same reference is free. */
	EXPECT_EQ(-EAGAIN, recv_pat(DIOS_NONBLOCK, self->s, 0, 0));
	dios_test_fill(w.buf, 10, 1);
	ASSERT_EQ(0, dios_commit_write(0, self->s, 10, &w));
	EXPECT_EQ(0, send_pat(0, self->s, 2, 2));
	EXPECT_EQ(0, recv_pat(0, self->s, 10, 1));
	EXPECT_EQ(0, recv_pat(0, self->s, 2, 2));
}

TEST_F(xfer, busy_read_side)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, send_pat(0, self->s, 10, 1));
	ASSERT_EQ(0, send_pat(0, self->s, 20, 2));
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	EXPECT_EQ(-EBUSY, recv_pat(0, self->s, 20, 2));
	/* The write side of the same reference is free. */
	EXPECT_EQ(0, send_pat(0, self->s, 30, 3));
	ASSERT_EQ(0, dios_commit_read(0, self->s, &r));
	EXPECT_EQ(0, recv_pat(0, self->s, 20, 2));
	EXPECT_EQ(0, recv_pat(0, self->s, 30, 3));
}

/* A call whose receive is -EBUSY: the send is done and says so. */
TEST_F(xfer, call_busy_recv_after_send)
{
	struct dios_iovec r = dios_test_iov(0);
	struct dios_xfer_req req;
	uint32_t done = 7;
	char buf[8];

	ASSERT_EQ(0, send_pat(0, self->s, 10, 1));
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	memset(&req, 0, sizeof(req));
	req.flags = DIOS_XFER_SEND | DIOS_XFER_RECV;
	req.send_ref = self->s;
	req.send_buf = (uintptr_t)"abc";
	req.send_len = 3;
	req.recv_ref = self->s;
	req.recv_buf = (uintptr_t)buf;
	req.recv_len = sizeof(buf);
	EXPECT_EQ(-EBUSY, xfer_raw(&req));
	EXPECT_EQ(DIOS_XFER_SEND, req.done);
	EXPECT_EQ(-EBUSY, dios_call(0, self->s, "de", 2, self->s, buf,
				    sizeof(buf), &done));
	EXPECT_EQ(DIOS_XFER_SEND, done);
	ASSERT_EQ(0, dios_commit_read(0, self->s, &r));
	EXPECT_EQ(3, dios_recv(0, self->s, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(2, dios_recv(0, self->s, buf, sizeof(buf)));
}

/* ---- call ----------------------------------------------------------------- */

/* A call on one stream gets its own message back. */
TEST_F(xfer, call_loopback)
{
	uint32_t done = 0;
	char buf[8];

	EXPECT_EQ(4, dios_call(0, self->s, "ping", 4, self->s, buf,
			       sizeof(buf), &done));
	EXPECT_EQ(DIOS_XFER_SEND | DIOS_XFER_RECV, done);
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_EQ(4, dios_call(0, self->s, "pong", 4, self->s, buf,
			       sizeof(buf), NULL));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
}

/* A failed send receives nothing: the message to receive stays. */
TEST_F(xfer, call_send_fails_recv_untouched)
{
	dios_ref_t ro;
	uint32_t done = 7;
	char buf[8];

	ASSERT_EQ(0, send_pat(0, self->s, 3, 3));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	EXPECT_EQ(-EACCES, dios_call(0, ro, "x", 1, self->s, buf, sizeof(buf),
				     &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(0, recv_pat(DIOS_NONBLOCK, self->s, 3, 3));
}

TEST_F(xfer, call_nonblock_recv_empty)
{
	struct dios_create_args a = { .capacity = CAP };
	uint32_t done = 0;
	dios_ref_t t;
	char buf[8];

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &t,
				 NULL));
	EXPECT_EQ(-EAGAIN, dios_call(DIOS_NONBLOCK, self->s, "x", 1, t, buf,
				     sizeof(buf), &done));
	EXPECT_EQ(DIOS_XFER_SEND, done);
	EXPECT_EQ(1, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
}

TEST_F(xfer, call_recv_epipe_after_send)
{
	struct dios_create_args a = { .capacity = CAP };
	uint32_t done = 0;
	dios_ref_t t, ro;
	char buf[8];

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &t,
				 NULL));
	ASSERT_EQ(0, dios_dup(t, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, dios_delete(0, t));
	EXPECT_EQ(-EPIPE, dios_call(0, self->s, "x", 1, ro, buf, sizeof(buf),
				    &done));
	EXPECT_EQ(DIOS_XFER_SEND, done);
	EXPECT_EQ(1, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
}

struct pp {
	struct dios_name req, rep;	/* client to server, server to client */
};

/*
 * The server: receive a request, then answer each one and wait for the
 * next in one call; the answer is the request with every byte + 1.
 */
static int serve(const struct pp *pp, int n)
{
	dios_ref_t rq, rp;
	uint8_t buf[256];
	int len, i, j;

	if (dios_lookup(0, &pp->req, DIOS_REF_NONE, &rq) ||
	    dios_lookup(0, &pp->rep, DIOS_REF_NONE, &rp))
		return 1;
	len = dios_recv(0, rq, buf, sizeof(buf));
	for (i = 0; i < n; i++) {
		if (len < 0)
			return 2;
		for (j = 0; j < len; j++)
			buf[j]++;
		if (i == n - 1)
			return dios_send(0, rp, buf, len) ? 3 : 0;
		len = dios_call(0, rp, buf, len, rq, buf, sizeof(buf), NULL);
	}
	return 0;
}

/* A ping-pong between two processes, one call per round trip each. */
TEST(call_round_trip)
{
	enum { N = 300 };
	struct dios_create_args a = { .capacity = CAP };
	uint8_t out[64], in[256];
	dios_ref_t rq, rp;
	struct pp pp;
	int i, j, len;
	pid_t pid;

	DIOS_REQUIRE(FEATS);
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &rq, &pp.req));
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &rp, &pp.rep));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(serve(&pp, N));
	for (i = 0; i < N; i++) {
		len = 1 + i % 64;
		dios_test_fill(out, len, i);
		ASSERT_EQ(len, dios_call(0, rq, out, len, rp, in, sizeof(in),
					 NULL));
		for (j = 0; j < len; j++)
			ASSERT_EQ((uint8_t)(out[j] + 1), in[j]);
	}
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* ---- signals, deletion, death ------------------------------------------- */

/* Signal @pid once it sleeps; in a forked child. */
static void signal_when_asleep(struct __test_metadata *_metadata, pid_t pid)
{
	dios_test_interrupt(pid, SLEEP_MS, false);
	DIOS_CHILD_EXIT();
}

/* Without SA_RESTART, a blocked receive returns -EINTR; nothing is held. */
TEST_F(xfer, signal_interrupts_recv)
{
	pid_t parent = getpid(), pid;
	char buf[8];

	ASSERT_EQ(0, dios_test_set_sigusr1(0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		signal_when_asleep(_metadata, parent);
	EXPECT_EQ(-EINTR, dios_recv(0, self->s, buf, sizeof(buf)));
	EXPECT_EQ(1, dios_test_sig_count);
	EXPECT_EQ(0, dios_test_wait(pid));
	ASSERT_EQ(0, send_pat(0, self->s, 3, 3));
	EXPECT_EQ(0, recv_pat(0, self->s, 3, 3));
}

/* With SA_RESTART, a receive alone restarts and gets a later message. */
TEST_F(xfer, signal_restarts_recv)
{
	pid_t parent = getpid(), pid;

	ASSERT_EQ(0, dios_test_set_sigusr1(SA_RESTART));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		dios_test_interrupt(parent, SLEEP_MS, true);
		ASSERT_EQ(0, send_pat(0, s, 5, 5));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, recv_pat(0, self->s, 5, 5));
	EXPECT_EQ(1, dios_test_sig_count);
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * A call interrupted in its receive, after the send: -EINTR even with
 * SA_RESTART (a restart would send again), and the message went once.
 */
TEST_F(xfer, signal_call_after_send_is_eintr)
{
	struct dios_create_args a = { .capacity = CAP };
	pid_t parent = getpid(), pid;
	uint32_t done = 0;
	dios_ref_t t;
	char buf[8];

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &t,
				 NULL));
	ASSERT_EQ(0, dios_test_set_sigusr1(SA_RESTART));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		signal_when_asleep(_metadata, parent);
	EXPECT_EQ(-EINTR, dios_call(0, self->s, "once", 4, t, buf,
				    sizeof(buf), &done));
	EXPECT_EQ(DIOS_XFER_SEND, done);
	EXPECT_EQ(1, dios_test_sig_count);
	EXPECT_EQ(0, dios_test_wait(pid));
	EXPECT_EQ(4, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->s, buf,
				     sizeof(buf)));
}

struct blocked {
	dios_ref_t s;
	int ret;
	pid_t tid;
};

static void *blocked_recv(void *arg)
{
	struct blocked *b = arg;
	char buf[8];

	__atomic_store_n(&b->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	b->ret = dios_recv(0, b->s, buf, sizeof(buf));
	return NULL;
}

/* Deleting the reference a receive blocks on: -EBADF. */
TEST_F(xfer, deleted_while_blocked)
{
	struct blocked b = { 0 };
	pthread_t t;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &b.s));
	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_recv, &b));
	while (!__atomic_load_n(&b.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	ASSERT_EQ(0, dios_test_wait_sleeping(b.tid, SLEEP_MS));
	ASSERT_EQ(0, dios_delete(0, b.s));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-EBADF, b.ret);
}

/*
 * A task killed while blocked in a call: its request was sent once, the
 * stream it waited on keeps its next message, and its references go.
 */
TEST(killed_in_call_loses_nothing)
{
	const char *keys[] = { "objects_stream", "refs", "contexts" };
	struct dios_create_args a = { .capacity = CAP };
	long before[ARRAY_LEN(keys)];
	dios_ref_t rq, rp;
	char buf[8];
	struct pp pp;
	size_t k;
	pid_t pid;

	DIOS_REQUIRE(FEATS);
	for (k = 0; k < ARRAY_LEN(keys); k++) {
		before[k] = dios_test_stat(keys[k]);
		if (before[k] < 0)
			SKIP(return, "no /sys/kernel/debug/dios/stats");
	}
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &rq, &pp.req));
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &rp, &pp.rep));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t q, p;

		if (dios_lookup(0, &pp.req, DIOS_REF_NONE, &q) ||
		    dios_lookup(0, &pp.rep, DIOS_REF_NONE, &p))
			_exit(1);
		dios_call(0, q, "req", 3, p, buf, sizeof(buf), NULL);
		_exit(2);
	}
	ASSERT_EQ(0, dios_test_wait_sleeping(pid, SLEEP_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
	EXPECT_EQ(3, dios_recv(DIOS_NONBLOCK, rq, buf, sizeof(buf)));
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, rq, buf, sizeof(buf)));
	ASSERT_EQ(0, dios_send(0, rp, "rep", 3));
	EXPECT_EQ(3, dios_recv(DIOS_NONBLOCK, rp, buf, sizeof(buf)));
	ASSERT_EQ(0, dios_delete(0, rq));
	ASSERT_EQ(0, dios_delete(0, rp));
	for (k = 0; k < ARRAY_LEN(keys); k++)
		EXPECT_EQ(before[k],
			  dios_test_stat_settles(keys[k], before[k], SETTLE_MS));
}

/* ---- no view, ever --------------------------------------------------------- */

/*
 * 1000 messages sent, received and called both ways map no view and fault
 * nothing; the kernel copies each payload exactly once in and once out.
 */
TEST_F(xfer, maps_no_view)
{
	long views = dios_test_stat("views_mapped");
	long faults = dios_test_stat("view_faults");
	long copied = dios_test_stat("bytes_copied");
	uint8_t buf[64];
	int i;

	if (views < 0 || faults < 0 || copied < 0)
		SKIP(return, "no /sys/kernel/debug/dios/stats");
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, send_pat(0, self->s, 64, i));
		ASSERT_EQ(0, recv_pat(0, self->s, 64, i));
	}
	for (i = 0; i < 500; i++)
		ASSERT_EQ(64, dios_call(0, self->s, buf, 64, self->s, buf,
					sizeof(buf), NULL));
	EXPECT_EQ(views, dios_test_stat("views_mapped"));
	EXPECT_EQ(faults, dios_test_stat("view_faults"));
	EXPECT_EQ(copied + 1000 * 2 * 64, dios_test_stat("bytes_copied"));
}

TEST_HARNESS_MAIN
