// SPDX-License-Identifier: GPL-2.0
/*
 * dios-bench: dios against its Linux counterparts, in one boot, for
 * `make bench`.  Every pair in pairs[] runs one warm-up of each side, then
 * REPS repetitions alternating dios and Linux; the JSON written to the -o
 * file holds the median, min and max of each side, the ratio dios/Linux
 * (median over median) and the target.  The whole program is pinned to CPU
 * 0, and so are the children it forks: ping-pong and stream pairs run
 * writer and reader on the same CPU.
 *
 * Every measurement checks its data (sequence stamps in each message, the
 * handles received...); a functional failure makes the program exit 1.  A
 * missed target is not a failure: scripts/bench.sh reports it.
 *
 * Rows whose dios side the module or libdios lacks (select without
 * DIOS_FEAT_SELECT or dios_select(), the seed programs without
 * DIOS_FEAT_TASKS or their binaries next to this one) are written as
 * "not yet implemented".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dios.h"

#define REPS		9
#define KIB		1024L
#define MIB		(1024L * 1024)
#define MEM_N		20000		/* objects or references per run */
#define STREAM_CAP	(4 * MIB)
#define PIPE_SZ		MIB
#define VMSPLICE_AREA	(8 * MIB)
#define PINGPONG_LEN	64
#define OPS_N		5000		/* operations per object-call run */
#define DELEG_N		2000		/* delegations per run */
#define RTT_N		4000		/* round trips per ping-pong run */

static long stream_total = 64 * MIB;	/* bytes per throughput run */

/* ---- failures -------------------------------------------------------- */

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "dios-bench: FAILED: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* A libdios call (negative errno) or a syscall (-1 + errno) must succeed. */
#define DCHECK(call) do {						\
	int __r = (call);						\
	if (__r < 0)							\
		fail("%s:%d %s: %s", __FILE__, __LINE__, #call,		\
		     strerror(-__r));					\
} while (0)
#define SCHECK(call) do {						\
	if ((call) < 0)							\
		fail("%s:%d %s: %s", __FILE__, __LINE__, #call,		\
		     strerror(errno));					\
} while (0)

/* ---- time, pinning, children ----------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Everything on CPU 0 but the child of a two-CPU row, on CPU 1. */
static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	SCHECK(sched_setaffinity(0, sizeof(set), &set));
}

static void full_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail("write: %s", n < 0 ? strerror(errno) : "short");
		p += n;
		len -= (size_t)n;
	}
}

static void full_read(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail("read: %s", n < 0 ? strerror(errno) : "EOF");
		p += n;
		len -= (size_t)n;
	}
}

/* Tell the other side we are ready / wait for it. */
static void sync_post(int fd)
{
	full_write(fd, "x", 1);
}

static void sync_wait(int fd)
{
	char c;

	full_read(fd, &c, 1);
}

/* Wait for a child; its non-zero exit is a functional failure. */
static void reap(pid_t pid, const char *what)
{
	int st;

	SCHECK(waitpid(pid, &st, 0));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail("%s: child failed (status %#x)", what, st);
}

static pid_t fork_child(void)
{
	pid_t pid = fork();

	SCHECK(pid);
	return pid;
}

/* ---- message stamps: the reader checks what the writer wrote --------- */

static void stamp(void *buf, long len, uint64_t seq)
{
	char *p = buf;
	long off;

	for (off = 0; off + 8 <= len; off += 4096)
		memcpy(p + off, &seq, 8);
	if (len >= 16)
		memcpy(p + len - 8, &seq, 8);
}

static int stamp_ok(const void *buf, long len, uint64_t seq)
{
	const char *p = buf;
	uint64_t v;
	long off;

	for (off = 0; off + 8 <= len; off += 4096) {
		memcpy(&v, p + off, 8);
		if (v != seq)
			return 0;
	}
	if (len >= 16) {
		memcpy(&v, p + len - 8, 8);
		if (v != seq)
			return 0;
	}
	return 1;
}

/* ---- dios helpers ----------------------------------------------------- */

static dios_ref_t shmem_create(uint64_t flags, struct dios_name *name)
{
	struct dios_create_args a = { .size = 4096 };
	dios_ref_t r;

	DCHECK(dios_create(flags, DIOS_OBJ_SHMEM, &a, &r, name));
	return r;
}

/* The ring_* rows: streams are ring streams (DIOS_CREATE_RING). */
static int use_ring;

/* The *_spin rows: the child of a ping-pong runs on CPU 1, not 0. */
static int pin_child_cpu;

static dios_ref_t stream_create(long cap, struct dios_name *name)
{
	struct dios_create_args a = { .capacity = (uint64_t)cap };
	dios_ref_t r;

	DCHECK(dios_create(use_ring ? DIOS_CREATE_RING : 0, DIOS_OBJ_STREAM,
			   &a, &r, name));
	return r;
}

static dios_ref_t lookup(const struct dios_name *name)
{
	dios_ref_t r;

	DCHECK(dios_lookup(0, name, DIOS_REF_NONE, &r));
	return r;
}

/* ---- object pairs: ns per operation ----------------------------------- */

static double dios_create_anon(long n)
{
	struct dios_create_args a = { .size = 4096 };
	double t = now_ns();
	dios_ref_t r;
	long i;

	for (i = 0; i < n; i++) {
		DCHECK(dios_create(DIOS_CREATE_ANON, DIOS_OBJ_PRIVMEM, &a, &r,
				   NULL));
		DCHECK(dios_delete(0, r));
	}
	return (now_ns() - t) / n;
}

static double linux_memfd(long n)
{
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		int fd = memfd_create("bench", MFD_CLOEXEC);

		SCHECK(fd);
		SCHECK(ftruncate(fd, 4096));
		SCHECK(close(fd));
	}
	return (now_ns() - t) / n;
}

static double dios_create_shmem(long n, uint64_t flags)
{
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		DCHECK(dios_delete(0, shmem_create(flags, NULL)));
	return (now_ns() - t) / n;
}

static double dios_create_shmem_anon(long n)
{
	return dios_create_shmem(n, DIOS_CREATE_ANON);
}

static double dios_create_shmem_named(long n)
{
	return dios_create_shmem(n, 0);
}

static double dios_lookup_delete(long n)
{
	struct dios_name name;
	dios_ref_t obj = shmem_create(0, &name);
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		DCHECK(dios_delete(0, lookup(&name)));
	t = (now_ns() - t) / n;
	DCHECK(dios_delete(0, obj));
	return t;
}

static double linux_open_close(long n)
{
	const char *path = "/tmp/dios-bench-file";
	double t;
	long i;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	SCHECK(fd);
	SCHECK(close(fd));
	t = now_ns();
	for (i = 0; i < n; i++) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		SCHECK(fd);
		SCHECK(close(fd));
	}
	t = (now_ns() - t) / n;
	SCHECK(unlink(path));
	return t;
}

static double dios_dup_delete(long n)
{
	dios_ref_t obj = shmem_create(DIOS_CREATE_ANON, NULL), d;
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		DCHECK(dios_dup(obj, DIOS_RIGHTS_ALL, &d));
		DCHECK(dios_delete(0, d));
	}
	t = (now_ns() - t) / n;
	DCHECK(dios_delete(0, obj));
	return t;
}

static double linux_dup_close(long n)
{
	int fd = memfd_create("bench", MFD_CLOEXEC);
	double t = now_ns();
	long i;

	SCHECK(fd);
	for (i = 0; i < n; i++) {
		int d = dup(fd);

		SCHECK(d);
		SCHECK(close(d));
	}
	t = (now_ns() - t) / n;
	SCHECK(close(fd));
	return t;
}

/* ---- delegation: sender side, n transfers timed, receiver idle -------- */

/*
 * The child publishes its own task object and sends the name up; the
 * parent copies one reference n times into it, then sends the n handles
 * the copies got there: the child checks each is a live SHMEM reference.
 */
static dios_ref_t remote[2 * MEM_N];

static void copy_child(int up, int down)
{
	struct dios_ref_info info;
	struct dios_name name;
	dios_ref_t self;
	long n, i;

	DCHECK(dios_task_self(&self));
	DCHECK(dios_publish(0, self, DIOS_REF_NONE, 0, &name));
	full_write(up, &name, sizeof(name));
	full_read(down, &n, sizeof(n));
	if (n > 2 * MEM_N)
		_exit(1);
	full_read(down, remote, (size_t)n * sizeof(remote[0]));
	for (i = 0; i < n; i++)
		if (dios_ref_info(remote[i], &info) ||
		    info.type != DIOS_OBJ_SHMEM)
			_exit(1);
	_exit(0);
}

