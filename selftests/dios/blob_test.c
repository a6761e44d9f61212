// SPDX-License-Identifier: GPL-2.0
/*
 * Blob I/O: versioned pages, writes published atomically at commit, reads
 * validated at commit (-ESTALE after an overlapping committed write), and
 * an optimistic read-modify-write loop that converges under contention.
 * docs/io.md.
 */
#include <signal.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define BLOB_SIZE	(2 * 4096)

FIXTURE(blob) {
	dios_ref_t b;
	struct dios_name name;
};

FIXTURE_SETUP(blob)
{
	struct dios_create_args a = { .size = BLOB_SIZE };

	DIOS_REQUIRE(DIOS_FEAT_IO_BLOB);
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_BLOB, &a, &self->b, &self->name));
}

FIXTURE_TEARDOWN(blob)
{
}

/* Write @len pattern bytes of @seq at @offset and commit; 0 or -errno. */
static int put(dios_ref_t b, uint64_t offset, uint64_t len, uint64_t seq)
{
	struct dios_iovec w = dios_test_iov(offset);
	int ret = dios_acquire_write(0, b, len, &w);

	if (ret)
		return ret;
	dios_test_fill(w.buf, len, seq);
	return dios_commit_write(0, b, len, &w);
}

TEST_F(blob, zero_filled)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_read(0, self->b, BLOB_SIZE, &r));
	EXPECT_EQ(BLOB_SIZE, r.len);
	EXPECT_TRUE(dios_test_all_zero(r.buf, BLOB_SIZE));
	EXPECT_EQ(0, dios_commit_read(0, self->b, &r));
}

TEST_F(blob, write_then_read)
{
	struct dios_iovec r = dios_test_iov(1000);

	ASSERT_EQ(0, put(self->b, 1000, 5000, 1));
	ASSERT_EQ(0, dios_acquire_read(0, self->b, 5000, &r));
	EXPECT_EQ(-1, dios_test_check(r.buf, 5000, 1));
	EXPECT_EQ(0, dios_commit_read(0, self->b, &r));
}

/* An uncommitted write is invisible; after commit all of it is visible. */
TEST_F(blob, visible_only_after_commit)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->b, BLOB_SIZE, &w));
	dios_test_fill(w.buf, BLOB_SIZE, 2);
	ASSERT_EQ(0, dios_acquire_read(0, self->b, BLOB_SIZE, &r));
	EXPECT_TRUE(dios_test_all_zero(r.buf, BLOB_SIZE));
	ASSERT_EQ(0, dios_release_read(0, self->b, &r));
	ASSERT_EQ(0, dios_commit_write(0, self->b, BLOB_SIZE, &w));
	r = dios_test_iov(0);
	ASSERT_EQ(0, dios_acquire_read(0, self->b, BLOB_SIZE, &r));
	EXPECT_EQ(-1, dios_test_check(r.buf, BLOB_SIZE, 2));
	EXPECT_EQ(0, dios_commit_read(0, self->b, &r));
}

/* A write buffer starts as a copy of the current contents. */
TEST_F(blob, write_starts_from_current)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, put(self->b, 0, BLOB_SIZE, 3));
	ASSERT_EQ(0, dios_acquire_write(0, self->b, 100, &w));
	EXPECT_EQ(-1, dios_test_check(w.buf, 100, 3));
	EXPECT_EQ(0, dios_release_write(0, self->b, &w));
}

/* A reader of the old version keeps it after a newer write is committed. */
TEST_F(blob, old_reader_keeps_old_version)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, put(self->b, 0, 4096, 4));
	ASSERT_EQ(0, dios_dup(self->b, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_acquire_read(0, other, 4096, &r));
	ASSERT_EQ(0, put(self->b, 0, 4096, 5));
	EXPECT_EQ(-1, dios_test_check(r.buf, 4096, 4));
	EXPECT_EQ(0, dios_release_read(0, other, &r));
}

