// SPDX-License-Identifier: GPL-2.0
/*
 * context.c - the per-process context: the reference table, handle
 * generations, the read-only metadata map and its mmap.
 *
 * Lock order (outermost first):
 *
 *   dios_task_mutex	mutex; contexts made by dios_run() and not yet
 *			opened (task.c); released after it is dropped
 *   dios_context.lock	mutex; table changes of one context
 *   dios_name_lock	mutex; name table changes (name.c)
 *   dios_object.lock	spinlock; an object's reference list, the metadata
 *			entries of those references, a task object's context
 *			pointer
 *   dios_users.xa_lock	spinlock; the per-user quota table (object.c)
 *
 * The I/O locks (a reference side's mutex, mmap_lock, the type spinlocks)
 * are described in buffer.h: a side mutex is taken outside
 * dios_context.lock, never inside it (carried references are installed and
 * removed under a side mutex; references leaving a table are torn down
 * after the table lock is dropped).
 *
 * The select locks (select.h) come outside dios_object.lock and are never
 * taken under dios_context.lock: a reference's interest entry is removed
 * by dios_ref_free_list(), after the table lock is dropped.
 *
 * A reference's I/O state (struct dios_ref_io) is made by its first I/O
 * step under dios_context.lock (dios_context_lookup_ref()), which that step
 * takes with no lock held, or with the side mutex of another reference
 * (forwarding): the side mutex comes first, as above.
 *
 * No two context locks are ever held at once: dios_copy() looks the source
 * references up locklessly and installs under the target's lock only.
 * Objects are put after a context's lock is dropped, so the destroy and
 * name-removal paths never run under it.  Handle lookups take no lock.
 *
 * The state shown in debugfs and fdinfo (dios_context_show()) is read
 * under dios_context.lock, taking under it, one at a time and never
 * nested, dios_object.lock, an object's wait queue lock and the type's
 * spinlock (the show hook); the interest set is counted before, without a
 * lock, and the side mutexes are not taken (a side's buffer and view are
 * read as a snapshot).  debugfs removes a context's file from
 * dios_context_free(), with no lock held: the removal waits for the file's
 * readers, which must not be waiting for a lock the remover holds.
 */

#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "compat.h"
#include "context.h"
#include "debugfs.h"
#include "main.h"
#include "object.h"
#include "select.h"
#include "task.h"

static_assert(PAGE_SIZE % sizeof(struct dios_ref_meta) == 0);

static struct kmem_cache *dios_ref_cache;
static struct kmem_cache *dios_ref_io_cache;

/* Slot indexes (24 bits) and rights (8) fit struct dios_ref's bit fields. */
static_assert(!((DIOS_MAX_REFS_LIMIT - 1) >> 24));
static_assert(!(DIOS_RIGHTS_ALL >> 8));
#if BITS_PER_LONG == 64
/* No lock inside: the same size with every debug option. */
static_assert(sizeof(struct dios_ref) == 48);
#endif

static u64 dios_handle_make(u32 gen, u32 index)
{
	return ((u64)gen << 32) | (index + 1);
}

static struct dios_ref_meta *dios_meta_entry(struct dios_context *ctx,
					     u32 index)
{
	struct page *page = xa_load(&ctx->meta, 1 + index / DIOS_META_PER_PAGE);

	return (struct dios_ref_meta *)page_address(page) +
	       index % DIOS_META_PER_PAGE;
}

/*
 * Rewrite one entry, seqcount style: user space copies the entry and retries
 * unless seq was even and unchanged.  Writers of one entry are serialised by
 * the lock of the object in the slot.
 */