static double dios_copy_send(long n)
{
	int up[2], down[2];
	struct dios_name tname;
	dios_ref_t task, obj;
	double t;
	long i;
	pid_t pid;

	SCHECK(pipe(up));
	SCHECK(pipe(down));
	pid = fork_child();
	if (pid == 0)
		copy_child(up[1], down[0]);
	full_read(up[0], &tname, sizeof(tname));
	task = lookup(&tname);
	obj = shmem_create(DIOS_CREATE_ANON, NULL);
	t = now_ns();
	for (i = 0; i < n; i++)
		DCHECK(dios_copy(0, &obj, 1, task, &remote[i]));
	t = (now_ns() - t) / n;
	full_write(down[1], &n, sizeof(n));
	full_write(down[1], remote, (size_t)n * sizeof(remote[0]));
	reap(pid, "dios_copy receiver");
	DCHECK(dios_delete(0, obj));
	DCHECK(dios_delete(0, task));
	close(up[0]), close(up[1]), close(down[0]), close(down[1]);
	return t;
}

static void send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &m, 0) != 1)
		fail("sendmsg SCM_RIGHTS: %s", strerror(errno));
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS || byte != 'f')
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Receive n descriptors once told to, check each is a memfd, close. */
static void scm_child(int sock, int down)
{
	long n, i;

	full_read(down, &n, sizeof(n));
	for (i = 0; i < n; i++) {
		int fd = recv_fd(sock);

		if (fd < 0 || lseek(fd, 0, SEEK_END) != 4096)
			_exit(1);
		close(fd);
	}
	_exit(0);
}

static double linux_scm_send(long n)
{
	int sv[2], down[2], fd, big = 64 * MIB;
	double t;
	long i;
	pid_t pid;

	SCHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	SCHECK(pipe(down));
	/* Room for every message: the sender never waits for the reader. */
	if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		SCHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big,
				  sizeof(big)));
	fd = memfd_create("bench", MFD_CLOEXEC);
	SCHECK(fd);
	SCHECK(ftruncate(fd, 4096));
	pid = fork_child();
	if (pid == 0)
		scm_child(sv[1], down[0]);
	t = now_ns();
	for (i = 0; i < n; i++)
		send_fd(sv[0], fd);
	t = (now_ns() - t) / n;
	full_write(down[1], &n, sizeof(n));
	reap(pid, "SCM_RIGHTS receiver");
	close(fd), close(sv[0]), close(sv[1]), close(down[0]), close(down[1]);
	return t;
}

/* ---- delegation including the receiver: pipelined over a channel ----- */

/*
 * dios: each message of a stream carries one duplicate of a reference
 * (DIOS_IO_REFS; the duplicate leaves the sender's table); the reader gets
 * it installed, checks it and deletes it.  Time until the reader is done.
 */
static void refs_reader(const struct dios_name *name, long n, int up)
{
	struct dios_iovec r = { 0 };
	struct dios_ref_info info;
	dios_ref_t s = lookup(name), got[1];
	long i;

	sync_post(up);
	for (i = 0; i < n; i++) {
		r.refs = got;
		r.n_refs = 1;
		if (i == 0) {
			DCHECK(dios_acquire_read(0, s, 64, &r));
		} else {
			r.next_len = 64;
			DCHECK(dios_commit_read(DIOS_IO_REARM, s, &r));
		}
		if (r.n_refs != 1 || dios_ref_info(got[0], &info) ||
		    info.type != DIOS_OBJ_SHMEM || !stamp_ok(r.buf, 8, i))
			_exit(1);
		DCHECK(dios_delete(0, got[0]));
	}
	DCHECK(dios_commit_read(0, s, &r));
	sync_post(up);
	_exit(0);
}

static double dios_refs_pipelined(long n)
{
	struct dios_name name;
	struct dios_iovec w = { 0 };
	dios_ref_t s = stream_create(256 * KIB, &name), obj, d;
	int up[2];
	double t;
	long i;
	pid_t pid;

	obj = shmem_create(DIOS_CREATE_ANON, NULL);
	SCHECK(pipe(up));
	pid = fork_child();
	if (pid == 0)
		refs_reader(&name, n, up[1]);
	sync_wait(up[0]);
	t = now_ns();
	DCHECK(dios_acquire_write(0, s, 8, &w));
	for (i = 0; i < n; i++) {
		DCHECK(dios_dup(obj, DIOS_RIGHTS_ALL, &d));
		stamp(w.buf, 8, i);
		w.refs = &d;
		w.n_refs = 1;
		w.next_len = 8;
		DCHECK(dios_commit_write(DIOS_IO_REFS | DIOS_IO_REARM, s, 8,
					 &w));
	}
	sync_wait(up[0]);
	t = (now_ns() - t) / n;
	DCHECK(dios_release_write(0, s, &w));
	reap(pid, "dios refs reader");
	DCHECK(dios_delete(0, s));
	DCHECK(dios_delete(0, obj));
	close(up[0]), close(up[1]);
	return t;
}

static double linux_scm_pipelined(long n)
{
	int sv[2], up[2], fd;
	double t;
	long i;
	pid_t pid;

	SCHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	SCHECK(pipe(up));
	fd = memfd_create("bench", MFD_CLOEXEC);
	SCHECK(fd);
	SCHECK(ftruncate(fd, 4096));
	pid = fork_child();
	if (pid == 0) {
		sync_post(up[1]);
		for (i = 0; i < n; i++) {
			int r = recv_fd(sv[1]);

			if (r < 0 || lseek(r, 0, SEEK_END) != 4096)
				_exit(1);
			close(r);
		}
		sync_post(up[1]);
		_exit(0);
	}
	sync_wait(up[0]);
	t = now_ns();
	for (i = 0; i < n; i++)
		send_fd(sv[0], fd);
	sync_wait(up[0]);
	t = (now_ns() - t) / n;
	reap(pid, "SCM_RIGHTS pipelined receiver");
	close(fd), close(sv[0]), close(sv[1]), close(up[0]), close(up[1]);
	return t;
}

/* ---- ping-pong: ns per round trip of 64 bytes, same CPU -------------- */

/* dios: stream a carries parent->child, stream b child->parent. */
static void dios_pong(const struct dios_name *na, const struct dios_name *nb,
		      long n, int up)
{
	struct dios_iovec r = { 0 }, w = { 0 };
	dios_ref_t a = lookup(na), b = lookup(nb);
	long i;

	DCHECK(dios_acquire_write(0, b, PINGPONG_LEN, &w));
	sync_post(up);
	for (i = 0; i < n; i++) {
		if (i == 0) {
			DCHECK(dios_acquire_read(0, a, PINGPONG_LEN, &r));
		} else {
			r.next_len = PINGPONG_LEN;
			DCHECK(dios_commit_read(DIOS_IO_REARM, a, &r));
		}
		if (r.len != PINGPONG_LEN || !stamp_ok(r.buf, PINGPONG_LEN, i))
			_exit(1);
		stamp(w.buf, PINGPONG_LEN, i + 1);
		w.next_len = PINGPONG_LEN;
		DCHECK(dios_commit_write(DIOS_IO_REARM, b, PINGPONG_LEN, &w));
	}
	DCHECK(dios_commit_read(0, a, &r));
	DCHECK(dios_release_write(0, b, &w));
	_exit(0);
}

static double dios_pingpong(long n)
{
	struct dios_name na, nb;
	struct dios_iovec r = { 0 }, w = { 0 };
	dios_ref_t a = stream_create(64 * KIB, &na);
	dios_ref_t b = stream_create(64 * KIB, &nb);
	int up[2];
	double t;
	long i;
	pid_t pid;

	SCHECK(pipe(up));
	pid = fork_child();
	if (pid == 0)
		dios_pong(&na, &nb, n, up[1]);
	DCHECK(dios_acquire_write(0, a, PINGPONG_LEN, &w));
	sync_wait(up[0]);
	t = now_ns();
	for (i = 0; i < n; i++) {
		stamp(w.buf, PINGPONG_LEN, i);
		w.next_len = PINGPONG_LEN;
		DCHECK(dios_commit_write(DIOS_IO_REARM, a, PINGPONG_LEN, &w));
		if (i == 0) {
			DCHECK(dios_acquire_read(0, b, PINGPONG_LEN, &r));
		} else {
			r.next_len = PINGPONG_LEN;
			DCHECK(dios_commit_read(DIOS_IO_REARM, b, &r));
		}
		if (r.len != PINGPONG_LEN ||
		    !stamp_ok(r.buf, PINGPONG_LEN, i + 1))
			fail("dios ping-pong: bad reply %ld", i);
	}
	t = (now_ns() - t) / n;
	DCHECK(dios_commit_read(0, b, &r));
	DCHECK(dios_release_write(0, a, &w));
	reap(pid, "dios pong");
	DCHECK(dios_delete(0, a));
	DCHECK(dios_delete(0, b));
	close(up[0]), close(up[1]);
	return t;
}

