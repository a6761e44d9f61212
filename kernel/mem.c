// SPDX-License-Identifier: GPL-2.0
/*
 * mem.c - the PRIVMEM and SHMEM object types.
 */

#include <linux/slab.h>

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

/* Nothing to free yet: pages come with I/O. */
static void dios_mem_destroy(struct dios_object *obj)
{
}

static const struct dios_object_ops dios_mem_ops = {
	.info = dios_mem_info,
	.destroy = dios_mem_destroy,
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
	mem = kzalloc(sizeof(*mem), GFP_KERNEL_ACCOUNT);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	dios_object_init(&mem->obj, type, &dios_mem_ops);
	mem->size = args->size;
	return &mem->obj;
}
