// SPDX-License-Identifier: GPL-2.0
/*
 * mem.c - the PRIVMEM and SHMEM object types.
 */

#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "main.h"
#include "mem.h"

static_assert(offsetof(struct dios_mem, obj) == 0);

static struct dios_mem *dios_mem_from_obj(struct dios_object *obj)
{
	return container_of(obj, struct dios_mem, obj);
}

static void dios_mem_info(struct dios_object *obj, struct dios_ref_info *info)
{
	struct dios_mem *mem = dios_mem_from_obj(obj);

	info->size = mem->size;
	info->read_buf_max = mem->size;
	info->write_buf_max = mem->size;
}

static void dios_mem_destroy(struct dios_object *obj)
{
	dios_pages_destroy(&dios_mem_from_obj(obj)->pages);
}

static unsigned long dios_mem_view_pages(struct dios_object *obj)
{
	return dios_mem_from_obj(obj)->pages.nr;
}

static struct page *dios_mem_view_page(struct dios_object *obj,
				       struct dios_view *view,
				       unsigned long index)
{
	return dios_pages_get(&dios_mem_from_obj(obj)->pages, index, false);
}

/* The window [offset, offset + len) must be inside the object. */
static int dios_mem_io_acquire(struct dios_object *obj, struct dios_io *io)
{
	struct dios_mem *mem = dios_mem_from_obj(obj);
	u64 end;

	if (io->flags & DIOS_IO_OVERWRITE || io->refs || io->n_refs)
		return -EINVAL;
	if (!io->len || check_add_overflow(io->offset, io->len, &end) ||
	    end > mem->size)
		return -EINVAL;
	io->voff = io->offset;
	io->buf->offset = io->offset;
	return 0;
}

/*
 * commit_write is the publication point: the caller's stores to the shared
 * pages are ordered before anything it does after the call, and select
 * waiters are woken.
 */
static int dios_mem_io_commit(struct dios_object *obj, struct dios_io *io)
{
	if (io->dir == DIOS_IO_DIR_READ)
		return 0;
	if (io->flags & (DIOS_IO_REFS | DIOS_IO_FORWARD) ||
	    io->len > io->buf->len)
		return -EINVAL;
	/* Order the writer's stores before what it does next: a wake-up, a
	 * message telling a reader, a flag in the object itself.  Readers
	 * pair with their own read barrier or a syscall.
	 */
	smp_wmb();
	if (wq_has_sleeper(&obj->waitq))
		wake_up_all(&obj->waitq);
	return 0;
}

/* Nothing to undo: the window is the object itself. */
static int dios_mem_io_release(struct dios_object *obj, struct dios_io *io)
{
	return 0;
}

/* Memory never blocks: ready for every event the rights allow. */
static int dios_mem_poll(struct dios_object *obj, u32 events)
{
	return events;
}

/* debugfs: the size, as dios_ref_info gives it. */
static void dios_mem_show(struct dios_object *obj, struct seq_file *m)
{
	seq_printf(m, " size=%llu", dios_mem_from_obj(obj)->size);
}

static const struct dios_object_ops dios_mem_ops = {
	.info = dios_mem_info,
	.destroy = dios_mem_destroy,
	.io_acquire = dios_mem_io_acquire,
	.io_commit = dios_mem_io_commit,
	.io_release = dios_mem_io_release,
	.poll = dios_mem_poll,
	.view_pages = dios_mem_view_pages,
	.view_page = dios_mem_view_page,
	.show = dios_mem_show,
};

/**
 * dios_mem_create() - create a PRIVMEM or SHMEM object
 * @type:	DIOS_OBJ_PRIVMEM or DIOS_OBJ_SHMEM
 * @args:	@size is used, @capacity must be 0
 *
 * Return: the object, or ERR_PTR: -EINVAL, -EFBIG, -ENOMEM.
 */
struct dios_object *dios_mem_create(u32 type,
				    const struct dios_create_args *args)
{
	struct dios_mem *mem;
	int ret;

	if (args->capacity)
		return ERR_PTR(-EINVAL);
	ret = dios_object_check_size(args->size, dios_max_size);
	if (ret)
		return ERR_PTR(ret);
	mem = dios_object_alloc(type, sizeof(*mem));
	if (!mem)
		return ERR_PTR(-ENOMEM);
	dios_object_init(&mem->obj, type, &dios_mem_ops);
	mem->size = args->size;
	ret = dios_pages_init(&mem->pages, mem->size);
	if (ret) {
		dios_object_put(&mem->obj);
		return ERR_PTR(ret);
	}
	return &mem->obj;
}
