// SPDX-License-Identifier: GPL-2.0
/*
 * buffer.c - I/O transactions: the views the module maps into the task, the
 * buffer of each side of a reference, the page stores behind the views and
 * the steps acquire, commit and release common to every object type.
 *
 * Lock order: see buffer.h.  The fault handler runs under mmap_lock (read)
 * and takes a page store's spinlock only; the mmap handler runs under
 * mmap_lock (write) and takes dios_context.view_lock only.  Side mutexes
 * are taken outside mmap_lock (vm_mmap() and vm_munmap() are called with
 * one held), never inside it: neither handler nor the vma close hook takes
 * one.
 */

#include <linux/bitmap.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "buffer.h"
#include "ring.h"
#include "compat.h"
#include "context.h"
#include "debugfs.h"
#include "main.h"
#include "object.h"

/*
 * View offsets, in pages, start above the metadata map.  The zaps go
 * through the file's mapping, which every open of /dev/dios shares: no two
 * live views may share an offset, and a gap page after each view keeps two
 * views from ever looking contiguous in the file.  vm_mmap() takes the
 * offset in bytes, in an unsigned long: a view must end below
 * DIOS_VIEW_PGOFF_END.  Offsets are handed out upwards from where the last
 * view was put, and only when that reaches the end is the space searched
 * from the base for the first hole that freed views left: on 64-bit
 * kernels (2^52 pages) an offset is in practice never reused; on 32-bit
 * ones the 4 GiB below the end are reused, and only when the live views of
 * all tasks together cover them does a new view fail, with -EOVERFLOW as
 * mmap(2) does when offset and length pass what the offset type holds.
 */
#define DIOS_VIEW_PGOFF_BASE	(BITS_PER_LONG == 64 ? \
				 (unsigned long)BIT_ULL(32) : SZ_512M >> PAGE_SHIFT)
#define DIOS_VIEW_PGOFF_END	(ULONG_MAX >> PAGE_SHIFT)
static_assert(DIOS_MMAP_META + PAGE_SIZE + (u64)DIOS_MAX_REFS_LIMIT *
	      sizeof(struct dios_ref_meta) <=
	      (u64)DIOS_VIEW_PGOFF_BASE << PAGE_SHIFT);

/* The offsets in use, by @pgoff, and where the next search starts. */
static struct {
	spinlock_t lock;	/* protects both */
	struct rb_root views;
	unsigned long next;
} dios_view_space = {
	.lock = __SPIN_LOCK_UNLOCKED(dios_view_space.lock),
	.views = RB_ROOT,
	.next = DIOS_VIEW_PGOFF_BASE,
};

/* ---- page stores --------------------------------------------------------- */

/**
 * dios_pages_init() - prepare a store of @bytes, rounded up to pages
 * @p:		the store
 * @bytes:	its size
 *
 * Only the pointer array is allocated: pages come on first touch.
 *
 * Return: 0 or -ENOMEM.
 */
int dios_pages_init(struct dios_pages *p, u64 bytes)
{
	spin_lock_init(&p->lock);
	p->nr = PAGE_ALIGN(bytes) >> PAGE_SHIFT;
	p->inline_page = NULL;
	p->inline_borrowed = 0;
	/* Small stores, the common case, allocate nothing more. */
	if (p->nr <= 1)
		p->pages = &p->inline_page;
	else
		p->pages = kvcalloc(p->nr, sizeof(*p->pages),
				    GFP_KERNEL_ACCOUNT);
	if (p->nr <= BITS_PER_LONG)
		p->borrowed = &p->inline_borrowed;
	else
		p->borrowed = kvcalloc(BITS_TO_LONGS(p->nr), sizeof(long),
				       GFP_KERNEL_ACCOUNT);
	return p->pages && p->borrowed ? 0 : -ENOMEM;
}

/*
 * The page at @index with a reference for the caller, allocated zeroed and
 * charged to the current task's memory cgroup on first touch.  Called from
 * the fault handler: takes the store's spinlock only, allocates outside it.
 *
 * Return: the page, NULL once the store is destroyed, for a borrowed page
 * wanted @writable, or if @index is out of range, ERR_PTR(-ENOMEM).
 */
struct page *dios_pages_get(struct dios_pages *p, unsigned long index,
			    bool writable)
{
	struct page *page = NULL, *new = NULL;
	bool refused;

	if (index >= p->nr)
		return NULL;
	for (;;) {
		spin_lock(&p->lock);
		refused = p->dead || (writable && test_bit(index, p->borrowed));
		if (!refused) {
			if (!p->pages[index] && new) {
				/* Zeroed before published: dios_pages_held(). */
				smp_store_release(&p->pages[index], new);
				new = NULL;
			}
			page = p->pages[index];
			if (page)
				get_page(page);
		}
		spin_unlock(&p->lock);
		if (page || refused)
			break;
		new = alloc_page(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT);
		if (!new)
			return ERR_PTR(-ENOMEM);
	}
	if (new)
		put_page(new);
	return page;
}

