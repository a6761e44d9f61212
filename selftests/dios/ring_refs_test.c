// SPDX-License-Identifier: GPL-2.0
/*
 * References carried by the messages of ring streams (DIOS_FEAT_RING_REFS;
 * docs/ring.md): the bytes move in user space, the references through the
 * kernel's queue, keyed by the frame's position.  The promises of plain
 * streams (docs/io.md) hold: FIFO order with plain messages, across
 * wrap-arounds and processes; the handles leave the sender at the commit,
 * arrive at acquire_read with their rights, go back with release_read;
 * -EMSGSIZE leaves the message; every error of commit_write with
 * DIOS_IO_REFS changes nothing; a reader killed mid-read loses nothing; a
 * writer killed between its push and its publish leaks nothing; zombify
 * and deletion drop what is queued; cycles are collected.  Every
 * DIOS_IOC_RING error of the new steps with otherwise valid input, and a
 * malicious writer: a flag without a push, a push without a frame, a push
 * for another position, pushes without end (bounded).
 */
#define _GNU_SOURCE
#include <signal.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP		256	/* the longest message: a ring of one page */
#define RING_NR		0x18
#define MAX_REFS	64	/* references one message may carry */
#define SETTLE_MS	5000
#define RW		(DIOS_RIGHT_READ | DIOS_RIGHT_WRITE)
#define RC		(DIOS_RIGHT_READ | DIOS_RIGHT_COPY)

static int ring_raw(struct dios_ring_req *req)
{
	return dios_test_rw(RING_NR, sizeof(*req), req);
}

static struct dios_ring_req ring_req(uint32_t op, uint32_t side,
				     dios_ref_t ref, uint64_t pos)
{
	struct dios_ring_req req;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.side = side;
	req.ref = ref;
	req.pos = pos;
	return req;
}

/* PUSH_REFS of @n handles for @pos; 0 or -errno. */
static int raw_push(dios_ref_t s, uint64_t pos, const dios_ref_t *refs,
		    uint32_t n)
{
	struct dios_ring_req req = ring_req(DIOS_RING_PUSH_REFS,
					    DIOS_RING_WRITE, s, pos);

	req.refs = (uint64_t)(uintptr_t)refs;
	req.n_refs = n;
	return ring_raw(&req);
}

/* TAKE_REFS for @pos into @refs; *@n capacity in, count out. */
static int raw_take(dios_ref_t s, uint64_t pos, dios_ref_t *refs, uint32_t *n)
{
	struct dios_ring_req req = ring_req(DIOS_RING_TAKE_REFS,
					    DIOS_RING_READ, s, pos);
	int ret;

	req.refs = (uint64_t)(uintptr_t)refs;
	req.n_refs = *n;
	ret = ring_raw(&req);
	*n = req.n_refs;
	return ret;
}

static int raw_end(dios_ref_t s, uint32_t op, uint64_t pos)
{
	struct dios_ring_req req = ring_req(op, DIOS_RING_READ, s, pos);

	return ring_raw(&req);
}

/* A side's lease taken by hand: the view, our word, the ring. */
struct raw_side {
	struct dios_ring_req att;
	volatile uint64_t *own;
	char *data;
};

static int raw_attach(dios_ref_t s, uint32_t side, struct raw_side *r)
{
	int ret;

	r->att = ring_req(DIOS_RING_ATTACH, side, s, 0);
	ret = ring_raw(&r->att);
	r->own = (volatile uint64_t *)(uintptr_t)r->att.own;
	r->data = (char *)(uintptr_t)r->att.addr + DIOS_RING_CTL_PAGES * 4096;
	return ret;
}

/* Write a frame of @len bytes with @flags at the tail and publish it. */
static void raw_publish(struct raw_side *w, uint32_t len, uint32_t flags)
{
	uint64_t pos = *w->own;
	struct dios_ring_frame *fr;

	fr = (void *)(w->data + pos % w->att.ring_size);
	fr->len = len;
	fr->flags = flags;
	__atomic_store_n(w->own, pos + 8 + ((len + 7) & ~7u),
			 __ATOMIC_RELEASE);
}

static int ring_create(uint64_t flags, dios_ref_t *s, struct dios_name *name)
{
	struct dios_create_args a = { .capacity = CAP };

	return dios_create(flags | DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, s,
			   name);
}

/* A message of @len pattern bytes of @seq carrying @n references. */
static int send_refs(dios_ref_t s, uint64_t len, uint64_t seq,
		     dios_ref_t *refs, uint32_t n)
{
	struct dios_iovec w = dios_test_iov(0);
	int ret = dios_acquire_write(0, s, len ? len : 1, &w);

	if (ret)
		return ret;
	dios_test_fill(w.buf, len, seq);
	w.refs = refs;
	w.n_refs = n;
	ret = dios_commit_write(DIOS_IO_REFS, s, len, &w);
	if (ret)
		dios_release_write(0, s, &w);
	return ret;
}

/*
 * Receive a message that must be @len pattern bytes of @seq: its
 * reference count, or -errno, or -ENOMSG for other bytes (put back).
 */
static int recv_refs(uint64_t flags, dios_ref_t s, uint64_t len, uint64_t seq,
		     dios_ref_t *refs, uint32_t cap)
{
	struct dios_iovec r = dios_test_iov(0);
	int ret;

	r.refs = refs;
	r.n_refs = cap;
	ret = dios_acquire_read(flags, s, CAP, &r);
	if (ret)
		return ret;
	if (r.len != len || dios_test_check(r.buf, len, seq) != -1) {
		dios_release_read(0, s, &r);
		return -ENOMSG;
	}
	ret = dios_commit_read(0, s, &r);
	return ret ? ret : (int)r.n_refs;
}

static uint64_t rights_of(dios_ref_t ref)
{
	struct dios_ref_info info;

	if (dios_ref_info(ref, &info))
		return 0;
	return info.rights;
}

static int gone(dios_ref_t ref)
{
	struct dios_ref_info info;

	return dios_ref_info(ref, &info) == -EBADF;
}

