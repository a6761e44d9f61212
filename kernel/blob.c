// SPDX-License-Identifier: GPL-2.0
/*
 * blob.c - the BLOB object type: versioned pages, snapshot reads,
 * copy-on-write transactions committed by swapping pages.
 *
 * Lock order: a reference side's mutex (buffer.c), then dios_blob.lock;
 * the fault handler takes dios_blob.lock under mmap_lock.  Allocation,
 * copies and zaps run outside dios_blob.lock.
 */

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "blob.h"
#include "buffer.h"
#include "debugfs.h"
#include "main.h"

static_assert(offsetof(struct dios_blob, obj) == 0);

/**
 * struct dios_blob_txn - one read or write transaction
 * @first:	first page of the window
 * @n:		pages in the window
 * @pages:	read: the snapshot; write: the private pages (after commit,
 *		the pages they replaced, to be put)
 * @versions:	the versions seen at acquire
 * @checked:	write: which pages' versions commit checks (those copied)
 */
struct dios_blob_txn {
	unsigned long first;
	unsigned long n;
	struct page **pages;
	u64 *versions;
	bool *checked;
};

static struct dios_blob *dios_blob_from_obj(struct dios_object *obj)
{
	return container_of(obj, struct dios_blob, obj);
}

static void dios_blob_info(struct dios_object *obj,
			   struct dios_ref_info *info)
{
	struct dios_blob *blob = dios_blob_from_obj(obj);

	info->size = blob->size;
	info->read_buf_max = blob->size;
	info->write_buf_max = blob->size;
}

/* Nothing in flight; open transactions hold their own page references. */
static void dios_blob_destroy(struct dios_object *obj)
{
	struct dios_blob *blob = dios_blob_from_obj(obj);
	struct page **pages;
	unsigned long i;

	spin_lock(&blob->lock);
	pages = blob->pages;
	blob->pages = NULL;
	spin_unlock(&blob->lock);
	if (!pages)
		return;
	for (i = 0; i < blob->nr; i++)
		if (pages[i])
			put_page(pages[i]);
	kvfree(pages);
	kvfree(blob->versions);
	blob->versions = NULL;
}

static unsigned long dios_blob_view_pages(struct dios_object *obj)
{
	return dios_blob_from_obj(obj)->nr;
}

/* Only the pages of the view's open transaction are shown. */
static struct page *dios_blob_view_page(struct dios_object *obj,
					struct dios_view *view,
					unsigned long index)
{
	struct dios_blob *blob = dios_blob_from_obj(obj);
	struct dios_blob_txn *txn;
	struct page *page = NULL;

	spin_lock(&blob->lock);
	txn = view->txn;
	if (txn && index >= txn->first && index - txn->first < txn->n) {
		page = txn->pages[index - txn->first];
		get_page(page);
	}
	spin_unlock(&blob->lock);
	return page;
}

static struct page *dios_blob_alloc_page(void)
{
	return alloc_page(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT);
}

static void dios_blob_txn_free(struct dios_blob_txn *txn)
{
	unsigned long i;

	if (!txn)
		return;
	for (i = 0; txn->pages && i < txn->n; i++)
		if (txn->pages[i])
			put_page(txn->pages[i]);
	kvfree(txn->pages);
	kvfree(txn->versions);
	kvfree(txn->checked);
	kfree(txn);
}

/* A transaction over the window [offset, offset + len), nothing in it. */
static struct dios_blob_txn *dios_blob_txn_new(struct dios_blob *blob,
					       struct dios_io *io)
{
	struct dios_blob_txn *txn;
	u64 end;

	if (!io->len || check_add_overflow(io->offset, io->len, &end) ||
	    end > blob->size)
		return ERR_PTR(-EINVAL);
	txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	if (!txn)
		return ERR_PTR(-ENOMEM);
	txn->first = io->offset >> PAGE_SHIFT;
	txn->n = ((end - 1) >> PAGE_SHIFT) - txn->first + 1;
	txn->pages = kvcalloc(txn->n, sizeof(*txn->pages), GFP_KERNEL_ACCOUNT);
	txn->versions = kvcalloc(txn->n, sizeof(*txn->versions),
				 GFP_KERNEL_ACCOUNT);
	txn->checked = kvcalloc(txn->n, sizeof(*txn->checked),
				GFP_KERNEL_ACCOUNT);
	if (!txn->pages || !txn->versions || !txn->checked) {
		dios_blob_txn_free(txn);
		return ERR_PTR(-ENOMEM);
	}
	return txn;
}

/*
 * The committed page @i with a reference, and its version; a page never
 * used is allocated (zero, version 0) and becomes the committed one.
 */
