// SPDX-License-Identifier: GPL-2.0
/*
 * Ring streams (DIOS_CREATE_RING; docs/ring.md): messages moved in user
 * space between the holders of the write and the read lease.  FIFO order
 * and whole messages across wrap-arounds, no system call in the steady
 * state (a seccomp filter makes any ioctl fail), blocking both ways
 * between two processes, -EPIPE, -EIDRM at once on zombify, an
 * uncommitted read that survives its reader's death, the lease taken by
 * one reference at a time, select, every DIOS_IOC_RING error with
 * otherwise valid input, the read view read-only, and a malicious peer
 * scribbling on the shared positions and frames (-EBADMSG, nothing else).
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP		4096
#define RING_NR		0x18
#define SLEEP_MS	20000

static int ring_raw(struct dios_ring_req *req)
{
	return dios_test_rw(RING_NR, sizeof(*req), req);
}

static struct dios_ring_req ring_req(uint32_t op, uint32_t side,
				     dios_ref_t ref)
{
	struct dios_ring_req req;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.side = side;
	req.ref = ref;
	return req;
}

static int ring_create(dios_ref_t *s, uint64_t cap)
{
	struct dios_create_args a = { .capacity = cap };

	return dios_create(DIOS_CREATE_ANON | DIOS_CREATE_RING,
			   DIOS_OBJ_STREAM, &a, s, NULL);
}

FIXTURE(ring) {
	dios_ref_t s;
};

FIXTURE_SETUP(ring)
{
	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, ring_create(&self->s, CAP));
}

FIXTURE_TEARDOWN(ring)
{
}

/* Refuse every ioctl from now on: the fast path must not make one. */
static int no_ioctl(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTRECOVERABLE),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_LEN(f), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

TEST_F(ring, create_flags)
{
	struct dios_create_args a = { .size = 4096 };
	dios_ref_t r;

	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_ANON | DIOS_CREATE_RING,
				       DIOS_OBJ_SHMEM, &a, &r, NULL));
	a.size = 0;
	a.capacity = 0;
	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_ANON | DIOS_CREATE_RING,
				       DIOS_OBJ_STREAM, &a, &r, NULL));
	a.capacity = 4096;
	a.size = 4096;
	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_ANON | DIOS_CREATE_RING,
				       DIOS_OBJ_STREAM, &a, &r, NULL));
}

/* Varying lengths through a small ring: FIFO, whole, wrapped. */
TEST_F(ring, fifo_wraps)
{
	char buf[CAP];
	uint64_t i, len;
	int n;

	for (i = 0; i < 5000; i++) {
		len = (i * 37) % CAP;
		dios_test_fill(buf, len, i);
		ASSERT_EQ(0, dios_send(0, self->s, buf, len));
		if (i % 3 == 0) {
			ASSERT_EQ(0, dios_test_send_msg(0, self->s, 1 + i % 700,
							~i));
			ASSERT_EQ(0, dios_test_recv_msg(0, self->s, len, i));
			ASSERT_EQ(0, dios_test_recv_msg(0, self->s,
							1 + i % 700, ~i));
			continue;
		}
		memset(buf, 0, sizeof(buf));
		n = dios_recv(0, self->s, buf, sizeof(buf));
		ASSERT_EQ((int)len, n);
		ASSERT_EQ(-1, dios_test_check(buf, len, i));
	}
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
}

