// SPDX-License-Identifier: GPL-2.0
/*
 * Batches of copying stream I/O (DIOS_IOC_XFER_BATCH; dios_xfer_batch,
 * dios_sendv, dios_recvv): many messages in one system call, as sendmmsg()
 * and recvmmsg().  Every entry is checked before the first runs; the batch
 * stops at the first entry that fails, reports the entries done and that
 * entry's error.  One test per error path with otherwise valid input,
 * before any entry ran (nothing done) and in the middle of a batch (the
 * count, the error, the entries before it done and none after).
 * docs/io.md, "Batches".
 *
 * Raw ioctls (batch_raw) reach what libdios refuses before the kernel sees
 * it and read count and error.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP		(4 * 4096)
#define SLEEP_MS	20000	/* waiting for the other process to block */
#define BATCH_NR	0x17
#define FEATS		(DIOS_FEAT_IO_STREAM | DIOS_FEAT_IO_XFER | \
			 DIOS_FEAT_XFER_BATCH)
#define MSG		64

FIXTURE(batch) {
	dios_ref_t s;
	struct dios_name name;
	struct dios_xfer_req reqs[8];
	uint8_t bufs[8][MSG];
};

FIXTURE_SETUP(batch)
{
	struct dios_create_args a = { .capacity = CAP };

	DIOS_REQUIRE(FEATS);
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &self->s,
				 &self->name));
	memset(self->reqs, 0, sizeof(self->reqs));
}

FIXTURE_TEARDOWN(batch)
{
}

/* A raw batch of @n requests at @reqs: the ioctl's result; @b gets the reply. */
static int batch_raw(struct dios_xfer_batch_req *b, uint64_t flags,
		     const void *reqs, uint32_t n)
{
	memset(b, 0, sizeof(*b));
	b->flags = flags;
	b->reqs = (uintptr_t)reqs;
	b->n = n;
	b->req_size = sizeof(struct dios_xfer_req);
	return dios_test_rw(BATCH_NR, sizeof(*b), b);
}

static void send_entry(struct dios_xfer_req *r, dios_ref_t s,
		       const void *buf, uint64_t len)
{
	memset(r, 0, sizeof(*r));
	r->flags = DIOS_XFER_SEND;
	r->send_ref = s;
	r->send_buf = (uintptr_t)buf;
	r->send_len = len;
}

static void recv_entry(struct dios_xfer_req *r, dios_ref_t s, void *buf,
		       uint64_t cap)
{
	memset(r, 0, sizeof(*r));
	r->flags = DIOS_XFER_RECV;
	r->recv_ref = s;
	r->recv_buf = (uintptr_t)buf;
	r->recv_len = cap;
}

/* Entries 0..n-1 send message i of MSG pattern bytes into @s. */
static void send_entries(FIXTURE_DATA(batch) *self, dios_ref_t s, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		dios_test_fill(self->bufs[i], MSG, i);
		send_entry(&self->reqs[i], s, self->bufs[i], MSG);
	}
}

/* The messages queued in @s: 0 if exactly seq first..first+n-1 of @len. */
static int queued(dios_ref_t s, uint32_t first, uint32_t n, uint64_t len)
{
	uint8_t buf[CAP];
	uint32_t i;
	int ret;

	for (i = first; i < first + n; i++) {
		ret = dios_recv(DIOS_NONBLOCK, s, buf, sizeof(buf));
		if (ret < 0 || (uint64_t)ret != len ||
		    dios_test_check(buf, len, i) != -1)
			return 1;
	}
	return dios_recv(DIOS_NONBLOCK, s, buf, sizeof(buf)) == -EAGAIN ?
	       0 : 1;
}

/* ---- batches that work ---------------------------------------------------- */

TEST_F(batch, sends_in_one_call)
{
	struct dios_xfer_batch_req b;
	uint32_t i;

	send_entries(self, self->s, 8);
	EXPECT_EQ(8, batch_raw(&b, 0, self->reqs, 8));
	EXPECT_EQ(8, b.count);
	EXPECT_EQ(0, b.error);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(DIOS_XFER_SEND, self->reqs[i].done);
		EXPECT_EQ(MSG, self->reqs[i].send_len);
	}
	EXPECT_EQ(0, queued(self->s, 0, 8, MSG));
}

