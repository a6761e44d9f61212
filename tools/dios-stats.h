/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live counts of /sys/kernel/debug/dios/stats (kernel/debugfs.c), for
 * dios-fuzz and dios-soak: read them before a run, and after it wait for
 * them to come back.  The totals (views_mapped...) only grow: not here.
 */
#ifndef DIOS_STATS_H
#define DIOS_STATS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DIOS_STATS	"/sys/kernel/debug/dios/stats"

static const char *const dios_stats_keys[] = {
	"objects_privmem", "objects_shmem", "objects_blob", "objects_stream",
	"objects_task", "objects_group", "names", "contexts", "refs",
};
#define DIOS_STATS_N	(sizeof(dios_stats_keys) / sizeof(dios_stats_keys[0]))

/* The counts into @v (-1 for a key not found); false without debugfs. */
static inline bool dios_stats_read(long *v)
{
	char line[128], name[64];
	FILE *f = fopen(DIOS_STATS, "r");
	long value;
	size_t i;

	if (!f)
		return false;
	for (i = 0; i < DIOS_STATS_N; i++)
		v[i] = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &value) == 2)
			for (i = 0; i < DIOS_STATS_N; i++)
				if (!strcmp(name, dios_stats_keys[i]))
					v[i] = value;
	fclose(f);
	return true;
}

/*
 * Wait up to 60 s for the counts to be @before again: teardown, RCU and
 * the collector finish a little after the processes exit.  False if they
 * are not, with the differences in @msg.
 */
static inline bool dios_stats_settle(const long *before, char *msg,
				     size_t len)
{
	long after[DIOS_STATS_N];
	bool same = false;
	size_t k, n = 0;
	int i;

	for (i = 0; i < 600 && !same; i++) {
		if (i)
			usleep(100000);
		same = dios_stats_read(after);
		for (k = 0; same && k < DIOS_STATS_N; k++)
			same = after[k] == before[k];
	}
	msg[0] = '\0';
	for (k = 0; !same && k < DIOS_STATS_N && n < len; k++)
		if (after[k] != before[k])
			n += (size_t)snprintf(msg + n, len - n,
					      " %s %ld -> %ld",
					      dios_stats_keys[k], before[k],
					      after[k]);
	return same;
}

#endif
