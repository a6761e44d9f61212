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

long dios_ioctl(struct dios_context *ctx, unsigned int cmd,
		void __user *uarg);

#endif /* __DIOS_IOCTL_H */
