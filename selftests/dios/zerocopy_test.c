// SPDX-License-Identifier: GPL-2.0
/*
 * Zero copy: a stream message is never copied.  The module's bytes_copied
 * counter (debugfs) does not move across an exchange, and the writer's and
 * the reader's buffers of one message are the same physical page, as
 * /proc/<pid>/pagemap shows to root.
 */
#include "kselftest_harness.h"
#include "dios_test.h"

#define CAP	(4 * 4096)
#define PAGE	4096

FIXTURE(zc) {
	dios_ref_t s;
	struct dios_name name;
};

FIXTURE_SETUP(zc)
{
	struct dios_create_args a = { .capacity = CAP };

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &self->s,
				 &self->name));
}

FIXTURE_TEARDOWN(zc)
{
}

/* The parent writes, a child reads: bytes_copied does not move. */
TEST_F(zc, bytes_copied_stays_zero)
{
	enum { N = 30 };
	long before = dios_test_stat("bytes_copied");
	pid_t pid;
	int i;

	if (before < 0)
		SKIP(return, "no bytes_copied in /sys/kernel/debug/dios/stats");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		for (i = 0; i < N; i++) {
			struct dios_iovec r = dios_test_iov(0);

			ASSERT_EQ(0, dios_acquire_read(0, s, CAP, &r));
			EXPECT_EQ(1 + (uint64_t)i * 997 % CAP, r.len);
			EXPECT_EQ(-1, dios_test_check(r.buf, r.len, i));
			ASSERT_EQ(0, dios_commit_read(0, s, &r));
		}
		DIOS_CHILD_EXIT();
	}
	for (i = 0; i < N; i++) {
		struct dios_iovec w = dios_test_iov(0);
		uint64_t len = 1 + (uint64_t)i * 997 % CAP;

		ASSERT_EQ(0, dios_acquire_write(0, self->s, len, &w));
		dios_test_fill(w.buf, len, i);
		ASSERT_EQ(0, dios_commit_write(0, self->s, len, &w));
	}
	EXPECT_EQ(0, dios_test_wait(pid));
	EXPECT_EQ(before, dios_test_stat("bytes_copied"));
}

/*
 * One page-sized message: the page the writer filled is the page the
 * reader (another process) sees.
 */
TEST_F(zc, writer_and_reader_share_the_page)
{
	int to_child[2], to_parent[2];
	struct dios_iovec w = dios_test_iov(0);
	int64_t wpfn, rpfn = -1;
	pid_t pid;
	char c = 0;

	if (geteuid() != 0)
		SKIP(return, "pagemap hides PFNs from non-root");
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dios_iovec r = dios_test_iov(0);
		int64_t pfn;
		dios_ref_t s;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &s));
		ASSERT_EQ(0, dios_test_read(to_child[0], &c, 1));
		ASSERT_EQ(0, dios_acquire_read(0, s, CAP, &r));
		ASSERT_EQ(PAGE, r.len);
		ASSERT_EQ(0, (uintptr_t)r.buf % PAGE);
		EXPECT_EQ(-1, dios_test_check(r.buf, PAGE, 1));
		pfn = dios_test_pfn(r.buf);
		ASSERT_EQ(0, dios_test_write(to_parent[1], &pfn, sizeof(pfn)));
		ASSERT_EQ(0, dios_commit_read(0, s, &r));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_acquire_write(0, self->s, PAGE, &w));
	ASSERT_EQ(0, (uintptr_t)w.buf % PAGE);
	dios_test_fill(w.buf, PAGE, 1);
	wpfn = dios_test_pfn(w.buf);
	ASSERT_EQ(0, dios_commit_write(0, self->s, PAGE, &w));
	ASSERT_EQ(0, dios_test_write(to_child[1], &c, 1));
	ASSERT_EQ(0, dios_test_read(to_parent[0], &rpfn, sizeof(rpfn)));
	EXPECT_EQ(0, dios_test_wait(pid));
	EXPECT_LT(0, wpfn);
	EXPECT_LT(0, rpfn);
	EXPECT_EQ(wpfn, rpfn);
}

TEST_HARNESS_MAIN
