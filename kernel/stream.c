// SPDX-License-Identifier: GPL-2.0
/*
 * stream.c - the STREAM object type: the ring, the message queue, blocking
 * reservations and reads, the reader and writer counts behind -EPIPE, and
 * copying I/O (DIOS_IOC_XFER) through the kernel's mapping of the ring.
 *
 * Lock order: a reference side's mutex (buffer.c), then dios_gc_lock (gc.c)
 * when a message carrying references is linked or unlinked, then
 * dios_stream.lock; dios_object.lock is taken alone (it guards the counts,
 * read locklessly by the waiters).  Wake-ups go to the object's wait queue.
 */

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include "blob.h"
#include "compat.h"
#include "context.h"
#include "debugfs.h"
#include "main.h"
#include "ring.h"
#include "stream.h"

/* At most one queued message per 8 bytes of ring: bounds kernel memory. */
#define DIOS_STREAM_BYTES_PER_MSG	8

static_assert(offsetof(struct dios_stream, obj) == 0);

/**
 * struct dios_qent - one queued message
 * @len:	its length; it starts where the message before it ends, the
 *		head message at dios_stream.q.head
 * @msg:	what it carries, or NULL
 */
struct dios_qent {
	u64 len;
	struct dios_msg *msg;
};

/*
 * The queue is a ring of entries that grows by doubling (the writer holding
 * the tail grows it before it links, so that linking never fails) and is
 * given back once it is empty if it has grown beyond this many entries: a
 * stream that is not used allocates nothing per message and keeps little.
 */
#define DIOS_QENT_MIN	16
#define DIOS_QENT_KEEP	64

/*
 * Messages whose references are being dropped.  Dropping a reference can
 * destroy another stream with queued messages, and so on: the task that
 * drains the list takes those too, iteratively, so that a long chain of
 * streams carrying streams never recurses.
 */
static DEFINE_SPINLOCK(dios_msg_gc_lock);
static LIST_HEAD(dios_msg_gc);
static bool dios_msg_gc_busy;

void dios_msg_free(struct dios_msg *msg)
{
	u32 i;

	for (i = 0; i < msg->n_refs; i++)
		dios_object_put(msg->refs[i].obj);
	kfree(msg);
}

/* Free the messages of @msgs; process context, no spinlock held. */
void dios_msg_free_list(struct list_head *msgs)
{
	struct dios_msg *msg;

	spin_lock(&dios_msg_gc_lock);
	list_splice_tail_init(msgs, &dios_msg_gc);
	if (dios_msg_gc_busy) {
		spin_unlock(&dios_msg_gc_lock);
		return;
	}
	dios_msg_gc_busy = true;
	while ((msg = list_first_entry_or_null(&dios_msg_gc, struct dios_msg,
					       link))) {
		list_del(&msg->link);
		spin_unlock(&dios_msg_gc_lock);
		dios_msg_free(msg);
		spin_lock(&dios_msg_gc_lock);
	}
	dios_msg_gc_busy = false;
	spin_unlock(&dios_msg_gc_lock);
}

/* Queue entry @i, counted from the head; under the stream lock. */
static struct dios_qent *dios_stream_ent(struct dios_stream *stream, u32 i)
{
	lockdep_assert_held(&stream->lock);
	return &stream->q.ents[(stream->q.first + i) & (stream->q.cap - 1)];
}

static struct dios_stream *dios_stream_from_obj(struct dios_object *obj)
{
	return container_of(obj, struct dios_stream, obj);
}

/* A message can fill the whole capacity, in either direction. */
static void dios_stream_info(struct dios_object *obj,
			     struct dios_ref_info *info)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);

	info->size = stream->capacity;
	info->read_buf_max = stream->capacity;
	info->write_buf_max = stream->capacity;
}

/*
 * Nothing is in flight: no buffer can be open on a stream being destroyed.
 * The collector may be scanning the queue, and the references the messages
 * carry leave flight: both need dios_gc_lock.
 */
static void dios_stream_destroy(struct dios_object *obj)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);
	struct dios_qent *ents;
	struct dios_msg *msg;
	LIST_HEAD(msgs);
	u32 i;

	spin_lock(&dios_gc_lock);
	spin_lock(&stream->lock);
	for (i = 0; i < stream->q.nr_msgs; i++) {
		msg = dios_stream_ent(stream, i)->msg;
		if (!msg)
			continue;
		dios_gc_sub(msg->refs, msg->n_refs);
		list_add_tail(&msg->link, &msgs);
	}
	ents = stream->q.ents;
	stream->q.ents = NULL;
	stream->q.cap = 0;
	stream->q.first = 0;
	WRITE_ONCE(stream->q.nr_msgs, 0);
	spin_unlock(&stream->lock);
	spin_unlock(&dios_gc_lock);
	kvfree(ents);
	dios_pages_destroy(&stream->ring);
	dios_msg_free_list(&msgs);
}

