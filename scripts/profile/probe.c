// SPDX-License-Identifier: GPL-2.0
/*
 * probe.c - the guest side of scripts/profile.sh: run each probe (a
 * system call or a dios call, in a loop) between the two markers that
 * the QEMU plugin (plugin.c) watches, say which window is which, then
 * print the guest's text symbols (gzip, base64) for the host to name the
 * blocks with.
 *
 *   probe [NAME...]	the probes named (default: all), each in its window
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dios.h"

#define MARKS		0x7e5700000000UL	/* plugin.c's MARK_START */
#define MSG		64
#define BATCH		32

static int null_fd, ctx_fd;
static struct dios_version_req version;
static dios_ref_t stream, shmem, ring;
static struct dios_iovec ring_wr, ring_rd;
static char buf[MSG];
static struct iovec iov[BATCH];

static void fail(const char *what, int err)
{
	fprintf(stderr, "probe: %s: %s\n", what, strerror(err));
	exit(1);
}

static void p_getppid(void)
{
	getppid();
}

static void p_enotty(void)
{
	ioctl(null_fd, DIOS_IOC_VERSION, &version);
}

static void p_version(void)
{
	ioctl(ctx_fd, DIOS_IOC_VERSION, &version);
}

static void p_send_recv(void)
{
	dios_send(0, stream, buf, MSG);
	dios_recv(0, stream, buf, MSG);
}

static void p_call(void)
{
	dios_call(0, stream, buf, MSG, stream, buf, MSG, NULL);
}

static void p_dup_delete(void)
{
	dios_ref_t d;

	if (!dios_dup(shmem, DIOS_RIGHTS_ALL, &d))
		dios_delete(0, d);
}

static void p_batch(void)
{
	int i;

	dios_sendv(0, stream, iov, BATCH, NULL);
	dios_recvv(0, stream, iov, BATCH, NULL);
	for (i = 0; i < BATCH; i++)
		iov[i].iov_len = MSG;
}

/* A ring stream, both leases here: no system call in the steady state. */
static void p_ring_send_recv(void)
{
	dios_send(0, ring, buf, MSG);
	dios_recv(0, ring, buf, MSG);
}

/* The ring_stream_64 bench row's steps: re-arming commits, 64 B. */
static void p_ring_zc(void)
{
	static int open;
	int ret = 0;

	/* The first call opens a message to read and a buffer to write. */
	if (!open++) {
		ret = dios_acquire_write(0, ring, MSG, &ring_wr);
		if (!ret)
			ret = dios_commit_write(0, ring, MSG, &ring_wr);
		if (!ret)
			ret = dios_acquire_write(0, ring, MSG, &ring_wr);
		if (!ret)
			ret = dios_acquire_read(0, ring, MSG, &ring_rd);
		if (ret)
			fail("ring_zc set-up", -ret);
	}
	ring_wr.next_len = MSG;
	dios_commit_write(DIOS_IO_REARM, ring, MSG, &ring_wr);
	ring_rd.next_len = MSG;
	dios_commit_read(DIOS_IO_REARM, ring, &ring_rd);
}

/*
 * Round trips with a child process on the same CPU (the plugin counts
 * both, and the scheduler between them): a dios_call on two ring streams,
 * and the same on two eventfds and a shared page.  The child lives until
 * the probe exits.
 */
static pid_t pp_ring, pp_efd;
static dios_ref_t pp_a, pp_b;
static int pp_down, pp_up;
static char *pp_shm;

static void pp_kill(void)
{
	if (pp_ring > 0)
		kill(pp_ring, SIGKILL);
	if (pp_efd > 0)
		kill(pp_efd, SIGKILL);
}

static void p_ring_pingpong(void)
{
	struct dios_create_args a = { .capacity = 4096 };
	struct dios_name na, nb;

	if (!pp_ring) {
		if (dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &pp_a,
				&na) ||
		    dios_create(DIOS_CREATE_RING, DIOS_OBJ_STREAM, &a, &pp_b,
				&nb))
			fail("ring_pingpong set-up", EINVAL);
		pp_ring = fork();
		if (pp_ring < 0)
			fail("fork", errno);
		if (!pp_ring) {
			dios_ref_t ca, cb;

			if (dios_lookup(0, &na, DIOS_REF_NONE, &ca) ||
			    dios_lookup(0, &nb, DIOS_REF_NONE, &cb))
				_exit(1);
			dios_recv(0, ca, buf, MSG);
			while (dios_call(0, cb, buf, MSG, ca, buf, MSG,
					 NULL) == MSG)
				;
			_exit(0);
		}
	}
	if (dios_call(0, pp_a, buf, MSG, pp_b, buf, MSG, NULL) != MSG)
		fail("ring_pingpong", EPROTO);
}

