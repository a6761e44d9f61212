// SPDX-License-Identifier: GPL-2.0
/*
 * References carried by stream messages (DIOS_IO_REFS), like SCM_RIGHTS:
 * they leave the sender's table at commit_write and enter the reader's at
 * acquire_read with the same rights; release_read takes them back with the
 * message; what nobody receives is dropped with the stream.  docs/io.md.
 */
#include <signal.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP		(4 * 4096)
#define MAX_REFS	64	/* references one message may carry */

FIXTURE(refs) {
	dios_ref_t s;		/* the stream */
	dios_ref_t obj;		/* a SHMEM object to send */
	struct dios_name name;
};

FIXTURE_SETUP(refs)
{
	struct dios_create_args a = { .capacity = CAP };

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM | DIOS_FEAT_IO_REFS);
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &self->s,
				 &self->name));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
				      &self->obj, NULL));
}

FIXTURE_TEARDOWN(refs)
{
}

/* Send a 4-byte message carrying @n references; 0 or -errno. */
static int send_refs(dios_ref_t s, dios_ref_t *refs, uint32_t n)
{
	struct dios_iovec w = dios_test_iov(0);
	int ret = dios_acquire_write(0, s, 4, &w);

	if (ret)
		return ret;
	memcpy(w.buf, "refs", 4);
	w.refs = refs;
	w.n_refs = n;
	ret = dios_commit_write(DIOS_IO_REFS, s, 4, &w);
	if (ret)
		dios_release_write(0, s, &w);
	return ret;
}

/* Receive a message into @refs of capacity @cap; count or -errno. */
static int recv_refs(dios_ref_t s, dios_ref_t *refs, uint32_t cap)
{
	struct dios_iovec r = dios_test_iov(0);
	int ret;

	r.refs = refs;
	r.n_refs = cap;
	ret = dios_acquire_read(DIOS_NONBLOCK, s, CAP, &r);
	if (ret)
		return ret;
	ret = dios_commit_read(0, s, &r);
	return ret ? ret : (int)r.n_refs;
}

static uint64_t rights_of(dios_ref_t ref)
{
	struct dios_ref_info info;

	if (dios_ref_info(ref, &info))
		return ~0ULL;
	return info.rights;
}

TEST_F(refs, carried_within_task)
{
	dios_ref_t d, got[4];
	struct dios_ref_info info;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ | DIOS_RIGHT_COPY,
			      &d));
	ASSERT_EQ(0, send_refs(self->s, &d, 1));
	/* The sender's handle left its table. */
	EXPECT_EQ(-EBADF, dios_ref_info(d, &info));
	ASSERT_EQ(1, recv_refs(self->s, got, 4));
	ASSERT_EQ(0, dios_ref_info(got[0], &info));
	EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
	EXPECT_EQ(DIOS_RIGHT_READ | DIOS_RIGHT_COPY, info.rights);
}

/*
 * A message carries a SHMEM reference to another process: it arrives with
 * the same rights and reaches the same object (when memory I/O exists, the
 * child reads what the parent wrote).
 */
TEST_F(refs, carried_to_another_process)
{
	const uint64_t rights = DIOS_RIGHT_READ | DIOS_RIGHT_COPY;
	int has_mem = !!(dios_test_features() & DIOS_FEAT_IO_MEM);
	struct dios_ref_info info;
	dios_ref_t d;
	pid_t pid;

	if (has_mem) {
		struct dios_iovec w = dios_test_iov(0);

		ASSERT_EQ(0, dios_acquire_write(0, self->obj, 16, &w));
		dios_test_fill(w.buf, 16, 42);
		ASSERT_EQ(0, dios_commit_write(0, self->obj, 16, &w));
	}
	ASSERT_EQ(0, dios_dup(self->obj, rights, &d));
	ASSERT_EQ(0, send_refs(self->s, &d, 1));
	EXPECT_EQ(-EBADF, dios_ref_info(d, &info));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s, got[2];

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		ASSERT_EQ(1, recv_refs(s, got, 2));
		ASSERT_EQ(0, dios_ref_info(got[0], &info));
		EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
		EXPECT_EQ(rights, info.rights);
		if (has_mem) {
			struct dios_iovec r = dios_test_iov(0);

			ASSERT_EQ(0, dios_acquire_read(0, got[0], 16, &r));
			EXPECT_EQ(-1, dios_test_check(r.buf, 16, 42));
			EXPECT_EQ(0, dios_commit_read(0, got[0], &r));
		}
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, dios_test_wait(pid));
}

TEST_F(refs, without_copy_is_eacces)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ, &d));
	EXPECT_EQ(-EACCES, send_refs(self->s, &d, 1));
	/* Nothing was sent, the reference stays. */
	EXPECT_EQ(DIOS_RIGHT_READ, rights_of(d));
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
}

TEST_F(refs, privmem_is_eperm)
{
	dios_ref_t p;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_PRIVMEM, &p,
				      NULL));
	EXPECT_EQ(-EPERM, send_refs(self->s, &p, 1));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(p));
}

