// SPDX-License-Identifier: GPL-2.0
/*
 * gc.c - the collector of cycles of streams carried by stream messages:
 * the in-flight counts, the trigger and the mark-and-sweep work.
 *
 * Lock order (outermost first), adding to buffer.h's:
 *
 *   dios_gc_lock	spinlock; every @inflight count, the list of streams
 *			in flight, and the linking and unlinking of queued
 *			messages that carry references
 *     dios_stream.lock	spinlock; one stream's queue
 *
 * dios_gc_lock is taken under a reference side's mutex (commit_write,
 * commit_read) or with no lock held (the work, a stream's destroy hook),
 * never under dios_object.lock, a context's lock or the name lock.
 *
 * In-flight counts.  A stream's @inflight is the number of references to
 * it held by messages linked in some stream's queue.  A message carrying
 * references is linked (commit_write) and unlinked (commit_read, destroy)
 * with dios_gc_lock held, and the counts change in the same critical
 * section: under the lock, @inflight is exact and the edges of the graph
 * "stream A's queue carries stream B" cannot change.  Every such reference
 * is also a memory reference, so refcount >= @inflight always, and a
 * stream on the list is alive (its messages hold it).  A ring stream's
 * queue of references (ring_refs.c) is such a queue: its entries are linked
 * and unlinked the same way, and dios_stream_gc_scan() visits them.
 *
 * Candidates.  A stream is a candidate when refcount == @inflight: no table,
 * no operation, no view and no message being built holds it.  Such a stream
 * can only gain a reference in two ways: a reader installing it from a
 * message of a stream the reader holds (the message stays linked while the
 * reader does so, dios_stream_give_refs()), or a name lookup.
 *
 * Mark.  Under dios_gc_lock, as unix_gc(): take the candidates; for every
 * stream a candidate's queue carries, decrement the carried stream's
 * @count (started at @inflight).  A candidate left with @count > 0 is
 * carried by a queue that is not a candidate's: a stream some task holds,
 * reaches or may reach.  It is alive, and so is every candidate its queue
 * carries, transitively.  The candidates left are garbage.
 *
 * Why garbage stays garbage.  Take the first moment, inside or after the
 * critical section, that a task gains a reference to a garbage stream G
 * other than by name.  It cannot be a copy of a reference held before: G
 * had none outside queues when its refcount was read, and a copy never lets
 * the count dip below what it was.  So it is a reader installing G from a
 * message linked in the queue of a stream S that the reader holds; that
 * message was linked during the critical section (links need the lock), so
 * the edge S -> G was seen.  S is then held, hence not a candidate (so G
 * had @count > 0) or a candidate reached from such a stream (so marked
 * alive), or it is garbage itself and its holder gained it earlier, against
 * the choice of the first moment.  A name lookup is the exception: names
 * hold no reference (name.c), so a named stream in a cycle is garbage too,
 * and a lookup racing the sweep finds it dead (-EIDRM), exactly as if the
 * lookup had come after the sweep.
 *
 * Sweep.  Still under the lock, every garbage stream gets a memory
 * reference from the collector; after the lock is dropped each one is
 * zombified: operations in flight (only a racing name lookup can start one)
 * are woken and drained, and its destroy hook flushes its queue, dropping
 * the references its messages carry.  That breaks every cycle: once all
 * garbage is flushed nothing holds the streams but the collector, whose
 * puts free them.  A stream some task holds that sat in a garbage queue
 * only loses the queue's reference.
 *
 * Trigger.  The work runs when a put leaves a stream in flight with
 * refcount == @inflight (the last reference a task held is gone) and when a
 * message is linked that makes that true.  dios_gc_put() and dios_gc_add()
 * each write their count, then a full barrier, then read the other's: one
 * of them sees the candidate.  A put during a run queues another run.
 *
 * Cost.  The common paths pay a global lock only for messages that carry
 * references, and a barrier on the put of a stream.  A run holds
 * dios_gc_lock while it scans the queues of the streams in flight, as
 * unix_gc() does: its time grows with the messages queued in candidates
 * and in the streams found alive.
 *
 * Module exit flushes the work: a run's last put can drop the last object,
 * which unpins the module while the work still executes module code.
 */

#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include "context.h"
#include "gc.h"
#include "object.h"
#include "stream.h"
#include "trace.h"

DEFINE_SPINLOCK(dios_gc_lock);

/* Every stream with @inflight > 0, through dios_gc_node.link. */
static LIST_HEAD(dios_gc_inflight);

static void dios_gc_work_fn(struct work_struct *work);
static DECLARE_WORK(dios_gc_work, dios_gc_work_fn);

void dios_gc_node_init(struct dios_gc_node *node)
{
	INIT_LIST_HEAD(&node->link);
	INIT_LIST_HEAD(&node->sweep);
}

static struct dios_stream *dios_gc_stream(struct dios_object *obj)
{
	if (obj->type != DIOS_OBJ_STREAM)
		return NULL;
	return container_of(obj, struct dios_stream, obj);
}

/* Only queued messages hold @stream; racy outside dios_gc_lock. */
static bool dios_gc_unheld(struct dios_stream *stream)
{
	unsigned long inflight = READ_ONCE(stream->gc.inflight);

	return inflight && refcount_read(&stream->obj.ref) <= inflight;
}

/**
 * dios_gc_add() - references of a message being linked in a queue
 * @refs:	the references the message carries
 * @n:		their number
 */