/* The rights of reference @i of message @seq in the order test. */
static uint64_t seq_rights(uint64_t seq, uint32_t i)
{
	return RC | ((seq + i) % 2 ? DIOS_RIGHT_WRITE : 0) |
	       (seq % 3 == 0 ? DIOS_RIGHT_DELETE : 0);
}

/*
 * The entries queued in ring stream @s, as debugfs shows them (refs=), or
 * -1 without debugfs.
 */
static long ring_queued(dios_ref_t s)
{
	char path[64], key[48], *text, *line, *p;
	long n = -1;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dios/proc/%d",
		 (int)getpid());
	snprintf(key, sizeof(key), "handle=%#llx ", (unsigned long long)s);
	text = dios_test_read_file(path);
	if (!text)
		return -1;
	for (line = text; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, key, strlen(key)))
			continue;
		p = strstr(line, " refs=");
		if (p && (!strchr(line, '\n') || p < strchr(line, '\n')))
			n = strtol(p + 6, NULL, 10);
		break;
	}
	free(text);
	return n;
}

FIXTURE(rr) {
	dios_ref_t s;		/* a named ring stream */
	dios_ref_t obj;		/* a SHMEM object to send copies of */
	struct dios_name name;
	long shmem, streams, refs;	/* the stats before the test */
};

FIXTURE_SETUP(rr)
{
	DIOS_REQUIRE(DIOS_FEAT_RING | DIOS_FEAT_RING_REFS);
	self->shmem = dios_test_stat("objects_shmem");
	self->streams = dios_test_stat("objects_stream");
	self->refs = dios_test_stat("refs");
	ASSERT_EQ(0, ring_create(0, &self->s, &self->name));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
				      &self->obj, NULL));
}

FIXTURE_TEARDOWN(rr)
{
}

/*
 * Nothing the test made is left once the fixture's references are deleted:
 * the objects and the references counted in debugfs are back to where the
 * test started.
 */
static void no_leak(struct __test_metadata *_metadata, FIXTURE_DATA(rr) *self)
{
	EXPECT_EQ(0, dios_delete(0, self->s));
	EXPECT_EQ(0, dios_delete(0, self->obj));
	if (self->shmem < 0)
		return;
	EXPECT_EQ(self->shmem, dios_test_stat_settles("objects_shmem",
						      self->shmem, SETTLE_MS));
	EXPECT_EQ(self->streams, dios_test_stat_settles("objects_stream",
							self->streams,
							SETTLE_MS));
	EXPECT_EQ(self->refs, dios_test_stat_settles("refs", self->refs,
						     SETTLE_MS));
}

TEST_F(rr, carried)
{
	dios_ref_t d, got[4];
	struct dios_ref_info info;

	ASSERT_EQ(0, dios_dup(self->obj, RC, &d));
	ASSERT_EQ(0, send_refs(self->s, 5, 1, &d, 1));
	/* The sender's handle left its table at the commit. */
	EXPECT_TRUE(gone(d));
	ASSERT_EQ(1, recv_refs(DIOS_NONBLOCK, self->s, 5, 1, got, 4));
	ASSERT_EQ(0, dios_ref_info(got[0], &info));
	EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
	EXPECT_EQ(RC, info.rights);
	if (ring_queued(self->s) >= 0)
		EXPECT_EQ(0, ring_queued(self->s));
	EXPECT_EQ(0, dios_delete(0, got[0]));
	no_leak(_metadata, self);
}

/*
 * Plain messages (copying and zero-copy) and messages carrying references,
 * in bursts through a ring of one page that wraps hundreds of times: every
 * message in order, each with its own references (count and rights tell
 * them apart), none with another's.
 */
TEST_F(rr, order_mixed_wraps)
{
	dios_ref_t refs[4], got[8];
	uint64_t seq = 0, rseq = 0, len, kind;
	uint32_t i, n;
	char buf[CAP];
	int burst, k;

	for (burst = 0; burst < 400; burst++) {
		for (k = 0; k < 1 + burst % 13; k++, seq++) {
			len = (seq * 37) % CAP;
			kind = (seq * 7) % 5;
			if (kind < 2) {
				n = 1 + seq % 4;
				for (i = 0; i < n; i++)
					ASSERT_EQ(0, dios_dup(self->obj,
							      seq_rights(seq, i),
							      &refs[i]));
				ASSERT_EQ(0, send_refs(self->s, len, seq, refs,
						       n));
			} else if (kind < 4) {
				dios_test_fill(buf, len, seq);
				ASSERT_EQ(0, dios_send(0, self->s, buf, len));
			} else {
				ASSERT_EQ(0, send_refs(self->s, len, seq, NULL,
						       0));
			}
		}
		for (; rseq < seq; rseq++) {
			len = (rseq * 37) % CAP;
			kind = (rseq * 7) % 5;
			if (kind == 2 || kind == 3) {
				/* Copying reads see plain messages only. */
				ASSERT_EQ((int)len, dios_recv(DIOS_NONBLOCK,
							      self->s, buf,
							      sizeof(buf)));
				ASSERT_EQ(-1, dios_test_check(buf, len, rseq));
				continue;
			}
			n = kind < 2 ? 1 + rseq % 4 : 0;
			ASSERT_EQ((int)n, recv_refs(DIOS_NONBLOCK, self->s, len,
						    rseq, got, 8));
			for (i = 0; i < n; i++) {
				ASSERT_EQ(seq_rights(rseq, i),
					  rights_of(got[i]));
				ASSERT_EQ(0, dios_delete(0, got[i]));
			}
		}
	}
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
	no_leak(_metadata, self);
}