static void dios_stream_ref_change(struct dios_object *obj, u64 rights,
				   int delta)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);
	bool wake = false;

	lockdep_assert_held(&obj->lock);
	if (rights & DIOS_RIGHT_READ) {
		stream->nr_readers += delta;
		wake |= !stream->nr_readers;
	}
	if (rights & DIOS_RIGHT_WRITE) {
		stream->nr_writers += delta;
		wake |= !stream->nr_writers;
	}
	/* The last reader or writer is gone: the other side gets -EPIPE. */
	if (wake)
		wake_up_all(&obj->waitq);
}

/* Every view maps the ring twice: index i and i + ring pages are one page. */
static unsigned long dios_stream_view_pages(struct dios_object *obj)
{
	return 2 * dios_stream_from_obj(obj)->ring.nr;
}

static struct page *dios_stream_view_page(struct dios_object *obj,
					  struct dios_view *view,
					  unsigned long index)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);

	if (index >= 2 * stream->ring.nr)
		return NULL;
	return dios_pages_get(&stream->ring, index % stream->ring.nr,
			      view->writable);
}

/*
 * A message or room for one: wake the other side, with the sync hint
 * (WF_SYNC), as pipe_write() does, so that on one CPU the woken reader
 * does not preempt a writer that goes on writing or is about to wait.
 */
static void dios_stream_wake(struct dios_stream *stream)
{
	if (wq_has_sleeper(&stream->obj.waitq))
		wake_up_sync(&stream->obj.waitq);
}

/* Why a blocking step must stop waiting, or 0 to go on. */
static int dios_stream_gone(struct dios_io *io)
{
	if (!dios_object_is_live(io->obj))
		return -EIDRM;
	if (dios_io_dying(io))
		return -EBADF;
	return 0;
}

/*
 * The other side is gone: -EPIPE, unless that is because this very
 * reference is being deleted, which is -EBADF.
 */
static int dios_stream_pipe(struct dios_io *io)
{
	return dios_io_dying_after(io) ? -EBADF : -EPIPE;
}

/* Reserve io->len bytes at the tail: 0, -EAGAIN to wait, or an error. */
static __always_inline int dios_stream_try_reserve(struct dios_stream *stream,
						   struct dios_io *io)
{
	int ret = dios_stream_gone(io);

	if (ret)
		return ret;
	if (!READ_ONCE(stream->nr_readers))
		return dios_stream_pipe(io);
	spin_lock(&stream->lock);
	if (stream->q.writing || stream->q.nr_msgs >= stream->max_msgs ||
	    stream->ring_size - (stream->q.tail - stream->q.head) < io->len) {
		ret = -EAGAIN;
	} else {
		stream->q.writing = true;
		io->buf->pos = stream->q.tail;
	}
	spin_unlock(&stream->lock);
	return ret;
}

/*
 * Take the head message: 0, -EAGAIN to wait, or an error.  The buffer gets
 * its position, length and what it carries (which only the reader holding
 * the head may look at).
 */
static __always_inline int dios_stream_try_take(struct dios_stream *stream,
						struct dios_io *io)
{
	struct dios_qent *ent = NULL;
	u32 n_refs;
	int ret = dios_stream_gone(io);

	if (ret)
		return ret;
	spin_lock(&stream->lock);
	if (stream->q.nr_msgs)
		ent = dios_stream_ent(stream, 0);
	n_refs = ent && ent->msg ? ent->msg->n_refs : 0;
	if (stream->q.reading) {
		ret = -EAGAIN;
	} else if (!ent) {
		/* Drained: -EPIPE once no writer can add anything. */
		ret = READ_ONCE(stream->nr_writers) ? -EAGAIN :
		      dios_stream_pipe(io);
	} else if (ent->len > io->len || n_refs > io->n_refs) {
		/* The message stays; the caller learns what it needs. */
		io->len = ent->len;
		io->n_refs = n_refs;
		ret = -EMSGSIZE;
	} else {
		stream->q.reading = true;
		io->buf->pos = stream->q.head;
		io->buf->len = ent->len;
		io->buf->priv = ent->msg;
		io->len = ent->len;
		io->n_refs = n_refs;
	}
	spin_unlock(&stream->lock);
	return ret;
}

/*
 * The wait condition: the try of the step's direction (a reservation to
 * write, the head message to read) is over, and *@ret is its result.
 */
static __always_inline bool dios_stream_tried(struct dios_stream *stream,
					      struct dios_io *io, int *ret)
{
	if (io->dir == DIOS_IO_DIR_WRITE)
		*ret = dios_stream_try_reserve(stream, io);
	else
		*ret = dios_stream_try_take(stream, io);
	return *ret != -EAGAIN;
}

/*
 * Sleep until the try stops saying -EAGAIN.  Interruptible: a signal gives
 * -ERESTARTSYS and the call restarts after the handler (or fails with
 * -EINTR without SA_RESTART).  The caller has just tried: the waiter
 * queues itself at once.  Out of line: the steady state does not sleep.
 */