/* Once both leases are held, messages move with no system call at all. */
TEST_F(ring, steady_state_no_syscall)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	char buf[64];
	int i;

	/* Take both leases, and map the ring's pages once. */
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, dios_send(0, self->s, buf, sizeof(buf)));
		ASSERT_EQ(64, dios_recv(0, self->s, buf, sizeof(buf)));
	}
	/* The harness runs each test in a process of its own. */
	ASSERT_EQ(0, no_ioctl());
	ASSERT_EQ(-ENOTRECOVERABLE, dios_send(0, DIOS_REF_NONE + 12345, buf,
					       sizeof(buf)));
	for (i = 0; i < 20000; i++) {
		dios_test_fill(buf, sizeof(buf), i);
		ASSERT_EQ(0, dios_send(0, self->s, buf, sizeof(buf)));
		ASSERT_EQ(0, dios_acquire_write(0, self->s, 100, &w));
		dios_test_fill(w.buf, 100, ~i);
		ASSERT_EQ(0, dios_commit_write(0, self->s, 100, &w));
		ASSERT_EQ(64, dios_recv(0, self->s, buf, sizeof(buf)));
		ASSERT_EQ(-1, dios_test_check(buf, 64, i));
		ASSERT_EQ(0, dios_acquire_read(0, self->s, 100, &r));
		ASSERT_EQ(100, r.len);
		ASSERT_EQ(-1, dios_test_check(r.buf, 100, ~i));
		ASSERT_EQ(0, dios_commit_read(0, self->s, &r));
	}
}

/* The zero-copy calls' own errors, all in user space. */
TEST_F(ring, zero_copy_errors)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	void *buf;

	EXPECT_EQ(-EINVAL, dios_acquire_write(0, self->s, 0, &w));
	EXPECT_EQ(-EMSGSIZE, dios_acquire_write(0, self->s, CAP + 1, &w));
	EXPECT_EQ(-EINVAL, dios_acquire_write(DIOS_IO_REFS, self->s, 8, &w));
	ASSERT_EQ(0, dios_acquire_write(0, self->s, 16, &w));
	EXPECT_EQ(-EBUSY, dios_acquire_write(0, self->s, 16, &w));
	EXPECT_EQ(-EBUSY, dios_send(0, self->s, "x", 1));
	buf = w.buf;
	w.buf = (char *)buf + 8;
	EXPECT_EQ(-EINVAL, dios_commit_write(0, self->s, 8, &w));
	w.buf = buf;
	EXPECT_EQ(-EINVAL, dios_commit_write(0, self->s, 17, &w));
	EXPECT_EQ(-EINVAL, dios_commit_write(DIOS_IO_FORWARD, self->s, 8, &w));
	dios_test_fill(w.buf, 16, 1);
	ASSERT_EQ(0, dios_commit_write(0, self->s, 16, &w));
	EXPECT_EQ(-EINVAL, dios_commit_write(0, self->s, 16, &w));
	EXPECT_EQ(-EINVAL, dios_release_write(0, self->s, &w));

	EXPECT_EQ(-EMSGSIZE, dios_acquire_read(0, self->s, 15, &r));
	EXPECT_EQ(16, r.len);
	ASSERT_EQ(0, dios_acquire_read(0, self->s, 16, &r));
	EXPECT_EQ(-EBUSY, dios_acquire_read(0, self->s, 16, &r));
	/* Put back: the same message again. */
	ASSERT_EQ(0, dios_release_read(0, self->s, &r));
	EXPECT_EQ(-EINVAL, dios_release_read(0, self->s, &r));
	EXPECT_EQ(0, dios_test_recv_msg(0, self->s, 16, 1));
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, self->s, 16, &r));
}

/*
 * The plain zero-copy ioctls on a ring stream: refused before anything is
 * mapped, and a release naming the lease's view does not give it back.
 */
TEST_F(ring, plain_steps_refused)
{
	struct dios_ring_req a = ring_req(DIOS_RING_ATTACH, DIOS_RING_WRITE,
					  self->s);
	long maps = dios_test_stat("views_mapped");
	struct dios_io_req q;
	unsigned int nr;

	memset(&q, 0, sizeof(q));
	q.ref = self->s;
	q.len = 8;
	EXPECT_EQ(-EOPNOTSUPP, dios_test_rw(0x10, sizeof(q), &q));
	EXPECT_EQ(-EOPNOTSUPP, dios_test_rw(0x13, sizeof(q), &q));
	EXPECT_EQ(maps, dios_test_stat("views_mapped"));
	ASSERT_EQ(0, ring_raw(&a));
	for (nr = 0x14; nr <= 0x15; nr++) {
		memset(&q, 0, sizeof(q));
		q.ref = self->s;
		q.addr = a.addr;
		EXPECT_EQ(-EOPNOTSUPP, dios_test_rw(nr, sizeof(q), &q));
	}
	/* Still held: a second attach of the same reference is -EBUSY. */
	a = ring_req(DIOS_RING_ATTACH, DIOS_RING_WRITE, self->s);
	EXPECT_EQ(-EBUSY, ring_raw(&a));
}