static void dios_meta_store(struct dios_ref_meta *m, u32 gen,
			    const struct dios_ref_info *info)
{
	u32 seq = m->seq;

	WRITE_ONCE(m->seq, seq + 1);
	/* Order the odd seq before the fields: pairs with the reader's rmb. */
	smp_wmb();
	WRITE_ONCE(m->gen, gen);
	WRITE_ONCE(m->info.type, info->type);
	WRITE_ONCE(m->info.state, info->state);
	WRITE_ONCE(m->info.rights, info->rights);
	WRITE_ONCE(m->info.size, info->size);
	WRITE_ONCE(m->info.read_buf_max, info->read_buf_max);
	WRITE_ONCE(m->info.write_buf_max, info->write_buf_max);
	WRITE_ONCE(m->info.proximity, info->proximity);
	WRITE_ONCE(m->info.has_name, info->has_name);
	/* Order the fields before the even seq: pairs with the reader's rmb. */
	smp_wmb();
	WRITE_ONCE(m->seq, seq + 2);
}

/* Publish the current state of @ref's object in @ref's metadata entry. */
void dios_ref_meta_update(struct dios_ref *ref)
{
	struct dios_ref_info info;

	lockdep_assert_held(&ref->obj->lock);
	dios_object_info(ref->obj, ref->rights, &info);
	dios_meta_store(dios_meta_entry(ref->ctx, ref->index), ref->gen,
			&info);
}

/* The slot is freed: state 0 and the next generation, never 0. */
static void dios_ref_meta_clear(struct dios_ref *ref)
{
	struct dios_ref_info info = {};
	u32 gen = ref->gen + 1;

	lockdep_assert_held(&ref->obj->lock);
	dios_meta_store(dios_meta_entry(ref->ctx, ref->index), gen ?: 1,
			&info);
}

/* Streams count their readers and writers: tell the type. */
static void dios_ref_link(struct dios_ref *ref)
{
	struct dios_object *obj = ref->obj;

	spin_lock(&obj->lock);
	list_add_tail(&ref->obj_link, &obj->meta.refs);
	dios_ref_meta_update(ref);
	if (obj->ops->ref_change)
		obj->ops->ref_change(obj, ref->rights, 1);
	spin_unlock(&obj->lock);
}

/* A select waiting on the reference learns that it is gone (select.c). */
static void dios_ref_unlink(struct dios_ref *ref)
{
	struct dios_object *obj = ref->obj;

	/* Before the reader/writer counts drop: see dios_ref_io_mark_dying(). */
	dios_ref_io_mark_dying(ref);
	spin_lock(&obj->lock);
	list_del(&ref->obj_link);
	dios_ref_meta_clear(ref);
	if (obj->ops->ref_change)
		obj->ops->ref_change(obj, ref->rights, -1);
	spin_unlock(&obj->lock);
	if (wq_has_sleeper(&obj->waitq))
		wake_up_all(&obj->waitq);
}

static void dios_ref_free_rcu(struct rcu_head *rcu)
{
	struct dios_ref *ref = container_of(rcu, struct dios_ref, rcu);

	if (ref->io)
		kmem_cache_free(dios_ref_io_cache, ref->io);
	kmem_cache_free(dios_ref_cache, ref);
}

/*
 * Nothing holds a reference taken out of its table any more.  Handle
 * lookups that found it before it left the table may still read it and
 * its I/O state: free both after a grace period.  @rcu overwrites
 * @obj_link: dios_ref_free_list() has moved past the reference.
 */
static void dios_ref_free(struct dios_ref *ref)
{
	if (ref->io)
		dios_ref_io_uninit(ref->io);
	dios_object_put(ref->obj);
	dios_stats_dec(&dios_stats.refs);
	call_rcu(&ref->rcu, dios_ref_free_rcu);
}

/* Drop the hold of an I/O operation (only those hold a reference). */
void dios_ref_put(struct dios_ref *ref)
{
	if (refcount_dec_and_test(&ref->io->users))
		dios_ref_free(ref);
}

/*
 * Tear down references taken out of their table (linked through obj_link,
 * which they no longer need), without the context lock: release their
 * buffers and views, then drop the table's hold.  The iteration reads each
 * reference's link before the table's hold goes, after which the last I/O
 * operation may free it.
 */
