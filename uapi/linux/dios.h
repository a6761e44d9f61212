/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * dios: DIOS objects, names and references for Linux.
 *
 * This is the only header shared between the dios kernel module and user
 * space.  User space opens /dev/dios to get its DIOS context and drives it
 * with the ioctls below; the module also maps the context's reference
 * metadata read-only at mmap offset DIOS_MMAP_META.
 *
 * ABI rules (Documentation/process/botching-up-ioctls.rst):
 *  - only fixed-size types, 64-bit fields naturally aligned, explicit
 *    padding, every struct a multiple of 8 bytes: the layout is identical on
 *    i386, x86_64, armhf and arm64, so 32-bit callers use the native path;
 *  - user pointers travel as __u64;
 *  - padding, reserved fields and unknown flag bits must be zero (-EINVAL);
 *  - every argument struct is extensible by size: the size encoded in the
 *    ioctl number is the caller's struct size.  A shorter struct is
 *    zero-extended, a longer one must have a zero tail (-E2BIG otherwise),
 *    like copy_struct_from_user().  Output is written up to the smaller of
 *    the two sizes.  New fields are only ever appended.
 *  - DIOS_IOC_VERSION reports the ABI version, the features and the limits
 *    of the running module.
 */
#ifndef _UAPI_LINUX_DIOS_H
#define _UAPI_LINUX_DIOS_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DIOS_ABI_MAJOR		1
#define DIOS_ABI_MINOR		5

/* An opaque per-task handle.  Zero is never a valid handle. */
#define DIOS_REF_NONE		((__u64)0)

/* A 256-bit object name, drawn from the kernel CSPRNG. */
struct dios_name {
	__u8 raw[32];
};

/* Object types. */
enum {
	DIOS_OBJ_PRIVMEM = 1,
	DIOS_OBJ_SHMEM,
	DIOS_OBJ_BLOB,
	DIOS_OBJ_STREAM,
	DIOS_OBJ_TASK,
	DIOS_OBJ_GROUP,
};

/* Reference rights.  Delegation can keep or drop them, never add. */
#define DIOS_RIGHT_READ		(1ULL << 0)
#define DIOS_RIGHT_WRITE	(1ULL << 1)
#define DIOS_RIGHT_COPY		(1ULL << 2)
#define DIOS_RIGHT_DELETE	(1ULL << 3)
#define DIOS_RIGHT_NAME		(1ULL << 4)
#define DIOS_RIGHTS_ALL		(DIOS_RIGHT_READ | DIOS_RIGHT_WRITE | \
				 DIOS_RIGHT_COPY | DIOS_RIGHT_DELETE | \
				 DIOS_RIGHT_NAME)

/* dios_create() flags */
#define DIOS_CREATE_ANON	(1ULL << 0)	/* no name, never in a table */
#define DIOS_CREATE_NAME_GIVEN	(1ULL << 1)	/* use args->name */
#define DIOS_CREATE_RING	(1ULL << 2)	/* STREAM: a ring stream (ABI 1.4) */

/* dios_delete() flags */
#define DIOS_DELETE_ZOMBIFY	(1ULL << 0)	/* kill the object; needs DELETE */

/* acquire_*() and select() flags */
#define DIOS_NONBLOCK		(1ULL << 0)	/* acquire: -EAGAIN; select: timeout 0 */

/* I/O flags (acquire_*, commit_*, release_*), after DIOS_NONBLOCK */
#define DIOS_IO_REARM		(1ULL << 1)	/* commit, then acquire the next buffer */
#define DIOS_IO_REFS		(1ULL << 2)	/* commit_write: the message carries references */
#define DIOS_IO_FORWARD		(1ULL << 3)	/* commit_write: publish src_ref's read buffer */
#define DIOS_IO_OVERWRITE	(1ULL << 4)	/* acquire_write (blob): caller writes every byte */

/* select events; a zombie reference is ready for every event */
#define DIOS_EV_READ		(1U << 0)
#define DIOS_EV_WRITE		(1U << 1)

/* dios_ref_info.state; 0 marks a free slot in the metadata table */
#define DIOS_REF_LIVE		1
#define DIOS_REF_ZOMBIE		2

/* Proximity: where the object lives, seen from the task. */
#define DIOS_PROX_LOCAL		0