TEST_F(blob, commit_read_stale_after_overlap)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_read(0, self->b, 100, &r));
	ASSERT_EQ(0, put(self->b, 50, 10, 6));
	EXPECT_EQ(-ESTALE, dios_commit_read(0, self->b, &r));
	/* A stale read is over: nothing is left to release. */
	EXPECT_EQ(-EINVAL, dios_release_read(0, self->b, &r));
}

TEST_F(blob, commit_read_fine_without_overlap)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_read(0, self->b, 4096, &r));
	ASSERT_EQ(0, put(self->b, 4096, 4096, 7));
	EXPECT_EQ(0, dios_commit_read(0, self->b, &r));
}

/* A write released without commit changes nothing, and bumps nothing. */
TEST_F(blob, release_write_discards)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_read(0, self->b, BLOB_SIZE, &r));
	ASSERT_EQ(0, dios_acquire_write(0, self->b, BLOB_SIZE, &w));
	dios_test_fill(w.buf, BLOB_SIZE, 8);
	ASSERT_EQ(0, dios_release_write(0, self->b, &w));
	EXPECT_TRUE(dios_test_all_zero(r.buf, BLOB_SIZE));
	EXPECT_EQ(0, dios_commit_read(0, self->b, &r));
	r = dios_test_iov(0);
	ASSERT_EQ(0, dios_acquire_read(0, self->b, BLOB_SIZE, &r));
	EXPECT_TRUE(dios_test_all_zero(r.buf, BLOB_SIZE));
	EXPECT_EQ(0, dios_commit_read(0, self->b, &r));
}

TEST_F(blob, window_beyond_size)
{
	struct dios_iovec r = dios_test_iov(BLOB_SIZE - 1);

	EXPECT_EQ(-EINVAL, dios_acquire_read(0, self->b, 2, &r));
}

TEST_F(blob, read_only_cannot_write)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->b, DIOS_RIGHT_READ, &ro));
	EXPECT_EQ(-EACCES, dios_acquire_write(0, ro, 1, &w));
}

TEST_F(blob, zombie_is_eidrm)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, dios_dup(self->b, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->b));
	EXPECT_EQ(-EIDRM, dios_acquire_read(0, other, 1, &r));
}

/* DIOS_IO_OVERWRITE: whole pages of the window start zeroed, not copied. */
TEST_F(blob, overwrite_starts_zeroed)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, put(self->b, 0, BLOB_SIZE, 9));
	ASSERT_EQ(0, dios_acquire_write(DIOS_IO_OVERWRITE, self->b, 4096, &w));
	EXPECT_TRUE(dios_test_all_zero(w.buf, 4096));
	EXPECT_EQ(0, dios_release_write(0, self->b, &w));
}

/*
 * The one copy a blob makes is of object data into a write transaction:
 * counted in blob_cow_bytes, never in bytes_copied; a page overwritten
 * whole is not copied at all.
 */
TEST_F(blob, copies_counted_as_cow)
{
	struct dios_iovec w = dios_test_iov(0);
	long cow = dios_test_stat("blob_cow_bytes");
	long copied = dios_test_stat("bytes_copied");

	if (cow < 0 || copied < 0)
		SKIP(return, "no blob_cow_bytes or bytes_copied in debugfs");
	ASSERT_EQ(0, dios_acquire_write(DIOS_IO_OVERWRITE, self->b, 4096, &w));
	EXPECT_EQ(0, dios_release_write(0, self->b, &w));
	EXPECT_EQ(cow, dios_test_stat("blob_cow_bytes"));
	w = dios_test_iov(0);
	ASSERT_EQ(0, dios_acquire_write(0, self->b, 100, &w));
	EXPECT_EQ(0, dios_release_write(0, self->b, &w));
	EXPECT_LT(cow, dios_test_stat("blob_cow_bytes"));
	EXPECT_EQ(copied, dios_test_stat("bytes_copied"));
}

TEST_F(blob, refs_on_read_is_einval)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t refs[1];

	r.refs = refs;
	r.n_refs = 1;
	EXPECT_EQ(-EINVAL, dios_acquire_read(0, self->b, 1, &r));
}

