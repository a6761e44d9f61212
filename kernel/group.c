// SPDX-License-Identifier: GPL-2.0
/*
 * group.c - the GROUP object type and the global group.
 */

#include <linux/module.h>
#include <linux/slab.h>

#include "context.h"
#include "group.h"

static_assert(offsetof(struct dios_group, obj) == 0);

static atomic64_t dios_group_next_id = ATOMIC64_INIT(0);
static struct dios_object *dios_global_group;

static struct dios_group *dios_group_from_obj(struct dios_object *obj)
{
	return container_of(obj, struct dios_group, obj);
}

/* A group has no size and no I/O. */
static void dios_group_info(struct dios_object *obj,
			    struct dios_ref_info *info)
{
}

/* Names in the group die with their objects: nothing to free. */
static void dios_group_destroy(struct dios_object *obj)
{
}

/* A group has no I/O: it is never ready (only as a zombie). */
static int dios_group_poll(struct dios_object *obj, u32 events)
{
	return 0;
}

static const struct dios_object_ops dios_group_ops = {
	.info = dios_group_info,
	.destroy = dios_group_destroy,
	.poll = dios_group_poll,
};

static struct dios_object *dios_group_new(void)
{
	struct dios_group *group;

	group = dios_object_alloc(DIOS_OBJ_GROUP, sizeof(*group));
	if (!group)
		return ERR_PTR(-ENOMEM);
	dios_object_init(&group->obj, DIOS_OBJ_GROUP, &dios_group_ops);
	group->id = atomic64_inc_return(&dios_group_next_id);
	return &group->obj;
}

/**
 * dios_group_create() - create a GROUP object
 * @args:	@size and @capacity must be 0
 *
 * Return: the object, or ERR_PTR: -EINVAL, -ENOMEM.
 */
struct dios_object *dios_group_create(const struct dios_create_args *args)
{
	if (args->size || args->capacity)
		return ERR_PTR(-EINVAL);
	return dios_group_new();
}

u64 dios_group_id(struct dios_object *group)
{
	return dios_group_from_obj(group)->id;
}

bool dios_group_is_global(struct dios_object *group)
{
	return group == dios_global_group;
}

/**
 * dios_group_get() - resolve the group argument of a call
 * @ctx:	the caller's context
 * @handle:	a GROUP reference, or DIOS_REF_NONE for the global group
 * @right:	the right the call needs on the reference
 * @group:	out: the group, with a memory and an active reference
 *
 * Return: 0, -EBADF, -EINVAL (not a group), -EACCES (lacks @right), or
 * -EIDRM (a zombie).  On success, end with dios_group_put().
 */
int dios_group_get(struct dios_context *ctx, u64 handle, u64 right,
		   struct dios_object **group)
{
	struct dios_handle h = {
		.obj = dios_global_group,
		.rights = DIOS_RIGHTS_ALL,
	};
	int ret;

	if (handle != DIOS_REF_NONE) {
		ret = dios_context_lookup(ctx, handle, &h);
		if (ret)
			return ret;
	} else {
		dios_object_get(h.obj);
	}
	if (h.obj->type != DIOS_OBJ_GROUP)
		ret = -EINVAL;
	else if (!(h.rights & right))
		ret = -EACCES;
	else
		ret = dios_object_acquire(h.obj);
	if (ret) {
		dios_object_put(h.obj);
		return ret;
	}
	*group = h.obj;
	return 0;
}

void dios_group_put(struct dios_object *group)
{
	dios_object_release(group);
	dios_object_put(group);
}

/* The global group lives as long as the module: it must not pin it. */
int dios_group_init(void)
{
	dios_global_group = dios_group_new();
	if (IS_ERR(dios_global_group))
		return PTR_ERR(dios_global_group);
	module_put(THIS_MODULE);
	return 0;
}

void dios_group_uninit(void)
{
	__module_get(THIS_MODULE);
	dios_object_put(dios_global_group);
}
