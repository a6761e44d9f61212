/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_GROUP_H
#define __DIOS_GROUP_H

/**
 * DOC: Groups
 *
 * DIOS_OBJ_GROUP: a name scope.  Names are registered in and resolved within
 * a group, through a reference to it (WRITE to register, READ to resolve),
 * or in the global group, created at module init and designated by
 * DIOS_REF_NONE.  The name table is keyed by a group's id, a 64-bit counter
 * value never reused, rather than by the group's address: a name registered
 * in a group that has since died can then never be found through a new
 * group allocated at the same address, and names need not pin their group.
 * No lock: every field is immutable.
 */

#include "object.h"

struct dios_context;

/**
 * struct dios_group - a group object
 * @obj:	the object core, first so that the object is the allocation
 * @id:		the key of the group's names; immutable
 */
struct dios_group {
	struct dios_object obj;
	u64 id;
};

struct dios_object *dios_group_create(const struct dios_create_args *args);
int dios_group_get(struct dios_context *ctx, u64 handle, u64 right,
		   struct dios_object **group);
void dios_group_put(struct dios_object *group);
u64 dios_group_id(struct dios_object *group);
bool dios_group_is_global(struct dios_object *group);

int dios_group_init(void);
void dios_group_uninit(void);

#endif /* __DIOS_GROUP_H */
