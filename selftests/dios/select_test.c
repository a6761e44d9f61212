// SPDX-License-Identifier: GPL-2.0
/*
 * dios_select: readiness of every object type (memory and blobs always,
 * streams by their queue and their readers and writers, tasks once they
 * exited, groups never, zombies for every event), the lowest ready index,
 * timeouts, polling, signals, wake-ups from another thread and another
 * process, a reference deleted or zombified while waited on, many
 * references, and every invalid input.  The persistent interest set:
 * level-triggered reports, changes, entries of deleted references, a set
 * of thousands, and poll(2) and epoll on the context descriptor.
 * docs/api.md.
 *
 * A thread that must act while the main thread waits polls the main
 * thread's state in /proc (S: asleep in the call) first.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP		(4 * 4096)
#define SLEEP_MS	20000	/* waiting for the other thread to block */
#define EV_RW		(DIOS_EV_READ | DIOS_EV_WRITE)

FIXTURE(sel) {
	dios_ref_t s;		/* an empty stream, every right */
};

FIXTURE_SETUP(sel)
{
	DIOS_REQUIRE(DIOS_FEAT_SELECT);
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM,
				      &self->s, NULL));
}

FIXTURE_TEARDOWN(sel)
{
}

/* Send one message of @len bytes; 0 or -errno. */
static int send_msg(dios_ref_t s, uint64_t len)
{
	struct dios_iovec w = dios_test_iov(0);
	int ret = dios_acquire_write(DIOS_NONBLOCK, s, len, &w);

	if (ret)
		return ret;
	memset(w.buf, 'x', len);
	return dios_commit_write(0, s, len, &w);
}

/* Select on one reference, polling; 0 if ready, else -errno. */
static int poll_one(dios_ref_t ref, uint32_t events)
{
	uint32_t idx = 99;
	int ret = dios_select(0, &ref, 1, events, 0, &idx);

	return ret ?: (idx == 0 ? 0 : -1);
}

TEST_F(sel, version)
{
	struct dios_version_req v;

	ASSERT_EQ(0, dios_version(&v));
	EXPECT_EQ(65536, v.max_select);
}

/* Memory and blobs never block: ready for what the rights allow. */
TEST_F(sel, memory_and_blob_always_ready)
{
	static const uint32_t types[] = { DIOS_OBJ_PRIVMEM, DIOS_OBJ_SHMEM,
					  DIOS_OBJ_BLOB };
	dios_ref_t o, ro, wo;
	size_t i;

	for (i = 0; i < ARRAY_LEN(types); i++) {
		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, types[i], &o,
					      NULL));
		EXPECT_EQ(0, poll_one(o, DIOS_EV_READ));
		EXPECT_EQ(0, poll_one(o, DIOS_EV_WRITE));
		EXPECT_EQ(0, poll_one(o, EV_RW));
		ASSERT_EQ(0, dios_dup(o, DIOS_RIGHT_READ, &ro));
		ASSERT_EQ(0, dios_dup(o, DIOS_RIGHT_WRITE, &wo));
		EXPECT_EQ(0, poll_one(ro, EV_RW));
		EXPECT_EQ(0, poll_one(wo, EV_RW));
		EXPECT_EQ(-EACCES, poll_one(ro, DIOS_EV_WRITE));
		EXPECT_EQ(-EACCES, poll_one(wo, DIOS_EV_READ));
	}
}

TEST_F(sel, stream_empty_then_readable)
{
	EXPECT_EQ(-ETIMEDOUT, poll_one(self->s, DIOS_EV_READ));
	EXPECT_EQ(0, poll_one(self->s, DIOS_EV_WRITE));
	ASSERT_EQ(0, send_msg(self->s, 10));
	EXPECT_EQ(0, poll_one(self->s, DIOS_EV_READ));
}

TEST_F(sel, stream_full_not_writable)
{
	ASSERT_EQ(0, send_msg(self->s, CAP));
	EXPECT_EQ(-ETIMEDOUT, poll_one(self->s, DIOS_EV_WRITE));
	EXPECT_EQ(0, poll_one(self->s, DIOS_EV_READ));
}