/* Features reported by DIOS_IOC_VERSION. */
#define DIOS_FEAT_OBJECTS	(1ULL << 0)	/* create/lookup/publish/dup/copy/delete */
#define DIOS_FEAT_META_MAP	(1ULL << 1)	/* read-only reference metadata map */
#define DIOS_FEAT_GROUPS	(1ULL << 2)	/* name scoping by groups */
#define DIOS_FEAT_IO_MEM	(1ULL << 3)	/* PRIVMEM / SHMEM I/O */
#define DIOS_FEAT_IO_BLOB	(1ULL << 4)	/* BLOB transactional I/O */
#define DIOS_FEAT_IO_STREAM	(1ULL << 5)	/* STREAM I/O */
#define DIOS_FEAT_IO_REFS	(1ULL << 6)	/* references carried by messages */
#define DIOS_FEAT_IO_FORWARD	(1ULL << 7)	/* commit a read buffer as a write */
#define DIOS_FEAT_SELECT	(1ULL << 8)	/* select, interest set, poll */
#define DIOS_FEAT_TASKS		(1ULL << 9)	/* dios_run and task control */
#define DIOS_FEAT_IO_XFER	(1ULL << 10)	/* DIOS_IOC_XFER: copying stream I/O */
#define DIOS_FEAT_RUN_CHAN	(1ULL << 11)	/* DIOS_RUN_CHAN: a task with a channel */
#define DIOS_FEAT_IO_DONE	(1ULL << 12)	/* dios_io_req.done (ABI 1.3) */
#define DIOS_FEAT_XFER_BATCH	(1ULL << 13)	/* DIOS_IOC_XFER_BATCH (ABI 1.4) */
#define DIOS_FEAT_RING		(1ULL << 14)	/* ring streams, DIOS_IOC_RING (ABI 1.4) */
#define DIOS_FEAT_RING_REFS	(1ULL << 15)	/* references on ring streams (ABI 1.5) */

/*
 * Arguments of dios_create().  Part of the user API: fields are only ever
 * appended.
 */
struct dios_create_args {
	__aligned_u64 size;		/* PRIVMEM, SHMEM, BLOB: bytes */
	__aligned_u64 capacity;		/* STREAM: bytes of message space */
	__aligned_u64 group;		/* DIOS_REF_NONE: the global group */
	__aligned_u64 name_rights;	/* granted by lookup; 0: all */
	struct dios_name name;		/* input with DIOS_CREATE_NAME_GIVEN */
};

/* The public metadata of one reference. */
struct dios_ref_info {
	__u32 type;			/* DIOS_OBJ_* */
	__u32 state;			/* DIOS_REF_LIVE or DIOS_REF_ZOMBIE */
	__aligned_u64 rights;
	__aligned_u64 size;		/* object size, or stream capacity */
	__aligned_u64 read_buf_max;	/* largest read buffer, 0: not readable */
	__aligned_u64 write_buf_max;	/* largest write buffer, 0: not writable */
	__u32 proximity;		/* DIOS_PROX_* */
	__u32 has_name;
};

/*
 * The reference metadata map.
 *
 * mmap(NULL, meta_map_size, PROT_READ, MAP_SHARED, ctx_fd, DIOS_MMAP_META)
 * maps the context's metadata read-only: a header, then one entry per slot
 * of the reference table, at meta_entries_offset + index * meta_entry_size.
 * A handle is (generation << 32) | (index + 1).  The slot matches a handle
 * while its gen equals the handle's generation and its state is not 0.
 *
 * The kernel makes seq odd while it rewrites an entry and even again after:
 * a reader copies the entry, then checks that seq was even and unchanged.
 * Slots below header.nr_slots are backed by memory; reading a slot at or
 * beyond it faults.
 */
#define DIOS_MMAP_META		0ULL

struct dios_meta_header {
	__u32 magic;			/* DIOS_META_MAGIC */
	__u32 nr_slots;			/* slots currently backed */
	__u32 entry_size;		/* sizeof(struct dios_ref_meta) or more */
	__u32 entries_offset;		/* byte offset of slot 0 */
};

#define DIOS_META_MAGIC		0x44494f53	/* "DIOS" */

struct dios_ref_meta {
	__u32 seq;
	__u32 gen;
	struct dios_ref_info info;
	__aligned_u64 __reserved;
};

