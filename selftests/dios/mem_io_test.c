// SPDX-License-Identifier: GPL-2.0
/*
 * I/O on memory objects (PRIVMEM, SHMEM): windows of a view that maps the
 * whole object, zero-filled pages, rights, sharing between processes, and
 * the transaction rules every I/O call shares (one buffer per reference
 * and direction, the buffer address checked on commit and release, flags,
 * padding, zombies, bad handles, types without I/O).  docs/io.md.
 */
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define MEM_SIZE	(2 * 4096)

FIXTURE(mem) {
	dios_ref_t obj;
	struct dios_name name;
};

FIXTURE_VARIANT(mem) {
	uint32_t type;
	uint64_t flags;
};

FIXTURE_VARIANT_ADD(mem, privmem) {
	.type = DIOS_OBJ_PRIVMEM, .flags = DIOS_CREATE_ANON
};
FIXTURE_VARIANT_ADD(mem, shmem) { .type = DIOS_OBJ_SHMEM };

FIXTURE_SETUP(mem)
{
	struct dios_create_args a = { .size = MEM_SIZE };

	DIOS_REQUIRE(DIOS_FEAT_IO_MEM);
	ASSERT_EQ(0, dios_create(variant->flags, variant->type, &a,
				 &self->obj, &self->name));
}

FIXTURE_TEARDOWN(mem)
{
}

TEST_F(mem, zero_filled)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_read(0, self->obj, MEM_SIZE, &r));
	ASSERT_NE(NULL, r.buf);
	EXPECT_EQ(MEM_SIZE, r.len);
	EXPECT_TRUE(dios_test_all_zero(r.buf, MEM_SIZE));
	EXPECT_EQ(0, dios_release_read(0, self->obj, &r));
}

TEST_F(mem, write_commit_read)
{
	struct dios_iovec w = dios_test_iov(100), r = dios_test_iov(0);
	const uint8_t *p;

	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 200, &w));
	EXPECT_EQ(200, w.len);
	dios_test_fill(w.buf, 200, 1);
	ASSERT_EQ(0, dios_commit_write(0, self->obj, 200, &w));

	ASSERT_EQ(0, dios_acquire_read(0, self->obj, MEM_SIZE, &r));
	p = r.buf;
	EXPECT_TRUE(dios_test_all_zero(p, 100));
	EXPECT_EQ(-1, dios_test_check(p + 100, 200, 1));
	EXPECT_TRUE(dios_test_all_zero(p + 300, MEM_SIZE - 300));
	EXPECT_EQ(0, dios_commit_read(0, self->obj, &r));
}

TEST_F(mem, window_at_offset)
{
	struct dios_iovec whole = dios_test_iov(0), part = dios_test_iov(5000);

	ASSERT_EQ(0, dios_acquire_write(0, self->obj, MEM_SIZE, &whole));
	dios_test_fill(whole.buf, MEM_SIZE, 2);
	ASSERT_EQ(0, dios_commit_write(0, self->obj, MEM_SIZE, &whole));
	ASSERT_EQ(0, dios_acquire_read(0, self->obj, 10, &part));
	EXPECT_EQ(10, part.len);
	EXPECT_EQ(0, memcmp(part.buf, (char *)whole.buf + 5000, 10));
	EXPECT_EQ(0, dios_release_read(0, self->obj, &part));
}

TEST_F(mem, whole_object)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->obj, MEM_SIZE, &w));
	EXPECT_EQ(MEM_SIZE, w.len);
	dios_test_fill(w.buf, MEM_SIZE, 3);
	ASSERT_EQ(0, dios_commit_write(0, self->obj, MEM_SIZE, &w));
	ASSERT_EQ(0, dios_acquire_read(0, self->obj, MEM_SIZE, &r));
	EXPECT_EQ(MEM_SIZE, r.len);
	EXPECT_EQ(-1, dios_test_check(r.buf, MEM_SIZE, 3));
	EXPECT_EQ(0, dios_commit_read(0, self->obj, &r));
}

