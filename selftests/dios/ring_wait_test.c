// SPDX-License-Identifier: GPL-2.0
/*
 * Ring streams (docs/ring.md): the waits.  A signal during DIOS_RING_WAIT
 * restarts it under SA_RESTART and is -EINTR otherwise, with nothing lost
 * and, in dios_call, nothing sent twice; a reference waiting for a side's
 * lease gets it when the holder goes, and -EBADF or -EIDRM when its own
 * reference is deleted or the stream zombified.  libdios's bookkeeping of
 * leases: a delete racing calls on the same reference in other threads
 * ends them with -EBADF, never a fault on the mappings the delete takes
 * away; an attach that waits for a lease holds up no other ring stream of
 * the process, and a second attach of the same side waits for the first.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define RING_NR		0x18
#define SLEEP_MS	20000

static int ring_create(dios_ref_t *s, struct dios_name *name)
{
	struct dios_create_args a = { .capacity = 256 };

	return dios_create(name ? DIOS_CREATE_RING :
			   DIOS_CREATE_ANON | DIOS_CREATE_RING,
			   DIOS_OBJ_STREAM, &a, s, name);
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* In a child: look @name up, wait for the parent to sleep, signal it. */
static dios_ref_t child_interrupts(struct __test_metadata *_metadata,
				   const struct dios_name *name, bool rearm)
{
	dios_ref_t c;

	ASSERT_EQ(0, dios_lookup(0, name, DIOS_REF_NONE, &c));
	dios_test_interrupt(getppid(), SLEEP_MS, rearm);
	return c;
}

/*
 * A receive asleep on an empty ring takes SIGUSR1 installed with
 * @sa_flags; the message is sent once the handler ran (data would win
 * over the signal).  SA_RESTART: the receive sleeps again and gets it.
 * Otherwise: -EINTR, and the next receive gets it.
 */
static void signal_during_recv(struct __test_metadata *_metadata,
			       int sa_flags)
{
	struct dios_name name;
	dios_ref_t s, c;
	char buf[8];
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, ring_create(&s, &name));
	ASSERT_EQ(0, dios_test_set_sigusr1(sa_flags));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		c = child_interrupts(_metadata, &name, true);
		ASSERT_EQ(0, dios_send(0, c, "abcd", 4));
		DIOS_CHILD_EXIT();
	}
	if (!(sa_flags & SA_RESTART))
		EXPECT_EQ(-EINTR, dios_recv(0, s, buf, sizeof(buf)));
	EXPECT_EQ(4, dios_recv(0, s, buf, sizeof(buf)));
	EXPECT_EQ(1, dios_test_sig_count);
	EXPECT_EQ(0, dios_test_wait(pid));
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, s, buf, sizeof(buf)));
}

TEST(signal_restarts_recv)
{
	signal_during_recv(_metadata, SA_RESTART);
}

TEST(signal_eintr_recv)
{
	signal_during_recv(_metadata, 0);
}

/*
 * A signal while dios_call waits for its reply: the request is not sent
 * again when the wait restarts, and the reply is the caller's.
 */
TEST(signal_restarts_call)
{
	struct dios_name na, nb;
	dios_ref_t ra, rb, ca, cb;
	uint32_t done = 0;
	char buf[8];
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, ring_create(&ra, &na));
	ASSERT_EQ(0, ring_create(&rb, &nb));
	ASSERT_EQ(0, dios_test_set_sigusr1(SA_RESTART));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_lookup(0, &nb, DIOS_REF_NONE, &cb));
		ca = child_interrupts(_metadata, &na, true);
		ASSERT_EQ(3, dios_recv(0, ca, buf, sizeof(buf)));
		ASSERT_EQ(0, memcmp(buf, "req", 3));
		/* Once, although the caller's wait ran twice. */
		ASSERT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, ca, buf,
					     sizeof(buf)));
		ASSERT_EQ(0, dios_send(0, cb, "reply", 5));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(5, dios_call(0, ra, "req", 3, rb, buf, sizeof(buf), &done));
	EXPECT_EQ(0, memcmp(buf, "reply", 5));
	EXPECT_EQ(DIOS_XFER_SEND | DIOS_XFER_RECV, done);
	EXPECT_EQ(1, dios_test_sig_count);
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* A thread that receives one message through @ref, blocking. */
struct receiver {
	pthread_t thread;
	dios_ref_t ref;
	pid_t tid;
	int ret;
	char buf[8];
};

static void *receive(void *arg)
{
	struct receiver *r = arg;

	__atomic_store_n(&r->tid, gettid_(), __ATOMIC_RELEASE);
	r->ret = dios_recv(0, r->ref, r->buf, sizeof(r->buf));
	return NULL;
}