TEST_F(batch, receives_in_one_call)
{
	struct dios_xfer_batch_req b;
	uint8_t out[8][MSG + 8];
	uint32_t i;

	send_entries(self, self->s, 8);
	ASSERT_EQ(8, batch_raw(&b, 0, self->reqs, 8));
	for (i = 0; i < 8; i++)
		recv_entry(&self->reqs[i], self->s, out[i], sizeof(out[i]));
	EXPECT_EQ(8, batch_raw(&b, 0, self->reqs, 8));
	EXPECT_EQ(0, b.error);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(DIOS_XFER_RECV, self->reqs[i].done);
		EXPECT_EQ(MSG, self->reqs[i].recv_len);
		EXPECT_EQ(-1, dios_test_check(out[i], MSG, i));
	}
}

/* Entries on different streams and both halves, in order. */
TEST_F(batch, mixed_entries)
{
	struct dios_create_args a = { .capacity = CAP };
	struct dios_xfer_batch_req b;
	char in[16] = "", out[16] = "";
	dios_ref_t t;

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &t,
				 NULL));
	send_entry(&self->reqs[0], self->s, "one", 3);
	send_entry(&self->reqs[1], t, "two", 3);
	/* A call: send to t, then receive the head of s. */
	self->reqs[2].flags = DIOS_XFER_SEND | DIOS_XFER_RECV;
	self->reqs[2].send_ref = t;
	self->reqs[2].send_buf = (uintptr_t)"three";
	self->reqs[2].send_len = 5;
	self->reqs[2].recv_ref = self->s;
	self->reqs[2].recv_buf = (uintptr_t)in;
	self->reqs[2].recv_len = sizeof(in);
	recv_entry(&self->reqs[3], t, out, sizeof(out));
	EXPECT_EQ(4, batch_raw(&b, 0, self->reqs, 4));
	EXPECT_EQ(DIOS_XFER_SEND | DIOS_XFER_RECV, self->reqs[2].done);
	EXPECT_EQ(3, self->reqs[2].recv_len);
	EXPECT_EQ(0, memcmp(in, "one", 3));
	EXPECT_EQ(3, self->reqs[3].recv_len);
	EXPECT_EQ(0, memcmp(out, "two", 3));
	EXPECT_EQ(5, dios_recv(DIOS_NONBLOCK, t, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(out, "three", 5));
}

/* The largest batch, and the message count of the stream's ring. */
TEST_F(batch, max_entries)
{
	struct dios_xfer_req *r = calloc(DIOS_XFER_BATCH_MAX, sizeof(*r));
	struct dios_xfer_batch_req b;
	uint32_t i;

	ASSERT_NE(NULL, r);
	for (i = 0; i < DIOS_XFER_BATCH_MAX; i++)
		send_entry(&r[i], self->s, NULL, 0);
	EXPECT_EQ(DIOS_XFER_BATCH_MAX,
		  batch_raw(&b, 0, r, DIOS_XFER_BATCH_MAX));
	for (i = 0; i < DIOS_XFER_BATCH_MAX; i++)
		recv_entry(&r[i], self->s, NULL, 0);
	EXPECT_EQ(DIOS_XFER_BATCH_MAX,
		  batch_raw(&b, DIOS_NONBLOCK, r, DIOS_XFER_BATCH_MAX));
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
	free(r);
}

TEST_F(batch, libdios_sendv_recvv)
{
	struct iovec v[3];
	uint8_t out[3][MSG];
	int err = 1, i;

	for (i = 0; i < 3; i++) {
		dios_test_fill(self->bufs[i], 10 + i, i);
		v[i].iov_base = self->bufs[i];
		v[i].iov_len = 10 + i;
	}
	EXPECT_EQ(3, dios_sendv(0, self->s, v, 3, &err));
	EXPECT_EQ(0, err);
	for (i = 0; i < 3; i++) {
		v[i].iov_base = out[i];
		v[i].iov_len = MSG;
	}
	err = 1;
	EXPECT_EQ(3, dios_recvv(0, self->s, v, 3, &err));
	EXPECT_EQ(0, err);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(10 + i, v[i].iov_len);
		EXPECT_EQ(-1, dios_test_check(out[i], 10 + i, i));
	}
}