/* Blocking both ways between two processes; every message in order. */
TEST(ring_two_processes)
{
	struct dios_create_args a = { .capacity = 256 };
	struct dios_name name;
	dios_ref_t s, c;
	pid_t pid;
	int i;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &s,
				 &name));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &c));
		for (i = 0; i < 20000; i++)
			ASSERT_EQ(0, dios_test_send_msg(0, c, 1 + i % 200, i));
		ASSERT_EQ(0, dios_delete(0, c));
		DIOS_CHILD_EXIT();
	}
	for (i = 0; i < 20000; i++) {
		ASSERT_EQ(0, dios_test_recv_msg(0, s, 1 + i % 200, i));
		/* Now and then let the writer fill the ring and sleep. */
		if (i % 5000 == 0)
			usleep(100000);
	}
	EXPECT_EQ(0, dios_test_wait(pid));
	/* Our own reference still writes: nothing more, no -EPIPE. */
	EXPECT_EQ(-EAGAIN, dios_test_recv_msg(DIOS_NONBLOCK, s, 1, 0));
}

/*
 * Request and reply with dios_call over two ring streams, the peer asleep
 * in its own call: every reply is the right one.
 */
TEST(ring_call)
{
	struct dios_create_args a = { .capacity = 256 };
	struct dios_name na, nb;
	dios_ref_t ra, rb, ca, cb;
	char buf[64];
	uint32_t done;
	pid_t pid;
	int i, n;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &ra,
				 &na));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &rb,
				 &nb));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &na, DIOS_REF_NONE, &ca));
		ASSERT_EQ(0, dios_lookup(0, &nb, DIOS_REF_NONE, &cb));
		n = dios_recv(0, ca, buf, sizeof(buf));
		for (i = 0; i < 2000; i++) {
			ASSERT_EQ(sizeof(buf), n);
			ASSERT_EQ(-1, dios_test_check(buf, sizeof(buf), i));
			dios_test_fill(buf, sizeof(buf), i + 1);
			if (i + 1 < 2000)
				n = dios_call(0, cb, buf, sizeof(buf), ca, buf,
					      sizeof(buf), NULL);
			else
				ASSERT_EQ(0, dios_send(0, cb, buf,
						       sizeof(buf)));
		}
		DIOS_CHILD_EXIT();
	}
	for (i = 0; i < 2000; i++) {
		dios_test_fill(buf, sizeof(buf), i);
		n = dios_call(0, ra, buf, sizeof(buf), rb, buf, sizeof(buf),
			      &done);
		ASSERT_EQ(sizeof(buf), n);
		ASSERT_EQ(DIOS_XFER_SEND | DIOS_XFER_RECV, done);
		ASSERT_EQ(-1, dios_test_check(buf, sizeof(buf), i + 1));
	}
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * dios_call with both leases already held (libdios's one-function path):
 * the send stays done whatever the receive says, -EAGAIN on an empty
 * reply stream with DIOS_NONBLOCK, -EMSGSIZE for a reply too long (it
 * stays), -EPIPE once the reply stream has no writer; a reply waiting is
 * taken at once.
 */
TEST(ring_call_leases_held)
{
	dios_ref_t a, b, br, bw;
	char buf[32];
	uint32_t done;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, ring_create(&a, 256));
	ASSERT_EQ(0, ring_create(&b, 256));
	ASSERT_EQ(0, dios_dup(b, DIOS_RIGHT_READ, &br));
	ASSERT_EQ(0, dios_dup(b, DIOS_RIGHT_WRITE, &bw));
	ASSERT_EQ(0, dios_delete(0, b));
	/* Every lease: a's two sides, b's read side by br, write by bw. */
	ASSERT_EQ(0, dios_send(0, a, "0", 1));
	ASSERT_EQ(1, dios_recv(0, a, buf, sizeof(buf)));
	ASSERT_EQ(0, dios_send(0, bw, "0", 1));
	ASSERT_EQ(1, dios_recv(0, br, buf, sizeof(buf)));

	EXPECT_EQ(-EAGAIN, dios_call(DIOS_NONBLOCK, a, "req1", 4, br, buf,
				     sizeof(buf), &done));
	EXPECT_EQ(DIOS_XFER_SEND, done);
	EXPECT_EQ(4, dios_recv(DIOS_NONBLOCK, a, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "req1", 4));

	ASSERT_EQ(0, dios_send(0, bw, "a reply of 16 B.", 16));
	EXPECT_EQ(-EMSGSIZE, dios_call(0, a, "req2", 4, br, buf, 8, &done));
	EXPECT_EQ(DIOS_XFER_SEND, done);
	EXPECT_EQ(16, dios_recv(DIOS_NONBLOCK, br, buf, sizeof(buf)));
	EXPECT_EQ(4, dios_recv(DIOS_NONBLOCK, a, buf, sizeof(buf)));

	ASSERT_EQ(0, dios_send(0, bw, "rep3", 4));
	EXPECT_EQ(4, dios_call(0, a, "req3", 4, br, buf, sizeof(buf), &done));
	EXPECT_EQ(DIOS_XFER_SEND | DIOS_XFER_RECV, done);
	EXPECT_EQ(0, memcmp(buf, "rep3", 4));
	EXPECT_EQ(4, dios_recv(DIOS_NONBLOCK, a, buf, sizeof(buf)));

	/* b's only writer gone: the receive is -EPIPE, the send done. */
	ASSERT_EQ(0, dios_delete(0, bw));
	EXPECT_EQ(-EPIPE, dios_call(0, a, "req4", 4, br, buf, sizeof(buf),
				    &done));
	EXPECT_EQ(DIOS_XFER_SEND, done);
	EXPECT_EQ(4, dios_recv(DIOS_NONBLOCK, a, buf, sizeof(buf)));
	EXPECT_EQ(0, dios_delete(0, a));
	EXPECT_EQ(0, dios_delete(0, br));
}