/* Start a receiver on @ref and wait until it sleeps in system call @nr. */
static int receiver_start_in(struct receiver *r, dios_ref_t ref, long nr)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->ref = ref;
	if (pthread_create(&r->thread, NULL, receive, r))
		return -1;
	for (i = 0; i < SLEEP_MS && !__atomic_load_n(&r->tid,
						      __ATOMIC_ACQUIRE); i++)
		usleep(1000);
	return dios_test_wait_sleeping_in(r->tid, SLEEP_MS, nr);
}

/* Start a receiver on @ref and wait until it sleeps in the kernel. */
static int receiver_start(struct receiver *r, dios_ref_t ref)
{
	return receiver_start_in(r, ref, SYS_ioctl);
}

FIXTURE(lease) {
	dios_ref_t s, holder, waiter;
	long refs, streams;
};

FIXTURE_SETUP(lease)
{
	char buf[8];

	DIOS_REQUIRE(DIOS_FEAT_RING);
	self->refs = dios_test_stat("refs");
	self->streams = dios_test_stat("objects_stream");
	ASSERT_EQ(0, ring_create(&self->s, NULL));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &self->holder));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &self->waiter));
	/* holder takes the read lease and keeps it. */
	ASSERT_EQ(0, dios_send(0, self->s, "x", 1));
	ASSERT_EQ(1, dios_recv(0, self->holder, buf, sizeof(buf)));
}

/* Everything of the test is gone once the stream's references are. */
FIXTURE_TEARDOWN(lease)
{
	dios_delete(0, self->s);
	dios_delete(0, self->holder);
	dios_delete(0, self->waiter);
	EXPECT_EQ(self->streams,
		  dios_test_stat_settles("objects_stream", self->streams,
					 2000));
	EXPECT_EQ(self->refs, dios_test_stat_settles("refs", self->refs,
						     2000));
}

/* The holder's deletion hands the lease to the reference waiting. */
TEST_F(lease, waiter_gets_lease)
{
	struct receiver r;

	ASSERT_EQ(0, receiver_start(&r, self->waiter));
	ASSERT_EQ(0, dios_delete(0, self->holder));
	ASSERT_EQ(0, dios_send(0, self->s, "abc", 3));
	ASSERT_EQ(0, pthread_join(r.thread, NULL));
	EXPECT_EQ(3, r.ret);
	EXPECT_EQ(0, memcmp(r.buf, "abc", 3));
}

/* The waiter's own reference deleted: -EBADF, the holder keeps its lease. */
TEST_F(lease, waiter_deleted)
{
	struct receiver r;
	char buf[8];

	ASSERT_EQ(0, receiver_start(&r, self->waiter));
	ASSERT_EQ(0, dios_delete(0, self->waiter));
	ASSERT_EQ(0, pthread_join(r.thread, NULL));
	EXPECT_EQ(-EBADF, r.ret);
	ASSERT_EQ(0, dios_send(0, self->s, "abc", 3));
	EXPECT_EQ(3, dios_recv(DIOS_NONBLOCK, self->holder, buf, sizeof(buf)));
}

TEST_F(lease, waiter_zombified)
{
	struct receiver r;

	ASSERT_EQ(0, receiver_start(&r, self->waiter));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->s));
	ASSERT_EQ(0, pthread_join(r.thread, NULL));
	EXPECT_EQ(-EIDRM, r.ret);
}

/*
 * A thread hammers a ring stream through @x (send, then receive, no
 * system call) while the main thread deletes @x: every call of the thread
 * either worked or is -EBADF, and none touches the mappings the delete
 * took away (a fault would kill the test).  Many rounds, as the window is
 * narrow.
 */
struct hammer {
	dios_ref_t x;
	long n;
	int ret;
};

static void *hammer(void *arg)
{
	struct hammer *h = arg;
	char buf[64] = "m";
	int ret;

	for (;;) {
		ret = dios_send(DIOS_NONBLOCK, h->x, buf, sizeof(buf));
		if (ret == 0)
			ret = dios_recv(DIOS_NONBLOCK, h->x, buf, sizeof(buf));
		if (ret < 0 && ret != -EAGAIN)
			break;
		__atomic_add_fetch(&h->n, 1, __ATOMIC_RELEASE);
	}
	h->ret = ret;
	return NULL;
}

