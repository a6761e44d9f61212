// SPDX-License-Identifier: GPL-2.0
/*
 * ring_refs.c - references carried by the frames of a ring stream
 * (DIOS_FEAT_RING_REFS; docs/ring.md).  The bytes of a frame move in user
 * space; its references cannot, so they travel through the kernel, in the
 * ring's queue of references, keyed by the position of their frame:
 *
 *  - PUSH_REFS: the writer takes the handles out of its table (exactly as
 *    a plain stream's commit_write with DIOS_IO_REFS: dios_stream_new_msg())
 *    and queues them for the frame it is about to publish at its tail,
 *    flagged DIOS_RING_FRAME_REFS.  Queued before the publish, the entry is
 *    there whenever a reader sees the flag.
 *  - TAKE_REFS: the reader of a flagged frame at its head installs the
 *    oldest entry's references (dios_stream_give_refs(), as acquire_read)
 *    if that entry is for the frame's position; else the frame lies
 *    (-EBADMSG).  The entry stays: the read is not over.
 *  - COMMIT_REFS, after the reader moved its head past the frame: the
 *    entry goes, the reader keeps the handles (commit_read).
 *    RELEASE_REFS: the handles installed go, the entry stays for the next
 *    take (release_read).
 *
 * The reader's open take (the handles installed, the frame's position) is
 * kept in its lease's buffer; the end of the lease settles it as the
 * reader's head says: a frame behind the head was consumed (commit), one
 * at or after it was not (release: the next reader takes the references
 * again).  The end of the writer's lease drops the entries of frames it
 * never published (at or after its tail), and so does its next push.
 *
 * Positions come from user space and are trusted no further than a
 * plain stream's reader trusts its writer: an entry whose frame is behind
 * the head or beyond the ring is dropped, a take that finds no entry for
 * its frame fails, and the queue holds at most one entry per 8 bytes of
 * ring (-ENOSPC beyond: only a writer that pushes without publishing gets
 * there), as a plain stream holds at most one message per 8 bytes.  The
 * entries are in flight for the cycle collector (gc.c) while queued.
 *
 * Lock order: a reference side's mutex, then dios_ring.refs_lock, then
 * the context's lock and mmap_lock (installing, copying handles), then
 * dios_gc_lock, then dios_stream.lock.  No reference that may be an
 * object's last is dropped under refs_lock: the entries taken off the
 * queue are freed once it is unlocked, and the handles taken out of a
 * table go to the step's dead list.
 */

#include <linux/mutex.h>
#include <linux/slab.h>

#include "buffer.h"
#include "context.h"
#include "gc.h"
#include "ring.h"
#include "stream.h"

static struct dios_stream *dios_ring_refs_stream(struct dios_io *io)
{
	return container_of(io->obj, struct dios_stream, obj);
}

/* Most entries queued: one per 8 bytes of ring, as frames are. */
static u32 dios_ring_refs_max(struct dios_stream *s)
{
	return min_t(u64, s->ring_size / sizeof(struct dios_ring_frame),
		     U32_MAX);
}

/*
 * Whether a frame at @pos may still be read: in [head, head + ring size).
 * Behind the head it was consumed; beyond the ring it never was a frame.
 * The low 32 bits are enough (the ring is smaller than 4 GiB) and one load,
 * so that a head the reader is storing is read whole on every kernel.
 */
static bool dios_ring_refs_live(struct dios_stream *s, u64 pos)
{
	return (u32)(lower_32_bits(pos) - dios_ring_pos_lo(s->rs->head)) <
	       s->ring_size;
}

/* Whether the frame at @pos is published: in [head, tail). */
static bool dios_ring_refs_published(struct dios_stream *s, u64 pos)
{
	u32 head = dios_ring_pos_lo(s->rs->head);

	return (u32)(lower_32_bits(pos) - head) <
	       (u32)(dios_ring_pos_lo(s->rs->tail) - head);
}

