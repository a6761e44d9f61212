/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_BUFFER_H
#define __DIOS_BUFFER_H

/**
 * DOC: Views and buffers
 *
 * A view is one mapping of an object's pages into the task that owns a
 * context, made by the module itself: the acquire ioctl calls vm_mmap() on
 * the context file at a file offset private to the view.  The context's
 * mmap handler accepts such an offset only from the thread that is creating
 * that very view (dios_view_mmap()); a user mmap() of it gets -EINVAL.
 * Pages come from the view's fault handler, which asks the object type for
 * the page behind an index (&dios_object_ops.view_page) and takes nothing
 * but the type's page spinlock: the fault path runs under mmap_lock, so it
 * must never take a lock that is held around vm_mmap() or vm_munmap().
 *
 * Every reference that does I/O has a read side and a write side (struct
 * dios_ref_io, allocated when an I/O step first looks the reference up, so
 * that references that never do I/O stay small), each with its own mutex,
 * its cached view and its one buffer.  A view is created by the first
 * acquire on that side and reused by every later one, so steady-state I/O
 * changes no page table.  The view is dropped when the user unmaps it (the
 * vma's close hook marks it unmapped and the next acquire makes a new one)
 * or when the reference is deleted (the module unmaps it).  Read views are
 * read-only for good (no VM_MAYWRITE); no view can be split, moved, grown,
 * inherited or dumped.
 *
 * Lifetime: a view is a kref held by the reference's cache and by its vma
 * (open/close); it holds a memory reference on its object, so the fault
 * handler can always reach the object's page store (the store refuses new
 * pages once the insides are destroyed), and a grab on its mm, so that
 * forwarding can zap it from another task (through the vma, found under
 * that mm's mmap_lock: a view pins neither its context nor its file).
 *
 * Views and the metadata map are VM_IO: they cannot be inherited
 * (madvise(MADV_DOFORK) fails) nor pinned (get_user_pages() fails), so a
 * page of a revoked view, or of a deleted reference, stays out of reach.
 *
 * Lock order (outermost first), adding to context.c's:
 *
 *   dios_ref_io.side[].lock	mutex; one side of one reference
 *     (another read side)	forwarding only, mutex_trylock() only
 *     dios_context.view_create_lock  mutex; one view creation at a time
 *				per context (buffer.c)
 *     dios_ring.refs_lock	mutex; the references of a ring stream's
 *				frames (ring_refs.c)
 *     mmap_lock		vm_mmap()/vm_munmap() of the side's view;
 *				the zap barriers, also of another task's mm
 *     dios_context.lock	installing/removing carried references
 *     dios_gc_lock		spinlock; in-flight counts, queueing and
 *				consuming messages that carry references
 *				(gc.c)
 *     dios_stream.lock		spinlock; type state (stream.c, blob.c)
 *     dios_pages.lock		spinlock; a page store, also under mmap_lock
 *				from the fault handler
 *   dios_context.view_lock	spinlock; the view being created, also
 *				under mmap_lock from the mmap handler
 *   dios_object.lock		spinlock; the object's reference counts and
 *				its list of views, also under mmap_lock when
 *				a vma's close frees a view
 *
 * The side mutex is held across a blocking acquire: the other side of the
 * same reference stays usable, and deletion of the reference first sets
 * @dying and wakes the object's wait queue so that the waiter leaves.
 */

#include <linux/bits.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct dios_context;
struct dios_object;
struct dios_ref;
struct file;

/*
 * dios_io.flags, kernel only (never accepted from user space): the acquire
 * of DIOS_RING_ATTACH, a ring stream's lease (ring.c).
 */
#define DIOS_IO_RING_LEASE	BIT_ULL(63)

/* References one message may carry (-E2BIG above). */
#define DIOS_IO_MAX_REFS	64

enum {
	DIOS_IO_DIR_READ,
	DIOS_IO_DIR_WRITE,
	DIOS_IO_NR_DIRS,
};