TEST(delete_races_use)
{
	long refs, streams;
	struct hammer h;
	pthread_t t;
	dios_ref_t s;
	int round;

	DIOS_REQUIRE(DIOS_FEAT_RING);
	refs = dios_test_stat("refs");
	streams = dios_test_stat("objects_stream");
	for (round = 0; round < 40; round++) {
		ASSERT_EQ(0, ring_create(&s, NULL));
		memset(&h, 0, sizeof(h));
		ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ | DIOS_RIGHT_WRITE,
				      &h.x));
		ASSERT_EQ(0, pthread_create(&t, NULL, hammer, &h));
		while (__atomic_load_n(&h.n, __ATOMIC_ACQUIRE) < 50 + round)
			sched_yield();
		ASSERT_EQ(0, dios_delete(0, h.x));
		ASSERT_EQ(0, pthread_join(t, NULL));
		EXPECT_EQ(-EBADF, h.ret);
		/* Gone for good, for every call. */
		EXPECT_EQ(-EBADF, dios_send(DIOS_NONBLOCK, h.x, "m", 1));
		ASSERT_EQ(0, dios_delete(0, s));
	}
	EXPECT_EQ(streams, dios_test_stat_settles("objects_stream", streams,
						  2000));
	EXPECT_EQ(refs, dios_test_stat_settles("refs", refs, 2000));
}

/* The reference a receive sleeps on is deleted: the sleeper gets -EBADF. */
TEST(delete_wakes_own_waiter)
{
	struct receiver r;
	dios_ref_t s, x;
	char buf[8];

	DIOS_REQUIRE(DIOS_FEAT_RING);
	ASSERT_EQ(0, ring_create(&s, NULL));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &x));
	ASSERT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, x, buf, sizeof(buf)));
	ASSERT_EQ(0, receiver_start(&r, x));
	ASSERT_EQ(0, dios_delete(0, x));
	ASSERT_EQ(0, pthread_join(r.thread, NULL));
	EXPECT_EQ(-EBADF, r.ret);
	/* The read side's lease went with @x: another reader gets it. */
	ASSERT_EQ(0, dios_send(0, s, "abc", 3));
	EXPECT_EQ(3, dios_recv(DIOS_NONBLOCK, s, buf, sizeof(buf)));
	EXPECT_EQ(0, dios_delete(0, s));
}

/* Send one message through a new ring stream and take it back. */
static void *other_ring(void *arg __attribute__((unused)))
{
	dios_ref_t t;
	char buf[8];
	long ret;

	ret = ring_create(&t, NULL);
	if (!ret)
		ret = dios_send(0, t, "y", 1);
	if (!ret)
		ret = dios_recv(0, t, buf, sizeof(buf)) == 1 ? 0 : -EIO;
	if (!ret)
		ret = dios_delete(0, t);
	return (void *)ret;
}

/*
 * A reference waiting for its side's lease holds up nothing else of the
 * process: another ring stream attaches and moves a message meanwhile, a
 * non-blocking call on the waiting side is -EAGAIN at once.
 */
TEST_F(lease, waiting_blocks_no_other_ring)
{
	struct timespec until;
	struct receiver r;
	void *res = NULL;
	pthread_t t;
	char buf[8];
	int ret;

	ASSERT_EQ(0, receiver_start(&r, self->waiter));
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->waiter, buf,
				     sizeof(buf)));
	ASSERT_EQ(0, pthread_create(&t, NULL, other_ring, NULL));
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	ret = pthread_timedjoin_np(t, &res, &until);
	EXPECT_EQ(0, ret);
	/* Let everything go, whatever happened above. */
	ASSERT_EQ(0, dios_delete(0, self->holder));
	ASSERT_EQ(0, dios_send(0, self->s, "abc", 3));
	ASSERT_EQ(0, pthread_join(r.thread, NULL));
	if (ret)
		ASSERT_EQ(0, pthread_join(t, &res));
	EXPECT_EQ(0, (long)res);
	EXPECT_EQ(3, r.ret);
}

/*
 * Two threads take the first call on the same reference's side while
 * another reference holds the lease: the second waits for the first's
 * attach, and both use the one lease once the holder goes.
 */
TEST_F(lease, second_attach_waits_for_first)
{
	struct receiver a, b;

	ASSERT_EQ(0, receiver_start(&a, self->waiter));
	/* Not in the kernel's attach: on the first's, in libdios. */
	ASSERT_EQ(0, receiver_start_in(&b, self->waiter, SYS_futex));
	ASSERT_EQ(0, dios_delete(0, self->holder));
	ASSERT_EQ(0, dios_send(0, self->s, "abc", 3));
	ASSERT_EQ(0, dios_send(0, self->s, "de", 2));
	ASSERT_EQ(0, pthread_join(a.thread, NULL));
	ASSERT_EQ(0, pthread_join(b.thread, NULL));
	EXPECT_EQ(5, a.ret + b.ret);
	EXPECT_TRUE((a.ret == 3 && b.ret == 2) || (a.ret == 2 && b.ret == 3));
}

TEST_HARNESS_MAIN