/* A reader asleep is woken by the last writer's going: -EPIPE. */
TEST(ring_epipe)
{
	struct dios_create_args a = { .capacity = 256 };
	dios_ref_t s, rd, wr;
	char buf[8];

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON | DIOS_CREATE_RING,
				 DIOS_OBJ_STREAM, &a, &s, NULL));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &rd));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_WRITE, &wr));
	ASSERT_EQ(0, dios_delete(0, s));
	ASSERT_EQ(0, dios_send(0, wr, "abc", 3));
	ASSERT_EQ(0, dios_delete(0, wr));
	/* Drained first, then -EPIPE. */
	EXPECT_EQ(3, dios_recv(0, rd, buf, sizeof(buf)));
	EXPECT_EQ(-EPIPE, dios_recv(0, rd, buf, sizeof(buf)));

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON | DIOS_CREATE_RING,
				 DIOS_OBJ_STREAM, &a, &s, NULL));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_WRITE, &wr));
	ASSERT_EQ(0, dios_send(0, wr, "abc", 3));
	ASSERT_EQ(0, dios_delete(0, s));
	EXPECT_EQ(-EPIPE, dios_send(0, wr, "abc", 3));
}

TEST(ring_epipe_wakes_reader)
{
	struct dios_create_args a = { .capacity = 256 };
	struct dios_name name;
	dios_ref_t s, rd, c;
	char buf[8];
	int p[2];
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &s,
				 &name));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &rd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &c));
		ASSERT_EQ(0, dios_test_write(p[1], "x", 1));
		/* Exit, taking the last writer along, once it sleeps. */
		ASSERT_EQ(0, dios_test_wait_sleeping(getppid(), SLEEP_MS));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_test_read(p[0], buf, 1));
	ASSERT_EQ(0, dios_delete(0, s));
	EXPECT_EQ(-EPIPE, dios_recv(0, rd, buf, sizeof(buf)));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* Zombify: the fast path stops at once, sleepers wake with -EIDRM. */
