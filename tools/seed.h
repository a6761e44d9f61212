/* SPDX-License-Identifier: GPL-2.0 */
/*
 * seed.h - what the seed programs (seed-fib, seed-primes, seed-pingpong)
 * share: a clock, spawning a copy of the program as a task with a channel
 * (dios) or as a process with two pipes (Linux, as Rust's Command::spawn
 * with piped stdin/stdout does in seed 004 appendix A), and sending fixed
 * size values over either.
 *
 * The dios side keeps one write buffer acquired per channel and commits
 * each message with DIOS_IO_REARM, which acquires the next buffer in the
 * same call: one system call per message sent, as a pipe write.  A receive
 * is acquire_read + commit_read.
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
 * One end of a dios channel with its write buffer kept acquired, and, if
 * @hold, the last message received kept until the next receive, which
 * consumes it and acquires the next in one call (DIOS_IO_REARM).  A held
 * message keeps the stream's head: only for an end no select waits on.
 */
struct seed_chan {
	struct dios_chan c;
	struct dios_iovec tx;
	struct dios_iovec rx;
	uint64_t max;		/* largest message */
	int armed;
	int hold;
	int held;
};

static inline int seed_send(struct seed_chan *s, const void *buf,
			    uint64_t len)
{
	int ret;

	if (!s->armed) {
		memset(&s->tx, 0, sizeof(s->tx));
		ret = dios_chan_send_acquire(0, &s->c, s->max, &s->tx);
		if (ret)
			return ret;
		s->armed = 1;
	}
	memcpy(s->tx.buf, buf, len);
	s->tx.next_len = s->max;
	ret = dios_chan_send_commit(DIOS_IO_REARM, &s->c, len, &s->tx);
	if (ret)
		s->armed = 0;
	return ret;
}

static inline int seed_recv(struct seed_chan *s, void *buf, uint64_t cap)
{
	struct dios_iovec *iov = &s->rx;
	uint64_t len;
	int ret;

	if (s->held) {
		iov->next_len = s->max;
		ret = dios_chan_recv_release(DIOS_IO_REARM, &s->c, iov);
	} else {
		memset(iov, 0, sizeof(*iov));
		iov->len = s->max;
		ret = dios_chan_recv_acquire(0, &s->c, iov);
	}
	s->held = 0;
	if (ret)
		return ret;
	len = iov->len < cap ? iov->len : cap;
	memcpy(buf, iov->buf, len);
	if (s->hold) {
		s->held = 1;
		return (int)len;
	}
	ret = dios_chan_recv_release(0, &s->c, iov);
	return ret ? ret : (int)len;
}

static inline void seed_close(struct seed_chan *s)
{
	if (s->armed)
		dios_release_write(0, s->c.tx, &s->tx);
	if (s->held)
		dios_chan_recv_release(0, &s->c, &s->rx);
	s->armed = 0;
	s->held = 0;
	dios_chan_close(&s->c);
}

/* Start this program again as "@mode" with a channel to it. */
static inline int seed_spawn(const char *mode, uint64_t max,
			     dios_ref_t *task, struct seed_chan *s)
{
	const char *argv[] = { SEED_SELF, mode, NULL };
	struct dios_task_spec spec = { .argv = argv };

	memset(s, 0, sizeof(*s));
	s->max = max;
	return dios_run_chan(0, SEED_CAPACITY, SEED_SELF, &spec, task, &s->c);
}

/* In a task started by seed_spawn(): the channel to the parent. */
static inline int seed_parent(uint64_t max, struct seed_chan *s)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
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
