// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-side I/O smoke tests: the properties of views that only the
 * module's counters show (one view per reference and direction, reused by
 * every message; no payload copy), the view offsets a user cannot map,
 * re-mapping after munmap, views going away with their reference, and the
 * teardown paths of streams.  docs/io.md.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "kselftest_harness.h"
#include "dios_test.h"

/*
 * The steady-state test sends 10000 messages: seconds on the stock kernel,
 * but the debug kernel runs system-call loops about 9x slower, so give every
 * test here more than the harness's 30 s before it is called a hang.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 180

#define CAP	(4 * 4096)

static dios_ref_t new_stream(struct __test_metadata *_metadata, uint64_t cap)
{
	struct dios_create_args a = { .capacity = cap };
	dios_ref_t s;

	EXPECT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &s,
				 NULL));
	return s;
}

/* 10000 messages, wrapping the ring many times: no view made, no copy. */
TEST(stream_steady_state_maps_nothing)
{
	struct dios_iovec w, r;
	long views, faults, copied;
	dios_ref_t s;
	uint64_t i;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	s = new_stream(_metadata, CAP);
	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	/* Warm up: one view per direction, every ring page touched. */
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, dios_acquire_write(0, s, 3000, &w));
		memset(w.buf, (int)i, 3000);
		ASSERT_EQ(0, dios_commit_write(0, s, 3000, &w));
		ASSERT_EQ(0, dios_acquire_read(0, s, CAP, &r));
		ASSERT_EQ(3000, r.len);
		ASSERT_EQ((int)i, ((unsigned char *)r.buf)[2999]);
		ASSERT_EQ((int)i, ((unsigned char *)r.buf)[0]);
		ASSERT_EQ(0, dios_commit_read(0, s, &r));
	}
	views = dios_test_stat("views_mapped");
	faults = dios_test_stat("view_faults");
	copied = dios_test_stat("bytes_copied");
	if (views < 0)
		SKIP(return, "no debugfs");
	ASSERT_EQ(0, dios_acquire_write(0, s, 1000, &w));
	ASSERT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, s, CAP, &r));
	for (i = 0; i < 10000; i++) {
		unsigned char *p = w.buf;

		p[0] = (unsigned char)i;
		p[999] = (unsigned char)(i >> 8);
		w.next_len = 1000;
		ASSERT_EQ(0, dios_commit_write(DIOS_IO_REARM, s, 1000, &w));
		if (i == 0) {
			ASSERT_EQ(0, dios_acquire_read(0, s, CAP, &r));
		} else {
			r.next_len = CAP;
			ASSERT_EQ(0, dios_commit_read(DIOS_IO_REARM, s, &r));
		}
		p = r.buf;
		ASSERT_EQ(1000, r.len);
		ASSERT_EQ((unsigned char)i, p[0]);
		ASSERT_EQ((unsigned char)(i >> 8), p[999]);
	}
	EXPECT_EQ(0, dios_commit_read(0, s, &r));
	EXPECT_EQ(0, dios_release_write(0, s, &w));
	TH_LOG("10000 messages: %ld views mapped, %ld faults, %ld bytes copied",
	       dios_test_stat("views_mapped") - views,
	       dios_test_stat("view_faults") - faults,
	       dios_test_stat("bytes_copied") - copied);
	EXPECT_EQ(views, dios_test_stat("views_mapped"));
	EXPECT_EQ(copied, dios_test_stat("bytes_copied"));
}

/* A message is contiguous across the end of the ring (double mapping). */
TEST(stream_message_wraps_contiguously)
{
	struct dios_iovec w, r;
	unsigned char *p;
	dios_ref_t s;
	size_t i;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	s = new_stream(_metadata, 4096);
	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, dios_acquire_write(0, s, 3000, &w));
	ASSERT_EQ(0, dios_commit_write(0, s, 3000, &w));
	ASSERT_EQ(0, dios_acquire_read(0, s, 4096, &r));
	ASSERT_EQ(0, dios_commit_read(0, s, &r));
	ASSERT_EQ(0, dios_acquire_write(0, s, 4000, &w));
	for (i = 0, p = w.buf; i < 4000; i++)
		p[i] = (unsigned char)(i * 7);
	ASSERT_EQ(0, dios_commit_write(0, s, 4000, &w));
	ASSERT_EQ(0, dios_acquire_read(0, s, 4096, &r));
	ASSERT_EQ(4000, r.len);
	for (i = 0, p = r.buf; i < 4000; i++)
		ASSERT_EQ((unsigned char)(i * 7), p[i]);
	EXPECT_EQ(0, dios_commit_read(0, s, &r));
}

