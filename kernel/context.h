/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_CONTEXT_H
#define __DIOS_CONTEXT_H

/**
 * DOC: Contexts and references
 *
 * Opening /dev/dios creates a context: the reference table of the process
 * that opened it, its task object and its metadata map.  A reference (struct
 * dios_ref) lives in exactly one context's table and holds a memory
 * reference on its object; it is also linked into the object's list of
 * references, so that zombification and naming can rewrite the reference's
 * metadata entry in whichever context it lives.
 *
 * A handle is ((u64)gen << 32) | (index + 1).  The generation of a slot
 * lives in the slot's metadata entry (kernel-written, mapped read-only to
 * user space); it starts at 1 and is bumped, skipping 0, every time the slot
 * is freed, so a stale handle never reaches the slot's next occupant.
 *
 * The table is an allocating xarray of struct dios_ref pointers.  Handle
 * lookups run under RCU without any lock: the struct dios_ref is freed after
 * a grace period and the object reference is taken with
 * dios_object_get_maybe_zero().  Table changes take @lock.
 *
 * The metadata map is a header page followed by pages of struct
 * dios_ref_meta, allocated as the table grows and never freed before the
 * context, kept in the @meta xarray (page index -> struct page) for the
 * lock-free fault handler.
 *
 * Lock order (outermost first):
 *   dios_context.lock  ->  dios_name_lock  ->  dios_object.lock
 * (buffer.h adds the I/O locks, which are never taken under these.)
 * The current code drops a context's lock before it can put the last
 * reference of an object, so the middle step is not taken today.
 */

#include <linux/dios.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "buffer.h"

struct dentry;
struct dios_object;
struct file;
struct seq_file;
struct pid;
struct vm_area_struct;

/**
 * struct dios_ref - a reference: one slot of a context's table
 * @obj:	the object, with a memory reference held; immutable
 * @ctx:	the context whose table holds the reference; immutable
 * @io:		buffers and views (buffer.h), NULL until the first I/O step
 *		looks the reference up; set once, under @ctx->lock while the
 *		reference is in the table, read locklessly (acquire)
 * @gen:	slot generation, 0 until installed; written once under the
 *		context lock, read locklessly by handle lookups
 * @index:	slot index, below DIOS_MAX_REFS_LIMIT; immutable
 * @rights:	DIOS_RIGHT_*; immutable
 * @obj_link:	link in @obj->meta.refs, protected by @obj->lock; once the
 *		reference left its table, in the list of references being
 *		torn down
 * @rcu:	frees the struct after handle lookups are done with it; shares
 *		the memory of @obj_link, which nothing reads once the last
 *		holder is gone (handle lookups read neither)
 *
 * A reference is held by its table and, once it has @io, by every I/O
 * operation that looked it up (@io->users, which the table holds one of
 * too); it is freed when its table let go and no I/O operation holds it.
 * Everything that only I/O needs lives in @io, allocated on first use, so
 * that a reference that is only held, duplicated or delegated costs what
 * this struct does (48 bytes on 64-bit kernels).
 */
struct dios_ref {
	struct dios_object *obj;
	struct dios_context *ctx;
	struct dios_ref_io *io;
	u32 gen;
	u32 index : 24;
	u32 rights : 8;
	union {
		struct list_head obj_link;
		struct rcu_head rcu;
	};
};

/* True when an I/O step must give up: its reference is being deleted. */
static inline bool dios_io_dying(const struct dios_io *io)
{
	return READ_ONCE(io->ref->io->dying);
}

/**
 * struct dios_context - the DIOS state of one process
 * @kref:	lifetime: the open file holds one, so does dios_copy() while it
 *		installs into the context
 * @owner:	thread group that opened the context; immutable
 * @file:	the open file, no reference (views map it from ioctls on it);
 *		NULL while a context made by dios_run() waits for its child,
 *		immutable from the open on
 * @task:	the context's own task object (a memory reference); immutable
 * @slots:	slot index / slots per metadata page -> array of that many
 *		struct dios_ref pointers (RCU readers, changes under @lock);
 *		arrays are only added, with the metadata page of the same
 *		slots, and freed with the context: an install or a removal
 *		allocates and frees nothing in the table
 * @slots0:	the array of the first slots (index 0 of @slots), NULL until
 *		the table is first grown; a shortcut for handle lookups
 * @used:	bitmap of the slots in use, @nr_slots bits; protected by @lock
 * @meta:	metadata page index -> struct page; pages are only added, under
 *		@lock, and freed with the context
 * @header:	the metadata header (page 0 of @meta)
 * @lock:	serialises table changes
 * @nr_slots:	slots backed by metadata pages; protected by @lock
 * @nr_refs:	references in the table; protected by @lock
 * @dead:	the context is torn down, nothing may be installed any more;
 *		protected by @lock
 * @view_create_lock: one view creation at a time (buffer.c)
 * @view_lock:	protects @view_pending
 * @view_pending: the view an ioctl of this context is mapping (buffer.c)
 * @interest:	the persistent interest set (select.c); immutable
 * @spawn_refs:	the handles delegated by dios_run(), in order; immutable
 * @nr_spawn_refs: their number
 * @pend_node:	link in the table of pending contexts (task.c), protected
 *		by dios_task_mutex
 * @debugfs:	the context's file in debugfs (debugfs.c), or an error or
 *		NULL; immutable once the context is made
 */
