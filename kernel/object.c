// SPDX-License-Identifier: GPL-2.0
/*
 * object.c - the object core: memory references, active references,
 * zombification, operation dispatch and the per-user object quota.
 *
 * Lock order: see context.c.  dios_users.xa_lock is a leaf lock.
 */

#include <linux/cred.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "blob.h"
#include "context.h"
#include "debugfs.h"
#include "gc.h"
#include "group.h"
#include "main.h"
#include "mem.h"
#include "name.h"
#include "object.h"
#include "ring.h"
#include "stream.h"
#include "task.h"
#include "trace.h"

/**
 * struct dios_user - the object quota of one user
 * @objects:	objects charged to the user; the entry leaves dios_users when
 *		it drops to zero
 * @uid:	the user's kuid value, the key in dios_users
 * @rcu:	frees the struct after lockless lookups are done with it
 */
struct dios_user {
	refcount_t objects;
	unsigned long uid;
	struct rcu_head rcu;
};

/* kuid value -> struct dios_user; RCU lookups, changes under xa_lock */
static DEFINE_XARRAY(dios_users);

static struct dios_user *dios_user_lookup(unsigned long uid)
{
	struct dios_user *u;

	rcu_read_lock();
	u = xa_load(&dios_users, uid);
	if (u && !refcount_inc_not_zero(&u->objects))
		u = NULL;
	rcu_read_unlock();
	return u;
}

/*
 * Insert @new for @uid unless a live entry exists; a dying entry (count
 * zero, its remover waiting for xa_lock) is replaced, and its remover's
 * cmpxchg then finds @new and leaves it alone.
 */
static struct dios_user *dios_user_insert(struct dios_user *new)
{
	struct dios_user *cur, *prev;

	xa_lock(&dios_users);
	for (;;) {
		cur = xa_load(&dios_users, new->uid);
		if (cur && refcount_inc_not_zero(&cur->objects))
			break;
		prev = __xa_cmpxchg(&dios_users, new->uid, cur, new,
				    GFP_KERNEL);
		if (xa_is_err(prev)) {
			cur = ERR_PTR(xa_err(prev));
			break;
		}
		if (prev == cur) {
			cur = new;
			new = NULL;
			break;
		}
	}
	xa_unlock(&dios_users);
	kfree(new);
	return cur;
}

static void dios_user_uncharge(struct dios_user *u)
{
	bool last;

	/* refcount_dec_and_lock(), spelt out so that sparse can follow. */
	if (!u || refcount_dec_not_one(&u->objects))
		return;
	xa_lock(&dios_users);
	last = refcount_dec_and_test(&u->objects);
	/* A new entry may have replaced ours already: erase only ours. */
	if (last)
		__xa_cmpxchg(&dios_users, u->uid, u, NULL, 0);
	xa_unlock(&dios_users);
	if (last)
		kfree_rcu(u, rcu);
}

/* Charge one object to the calling user: -EDQUOT above max_objects. */
static struct dios_user *dios_user_charge(void)
{
	unsigned long uid = __kuid_val(current_uid());
	struct dios_user *u, *new;

	u = dios_user_lookup(uid);
	if (!u) {
		new = kzalloc(sizeof(*new), GFP_KERNEL);
		if (!new)
			return ERR_PTR(-ENOMEM);
		refcount_set(&new->objects, 1);
		new->uid = uid;
		u = dios_user_insert(new);
		if (IS_ERR(u))
			return u;
	}
	if (refcount_read(&u->objects) > dios_max_objects) {
		dios_user_uncharge(u);
		return ERR_PTR(-EDQUOT);
	}
	return u;
}

/*
 * One slab cache per type, of the exact size of the type's struct, rather
 * than the kmalloc size class above it.
 */
static struct kmem_cache *dios_object_caches[DIOS_CACHE_RING + 1];

static const struct {
	const char *name;
	unsigned int size;
} dios_object_layouts[] = {
	[DIOS_OBJ_PRIVMEM] = { "dios_privmem", sizeof(struct dios_mem) },
	[DIOS_OBJ_SHMEM] = { "dios_shmem", sizeof(struct dios_mem) },
	[DIOS_OBJ_BLOB] = { "dios_blob", sizeof(struct dios_blob) },
	[DIOS_OBJ_STREAM] = { "dios_stream", sizeof(struct dios_stream) },
	[DIOS_OBJ_TASK] = { "dios_task", sizeof(struct dios_task) },
	[DIOS_OBJ_GROUP] = { "dios_group", sizeof(struct dios_group) },
	[DIOS_CACHE_RING] = { "dios_ring", sizeof(struct dios_ring_stream) },
};

static_assert(ARRAY_SIZE(dios_object_layouts) ==
	      ARRAY_SIZE(dios_object_caches));

