// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - the dios commands that read the module's debugfs context
 * files (docs/observability.md): ps, refs, streams, and the object state
 * of `dios stat`.  debugfs is root's alone.
 *
 * Every command works on a snapshot: each context file read once, whole
 * (the module takes the context's lock for the time of one read), then
 * its reference lines indexed.  Contexts that come and go meanwhile are
 * seen or not, as with ps(1).
 */
#define _GNU_SOURCE	/* versionsort */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

int debugfs_ready(bool quiet)
{
	struct stat st;

	if (!stat(DIOS_DIR, &st))
		return 0;
	/* Not mounted yet, or mounted and no module: EBUSY. */
	if (mount("none", DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY) {
		if (!quiet)
			fprintf(stderr, "dios: cannot read " DIOS_DIR ": %s "
				"(debugfs is root's alone)\n",
				strerror(errno == EPERM ? EACCES : errno));
		return 1;
	}
	if (!stat(DIOS_DIR, &st))
		return 0;
	if (!quiet)
		fprintf(stderr, "dios: no " DIOS_DIR ": %s (is the module "
			"loaded? are you root?)\n", strerror(errno));
	return 1;
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

/* One context's debugfs file, read whole. */
struct ctx_file {
	char name[64];		/* the file's: pid, or pid-<task object> */
	long pid;
	long owner;		/* dios_owner: the pid as we see it */
	char *file;
};

/* One reference line of a context file ("handle=... type=..."). */
struct ref_line {
	const struct ctx_file *ctx;
	const char *line;
	size_t len;
	unsigned long long obj;
};

struct snap {
	struct ctx_file *ctx;
	size_t nctx;
	struct ref_line *refs;
	size_t nrefs;
};

static void snap_free(struct snap *s)
{
	size_t i;

	for (i = 0; i < s->nctx; i++)
		free(s->ctx[i].file);
	free(s->ctx);
	free(s->refs);
}

static int snap_add_refs(struct snap *s, const struct ctx_file *c)
{
	const char *p, *end;
	struct ref_line *r;

	for (p = c->file; *p; p = *end ? end + 1 : end) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (strncmp(p, "handle=", 7))
			continue;
		r = realloc(s->refs, (s->nrefs + 1) * sizeof(*r));
		if (!r)
			return -1;
		s->refs = r;
		r += s->nrefs++;
		r->ctx = c;
		r->line = p;
		r->len = end - p;
		if (!kv_ull(p, end - p, "obj", &r->obj))
			r->obj = 0;
	}
	return 0;
}

/*
 * The context files whose name is @pid or @pid-<task object> (a second
 * context of the process), or every one if @pid is NULL.  0, or -1 (said
 * why).
 */
static int snap_load(struct snap *s, const char *pid)
{
	size_t plen = pid ? strlen(pid) : 0, i;
	struct dirent **ents;
	char path[300];
	int n, k;

	memset(s, 0, sizeof(*s));
	n = scandir(DIOS_DIR "/proc", &ents, NULL, versionsort);
	if (n < 0) {
		fprintf(stderr, "dios: %s/proc: %s\n", DIOS_DIR,
			strerror(errno));
		return -1;
	}
	s->ctx = calloc(n ? n : 1, sizeof(*s->ctx));
	for (k = 0; k < n && s->ctx; k++) {
		const char *name = ents[k]->d_name;
		struct ctx_file *c = &s->ctx[s->nctx];

		if (name[0] == '.' || strlen(name) >= sizeof(c->name) ||
		    (pid && (strncmp(name, pid, plen) ||
			     (name[plen] && name[plen] != '-'))))
			continue;
		snprintf(path, sizeof(path), DIOS_DIR "/proc/%s", name);
		c->file = slurp(path);
		if (!c->file)	/* the context went meanwhile */
			continue;
		snprintf(c->name, sizeof(c->name), "%s", name);
		c->pid = strtol(name, NULL, 10);
		c->owner = ctx_field(c->file, "dios_owner");
		s->nctx++;
	}
	for (k = 0; k < n; k++)
		free(ents[k]);
	free(ents);
	for (i = 0; s->ctx && i < s->nctx; i++)
		if (snap_add_refs(s, &s->ctx[i]))
			break;
	if (!s->ctx || i < s->nctx) {
		fprintf(stderr, "dios: out of memory\n");
		snap_free(s);
		return -1;
	}
	return 0;
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

int cmd_ps(int argc, char **argv)
{
	int ret = plain_opts("ps", argc, argv, NULL);
	struct snap s;
	size_t i, f;
	char comm[64];

	if (ret >= 0)
		return ret;
	if (debugfs_ready(false) || snap_load(&s, NULL))
		return 1;
	if (json)
		printf("[");
	else
		printf("%-10s %-16s %6s %8s %6s %9s %8s\n", "PID", "COMMAND",
		       "REFS", "BUFFERS", "VIEWS", "INTEREST", "TASKOBJ");
	for (i = 0; i < s.nctx; i++) {
		const char *file = s.ctx[i].file;

		comm_of(s.ctx[i].pid, comm, sizeof(comm));
		if (!json) {
			printf("%-10s %-16s %6ld %8ld %6ld %9ld %8ld\n",
			       s.ctx[i].name, comm,
			       ctx_field(file, "dios_refs"),
			       ctx_field(file, "dios_buffers"),
			       ctx_field(file, "dios_views"),
			       ctx_field(file, "dios_interest"),
			       ctx_field(file, "dios_task"));
			continue;
		}
		printf("%s{\"pid\": %ld, \"command\": ", i ? ", " : "",
		       s.ctx[i].pid);
		json_str(comm, sizeof(comm));
		for (f = 0; f < sizeof(ctx_fields) / sizeof(*ctx_fields); f++)
			printf(", \"%s\": %ld", ctx_fields[f] + strlen("dios_"),
			       ctx_field(file, ctx_fields[f]));
		printf("}");
	}
	if (json)
		printf("]\n");
	snap_free(&s);
	return 0;
}

int cmd_refs(int argc, char **argv)
{
	int ret = plain_opts("refs", argc, argv, "a pid");
	const char *pid;
	struct snap s;
	size_t i;

	if (ret >= 0)
		return ret;
	pid = argv[optind];
	if (!*pid || strspn(pid, "0123456789") != strlen(pid))
		return usage_error(cmd_find("refs"), "not a pid: %s", pid);
	if (debugfs_ready(false) || snap_load(&s, pid))
		return 1;
	if (!s.nctx) {
		fprintf(stderr, "dios refs: process %s holds no dios context\n",
			pid);
		snap_free(&s);
		return 1;
	}
	if (json)
		printf("[");
	for (i = 0; i < s.nrefs; i++) {
		if (!json) {
			printf("%.*s\n", (int)s.refs[i].len, s.refs[i].line);
			continue;
		}
		printf("%s", i ? ", " : "");
		json_kv_line(s.refs[i].line, s.refs[i].len);
	}
	if (json)
		printf("]\n");
	snap_free(&s);
	return 0;
}

static int by_obj(const void *a, const void *b)
{
	const struct ref_line *x = *(const struct ref_line *const *)a;
	const struct ref_line *y = *(const struct ref_line *const *)b;

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	return x->ctx->pid < y->ctx->pid ? -1 : x->ctx->pid > y->ctx->pid;
}

/* Text: the value of @key in @r's line, "-" if it has none. */
static void text_col(const struct ref_line *r, const char *key, int width)
{
	const char *v;
	size_t n;

	if (!kv_get(r->line, r->len, key, &v, &n)) {
		v = "-";
		n = 1;
	}
	printf(" %*.*s", width, (int)n, v);
}

static const char *const stream_cols[] = {
	"msgs", "bytes", "capacity", "readers", "writers", "waiters",
};
static const int stream_width[] = { 6, 9, 9, 7, 7, 7 };

/*
 * One stream: @line[0..n-1] are its references.  The object's state is
 * the same in each; a zombie's has no queue.
 */
static void stream_one(struct ref_line **line, size_t n, bool first)
{
	const struct ref_line *r = line[0];
	const char *state, *v;
	size_t i, len;
	bool f = true;

	state = kv_get(r->line, r->len, "state", &v, &len) &&
		!strncmp(v, "zombie", len) ? "zombie" : "live";
	if (!json) {
		printf("%-8llu %-6s", r->obj, state);
		for (i = 0; i < sizeof(stream_cols) / sizeof(*stream_cols); i++)
			text_col(r, stream_cols[i], stream_width[i]);
		printf(" %5zu ", n);
		for (i = 0; i < n; i++)
			if (!i || line[i]->ctx->pid != line[i - 1]->ctx->pid)
				printf("%s%ld", i ? "," : "", line[i]->ctx->pid);
		printf("\n");
		return;
	}
	printf("%s{\"obj\": %llu, \"state\": \"%s\"", first ? "" : ", ",
	       r->obj, state);
	for (i = 0; i < sizeof(stream_cols) / sizeof(*stream_cols); i++)
		if (kv_get(r->line, r->len, stream_cols[i], &v, &len))
			printf(", \"%s\": %.*s", stream_cols[i], (int)len, v);
	printf(", \"refs\": %zu, \"pids\": [", n);
	for (i = 0; i < n; i++)
		if (!i || line[i]->ctx->pid != line[i - 1]->ctx->pid) {
			printf("%s%ld", f ? "" : ", ", line[i]->ctx->pid);
			f = false;
		}
	printf("]}");
}

int cmd_streams(int argc, char **argv)
{
	int ret = plain_opts("streams", argc, argv, NULL);
	struct ref_line **lines;
	size_t i, j, n = 0, shown = 0;
	const char *v;
	struct snap s;
	size_t len;

	if (ret >= 0)
		return ret;
	if (debugfs_ready(false) || snap_load(&s, NULL))
		return 1;
	lines = calloc(s.nrefs + 1, sizeof(*lines));
	if (!lines) {
		snap_free(&s);
		fprintf(stderr, "dios: out of memory\n");
		return 1;
	}
	for (i = 0; i < s.nrefs; i++)
		if (kv_get(s.refs[i].line, s.refs[i].len, "type", &v, &len) &&
		    len == 6 && !strncmp(v, "stream", 6))
			lines[n++] = &s.refs[i];
	qsort(lines, n, sizeof(*lines), by_obj);
	if (json) {
		printf("[");
	} else {
		printf("%-8s %-6s", "OBJ", "STATE");
		for (i = 0; i < sizeof(stream_cols) / sizeof(*stream_cols); i++)
			printf(" %*s", stream_width[i], stream_cols[i]);
		printf(" %5s  %s\n", "refs", "pids");
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && lines[j]->obj == lines[i]->obj; j++)
			;
		stream_one(lines + i, j - i, !shown++);
	}
	if (json)
		printf("]\n");
	free(lines);
	snap_free(&s);
	return 0;
}

/* The per-reference fields of a debugfs line, left out of `dios stat`. */
static bool ref_only(const char *k, size_t n)
{
	static const char *const keys[] = {
		"handle", "type", "rights", "state", "obj", "rbuf", "wbuf",
		"rview", "wview",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (strlen(keys[i]) == n && !strncmp(k, keys[i], n))
			return true;
	return false;
}

/* The type's own fields of @r (after "waiters="), into the record. */
static void type_fields(struct record *rec, const struct ref_line *r,
			uint64_t rights, bool own)
{
	const char *p = r->line, *end = r->line + r->len, *sp, *eq;
	unsigned long long v;
	char key[32];

	for (; p < end; p = sp + 1) {
		sp = memchr(p, ' ', end - p);
		if (!sp)
			sp = end;
		eq = memchr(p, '=', sp - p);
		/* Size and capacity: dios_ref_info gave them. */
		if (!eq || ref_only(p, eq - p) || (size_t)(eq - p) >= sizeof(key) ||
		    !strncmp(p, "size=", 5) || !strncmp(p, "capacity=", 9))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
		v = strtoull(eq + 1, NULL, 10);
		/* dios's own lookup reference counts as a reader, writer. */
		if (own && ((!strcmp(key, "readers") &&
			     rights & DIOS_RIGHT_READ) ||
			    (!strcmp(key, "writers") &&
			     rights & DIOS_RIGHT_WRITE)))
			record_field(rec, key, "%llu", v - 1);
		else
			record_field(rec, key, "%.*s", (int)(sp - eq - 1), eq + 1);
	}
}

/* Our own context's line for @handle; NULL if none. */
static const struct ref_line *own_line(const struct snap *s, dios_ref_t h)
{
	char key[48];
	size_t i;

	snprintf(key, sizeof(key), "handle=%#llx ", (unsigned long long)h);
	for (i = 0; i < s->nrefs; i++)
		if (s->refs[i].ctx->owner == getpid() &&
		    !strncmp(s->refs[i].line, key, strlen(key)))
			return &s->refs[i];
	return NULL;
}

bool object_state(struct record *rec, dios_ref_t handle, uint64_t rights,
		  bool own)
{
	unsigned long long views = 0, bufs = 0, v;
	const struct ref_line *mine, *r;
	size_t i, refs = 0, npids = 0;
	struct snap s;
	long *pids;

	if (debugfs_ready(true) || snap_load(&s, NULL))
		return false;
	mine = own_line(&s, handle);
	pids = calloc(s.nrefs + 1, sizeof(*pids));
	if (!mine || !pids) {
		free(pids);
		snap_free(&s);
		return false;
	}
	record_field(rec, "obj", "%llu", mine->obj);
	for (i = 0; i < s.nrefs; i++) {
		r = &s.refs[i];
		if (r->obj != mine->obj || (own && r == mine))
			continue;
		refs++;
		views += kv_ull(r->line, r->len, "rview", &v) ? v : 0;
		views += kv_ull(r->line, r->len, "wview", &v) ? v : 0;
		bufs += kv_ull(r->line, r->len, "rbuf", &v) ? v : 0;
		bufs += kv_ull(r->line, r->len, "wbuf", &v) ? v : 0;
		/* The lines come context by context. */
		if (!npids || pids[npids - 1] != r->ctx->pid)
			pids[npids++] = r->ctx->pid;
	}
	record_field(rec, "refs", "%zu", refs);
	record_list(rec, "pids", pids, npids);
	record_field(rec, "views", "%llu", views);
	record_field(rec, "buffers", "%llu", bufs);
	type_fields(rec, mine, rights, own);
	free(pids);
	snap_free(&s);
	return true;
}
