// SPDX-License-Identifier: GPL-2.0
/*
 * task.c - the TASK object type: the object that stands for a process, its
 * exit status, and the children that dios_run() makes tasks.
 *
 * Lock order (outermost first; context.c has the whole order):
 *
 *   dios_task_mutex	the table of pending contexts and every task's
 *			@pending; no other lock is taken under it
 *   dios_object.lock	a task's @ctx
 *
 * The exit wake function runs under the pid's wait queue lock (and under
 * tasklist_lock, interrupts off): it takes no lock of ours.
 */

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "compat.h"
#include "context.h"
#include "task.h"
#include "trace.h"

static_assert(offsetof(struct dios_task, obj) == 0);

#define DIOS_TASK_EXIT_SEEN	0

/* Contexts made by dios_run() that their child has not opened yet. */
static DEFINE_MUTEX(dios_task_mutex);
static DEFINE_HASHTABLE(dios_pending, 6);

/* The exit work may drop the last module reference: it runs on our queue. */
static struct workqueue_struct *dios_task_wq;

static struct dios_task *dios_task_from_obj(struct dios_object *obj)
{
	return container_of(obj, struct dios_task, obj);
}

static bool dios_task_has_exited(struct dios_task *task)
{
	/* The status is valid once this is true: pairs with dios_task_exited(). */
	return smp_load_acquire(&task->exited);
}

/* Take @task's pending context out of the table; NULL if there is none. */
static struct dios_context *dios_task_unpend(struct dios_task *task)
{
	struct dios_context *ctx;

	mutex_lock(&dios_task_mutex);
	ctx = task->pending;
	if (ctx) {
		hash_del(&ctx->pend_node);
		task->pending = NULL;
	}
	mutex_unlock(&dios_task_mutex);
	return ctx;
}

/* Tasks have no size. */
static void dios_task_info(struct dios_object *obj,
			   struct dios_ref_info *info)
{
}

/*
 * Signals go with the caller's credentials, as kill(2) and
 * pidfd_send_signal() send them (priv 0: SEND_SIG_NOINFO, checked by
 * check_kill_permission()): a task reference is not a privilege.  A child
 * that exec'd a setuid program, or a process whose task object was
 * published and looked up by another user, refuses what kill(2) would.
 */
static int dios_task_kill(struct dios_task *task, int sig)
{
	return kill_pid(task->pid, sig, 0);
}

/* Zombifying kills: only a caller that may send the process SIGKILL. */
static int dios_task_may_zombify(struct dios_object *obj)
{
	struct dios_task *task = dios_task_from_obj(obj);
	int ret;

	if (dios_task_has_exited(task))
		return 0;
	/* Signal 0: the permission check alone. */
	ret = dios_task_kill(task, 0);
	return ret == -ESRCH ? 0 : ret;
}

/* Kill the process, unless it already exited. */
static void dios_task_zombify(struct dios_object *obj)
{
	struct dios_task *task = dios_task_from_obj(obj);

	if (!dios_task_has_exited(task))
		dios_task_kill(task, SIGKILL);
}

/*
 * The insides: stop watching the process, and release a context its child
 * never opened (the child is being killed: only a zombify gets here with
 * one, the pending context holds the task otherwise).
 */
static void dios_task_destroy(struct dios_object *obj)
{
	struct dios_task *task = dios_task_from_obj(obj);
	struct dios_context *ctx;

	remove_wait_queue(&task->pid->wait_pidfd, &task->exit_wait);
	ctx = dios_task_unpend(task);
	if (ctx)
		dios_context_release(ctx);
	put_pid(task->pid);
	task->pid = NULL;
}

/* READ-ready once the process exited. */
static int dios_task_poll(struct dios_object *obj, u32 events)
{
	struct dios_task *task = dios_task_from_obj(obj);

	return dios_task_has_exited(task) ? events & DIOS_EV_READ : 0;
}

/* debugfs: the process and, once it exited, its status. */
static void dios_task_show(struct dios_object *obj, struct seq_file *m)
{
	struct dios_task *task = dios_task_from_obj(obj);

	seq_printf(m, " pid=%d", pid_nr(task->pid));
	if (dios_task_has_exited(task))
		seq_printf(m, " status=%d", task->status);
}

static const struct dios_object_ops dios_task_ops = {
	.info = dios_task_info,
	.may_zombify = dios_task_may_zombify,
	.zombify = dios_task_zombify,
	.destroy = dios_task_destroy,
	.poll = dios_task_poll,
	.show = dios_task_show,
};