/**
 * dios_object_alloc() - the zeroed memory of a new object
 * @type:	DIOS_OBJ_*, or the dios_object_ops.cache of its ops
 * @size:	the size of the type's struct, which embeds struct dios_object
 *		first, as a check
 *
 * The memory goes back to the type's cache with the object's last memory
 * reference (dios_object_put()), once dios_object_init() made it an object.
 *
 * Return: the memory, charged to the caller's memory cgroup, or NULL.
 */
void *dios_object_alloc(u32 type, size_t size)
{
	if (WARN_ON_ONCE(type >= ARRAY_SIZE(dios_object_caches) ||
			 !dios_object_caches[type] ||
			 size != dios_object_layouts[type].size))
		return NULL;
	return kmem_cache_zalloc(dios_object_caches[type], GFP_KERNEL_ACCOUNT);
}

static void dios_object_free_rcu(struct rcu_head *rcu)
{
	struct dios_object *obj = container_of(rcu, struct dios_object, rcu);

	kmem_cache_free(dios_object_caches[obj->ops->cache ?: obj->type], obj);
}

/* The last object id given; 64 bits never wrap. */
static atomic64_t dios_object_last_id = ATOMIC64_INIT(0);

void dios_object_init(struct dios_object *obj, u32 type,
		      const struct dios_object_ops *ops)
{
	obj->id = atomic64_inc_return(&dios_object_last_id);
	obj->type = type;
	obj->ops = ops;
	refcount_set(&obj->ref, 1);
	atomic_set(&obj->active, 0);
	init_waitqueue_head(&obj->waitq);
	spin_lock_init(&obj->lock);
	INIT_LIST_HEAD(&obj->meta.refs);
	INIT_HLIST_HEAD(&obj->meta.views);
	dios_stats_inc(&dios_stats.objects[type]);
	/*
	 * Objects pin the module: one kept alive by a cycle of messages
	 * (docs/io.md) must not outlive the code behind its ops.
	 */
	__module_get(THIS_MODULE);
}

static struct dios_object *dios_object_new(u32 type,
					   const struct dios_create_args *args)
{
	switch (type) {
	case DIOS_OBJ_PRIVMEM:
	case DIOS_OBJ_SHMEM:
		return dios_mem_create(type, args);
	case DIOS_OBJ_BLOB:
		return dios_blob_create(args);
	case DIOS_OBJ_STREAM:
		return dios_stream_create(args);
	case DIOS_OBJ_GROUP:
		return dios_group_create(args);
	default:
		/* DIOS_OBJ_TASK objects only come from opening a context. */
		return ERR_PTR(-EINVAL);
	}
}

/**
 * dios_object_charge() - charge a new object to the calling user
 * @obj:	the object, not yet charged
 *
 * Return: 0, -EDQUOT above max_objects, or -ENOMEM.  On error the caller
 * puts the object.
 */
int dios_object_charge(struct dios_object *obj)
{
	struct dios_user *user = dios_user_charge();

	if (IS_ERR(user))
		return PTR_ERR(user);
	obj->user = user;
	return 0;
}

/**
 * dios_object_create() - create an object of a user-creatable type
 * @type:	DIOS_OBJ_*
 * @args:	the creation arguments, validated by the type
 *
 * Return: the object with one memory reference, charged to the calling user,
 * or an ERR_PTR.
 */
struct dios_object *dios_object_create(u32 type,
				       const struct dios_create_args *args)
{
	return dios_object_create_flags(type, 0, args);
}

/**
 * dios_object_create_flags() - dios_object_create() with creation flags
 * @type:	DIOS_OBJ_*
 * @flags:	DIOS_CREATE_RING (a STREAM only) or 0
 * @args:	the creation arguments, validated by the type
 *
 * Return: as dios_object_create(); -EINVAL for DIOS_CREATE_RING on another
 * type.
 */
struct dios_object *dios_object_create_flags(u32 type, u64 flags,
					     const struct dios_create_args *args)
{
	struct dios_object *obj;
	int ret;

	if (flags & DIOS_CREATE_RING)
		obj = type == DIOS_OBJ_STREAM ? dios_ring_create(args) :
						ERR_PTR(-EINVAL);
	else
		obj = dios_object_new(type, args);
	if (IS_ERR(obj))
		return obj;
	ret = dios_object_charge(obj);
	if (ret) {
		dios_object_put(obj);
		return ERR_PTR(ret);
	}
	return obj;
}

/**
 * dios_object_check_size() - validate a size or capacity argument
 * @value:	the argument
 * @limit:	the module limit for it
 *
 * Sizes are recorded as given, not rounded: page rounding is the business
 * of the I/O paths that will back them.
 *
 * Return: 0, -EINVAL for 0, -EFBIG above @limit.
 */
int dios_object_check_size(u64 value, unsigned long limit)
{
	if (!value)
		return -EINVAL;
	return value > limit ? -EFBIG : 0;
}

