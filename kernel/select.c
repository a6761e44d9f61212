// SPDX-License-Identifier: GPL-2.0
/*
 * select.c - waiting for readiness: DIOS_IOC_SELECT, the persistent
 * interest set (DIOS_IOC_INTEREST, DIOS_IOC_INTEREST_WAIT) and poll(2) on
 * the context file.  See select.h for the wake-up scheme and the locks.
 *
 * A select call has no lock of its own: its wait entries are added to and
 * removed from an object's wait queue under the queue's lock; its wake
 * function runs under that lock, possibly under dios_object.lock (stream
 * reference counts), and takes nothing.
 */

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "compat.h"
#include "context.h"
#include "main.h"
#include "object.h"
#include "select.h"
#include "trace.h"

#define DIOS_EV_ALL		(DIOS_EV_READ | DIOS_EV_WRITE)
/* Calls with up to this many references allocate nothing. */
#define DIOS_SELECT_STACK	8

/**
 * struct dios_selector - one select call
 * @task:	the caller, woken by the wait entries
 * @triggered:	a wait entry fired since the last scan
 */
struct dios_selector {
	struct task_struct *task;
	bool triggered;
};

/**
 * struct dios_select_entry - one reference of a select call
 * @obj:	the object, with a memory reference
 * @handle:	the handle, checked again after every wake-up
 * @events:	the events asked for that the reference's rights allow
 * @wait:	on @obj->waitq while the call sleeps; private: the selector
 */
struct dios_select_entry {
	struct dios_object *obj;
	u64 handle;
	u32 events;
	wait_queue_entry_t wait;
};

/* As pollwake(): the flag is set before the caller can see it woken. */
static int dios_select_wake(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct dios_selector *sel = wait->private;

	/* Pairs with the barrier of smp_store_mb() in dios_select_sleep(). */
	smp_wmb();
	WRITE_ONCE(sel->triggered, true);
	return wake_up_process(sel->task);
}

/* The events a reference with @rights may wait for. */
static u32 dios_select_allowed(u64 rights)
{
	return (rights & DIOS_RIGHT_READ ? DIOS_EV_READ : 0) |
	       (rights & DIOS_RIGHT_WRITE ? DIOS_EV_WRITE : 0);
}

static void dios_select_put(struct dios_select_entry *e, u32 n)
{
	while (n--)
		dios_object_put(e[n].obj);
}

/* Resolve entry @e: -EBADF, or -EACCES if the rights allow no event asked. */
static int dios_select_resolve(struct dios_context *ctx,
			       struct dios_select_entry *e, u32 events)
{
	struct dios_handle h;
	int ret;

	ret = dios_context_lookup(ctx, e->handle, &h);
	if (ret)
		return ret;
	e->obj = h.obj;
	e->events = events & dios_select_allowed(h.rights);
	return e->events ? 0 : -EACCES;
}

/*
 * Copy the handles in and take a memory reference on every object.  On
 * error nothing is held.
 */
static int dios_select_prepare(struct dios_context *ctx,
			       struct dios_select_entry *e,
			       const struct dios_select_req *req)
{
	const u64 __user *uref = dios_user_ptr(req->refs);
	u32 i;
	int ret;

	for (i = 0; i < req->n; i++) {
		ret = -EFAULT;
		if (get_user(e[i].handle, uref + i))
			goto err;
		ret = dios_select_resolve(ctx, &e[i], req->events);
		if (ret) {
			/* -EACCES: the reference was taken. */
			i += ret == -EACCES;
			goto err;
		}
	}
	return 0;

err:
	dios_select_put(e, i);
	return ret;
}

/* The events of @events that @obj is ready for: every one for a zombie. */
static u32 dios_ready(struct dios_object *obj, u32 events)
{
	int ret;

	if (dios_object_acquire(obj))
		return events;
	ret = dios_object_poll(obj, events);
	dios_object_release(obj);
	return ret > 0 ? ret & events : 0;
}

