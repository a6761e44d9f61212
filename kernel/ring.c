// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - ring streams (DIOS_CREATE_RING): streams whose messages move in
 * user space.  A side's lease is the buffer of one reference's side, held
 * from DIOS_RING_ATTACH to DIOS_RING_DETACH (or the reference's deletion):
 * the holder maps the control pages and the ring and moves frames without
 * a system call.  The kernel keeps the leases, the reader and writer
 * counts, the state flags it publishes in the kernel page, and the waits:
 * DIOS_RING_WAIT sleeps until the other side's position moved, and the
 * side that moves its position wakes it (DIOS_RING_WAKE) when the kernel
 * page says someone may sleep.  It never trusts a word user space writes:
 * positions are read only to decide whether to sleep or to report
 * readiness.  See docs/ring.md.
 *
 * Sleeping and waking pair as in a futex: a waiter arms its side's flag in
 * the kernel page (rwake/wwake), then, after a full barrier, reads the
 * other side's position; the other side stores its position, then, after
 * a full barrier, reads the flag and wakes if it is set.  One of the two
 * sees the other.  A wake disarms the side it wakes.
 *
 * Lock order: a reference side's mutex (buffer.c), then dios_stream.lock,
 * which protects struct dios_ring (the references of frames: ring_refs.c
 * has its lock, between the two).  ref_change runs under dios_object.lock
 * and takes dios_stream.lock inside it to publish the flags; nothing takes
 * dios_object.lock under dios_stream.lock.  The fault handler takes the
 * ring's page lock (dios_pages.lock) alone.
 */

#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "buffer.h"
#include "compat.h"
#include "context.h"
#include "debugfs.h"
#include "main.h"
#include "ring.h"
#include "stream.h"

static struct dios_stream *dios_ring_stream(struct dios_object *obj)
{
	return container_of(obj, struct dios_stream, obj);
}

/*
 * Publish the wake flags: a side with an armed waiter, or a select that
 * found it not ready, must be woken by the other side's next move.  Index
 * READ is the readers, waiting for data: the writer reads rwake.
 */
static void dios_ring_publish_wake(struct dios_stream *s)
{
	struct dios_ring *rs = s->rs;

	lockdep_assert_held(&s->lock);
	if (rs->dead)
		return;
	WRITE_ONCE(rs->kern->rwake, rs->armed[DIOS_IO_DIR_READ] ||
		   rs->poll[DIOS_IO_DIR_READ]);
	WRITE_ONCE(rs->kern->wwake, rs->armed[DIOS_IO_DIR_WRITE] ||
		   rs->poll[DIOS_IO_DIR_WRITE]);
}

static void dios_ring_set_flag(struct dios_stream *s, u32 flag, bool on)
{
	struct dios_ring *rs = s->rs;
	u32 flags;

	spin_lock(&s->lock);
	if (!rs->dead) {
		flags = READ_ONCE(rs->kern->flags);
		/* The kernel page is the kernel's: nobody else writes it. */
		WRITE_ONCE(rs->kern->flags, on ? flags | flag : flags & ~flag);
	}
	spin_unlock(&s->lock);
}

static void dios_ring_destroy(struct dios_object *obj)
{
	struct dios_stream *s = dios_ring_stream(obj);
	struct dios_ring *rs = s->rs;
	unsigned int i;

	dios_ring_refs_destroy(s);
	dios_pages_destroy(&s->ring);
	spin_lock(&s->lock);
	rs->dead = true;
	spin_unlock(&s->lock);
	/* The fault handler takes the ring's page lock to find them. */
	spin_lock(&s->ring.lock);
	spin_unlock(&s->ring.lock);
	for (i = 0; i < DIOS_RING_CTL_PAGES; i++)
		if (rs->ctl[i])
			put_page(rs->ctl[i]);
}

static void dios_ring_info(struct dios_object *obj, struct dios_ref_info *info)
{
	struct dios_stream *s = dios_ring_stream(obj);

	info->size = s->capacity;
	info->read_buf_max = s->capacity;
	info->write_buf_max = s->capacity;
}

/* The counts behind -EPIPE, published in the kernel page. */
static void dios_ring_ref_change(struct dios_object *obj, u64 rights,
				 int delta)
{
	struct dios_stream *s = dios_ring_stream(obj);
	u32 set = 0, clear = 0, flags;

	lockdep_assert_held(&obj->lock);
	if (rights & DIOS_RIGHT_READ) {
		s->nr_readers += delta;
		if (s->nr_readers)
			clear |= DIOS_RING_NO_READERS;
		else
			set |= DIOS_RING_NO_READERS;
	}
	if (rights & DIOS_RIGHT_WRITE) {
		s->nr_writers += delta;
		if (s->nr_writers)
			clear |= DIOS_RING_NO_WRITERS;
		else
			set |= DIOS_RING_NO_WRITERS;
	}
	if (!set && !clear)
		return;
	spin_lock(&s->lock);
	if (s->rs && !s->rs->dead) {
		flags = READ_ONCE(s->rs->kern->flags);
		WRITE_ONCE(s->rs->kern->flags, (flags & ~clear) | set);
	}
	spin_unlock(&s->lock);
	if (set)
		wake_up_all(&obj->waitq);
}

static void dios_ring_zombify(struct dios_object *obj)
{
	dios_ring_set_flag(dios_ring_stream(obj), DIOS_RING_ZOMBIE, true);
	wake_up_all(&obj->waitq);
}

/* Control pages, then the ring twice. */
static unsigned long dios_ring_view_pages(struct dios_object *obj)
{
	return DIOS_RING_CTL_PAGES + 2 * dios_ring_stream(obj)->ring.nr;
}

static struct page *dios_ring_ctl_page(struct dios_stream *s, unsigned int i)
{
	struct page *page = NULL;

	spin_lock(&s->ring.lock);
	if (!s->ring.dead) {
		page = s->rs->ctl[i];
		get_page(page);
	}
	spin_unlock(&s->ring.lock);
	return page;
}

static struct page *dios_ring_view_page(struct dios_object *obj,
					struct dios_view *view,
					unsigned long index)
{
	struct dios_stream *s = dios_ring_stream(obj);

	if (view->word)
		return index ? NULL : dios_ring_ctl_page(s, 2);
	if (index < DIOS_RING_CTL_PAGES)
		return dios_ring_ctl_page(s, index);
	index -= DIOS_RING_CTL_PAGES;
	if (index >= 2 * s->ring.nr)
		return NULL;
	return dios_pages_get(&s->ring, index % s->ring.nr, view->writable);
}

/* Why a wait must end now, or 0. */
static int dios_ring_gone(struct dios_io *io)
{
	if (!dios_object_is_live(io->obj))
		return -EIDRM;
	if (dios_io_dying(io))
		return -EBADF;
	return 0;
}

static int dios_ring_try_lease(struct dios_stream *s, struct dios_io *io)
{
	int ret = dios_ring_gone(io);

	if (ret)
		return ret;
	spin_lock(&s->lock);
	if (s->rs->lease[io->dir])
		ret = -EAGAIN;
	else
		s->rs->lease[io->dir] = true;
	spin_unlock(&s->lock);
	return ret;
}

/* The wait condition of a lease: the try is over, *@ret its result. */
static bool dios_ring_leased(struct dios_stream *s, struct dios_io *io,
			     int *ret)
{
	*ret = dios_ring_try_lease(s, io);
	return *ret != -EAGAIN;
}

static void dios_ring_unlease(struct dios_stream *s, unsigned int dir)
{
	spin_lock(&s->lock);
	s->rs->lease[dir] = false;
	spin_unlock(&s->lock);
	wake_up_all(&s->obj.waitq);
}

/*
 * DIOS_RING_ATTACH, through dios_io_acquire(): the buffer is the whole
 * view, open for as long as the lease is held.  A reader also gets its
 * position page, kept in the buffer.
 */
static int dios_ring_io_acquire(struct dios_object *obj, struct dios_io *io)
{
	struct dios_stream *s = dios_ring_stream(obj);
	struct dios_view *word;
	int ret, err;

	if (!(io->flags & DIOS_IO_RING_LEASE))
		return -EOPNOTSUPP;
	ret = dios_ring_try_lease(s, io);
	if (ret == -EAGAIN && !(io->flags & DIOS_NONBLOCK)) {
		err = wait_event_interruptible(obj->waitq,
					       dios_ring_leased(s, io, &ret));
		if (err) {
			if (!ret)
				dios_ring_unlease(s, io->dir);
			ret = err;
		}
	}
	if (ret)
		return ret;
	if (io->dir == DIOS_IO_DIR_READ) {
		word = dios_view_create_word(io);
		if (IS_ERR(word)) {
			dios_ring_unlease(s, io->dir);
			return PTR_ERR(word);
		}
		io->buf->priv = word;
		io->ubuf = word->addr;
	} else {
		io->ubuf = io->view->addr + PAGE_SIZE;
	}
	io->voff = 0;
	io->len = dios_ring_view_pages(obj) << PAGE_SHIFT;
	return 0;
}

/* No transaction to commit: the frames are moved in user space. */
static int dios_ring_io_commit(struct dios_object *obj, struct dios_io *io)
{
	return -EOPNOTSUPP;
}

/* DIOS_RING_DETACH, or the deletion of the lease holder. */
static int dios_ring_io_release(struct dios_object *obj, struct dios_io *io)
{
	struct dios_view *word = io->buf->priv;

	dios_ring_refs_end(dios_ring_stream(obj), io);
	io->buf->priv = NULL;
	dios_view_drop(word);
	if (!io->zombie)
		dios_ring_unlease(dios_ring_stream(obj), io->dir);
	return 0;
}

/*
 * Ready for select: READ when the tail is not the head (a frame, as the
 * words say) or no writer is left; WRITE when the ring is not full or no
 * reader is left.  A side found not ready asks the other for a wake.
 */
static int dios_ring_poll(struct dios_object *obj, u32 events)
{
	struct dios_stream *s = dios_ring_stream(obj);
	struct dios_ring *rs = s->rs;
	u32 ready = 0, used;

	spin_lock(&s->lock);
	if (rs->dead) {
		spin_unlock(&s->lock);
		return events;
	}
	if (events & DIOS_EV_READ)
		rs->poll[DIOS_IO_DIR_READ] = true;
	if (events & DIOS_EV_WRITE)
		rs->poll[DIOS_IO_DIR_WRITE] = true;
	dios_ring_publish_wake(s);
	/* The count before the positions; pairs with the mover's barrier. */
	smp_mb();
	used = dios_ring_pos_lo(rs->tail) - dios_ring_pos_lo(rs->head);
	if (used || !READ_ONCE(s->nr_writers))
		ready |= DIOS_EV_READ;
	if (used < s->ring_size || !READ_ONCE(s->nr_readers))
		ready |= DIOS_EV_WRITE;
	spin_unlock(&s->lock);
	return ready & events;
}

static void dios_ring_show(struct dios_object *obj, struct seq_file *m)
{
	struct dios_stream *s = dios_ring_stream(obj);
	struct dios_ring *rs = s->rs;
	u32 used = 0;

	spin_lock(&s->lock);
	if (!rs->dead)
		used = dios_ring_pos_lo(rs->tail) - dios_ring_pos_lo(rs->head);
	spin_unlock(&s->lock);
	seq_printf(m, " ring bytes=%u capacity=%llu readers=%u writers=%u",
		   used, s->capacity, READ_ONCE(s->nr_readers),
		   READ_ONCE(s->nr_writers));
	seq_printf(m, " refs=%u", READ_ONCE(rs->nr_refs));
}

const struct dios_object_ops dios_ring_ops = {
	.info = dios_ring_info,
	.zombify = dios_ring_zombify,
	.destroy = dios_ring_destroy,
	.io_acquire = dios_ring_io_acquire,
	.io_commit = dios_ring_io_commit,
	.io_release = dios_ring_io_release,
	.poll = dios_ring_poll,
	.view_pages = dios_ring_view_pages,
	.view_page = dios_ring_view_page,
	.ref_change = dios_ring_ref_change,
	.show = dios_ring_show,
	.view_populate = true,
	.cache = DIOS_CACHE_RING,
};

/*
 * Ask for a wake of side @dir, or stop asking.  Written under the lock, read
 * without it by dios_ring_rearm().
 */
static void dios_ring_set_armed(struct dios_stream *s, unsigned int dir,
				bool on)
{
	struct dios_ring *rs = s->rs;

	lockdep_assert_held(&s->lock);
	if (rs->armed[dir] != on) {
		WRITE_ONCE(rs->armed[dir], on);
		dios_ring_publish_wake(s);
	}
}

/* A waiter of side @dir comes in: counted and armed in one go. */
static void dios_ring_wait_in(struct dios_stream *s, unsigned int dir)
{
	spin_lock(&s->lock);
	s->rs->nr_wait[dir]++;
	dios_ring_set_armed(s, dir, true);
	spin_unlock(&s->lock);
}

/*
 * A waiter of side @dir goes.  The last one out disarms the side: the
 * other side need not wake anyone any more.
 */
static void dios_ring_wait_out(struct dios_stream *s, unsigned int dir)
{
	spin_lock(&s->lock);
	if (!--s->rs->nr_wait[dir])
		dios_ring_set_armed(s, dir, false);
	spin_unlock(&s->lock);
}

/*
 * A waiter of side @dir about to look again asks for a wake again.  With
 * waiters counted only a wake disarms the side, so a side found armed
 * needs no lock: the flag in the kernel page was set with it.
 */
static void dios_ring_rearm(struct dios_stream *s, unsigned int dir)
{
	if (READ_ONCE(s->rs->armed[dir]))
		return;
	spin_lock(&s->lock);
	dios_ring_set_armed(s, dir, true);
	spin_unlock(&s->lock);
}

/*
 * Whether a waiter of side @io->dir that last saw the other side at @seen
 * may go: 1 if the position moved, an error, or 0 to sleep.
 */
static __always_inline int dios_ring_moved(struct dios_stream *s,
					   struct dios_io *io, u32 seen)
{
	struct dios_ring *rs = s->rs;
	int ret = dios_ring_gone(io);

	if (ret)
		return ret;
	if (io->dir == DIOS_IO_DIR_READ) {
		if (dios_ring_pos_lo(rs->tail) != seen)
			return 1;
		if (!READ_ONCE(s->nr_writers))
			return dios_io_dying_after(io) ? -EBADF : -EPIPE;
	} else {
		if (dios_ring_pos_lo(rs->head) != seen)
			return 1;
		if (!READ_ONCE(s->nr_readers))
			return dios_io_dying_after(io) ? -EBADF : -EPIPE;
	}
	return 0;
}

/**
 * dios_ring_wait() - DIOS_RING_WAIT on a side whose lease the caller holds
 * @io:		the side; its mutex held, its buffer the lease
 * @seen:	the other side's position as the caller last saw it
 *
 * Armed, queued, then a look at the position after a full barrier (see
 * the header comment), and a sleep if it has not moved.  A waiter that was
 * woken looks first without queueing: a wake is nearly always a move, and
 * the look is all it then needs.
 *
 * Return: 0 once the position moved; -EPIPE, -EIDRM, -EBADF,
 * -ERESTARTSYS.
 */
int dios_ring_wait(struct dios_io *io, u64 seen)
{
	struct dios_stream *s = dios_ring_stream(io->obj);
	u32 lo = lower_32_bits(seen);
	bool woken = false;
	DEFINE_WAIT(wait);
	int ret;

	dios_ring_wait_in(s, io->dir);
	for (;;) {
		/* After a wake, the look alone: nearly always it moved. */
		if (woken) {
			ret = dios_ring_moved(s, io, lo);
			if (ret)
				break;
		}
		prepare_to_wait(&s->obj.waitq, &wait, TASK_INTERRUPTIBLE);
		/* A wake disarms: armed again before every look. */
		dios_ring_rearm(s, io->dir);
		/* The flag before the look: see the header comment. */
		smp_mb();
		ret = dios_ring_moved(s, io, lo);
		if (ret)
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		atomic_long_inc(&dios_stats.ring_sleeps);
		schedule();
		woken = true;
	}
	finish_wait(&s->obj.waitq, &wait);
	dios_ring_wait_out(s, io->dir);
	return ret < 0 ? ret : 0;
}

/**
 * dios_ring_wake() - DIOS_RING_WAKE: wake the other side of @dir
 * @obj:	a ring stream
 * @dir:	the caller's side: a writer wakes readers and selects for
 *		READ, a reader writers and selects for WRITE
 *
 * The woken side is disarmed at once, so that the caller's next moves do
 * not wake it again before it had the chance to run; a waiter that finds
 * nothing arms itself again before it sleeps.  With the sync hint, as
 * pipe_write() wakes: the caller goes on, or is about to sleep.
 */
void dios_ring_wake(struct dios_object *obj, unsigned int dir)
{
	struct dios_stream *s = dios_ring_stream(obj);
	unsigned int other = dir == DIOS_IO_DIR_WRITE ? DIOS_IO_DIR_READ :
							DIOS_IO_DIR_WRITE;

	spin_lock(&s->lock);
	WRITE_ONCE(s->rs->armed[other], false);
	s->rs->poll[other] = false;
	dios_ring_publish_wake(s);
	spin_unlock(&s->lock);
	wake_up_sync(&obj->waitq);
}

/* The bytes of frames the ring holds. */
u64 dios_ring_size(struct dios_object *obj)
{
	return dios_ring_stream(obj)->ring_size;
}

/* Frames of the longest message: a header, the bytes, padding to 8. */
static u64 dios_ring_bytes(u64 capacity)
{
	return sizeof(struct dios_ring_frame) + round_up(capacity, 8);
}

/**
 * dios_ring_create() - create a ring stream
 * @args:	@capacity is the longest message, @size must be 0
 *
 * Return: the object, or ERR_PTR: -EINVAL, -EFBIG, -ENOMEM.
 */
struct dios_object *dios_ring_create(const struct dios_create_args *args)
{
	struct dios_ring_stream *rstream;
	struct dios_stream *s;
	struct dios_ring *rs;
	unsigned int i;
	int ret;

	if (args->size)
		return ERR_PTR(-EINVAL);
	ret = dios_object_check_size(args->capacity, dios_max_capacity);
	if (ret)
		return ERR_PTR(ret);
	rstream = dios_object_alloc(DIOS_CACHE_RING, sizeof(*rstream));
	if (!rstream)
		return ERR_PTR(-ENOMEM);
	s = &rstream->stream;
	rs = &rstream->ring;
	dios_object_init(&s->obj, DIOS_OBJ_STREAM, &dios_ring_ops);
	s->capacity = args->capacity;
	s->rs = rs;
	dios_ring_refs_init(rs);
	spin_lock_init(&s->lock);
	dios_gc_node_init(&s->gc);
	ret = dios_pages_init(&s->ring, dios_ring_bytes(s->capacity));
	for (i = 0; !ret && i < DIOS_RING_CTL_PAGES; i++) {
		rs->ctl[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!rs->ctl[i])
			ret = -ENOMEM;
	}
	if (ret) {
		dios_object_put(&s->obj);
		return ERR_PTR(ret);
	}
	s->ring_size = (u64)s->ring.nr << PAGE_SHIFT;
	rs->kern = page_address(rs->ctl[0]);
	rs->tail = page_address(rs->ctl[1]);
	rs->head = page_address(rs->ctl[2]);
	rs->kern->magic = DIOS_RING_MAGIC;
	rs->kern->ring_size = s->ring_size;
	rs->kern->capacity = s->capacity;
	rs->kern->flags = DIOS_RING_NO_READERS | DIOS_RING_NO_WRITERS;
	return &s->obj;
}