static void dios_ref_free_list(struct list_head *list)
{
	struct dios_ref *ref, *tmp;

	list_for_each_entry_safe(ref, tmp, list, obj_link) {
		dios_interest_forget(ref->ctx, ref->index,
				     dios_handle_make(ref->gen, ref->index));
		dios_ref_io_teardown(ref);
		if (ref->io)
			dios_ref_put(ref);
		else
			dios_ref_free(ref);
	}
}

/*
 * The table part of growing: the slot array of the next page of slots (kept
 * if a failed grow left it) and a bitmap big enough for them.
 */
static int dios_context_grow_slots(struct dios_context *ctx)
{
	unsigned long n = ctx->nr_slots + DIOS_META_PER_PAGE;
	unsigned long chunk_index = ctx->nr_slots / DIOS_META_PER_PAGE;
	struct dios_ref __rcu **chunk = NULL;
	unsigned long *used;
	int ret;

	used = kvcalloc(BITS_TO_LONGS(n), sizeof(long), GFP_KERNEL_ACCOUNT);
	if (!used)
		return -ENOMEM;
	if (!xa_load(&ctx->slots, chunk_index)) {
		chunk = kcalloc(DIOS_META_PER_PAGE, sizeof(*chunk),
				GFP_KERNEL_ACCOUNT);
		ret = chunk ? xa_err(xa_store(&ctx->slots, chunk_index, chunk,
					      GFP_KERNEL_ACCOUNT)) : -ENOMEM;
		if (ret) {
			kfree(chunk);
			kvfree(used);
			return ret;
		}
		if (!chunk_index)
			/* The zeroed array before its address: dios_slot(). */
			smp_store_release(&ctx->slots0, chunk);
	}
	if (ctx->used)
		bitmap_copy(used, ctx->used, ctx->nr_slots);
	kvfree(ctx->used);
	ctx->used = used;
	return 0;
}

/* Back one more page of slots with metadata entries, all at generation 1. */
static int dios_context_grow(struct dios_context *ctx)
{
	struct dios_ref_meta *m;
	struct page *page;
	unsigned int i;
	int ret;

	lockdep_assert_held(&ctx->lock);
	ret = dios_context_grow_slots(ctx);
	if (ret)
		return ret;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	m = page_address(page);
	for (i = 0; i < DIOS_META_PER_PAGE; i++)
		m[i].gen = 1;
	ret = xa_err(xa_store(&ctx->meta, 1 + ctx->nr_slots / DIOS_META_PER_PAGE,
			      page, GFP_KERNEL_ACCOUNT));
	if (ret) {
		__free_page(page);
		return ret;
	}
	ctx->nr_slots += DIOS_META_PER_PAGE;
	/* The page is in place before user space may read the new slots. */
	smp_store_release(&ctx->header->nr_slots, ctx->nr_slots);
	return 0;
}

/* The caller holds a reference on @obj, so the put on error is not last. */
static struct dios_ref *dios_ref_new(struct dios_context *ctx,
				     struct dios_object *obj, u64 rights)
{
	struct dios_ref *ref;

	ref = kmem_cache_zalloc(dios_ref_cache, GFP_KERNEL_ACCOUNT);
	if (!ref)
		return NULL;
	ref->obj = dios_object_get(obj);
	ref->ctx = ctx;
	ref->rights = rights;
	return ref;
}