static struct page *dios_blob_get_page(struct dios_blob *blob,
				       unsigned long i, u64 *version)
{
	struct page *page, *new = NULL;

	for (;;) {
		spin_lock(&blob->lock);
		if (!blob->pages[i] && new) {
			blob->pages[i] = new;
			new = NULL;
		}
		page = blob->pages[i];
		if (page) {
			get_page(page);
			*version = blob->versions[i];
		}
		spin_unlock(&blob->lock);
		if (page)
			break;
		new = dios_blob_alloc_page();
		if (!new)
			return NULL;
	}
	if (new)
		put_page(new);
	return page;
}

/* Show @txn in the view, atomically with the state it was taken from. */
static void dios_blob_txn_install(struct dios_blob *blob, struct dios_io *io,
				  struct dios_blob_txn *txn)
{
	spin_lock(&blob->lock);
	io->view->txn = txn;
	spin_unlock(&blob->lock);
	io->buf->priv = txn;
	io->buf->offset = io->offset;
	io->voff = io->offset;
}

/*
 * A zero page, in its slot of @txn, for every page of the window never used
 * (as far as an unlocked look tells: dios_blob_snapshot() checks).
 */
static int dios_blob_prealloc(struct dios_blob *blob, struct dios_blob_txn *txn)
{
	unsigned long i;

	for (i = 0; i < txn->n; i++) {
		if (txn->pages[i] || READ_ONCE(blob->pages[txn->first + i]))
			continue;
		txn->pages[i] = dios_blob_alloc_page();
		if (!txn->pages[i])
			return -ENOMEM;
	}
	return 0;
}

/*
 * Snapshot the window: every page and its version in one critical section,
 * so that a commit, which swaps its whole window under the same lock, is in
 * the snapshot whole or not at all.  A page never used becomes the zero page
 * dios_blob_prealloc() left in its slot of @txn, and that page the committed
 * one.
 *
 * Return: true, or false if a page never used has no zero page waiting.
 */
static bool dios_blob_snapshot(struct dios_blob *blob,
			       struct dios_blob_txn *txn)
{
	struct page *page, *spare;
	unsigned long i, index;

	spin_lock(&blob->lock);
	for (i = 0; i < txn->n; i++) {
		if (!blob->pages[txn->first + i] && !txn->pages[i]) {
			spin_unlock(&blob->lock);
			return false;
		}
	}
	for (i = 0; i < txn->n; i++) {
		index = txn->first + i;
		page = blob->pages[index];
		spare = txn->pages[i];
		if (!page) {
			/* The blob takes the zero page's reference. */
			blob->pages[index] = spare;
			page = spare;
			spare = NULL;
		}
		get_page(page);
		txn->pages[i] = page;
		txn->versions[i] = blob->versions[index];
		if (spare)
			put_page(spare);
	}
	spin_unlock(&blob->lock);
	return true;
}

/*
 * Read: snapshot the window's committed pages and their versions.  Pages
 * are only ever added to a live blob, so the second try succeeds.
 */
static int dios_blob_acquire_read(struct dios_blob *blob, struct dios_io *io)
{
	struct dios_blob_txn *txn = dios_blob_txn_new(blob, io);
	int ret;

	if (IS_ERR(txn))
		return PTR_ERR(txn);
	do {
		ret = dios_blob_prealloc(blob, txn);
	} while (!ret && !dios_blob_snapshot(blob, txn));
	if (ret) {
		dios_blob_txn_free(txn);
		return ret;
	}
	dios_blob_txn_install(blob, io, txn);
	return 0;
}

/*
 * Whether the write covers page @i of the blob whole: from its start to
 * its end or to the end of the blob.
 */
static bool dios_blob_covers(struct dios_blob *blob, struct dios_io *io,
			     unsigned long i)
{
	u64 start = (u64)i << PAGE_SHIFT;
	u64 end = min_t(u64, start + PAGE_SIZE, blob->size);

	return io->offset <= start && io->offset + io->len >= end;
}

/*
 * A private page for page @i of the window: zero when the caller will
 * write all of it (DIOS_IO_OVERWRITE over a whole page), else a copy of the
 * committed page, whose version commit checks.  The copies are taken page
 * by page (a copy under the blob's spinlock would hold it for the whole
 * window): a commit landing between two of them leaves a copied page with
 * an old version, so commit_write fails with -ESTALE and never writes a
 * torn base back.
 */
static int dios_blob_private_page(struct dios_blob *blob, struct dios_io *io,
				  struct dios_blob_txn *txn, unsigned long i)
{
	unsigned long index = txn->first + i;
	struct page *cur;

