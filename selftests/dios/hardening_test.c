// SPDX-License-Identifier: GPL-2.0
/*
 * Hardening: what a hostile process holding a single reference can do to
 * the module, to other processes and to the machine.  /dev/dios is open to
 * every local user, so each case here is an attack: stall a copy with
 * userfaultfd, keep an mmap_lock busy, exit in the middle of someone else's
 * wait, fork after MADV_DOFORK, race a zombify against an ioctl, read a
 * snapshot while a commit lands, give well-known names, signal a process
 * the caller could not kill(2).  docs/security.md has the threat model.
 *
 * Several cases need a race window that the attacker widens on purpose:
 * a thread that keeps the process's mmap_lock busy (struct hog), or a
 * userfaultfd page on which a copy to or from user memory stalls until the
 * test lets it go.  They skip where the kernel lacks userfaultfd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#define PAGE	4096UL

/* What the mmap_lock hog populates per round: a round takes 0.1-1 s here. */
#define HOG_BYTES	(192UL << 20)

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ---- a thread that keeps this process's mmap_lock busy ------------------ */

/*
 * Each round drops and populates a large anonymous mapping: the populate
 * holds mmap_lock for reading all along, and a writer that queues behind it
 * (a zap, a vm_mmap()) waits for the round to end.
 */
struct hog {
	pthread_t thread;
	char *mem;
	size_t len;
	int stop;
	unsigned long rounds;
};

static void *hog_fn(void *arg)
{
	struct hog *h = arg;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		madvise(h->mem, h->len, MADV_DONTNEED);
		__atomic_add_fetch(&h->rounds, 1, __ATOMIC_RELEASE);
		madvise(h->mem, h->len, MADV_POPULATE_WRITE);
	}
	return NULL;
}

/* Start hogging; 0, or -1 (no MADV_POPULATE_WRITE, no memory). */
static int hog_start(struct hog *h, size_t len)
{
	memset(h, 0, sizeof(*h));
	h->len = len;
	h->mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h->mem == MAP_FAILED)
		return -1;
	if (madvise(h->mem, PAGE, MADV_POPULATE_WRITE)) {
		munmap(h->mem, len);
		return -1;
	}
	return pthread_create(&h->thread, NULL, hog_fn, h) ? -1 : 0;
}

/* Wait until a new round starts: the lock is held for a whole round. */
static void hog_fresh_round(struct hog *h)
{
	unsigned long r = __atomic_load_n(&h->rounds, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&h->rounds, __ATOMIC_ACQUIRE) == r)
		;
}

static void hog_stop(struct hog *h)
{
	__atomic_store_n(&h->stop, 1, __ATOMIC_RELEASE);
	pthread_join(h->thread, NULL);
	munmap(h->mem, h->len);
}

/*
 * The state letter of thread @tid of process @pid (R, S, D...), or 0 if it
 * is gone.  Ask from another process when the thread may wait for its
 * mmap_lock: a thread of the same process would fault or allocate here and
 * queue behind it.
 */
static char thread_state_of(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
		 (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait up to @ms for thread @tid of @pid to block (D state): 0 or -1. */
static int wait_blocked(pid_t pid, pid_t tid, int ms)
{
	int i;

	for (i = 0; i < ms; i++) {
		if (thread_state_of(pid, tid) == 'D')
			return 0;
		usleep(1000);
	}
	return -1;
}

/* ---- userfaultfd ----------------------------------------------------------- */

/*
 * A page on which a copy from or to user memory stalls: MISSING (nothing
 * mapped: reads and writes fault) or WP (mapped, write-protected: writes
 * fault).  The fault waits until uffd_release().
 */
struct uffd_page {
	int fd;
	char *page;
	int wp;
};

static int uffd_make(struct uffd_page *u, int wp, const void *content)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = wp ? UFFD_FEATURE_PAGEFAULT_FLAG_WP : 0,
	};
	struct uffdio_register reg;
	struct uffdio_writeprotect prot;

	u->wp = wp;
	u->fd = (int)syscall(__NR_userfaultfd, O_CLOEXEC);
	if (u->fd < 0)
		return -1;
	if (ioctl(u->fd, UFFDIO_API, &api))
		goto err;
	u->page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->page == MAP_FAILED)
		goto err;
	/* Write protection catches writes to present pages only. */
	if (content)
		memcpy(u->page, content, PAGE);
	else
		memset(u->page, 0, PAGE);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)u->page;
	reg.range.len = PAGE;
	reg.mode = wp ? UFFDIO_REGISTER_MODE_WP : UFFDIO_REGISTER_MODE_MISSING;
	if (!wp)
		madvise(u->page, PAGE, MADV_DONTNEED);
	if (ioctl(u->fd, UFFDIO_REGISTER, &reg))
		goto err;
	if (wp) {
		memset(&prot, 0, sizeof(prot));
		prot.range = reg.range;
		prot.mode = UFFDIO_WRITEPROTECT_MODE_WP;
		if (ioctl(u->fd, UFFDIO_WRITEPROTECT, &prot))
			goto err;
	}
	return 0;
err:
	close(u->fd);
	return -1;
}

/* Wait up to @ms for a fault on the page: 0, or -1. */
static int uffd_wait_fault(struct uffd_page *u, int ms)
{
	struct pollfd p = { .fd = u->fd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&p, 1, ms) != 1)
		return -1;
	if (read(u->fd, &msg, sizeof(msg)) != sizeof(msg))
		return -1;
	return msg.event == UFFD_EVENT_PAGEFAULT ? 0 : -1;
}