/* A re-arming commit reads the next message's references too. */
TEST_F(rr, rearm_reads_refs)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t d[3], got[3];
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, dios_dup(self->obj, RC, &d[i]));
		ASSERT_EQ(0, send_refs(self->s, 8, i, &d[i], 1));
	}
	r.refs = got;
	r.n_refs = 1;
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, r.n_refs);
		ASSERT_EQ(-1, dios_test_check(r.buf, 8, i));
		EXPECT_EQ(RC, rights_of(got[0]));
		EXPECT_EQ(0, dios_delete(0, got[0]));
		r.next_len = CAP;
		if (i < 2)
			ASSERT_EQ(0, dios_commit_read(DIOS_IO_REARM, self->s,
						      &r));
	}
	ASSERT_EQ(-EAGAIN, dios_commit_read(DIOS_IO_REARM | DIOS_NONBLOCK,
					    self->s, &r));
	EXPECT_EQ(DIOS_IO_DONE_COMMIT, r.done);
	no_leak(_metadata, self);
}

/* release_read deletes the handles installed; the message keeps its own. */
TEST_F(rr, release_puts_back)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t d[2], got[2];

	ASSERT_EQ(0, dios_dup(self->obj, RC, &d[0]));
	ASSERT_EQ(0, dios_dup(self->obj, RC | DIOS_RIGHT_WRITE, &d[1]));
	ASSERT_EQ(0, send_refs(self->s, 3, 9, d, 2));
	r.refs = got;
	r.n_refs = 2;
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	ASSERT_EQ(2, r.n_refs);
	EXPECT_EQ(RC, rights_of(got[0]));
	ASSERT_EQ(0, dios_release_read(0, self->s, &r));
	EXPECT_TRUE(gone(got[0]));
	EXPECT_TRUE(gone(got[1]));
	/* The same message again, with its references. */
	ASSERT_EQ(2, recv_refs(0, self->s, 3, 9, got, 2));
	EXPECT_EQ(RC, rights_of(got[0]));
	EXPECT_EQ(RC | DIOS_RIGHT_WRITE, rights_of(got[1]));
	EXPECT_EQ(0, dios_delete(0, got[0]));
	EXPECT_EQ(0, dios_delete(0, got[1]));
	no_leak(_metadata, self);
}

/* Too long, or too many references: -EMSGSIZE says what, and it stays. */
TEST_F(rr, emsgsize_leaves_message)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t d[3], got[3];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, dios_dup(self->obj, RC, &d[i]));
	ASSERT_EQ(0, send_refs(self->s, 100, 4, d, 3));
	r.refs = got;
	r.n_refs = 2;
	EXPECT_EQ(-EMSGSIZE, dios_acquire_read(0, self->s, CAP, &r));
	EXPECT_EQ(100, r.len);
	EXPECT_EQ(3, r.n_refs);
	r.n_refs = 3;
	EXPECT_EQ(-EMSGSIZE, dios_acquire_read(0, self->s, 99, &r));
	EXPECT_EQ(100, r.len);
	EXPECT_EQ(3, r.n_refs);
	/* Nothing was installed: the stream and the object are all. */
	if (self->refs >= 0)
		EXPECT_EQ(self->refs + 2, dios_test_stat("refs"));
	ASSERT_EQ(3, recv_refs(0, self->s, 100, 4, got, 3));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, dios_delete(0, got[i]));
	no_leak(_metadata, self);
}

/* A copying read has no table for references: -EMSGSIZE, it stays. */
TEST_F(rr, recv_refuses_refs)
{
	dios_ref_t d, got;
	char buf[CAP];

	ASSERT_EQ(0, dios_dup(self->obj, RC, &d));
	ASSERT_EQ(0, send_refs(self->s, 10, 2, &d, 1));
	EXPECT_EQ(-EMSGSIZE, dios_recv(0, self->s, buf, sizeof(buf)));
	ASSERT_EQ(1, recv_refs(0, self->s, 10, 2, &got, 1));
	EXPECT_EQ(0, dios_delete(0, got));
	no_leak(_metadata, self);
}

/* DIOS_IO_REFS with no reference is a plain message, as on plain streams. */
TEST_F(rr, zero_refs_is_plain)
{
	char buf[CAP];

	ASSERT_EQ(0, send_refs(self->s, 7, 3, NULL, 0));
	EXPECT_EQ(7, dios_recv(0, self->s, buf, sizeof(buf)));
	EXPECT_EQ(-1, dios_test_check(buf, 7, 3));
	EXPECT_EQ(0, ring_queued(self->s) > 0);
	no_leak(_metadata, self);
}

/*
 * Every error of commit_write with DIOS_IO_REFS, the rest valid: nothing
 * leaves the table, nothing is queued or published, the buffer stays open.
 */
