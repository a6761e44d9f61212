/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * libdios: the DIOS user API.  docs/api.md is its reference (the contract
 * of every call, its rights and its errors); docs/io.md describes the I/O
 * transactions; uapi/linux/dios.h is the kernel ABI underneath.
 *
 * Every call returns 0 (or a documented non-negative value) on success and a
 * negative errno on failure; dios_strerror() says what an error means in
 * dios terms.  No call reads or writes errno: the caller's errno is the
 * same after the call as before it.
 *
 * The DIOS context (/dev/dios) is opened on the first call that needs it;
 * if the dios module is not loaded, that call fails with -ENODEV.  A fork()
 * child never uses its parent's context: libdios forgets the inherited one
 * in the child and opens a fresh, empty one on first use, so the parent's
 * handles are invalid (-EBADF) in the child.
 *
 * Declared here: objects, names and references; I/O transactions and
 * copying stream I/O; channels; tasks (dios_run, dios_task_*, dios_pause,
 * dios_resume); select and the interest set; the context descriptor,
 * dios_version and dios_strerror.
 *
 * The structs of uapi/linux/dios.h (dios_version_req, dios_ref_info...)
 * use __u64, which is unsigned long long on every Linux ABI, while
 * uint64_t is unsigned long on 64-bit ones: print such a field with %llu
 * or %llx, or cast it to uint64_t for PRIu64 and PRIx64.
 */
#ifndef LIBDIOS_DIOS_H
#define LIBDIOS_DIOS_H

#include <stdint.h>
#include <sys/uio.h>
#include <linux/dios.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBDIOS_VERSION_MAJOR	1
#define LIBDIOS_VERSION_MINOR	3

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
 * @done: out, after every acquire, commit and release on the iovec, also
 *	when the call fails: DIOS_IO_DONE_COMMIT if a commit took effect (the
 *	message was published or consumed, the blob written),
 *	DIOS_IO_DONE_ACQUIRE if a buffer is open in @buf/@len.  A commit with
 *	DIOS_IO_REARM that fails with DIOS_IO_DONE_COMMIT set did commit, and
 *	its next acquire failed: no buffer is open and @buf is NULL (with
 *	-EMSGSIZE, @len is the length the next message needs).  Needs a
 *	module with DIOS_FEAT_IO_DONE; an older one leaves it 0 after a
 *	failed re-arming commit.
 *
 * The fields after @next_len are private to libdios: zero-initialise the
 * whole struct and never touch them.
 */