/* Let the stalled copy go on: map a page of @fill bytes, or unprotect. */
static int uffd_release(struct uffd_page *u, int fill)
{
	struct uffdio_writeprotect prot;
	struct uffdio_copy copy;
	char *src;
	int ret;

	if (u->wp) {
		memset(&prot, 0, sizeof(prot));
		prot.range.start = (uintptr_t)u->page;
		prot.range.len = PAGE;
		return ioctl(u->fd, UFFDIO_WRITEPROTECT, &prot);
	}
	src = malloc(PAGE);
	if (!src)
		return -1;
	memset(src, fill, PAGE);
	memset(&copy, 0, sizeof(copy));
	copy.dst = (uintptr_t)u->page;
	copy.src = (uintptr_t)src;
	copy.len = PAGE;
	ret = ioctl(u->fd, UFFDIO_COPY, &copy);
	free(src);
	return ret;
}

static void uffd_free(struct uffd_page *u)
{
	munmap(u->page, PAGE);
	close(u->fd);
}

#define UFFD_OR_SKIP(u, wp, content) do {				\
	if (uffd_make(u, wp, content))					\
		SKIP(return, "no userfaultfd%s here",			\
		     (wp) ? " write protection" : "");			\
} while (0)

/* ---- small helpers ------------------------------------------------------- */

static int make_stream(uint64_t flags, uint64_t capacity, dios_ref_t *ref,
		       struct dios_name *name)
{
	struct dios_create_args a = { .capacity = capacity };

	return dios_create(flags, DIOS_OBJ_STREAM, &a, ref, name);
}

static int make_blob(uint64_t flags, uint64_t size, dios_ref_t *ref,
		     struct dios_name *name)
{
	struct dios_create_args a = { .size = size };

	return dios_create(flags, DIOS_OBJ_BLOB, &a, ref, name);
}

/* Overwrite @len bytes of @blob at 0 with @byte, in one commit. */
static int blob_fill(dios_ref_t blob, uint64_t len, int byte)
{
	struct dios_iovec w = dios_test_iov(0);
	int ret = dios_acquire_write(DIOS_IO_OVERWRITE, blob, len, &w);

	if (ret)
		return ret;
	memset(w.buf, byte, len);
	return dios_commit_write(0, blob, len, &w);
}

/* MemFree from /proc/meminfo, in KiB; -1 if unknown. */
static long mem_free_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The first TASK reference in this context's table, 0 if none. */
static dios_ref_t find_task_ref(void)
{
	const struct dios_meta_header *h = dios_test_meta(NULL);
	const struct dios_ref_meta *m;
	uint32_t i, nr;

	if (!h)
		return 0;
	nr = __atomic_load_n(&h->nr_slots, __ATOMIC_ACQUIRE);
	for (i = 0; i < nr; i++) {
		m = dios_test_slot(h, i);
		if (__atomic_load_n(&m->info.state, __ATOMIC_ACQUIRE) &&
		    m->info.type == DIOS_OBJ_TASK)
			return ((uint64_t)m->gen << 32) | (i + 1);
	}
	return 0;
}

/* Drop to uid 65534 for real and effective, keeping root as saved uid. */
static int drop_privileges(void)
{
	return setresuid(65534, 65534, 0);
}

static int regain_privileges(void)
{
	return setresuid(0, 0, 0);
}

/* ---- 1: a forward waits for one view's mm while another view's owner exits */

/* What the killer process found, sent up to the test at the end. */
struct killer_report {
	int saw_blocked;
	int still_blocked;
};

/*
 * The killer runs in a process of its own: while a thread of the test
 * waits for the test's mmap_lock, no other thread of the test can fault
 * or allocate.  It starts the view owner as its own child, and once told
 * to, waits for the forwarder @tid of process @pid to block in its zap
 * (it starts right after a hog round began, and the round lasts far
 * longer than the wait here), kills the view owner and waits for it to be
 * gone.
 */