TEST_F(mem, window_ending_at_the_end)
{
	struct dios_iovec w = dios_test_iov(MEM_SIZE - 1);
	struct dios_iovec r = dios_test_iov(MEM_SIZE - 1);

	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 1, &w));
	*(volatile uint8_t *)w.buf = 0x5a;
	ASSERT_EQ(0, dios_commit_write(0, self->obj, 1, &w));
	ASSERT_EQ(0, dios_acquire_read(0, self->obj, 1, &r));
	EXPECT_EQ(1, r.len);
	EXPECT_EQ(0x5a, *(volatile uint8_t *)r.buf);
	EXPECT_EQ(0, dios_release_read(0, self->obj, &r));
}

TEST_F(mem, window_len_zero)
{
	struct dios_iovec r = dios_test_iov(0), w = dios_test_iov(0);

	EXPECT_EQ(-EINVAL, dios_acquire_read(0, self->obj, 0, &r));
	EXPECT_EQ(-EINVAL, dios_acquire_write(0, self->obj, 0, &w));
}

TEST_F(mem, window_overflow)
{
	struct dios_iovec r = dios_test_iov(UINT64_MAX - 10);
	struct dios_iovec w = dios_test_iov(8);

	EXPECT_EQ(-EINVAL, dios_acquire_read(0, self->obj, 100, &r));
	EXPECT_EQ(-EINVAL, dios_acquire_write(0, self->obj, UINT64_MAX, &w));
}

TEST_F(mem, window_beyond_size)
{
	struct dios_iovec r = dios_test_iov(0), w = dios_test_iov(4096);

	EXPECT_EQ(-EINVAL, dios_acquire_read(0, self->obj, MEM_SIZE + 1, &r));
	EXPECT_EQ(-EINVAL, dios_acquire_write(0, self->obj, 4097, &w));
}

TEST_F(mem, window_offset_at_size)
{
	struct dios_iovec r = dios_test_iov(MEM_SIZE);

	EXPECT_EQ(-EINVAL, dios_acquire_read(0, self->obj, 1, &r));
}

TEST_F(mem, read_only_dup_reads)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, dios_acquire_read(0, ro, MEM_SIZE, &r));
	EXPECT_EQ(0, dios_commit_read(0, ro, &r));
}

TEST_F(mem, read_only_dup_cannot_write)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ, &ro));
	EXPECT_EQ(-EACCES, dios_acquire_write(0, ro, 1, &w));
}

TEST_F(mem, write_only_dup_cannot_read)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t wo;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_WRITE, &wo));
	EXPECT_EQ(-EACCES, dios_acquire_read(0, wo, 1, &r));
}

/* The read view of a reference without WRITE is read-only: storing faults. */
TEST_F_SIGNAL(mem, read_only_view_write_faults, SIGSEGV)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, dios_acquire_read(0, ro, MEM_SIZE, &r));
	/* Map the page first, so that the store is a protection fault. */
	EXPECT_EQ(0, *(volatile uint8_t *)r.buf);
	*(volatile uint8_t *)r.buf = 1;
	TH_LOG("the store to a read-only view succeeded");
}

TEST_F(mem, read_only_view_mprotect_fails)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t ro;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, dios_acquire_read(0, ro, MEM_SIZE, &r));
	ASSERT_EQ(0, (uintptr_t)r.buf % 4096);
	EXPECT_EQ(-1, mprotect(r.buf, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
}

/*
 * Two processes share a SHMEM object found by name: each sees the other's
 * committed writes.  The child has a fresh context of its own.
 */
TEST_F(mem, shmem_between_processes)
{
	int to_child[2], to_parent[2];
	struct dios_iovec w, r;
	char c = 0;
	pid_t pid;

	if (variant->type != DIOS_OBJ_SHMEM)
		SKIP(return, "PRIVMEM cannot leave its task");
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t obj;

		ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &obj));
		w = dios_test_iov(0);
		ASSERT_EQ(0, dios_acquire_write(0, obj, 4096, &w));
		dios_test_fill(w.buf, 4096, 10);
		ASSERT_EQ(0, dios_commit_write(0, obj, 4096, &w));
		ASSERT_EQ(0, dios_test_write(to_parent[1], &c, 1));
		ASSERT_EQ(0, dios_test_read(to_child[0], &c, 1));
		r = dios_test_iov(4096);
		ASSERT_EQ(0, dios_acquire_read(0, obj, 4096, &r));
		EXPECT_EQ(-1, dios_test_check(r.buf, 4096, 11));
		EXPECT_EQ(0, dios_commit_read(0, obj, &r));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_test_read(to_parent[0], &c, 1));
	r = dios_test_iov(0);
	ASSERT_EQ(0, dios_acquire_read(0, self->obj, 4096, &r));
	EXPECT_EQ(-1, dios_test_check(r.buf, 4096, 10));
	EXPECT_EQ(0, dios_commit_read(0, self->obj, &r));
	w = dios_test_iov(4096);
	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 4096, &w));
	dios_test_fill(w.buf, 4096, 11);
	ASSERT_EQ(0, dios_commit_write(0, self->obj, 4096, &w));
	ASSERT_EQ(0, dios_test_write(to_child[1], &c, 1));
	EXPECT_EQ(0, dios_test_wait(pid));
}

