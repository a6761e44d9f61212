// SPDX-License-Identifier: GPL-2.0
/*
 * stream.c - the STREAM object type.
 */

#include <linux/slab.h>

#include "main.h"
#include "stream.h"

static_assert(offsetof(struct dios_stream, obj) == 0);

static struct dios_stream *dios_stream_from_obj(struct dios_object *obj)
{
	return container_of(obj, struct dios_stream, obj);
}

/* A message can fill the whole capacity, in either direction. */
static void dios_stream_info(struct dios_object *obj,
			     struct dios_ref_info *info)
{
	struct dios_stream *stream = dios_stream_from_obj(obj);

	info->size = stream->capacity;
	info->read_buf_max = stream->capacity;
	info->write_buf_max = stream->capacity;
}

/* Nothing to free yet: the queue comes with I/O. */
static void dios_stream_destroy(struct dios_object *obj)
{
}

static const struct dios_object_ops dios_stream_ops = {
	.info = dios_stream_info,
	.destroy = dios_stream_destroy,
};

/**
 * dios_stream_create() - create a STREAM object
 * @args:	@capacity is used, @size must be 0
 *
 * Return: the object, or ERR_PTR: -EINVAL, -EFBIG, -ENOMEM.
 */
struct dios_object *dios_stream_create(const struct dios_create_args *args)
{
	struct dios_stream *stream;
	int ret;

	if (args->size)
		return ERR_PTR(-EINVAL);
	ret = dios_object_check_size(args->capacity, dios_max_capacity);
	if (ret)
		return ERR_PTR(ret);
	stream = kzalloc(sizeof(*stream), GFP_KERNEL_ACCOUNT);
	if (!stream)
		return ERR_PTR(-ENOMEM);
	dios_object_init(&stream->obj, DIOS_OBJ_STREAM, &dios_stream_ops);
	stream->capacity = args->capacity;
	return &stream->obj;
}