/* DIOS_IOC_VERSION: what the running module implements. */
struct dios_version_req {
	__u32 abi_major;
	__u32 abi_minor;
	__aligned_u64 features;		/* DIOS_FEAT_* */
	__u32 max_refs;			/* references per task */
	__u32 max_select;		/* references per select call */
	__aligned_u64 max_objects;	/* objects per user */
	__aligned_u64 max_size;		/* PRIVMEM, SHMEM, BLOB size */
	__aligned_u64 max_capacity;	/* STREAM capacity */
	__aligned_u64 meta_map_size;	/* length to mmap at DIOS_MMAP_META */
	__u8 release[32];		/* module version string, NUL-padded */
};

/* DIOS_IOC_CREATE */
struct dios_create_req {
	__aligned_u64 flags;		/* DIOS_CREATE_* */
	__u32 type;			/* DIOS_OBJ_* */
	__u32 __pad;
	__aligned_u64 ref;		/* out: the new reference */
	struct dios_name name;		/* out: the name, zero if anonymous */
	struct dios_create_args args;	/* last: may grow */
};

/* DIOS_IOC_LOOKUP */
struct dios_lookup_req {
	__aligned_u64 flags;		/* none defined */
	__aligned_u64 group;		/* DIOS_REF_NONE: the global group */
	struct dios_name name;
	__aligned_u64 ref;		/* out */
};

/* DIOS_IOC_PUBLISH: name an anonymous object (needs NAME). */
struct dios_publish_req {
	__aligned_u64 flags;		/* none defined */
	__aligned_u64 ref;
	__aligned_u64 group;		/* DIOS_REF_NONE: the global group */
	__aligned_u64 name_rights;	/* 0: the caller's rights */
	struct dios_name name;		/* out */
};

/* DIOS_IOC_DUP */
struct dios_dup_req {
	__aligned_u64 flags;		/* none defined */
	__aligned_u64 ref;
	__aligned_u64 rights;		/* a subset of ref's rights */
	__aligned_u64 new_ref;		/* out */
};

/* DIOS_IOC_COPY: delegate references to another task (needs COPY). */
struct dios_copy_req {
	__aligned_u64 flags;		/* none defined */
	__aligned_u64 task;		/* a TASK reference */
	__aligned_u64 refs;		/* pointer to n __u64 handles */
	__aligned_u64 rights;		/* pointer to n __u64 rights, or 0: keep */
	__aligned_u64 remote_refs;	/* pointer to n __u64: out, handles there */
	__u32 n;
	__u32 __pad;
};

/* DIOS_IOC_DELETE */
struct dios_delete_req {
	__aligned_u64 flags;		/* DIOS_DELETE_* */
	__aligned_u64 ref;
};

/* DIOS_IOC_NAME: read an object's name (needs NAME). */
struct dios_name_req {
	__aligned_u64 flags;		/* none defined */
	__aligned_u64 ref;
	struct dios_name name;		/* out */
};

/* DIOS_IOC_TASK_SELF: a reference to the calling task's own task object. */
struct dios_task_self_req {
	__aligned_u64 flags;		/* none defined */
	__aligned_u64 ref;		/* out */
};

/*
 * DIOS_IOC_ACQUIRE_READ ... DIOS_IOC_RELEASE_WRITE: one transaction step on
 * the buffer of (ref, direction); see docs/io.md.
 *
 * @len:	acquire: the length wanted (in), the length granted or the
 *		message length (out); commit_write: the bytes to publish
 * @offset:	memory and blob: the window's start; stream: 0
 * @addr:	acquire: the buffer's address (out); commit and release: the
 *		same address (in)
 * @refs:	pointer to __u64 handles: carried by commit_write with
 *		DIOS_IO_REFS (in), received by acquire_read (out)
 * @n_refs:	commit_write: the count (in); acquire_read: the capacity
 *		(in) and the count (out)
 * @src_ref:	commit_write with DIOS_IO_FORWARD: the reference whose read
 *		buffer is published
 * @next_len:	commit with DIOS_IO_REARM: the length to acquire next
 * @done:	out (ABI 1.3, a struct of at least 80 bytes), for a step
 *		that acquires (an acquire, a commit with DIOS_IO_REARM), also
 *		when it fails: DIOS_IO_DONE_COMMIT once the commit took effect
 *		(the message was published or consumed, the blob written),
 *		DIOS_IO_DONE_ACQUIRE once a buffer is open (@addr, @len).  A
 *		re-arming commit that returns an error with DIOS_IO_DONE_COMMIT
 *		set committed, and no buffer is open.  Ignored on input.
 * @__pad2:	must be 0
 */