static void killer_main(pid_t pid, pid_t tid, const struct dios_name *name,
			int up, int down)
{
	struct killer_report rep = { 0 };
	pid_t victim;
	char c;
	int i, ready[2];

	if (pipe(ready))
		_exit(1);
	victim = fork();
	if (victim < 0)
		_exit(1);
	if (victim == 0) {
		struct dios_iovec cr = dios_test_iov(0);
		dios_ref_t cs;

		/* A read view: an acquire maps it even when it finds nothing. */
		if (dios_lookup(0, name, DIOS_REF_NONE, &cs) ||
		    dios_acquire_read(DIOS_NONBLOCK, cs, PAGE, &cr) != -EAGAIN)
			_exit(1);
		if (write(ready[1], "v", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	/* The view exists: tell the test, then wait for its go. */
	if (read(ready[0], &c, 1) != 1 || write(up, "v", 1) != 1 ||
	    read(down, &c, 1) != 1)
		_exit(1);
	for (i = 0; i < 4000; i++) {
		if (thread_state_of(pid, tid) == 'D') {
			rep.saw_blocked = 1;
			break;
		}
		usleep(500);
	}
	kill(victim, SIGKILL);
	dios_test_wait(victim);
	rep.still_blocked = thread_state_of(pid, tid) == 'D';
	if (dios_test_write(up, &rep, sizeof(rep)))
		_exit(1);
	_exit(0);
}

/*
 * A forward zaps every view of the destination stream, each under its own
 * address space's mmap_lock.  While it waits for one (this process's, kept
 * busy by a hog thread), the owner of a later view is killed: its context,
 * its file and its mm go.  The forward must not touch any of them after.
 * Before the fix the zap read view->ctx->file of the freed context (KASAN:
 * use-after-free in dios_view_zap_mod).
 */
TEST(forward_survives_view_owner_exit)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	struct killer_report rep = { 0 };
	struct dios_name name;
	dios_ref_t s, blob;
	struct hog hog;
	int up[2], down[2];
	pid_t killer, pid = getpid(), tid = gettid_();
	char c;

	DIOS_REQUIRE(DIOS_FEAT_IO_FORWARD);
	ASSERT_EQ(0, make_stream(0, 4 * PAGE, &s, &name));
	ASSERT_EQ(0, make_blob(DIOS_CREATE_ANON, PAGE, &blob, NULL));
	ASSERT_EQ(0, blob_fill(blob, PAGE, 'f'));
	/* This process's write view of the stream comes first in its list. */
	ASSERT_EQ(0, dios_acquire_write(0, s, PAGE, &w));
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	killer = fork();
	ASSERT_LE(0, killer);
	if (killer == 0)
		killer_main(pid, tid, &name, up[1], down[0]);
	ASSERT_EQ(1, read(up[0], &c, 1));
	ASSERT_EQ(0, dios_acquire_read(0, blob, PAGE, &r));
	if (hog_start(&hog, HOG_BYTES)) {
		kill(killer, SIGKILL);
		dios_test_wait(killer);
		SKIP(return, "no MADV_POPULATE_WRITE or no memory");
	}
	hog_fresh_round(&hog);
	ASSERT_EQ(1, write(down[1], "g", 1));
	w.src_ref = blob;
	EXPECT_EQ(0, dios_commit_write(DIOS_IO_FORWARD, s, PAGE, &w));
	hog_stop(&hog);
	EXPECT_EQ(0, dios_test_read(up[0], &rep, sizeof(rep)));
	EXPECT_EQ(0, dios_test_wait(killer));
	if (!rep.saw_blocked || !rep.still_blocked)
		TH_LOG("race window missed (blocked %d, still %d): passes trivially",
		       rep.saw_blocked, rep.still_blocked);
	EXPECT_EQ(0, dios_commit_read(0, blob, &r));
	/* The message is the blob's page. */
	ASSERT_EQ(0, dios_acquire_read(DIOS_NONBLOCK, s, PAGE, &r));
	EXPECT_EQ('f', ((char *)r.buf)[0]);
	EXPECT_EQ('f', ((char *)r.buf)[PAGE - 1]);
	EXPECT_EQ(0, dios_commit_read(0, s, &r));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/* ---- 2: forwarding a blob's pages into a stream leaks none of them ------- */

/*
 * Each round commits fresh pages to the blob and forwards them into the
 * stream, whose reader consumes them.  Once everything is deleted, the
 * memory is back.  Before the fix every forwarded page kept one reference
 * for good: 4 MiB per round here.
 */
TEST(blob_forward_leaks_no_page)
{
	const uint64_t len = 1 << 20;
	const int rounds = 16;
	struct dios_iovec w, r, m;
	dios_ref_t s, blob;
	long before, after;
	int i;

	DIOS_REQUIRE(DIOS_FEAT_IO_FORWARD);
	ASSERT_EQ(0, make_stream(DIOS_CREATE_ANON, len, &s, NULL));
	ASSERT_EQ(0, make_blob(DIOS_CREATE_ANON, len, &blob, NULL));
	before = mem_free_kb();
	ASSERT_LT(0, before);
	for (i = 0; i < rounds; i++) {
		w = dios_test_iov(0);
		r = dios_test_iov(0);
		m = dios_test_iov(0);
		ASSERT_EQ(0, blob_fill(blob, len, 'a' + i));
		ASSERT_EQ(0, dios_acquire_read(0, blob, len, &r));
		ASSERT_EQ(0, dios_acquire_write(0, s, len, &w));
		/* The writer's view maps the ring: every slot holds a page. */
		memset(w.buf, 0, len);
		w.src_ref = blob;
		ASSERT_EQ(0, dios_commit_write(DIOS_IO_FORWARD, s, len, &w));
		ASSERT_EQ(0, dios_commit_read(0, blob, &r));
		ASSERT_EQ(0, dios_acquire_read(0, s, len, &m));
		EXPECT_EQ('a' + i, ((char *)m.buf)[len - 1]);
		ASSERT_EQ(0, dios_commit_read(0, s, &m));
	}
	ASSERT_EQ(0, dios_delete(0, s));
	ASSERT_EQ(0, dios_delete(0, blob));
	usleep(100 * 1000);
	after = mem_free_kb();
	TH_LOG("MemFree %ld kB before, %ld kB after %d rounds of %llu kB",
	       before, after, rounds, (unsigned long long)len >> 10);
	/* A leak is rounds * len = 16 MiB; allow 4 MiB of noise. */
	EXPECT_GT(4096, before - after);
}

/* ---- 3: DIOS_IOC_RUN whose task handle is zombified before the reply lands */

struct run_call {
	struct dios_run_req *req;
	int ret;
};

static void *run_fn(void *arg)
{
	struct run_call *rc = arg;

	rc->ret = dios_test_rw(_IOC_NR(DIOS_IOC_RUN), sizeof(*rc->req),
			       rc->req);
	return NULL;
}

/*
 * The task reference is installed before the reply is copied out; the
 * copy stalls (userfaultfd write protection) and another thread, which
 * finds the handle in the metadata map, zombifies it meanwhile.  The call
 * must then fail (-EIDRM) and leave nothing behind.  Before the fix it
 * succeeded and the child's context stayed in the table of pending
 * contexts forever (rmmod then failed).
 */
TEST(run_zombified_before_reply)
{
	struct dios_run_req *req;
	struct run_call rc;
	struct uffd_page u;
	char page[PAGE];
	pthread_t th;
	long contexts;
	dios_ref_t t;
	pid_t child;
	int go[2];

	DIOS_REQUIRE(DIOS_FEAT_TASKS);
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		char c;

		/* A child that never execs: it waits, then leaves. */
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	/* This process's context first, so that its count is the base. */
	ASSERT_LE(0, dios_context_fd());
	contexts = dios_test_stat("contexts");
	memset(page, 0, sizeof(page));
	req = (struct dios_run_req *)page;
	req->pid = (uint32_t)child;
	if (uffd_make(&u, 1, page)) {
		kill(child, SIGKILL);
		dios_test_wait(child);
		SKIP(return, "no userfaultfd write protection here");
	}
	rc.req = (struct dios_run_req *)u.page;
	ASSERT_EQ(0, pthread_create(&th, NULL, run_fn, &rc));
	ASSERT_EQ(0, uffd_wait_fault(&u, 10000));
	/* The reply's copy is stalled: the handle is in the table. */
	t = find_task_ref();
	ASSERT_NE(0, t);
	EXPECT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, t));
	ASSERT_EQ(0, uffd_release(&u, 0));
	pthread_join(th, NULL);
	EXPECT_EQ(-EIDRM, rc.ret);
	/* The zombify killed the child. */
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(child));
	EXPECT_EQ(0, find_task_ref());
	if (contexts >= 0)
		EXPECT_EQ(contexts, dios_test_stat_settles("contexts",
							   contexts, 2000));
	uffd_free(&u);
	close(go[0]);
	close(go[1]);
}