	txn->pages[i] = dios_blob_alloc_page();
	if (!txn->pages[i])
		return -ENOMEM;
	if (io->flags & DIOS_IO_OVERWRITE && dios_blob_covers(blob, io, index))
		return 0;
	cur = dios_blob_get_page(blob, index, &txn->versions[i]);
	if (!cur)
		return -ENOMEM;
	txn->checked[i] = true;
	copy_highpage(txn->pages[i], cur);
	put_page(cur);
	atomic_long_add(PAGE_SIZE, &dios_stats.blob_cow_bytes);
	return 0;
}

static int dios_blob_acquire_write(struct dios_blob *blob, struct dios_io *io)
{
	struct dios_blob_txn *txn = dios_blob_txn_new(blob, io);
	unsigned long i;
	int ret;

	if (IS_ERR(txn))
		return PTR_ERR(txn);
	for (i = 0; i < txn->n; i++) {
		ret = dios_blob_private_page(blob, io, txn, i);
		if (ret) {
			dios_blob_txn_free(txn);
			return ret;
		}
	}
	dios_blob_txn_install(blob, io, txn);
	return 0;
}

static int dios_blob_io_acquire(struct dios_object *obj, struct dios_io *io)
{
	struct dios_blob *blob = dios_blob_from_obj(obj);

	if (io->refs || io->n_refs)
		return -EINVAL;
	if (io->dir == DIOS_IO_DIR_READ)
		return dios_blob_acquire_read(blob, io);
	return dios_blob_acquire_write(blob, io);
}

/* Some page of @txn has a newer version than seen.  Under the lock. */
static bool dios_blob_stale(struct dios_blob *blob, struct dios_blob_txn *txn,
			    bool all)
{
	unsigned long i;

	lockdep_assert_held(&blob->lock);
	for (i = 0; i < txn->n; i++)
		if ((all || txn->checked[i]) &&
		    blob->versions[txn->first + i] != txn->versions[i])
			return true;
	return false;
}

/* The transaction is over: the view's fault handler stops showing it. */
static void dios_blob_txn_detach(struct dios_blob *blob, struct dios_io *io)
{
	lockdep_assert_held(&blob->lock);
	if (io->view && io->view->txn == io->buf->priv)
		io->view->txn = NULL;
}

/* Then, without the lock: out of the page tables. */
static void dios_blob_txn_zap(struct dios_io *io)
{
	struct dios_blob_txn *txn = io->buf->priv;

	dios_view_zap(io->view, (u64)txn->first << PAGE_SHIFT,
		      (u64)txn->n << PAGE_SHIFT);
}

/* And freed: the buffer is closed. */
static void dios_blob_txn_end(struct dios_io *io)
{
	dios_blob_txn_zap(io);
	dios_blob_txn_free(io->buf->priv);
	io->buf->priv = NULL;
}

/* -ESTALE if a page of the window was replaced since the snapshot. */
static int dios_blob_commit_read(struct dios_blob *blob, struct dios_io *io)
{
	bool stale;

	spin_lock(&blob->lock);
	stale = dios_blob_stale(blob, io->buf->priv, true);
	dios_blob_txn_detach(blob, io);
	spin_unlock(&blob->lock);
	dios_blob_txn_end(io);
	return stale ? -ESTALE : 0;
}

/*
 * Take the write transaction out of the writer's page tables before its
 * pages are committed: from then on readers, and a stream they are
 * forwarded to, must never see them change, and another thread of the
 * writer could still store through the view.  The view stops showing the
 * transaction (faults get SIGBUS), then the zap waits for the faults in
 * flight and removes the mappings.
 *
 * Return: true, or false if a commit made the transaction stale first;
 * then nothing changed.
 */
static bool dios_blob_txn_seal(struct dios_blob *blob, struct dios_io *io)
{
	bool stale;

	spin_lock(&blob->lock);
	stale = dios_blob_stale(blob, io->buf->priv, false);
	if (!stale)
		dios_blob_txn_detach(blob, io);
	spin_unlock(&blob->lock);
	if (!stale)
		dios_blob_txn_zap(io);
	return !stale;
}

/*
 * Swap the private pages in and bump their versions, all under the lock:
 * readers see all of the write or none of it.  -ESTALE, nothing written and
 * the buffer still open, if a page that was copied at acquire was replaced
 * since.
 */