struct dios_iovec {
	void *buf;
	uint64_t len;
	uint64_t offset;
	dios_ref_t *refs;
	uint32_t n_refs;
	uint32_t done;
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

/*
 * Copying stream I/O (DIOS_FEAT_IO_XFER; docs/io.md, "Copying I/O"): one
 * system call per message, no view mapped, no buffer left open.
 *
 * dios_send copies @len bytes (0 allowed) from @buf into the stream as one
 * message (needs WRITE): 0, -EMSGSIZE above the capacity, -EAGAIN full with
 * DIOS_NONBLOCK, -EPIPE with no reader left.
 *
 * dios_recv copies the head message into @buf and consumes it (needs READ):
 * its length.  -EMSGSIZE if it is longer than @cap (at most INT_MAX is
 * used) or carries references: it stays queued.  -EAGAIN empty with
 * DIOS_NONBLOCK, -EPIPE once no writer is left and the queue is drained.
 *
 * dios_call sends, then receives, in one system call: the received length.
 * If the send worked and the receive failed, the error is the receive's
 * and the message stays sent; *@done (may be NULL) tells which halves
 * happened: DIOS_XFER_SEND, | DIOS_XFER_RECV.  A receive interrupted by a
 * signal after the send is -EINTR, never restarted.
 *
 * All three: @flags DIOS_NONBLOCK only; -EBUSY if the same reference has a
 * zero-copy transaction open in that direction; -EFAULT for a NULL buffer
 * with a non-zero length, or a bad one (nothing sent, nothing consumed);
 * -EOPNOTSUPP for a reference that is not a stream.
 */
int dios_send(uint64_t flags, dios_ref_t ref, const void *buf, uint64_t len);
int dios_recv(uint64_t flags, dios_ref_t ref, void *buf, uint64_t cap);
int dios_call(uint64_t flags, dios_ref_t send_ref, const void *sbuf,
	      uint64_t slen, dios_ref_t recv_ref, void *rbuf, uint64_t rcap,
	      uint32_t *done);

/*
 * Copying stream I/O in batches (DIOS_FEAT_XFER_BATCH, ABI 1.4; docs/io.md,
 * "Batches"): many messages in one system call, as sendmmsg() and
 * recvmmsg() do for sockets.  (LIBDIOS_1.3)
 *
 * dios_xfer_batch runs @n (1 to DIOS_XFER_BATCH_MAX) requests of
 * DIOS_IOC_XFER in order, each a send, a receive or both on any streams,
 * and writes each one's reply (send_len, recv_len, done) into its entry.
 * Every entry is checked before the first runs (-EINVAL, -EFAULT: nothing
 * done); the batch stops at the first entry that fails.  It returns the
 * number of entries done in full if that is not 0, else the error of the
 * first one; *@error (may be NULL) gets 0 if all @n were done, else the
 * error that stopped the batch.  @flags: DIOS_NONBLOCK (every entry),
 * DIOS_XFER_WAITFORONE (only the first entry may wait: after it the batch
 * takes what is there and stops at -EAGAIN).
 *
 * dios_sendv sends @n messages into @ref, message i the iov_len bytes at
 * iov_base of @msgs[i] (one message per element, not a gather), and
 * dios_recvv receives up to @n messages of @ref, message i into @msgs[i],
 * its length written to @msgs[i].iov_len (also the length needed by the
 * message that failed with -EMSGSIZE).  Both as dios_xfer_batch, with
 * the errors of dios_send and dios_recv.  -ENOMEM (nothing done) if the
 * requests cannot be allocated: by libdios above 64 messages, by the
 * module above 4.
 */
int dios_xfer_batch(uint64_t flags, struct dios_xfer_req *reqs, uint32_t n,
		    int *error);
int dios_sendv(uint64_t flags, dios_ref_t ref, const struct iovec *msgs,
	       uint32_t n, int *error);
int dios_recvv(uint64_t flags, dios_ref_t ref, struct iovec *msgs,
	       uint32_t n, int *error);

/*
 * Channels (docs/api.md, "Channels"): a bidirectional channel is two
 * streams, one per direction.  Each end holds a write-only reference to the
 * stream it sends on and a read-only one to the stream it receives from, so
 * that closing (or exiting) one end leaves the other a stream without
 * writer (it drains what is queued, then -EPIPE) and one without reader
 * (-EPIPE).  The calls below return 0 (recv: the message's length) or a
 * negative errno; a NULL pointer argument is -EFAULT.
 */

/* One end of a bidirectional channel: two streams, one per direction. */
struct dios_chan {
	dios_ref_t tx;		/* the stream this end writes (write-only reference) */
	dios_ref_t rx;		/* the stream this end reads (read-only reference) */
	dios_ref_t __hold[2];	/* private: the creator's full references until the far end connects */
};

#define DIOS_CHAN_CAPACITY	(64 * 1024)	/* default capacity of each stream */

/* The far end's first message on a named channel (no NUL, no references). */
#define DIOS_CHAN_CONNECT	"DIOSCHAN"
#define DIOS_CHAN_CONNECT_LEN	8

/*
 * Create a named channel: two STREAM objects of @capacity bytes each (0:
 * DIOS_CHAN_CAPACITY) in the global group.  names[0] is the stream this
 * end writes (a lookup of it grants READ | COPY), names[1] the one it
 * reads (WRITE | COPY).  With DIOS_CREATE_NAME_GIVEN, @names are given by
 * the caller (-EEXIST if one is taken); otherwise they are random and
 * returned.  *@chan and @names are written only on success.
 *
 * The end is not connected until the far end has opened the names: the
 * first send, receive or acquire on it (or dios_chan_accept) waits for the
 * far end's connect message, like opening a named FIFO.
 */
int dios_chan_create(uint64_t flags, uint64_t capacity, struct dios_chan *chan,
		     struct dios_name names[2]);

/*
 * Open the far end of a channel made by dios_chan_create(), with the same
 * @names; sends the connect message.  @flags must be 0.  -ENOENT if a name
 * is unknown, -EPROTO if a name is not a stream.
 */
int dios_chan_open(uint64_t flags, const struct dios_name names[2],
		   struct dios_chan *chan);

/*
 * Wait for the far end's connect message (DIOS_NONBLOCK: -EAGAIN if it has
 * not come); 0 at once if the end is connected (every end but a creator's).
 * A first message that is not a connect message is -EPROTO: it stays
 * queued and the end stays unconnected.  Safe against other threads using
 * the same end.
 */
int dios_chan_accept(uint64_t flags, struct dios_chan *chan);

/*
 * An anonymous channel whose far end is handed over directly: *@chan is
 * this end, peer[0] the far end's rx (READ | COPY) and peer[1] its tx
 * (WRITE | COPY), both in the caller's table.  Delegate them (dios_copy,
 * dios_chan_send_refs, dios_run) and delete the caller's copies; the far
 * end builds its end with dios_chan_from_refs(&c, peer[0], peer[1]).
 * @flags must be 0.  No handshake.
 */
int dios_chan_pair(uint64_t flags, uint64_t capacity, struct dios_chan *chan,
		   dios_ref_t peer[2]);

/* An end made of references received from dios_chan_pair()'s caller. */
static inline void dios_chan_from_refs(struct dios_chan *chan, dios_ref_t rx,
				       dios_ref_t tx)
{
	chan->tx = tx;
	chan->rx = rx;
	chan->__hold[0] = DIOS_REF_NONE;
	chan->__hold[1] = DIOS_REF_NONE;
}

/*
 * Copy @len bytes (0 allowed) out as one message.  @flags: DIOS_NONBLOCK
 * (-EAGAIN if the stream is full, or the far end has not connected).
 * -EPIPE once the far end is gone, -EMSGSIZE above the capacity.
 */
int dios_chan_send(uint64_t flags, struct dios_chan *chan, const void *buf,
		   uint64_t len);

/*
 * Receive one message into @buf: its length.  -EMSGSIZE if it is longer
 * than @cap or carries references (it stays queued); -EPIPE once the far
 * end is gone and the queue drained.  @flags: DIOS_NONBLOCK (-EAGAIN).
 */
int dios_chan_recv(uint64_t flags, struct dios_chan *chan, void *buf,
		   uint64_t cap);

/*
 * Send @slen bytes, then receive one message into @rbuf, in one system
 * call (dios_call): the received length.  Errors as send's, then recv's;
 * after a failed receive the message stays sent, and *@done (may be NULL)
 * tells what happened as for dios_call.
 */
int dios_chan_call(uint64_t flags, struct dios_chan *chan, const void *sbuf,
		   uint64_t slen, void *rbuf, uint64_t rcap, uint32_t *done);

/*
 * As send and recv, with up to 64 references moved through the channel:
 * on success the sender's handles @refs[0..n-1] are gone (each needs COPY;
 * see docs/io.md for the errors), and the receiver gets new handles in
 * @refs.  recv_refs: *@n is the capacity of @refs in, the count out; if it
 * is too small, -EMSGSIZE with *@n the count needed, the message queued.
 */
int dios_chan_send_refs(uint64_t flags, struct dios_chan *chan,
			const void *buf, uint64_t len, const dios_ref_t *refs,
			uint32_t n);
int dios_chan_recv_refs(uint64_t flags, struct dios_chan *chan, void *buf,
			uint64_t cap, dios_ref_t *refs, uint32_t *n);

/*
 * Zero-copy: dios_acquire_write / dios_commit_write on chan->tx and
 * dios_acquire_read / dios_commit_read on chan->rx (docs/io.md), after
 * waiting for the far end to connect as the other calls do.  Acquires take
 * DIOS_NONBLOCK; send_commit takes the flags of dios_commit_write
 * (DIOS_IO_REFS, DIOS_IO_REARM...), recv_release those of
 * dios_commit_read.  recv_acquire accepts a message of any length, with
 * @iov->refs / @iov->n_refs as for dios_acquire_read.  recv_release
 * consumes the message (dios_release_read on chan->rx puts it back).
 */
int dios_chan_send_acquire(uint64_t flags, struct dios_chan *chan,
			   uint64_t len, struct dios_iovec *iov);
int dios_chan_send_commit(uint64_t flags, struct dios_chan *chan,
			  uint64_t len, struct dios_iovec *iov);
int dios_chan_recv_acquire(uint64_t flags, struct dios_chan *chan,
			   struct dios_iovec *iov);
int dios_chan_recv_release(uint64_t flags, struct dios_chan *chan,
			   struct dios_iovec *iov);

/*
 * Delete every reference of the end and zero its fields (closing again is
 * 0).  The far end drains what is queued, then gets -EPIPE.  Returns the
 * first deletion's error, if any.
 */
int dios_chan_close(struct dios_chan *chan);

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

/* The most references dios_run() delegates (as dios_copy()). */
#define DIOS_RUN_MAX_REFS	1024

/*
 * Start a task with a channel to it already connected (what a runtime's
 * spawn_task needs): as dios_run(), with the far end of a new anonymous channel
 * (streams of @capacity bytes, 0: DIOS_CHAN_CAPACITY) delegated first, so
 * the child's dios_task_refs() lists its two references before those of
 * @spec (at most DIOS_RUN_MAX_REFS - 2).  In the child, dios_chan_parent()
 * builds the end.  On error no task and no channel exist.
 */
int dios_run_chan(uint64_t flags, uint64_t capacity, const char *path,
		  const struct dios_task_spec *spec, dios_ref_t *task,
		  struct dios_chan *chan);
/* In a task started by dios_run_chan(): the channel to its parent. */
int dios_chan_parent(struct dios_chan *chan);

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
 * and limits (opening the context if needed).  -EFAULT if @v is NULL,
 * -ENODEV if the module is not loaded, -EPROTO if its ABI major version is
 * not DIOS_ABI_MAJOR.
 */
int dios_version(struct dios_version_req *v);

/*
 * What the error @err of a dios call means in dios terms: a constant
 * string, never NULL; @err may be negative (as returned) or positive.
 * For -ENODEV: "the dios module is not loaded: ...".  An errno no dios
 * call returns gets "not an error of a dios call".  Thread-safe; needs no
 * context and makes no system call.  (LIBDIOS_1.2)
 */
const char *dios_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* LIBDIOS_DIOS_H */