/**
 * dios_pages_held() - the page at @index, for the holder of its slot
 * @p:		the store
 * @index:	the slot
 * @writable:	the page will be written
 *
 * For a caller that holds the slot (the ring pages of its stream
 * reservation or message) and an active reference on the store's owner:
 * nothing replaces the page or frees the store meanwhile, so the page needs
 * no reference of its own and a page already there is found without the
 * lock.  Otherwise as dios_pages_get().
 *
 * Return: the page (no reference taken), NULL or ERR_PTR(-ENOMEM) as
 * dios_pages_get().
 */
struct page *dios_pages_held(struct dios_pages *p, unsigned long index,
			     bool writable)
{
	struct page *page;

	if (index >= p->nr)
		return NULL;
	/* Pairs with the smp_store_release() of the page's publisher. */
	page = smp_load_acquire(&p->pages[index]);
	if (likely(page && !(writable && test_bit(index, p->borrowed))))
		return page;
	page = dios_pages_get(p, index, writable);
	/* The store keeps its own reference, and the slot is held. */
	if (!IS_ERR_OR_NULL(page))
		put_page(page);
	return page;
}

/* Drop a page reference that may be NULL. */
void dios_put_page(struct page *page)
{
	if (page)
		put_page(page);
}

/**
 * dios_pages_replace() - put another page in a slot
 * @p:		the store, not destroyed
 * @index:	the slot
 * @page:	the new page; the store takes its own reference
 * @borrowed:	the new page is borrowed (see struct dios_pages)
 * @was_borrowed: out: the old page was
 *
 * Return: the old page, whose reference passes to the caller, or NULL.
 */
struct page *dios_pages_replace(struct dios_pages *p, unsigned long index,
				struct page *page, bool borrowed,
				bool *was_borrowed)
{
	struct page *old;

	get_page(page);
	spin_lock(&p->lock);
	old = p->pages[index];
	/* Pairs with the smp_load_acquire() in dios_pages_held(). */
	smp_store_release(&p->pages[index], page);
	*was_borrowed = test_bit(index, p->borrowed);
	if (borrowed)
		__set_bit(index, p->borrowed);
	else
		__clear_bit(index, p->borrowed);
	spin_unlock(&p->lock);
	return old;
}

bool dios_pages_borrowed(struct dios_pages *p, unsigned long index)
{
	bool ret;

	spin_lock(&p->lock);
	ret = test_bit(index, p->borrowed);
	spin_unlock(&p->lock);
	return ret;
}

/*
 * Free the store's pages.  Mapped pages live on, held by the page tables
 * that map them, until unmapped; no new fault gets a page.
 */
void dios_pages_destroy(struct dios_pages *p)
{
	unsigned long i;

	spin_lock(&p->lock);
	p->dead = true;
	spin_unlock(&p->lock);
	if (p->borrowed != &p->inline_borrowed)
		kvfree(p->borrowed);
	p->borrowed = NULL;
	if (!p->pages)
		return;
	for (i = 0; i < p->nr; i++)
		if (p->pages[i])
			put_page(p->pages[i]);
	if (p->pages != &p->inline_page)
		kvfree(p->pages);
	p->pages = NULL;
}

/* ---- views ---------------------------------------------------------------- */

/* Pages of offsets @view takes: its own and the gap page after it. */
static unsigned long dios_view_span(struct dios_view *view)
{
	return (view->len >> PAGE_SHIFT) + 1;
}

/*
 * The first free range of @span pages at or above @from, or 0 if none
 * ends by DIOS_VIEW_PGOFF_END.  Walks the views from the one that holds
 * @from or comes after it.
 */
