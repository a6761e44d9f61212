// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks: dios_run with argv, environment and delegated references,
 * dios_task_refs, exit status, readiness on exit, pause and resume, kill by
 * zombification, children killed while blocked, parents that exit first,
 * rights enforced in the child, nothing inherited by grandchildren, and
 * every error path of DIOS_IOC_RUN and the task calls.
 *
 * The children are this very program, run again with "child" MODE as its
 * first arguments (main() below dispatches before the harness).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define SELF	"/proc/self/exe"

/* Exit codes of a child whose check failed; 0 means every check passed. */
enum { CHILD_BAD_ARGS = 10, CHILD_BAD_ENV, CHILD_BAD_REFS, CHILD_BAD_IO,
       CHILD_BAD_RIGHTS, CHILD_BAD_GRANDCHILD, CHILD_BAD_MODE };

static int child_refs(dios_ref_t *refs, uint32_t want)
{
	uint32_t n = 8;

	if (dios_task_refs(refs, &n) || n != want)
		exit(CHILD_BAD_REFS);
	return 0;
}

/* Receive one message of at most @cap bytes; its length or -errno. */
static int child_recv(dios_ref_t ref, void *buf, uint64_t cap)
{
	struct dios_iovec iov = { 0 };
	uint64_t len;
	int ret;

	ret = dios_acquire_read(0, ref, cap, &iov);
	if (ret)
		return ret;
	len = iov.len < cap ? iov.len : cap;
	memcpy(buf, iov.buf, len);
	ret = dios_commit_read(0, ref, &iov);
	return ret ? ret : (int)len;
}

static int child_send(dios_ref_t ref, const void *buf, uint64_t len)
{
	struct dios_iovec iov = { 0 };
	int ret;

	ret = dios_acquire_write(0, ref, len, &iov);
	if (ret)
		return ret;
	memcpy(iov.buf, buf, len);
	return dios_commit_write(0, ref, len, &iov);
}

/* The child modes; each returns the exit code. */
static int child_main(int argc, char **argv)
{
	const char *mode = argv[2];
	dios_ref_t refs[8];
	char buf[64];
	int ret;

	if (!strcmp(mode, "exit"))
		return atoi(argv[3]);
	if (!strcmp(mode, "signal")) {
		raise(SIGTERM);
		return CHILD_BAD_MODE;
	}
	if (!strcmp(mode, "args")) {
		/* argv: exe child args one "two words"; env exactly as given */
		if (argc != 5 || strcmp(argv[3], "one") ||
		    strcmp(argv[4], "two words"))
			return CHILD_BAD_ARGS;
		if (!getenv("DIOS_T") || strcmp(getenv("DIOS_T"), "v") ||
		    getenv("HOME"))
			return CHILD_BAD_ENV;
		child_refs(refs, 0);
		return 0;
	}
	if (!strcmp(mode, "inherit-env"))
		return getenv("DIOS_INHERITED") ? 0 : CHILD_BAD_ENV;
	if (!strcmp(mode, "echo")) {
		/* refs: the stream to read, the stream to write */
		struct dios_ref_info info;

		child_refs(refs, 2);
		if (dios_ref_info(refs[0], &info) ||
		    info.type != DIOS_OBJ_STREAM ||
		    info.rights != (DIOS_RIGHT_READ | DIOS_RIGHT_COPY))
			return CHILD_BAD_REFS;
		ret = child_recv(refs[0], buf, sizeof(buf));
		if (ret < 0 || child_send(refs[1], buf, (uint64_t)ret))
			return CHILD_BAD_IO;
		return 0;
	}
	if (!strcmp(mode, "rights")) {
		/* refs: a stream held READ only */
		struct dios_iovec iov = { 0 };

		child_refs(refs, 1);
		ret = dios_acquire_write(0, refs[0], 8, &iov);
		return ret == -EACCES ? 0 : CHILD_BAD_RIGHTS;
	}
	if (!strcmp(mode, "block")) {
		/* refs: a stream to read; exit 0 at -EPIPE */
		child_refs(refs, 1);
		while ((ret = child_recv(refs[0], buf, sizeof(buf))) >= 0)
			;
		return ret == -EPIPE ? 0 : CHILD_BAD_IO;
	}
	if (!strcmp(mode, "tick")) {
		/* refs: a stream to write; a message every 10 ms */
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		child_refs(refs, 1);
		while (!child_send(refs[0], "t", 1))
			nanosleep(&ts, NULL);
		return CHILD_BAD_IO;
	}
	if (!strcmp(mode, "handle")) {
		/* refs: a stream bringing a handle delegated by dios_copy */
		struct dios_ref_info info;
		dios_ref_t h;

		child_refs(refs, 1);
		if (child_recv(refs[0], &h, sizeof(h)) != sizeof(h))
			return CHILD_BAD_IO;
		if (dios_ref_info(h, &info) || info.type != DIOS_OBJ_SHMEM)
			return CHILD_BAD_REFS;
		return 0;
	}
	if (!strcmp(mode, "grandchild")) {
		/* refs: one; a forked grandchild sees none of it */
		uint32_t n = 8;
		pid_t pid;

		child_refs(refs, 1);
		pid = fork();
		if (pid == 0) {
			struct dios_ref_info info;

			if (dios_task_refs(refs, &n) || n != 0)
				_exit(1);
			if (dios_ref_info(refs[0], &info) != -EBADF)
				_exit(2);
			_exit(0);
		}
		return dios_test_wait(pid) == 0 ? 0 : CHILD_BAD_GRANDCHILD;
	}
	if (!strcmp(mode, "chan-echo")) {
		/* the channel of dios_run_chan: echo until the parent closes */
		struct dios_chan c;

		if (dios_chan_parent(&c))
			return CHILD_BAD_REFS;
		while ((ret = dios_chan_recv(0, &c, buf, sizeof(buf))) >= 0)
			if (dios_chan_send(0, &c, buf, (uint64_t)ret))
				return CHILD_BAD_IO;
		dios_chan_close(&c);
		return ret == -EPIPE ? 0 : CHILD_BAD_IO;
	}
	if (!strcmp(mode, "chan-refs")) {
		/* the channel's two references, then one SHMEM */
		struct dios_ref_info info;

		child_refs(refs, 3);
		if (dios_ref_info(refs[2], &info) ||
		    info.type != DIOS_OBJ_SHMEM ||
		    info.rights != DIOS_RIGHT_READ)
			return CHILD_BAD_REFS;
		return 0;
	}
	if (!strcmp(mode, "chan-ends")) {
		/* the channel's far ends: stream 0 to read, 1 to write, of
		 * capacity argv[3], then argv[4] more references
		 */
		uint64_t cap = strtoull(argv[3], NULL, 0);
		struct dios_ref_info in, out;

		child_refs(refs, 2 + (uint32_t)atoi(argv[4]));
		if (dios_ref_info(refs[0], &in) || dios_ref_info(refs[1], &out) ||
		    in.type != DIOS_OBJ_STREAM || out.type != DIOS_OBJ_STREAM ||
		    in.rights != DIOS_RUN_CHAN_FAR_RX ||
		    out.rights != DIOS_RUN_CHAN_FAR_TX ||
		    in.size != cap || out.size != cap)
			return CHILD_BAD_REFS;
		return 0;
	}
	if (!strcmp(mode, "refs-nospc")) {
		/* two references: capacity 1 is -ENOSPC, 0 asks the count */
		uint32_t n = 1;

		if (dios_task_refs(refs, &n) != -ENOSPC || n != 2)
			return CHILD_BAD_REFS;
		n = 0;
		if (dios_task_refs(NULL, &n) || n != 2)
			return CHILD_BAD_REFS;
		return 0;
	}
	if (!strcmp(mode, "refs-high")) {
		/* one reference: a pointer with bit 63 set is -EFAULT */
		struct dios_task_refs_req q = {
			.refs = (1ULL << 63) | (uintptr_t)refs, .n = 8,
		};

		refs[0] = 0;
		if (dios_test_rw(_IOC_NR(DIOS_IOC_TASK_REFS), sizeof(q),
				 &q) != -EFAULT || refs[0])
			return CHILD_BAD_REFS;
		child_refs(refs, 1);
		return 0;
	}
	if (!strcmp(mode, "sleep")) {
		/* never opens /dev/dios; dies of SIGALRM after argv[3] s */
		alarm((unsigned int)atoi(argv[3]));
		pause();
		return 0;
	}
	return CHILD_BAD_MODE;
}