struct dios_io_req {
	__aligned_u64 flags;
	__aligned_u64 ref;
	__aligned_u64 len;
	__aligned_u64 offset;
	__aligned_u64 addr;
	__aligned_u64 refs;
	__u32 n_refs;
	__u32 __pad;
	__aligned_u64 src_ref;
	__aligned_u64 next_len;
	__u32 done;			/* at offset 72 */
	__u32 __pad2;
};

/* The size of struct dios_io_req in ABI 1.0 to 1.2 (no @done). */
#define DIOS_IO_REQ_SIZE_VER0	72

/* dios_io_req.done */
#define DIOS_IO_DONE_COMMIT	(1U << 0)	/* the commit took effect */
#define DIOS_IO_DONE_ACQUIRE	(1U << 1)	/* a buffer is open */

/* DIOS_IOC_XFER flags, besides DIOS_NONBLOCK (clear of the DIOS_IO_* bits). */
#define DIOS_XFER_SEND		(1ULL << 8)	/* copy one message into send_ref */
#define DIOS_XFER_RECV		(1ULL << 9)	/* then copy one out of recv_ref */

/*
 * DIOS_IOC_XFER: copy one message into a stream and/or one out of a
 * stream, without a view and without leaving a buffer open (docs/io.md,
 * "Copying I/O").  With both flags the send comes first: one system call
 * for a request and its reply.
 *
 * @flags:	DIOS_XFER_SEND and/or DIOS_XFER_RECV (at least one),
 *		DIOS_NONBLOCK
 * @send_ref:	the stream written (needs WRITE); SEND only, 0 otherwise
 * @send_buf:	pointer to the payload; SEND only
 * @send_len:	its length, 0 allowed; SEND only
 * @recv_ref:	the stream read (needs READ); RECV only, 0 otherwise
 * @recv_buf:	pointer to the receive buffer; RECV only
 * @recv_len:	in: the capacity of @recv_buf; out (success or -EMSGSIZE):
 *		the message's length; RECV only
 * @done:	out: DIOS_XFER_SEND once the message was sent (also when the
 *		receive then failed), | DIOS_XFER_RECV once one was received;
 *		ignored on input
 */
struct dios_xfer_req {
	__aligned_u64 flags;
	__aligned_u64 send_ref;
	__aligned_u64 send_buf;
	__aligned_u64 send_len;
	__aligned_u64 recv_ref;
	__aligned_u64 recv_buf;
	__aligned_u64 recv_len;
	__u32 done;
	__u32 __pad;
};

/* DIOS_IOC_XFER_BATCH flags, besides DIOS_NONBLOCK. */
#define DIOS_XFER_WAITFORONE	(1ULL << 10)	/* entries after the first never wait */

/* Entries per DIOS_IOC_XFER_BATCH call. */
#define DIOS_XFER_BATCH_MAX	1024

/*
 * DIOS_IOC_XFER_BATCH (DIOS_FEAT_XFER_BATCH, ABI 1.4): run @n DIOS_IOC_XFER
 * requests in one call, in order, as sendmmsg() and recvmmsg() do for
 * sockets (docs/io.md, "Batches").  Every entry is checked before the
 * first one runs; the batch stops at the first entry that fails.  Each
 * entry that ran gets its reply (send_len, recv_len, done) as from
 * DIOS_IOC_XFER, the one that failed included; an entry whose reply
 * cannot be written back failed with -EFAULT, as DIOS_IOC_XFER does.
 *
 * @flags:	DIOS_NONBLOCK (every entry as with DIOS_NONBLOCK),
 *		DIOS_XFER_WAITFORONE (only the first entry may wait)
 * @reqs:	pointer to @n struct dios_xfer_req
 * @n:		1 to DIOS_XFER_BATCH_MAX
 * @req_size:	sizeof(struct dios_xfer_req), the entries' stride: 64
 * @count:	out: the entries done in full, before the one that failed
 * @error:	out: 0 if all @n were done, else the error of entry @count
 *
 * Return: @count if it is not 0, else the error of entry 0.
 */