/* Every holder of a SHMEM object maps the same pages: no commit needed. */
TEST_F(mem, shmem_views_share_pages)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	dios_ref_t other;

	if (variant->type != DIOS_OBJ_SHMEM)
		SKIP(return, "PRIVMEM has one holder");
	ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &other));
	ASSERT_EQ(0, dios_acquire_read(0, other, MEM_SIZE, &r));
	ASSERT_EQ(0, dios_acquire_write(0, self->obj, MEM_SIZE, &w));
	EXPECT_NE(r.buf, w.buf);
	((volatile uint8_t *)w.buf)[4097] = 0x77;
	EXPECT_EQ(0x77, ((volatile uint8_t *)r.buf)[4097]);
	EXPECT_EQ(0, dios_commit_write(0, self->obj, MEM_SIZE, &w));
	EXPECT_EQ(0, dios_commit_read(0, other, &r));
}

TEST_F(mem, second_read_is_ebusy)
{
	struct dios_iovec a = dios_test_iov(0), b = dios_test_iov(4096);

	ASSERT_EQ(0, dios_acquire_read(0, self->obj, 10, &a));
	EXPECT_EQ(-EBUSY, dios_acquire_read(0, self->obj, 10, &b));
	EXPECT_EQ(0, dios_release_read(0, self->obj, &a));
	EXPECT_EQ(0, dios_acquire_read(0, self->obj, 10, &b));
}

TEST_F(mem, second_write_is_ebusy)
{
	struct dios_iovec a = dios_test_iov(0), b = dios_test_iov(4096);

	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 10, &a));
	EXPECT_EQ(-EBUSY, dios_acquire_write(0, self->obj, 10, &b));
	EXPECT_EQ(0, dios_commit_write(0, self->obj, 10, &a));
	EXPECT_EQ(0, dios_acquire_write(0, self->obj, 10, &b));
}

/* The limit is per reference and direction: a dup has its own buffers. */
TEST_F(mem, read_write_and_dup_together)
{
	struct dios_iovec r = dios_test_iov(0), w = dios_test_iov(0);
	struct dios_iovec r2 = dios_test_iov(0);
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_acquire_read(0, self->obj, MEM_SIZE, &r));
	ASSERT_EQ(0, dios_acquire_write(0, self->obj, MEM_SIZE, &w));
	ASSERT_EQ(0, dios_acquire_read(0, d, MEM_SIZE, &r2));
	EXPECT_EQ(0, dios_release_read(0, d, &r2));
	EXPECT_EQ(0, dios_release_write(0, self->obj, &w));
	EXPECT_EQ(0, dios_release_read(0, self->obj, &r));
}

TEST_F(mem, commit_wrong_buf)
{
	struct dios_iovec w = dios_test_iov(0), bad;

	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 100, &w));
	bad = w;
	bad.buf = (char *)w.buf + 1;
	EXPECT_EQ(-EINVAL, dios_commit_write(0, self->obj, 100, &bad));
	/* The transaction is still there. */
	EXPECT_EQ(0, dios_commit_write(0, self->obj, 100, &w));
}