static noinline int dios_stream_sleep(struct dios_stream *stream,
				      struct dios_io *io)
{
	int ret, err;

	err = __wait_event_interruptible(stream->obj.waitq,
					 dios_stream_tried(stream, io, &ret));
	return err ?: ret;
}

/*
 * Claim what the step's direction needs: the head message to read, io->len
 * bytes at the tail to write.  Wait for it unless DIOS_NONBLOCK.
 */
static __always_inline int dios_stream_claim(struct dios_stream *stream,
					     struct dios_io *io)
{
	int ret;

	if (dios_stream_tried(stream, io, &ret) || io->flags & DIOS_NONBLOCK)
		return ret;
	return dios_stream_sleep(stream, io);
}

/* Give the reservation (@dir write) or the head message (read) back. */
static void dios_stream_untake(struct dios_stream *stream, unsigned int dir)
{
	spin_lock(&stream->lock);
	if (dir == DIOS_IO_DIR_WRITE)
		stream->q.writing = false;
	else
		stream->q.reading = false;
	spin_unlock(&stream->lock);
	dios_stream_wake(stream);
}

/*
 * Install the references of the message just taken in the reader's table,
 * with the rights they were sent with, and tell the reader their handles.
 */
noinline int dios_stream_give_refs(struct dios_io *io, struct dios_msg *msg)
{
	struct dios_context *ctx = io->ref->ctx;
	u64 *handles;
	int ret;

	handles = kmalloc_array(msg->n_refs, sizeof(*handles),
				GFP_KERNEL_ACCOUNT);
	if (!handles)
		return -ENOMEM;
	ret = dios_context_install_many(ctx, msg->refs, handles, msg->n_refs);
	if (!ret && copy_to_user(dios_user_ptr(io->refs), handles,
				 msg->n_refs * sizeof(*handles))) {
		dios_context_remove_many(ctx, handles, msg->n_refs, &io->dead);
		ret = -EFAULT;
	}
	if (ret) {
		kfree(handles);
		return ret;
	}
	io->buf->handles = handles;
	io->buf->n_handles = msg->n_refs;
	return 0;
}

static int dios_stream_acquire_read(struct dios_stream *stream,
				    struct dios_io *io)
{
	struct dios_msg *msg;
	int ret;

	ret = dios_stream_claim(stream, io);
	if (ret)
		return ret;
	msg = io->buf->priv;
	if (likely(!msg || !msg->n_refs))
		return 0;
	ret = dios_stream_give_refs(io, msg);
	if (ret)
		dios_stream_untake(stream, DIOS_IO_DIR_READ);
	return ret;
}

static int dios_stream_io_acquire(struct dios_object *obj, struct dios_io *io)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);
	int ret;

	if (io->offset)
		return -EINVAL;
	if (io->dir == DIOS_IO_DIR_WRITE) {
		if (io->flags & DIOS_IO_OVERWRITE)
			return -EINVAL;
		if (!io->len)
			return -EINVAL;
		if (io->len > stream->capacity)
			return -EMSGSIZE;
		ret = dios_stream_claim(stream, io);
	} else {
		if (io->n_refs && !io->refs)
			return -EFAULT;
		ret = dios_stream_acquire_read(stream, io);
	}
	if (!ret)
		io->voff = dios_mod_u64(io->buf->pos, stream->ring_size);
	return ret;
}

/* One reference the message may carry; @h holds a memory reference. */
static int dios_stream_check_ref(struct dios_stream *stream,
				 const struct dios_handle *h)
{
	if (!(h->rights & DIOS_RIGHT_COPY))
		return -EACCES;
	if (h->obj->type == DIOS_OBJ_PRIVMEM)
		return -EPERM;
	/* A stream carrying itself would keep itself alive. */
	if (h->obj == &stream->obj)
		return -EINVAL;
	if (!dios_object_is_live(h->obj))
		return -EIDRM;
	return 0;
}

/*
 * Fill @msg->refs from the sender's handles and take them out of its table,
 * all or nothing.  On error the objects looked up so far are in @msg.
 */
