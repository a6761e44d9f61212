/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_OBJECT_H
#define __DIOS_OBJECT_H

/**
 * DOC: Objects
 *
 * Every DIOS object (memory, blob, stream, task, group) embeds a struct
 * dios_object as its first member and is driven through one operations
 * table, struct dios_object_ops.  An object has two counts, kept apart as in
 * bus1:
 *
 *  - @ref, a refcount_t, is the memory lifetime.  Every reference in a
 *    context table holds one, so does every operation while it runs.  The
 *    name table holds none: a name lookup runs under RCU and takes a
 *    reference with dios_object_get_maybe_zero(), which fails once the count
 *    hit zero; the memory is freed after an RCU grace period.
 *
 *  - @active counts the operations in flight.  It is non-negative while the
 *    object is live.  Deactivation adds DIOS_ACTIVE_BIAS, a large negative
 *    number, so that dios_object_acquire() fails with -EIDRM from then on;
 *    the object is drained once @active equals the bias again.
 *
 * Zombification is "deactivate, drain, release": dios_object_zombify()
 * deactivates the object, marks every reference's metadata DIOS_REF_ZOMBIE,
 * calls the type's zombify hook (wake waiters, kill a task) and drops the
 * name.  It does not wait for the operations in flight: one of them may be
 * stalled for as long as its caller likes (a copy from memory that a
 * userfaultfd or FUSE server holds back), and zombify must not hang with
 * it.  Whoever ends the last operation, zombify itself or an operation in
 * flight, finds the object drained: the name goes again (a publish in flight
 * may have named it meanwhile) and the destroy hook frees the insides, at
 * once when zombify drains it, from a work item when an operation does (an
 * operation ends under locks the hook may need).  The struct itself lives
 * on, inert, until the last reference goes.  A zombie keeps its ops table:
 * it is the state check in dios_object_acquire() that makes every operation
 * of a zombie fail with -EIDRM, so no operation can run on a zombie in the
 * first place.
 *
 * When the last reference of a live object goes, dios_object_put() drops its
 * name, deactivates it (nothing can be in flight: every operation holds a
 * reference) and destroys the insides, then frees the memory after a grace
 * period.
 *
 * Locking: @lock is a spinlock protecting the fields in @meta: the list of
 * references to the object, the list of its views and the state those
 * references publish in their contexts' metadata maps (each slot's entry
 * is only written under the lock of the object it refers to).  It nests
 * inside a context's table mutex and inside the name table mutex; see
 * context.c for the complete order.
 */

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/dios.h>

#define DIOS_ACTIVE_BIAS	(INT_MIN / 2)

struct dios_name_entry;
struct dios_object;
struct dios_user;
struct dios_io;
struct dios_view;
struct page;
struct seq_file;

/**
 * struct dios_object_ops - what an object type implements
 * @info:	fill @size, @read_buf_max and @write_buf_max of @info as for a
 *		reference holding every right; must not sleep (runs under
 *		the object lock)
 * @may_zombify: optional; may the caller zombify the object: 0 or an errno
 *		(a task refuses what kill(2) would refuse); runs before the
 *		object is deactivated
 * @zombify:	optional; runs once when the object is zombified, after it
 *		is deactivated and before it drains: wake blocked waiters, kill
 *		a task
 * @destroy:	free the insides; runs exactly once, with nothing in flight
 * @io_acquire:	I/O, NULL until the type implements it (-EOPNOTSUPP)
 * @io_commit:	I/O, NULL until the type implements it (-EOPNOTSUPP)
 * @io_release:	I/O, NULL until the type implements it (-EOPNOTSUPP)
 * @io_xfer:	copying I/O: one whole transaction on io->dir, the payload
 *		copied from or to io->ubuf, no view and no buffer left open;
 *		runs under the side mutex.  NULL: -EOPNOTSUPP
 * @poll:	readiness for select: the subset of @events (DIOS_EV_*, those
 *		the reference's rights allow) that is ready; runs under an
 *		active reference, may take the type's spinlocks, must not
 *		sleep.  Every change that can make the object ready must wake
 *		@waitq (select.h)
 * @view_pages:	I/O: the number of pages a view of the object maps
 * @view_page:	I/O: the page behind page @index of @view, with a reference
 *		for the caller; NULL (SIGBUS) once the insides are destroyed,
 *		ERR_PTR(-ENOMEM).  Runs in the fault handler under mmap_lock:
 *		may allocate, may take the type's spinlocks, nothing else
 * @ref_change:	optional; a reference with @rights was added (@delta 1) or
 *		removed (-1), in any context; runs under the object lock
 * @show:	optional; debugfs (debugfs.c): print the type's state after a
 *		reference's line, one " key=value" per field; may take the
 *		type's spinlocks, runs under the lock of the context listed
 *		and no other
 * @view_populate: I/O: acquire maps the pages of the buffer it returns into
 *		the view (vm_insert_pages()), so that the caller does not take
 *		one fault per page; for types whose buffers are touched whole
 * @cache:	the slab cache of objects with these ops, if not the type's
 *		(0): DIOS_CACHE_RING for ring streams
 */
