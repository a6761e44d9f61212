// SPDX-License-Identifier: MIT
/*
 * stream_zerocopy: a producer and a consumer process over a named stream,
 * with zero-copy I/O.
 *
 * The producer (the parent) creates a STREAM object, whose name anyone who
 * knows it can look up, and forks the consumer.  The consumer looks the
 * name up (a fork child never shares its parent's dios references, so the
 * name is how it finds the stream).  Then:
 *
 *   producer: dios_acquire_write  reserve room for one message in the ring,
 *                                 mapped into the process
 *             (fill the buffer in place)
 *             dios_commit_write   publish it as one message
 *   consumer: dios_acquire_read   the head message, mapped in place
 *             (read it in place)
 *             dios_commit_read    consume it, freeing its room
 *
 * No byte is copied by the kernel.  With DIOS_IO_REARM each commit also
 * acquires the next buffer, so the steady state is one system call per
 * message on each side.  The ring (16 KiB) is much smaller than all the
 * messages together: the producer waits for room while the consumer lags.
 *
 * Usage: stream_zerocopy [MESSAGES]   (default 1000)
 */
#include "example.h"

#include <stdint.h>

#define CAPACITY	(16 * 1024)	/* bytes of message space in the ring */
#define MAX_LEN		512		/* the longest message */

/* Message i: its number, then (i % 251) in every other byte. */
static uint64_t msg_len(uint32_t i)
{
	return sizeof(i) + i % (MAX_LEN - sizeof(i));
}

static void fill(void *buf, uint32_t i)
{
	memcpy(buf, &i, sizeof(i));
	memset((char *)buf + sizeof(i), i % 251, msg_len(i) - sizeof(i));
}

static int intact(const void *buf, uint64_t len, uint32_t i)
{
	const unsigned char *p = buf;
	uint32_t seq;
	uint64_t k;

	if (len != msg_len(i))
		return 0;
	memcpy(&seq, p, sizeof(seq));
	if (seq != i)
		return 0;
	for (k = sizeof(seq); k < len; k++)
		if (p[k] != i % 251)
			return 0;
	return 1;
}

/* The fork child: find the stream by its name and read every message. */
static int consume(const struct dios_name *name, uint32_t n)
{
	struct dios_iovec r;
	dios_ref_t s;
	uint32_t i;

	TRY(dios_lookup(0, name, DIOS_REF_NONE, &s));
	memset(&r, 0, sizeof(r));	/* zero it all: it has private fields */
	TRY(dios_acquire_read(0, s, MAX_LEN, &r));
	for (i = 0; i < n; i++) {
		if (!intact(r.buf, r.len, i))
			fail("consumer: message %u is not what was sent", i);
		/* Consume it and, but after the last one, wait for the next. */
		r.next_len = i + 1 < n ? MAX_LEN : 0;
		TRY(dios_commit_read(i + 1 < n ? DIOS_IO_REARM : 0, s, &r));
	}
	TRY(dios_delete(0, s));
	return 0;
}

int main(int argc, char **argv)
{
	struct dios_create_args args = { .capacity = CAPACITY };
	uint32_t i, n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1000;
	struct dios_name name;
	struct dios_iovec w;
	uint64_t bytes = 0;
	char hex[65];
	dios_ref_t s;
	pid_t pid;

	if (argc > 2 || n == 0)
		fail("usage: stream_zerocopy [MESSAGES (at least 1)]");
	TRY(dios_create(0, DIOS_OBJ_STREAM, &args, &s, &name));
	TRY(dios_name_to_str(&name, hex));

	pid = fork_child();
	if (pid == 0)
		exit(consume(&name, n));

	/*
	 * The producer's own reference can read too, so it counts as a
	 * reader: were the consumer to die, a full ring would make the
	 * producer wait forever instead of failing with -EPIPE.  An alarm
	 * bounds the wait.
	 */
	alarm(60);
	memset(&w, 0, sizeof(w));
	TRY(dios_acquire_write(0, s, msg_len(0), &w));
	for (i = 0; i < n; i++) {
		fill(w.buf, i);
		bytes += msg_len(i);
		/* Publish it and, but after the last one, reserve the next. */
		w.next_len = i + 1 < n ? msg_len(i + 1) : 0;
		TRY(dios_commit_write(i + 1 < n ? DIOS_IO_REARM : 0, s,
				      msg_len(i), &w));
	}
	wait_child(pid, "consumer");
	TRY(dios_delete(0, s));
	printf("stream_zerocopy: %u messages (%llu bytes) through a %d KiB stream %.16s..., producer to consumer, zero-copy\n",
	       n, (unsigned long long)bytes, CAPACITY / 1024, hex);
	return 0;
}
