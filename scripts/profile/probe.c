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
static dios_ref_t stream, shmem;
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
	null_fd = open("/dev/null", O_RDWR);
	ctx_fd = dios_context_fd();
	if (null_fd < 0 || ctx_fd < 0)
		fail("open", null_fd < 0 ? errno : -ctx_fd);
	ret = dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &s, &stream, NULL);
	if (!ret)
		ret = dios_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &m, &shmem,
				  NULL);
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