static int dios_stream_take_refs(struct dios_stream *stream,
				 struct dios_io *io, struct dios_msg *msg,
				 u64 *handles)
{
	struct dios_context *ctx = io->ref->ctx;
	u32 i, j, n = io->n_refs;
	int ret;

	if (copy_from_user(handles, dios_user_ptr(io->refs),
			   n * sizeof(*handles)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (handles[j] == handles[i])
				return -EINVAL;
		ret = dios_context_lookup(ctx, handles[i], &msg->refs[i]);
		if (ret)
			return ret;
		msg->n_refs = i + 1;
		ret = dios_stream_check_ref(stream, &msg->refs[i]);
		if (ret)
			return ret;
	}
	return dios_context_take_many(ctx, handles, msg->refs, n, &io->dead);
}

/*
 * What the message for the reservation carries: the references, the
 * borrowed pages of a forward.  NULL for a plain message.  Also the
 * references a ring stream's writer queues (ring.c).
 */
noinline struct dios_msg *dios_stream_new_msg(struct dios_stream *stream,
					      struct dios_io *io)
{
	u32 n = io->flags & DIOS_IO_REFS ? io->n_refs : 0;
	struct dios_msg *msg;
	u64 *handles;
	int ret;

	if (n > DIOS_IO_MAX_REFS)
		return ERR_PTR(-E2BIG);
	if (!n && !(io->flags & DIOS_IO_FORWARD))
		return NULL;
	msg = kzalloc(struct_size(msg, refs, n), GFP_KERNEL_ACCOUNT);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	if (!n)
		return msg;
	handles = kmalloc_array(n, sizeof(*handles), GFP_KERNEL);
	ret = handles ? dios_stream_take_refs(stream, io, msg, handles) :
			-ENOMEM;
	kfree(handles);
	if (ret) {
		dios_msg_free(msg);
		return ERR_PTR(ret);
	}
	return msg;
}

/**
 * struct dios_fwd - the source of a forward
 * @ref:	the source reference, held
 * @side:	its read side, locked
 * @buf:	the read buffer open on it
 */
struct dios_fwd {
	struct dios_ref *ref;
	struct dios_ref_side *side;
	struct dios_buf *buf;
};

static void dios_fwd_put(struct dios_fwd *src)
{
	mutex_unlock(&src->side->lock);
	dios_object_release(src->ref->obj);
	dios_ref_put(src->ref);
}

/*
 * Find the read buffer open on io->src_ref.  The source side is only tried:
 * a second side mutex is never waited for while one is held.
 */
static int dios_fwd_get(struct dios_io *io, struct dios_fwd *src)
{
	int ret;

	src->ref = dios_context_lookup_ref(io->ref->ctx, io->src_ref);
	if (IS_ERR(src->ref))
		return PTR_ERR(src->ref);
	ret = dios_object_acquire(src->ref->obj);
	if (ret) {
		dios_ref_put(src->ref);
		return ret;
	}
	src->side = &src->ref->io->side[DIOS_IO_DIR_READ];
	if (!mutex_trylock(&src->side->lock)) {
		dios_object_release(src->ref->obj);
		dios_ref_put(src->ref);
		return -EBUSY;
	}
	src->buf = &src->side->buf;
	if (src->ref->io->dead || !src->buf->busy) {
		dios_fwd_put(src);
		return -EINVAL;
	}
	return 0;
}

/* Ring slot of the page at @pos + @i pages. */
static unsigned long dios_stream_slot(struct dios_stream *stream, u64 pos,
				      unsigned long i)
{
	return dios_mod_u64((pos >> PAGE_SHIFT) + i, stream->ring.nr);
}

/*
 * Stream to stream: swap the source message's ring pages with the pages of
 * the reservation.  The source message keeps its place in its queue (the
 * reader consumes it as usual) but now holds the reservation's old bytes.
 */
static int dios_stream_fwd_stream(struct dios_stream *stream,
				  struct dios_io *io, struct dios_fwd *src,
				  struct dios_msg *msg)
{
	struct dios_stream *from = container_of(src->ref->obj,
						struct dios_stream, obj);
	unsigned long i, s_slot, d_slot, n = io->len >> PAGE_SHIFT;
	struct page **pages, *old;
	bool b_from, b_to, was;
	int ret = 0;

	if (from == stream || src->buf->pos % PAGE_SIZE)
		return -EINVAL;
	pages = kcalloc(2 * n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	/* Every page first: nothing moves unless everything can. */
	for (i = 0; i < n && !ret; i++) {
		s_slot = dios_stream_slot(from, src->buf->pos, i);
		d_slot = dios_stream_slot(stream, io->buf->pos, i);
		pages[2 * i] = dios_pages_get(&from->ring, s_slot, false);
		pages[2 * i + 1] = dios_pages_get(&stream->ring, d_slot, false);
		if (IS_ERR_OR_NULL(pages[2 * i]) ||
		    IS_ERR_OR_NULL(pages[2 * i + 1]))
			ret = -ENOMEM;
	}
	for (i = 0; i < n && !ret; i++) {
		s_slot = dios_stream_slot(from, src->buf->pos, i);
		d_slot = dios_stream_slot(stream, io->buf->pos, i);
		b_from = dios_pages_borrowed(&from->ring, s_slot);
		old = dios_pages_replace(&stream->ring, d_slot, pages[2 * i],
					 b_from, &b_to);
		dios_put_page(old);
		old = dios_pages_replace(&from->ring, s_slot, pages[2 * i + 1],
					 b_to, &was);
		dios_put_page(old);
		msg->borrowed |= b_from;
	}
	for (i = 0; i < 2 * n; i++)
		if (!IS_ERR_OR_NULL(pages[i]))
			put_page(pages[i]);
	kfree(pages);
	if (ret)
		return ret;
	dios_views_zap_ring(&from->obj, from->ring.nr,
			    dios_stream_slot(from, src->buf->pos, 0), n);
	dios_views_zap_ring(&stream->obj, stream->ring.nr,
			    dios_stream_slot(stream, io->buf->pos, 0), n);
	return 0;
}

/*
 * Blob to stream: the ring borrows the read buffer's committed pages,
 * which are never written again; writable views cannot map them, and the
 * slots get fresh pages when the message is consumed.
 */
static int dios_stream_fwd_blob(struct dios_stream *stream,
				struct dios_io *io, struct dios_fwd *src,
				struct dios_msg *msg)
{
	unsigned long i, slot, n = io->len >> PAGE_SHIFT;
	struct page *page, *old;
	bool was;

	if (src->buf->offset % PAGE_SIZE)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		slot = dios_stream_slot(stream, io->buf->pos, i);
		page = dios_blob_buf_page(src->buf, src->buf->offset +
					  ((u64)i << PAGE_SHIFT));
		/* The ring takes its own reference, we drop the old page's. */
		old = dios_pages_replace(&stream->ring, slot, page, true, &was);
		dios_put_page(old);
		put_page(page);
	}
	msg->borrowed = true;
	dios_views_zap_ring(&stream->obj, stream->ring.nr,
			    dios_stream_slot(stream, io->buf->pos, 0), n);
	return 0;
}

/*
 * Publish, as this message, the read buffer open on io->src_ref, moving
 * whole pages: the message and the reservation must start on a page and
 * the length (the source buffer's whole length) be a multiple of pages.
 */
static noinline int dios_stream_forward(struct dios_stream *stream,
					struct dios_io *io, struct dios_msg *msg)
{
	struct dios_fwd src;
	int ret;

	if (!io->len || io->len % PAGE_SIZE || io->buf->pos % PAGE_SIZE)
		return -EINVAL;
	ret = dios_fwd_get(io, &src);
	if (ret)
		return ret;
	if (src.buf->len != io->len || dios_is_ring(src.ref->obj))
		ret = -EINVAL;
	else if (src.ref->obj->type == DIOS_OBJ_STREAM)
		ret = dios_stream_fwd_stream(stream, io, &src, msg);
	else if (src.ref->obj->type == DIOS_OBJ_BLOB)
		ret = dios_stream_fwd_blob(stream, io, &src, msg);
	else
		ret = -EINVAL;
	dios_fwd_put(&src);
	return ret;
}

/*
 * Double the ring of entries, for the holder of the reservation.  The
 * entries are copied without the lock: readers only consume entries
 * meanwhile, and the ones they consume are skipped when the new ring is
 * put in place.
 */
static noinline int dios_stream_grow(struct dios_stream *stream)
{
	struct dios_qent *ents, *old;
	u32 cap, first, nr, done, i;

	cap = max_t(u32, 2 * stream->q.cap, DIOS_QENT_MIN);
	ents = kvmalloc_array(cap, sizeof(*ents), GFP_KERNEL_ACCOUNT);
	if (!ents)
		return -ENOMEM;
	spin_lock(&stream->lock);
	old = stream->q.ents;
	first = stream->q.first;
	nr = stream->q.nr_msgs;
	spin_unlock(&stream->lock);
	for (i = 0; i < nr; i++)
		ents[i] = old[(first + i) & (stream->q.cap - 1)];
	spin_lock(&stream->lock);
	done = nr - stream->q.nr_msgs;
	stream->q.ents = ents;
	stream->q.cap = cap;
	stream->q.first = done;
	spin_unlock(&stream->lock);
	kvfree(old);
	return 0;
}

/*
 * Make sure the queue has an entry free for the message of the reservation
 * the caller holds.  Only the holder of the reservation grows the queue and
 * nothing shrinks it while a reservation is held, so the entry stays free
 * until dios_stream_link(); readers only ever free entries meanwhile.
 */
static inline int dios_stream_make_room(struct dios_stream *stream)
{
	if (likely(READ_ONCE(stream->q.nr_msgs) < stream->q.cap))
		return 0;
	return dios_stream_grow(stream);
}

/* Queue the message of the reservation; dios_stream_make_room() first. */
static void dios_stream_link(struct dios_stream *stream, u64 len,
			     struct dios_msg *msg)
{
	struct dios_qent *ent;

	spin_lock(&stream->lock);
	ent = dios_stream_ent(stream, stream->q.nr_msgs);
	ent->len = len;
	ent->msg = msg;
	WRITE_ONCE(stream->q.nr_msgs, stream->q.nr_msgs + 1);
	stream->q.tail += len;
	stream->q.writing = false;
	spin_unlock(&stream->lock);
}

/* Queue it; the references it carries are in flight from now (gc.c). */
static void dios_stream_queue(struct dios_stream *stream, u64 len,
			      struct dios_msg *msg)
{
	if (!msg || !msg->n_refs) {
		dios_stream_link(stream, len, msg);
		return;
	}
	spin_lock(&dios_gc_lock);
	dios_gc_add(msg->refs, msg->n_refs);
	dios_stream_link(stream, len, msg);
	spin_unlock(&dios_gc_lock);
}

/* Publish io->len bytes of the reservation as one message. */
static int dios_stream_commit_write(struct dios_stream *stream,
				    struct dios_io *io)
{
	struct dios_msg *msg;
	int ret;

	if (io->len > io->buf->len)
		return -EINVAL;
	/* References leave the sender for good: no forward may fail after. */
	if ((io->flags & (DIOS_IO_FORWARD | DIOS_IO_REFS)) ==
	    (DIOS_IO_FORWARD | DIOS_IO_REFS))
		return -EINVAL;
	ret = dios_stream_make_room(stream);
	if (ret)
		return ret;
	msg = NULL;
	if (unlikely(io->flags & (DIOS_IO_REFS | DIOS_IO_FORWARD)))
		msg = dios_stream_new_msg(stream, io);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	if (io->flags & DIOS_IO_FORWARD) {
		ret = dios_stream_forward(stream, io, msg);
		if (ret) {
			dios_msg_free(msg);
			return ret;
		}
	}
	dios_stream_queue(stream, io->len, msg);
	dios_stream_wake(stream);
	return 0;
}

/*
 * A consumed forwarded message gives its borrowed pages back: fresh pages
 * take their slots before a writer can reserve them.
 */
static noinline int dios_stream_unborrow(struct dios_stream *stream,
					 struct dios_buf *buf,
					 struct dios_msg *msg)
{
	unsigned long i, slot, n = buf->len >> PAGE_SHIFT;
	struct page *page;
	bool was;

	for (i = 0; i < n; i++) {
		slot = dios_stream_slot(stream, buf->pos, i);
		if (!dios_pages_borrowed(&stream->ring, slot))
			continue;
		page = alloc_page(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT);
		if (!page)
			return -ENOMEM;
		dios_put_page(dios_pages_replace(&stream->ring, slot, page,
						 false, &was));
		put_page(page);
	}
	msg->borrowed = false;
	dios_views_zap_ring(&stream->obj, stream->ring.nr,
			    dios_stream_slot(stream, buf->pos, 0), n);
	return 0;
}

/*
 * Take the head message, which the caller holds, out of the queue.  An
 * empty queue that grew large is given back: the caller frees what this
 * returns once it holds no lock.
 */
static __always_inline struct dios_qent *
dios_stream_unlink(struct dios_stream *stream, struct dios_buf *buf)
{
	struct dios_qent *ent, *drop = NULL;

	spin_lock(&stream->lock);
	ent = dios_stream_ent(stream, 0);
	WARN_ON(!stream->q.nr_msgs || buf->pos != stream->q.head ||
		ent->msg != buf->priv);
	stream->q.first = (stream->q.first + 1) & (stream->q.cap - 1);
	WRITE_ONCE(stream->q.nr_msgs, stream->q.nr_msgs - 1);
	stream->q.head += ent->len;
	stream->q.reading = false;
	if (!stream->q.nr_msgs && !stream->q.writing &&
	    stream->q.cap > DIOS_QENT_KEEP) {
		drop = stream->q.ents;
		stream->q.ents = NULL;
		stream->q.cap = 0;
		stream->q.first = 0;
	}
	spin_unlock(&stream->lock);
	return drop;
}

/* Take the head message out; its references leave flight (gc.c). */
static __always_inline void dios_stream_dequeue(struct dios_stream *stream,
						struct dios_buf *buf)
{
	struct dios_msg *msg = buf->priv;
	struct dios_qent *drop;

	if (!msg || !msg->n_refs) {
		drop = dios_stream_unlink(stream, buf);
	} else {
		spin_lock(&dios_gc_lock);
		dios_gc_sub(msg->refs, msg->n_refs);
		drop = dios_stream_unlink(stream, buf);
		spin_unlock(&dios_gc_lock);
	}
	if (unlikely(drop))
		kvfree(drop);
}

/* Free one consumed message's part; dropping references can cascade. */
static noinline void dios_msg_free_one(struct dios_msg *msg)
{
	LIST_HEAD(msgs);

	list_add(&msg->link, &msgs);
	dios_msg_free_list(&msgs);
}

/* Consume the head message; the references it installed stay. */
static __always_inline int dios_stream_commit_read(struct dios_stream *stream,
						   struct dios_io *io)
{
	struct dios_msg *msg = io->buf->priv;
	int ret;

	if (unlikely(msg && msg->borrowed)) {
		ret = dios_stream_unborrow(stream, io->buf, msg);
		if (ret)
			return ret;
	}

	dios_stream_dequeue(stream, io->buf);
	dios_stream_wake(stream);
	if (unlikely(msg))
		dios_msg_free_one(msg);
	return 0;
}

static int dios_stream_io_commit(struct dios_object *obj, struct dios_io *io)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);

	if (io->offset)
		return -EINVAL;
	if (io->dir == DIOS_IO_DIR_WRITE)
		return dios_stream_commit_write(stream, io);
	return dios_stream_commit_read(stream, io);
}