static int dios_context_install_locked(struct dios_context *ctx,
				       struct dios_object *obj, u64 rights,
				       u64 *handle)
{
	struct dios_ref *ref;
	u32 index;
	int ret;

	lockdep_assert_held(&ctx->lock);
	if (ctx->dead)
		return -ESRCH;
	if (ctx->nr_refs >= dios_max_refs)
		return -EMFILE;
	/* xa_alloc() takes the lowest free index: nr_refs when all are used. */
	if (ctx->nr_refs == ctx->nr_slots) {
		ret = dios_context_grow(ctx);
		if (ret)
			return ret;
	}
	/* The lowest free slot: below nr_refs + 1 <= dios_max_refs. */
	index = find_first_zero_bit(ctx->used, ctx->nr_slots);
	if (WARN_ON_ONCE(index >= ctx->nr_slots))
		return -EMFILE;
	ref = dios_ref_new(ctx, obj, rights);
	if (!ref)
		return -ENOMEM;
	ref->index = index;
	WRITE_ONCE(ref->gen, READ_ONCE(dios_meta_entry(ctx, index)->gen));
	__set_bit(index, ctx->used);
	/* Complete before lookups can see it. */
	rcu_assign_pointer(*dios_slot(ctx, index), ref);
	ctx->nr_refs++;
	dios_ref_link(ref);
	dios_stats_inc(&dios_stats.refs);
	*handle = dios_handle_make(ref->gen, index);
	return 0;
}

/* Take @handle's reference out of the table onto @dead; false if none. */
static bool dios_context_remove_locked(struct dios_context *ctx, u64 handle,
				       struct list_head *dead)
{
	struct dios_ref *ref;

	lockdep_assert_held(&ctx->lock);
	ref = dios_context_find(ctx, handle);
	if (!ref)
		return false;
	RCU_INIT_POINTER(*dios_slot(ctx, ref->index), NULL);
	__clear_bit(ref->index, ctx->used);
	ctx->nr_refs--;
	dios_ref_unlink(ref);
	list_add(&ref->obj_link, dead);
	return true;
}

/**
 * dios_context_install_many() - install references, all or nothing
 * @ctx:	the context
 * @hs:		the objects (the caller keeps its own references) and rights
 * @handles:	out: the new handles
 * @n:		number of references
 *
 * Return: 0; -ESRCH if the context is torn down, -EMFILE if its table is
 * full, -ENOMEM.  On error nothing is installed.
 */
int dios_context_install_many(struct dios_context *ctx,
			      struct dios_handle *hs, u64 *handles,
			      unsigned int n)
{
	LIST_HEAD(dead);
	unsigned int i;
	int ret = 0;

	mutex_lock(&ctx->lock);
	for (i = 0; i < n; i++) {
		ret = dios_context_install_locked(ctx, hs[i].obj, hs[i].rights,
						  &handles[i]);
		if (ret)
			break;
	}
	/* Entry i failed: undo the ones before it. */
	while (ret && i--)
		dios_context_remove_locked(ctx, handles[i], &dead);
	mutex_unlock(&ctx->lock);
	dios_ref_free_list(&dead);
	return ret;
}

int dios_context_install(struct dios_context *ctx, struct dios_object *obj,
			 u64 rights, u64 *handle)
{
	struct dios_handle h = { .obj = obj, .rights = rights };

	return dios_context_install_many(ctx, &h, handle, 1);
}

static unsigned int dios_context_delete_list(struct dios_context *ctx,
					     const u64 *handles,
					     unsigned int n)
{
	unsigned int i, removed = 0;
	LIST_HEAD(dead);

	mutex_lock(&ctx->lock);
	for (i = 0; i < n; i++)
		removed += dios_context_remove_locked(ctx, handles[i], &dead);
	mutex_unlock(&ctx->lock);
	dios_ref_free_list(&dead);
	return removed;
}

/**
 * dios_context_take_many() - take references out of the table, all or nothing
 * @ctx:	the context
 * @handles:	the handles, all different
 * @hs:		what each handle was looked up to: it must still name it
 * @n:		number of handles
 * @dead:	out: the references taken, for dios_context_put_dead()
 *
 * For a message carrying the references: the caller holds its own memory
 * references on the objects.  The references taken are torn down (buffers
 * released, views unmapped) by dios_context_put_dead(), which the caller
 * calls once it holds no I/O lock.
 *
 * Return: 0, or -EBADF if a handle no longer names what it named; then
 * nothing is taken.
 */