/* Take @msg off the queue onto @drop, to be freed once unlocked. */
static void dios_ring_refs_unlink(struct dios_stream *s, struct dios_msg *msg,
				  struct list_head *drop)
{
	lockdep_assert_held(&s->rs->refs_lock);
	spin_lock(&dios_gc_lock);
	dios_gc_sub(msg->refs, msg->n_refs);
	spin_lock(&s->lock);
	list_move_tail(&msg->link, drop);
	WRITE_ONCE(s->rs->nr_refs, s->rs->nr_refs - 1);
	spin_unlock(&s->lock);
	spin_unlock(&dios_gc_lock);
}

/* Queue @msg last; its references are in flight from now. */
static void dios_ring_refs_link(struct dios_stream *s, struct dios_msg *msg)
{
	lockdep_assert_held(&s->rs->refs_lock);
	spin_lock(&dios_gc_lock);
	dios_gc_add(msg->refs, msg->n_refs);
	spin_lock(&s->lock);
	list_add_tail(&msg->link, &s->rs->refs);
	WRITE_ONCE(s->rs->nr_refs, s->rs->nr_refs + 1);
	spin_unlock(&s->lock);
	spin_unlock(&dios_gc_lock);
}

/*
 * Drop the entries that no reader can take: those @keep refuses.  Nothing
 * a reader could see changes.
 */
static void dios_ring_refs_purge(struct dios_stream *s,
				 bool (*keep)(struct dios_stream *s, u64 pos),
				 struct list_head *drop)
{
	struct dios_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, &s->rs->refs, link)
		if (!keep(s, msg->pos))
			dios_ring_refs_unlink(s, msg, drop);
}

/* The entries a push for @pos replaces: pushed, never published. */
static u32 dios_ring_refs_stale(struct dios_stream *s, u64 pos,
				struct list_head *drop)
{
	struct dios_msg *msg, *tmp;
	u32 n = 0;

	list_for_each_entry_safe(msg, tmp, &s->rs->refs, link) {
		if (msg->pos < pos)
			continue;
		n++;
		if (drop)
			dios_ring_refs_unlink(s, msg, drop);
	}
	return n;
}

/* Whether a push for @pos may queue: 0 or an error, nothing changed. */
static int dios_ring_refs_may_push(struct dios_stream *s, u64 pos,
				   struct list_head *drop)
{
	struct dios_ring *rs = s->rs;

	lockdep_assert_held(&rs->refs_lock);
	/* The frame goes at the tail, which only writers write. */
	if (pos != READ_ONCE(rs->tail->pos))
		return -EINVAL;
	/* Room for its header, as the head says. */
	if ((u32)(lower_32_bits(pos) - dios_ring_pos_lo(rs->head)) >
	    s->ring_size - sizeof(struct dios_ring_frame))
		return -EBADMSG;
	dios_ring_refs_purge(s, dios_ring_refs_live, drop);
	if (rs->nr_refs - dios_ring_refs_stale(s, pos, NULL) >=
	    dios_ring_refs_max(s))
		return -ENOSPC;
	return 0;
}

/*
 * PUSH_REFS: take io->n_refs handles at io->refs out of the writer's table
 * and queue them for the frame at @pos.  The checks first, then the
 * handles, then the queue: only this lease holder queues, and the others
 * only take entries off, so what was checked still holds.
 */
static int dios_ring_push_refs(struct dios_io *io, u64 pos)
{
	struct dios_stream *s = dios_ring_refs_stream(io);
	struct dios_msg *msg;
	LIST_HEAD(drop);
	int ret;

	mutex_lock(&s->rs->refs_lock);
	ret = dios_ring_refs_may_push(s, pos, &drop);
	mutex_unlock(&s->rs->refs_lock);
	dios_msg_free_list(&drop);
	if (ret)
		return ret;
	io->flags = DIOS_IO_REFS;
	msg = dios_stream_new_msg(s, io);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	msg->pos = pos;
	mutex_lock(&s->rs->refs_lock);
	dios_ring_refs_stale(s, pos, &drop);
	dios_ring_refs_link(s, msg);
	mutex_unlock(&s->rs->refs_lock);
	dios_msg_free_list(&drop);
	return 0;
}

