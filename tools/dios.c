// SPDX-License-Identifier: GPL-2.0
/*
 * dios: the module's state and its objects from the command line, as `ip`
 * and `bpftool` show theirs (man/man1/dios.1, docs/observability.md).
 *
 * This file holds the command table, the help and the option handling
 * every command shares; the commands are in tools/dios/: those that read
 * debugfs (root) in debugfs.c, those that use objects through libdios in
 * object.c.  Plain text by default, JSON with --json.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dios/tool.h"

bool json;

static const struct dios_cmd cmds[] = {
	{ "ps", "",
	  "List the processes holding a dios context: pid, command,\n"
	  "references, open buffers, mapped views, interest set size, task\n"
	  "object.  Reads debugfs: root only.\n",
	  cmd_ps },
	{ "refs", "PID",
	  "List the references of PID's context(s), one line each: handle,\n"
	  "type, rights, state, object id, open buffers and views, waiters,\n"
	  "and the object's own state.  Reads debugfs: root only.\n",
	  cmd_refs },
	{ "stats", "",
	  "The module's live counters: objects by type, names, contexts,\n"
	  "references, views, bytes copied.  Reads debugfs: root only.\n",
	  cmd_stats },
	{ "streams", "",
	  "Every stream some context holds a reference to, once: object id,\n"
	  "state, queued messages and bytes, capacity, readers, writers,\n"
	  "waiters, the references to it and the pids holding them.  A stream\n"
	  "reachable only through references inside queued messages is not\n"
	  "listed.  Reads debugfs: root only.\n",
	  cmd_streams },
	{ "top", "[-n COUNT] [-d SECS]",
	  "The module's counters every SECS seconds (default 1, fractions\n"
	  "allowed), each with its change per second over the interval; COUNT\n"
	  "samples, then exit (default: until interrupted; on a terminal the\n"
	  "screen is redrawn).  With --json one JSON object per sample and\n"
	  "line.  Reads debugfs: root only.\n"
	  "  -n, --count COUNT  samples to show\n"
	  "  -d, --delay SECS   seconds between samples\n",
	  cmd_top },
	{ "stat", "NAME|HANDLE",
	  "An object's state: name, type, state, the rights of the reference,\n"
	  "size or capacity, largest buffers; as root also, from debugfs, its\n"
	  "object id, the references to it in every context (not counting\n"
	  "dios's own) and the pids holding them, views and buffers open on\n"
	  "it, waiters, and the type's state (a stream's queued messages and\n"
	  "bytes, readers and writers; a blob's version; a task's pid).\n"
	  "NAME is 64 hex digits, looked up in the global group (the rights\n"
	  "are those the name grants).  HANDLE (0x100000001) is a reference of\n"
	  "dios's own context: one a program gave it when it started dios\n"
	  "with dios_run (see create -- CMD); `dios refs PID` shows the\n"
	  "references of another process.\n",
	  cmd_stat },
	{ "lookup", "NAME",
	  "Look NAME (64 hex digits) up in the global group: its type, state,\n"
	  "the rights the name grants, size or capacity.  Exit 1 if no object\n"
	  "has this name.\n",
	  cmd_lookup },
	{ "create", "TYPE [OPTION]... [-- CMD [ARG]...]",
	  "Create an object of TYPE (shmem, blob, stream or group) with a\n"
	  "random name in the global group, and print the name.\n"
	  "\n"
	  "An object lives only while a reference to it does, and references\n"
	  "die with their process; so dios leaves a process behind, the\n"
	  "holder (command dios-hold, in `dios ps`), that keeps the object\n"
	  "until it is zombified (`dios zombify NAME`), the holder is killed\n"
	  "(its pid is in the --json output) or --for SECS have passed.\n"
	  "\n"
	  "With -- CMD, dios runs CMD instead (as a dios task, dios_run) with\n"
	  "the reference delegated to it, DIOS_REF its handle there and\n"
	  "DIOS_NAME the object's name (none with --anon) in its environment,\n"
	  "waits for it and exits with its status (127: CMD not found).  The\n"
	  "object then lives until CMD ends, longer if CMD passed it on.\n"
	  "  --name            a random name (the default)\n"
	  "  --name=HEX        the name to give (root, or given_names=1)\n"
	  "  --anon            no name: only with -- CMD\n"
	  "  -s, --size N      bytes (K, M, G: powers of 1024): a shmem or blob\n"
	  "                    object's size (default 4096), a stream's\n"
	  "                    capacity (default 64K)\n"
	  "  --name-rights R   what a lookup of the name grants: a list of\n"
	  "                    read,write,copy,delete,name or a number\n"
	  "                    (default: every right)\n"
	  "  --for SECS        the holder keeps the object at most SECS seconds\n",
	  cmd_create },
	{ "cat", "NAME|HANDLE [-n COUNT|-f] [-l] [--offset N] [--length N]",
	  "Write an object's content to stdout.  A stream: its queued\n"
	  "messages, received (consumed) one after the other, without waiting\n"
	  "for more; with -n, exactly COUNT messages, waiting for them; with\n"
	  "-f, every message until no writer is left.  A message carrying\n"
	  "references stops it (exit 1).  A shmem or blob object: its bytes\n"
	  "(a blob's as one snapshot), or the window given.  With --json a\n"
	  "JSON array of strings (a stream) or one string, each byte one\n"
	  "character (U+0000 to U+00FF).\n"
	  "  -n, --count COUNT  receive COUNT messages\n"
	  "  -f, --follow       receive until no writer is left\n"
	  "  -l, --lines        a newline after each message\n"
	  "  --offset N         from byte N (shmem, blob)\n"
	  "  --length N         N bytes (shmem, blob; default: to the end)\n",
	  cmd_cat },
	{ "send", "NAME|HANDLE [DATA|-] [-l] [--nonblock] [--offset N]",
	  "Write DATA, or stdin (no DATA, or -), to an object.  A stream: as\n"
	  "one message (waiting for room unless --nonblock), or with -l one\n"
	  "message per line, without the newline.  A shmem or blob object: at\n"
	  "byte N (default 0), the rest of it unchanged; a blob changes as\n"
	  "one commit.  --json prints the messages and bytes sent.\n"
	  "  -l, --lines        one message per line\n"
	  "  --nonblock         fail (exit 1) if the stream is full\n"
	  "  --offset N         write from byte N (shmem, blob)\n",
	  cmd_send },
	{ "zombify", "NAME|HANDLE",
	  "Zombify an object (needs the DELETE right): its name goes, every\n"
	  "operation on it fails from now on, a holder of `dios create` exits.\n",
	  cmd_zombify },
};
#define NR_CMDS	(sizeof(cmds) / sizeof(*cmds))

const struct dios_cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_CMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: dios [--json] COMMAND [OPTION]... [ARG]...\n"
	      "       dios --help | dios COMMAND --help | dios help COMMAND\n"
	      "\n"
	      "Commands:\n", f);
	for (i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].synopsis);
	fputs("\n"
	      "Every command takes --json (one JSON document instead of text)\n"
	      "and --help.  ps, refs, stats, streams and top, and part of stat,\n"
	      "read " DIOS_DIR " (root only); the others use the objects\n"
	      "through libdios, as any user who may open /dev/dios.  Exit\n"
	      "status: 0, 1 on an error (said why), 2 for a bad command line.\n"
	      "See dios(1) and docs/observability.md.\n", f);
}

static void cmd_usage(const struct dios_cmd *cmd, FILE *f, bool full)
{
	fprintf(f, "usage: dios [--json] %s %s\n", cmd->name, cmd->synopsis);
	if (full)
		fprintf(f, "\n%s", cmd->help);
}

int usage_error(const struct dios_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dios %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cmd_usage(cmd, stderr, false);
	return EXIT_USAGE;
}

/* The option getopt_long() refused, as the user wrote it. */
static const char *bad_opt(char **argv)
{
	static char opt[64];
	const char *arg = argv[optind - 1];

	if (!strncmp(arg, "--", 2))
		snprintf(opt, sizeof(opt), "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(opt, sizeof(opt), "-%c", optopt);
	return opt;
}

int next_opt(const struct dios_cmd *cmd, int argc, char **argv,
	     const char *shortopts, const struct option *longopts,
	     int *status)
{
	int c;

	*status = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			continue;
		case 'h':
			cmd_usage(cmd, stdout, true);
			*status = 0;
			return -1;
		case '?':
			*status = usage_error(cmd, "unknown option %s",
					      bad_opt(argv));
			return -1;
		case ':':
			*status = usage_error(cmd, "%s wants an argument",
					      bad_opt(argv));
			return -1;
		}
		return c;
	}
	return -1;
}

