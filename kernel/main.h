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
#include <linux/stringify.h>
#include <linux/types.h>

/*
 * The release is the ABI version it implements and a patch level that
 * counts releases without ABI change (docs/releasing.md): release 1.2.1
 * is the second of ABI 1.2.  It is the module's version (modinfo), the
 * DIOS_IOC_VERSION release string and the DKMS package version.
 */
#define DIOS_RELEASE_PATCH	0
#define DIOS_RELEASE		__stringify(DIOS_ABI_MAJOR) "." \
				__stringify(DIOS_ABI_MINOR) "." \
				__stringify(DIOS_RELEASE_PATCH)
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
