/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_STREAM_H
#define __DIOS_STREAM_H

/**
 * DOC: Stream objects
 *
 * DIOS_OBJ_STREAM: a one-way FIFO of messages.  This version records the
 * capacity only; the message queue, its pages and the reader/writer counts
 * come with the I/O paths.  No lock: every field is immutable.
 */

#include "object.h"

/**
 * struct dios_stream - a stream object
 * @obj:	the object core, first so that the object is the allocation
 * @capacity:	bytes of message space as given at creation; immutable
 */
struct dios_stream {
	struct dios_object obj;
	u64 capacity;
};

struct dios_object *dios_stream_create(const struct dios_create_args *args);

#endif /* __DIOS_STREAM_H */