/*
 * The same with the copying calls: the child answers each ping and waits
 * for the next in one dios_call(), the parent sends and waits for the
 * answer in one: one system call per side per round trip, no view.
 */
static void dios_pong_call(const struct dios_name *na,
			   const struct dios_name *nb, long n, int up)
{
	dios_ref_t a = lookup(na), b = lookup(nb);
	char buf[PINGPONG_LEN];
	long i;
	int ret;

	if (pin_child_cpu)
		pin_cpu(1);
	sync_post(up);
	ret = dios_recv(0, a, buf, sizeof(buf));
	for (i = 0; i < n; i++) {
		if (ret != PINGPONG_LEN || !stamp_ok(buf, PINGPONG_LEN, i))
			_exit(1);
		stamp(buf, PINGPONG_LEN, i + 1);
		ret = i + 1 < n ?
		      dios_call(0, b, buf, PINGPONG_LEN, a, buf, sizeof(buf),
				NULL) :
		      dios_send(0, b, buf, PINGPONG_LEN);
	}
	_exit(ret < 0 ? 1 : 0);
}

static double dios_pingpong_call(long n)
{
	struct dios_name na, nb;
	dios_ref_t a = stream_create(64 * KIB, &na);
	dios_ref_t b = stream_create(64 * KIB, &nb);
	char buf[PINGPONG_LEN];
	int up[2], ret;
	double t;
	long i;
	pid_t pid;

	SCHECK(pipe(up));
	pid = fork_child();
	if (pid == 0)
		dios_pong_call(&na, &nb, n, up[1]);
	sync_wait(up[0]);
	t = now_ns();
	for (i = 0; i < n; i++) {
		stamp(buf, PINGPONG_LEN, i);
		ret = dios_call(0, a, buf, PINGPONG_LEN, b, buf, sizeof(buf),
				NULL);
		if (ret != PINGPONG_LEN || !stamp_ok(buf, PINGPONG_LEN, i + 1))
			fail("dios call ping-pong: bad reply %ld (%d)", i, ret);
	}
	t = (now_ns() - t) / n;
	reap(pid, "dios call pong");
	DCHECK(dios_delete(0, a));
	DCHECK(dios_delete(0, b));
	close(up[0]), close(up[1]);
	return t;
}

/*
 * Linux: send 64 bytes on fd tx, get them back stamped i + 1 on rx.  The
 * child does the mirror image.  Pipes and socketpairs share this.
 */
static void fd_pong(int rx, int tx, long n)
{
	char buf[PINGPONG_LEN];
	long i;

	if (pin_child_cpu)
		pin_cpu(1);
	for (i = 0; i < n; i++) {
		full_read(rx, buf, sizeof(buf));
		if (!stamp_ok(buf, sizeof(buf), i))
			_exit(1);
		stamp(buf, sizeof(buf), i + 1);
		full_write(tx, buf, sizeof(buf));
	}
	_exit(0);
}

static double fd_pingpong(int p_rx, int p_tx, int c_rx, int c_tx, long n)
{
	char buf[PINGPONG_LEN];
	double t;
	long i;
	pid_t pid = fork_child();

	if (pid == 0) {
		close(p_rx), close(p_tx);
		fd_pong(c_rx, c_tx, n);
	}
	/* The first round trip also waits for the child to start. */
	stamp(buf, sizeof(buf), 0);
	full_write(p_tx, buf, sizeof(buf));
	full_read(p_rx, buf, sizeof(buf));
	t = now_ns();
	for (i = 1; i < n; i++) {
		stamp(buf, sizeof(buf), i);
		full_write(p_tx, buf, sizeof(buf));
		full_read(p_rx, buf, sizeof(buf));
		if (!stamp_ok(buf, sizeof(buf), i + 1))
			fail("ping-pong: bad reply %ld", i);
	}
	t = (now_ns() - t) / (n - 1);
	reap(pid, "pong");
	close(p_rx), close(p_tx), close(c_rx), close(c_tx);
	return t;
}

static double pipe_pingpong(long n)
{
	int down[2], up[2];

	SCHECK(pipe2(down, O_CLOEXEC));
	SCHECK(pipe2(up, O_CLOEXEC));
	return fd_pingpong(up[0], down[1], down[0], up[1], n);
}

static double unix_pingpong(long n)
{
	int sv[2], p_tx, c_tx;

	SCHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	SCHECK(p_tx = dup(sv[0]));
	SCHECK(c_tx = dup(sv[1]));
	return fd_pingpong(sv[0], p_tx, sv[1], c_tx, n);
}

/* eventfd + shared memory: the message lives in a shared page. */
static double eventfd_pingpong(long n)
{
	char *shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int e_down = eventfd(0, EFD_CLOEXEC), e_up = eventfd(0, EFD_CLOEXEC);
	uint64_t v = 1;
	double t = 0;
	long i;
	pid_t pid;

	if (shm == MAP_FAILED || e_down < 0 || e_up < 0)
		fail("eventfd ping-pong setup: %s", strerror(errno));
	pid = fork_child();
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			full_read(e_down, &v, 8);
			if (!stamp_ok(shm, PINGPONG_LEN, i))
				_exit(1);
			stamp(shm, PINGPONG_LEN, i + 1);
			v = 1;
			full_write(e_up, &v, 8);
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		if (i == 1)
			t = now_ns();
		stamp(shm, PINGPONG_LEN, i);
		v = 1;
		full_write(e_down, &v, 8);
		full_read(e_up, &v, 8);
		if (!stamp_ok(shm, PINGPONG_LEN, i + 1))
			fail("eventfd ping-pong: bad reply %ld", i);
	}
	t = (now_ns() - t) / (n - 1);
	reap(pid, "eventfd pong");
	close(e_down), close(e_up);
	munmap(shm, 4096);
	return t;
}

/* ---- stream throughput: MB/s, writer parent, reader child ------------ */

/*
 * Messages per timed run: stream_total bytes, but at least 4096 messages
 * (up to 4 * stream_total bytes), so that the large sizes average over
 * enough wake-ups to repeat from boot to boot; at most 65536.
 */
static long stream_msgs(long size)
{
	long n = stream_total / size;

	if (n < 4096)
		n = 4 * stream_total / size < 4096 ? 4 * stream_total / size :
		    4096;
	return n > 65536 ? 65536 : n;
}

static double mbps(long size, long n, double ns)
{
	return (double)size * n / (ns / 1e9) / 1e6;
}

/*
 * Untimed messages before the timed ones, on both sides alike: one ring's
 * worth (at most 16384), so the timed run sees the steady state (every
 * ring page allocated and mapped, the pipe's buffers in use) rather than
 * the first pass over a new stream.
 */
static long stream_warm(long size)
{
	long cap = 2 * size > STREAM_CAP ? 2 * size : STREAM_CAP;

	return cap / size > 16384 ? 16384 : cap / size;
}

/* Reads w warm-up then n timed messages, telling the writer after each. */
static void dios_stream_reader(const struct dios_name *name, long size,
			       long w, long n, int up)
{
	struct dios_iovec r = { 0 };
	dios_ref_t s = lookup(name);
	long i;

	sync_post(up);
	for (i = 0; i < w + n; i++) {
		if (i == 0) {
			DCHECK(dios_acquire_read(0, s, (uint64_t)size, &r));
		} else {
			r.next_len = (uint64_t)size;
			DCHECK(dios_commit_read(DIOS_IO_REARM, s, &r));
		}
		if ((long)r.len != size || !stamp_ok(r.buf, size, i))
			_exit(1);
		if (i + 1 == w)
			sync_post(up);
	}
	DCHECK(dios_commit_read(0, s, &r));
	sync_post(up);
	_exit(0);
}

static double dios_stream(long size)
{
	long n = stream_msgs(size), w = stream_warm(size), i;
	long cap = 2 * size > STREAM_CAP ? 2 * size : STREAM_CAP;
	struct dios_name name;
	struct dios_iovec wr = { 0 };
	dios_ref_t s = stream_create(cap, &name);
	int up[2];
	double t = 0;
	pid_t pid;

	SCHECK(pipe(up));
	pid = fork_child();
	if (pid == 0)
		dios_stream_reader(&name, size, w, n, up[1]);
	sync_wait(up[0]);
	DCHECK(dios_acquire_write(0, s, (uint64_t)size, &wr));
	for (i = 0; i < w + n; i++) {
		if (i == w) {
			sync_wait(up[0]);
			t = now_ns();
		}
		stamp(wr.buf, size, i);
		wr.next_len = (uint64_t)size;
		DCHECK(dios_commit_write(i + 1 < w + n ? DIOS_IO_REARM : 0, s,
					 (uint64_t)size, &wr));
	}
	sync_wait(up[0]);
	t = now_ns() - t;
	reap(pid, "dios stream reader");
	DCHECK(dios_delete(0, s));
	close(up[0]), close(up[1]);
	return mbps(size, n, t);
}

