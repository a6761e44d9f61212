/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_RING_H
#define __DIOS_RING_H

/**
 * DOC: Ring streams
 *
 * A ring stream (DIOS_CREATE_RING) is a struct dios_stream whose messages
 * move in user space, as frames in the ring, between the holders of the
 * write and the read lease; see ring.c and docs/ring.md.
 */

#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/dios.h>

#include "buffer.h"
#include "stream.h"

/**
 * struct dios_ring - the kernel side of a ring stream
 * @ctl:	the control pages (kernel, tail, head): lowmem, zeroed
 * @kern:	the kernel page, mapped
 * @tail:	the writer's tail word, as the kernel reads it
 * @head:	the reader's head word
 * @lease:	a reference holds the side's lease
 * @nr_wait:	waiters of each side in DIOS_RING_WAIT
 * @armed:	a waiter of the side asks for a wake (published in the kernel
 *		page); a wake disarms it
 * @poll:	a select found the side not ready since the last wake
 * @dead:	destroyed: the kernel page is gone
 * @refs_lock:	serialises the steps on the references of frames (push,
 *		take, commit, release, the end of a lease)
 * @refs:	the references queued for frames (struct dios_msg, by
 *		@pos), oldest first; changed under @refs_lock, dios_gc_lock
 *		and dios_stream.lock, read under @refs_lock or by the
 *		collector under dios_gc_lock and dios_stream.lock
 * @nr_refs:	entries in @refs, at most one per 8 bytes of ring
 *
 * Everything else but the immutable pointers is protected by
 * dios_stream.lock.
 */
struct dios_ring {
	struct page *ctl[DIOS_RING_CTL_PAGES];
	struct dios_ring_kern *kern;
	struct dios_ring_pos *tail;
	struct dios_ring_pos *head;
	bool lease[DIOS_IO_NR_DIRS];
	u32 nr_wait[DIOS_IO_NR_DIRS];
	bool armed[DIOS_IO_NR_DIRS];
	bool poll[DIOS_IO_NR_DIRS];
	bool dead;

	struct mutex refs_lock; /* the steps on @refs */
	struct list_head refs;
	u32 nr_refs;
};

/* One allocation, the object first (kfree_rcu() of the object frees it). */
struct dios_ring_stream {
	struct dios_stream stream;
	struct dios_ring ring;
};

struct dios_create_args;
struct dios_io;
struct dios_object;

/*
 * The low 32 bits of a position word: enough to see that it moved (a side
 * never gets 4 GiB ahead of the other: the ring is smaller), and one load
 * on every kernel, 32-bit ones included.
 */
static inline u32 dios_ring_pos_lo(struct dios_ring_pos *p)
{
	return READ_ONCE(*(u32 *)((char *)&p->pos +
				  (IS_ENABLED(CONFIG_CPU_BIG_ENDIAN) ? 4 : 0)));
}

struct dios_object *dios_ring_create(const struct dios_create_args *args);
extern const struct dios_object_ops dios_ring_ops;

/* Whether @obj is a ring stream. */
static inline bool dios_is_ring(struct dios_object *obj)
{
	return obj->ops == &dios_ring_ops;
}

int dios_ring_wait(struct dios_io *io, u64 seen);
void dios_ring_wake(struct dios_object *obj, unsigned int dir);
u64 dios_ring_size(struct dios_object *obj);

/* References carried by frames (ring_refs.c). */
int dios_ring_refs(struct dios_io *io, u32 op, u64 pos);
void dios_ring_refs_end(struct dios_stream *s, struct dios_io *io);
void dios_ring_refs_init(struct dios_ring *rs);
void dios_ring_refs_destroy(struct dios_stream *s);
void dios_ring_gc_scan(struct dios_stream *s, struct list_head *todo);

#endif /* __DIOS_RING_H */