TEST_F(rr, send_errors)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t good, nocopy, priv, zombie, self_ref, many[MAX_REFS + 1];
	struct {
		const char *what;
		dios_ref_t refs[2];
		uint32_t n;
		int err;
	} c[] = {
		{ "no COPY", { 0 }, 1, -EACCES },
		{ "PRIVMEM", { 0 }, 1, -EPERM },
		{ "itself", { 0 }, 1, -EINVAL },
		{ "twice", { 0 }, 2, -EINVAL },
		{ "bad handle", { 0 }, 1, -EBADF },
		{ "zombie", { 0 }, 1, -EIDRM },
	};
	dios_ref_t got[2];
	char buf[CAP];
	uint32_t i;
	long before;

	ASSERT_EQ(0, dios_dup(self->obj, RC, &good));
	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ, &nocopy));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_PRIVMEM,
				      &priv, NULL));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
				      &zombie, NULL));
	ASSERT_EQ(0, dios_dup(zombie, DIOS_RIGHTS_ALL, &c[5].refs[0]));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, zombie));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &self_ref));
	c[0].refs[0] = nocopy;
	c[1].refs[0] = priv;
	c[2].refs[0] = self_ref;
	c[3].refs[0] = good;
	c[3].refs[1] = good;
	c[4].refs[0] = good ^ (1ULL << 63);
	for (i = 0; i <= MAX_REFS; i++)
		ASSERT_EQ(0, dios_dup(self->obj, RC, &many[i]));

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 16, &w));
	dios_test_fill(w.buf, 16, 5);
	before = dios_test_stat("refs");
	for (i = 0; i < ARRAY_LEN(c); i++) {
		w.refs = c[i].refs;
		w.n_refs = c[i].n;
		EXPECT_EQ(c[i].err, dios_commit_write(DIOS_IO_REFS, self->s, 16,
						      &w)) {
			TH_LOG("%s", c[i].what);
		}
		EXPECT_EQ(0, w.done);
	}
	w.refs = many;
	w.n_refs = MAX_REFS + 1;
	EXPECT_EQ(-E2BIG, dios_commit_write(DIOS_IO_REFS, self->s, 16, &w));
	w.refs = NULL;
	w.n_refs = 1;
	EXPECT_EQ(-EFAULT, dios_commit_write(DIOS_IO_REFS, self->s, 16, &w));
	w.refs = (dios_ref_t *)(uintptr_t)8;
	EXPECT_EQ(-EFAULT, dios_commit_write(DIOS_IO_REFS, self->s, 16, &w));
	/* Nothing left a table; nothing was published or queued. */
	EXPECT_EQ(before, dios_test_stat("refs"));
	EXPECT_EQ(RC, rights_of(good));
	EXPECT_EQ(DIOS_RIGHT_READ, rights_of(nocopy));
	EXPECT_EQ(0, ring_queued(self->s) > 0);
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
	/* The buffer is still open: the good reference goes. */
	w.refs = &good;
	w.n_refs = 1;
	ASSERT_EQ(0, dios_commit_write(DIOS_IO_REFS, self->s, 16, &w));
	EXPECT_TRUE(gone(good));
	ASSERT_EQ(1, recv_refs(0, self->s, 16, 5, got, 2));
	EXPECT_EQ(RC, rights_of(got[0]));
	EXPECT_EQ(0, dios_delete(0, got[0]));
	for (i = 0; i <= MAX_REFS; i++)
		EXPECT_EQ(0, dios_delete(0, many[i]));
	EXPECT_EQ(0, dios_delete(0, nocopy));
	EXPECT_EQ(0, dios_delete(0, priv));
	EXPECT_EQ(0, dios_delete(0, c[5].refs[0]));
	EXPECT_EQ(0, dios_delete(0, self_ref));
	no_leak(_metadata, self);
}