TEST_F(ring, zombify)
{
	dios_ref_t d;
	char buf[8];

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_send(0, self->s, "abc", 3));
	ASSERT_EQ(3, dios_recv(0, d, buf, sizeof(buf)));
	ASSERT_EQ(0, dios_send(0, self->s, "abc", 3));
	/* Zombify deletes the reference it names; the other one stays. */
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->s));
	EXPECT_EQ(-EBADF, dios_send(0, self->s, "abc", 3));
	/* The lease holder stops at once, with a message still there. */
	EXPECT_EQ(-EIDRM, dios_recv(0, d, buf, sizeof(buf)));
	EXPECT_EQ(-EIDRM, dios_send(0, d, "abc", 3));
}

/*
 * DIOS_RING_WAKE with nothing sent: the reader wakes, finds the ring as it
 * was, asks for a wake again and sleeps; the message sent next wakes it.
 * A reader that did not ask again would sleep through that send.
 */
TEST(ring_spurious_wakes)
{
	struct dios_create_args a = { .capacity = 256 };
	struct dios_name name;
	dios_ref_t s, c;
	char buf[8];
	int i, p[2];
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, setenv("DIOS_RING_SPIN_NS", "0", 1));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &s,
				 &name));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dios_ring_req req;

		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &c));
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, dios_test_wait_sleeping(getppid(),
							     SLEEP_MS));
			req = ring_req(DIOS_RING_WAKE, DIOS_RING_WRITE, c);
			ASSERT_EQ(0, ring_raw(&req));
			usleep(20000);
		}
		ASSERT_EQ(0, dios_test_wait_sleeping(getppid(), SLEEP_MS));
		ASSERT_EQ(0, dios_send(0, c, "abc", 3));
		/* Alive until the reader has it: an exit would wake it too. */
		ASSERT_EQ(0, dios_test_read(p[0], buf, 1));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(3, dios_recv(0, s, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_EQ(1, write(p[1], "x", 1));
	EXPECT_EQ(0, dios_test_wait(pid));
	close(p[0]);
	close(p[1]);
}

TEST(ring_zombify_wakes_reader)
{
	struct dios_create_args a = { .capacity = 256 };
	struct dios_name name;
	dios_ref_t s, c;
	char buf[8];
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &s,
				 &name));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &c));
		ASSERT_EQ(0, dios_test_wait_sleeping(getppid(), SLEEP_MS));
		ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, c));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(-EIDRM, dios_recv(0, s, buf, sizeof(buf)));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/*
 * A reader killed holding a message loses nothing: its lease goes with it
 * and the next reader gets the same message.
 */
TEST(ring_reader_killed)
{
	struct dios_create_args a = { .capacity = 256 };
	struct dios_iovec r = dios_test_iov(0);
	struct dios_name name;
	dios_ref_t s, c;
	int p[2];
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &s,
				 &name));
	ASSERT_EQ(0, dios_test_send_msg(0, s, 40, 7));
	ASSERT_EQ(0, dios_test_send_msg(0, s, 50, 8));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &c));
		ASSERT_EQ(0, dios_acquire_read(0, c, 100, &r));
		ASSERT_EQ(0, dios_test_write(p[1], "x", 1));
		pause();
		_exit(1);
	}
	ASSERT_EQ(0, dios_test_read(p[0], &r, 1));
	/* The child holds the read lease. */
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, s, 100, &r));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
	EXPECT_EQ(0, dios_test_recv_msg(0, s, 40, 7));
	EXPECT_EQ(0, dios_test_recv_msg(0, s, 50, 8));
}