/* The user cannot map a view's offset, nor any offset but the metadata. */
TEST(view_offset_not_mappable)
{
	struct dios_iovec r;
	dios_ref_t m;
	int fd;
	void *p;

	DIOS_REQUIRE(DIOS_FEAT_IO_MEM);
	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_PRIVMEM, &m, NULL));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, dios_acquire_read(0, m, 1, &r));
	fd = dios_context_fd();
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 16 * 4096);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
#if __SIZEOF_LONG__ == 8
	/* Views live at 1 << 32 pages and up, each at a fresh offset. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 1L << 44);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, (1L << 44) + 4096);
	EXPECT_EQ(MAP_FAILED, p);
#endif
	EXPECT_EQ(0, dios_release_read(0, m, &r));
}

/* munmap() of a view: the next acquire maps a new one; split is refused. */
TEST(view_remapped_after_munmap)
{
	struct dios_iovec w;
	long views;
	dios_ref_t m;
	char *p;

	DIOS_REQUIRE(DIOS_FEAT_IO_MEM);
	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_SHMEM, &m, NULL));
	memset(&w, 0, sizeof(w));
	ASSERT_EQ(0, dios_acquire_write(0, m, 8192, &w));
	p = w.buf;
	strcpy(p, "kept");
	EXPECT_EQ(0, dios_commit_write(0, m, 5, &w));
	/* Partial unmap would split the view: refused. */
	EXPECT_EQ(-1, munmap(p + 4096, 4096));
	EXPECT_EQ(-1, mprotect(p + 4096, 4096, PROT_READ));
	EXPECT_EQ(MAP_FAILED, mremap(p, 8192, 16384, MREMAP_MAYMOVE));
	views = dios_test_stat("views_mapped");
	ASSERT_EQ(0, munmap(p, 8192));
	ASSERT_EQ(0, dios_acquire_read(0, m, 5, &w));
	EXPECT_STREQ("kept", (char *)w.buf);
	if (views >= 0)
		EXPECT_EQ(views + 1, dios_test_stat("views_mapped"));
	EXPECT_EQ(0, dios_commit_read(0, m, &w));
}

/* Deleting the reference unmaps its views. */
TEST_SIGNAL(view_gone_with_reference, SIGSEGV)
{
	struct dios_iovec r;
	dios_ref_t m;
	volatile char *p;

	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_PRIVMEM, &m, NULL));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, dios_acquire_read(0, m, 1, &r));
	p = r.buf;
	(void)p[0];
	ASSERT_EQ(0, dios_delete(0, m));
	(void)p[0];
}

/* A reader killed holding a message: the message goes back to the head. */
TEST(stream_killed_reader_loses_nothing)
{
	struct dios_iovec w, r;
	struct dios_name name;
	dios_ref_t s;
	pid_t pid;
	int pfd[2];
	char c;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_STREAM, &s, &name));
	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, dios_acquire_write(0, s, 5, &w));
	memcpy(w.buf, "hello", 5);
	ASSERT_EQ(0, dios_commit_write(0, s, 5, &w));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t c_s;

		if (dios_lookup(0, &name, DIOS_REF_NONE, &c_s) ||
		    dios_acquire_read(0, c_s, 64, &r) || r.len != 5)
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	/* The child holds the head: we cannot read it. */
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, s, 64, &r));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
	ASSERT_EQ(0, dios_acquire_read(0, s, 64, &r));
	EXPECT_EQ(5, r.len);
	EXPECT_EQ(0, memcmp(r.buf, "hello", 5));
	EXPECT_EQ(0, dios_commit_read(0, s, &r));
}

/* Writers and readers count over all references: -EPIPE both ways. */
TEST(stream_epipe)
{
	struct dios_iovec w, r;
	dios_ref_t s, ro, wo;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	s = new_stream(_metadata, CAP);
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_WRITE, &wo));
	ASSERT_EQ(0, dios_delete(0, s));
	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, dios_acquire_write(0, wo, 10, &w));
	ASSERT_EQ(0, dios_commit_write(0, wo, 10, &w));
	ASSERT_EQ(0, dios_delete(0, wo));
	ASSERT_EQ(0, dios_acquire_read(0, ro, CAP, &r));
	ASSERT_EQ(0, dios_commit_read(0, ro, &r));
	EXPECT_EQ(-EPIPE, dios_acquire_read(0, ro, CAP, &r));
}

/* A blocked reader wakes with -EIDRM when the stream is zombified. */
struct blocked {
	dios_ref_t s;
	pid_t tid;
	int ret;
};

static void *blocked_reader(void *arg)
{
	struct blocked *b = arg;
	struct dios_iovec r;

	memset(&r, 0, sizeof(r));
	__atomic_store_n(&b->tid, gettid(), __ATOMIC_RELEASE);
	b->ret = dios_acquire_read(0, b->s, CAP, &r);
	return NULL;
}