/*
 * The status wait(2) would report, as a shell reports it: the exit code, or
 * 128 + the signal; -1 if the process is already gone.
 */
static int dios_task_read_status(struct pid *pid)
{
	struct task_struct *p;
	int code = -1;

	rcu_read_lock();
	p = pid_task(pid, PIDTYPE_PID);
	if (p)
		code = (READ_ONCE(p->signal->flags) & SIGNAL_GROUP_EXIT) ?
		       READ_ONCE(p->signal->group_exit_code) :
		       READ_ONCE(p->exit_code);
	rcu_read_unlock();
	if (code < 0)
		return -1;
	if (code & 0x7f)
		return 128 + (code & 0x7f);
	return (code >> 8) & 0xff;
}

/*
 * The thread group exited: record the status and leave the rest to the
 * work.  Once only; a task nobody holds any more needs nothing.
 */
static void dios_task_exited(struct dios_task *task)
{
	if (test_and_set_bit(DIOS_TASK_EXIT_SEEN, &task->flags))
		return;
	task->status = dios_task_read_status(task->pid);
	trace_dios_task_exit(task->obj.id, pid_nr(task->pid), task->status, 0);
	/* The status before the flag: pairs with dios_task_has_exited(). */
	smp_store_release(&task->exited, true);
	if (dios_object_get_maybe_zero(&task->obj))
		queue_work(dios_task_wq, &task->exit_work);
}

/* Woken by the kernel's pidfd notification; may be spurious. */
static int dios_task_exit_wake(struct wait_queue_entry *wait,
			       unsigned int mode, int sync, void *key)
{
	struct dios_task *task = container_of(wait, struct dios_task,
					      exit_wait);

	if (thread_group_exited(task->pid))
		dios_task_exited(task);
	return 0;
}

/* Release a context the child never opened, wake the waiters. */
static void dios_task_exit_work(struct work_struct *work)
{
	struct dios_task *task = container_of(work, struct dios_task,
					      exit_work);
	struct dios_context *ctx = dios_task_unpend(task);

	wake_up_all(&task->obj.waitq);
	if (ctx)
		dios_context_release(ctx);
	dios_object_put(&task->obj);
}

/**
 * dios_task_create() - create the task object of a new context
 * @ctx:	the context
 * @pid:	its process (a thread group id)
 *
 * Return: the object, charged to the calling user, or ERR_PTR: -ENOMEM,
 * -EDQUOT.
 */
struct dios_object *dios_task_create(struct dios_context *ctx,
				     struct pid *pid)
{
	struct dios_task *task;
	int ret;

	task = dios_object_alloc(DIOS_OBJ_TASK, sizeof(*task));
	if (!task)
		return ERR_PTR(-ENOMEM);
	dios_object_init(&task->obj, DIOS_OBJ_TASK, &dios_task_ops);
	task->pid = get_pid(pid);
	task->ctx = ctx;
	task->status = -1;
	INIT_WORK(&task->exit_work, dios_task_exit_work);
	init_waitqueue_func_entry(&task->exit_wait, dios_task_exit_wake);
	add_wait_queue(&pid->wait_pidfd, &task->exit_wait);
	/* Gone before the entry was queued: no wake-up is coming. */
	if (thread_group_exited(pid))
		dios_task_exited(task);
	ret = dios_object_charge(&task->obj);
	if (ret) {
		dios_object_put(&task->obj);
		return ERR_PTR(ret);
	}
	return &task->obj;
}

/* The task's process id, as the initial pid namespace sees it. */
pid_t dios_task_pid_nr(struct dios_object *obj)
{
	return pid_nr(dios_task_from_obj(obj)->pid);
}

/* The context is being released: delegation to the task fails from now. */
void dios_task_detach(struct dios_object *obj)
{
	struct dios_task *task = dios_task_from_obj(obj);

	spin_lock(&obj->lock);
	task->ctx = NULL;
	spin_unlock(&obj->lock);
}

/**
 * dios_task_get_context() - the context of a task object
 * @obj:	a DIOS_OBJ_TASK object
 *
 * Return: the context with a reference (dios_context_put() it), or NULL if
 * it was released.
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

/**
 * dios_task_claim() - the context of a process opening /dev/dios
 * @file:	the file being opened
 *
 * A child started by dios_run() takes over the context prepared for it on
 * its first open; any other open creates a new context.
 *
 * Return: the context, or an ERR_PTR from dios_context_new().
 */
struct dios_context *dios_task_claim(struct file *file)
{
	struct pid *pid = task_tgid(current);
	struct dios_context *ctx, *found = NULL;

