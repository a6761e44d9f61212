// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - `dios stats` and `dios top`: the module's live counters
 * (debugfs dios/stats, root only), once or sampled with their rates.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

/* The module's counters: "name value" lines of dios/stats. */
struct counters {
	char name[16][32];
	long long val[16];
	unsigned int n;
};

static int counters_read(struct counters *c)
{
	char *file = slurp(DIOS_DIR "/stats"), *p, *end;

	if (!file) {
		fprintf(stderr, "dios: %s/stats: %s\n", DIOS_DIR,
			strerror(errno));
		return -1;
	}
	c->n = 0;
	for (p = file; *p && c->n < 16; p = *end ? end + 1 : end) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (sscanf(p, "%31s %lld", c->name[c->n], &c->val[c->n]) == 2)
			c->n++;
	}
	free(file);
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	int ret = plain_opts("stats", argc, argv, NULL);
	struct counters c;
	unsigned int i;

	if (ret >= 0)
		return ret;
	if (debugfs_ready(false) || counters_read(&c))
		return 1;
	if (json)
		printf("{");
	for (i = 0; i < c.n; i++) {
		if (json)
			printf("%s\"%s\": %lld", i ? ", " : "", c.name[i],
			       c.val[i]);
		else
			printf("%s %lld\n", c.name[i], c.val[i]);
	}
	if (json)
		printf("}\n");
	return 0;
}

static void top_show(const struct counters *cur, const struct counters *prev,
		     double dt, unsigned long sample)
{
	unsigned int i;
	double rate;

	if (json)
		printf("{\"sample\": %lu, \"interval\": %.3f, \"counters\": {",
		       sample, dt);
	else
		printf("dios top: sample %lu, over %.2f s\n%-16s %14s %14s\n",
		       sample, dt, "COUNTER", "VALUE", "PER_SECOND");
	for (i = 0; i < cur->n; i++) {
		rate = i < prev->n ? (cur->val[i] - prev->val[i]) / dt : 0;
		if (json)
			printf("%s\"%s\": {\"value\": %lld, \"per_second\": "
			       "%.1f}", i ? ", " : "", cur->name[i],
			       cur->val[i], rate);
		else
			printf("%-16s %14lld %14.1f\n", cur->name[i],
			       cur->val[i], rate);
	}
	printf(json ? "}}\n" : "\n");
	fflush(stdout);
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{ "count", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ 0 }
	};
	const struct dios_cmd *cmd = cmd_find("top");
	unsigned long long count = 0, i;
	struct counters prev, cur;
	double delay = 1, t0, t;
	bool clear;
	int c, ret;

	while ((c = next_opt(cmd, argc, argv, ":jhn:d:", opts, &ret)) != -1) {
		if (c == 'n' && !ull_parse(optarg, &count) && count)
			continue;
		if (c == 'd' && !secs_parse(optarg, &delay))
			continue;
		return usage_error(cmd, "-%c %s: want %s", c, optarg,
				   c == 'n' ? "a count above 0" :
				   "seconds, above 0, at most 86400");
	}
	if (ret >= 0)
		return ret;
	if (optind != argc)
		return usage_error(cmd, "takes no operand");
	if (debugfs_ready(false) || counters_read(&prev))
		return 1;
	clear = !count && !json && isatty(1);
	t0 = mono_now();
	for (i = 1; !count || i <= count; i++) {
		sleep_secs(delay);
		if (counters_read(&cur))
			return 1;
		t = mono_now();
		if (clear)
			printf("\033[H\033[2J");
		top_show(&cur, &prev, t - t0, i);
		prev = cur;
		t0 = t;
	}
	return 0;
}