TEST_F(mem, release_wrong_buf)
{
	struct dios_iovec r = dios_test_iov(0), bad;

	ASSERT_EQ(0, dios_acquire_read(0, self->obj, 100, &r));
	bad = r;
	bad.buf = NULL;
	EXPECT_EQ(-EINVAL, dios_release_read(0, self->obj, &bad));
	EXPECT_EQ(0, dios_release_read(0, self->obj, &r));
}

/* A buffer of the other direction is not this transaction's buffer. */
TEST_F(mem, commit_other_directions_buf)
{
	struct dios_iovec r = dios_test_iov(0), w = dios_test_iov(4096);

	ASSERT_EQ(0, dios_acquire_read(0, self->obj, 100, &r));
	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 100, &w));
	EXPECT_EQ(-EINVAL, dios_commit_read(0, self->obj, &w));
	EXPECT_EQ(0, dios_commit_read(0, self->obj, &r));
	EXPECT_EQ(0, dios_commit_write(0, self->obj, 100, &w));
}

TEST_F(mem, commit_without_acquire)
{
	struct dios_iovec w = dios_test_iov(0);

	EXPECT_EQ(-EINVAL, dios_commit_write(0, self->obj, 1, &w));
}

TEST_F(mem, commit_after_commit)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_read(0, self->obj, 1, &r));
	ASSERT_EQ(0, dios_commit_read(0, self->obj, &r));
	EXPECT_EQ(-EINVAL, dios_commit_read(0, self->obj, &r));
}

TEST_F(mem, release_without_acquire)
{
	struct dios_iovec r = dios_test_iov(0);

	EXPECT_EQ(-EINVAL, dios_release_read(0, self->obj, &r));
}

/* Buffers stay mapped: the same window comes back at the same address. */
TEST_F(mem, reacquire_same_address)
{
	struct dios_iovec r = dios_test_iov(0), w = dios_test_iov(0);
	void *rbuf, *wbuf;
	int i;

	ASSERT_EQ(0, dios_acquire_read(0, self->obj, MEM_SIZE, &r));
	ASSERT_EQ(0, dios_acquire_write(0, self->obj, MEM_SIZE, &w));
	rbuf = r.buf;
	wbuf = w.buf;
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, dios_release_read(0, self->obj, &r));
		ASSERT_EQ(0, dios_commit_write(0, self->obj, MEM_SIZE, &w));
		ASSERT_EQ(0, dios_acquire_read(0, self->obj, MEM_SIZE, &r));
		ASSERT_EQ(0, dios_acquire_write(0, self->obj, MEM_SIZE, &w));
		EXPECT_EQ(rbuf, r.buf);
		EXPECT_EQ(wbuf, w.buf);
	}
	/* A window is the view's address plus the offset. */
	ASSERT_EQ(0, dios_release_read(0, self->obj, &r));
	r = dios_test_iov(4096 + 3);
	ASSERT_EQ(0, dios_acquire_read(0, self->obj, 5, &r));
	EXPECT_EQ((char *)rbuf + 4096 + 3, (char *)r.buf);
	EXPECT_EQ(0, dios_release_read(0, self->obj, &r));
	EXPECT_EQ(0, dios_release_write(0, self->obj, &w));
}

TEST_F(mem, unknown_flags)
{
	struct dios_iovec r = dios_test_iov(0);

	EXPECT_EQ(-EINVAL, dios_acquire_read(1ULL << 40, self->obj, 1, &r));
	EXPECT_EQ(-EINVAL, dios_acquire_read(1ULL << 63, self->obj, 1, &r));
}

TEST_F(mem, unknown_flags_on_commit)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 1, &w));
	EXPECT_EQ(-EINVAL, dios_commit_write(1ULL << 40, self->obj, 1, &w));
	EXPECT_EQ(0, dios_commit_write(0, self->obj, 1, &w));
}

static struct dios_io_req io_req(dios_ref_t ref, uint64_t len)
{
	struct dios_io_req req;

	memset(&req, 0, sizeof(req));
	req.ref = ref;
	req.len = len;
	return req;
}

