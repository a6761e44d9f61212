/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the tests the VM runs before it loads the module itself
 * (scripts/guest-init.sh, "unloaded"): each one checks whether something
 * else loaded it.
 */
#ifndef DIOS_UNLOADED_H
#define DIOS_UNLOADED_H

#include <stdio.h>
#include <string.h>

/* 1 if the dios module is loaded, 0 if not, -1 if /proc says nothing. */
static inline int module_loaded(void)
{
	char line[256];
	FILE *f = fopen("/proc/modules", "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		found |= !strncmp(line, "dios ", 5);
	fclose(f);
	return found;
}

#endif /* DIOS_UNLOADED_H */