	mutex_lock(&dios_task_mutex);
	hash_for_each_possible(dios_pending, ctx, pend_node, (unsigned long)pid) {
		if (ctx->owner == pid) {
			found = ctx;
			hash_del(&ctx->pend_node);
			dios_task_from_obj(ctx->task)->pending = NULL;
			break;
		}
	}
	mutex_unlock(&dios_task_mutex);
	if (!found)
		return dios_context_new(file, pid);
	/* Nothing used the file of a context that had none. */
	found->file = file;
	return found;
}

/*
 * The process @nr must be a child of the caller that has not exec'd since
 * the fork, and be alive.
 */
static struct pid *dios_task_child(u32 nr)
{
	struct pid *pid = ERR_PTR(-ESRCH);
	struct task_struct *p;

	if (!nr || nr > INT_MAX)
		return ERR_PTR(-EINVAL);
	rcu_read_lock();
	p = pid_task(find_vpid(nr), PIDTYPE_PID);
	if (!p || !thread_group_leader(p) || READ_ONCE(p->exit_state) ||
	    (READ_ONCE(p->flags) & PF_EXITING))
		pid = ERR_PTR(-ESRCH);
	else if (!same_thread_group(rcu_dereference(p->real_parent), current))
		pid = ERR_PTR(-ECHILD);
	else if (READ_ONCE(p->self_exec_id) != p->parent_exec_id)
		pid = ERR_PTR(-EBUSY);
	else
		pid = get_pid(task_tgid(p));
	rcu_read_unlock();
	return pid;
}

/* The delegation limit of DIOS_IOC_RUN and DIOS_IOC_COPY. */
#define DIOS_TASK_MAX_REFS	1024

/**
 * dios_task_run_check() - the checks of DIOS_IOC_RUN before any lookup
 * @req:	the request
 *
 * Return: 0, or -EINVAL: unknown flags, too many references, a capacity
 * without DIOS_RUN_CHAN.
 */
int dios_task_run_check(const struct dios_run_req *req)
{
	u32 max = DIOS_TASK_MAX_REFS;

	if (req->flags & ~DIOS_RUN_CHAN)
		return -EINVAL;
	if (req->flags & DIOS_RUN_CHAN)
		max -= 2;
	else if (req->capacity)
		return -EINVAL;
	return req->n_refs > max ? -EINVAL : 0;
}

/* Drop the caller's ends of a DIOS_RUN_CHAN channel, if it has them. */
static void dios_task_chan_delete(struct dios_context *ctx,
				  struct dios_run_req *req)
{
	if (req->chan_tx)
		dios_context_delete(ctx, req->chan_tx);
	if (req->chan_rx)
		dios_context_delete(ctx, req->chan_rx);
	req->chan_tx = 0;
	req->chan_rx = 0;
}

/*
 * DIOS_RUN_CHAN: create the two streams, install the caller's ends in @ctx
 * (@req->chan_tx, @req->chan_rx) and return the child's ends in @far, each
 * holding a memory reference to its stream.
 */
static int dios_task_chan_make(struct dios_context *ctx,
			       struct dios_run_req *req,
			       struct dios_handle far[2])
{
	static const u64 far_rights[2] = { DIOS_RUN_CHAN_FAR_RX,
					   DIOS_RUN_CHAN_FAR_TX };
	static const u64 own_rights[2] = { DIOS_RUN_CHAN_OWN_TX,
					   DIOS_RUN_CHAN_OWN_RX };
	struct dios_create_args args = { .capacity = req->capacity };
	u64 *own[2] = { &req->chan_tx, &req->chan_rx };
	struct dios_object *obj;
	int i, ret = 0;

	far[0].obj = NULL;
	far[1].obj = NULL;
	for (i = 0; i < 2 && !ret; i++) {
		obj = dios_object_create(DIOS_OBJ_STREAM, &args);
		if (IS_ERR(obj))
			ret = PTR_ERR(obj);
		else
			ret = dios_context_install(ctx, obj, own_rights[i],
						   own[i]);
		if (!IS_ERR(obj)) {
			far[i].obj = obj;
			far[i].rights = far_rights[i];
		}
	}
	if (ret) {
		dios_task_chan_delete(ctx, req);
		for (i = 0; i < 2; i++)
			if (far[i].obj)
				dios_object_put(far[i].obj);
	}
	return ret;
}

/*
 * Install the child's references: the channel's far ends @far (if
 * DIOS_RUN_CHAN), then the @req->n_refs delegated ones @hs.
 */
