/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_SELECT_H
#define __DIOS_SELECT_H

/**
 * DOC: Select
 *
 * dios_select() waits until one of a set of references is ready.  Every
 * object reports its readiness through its poll op, and wakes its wait
 * queue (dios_object.waitq) whenever it may have become ready: a stream on
 * every commit and release and when its last reader or writer goes, a task
 * object when its context is released, every object when it is zombified
 * and when one of its references is deleted.  A select call hooks one wait
 * entry per reference on the object's wait queue for the whole call (as
 * fs/select.c does); a wake-up marks the call triggered and wakes the
 * caller, which scans again.  The caller holds a memory reference on every
 * object it waits on, never an active one: waiting does not hold off
 * zombification.
 *
 * The interest set of a context is the persistent form, as epoll: each
 * entry (a reference, its events, a cookie) stays hooked on its object's
 * wait queue from DIOS_INTEREST_ADD until DIOS_INTEREST_DEL or until the
 * reference leaves the table (dios_interest_forget()).  The wake function
 * moves the entry onto the set's ready list and wakes the set's wait
 * queue; DIOS_IOC_INTEREST_WAIT and poll(2) on the context file only look
 * at the ready list, so their cost does not grow with the entries that
 * are not ready.  Level-triggered: an entry found still ready stays on the
 * list, one found not ready leaves it until its object wakes it again.
 *
 * Lock order: dios_interest.mutex (changes, harvests) is outermost: under
 * it the object wait queue locks (hooking, unhooking), the poll ops (type
 * spinlocks, dios_object.lock) and dios_interest.lock.  The wake function
 * runs under an object's wait queue lock (maybe under dios_object.lock)
 * and takes dios_interest.lock, then the set's wait queue lock after it.
 * dios_interest.lock is a leaf.  No context lock is taken under the mutex
 * (handle lookups are lockless), and forget runs without one.
 */

#include <linux/poll.h>
#include <linux/types.h>

struct dios_context;
struct dios_interest;
struct dios_interest_req;
struct dios_interest_wait_req;
struct dios_select_req;
struct file;

int dios_select(struct dios_context *ctx, struct dios_select_req *req);

struct dios_interest *dios_interest_new(void);
void dios_interest_free(struct dios_interest *set);
unsigned int dios_interest_count(struct dios_interest *set);
int dios_interest_ctl(struct dios_context *ctx,
		      const struct dios_interest_req *req);
int dios_interest_wait(struct dios_context *ctx,
		       struct dios_interest_wait_req *req);
void dios_interest_forget(struct dios_context *ctx, u32 index, u64 handle);
__poll_t dios_interest_poll(struct dios_context *ctx, struct file *file,
			    poll_table *wait);

#endif /* __DIOS_SELECT_H */