TEST_F(refs, stream_itself_is_einval)
{
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->s, DIOS_RIGHT_READ | DIOS_RIGHT_COPY, &d));
	EXPECT_EQ(-EINVAL, send_refs(self->s, &d, 1));
	EXPECT_EQ(DIOS_RIGHT_READ | DIOS_RIGHT_COPY, rights_of(d));
}

TEST_F(refs, too_many_is_e2big)
{
	dios_ref_t d[MAX_REFS + 1];
	int i;

	if (dios_test_max_refs() < MAX_REFS + 8)
		SKIP(return, "max_refs too small");
	for (i = 0; i < MAX_REFS + 1; i++)
		ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[i]));
	EXPECT_EQ(-E2BIG, send_refs(self->s, d, MAX_REFS + 1));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(d[0]));
}

TEST_F(refs, max_refs_fit)
{
	dios_ref_t d[MAX_REFS], got[MAX_REFS];
	int i;

	if (dios_test_max_refs() < 2 * MAX_REFS + 8)
		SKIP(return, "max_refs too small");
	for (i = 0; i < MAX_REFS; i++)
		ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[i]));
	ASSERT_EQ(0, send_refs(self->s, d, MAX_REFS));
	EXPECT_EQ(MAX_REFS, recv_refs(self->s, got, MAX_REFS));
}

TEST_F(refs, bad_handle_is_ebadf)
{
	dios_ref_t d[2];

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[0]));
	d[1] = d[0] + (1ULL << 32);
	EXPECT_EQ(-EBADF, send_refs(self->s, d, 2));
	/* All or nothing. */
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(d[0]));
}

/* The reader's capacity is too small: -EMSGSIZE, the message stays. */
TEST_F(refs, reader_capacity_too_small)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t d[3], got[3];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[i]));
	ASSERT_EQ(0, send_refs(self->s, d, 3));
	r.refs = got;
	r.n_refs = 2;
	EXPECT_EQ(-EMSGSIZE, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP,
					       &r));
	EXPECT_EQ(3, r.n_refs);
	EXPECT_EQ(3, recv_refs(self->s, got, 3));
}

/*
 * release_read puts the message back with its references: the handles
 * the reader got are gone, and the next reader gets them again.
 */
TEST_F(refs, release_read_takes_refs_back)
{
	struct dios_iovec r = dios_test_iov(0);
	struct dios_ref_info info;
	dios_ref_t d[2], got[2], again[2];
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[i]));
	ASSERT_EQ(0, send_refs(self->s, d, 2));
	r.refs = got;
	r.n_refs = 2;
	ASSERT_EQ(0, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
	ASSERT_EQ(2, r.n_refs);
	ASSERT_EQ(0, dios_ref_info(got[0], &info));
	ASSERT_EQ(0, dios_release_read(0, self->s, &r));
	EXPECT_EQ(-EBADF, dios_ref_info(got[0], &info));
	EXPECT_EQ(-EBADF, dios_ref_info(got[1], &info));
	ASSERT_EQ(2, recv_refs(self->s, again, 2));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(again[0]));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(again[1]));
}

/*
 * The message keeps its own references while a reader holds it: a handle
 * the reader deleted before release_read still reaches the next reader.
 */
TEST_F(refs, release_after_reader_deleted_one)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t d[2], got[2], again[2];
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[i]));
	ASSERT_EQ(0, send_refs(self->s, d, 2));
	r.refs = got;
	r.n_refs = 2;
	ASSERT_EQ(0, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
	ASSERT_EQ(2, r.n_refs);
	ASSERT_EQ(0, dios_delete(0, got[0]));
	ASSERT_EQ(0, dios_release_read(0, self->s, &r));
	EXPECT_EQ(~0ULL, rights_of(got[1]));
	ASSERT_EQ(2, recv_refs(self->s, again, 2));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(again[0]));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(again[1]));
}

/* A message without DIOS_IO_REFS delivers no references. */
TEST_F(refs, plain_message_has_none)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t got[2];

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 1, &w));
	ASSERT_EQ(0, dios_commit_write(0, self->s, 1, &w));
	EXPECT_EQ(0, recv_refs(self->s, got, 2));
}

TEST_F(refs, twice_is_einval)
{
	dios_ref_t d[2];

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[0]));
	d[1] = d[0];
	EXPECT_EQ(-EINVAL, send_refs(self->s, d, 2));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(d[0]));
}

TEST_F(refs, zombie_is_eidrm)
{
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(-EIDRM, send_refs(self->s, &d, 1));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(d));
}

/* DIOS_IO_REFS with no reference is a plain message. */
TEST_F(refs, zero_refs_allowed)
{
	dios_ref_t got[2];

	ASSERT_EQ(0, send_refs(self->s, NULL, 0));
	EXPECT_EQ(0, recv_refs(self->s, got, 2));
}