static int dios_task_install(struct dios_context *child,
			     const struct dios_run_req *req,
			     struct dios_handle *far, struct dios_handle *hs)
{
	u32 nr_far = req->flags & DIOS_RUN_CHAN ? 2 : 0;
	u32 n = nr_far + req->n_refs;
	u64 *handles;
	int ret;

	if (!n)
		return 0;
	handles = kvmalloc_array(n, sizeof(u64), GFP_KERNEL_ACCOUNT);
	if (!handles)
		return -ENOMEM;
	ret = dios_context_install_many(child, far, handles, nr_far);
	if (!ret)
		ret = dios_context_install_many(child, hs, handles + nr_far,
						req->n_refs);
	if (ret) {
		/* The child's context is released with what it holds. */
		kvfree(handles);
		return ret;
	}
	child->spawn_refs = handles;
	child->nr_spawn_refs = n;
	return 0;
}

/*
 * Install the caller's reference to the child's task object, with an
 * operation of the caller on it that lasts until dios_task_start() (and a
 * memory reference, for after dios_task_unprepare()).  From the install on,
 * another thread of the caller may zombify the handle: the operation keeps
 * the destroy hook, which releases a pending context, from running before
 * dios_task_start() made the context pending or found the task a zombie.
 */
static int dios_task_hold(struct dios_context *ctx, struct dios_context *child,
			  u64 *handle)
{
	struct dios_object *task = child->task;
	int ret;

	/* Nobody else knows the task yet: it cannot be a zombie. */
	ret = dios_object_acquire(task);
	if (ret)
		return ret;
	dios_object_get(task);
	ret = dios_context_install(ctx, task, DIOS_RIGHTS_ALL, handle);
	if (ret) {
		dios_object_release(task);
		dios_object_put(task);
	}
	return ret;
}

/**
 * dios_task_prepare() - the first half of DIOS_IOC_RUN
 * @ctx:	the caller's context
 * @req:	the request, checked by dios_task_run_check(): @req->pid the
 *		child; @req->task is set, and with DIOS_RUN_CHAN
 *		@req->chan_tx and @req->chan_rx
 * @hs:		@req->n_refs objects (the caller keeps its references) with
 *		the rights to delegate
 *
 * Creates the child's context with the delegated references (after the
 * channel's far ends with DIOS_RUN_CHAN) and installs a reference to its
 * task object in @ctx.  The caller then either starts the child with
 * dios_task_start() or undoes this with dios_task_unprepare(), and in both
 * cases ends the operation this starts on the task object (see
 * dios_task_hold()) with dios_object_release() and dios_object_put().
 *
 * Return: the child's context, or an ERR_PTR: -EINVAL, -ESRCH, -ECHILD,
 * -EBUSY (see dios_task_child()), -EMFILE, -ENOMEM, -EDQUOT; with
 * DIOS_RUN_CHAN also the errors of creating a stream of @req->capacity
 * (-EINVAL for 0, -EFBIG).
 */
struct dios_context *dios_task_prepare(struct dios_context *ctx,
				       struct dios_run_req *req,
				       struct dios_handle *hs)
{
	struct dios_handle far[2] = {};
	struct dios_context *child;
	struct pid *pid;
	int ret;

	req->task = 0;
	req->chan_tx = 0;
	req->chan_rx = 0;
	pid = dios_task_child(req->pid);
	if (IS_ERR(pid))
		return ERR_CAST(pid);
	child = dios_context_new(NULL, pid);
	put_pid(pid);
	if (IS_ERR(child))
		return child;
	if (req->flags & DIOS_RUN_CHAN) {
		ret = dios_task_chan_make(ctx, req, far);
		if (ret)
			goto err_release;
	}
	ret = dios_task_install(child, req, far, hs);
	if (!ret)
		ret = dios_task_hold(ctx, child, &req->task);
	if (far[0].obj) {
		/* Held by the references now, or to be freed. */
		dios_object_put(far[0].obj);
		dios_object_put(far[1].obj);
	}
	if (ret)
		goto err_release;
	return child;

err_release:
	dios_task_chan_delete(ctx, req);
	dios_context_release(child);
	return ERR_PTR(ret);
}

/**
 * dios_task_unprepare() - undo dios_task_prepare()
 * @ctx:	the caller's context
 * @req:	the request as dios_task_prepare() left it
 * @child:	its result, which is released
 *
 * Deletes the caller's task reference and channel ends.
 */
