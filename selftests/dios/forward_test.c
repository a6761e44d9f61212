// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarding (DIOS_IO_FORWARD): commit_write on a destination stream
 * publishes the buffer acquired for reading on iov->src_ref by moving its
 * whole pages, without the payload being copied.  The sequence: read
 * buffer acquired on the source, write buffer of the same length acquired
 * on the destination, commit_write with DIOS_IO_FORWARD, then the source's
 * read transaction ended as usual (commit_read consumes a stream message).
 * docs/io.md.
 */
#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP	(4 * 4096)
#define PAGE	4096

FIXTURE(fwd) {
	dios_ref_t a, b;
};

FIXTURE_SETUP(fwd)
{
	struct dios_create_args args = { .capacity = CAP };

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM | DIOS_FEAT_IO_FORWARD);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &args,
				 &self->a, NULL));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &args,
				 &self->b, NULL));
}

FIXTURE_TEARDOWN(fwd)
{
}

static int send_msg(dios_ref_t s, uint64_t len, uint64_t seq)
{
	struct dios_iovec w = dios_test_iov(0);
	int ret = dios_acquire_write(0, s, len, &w);

	if (ret)
		return ret;
	dios_test_fill(w.buf, len, seq);
	return dios_commit_write(0, s, len, &w);
}

static int recv_msg(dios_ref_t s, uint64_t len, uint64_t seq)
{
	struct dios_iovec r = dios_test_iov(0);
	int ret = dios_acquire_read(DIOS_NONBLOCK, s, CAP, &r);

	if (ret)
		return ret;
	ret = r.len == len && dios_test_check(r.buf, len, seq) == -1;
	dios_commit_read(0, s, &r);
	return ret ? 0 : 1;
}

/* Forward @src's read buffer @r into @dst; 0 or -errno. */
static int forward(dios_ref_t dst, dios_ref_t src, struct dios_iovec *r)
{
	struct dios_iovec w = dios_test_iov(0);
	int ret = dios_acquire_write(0, dst, r->len, &w);

	if (ret)
		return ret;
	w.src_ref = src;
	ret = dios_commit_write(DIOS_IO_FORWARD, dst, r->len, &w);
	if (ret)
		dios_release_write(0, dst, &w);
	return ret;
}

TEST_F(fwd, relay_stream_to_stream)
{
	struct dios_iovec r = dios_test_iov(0);
	long copied = dios_test_stat("bytes_copied");
	int i;

	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, send_msg(self->a, PAGE, i));
		r = dios_test_iov(0);
		ASSERT_EQ(0, dios_acquire_read(0, self->a, CAP, &r));
		ASSERT_EQ(PAGE, r.len);
		ASSERT_EQ(0, forward(self->b, self->a, &r)) TH_LOG("msg %d", i);
		ASSERT_EQ(0, dios_commit_read(0, self->a, &r));
		ASSERT_EQ(0, recv_msg(self->b, PAGE, i));
	}
	if (copied >= 0)
		EXPECT_EQ(copied, dios_test_stat("bytes_copied"));
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, self->a, CAP, &r));
}

TEST_F(fwd, blob_range_into_stream)
{
	struct dios_create_args args = { .size = 2 * PAGE };
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(PAGE);
	dios_ref_t blob;

	if (!(dios_test_features() & DIOS_FEAT_IO_BLOB))
		SKIP(return, "module lacks DIOS_FEAT_IO_BLOB");
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &args, &blob,
				 NULL));
	ASSERT_EQ(0, dios_acquire_write(0, blob, 2 * PAGE, &w));
	dios_test_fill(w.buf, 2 * PAGE, 0);
	dios_test_fill((char *)w.buf + PAGE, PAGE, 5);
	ASSERT_EQ(0, dios_commit_write(0, blob, 2 * PAGE, &w));
	ASSERT_EQ(0, dios_acquire_read(0, blob, PAGE, &r));
	ASSERT_EQ(0, forward(self->b, blob, &r));
	EXPECT_EQ(0, dios_release_read(0, blob, &r));
	EXPECT_EQ(0, recv_msg(self->b, PAGE, 5));
	/* The blob is unchanged. */
	r = dios_test_iov(PAGE);
	ASSERT_EQ(0, dios_acquire_read(0, blob, PAGE, &r));
	EXPECT_EQ(-1, dios_test_check(r.buf, PAGE, 5));
	EXPECT_EQ(0, dios_commit_read(0, blob, &r));
}

TEST_F(fwd, no_read_buffer_is_einval)
{
	struct dios_iovec r = dios_test_iov(0);

	r.len = PAGE;
	EXPECT_EQ(-EINVAL, forward(self->b, self->a, &r));
}