/* Is @handle still valid? */
static bool dios_select_present(struct dios_context *ctx, u64 handle)
{
	struct dios_handle h;

	if (dios_context_lookup(ctx, handle, &h))
		return false;
	dios_object_put(h.obj);
	return true;
}

/*
 * One pass: 0 and the lowest ready index in @index, -EAGAIN if none is
 * ready, -EBADF if a handle was deleted (@recheck: after a wake-up).
 */
static int dios_select_scan(struct dios_context *ctx,
			    struct dios_select_entry *e, u32 n, bool recheck,
			    u32 *index)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (recheck && !dios_select_present(ctx, e[i].handle))
			return -EBADF;
		if (dios_ready(e[i].obj, e[i].events)) {
			*index = i;
			return 0;
		}
	}
	return -EAGAIN;
}

static void dios_select_arm(struct dios_select_entry *e, u32 n,
			    struct dios_selector *sel)
{
	u32 i;

	for (i = 0; i < n; i++) {
		init_waitqueue_func_entry(&e[i].wait, dios_select_wake);
		e[i].wait.private = sel;
		add_wait_queue(&e[i].obj->waitq, &e[i].wait);
	}
}

static void dios_select_disarm(struct dios_select_entry *e, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		remove_wait_queue(&e[i].obj->waitq, &e[i].wait);
}

/*
 * Sleep until a wait entry fires, a signal or @expires (NULL: never).
 * Return: false once the timeout expired.
 */
static bool dios_select_sleep(struct dios_selector *sel, ktime_t *expires)
{
	int ret = -EINTR;

	set_current_state(TASK_INTERRUPTIBLE);
	if (!READ_ONCE(sel->triggered))
		ret = schedule_hrtimeout_range(expires, current->timer_slack_ns,
					       HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);
	/* Clear the flag before the next scan: pairs with the wake function. */
	smp_store_mb(sel->triggered, false);
	return ret != 0;
}

/* The absolute deadline of a timeout > 0; false for none (too far). */
static bool dios_select_deadline(s64 timeout_ns, ktime_t *expires)
{
	ktime_t now = ktime_get();

	if (timeout_ns > KTIME_MAX - now)
		return false;
	*expires = ktime_add_ns(now, timeout_ns);
	return true;
}

/* *@sleeps: how often the caller slept (for the tracepoint). */
static int dios_select_wait(struct dios_context *ctx,
			    struct dios_select_entry *e,
			    struct dios_select_req *req, u32 *sleeps)
{
	struct dios_selector sel = { .task = current };
	bool timed = false, time_left = true;
	ktime_t expires;
	int ret;

	ret = dios_select_scan(ctx, e, req->n, false, &req->ready_index);
	if (ret != -EAGAIN)
		return ret;
	if (!req->timeout_ns || req->flags & DIOS_NONBLOCK)
		return -ETIMEDOUT;
	if (req->timeout_ns > 0)
		timed = dios_select_deadline(req->timeout_ns, &expires);
	dios_select_arm(e, req->n, &sel);
	for (;;) {
		/* Wake-ups before the arming are caught by this scan. */
		ret = dios_select_scan(ctx, e, req->n, true, &req->ready_index);
		if (ret != -EAGAIN)
			break;
		ret = -ETIMEDOUT;
		if (!time_left)
			break;
		/* Not restarted, as select(2) after a handler. */
		ret = -EINTR;
		if (signal_pending(current))
			break;
		time_left = dios_select_sleep(&sel, timed ? &expires : NULL);
		(*sleeps)++;
	}
	dios_select_disarm(e, req->n);
	return ret;
}

static int dios_select_check(const struct dios_select_req *req)
{
	if (req->flags & ~DIOS_NONBLOCK || req->__pad)
		return -EINVAL;
	if (!req->events || req->events & ~DIOS_EV_ALL)
		return -EINVAL;
	if (!req->n || req->n > DIOS_MAX_SELECT)
		return -EINVAL;
	return 0;
}

