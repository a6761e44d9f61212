/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_MEM_H
#define __DIOS_MEM_H

/**
 * DOC: Memory objects
 *
 * DIOS_OBJ_PRIVMEM and DIOS_OBJ_SHMEM: memory of a fixed size.  PRIVMEM is
 * always anonymous and its references never leave the task (the ioctl
 * handlers enforce both).  The pages are allocated zeroed on first touch,
 * by the fault handler of a view; every view of the object maps all of it,
 * so all holders of a SHMEM object share the same pages.  I/O needs no
 * lock: the page store has its own spinlock, every other field is
 * immutable.
 */

#include "buffer.h"
#include "object.h"

/**
 * struct dios_mem - a memory object
 * @obj:	the object core, first so that the object is the allocation
 * @size:	size in bytes as given at creation; immutable
 * @pages:	the pages, rounded up from @size
 */
struct dios_mem {
	struct dios_object obj;
	u64 size;
	struct dios_pages pages;
};

struct dios_object *dios_mem_create(u32 type,
				    const struct dios_create_args *args);

#endif /* __DIOS_MEM_H */