/**
 * struct dios_pages - a lazily populated array of pages
 * @lock:	protects @pages and @dead
 * @dead:	the owner destroyed its insides: no page is handed out any more
 * @nr:		number of pages; immutable
 * @pages:	the pages, NULL until first touched
 * @borrowed:	bitmap: the page is shared with an object that must never see
 *		it written (a blob's committed page forwarded into a stream);
 *		writable views get SIGBUS there
 * @inline_page: @pages of a store of one page (no allocation)
 * @inline_borrowed: @borrowed of a store of at most BITS_PER_LONG pages
 */
struct dios_pages {
	spinlock_t lock; /* protects pages, borrowed, dead */
	bool dead;
	unsigned long nr;
	struct page **pages;
	unsigned long *borrowed;
	struct page *inline_page;
	unsigned long inline_borrowed;
};

int dios_pages_init(struct dios_pages *p, u64 bytes);
struct page *dios_pages_get(struct dios_pages *p, unsigned long index,
			    bool writable);
struct page *dios_pages_held(struct dios_pages *p, unsigned long index,
			     bool writable);
struct page *dios_pages_replace(struct dios_pages *p, unsigned long index,
				struct page *page, bool borrowed,
				bool *was_borrowed);
bool dios_pages_borrowed(struct dios_pages *p, unsigned long index);
void dios_put_page(struct page *page);
void dios_pages_destroy(struct dios_pages *p);

/**
 * struct dios_view - one mapping of an object into one task
 * @kref:	held by the reference's cache and by the vma
 * @obj:	the object, a memory reference held; immutable
 * @ctx:	the context whose file is mapped, for the creation only; no
 *		reference: never used once the view is mapped (zaps find the
 *		file through the vma)
 * @mm:		the address space, grabbed (mmgrab) for the zaps of
 *		forwarding
 * @obj_link:	in the object's list of views, under its lock
 * @creator:	the thread creating the view, until it is mapped
 * @addr:	start of the mapping; set once mapped
 * @len:	length in bytes; immutable
 * @pgoff:	the view's private file offset in pages; immutable
 * @space_node:	in the module's tree of the offsets in use, under its lock
 * @writable:	mapped PROT_WRITE; immutable
 * @word:	the position page of a ring stream's reader (ring.c): one
 *		page, writable; immutable
 * @nr_vmas:	vmas using the view (one; two while mremap() is refused)
 * @unmapped:	the last vma is gone
 * @dead:	revoked: faults get SIGBUS
 * @txn:	blob: the transaction whose pages the view shows, protected by
 *		the blob's lock
 * @populated:	types with &dios_object_ops.view_populate: bitmap of the view
 *		pages known to be mapped (set under mmap_lock read, atomically;
 *		cleared under mmap_lock write by the zaps); a hint only, a page
 *		missing from the page table still faults in.  NULL otherwise
 */
struct dios_view {
	struct kref kref;
	struct dios_object *obj;
	struct dios_context *ctx;
	struct mm_struct *mm;
	struct hlist_node obj_link;
	struct task_struct *creator;
	unsigned long addr;
	unsigned long len;
	unsigned long pgoff;
	struct rb_node space_node;
	bool writable;
	bool word;
	atomic_t nr_vmas;
	bool unmapped;
	bool dead;
	void *txn;
	unsigned long *populated;
};

/**
 * struct dios_buf - the one buffer of one side of a reference
 * @busy:	a transaction is open
 * @addr:	its address in the view
 * @len:	its length
 * @offset:	memory: the window's start
 * @pos:	stream: the ring position of the reservation or message
 * @priv:	type data (the stream message being read)
 * @handles:	stream read: the handles installed from the message, removed
 *		again by release_read; freed with the buffer
 * @n_handles:	their number
 */
struct dios_buf {
	bool busy;
	u64 addr;
	u64 len;
	u64 offset;
	u64 pos;
	void *priv;
	u64 *handles;
	u32 n_handles;
};

