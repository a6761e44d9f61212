/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DIOS_MAIN_H
#define __DIOS_MAIN_H

/**
 * DOC: Module limits
 *
 * The limits are read-only module parameters, checked once at module init
 * and reported by DIOS_IOC_VERSION.
 */

#include <linux/dios.h>
#include <linux/types.h>

#define DIOS_RELEASE		"1.0.0"
#define DIOS_MAX_SELECT		65536
/* Handles carry a 32-bit index; keep the metadata map a sane size too. */
#define DIOS_MAX_REFS_LIMIT	BIT(22)

/* The I/O features DIOS_IOC_VERSION advertises: only what works. */
#define DIOS_IO_FEATURES	(DIOS_FEAT_IO_MEM | DIOS_FEAT_IO_STREAM | \
				 DIOS_FEAT_IO_REFS | DIOS_FEAT_IO_BLOB | \
				 DIOS_FEAT_IO_FORWARD | DIOS_FEAT_IO_XFER)

extern unsigned int dios_max_refs;
extern unsigned long dios_max_objects;
extern unsigned long dios_max_size;
extern unsigned long dios_max_capacity;
extern bool dios_given_names;

unsigned long dios_meta_map_size(void);

#endif /* __DIOS_MAIN_H */