/* Forget the handles of the reader's take: they stay in its table. */
static void dios_ring_refs_forget(struct dios_buf *buf)
{
	kfree(buf->handles);
	buf->handles = NULL;
	buf->n_handles = 0;
	buf->pos = 0;
}

/* Delete the handles of the reader's take, if they still exist. */
static void dios_ring_refs_untake(struct dios_io *io)
{
	dios_context_remove_many(io->ref->ctx, io->buf->handles,
				 io->buf->n_handles, &io->dead);
	dios_ring_refs_forget(io->buf);
}

/*
 * TAKE_REFS: install the references of the frame at @pos, the head, in
 * the reader's table and write their handles to io->refs (capacity
 * io->n_refs; out, the count).  A take the reader left open is over if its
 * frame was consumed; otherwise -EBUSY.
 */
static int dios_ring_take_refs(struct dios_io *io, u64 pos)
{
	struct dios_stream *s = dios_ring_refs_stream(io);
	struct dios_buf *buf = io->buf;
	struct dios_msg *msg = NULL;
	LIST_HEAD(drop);
	int ret = 0;

	mutex_lock(&s->rs->refs_lock);
	if (buf->n_handles) {
		if (dios_ring_refs_live(s, buf->pos))
			ret = -EBUSY;
		else
			dios_ring_refs_forget(buf);
	}
	if (!ret && pos != READ_ONCE(s->rs->head->pos))
		ret = -EBADMSG;
	if (!ret) {
		dios_ring_refs_purge(s, dios_ring_refs_live, &drop);
		msg = list_first_entry_or_null(&s->rs->refs, struct dios_msg,
					       link);
		if (!msg || msg->pos != pos)
			ret = -EBADMSG;
	}
	if (!ret && msg->n_refs > io->n_refs) {
		/* The frame stays; the caller learns what it needs. */
		io->n_refs = msg->n_refs;
		ret = -EMSGSIZE;
	}
	if (!ret)
		ret = dios_stream_give_refs(io, msg);
	if (!ret) {
		buf->pos = pos;
		io->n_refs = msg->n_refs;
	}
	mutex_unlock(&s->rs->refs_lock);
	dios_msg_free_list(&drop);
	return ret;
}

/* COMMIT_REFS, RELEASE_REFS: end the reader's take of the frame at @pos. */
static int dios_ring_end_take(struct dios_io *io, u32 op, u64 pos)
{
	struct dios_stream *s = dios_ring_refs_stream(io);
	struct dios_msg *msg;
	LIST_HEAD(drop);

	if (!io->buf->n_handles || io->buf->pos != pos)
		return -EINVAL;
	mutex_lock(&s->rs->refs_lock);
	if (op == DIOS_RING_RELEASE_REFS) {
		dios_ring_refs_untake(io);
	} else {
		msg = list_first_entry_or_null(&s->rs->refs, struct dios_msg,
					       link);
		if (msg && msg->pos == pos)
			dios_ring_refs_unlink(s, msg, &drop);
		dios_ring_refs_purge(s, dios_ring_refs_live, &drop);
		dios_ring_refs_forget(io->buf);
	}
	mutex_unlock(&s->rs->refs_lock);
	dios_msg_free_list(&drop);
	return 0;
}