/* The new DIOS_IOC_RING steps: one error each, the rest of it valid. */
TEST_F(rr, ioctl_errors)
{
	struct dios_create_args a = { .capacity = CAP };
	struct dios_ring_req req, push;
	dios_ref_t plain, ro, wo, d, got[2];
	struct raw_side w, r;
	uint32_t n;

	ASSERT_EQ(0, dios_dup(self->obj, RC, &d));
	push = ring_req(DIOS_RING_PUSH_REFS, DIOS_RING_WRITE, self->s, 0);
	push.refs = (uint64_t)(uintptr_t)&d;
	push.n_refs = 1;

	/* Without the lease. */
	req = push;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	n = 2;
	EXPECT_EQ(-EINVAL, raw_take(self->s, 0, got, &n));
	EXPECT_EQ(-EINVAL, raw_end(self->s, DIOS_RING_COMMIT_REFS, 0));
	EXPECT_EQ(-EINVAL, raw_end(self->s, DIOS_RING_RELEASE_REFS, 0));

	ASSERT_EQ(0, raw_attach(self->s, DIOS_RING_WRITE, &w));
	ASSERT_EQ(0, raw_attach(self->s, DIOS_RING_READ, &r));

	req = push;
	req.op = DIOS_RING_RELEASE_REFS + 1;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.side = DIOS_RING_READ;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.flags = DIOS_NONBLOCK;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.wake_ref = self->s;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.addr = w.att.addr;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.own = w.att.own;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.__pad = 1;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.n_refs = 0;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.n_refs = MAX_REFS + 1;
	EXPECT_EQ(-E2BIG, ring_raw(&req));
	req = push;
	req.refs = 8;
	EXPECT_EQ(-EFAULT, ring_raw(&req));
	/* The position of the frame must be the tail. */
	req = push;
	req.pos = 8;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.pos = 1ULL << 32;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = push;
	req.ref = self->s + 0x1000;
	EXPECT_EQ(-EBADF, ring_raw(&req));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	req = push;
	req.ref = ro;
	EXPECT_EQ(-EACCES, ring_raw(&req));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &plain,
				 NULL));
	req = push;
	req.ref = plain;
	EXPECT_EQ(-EOPNOTSUPP, ring_raw(&req));
	/* The references of the old steps must be zero. */
	req = ring_req(DIOS_RING_WAKE, DIOS_RING_WRITE, self->s, 0);
	req.n_refs = 1;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ring_req(DIOS_RING_WAIT, DIOS_RING_WRITE, self->s, 0);
	req.refs = (uint64_t)(uintptr_t)&d;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	/* None of that took the handle. */
	EXPECT_EQ(RC, rights_of(d));
	EXPECT_EQ(0, ring_queued(self->s) > 0);

	/* Take: no entry, another position, the wrong side, no array. */
	n = 2;
	EXPECT_EQ(-EBADMSG, raw_take(self->s, 0, got, &n));
	ASSERT_EQ(0, raw_push(self->s, 0, &d, 1));
	EXPECT_TRUE(gone(d));
	raw_publish(&w, 4, DIOS_RING_FRAME_REFS);
	n = 2;
	EXPECT_EQ(-EBADMSG, raw_take(self->s, 8, got, &n));
	req = ring_req(DIOS_RING_TAKE_REFS, DIOS_RING_WRITE, self->s, 0);
	req.refs = (uint64_t)(uintptr_t)got;
	req.n_refs = 2;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ring_req(DIOS_RING_TAKE_REFS, DIOS_RING_READ, self->s, 0);
	req.n_refs = 2;
	EXPECT_EQ(-EFAULT, ring_raw(&req));
	req = ring_req(DIOS_RING_TAKE_REFS, DIOS_RING_READ, self->s, 0);
	req.refs = 8;
	req.n_refs = 2;
	EXPECT_EQ(-EFAULT, ring_raw(&req));
	req = ring_req(DIOS_RING_TAKE_REFS, DIOS_RING_READ, self->s, 0);
	req.refs = (uint64_t)(uintptr_t)got;
	req.n_refs = 2;
	req.wake_ref = self->s;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &wo));
	req = ring_req(DIOS_RING_TAKE_REFS, DIOS_RING_READ, wo, 0);
	req.refs = (uint64_t)(uintptr_t)got;
	req.n_refs = 2;
	EXPECT_EQ(-EACCES, ring_raw(&req));
	n = 0;
	EXPECT_EQ(-EMSGSIZE, raw_take(self->s, 0, got, &n));
	EXPECT_EQ(1, n);
	/* None of that installed anything; the entry is still there. */
	if (self->refs >= 0)
		EXPECT_EQ(self->refs + 5, dios_test_stat("refs"));
	if (ring_queued(self->s) >= 0)
		EXPECT_EQ(1, ring_queued(self->s));

	/* Commit and release need the take open, at that position. */
	EXPECT_EQ(-EINVAL, raw_end(self->s, DIOS_RING_COMMIT_REFS, 0));
	EXPECT_EQ(-EINVAL, raw_end(self->s, DIOS_RING_RELEASE_REFS, 0));
	n = 2;
	ASSERT_EQ(0, raw_take(self->s, 0, got, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(RC, rights_of(got[0]));
	n = 2;
	EXPECT_EQ(-EBUSY, raw_take(self->s, 0, got + 1, &n));
	EXPECT_EQ(-EINVAL, raw_end(self->s, DIOS_RING_COMMIT_REFS, 8));
	EXPECT_EQ(-EINVAL, raw_end(self->s, DIOS_RING_RELEASE_REFS, 8));
	req = ring_req(DIOS_RING_COMMIT_REFS, DIOS_RING_WRITE, self->s, 0);
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ring_req(DIOS_RING_COMMIT_REFS, DIOS_RING_READ, self->s, 0);
	req.n_refs = 1;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ring_req(DIOS_RING_RELEASE_REFS, DIOS_RING_READ, self->s, 0);
	req.refs = (uint64_t)(uintptr_t)got;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	/* Still held, still queued; then consumed for good. */
	EXPECT_EQ(RC, rights_of(got[0]));
	__atomic_store_n(r.own, 16, __ATOMIC_RELEASE);
	EXPECT_EQ(0, raw_end(self->s, DIOS_RING_COMMIT_REFS, 0));
	EXPECT_EQ(-EINVAL, raw_end(self->s, DIOS_RING_COMMIT_REFS, 0));
	EXPECT_EQ(RC, rights_of(got[0]));
	if (ring_queued(self->s) >= 0)
		EXPECT_EQ(0, ring_queued(self->s));
	EXPECT_EQ(0, dios_delete(0, got[0]));
	EXPECT_EQ(0, dios_delete(0, ro));
	EXPECT_EQ(0, dios_delete(0, wo));
	EXPECT_EQ(0, dios_delete(0, plain));
	no_leak(_metadata, self);
}

/* A caller of the 64 bytes of ABI 1.4 attaches as before, pushes nothing. */
TEST_F(rr, abi_1_4_request)
{
	struct dios_ring_req req = ring_req(DIOS_RING_ATTACH, DIOS_RING_WRITE,
					    self->s, 0);

	EXPECT_EQ(0, dios_test_rw(RING_NR, DIOS_RING_REQ_SIZE_VER0, &req));
	EXPECT_NE(0, req.addr);
	req = ring_req(DIOS_RING_PUSH_REFS, DIOS_RING_WRITE, self->s, 0);
	EXPECT_EQ(-EINVAL, dios_test_rw(RING_NR, DIOS_RING_REQ_SIZE_VER0,
					&req));
	EXPECT_EQ(-EINVAL, dios_test_rw(RING_NR, DIOS_RING_REQ_SIZE_VER0 - 8,
					&req));
	no_leak(_metadata, self);
}

/* A frame flagged without a push: -EBADMSG for the reader, nothing else. */
TEST_F(rr, flag_without_push)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t got[2];
	struct raw_side w;
	long before = dios_test_stat("refs");
	char buf[CAP];

	ASSERT_EQ(0, raw_attach(self->s, DIOS_RING_WRITE, &w));
	raw_publish(&w, 4, DIOS_RING_FRAME_REFS);
	r.refs = got;
	r.n_refs = 2;
	EXPECT_EQ(-EBADMSG, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
	EXPECT_EQ(-EBADMSG, dios_acquire_read(DIOS_NONBLOCK, self->s, 1, &r));
	EXPECT_EQ(-EBADMSG, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
	/* An unknown frame flag too. */
	raw_publish(&w, 4, 2);
	EXPECT_EQ(-EBADMSG, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
	EXPECT_EQ(before, dios_test_stat("refs"));
	no_leak(_metadata, self);
}

/*
 * A push whose frame never comes: the next push for the same position
 * replaces it, a plain frame there leaves it behind the head, and the
 * reader of later frames gets their own references.
 */
TEST_F(rr, push_without_frame)
{
	dios_ref_t o[3], got[2];
	struct raw_side w;
	char buf[8];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
					      &o[i], NULL));
	ASSERT_EQ(0, raw_attach(self->s, DIOS_RING_WRITE, &w));
	ASSERT_EQ(0, raw_push(self->s, 0, &o[0], 1));
	if (self->shmem >= 0)
		EXPECT_EQ(self->shmem + 4, dios_test_stat("objects_shmem"));
	/* Replaced: the first object goes with its entry. */
	ASSERT_EQ(0, raw_push(self->s, 0, &o[1], 1));
	if (self->shmem >= 0)
		EXPECT_EQ(self->shmem + 3,
			  dios_test_stat_settles("objects_shmem",
						 self->shmem + 3, SETTLE_MS));
	if (ring_queued(self->s) >= 0)
		EXPECT_EQ(1, ring_queued(self->s));
	/* A plain frame where the references were meant to go. */
	raw_publish(&w, 3, 0);
	EXPECT_EQ(3, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
	/* The next flagged frame has its own. */
	ASSERT_EQ(0, raw_push(self->s, 16, &o[2], 1));
	raw_publish(&w, 0, DIOS_RING_FRAME_REFS);
	ASSERT_EQ(1, recv_refs(DIOS_NONBLOCK, self->s, 0, 0, got, 2));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(got[0]));
	EXPECT_EQ(0, dios_delete(0, got[0]));
	/* The stale entry went when the reader passed it. */
	if (ring_queued(self->s) >= 0)
		EXPECT_EQ(0, ring_queued(self->s));
	no_leak(_metadata, self);
}

/* References pushed for a later frame: the flagged one before it lies. */
TEST_F(rr, wrong_position)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t got[2];
	struct raw_side w;
	char buf[8];

	ASSERT_EQ(0, raw_attach(self->s, DIOS_RING_WRITE, &w));
	raw_publish(&w, 0, 0);
	raw_publish(&w, 0, DIOS_RING_FRAME_REFS);
	ASSERT_EQ(16, *w.own);
	ASSERT_EQ(0, raw_push(self->s, 16, &self->obj, 1));
	EXPECT_EQ(0, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
	r.refs = got;
	r.n_refs = 2;
	EXPECT_EQ(-EBADMSG, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
	/* Only the entry holds the object; the stream's deletion drops it. */
	EXPECT_TRUE(gone(self->obj));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
				      &self->obj, NULL));
	no_leak(_metadata, self);
}

