// SPDX-License-Identifier: GPL-2.0
/*
 * Every user pointer a request carries is a __u64 and keeps its 64 bits.
 * A 32-bit kernel that kept the low half only would reach an address the
 * caller never named: (1 << 63) | p would read or write p.  Each case here
 * sets bit 63 of one pointer field of an otherwise valid request, expects
 * -EFAULT, and checks that nothing changed.  On a 64-bit kernel such an
 * address is outside every task; the cases that fail on a kernel that
 * truncates are the i386 and armhf runs (their 32-bit processes run on a
 * 32-bit kernel).  DIOS_IOC_XFER_BATCH's fields are in batch_test, and
 * DIOS_IOC_RUN's and DIOS_IOC_TASK_REFS's in task_test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define HIGH	(1ULL << 63)

static uint64_t high(const void *p)
{
	return HIGH | (uint64_t)(uintptr_t)p;
}

static uint32_t live_refs(void)
{
	const struct dios_meta_header *h = dios_test_meta(NULL);

	return h ? dios_test_count_refs(h) : 0xffffffffu;
}

FIXTURE(uptr) {
	dios_ref_t obj, task, s;
	uint32_t refs;
};

FIXTURE_SETUP(uptr)
{
	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM | DIOS_FEAT_IO_XFER);
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
				      &self->obj, NULL));
	ASSERT_EQ(0, dios_task_self(&self->task));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM,
				      &self->s, NULL));
	self->refs = live_refs();
}

FIXTURE_TEARDOWN(uptr)
{
	EXPECT_EQ(self->refs, live_refs());
	dios_delete(0, self->s);
	dios_delete(0, self->task);
	dios_delete(0, self->obj);
}

static int copy_raw(struct dios_copy_req *req)
{
	return dios_test_rw(_IOC_NR(DIOS_IOC_COPY), sizeof(*req), req);
}

TEST_F(uptr, copy_refs)
{
	uint64_t remote = 0;
	struct dios_copy_req req = {
		.task = self->task, .refs = high(&self->obj),
		.remote_refs = (uintptr_t)&remote, .n = 1,
	};

	EXPECT_EQ(-EFAULT, copy_raw(&req));
	EXPECT_EQ(0, remote);
}

TEST_F(uptr, copy_rights)
{
	uint64_t remote = 0, rights = DIOS_RIGHT_READ;
	struct dios_copy_req req = {
		.task = self->task, .refs = (uintptr_t)&self->obj,
		.rights = high(&rights), .remote_refs = (uintptr_t)&remote,
		.n = 1,
	};

	EXPECT_EQ(-EFAULT, copy_raw(&req));
	EXPECT_EQ(0, remote);
}

/* The copy is undone: no reference is left in the target's table. */
TEST_F(uptr, copy_remote_refs)
{
	uint64_t remote = 0;
	struct dios_copy_req req = {
		.task = self->task, .refs = (uintptr_t)&self->obj,
		.remote_refs = high(&remote), .n = 1,
	};

	EXPECT_EQ(-EFAULT, copy_raw(&req));
	EXPECT_EQ(0, remote);
	/* The same request with the plain pointer works. */
	req.remote_refs = (uintptr_t)&remote;
	ASSERT_EQ(0, copy_raw(&req));
	EXPECT_NE(0, remote);
	EXPECT_EQ(self->refs + 1, live_refs());
	dios_delete(0, remote);
}

static int xfer_raw(struct dios_xfer_req *req)
{
	return dios_test_rw(_IOC_NR(DIOS_IOC_XFER), sizeof(*req), req);
}

TEST_F(uptr, xfer_send_buf)
{
	char buf[16] = "sixteen bytes..";
	struct dios_xfer_req req = {
		.flags = DIOS_XFER_SEND | DIOS_NONBLOCK, .send_ref = self->s,
		.send_buf = high(buf), .send_len = sizeof(buf),
	};

	EXPECT_EQ(-EFAULT, xfer_raw(&req));
	EXPECT_EQ(0, req.done);
	/* Nothing was queued. */
	EXPECT_EQ(-EAGAIN, dios_recv(DIOS_NONBLOCK, self->s, buf, sizeof(buf)));
}

TEST_F(uptr, xfer_recv_buf)
{
	char buf[16] = "sixteen bytes..", out[16] = { 0 };
	struct dios_xfer_req req = {
		.flags = DIOS_XFER_RECV | DIOS_NONBLOCK, .recv_ref = self->s,
		.recv_buf = high(out), .recv_len = sizeof(out),
	};

	ASSERT_EQ(0, dios_send(0, self->s, buf, sizeof(buf)));
	EXPECT_EQ(-EFAULT, xfer_raw(&req));
	EXPECT_EQ(0, req.done);
	/* The message is still there, and whole. */
	EXPECT_EQ(sizeof(out), dios_recv(DIOS_NONBLOCK, self->s, out,
					 sizeof(out)));
	EXPECT_EQ(0, memcmp(buf, out, sizeof(buf)));
}

