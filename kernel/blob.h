/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_BLOB_H
#define __DIOS_BLOB_H

/**
 * DOC: Blob objects
 *
 * DIOS_OBJ_BLOB: a byte array with versioned, transactional I/O.  This
 * version records the size only; versions and pages come with the I/O
 * paths.  No lock: every field is immutable.
 */

#include "object.h"

/**
 * struct dios_blob - a blob object
 * @obj:	the object core, first so that the object is the allocation
 * @size:	size in bytes as given at creation; immutable
 */
struct dios_blob {
	struct dios_object obj;
	u64 size;
};

struct dios_object *dios_blob_create(const struct dios_create_args *args);

#endif /* __DIOS_BLOB_H */
