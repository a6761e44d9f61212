/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * libdios: the DIOS user API (DESIGN.md section 3).
 *
 * Every call returns 0 (or a documented non-negative value) on success and a
 * negative errno on failure.  No call reads or writes errno: the caller's
 * errno is the same after the call as before it.
 *
 * The DIOS context (/dev/dios) is opened on the first call that needs it.
 * A fork() child never uses its parent's context: libdios forgets the
 * inherited one in the child and opens a fresh, empty one on first use, so
 * the parent's handles are invalid (-EBADF) in the child.
 *
 * Calls of DESIGN.md section 3 that the library does not implement yet
 * (select, run, task control) are not declared here; they will be added
 * together with their kernel support.
 */
#ifndef LIBDIOS_DIOS_H
#define LIBDIOS_DIOS_H

#include <stdint.h>
#include <linux/dios.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBDIOS_VERSION_MAJOR	1
#define LIBDIOS_VERSION_MINOR	0

/* An opaque per-task handle; DIOS_REF_NONE (0) is never a valid one. */
typedef uint64_t dios_ref_t;

/*
 * An I/O buffer: the window of an object that one transaction owns.
 *
 * @buf, @len: out of acquire_*: the buffer's address and length (for a
 *	stream read, the message's length); in to commit_* and release_*:
 *	@buf must be the acquired address.
 * @offset: in to acquire_*: the window's start in a memory or blob object;
 *	0 for a stream.
 * @refs, @n_refs: references carried by a message.  acquire_read: @refs
 *	is the caller's array and @n_refs its capacity (in), the count
 *	received (out; set it again before reusing the iovec for another
 *	acquire_read).  commit_write with DIOS_IO_REFS: the references to
 *	send and their count.
 * @src_ref: commit_write with DIOS_IO_FORWARD: the reference whose read
 *	buffer is published.
 * @next_len: commit_* with DIOS_IO_REARM: the length to acquire next (for
 *	a read, the largest message accepted).
 *
 * @__pad and the fields after @next_len are private to libdios:
 * zero-initialise the whole struct and never touch them.
 */
struct dios_iovec {
	void *buf;
	uint64_t len;
	uint64_t offset;
	dios_ref_t *refs;
	uint32_t n_refs;
	uint32_t __pad;
	dios_ref_t src_ref;
	uint64_t next_len;
	uint64_t __priv[2];	/* private */
};

/*
 * Objects, names and references.
 */

/*
 * Create an object of @type.  @args may be NULL (all fields zero).  On
 * success *@ref is the new reference (all rights) and, when @name is not
 * NULL, *@name the object's name (all zero if anonymous).
 */
int dios_create(uint64_t flags, uint32_t type,
		const struct dios_create_args *args,
		dios_ref_t *ref, struct dios_name *name);

/* Resolve @name in @group (DIOS_REF_NONE: the global group). */
int dios_lookup(uint64_t flags, const struct dios_name *name,
		dios_ref_t group, dios_ref_t *ref);

/*
 * Name an anonymous object in @group; needs NAME.  @name_rights 0 means the
 * caller's rights.  @name may be NULL if the caller does not want the name.
 */
int dios_publish(uint64_t flags, dios_ref_t ref, dios_ref_t group,
		 uint64_t name_rights, struct dios_name *name);

/* A new reference to the same object with a subset of the rights. */
int dios_dup(dios_ref_t ref, uint64_t rights, dios_ref_t *new_ref);

/*
 * Delegate @n references to the task behind the TASK reference @task,
 * keeping their rights.  remote_refs[i] receives the handle of refs[i] as
 * seen in the target task.  All or nothing.
 */
int dios_copy(uint64_t flags, const dios_ref_t *refs, uint32_t n,
	      dios_ref_t task, dios_ref_t *remote_refs);

/*
 * Like dios_copy(), with rights[i] the rights of the copy of refs[i] (a
 * subset of refs[i]'s rights).  @rights NULL keeps each reference's rights.
 */
int dios_copy_rights(uint64_t flags, const dios_ref_t *refs,
		     const uint64_t *rights, uint32_t n, dios_ref_t task,
		     dios_ref_t *remote_refs);

/* Delete a reference; DIOS_DELETE_ZOMBIFY kills the object (needs DELETE). */
int dios_delete(uint64_t flags, dios_ref_t ref);

/*
 * Read the metadata of @ref from the read-only metadata map, without a
 * system call.  -EBADF if @ref is not a live handle of this task, -EINVAL
 * if @info is NULL.
 */
int dios_ref_info(dios_ref_t ref, struct dios_ref_info *info);

/* The object's name; needs NAME.  -ENODATA for an anonymous object. */
int dios_ref_name(dios_ref_t ref, struct dios_name *name);

/*
 * Format @name as 64 lowercase hex digits and a NUL.  -EINVAL if either
 * pointer is NULL.
 */
int dios_name_to_str(const struct dios_name *name, char out[65]);

/*
 * Parse exactly 64 hex digits (either case) followed by the end of the
 * string.  -EINVAL if @s is NULL, has another length or a non-hex
 * character, or @name is NULL; *@name is untouched on error.
 */
int dios_name_from_str(const char *s, struct dios_name *name);