/* An open reservation makes the stream unwritable until it ends. */
TEST_F(sel, stream_reservation_blocks_writers)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 10, &w));
	EXPECT_EQ(-ETIMEDOUT, poll_one(self->s, DIOS_EV_WRITE));
	ASSERT_EQ(0, dios_release_write(0, self->s, &w));
	EXPECT_EQ(0, poll_one(self->s, DIOS_EV_WRITE));
}

/* No writer left: a read fails with -EPIPE at once, so it is ready. */
TEST_F(sel, stream_writer_gone_readable)
{
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	EXPECT_EQ(-ETIMEDOUT, poll_one(ro, DIOS_EV_READ));
	ASSERT_EQ(0, dios_delete(0, self->s));
	EXPECT_EQ(0, poll_one(ro, DIOS_EV_READ));
}

TEST_F(sel, stream_reader_gone_writable)
{
	dios_ref_t wo;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &wo));
	ASSERT_EQ(0, send_msg(self->s, CAP));
	EXPECT_EQ(-ETIMEDOUT, poll_one(wo, DIOS_EV_WRITE));
	ASSERT_EQ(0, dios_delete(0, self->s));
	EXPECT_EQ(0, poll_one(wo, DIOS_EV_WRITE));
}

TEST_F(sel, group_never_ready)
{
	dios_ref_t g;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &g,
				      NULL));
	EXPECT_EQ(-ETIMEDOUT, poll_one(g, EV_RW));
}

/* A zombie is ready for every event, whatever its type. */
TEST_F(sel, zombie_ready_for_every_event)
{
	dios_ref_t g, d;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, d));
	EXPECT_EQ(0, poll_one(self->s, DIOS_EV_READ));
	EXPECT_EQ(0, poll_one(self->s, EV_RW));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &g,
				      NULL));
	ASSERT_EQ(0, dios_dup(g, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, d));
	EXPECT_EQ(0, poll_one(g, EV_RW));
}

TEST_F(sel, lowest_ready_index)
{
	dios_ref_t m, refs[4];
	uint32_t idx = 99;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &m,
				      NULL));
	refs[0] = self->s;
	refs[1] = self->s;
	refs[2] = m;
	refs[3] = m;
	EXPECT_EQ(0, dios_select(0, refs, 4, DIOS_EV_READ, -1, &idx));
	EXPECT_EQ(2, idx);
	ASSERT_EQ(0, send_msg(self->s, 1));
	EXPECT_EQ(0, dios_select(0, refs, 4, DIOS_EV_READ, -1, &idx));
	EXPECT_EQ(0, idx);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

TEST_F(sel, timeout)
{
	int64_t start = now_ns();
	uint32_t idx;

	EXPECT_EQ(-ETIMEDOUT, dios_select(0, &self->s, 1, DIOS_EV_READ,
					  50000000, &idx));
	EXPECT_LE(50000000, now_ns() - start);
}

/* DIOS_NONBLOCK polls whatever the timeout says. */
TEST_F(sel, nonblock_polls)
{
	uint32_t idx;

	EXPECT_EQ(-ETIMEDOUT, dios_select(DIOS_NONBLOCK, &self->s, 1,
					  DIOS_EV_READ, -1, &idx));
	EXPECT_EQ(-ETIMEDOUT, dios_select(DIOS_NONBLOCK, &self->s, 1,
					  DIOS_EV_READ, 1000000000, &idx));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A handled signal ends the wait with -EINTR; like select(2), the call is
 * not restarted, even with SA_RESTART.
 */
TEST_F(sel, signal_interrupts)
{
	static const int flags[] = { 0, SA_RESTART };
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	struct sigaction sa;
	uint32_t idx;
	size_t i;

	for (i = 0; i < ARRAY_LEN(flags); i++) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sa.sa_flags = flags[i];
		ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
		ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
		EXPECT_EQ(-EINTR, dios_select(0, &self->s, 1, DIOS_EV_READ,
					      -1, &idx));
	}
}