TEST_F(mem, raw_acquire_works)
{
	struct dios_io_req req = io_req(self->obj, 8);

	ASSERT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_ACQUIRE_READ),
				  sizeof(req), &req));
	EXPECT_NE(0, req.addr);
	EXPECT_EQ(8, req.len);
}

TEST_F(mem, nonzero_pad)
{
	struct dios_io_req req = io_req(self->obj, 8);

	req.__pad = 1;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_ACQUIRE_READ),
					sizeof(req), &req));
}

TEST_F(mem, request_too_small)
{
	struct dios_io_req req = io_req(self->obj, 8);

	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_ACQUIRE_READ), 16,
					&req));
}

TEST_F(mem, request_larger_zero_tail)
{
	struct {
		struct dios_io_req req;
		uint64_t tail[2];
	} big;

	memset(&big, 0, sizeof(big));
	big.req = io_req(self->obj, 8);
	EXPECT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_ACQUIRE_READ), sizeof(big),
				  &big));
	EXPECT_EQ(8, big.req.len);
}

TEST_F(mem, request_larger_nonzero_tail)
{
	struct {
		struct dios_io_req req;
		uint64_t tail[2];
	} big;

	memset(&big, 0, sizeof(big));
	big.req = io_req(self->obj, 8);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, dios_test_rw(_IOC_NR(DIOS_IOC_ACQUIRE_READ),
				       sizeof(big), &big));
}

TEST_F(mem, zombie_is_eidrm)
{
	struct dios_iovec r = dios_test_iov(0), w = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(-EIDRM, dios_acquire_read(0, other, 1, &r));
	EXPECT_EQ(-EIDRM, dios_acquire_write(0, other, 1, &w));
}

/* Zombifying with a buffer outstanding: its commit fails, nothing breaks. */
TEST_F(mem, zombify_with_buffer_outstanding)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_acquire_write(0, other, MEM_SIZE, &w));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(-EIDRM, dios_commit_write(0, other, MEM_SIZE, &w));
	EXPECT_EQ(0, dios_delete(0, other));
}

TEST_F(mem, bad_handle)
{
	struct dios_iovec r = dios_test_iov(0);

	EXPECT_EQ(-EBADF, dios_acquire_read(0, DIOS_REF_NONE, 1, &r));
	EXPECT_EQ(-EBADF, dios_acquire_read(0, self->obj + (1ULL << 32), 1,
					    &r));
}

TEST_F(mem, deleted_handle)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(0, d));
	EXPECT_EQ(-EBADF, dios_acquire_read(0, d, 1, &r));
}

TEST_F(mem, null_iov)
{
	EXPECT_EQ(-EFAULT, dios_acquire_read(0, self->obj, 1, NULL));
	EXPECT_EQ(-EFAULT, dios_commit_write(0, self->obj, 1, NULL));
}

TEST_F(mem, errno_untouched)
{
	struct dios_iovec r = dios_test_iov(0);

	errno = 4242;
	EXPECT_EQ(-EINVAL, dios_acquire_read(0, self->obj, 0, &r));
	EXPECT_EQ(4242, errno);
}

/* Flags and fields that do not apply to memory (docs/io.md table). */
TEST_F(mem, overwrite_is_einval)
{
	struct dios_iovec w = dios_test_iov(0);

	EXPECT_EQ(-EINVAL, dios_acquire_write(DIOS_IO_OVERWRITE, self->obj,
					      MEM_SIZE, &w));
}

TEST_F(mem, refs_on_read_is_einval)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t refs[2];

	r.refs = refs;
	r.n_refs = 2;
	EXPECT_EQ(-EINVAL, dios_acquire_read(0, self->obj, 1, &r));
}

TEST_F(mem, refs_on_write_is_einval)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 1, &w));
	w.refs = &d;
	w.n_refs = 1;
	EXPECT_EQ(-EINVAL, dios_commit_write(DIOS_IO_REFS, self->obj, 1, &w));
	EXPECT_EQ(0, dios_release_write(0, self->obj, &w));
}

TEST_F(mem, nonblock_on_commit_needs_rearm)
{
	struct dios_iovec r = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_read(0, self->obj, 1, &r));
	EXPECT_EQ(-EINVAL, dios_commit_read(DIOS_NONBLOCK, self->obj, &r));
	EXPECT_EQ(0, dios_commit_read(0, self->obj, &r));
}

