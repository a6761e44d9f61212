/* SPDX-License-Identifier: MIT */
/*
 * What the dios examples share: checking calls and children.
 *
 * Every libdios call returns 0 (or a count) on success and a negative
 * errno on failure, and leaves errno alone, so one wrapper checks them
 * all: TRY(call) gives the call's result, or prints the call, the error
 * and what it means for dios (dios_strerror) and exits with status 1.
 */
#ifndef DIOS_EXAMPLE_H
#define DIOS_EXAMPLE_H

#define _GNU_SOURCE		/* program_invocation_short_name */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dios.h>

#define TRY(call) try_call((call), #call, __LINE__)

static inline int try_call(int ret, const char *what, int line)
{
	if (ret >= 0)
		return ret;
	fprintf(stderr, "%s: line %d: %s: %s (%s)\n",
		program_invocation_short_name, line, what, strerror(-ret),
		dios_strerror(ret));
	exit(1);
}

/* Give up: print why and exit with status 1. */
static inline __attribute__((format(printf, 1, 2), noreturn))
void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Wait for a fork()ed child and fail unless it exited with status 0. */
static inline void wait_child(pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		fail("waitpid for the %s: %s", what, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("the %s failed (wait status %#x)", what, status);
}

/* fork(), with stdout flushed first so that nothing is printed twice. */
static inline pid_t fork_child(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	return pid;
}

#endif /* DIOS_EXAMPLE_H */