/* What a helper thread does once the main thread sleeps in select. */
struct actor {
	pid_t waiter;
	dios_ref_t ref;
	int (*act)(dios_ref_t ref);
	int ret;
};

static void *actor_main(void *arg)
{
	struct actor *a = arg;

	a->ret = dios_test_wait_sleeping(a->waiter, SLEEP_MS);
	if (!a->ret)
		a->ret = a->act(a->ref);
	return NULL;
}

static int act_send(dios_ref_t ref)
{
	return send_msg(ref, 7);
}

static int act_delete(dios_ref_t ref)
{
	return dios_delete(0, ref);
}

static int act_zombify(dios_ref_t ref)
{
	return dios_delete(DIOS_DELETE_ZOMBIFY, ref);
}

/*
 * Select forever on @n references (@refs), while a thread runs @act on
 * @ref once the select sleeps; the select's result, the index in @idx.
 */
static int select_while(struct __test_metadata *_metadata,
			const dios_ref_t *refs, uint32_t n, dios_ref_t ref,
			int (*act)(dios_ref_t ref), uint32_t *idx)
{
	struct actor a = { .waiter = getpid(), .ref = ref, .act = act };
	pthread_t t;
	int ret;

	EXPECT_EQ(0, pthread_create(&t, NULL, actor_main, &a));
	ret = dios_select(0, refs, n, DIOS_EV_READ, -1, idx);
	EXPECT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, a.ret);
	return ret;
}

TEST_F(sel, woken_by_message)
{
	dios_ref_t refs[3] = { self->s, self->s, self->s };
	uint32_t idx = 99;

	EXPECT_EQ(0, select_while(_metadata, refs, 3, self->s, act_send,
				  &idx));
	EXPECT_EQ(0, idx);
}

/* Waiting on a reference deleted meanwhile: -EBADF. */
TEST_F(sel, reference_deleted_while_waiting)
{
	dios_ref_t d, refs[2];
	uint32_t idx;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	refs[0] = self->s;
	refs[1] = d;
	EXPECT_EQ(-EBADF, select_while(_metadata, refs, 2, d, act_delete,
				       &idx));
}

/* Zombified meanwhile: the reference is ready. */
TEST_F(sel, zombified_while_waiting)
{
	dios_ref_t d, g, refs[2];
	uint32_t idx = 99;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &g,
				      NULL));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	refs[0] = g;
	refs[1] = self->s;
	EXPECT_EQ(0, select_while(_metadata, refs, 2, d, act_zombify, &idx));
	EXPECT_EQ(1, idx);
}

/*
 * A task reference is READ-ready once the task exited: a child publishes
 * its task object and exits when told to.
 */
TEST_F(sel, task_exit_readable)
{
	struct dios_test_child ch;
	uint32_t idx = 99;
	dios_ref_t task;
	pid_t pid;
	char c;

	pid = dios_test_fork_task(&ch, &task);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_test_read(ch.down[0], &c, 1));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(-ETIMEDOUT, poll_one(task, DIOS_EV_READ));
	EXPECT_EQ(-ETIMEDOUT, poll_one(task, DIOS_EV_WRITE));
	ASSERT_EQ(0, dios_test_write(ch.down[1], "x", 1));
	EXPECT_EQ(0, dios_select(0, &task, 1, DIOS_EV_READ, -1, &idx));
	EXPECT_EQ(0, idx);
	EXPECT_EQ(0, dios_test_wait(pid));
	dios_test_child_close(&ch);
}