/*
 * A writer that pushes without end (tails one ring apart in their low 32
 * bits, so that every entry looks live): the queue holds one entry per 8
 * bytes of ring, then -ENOSPC with the handle still the writer's; the
 * stream's deletion frees them all.
 */
TEST_F(rr, push_bounded)
{
	dios_ref_t *d;
	struct raw_side w;
	uint64_t i, max;

	ASSERT_EQ(0, raw_attach(self->s, DIOS_RING_WRITE, &w));
	max = w.att.ring_size / 8;
	d = calloc(max + 1, sizeof(*d));
	ASSERT_NE(NULL, d);
	for (i = 0; i <= max; i++)
		ASSERT_EQ(0, dios_dup(self->obj, RC, &d[i]));
	for (i = 0; i < max; i++) {
		*w.own = i << 32;
		ASSERT_EQ(0, raw_push(self->s, i << 32, &d[i], 1));
	}
	*w.own = max << 32;
	EXPECT_EQ(-ENOSPC, raw_push(self->s, max << 32, &d[max], 1));
	EXPECT_EQ(RC, rights_of(d[max]));
	if (ring_queued(self->s) >= 0)
		EXPECT_EQ((long)max, ring_queued(self->s));
	EXPECT_EQ(0, dios_delete(0, d[max]));
	free(d);
	no_leak(_metadata, self);
}

/* Two messages of 4 bytes with a copy of the object each: RC, then RWC. */
static void send_two(struct __test_metadata *_metadata,
		     FIXTURE_DATA(rr) *self)
{
	dios_ref_t d[2];

	ASSERT_EQ(0, dios_dup(self->obj, RC, &d[0]));
	ASSERT_EQ(0, dios_dup(self->obj, RW | DIOS_RIGHT_COPY, &d[1]));
	ASSERT_EQ(0, send_refs(self->s, 4, 1, &d[0], 1));
	ASSERT_EQ(0, send_refs(self->s, 4, 2, &d[1], 1));
}

/*
 * The end of a reader's lease settles its take by its head: a frame it
 * passed is consumed (the handles stay), one it did not is put back (the
 * handles go, the next reader takes the references again).
 */
TEST_F(rr, lease_end_settles_take)
{
	struct dios_ring_req det;
	dios_ref_t got[2];
	struct raw_side r;
	uint32_t n;

	send_two(_metadata, self);
	ASSERT_EQ(0, raw_attach(self->s, DIOS_RING_READ, &r));
	n = 2;
	ASSERT_EQ(0, raw_take(self->s, 0, got, &n));
	EXPECT_EQ(RC, rights_of(got[0]));
	det = ring_req(DIOS_RING_DETACH, DIOS_RING_READ, self->s, 0);
	det.addr = r.att.addr;
	ASSERT_EQ(0, ring_raw(&det));
	EXPECT_TRUE(gone(got[0]));

	ASSERT_EQ(0, raw_attach(self->s, DIOS_RING_READ, &r));
	n = 2;
	ASSERT_EQ(0, raw_take(self->s, 0, got, &n));
	EXPECT_EQ(RC, rights_of(got[0]));
	__atomic_store_n(r.own, 16, __ATOMIC_RELEASE);
	det.addr = r.att.addr;
	ASSERT_EQ(0, ring_raw(&det));
	EXPECT_EQ(RC, rights_of(got[0]));
	if (ring_queued(self->s) >= 0)
		EXPECT_EQ(1, ring_queued(self->s));
	EXPECT_EQ(0, dios_delete(0, got[0]));

	ASSERT_EQ(1, recv_refs(0, self->s, 4, 2, got, 2));
	EXPECT_EQ(RW | DIOS_RIGHT_COPY, rights_of(got[0]));
	EXPECT_EQ(0, dios_delete(0, got[0]));
	no_leak(_metadata, self);
}

/*
 * A reader that moved its head past a frame but never said COMMIT_REFS:
 * its next take finds the first one over (the handles stay) and goes on.
 */