struct dios_xfer_batch_req {
	__aligned_u64 flags;
	__aligned_u64 reqs;
	__u32 n;
	__u32 req_size;
	__u32 count;
	__s32 error;
};

/*
 * DIOS_IOC_SELECT: wait until one of n references is ready for one of
 * @events; see docs/api.md.
 *
 * @refs:	pointer to n __u64 handles
 * @n:		1 to max_select
 * @events:	DIOS_EV_*, not 0
 * @timeout_ns:	< 0 waits forever, 0 polls (as does DIOS_NONBLOCK)
 * @ready_index: out: the lowest index of a ready reference
 */
struct dios_select_req {
	__aligned_u64 flags;		/* DIOS_NONBLOCK */
	__aligned_u64 refs;
	__u32 n;
	__u32 events;
	__s64 timeout_ns;		/* at offset 24: aligned on every ABI */
	__u32 ready_index;
	__u32 __pad;
};

/* dios_interest() flags: exactly one */
#define DIOS_INTEREST_ADD	(1ULL << 0)
#define DIOS_INTEREST_MOD	(1ULL << 1)
#define DIOS_INTEREST_DEL	(1ULL << 2)

/*
 * DIOS_IOC_INTEREST: change the context's persistent interest set, one
 * entry per reference.  ADD and MOD: @events (DIOS_EV_*, not 0) and
 * @cookie, reported by DIOS_IOC_INTEREST_WAIT; DEL: both 0.
 */
struct dios_interest_req {
	__aligned_u64 flags;		/* DIOS_INTEREST_* */
	__aligned_u64 ref;
	__u32 events;
	__u32 __pad;
	__aligned_u64 cookie;
};

/* One ready entry of the interest set. */
struct dios_interest_event {
	__aligned_u64 cookie;
	__u32 events;			/* the ready subset */
	__u32 __pad;			/* written as 0 */
};

/*
 * DIOS_IOC_INTEREST_WAIT: wait until entries of the interest set are ready
 * and report up to @max of them.
 *
 * @events:	pointer to @max struct dios_interest_event (out)
 * @max:	1 to max_select
 * @count:	out: the entries reported, at least 1
 * @timeout_ns:	as for DIOS_IOC_SELECT
 */
struct dios_interest_wait_req {
	__aligned_u64 flags;		/* DIOS_NONBLOCK */
	__aligned_u64 events;
	__u32 max;
	__u32 count;
	__s64 timeout_ns;		/* at offset 24 */
};

/*
 * DIOS_IOC_RUN: make a child process of the caller, forked and not yet
 * exec'd, a task (libdios dios_run() forks, asks, then execs).  The child's
 * context is created now, holding the delegated references in their order;
 * the child's first open of /dev/dios takes it over.
 *
 * @refs:	pointer to n_refs handles to delegate (each needs COPY)
 * @rights:	pointer to n_refs rights, each a subset of its reference's,
 *		or 0 to keep them
 * @task:	out: a reference to the new task object, with every right
 * @pid:	the child, as a process id in the caller's namespace
 * @n_refs:	0 to 1024, as for DIOS_IOC_COPY (1022 with DIOS_RUN_CHAN)
 *
 * With DIOS_RUN_CHAN (DIOS_FEAT_RUN_CHAN, ABI 1.2) the call also creates
 * the two anonymous streams of a channel to the child, as
 * dios_chan_pair() would: stream 0 carries messages to the child, stream
 * 1 from it.  The child gets them first, before the delegated references:
 * stream 0 with DIOS_RUN_CHAN_FAR_RX, stream 1 with DIOS_RUN_CHAN_FAR_TX.
 *
 * @capacity:	DIOS_RUN_CHAN: the capacity of each stream; 0 otherwise
 * @chan_tx:	out: DIOS_RUN_CHAN: the caller's reference to stream 0, with
 *		DIOS_RUN_CHAN_OWN_TX; 0 otherwise
 * @chan_rx:	out: the caller's reference to stream 1, DIOS_RUN_CHAN_OWN_RX
 */
