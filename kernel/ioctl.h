/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_IOCTL_H
#define __DIOS_IOCTL_H

/**
 * DOC: ioctl dispatch
 *
 * Commands are _IOWR(DIOS_IOC_MAGIC, nr, struct); the size field carries the
 * caller's struct size, so that structs can grow at the end.  One handler
 * per command; the ABI is identical on 32-bit, so the compat path is the
 * native one.  Takes no lock of its own.
 */

#include <linux/compiler_types.h>

struct dios_context;

/* The three steps of an I/O transaction (and of the dios_io tracepoint). */
enum dios_io_step {
	DIOS_STEP_ACQUIRE,
	DIOS_STEP_COMMIT,
	DIOS_STEP_RELEASE,
};

long dios_ioctl(struct dios_context *ctx, unsigned int cmd,
		void __user *uarg);
void dios_ioctl_init(void);

#endif /* __DIOS_IOCTL_H */