/**
 * dios_select() - wait until one of a set of references is ready
 * @ctx:	the caller's context
 * @req:	the request; @req->ready_index is set on success
 *
 * Every handle is checked before anything is reported.  A reference is
 * ready for the events asked for that its rights allow (READ needs
 * DIOS_RIGHT_READ, WRITE needs DIOS_RIGHT_WRITE) when its type's poll op
 * says so; a zombie's reference is ready for all of them.
 *
 * Return: 0; -EINVAL for bad flags, events or n, -EFAULT, -EBADF for a bad
 * handle or one deleted while waiting, -EACCES if a reference's rights
 * allow none of the events, -ETIMEDOUT, -EINTR on a signal, -ENOMEM.
 */
int dios_select(struct dios_context *ctx, struct dios_select_req *req)
{
	struct dios_select_entry stack[DIOS_SELECT_STACK], *e = stack;
	u32 sleeps = 0;
	int ret;

	ret = dios_select_check(req);
	if (ret)
		return ret;
	if (req->n > DIOS_SELECT_STACK) {
		e = kvmalloc_array(req->n, sizeof(*e), GFP_KERNEL_ACCOUNT);
		if (!e)
			return -ENOMEM;
	}
	ret = dios_select_prepare(ctx, e, req);
	if (!ret) {
		ret = dios_select_wait(ctx, e, req, &sleeps);
		trace_dios_select(req->n, req->ready_index,
				  ret ? 0 : e[req->ready_index].handle, sleeps,
				  ret);
		dios_select_put(e, req->n);
	}
	if (e != stack)
		kvfree(e);
	return ret;
}

/**
 * struct dios_interest_entry - one reference in a context's interest set
 * @set:	the set
 * @obj:	the object, with a memory reference
 * @handle:	the reference's handle
 * @events:	the events asked for that the reference's rights allow;
 *		protected by @set->mutex
 * @cookie:	reported with the events; protected by @set->mutex
 * @wait:	on @obj->waitq from ADD to DEL or the reference's deletion
 * @ready_link:	in @set->ready; protected by @set->lock
 * @on_ready:	@ready_link is in use (on @set->ready or on a harvest's
 *		private list); protected by @set->lock
 */
struct dios_interest_entry {
	struct dios_interest *set;
	struct dios_object *obj;
	u64 handle;
	u32 events;
	u64 cookie;
	wait_queue_entry_t wait;
	struct list_head ready_link;
	bool on_ready;
};

/**
 * struct dios_interest - a context's persistent interest set
 * @mutex:	serialises changes and harvests
 * @entries:	slot index -> entry; changes under @mutex
 * @lock:	protects @ready and the entries' ready state
 * @ready:	entries that may be ready: woken since they were last found
 *		not ready
 * @wq:		INTEREST_WAIT callers and poll(2) on the context file
 */
struct dios_interest {
	struct mutex mutex; /* serialises changes and harvests */
	struct xarray entries;
	spinlock_t lock; /* protects ready */
	struct list_head ready;
	wait_queue_head_t wq;
};

/*
 * Put @e on the ready list; false if it is there already or being
 * harvested.
 */
static bool __dios_interest_mark(struct dios_interest_entry *e)
{
	struct dios_interest *set = e->set;
	unsigned long flags;
	bool marked = false;

	spin_lock_irqsave(&set->lock, flags);
	if (!e->on_ready) {
		e->on_ready = true;
		list_add_tail(&e->ready_link, &set->ready);
		marked = true;
	}
	spin_unlock_irqrestore(&set->lock, flags);
	return marked;
}

/* Mark @e and wake the waiters of the set. */
static void dios_interest_mark(struct dios_interest_entry *e)
{
	if (__dios_interest_mark(e))
		wake_up(&e->set->wq);
}

