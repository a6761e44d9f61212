// SPDX-License-Identifier: MIT
/*
 * pass_ref: passing a reference to an object in a message.
 *
 * The parent writes a BLOB object, then sends a read-only reference to it
 * through a channel to a forked child.  The message carries the reference
 * itself, not the blob's bytes nor its name: the child receives a handle
 * of its own (with the rights the sender gave it, read and copy), reads
 * the blob in place through it, and answers with a checksum of what it
 * read.  Writing through the handle is refused, since the right to write
 * was not passed on.
 *
 * The channel is a named one (dios_chan_create): two streams, one per
 * direction, that the child opens by their names (dios_chan_open).  The
 * parent's first send waits until the child has opened it.
 */
#include "example.h"

#include <stdint.h>

#define BLOB_SIZE	(64 * 1024)
#define NOTE		"the parent's report"

/* FNV-1a: a checksum of what was written and of what was read. */
static uint32_t checksum(const void *buf, uint64_t len)
{
	const unsigned char *p = buf;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* The fork child: receive the reference, read the blob through it. */
static int reader(const struct dios_name names[2])
{
	struct dios_iovec r, w;
	struct dios_ref_info info;
	struct dios_chan chan;
	uint32_t n = 1, sum;
	dios_ref_t blob;
	char msg[64];
	int len;

	TRY(dios_chan_open(0, names, &chan));
	/* n: in, room for one reference; out, how many came. */
	len = TRY(dios_chan_recv_refs(0, &chan, msg, sizeof(msg), &blob, &n));
	if (n != 1 || len != sizeof(NOTE) || memcmp(msg, NOTE, len))
		fail("reader: the message is not what was sent");

	/* A handle of our own, to the parent's object, read-only. */
	TRY(dios_ref_info(blob, &info));
	if (info.type != DIOS_OBJ_BLOB || info.size != BLOB_SIZE ||
	    info.rights != (DIOS_RIGHT_READ | DIOS_RIGHT_COPY))
		fail("reader: unexpected reference (type %u, rights %#llx)",
		     info.type, info.rights);

	memset(&r, 0, sizeof(r));
	r.offset = 0;			/* the window: the whole blob */
	TRY(dios_acquire_read(0, blob, BLOB_SIZE, &r));
	sum = checksum(r.buf, r.len);
	TRY(dios_commit_read(0, blob, &r));

	memset(&w, 0, sizeof(w));
	if (dios_acquire_write(0, blob, 1, &w) != -EACCES)
		fail("reader: writing through a read-only reference worked");

	TRY(dios_chan_send(0, &chan, &sum, sizeof(sum)));
	TRY(dios_delete(0, blob));
	TRY(dios_chan_close(&chan));
	return 0;
}

int main(void)
{
	struct dios_create_args args = { .size = BLOB_SIZE };
	struct dios_name names[2];
	struct dios_chan chan;
	dios_ref_t blob, ro;
	struct dios_iovec w;
	uint32_t sum, theirs;
	pid_t pid;
	int len;

	/* Write the blob: one transaction over the whole of it. */
	TRY(dios_create(0, DIOS_OBJ_BLOB, &args, &blob, NULL));
	memset(&w, 0, sizeof(w));
	w.offset = 0;
	/* DIOS_IO_OVERWRITE: every byte is written, start from zeroes. */
	TRY(dios_acquire_write(DIOS_IO_OVERWRITE, blob, BLOB_SIZE, &w));
	for (len = 0; len < BLOB_SIZE; len++)
		((unsigned char *)w.buf)[len] = (unsigned char)(len * 7 + len / 4096);
	sum = checksum(w.buf, BLOB_SIZE);
	TRY(dios_commit_write(0, blob, BLOB_SIZE, &w));

	TRY(dios_chan_create(0, 0, &chan, names));
	pid = fork_child();
	if (pid == 0)
		exit(reader(names));

	/*
	 * What travels: a new reference with only READ and COPY (COPY is
	 * what lets a reference travel at all).  Sending moves it out of our
	 * table; the parent keeps its own full reference.  If the child
	 * never opens the channel, the send would wait forever: an alarm
	 * bounds it.
	 */
	alarm(60);
	TRY(dios_dup(blob, DIOS_RIGHT_READ | DIOS_RIGHT_COPY, &ro));
	TRY(dios_chan_send_refs(0, &chan, NOTE, sizeof(NOTE), &ro, 1));
	len = TRY(dios_chan_recv(0, &chan, &theirs, sizeof(theirs)));
	if (len != sizeof(theirs) || theirs != sum)
		fail("the child read checksum %#x, the parent wrote %#x",
		     theirs, sum);
	wait_child(pid, "reader");
	TRY(dios_chan_close(&chan));
	TRY(dios_delete(0, blob));
	printf("pass_ref: sent a read-only reference to a %d KiB blob through a channel; the child read the blob through it (checksum %#x) and could not write it\n",
	       BLOB_SIZE / 1024, sum);
	return 0;
}