static int run_mode(const char *mode, const char *arg, const dios_ref_t *refs,
		    const uint64_t *rights, uint32_t n, dios_ref_t *task)
{
	const char *argv[] = { SELF, "child", mode, arg, NULL };
	struct dios_task_spec spec = {
		.argv = argv, .refs = refs, .rights = rights, .n_refs = n,
	};

	return dios_run(0, SELF, &spec, task);
}

/* Poll a debugfs counter until it is @want (exit work is asynchronous). */
static long settle(const char *key, long want)
{
	return dios_test_stat_settles(key, want, 2000);
}

static int make_stream(dios_ref_t *rd, dios_ref_t *wr)
{
	struct dios_create_args args = dios_test_args(DIOS_OBJ_STREAM);
	dios_ref_t s;
	int ret;

	ret = dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &args, &s, NULL);
	if (ret)
		return ret;
	ret = dios_dup(s, DIOS_RIGHT_READ | DIOS_RIGHT_COPY, rd);
	if (!ret)
		ret = dios_dup(s, DIOS_RIGHT_WRITE | DIOS_RIGHT_COPY, wr);
	dios_delete(0, s);
	return ret;
}

static int recv_one(dios_ref_t ref, void *buf, uint64_t cap)
{
	return child_recv(ref, buf, cap);
}

static int send_one(dios_ref_t ref, const void *buf, uint64_t len)
{
	return child_send(ref, buf, len);
}

/*
 * Run @mode with one reference, the read end of a new stream, and wait
 * for it: its exit status, or -1 when it could not run.
 */
static int run_with_read_end(const char *mode)
{
	dios_ref_t r, w, t;
	int status = -1;

	if (make_stream(&r, &w))
		return -1;
	if (!run_mode(mode, NULL, &r, NULL, 1, &t)) {
		if (dios_task_wait(t, &status))
			status = -1;
		dios_delete(0, t);
	}
	dios_delete(0, r);
	dios_delete(0, w);
	return status;
}

FIXTURE(task) {
	long tasks, refs, contexts, streams;
};

FIXTURE_SETUP(task)
{
	dios_ref_t self_task;

	DIOS_REQUIRE(DIOS_FEAT_TASKS | DIOS_FEAT_IO_STREAM);
	/* Open the context first: its own task object is in the baseline. */
	ASSERT_EQ(0, dios_task_self(&self_task));
	ASSERT_EQ(0, dios_delete(0, self_task));
	self->tasks = dios_test_stat("objects_task");
	self->refs = dios_test_stat("refs");
	self->contexts = dios_test_stat("contexts");
	self->streams = dios_test_stat("objects_stream");
}