static int dios_blob_commit_write(struct dios_blob *blob, struct dios_io *io)
{
	struct dios_blob_txn *txn = io->buf->priv;
	unsigned long i, index;
	bool stale;

	if (io->flags & (DIOS_IO_REFS | DIOS_IO_FORWARD) ||
	    io->len > io->buf->len)
		return -EINVAL;
	if (!dios_blob_txn_seal(blob, io))
		return -ESTALE;
	spin_lock(&blob->lock);
	/* A commit may have come between the seal and now. */
	stale = dios_blob_stale(blob, txn, false);
	if (stale && io->view) {
		/* The buffer stays open: show it again. */
		io->view->txn = txn;
	}
	for (i = 0; !stale && i < txn->n; i++) {
		index = txn->first + i;
		swap(blob->pages[index], txn->pages[i]);
		blob->versions[index]++;
	}
	if (!stale)
		blob->version++;
	spin_unlock(&blob->lock);
	if (stale)
		return -ESTALE;
	/* txn->pages now holds the replaced pages: they go with it. */
	dios_blob_txn_free(txn);
	io->buf->priv = NULL;
	if (wq_has_sleeper(&blob->obj.waitq))
		wake_up_all(&blob->obj.waitq);
	return 0;
}

static int dios_blob_io_commit(struct dios_object *obj, struct dios_io *io)
{
	struct dios_blob *blob = dios_blob_from_obj(obj);

	if (io->dir == DIOS_IO_DIR_READ)
		return dios_blob_commit_read(blob, io);
	return dios_blob_commit_write(blob, io);
}

/* Discard: a write's private pages are freed, nothing is bumped. */
static int dios_blob_io_release(struct dios_object *obj, struct dios_io *io)
{
	struct dios_blob *blob = dios_blob_from_obj(obj);

	if (!io->buf->priv)
		return 0;
	spin_lock(&blob->lock);
	dios_blob_txn_detach(blob, io);
	spin_unlock(&blob->lock);
	dios_blob_txn_end(io);
	return 0;
}

/**
 * dios_blob_buf_page() - a page of an open read buffer, for forwarding
 * @buf:	a blob read buffer
 * @off:	byte offset in the blob, inside the buffer's window
 *
 * A read buffer's pages are committed pages, never written again: they can
 * be shared.
 *
 * Return: the page, with a reference for the caller.
 */
struct page *dios_blob_buf_page(struct dios_buf *buf, u64 off)
{
	struct dios_blob_txn *txn = buf->priv;
	struct page *page = txn->pages[(off >> PAGE_SHIFT) - txn->first];

	get_page(page);
	return page;
}

/* A blob transaction never blocks: ready for what the rights allow. */
static int dios_blob_poll(struct dios_object *obj, u32 events)
{
	return events;
}

/* debugfs: the size and how many writes were committed. */
static void dios_blob_show(struct dios_object *obj, struct seq_file *m)
{
	struct dios_blob *blob = dios_blob_from_obj(obj);
	u64 version;

	spin_lock(&blob->lock);
	version = blob->version;
	spin_unlock(&blob->lock);
	seq_printf(m, " size=%llu version=%llu", blob->size, version);
}

static const struct dios_object_ops dios_blob_ops = {
	.info = dios_blob_info,
	.destroy = dios_blob_destroy,
	.io_acquire = dios_blob_io_acquire,
	.io_commit = dios_blob_io_commit,
	.io_release = dios_blob_io_release,
	.poll = dios_blob_poll,
	.view_pages = dios_blob_view_pages,
	.view_page = dios_blob_view_page,
	.show = dios_blob_show,
};

/**
 * dios_blob_create() - create a BLOB object
 * @args:	@size is used, @capacity must be 0
 *
 * Return: the object, or ERR_PTR: -EINVAL, -EFBIG, -ENOMEM.
 */
struct dios_object *dios_blob_create(const struct dios_create_args *args)
{
	struct dios_blob *blob;
	int ret;

	if (args->capacity)
		return ERR_PTR(-EINVAL);
	ret = dios_object_check_size(args->size, dios_max_size);
	if (ret)
		return ERR_PTR(ret);
	blob = dios_object_alloc(DIOS_OBJ_BLOB, sizeof(*blob));
	if (!blob)
		return ERR_PTR(-ENOMEM);
	dios_object_init(&blob->obj, DIOS_OBJ_BLOB, &dios_blob_ops);
	blob->size = args->size;
	blob->nr = PAGE_ALIGN(blob->size) >> PAGE_SHIFT;
	spin_lock_init(&blob->lock);
	blob->pages = kvcalloc(blob->nr, sizeof(*blob->pages),
			       GFP_KERNEL_ACCOUNT);
	blob->versions = kvcalloc(blob->nr, sizeof(*blob->versions),
				  GFP_KERNEL_ACCOUNT);
	if (!blob->pages || !blob->versions) {
		kvfree(blob->versions);
		blob->versions = NULL;
		dios_object_put(&blob->obj);
		return ERR_PTR(-ENOMEM);
	}
	return &blob->obj;
}