/* The object may have become ready: runs under @obj->waitq's lock. */
static int dios_interest_wake(wait_queue_entry_t *wait, unsigned int mode,
			      int sync, void *key)
{
	dios_interest_mark(container_of(wait, struct dios_interest_entry,
					wait));
	return 0;
}

static void dios_interest_unready(struct dios_interest_entry *e)
{
	struct dios_interest *set = e->set;

	spin_lock_irq(&set->lock);
	if (e->on_ready) {
		list_del(&e->ready_link);
		e->on_ready = false;
	}
	spin_unlock_irq(&set->lock);
}

/*
 * Unhook @e; the caller holds @set->mutex and has taken @e out of
 * @set->entries.  The object is put by the caller, after the mutex.
 */
static struct dios_object *dios_interest_unhook(struct dios_interest_entry *e)
{
	struct dios_object *obj = e->obj;

	lockdep_assert_held(&e->set->mutex);
	remove_wait_queue(&obj->waitq, &e->wait);
	/* No wake-up can mark it any more. */
	dios_interest_unready(e);
	kfree(e);
	return obj;
}

static struct dios_interest_entry *
dios_interest_find(struct dios_interest *set, u64 handle)
{
	struct dios_interest_entry *e;

	lockdep_assert_held(&set->mutex);
	e = xa_load(&set->entries, lower_32_bits(handle) - 1);
	return e && e->handle == handle ? e : NULL;
}

static int dios_interest_add(struct dios_context *ctx,
			     struct dios_interest *set,
			     const struct dios_interest_req *req)
{
	struct dios_interest_entry *e;
	struct dios_object *obj;
	struct dios_handle h;
	int ret;

	ret = dios_context_lookup(ctx, req->ref, &h);
	if (ret)
		return ret;
	ret = -EACCES;
	if (!(req->events & dios_select_allowed(h.rights)))
		goto err_put;
	ret = -ENOMEM;
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		goto err_put;
	e->set = set;
	e->obj = h.obj;
	e->handle = req->ref;
	e->events = req->events & dios_select_allowed(h.rights);
	e->cookie = req->cookie;
	init_waitqueue_func_entry(&e->wait, dios_interest_wake);

	mutex_lock(&set->mutex);
	ret = xa_insert(&set->entries, lower_32_bits(req->ref) - 1, e,
			GFP_KERNEL_ACCOUNT);
	if (ret) {
		mutex_unlock(&set->mutex);
		kfree(e);
		goto err_put;
	}
	add_wait_queue(&h.obj->waitq, &e->wait);
	/* Ready now?  The next harvest finds out. */
	dios_interest_mark(e);
	/*
	 * A deletion of the reference that ran before the insert found no
	 * entry to remove (dios_interest_forget()): check again.
	 */
	if (dios_context_lookup(ctx, req->ref, &h)) {
		xa_erase(&set->entries, lower_32_bits(req->ref) - 1);
		obj = dios_interest_unhook(e);
		mutex_unlock(&set->mutex);
		dios_object_put(obj);
		return -EBADF;
	}
	mutex_unlock(&set->mutex);
	dios_object_put(h.obj);
	return 0;

err_put:
	dios_object_put(h.obj);
	return ret == -EBUSY ? -EEXIST : ret;
}

/* MOD: new events and cookie; the entry is looked at again. */
static int dios_interest_mod(struct dios_context *ctx,
			     struct dios_interest *set,
			     const struct dios_interest_req *req)
{
	struct dios_interest_entry *e;
	struct dios_handle h;
	int ret;

	ret = dios_context_lookup(ctx, req->ref, &h);
	if (ret)
		return ret;
	dios_object_put(h.obj);
	if (!(req->events & dios_select_allowed(h.rights)))
		return -EACCES;
	mutex_lock(&set->mutex);
	e = dios_interest_find(set, req->ref);
	if (e) {
		e->events = req->events & dios_select_allowed(h.rights);
		e->cookie = req->cookie;
		dios_interest_mark(e);
	}
	mutex_unlock(&set->mutex);
	return e ? 0 : -ENOENT;
}