/* max_select references (one handle many times); one more is -EINVAL. */
TEST_F(sel, max_references)
{
	uint32_t n = 65536, idx = 0;
	dios_ref_t m, *refs;
	uint32_t i;

	refs = calloc(n + 1, sizeof(*refs));
	ASSERT_NE(NULL, refs);
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &m,
				      NULL));
	for (i = 0; i <= n; i++)
		refs[i] = self->s;
	EXPECT_EQ(-ETIMEDOUT, dios_select(0, refs, n, DIOS_EV_READ, 0, &idx));
	refs[n - 1] = m;
	EXPECT_EQ(0, dios_select(0, refs, n, DIOS_EV_READ, 0, &idx));
	EXPECT_EQ(n - 1, idx);
	EXPECT_EQ(-EINVAL, dios_select(0, refs, n + 1, DIOS_EV_READ, 0,
				       &idx));
	free(refs);
}

/* Beyond the on-stack entries: a blocking wait on many references. */
TEST_F(sel, many_references_woken)
{
	dios_ref_t refs[1000];
	uint32_t idx = 0;
	size_t i;

	for (i = 0; i < ARRAY_LEN(refs); i++)
		refs[i] = self->s;
	EXPECT_EQ(0, select_while(_metadata, refs, ARRAY_LEN(refs), self->s,
				  act_send, &idx));
	EXPECT_EQ(0, idx);
}

TEST_F(sel, invalid_arguments)
{
	dios_ref_t refs[2] = { self->s, self->s };
	uint32_t idx;

	EXPECT_EQ(-EINVAL, dios_select(1ULL << 1, refs, 1, DIOS_EV_READ, 0,
				       &idx));
	EXPECT_EQ(-EINVAL, dios_select(1ULL << 63, refs, 1, DIOS_EV_READ, 0,
				       &idx));
	EXPECT_EQ(-EINVAL, dios_select(0, refs, 1, 0, 0, &idx));
	EXPECT_EQ(-EINVAL, dios_select(0, refs, 1, 1U << 2, 0, &idx));
	EXPECT_EQ(-EINVAL, dios_select(0, refs, 1, DIOS_EV_READ | 1U << 31,
				       0, &idx));
	EXPECT_EQ(-EINVAL, dios_select(0, refs, 0, DIOS_EV_READ, 0, &idx));
	EXPECT_EQ(-EFAULT, dios_select(0, refs, 1, DIOS_EV_READ, 0, NULL));
}

TEST_F(sel, bad_handles)
{
	dios_ref_t d, refs[3] = { self->s, self->s, self->s };
	uint32_t idx;

	refs[2] = DIOS_REF_NONE;
	EXPECT_EQ(-EBADF, dios_select(0, refs, 3, DIOS_EV_READ, 0, &idx));
	refs[2] = self->s + 1;
	EXPECT_EQ(-EBADF, dios_select(0, refs, 3, DIOS_EV_READ, 0, &idx));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(0, d));
	refs[2] = d;
	EXPECT_EQ(-EBADF, dios_select(0, refs, 3, DIOS_EV_READ, 0, &idx));
	/* Checked before readiness: a ready reference first changes nothing. */
	ASSERT_EQ(0, send_msg(self->s, 1));
	EXPECT_EQ(-EBADF, dios_select(0, refs, 3, DIOS_EV_READ, 0, &idx));
}

TEST_F(sel, rights_allow_no_event)
{
	dios_ref_t refs[2];
	uint32_t idx = 99;

	refs[0] = self->s;
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_COPY, &refs[1]));
	EXPECT_EQ(-EACCES, dios_select(0, refs, 2, EV_RW, 0, &idx));
	/* A write-only reference asked for READ or WRITE: WRITE counts. */
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_WRITE, &refs[1]));
	refs[0] = refs[1];
	EXPECT_EQ(0, dios_select(0, refs, 2, EV_RW, 0, &idx));
	EXPECT_EQ(0, idx);
}