/* Above 64 messages libdios allocates the requests. */
TEST_F(batch, libdios_many)
{
	static uint8_t one[200][8];
	struct iovec v[200];
	int i;

	for (i = 0; i < 200; i++) {
		dios_test_fill(one[i], 8, i);
		v[i].iov_base = one[i];
		v[i].iov_len = 8;
	}
	EXPECT_EQ(200, dios_sendv(0, self->s, v, 200, NULL));
	EXPECT_EQ(0, queued(self->s, 0, 200, 8));
}

TEST_F(batch, libdios_arguments)
{
	struct iovec v = { .iov_base = self->bufs[0], .iov_len = 1 };
	int err = 0;

	EXPECT_EQ(-EBADF, dios_sendv(0, DIOS_REF_NONE, &v, 1, &err));
	EXPECT_EQ(-EBADF, err);
	EXPECT_EQ(-EFAULT, dios_recvv(0, self->s, NULL, 1, &err));
	EXPECT_EQ(-EFAULT, err);
	EXPECT_EQ(-EINVAL, dios_sendv(0, self->s, &v, 0, NULL));
	EXPECT_EQ(-EINVAL, dios_sendv(0, self->s, &v,
				      DIOS_XFER_BATCH_MAX + 1, NULL));
	EXPECT_EQ(-EINVAL, dios_xfer_batch(0, self->reqs, 0, &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

/* ---- a batch stops at the first entry that fails ------------------------- */

/* Room for 4 messages of a page: the fifth is -EAGAIN without waiting. */
TEST_F(batch, nonblock_full_mid_batch)
{
	static uint8_t page[5][4096];
	struct dios_xfer_batch_req b;
	uint32_t i;

	for (i = 0; i < 5; i++) {
		dios_test_fill(page[i], 4096, i);
		send_entry(&self->reqs[i], self->s, page[i], 4096);
	}
	EXPECT_EQ(4, batch_raw(&b, DIOS_NONBLOCK, self->reqs, 5));
	EXPECT_EQ(4, b.count);
	EXPECT_EQ(-EAGAIN, b.error);
	EXPECT_EQ(0, self->reqs[4].done);
	EXPECT_EQ(0, queued(self->s, 0, 4, 4096));
}

TEST_F(batch, nonblock_empty_is_the_error)
{
	struct dios_xfer_batch_req b;

	recv_entry(&self->reqs[0], self->s, self->bufs[0], MSG);
	EXPECT_EQ(-EAGAIN, batch_raw(&b, DIOS_NONBLOCK, self->reqs, 1));
	EXPECT_EQ(0, b.count);
	EXPECT_EQ(-EAGAIN, b.error);
}

/* An entry's own DIOS_NONBLOCK is honoured as in DIOS_IOC_XFER. */
TEST_F(batch, entry_nonblock)
{
	struct dios_xfer_batch_req b;

	recv_entry(&self->reqs[0], self->s, self->bufs[0], MSG);
	self->reqs[0].flags |= DIOS_NONBLOCK;
	EXPECT_EQ(-EAGAIN, batch_raw(&b, 0, self->reqs, 1));
}

/* WAITFORONE: the first receive waits, the rest take what is there. */
TEST_F(batch, waitforone)
{
	pid_t parent = getpid(), pid;
	struct iovec v[8];
	uint8_t out[8][MSG];
	int err = 0, i;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct iovec w[3];
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		for (i = 0; i < 3; i++) {
			dios_test_fill(self->bufs[i], MSG, i);
			w[i].iov_base = self->bufs[i];
			w[i].iov_len = MSG;
		}
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		EXPECT_EQ(3, dios_sendv(0, s, w, 3, NULL));
		DIOS_CHILD_EXIT();
	}
	for (i = 0; i < 8; i++) {
		v[i].iov_base = out[i];
		v[i].iov_len = MSG;
	}
	/* Woken by the first message, it may find 1 to 3. */
	i = dios_recvv(DIOS_XFER_WAITFORONE, self->s, v, 8, &err);
	EXPECT_LE(1, i);
	EXPECT_GE(3, i);
	EXPECT_EQ(-EAGAIN, err);
	EXPECT_EQ(0, dios_test_wait(pid));
	EXPECT_EQ(0, queued(self->s, i, 3 - i, MSG));
}

/* A bad buffer in entry 2: entries 0 and 1 are sent, 2 and 3 are not. */
TEST_F(batch, bad_buffer_mid_batch)
{
	struct dios_xfer_batch_req b;

	send_entries(self, self->s, 4);
	self->reqs[2].send_buf = 1;
	EXPECT_EQ(2, batch_raw(&b, 0, self->reqs, 4));
	EXPECT_EQ(2, b.count);
	EXPECT_EQ(-EFAULT, b.error);
	EXPECT_EQ(DIOS_XFER_SEND, self->reqs[1].done);
	EXPECT_EQ(0, self->reqs[2].done);
	EXPECT_EQ(0, self->reqs[3].done);
	EXPECT_EQ(0, queued(self->s, 0, 2, MSG));
}

TEST_F(batch, bad_buffer_first_entry)
{
	struct dios_xfer_batch_req b;
	int err = 0;

	send_entries(self, self->s, 2);
	self->reqs[0].send_buf = 0;
	EXPECT_EQ(-EFAULT, batch_raw(&b, 0, self->reqs, 2));
	EXPECT_EQ(-EFAULT, b.error);
	EXPECT_EQ(-EFAULT, dios_xfer_batch(0, self->reqs, 2, &err));
	EXPECT_EQ(-EFAULT, err);
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

/* A receive buffer that faults: the message stays at the head. */
TEST_F(batch, bad_recv_buffer_mid_batch)
{
	struct dios_xfer_batch_req b;
	uint8_t out[MSG];

	send_entries(self, self->s, 2);
	ASSERT_EQ(2, batch_raw(&b, 0, self->reqs, 2));
	recv_entry(&self->reqs[0], self->s, out, sizeof(out));
	recv_entry(&self->reqs[1], self->s, (void *)"read-only", MSG);
	EXPECT_EQ(1, batch_raw(&b, 0, self->reqs, 2));
	EXPECT_EQ(-EFAULT, b.error);
	EXPECT_EQ(0, queued(self->s, 1, 1, MSG));
}

/* Too long for its buffer: the count, -EMSGSIZE and the length needed. */
TEST_F(batch, emsgsize_mid_batch)
{
	struct iovec v[2];
	uint8_t out[2][MSG];
	int err = 0;

	send_entries(self, self->s, 2);
	ASSERT_EQ(2, dios_xfer_batch(0, self->reqs, 2, NULL));
	v[0].iov_base = out[0];
	v[0].iov_len = MSG;
	v[1].iov_base = out[1];
	v[1].iov_len = MSG - 1;
	EXPECT_EQ(1, dios_recvv(0, self->s, v, 2, &err));
	EXPECT_EQ(-EMSGSIZE, err);
	EXPECT_EQ(MSG, v[0].iov_len);
	EXPECT_EQ(MSG, v[1].iov_len);
	EXPECT_EQ(0, queued(self->s, 1, 1, MSG));
}

TEST_F(batch, rights_first_entry)
{
	struct dios_xfer_batch_req b;
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	send_entries(self, ro, 2);
	EXPECT_EQ(-EACCES, batch_raw(&b, 0, self->reqs, 2));
	EXPECT_EQ(-EACCES, b.error);
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

/* A held reference is not reused for another direction's right. */
TEST_F(batch, rights_mid_batch)
{
	struct dios_xfer_batch_req b;
	dios_ref_t wo;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &wo));
	send_entries(self, wo, 2);
	recv_entry(&self->reqs[2], wo, self->bufs[2], MSG);
	EXPECT_EQ(2, batch_raw(&b, 0, self->reqs, 3));
	EXPECT_EQ(-EACCES, b.error);
	EXPECT_EQ(0, queued(self->s, 0, 2, MSG));
}

TEST_F(batch, bad_handle_mid_batch)
{
	struct dios_xfer_batch_req b;

	send_entries(self, self->s, 3);
	self->reqs[1].send_ref = 0x100000777ULL;
	EXPECT_EQ(1, batch_raw(&b, 0, self->reqs, 3));
	EXPECT_EQ(-EBADF, b.error);
	EXPECT_EQ(0, queued(self->s, 0, 1, MSG));
}

/* A stream without reader in the middle: -EPIPE there. */
TEST_F(batch, epipe_mid_batch)
{
	struct dios_create_args a = { .capacity = CAP };
	struct dios_xfer_batch_req b;
	dios_ref_t t, wo;

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &t,
				 NULL));
	ASSERT_EQ(0, dios_dup(t, DIOS_RIGHT_WRITE, &wo));
	ASSERT_EQ(0, dios_delete(0, t));
	send_entries(self, self->s, 4);
	self->reqs[2].send_ref = wo;
	EXPECT_EQ(2, batch_raw(&b, 0, self->reqs, 4));
	EXPECT_EQ(-EPIPE, b.error);
	EXPECT_EQ(0, queued(self->s, 0, 2, MSG));
}