struct dios_context {
	struct kref kref;
	struct pid *owner;
	struct file *file;
	struct dios_object *task;
	struct xarray slots;
	struct dios_ref __rcu **slots0;
	unsigned long *used;
	struct xarray meta;
	struct dios_meta_header *header;

	struct mutex lock; /* serialises table changes */
	u32 nr_slots;
	u32 nr_refs;
	bool dead;

	struct mutex view_create_lock; /* one view creation at a time */
	spinlock_t view_lock; /* protects view_pending */
	struct dios_view *view_pending;

	struct dios_interest *interest;

	u64 *spawn_refs;
	u32 nr_spawn_refs;
	struct hlist_node pend_node;
	struct dentry *debugfs;
};

/**
 * struct dios_handle - what a handle lookup returns
 * @obj:	the object, with a memory reference the caller must put
 * @rights:	the reference's rights
 */
struct dios_handle {
	struct dios_object *obj;
	u64 rights;
};

struct dios_context *dios_context_new(struct file *file, struct pid *owner);
void dios_context_release(struct dios_context *ctx);
struct dios_context *dios_context_get(struct dios_context *ctx);
void dios_context_put(struct dios_context *ctx);

/* The calling thread belongs to the process that opened the context. */
static inline bool dios_context_is_owner(struct dios_context *ctx)
{
	return task_tgid(current) == ctx->owner;
}

#define DIOS_META_PER_PAGE	(PAGE_SIZE / sizeof(struct dios_ref_meta))

/*
 * The table slot of @index, NULL beyond the table.  The first page of slots,
 * all that most tasks use, is found without walking the xarray.
 */
static __always_inline struct dios_ref __rcu **
dios_slot(struct dios_context *ctx, u32 index)
{
	struct dios_ref __rcu **chunk;

	if (index < DIOS_META_PER_PAGE)
		/* Pairs with the smp_store_release() in grow_slots. */
		chunk = smp_load_acquire(&ctx->slots0);
	else
		chunk = xa_load(&ctx->slots, index / DIOS_META_PER_PAGE);
	return chunk ? &chunk[index % DIOS_META_PER_PAGE] : NULL;
}

/*
 * Find the reference of @handle; NULL for a bad handle.  A zero index part
 * wraps to U32_MAX, beyond any table.  Under RCU or the context lock.
 */
static __always_inline struct dios_ref *
dios_context_find(struct dios_context *ctx, u64 handle)
{
	u32 gen = handle >> 32;
	u32 index = (u32)handle - 1;
	struct dios_ref __rcu **slot;
	struct dios_ref *ref;

	if (!gen)
		return NULL;
	slot = dios_slot(ctx, index);
	if (!slot)
		return NULL;
	ref = rcu_dereference_check(*slot, lockdep_is_held(&ctx->lock));
	if (!ref || READ_ONCE(ref->gen) != gen)
		return NULL;
	return ref;
}

/**
 * dios_context_peek() - resolve a handle, taking nothing
 * @ctx:	the context
 * @handle:	the handle
 * @h:		out: the object and rights
 *
 * For a step that needs the object only for as long as the caller's RCU
 * read-side critical section: the object's memory lasts that long (it is
 * freed after a grace period), its insides may be destroyed meanwhile.
 *
 * Return: 0, or -EBADF as dios_context_lookup().
 */
static inline int dios_context_peek(struct dios_context *ctx, u64 handle,
				    struct dios_handle *h)
{
	struct dios_ref *ref;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "needs rcu_read_lock()");
	ref = dios_context_find(ctx, handle);
	if (!ref)
		return -EBADF;
	h->obj = ref->obj;
	h->rights = ref->rights;
	return 0;
}

int dios_context_lookup(struct dios_context *ctx, u64 handle,
			struct dios_handle *h);
int dios_context_install(struct dios_context *ctx, struct dios_object *obj,
			 u64 rights, u64 *handle);
int dios_context_install_many(struct dios_context *ctx,
			      struct dios_handle *hs, u64 *handles,
			      unsigned int n);
struct dios_ref *dios_context_lookup_ref(struct dios_context *ctx,
					 u64 handle);
void dios_ref_put(struct dios_ref *ref);
int dios_context_delete(struct dios_context *ctx, u64 handle);
int dios_context_take_many(struct dios_context *ctx, const u64 *handles,
			   const struct dios_handle *hs, unsigned int n,
			   struct list_head *dead);
void dios_context_remove_many(struct dios_context *ctx, const u64 *handles,
			      unsigned int n, struct list_head *dead);
void dios_context_put_dead(struct list_head *dead);
void dios_context_delete_many(struct dios_context *ctx, const u64 *handles,
			      unsigned int n);

void dios_ref_meta_update(struct dios_ref *ref);

int dios_context_mmap(struct dios_context *ctx, struct vm_area_struct *vma);
void dios_context_show(struct dios_context *ctx, struct seq_file *m,
		       bool refs);

int dios_context_init(void);
void dios_context_uninit(void);

#endif /* __DIOS_CONTEXT_H */
