// SPDX-License-Identifier: GPL-2.0
/*
 * dios: show the module's state from the command line, as `ip` and
 * `bpftool` show theirs.  It reads debugfs (docs/observability.md), so it
 * needs root and debugfs mounted at /sys/kernel/debug (it mounts it if it
 * is not).  Plain text by default, one JSON document with --json.
 *
 *   dios ps           the contexts: pid, command, references, buffers...
 *   dios refs PID     the references of PID's context(s), with their objects
 *   dios stats        the module's live counters
 */
#define _GNU_SOURCE	/* versionsort */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEBUGFS		"/sys/kernel/debug"
#define DIOS_DIR	DEBUGFS "/dios"

static bool json;

static void usage(FILE *f)
{
	fputs("usage: dios [--json] ps\n"
	      "       dios [--json] refs PID\n"
	      "       dios [--json] stats\n"
	      "       dios --help\n"
	      "\n"
	      "  ps      list the processes holding a dios context: pid, command,\n"
	      "          references, open buffers, mapped views, interest set size\n"
	      "  refs    list the references of a process: handle, type, rights,\n"
	      "          state, object id and the object's state\n"
	      "  stats   the module's live counters\n"
	      "  --json  one JSON document instead of text\n"
	      "\n"
	      "Reads " DIOS_DIR " (root only; see docs/observability.md).\n",
	      f);
}

/* The whole of @path, malloc()ed; NULL with errno set on error. */
static char *slurp(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1), *bigger;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f || !buf) {
		int err = errno;

		free(buf);
		if (f)
			fclose(f);
		errno = err;
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len < cap)
			continue;
		bigger = realloc(buf, 2 * cap + 1);
		if (!bigger)
			break;
		buf = bigger;
		cap *= 2;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* The module's debugfs directory, mounting debugfs if need be. */