int dios_context_take_many(struct dios_context *ctx, const u64 *handles,
			   const struct dios_handle *hs, unsigned int n,
			   struct list_head *dead)
{
	struct dios_ref *ref;
	unsigned int i;
	int ret = 0;

	mutex_lock(&ctx->lock);
	for (i = 0; i < n && !ret; i++) {
		ref = dios_context_find(ctx, handles[i]);
		if (!ref || ref->obj != hs[i].obj || ref->rights != hs[i].rights)
			ret = -EBADF;
	}
	for (i = 0; i < n && !ret; i++)
		dios_context_remove_locked(ctx, handles[i], dead);
	mutex_unlock(&ctx->lock);
	return ret;
}

/*
 * Take the references of @handles that still exist out of the table onto
 * @dead, for dios_context_put_dead().
 */
void dios_context_remove_many(struct dios_context *ctx, const u64 *handles,
			      unsigned int n, struct list_head *dead)
{
	unsigned int i;

	mutex_lock(&ctx->lock);
	for (i = 0; i < n; i++)
		dios_context_remove_locked(ctx, handles[i], dead);
	mutex_unlock(&ctx->lock);
}

/* Tear down and drop references taken out of a table; no I/O lock held. */
void dios_context_put_dead(struct list_head *dead)
{
	dios_ref_free_list(dead);
	INIT_LIST_HEAD(dead);
}

/* Return: 0, or -EBADF if @handle names no reference. */
int dios_context_delete(struct dios_context *ctx, u64 handle)
{
	return dios_context_delete_list(ctx, &handle, 1) ? 0 : -EBADF;
}

/* Delete the references of @handles that still exist. */
void dios_context_delete_many(struct dios_context *ctx, const u64 *handles,
			      unsigned int n)
{
	dios_context_delete_list(ctx, handles, n);
}

/*
 * The first I/O step on the reference of @handle: give it its I/O state,
 * under the table lock, and only while the reference is in the table, so
 * that a removal sees the state it must tear down (dios_ref_free_list()).
 */
static noinline struct dios_ref *
dios_context_lookup_ref_slow(struct dios_context *ctx, u64 handle)
{
	struct dios_ref_io *io;
	struct dios_ref *ref;

	io = kmem_cache_zalloc(dios_ref_io_cache, GFP_KERNEL_ACCOUNT);
	if (!io)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&ctx->lock);
	ref = dios_context_find(ctx, handle);
	if (!ref) {
		ref = ERR_PTR(-EBADF);
	} else if (ref->io) {
		/* Another step was first; the table's hold keeps it above 0. */
		refcount_inc(&ref->io->users);
	} else {
		dios_ref_io_init(io);
		/* The table's hold and the caller's. */
		refcount_set(&io->users, 2);
		/* Complete before lockless lookups can see it. */
		smp_store_release(&ref->io, io);
		io = NULL;
	}
	mutex_unlock(&ctx->lock);
	if (io)
		kmem_cache_free(dios_ref_io_cache, io);
	return ref;
}

/**
 * dios_context_lookup_ref() - resolve a handle to its reference, for I/O
 * @ctx:	the context
 * @handle:	the handle
 *
 * The reference's first I/O step gives it its I/O state.
 *
 * Return: the reference, held for the caller (dios_ref_put()), or
 * ERR_PTR(-EBADF) for a bad handle, ERR_PTR(-ENOMEM).  The reference may be
 * deleted meanwhile: its I/O state says so (dios_ref_io.dead).
 */
struct dios_ref *dios_context_lookup_ref(struct dios_context *ctx, u64 handle)
{
	struct dios_ref_io *io;
	struct dios_ref *ref;

	rcu_read_lock();
	ref = dios_context_find(ctx, handle);
	if (!ref) {
		ref = ERR_PTR(-EBADF);
	} else {
		/* Pairs with the smp_store_release() of the first step. */
		io = smp_load_acquire(&ref->io);
		if (!io)
			ref = NULL;
		else if (!refcount_inc_not_zero(&io->users))
			ref = ERR_PTR(-EBADF);
	}
	rcu_read_unlock();
	return ref ?: dios_context_lookup_ref_slow(ctx, handle);
}

