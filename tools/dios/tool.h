/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dios command (tools/dios.c): what its files share.
 *
 *   output.c   text and JSON output, parsing of numbers, sizes and rights
 *   debugfs.c  the contexts of /sys/kernel/debug/dios (root): ps, refs,
 *              streams, and the object part of stat
 *   stats.c    the module's counters there: stats, top
 *   object.c   objects named on the command line, through libdios (any
 *              user who may open /dev/dios): lookup, stat, zombify
 *   create.c   create, and the holder that keeps the object alive
 *   io.c       cat, send
 *
 * Every command returns the exit status: 0, 1 when it failed (said why on
 * stderr), 2 for a bad command line (usage on stderr).
 */
#ifndef DIOS_TOOL_TOOL_H
#define DIOS_TOOL_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>

#include "dios.h"

#define DEBUGFS		"/sys/kernel/debug"
#define DIOS_DIR	DEBUGFS "/dios"

#define EXIT_USAGE	2

/* --json, given before the command or among its options. */
extern bool json;

/*
 * A command: its name, its synopsis (after "dios [--json] NAME"), what it
 * does and its options, for `dios NAME --help`.
 */
struct dios_cmd {
	const char *name;
	const char *synopsis;
	const char *help;
	int (*run)(int argc, char **argv);
};

const struct dios_cmd *cmd_find(const char *name);

/* Usage of @cmd on stderr and EXIT_USAGE, after "dios NAME: " @fmt. */
int usage_error(const struct dios_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The next option of a command (getopt_long(), @shortopts starting with
 * ':'), handling --json, --help and mistakes: the option's letter, or -1
 * with *@status -1 at the end of the options, else the exit status
 * (--help: 0; a bad option: EXIT_USAGE, said why).
 */
int next_opt(const struct dios_cmd *cmd, int argc, char **argv,
	     const char *shortopts, const struct option *longopts,
	     int *status);
/*
 * The options of a command that has only the common ones, and one
 * @operand (what it is, for the usage message) or none (NULL): -1 to go
 * on (the operand in argv[optind]), else the exit status.
 */
int plain_opts(const char *name, int argc, char **argv, const char *operand);
#define COMMON_LONGOPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "help", no_argument, NULL, 'h' }

/* ---- output.c ---- */

/* The whole of @path, NUL-terminated, malloc()ed; NULL with errno set. */
char *slurp(const char *path);

void json_str(const char *s, size_t n);
void json_bytes(const void *buf, size_t n);
void json_val(const char *v, size_t n);
void json_member(bool *first, const char *k, size_t klen, const char *v,
		 size_t vlen);
void json_kv_line(const char *line, size_t len);

/*
 * A record of "key value" fields: in text one "key:   value" line each, in
 * JSON one object (values that are decimal numbers become numbers).
 */
struct record {
	bool first;
};
void record_begin(struct record *r);
void record_field(struct record *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* @key: a list of numbers (text: "1,2,3", JSON: [1, 2, 3]). */
void record_list(struct record *r, const char *key, const long *v, size_t n);
void record_end(struct record *r);

/* The value of @key= in a "key=value key=value" line; false if absent. */
bool kv_get(const char *line, size_t len, const char *key, const char **v,
	    size_t *vlen);
bool kv_ull(const char *line, size_t len, const char *key,
	    unsigned long long *out);

const char *type_name(uint32_t type);
int type_parse(const char *s);
void rights_str(uint64_t rights, char *buf, size_t size);
int rights_parse(const char *s, unsigned long long *rights);
int size_parse(const char *s, unsigned long long *size);
int ull_parse(const char *s, unsigned long long *v);
int secs_parse(const char *s, double *secs);

/* CLOCK_MONOTONIC in seconds; sleep, signals or not. */
double mono_now(void);
void sleep_secs(double secs);

/* "dios CMD: @what: " and dios_strerror(@err) on stderr; returns 1. */
int dios_error(const char *cmd, const char *what, int err);

/* ---- debugfs.c ---- */

/* The module's debugfs directory, mounting debugfs if need be: 0 or 1. */
int debugfs_ready(bool quiet);

/*
 * The state of an object from debugfs, as `dios stat` shows it: found
 * through the reference @handle of this process's own context.  @own:
 * the reference is dios's own lookup, not to be counted.  Returns false
 * if debugfs cannot be read (not root) or has no such line.
 */
bool object_state(struct record *r, dios_ref_t handle, uint64_t rights,
		  bool own);

int cmd_ps(int argc, char **argv);
int cmd_refs(int argc, char **argv);
int cmd_streams(int argc, char **argv);

/* ---- stats.c ---- */

int cmd_stats(int argc, char **argv);
int cmd_top(int argc, char **argv);

/* ---- object.c ---- */

/* An object as the command line names it, and the reference to it. */
struct target {
	const char *arg;
	dios_ref_t ref;
	bool by_name;
	struct dios_name name;
	struct dios_ref_info info;
};

/*
 * @arg: a name (looked up in the global group) or, unless @names_only, a
 * handle of dios's own context.  0, 1 (said why) or EXIT_USAGE.
 */
int target_open(const struct dios_cmd *cmd, const char *arg,
		bool names_only, struct target *t);
/* Keep only @rights of a looked-up reference; -EACCES without them.  0 or 1. */
int target_narrow(const struct dios_cmd *cmd, struct target *t,
		  uint64_t rights);

int cmd_lookup(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_zombify(int argc, char **argv);

/* ---- create.c ---- */

int cmd_create(int argc, char **argv);

/* ---- io.c ---- */

int cmd_cat(int argc, char **argv);
int cmd_send(int argc, char **argv);

#endif