void dios_task_unprepare(struct dios_context *ctx, struct dios_run_req *req,
			 struct dios_context *child)
{
	dios_context_delete(ctx, req->task);
	req->task = 0;
	dios_task_chan_delete(ctx, req);
	dios_context_release(child);
}

/**
 * dios_task_start() - the second half: let the child take its context over
 * @child:	the context from dios_task_prepare()
 *
 * The caller holds the task object active (dios_task_hold()).  A zombify
 * that deactivated it before the pending table's mutex is taken here is
 * seen: -EIDRM.  One that comes after finds the context pending when its
 * destroy hook runs, after the caller's operation ends.
 *
 * Return: 0, with the context reference passed to the table of pending
 * contexts, or -EBUSY if the child already has a pending context, -ESRCH
 * if it exited, -EIDRM if the task was zombified; then the caller still
 * owns @child.
 */
int dios_task_start(struct dios_context *child)
{
	struct dios_task *task = dios_task_from_obj(child->task);
	unsigned long key = (unsigned long)child->owner;
	struct dios_context *ctx;
	int ret = 0;

	mutex_lock(&dios_task_mutex);
	if (!dios_object_is_live(&task->obj))
		ret = -EIDRM;
	hash_for_each_possible(dios_pending, ctx, pend_node, key)
		if (ctx->owner == child->owner)
			ret = -EBUSY;
	/* Its exit work has run or will see @pending: see dios_task_exited. */
	if (!ret && dios_task_has_exited(task))
		ret = -ESRCH;
	if (!ret) {
		hash_add(dios_pending, &child->pend_node, key);
		task->pending = child;
	}
	mutex_unlock(&dios_task_mutex);
	return ret;
}

/**
 * dios_task_signal() - send @sig to the task's process
 * @obj:	a DIOS_OBJ_TASK object, held active
 * @sig:	SIGSTOP or SIGCONT
 *
 * Return: 0, -ESRCH if it exited, -EPERM if kill(2) would refuse the
 * caller (see dios_task_kill()).
 */
int dios_task_signal(struct dios_object *obj, int sig)
{
	struct dios_task *task = dios_task_from_obj(obj);

	if (dios_task_has_exited(task))
		return -ESRCH;
	return dios_task_kill(task, sig);
}

/**
 * dios_task_wait() - wait for the task's exit
 * @obj:	a DIOS_OBJ_TASK object, held active
 * @nonblock:	do not wait
 * @status:	out: the exit status
 *
 * Return: 0; -EAGAIN (@nonblock, still running), -EINTR, -EIDRM (zombified
 * meanwhile), -ECHILD if the status could not be read (the process was
 * reaped before the object could see it exit).
 */
int dios_task_wait(struct dios_object *obj, bool nonblock, int *status)
{
	struct dios_task *task = dios_task_from_obj(obj);

	if (!dios_task_has_exited(task)) {
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(obj->waitq,
					     dios_task_has_exited(task) ||
					     !dios_object_is_live(obj)))
			return -EINTR;
		if (!dios_task_has_exited(task))
			return -EIDRM;
	}
	*status = task->status;
	return *status < 0 ? -ECHILD : 0;
}

/**
 * dios_task_reapable() - may the caller reap the exited process?
 * @obj:	a DIOS_OBJ_TASK object, held active, whose process exited
 * @nr:		out: its process id in the caller's namespace, 0 if none
 *
 * Return: true if it is a zombie child of the caller.
 */
bool dios_task_reapable(struct dios_object *obj, u32 *nr)
{
	struct dios_task *task = dios_task_from_obj(obj);
	struct task_struct *p;
	bool reap;

	*nr = pid_vnr(task->pid);
	rcu_read_lock();
	p = pid_task(task->pid, PIDTYPE_PID);
	reap = p && READ_ONCE(p->exit_state) == EXIT_ZOMBIE &&
	       same_thread_group(rcu_dereference(p->real_parent), current);
	rcu_read_unlock();
	return reap;
}

/*
 * Unbound: nothing ties an exit's work to the CPU that saw the exit.  New
 * kernels want WQ_UNBOUND or WQ_PERCPU said (7.2 warns at creation
 * otherwise, as the default is to become unbound); WQ_UNBOUND means the
 * same on every version.
 */
int dios_task_init(void)
{
	dios_task_wq = alloc_workqueue("dios_task", WQ_UNBOUND, 0);
	return dios_task_wq ? 0 : -ENOMEM;
}

/* No object is left but those the queued works hold: let them run. */
void dios_task_uninit(void)
{
	destroy_workqueue(dios_task_wq);
}