/* ---- 4: views and the metadata map cannot be inherited or pinned ---------- */

#define RING	(4 * PAGE)

FIXTURE(view) {
	dios_ref_t s;
	struct dios_iovec w;
	char *page;
};

/*
 * The first buffer of a stream starts the view, which maps the ring twice:
 * the view is [page, page + 2 * RING).  madvise() must cover it whole (a
 * view cannot be split).
 */
FIXTURE_SETUP(view)
{
	ASSERT_EQ(0, make_stream(DIOS_CREATE_ANON, RING, &self->s, NULL));
	self->w = dios_test_iov(0);
	ASSERT_EQ(0, dios_acquire_write(0, self->s, PAGE, &self->w));
	self->page = self->w.buf;
	memset(self->page, 'v', PAGE);
}

FIXTURE_TEARDOWN(view)
{
}

/*
 * MADV_DOFORK would clear VM_DONTCOPY: a fork child would keep a writable
 * view of the ring after the parent's reference is gone.
 */
TEST_F(view, madv_dofork_refused)
{
	EXPECT_EQ(-1, madvise(self->page, 2 * RING, MADV_DOFORK));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(view, meta_madv_dofork_refused)
{
	size_t size;
	const struct dios_meta_header *h = dios_test_meta(&size);

	ASSERT_NE(NULL, h);
	EXPECT_EQ(-1, madvise((void *)h, size, MADV_DOFORK));
	EXPECT_EQ(EINVAL, errno);
}

/* A fork child has no view: touching the address faults. */
TEST_F(view, fork_child_has_no_view)
{
	pid_t pid;

	madvise(self->page, 2 * RING, MADV_DOFORK);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile char *p = self->page;

		p[0] = 'x';
		_exit(0);
	}
	EXPECT_EQ(128 + SIGSEGV, dios_test_wait(pid));
	EXPECT_EQ('v', self->page[0]);
}

/*
 * Another process writing into the view with process_vm_writev() pins its
 * pages (get_user_pages): refused, as for every pin that could outlive the
 * view's revocation.
 */
TEST_F(view, remote_write_refused)
{
	struct iovec local, remote;
	char buf[16] = "remote";
	pid_t parent = getpid(), pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		local.iov_base = buf;
		local.iov_len = sizeof(buf);
		remote.iov_base = self->page;
		remote.iov_len = sizeof(buf);
		if (process_vm_writev(parent, &local, 1, &remote, 1, 0) >= 0)
			_exit(1);
		_exit(errno == EFAULT ? 0 : errno == ENOSYS ? 3 : 2);
	}
	status = dios_test_wait(pid);
	if (status == 3)
		SKIP(return, "no process_vm_writev (CROSS_MEMORY_ATTACH) here");
	EXPECT_EQ(0, status);
	EXPECT_EQ('v', self->page[0]);
}

/* Debuggers still see the buffer: /proc/<pid>/mem goes through ->access. */
TEST_F(view, readable_through_proc_mem)
{
	char buf[8] = { 0 };
	int fd = open("/proc/self/mem", O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(sizeof(buf), pread64(fd, buf, sizeof(buf),
				       (off64_t)(uintptr_t)self->page));
	EXPECT_EQ('v', buf[0]);
	/* A write view takes writes too. */
	EXPECT_EQ(1, pwrite64(fd, "w", 1, (off64_t)(uintptr_t)self->page));
	EXPECT_EQ('w', self->page[0]);
	close(fd);
}

/*
 * A delegation whose reply cannot be written is undone: the references it
 * installed in the target go again, from the sender's side.  The target
 * may have mapped a buffer of one meanwhile (it finds new references in
 * its metadata map): the revocation reaches the pages it already mapped,
 * not only its future faults.  The sender stalls its own reply on a
 * write-protected page, lets the target map and touch a buffer, then makes
 * the reply fail (the page turns read-only).  Before the fix a view
 * revoked from another task kept its page table entries.
 */
static sigjmp_buf touch_jmp;

static void touch_fault(int sig)
{
	(void)sig;
	siglongjmp(touch_jmp, 1);
}

/* 1 if reading @p faults, 0 if it reads. */
static int read_faults(volatile char *p)
{
	struct sigaction sa;
	char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = touch_fault;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(touch_jmp, 1))
		return 1;
	c = p[0];
	(void)c;
	return 0;
}

