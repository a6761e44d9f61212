/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - the module's tracepoints, in tracefs under events/dios/.
 *
 * Objects are named by their id (struct dios_object.id), references by
 * their handle in the caller's context, tasks by pid: no field holds a
 * kernel pointer.  @ret is 0 or the negative errno the call returns.
 * docs/observability.md shows how to enable and read them.
 *
 * Built out of tree, define_trace.h includes this file again through
 * TRACE_INCLUDE_PATH; trace.c, the only file with CREATE_TRACE_POINTS,
 * has this directory on its include path (Kbuild).
 */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM dios

#if !defined(_DIOS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DIOS_TRACE_H

#include <linux/tracepoint.h>
#include <linux/dios.h>

#include "buffer.h"
#include "ioctl.h"

/* The enum values, not their names, in the events' format files. */
TRACE_DEFINE_ENUM(DIOS_OBJ_PRIVMEM);
TRACE_DEFINE_ENUM(DIOS_OBJ_SHMEM);
TRACE_DEFINE_ENUM(DIOS_OBJ_BLOB);
TRACE_DEFINE_ENUM(DIOS_OBJ_STREAM);
TRACE_DEFINE_ENUM(DIOS_OBJ_TASK);
TRACE_DEFINE_ENUM(DIOS_OBJ_GROUP);
TRACE_DEFINE_ENUM(DIOS_IO_DIR_READ);
TRACE_DEFINE_ENUM(DIOS_IO_DIR_WRITE);
TRACE_DEFINE_ENUM(DIOS_STEP_ACQUIRE);
TRACE_DEFINE_ENUM(DIOS_STEP_COMMIT);
TRACE_DEFINE_ENUM(DIOS_STEP_RELEASE);

#define dios_trace_type(type)					\
	__print_symbolic(type,					\
			 { DIOS_OBJ_PRIVMEM, "privmem" },	\
			 { DIOS_OBJ_SHMEM, "shmem" },		\
			 { DIOS_OBJ_BLOB, "blob" },		\
			 { DIOS_OBJ_STREAM, "stream" },		\
			 { DIOS_OBJ_TASK, "task" },		\
			 { DIOS_OBJ_GROUP, "group" })

#define dios_trace_dir(dir)					\
	__print_symbolic(dir,					\
			 { DIOS_IO_DIR_READ, "read" },		\
			 { DIOS_IO_DIR_WRITE, "write" })

#define dios_trace_step(step)					\
	__print_symbolic(step,					\
			 { DIOS_STEP_ACQUIRE, "acquire" },	\
			 { DIOS_STEP_COMMIT, "commit" },	\
			 { DIOS_STEP_RELEASE, "release" })

TRACE_EVENT(dios_create,
	TP_PROTO(u64 obj_id, u32 type, u64 size, u64 handle, bool named,
		 int ret),
	TP_ARGS(obj_id, type, size, handle, named, ret),
	TP_STRUCT__entry(
		__field(u64, obj_id)
		__field(u64, size)
		__field(u64, handle)
		__field(u32, type)
		__field(bool, named)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->obj_id = obj_id;
		__entry->size = size;
		__entry->handle = handle;
		__entry->type = type;
		__entry->named = named;
		__entry->ret = ret;
	),
	TP_printk("obj=%llu type=%s size=%llu handle=%#llx named=%d ret=%d",
		  __entry->obj_id, dios_trace_type(__entry->type),
		  __entry->size, __entry->handle, __entry->named, __entry->ret)
);

/* A reference appears in the caller's table: lookup, dup. */
DECLARE_EVENT_CLASS(dios_ref_class,
	TP_PROTO(u64 obj_id, u64 from, u64 handle, u64 rights, int ret),
	TP_ARGS(obj_id, from, handle, rights, ret),
	TP_STRUCT__entry(
		__field(u64, obj_id)
		__field(u64, from)
		__field(u64, handle)
		__field(u64, rights)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->obj_id = obj_id;
		__entry->from = from;
		__entry->handle = handle;
		__entry->rights = rights;
		__entry->ret = ret;
	),
	TP_printk("obj=%llu from=%#llx handle=%#llx rights=%#llx ret=%d",
		  __entry->obj_id, __entry->from, __entry->handle,
		  __entry->rights, __entry->ret)
);