TEST_F(rr, take_after_unended_commit)
{
	dios_ref_t got[2];
	struct raw_side r;
	uint32_t n;

	send_two(_metadata, self);
	ASSERT_EQ(0, raw_attach(self->s, DIOS_RING_READ, &r));
	n = 1;
	ASSERT_EQ(0, raw_take(self->s, 0, &got[0], &n));
	__atomic_store_n(r.own, 16, __ATOMIC_RELEASE);
	n = 1;
	ASSERT_EQ(0, raw_take(self->s, 16, &got[1], &n));
	EXPECT_EQ(RC, rights_of(got[0]));
	EXPECT_EQ(RW | DIOS_RIGHT_COPY, rights_of(got[1]));
	if (ring_queued(self->s) >= 0)
		EXPECT_EQ(1, ring_queued(self->s));
	__atomic_store_n(r.own, 32, __ATOMIC_RELEASE);
	EXPECT_EQ(0, raw_end(self->s, DIOS_RING_COMMIT_REFS, 16));
	EXPECT_EQ(0, dios_delete(0, got[0]));
	EXPECT_EQ(0, dios_delete(0, got[1]));
	no_leak(_metadata, self);
}

/*
 * Zombify with references queued and one taken: they are dropped with
 * the queue; the reader's installed handle lives until its reference to
 * the stream goes, as after a plain stream's read that cannot commit.
 */
TEST_F(rr, zombify_with_refs_queued)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t o, st, rd, got[2];
	int i;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &rd));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
					      &o, NULL));
		ASSERT_EQ(0, send_refs(self->s, 4, i, &o, 1));
	}
	ASSERT_EQ(0, ring_create(DIOS_CREATE_ANON, &st, NULL));
	ASSERT_EQ(0, send_refs(self->s, 4, 9, &st, 1));
	r.refs = got;
	r.n_refs = 2;
	ASSERT_EQ(0, dios_acquire_read(0, rd, CAP, &r));
	ASSERT_EQ(1, r.n_refs);
	if (self->shmem >= 0) {
		EXPECT_EQ(self->shmem + 5, dios_test_stat("objects_shmem"));
		EXPECT_EQ(self->streams + 2, dios_test_stat("objects_stream"));
	}
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->s));
	/* Every entry dropped: the objects only the queue held are gone. */
	if (self->shmem >= 0) {
		EXPECT_EQ(self->shmem + 2,
			  dios_test_stat_settles("objects_shmem",
						 self->shmem + 2, SETTLE_MS));
		EXPECT_EQ(self->streams + 1,
			  dios_test_stat_settles("objects_stream",
						 self->streams + 1, SETTLE_MS));
	}
	EXPECT_EQ(-EIDRM, dios_commit_read(0, rd, &r));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(got[0]));
	EXPECT_EQ(0, dios_delete(0, rd));
	EXPECT_TRUE(gone(got[0]));
	ASSERT_EQ(0, ring_create(DIOS_CREATE_ANON, &self->s, NULL));
	no_leak(_metadata, self);
}

/* The last reference to a stream with references queued: all freed. */
TEST_F(rr, delete_with_refs_queued)
{
	dios_ref_t o;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
					      &o, NULL));
		ASSERT_EQ(0, send_refs(self->s, 4, i, &o, 1));
	}
	no_leak(_metadata, self);
}

/*
 * References between two processes, both blocking in turn: each message
 * carries a SHMEM object the writer filled, which the reader reads.
 */
TEST(ring_refs_two_processes)
{
	long shmem = dios_test_stat("objects_shmem");
	struct dios_iovec io = dios_test_iov(0);
	struct dios_name name;
	dios_ref_t s, c, o, got;
	char buf[CAP];
	pid_t pid;
	int i;

	DIOS_REQUIRE(DIOS_FEAT_RING_REFS | DIOS_FEAT_IO_MEM);
	ASSERT_EQ(0, ring_create(0, &s, &name));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &c));
		for (i = 0; i < 600; i++) {
			if (i % 3) {
				ASSERT_EQ(0, dios_test_send_msg(0, c, 1 + i % 200,
								i));
				continue;
			}
			ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON,
						      DIOS_OBJ_SHMEM, &o,
						      NULL));
			ASSERT_EQ(0, dios_acquire_write(0, o, 64, &io));
			dios_test_fill(io.buf, 64, i);
			ASSERT_EQ(0, dios_commit_write(0, o, 64, &io));
			ASSERT_EQ(0, send_refs(c, 1 + i % 200, i, &o, 1));
			EXPECT_TRUE(gone(o));
		}
		DIOS_CHILD_EXIT();
	}
	for (i = 0; i < 600; i++) {
		if (i % 3) {
			ASSERT_EQ(0, dios_test_recv_msg(0, s, 1 + i % 200, i));
		} else {
			ASSERT_EQ(1, recv_refs(0, s, 1 + i % 200, i, &got, 1));
			ASSERT_EQ(0, dios_acquire_read(0, got, 64, &io));
			ASSERT_EQ(-1, dios_test_check(io.buf, 64, i));
			ASSERT_EQ(0, dios_commit_read(0, got, &io));
			ASSERT_EQ(0, dios_delete(0, got));
		}
		if (i % 200 == 0)
			usleep(50000);	/* let the writer fill and sleep */
	}
	EXPECT_EQ(0, dios_test_wait(pid));
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, s, buf, sizeof(buf)));
	EXPECT_EQ(0, dios_delete(0, s));
	if (shmem >= 0)
		EXPECT_EQ(shmem, dios_test_stat_settles("objects_shmem", shmem,
							SETTLE_MS));
}

/*
 * A reader killed holding a message with references loses nothing: the
 * next reader gets the message and the references.
 */