struct dios_run_req {
	__aligned_u64 flags;		/* DIOS_RUN_CHAN */
	__aligned_u64 refs;
	__aligned_u64 rights;
	__aligned_u64 task;
	__u32 pid;
	__u32 n_refs;
	__aligned_u64 capacity;		/* at offset 40 */
	__aligned_u64 chan_tx;
	__aligned_u64 chan_rx;
};

/* The size of struct dios_run_req in ABI 1.0 and 1.1. */
#define DIOS_RUN_REQ_SIZE_VER0	40

/* dios_run_req.flags */
#define DIOS_RUN_CHAN		(1ULL << 0)

/* The rights of the channel ends DIOS_RUN_CHAN makes. */
#define DIOS_RUN_CHAN_FAR_RX	(DIOS_RIGHT_READ | DIOS_RIGHT_COPY)
#define DIOS_RUN_CHAN_FAR_TX	(DIOS_RIGHT_WRITE | DIOS_RIGHT_COPY)
#define DIOS_RUN_CHAN_OWN_TX	(DIOS_RUN_CHAN_FAR_TX | DIOS_RIGHT_DELETE)
#define DIOS_RUN_CHAN_OWN_RX	(DIOS_RUN_CHAN_FAR_RX | DIOS_RIGHT_DELETE)

/*
 * DIOS_IOC_TASK_REFS: the handles of the references delegated to the
 * calling task by dios_run, in their order (none for a task that was not
 * started by dios_run).
 *
 * @refs:	pointer to room for @n handles (out)
 * @n:		in: the capacity; out: the count.  -ENOSPC (nothing written,
 *		@n set) when the capacity is not 0 and below the count.
 */
struct dios_task_refs_req {
	__aligned_u64 flags;		/* none defined */
	__aligned_u64 refs;
	__u32 n;
	__u32 __pad;
};

/* DIOS_IOC_PAUSE, DIOS_IOC_RESUME: stop and continue a task (needs WRITE). */
struct dios_task_req {
	__aligned_u64 flags;		/* none defined */
	__aligned_u64 task;
};

/* dios_task_wait_req.reap: the caller is the parent and must reap it */
#define DIOS_TASK_REAP		(1U << 0)

/*
 * DIOS_IOC_TASK_WAIT: wait until a task exited (needs READ) and report its
 * status: the exit code, or 128 + the number of the signal that killed it.
 *
 * @status:	out: the exit status
 * @pid:	out: its process id in the caller's namespace, 0 if none
 * @reap:	out: DIOS_TASK_REAP if the process is a zombie child of the
 *		caller, for waitid(P_PID, pid, WEXITED | WNOHANG)
 */
struct dios_task_wait_req {
	__aligned_u64 flags;		/* DIOS_NONBLOCK: -EAGAIN if running */
	__aligned_u64 task;
	__s32 status;
	__u32 pid;
	__u32 reap;
	__u32 __pad;
};

/*
 * Ring streams (DIOS_CREATE_RING, DIOS_FEAT_RING, ABI 1.4; docs/ring.md):
 * streams whose messages move in user space.  The holder of a side's lease
 * (DIOS_RING_ATTACH) maps the control pages and the ring, and writes (or
 * reads) frames without a system call; DIOS_IOC_RING is entered only to
 * sleep, to wake the other side, and to take or give back the lease.
 *
 * The view of either side is DIOS_RING_CTL_PAGES control pages, then the
 * ring of ring_size bytes mapped twice back to back:
 *
 *   page 0  struct dios_ring_kern: written by the kernel only
 *   page 1  struct dios_ring_pos: the tail, written by the writer
 *   page 2  struct dios_ring_pos: the head, written by the reader
 *
 * The read side's view is read-only; the reader writes its head through
 * the separate page at @own.  Positions are byte counters that only grow;
 * a frame starts at a multiple of 8: a struct dios_ring_frame, then @len
 * bytes, then padding to 8.  Nothing in these pages is trusted by the
 * kernel, nor by libdios, which checks every position and length it reads.
 *
 * References (DIOS_FEAT_RING_REFS, ABI 1.5) travel through the kernel: the
 * writer queues them for the position of its next frame
 * (DIOS_RING_PUSH_REFS), then publishes the frame with
 * DIOS_RING_FRAME_REFS; the reader of that frame installs them
 * (DIOS_RING_TAKE_REFS) and ends the take as it ends the read
 * (DIOS_RING_COMMIT_REFS, DIOS_RING_RELEASE_REFS).  docs/ring.md.
 */