TEST_F(fwd, unaligned_blob_range_is_einval)
{
	struct dios_create_args args = { .size = 2 * PAGE };
	struct dios_iovec r = dios_test_iov(100);
	dios_ref_t blob;

	if (!(dios_test_features() & DIOS_FEAT_IO_BLOB))
		SKIP(return, "module lacks DIOS_FEAT_IO_BLOB");
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &args, &blob,
				 NULL));
	ASSERT_EQ(0, dios_acquire_read(0, blob, PAGE, &r));
	EXPECT_EQ(-EINVAL, forward(self->b, blob, &r));
	EXPECT_EQ(0, dios_release_read(0, blob, &r));
}

/* Several pages move at once. */
TEST_F(fwd, two_pages)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(self->a, 2 * PAGE, 7));
	ASSERT_EQ(0, dios_acquire_read(0, self->a, CAP, &r));
	ASSERT_EQ(0, forward(self->b, self->a, &r));
	ASSERT_EQ(0, dios_commit_read(0, self->a, &r));
	EXPECT_EQ(0, recv_msg(self->b, 2 * PAGE, 7));
}

/*
 * The pages are swapped: the source message, released instead of
 * consumed, now holds what the destination's ring had there (zeros).
 */
TEST_F(fwd, source_keeps_swapped_bytes)
{
	struct dios_iovec r = dios_test_iov(0), again = dios_test_iov(0);
	const uint8_t *p;
	int i, nonzero = 0;

	ASSERT_EQ(0, send_msg(self->a, PAGE, 8));
	ASSERT_EQ(0, dios_acquire_read(0, self->a, CAP, &r));
	ASSERT_EQ(0, forward(self->b, self->a, &r));
	ASSERT_EQ(0, dios_release_read(0, self->a, &r));
	ASSERT_EQ(0, dios_acquire_read(0, self->a, CAP, &again));
	ASSERT_EQ(PAGE, again.len);
	for (i = 0, p = again.buf; i < PAGE; i++)
		nonzero += p[i] != 0;
	EXPECT_EQ(0, nonzero);
	EXPECT_EQ(0, dios_commit_read(0, self->a, &again));
	EXPECT_EQ(0, recv_msg(self->b, PAGE, 8));
}

/* The page the writer filled is the page the destination's reader sees. */
TEST_F(fwd, same_physical_page)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	struct dios_iovec out = dios_test_iov(0);
	int64_t wpfn, rpfn;

	if (geteuid() != 0)
		SKIP(return, "pagemap hides PFNs from non-root");
	ASSERT_EQ(0, dios_acquire_write(0, self->a, PAGE, &w));
	dios_test_fill(w.buf, PAGE, 9);
	wpfn = dios_test_pfn(w.buf);
	ASSERT_EQ(0, dios_commit_write(0, self->a, PAGE, &w));
	ASSERT_EQ(0, dios_acquire_read(0, self->a, CAP, &r));
	ASSERT_EQ(0, forward(self->b, self->a, &r));
	ASSERT_EQ(0, dios_commit_read(0, self->a, &r));
	ASSERT_EQ(0, dios_acquire_read(0, self->b, CAP, &out));
	EXPECT_EQ(-1, dios_test_check(out.buf, PAGE, 9));
	rpfn = dios_test_pfn(out.buf);
	EXPECT_LT(0, wpfn);
	EXPECT_EQ(wpfn, rpfn);
	EXPECT_EQ(0, dios_commit_read(0, self->b, &out));
}

/*
 * A relay in another process: it reads from A and forwards to B, while
 * this process writes A and reads B.  Nothing is copied.
 */
TEST(relay_process)
{
	enum { N = 20 };
	struct dios_create_args args = { .capacity = CAP };
	struct dios_name na, nb;
	dios_ref_t a, b;
	long copied;
	pid_t pid;
	int i;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM | DIOS_FEAT_IO_FORWARD);
	copied = dios_test_stat("bytes_copied");
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &args, &a, &na));
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &args, &b, &nb));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t ra, rb;

		ASSERT_EQ(0, dios_lookup(0, &na, DIOS_REF_NONE, &ra));
		ASSERT_EQ(0, dios_lookup(0, &nb, DIOS_REF_NONE, &rb));
		for (i = 0; i < N; i++) {
			struct dios_iovec r = dios_test_iov(0);

			ASSERT_EQ(0, dios_acquire_read(0, ra, CAP, &r));
			ASSERT_EQ(0, forward(rb, ra, &r));
			ASSERT_EQ(0, dios_commit_read(0, ra, &r));
		}
		DIOS_CHILD_EXIT();
	}
	for (i = 0; i < N; i++) {
		struct dios_iovec r = dios_test_iov(0);

		ASSERT_EQ(0, send_msg(a, PAGE * (1 + i % 3), i));
		ASSERT_EQ(0, dios_acquire_read(0, b, CAP, &r));
		EXPECT_EQ(PAGE * (1 + i % 3), r.len);
		EXPECT_EQ(-1, dios_test_check(r.buf, r.len, i));
		ASSERT_EQ(0, dios_commit_read(0, b, &r));
	}
	EXPECT_EQ(0, dios_test_wait(pid));
	if (copied >= 0)
		EXPECT_EQ(copied, dios_test_stat("bytes_copied"));
}