/**
 * struct dios_ref_side - one direction of a reference
 * @lock:	serialises the transactions of this side, and view creation
 * @view:	the cached view, or NULL; protected by @lock
 * @buf:	the buffer; protected by @lock
 */
struct dios_ref_side {
	struct mutex lock; /* serialises this side */
	struct dios_view *view;
	struct dios_buf buf;
};

/**
 * struct dios_ref_io - the I/O state of a reference, made by its first I/O
 * @users:	the reference's table holds one while the reference is in it,
 *		so does every I/O operation that looked the reference up; the
 *		last put frees the reference (context.c)
 * @dying:	the reference is being deleted: leave blocking waits
 * @dead:	the reference is deleted; set under both side locks
 * @side:	read and write side
 */
struct dios_ref_io {
	refcount_t users;
	bool dying;
	bool dead;
	struct dios_ref_side side[DIOS_IO_NR_DIRS];
};

/**
 * struct dios_io - one I/O operation, as the type sees it
 * @ref:	the reference (pinned)
 * @obj:	its object, held active by the caller
 * @flags:	DIOS_NONBLOCK, DIOS_IO_*
 * @len:	acquire: wanted (in), granted or needed (out); commit_write: the
 *		bytes to publish
 * @offset:	memory: the window's start
 * @voff:	acquire (out): the buffer's byte offset in the view, set by
 *		the type
 * @addr:	acquire (out): the buffer's address
 * @buf:	the side's buffer
 * @view:	the side's view
 * @src_ref:	commit_write with DIOS_IO_FORWARD: the source reference
 * @refs:	user pointer to handles: carried by commit_write with
 *		DIOS_IO_REFS, received by a stream read
 * @ubuf:	xfer: user pointer to the bytes copied into the object
 *		(write) or out of it (read); ring attach (out): the address
 *		of the caller's position word
 * @dead:	references the operation took out of a table, torn down by
 *		the caller once it holds no I/O lock
 * @dir:	DIOS_IO_DIR_*
 * @n_refs:	the count of @refs (commit_write) or their capacity
 *		(acquire_read, in) and count (out)
 * @done:	out: DIOS_IO_DONE_COMMIT once a commit took effect,
 *		DIOS_IO_DONE_ACQUIRE once a buffer is open
 * @zombie:	release only: the object is a zombie, its insides are gone;
 *		free what the buffer holds and touch nothing else
 */
struct dios_io {
	struct dios_ref *ref;
	struct dios_object *obj;
	u64 flags;
	u64 len;
	u64 offset;
	u64 voff;
	u64 addr;
	struct dios_buf *buf;
	struct dios_view *view;
	u64 src_ref;
	u64 refs;
	u64 ubuf;
	struct list_head dead;
	unsigned int dir;
	u32 n_refs;
	u32 done;
	bool zombie;
};

void dios_ref_io_init(struct dios_ref_io *io);
void dios_ref_io_uninit(struct dios_ref_io *io);
void dios_ref_io_teardown(struct dios_ref *ref);
bool dios_io_dying_after(struct dios_io *io);
void dios_ref_io_mark_dying(struct dios_ref *ref);

int dios_io_acquire(struct dios_io *io);
int dios_io_commit(struct dios_io *io, u64 addr, u64 next_len);
int dios_io_release(struct dios_io *io, u64 addr);
int dios_io_xfer(struct dios_io *io);
int dios_io_ring_wait(struct dios_io *io, u64 seen);
int dios_io_ring_refs(struct dios_io *io, u32 op, u64 pos);

int dios_view_mmap(struct dios_context *ctx, struct vm_area_struct *vma);
void dios_view_zap(struct dios_view *view, u64 off, u64 len);
struct dios_view *dios_view_create_word(struct dios_io *io);
void dios_view_drop(struct dios_view *view);
void dios_views_zap_ring(struct dios_object *obj, unsigned long nr,
			 unsigned long first, unsigned long n);

#endif /* __DIOS_BUFFER_H */
