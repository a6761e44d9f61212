/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_GC_H
#define __DIOS_GC_H

/**
 * DOC: The cycle collector
 *
 * A reference carried by a queued message keeps its object alive, so
 * streams whose queues carry each other would live forever once no task
 * holds them.  gc.c counts, per stream, the references held by queued
 * messages (@inflight) and, in the manner of net/unix/garbage.c, zombifies
 * the streams that only queues of other such streams can reach.  gc.c's
 * header comment has the algorithm and why it is correct.
 */

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct dios_handle;
struct dios_object;

/**
 * struct dios_gc_node - the collector's state of one stream
 * @link:	in the list of streams in flight while @inflight is not 0,
 *		in the collector's private lists while it runs
 * @inflight:	references to the stream held by messages queued in any
 *		stream; written under dios_gc_lock, read locklessly by
 *		dios_gc_put()
 * @count:	while the collector runs: @inflight minus the references
 *		held by messages queued in candidates
 * @candidate:	while the collector runs: every reference to the stream
 *		is carried by a queued message, and no live stream reaches it
 *		yet
 * @sweep:	in the collector's list of garbage, with a reference held
 *
 * Every field but @sweep is protected by dios_gc_lock; @sweep is private to
 * the collector's work.
 */
struct dios_gc_node {
	struct list_head link;
	unsigned long inflight;
	unsigned long count;
	bool candidate;
	struct list_head sweep;
};

extern spinlock_t dios_gc_lock;

void dios_gc_node_init(struct dios_gc_node *node);
void dios_gc_add(const struct dios_handle *refs, u32 n);
void dios_gc_sub(const struct dios_handle *refs, u32 n);
void dios_gc_visit(struct dios_gc_node *child, struct list_head *todo);
void dios_gc_put(struct dios_object *obj);
void dios_gc_uninit(void);

#endif /* __DIOS_GC_H */
