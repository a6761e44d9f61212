// SPDX-License-Identifier: GPL-2.0
/*
 * name.c - name generation and the (group, name) table.
 *
 * Lock order: see context.c.  dios_name_lock is taken inside a context's
 * lock and outside object locks.
 */

#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "debugfs.h"
#include "name.h"
#include "object.h"

/**
 * struct dios_name_entry - an entry of the name table: the name of one object
 * @node:	link in the table
 * @key:	group id and name; fixed while in the table
 * @rights:	rights a lookup of the name grants; immutable
 * @obj:	the object named, no reference held (see the top of name.h);
 *		immutable
 * @rcu:	frees the entry after lookups are done with it
 *
 * Only named objects pay for a name: an anonymous object has no entry.
 */
struct dios_name_entry {
	struct rhash_head node;
	struct dios_name_key key;
	u64 rights;
	struct dios_object *obj;
	struct rcu_head rcu;
};

/* Serialises insertion and removal; lookups only take rcu_read_lock(). */
static DEFINE_MUTEX(dios_name_lock);
static struct rhashtable dios_names;

static const struct rhashtable_params dios_name_params = {
	.key_len = sizeof(struct dios_name_key),
	.key_offset = offsetof(struct dios_name_entry, key),
	.head_offset = offsetof(struct dios_name_entry, node),
	.automatic_shrinking = true,
};

static_assert(sizeof(struct dios_name_key) == 40);

/* Enter @e, filled but for the name, under @given or a random name. */
static int dios_name_insert_locked(struct dios_name_entry *e,
				   const struct dios_name *given)
{
	int ret;

	lockdep_assert_held(&dios_name_lock);
	if (e->obj->name)
		return -EALREADY;
	do {
		/* Set before the insert publishes the entry to RCU readers. */
		if (given)
			e->key.name = *given;
		else
			get_random_bytes(&e->key.name, sizeof(e->key.name));
		ret = rhashtable_lookup_insert_fast(&dios_names, &e->node,
						    dios_name_params);
		/* A random name colliding is a 2^-256 event: draw again. */
	} while (ret == -EEXIST && !given);
	return ret;
}

/**
 * dios_name_insert() - name an object
 * @obj:	the object; the caller holds an active reference
 * @group:	id of the group to register the name in
 * @given:	the name to use, or NULL to draw a random one
 * @rights:	the rights a lookup of the name grants
 *
 * Return: 0, -EALREADY if the object has a name, -EEXIST if @given is taken
 * in @group, or -ENOMEM.
 */
int dios_name_insert(struct dios_object *obj, u64 group,
		     const struct dios_name *given, u64 rights)
{
	struct dios_name_entry *e;
	int ret;

	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	e->key.group = group;
	e->rights = rights;
	e->obj = obj;
	mutex_lock(&dios_name_lock);
	ret = dios_name_insert_locked(e, given);
	if (!ret) {
		WRITE_ONCE(obj->name, e);
		dios_object_set_named(obj, true);
		dios_stats_inc(&dios_stats.names);
	}
	mutex_unlock(&dios_name_lock);
	if (ret)
		kfree(e);
	return ret;
}

/*
 * Drop the object's name, if it has one.  An object never named is
 * recognised without the lock: anonymous objects never touch the name
 * table.  A zombify calls this before the object drained: an insert in
 * flight may then name the zombie after the unlocked check, and the call
 * once it drained (or unreferenced), when no insert can race any more,
 * drops that name.
 */
void dios_name_remove(struct dios_object *obj)
{
	struct dios_name_entry *e;

	if (!READ_ONCE(obj->name))
		return;
	mutex_lock(&dios_name_lock);
	e = obj->name;
	if (e) {
		rhashtable_remove_fast(&dios_names, &e->node, dios_name_params);
		WRITE_ONCE(obj->name, NULL);
		dios_object_set_named(obj, false);
		dios_stats_dec(&dios_stats.names);
		/* Lookups may still be reading it (and the object). */
		kfree_rcu(e, rcu);
	}
	mutex_unlock(&dios_name_lock);
}

/**
 * dios_name_lookup() - resolve a name in a group
 * @group:	the group id
 * @name:	the name
 * @rights:	out: the rights the name grants
 *
 * Return: the object with a memory reference, or NULL.  The object may be a
 * zombie by now; the caller checks.
 */
struct dios_object *dios_name_lookup(u64 group, const struct dios_name *name,
				     u64 *rights)
{
	struct dios_name_key key = { .group = group, .name = *name };
	struct dios_object *obj = NULL;
	struct dios_name_entry *e;

	rcu_read_lock();
	e = rhashtable_lookup(&dios_names, &key, dios_name_params);
	if (e) {
		*rights = e->rights;
		obj = dios_object_get_maybe_zero(e->obj);
	}
	rcu_read_unlock();
	return obj;
}

/* Return: 0 with the name in @name, or -ENODATA for an unnamed object. */
int dios_name_read(struct dios_object *obj, struct dios_name *name)
{
	int ret = -ENODATA;

	mutex_lock(&dios_name_lock);
	if (obj->name) {
		*name = obj->name->key.name;
		ret = 0;
	}
	mutex_unlock(&dios_name_lock);
	return ret;
}

int dios_name_init(void)
{
	return rhashtable_init(&dios_names, &dios_name_params);
}

/* Every object, hence every name, is gone by now. */
void dios_name_uninit(void)
{
	rhashtable_destroy(&dios_names);
}