struct copy_call {
	dios_ref_t ref, task;
	dios_ref_t *remote;
	int ret;
};

static void *copy_fn(void *arg)
{
	struct copy_call *cc = arg;

	cc->ret = dios_copy(0, &cc->ref, 1, cc->task, cc->remote);
	return NULL;
}

TEST(copy_undo_revokes_mapped_pages)
{
	struct uffdio_range range;
	struct dios_test_child c;
	struct copy_call cc;
	struct uffd_page u;
	pthread_t th;
	dios_ref_t s;
	char m;

	ASSERT_EQ(0, make_stream(DIOS_CREATE_ANON, 4 * PAGE, &s, NULL));
	ASSERT_LE(0, dios_test_fork_task(&c, &cc.task));
	if (c.pid == 0) {
		const struct dios_meta_header *h;
		struct dios_iovec w = dios_test_iov(0);
		dios_ref_t got = 0;
		uint32_t i;

		if (read(c.down[0], &m, 1) != 1)
			_exit(2);
		/* The delegated stream is in the table, not yet told. */
		h = dios_test_meta(NULL);
		for (i = 0; h && i < h->nr_slots && !got; i++) {
			const struct dios_ref_meta *e = dios_test_slot(h, i);

			if (e->info.state && e->info.type == DIOS_OBJ_STREAM)
				got = ((uint64_t)e->gen << 32) | (i + 1);
		}
		if (!got || dios_acquire_write(0, got, PAGE, &w))
			_exit(3);
		((char *)w.buf)[0] = 'x';
		if (write(c.up[1], "m", 1) != 1 || read(c.down[0], &m, 1) != 1)
			_exit(2);
		_exit(read_faults(w.buf) ? 0 : 1);
	}
	/* After the fork: a child would share the registered page. */
	if (uffd_make(&u, 1, NULL)) {
		kill(c.pid, SIGKILL);
		dios_test_wait(c.pid);
		SKIP(return, "no userfaultfd write protection here");
	}
	cc.ref = s;
	cc.remote = (dios_ref_t *)u.page;
	ASSERT_EQ(0, pthread_create(&th, NULL, copy_fn, &cc));
	ASSERT_EQ(0, uffd_wait_fault(&u, 10000));
	ASSERT_EQ(1, write(c.down[1], "s", 1));
	ASSERT_EQ(1, read(c.up[0], &m, 1));
	/* The reply cannot be written any more: the copy is undone. */
	ASSERT_EQ(0, mprotect(u.page, PAGE, PROT_READ));
	range.start = (uintptr_t)u.page;
	range.len = PAGE;
	ASSERT_EQ(0, ioctl(u.fd, UFFDIO_WAKE, &range));
	pthread_join(th, NULL);
	EXPECT_EQ(-EFAULT, cc.ret);
	ASSERT_EQ(1, write(c.down[1], "c", 1));
	EXPECT_EQ(0, dios_test_wait(c.pid));
	dios_test_child_close(&c);
	uffd_free(&u);
}

/* ---- 5: a task reference signals only as kill(2) would ------------------- */

/*
 * The caller drops its privileges after starting a root child: kill(2)
 * would now refuse it, and so must pause and zombify (which kills); resume
 * (SIGCONT) goes through as kill(2) lets it within a session.  Before the
 * fix the module signalled with its own privilege.
 */
TEST(task_signals_need_kill_permission)
{
	const char *argv[] = { "hardening_test", "child", "sleep", NULL };
	struct dios_task_spec spec = { .argv = argv };
	struct dios_ref_info info;
	dios_ref_t t;
	uint32_t idx;
	int status;

	DIOS_REQUIRE(DIOS_FEAT_TASKS);
	if (getuid() != 0)
		SKIP(return, "needs root to drop from");
	ASSERT_EQ(0, dios_run(0, "/proc/self/exe", &spec, &t));
	ASSERT_EQ(0, drop_privileges());
	EXPECT_EQ(-EPERM, dios_pause(t));
	/* kill(2) lets SIGCONT through within a session: so does resume. */
	EXPECT_EQ(0, dios_resume(t));
	EXPECT_EQ(-EPERM, dios_delete(DIOS_DELETE_ZOMBIFY, t));
	/* Refused, nothing changed: the reference is live, the task runs. */
	ASSERT_EQ(0, dios_ref_info(t, &info));
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
	EXPECT_EQ(-ETIMEDOUT, dios_select(0, &t, 1, DIOS_EV_READ, 0, &idx));
	ASSERT_EQ(0, regain_privileges());
	EXPECT_EQ(0, dios_pause(t));
	EXPECT_EQ(0, dios_resume(t));
	EXPECT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, t));
	status = dios_test_wait(-1);
	EXPECT_EQ(128 + SIGKILL, status);
}

/* ---- 6: a blob snapshot is one commit or another, never a mix ------------ */

struct writer {
	dios_ref_t blob;
	uint64_t len;
	int stop;
	long commits;
};