TEST_F(sel, bad_pointer)
{
	dios_ref_t *refs;
	uint32_t idx;

	EXPECT_EQ(-EFAULT, dios_select(0, NULL, 1, DIOS_EV_READ, 0, &idx));
	EXPECT_EQ(-EFAULT, dios_select(0, (dios_ref_t *)8, 1, DIOS_EV_READ,
				       0, &idx));
	/* The array runs into an unmapped page. */
	refs = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, refs);
	ASSERT_EQ(0, munmap((char *)refs + 4096, 4096));
	refs[4096 / 8 - 1] = self->s;
	EXPECT_EQ(-EFAULT, dios_select(0, &refs[4096 / 8 - 1], 2,
				       DIOS_EV_READ, 0, &idx));
	munmap(refs, 4096);
}

/* The raw ioctl: padding, size, and a tail. */
TEST_F(sel, struct_framing)
{
	struct {
		struct dios_select_req r;
		uint64_t tail;
	} big;
	struct dios_select_req r;

	memset(&r, 0, sizeof(r));
	r.refs = (uintptr_t)&self->s;
	r.n = 1;
	r.events = DIOS_EV_WRITE;
	r.ready_index = 77;
	EXPECT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_SELECT), sizeof(r), &r));
	EXPECT_EQ(0, r.ready_index);
	r.__pad = 1;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_SELECT), sizeof(r),
					&r));
	r.__pad = 0;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_SELECT),
					sizeof(r) - 8, &r));
	memset(&big, 0, sizeof(big));
	big.r = r;
	EXPECT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_SELECT), sizeof(big),
				  &big));
	big.tail = 1;
	EXPECT_EQ(-E2BIG, dios_test_rw(_IOC_NR(DIOS_IOC_SELECT), sizeof(big),
				       &big));
}

/* Interest-set tests: @s is an empty stream, every right. */
static int wait_one(int64_t timeout_ns, struct dios_interest_event *ev)
{
	return dios_interest_wait(0, ev, 1, timeout_ns);
}

TEST_F(sel, interest_level_triggered)
{
	struct dios_interest_event ev[2];
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, dios_interest_add(self->s, DIOS_EV_READ, 42));
	EXPECT_EQ(-ETIMEDOUT, wait_one(0, ev));
	ASSERT_EQ(0, send_msg(self->s, 10));
	memset(ev, 0xff, sizeof(ev));
	EXPECT_EQ(1, dios_interest_wait(0, ev, 2, -1));
	EXPECT_EQ(42, ev[0].cookie);
	EXPECT_EQ(DIOS_EV_READ, ev[0].events);
	EXPECT_EQ(0, ev[0].__pad);
	/* Still ready: reported again. */
	EXPECT_EQ(1, wait_one(0, ev));
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	ASSERT_EQ(0, dios_commit_read(0, self->s, &r));
	EXPECT_EQ(-ETIMEDOUT, wait_one(0, ev));
	EXPECT_EQ(-ETIMEDOUT, dios_interest_wait(DIOS_NONBLOCK, ev, 1, -1));
	EXPECT_EQ(0, dios_interest_del(self->s));
	ASSERT_EQ(0, send_msg(self->s, 10));
	EXPECT_EQ(-ETIMEDOUT, wait_one(0, ev));
}

TEST_F(sel, interest_mod)
{
	struct dios_interest_event ev;

	ASSERT_EQ(0, dios_interest_add(self->s, DIOS_EV_READ, 1));
	EXPECT_EQ(-ETIMEDOUT, wait_one(0, &ev));
	ASSERT_EQ(0, dios_interest_mod(self->s, DIOS_EV_WRITE, 2));
	EXPECT_EQ(1, wait_one(0, &ev));
	EXPECT_EQ(2, ev.cookie);
	EXPECT_EQ(DIOS_EV_WRITE, ev.events);
}