#define DIOS_RING_CTL_PAGES	3
#define DIOS_RING_MAGIC		0x52534f44	/* "DOSR" */

/* dios_ring_kern.flags */
#define DIOS_RING_ZOMBIE	(1U << 0)	/* zombified: -EIDRM from now on */
#define DIOS_RING_NO_READERS	(1U << 1)	/* writers get -EPIPE */
#define DIOS_RING_NO_WRITERS	(1U << 2)	/* readers drain, then -EPIPE */

struct dios_ring_kern {
	__u32 magic;			/* DIOS_RING_MAGIC */
	__u32 flags;			/* DIOS_RING_* */
	__u32 rwake;			/* non-zero: after a publish, DIOS_RING_WAKE */
	__u32 wwake;			/* non-zero: after a consume, DIOS_RING_WAKE */
	__aligned_u64 ring_size;	/* bytes of frames */
	__aligned_u64 capacity;		/* the longest message */
};

struct dios_ring_pos {
	__aligned_u64 pos;
};

/* dios_ring_frame.flags */
#define DIOS_RING_FRAME_REFS	(1U << 0)	/* references queued in the kernel */

/* A frame's header; @flags is 0 or DIOS_RING_FRAME_REFS. */
struct dios_ring_frame {
	__u32 len;
	__u32 flags;
};

/* dios_ring_req.op */
#define DIOS_RING_ATTACH	1	/* take the side's lease, map the ring */
#define DIOS_RING_DETACH	2	/* give the lease back */
#define DIOS_RING_WAIT		3	/* sleep until the other side moved */
#define DIOS_RING_WAKE		4	/* wake the sleepers of the stream */
#define DIOS_RING_PUSH_REFS	5	/* writer: queue the next frame's references */
#define DIOS_RING_TAKE_REFS	6	/* reader: install the head frame's references */
#define DIOS_RING_COMMIT_REFS	7	/* reader: the frame is consumed */
#define DIOS_RING_RELEASE_REFS	8	/* reader: the frame stays, the handles go */

/* dios_ring_req.side */
#define DIOS_RING_READ		1
#define DIOS_RING_WRITE		2

/*
 * DIOS_IOC_RING: one operation on the side @side of the ring stream @ref
 * (the side's right needed).
 *
 * @flags:	ATTACH: DIOS_NONBLOCK (-EAGAIN while another reference holds
 *		the lease); 0 otherwise
 * @pos:	WAIT: the position last seen of the other side (read: the
 *		tail, write: the head); the call returns once it moved, or
 *		-EPIPE (no one left on the other side, and nothing to read),
 *		-EIDRM, -EBADF.  0 otherwise
 * @wake_ref:	WAIT: 0, or a ring stream whose sleepers are woken first
 *		(the send of a call); 0 otherwise
 * @addr:	ATTACH (out): the view; DETACH (in): the same
 * @own:	ATTACH (out): the caller's position word (the tail in the
 *		view for a writer, a page of its own for a reader)
 * @ring_size:	ATTACH (out)
 *
 * The references of a frame (ABI 1.5; 0 in every other op), each op for
 * the holder of the side's lease (-EINVAL without it), @pos the frame's
 * position:
 *
 * @refs:	PUSH_REFS (WRITE side): pointer to @n_refs handles (1 to 64),
 *		checked and taken out of the caller's table as commit_write
 *		with DIOS_IO_REFS does, queued for the frame at @pos, which
 *		must be the tail.  TAKE_REFS (READ side): the array the
 *		handles installed from the queue's oldest entry are written
 *		to; that entry must be for @pos, the head (-EBADMSG).
 * @n_refs:	PUSH_REFS: the count.  TAKE_REFS: in, the capacity of @refs;
 *		out (success or -EMSGSIZE), the entry's count.
 *		COMMIT_REFS (the frame at @pos was consumed: the entry goes,
 *		the handles stay) and RELEASE_REFS (it was put back: the
 *		handles installed go, the entry stays) end a take: @refs and
 *		@n_refs 0.
 */