/*
 * Give the reservation or the head message back.  Also the teardown path of
 * a deleted reference (a killed reader's message stays at the head).
 */
static int dios_stream_io_release(struct dios_object *obj, struct dios_io *io)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);

	if (io->offset)
		return -EINVAL;
	/* The message keeps its references; the reader's copies go. */
	if (io->buf->n_handles)
		dios_context_remove_many(io->ref->ctx, io->buf->handles,
					 io->buf->n_handles, &io->dead);
	dios_stream_untake(stream, io->dir);
	return 0;
}

/*
 * Copy @len bytes between user memory at @ubuf and the ring from position
 * @pos (into the ring if @to_ring), page by page, wrapping at the ring's
 * end, as pipes copy: through an iov_iter, with copy_page_{from,to}_iter().
 * The caller holds the reservation or the head message that covers the
 * bytes, and no spinlock: the user access may fault and sleep.  A
 * reservation never covers a borrowed page (a consumed forward gets fresh
 * pages first), so a writable page is there.
 */
static int dios_stream_copy(struct dios_stream *stream, u64 pos, u64 len,
			    u64 ubuf, bool to_ring)
{
	struct iov_iter iter;
	unsigned long index;
	struct page *page;
	size_t in_page, n, done;
	u64 off;

	iov_iter_ubuf(&iter, to_ring ? ITER_SOURCE : ITER_DEST,
		      dios_user_ptr(ubuf), len);
	for (done = 0; done < len; done += n) {
		off = dios_mod_u64(pos + done, stream->ring_size);
		index = off >> PAGE_SHIFT;
		in_page = offset_in_page(off);
		n = min_t(u64, len - done, PAGE_SIZE - in_page);
		page = dios_pages_held(&stream->ring, index, to_ring);
		if (IS_ERR(page))
			return PTR_ERR(page);
		if (!page)
			return -EIDRM;
		if (to_ring) {
			if (copy_page_from_iter(page, in_page, n, &iter) != n)
				return -EFAULT;
			flush_dcache_page(page);
		} else if (copy_page_to_iter(page, in_page, n, &iter) != n) {
			return -EFAULT;
		}
		if (done + n < len)
			cond_resched();
	}
	dios_stats_add(&dios_stats.bytes_copied, len);
	return 0;
}