/* @from: the group's handle (0: the global group) */
DEFINE_EVENT(dios_ref_class, dios_lookup,
	TP_PROTO(u64 obj_id, u64 from, u64 handle, u64 rights, int ret),
	TP_ARGS(obj_id, from, handle, rights, ret));

/* @from: the handle duplicated */
DEFINE_EVENT(dios_ref_class, dios_dup,
	TP_PROTO(u64 obj_id, u64 from, u64 handle, u64 rights, int ret),
	TP_ARGS(obj_id, from, handle, rights, ret));

/* @from: the group's handle; @handle: the reference named */
DEFINE_EVENT(dios_ref_class, dios_publish,
	TP_PROTO(u64 obj_id, u64 from, u64 handle, u64 rights, int ret),
	TP_ARGS(obj_id, from, handle, rights, ret));

TRACE_EVENT(dios_copy,
	TP_PROTO(u64 task_id, u64 task_handle, u32 n, int ret),
	TP_ARGS(task_id, task_handle, n, ret),
	TP_STRUCT__entry(
		__field(u64, task_id)
		__field(u64, task_handle)
		__field(u32, n)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->task_id = task_id;
		__entry->task_handle = task_handle;
		__entry->n = n;
		__entry->ret = ret;
	),
	TP_printk("task_obj=%llu task=%#llx n=%u ret=%d", __entry->task_id,
		  __entry->task_handle, __entry->n, __entry->ret)
);

TRACE_EVENT(dios_delete,
	TP_PROTO(u64 handle, bool zombify, int ret),
	TP_ARGS(handle, zombify, ret),
	TP_STRUCT__entry(
		__field(u64, handle)
		__field(bool, zombify)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->handle = handle;
		__entry->zombify = zombify;
		__entry->ret = ret;
	),
	TP_printk("handle=%#llx zombify=%d ret=%d", __entry->handle,
		  __entry->zombify, __entry->ret)
);

/* An object became a zombie: deleted with ZOMBIFY, or collected (gc). */
TRACE_EVENT(dios_zombify,
	TP_PROTO(u64 obj_id, u32 type),
	TP_ARGS(obj_id, type),
	TP_STRUCT__entry(
		__field(u64, obj_id)
		__field(u32, type)
	),
	TP_fast_assign(
		__entry->obj_id = obj_id;
		__entry->type = type;
	),
	TP_printk("obj=%llu type=%s", __entry->obj_id,
		  dios_trace_type(__entry->type))
);

/* One I/O step; @obj_id is 0 when the handle did not resolve. */
TRACE_EVENT(dios_io,
	TP_PROTO(unsigned int step, unsigned int dir, u64 handle, u64 obj_id,
		 u64 flags, u64 len, u32 n_refs, int ret),
	TP_ARGS(step, dir, handle, obj_id, flags, len, n_refs, ret),
	TP_STRUCT__entry(
		__field(u64, handle)
		__field(u64, obj_id)
		__field(u64, flags)
		__field(u64, len)
		__field(u32, n_refs)
		__field(u8, step)
		__field(u8, dir)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->handle = handle;
		__entry->obj_id = obj_id;
		__entry->flags = flags;
		__entry->len = len;
		__entry->n_refs = n_refs;
		__entry->step = step;
		__entry->dir = dir;
		__entry->ret = ret;
	),
	TP_printk("%s %s handle=%#llx obj=%llu flags=%#llx len=%llu nrefs=%u ret=%d",
		  dios_trace_step(__entry->step), dios_trace_dir(__entry->dir),
		  __entry->handle, __entry->obj_id, __entry->flags,
		  __entry->len, __entry->n_refs, __entry->ret)
);