/* Nothing of any child is left once every task reference is deleted. */
FIXTURE_TEARDOWN(task)
{
	EXPECT_EQ(self->tasks, settle("objects_task", self->tasks));
	EXPECT_EQ(self->contexts, settle("contexts", self->contexts));
	EXPECT_EQ(self->refs, settle("refs", self->refs));
	EXPECT_EQ(self->streams, settle("objects_stream", self->streams));
}

TEST_F(task, exit_status)
{
	dios_ref_t t;
	int status = -1;

	ASSERT_EQ(0, run_mode("exit", "42", NULL, NULL, 0, &t));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(42, status);
	/* Reaped by dios_task_wait: no child is left. */
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG));
	EXPECT_EQ(ECHILD, errno);
	/* Waiting again gives the same status. */
	status = -1;
	EXPECT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(42, status);
	EXPECT_EQ(0, dios_delete(0, t));
}

TEST_F(task, exit_status_zero_and_null_status)
{
	dios_ref_t t;

	ASSERT_EQ(0, run_mode("exit", "0", NULL, NULL, 0, &t));
	EXPECT_EQ(0, dios_task_wait(t, NULL));
	EXPECT_EQ(0, dios_delete(0, t));
}

TEST_F(task, killed_by_signal_is_128_plus_signal)
{
	dios_ref_t t;
	int status = -1;

	ASSERT_EQ(0, run_mode("signal", NULL, NULL, NULL, 0, &t));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(128 + SIGTERM, status);
	EXPECT_EQ(0, dios_delete(0, t));
}

TEST_F(task, argv_and_envp)
{
	const char *argv[] = { SELF, "child", "args", "one", "two words",
			       NULL };
	const char *envp[] = { "DIOS_T=v", NULL };
	struct dios_task_spec spec = { .argv = argv, .envp = envp };
	dios_ref_t t;
	int status = -1;

	ASSERT_EQ(0, dios_run(0, SELF, &spec, &t));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, dios_delete(0, t));
}

TEST_F(task, envp_null_inherits)
{
	dios_ref_t t;
	int status = -1;

	ASSERT_EQ(0, setenv("DIOS_INHERITED", "1", 1));
	ASSERT_EQ(0, run_mode("inherit-env", NULL, NULL, NULL, 0, &t));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, dios_delete(0, t));
}

/* Two streams delegated with narrowed rights; the child echoes. */
TEST_F(task, refs_delivered_in_order_with_rights)
{
	dios_ref_t to_r, to_w, from_r, from_w, t;
	uint64_t rights[2] = { DIOS_RIGHT_READ | DIOS_RIGHT_COPY,
			       DIOS_RIGHT_WRITE };
	char buf[16] = { 0 };
	int status = -1;

	ASSERT_EQ(0, make_stream(&to_r, &to_w));
	ASSERT_EQ(0, make_stream(&from_r, &from_w));
	ASSERT_EQ(0, run_mode("echo", NULL, (dios_ref_t[]){ to_r, from_w },
			      rights, 2, &t));
	/* Delegation copies: the caller's references stay. */
	EXPECT_EQ(0, dios_delete(0, to_r));
	EXPECT_EQ(0, dios_delete(0, from_w));
	ASSERT_EQ(0, send_one(to_w, "hello", 5));
	EXPECT_EQ(5, recv_one(from_r, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(0, status);
	/* The child's references went with it: no writer is left. */
	EXPECT_EQ(-EPIPE, recv_one(from_r, buf, sizeof(buf)));
	dios_delete(0, to_w);
	dios_delete(0, from_r);
	dios_delete(0, t);
}

TEST_F(task, reduced_rights_enforced_in_child)
{
	EXPECT_EQ(0, run_with_read_end("rights"));
}

TEST_F(task, grandchild_inherits_nothing)
{
	EXPECT_EQ(0, run_with_read_end("grandchild"));
}

/* The child's context exists from dios_run on: delegation works at once. */
TEST_F(task, copy_to_task_before_it_opens)
{
	struct dios_create_args args = dios_test_args(DIOS_OBJ_SHMEM);
	dios_ref_t r, w, t, shm, remote;
	int status = -1;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &args,
				 &shm, NULL));
	ASSERT_EQ(0, run_mode("handle", NULL, &r, NULL, 1, &t));
	ASSERT_EQ(0, dios_copy(0, &shm, 1, t, &remote));
	ASSERT_EQ(0, send_one(w, &remote, sizeof(remote)));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(0, status);
	dios_delete(0, shm);
	dios_delete(0, r);
	dios_delete(0, w);
	dios_delete(0, t);
}

TEST_F(task, readable_once_exited)
{
	dios_ref_t r, w, t;
	uint32_t idx = 99;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, run_mode("block", NULL, &r, NULL, 1, &t));
	EXPECT_EQ(-ETIMEDOUT, dios_select(0, &t, 1, DIOS_EV_READ, 0, &idx));
	EXPECT_EQ(-EAGAIN, ({
		struct dios_task_wait_req q = { .flags = DIOS_NONBLOCK,
						.task = t };
		dios_test_rw(_IOC_NR(DIOS_IOC_TASK_WAIT), sizeof(q), &q);
	}));
	/* The last writer goes: the child reads -EPIPE and exits 0. */
	ASSERT_EQ(0, dios_delete(0, w));
	ASSERT_EQ(0, dios_select(0, &t, 1, DIOS_EV_READ, -1, &idx));
	EXPECT_EQ(0, idx);
	EXPECT_EQ(0, dios_task_wait(t, NULL));
	dios_delete(0, r);
	dios_delete(0, t);
}

