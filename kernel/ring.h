/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_RING_H
#define __DIOS_RING_H

/**
 * DOC: Ring streams
 *
 * A ring stream (DIOS_CREATE_RING) is a struct dios_stream whose messages
 * move in user space, as frames in the ring, between the holders of the
 * write and the read lease; see ring.c and docs/ring.md.
 */

#include <linux/types.h>

struct dios_create_args;
struct dios_io;
struct dios_object;

struct dios_object *dios_ring_create(const struct dios_create_args *args);
bool dios_is_ring(struct dios_object *obj);
int dios_ring_wait(struct dios_io *io, u64 seen);
void dios_ring_wake(struct dios_object *obj);
u64 dios_ring_size(struct dios_object *obj);

#endif /* __DIOS_RING_H */