struct dios_object_ops {
	void (*info)(struct dios_object *obj, struct dios_ref_info *info);
	int (*may_zombify)(struct dios_object *obj);
	void (*zombify)(struct dios_object *obj);
	void (*destroy)(struct dios_object *obj);
	int (*io_acquire)(struct dios_object *obj, struct dios_io *io);
	int (*io_commit)(struct dios_object *obj, struct dios_io *io);
	int (*io_release)(struct dios_object *obj, struct dios_io *io);
	int (*io_xfer)(struct dios_object *obj, struct dios_io *io);
	int (*poll)(struct dios_object *obj, u32 events);
	unsigned long (*view_pages)(struct dios_object *obj);
	struct page *(*view_page)(struct dios_object *obj,
				  struct dios_view *view, unsigned long index);
	void (*ref_change)(struct dios_object *obj, u64 rights, int delta);
	void (*show)(struct dios_object *obj, struct seq_file *m);
	bool view_populate;
	u32 cache;
};

/* dios_object_ops.cache: a slab cache besides the types' own (object.c). */
#define DIOS_CACHE_RING		(DIOS_OBJ_GROUP + 1)

/**
 * struct dios_name_key - the key of the name table
 * @group:	id of the group the name lives in (never reused, see group.c)
 * @name:	the 256-bit name
 */
struct dios_name_key {
	u64 group;
	struct dios_name name;
};

/**
 * struct dios_object - the part every object type shares
 * @id:		a number unique among the objects made since the module was
 *		loaded, for tracepoints and debugfs (which show no kernel
 *		pointer); immutable
 * @ops:	the type's operations, immutable
 * @user:	the per-user quota charged for the object, NULL for the global
 *		group; immutable
 * @ref:	memory lifetime
 * @active:	operations in flight, plus DIOS_ACTIVE_BIAS once deactivated
 * @waitq:	blocking operations and select wait here
 * @destroy_node: in the list of zombies whose last operation in flight
 *		ended, for the work that destroys their insides; the list holds
 *		a memory reference
 * @rcu:	frees the memory after a grace period (name lookups use RCU);
 *		used once the last memory reference is gone, so never while
 *		@destroy_node is, whose memory it shares
 * @name:	the object's entry in the name table (name.c), NULL for an
 *		object without a name; set and cleared under dios_name_lock,
 *		read without it only to see that there is none
 * @type:	DIOS_OBJ_*, immutable
 * @lock:	protects @meta
 * @meta:	protected by @lock
 * @meta.refs:	every struct dios_ref to the object, in any context
 * @meta.views: every struct dios_view of the object (buffer.c)
 * @meta.zombie: the object was zombified
 * @meta.named: the object has a name, as reported in has_name
 *
 * What only some objects need lives elsewhere: a name in its name table
 * entry, a reference's I/O state in struct dios_ref_io.  The struct is 120
 * bytes on 64-bit kernels without lock debugging.
 */
struct dios_object {
	u64 id;
	const struct dios_object_ops *ops;
	struct dios_user *user;
	refcount_t ref;
	atomic_t active;
	wait_queue_head_t waitq;
	union {
		struct llist_node destroy_node;
		struct rcu_head rcu;
	};
	struct dios_name_entry *name;
	u32 type;

	spinlock_t lock; /* protects meta */
	struct {
		struct list_head refs;
		struct hlist_head views;
		bool zombie;
		bool named;
	} meta;
};

void *dios_object_alloc(u32 type, size_t size);
void dios_object_init(struct dios_object *obj, u32 type,
		      const struct dios_object_ops *ops);
struct dios_object *dios_object_create(u32 type,
				       const struct dios_create_args *args);
struct dios_object *dios_object_create_flags(u32 type, u64 flags,
					     const struct dios_create_args *args);
int dios_object_charge(struct dios_object *obj);
int dios_object_check_size(u64 value, unsigned long limit);

struct dios_object *dios_object_get(struct dios_object *obj);
struct dios_object * __must_check
dios_object_get_maybe_zero(struct dios_object *obj);
void dios_object_put(struct dios_object *obj);

int __must_check dios_object_acquire(struct dios_object *obj);
void dios_object_release(struct dios_object *obj);

/* Not deactivated: no zombie, not being destroyed. */
static inline bool dios_object_is_live(struct dios_object *obj)
{
	return atomic_read(&obj->active) >= 0;
}

int dios_object_zombify(struct dios_object *obj);

void dios_object_set_named(struct dios_object *obj, bool named);
void dios_object_info(struct dios_object *obj, u64 rights,
		      struct dios_ref_info *info);

int dios_object_io_acquire(struct dios_object *obj, struct dios_io *io);
int dios_object_io_commit(struct dios_object *obj, struct dios_io *io);
int dios_object_io_release(struct dios_object *obj, struct dios_io *io);
int dios_object_poll(struct dios_object *obj, u32 events);

int dios_object_init_module(void);
void dios_object_uninit_module(void);

#endif /* __DIOS_OBJECT_H */