/* No writer left: the queued messages drain, then -EPIPE. */
TEST_F(batch, recv_drains_then_epipe)
{
	struct iovec v[4];
	uint8_t out[4][MSG];
	dios_ref_t ro;
	int err = 0, i;

	send_entries(self, self->s, 2);
	ASSERT_EQ(2, dios_xfer_batch(0, self->reqs, 2, NULL));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, dios_delete(0, self->s));
	for (i = 0; i < 4; i++) {
		v[i].iov_base = out[i];
		v[i].iov_len = MSG;
	}
	EXPECT_EQ(2, dios_recvv(0, ro, v, 4, &err));
	EXPECT_EQ(-EPIPE, err);
	EXPECT_EQ(-EPIPE, dios_recvv(0, ro, v, 4, &err));
	EXPECT_EQ(-EPIPE, err);
}

/* A call entry whose receive fails: its done tells the send happened. */
TEST_F(batch, call_entry_half_done)
{
	struct dios_xfer_batch_req b;
	uint8_t out[MSG];
	int i;

	send_entries(self, self->s, 1);
	self->reqs[1] = self->reqs[0];
	self->reqs[1].flags |= DIOS_XFER_RECV | DIOS_NONBLOCK;
	self->reqs[1].recv_ref = self->s;
	self->reqs[1].recv_buf = (uintptr_t)self->bufs[1];
	self->reqs[1].recv_len = 1;	/* too small: -EMSGSIZE */
	EXPECT_EQ(1, batch_raw(&b, 0, self->reqs, 2));
	EXPECT_EQ(-EMSGSIZE, b.error);
	EXPECT_EQ(DIOS_XFER_SEND, self->reqs[1].done);
	EXPECT_EQ(MSG, self->reqs[1].recv_len);
	/* Both entries sent message 0; the receive left the head queued. */
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(MSG, dios_recv(DIOS_NONBLOCK, self->s, out,
					 sizeof(out)));
		EXPECT_EQ(-1, dios_test_check(out, MSG, 0));
	}
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