static void p_eventfd_pingpong(void)
{
	uint64_t v = 1;

	if (!pp_efd) {
		pp_shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		pp_down = eventfd(0, 0);
		pp_up = eventfd(0, 0);
		if (pp_shm == MAP_FAILED || pp_down < 0 || pp_up < 0)
			fail("eventfd_pingpong set-up", errno);
		pp_efd = fork();
		if (pp_efd < 0)
			fail("fork", errno);
		if (!pp_efd) {
			while (read(pp_down, &v, 8) == 8) {
				pp_shm[0]++;
				if (write(pp_up, &v, 8) != 8)
					break;
			}
			_exit(0);
		}
	}
	pp_shm[0]++;
	if (write(pp_down, &v, 8) != 8 || read(pp_up, &v, 8) != 8)
		fail("eventfd_pingpong", errno);
}

static const struct probe {
	const char *name;
	void (*fn)(void);
	int n;
	const char *what;
} probes[] = {
	{ "getppid", p_getppid, 20000, "getppid()" },
	{ "enotty", p_enotty, 20000, "ioctl on /dev/null: -ENOTTY" },
	{ "version", p_version, 20000, "ioctl DIOS_IOC_VERSION" },
	{ "send_recv", p_send_recv, 10000, "dios_send + dios_recv, 64 B" },
	{ "call", p_call, 10000, "dios_call, 64 B each way" },
	{ "dup_delete", p_dup_delete, 5000, "dios_dup + dios_delete" },
	{ "batch", p_batch, 1000, "dios_sendv + dios_recvv, 32 x 64 B" },
	{ "ring_send_recv", p_ring_send_recv, 10000,
	  "ring stream: dios_send + dios_recv, 64 B" },
	{ "ring_zc", p_ring_zc, 10000,
	  "ring stream: commit_write + commit_read REARM, 64 B" },
	{ "ring_pingpong", p_ring_pingpong, 2000,
	  "ring dios_call round trip with a child, one CPU, 64 B" },
	{ "eventfd_pingpong", p_eventfd_pingpong, 2000,
	  "eventfd + shared page round trip with a child, one CPU" },
};

static int wanted(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return argc < 2;
}

int main(int argc, char **argv)
{
	struct dios_create_args s = { .capacity = 65536 }, m = { .size = 4096 };
	unsigned char *marks;
	void (*start)(void), (*stop)(void);
	int ret, i, window = 0;
	size_t k;

	marks = mmap((void *)MARKS, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (marks != (void *)MARKS)
		fail("mmap of the markers", errno);
	marks[0] = marks[0x100] = 0xc3;		/* ret */
	start = (void (*)(void))marks;
	stop = (void (*)(void))(marks + 0x100);
	atexit(pp_kill);
	null_fd = open("/dev/null", O_RDWR);
	ctx_fd = dios_context_fd();
	if (null_fd < 0 || ctx_fd < 0)
		fail("open", null_fd < 0 ? errno : -ctx_fd);
	ret = dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &s, &stream, NULL);
	if (!ret)
		ret = dios_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &m, &shmem,
				  NULL);
	if (!ret)
		ret = dios_create(DIOS_CREATE_ANON | DIOS_CREATE_RING,
				  DIOS_OBJ_STREAM, &s, &ring, NULL);
	if (ret)
		fail("dios_create", -ret);
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = MSG;
	}
	for (k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
		if (!wanted(argc, argv, probes[k].name))
			continue;
		for (i = 0; i < 100; i++)	/* warm: views, slabs, caches */
			probes[k].fn();
		start();
		for (i = 0; i < probes[k].n; i++)
			probes[k].fn();
		stop();
		printf("window %d = %s x%d: %s\n", window++, probes[k].name,
		       probes[k].n, probes[k].what);
	}
	fflush(stdout);
	return system("echo KALLSYMS-BEGIN; grep -i ' t ' /proc/kallsyms | "
		      "gzip -c | base64; echo KALLSYMS-END") ? 1 : 0;
}