/*
 * Copy io->len bytes from io->ubuf into the ring as one message: reserve
 * the tail as acquire_write does, copy, publish as commit_write does.  A
 * fault sends nothing.
 */
static int dios_stream_xfer_send(struct dios_stream *stream,
				 struct dios_io *io)
{
	int ret;

	if (io->len > stream->capacity)
		return -EMSGSIZE;
	ret = dios_stream_claim(stream, io);
	if (ret)
		return ret;
	/* The queue entry first: nothing can fail once the bytes are in. */
	ret = dios_stream_make_room(stream);
	if (!ret)
		ret = dios_stream_copy(stream, io->buf->pos, io->len, io->ubuf,
				       true);
	if (ret) {
		dios_stream_untake(stream, DIOS_IO_DIR_WRITE);
		return ret;
	}
	dios_stream_link(stream, io->len, NULL);
	dios_stream_wake(stream);
	return 0;
}

/*
 * Copy the head message to io->ubuf and consume it: take the head as
 * acquire_read does (a message longer than io->len, or carrying references,
 * is -EMSGSIZE and stays), copy, consume as commit_read does.  A fault
 * leaves the message at the head.
 */
static int dios_stream_xfer_recv(struct dios_stream *stream,
				 struct dios_io *io)
{
	int ret;