TEST_F(mem, commit_write_longer_than_buffer)
{
	struct dios_iovec w = dios_test_iov(0);

	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 100, &w));
	EXPECT_EQ(-EINVAL, dios_commit_write(0, self->obj, 101, &w));
	EXPECT_EQ(0, dios_commit_write(0, self->obj, 100, &w));
}

/* DIOS_IO_REARM on memory: the next window, at the same offset. */
TEST_F(mem, rearm_next_window)
{
	struct dios_iovec w = dios_test_iov(4096);
	void *first;

	ASSERT_EQ(0, dios_acquire_write(0, self->obj, 16, &w));
	first = w.buf;
	dios_test_fill(w.buf, 16, 13);
	w.next_len = 32;
	ASSERT_EQ(0, dios_commit_write(DIOS_IO_REARM, self->obj, 16, &w));
	EXPECT_EQ(first, w.buf);
	EXPECT_EQ(32, w.len);
	EXPECT_EQ(-1, dios_test_check(w.buf, 16, 13));
	EXPECT_EQ(0, dios_release_write(0, self->obj, &w));
}

/*
 * A zombie's pages leave the object: a page already mapped stays mapped,
 * an untouched one faults with SIGBUS.
 */
TEST_F_SIGNAL(mem, zombie_untouched_page_sigbus, SIGBUS)
{
	struct dios_iovec r = dios_test_iov(0);
	dios_ref_t other;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_acquire_read(0, other, MEM_SIZE, &r));
	ASSERT_EQ(0, ((volatile uint8_t *)r.buf)[0]);
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(0, ((volatile uint8_t *)r.buf)[1]);
	(void)((volatile uint8_t *)r.buf)[4096];
	TH_LOG("an untouched page of a zombie was readable");
}

/* A fork child does not inherit its parent's views: the address faults. */
TEST_F(mem, views_not_inherited)
{
	struct dios_iovec r = dios_test_iov(0);
	pid_t pid;

	ASSERT_EQ(0, dios_acquire_read(0, self->obj, MEM_SIZE, &r));
	EXPECT_EQ(0, *(volatile uint8_t *)r.buf);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		(void)*(volatile uint8_t *)r.buf;
		_exit(0);
	}
	EXPECT_EQ(128 + SIGSEGV, dios_test_wait(pid));
	EXPECT_EQ(0, dios_release_read(0, self->obj, &r));
}

/* An object of many pages, written and read back whole. */
TEST(large_object)
{
	const uint64_t size = 256 * 1024;
	struct dios_create_args a = { .size = size };
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	struct dios_version_req v;
	dios_ref_t obj;

	DIOS_REQUIRE(DIOS_FEAT_IO_MEM);
	ASSERT_EQ(0, dios_version(&v));
	if (v.max_size < size)
		SKIP(return, "max_size below %llu", (unsigned long long)size);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &a, &obj,
				 NULL));
	ASSERT_EQ(0, dios_acquire_write(0, obj, size, &w));
	dios_test_fill(w.buf, size, 12);
	ASSERT_EQ(0, dios_commit_write(0, obj, size, &w));
	ASSERT_EQ(0, dios_acquire_read(0, obj, size, &r));
	EXPECT_EQ(-1, dios_test_check(r.buf, size, 12));
	EXPECT_EQ(0, dios_commit_read(0, obj, &r));
}

FIXTURE(no_io) {
	dios_ref_t obj;
};

FIXTURE_VARIANT(no_io) {
	int task;
};

FIXTURE_VARIANT_ADD(no_io, group) { .task = 0 };
FIXTURE_VARIANT_ADD(no_io, task) { .task = 1 };

FIXTURE_SETUP(no_io)
{
	DIOS_REQUIRE(DIOS_FEAT_IO_MEM);
	if (variant->task) {
		ASSERT_EQ(0, dios_task_self(&self->obj));
	} else {
		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP,
					      &self->obj, NULL));
	}
}

FIXTURE_TEARDOWN(no_io)
{
}

