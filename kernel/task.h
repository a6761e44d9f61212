/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_TASK_H
#define __DIOS_TASK_H

/**
 * DOC: Task objects
 *
 * DIOS_OBJ_TASK: every context owns one task object, created when the
 * context is, standing for the process that opened it.  The task object
 * points back to its context without a reference; the pointer is cleared
 * under the object lock when the context is released, so that delegating to
 * a task that has exited fails with -ESRCH.  Zombifying a task object kills
 * the process (SIGKILL) if it is still attached to its context.
 *
 * Locking: @ctx and @exited are protected by @obj.lock, which is a leaf here
 * (context.c has the complete lock order).
 */

#include "object.h"

struct dios_context;
struct pid;

/**
 * struct dios_task - a task object
 * @obj:	the object core, first so that the object is the allocation
 * @pid:	the process, a reference held until the insides are freed
 * @ctx:	the context, no reference; NULL once it is released
 * @exited:	the context was released
 */
struct dios_task {
	struct dios_object obj;
	struct pid *pid;

	/* protected by obj.lock */
	struct dios_context *ctx;
	bool exited;
};

struct dios_object *dios_task_create(struct dios_context *ctx);
void dios_task_detach(struct dios_object *obj);
struct dios_context *dios_task_get_context(struct dios_object *obj);

#endif /* __DIOS_TASK_H */
