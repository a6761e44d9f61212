/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_BLOB_H
#define __DIOS_BLOB_H

/**
 * DOC: Blob objects
 *
 * DIOS_OBJ_BLOB: a byte array with versioned, transactional I/O.  The blob
 * is an array of pages with a version per page.  A committed page is never
 * written again: a write transaction fills private pages, and its commit
 * swaps them in and bumps their versions under @lock, so readers see all
 * of a write or none of it, and a read transaction keeps the pages it
 * snapshotted whatever is committed after it.
 *
 * A view of a blob shows the pages of its side's open transaction only
 * (dios_view.txn, under @lock); the module zaps the window when the
 * transaction ends.  So blob I/O changes page tables once per transaction,
 * unlike memory and streams.
 *
 * Locking: @lock (spinlock) protects @pages, @versions and every view's
 * txn pointer; it is taken by the fault handler, and inside a reference
 * side's mutex.  Pages are allocated and copied outside it.
 */

#include <linux/spinlock.h>

#include "object.h"

/**
 * struct dios_blob - a blob object
 * @obj:	the object core, first so that the object is the allocation
 * @size:	size in bytes as given at creation; immutable
 * @nr:		pages; immutable
 * @lock:	protects @pages and @versions
 * @pages:	the committed pages, NULL until first used (zero)
 * @versions:	per page, bumped by every commit that replaces it
 * @version:	write transactions committed (debugfs)
 */
struct dios_blob {
	struct dios_object obj;
	u64 size;
	unsigned long nr;

	spinlock_t lock; /* protects pages, versions, views' txn */
	struct page **pages;
	u64 *versions;
	u64 version;
};

struct dios_buf;

struct dios_object *dios_blob_create(const struct dios_create_args *args);
struct page *dios_blob_buf_page(struct dios_buf *buf, u64 off);

#endif /* __DIOS_BLOB_H */