struct dios_object *dios_object_get(struct dios_object *obj)
{
	if (obj)
		refcount_inc(&obj->ref);
	return obj;
}

/* For RCU lookups: fails on an object whose last reference is gone. */
struct dios_object *dios_object_get_maybe_zero(struct dios_object *obj)
{
	return refcount_inc_not_zero(&obj->ref) ? obj : NULL;
}

/* Make every new dios_object_acquire() fail; true for the first caller. */
static bool dios_object_deactivate(struct dios_object *obj)
{
	int v = atomic_read(&obj->active);

	do {
		if (v < 0)
			return false;
	} while (!atomic_try_cmpxchg(&obj->active, &v, v + DIOS_ACTIVE_BIAS));
	return true;
}

static bool dios_object_is_drained(struct dios_object *obj)
{
	return atomic_read(&obj->active) == DIOS_ACTIVE_BIAS;
}

/*
 * The last memory reference is gone.  Who could still reach the object:
 *  - context tables: no, every struct dios_ref holds a reference, and the
 *    list of references is empty;
 *  - operations in flight: no, each holds a reference, so the object drained;
 *  - name lookups under RCU: yes, until dios_name_remove() below and a grace
 *    period; dios_object_get_maybe_zero() makes them fail, and the memory
 *    goes with kfree_rcu().
 */
static void dios_object_free(struct dios_object *obj)
{
	dios_name_remove(obj);
	if (dios_object_deactivate(obj))
		obj->ops->destroy(obj);
	WARN_ON(!dios_object_is_drained(obj));
	WARN_ON(!list_empty(&obj->meta.refs));
	dios_user_uncharge(obj->user);
	dios_stats_dec(&dios_stats.objects[obj->type]);
	/*
	 * Every type embeds struct dios_object first: obj is the allocation.
	 * The callback may run after the module_put(): module exit waits for
	 * it (dios_object_uninit_module()).
	 */
	call_rcu(&obj->rcu, dios_object_free_rcu);
	module_put(THIS_MODULE);
}

/*
 * NULL-safe; must be called from process context (names take a mutex).
 * A put that is not the last may leave a stream held only by queued
 * messages: the collector looks at it (gc.c), under RCU because another
 * put may free it meanwhile.
 */
void dios_object_put(struct dios_object *obj)
{
	bool last;

	might_sleep();
	if (!obj)
		return;
	rcu_read_lock();
	last = refcount_dec_and_test(&obj->ref);
	if (!last)
		dios_gc_put(obj);
	rcu_read_unlock();
	if (last)
		dios_object_free(obj);
}

/**
 * dios_object_acquire() - start an operation on an object
 * @obj:	the object, the caller holds a memory reference
 *
 * Return: 0, or -EIDRM if the object is a zombie.  On success the operation
 * must end with dios_object_release().
 */
int dios_object_acquire(struct dios_object *obj)
{
	return atomic_inc_unless_negative(&obj->active) ? 0 : -EIDRM;
}

/*
 * Zombies whose last operation in flight ended: their insides are destroyed
 * by dios_object_destroy_work, each holding a memory reference.
 */
static LLIST_HEAD(dios_object_destroy_list);

/* The insides of a drained zombie: the name, then the type's state. */
static void dios_object_destroy(struct dios_object *obj)
{
	dios_name_remove(obj);
	obj->ops->destroy(obj);
}

static void dios_object_destroy_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&dios_object_destroy_list);
	struct dios_object *obj, *tmp;

	llist_for_each_entry_safe(obj, tmp, list, destroy_node) {
		dios_object_destroy(obj);
		dios_object_put(obj);
	}
}

static DECLARE_WORK(dios_object_destroy_work, dios_object_destroy_fn);

/*
 * The last operation of a zombie ended, maybe under locks the destroy hook
 * takes: destroy from the work.  Any context; the caller holds a memory
 * reference, so taking one is safe.
 */
static noinline void dios_object_destroy_later(struct dios_object *obj)
{
	dios_object_get(obj);
	if (llist_add(&obj->destroy_node, &dios_object_destroy_list))
		schedule_work(&dios_object_destroy_work);
}

void dios_object_release(struct dios_object *obj)
{
	/* Only a deactivated object reaches the bias: a zombie, drained. */
	if (unlikely(atomic_dec_return(&obj->active) == DIOS_ACTIVE_BIAS))
		dios_object_destroy_later(obj);
}

static void dios_object_update_refs(struct dios_object *obj)
{
	struct dios_ref *ref;

	lockdep_assert_held(&obj->lock);
	list_for_each_entry(ref, &obj->meta.refs, obj_link)
		dios_ref_meta_update(ref);
}

