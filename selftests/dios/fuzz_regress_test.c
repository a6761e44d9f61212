// SPDX-License-Identifier: GPL-2.0
/*
 * What tools/dios-fuzz found, one minimal reproducer each, with the rest of
 * the request valid.
 *
 * batch_reply_unwritable: a DIOS_IOC_XFER_BATCH whose array of requests
 * can be read but not written (a read-only page).  The entry ran, but its
 * reply could not be written back, which DIOS_IOC_XFER reports as
 * -EFAULT; the batch counted the entry done all the same and reported the
 * -EFAULT as the error of the entry after it: count == n with a non-zero
 * error, which the ABI rules out (error is 0 iff all n were done).
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define BATCH_NR	0x17
#define CAP		4096

static int batch_raw(struct dios_xfer_batch_req *b, const void *reqs,
		     uint32_t n)
{
	memset(b, 0, sizeof(*b));
	b->flags = DIOS_NONBLOCK;
	b->reqs = (uintptr_t)reqs;
	b->n = n;
	b->req_size = sizeof(struct dios_xfer_req);
	return dios_test_rw(BATCH_NR, sizeof(*b), b);
}

/* @n send entries of "abc" on @s in a page made read-only. */
static struct dios_xfer_req *ro_sends(dios_ref_t s, uint32_t n)
{
	struct dios_xfer_req *r;
	uint32_t i;

	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return NULL;
	for (i = 0; i < n; i++) {
		r[i].flags = DIOS_XFER_SEND;
		r[i].send_ref = s;
		r[i].send_buf = (uintptr_t)"abc";
		r[i].send_len = 3;
	}
	if (mprotect(r, 4096, PROT_READ)) {
		munmap(r, 4096);
		return NULL;
	}
	return r;
}

FIXTURE(batch_ro) {
	dios_ref_t s;
	struct dios_xfer_req *r;
};

FIXTURE_SETUP(batch_ro)
{
	struct dios_create_args a = { .capacity = CAP };

	DIOS_REQUIRE(DIOS_FEAT_IO_XFER | DIOS_FEAT_XFER_BATCH);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a,
				 &self->s, NULL));
	self->r = ro_sends(self->s, 2);
	ASSERT_NE(NULL, self->r);
}

FIXTURE_TEARDOWN(batch_ro)
{
	munmap(self->r, 4096);
}

/* One entry: its reply is lost, so it failed, as DIOS_IOC_XFER would. */
TEST_F(batch_ro, batch_reply_unwritable)
{
	struct dios_xfer_batch_req b;

	EXPECT_EQ(-EFAULT, batch_raw(&b, self->r, 1));
	EXPECT_EQ(0, b.count);
	EXPECT_EQ(-EFAULT, b.error);
}

/* Two entries: the batch stops at the first, the second never runs. */
TEST_F(batch_ro, batch_reply_unwritable_stops)
{
	struct dios_xfer_batch_req b;
	char buf[8];

	EXPECT_EQ(-EFAULT, batch_raw(&b, self->r, 2));
	EXPECT_EQ(0, b.count);
	EXPECT_EQ(-EFAULT, b.error);
	/* The first one's message was sent before its reply was lost. */
	EXPECT_EQ(3, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->s, buf,
				     sizeof(buf)));
}

TEST_HARNESS_MAIN