/* All or nothing: one bad reference, none leaves, nothing is sent. */
TEST_F(refs, all_or_nothing)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t d[3];

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[0]));
	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ, &d[1]));
	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[2]));
	EXPECT_EQ(-EACCES, send_refs(self->s, d, 3));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(d[0]));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(d[2]));
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, self->s, CAP, &r));
}

/* A stream reference travels in another stream and works on arrival. */
TEST_F(refs, stream_in_stream)
{
	struct dios_create_args a = { .capacity = CAP };
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	dios_ref_t inner, got[1];

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &inner,
				 NULL));
	ASSERT_EQ(0, dios_acquire_write(0, inner, 3, &w));
	memcpy(w.buf, "abc", 3);
	ASSERT_EQ(0, dios_commit_write(0, inner, 3, &w));
	ASSERT_EQ(0, send_refs(self->s, &inner, 1));
	ASSERT_EQ(1, recv_refs(self->s, got, 1));
	ASSERT_EQ(0, dios_acquire_read(DIOS_NONBLOCK, got[0], CAP, &r));
	EXPECT_EQ(3, r.len);
	EXPECT_EQ(0, memcmp(r.buf, "abc", 3));
	EXPECT_EQ(0, dios_commit_read(0, got[0], &r));
}

/*
 * A re-arming read keeps the reference capacity of the acquire that
 * started it (libdios remembers it: n_refs itself becomes the count).
 */
TEST_F(refs, rearm_read_receives_refs)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t d[3], got[4];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d[i]));
	ASSERT_EQ(0, send_refs(self->s, d, 1));
	ASSERT_EQ(0, send_refs(self->s, d + 1, 2));
	r.refs = got;
	r.n_refs = 4;
	ASSERT_EQ(0, dios_acquire_read(0, self->s, CAP, &r));
	ASSERT_EQ(1, r.n_refs);
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(got[0]));
	r.next_len = CAP;
	ASSERT_EQ(0, dios_commit_read(DIOS_IO_REARM, self->s, &r));
	ASSERT_EQ(2, r.n_refs);
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(got[0]));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(got[1]));
	EXPECT_EQ(0, dios_commit_read(0, self->s, &r));
}

/*
 * A reader killed holding a message with references: the message and its
 * references go back to the head, and the next reader gets them.
 */
TEST_F(refs, killed_reader_refs_return)
{
	int ready[2], i, ret = -EAGAIN;
	dios_ref_t d[2], got[2];
	pid_t pid;
	char c;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ |
				      DIOS_RIGHT_COPY, &d[i]));
	ASSERT_EQ(0, send_refs(self->s, d, 2));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dios_iovec r = dios_test_iov(0);
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		r.refs = got;
		r.n_refs = 2;
		ASSERT_EQ(0, dios_acquire_read(0, s, CAP, &r));
		ASSERT_EQ(2, r.n_refs);
		ASSERT_EQ(0, dios_test_write(ready[1], "r", 1));
		for (;;)
			pause();
	}
	ASSERT_EQ(0, dios_test_read(ready[0], &c, 1));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
	for (i = 0; i < 2000 && ret == -EAGAIN; i++) {
		ret = recv_refs(self->s, got, 2);
		if (ret == -EAGAIN)
			usleep(1000);
	}
	ASSERT_EQ(2, ret);
	EXPECT_EQ(DIOS_RIGHT_READ | DIOS_RIGHT_COPY, rights_of(got[0]));
	EXPECT_EQ(DIOS_RIGHT_READ | DIOS_RIGHT_COPY, rights_of(got[1]));
}

/*
 * A stream destroyed with references queued drops them: the objects they
 * kept alive are freed, nothing leaks.
 */
TEST_F(refs, queued_refs_dropped_with_stream)
{
	long shmem_before, refs_before;
	dios_ref_t d;
	int i;

	shmem_before = dios_test_stat("objects_shmem");
	refs_before = dios_test_stat("refs");
	if (shmem_before < 0 || refs_before < 0)
		SKIP(return, "no /sys/kernel/debug/dios/stats");
	for (i = 0; i < 3; i++) {
		dios_ref_t o;

		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON,
					      DIOS_OBJ_SHMEM, &o, NULL));
		ASSERT_EQ(0, send_refs(self->s, &o, 1));
	}
	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, send_refs(self->s, &d, 1));
	EXPECT_EQ(shmem_before + 3, dios_test_stat("objects_shmem"));
	ASSERT_EQ(0, dios_delete(0, self->s));
	ASSERT_EQ(0, dios_delete(0, self->obj));
	/* The fixture's SHMEM object and the three sent ones are gone. */
	EXPECT_EQ(shmem_before - 1,
		  dios_test_stat_settles("objects_shmem", shmem_before - 1,
					 5000));
	EXPECT_EQ(refs_before - 2,
		  dios_test_stat_settles("refs", refs_before - 2, 5000));
}

TEST_HARNESS_MAIN