static void pipe_reader(int rx, long size, long w, long n, int up)
{
	char *buf = malloc((size_t)size);
	long i;

	if (!buf)
		_exit(1);
	sync_post(up);
	for (i = 0; i < w + n; i++) {
		full_read(rx, buf, (size_t)size);
		if (!stamp_ok(buf, size, i))
			_exit(1);
		if (i + 1 == w)
			sync_post(up);
	}
	sync_post(up);
	_exit(0);
}

/* A pipe whose buffer is PIPE_SZ if the system lets us. */
static void big_pipe(int p[2])
{
	SCHECK(pipe2(p, O_CLOEXEC));
	fcntl(p[1], F_SETPIPE_SZ, PIPE_SZ);
}

/*
 * Write messages first .. first + n - 1 of size into p[1] with write() or
 * vmsplice().
 */
static void pipe_writer(int tx, char *buf, long area, long size, long first,
			long n, int splice)
{
	long pos = 0, i;

	for (i = first; i < first + n; i++) {
		char *p;
		long left = size;

		/*
		 * vmsplice() lends the pages: at most PIPE_SZ of them are in
		 * the pipe, so a message is rewritten only well after the
		 * reader copied it out.
		 */
		if (pos + size > area)
			pos = 0;
		p = buf + pos;
		stamp(p, size, i);
		pos += splice ? size : 0;
		while (left) {
			struct iovec iov = { .iov_base = p,
					     .iov_len = (size_t)left };
			ssize_t k = splice ? vmsplice(tx, &iov, 1, 0) :
					     write(tx, p, (size_t)left);

			if (k <= 0)
				fail("pipe %s: %s",
				     splice ? "vmsplice" : "write",
				     k < 0 ? strerror(errno) : "0");
			p += k;
			left -= k;
		}
	}
}

static double pipe_stream(long size, int splice)
{
	long n = stream_msgs(size), w = stream_warm(size);
	long area = splice ? VMSPLICE_AREA : size;
	int p[2], up[2];
	double t;
	pid_t pid;
	char *buf = mmap(NULL, (size_t)area, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (buf == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	big_pipe(p);
	SCHECK(pipe(up));
	pid = fork_child();
	if (pid == 0) {
		close(p[1]);
		pipe_reader(p[0], size, w, n, up[1]);
	}
	sync_wait(up[0]);
	pipe_writer(p[1], buf, area, size, 0, w, splice);
	sync_wait(up[0]);
	t = now_ns();
	pipe_writer(p[1], buf, area, size, w, n, splice);
	sync_wait(up[0]);
	t = now_ns() - t;
	reap(pid, "pipe reader");
	munmap(buf, (size_t)area);
	close(p[0]), close(p[1]), close(up[0]), close(up[1]);
	return mbps(size, n, t);
}

static double linux_pipe_stream(long size)
{
	return pipe_stream(size, 0);
}

static double linux_vmsplice_stream(long size)
{
	return pipe_stream(size, 1);
}

/*
 * ---- kernel memory: bytes per object / reference, from /proc/slabinfo --
 *
 * MEM_N objects or references are made, the slab bytes in use measured
 * before and after.  Only slab objects count, not pages: a dup()ed fd,
 * which costs only its slot in a kvmalloc'ed table, would show nothing, so
 * a reference is compared with an independent open() of one file (a
 * struct file each, with its own mode, as a reference has its rights).
 */

/*
 * Bytes of slab objects in use: the sum over caches of active objects
 * times object size.  Counting objects, not pages, keeps slab pages cached
 * by an earlier run from hiding the next run's allocations.
 */
static long slab_bytes(void)
{
	char line[512], name[64];
	long active, total, size, sum = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		fail("/proc/slabinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &total,
			   &size) == 4)
			sum += active * size;
	fclose(f);
	return sum;
}

static dios_ref_t refs[MEM_N];
static int fds[MEM_N];

/*
 * Let the frees of the previous run finish first: references, objects and
 * files are freed after an RCU grace period (and files after the deferred
 * fput), which would otherwise land inside the next measurement.
 */
static long mem_settled(long (*meter)(void))
{
	usleep(200000);
	return meter();
}

/* Anonymous objects of @type, each with its creator's reference. */
static double dios_mem_objects_m(long n, long (*meter)(void), uint32_t type,
				 const struct dios_create_args *a)
{
	long before = mem_settled(meter), after, i;

	for (i = 0; i < n; i++)
		DCHECK(dios_create(DIOS_CREATE_ANON, type, a, &refs[i], NULL));
	after = meter();
	for (i = 0; i < n; i++)
		DCHECK(dios_delete(0, refs[i]));
	return (double)(after - before) / n;
}

static double linux_mem_memfds_m(long n, long (*meter)(void))
{
	long before = mem_settled(meter), after, i;

	for (i = 0; i < n; i++) {
		fds[i] = memfd_create("bench", MFD_CLOEXEC);
		SCHECK(fds[i]);
		SCHECK(ftruncate(fds[i], 4096));
	}
	after = meter();
	for (i = 0; i < n; i++)
		SCHECK(close(fds[i]));
	return (double)(after - before) / n;
}

/* A pipe: both ends, as a stream reference is both. */
static double linux_mem_pipes_m(long n, long (*meter)(void))
{
	long before = mem_settled(meter), after, i;

	for (i = 0; i < n / 2; i++)
		SCHECK(pipe2(&fds[2 * i], O_CLOEXEC));
	after = meter();
	for (i = 0; i < 2 * (n / 2); i++)
		SCHECK(close(fds[i]));
	return (double)(after - before) / (n / 2);
}

static double dios_mem_refs_m(long n, long (*meter)(void))
{
	dios_ref_t obj = shmem_create(DIOS_CREATE_ANON, NULL);
	long before = mem_settled(meter), after, i;

	for (i = 0; i < n; i++)
		DCHECK(dios_dup(obj, DIOS_RIGHTS_ALL, &refs[i]));
	after = meter();
	for (i = 0; i < n; i++)
		DCHECK(dios_delete(0, refs[i]));
	DCHECK(dios_delete(0, obj));
	return (double)(after - before) / n;
}

/* Independent opens of one tmpfs file: a struct file each, own mode. */
static double linux_mem_opens_m(long n, long (*meter)(void))
{
	const char *path = "/tmp/dios-bench-mem";
	long before, after, i;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	SCHECK(fd);
	before = mem_settled(meter);
	for (i = 0; i < n; i++)
		SCHECK(fds[i] = open(path, O_RDWR | O_CLOEXEC));
	after = meter();
	for (i = 0; i < n; i++)
		SCHECK(close(fds[i]));
	close(fd);
	SCHECK(unlink(path));
	return (double)(after - before) / n;
}

static double dios_mem_objects(long n)
{
	struct dios_create_args a = { .size = 4096 };

	return dios_mem_objects_m(n, slab_bytes, DIOS_OBJ_SHMEM, &a);
}

static double linux_mem_memfds(long n)
{
	return linux_mem_memfds_m(n, slab_bytes);
}

static double dios_mem_refs(long n)
{
	return dios_mem_refs_m(n, slab_bytes);
}

static double linux_mem_opens(long n)
{
	return linux_mem_opens_m(n, slab_bytes);
}

static double dios_mem_streams(long n)
{
	struct dios_create_args a = { .capacity = 64 * KIB };

	/* A stream with an empty queue, of a pipe's default capacity. */
	return dios_mem_objects_m(n, slab_bytes, DIOS_OBJ_STREAM, &a);
}

static double linux_mem_pipes(long n)
{
	return linux_mem_pipes_m(n, slab_bytes);
}

/* ---- select: 1 ready reference among N, ns per call ------------------- */

#define SEL_MAX		10000

/* Calls per repetition: the scan is O(N) for dios and poll. */
static long select_iters(long n)
{
	long it = 2000000 / n;

	return it > 40000 ? 40000 : it < 200 ? 200 : it;
}

/*
 * N - 1 references to empty streams (not readable: their creator, this
 * task, is a writer) and, last, one stream holding a message: the worst
 * case for a scan.  Linux: N - 1 empty pipes and one with a byte.  Built
 * once, kept to the end of the run.
 */
static int sel_fds[SEL_MAX];

#ifdef DIOS_IOC_SELECT
static dios_ref_t sel_refs[SEL_MAX];

static void dios_select_setup(void)
{
	struct dios_create_args a = { .capacity = 4096 };
	struct dios_iovec w = { 0 };
	long i;

	if (sel_refs[0])
		return;
	for (i = 0; i < SEL_MAX; i++)
		DCHECK(dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a,
				   &sel_refs[i], NULL));
	DCHECK(dios_acquire_write(0, sel_refs[SEL_MAX - 1], 8, &w));
	DCHECK(dios_commit_write(0, sel_refs[SEL_MAX - 1], 8, &w));
}