struct dios_ring_req {
	__aligned_u64 flags;
	__u32 op;
	__u32 side;
	__aligned_u64 ref;
	__aligned_u64 pos;
	__aligned_u64 wake_ref;
	__aligned_u64 addr;
	__aligned_u64 own;
	__aligned_u64 ring_size;
	__aligned_u64 refs;		/* at offset 64, ABI 1.5 */
	__u32 n_refs;
	__u32 __pad;
};

/* The size of struct dios_ring_req in ABI 1.4 (no @refs, @n_refs). */
#define DIOS_RING_REQ_SIZE_VER0	64

#define DIOS_IOC_MAGIC		0xD1

#define DIOS_IOC_VERSION	_IOWR(DIOS_IOC_MAGIC, 0x00, struct dios_version_req)
#define DIOS_IOC_CREATE		_IOWR(DIOS_IOC_MAGIC, 0x01, struct dios_create_req)
#define DIOS_IOC_LOOKUP		_IOWR(DIOS_IOC_MAGIC, 0x02, struct dios_lookup_req)
#define DIOS_IOC_PUBLISH	_IOWR(DIOS_IOC_MAGIC, 0x03, struct dios_publish_req)
#define DIOS_IOC_DUP		_IOWR(DIOS_IOC_MAGIC, 0x04, struct dios_dup_req)
#define DIOS_IOC_COPY		_IOWR(DIOS_IOC_MAGIC, 0x05, struct dios_copy_req)
#define DIOS_IOC_DELETE		_IOWR(DIOS_IOC_MAGIC, 0x06, struct dios_delete_req)
#define DIOS_IOC_NAME		_IOWR(DIOS_IOC_MAGIC, 0x07, struct dios_name_req)
#define DIOS_IOC_TASK_SELF	_IOWR(DIOS_IOC_MAGIC, 0x08, struct dios_task_self_req)
#define DIOS_IOC_ACQUIRE_READ	_IOWR(DIOS_IOC_MAGIC, 0x10, struct dios_io_req)
#define DIOS_IOC_COMMIT_READ	_IOWR(DIOS_IOC_MAGIC, 0x11, struct dios_io_req)
#define DIOS_IOC_RELEASE_READ	_IOWR(DIOS_IOC_MAGIC, 0x12, struct dios_io_req)
#define DIOS_IOC_ACQUIRE_WRITE	_IOWR(DIOS_IOC_MAGIC, 0x13, struct dios_io_req)
#define DIOS_IOC_COMMIT_WRITE	_IOWR(DIOS_IOC_MAGIC, 0x14, struct dios_io_req)
#define DIOS_IOC_RELEASE_WRITE	_IOWR(DIOS_IOC_MAGIC, 0x15, struct dios_io_req)
#define DIOS_IOC_XFER		_IOWR(DIOS_IOC_MAGIC, 0x16, struct dios_xfer_req)
#define DIOS_IOC_XFER_BATCH	_IOWR(DIOS_IOC_MAGIC, 0x17, struct dios_xfer_batch_req)
#define DIOS_IOC_SELECT		_IOWR(DIOS_IOC_MAGIC, 0x20, struct dios_select_req)
#define DIOS_IOC_INTEREST	_IOWR(DIOS_IOC_MAGIC, 0x21, struct dios_interest_req)
#define DIOS_IOC_INTEREST_WAIT	_IOWR(DIOS_IOC_MAGIC, 0x22, struct dios_interest_wait_req)
#define DIOS_IOC_RUN		_IOWR(DIOS_IOC_MAGIC, 0x30, struct dios_run_req)
#define DIOS_IOC_TASK_REFS	_IOWR(DIOS_IOC_MAGIC, 0x31, struct dios_task_refs_req)
#define DIOS_IOC_PAUSE		_IOWR(DIOS_IOC_MAGIC, 0x32, struct dios_task_req)
#define DIOS_IOC_RESUME		_IOWR(DIOS_IOC_MAGIC, 0x33, struct dios_task_req)
#define DIOS_IOC_TASK_WAIT	_IOWR(DIOS_IOC_MAGIC, 0x34, struct dios_task_wait_req)
#define DIOS_IOC_RING		_IOWR(DIOS_IOC_MAGIC, 0x18, struct dios_ring_req)

#endif /* _UAPI_LINUX_DIOS_H */