/**
 * dios_context_lookup() - resolve a handle, without taking a lock
 * @ctx:	the context
 * @handle:	the handle
 * @h:		out: the object, with a memory reference, and the rights
 *
 * Return: 0, or -EBADF for 0, an index out of range, a free slot or a
 * generation mismatch.
 */
int dios_context_lookup(struct dios_context *ctx, u64 handle,
			struct dios_handle *h)
{
	int ret;

	rcu_read_lock();
	ret = dios_context_peek(ctx, handle, h);
	if (!ret && !dios_object_get_maybe_zero(h->obj))
		ret = -EBADF;
	rcu_read_unlock();
	return ret;
}

static int dios_context_init_meta(struct dios_context *ctx)
{
	struct page *page;
	int ret;

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	ret = xa_err(xa_store(&ctx->meta, 0, page, GFP_KERNEL_ACCOUNT));
	if (ret) {
		__free_page(page);
		return ret;
	}
	ctx->header = page_address(page);
	ctx->header->magic = DIOS_META_MAGIC;
	ctx->header->entry_size = sizeof(struct dios_ref_meta);
	ctx->header->entries_offset = PAGE_SIZE;
	return 0;
}

/*
 * The last reference to the context is gone: the file is released and no
 * dios_copy() is installing into it.  Its table is empty (torn down by
 * dios_context_release()) and its metadata is no longer mapped (a mapping
 * holds the file).
 */
static void dios_context_free(struct kref *kref)
{
	struct dios_context *ctx = container_of(kref, struct dios_context,
						kref);
	struct dios_ref __rcu **chunk;
	struct page *page;
	unsigned long i;

	WARN_ON(ctx->nr_refs);
	dios_debugfs_context_remove(ctx);
	xa_for_each(&ctx->slots, i, chunk)
		kfree(chunk);
	xa_destroy(&ctx->slots);
	kvfree(ctx->used);
	xa_for_each(&ctx->meta, i, page)
		__free_page(page);
	xa_destroy(&ctx->meta);
	dios_object_put(ctx->task);
	dios_interest_free(ctx->interest);
	kvfree(ctx->spawn_refs);
	put_pid(ctx->owner);
	mutex_destroy(&ctx->view_create_lock);
	mutex_destroy(&ctx->lock);
	dios_stats_dec(&dios_stats.contexts);
	kfree(ctx);
}

struct dios_context *dios_context_get(struct dios_context *ctx)
{
	kref_get(&ctx->kref);
	return ctx;
}

/* NULL-safe; process context only (the last put frees objects). */
void dios_context_put(struct dios_context *ctx)
{
	if (ctx)
		kref_put(&ctx->kref, dios_context_free);
}

/**
 * dios_context_new() - create a context
 * @file:	the file being opened, NULL for a child of dios_run()
 * @owner:	the process it belongs to (a thread group id)
 *
 * Return: the context, or an ERR_PTR: -ENOMEM, or -EDQUOT when the user may
 * not create the task object.
 */
struct dios_context *dios_context_new(struct file *file, struct pid *owner)
{
	struct dios_context *ctx;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	kref_init(&ctx->kref);
	mutex_init(&ctx->lock);
	mutex_init(&ctx->view_create_lock);
	spin_lock_init(&ctx->view_lock);
	ctx->file = file;
	xa_init_flags(&ctx->slots, XA_FLAGS_ACCOUNT);
	xa_init_flags(&ctx->meta, XA_FLAGS_ACCOUNT);
	ctx->owner = get_pid(owner);
	dios_stats_inc(&dios_stats.contexts);
	ret = dios_context_init_meta(ctx);
	if (ret)
		goto err_put;
	ret = -ENOMEM;
	ctx->interest = dios_interest_new();
	if (!ctx->interest)
		goto err_put;
	ctx->task = dios_task_create(ctx, owner);
	if (IS_ERR(ctx->task)) {
		ret = PTR_ERR(ctx->task);
		ctx->task = NULL;
		goto err_put;
	}
	dios_debugfs_context_add(ctx);
	return ctx;

err_put:
	dios_context_put(ctx);
	return ERR_PTR(ret);
}

