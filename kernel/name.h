/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_NAME_H
#define __DIOS_NAME_H

/**
 * DOC: Names
 *
 * A name is 32 bytes from the kernel CSPRNG, or given by the creator.  The
 * name table is an rhashtable keyed by (group id, name); its entries are
 * allocated when an object is named, so that anonymous objects do not carry
 * one (an object has at most one name, for life: it is only removed when
 * the object is zombified or freed, and the entry is freed after an RCU
 * grace period, as the object is).  Lookups run under RCU and take no
 * lock; insertion and removal serialise on dios_name_lock, a mutex that
 * nests inside a context's lock and outside every object lock.
 *
 * The table holds no reference on the objects in it: an object removes its
 * name before its memory goes (after a grace period), and a lookup racing
 * with the last put fails in dios_object_get_maybe_zero().
 */

#include <linux/types.h>
#include <linux/dios.h>

struct dios_object;

int dios_name_insert(struct dios_object *obj, u64 group,
		     const struct dios_name *given, u64 rights);
void dios_name_remove(struct dios_object *obj);
struct dios_object *dios_name_lookup(u64 group, const struct dios_name *name,
				     u64 *rights);
int dios_name_read(struct dios_object *obj, struct dios_name *name);

int dios_name_init(void);
void dios_name_uninit(void);

#endif /* __DIOS_NAME_H */
