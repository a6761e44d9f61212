// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/dios/: the live counters (stats) and one
 * file per context (proc/<pid>), in the manner of binder's proc/<pid>.
 *
 * debugfs is root's alone (mounted mode 0700), and the files are 0400
 * besides.  A context's file is made when the context is and removed when
 * it is freed (context.c says under which locks it is read).
 */

#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/seq_file.h>

#include "context.h"
#include "debugfs.h"
#include "object.h"

struct dios_stats dios_stats;

static struct dentry *dios_debugfs_dir;
static struct dentry *dios_debugfs_proc;

/* Serialises the choice of a context file's name with its creation. */
static DEFINE_MUTEX(dios_debugfs_lock);

static const char *const dios_type_names[] = {
	[DIOS_OBJ_PRIVMEM] = "privmem",
	[DIOS_OBJ_SHMEM] = "shmem",
	[DIOS_OBJ_BLOB] = "blob",
	[DIOS_OBJ_STREAM] = "stream",
	[DIOS_OBJ_TASK] = "task",
	[DIOS_OBJ_GROUP] = "group",
};

const char *dios_type_name(u32 type)
{
	if (type >= ARRAY_SIZE(dios_type_names) || !dios_type_names[type])
		return "unknown";
	return dios_type_names[type];
}

static int dios_stats_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = DIOS_OBJ_PRIVMEM; i < ARRAY_SIZE(dios_type_names); i++)
		seq_printf(m, "objects_%s %ld\n", dios_type_names[i],
			   atomic_long_read(&dios_stats.objects[i]));
	seq_printf(m, "names %ld\n", atomic_long_read(&dios_stats.names));
	seq_printf(m, "contexts %ld\n",
		   atomic_long_read(&dios_stats.contexts));
	seq_printf(m, "refs %ld\n", atomic_long_read(&dios_stats.refs));
	seq_printf(m, "views_mapped %ld\n",
		   atomic_long_read(&dios_stats.views_mapped));
	seq_printf(m, "view_faults %ld\n",
		   atomic_long_read(&dios_stats.view_faults));
	seq_printf(m, "bytes_copied %ld\n",
		   atomic_long_read(&dios_stats.bytes_copied));
	seq_printf(m, "blob_cow_bytes %ld\n",
		   atomic_long_read(&dios_stats.blob_cow_bytes));
	seq_printf(m, "ring_sleeps %ld\n",
		   atomic_long_read(&dios_stats.ring_sleeps));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dios_stats);

static int dios_context_file_show(struct seq_file *m, void *unused)
{
	dios_context_show(m->private, m, true);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dios_context_file);

/*
 * proc/<pid>, the pid as the initial namespace sees it; a second context
 * of the same process (it opened /dev/dios twice) is proc/<pid>-<task
 * object id>.  Failure only loses the debug view.
 */
void dios_debugfs_context_add(struct dios_context *ctx)
{
	struct dentry *old;
	char name[48];
	int n;

	if (IS_ERR_OR_NULL(dios_debugfs_proc))
		return;
	mutex_lock(&dios_debugfs_lock);
	n = snprintf(name, sizeof(name), "%d", pid_nr(ctx->owner));
	old = debugfs_lookup(name, dios_debugfs_proc);
	if (old) {
		dput(old);
		snprintf(name + n, sizeof(name) - n, "-%llu", ctx->task->id);
	}
	ctx->debugfs = debugfs_create_file(name, 0400, dios_debugfs_proc, ctx,
					   &dios_context_file_fops);
	mutex_unlock(&dios_debugfs_lock);
}

/* Waits for the readers of the file: call with no lock held. */
void dios_debugfs_context_remove(struct dios_context *ctx)
{
	debugfs_remove(ctx->debugfs);
}

/* Failure only loses the debug view: nothing to unwind, nothing to report. */
void dios_debugfs_init(void)
{
	dios_debugfs_dir = debugfs_create_dir("dios", NULL);
	debugfs_create_file("stats", 0444, dios_debugfs_dir, NULL,
			    &dios_stats_fops);
	dios_debugfs_proc = debugfs_create_dir("proc", dios_debugfs_dir);
}

void dios_debugfs_uninit(void)
{
	debugfs_remove(dios_debugfs_dir);
}