/*
 * The file is released, or a context dios_run() made is abandoned: delete
 * every reference and detach the task object,
 * so that dios_copy() to this task fails with -ESRCH from now on.  The
 * context memory goes with its last kref.
 */
void dios_context_release(struct dios_context *ctx)
{
	struct dios_ref *ref;
	unsigned long index;
	LIST_HEAD(dead);

	dios_task_detach(ctx->task);
	mutex_lock(&ctx->lock);
	ctx->dead = true;
	for_each_set_bit(index, ctx->used, ctx->nr_slots) {
		ref = rcu_dereference_protected(*dios_slot(ctx, index),
						lockdep_is_held(&ctx->lock));
		dios_context_remove_locked(ctx, dios_handle_make(ref->gen, index),
					   &dead);
	}
	mutex_unlock(&ctx->lock);
	dios_ref_free_list(&dead);
	dios_context_put(ctx);
}

/* Sleepers on the object's wait queue: blocked I/O, select, interest sets. */
static unsigned int dios_object_waiters(struct dios_object *obj)
{
	struct wait_queue_entry *wait;
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(&obj->waitq.lock, flags);
	list_for_each_entry(wait, &obj->waitq.head, entry)
		n++;
	spin_unlock_irqrestore(&obj->waitq.lock, flags);
	return n;
}

/*
 * One side of a reference, as a snapshot (see the top): 1 if its buffer is
 * open, or with @view if it has a view cached.  A reference that never did
 * I/O has neither; its I/O state, set under the context lock the caller
 * holds, cannot appear meanwhile.
 */
static int dios_side_peek(const struct dios_ref *ref, unsigned int dir,
			  bool view)
{
	const struct dios_ref_side *side;

	lockdep_assert_held(&ref->ctx->lock);
	if (!ref->io)
		return 0;
	side = &ref->io->side[dir];
	return view ? !!READ_ONCE(side->view) : READ_ONCE(side->buf.busy);
}

/* One reference: what it is, its open buffers and views, its object. */
static void dios_ref_show(struct seq_file *m, struct dios_ref *ref)
{
	struct dios_object *obj = ref->obj;
	bool zombie;

	lockdep_assert_held(&ref->ctx->lock);
	spin_lock(&obj->lock);
	zombie = obj->meta.zombie;
	spin_unlock(&obj->lock);
	seq_printf(m, "handle=%#llx type=%s rights=%#llx state=%s obj=%llu",
		   dios_handle_make(ref->gen, ref->index),
		   dios_type_name(obj->type), (u64)ref->rights,
		   zombie ? "zombie" : "live", obj->id);
	/* Side state is the side mutex's: a snapshot, see the top. */
	seq_printf(m, " rbuf=%d wbuf=%d rview=%d wview=%d waiters=%u",
		   dios_side_peek(ref, DIOS_IO_DIR_READ, false),
		   dios_side_peek(ref, DIOS_IO_DIR_WRITE, false),
		   dios_side_peek(ref, DIOS_IO_DIR_READ, true),
		   dios_side_peek(ref, DIOS_IO_DIR_WRITE, true),
		   dios_object_waiters(obj));
	/* Active: the insides the hook reads are not destroyed meanwhile. */
	if (obj->ops->show && !dios_object_acquire(obj)) {
		obj->ops->show(obj, m);
		dios_object_release(obj);
	}
	seq_putc(m, '\n');
}