TEST_F(task, pause_and_resume)
{
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	dios_ref_t r, w, t;
	uint32_t idx;
	char c;
	int status = -1;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, run_mode("tick", NULL, &w, NULL, 1, &t));
	ASSERT_EQ(1, recv_one(r, &c, 1));
	ASSERT_EQ(0, dios_pause(t));
	/* Let a message in flight land, drain, and listen to the silence. */
	nanosleep(&ts, NULL);
	while (dios_select(0, &r, 1, DIOS_EV_READ, 0, &idx) == 0)
		ASSERT_EQ(1, recv_one(r, &c, 1));
	nanosleep(&ts, NULL);
	EXPECT_EQ(-ETIMEDOUT, dios_select(0, &r, 1, DIOS_EV_READ, 0, &idx));
	ASSERT_EQ(0, dios_resume(t));
	EXPECT_EQ(0, dios_select(0, &r, 1, DIOS_EV_READ, 5000000000LL, &idx));
	/* Zombifying kills it; a second reference sees the status. */
	{
		dios_ref_t t2;

		ASSERT_EQ(0, dios_dup(t, DIOS_RIGHT_READ, &t2));
		ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, t));
		EXPECT_EQ(-EIDRM, dios_task_wait(t2, &status));
		dios_delete(0, t2);
	}
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(-1));
	dios_delete(0, r);
	dios_delete(0, w);
}

TEST_F(task, zombify_kills_blocked_child)
{
	dios_ref_t r, w, t;
	char c;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, run_mode("block", NULL, &r, NULL, 1, &t));
	/* Wait until the child opened its context: its read blocks. */
	usleep(200000);
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, t));
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(-1));
	/* The stream is intact: nothing was taken from it. */
	ASSERT_EQ(0, send_one(w, "x", 1));
	EXPECT_EQ(1, recv_one(r, &c, 1));
	dios_delete(0, r);
	dios_delete(0, w);
}

/*
 * A child that dies before it ever opens /dev/dios ("sleep" does not)
 * leaves nothing either: its prepared context and the references in it go.
 */
TEST_F(task, killed_before_open_leaves_nothing)
{
	dios_ref_t r, w, t;
	int status = -1, i, ret = 0;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, run_mode("sleep", "1", &r, NULL, 1, &t));
	ASSERT_EQ(0, dios_delete(0, r));
	/* Its delegated reader holds the stream open: writing works. */
	ASSERT_EQ(0, send_one(w, "x", 1));
	/* SIGALRM after a second: killed by a signal, not by us. */
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(128 + SIGALRM, status);
	for (i = 0; i < 200; i++) {
		ret = send_one(w, "x", 1);
		if (ret)
			break;
		usleep(10000);
	}
	EXPECT_EQ(-EPIPE, ret);
	dios_delete(0, w);
	dios_delete(0, t);
}

/* Zombifying a child that never opened its context kills it too. */
TEST_F(task, zombify_before_open)
{
	dios_ref_t r, w, t;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, run_mode("sleep", "100", &r, NULL, 1, &t));
	ASSERT_EQ(0, dios_delete(0, r));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, t));
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(-1));
	EXPECT_EQ(-EPIPE, send_one(w, "x", 1));
	dios_delete(0, w);
}

/*
 * The parent of a task exits at once; the orphan goes on with the
 * references it was given and leaves nothing behind when it ends.
 */
TEST_F(task, parent_exits_first)
{
	struct dios_create_args args = dios_test_args(DIOS_OBJ_STREAM);
	struct dios_name in_name, out_name;
	dios_ref_t in, out;
	char buf[8] = { 0 };
	uint32_t idx;
	pid_t pid;

	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &args, &in, &in_name));
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &args, &out, &out_name));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t refs[2], t;

		ASSERT_EQ(0, dios_lookup(0, &in_name, DIOS_REF_NONE, &refs[0]));
		ASSERT_EQ(0, dios_lookup(0, &out_name, DIOS_REF_NONE,
					 &refs[1]));
		ASSERT_EQ(0, run_mode("echo", NULL, refs,
				      (uint64_t[]){ DIOS_RIGHT_READ |
						    DIOS_RIGHT_COPY,
						    DIOS_RIGHT_WRITE },
				      2, &t));
		_exit(0);
	}
	ASSERT_EQ(0, dios_test_wait(pid));
	/* The orphan still runs: feed it, it echoes and exits. */
	ASSERT_EQ(0, send_one(in, "ping", 4));
	ASSERT_EQ(0, dios_select(0, &out, 1, DIOS_EV_READ, 10000000000LL,
				 &idx));
	EXPECT_EQ(4, recv_one(out, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	dios_delete(0, in);
	dios_delete(0, out);
}

/* Many children at once; all reaped, nothing left. */
TEST_F(task, many_children)
{
	dios_ref_t t[32];
	int i, status;

	for (i = 0; i < 32; i++)
		ASSERT_EQ(0, run_mode("exit", "7", NULL, NULL, 0, &t[i]));
	for (i = 31; i >= 0; i--) {
		status = -1;
		ASSERT_EQ(0, dios_task_wait(t[i], &status));
		EXPECT_EQ(7, status);
		dios_delete(0, t[i]);
	}
}

/* A task started without dios_run has no delegated references. */
TEST_F(task, task_refs_of_a_plain_process)
{
	dios_ref_t refs[2];
	uint32_t n = 2;

	EXPECT_EQ(0, dios_task_refs(refs, &n));
	EXPECT_EQ(0, n);
}

/* dios_task_wait works on any task reference, not only dios_run's. */
TEST_F(task, wait_on_plain_forked_child)
{
	struct dios_test_child c;
	dios_ref_t t;
	int status = -1;
	pid_t pid;
	char b;

	pid = dios_test_fork_task(&c, &t);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_test_read(c.down[0], &b, 1);
		_exit(3);
	}
	ASSERT_EQ(0, dios_test_write(c.down[1], "g", 1));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(3, status);
	/* It was our child: reaped. */
	EXPECT_EQ(-1, waitpid(pid, NULL, WNOHANG));
	dios_delete(0, t);
	dios_test_child_close(&c);
}