TEST_F(sel, interest_errors)
{
	struct dios_interest_req r;
	struct dios_interest_event ev;
	dios_ref_t ro, d;

	EXPECT_EQ(-ENOENT, dios_interest_mod(self->s, DIOS_EV_READ, 1));
	EXPECT_EQ(-ENOENT, dios_interest_del(self->s));
	EXPECT_EQ(-EINVAL, dios_interest_add(self->s, 0, 1));
	EXPECT_EQ(-EINVAL, dios_interest_add(self->s, 1U << 2, 1));
	EXPECT_EQ(-EBADF, dios_interest_add(DIOS_REF_NONE, DIOS_EV_READ, 1));
	EXPECT_EQ(-EBADF, dios_interest_add(self->s + 1, DIOS_EV_READ, 1));
	EXPECT_EQ(-EBADF, dios_interest_del(DIOS_REF_NONE));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ, &ro));
	EXPECT_EQ(-EACCES, dios_interest_add(ro, DIOS_EV_WRITE, 1));
	ASSERT_EQ(0, dios_interest_add(self->s, DIOS_EV_READ, 1));
	EXPECT_EQ(-EEXIST, dios_interest_add(self->s, DIOS_EV_WRITE, 1));
	/* Another reference to the same object has its own entry. */
	EXPECT_EQ(0, dios_interest_add(ro, DIOS_EV_READ, 2));
	EXPECT_EQ(-EACCES, dios_interest_mod(ro, DIOS_EV_WRITE, 1));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(0, d));
	EXPECT_EQ(-EBADF, dios_interest_add(d, DIOS_EV_READ, 1));

	memset(&r, 0, sizeof(r));
	r.ref = self->s;
	r.events = DIOS_EV_READ;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_INTEREST),
					sizeof(r), &r));
	r.flags = DIOS_INTEREST_MOD | DIOS_INTEREST_DEL;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_INTEREST),
					sizeof(r), &r));
	r.flags = 1ULL << 3;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_INTEREST),
					sizeof(r), &r));
	r.flags = DIOS_INTEREST_DEL;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_INTEREST),
					sizeof(r), &r));
	r.events = 0;
	r.cookie = 1;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_INTEREST),
					sizeof(r), &r));
	r.flags = DIOS_INTEREST_MOD;
	r.events = DIOS_EV_READ;
	r.__pad = 1;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_INTEREST),
					sizeof(r), &r));
	r.__pad = 0;
	EXPECT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_INTEREST), sizeof(r), &r));

	EXPECT_EQ(-EINVAL, dios_interest_wait(0, &ev, 0, 0));
	EXPECT_EQ(-EINVAL, dios_interest_wait(0, &ev, 65537, 0));
	EXPECT_EQ(-EINVAL, dios_interest_wait(1ULL << 1, &ev, 1, 0));
	EXPECT_EQ(-EFAULT, dios_interest_wait(0, NULL, 1, 0));
	/* Something is ready (WRITE): the output faults. */
	ASSERT_EQ(0, dios_interest_mod(self->s, DIOS_EV_WRITE, 1));
	EXPECT_EQ(-EFAULT, dios_interest_wait(0, (void *)8, 1, 0));
	EXPECT_EQ(1, wait_one(0, &ev));
}

/* Deleting the reference removes its entry; the slot starts afresh. */
TEST_F(sel, interest_entry_gone_with_reference)
{
	struct dios_interest_event ev;
	dios_ref_t d, d2;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_interest_add(d, DIOS_EV_WRITE, 7));
	ASSERT_EQ(0, dios_delete(0, d));
	EXPECT_EQ(-ETIMEDOUT, wait_one(0, &ev));
	EXPECT_EQ(-EBADF, dios_interest_del(d));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d2));
	EXPECT_EQ(0, dios_interest_add(d2, DIOS_EV_WRITE, 8));
	EXPECT_EQ(1, wait_one(0, &ev));
	EXPECT_EQ(8, ev.cookie);
}

TEST_F(sel, interest_zombie_ready)
{
	struct dios_interest_event ev;
	dios_ref_t d;

	ASSERT_EQ(0, dios_interest_add(self->s, DIOS_EV_READ, 3));
	EXPECT_EQ(-ETIMEDOUT, wait_one(0, &ev));
	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, d));
	EXPECT_EQ(1, wait_one(-1, &ev));
	EXPECT_EQ(3, ev.cookie);
	EXPECT_EQ(DIOS_EV_READ, ev.events);
}