/**
 * dios_context_show() - the state of a context, for fdinfo and debugfs
 * @ctx:	the context
 * @m:		where to print it
 * @refs:	also one line per reference (debugfs)
 *
 * The owner's pid is the one the reader's pid namespace sees (0 when it
 * sees none).  "buffers" counts the transactions open on the references
 * (each side of each reference), "views" the views mapped.
 */
void dios_context_show(struct dios_context *ctx, struct seq_file *m,
		       bool refs)
{
	unsigned int buffers = 0, views = 0, d;
	struct dios_ref *ref;
	unsigned long index;

	seq_printf(m, "dios_owner:\t%d\n",
		   pid_nr_ns(ctx->owner, task_active_pid_ns(current)));
	seq_printf(m, "dios_task:\t%llu\n", ctx->task->id);
	seq_printf(m, "dios_interest:\t%u\n",
		   dios_interest_count(ctx->interest));
	mutex_lock(&ctx->lock);
	for_each_set_bit(index, ctx->used, ctx->nr_slots) {
		ref = rcu_dereference_protected(*dios_slot(ctx, index),
						lockdep_is_held(&ctx->lock));
		for (d = 0; d < DIOS_IO_NR_DIRS; d++) {
			buffers += dios_side_peek(ref, d, false);
			views += dios_side_peek(ref, d, true);
		}
	}
	seq_printf(m, "dios_refs:\t%u\n", ctx->nr_refs);
	seq_printf(m, "dios_buffers:\t%u\n", buffers);
	seq_printf(m, "dios_views:\t%u\n", views);
	if (refs) {
		seq_printf(m, "dios_dead:\t%d\n", ctx->dead);
		for_each_set_bit(index, ctx->used, ctx->nr_slots)
			dios_ref_show(m, rcu_dereference_protected(*dios_slot(ctx, index),
								   lockdep_is_held(&ctx->lock)));
	}
	mutex_unlock(&ctx->lock);
}

/* Lock-free: metadata pages are never removed while the context lives. */
static vm_fault_t dios_meta_fault(struct vm_fault *vmf)
{
	struct dios_context *ctx = vmf->vma->vm_private_data;
	struct page *page = xa_load(&ctx->meta, vmf->pgoff);

	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct dios_meta_vm_ops = {
	.fault = dios_meta_fault,
};

/**
 * dios_context_mmap() - map the metadata read-only
 * @ctx:	the context
 * @vma:	the new mapping
 *
 * Pages are faulted in as user space reads them; slots not yet backed give
 * SIGBUS.  The mapping is not inherited across fork (the child gets -EBADFD
 * on the context anyway; VM_IO keeps madvise(MADV_DOFORK) from changing
 * that), cannot be made writable and is not dumped.
 *
 * Return: 0, -EINVAL for a private mapping, a wrong offset or a length
 * beyond meta_map_size, -EPERM for a writable mapping.
 */
int dios_context_mmap(struct dios_context *ctx, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != DIOS_MMAP_META >> PAGE_SHIFT ||
	    vma->vm_end - vma->vm_start > dios_meta_map_size() ||
	    !(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP | VM_IO);
	vm_flags_clear(vma, VM_MAYWRITE);
	vma->vm_ops = &dios_meta_vm_ops;
	vma->vm_private_data = ctx;
	return 0;
}

int dios_context_init(void)
{
	dios_ref_cache = KMEM_CACHE(dios_ref, SLAB_ACCOUNT);
	dios_ref_io_cache = KMEM_CACHE(dios_ref_io, SLAB_ACCOUNT);
	if (dios_ref_cache && dios_ref_io_cache)
		return 0;
	kmem_cache_destroy(dios_ref_io_cache);
	kmem_cache_destroy(dios_ref_cache);
	return -ENOMEM;
}

void dios_context_uninit(void)
{
	/* Wait for the dios_ref_free_rcu() callbacks still queued. */
	rcu_barrier();
	kmem_cache_destroy(dios_ref_io_cache);
	kmem_cache_destroy(dios_ref_cache);
}