static void on_alarm(int sig __attribute__((unused)))
{
}

TEST_F(task, wait_interrupted_is_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	dios_ref_t r, w, t;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, run_mode("block", NULL, &r, NULL, 1, &t));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_EQ(-EINTR, dios_task_wait(t, NULL));
	dios_delete(0, w);
	EXPECT_EQ(0, dios_task_wait(t, NULL));
	dios_delete(0, r);
	dios_delete(0, t);
}

/* Error paths of dios_run: each with otherwise valid input. */

TEST_F(task, run_unknown_flags)
{
	dios_ref_t t = 0;

	EXPECT_EQ(-EINVAL, dios_run(1, SELF, NULL, &t));
	EXPECT_EQ(-EINVAL, dios_run(1ULL << 63, SELF, NULL, &t));
	EXPECT_EQ(0, t);
}

TEST_F(task, run_null_pointers)
{
	dios_ref_t t;
	struct dios_task_spec spec = { .n_refs = 1 };

	EXPECT_EQ(-EFAULT, dios_run(0, NULL, NULL, &t));
	EXPECT_EQ(-EFAULT, dios_run(0, SELF, NULL, NULL));
	EXPECT_EQ(-EFAULT, dios_run(0, SELF, &spec, &t));
}

TEST_F(task, run_missing_program)
{
	dios_ref_t t = 0;

	EXPECT_EQ(-ENOENT, dios_run(0, "/nonexistent/prog", NULL, &t));
	EXPECT_EQ(0, t);
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG));
}

TEST_F(task, run_not_executable)
{
	dios_ref_t t = 0;
	int fd = open("/tmp/dios_not_exec", O_CREAT | O_WRONLY, 0644);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EACCES, dios_run(0, "/tmp/dios_not_exec", NULL, &t));
	unlink("/tmp/dios_not_exec");
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG));
}

TEST_F(task, run_bad_handle)
{
	dios_ref_t t = 0, bad = 0x100000001ULL + 77;

	EXPECT_EQ(-EBADF, run_mode("exit", "0", &bad, NULL, 1, &t));
	EXPECT_EQ(0, t);
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG));
}

TEST_F(task, run_ref_without_copy)
{
	dios_ref_t r, w, ro, t = 0;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, dios_dup(r, DIOS_RIGHT_READ, &ro));
	EXPECT_EQ(-EACCES, run_mode("exit", "0", &ro, NULL, 1, &t));
	dios_delete(0, ro);
	dios_delete(0, r);
	dios_delete(0, w);
}

TEST_F(task, run_rights_widened)
{
	dios_ref_t r, w, t = 0;
	uint64_t rights = DIOS_RIGHT_READ | DIOS_RIGHT_WRITE;

	ASSERT_EQ(0, make_stream(&r, &w));
	EXPECT_EQ(-EPERM, run_mode("exit", "0", &r, &rights, 1, &t));
	rights = 1ULL << 40;
	EXPECT_EQ(-EINVAL, run_mode("exit", "0", &r, &rights, 1, &t));
	dios_delete(0, r);
	dios_delete(0, w);
}

TEST_F(task, run_privmem_stays)
{
	struct dios_create_args args = dios_test_args(DIOS_OBJ_PRIVMEM);
	dios_ref_t m, t = 0;

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_PRIVMEM, &args,
				 &m, NULL));
	EXPECT_EQ(-EPERM, run_mode("exit", "0", &m, NULL, 1, &t));
	dios_delete(0, m);
}

/* The raw ioctl: a process that is not a fresh child of the caller. */
static int raw_run(uint32_t pid, uint64_t flags, uint32_t n, uint64_t refs)
{
	struct dios_run_req req = { .flags = flags, .pid = pid,
				    .n_refs = n, .refs = refs };
	int ret = dios_test_rw(_IOC_NR(DIOS_IOC_RUN), sizeof(req), &req);

	if (!ret)
		dios_delete(0, req.task);
	return ret;
}

TEST_F(task, raw_run_bad_pids)
{
	EXPECT_EQ(-EINVAL, raw_run(0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, raw_run(0x80000000U, 0, 0, 0));
	EXPECT_EQ(-ECHILD, raw_run((uint32_t)getpid(), 0, 0, 0));
	EXPECT_EQ(-ECHILD, raw_run(1, 0, 0, 0));
	EXPECT_EQ(-ESRCH, raw_run(4000000, 0, 0, 0));
}

TEST_F(task, raw_run_flags_count_pointer_twice_execd)
{
	int go[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (read(go[0], &c, 1) == 1 && c == 'x')
			execl("/bin/sh", "sh", "-c", "read x", (char *)NULL);
		_exit(0);
	}
	EXPECT_EQ(-EINVAL, raw_run((uint32_t)pid, 2, 0, 0));
	EXPECT_EQ(-EINVAL, raw_run((uint32_t)pid, 0, 1025, 0));
	EXPECT_EQ(-EFAULT, raw_run((uint32_t)pid, 0, 1, 8));
	{
		/* Bit 63 of either pointer is kept (uptr_test.c). */
		dios_ref_t r, w;
		uint64_t rights = DIOS_RIGHT_READ;
		struct dios_run_req req = { .pid = (uint32_t)pid, .n_refs = 1 };

		ASSERT_EQ(0, make_stream(&r, &w));
		req.refs = (1ULL << 63) | (uintptr_t)&r;
		EXPECT_EQ(-EFAULT, dios_test_rw(_IOC_NR(DIOS_IOC_RUN),
						sizeof(req), &req));
		req.refs = (uintptr_t)&r;
		req.rights = (1ULL << 63) | (uintptr_t)&rights;
		EXPECT_EQ(-EFAULT, dios_test_rw(_IOC_NR(DIOS_IOC_RUN),
						sizeof(req), &req));
		EXPECT_EQ(0, req.task);
		dios_delete(0, r);
		dios_delete(0, w);
	}
	{
		struct dios_run_req req = { .pid = (uint32_t)pid };

		ASSERT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_RUN), sizeof(req),
					  &req));
		/* Already pending */
		EXPECT_EQ(-EBUSY, raw_run((uint32_t)pid, 0, 0, 0));
		dios_delete(0, req.task);
	}
	/* Once the child exec'd it is no longer a fresh fork. */
	ASSERT_EQ(1, write(go[1], "x", 1));
	usleep(300000);
	EXPECT_EQ(-EBUSY, raw_run((uint32_t)pid, 0, 0, 0));
	close(go[1]);
	close(go[0]);
	kill(pid, SIGKILL);
	dios_test_wait(pid);
}

