/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_TASK_H
#define __DIOS_TASK_H

/**
 * DOC: Task objects
 *
 * DIOS_OBJ_TASK stands for a process.  Every context owns one task object,
 * created with it; dios_run() (DIOS_IOC_RUN) creates one for a child of the
 * caller together with the child's context, which waits in a table of
 * pending contexts until the child's first open of /dev/dios takes it over
 * (dios_task_claim()).  References delegated by dios_run are installed in
 * that context at once, so they are counted, and freed, like any others.
 *
 * The task object watches its process: an entry on the wait queue that
 * the kernel wakes when a thread group has exited (struct pid wait_pidfd,
 * the pidfd poll queue) records the exit status and queues exit_work,
 * which releases a context still pending and wakes the object's waiters.
 * The wake function runs under the pid's queue lock with tasklist_lock held
 * and interrupts off, so it only stores the status and queues the work.
 *
 * Zombifying a task object kills the process (SIGKILL) unless it exited.
 *
 * Locking: @ctx is protected by @obj.lock; @pending by dios_task_mutex,
 * which nests outside dios_context.lock (the pending context is released
 * after it is dropped).  @status is written once before @exited is set
 * with release semantics.
 */

#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "object.h"

struct dios_context;
struct dios_handle;
struct dios_run_req;
struct file;
struct pid;

/**
 * struct dios_task - a task object
 * @obj:	the object core, first so that the object is the allocation
 * @pid:	the process (thread group); a reference held until the memory
 *		is freed; immutable
 * @exit_wait:	the entry on @pid's exit wait queue, until destroy
 * @exit_work:	runs once after the exit, holding a memory reference
 * @flags:	DIOS_TASK_EXIT_SEEN: the exit was seen (atomic bitops)
 * @status:	the exit status, valid once @exited
 * @exited:	the thread group exited
 * @ctx:	the context bound to the process, no reference; NULL once it
 *		is released
 * @pending:	the context waiting for the child's first open, holding a
 *		context reference; protected by dios_task_mutex
 */
struct dios_task {
	struct dios_object obj;
	struct pid *pid;
	struct wait_queue_entry exit_wait;
	struct work_struct exit_work;
	unsigned long flags;
	int status;
	bool exited;

	/* protected by obj.lock */
	struct dios_context *ctx;

	/* protected by dios_task_mutex */
	struct dios_context *pending;
};

struct dios_object *dios_task_create(struct dios_context *ctx,
				     struct pid *pid);
void dios_task_detach(struct dios_object *obj);
pid_t dios_task_pid_nr(struct dios_object *obj);
struct dios_context *dios_task_get_context(struct dios_object *obj);
struct dios_context *dios_task_claim(struct file *file);

int dios_task_run_check(const struct dios_run_req *req);
struct dios_context *dios_task_prepare(struct dios_context *ctx,
				       struct dios_run_req *req,
				       struct dios_handle *hs);
void dios_task_unprepare(struct dios_context *ctx, struct dios_run_req *req,
			 struct dios_context *child);
int dios_task_start(struct dios_context *child);
int dios_task_signal(struct dios_object *obj, int sig);
int dios_task_wait(struct dios_object *obj, bool nonblock, int *status);
bool dios_task_reapable(struct dios_object *obj, u32 *nr);

int dios_task_init(void);
void dios_task_uninit(void);

#endif /* __DIOS_TASK_H */
