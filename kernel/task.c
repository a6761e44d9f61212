// SPDX-License-Identifier: GPL-2.0
/*
 * task.c - the TASK object type: the object that stands for a process with a
 * DIOS context.
 */

#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "context.h"
#include "task.h"

static_assert(offsetof(struct dios_task, obj) == 0);

static struct dios_task *dios_task_from_obj(struct dios_object *obj)
{
	return container_of(obj, struct dios_task, obj);
}

/* Tasks have no size; reading the exit status comes with dios_run. */
static void dios_task_info(struct dios_object *obj,
			   struct dios_ref_info *info)
{
}

/* Kill the process, unless it already left DIOS. */
static void dios_task_zombify(struct dios_object *obj)
{
	struct dios_task *task = dios_task_from_obj(obj);
	bool attached;

	spin_lock(&obj->lock);
	attached = task->ctx;
	spin_unlock(&obj->lock);
	if (attached)
		kill_pid(task->pid, SIGKILL, 1);
}

static void dios_task_destroy(struct dios_object *obj)
{
	struct dios_task *task = dios_task_from_obj(obj);

	put_pid(task->pid);
	task->pid = NULL;
}

/* READ-ready once the task exited (its context was released). */
static int dios_task_poll(struct dios_object *obj, u32 events)
{
	struct dios_task *task = dios_task_from_obj(obj);
	bool exited;

	spin_lock(&obj->lock);
	exited = task->exited;
	spin_unlock(&obj->lock);
	return exited ? events & DIOS_EV_READ : 0;
}

static const struct dios_object_ops dios_task_ops = {
	.info = dios_task_info,
	.zombify = dios_task_zombify,
	.destroy = dios_task_destroy,
	.poll = dios_task_poll,
};

/**
 * dios_task_create() - create the task object of a new context
 * @ctx:	the context, of the calling process
 *
 * Return: the object, charged to the calling user, or ERR_PTR: -ENOMEM,
 * -EDQUOT.
 */
struct dios_object *dios_task_create(struct dios_context *ctx)
{
	struct dios_task *task;
	int ret;

	task = kzalloc(sizeof(*task), GFP_KERNEL_ACCOUNT);
	if (!task)
		return ERR_PTR(-ENOMEM);
	dios_object_init(&task->obj, DIOS_OBJ_TASK, &dios_task_ops);
	task->pid = get_pid(task_tgid(current));
	task->ctx = ctx;
	ret = dios_object_charge(&task->obj);
	if (ret) {
		dios_object_put(&task->obj);
		return ERR_PTR(ret);
	}
	return &task->obj;
}

/*
 * The context is being released: delegation to the task fails from now,
 * and selects waiting for the exit wake up.
 */
void dios_task_detach(struct dios_object *obj)
{
	struct dios_task *task = dios_task_from_obj(obj);

	spin_lock(&obj->lock);
	task->ctx = NULL;
	task->exited = true;
	spin_unlock(&obj->lock);
	wake_up_all(&obj->waitq);
}

/**
 * dios_task_get_context() - the context of a task object
 * @obj:	a DIOS_OBJ_TASK object
 *
 * Return: the context with a reference (dios_context_put() it), or NULL if
 * the task has exited.
 */
struct dios_context *dios_task_get_context(struct dios_object *obj)
{
	struct dios_task *task = dios_task_from_obj(obj);
	struct dios_context *ctx;

	spin_lock(&obj->lock);
	ctx = task->ctx;
	if (ctx)
		dios_context_get(ctx);
	spin_unlock(&obj->lock);
	return ctx;
}