/* Run the calling thread on CPU @cpu only, if there is such a CPU. */
static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Every commit stamps its whole window with one stamp. */
static void *writer_fn(void *arg)
{
	struct writer *wr = arg;
	struct dios_iovec w;
	uint64_t stamp = 0, *p;

	/* On a CPU of its own: commits land in the middle of snapshots. */
	pin_to_cpu(1);

	while (!__atomic_load_n(&wr->stop, __ATOMIC_ACQUIRE)) {
		w = dios_test_iov(0);
		if (dios_acquire_write(DIOS_IO_OVERWRITE, wr->blob, wr->len, &w))
			break;
		/* The first and the last page: what the reader compares. */
		stamp++;
		p = w.buf;
		p[0] = stamp;
		p[wr->len / 8 - PAGE / 8] = stamp;
		if (dios_commit_write(0, wr->blob, wr->len, &w))
			break;
		__atomic_add_fetch(&wr->commits, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * A reader snapshots a 256-page window while a writer commits it whole,
 * over and over: every page of a snapshot carries the same stamp, whether
 * or not commit_read then says -ESTALE (a forward publishes a snapshot
 * unchecked).  Before the fix the snapshot was taken page by page, and a
 * commit (which holds the lock for its whole window) landing in the middle
 * of one tore it.
 */
TEST(blob_snapshot_is_atomic)
{
	const uint64_t len = 256 * PAGE;
	struct writer wr = { .len = len };
	struct dios_iovec r;
	uint64_t *p;
	pthread_t th;
	long reads = 0, torn = 0;
	time_t end;

	ASSERT_EQ(0, make_blob(DIOS_CREATE_ANON, len, &wr.blob, NULL));
	ASSERT_EQ(0, blob_fill(wr.blob, len, 0));
	pin_to_cpu(0);
	ASSERT_EQ(0, pthread_create(&th, NULL, writer_fn, &wr));
	end = time(NULL) + 3;
	while (time(NULL) < end) {
		r = dios_test_iov(0);
		ASSERT_EQ(0, dios_acquire_read(0, wr.blob, len, &r));
		/*
		 * A commit that lands between the snapshot's first and last
		 * page makes them differ: two faults per read, so that the
		 * snapshot is a good part of the loop.
		 */
		p = r.buf;
		torn += p[0] != p[len / 8 - PAGE / 8];
		reads++;
		dios_commit_read(0, wr.blob, &r);
	}
	__atomic_store_n(&wr.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	TH_LOG("%ld snapshots, %ld commits, %ld torn", reads, wr.commits,
	       torn);
	EXPECT_EQ(0, torn);
	EXPECT_LT(0, wr.commits);
}

/* ---- 7: a blob commit unmaps the writer's pages before publishing them ---- */

static sigjmp_buf scribble_jmp;

static void scribble_sigbus(int sig)
{
	(void)sig;
	siglongjmp(scribble_jmp, 1);
}

struct scribbler {
	volatile uint64_t *word;
	int started;
	int faulted;
};

/* Keep storing into the write buffer until the store faults. */
static void *scribble_fn(void *arg)
{
	struct scribbler *sc = arg;
	uint64_t n = 1000;

	if (sigsetjmp(scribble_jmp, 1)) {
		sc->faulted = 1;
		return NULL;
	}
	__atomic_store_n(&sc->started, 1, __ATOMIC_RELEASE);
	for (;;)
		*sc->word = n++;
	return NULL;
}

/*
 * One thread of the writer keeps storing into the write buffer while
 * another commits it, and the zap of the commit waits behind a busy
 * mmap_lock.  A reader in another process snapshots the committed page
 * twice during that wait: a committed page never changes.  Before the fix
 * the pages were committed first and unmapped after, so the scribbler
 * wrote into a published page for the whole wait.
 */
TEST(blob_commit_unmaps_before_publish)
{
	struct dios_iovec w = dios_test_iov(0);
	struct scribbler sc = { 0 };
	struct sigaction sa;
	struct dios_name name;
	pthread_t th;
	struct hog hog;
	dios_ref_t blob;
	int go[2], res[2];
	pid_t reader;
	char c;

	ASSERT_EQ(0, make_blob(0, PAGE, &blob, &name));
	ASSERT_EQ(0, blob_fill(blob, PAGE, 0));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(res));
	reader = fork();
	ASSERT_LE(0, reader);
	if (reader == 0) {
		struct dios_iovec r;
		uint64_t a, b;
		dios_ref_t rb;
		int i, changed = 0;

		if (dios_lookup(0, &name, DIOS_REF_NONE, &rb))
			_exit(2);
		if (dios_test_write(res[1], "r", 1) || read(go[0], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < 20; i++) {
			r = dios_test_iov(0);
			if (dios_acquire_read(0, rb, PAGE, &r))
				_exit(2);
			a = *(volatile uint64_t *)r.buf;
			usleep(10 * 1000);
			b = *(volatile uint64_t *)r.buf;
			changed += a != b;
			dios_release_read(0, rb, &r);
		}
		_exit(changed ? 1 : 0);
	}
	ASSERT_EQ(1, read(res[0], &c, 1));
	ASSERT_EQ(0, dios_acquire_write(0, blob, PAGE, &w));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = scribble_sigbus;
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	sc.word = w.buf;
	ASSERT_EQ(0, pthread_create(&th, NULL, scribble_fn, &sc));
	while (!__atomic_load_n(&sc.started, __ATOMIC_ACQUIRE))
		;
	if (hog_start(&hog, HOG_BYTES)) {
		kill(reader, SIGKILL);
		dios_test_wait(reader);
		SKIP(return, "no MADV_POPULATE_WRITE or no memory");
	}
	hog_fresh_round(&hog);
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, dios_commit_write(0, blob, PAGE, &w));
	hog_stop(&hog);
	pthread_join(th, NULL);
	EXPECT_EQ(1, sc.faulted);
	EXPECT_EQ(0, dios_test_wait(reader));
	close(go[0]);
	close(go[1]);
	close(res[0]);
	close(res[1]);
}

/* ---- 8: denials of service --------------------------------------------------- */

struct recv_call {
	dios_ref_t s;
	void *buf;
	int ret;
};

static void *recv_fn(void *arg)
{
	struct recv_call *rc = arg;

	rc->ret = dios_recv(0, rc->s, rc->buf, PAGE);
	return NULL;
}

struct zombify_call {
	dios_ref_t s;
	int done;
	int ret;
};

static void *zombify_fn(void *arg)
{
	struct zombify_call *zc = arg;

	zc->ret = dios_delete(DIOS_DELETE_ZOMBIFY, zc->s);
	__atomic_store_n(&zc->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A holder of READ stalls its copy out of the stream on a userfaultfd
 * page, for as long as it likes.  Zombifying the stream returns at once
 * all the same; the insides go when the copy ends.  Before the fix the
 * zombify waited uninterruptibly for the copy (and so would the cycle
 * collector).
 */
TEST(zombify_does_not_wait_for_stalled_copy)
{
	struct zombify_call zc = { 0 };
	struct recv_call rc = { 0 };
	pthread_t rth, zth;
	struct uffd_page u;
	dios_ref_t s;
	int i;

	DIOS_REQUIRE(DIOS_FEAT_IO_XFER);
	UFFD_OR_SKIP(&u, 0, NULL);
	ASSERT_EQ(0, make_stream(DIOS_CREATE_ANON, 4 * PAGE, &s, NULL));
	ASSERT_EQ(0, dios_send(0, s, "stalled", 7));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHTS_ALL, &zc.s));
	rc.s = s;
	rc.buf = u.page;
	ASSERT_EQ(0, pthread_create(&rth, NULL, recv_fn, &rc));
	ASSERT_EQ(0, uffd_wait_fault(&u, 10000));
	ASSERT_EQ(0, pthread_create(&zth, NULL, zombify_fn, &zc));
	for (i = 0; i < 3000 && !__atomic_load_n(&zc.done, __ATOMIC_ACQUIRE);
	     i++)
		usleep(1000);
	EXPECT_EQ(1, __atomic_load_n(&zc.done, __ATOMIC_ACQUIRE));
	/* Let the copy go (unblocks a hung zombify on a broken module). */
	ASSERT_EQ(0, uffd_release(&u, 0));
	pthread_join(rth, NULL);
	pthread_join(zth, NULL);
	EXPECT_EQ(0, zc.ret);
	/* The copy was in flight: it ends either way, without a crash. */
	EXPECT_TRUE(rc.ret == 7 || rc.ret == -EIDRM);
	EXPECT_EQ(-EIDRM, dios_send(0, s, "x", 1));
	uffd_free(&u);
}

/*
 * A process whose mmap_lock is busy blocks in its own view creation; the
 * views of every other process are created meanwhile.  Before the fix one
 * module-wide mutex was held across vm_mmap(), and everyone waited.
 */
TEST(view_creation_not_serialized_across_tasks)
{
	struct dios_iovec w = dios_test_iov(0);
	struct hog hog;
	dios_ref_t s;
	pid_t other, parent = getpid(), tid = gettid_();
	int go[2];

	ASSERT_EQ(0, make_stream(DIOS_CREATE_ANON, 4 * PAGE, &s, NULL));
	ASSERT_EQ(0, pipe(go));
	other = fork();
	ASSERT_LE(0, other);
	if (other == 0) {
		struct dios_iovec cw = dios_test_iov(0);
		dios_ref_t cs;
		char c;

		/* A stream of its own: nothing shared but the module. */
		if (make_stream(DIOS_CREATE_ANON, 4 * PAGE, &cs, NULL) ||
		    read(go[0], &c, 1) != 1)
			_exit(2);
		/* The parent is stuck in its view creation now... */
		if (wait_blocked(parent, tid, 20000))
			_exit(3);
		if (dios_acquire_write(0, cs, PAGE, &cw))
			_exit(2);
		/* ...and still is, once this view exists. */
		_exit(thread_state_of(parent, tid) == 'D' ? 0 : 1);
	}
	if (hog_start(&hog, HOG_BYTES)) {
		kill(other, SIGKILL);
		dios_test_wait(other);
		SKIP(return, "no MADV_POPULATE_WRITE or no memory");
	}
	hog_fresh_round(&hog);
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, dios_acquire_write(0, s, PAGE, &w));
	hog_stop(&hog);
	EXPECT_EQ(0, dios_test_wait(other));
	close(go[0]);
	close(go[1]);
}

/*
 * A given name in the global group is a machine-wide well-known name: only
 * CAP_SYS_ADMIN registers one (module parameter given_names=1 lifts that).
 * In a group of one's own any name goes.
 */
TEST(given_global_name_needs_cap_sys_admin)
{
	struct dios_create_args a = { .size = PAGE };
	dios_ref_t obj, group;

	if (getuid() != 0)
		SKIP(return, "needs root to drop from");
	dios_test_random_name(&a.name);
	/*
	 * Opened as root: /dev/dios is 0660, a user of the access policy's
	 * group; what is checked is the name, not the open.
	 */
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &group,
				      NULL));
	ASSERT_EQ(0, drop_privileges());
	EXPECT_EQ(-EPERM, dios_create(DIOS_CREATE_NAME_GIVEN, DIOS_OBJ_SHMEM,
				      &a, &obj, NULL));
	/* Refused without a trace: the name is still free. */
	a.group = group;
	EXPECT_EQ(0, dios_create(DIOS_CREATE_NAME_GIVEN, DIOS_OBJ_SHMEM, &a,
				 &obj, NULL));
	ASSERT_EQ(0, regain_privileges());
	a.group = DIOS_REF_NONE;
	EXPECT_EQ(0, dios_create(DIOS_CREATE_NAME_GIVEN, DIOS_OBJ_SHMEM, &a,
				 &obj, NULL));
}