static int dios_interest_del(struct dios_interest *set, u64 handle)
{
	struct dios_interest_entry *e;
	struct dios_object *obj = NULL;

	mutex_lock(&set->mutex);
	e = dios_interest_find(set, handle);
	if (e) {
		xa_erase(&set->entries, lower_32_bits(handle) - 1);
		obj = dios_interest_unhook(e);
	}
	mutex_unlock(&set->mutex);
	dios_object_put(obj);
	return obj ? 0 : -ENOENT;
}

/**
 * dios_interest_ctl() - DIOS_IOC_INTEREST: add, modify or remove an entry
 * @ctx:	the caller's context
 * @req:	the request
 *
 * Return: 0; -EINVAL for bad flags, events, padding, or events or a cookie
 * with DEL; -EBADF for a bad handle; -EACCES if the rights allow none of
 * the events; -EEXIST (ADD) if the reference has an entry, -ENOENT (MOD,
 * DEL) if it has none; -ENOMEM.
 */
int dios_interest_ctl(struct dios_context *ctx,
		      const struct dios_interest_req *req)
{
	struct dios_interest *set = ctx->interest;

	if (req->__pad || req->events & ~DIOS_EV_ALL)
		return -EINVAL;
	switch (req->flags) {
	case DIOS_INTEREST_ADD:
	case DIOS_INTEREST_MOD:
		if (!req->events)
			return -EINVAL;
		break;
	case DIOS_INTEREST_DEL:
		if (req->events || req->cookie)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (req->flags == DIOS_INTEREST_ADD)
		return dios_interest_add(ctx, set, req);
	if (req->flags == DIOS_INTEREST_MOD)
		return dios_interest_mod(ctx, set, req);
	/* A deleted reference has no entry: -EBADF, as for the others. */
	if (!dios_select_present(ctx, req->ref))
		return -EBADF;
	return dios_interest_del(set, req->ref);
}

/**
 * dios_interest_forget() - a reference left its context's table
 * @ctx:	the context
 * @index:	the reference's slot
 * @handle:	the reference's handle
 *
 * Remove the reference's entry, if it has one.  No lock held.
 */
void dios_interest_forget(struct dios_context *ctx, u32 index, u64 handle)
{
	struct dios_interest *set = ctx->interest;

	/* Lockless: an ADD racing with the deletion checks again itself. */
	if (!xa_load(&set->entries, index))
		return;
	dios_interest_del(set, handle);
}

/*
 * Look at the entries marked ready, level-triggered: an entry still ready
 * stays marked (and is reported, up to @max, to @uev if not NULL), one no
 * longer ready is unmarked until its object wakes it.  Return: the number
 * found ready (at most @max), or -EFAULT.
 */
static int dios_interest_harvest(struct dios_interest *set,
				 struct dios_interest_event __user *uev,
				 u32 max)
{
	struct dios_interest_event ev = {};
	struct dios_interest_entry *e;
	LIST_HEAD(txlist);
	int count = 0;

	mutex_lock(&set->mutex);
	spin_lock_irq(&set->lock);
	list_splice_init(&set->ready, &txlist);
	spin_unlock_irq(&set->lock);
	while (count < max &&
	       (e = list_first_entry_or_null(&txlist,
					     struct dios_interest_entry,
					     ready_link))) {
		/* Unmarked first: a wake-up from now on marks it again. */
		spin_lock_irq(&set->lock);
		list_del(&e->ready_link);
		e->on_ready = false;
		spin_unlock_irq(&set->lock);
		ev.events = dios_ready(e->obj, e->events);
		if (!ev.events)
			continue;
		/* Still ready: no news for the waiters, no wake-up. */
		__dios_interest_mark(e);
		ev.cookie = e->cookie;
		if (uev && copy_to_user(&uev[count], &ev, sizeof(ev))) {
			count = -EFAULT;
			break;
		}
		count++;
	}
	/* Not looked at: still marked, first in line next time. */
	spin_lock_irq(&set->lock);
	list_splice(&txlist, &set->ready);
	spin_unlock_irq(&set->lock);
	mutex_unlock(&set->mutex);
	return count;
}

static bool dios_interest_sleep(struct dios_interest *set, ktime_t *expires)
{
	DEFINE_WAIT(wait);
	int ret = -EINTR;

	prepare_to_wait(&set->wq, &wait, TASK_INTERRUPTIBLE);
	if (list_empty_careful(&set->ready))
		ret = schedule_hrtimeout_range(expires, current->timer_slack_ns,
					       HRTIMER_MODE_ABS);
	finish_wait(&set->wq, &wait);
	return ret != 0;
}

/**
 * dios_interest_wait() - DIOS_IOC_INTEREST_WAIT
 * @ctx:	the caller's context
 * @req:	the request; @req->count is set on success
 *
 * Return: 0; -EINVAL for bad flags or max, -EFAULT, -ETIMEDOUT, -EINTR.
 */
int dios_interest_wait(struct dios_context *ctx,
		       struct dios_interest_wait_req *req)
{
	struct dios_interest_event __user *uev = dios_user_ptr(req->events);
	struct dios_interest *set = ctx->interest;
	bool timed = false, time_left = true;
	s64 timeout = req->timeout_ns;
	u32 sleeps = 0;
	ktime_t expires;
	int ret;

	if (req->flags & ~DIOS_NONBLOCK || !req->max ||
	    req->max > DIOS_MAX_SELECT)
		return -EINVAL;
	/* NULL means "look, do not report" to the harvest. */
	if (!uev)
		return -EFAULT;
	if (req->flags & DIOS_NONBLOCK)
		timeout = 0;
	if (timeout > 0)
		timed = dios_select_deadline(timeout, &expires);
	for (;;) {
		ret = dios_interest_harvest(set, uev, req->max);
		if (ret)
			break;
		ret = -ETIMEDOUT;
		if (!timeout || !time_left)
			break;
		ret = -EINTR;
		if (signal_pending(current))
			break;
		time_left = dios_interest_sleep(set, timed ? &expires : NULL);
		sleeps++;
	}
	trace_dios_interest_wait(max(ret, 0), sleeps, min(ret, 0));
	if (ret < 0)
		return ret;
	req->count = ret;
	return 0;
}

/* poll(2) on the context file: EPOLLIN while an entry is ready. */
__poll_t dios_interest_poll(struct dios_context *ctx, struct file *file,
			    poll_table *wait)
{
	struct dios_interest *set = ctx->interest;

	poll_wait(file, &set->wq, wait);
	return dios_interest_harvest(set, NULL, 1) > 0 ?
	       EPOLLIN | EPOLLRDNORM : 0;
}

/*
 * The number of references in the set (fdinfo, debugfs): a snapshot,
 * without @set->mutex, which a harvest holds across its copies to user
 * memory (a reader must not wait for those).  The walk takes the RCU read
 * lock itself and reads no entry.
 */
unsigned int dios_interest_count(struct dios_interest *set)
{
	struct dios_interest_entry *e;
	unsigned int n = 0;
	unsigned long index;

	xa_for_each(&set->entries, index, e)
		n++;
	return n;
}

struct dios_interest *dios_interest_new(void)
{
	struct dios_interest *set;

	set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return NULL;
	mutex_init(&set->mutex);
	xa_init(&set->entries);
	spin_lock_init(&set->lock);
	INIT_LIST_HEAD(&set->ready);
	init_waitqueue_head(&set->wq);
	return set;
}

/* Every reference is gone, and with it every entry. NULL-safe. */
void dios_interest_free(struct dios_interest *set)
{
	if (!set)
		return;
	WARN_ON(!xa_empty(&set->entries));
	xa_destroy(&set->entries);
	mutex_destroy(&set->mutex);
	kfree(set);
}
