// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module init and exit, the limits (module parameters) and the
 * /dev/dios character device.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>

#include "buffer.h"
#include "context.h"
#include "debugfs.h"
#include "gc.h"
#include "group.h"
#include "ioctl.h"
#include "main.h"
#include "name.h"
#include "object.h"
#include "select.h"
#include "task.h"

unsigned int dios_max_refs = 131072;
module_param_named(max_refs, dios_max_refs, uint, 0444);
MODULE_PARM_DESC(max_refs, "references per task (-EMFILE)");

unsigned long dios_max_objects = 1048576;
module_param_named(max_objects, dios_max_objects, ulong, 0444);
MODULE_PARM_DESC(max_objects, "objects per user (-EDQUOT)");

unsigned long dios_max_size = SZ_1G;
module_param_named(max_size, dios_max_size, ulong, 0444);
MODULE_PARM_DESC(max_size, "bytes per memory or blob object (-EFBIG)");

unsigned long dios_max_capacity = SZ_64M;
module_param_named(max_capacity, dios_max_capacity, ulong, 0444);
MODULE_PARM_DESC(max_capacity, "bytes per stream (-EFBIG)");

bool dios_given_names;
module_param_named(given_names, dios_given_names, bool, 0444);
MODULE_PARM_DESC(given_names,
		 "any user may give names in the global group (default: CAP_SYS_ADMIN only, -EPERM)");

/* The header page, then one entry per possible slot. */
unsigned long dios_meta_map_size(void)
{
	return PAGE_SIZE + PAGE_ALIGN((unsigned long)dios_max_refs *
				      sizeof(struct dios_ref_meta));
}

/*
 * Refuse limits the module cannot honour, saying which and why: insmod and
 * modprobe print only "Invalid argument".  The object quota is a refcount_t
 * per user: keep it far from saturation.
 */
static int dios_check_params(void)
{
	int ret = 0;

	if (!dios_max_refs || dios_max_refs > DIOS_MAX_REFS_LIMIT) {
		pr_err("max_refs=%u refused: references per task must be 1 to %lu\n",
		       dios_max_refs, DIOS_MAX_REFS_LIMIT);
		ret = -EINVAL;
	}
	if (!dios_max_objects || dios_max_objects > INT_MAX / 2) {
		pr_err("max_objects=%lu refused: objects per user must be 1 to %d\n",
		       dios_max_objects, INT_MAX / 2);
		ret = -EINVAL;
	}
	if (!dios_max_size) {
		pr_err("max_size=0 refused: a memory or blob object needs at least 1 byte\n");
		ret = -EINVAL;
	}
	if (!dios_max_capacity) {
		pr_err("max_capacity=0 refused: a stream needs at least 1 byte\n");
		ret = -EINVAL;
	}
	return ret;
}

static int dios_open(struct inode *inode, struct file *file)
{
	struct dios_context *ctx = dios_task_claim(file);

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

static int dios_release(struct inode *inode, struct file *file)
{
	dios_context_release(file->private_data);
	return 0;
}

static long dios_unlocked_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	return dios_ioctl(file->private_data, cmd, (void __user *)arg);
}

/* EPOLLIN while an entry of the interest set is ready (select.c). */
static __poll_t dios_poll(struct file *file, poll_table *wait)
{
	return dios_interest_poll(file->private_data, file, wait);
}

static int dios_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct dios_context *ctx = file->private_data;

	if (!dios_context_is_owner(ctx))
		return -EBADFD;
	if (vma->vm_pgoff == DIOS_MMAP_META >> PAGE_SHIFT)
		return dios_context_mmap(ctx, vma);
	return dios_view_mmap(ctx, vma);
}

/* /proc/<pid>/fdinfo/<fd>: the owner and the size of the context. */
static void dios_show_fdinfo(struct seq_file *m, struct file *file)
{
	dios_context_show(file->private_data, m, false);
}

static const struct file_operations dios_fops = {
	.owner = THIS_MODULE,
	.open = dios_open,
	.release = dios_release,
	.unlocked_ioctl = dios_unlocked_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = dios_poll,
	.mmap = dios_mmap,
	.show_fdinfo = dios_show_fdinfo,
};

/*
 * A fixed minor, so that the device can exist before the module does:
 * depmod lists it in modules.devname (from the devname: and char-major-
 * aliases below), kmod static-nodes has /dev/dios created at boot, and
 * the first open of that node loads the module (misc_open() asks for
 * char-major-10-<minor>).  Documentation/admin-guide/devices.txt reserves
 * misc minors 243-254 for local use: no driver of the kernel takes one,
 * and dynamic minors are allocated below 128, so only another local
 * driver on the same minor can clash; misc_register() then fails with
 * -EBUSY and init says so.  The node is root's, mode 0660, until the udev
 * rule (udev/70-dios.rules) gives it the group of the access policy.
 */
#define DIOS_MINOR	249

static struct miscdevice dios_misc = {
	.minor = DIOS_MINOR,
	.name = "dios",
	.fops = &dios_fops,
	.mode = 0660,
};

static int __init dios_init(void)
{
	int ret;

	ret = dios_check_params();
	if (ret)
		return ret;
	dios_ioctl_init();
	ret = dios_name_init();
	if (ret)
		return ret;
	ret = dios_object_init_module();
	if (ret)
		goto err_name;
	ret = dios_context_init();
	if (ret)
		goto err_object;
	ret = dios_group_init();
	if (ret)
		goto err_context;
	ret = dios_task_init();
	if (ret)
		goto err_group;
	dios_debugfs_init();
	ret = misc_register(&dios_misc);
	if (ret) {
		pr_err("cannot register /dev/dios as misc minor %d (%d%s)\n",
		       DIOS_MINOR, ret,
		       ret == -EBUSY ? ": another driver holds that minor" : "");
		goto err_debugfs;
	}
	return 0;

err_debugfs:
	dios_debugfs_uninit();
	dios_task_uninit();
err_group:
	dios_group_uninit();
err_context:
	dios_context_uninit();
err_object:
	dios_object_uninit_module();
err_name:
	dios_name_uninit();
	return ret;
}

/* No file is open (the module is pinned while one is): no context exists. */
static void __exit dios_exit(void)
{
	misc_deregister(&dios_misc);
	dios_gc_uninit();
	dios_debugfs_uninit();
	dios_task_uninit();
	dios_group_uninit();
	dios_context_uninit();
	dios_object_uninit_module();
	dios_name_uninit();
}

module_init(dios_init);
module_exit(dios_exit);

MODULE_DESCRIPTION("DIOS objects, names and references");
MODULE_AUTHOR("The dios authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(DIOS_RELEASE);
MODULE_ALIAS_MISCDEV(DIOS_MINOR);
MODULE_ALIAS("devname:dios");