/* ---- 9: a re-arming commit tells whether it committed ---------------------- */

/*
 * The commit is done and the next acquire fails (a length beyond the
 * capacity): -EMSGSIZE with DIOS_IO_DONE_COMMIT, no buffer open, and the
 * message is there.  Before ABI 1.3 the caller could not tell this from a
 * commit that failed.
 */
TEST(rearm_commit_reports_done)
{
	struct dios_iovec w = dios_test_iov(0), r = dios_test_iov(0);
	dios_ref_t s;

	DIOS_REQUIRE(DIOS_FEAT_IO_DONE);
	ASSERT_EQ(0, make_stream(DIOS_CREATE_ANON, PAGE, &s, NULL));
	ASSERT_EQ(0, dios_acquire_write(0, s, 8, &w));
	EXPECT_EQ(DIOS_IO_DONE_ACQUIRE, w.done);
	memcpy(w.buf, "message", 8);
	w.next_len = 2 * PAGE;
	EXPECT_EQ(-EMSGSIZE, dios_commit_write(DIOS_IO_REARM, s, 8, &w));
	EXPECT_EQ(DIOS_IO_DONE_COMMIT, w.done);
	EXPECT_EQ(NULL, w.buf);
	ASSERT_EQ(0, dios_acquire_read(0, s, PAGE, &r));
	EXPECT_EQ(0, memcmp(r.buf, "message", 8));
	/* A read re-armed on an empty stream: consumed, nothing open. */
	r.next_len = PAGE;
	EXPECT_EQ(-EAGAIN, dios_commit_read(DIOS_IO_REARM | DIOS_NONBLOCK, s,
					    &r));
	EXPECT_EQ(DIOS_IO_DONE_COMMIT, r.done);
	EXPECT_EQ(NULL, r.buf);
	EXPECT_EQ(-EAGAIN, dios_acquire_read(DIOS_NONBLOCK, s, PAGE, &r));
	EXPECT_EQ(0, r.done);
}

