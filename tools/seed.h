/* SPDX-License-Identifier: GPL-2.0 */
/*
 * seed.h - what the seed programs (seed-fib, seed-primes, seed-pingpong)
 * share: a clock, spawning a copy of the program as a task with a channel
 * (dios) or as a process with two pipes (Linux, as Rust's Command::spawn
 * with piped stdin/stdout does), and sending fixed size values over either.
 *
 * The dios side sends and receives with one system call per message, as
 * a pipe write or read does.
 */
#ifndef SEED_H
#define SEED_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dios.h"

#define SEED_SELF	"/proc/self/exe"
/* Stream capacity of a seed channel: small, thousands of tasks may live. */
#define SEED_CAPACITY	4096

static inline uint64_t seed_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Every task on CPU 0, dios and Linux alike (children inherit it): the
 * programs measure messaging and spawning, not QEMU's slow cross-vCPU
 * wake-ups.  SEED_SPREAD=1 lets the scheduler spread them.
 */
static inline void seed_pin(void)
{
	cpu_set_t set;

	if (getenv("SEED_SPREAD"))
		return;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static inline void __attribute__((noreturn)) seed_die(const char *what,
						       int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(2);
}

/*
 * One end of a dios channel.  Seed messages are a few bytes to 200: they
 * go through the copying calls (DIOS_IOC_XFER), one system call a message
 * and no buffer mapped, which is what a task that sends one message in its
 * life wants; dios_chan_call() sends and waits for the answer in one.
 */
struct seed_chan {
	struct dios_chan c;
};

static inline int seed_send(struct seed_chan *s, const void *buf,
			    uint64_t len)
{
	return dios_chan_send(0, &s->c, buf, len);
}

static inline int seed_recv(struct seed_chan *s, void *buf, uint64_t cap)
{
	return dios_chan_recv(0, &s->c, buf, cap);
}

/* Send, then receive the answer: one system call. */
static inline int seed_call(struct seed_chan *s, const void *out,
			    uint64_t len, void *in, uint64_t cap)
{
	return dios_chan_call(0, &s->c, out, len, in, cap, NULL);
}

static inline void seed_close(struct seed_chan *s)
{
	dios_chan_close(&s->c);
}

/* Start this program again as "@mode" with a channel to it. */
static inline int seed_spawn(const char *mode, dios_ref_t *task,
			     struct seed_chan *s)
{
	const char *argv[] = { SEED_SELF, mode, NULL };
	struct dios_task_spec spec = { .argv = argv };

	memset(s, 0, sizeof(*s));
	return dios_run_chan(0, SEED_CAPACITY, SEED_SELF, &spec, task, &s->c);
}

/* In a task started by seed_spawn(): the channel to the parent. */
static inline int seed_parent(struct seed_chan *s)
{
	memset(s, 0, sizeof(*s));
	return dios_chan_parent(&s->c);
}

/* The Linux side: a process with its stdin and stdout piped to us. */
struct seed_proc {
	pid_t pid;
	int to;			/* its stdin */
	int from;		/* its stdout */
};

static inline int seed_fork_exec(const char *mode, struct seed_proc *p)
{
	int in[2], out[2];

	/* Close-on-exec, as Rust's Command: no child inherits another's. */
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -errno;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(SEED_SELF, SEED_SELF, mode, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->to = in[1];
	p->from = out[0];
	return 0;
}

/* All @len bytes, or -errno; -EPIPE at end of file. */
static inline int seed_io(int fd, char *b, size_t len, int wr)
{
	ssize_t n;

	while (len) {
		n = wr ? write(fd, b, len) : read(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static inline int seed_write(int fd, const void *buf, size_t len)
{
	return seed_io(fd, (char *)buf, len, 1);
}

/* A whole message of @len bytes. */
static inline int seed_read(int fd, void *buf, size_t len)
{
	return seed_io(fd, buf, len, 0);
}

static inline int seed_reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline void seed_proc_close(struct seed_proc *p)
{
	close(p->to);
	close(p->from);
}

/* The result line every seed program prints, parsed by make bench. */
static inline void seed_report(const char *prog, const char *variant,
			       const char *result, int ok, uint64_t ns)
{
	printf("seed %s %s: %s %s in %.1f ms\n", prog, variant, result,
	       ok ? "(correct)" : "(WRONG)", (double)ns / 1e6);
	fflush(stdout);
}

#endif /* SEED_H */