TEST(stream_zombify_wakes_reader)
{
	struct blocked b = { 0 };
	pthread_t t;
	dios_ref_t other;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	b.s = new_stream(_metadata, CAP);
	ASSERT_EQ(0, dios_dup(b.s, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_reader, &b));
	while (!__atomic_load_n(&b.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	ASSERT_EQ(0, dios_test_wait_sleeping(b.tid, 20000));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, other));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-EIDRM, b.ret);
}

/* Deleting the reference wakes its blocked reader with -EBADF. */
TEST(stream_delete_wakes_reader)
{
	struct blocked b = { 0 };
	pthread_t t;

	DIOS_REQUIRE(DIOS_FEAT_IO_STREAM);
	b.s = new_stream(_metadata, CAP);
	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_reader, &b));
	while (!__atomic_load_n(&b.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	ASSERT_EQ(0, dios_test_wait_sleeping(b.tid, 20000));
	ASSERT_EQ(0, dios_delete(0, b.s));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-EBADF, b.ret);
}

/*
 * A blob page forwarded into a one-page ring is borrowed: once the message
 * is consumed, the next writer of that slot gets a fresh page and the blob
 * keeps its committed bytes.
 */
TEST(forward_blob_page_is_never_written)
{
	struct dios_create_args a = { .size = 4096 };
	long copied = dios_test_stat("bytes_copied");
	struct dios_iovec w, r, f;
	dios_ref_t b, s;

	DIOS_REQUIRE(DIOS_FEAT_IO_FORWARD | DIOS_FEAT_IO_BLOB);
	s = new_stream(_metadata, 4096);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &a, &b,
				 NULL));
	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, dios_acquire_write(DIOS_NONBLOCK, b, 4096, &w));
	memset(w.buf, 'B', 4096);
	ASSERT_EQ(0, dios_commit_write(0, b, 4096, &w));
	/* Forward the blob's page as a message. */
	ASSERT_EQ(0, dios_acquire_read(0, b, 4096, &r));
	ASSERT_EQ(0, dios_acquire_write(0, s, 4096, &w));
	w.src_ref = b;
	ASSERT_EQ(0, dios_commit_write(DIOS_IO_FORWARD, s, 4096, &w));
	ASSERT_EQ(0, dios_release_read(0, b, &r));
	ASSERT_EQ(0, dios_acquire_read(0, s, 4096, &f));
	EXPECT_EQ('B', ((char *)f.buf)[4095]);
	ASSERT_EQ(0, dios_commit_read(0, s, &f));
	/* The slot is free again: write over it. */
	ASSERT_EQ(0, dios_acquire_write(0, s, 4096, &w));
	EXPECT_EQ(0, ((char *)w.buf)[0]);
	memset(w.buf, 'S', 4096);
	ASSERT_EQ(0, dios_commit_write(0, s, 4096, &w));
	ASSERT_EQ(0, dios_acquire_read(0, b, 4096, &r));
	EXPECT_EQ('B', ((char *)r.buf)[0]);
	EXPECT_EQ('B', ((char *)r.buf)[4095]);
	EXPECT_EQ(0, dios_commit_read(0, b, &r));
	/* Only copying I/O (DIOS_IOC_XFER) copies; forwarding moves pages. */
	EXPECT_EQ(copied, dios_test_stat("bytes_copied"));
}

/* While borrowed, the page cannot be written through a write view. */
TEST_SIGNAL(forward_borrowed_page_not_writable, SIGBUS)
{
	struct dios_create_args a = { .size = 4096 };
	struct dios_iovec w, r;
	dios_ref_t b, s;
	char *p;

	if ((dios_test_features() & (DIOS_FEAT_IO_FORWARD | DIOS_FEAT_IO_BLOB)) !=
	    (DIOS_FEAT_IO_FORWARD | DIOS_FEAT_IO_BLOB))
		raise(SIGBUS);
	s = new_stream(_metadata, 8192);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &a, &b,
				 NULL));
	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, dios_acquire_read(0, b, 4096, &r));
	ASSERT_EQ(0, dios_acquire_write(0, s, 4096, &w));
	p = w.buf;
	p[0] = 1;
	w.src_ref = b;
	ASSERT_EQ(0, dios_commit_write(DIOS_IO_FORWARD, s, 4096, &w));
	/* The next reservation is the other page; the first is borrowed. */
	ASSERT_EQ(0, dios_acquire_write(0, s, 4096, &w));
	ASSERT_NE(p, (char *)w.buf);
	p[0] = 2;
}

TEST_HARNESS_MAIN
