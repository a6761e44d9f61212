// SPDX-License-Identifier: MIT
/*
 * select_streams: one reader draining many streams with dios_select.
 *
 * The parent creates 16 streams and starts 16 writer tasks with dios_run
 * (this same program, run again with "--writer N"), each given a
 * write-only reference to its own stream.  The parent keeps a read-only
 * one, so that each writer is the only writer of its stream: when a writer
 * exits, its stream is "drained, then -EPIPE", like a pipe whose last
 * writer closed.  The parent waits with dios_select until one of the
 * streams has a message (or has lost its writer), drains that stream
 * without blocking, and goes on until every stream is finished.  Last, it
 * waits for each task's exit status.
 *
 * dios_select takes the array of references on each call.  A loop that
 * waits on many references often would use the interest set instead
 * (dios_interest_add once, dios_interest_wait in the loop), whose cost
 * does not grow with the references that are not ready.
 */
#include "example.h"

#include <stdint.h>

#define WRITERS		16
#define MESSAGES	200		/* per writer */
#define CAPACITY	4096		/* 64 messages: writers wait for the reader */

struct msg {
	uint32_t writer;
	uint32_t seq;
	char text[56];			/* "writer W, message S" */
};

/* A writer task: its stream is the one reference it was given. */
static int writer(uint32_t id)
{
	dios_ref_t s;
	uint32_t n = 1;
	struct msg m;

	TRY(dios_task_refs(&s, &n));
	if (n != 1)
		fail("writer %u: %u references given, 1 expected", id, n);
	memset(&m, 0, sizeof(m));
	for (m.writer = id, m.seq = 0; m.seq < MESSAGES; m.seq++) {
		snprintf(m.text, sizeof(m.text), "writer %u, message %u", id,
			 m.seq);
		TRY(dios_send(0, s, &m, sizeof(m)));	/* copies m in */
	}
	return 0;	/* exiting closes the stream for its reader */
}

/* Start writer @id with a write-only reference to @s. */
static dios_ref_t start_writer(uint32_t id, dios_ref_t s)
{
	static const uint64_t write_only = DIOS_RIGHT_WRITE;
	char arg[16];
	const char *const argv[] = { "select_streams", "--writer", arg, NULL };
	struct dios_task_spec spec = {
		.argv = argv, .refs = &s, .rights = &write_only, .n_refs = 1,
	};
	dios_ref_t task;

	snprintf(arg, sizeof(arg), "%u", id);
	/* /proc/self/exe: this very program, wherever it was started from. */
	TRY(dios_run(0, "/proc/self/exe", &spec, &task));
	return task;
}

/* Take every message queued in @s; 1 once the stream is finished. */
static int drain(dios_ref_t s, uint32_t id, uint32_t *next_seq)
{
	struct msg m;
	char text[sizeof(m.text)];
	int len;

	for (;;) {
		len = dios_recv(DIOS_NONBLOCK, s, &m, sizeof(m));
		if (len == -EAGAIN)
			return 0;	/* empty for now */
		if (len == -EPIPE)
			return 1;	/* empty, and its writer is gone */
		TRY(len);
		snprintf(text, sizeof(text), "writer %u, message %u", id,
			 *next_seq);
		if (len != sizeof(m) || m.writer != id ||
		    m.seq != *next_seq || strncmp(m.text, text, sizeof(text)))
			fail("stream %u: got message %u of writer %u, wanted %u",
			     id, m.seq, m.writer, *next_seq);
		(*next_seq)++;
	}
}

int main(int argc, char **argv)
{
	struct dios_create_args args = { .capacity = CAPACITY };
	dios_ref_t refs[WRITERS], tasks[WRITERS], s;
	uint32_t ids[WRITERS], next_seq[WRITERS] = { 0 };
	uint32_t i, live, ready, selects = 0;
	int status;

	if (argc == 3 && !strcmp(argv[1], "--writer"))
		return writer((uint32_t)strtoul(argv[2], NULL, 10));
	if (argc != 1)
		fail("usage: select_streams (no arguments)");

	for (i = 0; i < WRITERS; i++) {
		TRY(dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &args, &s,
				NULL));
		tasks[i] = start_writer(i, s);
		/* Keep reading only: the task is the stream's one writer. */
		TRY(dios_dup(s, DIOS_RIGHT_READ, &refs[i]));
		TRY(dios_delete(0, s));
		ids[i] = i;
	}

	/* refs[0..live-1]: the streams not finished yet, ids[] their writers. */
	for (live = WRITERS; live > 0; selects++) {
		TRY(dios_select(0, refs, live, DIOS_EV_READ, -1, &ready));
		if (!drain(refs[ready], ids[ready], &next_seq[ids[ready]]))
			continue;
		if (next_seq[ids[ready]] != MESSAGES)
			fail("stream %u ended after %u messages", ids[ready],
			     next_seq[ids[ready]]);
		TRY(dios_delete(0, refs[ready]));
		/* Move the last one into its place. */
		live--;
		refs[ready] = refs[live];
		ids[ready] = ids[live];
	}

	for (i = 0; i < WRITERS; i++) {
		TRY(dios_task_wait(tasks[i], &status));
		if (status != 0)
			fail("writer %u exited with status %d", i, status);
		TRY(dios_delete(0, tasks[i]));
	}
	printf("select_streams: drained %d messages from %d writer tasks over %d streams in %u selects\n",
	       WRITERS * MESSAGES, WRITERS, WRITERS, selects);
	return 0;
}
