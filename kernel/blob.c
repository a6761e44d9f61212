// SPDX-License-Identifier: GPL-2.0
/*
 * blob.c - the BLOB object type.
 */

#include <linux/slab.h>

#include "blob.h"
#include "main.h"

static_assert(offsetof(struct dios_blob, obj) == 0);

static struct dios_blob *dios_blob_from_obj(struct dios_object *obj)
{
	return container_of(obj, struct dios_blob, obj);
}

static void dios_blob_info(struct dios_object *obj,
			   struct dios_ref_info *info)
{
	struct dios_blob *blob = dios_blob_from_obj(obj);

	info->size = blob->size;
	info->read_buf_max = blob->size;
	info->write_buf_max = blob->size;
}

/* Nothing to free yet: versions and pages come with I/O. */
static void dios_blob_destroy(struct dios_object *obj)
{
}

static const struct dios_object_ops dios_blob_ops = {
	.info = dios_blob_info,
	.destroy = dios_blob_destroy,
};

/**
 * dios_blob_create() - create a BLOB object
 * @args:	@size is used, @capacity must be 0
 *
 * Return: the object, or ERR_PTR: -EINVAL, -EFBIG, -ENOMEM.
 */
struct dios_object *dios_blob_create(const struct dios_create_args *args)
{
	struct dios_blob *blob;
	int ret;

	if (args->capacity)
		return ERR_PTR(-EINVAL);
	ret = dios_object_check_size(args->size, dios_max_size);
	if (ret)
		return ERR_PTR(ret);
	blob = kzalloc(sizeof(*blob), GFP_KERNEL_ACCOUNT);
	if (!blob)
		return ERR_PTR(-ENOMEM);
	dios_object_init(&blob->obj, DIOS_OBJ_BLOB, &dios_blob_ops);
	blob->size = args->size;
	return &blob->obj;
}