/* One reference holds a side's lease at a time; deletion gives it back. */
TEST_F(ring, lease)
{
	struct dios_ring_req req = ring_req(DIOS_RING_ATTACH, DIOS_RING_READ,
					    self->s);
	dios_ref_t d;
	char buf[8];

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &d));
	ASSERT_EQ(0, dios_send(0, self->s, "abc", 3));
	ASSERT_EQ(3, dios_recv(0, d, buf, sizeof(buf)));
	req.flags = DIOS_NONBLOCK;
	EXPECT_EQ(-EAGAIN, ring_raw(&req));
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->s, buf,
				     sizeof(buf)));
	ASSERT_EQ(0, dios_delete(0, d));
	ASSERT_EQ(0, dios_send(0, self->s, "defg", 4));
	EXPECT_EQ(4, dios_recv(0, self->s, buf, sizeof(buf)));
}

/* DIOS_IOC_RING: one test per error, the rest of the request valid. */
TEST_F(ring, ioctl_errors)
{
	struct dios_create_args a = { .capacity = CAP };
	struct dios_ring_req req, ok;
	dios_ref_t plain, ro;

	ok = ring_req(DIOS_RING_ATTACH, DIOS_RING_WRITE, self->s);
	req = ok;
	req.op = 0;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.op = 5;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.side = 0;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.side = DIOS_RING_READ | DIOS_RING_WRITE;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.flags = 1ULL << 40;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.pos = 1;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.wake_ref = self->s;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.addr = 4096;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.own = 1;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.ring_size = 1;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ok;
	req.ref = self->s + 1000;
	EXPECT_EQ(-EBADF, ring_raw(&req));

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &plain,
				 NULL));
	req = ok;
	req.ref = plain;
	EXPECT_EQ(-EOPNOTSUPP, ring_raw(&req));
	req = ring_req(DIOS_RING_WAKE, DIOS_RING_READ, plain);
	EXPECT_EQ(-EOPNOTSUPP, ring_raw(&req));

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	req = ok;
	req.ref = ro;
	EXPECT_EQ(-EACCES, ring_raw(&req));

	/* Without the lease: WAIT and DETACH are -EINVAL. */
	req = ring_req(DIOS_RING_WAIT, DIOS_RING_WRITE, self->s);
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ring_req(DIOS_RING_DETACH, DIOS_RING_WRITE, self->s);
	EXPECT_EQ(-EINVAL, ring_raw(&req));

	req = ok;
	ASSERT_EQ(0, ring_raw(&req));
	EXPECT_NE(0, req.addr);
	EXPECT_EQ(req.addr + 4096, req.own);
	EXPECT_LE(CAP + 8, req.ring_size);
	/* Held: by the same reference -EBUSY, the plain steps refused. */
	ok = req;
	req = ring_req(DIOS_RING_ATTACH, DIOS_RING_WRITE, self->s);
	EXPECT_EQ(-EBUSY, ring_raw(&req));
	req = ring_req(DIOS_RING_DETACH, DIOS_RING_WRITE, self->s);
	req.addr = ok.addr + 4096;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ring_req(DIOS_RING_WAIT, DIOS_RING_WRITE, self->s);
	req.flags = DIOS_NONBLOCK;
	EXPECT_EQ(-EINVAL, ring_raw(&req));
	req = ring_req(DIOS_RING_DETACH, DIOS_RING_WRITE, self->s);
	req.addr = ok.addr;
	EXPECT_EQ(0, ring_raw(&req));
	EXPECT_EQ(-EINVAL, ring_raw(&req));
}

/*
 * A wake, alone or as the wait's wake_ref, names a ring stream with READ
 * or WRITE: each error with otherwise valid input, and a wait whose wake
 * fails does not wait.
 */