	/* References need a table to land in: only the zero-copy read has. */
	io->n_refs = 0;
	ret = dios_stream_claim(stream, io);
	if (ret)
		return ret;
	ret = dios_stream_copy(stream, io->buf->pos, io->buf->len, io->ubuf,
			       false);
	if (!ret)
		ret = dios_stream_commit_read(stream, io);
	if (ret)
		dios_stream_untake(stream, DIOS_IO_DIR_READ);
	return ret;
}

static int dios_stream_io_xfer(struct dios_object *obj, struct dios_io *io)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);

	lockdep_assert_held(&io->ref->io->side[io->dir].lock);
	if (io->dir == DIOS_IO_DIR_WRITE)
		return dios_stream_xfer_send(stream, io);
	return dios_stream_xfer_recv(stream, io);
}

/*
 * Ready when the step would not wait (dios_stream_try_take() and
 * dios_stream_try_reserve()): READ when the head message is free to take or
 * no writer is left (-EPIPE), WRITE when a byte of room and a message slot
 * are free and no reservation is open, or no reader is left (-EPIPE).
 */
static int dios_stream_poll(struct dios_object *obj, u32 events)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);
	bool no_writer = !READ_ONCE(stream->nr_writers);
	bool no_reader = !READ_ONCE(stream->nr_readers);
	u32 ready = 0;

	spin_lock(&stream->lock);
	if (!stream->q.reading && (stream->q.nr_msgs || no_writer))
		ready |= DIOS_EV_READ;
	if (no_reader ||
	    (!stream->q.writing && stream->q.nr_msgs < stream->max_msgs &&
	     stream->q.tail - stream->q.head < stream->ring_size))
		ready |= DIOS_EV_WRITE;
	spin_unlock(&stream->lock);
	return ready & events;
}