/* One half of DIOS_IOC_XFER (dios_send, dios_recv, dios_call). */
TRACE_EVENT(dios_xfer,
	TP_PROTO(unsigned int dir, u64 handle, u64 obj_id, u64 len, int ret),
	TP_ARGS(dir, handle, obj_id, len, ret),
	TP_STRUCT__entry(
		__field(u64, handle)
		__field(u64, obj_id)
		__field(u64, len)
		__field(u8, dir)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->handle = handle;
		__entry->obj_id = obj_id;
		__entry->len = len;
		__entry->dir = dir;
		__entry->ret = ret;
	),
	TP_printk("%s handle=%#llx obj=%llu len=%llu ret=%d",
		  dios_trace_dir(__entry->dir), __entry->handle,
		  __entry->obj_id, __entry->len, __entry->ret)
);

/*
 * A select ended.  What woke it: @ret 0 with the ready reference (@ready,
 * its handle), -ETIMEDOUT, -EINTR (a signal), -EBADF (a reference
 * deleted meanwhile); @sleeps: how often it slept before that.
 */
TRACE_EVENT(dios_select,
	TP_PROTO(u32 n, u32 ready_index, u64 ready, u32 sleeps, int ret),
	TP_ARGS(n, ready_index, ready, sleeps, ret),
	TP_STRUCT__entry(
		__field(u64, ready)
		__field(u32, n)
		__field(u32, ready_index)
		__field(u32, sleeps)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->ready = ready;
		__entry->n = n;
		__entry->ready_index = ready_index;
		__entry->sleeps = sleeps;
		__entry->ret = ret;
	),
	TP_printk("n=%u ready_index=%u ready=%#llx sleeps=%u ret=%d",
		  __entry->n, __entry->ready_index, __entry->ready,
		  __entry->sleeps, __entry->ret)
);

/* An interest set wait ended: @count references reported ready. */
TRACE_EVENT(dios_interest_wait,
	TP_PROTO(u32 count, u32 sleeps, int ret),
	TP_ARGS(count, sleeps, ret),
	TP_STRUCT__entry(
		__field(u32, count)
		__field(u32, sleeps)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->count = count;
		__entry->sleeps = sleeps;
		__entry->ret = ret;
	),
	TP_printk("count=%u sleeps=%u ret=%d", __entry->count,
		  __entry->sleeps, __entry->ret)
);

/* Tasks: run (@arg: references delegated), pause, resume, exit (@arg: status). */
DECLARE_EVENT_CLASS(dios_task_class,
	TP_PROTO(u64 obj_id, pid_t pid, int arg, int ret),
	TP_ARGS(obj_id, pid, arg, ret),
	TP_STRUCT__entry(
		__field(u64, obj_id)
		__field(pid_t, pid)
		__field(int, arg)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->obj_id = obj_id;
		__entry->pid = pid;
		__entry->arg = arg;
		__entry->ret = ret;
	),
	TP_printk("obj=%llu pid=%d arg=%d ret=%d", __entry->obj_id,
		  __entry->pid, __entry->arg, __entry->ret)
);

DEFINE_EVENT(dios_task_class, dios_task_run,
	TP_PROTO(u64 obj_id, pid_t pid, int arg, int ret),
	TP_ARGS(obj_id, pid, arg, ret));

DEFINE_EVENT(dios_task_class, dios_task_pause,
	TP_PROTO(u64 obj_id, pid_t pid, int arg, int ret),
	TP_ARGS(obj_id, pid, arg, ret));

DEFINE_EVENT(dios_task_class, dios_task_resume,
	TP_PROTO(u64 obj_id, pid_t pid, int arg, int ret),
	TP_ARGS(obj_id, pid, arg, ret));

DEFINE_EVENT(dios_task_class, dios_task_exit,
	TP_PROTO(u64 obj_id, pid_t pid, int arg, int ret),
	TP_ARGS(obj_id, pid, arg, ret));

/* A collector run: @collected streams zombified out of @candidates. */
TRACE_EVENT(dios_gc,
	TP_PROTO(u32 candidates, u32 collected),
	TP_ARGS(candidates, collected),
	TP_STRUCT__entry(
		__field(u32, candidates)
		__field(u32, collected)
	),
	TP_fast_assign(
		__entry->candidates = candidates;
		__entry->collected = collected;
	),
	TP_printk("candidates=%u collected=%u", __entry->candidates,
		  __entry->collected)
);

#endif /* _DIOS_TRACE_H */

/* Outside the guard: define_trace.h reads this file again. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
