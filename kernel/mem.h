/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_MEM_H
#define __DIOS_MEM_H

/**
 * DOC: Memory objects
 *
 * DIOS_OBJ_PRIVMEM and DIOS_OBJ_SHMEM: memory of a fixed size.  PRIVMEM is
 * always anonymous and its references never leave the task (the ioctl
 * handlers enforce both).  This version records the size only; the pages
 * will be allocated lazily by the I/O paths.  No lock: every field is
 * immutable.
 */

#include "object.h"

/**
 * struct dios_mem - a memory object
 * @obj:	the object core, first so that the object is the allocation
 * @size:	size in bytes as given at creation; immutable
 */
struct dios_mem {
	struct dios_object obj;
	u64 size;
};

struct dios_object *dios_mem_create(u32 type,
				    const struct dios_create_args *args);

#endif /* __DIOS_MEM_H */