void dios_gc_add(const struct dios_handle *refs, u32 n)
{
	struct dios_stream *stream;
	bool unheld = false;
	u32 i;

	lockdep_assert_held(&dios_gc_lock);
	for (i = 0; i < n; i++) {
		stream = dios_gc_stream(refs[i].obj);
		if (!stream)
			continue;
		if (!stream->gc.inflight)
			list_add_tail(&stream->gc.link, &dios_gc_inflight);
		WRITE_ONCE(stream->gc.inflight, stream->gc.inflight + 1);
	}
	/* Pairs with dios_gc_put(): the count before the refcount. */
	smp_mb();
	for (i = 0; i < n; i++) {
		stream = dios_gc_stream(refs[i].obj);
		unheld |= stream && dios_gc_unheld(stream);
	}
	if (unheld)
		schedule_work(&dios_gc_work);
}

/**
 * dios_gc_sub() - references of a message being unlinked from its queue
 * @refs:	the references the message carries
 * @n:		their number
 *
 * The message still holds them; their puts come later.
 */
void dios_gc_sub(const struct dios_handle *refs, u32 n)
{
	struct dios_stream *stream;
	u32 i;

	lockdep_assert_held(&dios_gc_lock);
	for (i = 0; i < n; i++) {
		stream = dios_gc_stream(refs[i].obj);
		if (!stream)
			continue;
		WRITE_ONCE(stream->gc.inflight, stream->gc.inflight - 1);
		if (!stream->gc.inflight)
			list_del_init(&stream->gc.link);
	}
}

/**
 * dios_gc_put() - a memory reference to @obj was dropped, not the last
 * @obj:	the object; the caller is in an RCU read-side section, which
 *		keeps the memory even if another put frees it meanwhile
 */
void dios_gc_put(struct dios_object *obj)
{
	struct dios_stream *stream = dios_gc_stream(obj);

	if (!stream)
		return;
	/* Pairs with dios_gc_add(): the refcount before the count. */
	smp_mb();
	if (dios_gc_unheld(stream))
		schedule_work(&dios_gc_work);
}

/**
 * dios_gc_visit() - the collector found a queue carrying @child
 * @child:	the carried stream
 * @todo:	NULL while counting the edges between candidates; else the
 *		list of streams found alive whose queues are still to scan
 */
void dios_gc_visit(struct dios_gc_node *child, struct list_head *todo)
{
	lockdep_assert_held(&dios_gc_lock);
	if (!child->candidate)
		return;
	if (!todo) {
		child->count--;
		return;
	}
	child->candidate = false;
	list_move_tail(&child->link, todo);
}

static struct dios_stream *dios_gc_first(struct list_head *list)
{
	return list_first_entry_or_null(list, struct dios_stream, gc.link);
}

/* Candidates onto @cand, with their counts. */
static void dios_gc_candidates(struct list_head *cand)
{
	struct dios_stream *stream, *tmp;

	lockdep_assert_held(&dios_gc_lock);
	list_for_each_entry_safe(stream, tmp, &dios_gc_inflight, gc.link) {
		if (!dios_gc_unheld(stream))
			continue;
		stream->gc.candidate = true;
		stream->gc.count = stream->gc.inflight;
		list_move_tail(&stream->gc.link, cand);
	}
}

/* Leave the garbage on @cand, everything else back in flight. */
static void dios_gc_mark(struct list_head *cand)
{
	struct dios_stream *stream, *tmp;
	LIST_HEAD(todo);
	LIST_HEAD(alive);

	lockdep_assert_held(&dios_gc_lock);
	list_for_each_entry(stream, cand, gc.link)
		dios_stream_gc_scan(stream, NULL);
	/* Carried by a queue that is not a candidate's: alive. */
	list_for_each_entry_safe(stream, tmp, cand, gc.link) {
		if (stream->gc.count) {
			stream->gc.candidate = false;
			list_move_tail(&stream->gc.link, &todo);
		}
	}
	while ((stream = dios_gc_first(&todo))) {
		list_move_tail(&stream->gc.link, &alive);
		dios_stream_gc_scan(stream, &todo);
	}
	list_splice_tail(&alive, &dios_gc_inflight);
}

/* Collect garbage: mark under the lock, zombify outside it. */
static void dios_gc_work_fn(struct work_struct *work)
{
	struct dios_stream *stream, *tmp;
	u32 candidates = 0, collected = 0;
	LIST_HEAD(cand);
	LIST_HEAD(sweep);

	spin_lock(&dios_gc_lock);
	dios_gc_candidates(&cand);
	list_for_each_entry(stream, &cand, gc.link)
		candidates++;
	dios_gc_mark(&cand);
	list_for_each_entry(stream, &cand, gc.link) {
		collected++;
		stream->gc.candidate = false;
		dios_object_get(&stream->obj);
		list_add_tail(&stream->gc.sweep, &sweep);
	}
	/* Still in flight until their destroy hooks unlink the messages. */
	list_splice_tail(&cand, &dios_gc_inflight);
	spin_unlock(&dios_gc_lock);
	trace_dios_gc(candidates, collected);

	list_for_each_entry_safe(stream, tmp, &sweep, gc.sweep) {
		list_del_init(&stream->gc.sweep);
		dios_object_zombify(&stream->obj);
		dios_object_put(&stream->obj);
	}
}

/* Module exit: no object is left, a run may still be finishing. */
void dios_gc_uninit(void)
{
	flush_work(&dios_gc_work);
}
