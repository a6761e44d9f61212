/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_DEBUGFS_H
#define __DIOS_DEBUGFS_H

/**
 * DOC: Counters
 *
 * Live counts of objects (per type), names, contexts and references, shown
 * in /sys/kernel/debug/dios/stats for leak tests.  They are plain atomics,
 * updated where the counted thing is created and freed.
 *
 * /sys/kernel/debug/dios/proc/<pid> lists a context's references and their
 * objects (dios_context_show()); docs/observability.md describes both.
 */

#include <linux/atomic.h>
#include <linux/dios.h>

/**
 * struct dios_stats - live counts
 * @objects:	objects by DIOS_OBJ_* type
 * @names:	entries in the name table
 * @contexts:	contexts not yet freed
 * @refs:	references in all context tables
 * @views_mapped: views the module mapped (ever; not a live count)
 * @view_faults: faults taken on views (ever)
 * @bytes_copied: payload bytes the module copied between user memory and
 *		an object: only DIOS_IOC_XFER does (zero-copy I/O never)
 * @blob_cow_bytes: object bytes copied into blob write transactions
 * @ring_sleeps: times a DIOS_RING_WAIT went to sleep (ever): what the
 *		user-level fast path of ring streams did not avoid
 */
struct dios_stats {
	atomic_long_t objects[DIOS_OBJ_GROUP + 1];
	atomic_long_t names;
	atomic_long_t contexts;
	atomic_long_t refs;
	atomic_long_t views_mapped;
	atomic_long_t view_faults;
	atomic_long_t bytes_copied;
	atomic_long_t blob_cow_bytes;
	atomic_long_t ring_sleeps;
};

extern struct dios_stats dios_stats;

static inline void dios_stats_inc(atomic_long_t *counter)
{
	atomic_long_inc(counter);
}

static inline void dios_stats_dec(atomic_long_t *counter)
{
	atomic_long_dec(counter);
}

static inline void dios_stats_add(atomic_long_t *counter, long n)
{
	atomic_long_add(n, counter);
}

struct dios_context;

const char *dios_type_name(u32 type);
void dios_debugfs_context_add(struct dios_context *ctx);
void dios_debugfs_context_remove(struct dios_context *ctx);
void dios_debugfs_init(void);
void dios_debugfs_uninit(void);

#endif /* __DIOS_DEBUGFS_H */