static void dios_object_mark_zombie(struct dios_object *obj)
{
	spin_lock(&obj->lock);
	obj->meta.zombie = true;
	dios_object_update_refs(obj);
	spin_unlock(&obj->lock);
}

/* Publish whether the object has a name in every reference's metadata. */
void dios_object_set_named(struct dios_object *obj, bool named)
{
	spin_lock(&obj->lock);
	obj->meta.named = named;
	dios_object_update_refs(obj);
	spin_unlock(&obj->lock);
}

/**
 * dios_object_zombify() - kill an object, keeping its references valid
 * @obj:	the object, the caller holds a memory reference
 *
 * Deactivate, drain, release: no operation starts any more, blocked waiters
 * are woken (they return -EIDRM) and the name goes; the insides are freed
 * once the operations in flight ended, here if none is left, else by the
 * last of them (see the DOC in object.h): zombify never waits for them.
 * The call is itself an operation, so that exactly one party sees the
 * object drained.  Zombifying a zombie is a no-op, so is a concurrent
 * second call.
 *
 * Return: 0, or the error of the type's may_zombify hook (nothing done).
 */
int dios_object_zombify(struct dios_object *obj)
{
	int ret;

	if (dios_object_acquire(obj))
		return 0;
	ret = obj->ops->may_zombify ? obj->ops->may_zombify(obj) : 0;
	if (!ret && dios_object_deactivate(obj)) {
		trace_dios_zombify(obj->id, obj->type);
		dios_object_mark_zombie(obj);
		if (obj->ops->zombify)
			obj->ops->zombify(obj);
		wake_up_all(&obj->waitq);
		/* At once; an insert in flight is undone by the destroy. */
		dios_name_remove(obj);
	}
	if (atomic_dec_return(&obj->active) == DIOS_ACTIVE_BIAS)
		dios_object_destroy(obj);
	return ret;
}

/**
 * dios_object_info() - the metadata of a reference to @obj
 * @obj:	the object
 * @rights:	the reference's rights
 * @info:	filled in completely
 *
 * The type's info hook may only read what its destroy hook leaves intact:
 * it runs for zombies too.
 */
void dios_object_info(struct dios_object *obj, u64 rights,
		      struct dios_ref_info *info)
{
	lockdep_assert_held(&obj->lock);
	memset(info, 0, sizeof(*info));
	obj->ops->info(obj, info);
	info->type = obj->type;
	info->state = obj->meta.zombie ? DIOS_REF_ZOMBIE : DIOS_REF_LIVE;
	info->rights = rights;
	if (!(rights & DIOS_RIGHT_READ))
		info->read_buf_max = 0;
	if (!(rights & DIOS_RIGHT_WRITE))
		info->write_buf_max = 0;
	info->proximity = DIOS_PROX_LOCAL;
	info->has_name = obj->meta.named && !obj->meta.zombie;
}

/* The I/O and select entry points; the caller holds an active reference. */
int dios_object_io_acquire(struct dios_object *obj, struct dios_io *io)
{
	if (!obj->ops->io_acquire)
		return -EOPNOTSUPP;
	return obj->ops->io_acquire(obj, io);
}

int dios_object_io_commit(struct dios_object *obj, struct dios_io *io)
{
	if (!obj->ops->io_commit)
		return -EOPNOTSUPP;
	return obj->ops->io_commit(obj, io);
}

int dios_object_io_release(struct dios_object *obj, struct dios_io *io)
{
	if (!obj->ops->io_release)
		return -EOPNOTSUPP;
	return obj->ops->io_release(obj, io);
}

int dios_object_poll(struct dios_object *obj, u32 events)
{
	if (!obj->ops->poll)
		return -EOPNOTSUPP;
	return obj->ops->poll(obj, events);
}

/*
 * Every object is gone by now: every context was released.  The destroy
 * work's last put may have dropped the last object, which unpinned the
 * module while the work still ran its code.
 */
void dios_object_uninit_module(void)
{
	unsigned int i;

	flush_work(&dios_object_destroy_work);
	WARN_ON(!xa_empty(&dios_users));
	xa_destroy(&dios_users);
	/* Wait for the dios_object_free_rcu() callbacks still queued. */
	rcu_barrier();
	for (i = 0; i < ARRAY_SIZE(dios_object_caches); i++) {
		kmem_cache_destroy(dios_object_caches[i]);
		dios_object_caches[i] = NULL;
	}
}

/* The caches of the object types. */
int dios_object_init_module(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dios_object_layouts); i++) {
		if (!dios_object_layouts[i].name)
			continue;
		dios_object_caches[i] =
			kmem_cache_create(dios_object_layouts[i].name,
					  dios_object_layouts[i].size, 0,
					  SLAB_ACCOUNT, NULL);
		if (!dios_object_caches[i]) {
			dios_object_uninit_module();
			return -ENOMEM;
		}
	}
	return 0;
}