/**
 * dios_ring_refs() - one step on the references of a frame
 * @io:		the side whose lease the caller holds (its mutex held, its
 *		buffer the lease); @io->refs and @io->n_refs as the request's
 * @op:		DIOS_RING_PUSH_REFS (write side), DIOS_RING_TAKE_REFS,
 *		DIOS_RING_COMMIT_REFS or DIOS_RING_RELEASE_REFS (read side)
 * @pos:	the frame's position
 *
 * Return: 0; PUSH_REFS: -EINVAL (@pos is not the tail), -EBADMSG (no room
 * for a frame as the head says), -ENOSPC (the queue is full), and the
 * errors of commit_write with DIOS_IO_REFS (-E2BIG, -EFAULT, -EBADF,
 * -EACCES, -EPERM, -EINVAL, -EIDRM, -ENOMEM).  TAKE_REFS: -EBUSY (a take
 * is open), -EBADMSG (@pos is not the head, or no entry for it),
 * -EMSGSIZE (@io->n_refs set to the count), -EMFILE, -EFAULT, -ENOMEM.
 * COMMIT_REFS, RELEASE_REFS: -EINVAL (no take open at @pos).
 */
int dios_ring_refs(struct dios_io *io, u32 op, u64 pos)
{
	lockdep_assert_held(&io->ref->io->side[io->dir].lock);
	if (op == DIOS_RING_PUSH_REFS)
		return dios_ring_push_refs(io, pos);
	if (op == DIOS_RING_TAKE_REFS)
		return dios_ring_take_refs(io, pos);
	return dios_ring_end_take(io, op, pos);
}

/**
 * dios_ring_refs_end() - a side's lease ends: settle what it left
 * @s:		the ring stream
 * @io:		the release of the lease (DETACH, or the deletion of its
 *		reference); @io->zombie: the queue may be gone already
 *
 * A take still open is a commit if the reader's head passed its frame, a
 * release otherwise (so the next reader takes the references again); a
 * zombie's is a release, as a plain stream's read that cannot commit.
 * The writer's pushes that it never published are dropped.
 */
void dios_ring_refs_end(struct dios_stream *s, struct dios_io *io)
{
	bool read = io->dir == DIOS_IO_DIR_READ;
	LIST_HEAD(drop);

	if (io->zombie) {
		if (read && io->buf->n_handles)
			dios_ring_refs_untake(io);
		return;
	}
	mutex_lock(&s->rs->refs_lock);
	if (read && io->buf->n_handles) {
		if (dios_ring_refs_live(s, io->buf->pos))
			dios_ring_refs_untake(io);
		else
			dios_ring_refs_forget(io->buf);
	}
	dios_ring_refs_purge(s, read ? dios_ring_refs_live :
				       dios_ring_refs_published, &drop);
	mutex_unlock(&s->rs->refs_lock);
	dios_msg_free_list(&drop);
}

/* Creation: an empty queue. */
void dios_ring_refs_init(struct dios_ring *rs)
{
	mutex_init(&rs->refs_lock);
	INIT_LIST_HEAD(&rs->refs);
}

/* Destruction, nothing in flight: the queue's references leave flight. */
void dios_ring_refs_destroy(struct dios_stream *s)
{
	struct dios_msg *msg;
	LIST_HEAD(msgs);

	spin_lock(&dios_gc_lock);
	spin_lock(&s->lock);
	list_for_each_entry(msg, &s->rs->refs, link)
		dios_gc_sub(msg->refs, msg->n_refs);
	list_splice_init(&s->rs->refs, &msgs);
	WRITE_ONCE(s->rs->nr_refs, 0);
	spin_unlock(&s->lock);
	spin_unlock(&dios_gc_lock);
	dios_msg_free_list(&msgs);
}

/**
 * dios_ring_gc_scan() - visit every stream the queue of @s carries
 * @s:		a ring stream in flight; its lock held, and dios_gc_lock
 * @todo:	passed on to dios_gc_visit()
 */
void dios_ring_gc_scan(struct dios_stream *s, struct list_head *todo)
{
	struct dios_msg *msg;

	lockdep_assert_held(&s->lock);
	list_for_each_entry(msg, &s->rs->refs, link)
		dios_msg_gc_scan(msg, todo);
}