static double dios_select_n(long n)
{
	const dios_ref_t *refs = sel_refs + SEL_MAX - n;
	long iters = select_iters(n), i;
	uint32_t idx;
	double t;

	dios_select_setup();
	t = now_ns();
	for (i = 0; i < iters; i++) {
		DCHECK(dios_select(0, refs, (uint32_t)n, DIOS_EV_READ, -1,
				   &idx));
		if (idx != (uint32_t)n - 1)
			fail("dios_select: ready index %u, not %ld", idx,
			     n - 1);
	}
	return (now_ns() - t) / iters;
}

/*
 * The persistent interest set, dios's counterpart of an epoll set: the N
 * references are registered once, outside the timing, as the epoll row
 * registers its N descriptors, and each wait walks only ready entries.
 */
static double dios_interest_n(long n)
{
	const dios_ref_t *refs = sel_refs + SEL_MAX - n;
	long iters = select_iters(n), i;
	struct dios_interest_event ev;
	double t;

	dios_select_setup();
	for (i = 0; i < n; i++)
		DCHECK(dios_interest_add(refs[i], DIOS_EV_READ, (uint64_t)i));
	/* Untimed: the first wait settles what the registrations queued. */
	DCHECK(dios_interest_wait(0, &ev, 1, -1));
	t = now_ns();
	for (i = 0; i < iters; i++)
		if (dios_interest_wait(0, &ev, 1, -1) != 1 ||
		    ev.cookie != (uint64_t)n - 1)
			fail("dios_interest_wait: wrong ready set");
	t = (now_ns() - t) / iters;
	for (i = 0; i < n; i++)
		DCHECK(dios_interest_del(refs[i]));
	return t;
}
#else
static double dios_select_n(long n)
{
	fail("dios_select(%ld): not in this libdios", n);
	return 0;
}

static double dios_interest_n(long n)
{
	fail("dios_interest_wait(%ld): not in this libdios", n);
	return 0;
}
#endif

static void fd_select_setup(void)
{
	int p[2];
	long i;

	if (sel_fds[0])
		return;
	for (i = 0; i < SEL_MAX; i++) {
		SCHECK(pipe2(p, O_CLOEXEC));
		sel_fds[i] = p[0];	/* the write end stays open, unused */
	}
	full_write(p[1], "x", 1);
}

static double linux_epoll_n(long n)
{
	const int *fds = sel_fds + SEL_MAX - n;
	long iters = select_iters(n), i;
	struct epoll_event ev;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	double t;

	SCHECK(ep);
	fd_select_setup();
	for (i = 0; i < n; i++) {
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)i;
		SCHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev));
	}
	/* Untimed, as for the interest set. */
	SCHECK(epoll_wait(ep, &ev, 1, -1));
	t = now_ns();
	for (i = 0; i < iters; i++)
		if (epoll_wait(ep, &ev, 1, -1) != 1 ||
		    ev.data.u64 != (uint64_t)n - 1)
			fail("epoll_wait: wrong ready set");
	t = (now_ns() - t) / iters;
	close(ep);
	return t;
}

static struct pollfd sel_pfd[SEL_MAX];

static double linux_poll_n(long n)
{
	long iters = select_iters(n), i;
	double t;

	fd_select_setup();
	for (i = 0; i < n; i++)
		sel_pfd[i] = (struct pollfd){ .fd = sel_fds[SEL_MAX - n + i],
					      .events = POLLIN };
	t = now_ns();
	for (i = 0; i < iters; i++)
		if (poll(sel_pfd, (nfds_t)n, -1) != 1 ||
		    sel_pfd[n - 1].revents != POLLIN)
			fail("poll: wrong ready set");
	return (now_ns() - t) / iters;
}

/* ---- the seed programs ------------------------------------------------ */

/*
 * Whole runs of the seed programs (tools/seed-*.c, installed next to this
 * program), one variant per run, timed from fork to exit.  Each program
 * checks its result; a wrong one fails the benchmark.
 */
static char seed_dir[256];

static double seed_run(const char *prog, const char *a1, const char *a2,
		       const char *a3)
{
	char path[300];
	double t0 = now_ns();
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", seed_dir, prog);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		execl(path, path, a1, a2, a3, (char *)NULL);
		_exit(127);
	}
	reap(pid, prog);
	return now_ns() - t0;
}

#define SEED_FIB_N	"12"
#define SEED_ROUNDS	"1200"

static double dios_seed_fib(long n)
{
	return seed_run("seed-fib", "dios", SEED_FIB_N, NULL) / (double)n;
}

static double linux_seed_fib(long n)
{
	return seed_run("seed-fib", "linux", SEED_FIB_N, NULL) / (double)n;
}

static double dios_seed_primes(long n)
{
	return seed_run("seed-primes", "dios", NULL, NULL) / (double)n;
}

static double linux_seed_primes(long n)
{
	return seed_run("seed-primes", "linux", NULL, NULL) / (double)n;
}

static double dios_seed_pp_select(long n)
{
	return seed_run("seed-pingpong", "dios", "select", SEED_ROUNDS) /
	       (double)n;
}

static double linux_seed_pp_select(long n)
{
	return seed_run("seed-pingpong", "linux", "select", SEED_ROUNDS) /
	       (double)n;
}

static double dios_seed_pp_noselect(long n)
{
	return seed_run("seed-pingpong", "dios", "noselect", SEED_ROUNDS) /
	       (double)n;
}

static double linux_seed_pp_noselect(long n)
{
	return seed_run("seed-pingpong", "linux", "noselect", SEED_ROUNDS) /
	       (double)n;
}

/* ---- the Go package ---------------------------------------------------- */

/*
 * go/cmd/dios-gobench, installed next to this program: a 64-byte ping-pong
 * between two Go processes, timed by the program itself over n round trips
 * after a warm-up (Go's start-up is left out) and printed in ns per round
 * trip.  It checks every answer; a wrong one fails the benchmark.
 */
#define NEED_GO		(1ULL << 63)	/* not a module feature: the binary */
#define NEED_SMP	(1ULL << 62)	/* two CPUs online: not in icount mode */

