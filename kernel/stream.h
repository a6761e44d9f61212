/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_STREAM_H
#define __DIOS_STREAM_H

/**
 * DOC: Stream objects
 *
 * DIOS_OBJ_STREAM: a one-way FIFO of messages.  The payload lives in a ring
 * of pages (the capacity rounded up to pages) that every view maps twice
 * back to back, so that each message is contiguous in virtual memory.  The
 * queue of message descriptors (length, carried references) lives in the
 * kernel only: user space can scribble on payload pages it shares, never on
 * the queue.
 *
 * Positions are byte counters that only grow: @q.head is where the oldest
 * message starts, @q.tail where the next one will; the ring offset of a
 * position is position % ring size.  One writer holds the tail at a time
 * (@q.writing), one reader the head message (@q.reading).
 *
 * Writers and readers are the references holding WRITE or READ, counted
 * over every context by the ref_change hook under the object lock.
 *
 * Locking: @lock protects @q and is taken inside a reference side's mutex
 * and inside dios_gc_lock, inside the object lock never (see buffer.h and
 * gc.c).  Messages carrying references are linked and unlinked under
 * dios_gc_lock too, which keeps the in-flight counts exact (gc.c).
 * Waiters sleep on the object's wait queue.
 */

#include <linux/list.h>
#include <linux/spinlock.h>

#include "buffer.h"
#include "context.h"
#include "gc.h"
#include "object.h"

struct dios_io;
struct dios_qent;
struct dios_ring;

/**
 * struct dios_msg - what a message carries besides its bytes
 * @link:	in a list of messages being freed (dios_msg_free_list()); a
 *		ring stream's queue of references (ring.c)
 * @pos:	ring streams: the position of the frame it belongs to
 * @borrowed:	forwarded: some of its ring pages are borrowed (shared with
 *		a blob); they are replaced by fresh pages when it is consumed
 * @n_refs:	references carried
 * @refs:	the objects (a memory reference each) and their rights
 *
 * Only messages that carry references or were forwarded have one: a plain
 * message is its queue entry alone.
 */
struct dios_msg {
	struct list_head link;
	u64 pos;
	bool borrowed;
	u32 n_refs;
	struct dios_handle refs[];
};

/**
 * struct dios_stream - a stream object
 * @obj:	the object core, first so that the object is the allocation
 * @capacity:	bytes of message space as given at creation; immutable
 * @ring:	the ring pages
 * @ring_size:	bytes in the ring, @capacity rounded up to pages; immutable
 * @max_msgs:	most messages queued at once; immutable
 * @lock:	protects @q
 * @q:		the queue, protected by @lock
 * @q.head:	position of the oldest message
 * @q.tail:	position of the next message
 * @q.ents:	the queued messages, a ring of @q.cap entries (stream.c)
 * @q.cap:	entries in @q.ents, a power of two, or 0 with no ring
 * @q.first:	index of the oldest message in @q.ents
 * @q.nr_msgs:	the number of queued messages; also read locklessly
 * @q.writing:	a writer holds a reservation at the tail
 * @q.reading:	a reader holds the head message
 * @nr_readers:	references holding READ; protected by @obj.lock
 * @nr_writers:	references holding WRITE; protected by @obj.lock
 * @gc:		the cycle collector's state, protected by dios_gc_lock
 * @rs:		a ring stream's kernel side (ring.c), NULL for a plain one
 */
struct dios_stream {
	struct dios_object obj;
	u64 capacity;
	struct dios_pages ring;
	u64 ring_size;
	u32 max_msgs;

	spinlock_t lock; /* protects q */
	struct {
		u64 head;
		u64 tail;
		struct dios_qent *ents;
		u32 cap;
		u32 first;
		u32 nr_msgs;
		bool writing;
		bool reading;
	} q;

	unsigned int nr_readers;
	unsigned int nr_writers;

	struct dios_gc_node gc;
	struct dios_ring *rs;
};

struct dios_object *dios_stream_create(const struct dios_create_args *args);
void dios_stream_gc_scan(struct dios_stream *stream, struct list_head *todo);
void dios_msg_gc_scan(struct dios_msg *msg, struct list_head *todo);
struct dios_msg *dios_stream_new_msg(struct dios_stream *stream,
				     struct dios_io *io);
int dios_stream_give_refs(struct dios_io *io, struct dios_msg *msg);
void dios_msg_free(struct dios_msg *msg);
void dios_msg_free_list(struct list_head *msgs);

#endif /* __DIOS_STREAM_H */