TEST_F(fwd, partial_page_is_einval)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(self->a, 100, 1));
	ASSERT_EQ(0, dios_acquire_read(0, self->a, CAP, &r));
	EXPECT_EQ(-EINVAL, forward(self->b, self->a, &r));
	EXPECT_EQ(0, dios_commit_read(0, self->a, &r));
}

TEST_F(fwd, source_is_destination_einval)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(self->a, PAGE, 1));
	ASSERT_EQ(0, dios_acquire_read(0, self->a, CAP, &r));
	EXPECT_EQ(-EINVAL, forward(self->a, self->a, &r));
	EXPECT_EQ(0, dios_release_read(0, self->a, &r));
}

TEST_F(fwd, with_refs_einval)
{
	struct dios_iovec r = dios_test_iov(0), w = dios_test_iov(0);

	ASSERT_EQ(0, send_msg(self->a, PAGE, 1));
	ASSERT_EQ(0, dios_acquire_read(0, self->a, CAP, &r));
	ASSERT_EQ(0, dios_acquire_write(0, self->b, PAGE, &w));
	w.src_ref = self->a;
	EXPECT_EQ(-EINVAL, dios_commit_write(DIOS_IO_FORWARD | DIOS_IO_REFS,
					     self->b, PAGE, &w));
	EXPECT_EQ(0, dios_release_write(0, self->b, &w));
	EXPECT_EQ(0, dios_release_read(0, self->a, &r));
}

TEST_F(fwd, memory_source_is_einval)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t m;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &m,
				      NULL));
	ASSERT_EQ(0, dios_acquire_read(0, m, PAGE, &r));
	EXPECT_EQ(-EINVAL, forward(self->b, m, &r));
	EXPECT_EQ(0, dios_release_read(0, m, &r));
}

/*
 * A ring slot that borrowed a blob page gets a fresh page once the message
 * is consumed: writers going round the ring never write into the blob.
 */
TEST_F(fwd, borrowed_blob_page_never_written)
{
	struct dios_create_args args = { .size = PAGE };
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	dios_ref_t blob;
	int i;

	if (!(dios_test_features() & DIOS_FEAT_IO_BLOB))
		SKIP(return, "module lacks DIOS_FEAT_IO_BLOB");
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &args, &blob,
				 NULL));
	ASSERT_EQ(0, dios_acquire_write(0, blob, PAGE, &w));
	dios_test_fill(w.buf, PAGE, 20);
	ASSERT_EQ(0, dios_commit_write(0, blob, PAGE, &w));
	ASSERT_EQ(0, dios_acquire_read(0, blob, PAGE, &r));
	ASSERT_EQ(0, forward(self->b, blob, &r));
	EXPECT_EQ(0, dios_commit_read(0, blob, &r));
	EXPECT_EQ(0, recv_msg(self->b, PAGE, 20));
	/* Twice round the ring, every slot rewritten. */
	for (i = 0; i < 2 * CAP / PAGE; i++) {
		ASSERT_EQ(0, send_msg(self->b, PAGE, 21 + i));
		ASSERT_EQ(0, recv_msg(self->b, PAGE, 21 + i));
	}
	r = dios_test_iov(0);
	ASSERT_EQ(0, dios_acquire_read(0, blob, PAGE, &r));
	EXPECT_EQ(-1, dios_test_check(r.buf, PAGE, 20));
	EXPECT_EQ(0, dios_commit_read(0, blob, &r));
}

/* Without the feature, DIOS_IO_FORWARD is refused with -EOPNOTSUPP. */
TEST(forward_unsupported)
{
	struct dios_create_args args = { .capacity = CAP };
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t a, b;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	if (dios_test_features() & DIOS_FEAT_IO_FORWARD)
		SKIP(return, "the module forwards");
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &args, &a,
				 NULL));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &args, &b,
				 NULL));
	ASSERT_EQ(0, dios_acquire_write(0, b, PAGE, &w));
	w.src_ref = a;
	EXPECT_EQ(-EOPNOTSUPP, dios_commit_write(DIOS_IO_FORWARD, b, PAGE, &w));
	EXPECT_EQ(0, dios_release_write(0, b, &w));
}

TEST_HARNESS_MAIN