/*
 * Optimistic read-modify-write: a write whose copied pages were replaced
 * since its acquire fails with -ESTALE, writes nothing, and stays open.
 */
TEST_F(blob, commit_write_stale_after_overlap)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, dios_dup(self->b, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_acquire_write(0, other, 100, &w));
	dios_test_fill(w.buf, 100, 10);
	ASSERT_EQ(0, put(self->b, 50, 10, 11));
	EXPECT_EQ(-ESTALE, dios_commit_write(0, other, 100, &w));
	EXPECT_EQ(0, dios_release_write(0, other, &w));
	ASSERT_EQ(0, dios_acquire_read(0, self->b, 100, &r));
	EXPECT_TRUE(dios_test_all_zero(r.buf, 50));
	EXPECT_EQ(-1, dios_test_check((char *)r.buf + 50, 10, 11));
	EXPECT_EQ(0, dios_commit_read(0, self->b, &r));
}

/* A blob view shows only the open transaction's pages: after it, SIGBUS. */
TEST_F_SIGNAL(blob, view_closed_after_transaction, SIGBUS)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_read(0, self->b, 4096, &r));
	EXPECT_EQ(0, *(volatile uint8_t *)r.buf);
	ASSERT_EQ(0, dios_commit_read(0, self->b, &r));
	(void)*(volatile uint8_t *)r.buf;
	TH_LOG("a blob page stayed readable after its transaction");
}

/*
 * One increment of the 64-bit counter at offset 0, retried until it
 * commits.  0, or -errno on an unexpected error.
 *
 * commit_read and commit_write are two steps, so validating a read and
 * then committing a write would leave a window for another writer.  What
 * makes the step atomic is commit_write itself: it fails with -ESTALE if a
 * page it copied at acquire_write got a newer version since (docs/io.md).
 * So the new value is computed from the write buffer, which starts as a
 * copy of the contents at acquire_write time; the read is only there to
 * look, as a program would before deciding to write.
 */
static int increment(dios_ref_t b, unsigned long *retries)
{
	for (;;) {
		struct dios_iovec r = dios_test_iov(0), w = dios_test_iov(0);
		uint64_t v;
		int ret;

		ret = dios_acquire_read(0, b, sizeof(v), &r);
		if (ret)
			return ret;
		ret = dios_acquire_write(0, b, sizeof(v), &w);
		if (ret)
			return ret;
		memcpy(&v, w.buf, sizeof(v));
		v++;
		memcpy(w.buf, &v, sizeof(v));
		/* Widen the race window: let the other process in. */
		usleep(100);
		ret = dios_commit_write(0, b, sizeof(v), &w);
		if (ret == -ESTALE)
			ret = dios_release_write(0, b, &w);
		else if (ret == 0)
			ret = 1;
		if (ret < 0)
			return ret;
		dios_release_read(0, b, &r);
		if (ret == 1)
			return 0;
		(*retries)++;
	}
}

TEST_F(blob, read_modify_write_converges)
{
	enum { N = 200 };
	struct dios_iovec r = dios_test_iov(0);
	unsigned long retries = 0;
	int ready[2];
	uint64_t v;
	pid_t pid;
	char c;
	int i;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t b;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &b));
		/* Both start together, so that they contend. */
		ASSERT_EQ(0, dios_test_write(ready[1], "r", 1));
		for (i = 0; i < N; i++)
			ASSERT_EQ(0, increment(b, &retries));
		TH_LOG("child retried %lu times", retries);
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_test_read(ready[0], &c, 1));
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, increment(self->b, &retries));
	EXPECT_EQ(0, dios_test_wait(pid));
	ASSERT_EQ(0, dios_acquire_read(0, self->b, sizeof(v), &r));
	memcpy(&v, r.buf, sizeof(v));
	EXPECT_EQ(2 * N, v);
	TH_LOG("parent retried %lu times", retries);
	EXPECT_EQ(0, dios_commit_read(0, self->b, &r));
}

TEST_HARNESS_MAIN