TEST_F(task, ctl_errors)
{
	dios_ref_t r, w, t, t_ro, t_wo;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, run_mode("block", NULL, &r, NULL, 1, &t));
	ASSERT_EQ(0, dios_dup(t, DIOS_RIGHT_READ, &t_ro));
	ASSERT_EQ(0, dios_dup(t, DIOS_RIGHT_WRITE, &t_wo));
	/* Not a task */
	EXPECT_EQ(-EINVAL, dios_pause(r));
	EXPECT_EQ(-EINVAL, dios_resume(r));
	EXPECT_EQ(-EINVAL, dios_task_wait(r, NULL));
	/* Rights */
	EXPECT_EQ(-EACCES, dios_pause(t_ro));
	EXPECT_EQ(-EACCES, dios_resume(t_ro));
	EXPECT_EQ(-EACCES, dios_task_wait(t_wo, NULL));
	/* Bad handles */
	EXPECT_EQ(-EBADF, dios_pause(0));
	EXPECT_EQ(-EBADF, dios_task_wait(t + (1ULL << 40), NULL));
	/* Unknown flags, reserved fields */
	{
		struct dios_task_req q = { .flags = 2, .task = t };
		struct dios_task_wait_req wq = { .flags = 2, .task = t };

		EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_PAUSE),
						sizeof(q), &q));
		EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_TASK_WAIT),
						sizeof(wq), &wq));
		wq.flags = 0;
		wq.__pad = 1;
		EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_TASK_WAIT),
						sizeof(wq), &wq));
	}
	dios_delete(0, w);
	ASSERT_EQ(0, dios_task_wait(t, NULL));
	/* Exited */
	EXPECT_EQ(-ESRCH, dios_pause(t));
	EXPECT_EQ(-ESRCH, dios_resume(t));
	dios_delete(0, t_ro);
	dios_delete(0, t_wo);
	dios_delete(0, r);
	dios_delete(0, t);
	/* Deleted */
	EXPECT_EQ(-EBADF, dios_task_wait(t, NULL));
}

/* Room for fewer handles than were delegated: -ENOSPC with the count. */
TEST_F(task, task_refs_capacity_too_small)
{
	dios_ref_t r, w, t;
	int status = -1;

	ASSERT_EQ(0, make_stream(&r, &w));
	ASSERT_EQ(0, run_mode("refs-nospc", NULL, (dios_ref_t[]){ r, w },
			      NULL, 2, &t));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(0, status);
	dios_delete(0, r);
	dios_delete(0, w);
	dios_delete(0, t);
}

/* A 32-bit kernel must not drop bit 63 of the pointer (uptr_test.c). */
TEST_F(task, task_refs_pointer_keeps_64_bits)
{
	EXPECT_EQ(0, run_with_read_end("refs-high"));
}

TEST_F(task, task_refs_errors)
{
	struct dios_task_refs_req q = { .flags = 1 };
	uint32_t n = 1;

	EXPECT_EQ(-EFAULT, dios_task_refs(NULL, NULL));
	EXPECT_EQ(-EFAULT, dios_task_refs(NULL, &n));
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_TASK_REFS),
					sizeof(q), &q));
	q.flags = 0;
	q.__pad = 1;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_TASK_REFS),
					sizeof(q), &q));
}

/* dios_run_chan: a task with a channel already connected. */
static int run_chan_mode(const char *mode, const dios_ref_t *refs,
			 const uint64_t *rights, uint32_t n, dios_ref_t *task,
			 struct dios_chan *c)
{
	const char *argv[] = { SELF, "child", mode, NULL };
	struct dios_task_spec spec = {
		.argv = argv, .refs = refs, .rights = rights, .n_refs = n,
	};

	return dios_run_chan(0, 0, SELF, &spec, task, c);
}

/*
 * Without other references, and with more than dios_chan_parent's first
 * try has room for.
 */
TEST_F(task, run_chan_round_trip)
{
	dios_ref_t refs[12], w[12], t;
	uint32_t n, k;
	struct dios_chan c;
	char buf[16];
	int i, status;

	for (k = 0; k < 12; k++)
		ASSERT_EQ(0, make_stream(&refs[k], &w[k]));
	for (n = 0; n <= 12; n += 12) {
		ASSERT_EQ(0, run_chan_mode("chan-echo", refs, NULL, n, &t,
					   &c));
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, dios_chan_send(0, &c, "abc", 3));
			ASSERT_EQ(3, dios_chan_recv(0, &c, buf, sizeof(buf)));
			EXPECT_EQ(0, memcmp(buf, "abc", 3));
		}
		/* Closing our end: the child drains, reads -EPIPE, exits 0. */
		ASSERT_EQ(0, dios_chan_close(&c));
		status = -1;
		ASSERT_EQ(0, dios_task_wait(t, &status));
		EXPECT_EQ(0, status);
		dios_delete(0, t);
	}
	for (k = 0; k < 12; k++) {
		dios_delete(0, refs[k]);
		dios_delete(0, w[k]);
	}
}