TEST_F(no_io, acquire_read_eopnotsupp)
{
	struct dios_iovec r = dios_test_iov(0);

	EXPECT_EQ(-EOPNOTSUPP, dios_acquire_read(0, self->obj, 1, &r));
}

TEST_F(no_io, acquire_write_eopnotsupp)
{
	struct dios_iovec w = dios_test_iov(0);

	EXPECT_EQ(-EOPNOTSUPP, dios_acquire_write(0, self->obj, 1, &w));
}

/*
 * View offsets (docs/io.md, "Buffers and views"): one view's worth of
 * @size of a new PRIVMEM object, mapped by a one-page acquire and kept.
 */
static int map_big(uint64_t size, dios_ref_t *obj)
{
	struct dios_create_args a = { .size = size };
	struct dios_iovec w = dios_test_iov(0);
	int ret;

	ret = dios_create(DIOS_CREATE_ANON, DIOS_OBJ_PRIVMEM, &a, obj, NULL);
	if (ret)
		return ret;
	ret = dios_acquire_write(0, *obj, 4096, &w);
	if (!ret)
		ret = dios_release_write(0, *obj, &w);
	if (ret)
		dios_delete(0, *obj);
	return ret;
}

static uint64_t max_size(void)
{
	struct dios_version_req v = { 0 };

	return dios_version(&v) ? 0 : v.max_size;
}

/* A 32-bit kernel: its view offsets end at 4 GiB. */
static int kernel_is_32bit(void)
{
	struct utsname u;

	if (uname(&u))
		return 0;
	return !strncmp(u.machine, "arm", 3) ||
	       (u.machine[0] == 'i' && !strcmp(u.machine + 2, "86"));
}

/*
 * 8 GiB of views one after another, each gone before the next: more than
 * a 32-bit kernel's offsets hold, so it must reuse those of views gone.
 */
TEST(view_offsets_of_gone_views_are_reused)
{
	uint64_t size = max_size() < (1ULL << 30) ? max_size() : 1ULL << 30;
	dios_ref_t obj;
	uint64_t done;

	DIOS_REQUIRE(DIOS_FEAT_IO_MEM);
	ASSERT_LT(0, size);
	for (done = 0; done < (8ULL << 30); done += size) {
		ASSERT_EQ(0, map_big(size, &obj)) TH_LOG("after %llu MiB",
			(unsigned long long)(done >> 20));
		ASSERT_EQ(0, dios_delete(0, obj));
	}
}

/*
 * A 32-bit kernel has 3.5 GiB of view offsets for all tasks: a child holds
 * three 512 MiB views (one 32-bit task has not the room for all), this
 * task maps more until one fails with -EOVERFLOW, which must happen by the
 * 7th of the 8 (fewer if holes between views waste offsets), and succeeds
 * once one of its views is gone.
 */
TEST(view_offsets_run_out_with_eoverflow_on_32bit_kernels)
{
	const uint64_t size = 512ULL << 20;
	dios_ref_t mine[5], theirs[3];
	int ready[2], done[2], ret = 0;
	unsigned int i, n;
	char c = 0;
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_IO_MEM);
	if (!kernel_is_32bit())
		SKIP(return, "64-bit kernel: 2^52 pages of view offsets");
	if (max_size() < size)
		SKIP(return, "max_size below 512 MiB");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A new context: the child's own objects and views. */
		for (i = 0; i < 3; i++)
			if (map_big(size, &theirs[i]))
				_exit(10 + i);
		if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(20);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the child's 3 views");
	for (n = 0; n < 5; n++) {
		ret = map_big(size, &mine[n]);
		if (ret)
			break;
	}
	EXPECT_EQ(-EOVERFLOW, ret) TH_LOG("%u views mapped here", n);
	EXPECT_LT(0, n);
	if (n > 0) {
		EXPECT_EQ(0, dios_delete(0, mine[--n]));
		EXPECT_EQ(0, map_big(size, &mine[n]));
		n++;
	}
	ASSERT_EQ(1, write(done[1], &c, 1));
	EXPECT_EQ(0, dios_test_wait(pid));
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, dios_delete(0, mine[i]));
}

TEST_HARNESS_MAIN