/*
 * I/O transactions (docs/io.md): acquire a buffer mapped into the task,
 * read or fill it in place, commit, release.  Each reference has at most
 * one read and one write buffer outstanding.  @iov NULL is -EFAULT.
 *
 * acquire_*: @len bytes at @iov->offset (memory, blob), or one message of
 * at most @len bytes (stream read), or @len bytes of message space (stream
 * write).  On success @iov->buf, @iov->len and, for a read, @iov->n_refs
 * describe the buffer.  A stream read whose message is longer than @len, or
 * carries more references than @iov->n_refs, fails with -EMSGSIZE and sets
 * @iov->len (and @iov->n_refs) to what it needs.
 *
 * commit_* and release_* take the buffer in @iov->buf.  commit_write
 * publishes @len bytes.  With DIOS_IO_REARM a successful commit also
 * acquires the next buffer of @iov->next_len bytes (at @iov->offset, and
 * with the reference capacity the last acquire_read was given) and updates
 * @iov as an acquire would.  If that acquire fails (e.g. -EAGAIN with
 * DIOS_NONBLOCK), the commit stays done, no buffer is open, and the error
 * is the acquire's.
 */
int dios_acquire_read(uint64_t flags, dios_ref_t ref, uint64_t len,
		      struct dios_iovec *iov);
int dios_commit_read(uint64_t flags, dios_ref_t ref, struct dios_iovec *iov);
int dios_release_read(uint64_t flags, dios_ref_t ref, struct dios_iovec *iov);
int dios_acquire_write(uint64_t flags, dios_ref_t ref, uint64_t len,
		       struct dios_iovec *iov);
int dios_commit_write(uint64_t flags, dios_ref_t ref, uint64_t len,
		      struct dios_iovec *iov);
int dios_release_write(uint64_t flags, dios_ref_t ref, struct dios_iovec *iov);

/* A reference to the calling task's own task object. */
int dios_task_self(dios_ref_t *task);

/*
 * Tasks (docs/api.md, "Tasks").  dios_run() forks and execs @path as a new
 * task, a child process of the caller, with the references of @spec
 * delegated to it in their order (each needs COPY; @rights, if given,
 * narrows each one's rights).  @spec may be NULL: argv { path, NULL }, the
 * caller's environment, no references.  The task reference is READ-ready
 * once the child exited; dios_task_wait() gives its status and reaps it.
 */
struct dios_task_spec {
	const char *const *argv;	/* NULL: { path, NULL } */
	const char *const *envp;	/* NULL: inherit */
	const dios_ref_t *refs;		/* delegated to the child, in order */
	const uint64_t *rights;		/* per reference; NULL: keep each one's */
	uint32_t n_refs;
};

int dios_run(uint64_t flags, const char *path,
	     const struct dios_task_spec *spec, dios_ref_t *task);
/* In the child: the delegated handles.  *n: in the capacity, out the count. */
int dios_task_refs(dios_ref_t *refs, uint32_t *n);
/* Stop and continue a task (SIGSTOP, SIGCONT); needs WRITE. */
int dios_pause(dios_ref_t task);
int dios_resume(dios_ref_t task);
/*
 * Wait for the task's exit (needs READ) and reap it if the caller is its
 * parent.  *status (may be NULL): the exit code, or 128 + the signal.
 */
int dios_task_wait(dios_ref_t task, int *status);

/*
 * Wait until one of @refs[0..n-1] is ready for one of @events (DIOS_EV_*)
 * that its rights allow; 0 and the lowest ready index in *ready_index.
 * @timeout_ns < 0 waits forever, 0 (or DIOS_NONBLOCK) polls.  -ETIMEDOUT,
 * -EINTR on a signal (never restarted), -EBADF if a reference is deleted
 * while waiting; see docs/api.md.
 */
int dios_select(uint64_t flags, const dios_ref_t *refs, uint32_t n,
		uint32_t events, int64_t timeout_ns, uint32_t *ready_index);

/*
 * The context's persistent interest set: one entry per reference, with
 * the events to wait for and a cookie to report.  Add: -EEXIST if the
 * reference has an entry; mod, del: -ENOENT if it has none.  Deleting the
 * reference removes its entry.
 */
int dios_interest_add(dios_ref_t ref, uint32_t events, uint64_t cookie);
int dios_interest_mod(dios_ref_t ref, uint32_t events, uint64_t cookie);
int dios_interest_del(dios_ref_t ref);

/*
 * Wait until entries of the interest set are ready (level-triggered) and
 * report up to @max of them in @events: their number (>= 1), -ETIMEDOUT,
 * -EINTR.  @timeout_ns as for dios_select.  The context descriptor
 * (dios_context_fd()) polls readable (EPOLLIN) while an entry is ready.
 */
int dios_interest_wait(uint64_t flags, struct dios_interest_event *events,
		       uint32_t max, int64_t timeout_ns);

/*
 * The context descriptor (opening the context if needed), or a negative
 * errno.  It stays owned by libdios: do not close it.
 */
int dios_context_fd(void);

/*
 * What the running module implements: ABI version, DIOS_FEAT_* features
 * and limits (opening the context if needed).
 */
int dios_version(struct dios_version_req *v);

#ifdef __cplusplus
}
#endif

#endif /* LIBDIOS_DIOS_H */