TEST_F(ring, wake_errors)
{
	struct dios_create_args a = { .capacity = 64 };
	struct dios_ring_req att, req;
	dios_ref_t plain, other, bare, gone;

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &plain,
				 NULL));
	ASSERT_EQ(0, ring_create(&other, CAP));
	ASSERT_EQ(0, dios_dup(other, DIOS_RIGHT_COPY | DIOS_RIGHT_DELETE,
			      &bare));
	ASSERT_EQ(0, dios_dup(other, DIOS_RIGHTS_ALL, &gone));
	ASSERT_EQ(0, dios_delete(0, gone));

	req = ring_req(DIOS_RING_WAKE, DIOS_RING_WRITE, other);
	EXPECT_EQ(0, ring_raw(&req));
	req.ref = gone;
	EXPECT_EQ(-EBADF, ring_raw(&req));
	req.ref = bare;
	EXPECT_EQ(-EACCES, ring_raw(&req));
	req.ref = plain;
	EXPECT_EQ(-EOPNOTSUPP, ring_raw(&req));

	/* The waiting side's lease held, its ring empty: only the wake fails. */
	att = ring_req(DIOS_RING_ATTACH, DIOS_RING_READ, self->s);
	ASSERT_EQ(0, ring_raw(&att));
	req = ring_req(DIOS_RING_WAIT, DIOS_RING_READ, self->s);
	req.wake_ref = gone;
	EXPECT_EQ(-EBADF, ring_raw(&req));
	req.wake_ref = bare;
	EXPECT_EQ(-EACCES, ring_raw(&req));
	req.wake_ref = plain;
	EXPECT_EQ(-EOPNOTSUPP, ring_raw(&req));
	/* A zombie: -EIDRM, for the wake alone and for the wait's. */
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, bare));
	req.wake_ref = other;
	EXPECT_EQ(-EIDRM, ring_raw(&req));
	req = ring_req(DIOS_RING_WAKE, DIOS_RING_WRITE, other);
	EXPECT_EQ(-EIDRM, ring_raw(&req));
	att.op = DIOS_RING_DETACH;
	att.ring_size = 0;
	att.own = 0;
	EXPECT_EQ(0, ring_raw(&att));
}

/*
 * A child forked without the atfork handlers inherits libdios's table of
 * leases but not their views: its calls are -EBADF (a fresh context, where
 * the handle means nothing), never a fault on the parent's views.
 */
TEST_F(ring, raw_fork_child)
{
	char buf[8];
	pid_t pid;

	ASSERT_EQ(0, dios_send(0, self->s, "abc", 3));
	ASSERT_EQ(3, dios_recv(0, self->s, buf, sizeof(buf)));
	ASSERT_EQ(0, dios_send(0, self->s, "def", 3));
	/* A bare clone(SIGCHLD) is fork(2) without the atfork handlers. */
	pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t mine;

		EXPECT_EQ(-EBADF, dios_recv(0, self->s, buf, sizeof(buf)));
		EXPECT_EQ(-EBADF, dios_send(0, self->s, "xyz", 3));
		EXPECT_EQ(-EBADF, dios_call(0, self->s, "xyz", 3, self->s, buf,
					    sizeof(buf), NULL));
		/* Its own ring streams work. */
		ASSERT_EQ(0, ring_create(&mine, CAP));
		EXPECT_EQ(0, dios_send(0, mine, "ghi", 3));
		EXPECT_EQ(3, dios_recv(0, mine, buf, sizeof(buf)));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, dios_test_wait(pid));
	/* The parent's leases are untouched: the message is still there. */
	EXPECT_EQ(3, dios_recv(0, self->s, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "def", 3));
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/* 1 if a store to @p faults. */
static int store_faults(volatile char *p)
{
	struct sigaction sa = { .sa_handler = on_fault }, old_segv, old_bus;
	int sig;

	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	sig = sigsetjmp(fault_jmp, 1);
	if (!sig)
		*p = 1;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return sig != 0;
}