/* A stream zombified while entry 1 waits: entry 0 counts, -EIDRM. */
TEST_F(batch, zombified_mid_batch)
{
	pid_t parent = getpid(), pid;
	struct dios_xfer_batch_req b;

	send_entries(self, self->s, 1);
	ASSERT_EQ(1, batch_raw(&b, 0, self->reqs, 1));
	recv_entry(&self->reqs[0], self->s, self->bufs[0], MSG);
	recv_entry(&self->reqs[1], self->s, self->bufs[1], MSG);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		EXPECT_EQ(0, dios_test_wait_sleeping(parent, SLEEP_MS));
		ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, s));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(1, batch_raw(&b, 0, self->reqs, 2));
	EXPECT_EQ(-EIDRM, b.error);
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * A signal while entry 1 waits, after entry 0 was done: never restarted
 * (it would run entry 0 again), even with SA_RESTART: the count, -EINTR.
 */
TEST_F(batch, signal_after_first_entry)
{
	pid_t parent = getpid(), pid;
	struct dios_xfer_batch_req b;

	send_entries(self, self->s, 1);
	ASSERT_EQ(1, batch_raw(&b, 0, self->reqs, 1));
	recv_entry(&self->reqs[0], self->s, self->bufs[0], MSG);
	recv_entry(&self->reqs[1], self->s, self->bufs[1], MSG);
	ASSERT_EQ(0, dios_test_set_sigusr1(SA_RESTART));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_test_interrupt(parent, SLEEP_MS, false);
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(1, batch_raw(&b, 0, self->reqs, 2));
	EXPECT_EQ(-EINTR, b.error);
	EXPECT_EQ(1, dios_test_sig_count);
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* A signal while entry 0 waits: nothing done, the call restarts. */
TEST_F(batch, signal_restarts_first_entry)
{
	pid_t parent = getpid(), pid;
	struct dios_xfer_batch_req b;

	recv_entry(&self->reqs[0], self->s, self->bufs[0], MSG);
	ASSERT_EQ(0, dios_test_set_sigusr1(SA_RESTART));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		dios_test_interrupt(parent, SLEEP_MS, true);
		ASSERT_EQ(0, dios_send(0, s, "late", 4));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(1, batch_raw(&b, 0, self->reqs, 1));
	EXPECT_EQ(0, b.error);
	EXPECT_EQ(4, self->reqs[0].recv_len);
	EXPECT_EQ(1, dios_test_sig_count);
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* ---- arguments: checked before any entry runs, nothing done -------------- */

TEST_F(batch, unknown_flags)
{
	struct dios_xfer_batch_req b;
	static const uint64_t bad[] = { 1ULL << 1, DIOS_XFER_SEND,
					DIOS_XFER_RECV, 1ULL << 11, 1ULL << 63 };
	size_t i;

	send_entries(self, self->s, 2);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		EXPECT_EQ(-EINVAL, batch_raw(&b, bad[i], self->reqs, 2));
	}
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

/* A bad last entry: not even the good ones before it run. */
TEST_F(batch, bad_entry_flags)
{
	struct dios_xfer_batch_req b;

	send_entries(self, self->s, 3);
	self->reqs[2].flags |= 1ULL << 40;
	EXPECT_EQ(-EINVAL, batch_raw(&b, 0, self->reqs, 3));
	self->reqs[2].flags = DIOS_XFER_WAITFORONE | DIOS_XFER_SEND;
	EXPECT_EQ(-EINVAL, batch_raw(&b, 0, self->reqs, 3));
	self->reqs[2].flags = 0;
	EXPECT_EQ(-EINVAL, batch_raw(&b, 0, self->reqs, 3));
	EXPECT_EQ(0, self->reqs[0].done);
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

TEST_F(batch, entry_pad)
{
	struct dios_xfer_batch_req b;

	send_entries(self, self->s, 2);
	self->reqs[1].__pad = 1;
	EXPECT_EQ(-EINVAL, batch_raw(&b, 0, self->reqs, 2));
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

TEST_F(batch, entry_unused_half_field)
{
	struct dios_xfer_batch_req b;

	send_entries(self, self->s, 2);
	self->reqs[1].recv_len = 8;
	EXPECT_EQ(-EINVAL, batch_raw(&b, 0, self->reqs, 2));
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

TEST_F(batch, count_zero)
{
	struct dios_xfer_batch_req b;

	send_entries(self, self->s, 1);
	EXPECT_EQ(-EINVAL, batch_raw(&b, 0, self->reqs, 0));
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

TEST_F(batch, count_too_big)
{
	struct dios_xfer_req *r = calloc(DIOS_XFER_BATCH_MAX + 1, sizeof(*r));
	struct dios_xfer_batch_req b;
	uint32_t i;

	ASSERT_NE(NULL, r);
	for (i = 0; i <= DIOS_XFER_BATCH_MAX; i++)
		send_entry(&r[i], self->s, NULL, 0);
	EXPECT_EQ(-EINVAL, batch_raw(&b, 0, r, DIOS_XFER_BATCH_MAX + 1));
	EXPECT_EQ(-EINVAL, batch_raw(&b, 0, r, UINT32_MAX));
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
	free(r);
}

TEST_F(batch, req_size)
{
	const uint32_t bad[] = { 0, 8, 63, 72, 80, 128 };
	struct dios_xfer_batch_req b;
	size_t i;

	send_entries(self, self->s, 1);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&b, 0, sizeof(b));
		b.reqs = (uintptr_t)self->reqs;
		b.n = 1;
		b.req_size = bad[i];
		EXPECT_EQ(-EINVAL, dios_test_rw(BATCH_NR, sizeof(b), &b));
	}
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
}

/* count and error are outputs: ignored on input. */
TEST_F(batch, outputs_ignored_on_input)
{
	struct dios_xfer_batch_req b;

	send_entries(self, self->s, 1);
	memset(&b, 0, sizeof(b));
	b.reqs = (uintptr_t)self->reqs;
	b.n = 1;
	b.req_size = sizeof(self->reqs[0]);
	b.count = 77;
	b.error = -1;
	EXPECT_EQ(1, dios_test_rw(BATCH_NR, sizeof(b), &b));
	EXPECT_EQ(1, b.count);
	EXPECT_EQ(0, b.error);
}

/* The batch struct is extensible as every request is. */
TEST_F(batch, struct_size)
{
	struct {
		struct dios_xfer_batch_req b;
		uint64_t tail;
	} big;

	send_entries(self, self->s, 1);
	memset(&big, 0, sizeof(big));
	big.b.reqs = (uintptr_t)self->reqs;
	big.b.n = 1;
	big.b.req_size = sizeof(self->reqs[0]);
	EXPECT_EQ(-EINVAL, dios_test_rw(BATCH_NR, sizeof(big.b) - 8, &big.b));
	big.tail = 1;
	EXPECT_EQ(-E2BIG, dios_test_rw(BATCH_NR, sizeof(big), &big));
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
	big.tail = 0;
	EXPECT_EQ(1, dios_test_rw(BATCH_NR, sizeof(big), &big));
	EXPECT_EQ(1, big.b.count);
	EXPECT_EQ(0, big.tail);
	EXPECT_EQ(0, queued(self->s, 0, 1, MSG));
}

TEST_F(batch, null_batch_struct)
{
	EXPECT_EQ(-EFAULT, dios_test_rw(BATCH_NR,
					sizeof(struct dios_xfer_batch_req),
					NULL));
}

/* An array that cannot be read in full: -EFAULT, not one entry sent. */
TEST_F(batch, bad_array_pointer)
{
	struct dios_xfer_batch_req b;
	struct dios_xfer_req *r;
	uint8_t *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + 4096, 4096, PROT_NONE));
	/* Entries 0 and 1 readable, entry 2 in the PROT_NONE page. */
	r = (struct dios_xfer_req *)(p + 4096 - 2 * sizeof(*r));
	send_entries(self, self->s, 3);
	memcpy(r, self->reqs, 2 * sizeof(*r));
	EXPECT_EQ(-EFAULT, batch_raw(&b, 0, r, 3));
	EXPECT_EQ(-EFAULT, batch_raw(&b, 0, NULL, 1));
	EXPECT_EQ(0, r[0].done);
	EXPECT_EQ(0, queued(self->s, 0, 0, 0));
	munmap(p, 2 * 4096);
}

/*
 * 32-bit callers pass the same structs: a pointer's upper half is never
 * cut off, so a 32-bit address with bits above it set is -EFAULT, in the
 * array pointer as in an entry's buffer.
 */
TEST_F(batch, pointers_keep_64_bits)
{
	struct dios_xfer_batch_req b;
	const uint64_t high = 1ULL << 63;

	EXPECT_EQ(32, sizeof(b));
	send_entries(self, self->s, 2);
	memset(&b, 0, sizeof(b));
	b.reqs = high | (uintptr_t)self->reqs;
	b.n = 2;
	b.req_size = sizeof(self->reqs[0]);
	EXPECT_EQ(-EFAULT, dios_test_rw(BATCH_NR, sizeof(b), &b));
	self->reqs[1].send_buf |= high;
	EXPECT_EQ(1, batch_raw(&b, 0, self->reqs, 2));
	EXPECT_EQ(-EFAULT, b.error);
	EXPECT_EQ(0, queued(self->s, 0, 1, MSG));
}

/* One system call: the feature is announced. */
TEST(feature_announced)
{
	struct dios_version_req v;

	ASSERT_EQ(0, dios_version(&v));
	EXPECT_EQ(DIOS_FEAT_XFER_BATCH, v.features & DIOS_FEAT_XFER_BATCH);
	EXPECT_LE(4, v.abi_minor);
}

TEST_HARNESS_MAIN