static unsigned long dios_view_space_hole(unsigned long from,
					  unsigned long span)
{
	struct rb_node *node = dios_view_space.views.rb_node, *first = NULL;
	struct dios_view *view;

	lockdep_assert_held(&dios_view_space.lock);
	while (node) {
		view = rb_entry(node, struct dios_view, space_node);
		if (view->pgoff + dios_view_span(view) > from) {
			first = node;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	for (node = first; node; node = rb_next(node)) {
		view = rb_entry(node, struct dios_view, space_node);
		if (view->pgoff >= from && view->pgoff - from >= span)
			break;
		from = max(from, view->pgoff + dios_view_span(view));
	}
	return DIOS_VIEW_PGOFF_END - from >= span ? from : 0;
}

/* Give @view its offset, @view->len set.  Return: 0 or -EOVERFLOW. */
static int dios_view_space_get(struct dios_view *view)
{
	unsigned long span = dios_view_span(view), pgoff;
	struct rb_node **link, *parent = NULL;

	spin_lock(&dios_view_space.lock);
	pgoff = dios_view_space_hole(dios_view_space.next, span);
	if (!pgoff)
		pgoff = dios_view_space_hole(DIOS_VIEW_PGOFF_BASE, span);
	if (!pgoff) {
		spin_unlock(&dios_view_space.lock);
		return -EOVERFLOW;
	}
	view->pgoff = pgoff;
	dios_view_space.next = pgoff + span;
	link = &dios_view_space.views.rb_node;
	while (*link) {
		parent = *link;
		if (pgoff < rb_entry(parent, struct dios_view,
				     space_node)->pgoff)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&view->space_node, parent, link);
	rb_insert_color(&view->space_node, &dios_view_space.views);
	spin_unlock(&dios_view_space.lock);
	return 0;
}

static void dios_view_space_put(struct dios_view *view)
{
	spin_lock(&dios_view_space.lock);
	rb_erase(&view->space_node, &dios_view_space.views);
	spin_unlock(&dios_view_space.lock);
}

static void dios_view_free(struct kref *kref)
{
	struct dios_view *view = container_of(kref, struct dios_view, kref);

	if (view->pgoff)
		dios_view_space_put(view);
	spin_lock(&view->obj->lock);
	hlist_del(&view->obj_link);
	spin_unlock(&view->obj->lock);
	mmdrop(view->mm);
	dios_object_put(view->obj);
	kvfree(view->populated);
	kfree(view);
}

static void dios_view_put(struct dios_view *view)
{
	if (view)
		kref_put(&view->kref, dios_view_free);
}

static void dios_view_vm_open(struct vm_area_struct *vma)
{
	struct dios_view *view = vma->vm_private_data;

	atomic_inc(&view->nr_vmas);
	kref_get(&view->kref);
}

/* Runs under mmap_lock: no side mutex here (see the lock order). */
static void dios_view_vm_close(struct vm_area_struct *vma)
{
	struct dios_view *view = vma->vm_private_data;

	if (atomic_dec_and_test(&view->nr_vmas))
		WRITE_ONCE(view->unmapped, true);
	dios_view_put(view);
}

static int dios_view_vm_may_split(struct vm_area_struct *vma,
				  unsigned long addr)
{
	return -EINVAL;
}

static int dios_view_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/*
 * ptrace() and /proc/<pid>/mem: get_user_pages() refuses VM_IO mappings,
 * so debuggers come here.  One page at a time, with the fault handler's
 * checks made now: a revoked view, a page the view does not show (outside
 * a blob's open transaction, a borrowed page for a write), a write to a
 * read view.  Returns the bytes done or a negative errno, as
 * generic_access_phys() does.
 */
static int dios_view_vm_access(struct vm_area_struct *vma, unsigned long addr,
			       void *buf, int len, int write)
{
	struct dios_view *view = vma->vm_private_data;
	struct dios_object *obj = view->obj;
	unsigned long off = offset_in_page(addr);
	int n = min_t(unsigned long, len, PAGE_SIZE - off);
	struct page *page;
	void *kaddr;

	if (READ_ONCE(view->dead) || (write && !view->writable))
		return -EACCES;
	page = obj->ops->view_page(obj, view,
				   (addr - vma->vm_start) >> PAGE_SHIFT);
	if (IS_ERR_OR_NULL(page))
		return page ? PTR_ERR(page) : -EFAULT;
	kaddr = kmap_local_page(page);
	if (write) {
		memcpy(kaddr + off, buf, n);
		flush_dcache_page(page);
	} else {
		memcpy(buf, kaddr + off, n);
	}
	kunmap_local(kaddr);
	put_page(page);
	return n;
}

/*
 * Runs under mmap_lock (read): the type's view_page hook takes its page
 * store's spinlock only and may allocate.
 */
static vm_fault_t dios_view_vm_fault(struct vm_fault *vmf)
{
	struct dios_view *view = vmf->vma->vm_private_data;
	struct dios_object *obj = view->obj;
	unsigned long index;
	struct page *page;

	dios_stats_inc(&dios_stats.view_faults);
	if (READ_ONCE(view->dead))
		return VM_FAULT_SIGBUS;
	index = vmf->pgoff - view->pgoff;
	page = obj->ops->view_page(obj, view, index);
	if (IS_ERR(page))
		return VM_FAULT_OOM;
	if (!page)
		return VM_FAULT_SIGBUS;
	/* Mapped now: dios_view_populate() need not try this page. */
	if (view->populated)
		set_bit(index, view->populated);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct dios_view_vm_ops = {
	.open = dios_view_vm_open,
	.close = dios_view_vm_close,
	.may_split = dios_view_vm_may_split,
	.mremap = dios_view_vm_mremap,
	.fault = dios_view_vm_fault,
	.access = dios_view_vm_access,
};

/**
 * dios_view_mmap() - the mmap handler for view offsets
 * @ctx:	the context
 * @vma:	the new mapping
 *
 * Runs under mmap_lock (write).  Accepts exactly the view that the calling
 * thread is creating in dios_view_create(), once.
 *
 * VM_IO makes the mapping impossible to inherit or pin: madvise(MADV_DOFORK)
 * fails on it, so VM_DONTCOPY stays and no fork child keeps a view after
 * its reference is gone; get_user_pages() fails on it, so no pin (O_DIRECT,
 * vmsplice, io_uring fixed buffers, another process's process_vm_writev())
 * outlives the view's revocation either.  Debuggers still read and write
 * through dios_view_vm_access().
 *
 * Return: 0, or -EINVAL for anything else.
 */
int dios_view_mmap(struct dios_context *ctx, struct vm_area_struct *vma)
{
	struct dios_view *view;
	int ret = -EINVAL;

	spin_lock(&ctx->view_lock);
	view = ctx->view_pending;
	if (view && view->creator == current &&
	    vma->vm_pgoff == view->pgoff &&
	    vma->vm_end - vma->vm_start == view->len &&
	    vma->vm_flags & VM_SHARED &&
	    (view->writable || !(vma->vm_flags & VM_WRITE))) {
		ctx->view_pending = NULL;
		vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP |
			     VM_IO);
		if (!view->writable)
			vm_flags_clear(vma, VM_MAYWRITE);
		/* vm_insert_pages() under mmap_lock read needs it set now. */
		if (view->populated)
			vm_flags_set(vma, VM_MIXEDMAP);
		vma->vm_ops = &dios_view_vm_ops;
		vma->vm_private_data = view;
		dios_view_vm_open(vma);
		ret = 0;
	}
	spin_unlock(&ctx->view_lock);
	return ret;
}

/*
 * Map a new view of @io's object into the calling task: the object's view,
 * or (@word) the one writable page of a ring stream's reader (ring.c).
 */
static struct dios_view *__dios_view_create(struct dios_io *io, bool word)
{
	struct dios_context *ctx = io->ref->ctx;
	struct dios_object *obj = io->obj;
	unsigned long pages = word ? 1 : obj->ops->view_pages(obj);
	struct dios_view *view;
	unsigned long addr;
	int prot;

	/* The length in bytes must fit an unsigned long (32-bit kernels). */
	if (pages >= DIOS_VIEW_PGOFF_END)
		return ERR_PTR(-EOVERFLOW);
	view = kzalloc(sizeof(*view), GFP_KERNEL_ACCOUNT);
	if (!view)
		return ERR_PTR(-ENOMEM);
	kref_init(&view->kref);
	view->obj = dios_object_get(obj);
	view->ctx = ctx;
	view->mm = current->mm;
	mmgrab(view->mm);
	spin_lock(&obj->lock);
	hlist_add_head(&view->obj_link, &obj->meta.views);
	spin_unlock(&obj->lock);
	view->creator = current;
	view->len = pages << PAGE_SHIFT;
	/* Best effort: without the bitmap, the pages come by faults. */
	if (obj->ops->view_populate)
		view->populated = kvcalloc(BITS_TO_LONGS(pages), sizeof(long),
					   GFP_KERNEL_ACCOUNT);
	view->word = word;
	view->writable = word || io->dir == DIOS_IO_DIR_WRITE;
	if (dios_view_space_get(view)) {
		dios_view_put(view);
		return ERR_PTR(-EOVERFLOW);
	}
	prot = PROT_READ | (view->writable ? PROT_WRITE : 0);

	/*
	 * The mmap handler finds the view through the context's single
	 * pending slot: one creation at a time per context (threads of one
	 * task), so that a task whose mmap_lock is busy stalls only itself.
	 */
	mutex_lock(&ctx->view_create_lock);
	spin_lock(&ctx->view_lock);
	ctx->view_pending = view;
	spin_unlock(&ctx->view_lock);
	addr = vm_mmap(ctx->file, 0, view->len, prot, MAP_SHARED,
		       view->pgoff << PAGE_SHIFT);
	spin_lock(&ctx->view_lock);
	ctx->view_pending = NULL;
	spin_unlock(&ctx->view_lock);
	mutex_unlock(&ctx->view_create_lock);
	view->creator = NULL;

	if (IS_ERR_VALUE(addr)) {
		dios_view_put(view);
		return ERR_PTR((long)addr);
	}
	view->addr = addr;
	dios_stats_inc(&dios_stats.views_mapped);
	return view;
}

static struct dios_view *dios_view_create(struct dios_io *io)
{
	return __dios_view_create(io, false);
}

static void dios_view_populate_range(struct dios_view *view, u64 off,
				     u64 len);

/**
 * dios_view_create_word() - map a ring reader's position page
 * @io:		the attach of a ring stream's read side; the side mutex held
 *
 * Return: the view, with its page mapped, or an ERR_PTR.
 */
struct dios_view *dios_view_create_word(struct dios_io *io)
{
	struct dios_view *view = __dios_view_create(io, true);

	if (!IS_ERR(view))
		dios_view_populate_range(view, 0, PAGE_SIZE);
	return view;
}

/*
 * The vma of @view in @mm, whose mmap_lock the caller holds; NULL if the
 * view is not mapped there (any more).  Views cannot be split, moved or
 * grown: a vma of the view is the whole view.
 */
static struct vm_area_struct *dios_view_vma(struct dios_view *view,
					    struct mm_struct *mm)
{
	struct vm_area_struct *vma = vma_lookup(mm, view->addr);

	if (!vma || vma->vm_ops != &dios_view_vm_ops ||
	    vma->vm_private_data != view)
		return NULL;
	return vma;
}

/**
 * struct dios_zap - view pages to zap
 * @first:	first page, counted in the view
 * @n:		pages; the range does not wrap
 */
struct dios_zap {
	unsigned long first;
	unsigned long n;
};

/*
 * Zap the pages @z of @view, from whichever task: in the view's address
 * space, under its mmap_lock held for writing, so that no fault that found
 * an old page is still in flight to map it after the zap (the fault handler
 * runs under mmap_lock: the view has no ->map_pages, so the kernel never
 * calls its ->fault under the per-VMA lock alone).  The file mapping to zap
 * is reached through the vma, which pins its file while the lock is held:
 * a view pins neither its context nor the context's file, and either may be
 * gone by now.  An address space being torn down maps nothing any more.
 * The mm reference is dropped asynchronously: the last one would tear down
 * other views here, under the caller's locks.
 */
static void dios_view_zap_ranges(struct dios_view *view,
				 const struct dios_zap *z, unsigned int nr)
{
	struct mm_struct *mm = view->mm;
	struct vm_area_struct *vma;
	unsigned int i;

	if (READ_ONCE(view->unmapped) || !mmget_not_zero(mm))
		return;
	mmap_write_lock(mm);
	vma = dios_view_vma(view, mm);
	for (i = 0; vma && i < nr; i++) {
		if (!z[i].n)
			continue;
		unmap_mapping_range(vma->vm_file->f_mapping,
				    ((loff_t)view->pgoff + z[i].first) <<
				    PAGE_SHIFT, (loff_t)z[i].n << PAGE_SHIFT, 1);
		if (view->populated)
			bitmap_clear(view->populated, z[i].first, z[i].n);
	}
	mmap_write_unlock(mm);
	mmput_async(mm);
}

/*
 * Take the view out of the task: revoke it (faults get SIGBUS) and unmap
 * it when a thread of the task that owns it calls; from any other task
 * (a reference deleted in another task's table), zap its pages, so that
 * the revocation holds for pages already mapped too.  The vma is checked
 * to be the view's under mmap_lock, but unmapped after the lock is dropped
 * (vm_munmap() takes it again): only a thread of the same task racing
 * munmap() and mmap() at that address could lose its own mapping.
 */
void dios_view_drop(struct dios_view *view)
{
	struct mm_struct *mm = current->mm;
	struct dios_zap all;
	bool ours;

	if (!view)
		return;
	WRITE_ONCE(view->dead, true);
	if (mm == view->mm && !(current->flags & PF_EXITING)) {
		if (!READ_ONCE(view->unmapped)) {
			mmap_read_lock(mm);
			ours = dios_view_vma(view, mm);
			mmap_read_unlock(mm);
			if (ours)
				vm_munmap(view->addr, view->len);
		}
	} else {
		all.first = 0;
		all.n = view->len >> PAGE_SHIFT;
		dios_view_zap_ranges(view, &all, 1);
	}
	dios_view_put(view);
}

/**
 * dios_view_zap() - take a transaction's pages out of a view
 * @view:	the view, NULL-safe
 * @off:	byte offset of the window in the view
 * @len:	its length
 *
 * For types whose buffers map pages for one transaction only (blobs): the
 * type has already made its fault handler refuse the window.
 */
void dios_view_zap(struct dios_view *view, u64 off, u64 len)
{
	struct dios_zap z;

	if (!view)
		return;
	z.first = off >> PAGE_SHIFT;
	z.n = (round_up(off + len, PAGE_SIZE) >> PAGE_SHIFT) - z.first;
	dios_view_zap_ranges(view, &z, 1);
}

/*
 * The view pages of ring pages [first, first + n) modulo @nr: each ring
 * page is mapped twice, at i and nr + i; up to four ranges.
 */
static unsigned int dios_zap_ring_ranges(struct dios_zap *z, unsigned long nr,
					 unsigned long first, unsigned long n)
{
	unsigned long head = min(n, nr - first);

	z[0] = (struct dios_zap){ first, head };
	z[1] = (struct dios_zap){ nr + first, head };
	z[2] = (struct dios_zap){ 0, n - head };
	z[3] = (struct dios_zap){ nr, n - head };
	return 4;
}

/**
 * dios_views_zap_ring() - zap ring pages from every view of a ring object
 * @obj:	a stream (its views map @nr ring pages twice)
 * @nr:		ring pages
 * @first:	first ring page
 * @n:		pages, at most @nr, wrapping around the ring
 *
 * After the pages behind the slots were replaced (forwarding): every view
 * in every task faults the new pages in.  Each view is held by a kref while
 * its address space is waited for; it pins nothing else it needs.
 *
 * It cannot fail: the pages are already replaced.
 */
void dios_views_zap_ring(struct dios_object *obj, unsigned long nr,
			 unsigned long first, unsigned long n)
{
	struct dios_view *view, **views;
	unsigned int i, count = 0, max = 0, nz;
	struct dios_zap z[4];

	spin_lock(&obj->lock);
	hlist_for_each_entry(view, &obj->meta.views, obj_link)
		max++;
	spin_unlock(&obj->lock);
	/* A small array, and no way back: the slots hold new pages. */
	views = kmalloc_array(max ?: 1, sizeof(*views),
			      GFP_KERNEL | __GFP_NOFAIL);
	spin_lock(&obj->lock);
	hlist_for_each_entry(view, &obj->meta.views, obj_link) {
		if (count == max)
			break;
		if (READ_ONCE(view->unmapped) ||
		    !kref_get_unless_zero(&view->kref))
			continue;
		views[count++] = view;
	}
	spin_unlock(&obj->lock);
	nz = dios_zap_ring_ranges(z, nr, first, n);
	for (i = 0; i < count; i++) {
		dios_view_zap_ranges(views[i], z, nz);
		dios_view_put(views[i]);
	}
	kfree(views);
}

#define DIOS_POPULATE_BATCH	16UL

/*
 * Map pages [first, first + n) of @view, none known to be mapped, with
 * vm_insert_pages(): 0, or -EAGAIN to stop (no page, an error).  A page
 * that a fault mapped meanwhile (-EBUSY) is skipped.
 */
static int dios_view_insert(struct vm_area_struct *vma, struct dios_view *view,
			    unsigned long first, unsigned long n)
{
	struct page *pages[DIOS_POPULATE_BATCH];
	struct dios_object *obj = view->obj;
	unsigned long i, got, done = 0, left;
	int ret = 0, err;

	for (got = 0; got < n; got++) {
		pages[got] = obj->ops->view_page(obj, view, first + got);
		if (IS_ERR_OR_NULL(pages[got])) {
			ret = -EAGAIN;
			break;
		}
	}
	while (done < got) {
		left = got - done;
		err = vm_insert_pages(vma, view->addr +
				      ((first + done) << PAGE_SHIFT),
				      pages + done, &left);
		/* Everything before the page that failed is mapped. */
		for (i = done; i < got - left; i++)
			set_bit(first + i, view->populated);
		done = got - left;
		if (!err)
			break;
		if (err != -EBUSY) {
			ret = -EAGAIN;
			break;
		}
		/* A fault mapped this one meanwhile. */
		set_bit(first + done, view->populated);
		done++;
	}
	for (i = 0; i < got; i++)
		put_page(pages[i]);
	return ret;
}

/*
 * Map the pages of a buffer just acquired, [off, off + len) of @view, that
 * are not mapped yet, so that the caller does not fault on each: a
 * stream's ring is mapped as messages first use it, and the steady state
 * finds every bit set and takes no lock.  Best effort: whatever is not
 * mapped here faults in as before.  Called with the side mutex held, which
 * comes before mmap_lock.
 */
static noinline void dios_view_populate_range(struct dios_view *view, u64 off,
					      u64 len)
{
	unsigned long first, end, next, pages = view->len >> PAGE_SHIFT;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;

	if (!view->populated || !len || mm != view->mm || off >= view->len)
		return;
	end = min_t(u64, PAGE_ALIGN(off + len) >> PAGE_SHIFT, pages);
	first = find_next_zero_bit(view->populated, end, off >> PAGE_SHIFT);
	if (first >= end)
		return;
	mmap_read_lock(mm);
	vma = dios_view_vma(view, mm);
	if (!vma)
		goto out;
	while (first < end && !READ_ONCE(view->dead)) {
		next = find_next_bit(view->populated, end, first);
		if (dios_view_insert(vma, view, first,
				     min(next - first, DIOS_POPULATE_BATCH)))
			break;
		first = find_next_zero_bit(view->populated, end, first);
		cond_resched();
	}
out:
	mmap_read_unlock(mm);
}

/* The same; the steady state, a buffer on one page already mapped, inline. */
static inline void dios_view_populate(struct dios_view *view, u64 off, u64 len)
{
	unsigned long first = off >> PAGE_SHIFT;

	if (view->populated && len && off < view->len &&
	    first == (off + len - 1) >> PAGE_SHIFT &&
	    test_bit(first, view->populated))
		return;
	dios_view_populate_range(view, off, len);
}

/* The side's view, created or re-created after the user unmapped it. */
static struct dios_view *dios_side_view(struct dios_ref_side *side,
					struct dios_io *io)
{
	struct dios_view *view = side->view;

	lockdep_assert_held(&side->lock);
	if (view && !READ_ONCE(view->unmapped))
		return view;
	side->view = NULL;
	dios_view_put(view);
	view = dios_view_create(io);
	if (IS_ERR(view))
		return view;
	side->view = view;
	return view;
}

/* ---- the I/O state of a reference --------------------------------------- */

/* A zeroed struct dios_ref_io: its locks; the caller sets @users. */
void dios_ref_io_init(struct dios_ref_io *io)
{
	unsigned int i;

	for (i = 0; i < DIOS_IO_NR_DIRS; i++)
		mutex_init(&io->side[i].lock);
}

/* Nothing holds the reference any more. */
void dios_ref_io_uninit(struct dios_ref_io *io)
{
	unsigned int i;

	for (i = 0; i < DIOS_IO_NR_DIRS; i++)
		mutex_destroy(&io->side[i].lock);
}

/* Close the side's buffer: a closed buffer is all zero. */
static inline void dios_buf_clear(struct dios_buf *buf)
{
	if (unlikely(buf->n_handles))
		kfree(buf->handles);
	*buf = (struct dios_buf){};
}

/*
 * Release the side's open buffer as release_* would, on a reference being
 * deleted.  A zombie's insides are gone, and so is its buffer state.
 */
static void dios_side_release(struct dios_ref *ref, unsigned int dir,
			      struct list_head *dead)
{
	struct dios_ref_side *side = &ref->io->side[dir];
	struct dios_io io = {
		.ref = ref,
		.obj = ref->obj,
		.dir = dir,
		.buf = &side->buf,
	};

	lockdep_assert_held(&side->lock);
	if (!side->buf.busy)
		return;
	INIT_LIST_HEAD(&io.dead);
	io.view = side->view;
	/* A zombie's type frees only what the buffer holds. */
	io.zombie = dios_object_acquire(ref->obj);
	ref->obj->ops->io_release(ref->obj, &io);
	if (!io.zombie)
		dios_object_release(ref->obj);
	list_splice(&io.dead, dead);
	dios_buf_clear(&side->buf);
}

/**
 * dios_ref_io_mark_dying() - make blocking steps on a reference give up
 * @ref:	a reference being taken out of its table
 *
 * Called before the removal changes the object's reader and writer counts,
 * so that a step woken by that change sees the reference dying first: it
 * returns -EBADF, not -EPIPE.  Pairs with the smp_rmb() in
 * dios_io_dying_after().  Under the context lock, which @ref->io is set
 * under: a reference without I/O state has no step to stop, and gets none
 * (the first step of a reference allocates the state under the lock, and
 * only while the reference is in its table).
 */
void dios_ref_io_mark_dying(struct dios_ref *ref)
{
	lockdep_assert_held(&ref->ctx->lock);
	if (!ref->io)
		return;
	WRITE_ONCE(ref->io->dying, true);
	/* Order @dying before the count changes; see the comment above. */
	smp_wmb();
}

/*
 * dios_io_dying_after() - dios_io_dying(), for a step that has just seen a
 * reader or writer count fall to zero: ordered after that read.
 */
bool dios_io_dying_after(struct dios_io *io)
{
	/* Pairs with the smp_wmb() in dios_ref_io_mark_dying(). */
	smp_rmb();
	return dios_io_dying(io);
}

/**
 * dios_ref_io_teardown() - release the buffers and views of a reference
 * @ref:	a reference just taken out of its table
 *
 * Blocking acquires on the reference are woken first and give up with
 * -EBADF; then each side is released (uncommitted writes discarded, a
 * stream message being read goes back to the head, the references it
 * installed are deleted) and its view unmapped.  A reference that never
 * did I/O has nothing to release; its I/O state, if any, was made before
 * it left its table (dios_ref_io_mark_dying()), so @ref->io is stable here.
 */
void dios_ref_io_teardown(struct dios_ref *ref)
{
	struct dios_ref_io *io = ref->io;
	unsigned int i;
	LIST_HEAD(dead);

	if (!io)
		return;
	/*
	 * wq_has_sleeper()'s barrier pairs with the waiters'
	 * set_current_state() in wait_event: a waiter that is not seen
	 * sees @dying.
	 */
	if (wq_has_sleeper(&ref->obj->waitq))
		wake_up_all(&ref->obj->waitq);
	for (i = 0; i < DIOS_IO_NR_DIRS; i++) {
		struct dios_ref_side *side = &io->side[i];

		mutex_lock(&side->lock);
		io->dead = true;
		dios_side_release(ref, i, &dead);
		dios_view_drop(side->view);
		side->view = NULL;
		mutex_unlock(&side->lock);
	}
	dios_context_put_dead(&dead);
}

/* ---- the transaction steps ----------------------------------------------- */

static struct dios_ref_side *dios_io_side(struct dios_io *io)
{
	return &io->ref->io->side[io->dir];
}

/*
 * Acquire with the side locked and its buffer closed (all zero).  Inlined
 * into the acquire and the re-arming commit, the hot path of streams.
 */
static __always_inline int dios_io_acquire_locked(struct dios_io *io)
{
	struct dios_ref_side *side = dios_io_side(io);
	struct dios_object *obj = io->obj;
	struct dios_view *view;
	int ret;

	lockdep_assert_held(&side->lock);
	if (!obj->ops->io_acquire || !obj->ops->view_pages)
		return -EOPNOTSUPP;
	view = dios_side_view(side, io);
	if (IS_ERR(view))
		return PTR_ERR(view);
	io->buf = &side->buf;
	io->view = view;
	ret = obj->ops->io_acquire(obj, io);
	if (ret) {
		dios_buf_clear(&side->buf);
		return ret;
	}
	side->buf.busy = true;
	side->buf.addr = view->addr + io->voff;
	side->buf.len = io->len;
	io->addr = side->buf.addr;
	io->done |= DIOS_IO_DONE_ACQUIRE;
	dios_view_populate(view, io->voff, io->len);
	return 0;
}

/**
 * dios_io_acquire() - open the buffer of one side of a reference
 * @io:		the operation; @io->len and the address are set on success
 *
 * Return: 0; -EBUSY if the side's buffer is open, -EBADF if the reference
 * was deleted, the type's errors.
 */
int dios_io_acquire(struct dios_io *io)
{
	struct dios_ref_side *side = dios_io_side(io);
	int ret;

	mutex_lock(&side->lock);
	if (io->ref->io->dead)
		ret = -EBADF;
	else if (side->buf.busy)
		ret = -EBUSY;
	else
		ret = dios_io_acquire_locked(io);
	mutex_unlock(&side->lock);
	return ret;
}

/* The buffer that a commit or release names must be the open one. */
static int dios_io_check_buf(struct dios_io *io, u64 addr)
{
	struct dios_ref_side *side = dios_io_side(io);

	lockdep_assert_held(&side->lock);
	if (io->ref->io->dead)
		return -EBADF;
	if (!side->buf.busy || side->buf.addr != addr)
		return -EINVAL;
	io->buf = &side->buf;
	io->view = side->view;
	return 0;
}

/**
 * dios_io_commit() - commit the open buffer, and re-arm with DIOS_IO_REARM
 * @io:		the operation
 * @addr:	the buffer's address, as acquire returned it
 * @next_len:	the length to acquire next with DIOS_IO_REARM
 *
 * A commit that succeeded stays done when re-arming fails: the error is the
 * acquire's, no buffer is open, and @io->done tells the caller.
 *
 * Return: 0; -EINVAL if @addr is not the open buffer, -EBADF, the type's
 * errors, the re-arming acquire's errors.
 */
int dios_io_commit(struct dios_io *io, u64 addr, u64 next_len)
{
	struct dios_ref_side *side = dios_io_side(io);
	int ret;

	mutex_lock(&side->lock);
	ret = dios_io_check_buf(io, addr);
	if (!ret)
		ret = io->obj->ops->io_commit(io->obj, io);
	/* A stale read is over all the same: its buffer is gone. */
	if (ret == -ESTALE && io->dir == DIOS_IO_DIR_READ)
		dios_buf_clear(&side->buf);
	if (!ret) {
		dios_buf_clear(&side->buf);
		io->done |= DIOS_IO_DONE_COMMIT;
		if (io->flags & DIOS_IO_REARM) {
			io->len = next_len;
			ret = dios_io_acquire_locked(io);
		}
	}
	mutex_unlock(&side->lock);
	return ret;
}

/**
 * dios_io_release() - close the open buffer without committing
 * @io:		the operation
 * @addr:	the buffer's address
 *
 * Return: 0, -EINVAL if @addr is not the open buffer, -EBADF.
 */
int dios_io_release(struct dios_io *io, u64 addr)
{
	struct dios_ref_side *side = dios_io_side(io);
	int ret;

	mutex_lock(&side->lock);
	ret = dios_io_check_buf(io, addr);
	if (!ret)
		ret = io->obj->ops->io_release(io->obj, io);
	if (!ret)
		dios_buf_clear(&side->buf);
	mutex_unlock(&side->lock);
	return ret;
}

/**
 * dios_io_ring_wait() - DIOS_RING_WAIT on the side whose lease is held
 * @io:		the side of a ring stream
 * @seen:	the other side's position as the caller last saw it
 *
 * Return: -EINVAL without the lease, -EBADF for a deleted reference,
 * dios_ring_wait()'s result.
 */
int dios_io_ring_wait(struct dios_io *io, u64 seen)
{
	struct dios_ref_side *side = dios_io_side(io);
	int ret;

	mutex_lock(&side->lock);
	if (io->ref->io->dead)
		ret = -EBADF;
	else if (!side->buf.busy)
		ret = -EINVAL;
	else
		ret = dios_ring_wait(io, seen);
	mutex_unlock(&side->lock);
	return ret;
}

/**
 * dios_io_ring_refs() - a step on the references of a ring stream's frame
 * @io:		the side whose lease the caller holds
 * @op:		DIOS_RING_PUSH_REFS, _TAKE_REFS, _COMMIT_REFS, _RELEASE_REFS
 * @pos:	the frame's position
 *
 * Return: -EINVAL without the lease, -EBADF for a deleted reference,
 * dios_ring_refs()'s result.
 */
int dios_io_ring_refs(struct dios_io *io, u32 op, u64 pos)
{
	struct dios_ref_side *side = dios_io_side(io);
	int ret;

	mutex_lock(&side->lock);
	if (io->ref->io->dead) {
		ret = -EBADF;
	} else if (!side->buf.busy) {
		ret = -EINVAL;
	} else {
		io->buf = &side->buf;
		ret = dios_ring_refs(io, op, pos);
	}
	mutex_unlock(&side->lock);
	return ret;
}

/**
 * dios_io_xfer() - one whole copying transaction on one side of a reference
 * @io:		the operation: @io->ubuf and @io->len; a read sets @io->len to
 *		the message's length (also with -EMSGSIZE)
 *
 * The type copies between @io->ubuf and the object under the side mutex,
 * into a buffer of the call's own: no view is mapped and the side's buffer
 * stays closed.  A transaction of the side that is open would hold what
 * the copy waits for (the ring's tail or head): -EBUSY, never a wait on
 * oneself.
 *
 * Return: 0; -EOPNOTSUPP for a type without copying I/O, -EBUSY, -EBADF if
 * the reference was deleted, the type's errors.
 */
int dios_io_xfer(struct dios_io *io)
{
	struct dios_ref_side *side = dios_io_side(io);
	struct dios_buf buf = {};
	int ret;

	if (!io->obj->ops->io_xfer)
		return -EOPNOTSUPP;
	mutex_lock(&side->lock);
	if (io->ref->io->dead) {
		ret = -EBADF;
	} else if (side->buf.busy) {
		ret = -EBUSY;
	} else {
		io->buf = &buf;
		ret = io->obj->ops->io_xfer(io->obj, io);
		io->buf = NULL;
	}
	mutex_unlock(&side->lock);
	return ret;
}