/* A thread sends once the main thread sleeps in the wait. */
struct sender {
	pid_t waiter;
	dios_ref_t s;
	bool in_epoll;	/* the waiter sleeps in epoll_wait, not in dios */
	int ret;
};

static void *sender_main(void *arg)
{
	struct sender *a = arg;

	a->ret = dios_test_wait_sleeping_in(a->waiter, SLEEP_MS,
					    a->in_epoll ? DIOS_TEST_ANY_SYSCALL :
					    SYS_ioctl);
	if (!a->ret)
		a->ret = send_msg(a->s, 3);
	return NULL;
}

TEST_F(sel, interest_wait_woken)
{
	struct sender a = { .waiter = getpid(), .s = self->s };
	struct dios_interest_event ev;
	pthread_t t;

	ASSERT_EQ(0, dios_interest_add(self->s, DIOS_EV_READ, 5));
	ASSERT_EQ(0, pthread_create(&t, NULL, sender_main, &a));
	EXPECT_EQ(1, wait_one(-1, &ev));
	EXPECT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, a.ret);
	EXPECT_EQ(5, ev.cookie);
}

TEST_F(sel, interest_wait_timeout_and_signal)
{
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	struct dios_interest_event ev;
	struct sigaction sa;
	int64_t start;

	ASSERT_EQ(0, dios_interest_add(self->s, DIOS_EV_READ, 5));
	start = now_ns();
	EXPECT_EQ(-ETIMEDOUT, wait_one(50000000, &ev));
	EXPECT_LE(50000000, now_ns() - start);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(-EINTR, wait_one(-1, &ev));
}

/*
 * Thousands of entries, one made ready: the wait reports exactly that
 * one, and the ones that are not ready cost nothing after the first look.
 */
TEST_F(sel, interest_thousands)
{
	struct dios_create_args a = { .capacity = 4096 };
	enum { N = 5000 };
	struct dios_interest_event ev[4];
	dios_ref_t *s;
	int i;

	s = calloc(N, sizeof(*s));
	ASSERT_NE(NULL, s);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a,
					 &s[i], NULL));
		ASSERT_EQ(0, dios_interest_add(s[i], DIOS_EV_READ, 1000 + i));
	}
	EXPECT_EQ(-ETIMEDOUT, dios_interest_wait(0, ev, 4, 0));
	ASSERT_EQ(0, send_msg(s[1234], 1));
	EXPECT_EQ(1, dios_interest_wait(0, ev, 4, -1));
	EXPECT_EQ(1000 + 1234, ev[0].cookie);
	ASSERT_EQ(0, send_msg(s[4999], 1));
	ASSERT_EQ(0, send_msg(s[7], 1));
	EXPECT_EQ(3, dios_interest_wait(0, ev, 4, -1));
	EXPECT_EQ(2, dios_interest_wait(0, ev, 2, 0));
	free(s);
}

/* The context descriptor polls readable while an entry is ready. */
TEST_F(sel, interest_poll_context_fd)
{
	struct pollfd p = { .fd = dios_context_fd(), .events = POLLIN };
	struct dios_interest_event ev;

	ASSERT_LE(0, p.fd);
	ASSERT_EQ(0, dios_interest_add(self->s, DIOS_EV_READ, 9));
	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, send_msg(self->s, 1));
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents & POLLIN);
	EXPECT_EQ(1, wait_one(0, &ev));
	EXPECT_EQ(9, ev.cookie);
}

TEST_F(sel, interest_epoll_context_fd)
{
	struct sender a = { .waiter = getpid(), .s = self->s, .in_epoll = true };
	struct epoll_event e = { .events = EPOLLIN }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	pthread_t t;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, dios_interest_add(self->s, DIOS_EV_READ, 9));
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, dios_context_fd(), &e));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, sender_main, &a));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, -1));
	EXPECT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, a.ret);
	EXPECT_EQ(EPOLLIN, out.events & EPOLLIN);
	close(ep);
}

TEST_HARNESS_MAIN