int plain_opts(const char *name, int argc, char **argv, const char *operand)
{
	static const struct option opts[] = { COMMON_LONGOPTS, { 0 } };
	const struct dios_cmd *cmd = cmd_find(name);
	int ret;

	while (next_opt(cmd, argc, argv, ":jh", opts, &ret) != -1)
		;
	if (ret >= 0)
		return ret;
	if (operand && argc - optind != 1)
		return usage_error(cmd, "wants one operand: %s", operand);
	if (!operand && argc != optind)
		return usage_error(cmd, "takes no operand");
	return -1;
}

int main(int argc, char **argv)
{
	const struct dios_cmd *cmd;
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
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		fprintf(stderr, "dios: no command\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help") && i + 2 >= argc) {
		if (i + 1 == argc) {
			usage(stdout);
			return 0;
		}
		cmd = cmd_find(argv[i + 1]);
		if (cmd) {
			cmd_usage(cmd, stdout, true);
			return 0;
		}
		fprintf(stderr, "dios help: unknown command %s\n", argv[i + 1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cmd_find(argv[i]);
	if (!cmd) {
		fprintf(stderr, "dios: unknown command %s\n", argv[i]);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* The command's options and operands: argv[0] is its name. */
	return cmd->run(argc - i, argv + i);
}
