// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - the live counters and /sys/kernel/debug/dios/.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "debugfs.h"

struct dios_stats dios_stats;

static struct dentry *dios_debugfs_dir;

static const char *const dios_type_names[] = {
	[DIOS_OBJ_PRIVMEM] = "privmem",
	[DIOS_OBJ_SHMEM] = "shmem",
	[DIOS_OBJ_BLOB] = "blob",
	[DIOS_OBJ_STREAM] = "stream",
	[DIOS_OBJ_TASK] = "task",
	[DIOS_OBJ_GROUP] = "group",
};

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
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dios_stats);

/* Failure only loses the debug view: nothing to unwind, nothing to report. */
void dios_debugfs_init(void)
{
	dios_debugfs_dir = debugfs_create_dir("dios", NULL);
	debugfs_create_file("stats", 0444, dios_debugfs_dir, NULL,
			    &dios_stats_fops);
}

void dios_debugfs_uninit(void)
{
	debugfs_remove(dios_debugfs_dir);
}