TEST(ring_refs_reader_killed)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t s, c, o, d, got[2];
	struct dios_name name;
	int p[2];
	pid_t pid;
	char x;

	DIOS_REQUIRE(DIOS_FEAT_RING_REFS);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ring_create(0, &s, &name));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &o,
				      NULL));
	ASSERT_EQ(0, dios_dup(o, RC, &d));
	ASSERT_EQ(0, send_refs(s, 40, 7, &d, 1));
	ASSERT_EQ(0, dios_test_send_msg(0, s, 50, 8));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &c));
		r.refs = got;
		r.n_refs = 2;
		ASSERT_EQ(0, dios_acquire_read(0, c, CAP, &r));
		ASSERT_EQ(1, r.n_refs);
		ASSERT_EQ(0, dios_test_write(p[1], "x", 1));
		pause();
		_exit(1);
	}
	ASSERT_EQ(0, dios_test_read(p[0], &x, 1));
	EXPECT_EQ(-EAGAIN, recv_refs(DIOS_NONBLOCK, s, 40, 7, got, 2));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
	ASSERT_EQ(1, recv_refs(0, s, 40, 7, got, 2));
	EXPECT_EQ(RC, rights_of(got[0]));
	EXPECT_EQ(0, dios_test_recv_msg(0, s, 50, 8));
	EXPECT_EQ(0, dios_delete(0, got[0]));
	EXPECT_EQ(0, dios_delete(0, o));
	EXPECT_EQ(0, dios_delete(0, s));
}

/*
 * A writer killed between its push and its publish: the references it
 * pushed go with its lease, and the next writer's frame at the same
 * position is not given them.
 */
TEST(ring_refs_writer_killed)
{
	long shmem = dios_test_stat("objects_shmem");
	dios_ref_t s, c, o, d, got[2];
	struct dios_name name;
	struct raw_side w;
	int p[2];
	pid_t pid;
	char x;

	DIOS_REQUIRE(DIOS_FEAT_RING_REFS);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ring_create(0, &s, &name));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &c));
		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
					      &o, NULL));
		ASSERT_EQ(0, raw_attach(c, DIOS_RING_WRITE, &w));
		ASSERT_EQ(0, raw_push(c, *w.own, &o, 1));
		ASSERT_EQ(0, dios_test_write(p[1], "x", 1));
		pause();
		_exit(1);
	}
	ASSERT_EQ(0, dios_test_read(p[0], &x, 1));
	if (shmem >= 0)
		EXPECT_EQ(shmem + 1, dios_test_stat("objects_shmem"));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
	if (shmem >= 0)
		EXPECT_EQ(shmem, dios_test_stat_settles("objects_shmem", shmem,
							SETTLE_MS));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &o,
				      NULL));
	ASSERT_EQ(0, dios_dup(o, RC, &d));
	ASSERT_EQ(0, dios_test_send_msg(0, s, 9, 1));
	ASSERT_EQ(0, send_refs(s, 9, 2, &d, 1));
	EXPECT_EQ(0, recv_refs(DIOS_NONBLOCK, s, 9, 1, got, 2));
	ASSERT_EQ(1, recv_refs(DIOS_NONBLOCK, s, 9, 2, got, 2));
	EXPECT_EQ(RC, rights_of(got[0]));
	EXPECT_EQ(0, dios_delete(0, got[0]));
	EXPECT_EQ(0, dios_delete(0, o));
	EXPECT_EQ(0, dios_delete(0, s));
	if (shmem >= 0)
		EXPECT_EQ(shmem, dios_test_stat_settles("objects_shmem", shmem,
							SETTLE_MS));
}

/*
 * Two ring streams whose queues carry each other, and a plain stream in
 * the loop, held by nobody: the collector frees all three.
 */
TEST(ring_refs_gc_cycle)
{
	struct dios_create_args pa = { .capacity = 4096 };
	long streams = dios_test_stat("objects_stream");
	dios_ref_t a, b, p, da, db, dp;
	struct dios_iovec w = dios_test_iov(0);

	DIOS_REQUIRE(DIOS_FEAT_RING_REFS);
	if (streams < 0)
		SKIP(return, "no /sys/kernel/debug/dios/stats");
	ASSERT_EQ(0, ring_create(DIOS_CREATE_ANON, &a, NULL));
	ASSERT_EQ(0, ring_create(DIOS_CREATE_ANON, &b, NULL));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &pa, &p,
				 NULL));
	ASSERT_EQ(0, dios_dup(b, DIOS_RIGHTS_ALL, &db));
	ASSERT_EQ(0, dios_dup(p, DIOS_RIGHTS_ALL, &dp));
	ASSERT_EQ(0, dios_dup(a, DIOS_RIGHTS_ALL, &da));
	/* a carries b, b carries p, p carries a. */
	ASSERT_EQ(0, send_refs(a, 1, 0, &db, 1));
	ASSERT_EQ(0, send_refs(b, 1, 0, &dp, 1));
	ASSERT_EQ(0, dios_acquire_write(0, p, 1, &w));
	w.refs = &da;
	w.n_refs = 1;
	ASSERT_EQ(0, dios_commit_write(DIOS_IO_REFS, p, 1, &w));
	EXPECT_EQ(streams + 3, dios_test_stat("objects_stream"));
	ASSERT_EQ(0, dios_delete(0, a));
	ASSERT_EQ(0, dios_delete(0, b));
	ASSERT_EQ(0, dios_delete(0, p));
	EXPECT_EQ(streams, dios_test_stat_settles("objects_stream", streams,
						  SETTLE_MS));
}

/* select sees a message with references as any other. */
TEST_F(rr, select_ready)
{
	dios_ref_t d, got;
	uint32_t idx;

	if (!(dios_test_features() & DIOS_FEAT_SELECT))
		SKIP(return, "no select");
	EXPECT_EQ(-ETIMEDOUT, dios_select(DIOS_NONBLOCK, &self->s, 1,
					  DIOS_EV_READ, 0, &idx));
	ASSERT_EQ(0, dios_dup(self->obj, RC, &d));
	ASSERT_EQ(0, send_refs(self->s, 2, 1, &d, 1));
	EXPECT_EQ(0, dios_select(0, &self->s, 1, DIOS_EV_READ, -1, &idx));
	ASSERT_EQ(1, recv_refs(0, self->s, 2, 1, &got, 1));
	EXPECT_EQ(0, dios_delete(0, got));
	no_leak(_metadata, self);
}

TEST_HARNESS_MAIN