TEST_F(uptr, select_refs)
{
	struct dios_select_req req = {
		.flags = DIOS_NONBLOCK, .refs = high(&self->s), .n = 1,
		.events = DIOS_EV_WRITE,
	};

	EXPECT_EQ(-EFAULT, dios_test_rw(_IOC_NR(DIOS_IOC_SELECT),
					sizeof(req), &req));
	req.refs = (uintptr_t)&self->s;
	EXPECT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_SELECT), sizeof(req),
				  &req));
}

/* The ready entry is not consumed by the failed wait. */
TEST_F(uptr, interest_wait_events)
{
	struct dios_interest_event ev = { 0 };
	struct dios_interest_wait_req req = {
		.flags = DIOS_NONBLOCK, .events = high(&ev), .max = 1,
	};

	ASSERT_EQ(0, dios_interest_add(self->s, DIOS_EV_WRITE, 77));
	EXPECT_EQ(-EFAULT, dios_test_rw(_IOC_NR(DIOS_IOC_INTEREST_WAIT),
					sizeof(req), &req));
	EXPECT_EQ(0, ev.cookie);
	EXPECT_EQ(1, dios_interest_wait(DIOS_NONBLOCK, &ev, 1, 0));
	EXPECT_EQ(77, ev.cookie);
	EXPECT_EQ(0, dios_interest_del(self->s));
}

/* The buffer stays open and the reference stays the sender's. */
TEST_F(uptr, commit_write_refs)
{
	struct dios_iovec iov = { 0 };
	struct dios_io_req req;
	dios_ref_t got[1] = { 0 };

	ASSERT_EQ(0, dios_acquire_write(0, self->s, 8, &iov));
	memset(&req, 0, sizeof(req));
	req.flags = DIOS_IO_REFS;
	req.ref = self->s;
	req.len = 8;
	req.addr = (uintptr_t)iov.buf;
	req.refs = high(&self->obj);
	req.n_refs = 1;
	EXPECT_EQ(-EFAULT, dios_test_rw(_IOC_NR(DIOS_IOC_COMMIT_WRITE),
					sizeof(req), &req));
	EXPECT_EQ(0, dios_ref_info(self->obj, &(struct dios_ref_info){ 0 }));
	/* Nothing was published; the same buffer commits without refs. */
	memset(iov.buf, 'x', 8);
	ASSERT_EQ(0, dios_commit_write(0, self->s, 8, &iov));
	memset(&iov, 0, sizeof(iov));
	iov.refs = got;
	iov.n_refs = 1;
	ASSERT_EQ(0, dios_acquire_read(DIOS_NONBLOCK, self->s, 64, &iov));
	EXPECT_EQ(8, iov.len);
	EXPECT_EQ(0, iov.n_refs);
	EXPECT_EQ(0, dios_commit_read(0, self->s, &iov));
}

/* The message, and its reference, stay queued for the next read. */
TEST_F(uptr, acquire_read_refs)
{
	struct dios_iovec iov = { 0 };
	struct dios_io_req req;
	dios_ref_t d, got[1] = { 0 };

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_acquire_write(0, self->s, 8, &iov));
	iov.refs = &d;
	iov.n_refs = 1;
	ASSERT_EQ(0, dios_commit_write(DIOS_IO_REFS, self->s, 8, &iov));
	memset(&req, 0, sizeof(req));
	req.flags = DIOS_NONBLOCK;
	req.ref = self->s;
	req.len = 64;
	req.refs = high(got);
	req.n_refs = 1;
	EXPECT_EQ(-EFAULT, dios_test_rw(_IOC_NR(DIOS_IOC_ACQUIRE_READ),
					sizeof(req), &req));
	EXPECT_EQ(0, got[0]);
	EXPECT_EQ(self->refs, live_refs());
	memset(&iov, 0, sizeof(iov));
	iov.refs = got;
	iov.n_refs = 1;
	ASSERT_EQ(0, dios_acquire_read(DIOS_NONBLOCK, self->s, 64, &iov));
	EXPECT_EQ(1, iov.n_refs);
	EXPECT_NE(0, got[0]);
	EXPECT_EQ(0, dios_commit_read(0, self->s, &iov));
	EXPECT_EQ(0, dios_delete(0, got[0]));
}

TEST_HARNESS_MAIN