TEST_F(task, run_chan_refs_follow_the_channel)
{
	struct dios_create_args args = dios_test_args(DIOS_OBJ_SHMEM);
	uint64_t rights = DIOS_RIGHT_READ;
	struct dios_chan c;
	dios_ref_t shm, t;
	int status = -1;

	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &args,
				 &shm, NULL));
	ASSERT_EQ(0, run_chan_mode("chan-refs", &shm, &rights, 1, &t, &c));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(0, status);
	dios_chan_close(&c);
	dios_delete(0, shm);
	dios_delete(0, t);
}

/* A child killed while blocked on the channel: our end sees -EPIPE. */
TEST_F(task, run_chan_child_killed_while_blocked)
{
	struct dios_chan c;
	char buf[8];
	dios_ref_t t;

	ASSERT_EQ(0, run_chan_mode("chan-echo", NULL, NULL, 0, &t, &c));
	ASSERT_EQ(0, dios_chan_send(0, &c, "x", 1));
	ASSERT_EQ(1, dios_chan_recv(0, &c, buf, sizeof(buf)));
	/* Now it blocks in its next receive. */
	usleep(100000);
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, t));
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(-1));
	EXPECT_EQ(-EPIPE, dios_chan_recv(0, &c, buf, sizeof(buf)));
	EXPECT_EQ(-EPIPE, dios_chan_send(0, &c, "y", 1));
	dios_chan_close(&c);
}

TEST_F(task, run_chan_errors)
{
	struct dios_chan c = { 0 };
	dios_ref_t t = 0;

	EXPECT_EQ(-EINVAL, dios_run_chan(1, 0, SELF, NULL, &t, &c));
	EXPECT_EQ(-EFAULT, dios_run_chan(0, 0, SELF, NULL, &t, NULL));
	EXPECT_EQ(-EFAULT, dios_run_chan(0, 0, NULL, NULL, &t, &c));
	/* A failed start leaves no channel: the teardown counts streams. */
	EXPECT_EQ(-ENOENT, dios_run_chan(0, 0, "/nonexistent", NULL, &t, &c));
	EXPECT_EQ(0, c.tx);
	EXPECT_EQ(0, t);
	/* Not started by dios_run_chan. */
	EXPECT_EQ(-ENOENT, dios_chan_parent(&c));
	EXPECT_EQ(-EFAULT, dios_chan_parent(NULL));
}

/* The far ends the child gets, and our own end of the kernel's channel. */
TEST_F(task, run_chan_ends_and_rights)
{
	const char *argv[] = { SELF, "child", "chan-ends", "4096", "1", NULL };
	struct dios_task_spec spec = { .argv = argv, .n_refs = 1 };
	struct dios_ref_info tx, rx;
	struct dios_chan c;
	dios_ref_t r, w, t;
	int status = -1;

	DIOS_REQUIRE(DIOS_FEAT_RUN_CHAN);
	ASSERT_EQ(0, make_stream(&r, &w));
	spec.refs = &r;
	ASSERT_EQ(0, dios_run_chan(0, 4096, SELF, &spec, &t, &c));
	ASSERT_EQ(0, dios_ref_info(c.tx, &tx));
	ASSERT_EQ(0, dios_ref_info(c.rx, &rx));
	EXPECT_EQ(DIOS_RUN_CHAN_OWN_TX, tx.rights);
	EXPECT_EQ(DIOS_RUN_CHAN_OWN_RX, rx.rights);
	EXPECT_EQ(4096, tx.size);
	EXPECT_EQ(4096, rx.size);
	EXPECT_EQ(0, c.__hold[0]);
	EXPECT_EQ(0, c.__hold[1]);
	ASSERT_EQ(0, dios_task_wait(t, &status));
	EXPECT_EQ(0, status);
	/* Its ends are gone with its context: ours see -EPIPE. */
	EXPECT_EQ(-EPIPE, dios_chan_send(0, &c, "x", 1));
	EXPECT_EQ(0, dios_chan_close(&c));
	dios_delete(0, r);
	dios_delete(0, w);
	dios_delete(0, t);
}