/* A commit that fails commits nothing, and its buffer stays open. */
TEST(failed_rearm_commit_reports_nothing_done)
{
	struct dios_iovec w = dios_test_iov(0);
	dios_ref_t s;
	void *buf;

	DIOS_REQUIRE(DIOS_FEAT_IO_DONE);
	ASSERT_EQ(0, make_stream(DIOS_CREATE_ANON, PAGE, &s, NULL));
	ASSERT_EQ(0, dios_acquire_write(0, s, 8, &w));
	buf = w.buf;
	w.next_len = 8;
	/* Longer than the buffer: the commit itself fails. */
	EXPECT_EQ(-EINVAL, dios_commit_write(DIOS_IO_REARM, s, 16, &w));
	EXPECT_EQ(0, w.done);
	EXPECT_EQ(buf, w.buf);
	EXPECT_EQ(0, dios_commit_write(DIOS_IO_REARM, s, 8, &w));
	EXPECT_EQ(DIOS_IO_DONE_COMMIT | DIOS_IO_DONE_ACQUIRE, w.done);
	EXPECT_NE(NULL, w.buf);
}

/* A caller built against ABI 1.2 (a 72-byte request) keeps working. */
TEST(io_request_of_abi_1_2)
{
	struct dios_io_req req;
	dios_ref_t s;

	ASSERT_EQ(0, make_stream(DIOS_CREATE_ANON, PAGE, &s, NULL));
	memset(&req, 0, sizeof(req));
	req.ref = s;
	req.len = 8;
	req.done = 0xdead;
	EXPECT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_ACQUIRE_WRITE),
				  DIOS_IO_REQ_SIZE_VER0, &req));
	EXPECT_NE(0, req.addr);
	/* Beyond the caller's size nothing is written. */
	EXPECT_EQ(0xdead, req.done);
	req.done = 0;
	req.next_len = 0;
	EXPECT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_COMMIT_WRITE),
				  DIOS_IO_REQ_SIZE_VER0, &req));
}

/* Non-zero padding after @done: -EINVAL, nothing done. */
TEST(io_request_nonzero_pad2)
{
	struct dios_io_req req;
	dios_ref_t s;

	ASSERT_EQ(0, make_stream(DIOS_CREATE_ANON, PAGE, &s, NULL));
	memset(&req, 0, sizeof(req));
	req.ref = s;
	req.len = 8;
	req.__pad2 = 1;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_ACQUIRE_WRITE),
					sizeof(req), &req));
	EXPECT_EQ(0, req.addr);
}

/* ---- children ------------------------------------------------------------ */

static int child_main(char **argv)
{
	if (!strcmp(argv[2], "sleep")) {
		sleep(60);
		return 0;
	}
	return 2;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "child"))
		return child_main(argv);
	return test_harness_run(argc, argv);
}