/* The reader writes its head word only; the kernel page is nobody's. */
TEST_F(ring, read_view_read_only)
{
	struct dios_ring_req req = ring_req(DIOS_RING_ATTACH, DIOS_RING_READ,
					    self->s);
	char *view;

	ASSERT_EQ(0, ring_raw(&req));
	view = (char *)(uintptr_t)req.addr;
	EXPECT_EQ(DIOS_RING_MAGIC, ((struct dios_ring_kern *)view)->magic);
	EXPECT_EQ(1, store_faults(view));
	EXPECT_EQ(1, store_faults(view + 4096));
	EXPECT_EQ(1, store_faults(view + 2 * 4096));
	EXPECT_EQ(1, store_faults(view + 3 * 4096));
	EXPECT_EQ(0, store_faults((char *)(uintptr_t)req.own + 8));
	/* Read-only for good: mprotect() cannot add write access. */
	EXPECT_EQ(-1, mprotect(view, 4096, PROT_READ | PROT_WRITE));
}

/* A writer that scribbles: the reader gets -EBADMSG, nothing else. */
TEST_F(ring, malicious_writer)
{
	struct dios_ring_req req = ring_req(DIOS_RING_ATTACH, DIOS_RING_WRITE,
					    self->s);
	struct dios_ring_frame *fr;
	volatile uint64_t *tail;
	char *data, buf[CAP];

	ASSERT_EQ(0, ring_raw(&req));
	tail = (uint64_t *)(uintptr_t)req.own;
	data = (char *)(uintptr_t)req.addr + 3 * 4096;
	/* A tail far beyond the ring. */
	*tail = req.ring_size * 4;
	EXPECT_EQ(-EBADMSG, dios_recv(0, self->s, buf, sizeof(buf)));
	/* Misaligned. */
	*tail = 13;
	EXPECT_EQ(-EBADMSG, dios_recv(0, self->s, buf, sizeof(buf)));
	/* A frame longer than the capacity, or than what is published. */
	fr = (void *)data;
	fr->len = CAP + 1;
	fr->flags = 0;
	*tail = 16;
	EXPECT_EQ(-EBADMSG, dios_recv(0, self->s, buf, sizeof(buf)));
	fr->len = 9;
	EXPECT_EQ(-EBADMSG, dios_recv(0, self->s, buf, sizeof(buf)));
	/* Unknown frame flags. */
	fr->len = 8;
	fr->flags = 1;
	EXPECT_EQ(-EBADMSG, dios_recv(0, self->s, buf, sizeof(buf)));
	/* A good frame after all that. */
	fr->flags = 0;
	memcpy(data + 8, "12345678", 8);
	EXPECT_EQ(8, dios_recv(0, self->s, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "12345678", 8));
}

/* A reader that scribbles its head: the writer gets -EBADMSG. */
TEST_F(ring, malicious_reader)
{
	struct dios_ring_req req = ring_req(DIOS_RING_ATTACH, DIOS_RING_READ,
					    self->s);
	volatile uint64_t *head;

	ASSERT_EQ(0, ring_raw(&req));
	head = (uint64_t *)(uintptr_t)req.own;
	*head = 1ULL << 40;
	EXPECT_EQ(-EBADMSG, dios_send(0, self->s, "abc", 3));
	*head = 3;
	EXPECT_EQ(-EBADMSG, dios_send(0, self->s, "abc", 3));
	*head = 0;
	EXPECT_EQ(0, dios_send(0, self->s, "abc", 3));
}

/* select sees a message published in user space. */
TEST(ring_select)
{
	struct dios_create_args a = { .capacity = 256 };
	struct dios_name name;
	dios_ref_t s, c;
	uint32_t idx;
	char buf[8];
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_RING | DIOS_FEAT_SELECT);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &s,
				 &name));
	EXPECT_EQ(-ETIMEDOUT, dios_select(DIOS_NONBLOCK, &s, 1, DIOS_EV_READ,
					  0, &idx));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &c));
		ASSERT_EQ(0, dios_test_wait_sleeping(getppid(), SLEEP_MS));
		ASSERT_EQ(0, dios_send(0, c, "hello", 5));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, dios_select(0, &s, 1, DIOS_EV_READ, -1, &idx));
	EXPECT_EQ(0, idx);
	EXPECT_EQ(5, dios_recv(0, s, buf, sizeof(buf)));
	EXPECT_EQ(0, dios_test_wait(pid));
}

TEST_HARNESS_MAIN