static double go_pingpong(const char *mode, long n)
{
	char path[300], count[24], out[64];
	size_t len = 0;
	ssize_t r;
	double ns;
	pid_t pid;
	int fds[2];

	snprintf(path, sizeof(path), "%s/dios-gobench", seed_dir);
	snprintf(count, sizeof(count), "%ld", n);
	SCHECK(pipe(fds));
	pid = fork_child();
	if (pid == 0) {
		dup2(fds[1], 1);
		execl(path, path, mode, count, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (len < sizeof(out) - 1 &&
	       (r = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = 0;
	close(fds[0]);
	reap(pid, "dios-gobench");
	if (sscanf(out, "%lf", &ns) != 1)
		fail("dios-gobench %s: no figure", mode);
	return ns;
}

static double go_chan(long n)
{
	return go_pingpong("chan", n);
}

static double go_chan_kwait(long n)
{
	return go_pingpong("chan-kwait", n);
}

static double go_pipe(long n)
{
	return go_pingpong("pipe", n);
}

static double go_raw(long n)
{
	return go_pingpong("raw", n);
}

/* ---- ring streams: the same programs, messages moved in user space ---- */

static double ring_stream(long size)
{
	double r;

	use_ring = 1;
	r = dios_stream(size);
	use_ring = 0;
	return r;
}

static double ring_pingpong_call(long n)
{
	double r;

	use_ring = 1;
	r = dios_pingpong_call(n);
	use_ring = 0;
	return r;
}

/*
 * Two CPUs, both sides spinning: the parent on CPU 0, the child on CPU 1.
 * libdios spins before it sleeps (docs/ring.md, "Spinning"); the baseline
 * is the least any shared-memory protocol can do, a sequence word each
 * way and the 64 bytes in the same page, spun on with no system call.
 */
static double ring_pingpong_spin(long n)
{
	double r;

	use_ring = 1;
	pin_child_cpu = 1;
	r = dios_pingpong_call(n);
	pin_child_cpu = 0;
	use_ring = 0;
	return r;
}

static double spin_pingpong(long n)
{
	char *shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t *down, *up;
	char *msg;
	double t = 0;
	long i;
	pid_t pid;

	if (shm == MAP_FAILED)
		fail("spin ping-pong setup: %s", strerror(errno));
	down = (uint64_t *)shm;
	up = (uint64_t *)(shm + 128);
	msg = shm + 256;
	pid = fork_child();
	if (pid == 0) {
		pin_cpu(1);
		for (i = 0; i < n; i++) {
			while (__atomic_load_n(down, __ATOMIC_ACQUIRE) !=
			       (uint64_t)i + 1)
				;
			if (!stamp_ok(msg, PINGPONG_LEN, i))
				_exit(1);
			stamp(msg, PINGPONG_LEN, i + 1);
			__atomic_store_n(up, (uint64_t)i + 1, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		if (i == 1)
			t = now_ns();
		stamp(msg, PINGPONG_LEN, i);
		__atomic_store_n(down, (uint64_t)i + 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(up, __ATOMIC_ACQUIRE) != (uint64_t)i + 1)
			;
		if (!stamp_ok(msg, PINGPONG_LEN, i + 1))
			fail("spin ping-pong: bad reply %ld", i);
	}
	t = (now_ns() - t) / (n - 1);
	reap(pid, "spin pong");
	munmap(shm, 4096);
	return t;
}

/* The pipe pair with the child on CPU 1, as ring_pingpong_spin's. */
static double pipe_pingpong_smp(long n)
{
	double r;

	pin_child_cpu = 1;
	r = pipe_pingpong(n);
	pin_child_cpu = 0;
	return r;
}

static double ring_pingpong(long n)
{
	double r;

	use_ring = 1;
	r = dios_pingpong(n);
	use_ring = 0;
	return r;
}
/* The Rust crate's seed programs (rust/examples/seed_*.rs). */
#include "bench-rust.h"

/* ---- the null call: the cheapest ioctl against the cheapest syscall ---- */

/* DIOS_IOC_VERSION itself: dios_version() answers from libdios's copy. */
static double dios_null_call(long n)
{
	struct dios_version_req v;
	int fd = dios_context_fd();
	double t;
	long i;

	DCHECK(fd);
	t = now_ns();
	for (i = 0; i < n; i++)
		SCHECK(ioctl(fd, DIOS_IOC_VERSION, &v));
	t = (now_ns() - t) / n;
	if (v.abi_major != DIOS_ABI_MAJOR)
		fail("null call: abi %u", v.abi_major);
	return t;
}

static double linux_getppid(long n)
{
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		if (getppid() <= 0)
			fail("getppid");
	return (now_ns() - t) / n;
}

/*
 * ---- batch send: BATCH_N messages of 64 bytes, BATCH per call ----------
 *
 * The writer (parent) sends, the reader (child) receives and checks the
 * stamps; the time is the writer's, from the reader's first wait to its
 * last message.  dios: dios_sendv/dios_recvv (DIOS_XFER_WAITFORONE), or
 * one dios_send/dios_recv per message; Linux: writev of BATCH iovecs into
 * a pipe and reads of as many bytes, or sendmmsg/recvmmsg (MSG_WAITFORONE)
 * on a SOCK_SEQPACKET socketpair.
 */
#define BATCH		32
#define BATCH_N		16384

static char batch_buf[BATCH][PINGPONG_LEN];
static struct iovec batch_iov[BATCH];

/* batch_iov over batch_buf, stamped first.. if @stamp_first >= 0. */
static void batch_prepare(long stamp_first)
{
	int i;

	for (i = 0; i < BATCH; i++) {
		if (stamp_first >= 0)
			stamp(batch_buf[i], PINGPONG_LEN, stamp_first + i);
		batch_iov[i].iov_base = batch_buf[i];
		batch_iov[i].iov_len = PINGPONG_LEN;
	}
}

/* The @k messages received into batch_buf are seq first..; else exit 1. */
static void batch_check(long first, long k)
{
	long i;

	for (i = 0; i < k; i++)
		if (batch_iov[i].iov_len != PINGPONG_LEN ||
		    !stamp_ok(batch_buf[i], PINGPONG_LEN, first + i))
			_exit(1);
}

static void dios_batch_reader(const struct dios_name *name, int vector,
			      int up)
{
	dios_ref_t s = lookup(name);
	long i = 0;
	int k;

	sync_post(up);
	while (i < BATCH_N) {
		batch_prepare(-1);
		if (vector)
			k = dios_recvv(DIOS_XFER_WAITFORONE, s, batch_iov,
				       BATCH, NULL);
		else
			k = dios_recv(0, s, batch_buf[0], PINGPONG_LEN) ==
			    PINGPONG_LEN ? 1 : -1;
		if (k <= 0)
			_exit(1);
		batch_check(i, k);
		i += k;
	}
	sync_post(up);
	_exit(0);
}

/* @per_call: BATCH (dios_sendv, dios_recvv) or 1 (dios_send, dios_recv). */
static double dios_batch(long per_call)
{
	int vector = per_call > 1;
	struct dios_name name;
	dios_ref_t s = stream_create(MIB, &name);
	int up[2], j;
	double t;
	long i;
	pid_t pid;

	SCHECK(pipe(up));
	pid = fork_child();
	if (pid == 0)
		dios_batch_reader(&name, vector, up[1]);
	sync_wait(up[0]);
	t = now_ns();
	for (i = 0; i < BATCH_N; i += BATCH) {
		batch_prepare(i);
		if (vector) {
			if (dios_sendv(0, s, batch_iov, BATCH, NULL) != BATCH)
				fail("dios_sendv");
			continue;
		}
		for (j = 0; j < BATCH; j++)
			DCHECK(dios_send(0, s, batch_buf[j], PINGPONG_LEN));
	}
	sync_wait(up[0]);
	t = (now_ns() - t) / BATCH_N;
	reap(pid, "dios batch reader");
	DCHECK(dios_delete(0, s));
	close(up[0]), close(up[1]);
	return t;
}

static double dios_batch_one(long n)
{
	(void)n;
	return dios_batch(1);
}

/* Linux: a pipe (@sock 0) or a SOCK_SEQPACKET socketpair (@sock 1). */
static void fd_batch_reader(int rx, int sock, int up)
{
	struct mmsghdr m[BATCH];
	long i = 0;
	int k, j;

	sync_post(up);
	while (i < BATCH_N) {
		batch_prepare(-1);
		if (!sock) {
			full_read(rx, batch_buf, sizeof(batch_buf));
			k = BATCH;
		} else {
			memset(m, 0, sizeof(m));
			for (j = 0; j < BATCH; j++) {
				m[j].msg_hdr.msg_iov = &batch_iov[j];
				m[j].msg_hdr.msg_iovlen = 1;
			}
			k = recvmmsg(rx, m, BATCH, MSG_WAITFORONE, NULL);
			for (j = 0; j < k; j++)
				batch_iov[j].iov_len = m[j].msg_len;
		}
		if (k <= 0)
			_exit(1);
		batch_check(i, k);
		i += k;
	}
	sync_post(up);
	_exit(0);
}

static void fd_batch_send(int tx, int sock)
{
	struct mmsghdr m[BATCH];
	int j, k, sent = 0;

	if (!sock) {
		if (writev(tx, batch_iov, BATCH) != (ssize_t)sizeof(batch_buf))
			fail("writev: %s", strerror(errno));
		return;
	}
	memset(m, 0, sizeof(m));
	for (j = 0; j < BATCH; j++) {
		m[j].msg_hdr.msg_iov = &batch_iov[j];
		m[j].msg_hdr.msg_iovlen = 1;
	}
	while (sent < BATCH) {
		k = sendmmsg(tx, m + sent, BATCH - sent, 0);
		if (k <= 0)
			fail("sendmmsg: %s", strerror(errno));
		sent += k;
	}
}

static double fd_batch(int sock)
{
	int p[2], up[2];
	double t;
	long i;
	pid_t pid;

	if (sock)
		SCHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p));
	else
		big_pipe(p);
	SCHECK(pipe(up));
	pid = fork_child();
	if (pid == 0) {
		close(p[1]);
		fd_batch_reader(p[0], sock, up[1]);
	}
	sync_wait(up[0]);
	t = now_ns();
	for (i = 0; i < BATCH_N; i += BATCH) {
		batch_prepare(i);
		fd_batch_send(p[1], sock);
	}
	sync_wait(up[0]);
	t = (now_ns() - t) / BATCH_N;
	reap(pid, "batch reader");
	close(p[0]), close(p[1]), close(up[0]), close(up[1]);
	return t;
}

static double linux_batch_writev(long n)
{
	(void)n;
	return fd_batch(0);
}

static double linux_batch_sendmmsg(long n)
{
	(void)n;
	return fd_batch(1);
}

/* ---- the table of pairs ----------------------------------------------- */

struct pair {
	const char *id;
	const char *row;
	const char *unit;
	const char *dios_name;
	const char *base_name;
	double (*dios)(long);
	double (*base)(long);
	long param;		/* iterations, or message size */
	const char *op;		/* target: ratio <= / >= target; "dios<=":
				 * the dios figure itself <= target; NULL:
				 * none */
	double target;
	int plot;		/* a point of the throughput plot */
	uint64_t needs;		/* DIOS_FEAT_* the dios side needs */
};

/* -s dios|linux: time one side only (to profile it); the other reads 0. */
static int only_side;

static const struct pair pairs[] = {
	{ "create", "create+delete anon 4K", "ns/op", "PRIVMEM anon",
	  "memfd+ftruncate+close", dios_create_anon, linux_memfd, OPS_N,
	  "<=", 1.0, 0, 0 },
	{ "create_named", "create+delete: anon/named", "ns/op",
	  "SHMEM anon", "SHMEM named (dios)", dios_create_shmem_anon,
	  dios_create_shmem_named, OPS_N, "<=", 0.5, 0, 0 },
	{ "lookup", "lookup+delete vs open+close", "ns/op", "lookup+delete",
	  "open+close tmpfs", dios_lookup_delete, linux_open_close, OPS_N,
	  "<=", 1.0, 0, 0 },
	{ "dup", "dup+delete vs dup+close", "ns/op", "dios_dup+delete",
	  "dup+close", dios_dup_delete, linux_dup_close, OPS_N, NULL, 0, 0, 0 },
	{ "delegate", "delegate 1 ref (sender)", "ns/op", "dios_copy",
	  "sendmsg SCM_RIGHTS", dios_copy_send, linux_scm_send, DELEG_N,
	  "<=", 1.0, 0, 0 },
	{ "delegate_rx", "delegate 1 ref (send+recv)", "ns/op",
	  "dup+commit_write REFS", "sendmsg+recvmsg+close",
	  dios_refs_pipelined, linux_scm_pipelined, DELEG_N, NULL, 0, 0, 0 },
	{ "pingpong_pipe", "ping-pong 64B vs pipe", "ns/rtt", "dios_call",
	  "pipe pair", dios_pingpong_call, pipe_pingpong, RTT_N, "<=", 1.0, 0,
	  DIOS_FEAT_IO_XFER },
	{ "pingpong_rearm", "ping-pong 64B zero-copy vs pipe", "ns/rtt",
	  "commit REARM", "pipe pair", dios_pingpong, pipe_pingpong, RTT_N,
	  NULL, 0, 0, 0 },
	{ "pingpong_unix", "ping-pong 64B vs unix", "ns/rtt", "streams",
	  "socketpair", dios_pingpong, unix_pingpong, RTT_N, NULL, 0, 0, 0 },
	{ "pingpong_eventfd", "ping-pong 64B vs eventfd", "ns/rtt",
	  "streams", "eventfd+shm", dios_pingpong, eventfd_pingpong, RTT_N,
	  NULL, 0, 0, 0 },
	{ "ring_pingpong", "ring ping-pong 64B vs pipe", "ns/rtt",
	  "ring dios_call", "pipe pair", ring_pingpong_call, pipe_pingpong,
	  RTT_N, "<=", 0.5, 0, DIOS_FEAT_RING },
	{ "ring_pingpong_eventfd", "ring ping-pong 64B vs eventfd", "ns/rtt",
	  "ring dios_call", "eventfd+shm", ring_pingpong_call,
	  eventfd_pingpong, RTT_N, "<=", 1.0, 0, DIOS_FEAT_RING },
	{ "ring_pingpong_spin", "ring ping-pong 64B, 2 CPUs, spinning",
	  "ns/rtt", "ring dios_call", "shared-memory spin",
	  ring_pingpong_spin, spin_pingpong, RTT_N, NULL, 0, 0,
	  NEED_SMP | DIOS_FEAT_RING },
	{ "ring_pingpong_spin_pipe", "ring ping-pong 64B, 2 CPUs, vs pipe",
	  "ns/rtt", "ring dios_call", "pipe pair", ring_pingpong_spin,
	  pipe_pingpong_smp, RTT_N, "<=", 0.5, 0, NEED_SMP | DIOS_FEAT_RING },
	{ "ring_pingpong_rearm", "ring ping-pong 64B zero-copy vs pipe",
	  "ns/rtt", "ring commit REARM", "pipe pair", ring_pingpong,
	  pipe_pingpong, RTT_N, NULL, 0, 0, DIOS_FEAT_RING },
	{ "ring_stream_64", "ring stream 64B vs pipe", "MB/s", "ring stream",
	  "pipe", ring_stream, linux_pipe_stream, 64, ">=", 5.0, 0,
	  DIOS_FEAT_RING },
	{ "ring_stream_4k", "ring stream 4KiB vs pipe", "MB/s", "ring stream",
	  "pipe", ring_stream, linux_pipe_stream, 4 * KIB, ">=", 4.0, 0,
	  DIOS_FEAT_RING },
	{ "null_call", "null call: VERSION vs getppid", "ns/call",
	  "ioctl DIOS_IOC_VERSION", "getppid", dios_null_call, linux_getppid,
	  4 * OPS_N, NULL, 0, 0, 0 },
	{ "batch_send", "batch send 64B x32 vs 1 per call", "ns/msg",
	  "dios_sendv/recvv x32", "dios_send/recv x1", dios_batch,
	  dios_batch_one, BATCH, NULL, 0, 0, DIOS_FEAT_XFER_BATCH },
	{ "batch_send_pipe", "batch send 64B x32 vs pipe writev", "ns/msg",
	  "dios_sendv/recvv x32", "pipe writev x32", dios_batch,
	  linux_batch_writev, BATCH, NULL, 0, 0, DIOS_FEAT_XFER_BATCH },
	{ "batch_send_unix", "batch send 64B x32 vs sendmmsg", "ns/msg",
	  "dios_sendv/recvv x32", "sendmmsg/recvmmsg x32", dios_batch,
	  linux_batch_sendmmsg, BATCH, NULL, 0, 0, DIOS_FEAT_XFER_BATCH },
	{ "stream_64", "stream 64B vs pipe", "MB/s", "stream", "pipe",
	  dios_stream, linux_pipe_stream, 64, NULL, 0, 1, 0 },
	{ "stream_4k", "stream 4KiB vs pipe", "MB/s", "stream", "pipe",
	  dios_stream, linux_pipe_stream, 4 * KIB, ">=", 2.0, 1, 0 },
	{ "stream_64k", "stream 64KiB vs pipe", "MB/s", "stream", "pipe",
	  dios_stream, linux_pipe_stream, 64 * KIB, ">=", 5.0, 1, 0 },
	{ "stream_1m", "stream 1MiB vs pipe", "MB/s", "stream", "pipe",
	  dios_stream, linux_pipe_stream, MIB, ">=", 10.0, 1, 0 },
	{ "vmsplice_64", "stream 64B vs vmsplice", "MB/s", "stream",
	  "vmsplice", dios_stream, linux_vmsplice_stream, 64, NULL, 0, 2, 0 },
	{ "vmsplice_4k", "stream 4KiB vs vmsplice", "MB/s", "stream",
	  "vmsplice", dios_stream, linux_vmsplice_stream, 4 * KIB, NULL, 0,
	  2, 0 },
	{ "vmsplice_64k", "stream 64KiB vs vmsplice", "MB/s", "stream",
	  "vmsplice", dios_stream, linux_vmsplice_stream, 64 * KIB, NULL, 0,
	  2, 0 },
	{ "vmsplice_1m", "stream 1MiB vs vmsplice", "MB/s", "stream",
	  "vmsplice", dios_stream, linux_vmsplice_stream, MIB, NULL, 0, 2, 0 },
	{ "mem_object", "kernel memory per object (slab)", "B", "SHMEM anon 4K",
	  "memfd 4K", dios_mem_objects, linux_mem_memfds, MEM_N, "dios<=",
	  256, 0, 0 },
	{ "mem_ref", "kernel memory per ref (slab)", "B", "dios_dup",
	  "open(same file)", dios_mem_refs, linux_mem_opens, MEM_N, "dios<=",
	  64, 0, 0 },
	{ "mem_stream", "kernel memory per stream (slab)", "B",
	  "STREAM anon 64K", "pipe", dios_mem_streams, linux_mem_pipes, MEM_N,
	  NULL, 0, 0, 0 },
#define SELECT_ROW(id, row, n)						\
	{ id, row, "ns/call", "dios_select", "epoll_wait", dios_select_n, \
	  linux_epoll_n, n, "<=", 2.0, 0, DIOS_FEAT_SELECT },		\
	{ id "_poll", row " vs poll", "ns/call", "dios_select", "poll",	\
	  dios_select_n, linux_poll_n, n, NULL, 0, 0, DIOS_FEAT_SELECT }, \
	{ id "_set", row ", interest set", "ns/call",			\
	  "dios_interest_wait", "epoll_wait", dios_interest_n,		\
	  linux_epoll_n, n, "<=", 2.0, 0, DIOS_FEAT_SELECT }
	SELECT_ROW("select_1", "select 1 ready of 1", 1),
	SELECT_ROW("select_100", "select 1 ready of 100", 100),
	SELECT_ROW("select_1000", "select 1 ready of 1000", 1000),
	SELECT_ROW("select_10000", "select 1 ready of 10000", 10000),
#define SEED_NEEDS	(DIOS_FEAT_TASKS | DIOS_FEAT_SELECT)
	{ "seed_fib", "seed: fib-tasks fib(12)", "ms/run", "tasks+channels",
	  "fork+exec+pipes", dios_seed_fib, linux_seed_fib, 1000000,
	  "<=", 1.0, 0, SEED_NEEDS },
	{ "seed_primes", "seed: sum-of-primes 12+8", "ms/run",
	  "tasks+channels", "fork+exec+pipes", dios_seed_primes,
	  linux_seed_primes, 1000000, "<=", 1.0, 0, SEED_NEEDS },
	{ "seed_pingpong_select", "seed: ping-pong with select", "ms/run",
	  "interest set", "select(2)", dios_seed_pp_select,
	  linux_seed_pp_select, 1000000, "<=", 1.0, 0, SEED_NEEDS },
	{ "seed_pingpong", "seed: ping-pong without select", "ms/run",
	  "channels", "pipes", dios_seed_pp_noselect, linux_seed_pp_noselect,
	  1000000, "<=", 1.0, 0, SEED_NEEDS },
	{ "go_chan_pipe", "Go: Chan ping-pong vs pipes", "ns/rtt",
	  "Chan (dios streams)", "Go chans over pipes", go_chan, go_pipe,
	  RTT_N, NULL, 0, 0, NEED_GO | DIOS_FEAT_IO_XFER | DIOS_FEAT_SELECT },
	{ "go_chan_kwait", "Go: Chan, poller vs kernel waits", "ns/rtt",
	  "Chan (poller)", "Chan (kernel waits)", go_chan, go_chan_kwait,
	  RTT_N, NULL, 0, 0, NEED_GO | DIOS_FEAT_IO_XFER | DIOS_FEAT_SELECT },
	{ "go_chan_raw", "Go: Chan vs raw Ref.Call", "ns/rtt",
	  "Chan (dios streams)", "Ref.Call (Go)", go_chan, go_raw, RTT_N,
	  NULL, 0, 0, NEED_GO | DIOS_FEAT_IO_XFER | DIOS_FEAT_SELECT },
	{ "go_raw_c", "Go: Ref.Call vs C dios_call", "ns/rtt",
	  "Ref.Call (Go)", "dios_call (C)", go_raw, dios_pingpong_call, RTT_N,
	  NULL, 0, 0, NEED_GO | DIOS_FEAT_IO_XFER },
	RUST_ROWS
};

/* ---- statistics and JSON ---------------------------------------------- */

struct stats {
	double median, min, max;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stats summarise(double *v, int n)
{
	struct stats s;

	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	s.median = v[n / 2];
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

static void json_stats(FILE *f, const char *key, const char *name,
		       struct stats s)
{
	double spread = s.median ? 100 * (s.max - s.min) / s.median : 0;

	fprintf(f, "\"%s\": {\"name\": \"%s\", \"median\": %.1f, "
		"\"min\": %.1f, \"max\": %.1f, \"spread_pct\": %.1f}",
		key, name, s.median, s.min, s.max, spread);
}

static void json_missing(FILE *f, const char *id, const char *row,
			 int first)
{
	fprintf(f, "%s\n  {\"id\": \"%s\", \"row\": \"%s\", "
		"\"status\": \"not yet implemented\"}", first ? "" : ",",
		id, row);
}

static void run_pair(FILE *f, const struct pair *p, uint64_t avail,
		     int first)
{
	double dv[REPS], bv[REPS];
	struct stats d, b;
	int i;

	if (p->needs & ~avail) {
		json_missing(f, p->id, p->row, first);
		return;
	}
	fprintf(stderr, "dios-bench: %s ...\n", p->row);
	for (i = -1; i < REPS; i++) {	/* -1: the warm-up */
		double dt = only_side == 'l' ? 0 : p->dios(p->param);
		double bt = only_side == 'd' ? 0 : p->base(p->param);

		if (i >= 0) {
			dv[i] = dt;
			bv[i] = bt;
		}
	}
	d = summarise(dv, REPS);
	b = summarise(bv, REPS);
	fprintf(f, "%s\n  {\"id\": \"%s\", \"row\": \"%s\", \"unit\": \"%s\", "
		"\"param\": %ld, \"plot\": %d, \"status\": \"ok\",\n   ",
		first ? "" : ",", p->id, p->row, p->unit, p->param, p->plot);
	json_stats(f, "dios", p->dios_name, d);
	fprintf(f, ",\n   ");
	json_stats(f, "base", p->base_name, b);
	fprintf(f, ",\n   \"ratio\": %.3f, \"op\": \"%s\", \"target\": %.2f}",
		b.median ? d.median / b.median : 0, p->op ? p->op : "",
		p->target);
	fflush(f);
}

static void json_header(FILE *f, const struct dios_version_req *v)
{
	struct utsname u;

	uname(&u);
	fprintf(f, "{\"kernel\": \"%s\", \"module\": \"%.32s\", "
		"\"features\": %" PRIu64 ", \"reps\": %d, "
		"\"stream_total_bytes\": %ld, \"rows\": [",
		u.release, (const char *)v->release, (uint64_t)v->features,
		REPS, stream_total);
}

static void setup(struct dios_version_req *v)
{
	struct rlimit rl = { .rlim_cur = 4 * MEM_N, .rlim_max = 4 * MEM_N };

	pin_cpu(0);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fprintf(stderr, "dios-bench: setrlimit: %s\n", strerror(errno));
	DCHECK(dios_version(v));
	if (!(v->features & DIOS_FEAT_IO_STREAM) ||
	    !(v->features & DIOS_FEAT_IO_REFS))
		fail("the module does no stream I/O");
	if (v->max_capacity < (uint64_t)STREAM_CAP || v->max_refs < 2 * MEM_N)
		fail("module limits too small for the benchmark");
}

/* -r: a comma-separated list of row ids; NULL means every row. */
static int row_wanted(const char *rows, const char *id)
{
	size_t n = strlen(id);
	const char *s;

	if (!rows)
		return 1;
	for (s = rows; *s; s += strcspn(s, ",")) {
		s += *s == ',';
		if (!strncmp(s, id, n) && (s[n] == ',' || !s[n]))
			return 1;
	}
	return 0;
}

static void check_rows(const char *rows)
{
	const char *s;
	size_t i, n;

	for (s = rows; s && *s; s += n) {
		s += *s == ',';
		n = strcspn(s, ",");
		for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
			if (strlen(pairs[i].id) == n &&
			    !strncmp(s, pairs[i].id, n))
				break;
		if (n && i == sizeof(pairs) / sizeof(pairs[0]))
			fail("-r: no row %.*s", (int)n, s);
	}
}

int main(int argc, char **argv)
{
	struct dios_version_req v = { 0 };
	const char *out = "/tmp/dios-bench.json";
	const char *rows = NULL;
	uint64_t avail;
	int first = 1;
	size_t i;
	FILE *f;
	int c;

	while ((c = getopt(argc, argv, "o:r:s:t:")) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 's' && strchr("dl", optarg[0]))
			only_side = optarg[0];
		else if (c == 'r')
			rows = optarg;
		else if (c == 't')
			stream_total = atol(optarg) * MIB;
		else
			fail("usage: dios-bench [-o out.json] [-r id,id...] "
			     "[-s dios|linux] [-t MiB per stream run]");
	}
	check_rows(rows);
	setup(&v);
	avail = v.features;
	/* The seed programs live next to this program. */
	{
		ssize_t len = readlink("/proc/self/exe", seed_dir,
				       sizeof(seed_dir) - 1);
		char probe[300];
		char *slash;

		seed_dir[len > 0 ? len : 0] = 0;
		slash = strrchr(seed_dir, '/');
		if (slash)
			*slash = 0;
		snprintf(probe, sizeof(probe), "%s/seed-fib", seed_dir);
		if (access(probe, X_OK))
			avail &= ~DIOS_FEAT_TASKS;
		snprintf(probe, sizeof(probe), "%s/dios-gobench", seed_dir);
		if (!access(probe, X_OK))
			avail |= NEED_GO;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2)
		avail |= NEED_SMP;
#ifndef DIOS_IOC_SELECT
	avail &= ~DIOS_FEAT_SELECT;	/* libdios without dios_select() */
#endif
	f = fopen(out, "w");
	if (!f)
		fail("%s: %s", out, strerror(errno));
	json_header(f, &v);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (!row_wanted(rows, pairs[i].id))
			continue;
		run_pair(f, &pairs[i], avail, first);
		first = 0;
	}
	fprintf(f, "\n]}\n");
	if (fclose(f))
		fail("%s: %s", out, strerror(errno));
	fprintf(stderr, "dios-bench: done, results in %s\n", out);
	return 0;
}