/**
 * dios_stream_gc_scan() - visit every stream the queue of @stream carries
 * @stream:	a stream in flight, held by its messages
 * @todo:	passed on to dios_gc_visit()
 *
 * Messages carrying references cannot come or go under dios_gc_lock; the
 * stream lock keeps the queue itself still.
 */
void dios_stream_gc_scan(struct dios_stream *stream, struct list_head *todo)
{
	struct dios_msg *msg;
	u32 m;

	lockdep_assert_held(&dios_gc_lock);
	spin_lock(&stream->lock);
	for (m = 0; m < stream->q.nr_msgs; m++) {
		msg = dios_stream_ent(stream, m)->msg;
		if (msg)
			dios_msg_gc_scan(msg, todo);
	}
	if (stream->rs)
		dios_ring_gc_scan(stream, todo);
	spin_unlock(&stream->lock);
}

/**
 * dios_msg_gc_scan() - visit every stream @msg carries
 * @msg:	a message queued in a stream (a ring stream's references too)
 * @todo:	passed on to dios_gc_visit()
 */
void dios_msg_gc_scan(struct dios_msg *msg, struct list_head *todo)
{
	struct dios_object *obj;
	u32 i;

	lockdep_assert_held(&dios_gc_lock);
	for (i = 0; i < msg->n_refs; i++) {
		obj = msg->refs[i].obj;
		if (obj->type == DIOS_OBJ_STREAM)
			dios_gc_visit(&dios_stream_from_obj(obj)->gc, todo);
	}
}

/* debugfs: the queue and who may still use it. */
static void dios_stream_show(struct dios_object *obj, struct seq_file *m)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);
	u64 bytes;
	u32 msgs;

	spin_lock(&stream->lock);
	msgs = stream->q.nr_msgs;
	bytes = stream->q.tail - stream->q.head;
	spin_unlock(&stream->lock);
	seq_printf(m, " msgs=%u bytes=%llu capacity=%llu readers=%u writers=%u",
		   msgs, bytes, stream->capacity, READ_ONCE(stream->nr_readers),
		   READ_ONCE(stream->nr_writers));
}

static const struct dios_object_ops dios_stream_ops = {
	.info = dios_stream_info,
	.destroy = dios_stream_destroy,
	.io_acquire = dios_stream_io_acquire,
	.io_commit = dios_stream_io_commit,
	.io_release = dios_stream_io_release,
	.io_xfer = dios_stream_io_xfer,
	.poll = dios_stream_poll,
	.view_pages = dios_stream_view_pages,
	.view_page = dios_stream_view_page,
	.ref_change = dios_stream_ref_change,
	.show = dios_stream_show,
	.view_populate = true,
};

/**
 * dios_stream_create() - create a STREAM object
 * @args:	@capacity is used, @size must be 0
 *
 * Return: the object, or ERR_PTR: -EINVAL, -EFBIG, -ENOMEM.
 */
struct dios_object *dios_stream_create(const struct dios_create_args *args)
{
	struct dios_stream *stream;
	int ret;

	if (args->size)
		return ERR_PTR(-EINVAL);
	ret = dios_object_check_size(args->capacity, dios_max_capacity);
	if (ret)
		return ERR_PTR(ret);
	stream = dios_object_alloc(DIOS_OBJ_STREAM, sizeof(*stream));
	if (!stream)
		return ERR_PTR(-ENOMEM);
	dios_object_init(&stream->obj, DIOS_OBJ_STREAM, &dios_stream_ops);
	stream->capacity = args->capacity;
	spin_lock_init(&stream->lock);
	dios_gc_node_init(&stream->gc);
	ret = dios_pages_init(&stream->ring, stream->capacity);
	if (ret) {
		dios_object_put(&stream->obj);
		return ERR_PTR(ret);
	}
	stream->ring_size = (u64)stream->ring.nr << PAGE_SHIFT;
	stream->max_msgs = stream->ring_size / DIOS_STREAM_BYTES_PER_MSG;
	return &stream->obj;
}