static int dios_dir_check(void)
{
	struct stat st;

	if (!stat(DIOS_DIR, &st))
		return 0;
	/* Not mounted yet, or mounted and no module: EBUSY. */
	if (mount("none", DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY) {
		fprintf(stderr, "dios: cannot mount debugfs on " DEBUGFS
			": %s (root is needed)\n", strerror(errno));
		return 1;
	}
	if (!stat(DIOS_DIR, &st))
		return 0;
	fprintf(stderr, "dios: no " DIOS_DIR ": %s (is the module loaded? "
		"are you root?)\n", strerror(errno));
	return 1;
}

/* Print @s as a JSON string. */
static void json_str(const char *s, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* A value in JSON: a number if it is one in decimal, else a string. */
static void json_val(const char *v, size_t n)
{
	size_t i = v[0] == '-' ? 1 : 0;

	if (n > i && n < 20 && strspn(v + i, "0123456789") == n - i &&
	    (v[i] != '0' || n == i + 1))
		printf("%.*s", (int)n, v);
	else
		json_str(v, n);
}

/* "key": value, after a comma unless it is the object's first member. */
static void json_member(bool *first, const char *k, size_t klen,
			const char *v, size_t vlen)
{
	printf("%s", *first ? "" : ", ");
	json_str(k, klen);
	printf(": ");
	json_val(v, vlen);
	*first = false;
}

/* One line of "key=value key=value ..." as a JSON object. */
static void json_kv_line(const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	bool first = true;

	putchar('{');
	while (p < end) {
		const char *tok_end = memchr(p, ' ', end - p);
		const char *eq;

		if (!tok_end)
			tok_end = end;
		eq = memchr(p, '=', tok_end - p);
		if (eq)
			json_member(&first, p, eq - p, eq + 1, tok_end - eq - 1);
		p = tok_end + 1;
	}
	putchar('}');
}

/* The number after "@key:\t" in a context file; -1 if absent. */
static long ctx_field(const char *file, const char *key)
{
	char pat[48];
	const char *p;

	snprintf(pat, sizeof(pat), "%s:\t", key);
	p = strstr(file, pat);
	return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

static void comm_of(long pid, char *comm, size_t size)
{
	char path[64], *s;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	s = slurp(path);
	snprintf(comm, size, "%s", s ? s : "?");
	comm[strcspn(comm, "\n")] = '\0';
	free(s);
}

static const char *const ctx_fields[] = {
	"dios_refs", "dios_buffers", "dios_views", "dios_interest",
	"dios_task",
};

/*
 * Call @fn for each context file whose name is @pid or @pid-<task object>
 * (a second context of the process), or for every one if @pid is NULL.
 * Return: the number of files read, or -1 (said why).
 */
static int for_each_context(const char *pid,
			    void (*fn)(const char *name, const char *file,
				       int nth),
			    int nth)
{
	size_t plen = pid ? strlen(pid) : 0;
	char path[300], *file;
	struct dirent **ents;
	int n, i;

	n = scandir(DIOS_DIR "/proc", &ents, NULL, versionsort);
	if (n < 0) {
		fprintf(stderr, "dios: %s/proc: %s\n", DIOS_DIR,
			strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (name[0] == '.' ||
		    (pid && (strncmp(name, pid, plen) ||
			     (name[plen] && name[plen] != '-'))))
			continue;
		snprintf(path, sizeof(path), DIOS_DIR "/proc/%s", name);
		file = slurp(path);
		if (!file)	/* the context went meanwhile */
			continue;
		fn(name, file, nth++);
		free(file);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return nth;
}

/* One line of `dios ps`; @nth: the contexts shown before. */
static void ps_one(const char *name, const char *file, int nth)
{
	long pid = strtol(name, NULL, 10);
	char comm[64];
	size_t f;

	comm_of(pid, comm, sizeof(comm));
	if (!json) {
		printf("%-10s %-16s %6ld %8ld %6ld %9ld %8ld\n", name, comm,
		       ctx_field(file, "dios_refs"),
		       ctx_field(file, "dios_buffers"),
		       ctx_field(file, "dios_views"),
		       ctx_field(file, "dios_interest"),
		       ctx_field(file, "dios_task"));
		return;
	}
	printf("%s{\"pid\": %ld, \"command\": ", nth ? ", " : "", pid);
	json_str(comm, sizeof(comm));
	for (f = 0; f < sizeof(ctx_fields) / sizeof(*ctx_fields); f++)
		printf(", \"%s\": %ld", ctx_fields[f] + strlen("dios_"),
		       ctx_field(file, ctx_fields[f]));
	printf("}");
}

static int cmd_ps(void)
{
	int n;

	if (json)
		printf("[");
	else
		printf("%-10s %-16s %6s %8s %6s %9s %8s\n", "PID", "COMMAND",
		       "REFS", "BUFFERS", "VIEWS", "INTEREST", "TASKOBJ");
	n = for_each_context(NULL, ps_one, 0);
	if (json)
		printf("]\n");
	return n < 0;
}

/* The reference lines of one context file. */
static bool refs_shown;

static void refs_one(const char *name, const char *file, int nth)
{
	const char *p, *end;

	(void)name;
	(void)nth;
	for (p = file; *p; p = *end ? end + 1 : end) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (strncmp(p, "handle=", 7))
			continue;
		if (json) {
			printf("%s", refs_shown ? ", " : "");
			json_kv_line(p, end - p);
		} else {
			printf("%.*s\n", (int)(end - p), p);
		}
		refs_shown = true;
	}
}

static int cmd_refs(const char *pid)
{
	int n;

	if (json)
		printf("[");
	n = for_each_context(pid, refs_one, 0);
	if (json)
		printf("]\n");
	if (n < 0)
		return 1;
	if (!n) {
		fprintf(stderr, "dios: process %s holds no dios context\n",
			pid);
		return 1;
	}
	return 0;
}

static int cmd_stats(void)
{
	char *file = slurp(DIOS_DIR "/stats"), *p, *sp, *end;
	bool first = true;

	if (!file) {
		fprintf(stderr, "dios: %s/stats: %s\n", DIOS_DIR,
			strerror(errno));
		return 1;
	}
	if (!json) {
		fputs(file, stdout);
		free(file);
		return 0;
	}
	printf("{");
	for (p = file; *p; p = *end ? end + 1 : end) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		sp = memchr(p, ' ', end - p);
		if (sp)
			json_member(&first, p, sp - p, sp + 1, end - sp - 1);
	}
	printf("}\n");
	free(file);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "dios: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "ps") && i + 1 == argc)
		return dios_dir_check() ?: cmd_ps();
	if (!strcmp(argv[i], "refs") && i + 2 == argc) {
		if (!*argv[i + 1] ||
		    strspn(argv[i + 1], "0123456789") != strlen(argv[i + 1])) {
			fprintf(stderr, "dios: refs: not a pid: %s\n",
				argv[i + 1]);
			return 2;
		}
		return dios_dir_check() ?: cmd_refs(argv[i + 1]);
	}
	if (!strcmp(argv[i], "stats") && i + 1 == argc)
		return dios_dir_check() ?: cmd_stats();
	fprintf(stderr, "dios: bad command line\n");
	usage(stderr);
	return 2;
}