/* A fresh fork child that waits for a byte on @go, then exits. */
static pid_t fork_waiting(int go[2])
{
	pid_t pid;
	char c;

	if (pipe(go))
		return -1;
	pid = fork();
	if (pid == 0) {
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	return pid;
}

static void end_waiting(int go[2], pid_t pid)
{
	close(go[1]);
	close(go[0]);
	kill(pid, SIGKILL);
	dios_test_wait(pid);
}

static int raw_run_chan(uint32_t pid, uint64_t flags, uint64_t capacity,
			uint32_t n, uint64_t refs, struct dios_run_req *out)
{
	struct dios_run_req req = { .flags = flags, .pid = pid, .n_refs = n,
				    .refs = refs, .capacity = capacity };
	int ret = dios_test_rw(_IOC_NR(DIOS_IOC_RUN), sizeof(req), &req);

	if (!ret && out)
		*out = req;
	else if (!ret) {
		dios_delete(0, req.task);
		dios_delete(0, req.chan_tx);
		dios_delete(0, req.chan_rx);
	}
	return ret;
}

TEST_F(task, raw_run_chan_errors)
{
	struct dios_version_req v;
	struct dios_run_req req;
	struct dios_ref_info info;
	int go[2];
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_RUN_CHAN);
	ASSERT_EQ(0, dios_version(&v));
	EXPECT_LE(2, v.abi_minor);
	pid = fork_waiting(go);
	ASSERT_LT(0, pid);
	/* A capacity without DIOS_RUN_CHAN */
	EXPECT_EQ(-EINVAL, raw_run_chan((uint32_t)pid, 0, 4096, 0, 0, NULL));
	/* The channel takes two of the 1024 */
	EXPECT_EQ(-EINVAL, raw_run_chan((uint32_t)pid, DIOS_RUN_CHAN, 4096,
					1023, 8, NULL));
	EXPECT_EQ(-EFAULT, raw_run_chan((uint32_t)pid, DIOS_RUN_CHAN, 4096,
					1022, 8, NULL));
	/* The streams' capacity, checked as dios_create checks it */
	EXPECT_EQ(-EINVAL, raw_run_chan((uint32_t)pid, DIOS_RUN_CHAN, 0, 0,
					0, NULL));
	EXPECT_EQ(-EFBIG, raw_run_chan((uint32_t)pid, DIOS_RUN_CHAN,
				       v.max_capacity + 1, 0, 0, NULL));
	/* Not a child */
	EXPECT_EQ(-ECHILD, raw_run_chan((uint32_t)getpid(), DIOS_RUN_CHAN,
					4096, 0, 0, NULL));
	/* None of that left a context waiting: this one starts. */
	ASSERT_EQ(0, raw_run_chan((uint32_t)pid, DIOS_RUN_CHAN, 4096, 0, 0,
				  &req));
	ASSERT_EQ(0, dios_ref_info(req.chan_tx, &info));
	EXPECT_EQ(DIOS_OBJ_STREAM, info.type);
	EXPECT_EQ(DIOS_RUN_CHAN_OWN_TX, info.rights);
	ASSERT_EQ(0, dios_ref_info(req.chan_rx, &info));
	EXPECT_EQ(DIOS_RUN_CHAN_OWN_RX, info.rights);
	EXPECT_EQ(-EBUSY, raw_run_chan((uint32_t)pid, DIOS_RUN_CHAN, 4096, 0,
				       0, NULL));
	dios_delete(0, req.task);
	dios_delete(0, req.chan_tx);
	dios_delete(0, req.chan_rx);
	end_waiting(go, pid);
}

/*
 * The reply cannot be copied out: the task and both channel ends are
 * deleted again and the child is left as it was (the fixture counts).
 */
TEST_F(task, raw_run_chan_reply_fault)
{
	struct dios_run_req *ro, req;
	long page = sysconf(_SC_PAGESIZE);
	int go[2];
	pid_t pid;

	DIOS_REQUIRE(DIOS_FEAT_RUN_CHAN);
	pid = fork_waiting(go);
	ASSERT_LT(0, pid);
	ro = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memset(ro, 0, sizeof(*ro));
	ro->flags = DIOS_RUN_CHAN;
	ro->pid = (uint32_t)pid;
	ro->capacity = 4096;
	ASSERT_EQ(0, mprotect(ro, (size_t)page, PROT_READ));
	EXPECT_EQ(-EFAULT, dios_test_rw(_IOC_NR(DIOS_IOC_RUN), sizeof(*ro),
					ro));
	req = *ro;
	munmap(ro, (size_t)page);
	ASSERT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_RUN), sizeof(req), &req));
	dios_delete(0, req.task);
	dios_delete(0, req.chan_tx);
	dios_delete(0, req.chan_rx);
	end_waiting(go, pid);
}

/* A caller built against ABI 1.0 passes the 40-byte struct. */
TEST_F(task, raw_run_first_version_size)
{
	struct dios_run_req req;
	int go[2];
	pid_t pid;

	pid = fork_waiting(go);
	ASSERT_LT(0, pid);
	memset(&req, 0, sizeof(req));
	req.pid = (uint32_t)pid;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_RUN),
					DIOS_RUN_REQ_SIZE_VER0 - 8, &req));
	req.chan_tx = 1;
	ASSERT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_RUN),
				  DIOS_RUN_REQ_SIZE_VER0, &req));
	EXPECT_NE(0, req.task);
	/* Nothing written past the caller's size. */
	EXPECT_EQ(1, req.chan_tx);
	dios_delete(0, req.task);
	end_waiting(go, pid);
}

/*
 * A child made by a raw clone() runs no atfork handler: whether or not
 * the parent mapped its metadata, the child must not use the parent's
 * context, and gets its own on its first call.
 */
static int raw_clone_child(dios_ref_t parents)
{
	struct dios_ref_info info;
	dios_ref_t self_task;

	if (dios_ref_info(parents, &info) != -EBADF)
		return 1;
	if (dios_task_self(&self_task))
		return 2;
	return dios_ref_info(self_task, &info) ? 3 : 0;
}

TEST_F(task, raw_clone_child_gets_its_own_context)
{
	struct dios_ref_info info;
	dios_ref_t r, w;
	int mapped;
	long pid;

	ASSERT_EQ(0, make_stream(&r, &w));
	for (mapped = 0; mapped < 2; mapped++) {
		if (mapped)
			ASSERT_EQ(0, dios_ref_info(r, &info));
		pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(raw_clone_child(r));
		EXPECT_EQ(0, dios_test_wait((pid_t)pid));
	}
	dios_delete(0, r);
	dios_delete(0, w);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "child"))
		return child_main(argc, argv);
	return test_harness_run(argc, argv);
}
