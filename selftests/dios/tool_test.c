// SPDX-License-Identifier: GPL-2.0
/*
 * The dios command (tools/dios.c, /demo/dios in the guest) against what
 * each test creates itself: every subcommand, text and JSON, the objects
 * `dios create` keeps alive, and the errors (exit 1 with a message, 2 for
 * a bad command line).  The tool is built for the host only: guests that
 * cannot run it (i386, arm64) skip.
 *
 * Each test is a child subreaper, so that a holder left behind by `dios
 * create` (its parent, dios, exits at once) becomes its child: the test
 * sees it exit, and the teardown kills what is left.
 */
#define _GNU_SOURCE	/* memfd_create, setresuid */
#include <limits.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "dios_test.h"

/* Each test runs the tool tens of times: slow on the debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 180

#define DIOS_TOOL	"/demo/dios"
#define DEBUGFS		"/sys/kernel/debug"
#define NOBODY		65534

/* What one run of the tool gave. */
struct run {
	char out[32768];
	size_t len;		/* of out, which may hold NULs */
	char err[4096];
};

/* A memfd holding @s; -1 on error. */
static int memfd_with(const char *s)
{
	int fd = memfd_create("dios-tool", 0);

	if (fd < 0)
		return -1;
	if (s && write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		return -1;
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/*
 * Run the tool with @args (argv[0] first) and @in on stdin, as @uid (0:
 * as we are, keeping our groups).  Its exit status, or -1.
 */
static int tool_run(struct run *r, const char *in, uid_t uid,
		    const char *const *args)
{
	int fds[2], inf = memfd_with(in), errf = memfd_with(NULL), status;
	ssize_t n;
	pid_t pid;

	r->len = 0;
	r->out[0] = r->err[0] = '\0';
	if (inf < 0 || errf < 0 || pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(inf, 0);
		dup2(fds[1], 1);
		dup2(errf, 2);
		close(fds[0]);
		close(fds[1]);
		close(inf);
		close(errf);
		if (uid && setresuid(uid, uid, uid))
			_exit(126);
		execv(DIOS_TOOL, (char *const *)args);
		_exit(127);
	}
	close(fds[1]);
	while (r->len + 1 < sizeof(r->out) &&
	       (n = read(fds[0], r->out + r->len,
			 sizeof(r->out) - 1 - r->len)) > 0)
		r->len += n;
	r->out[r->len] = '\0';
	close(fds[0]);
	close(inf);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	n = pread(errf, r->err, sizeof(r->err) - 1, 0);
	r->err[n > 0 ? n : 0] = '\0';
	close(errf);
	return WEXITSTATUS(status);
}

#define TOOL(r, ...) \
	tool_run(r, NULL, 0, (const char *const[]){ "dios", __VA_ARGS__, NULL })
#define TOOL_IN(r, in, ...) \
	tool_run(r, in, 0, (const char *const[]){ "dios", __VA_ARGS__, NULL })
#define TOOL_AS(r, uid, ...) \
	tool_run(r, NULL, uid, (const char *const[]){ "dios", __VA_ARGS__, NULL })

/* Why the tool cannot be tested here; NULL if it can. */
static const char *tool_missing(void)
{
	static struct run r;
	struct stat st;

	if (access(DIOS_TOOL, X_OK))
		return "no " DIOS_TOOL " in this guest";
	/* The tools are built for the host: i386 and arm64 cannot exec them. */
	if (TOOL(&r, "--help") == 127)
		return DIOS_TOOL " does not run on this guest";
	if (stat(DEBUGFS "/dios", &st) &&
	    (mount("none", DEBUGFS, "debugfs", 0, NULL) ||
	     stat(DEBUGFS "/dios", &st)))
		return "no debugfs";
	return NULL;
}

#define NEED_TOOL() do { \
	const char *why = tool_missing(); \
	if (why) \
		SKIP(return, "%s", why); \
} while (0)

/* The value of the text record line "@key   value", in a static buffer. */
static const char *rec(const char *out, const char *key)
{
	static char val[256];
	size_t klen = strlen(key);
	const char *p;

	for (p = out; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			p += klen + strspn(p + klen, " ");
			snprintf(val, sizeof(val), "%.*s",
				 (int)strcspn(p, "\n"), p);
			return val;
		}
	return "(absent)";
}

/* The number after "@key": in JSON; LLONG_MIN if absent. */
static long long jnum(const char *out, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(out, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : LLONG_MIN;
}

/* The string after "@key": in JSON, in a static buffer; "" if absent. */
static const char *jstr(const char *out, const char *key)
{
	static char val[256];
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	p = strstr(out, pat);
	val[0] = '\0';
	if (p) {
		p += strlen(pat);
		snprintf(val, sizeof(val), "%.*s", (int)strcspn(p, "\""), p);
	}
	return val;
}

/* The object id of our reference @h, from our debugfs file; 0 if none. */
static unsigned long long obj_of(dios_ref_t h)
{
	unsigned long long obj = 0;
	char path[96], key[48], *file, *p;

	snprintf(path, sizeof(path), DEBUGFS "/dios/proc/%d", getpid());
	file = dios_test_read_file(path);
	if (!file)
		return 0;
	snprintf(key, sizeof(key), "handle=%#llx ", (unsigned long long)h);
	p = strstr(file, key);
	if (p && strstr(p, " obj="))
		obj = strtoull(strstr(p, " obj=") + 5, NULL, 10);
	free(file);
	return obj;
}

static void hex_of(const struct dios_name *n, char hex[65])
{
	dios_name_to_str(n, hex);
}

/* A named object of @type made by the test, its name in @hex. */
static int named(uint32_t type, uint64_t name_rights, dios_ref_t *ref,
		 char hex[65])
{
	struct dios_create_args a = dios_test_args(type);
	struct dios_name n;
	int ret;

	a.name_rights = name_rights;
	ret = dios_create(0, type, &a, ref, &n);
	if (!ret)
		hex_of(&n, hex);
	return ret;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reap @pid (-1: any child) if it exits within @secs seconds. */
static bool exits_within(pid_t pid, double secs)
{
	int i, status;

	for (i = 0; i < secs * 20; i++) {
		if (waitpid(pid, &status, WNOHANG) > 0)
			return true;
		usleep(50000);
	}
	return false;
}

FIXTURE(tool) {
	pid_t holders[8];
	int nholders;
};

FIXTURE_SETUP(tool)
{
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
}

FIXTURE_TEARDOWN(tool)
{
	int i;

	for (i = 0; i < self->nholders; i++)
		if (!kill(self->holders[i], SIGKILL))
			waitpid(self->holders[i], NULL, 0);
}

/* The holder of a `dios --json create` run, remembered for the teardown. */
static pid_t holder_of(FIXTURE_DATA(tool) *self, const char *out)
{
	long long pid = jnum(out, "holder");

	if (pid <= 0 || pid > INT_MAX || self->nholders == 8)
		return -1;
	self->holders[self->nholders++] = pid;
	return pid;
}

TEST_F(tool, help_and_bad_command_lines)
{
	static const char *const cmds[] = {
		"ps", "refs", "stats", "streams", "top", "stat", "lookup",
		"create", "cat", "send", "zombify",
	};
	char want[64];
	struct run r, h;
	size_t i;

	NEED_TOOL();
	ASSERT_EQ(0, TOOL(&r, "--help"));
	EXPECT_NE(NULL, strstr(r.out, "usage: dios")) TH_LOG("%s", r.out);
	/* Every command is listed, and has its own help. */
	for (i = 0; i < ARRAY_LEN(cmds); i++) {
		snprintf(want, sizeof(want), "\n  %-8s ", cmds[i]);
		EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", cmds[i]);
		snprintf(want, sizeof(want), "usage: dios [--json] %s ",
			 cmds[i]);
		EXPECT_EQ(0, TOOL(&h, cmds[i], "--help"));
		EXPECT_NE(NULL, strstr(h.out, want)) TH_LOG("%s", h.out);
		EXPECT_EQ(0, TOOL(&h, "help", cmds[i]));
		EXPECT_NE(NULL, strstr(h.out, want)) TH_LOG("%s", h.out);
	}
	EXPECT_EQ(2, TOOL(&r, "frob"));
	EXPECT_NE(NULL, strstr(r.err, "unknown command frob")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, TOOL(&r, "help", "frob"));
	EXPECT_EQ(2, tool_run(&r, NULL, 0, (const char *const[]){ "dios", NULL }));
	EXPECT_NE(NULL, strstr(r.err, "usage: dios")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, TOOL(&r, "--bogus", "ps"));
	EXPECT_EQ(2, TOOL(&r, "ps", "--bogus"));
	EXPECT_NE(NULL, strstr(r.err, "unknown option --bogus")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, TOOL(&r, "ps", "extra"));
	EXPECT_EQ(2, TOOL(&r, "stats", "extra"));
	EXPECT_EQ(2, TOOL(&r, "refs"));
	EXPECT_EQ(2, TOOL(&r, "refs", "x"));
	EXPECT_NE(NULL, strstr(r.err, "not a pid")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, TOOL(&r, "top", "-n", "x"));
	EXPECT_EQ(2, TOOL(&r, "top", "-d", "0"));
	EXPECT_EQ(2, TOOL(&r, "top", "-n"));
	EXPECT_NE(NULL, strstr(r.err, "-n wants an argument")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, TOOL(&r, "stat"));
	EXPECT_EQ(2, TOOL(&r, "stat", "a", "b"));
	EXPECT_EQ(2, TOOL(&r, "cat"));
	EXPECT_EQ(2, TOOL(&r, "send"));
	EXPECT_EQ(2, TOOL(&r, "zombify"));
	/* Process 1 holds no context. */
	EXPECT_EQ(1, TOOL(&r, "refs", "1"));
	EXPECT_NE(NULL, strstr(r.err, "holds no dios context")) TH_LOG("%s", r.err);
}

/* ps and refs read what the debugfs tests of state_test check. */
TEST_F(tool, ps_and_refs)
{
	char pid[16], want[96];
	struct run r;
	dios_ref_t s, m;

	NEED_TOOL();
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &s,
				      NULL));
	ASSERT_EQ(0, dios_send(0, s, "abc", 3));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &m,
				      NULL));
	snprintf(pid, sizeof(pid), "%d", getpid());

	ASSERT_EQ(0, TOOL(&r, "refs", pid));
	snprintf(want, sizeof(want), "handle=%#llx type=stream rights=0x1f",
		 (unsigned long long)s);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, " msgs=1 bytes=3 ")) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "handle=%#llx type=shmem", (unsigned long long)m);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), " size=%llu\n",
		 (unsigned long long)dios_test_args(DIOS_OBJ_SHMEM).size);
	EXPECT_NE(NULL, strstr(strstr(r.out, "type=shmem") ?: "", want))
		TH_LOG("%s", r.out);

	ASSERT_EQ(0, TOOL(&r, "--json", "refs", pid));
	snprintf(want, sizeof(want), "{\"handle\": \"%#llx\", \"type\": \"stream\"",
		 (unsigned long long)s);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"msgs\": 1, \"bytes\": 3,"))
		TH_LOG("%s", r.out);

	ASSERT_EQ(0, TOOL(&r, "ps"));
	EXPECT_NE(NULL, strstr(r.out, "PID ")) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "\n%-10s ", pid);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);

	/* --json after the command works as well as before it. */
	ASSERT_EQ(0, TOOL(&r, "ps", "--json"));
	snprintf(want, sizeof(want), "{\"pid\": %s, \"command\": \"", pid);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(strstr(r.out, want) ?: "",
			       "\"refs\": 2, \"buffers\": 0, "))
		TH_LOG("%s", r.out);
}

TEST_F(tool, stats_and_top)
{
	long long streams, rate;
	char *second;
	struct run r;
	dios_ref_t s;
	pid_t pid;

	NEED_TOOL();
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &s,
				      NULL));
	ASSERT_EQ(0, TOOL(&r, "--json", "stats"));
	streams = jnum(r.out, "objects_stream");
	EXPECT_LE(1, streams) TH_LOG("%s", r.out);
	ASSERT_EQ(0, TOOL(&r, "stats"));
	EXPECT_NE(NULL, strstr(r.out, "objects_stream ")) TH_LOG("%s", r.out);

	/* Something copying while top samples: bytes_copied grows. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char buf[64] = "x";
		dios_ref_t c;

		if (dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &c,
				     NULL))
			_exit(1);
		for (;;)
			if (dios_send(0, c, buf, sizeof(buf)) ||
			    dios_recv(0, c, buf, sizeof(buf)) != sizeof(buf))
				_exit(2);
	}
	EXPECT_EQ(0, TOOL(&r, "--json", "top", "-n", "2", "-d", "0.3"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	second = strstr(r.out, "\n{");
	ASSERT_NE(NULL, second) TH_LOG("%s", r.out);
	EXPECT_EQ(1, jnum(r.out, "sample")) TH_LOG("%s", r.out);
	EXPECT_EQ(2, jnum(second, "sample")) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(second + 1, "\n{")) TH_LOG("%s", r.out);
	rate = jnum(strstr(second, "\"bytes_copied\"") ?: "", "per_second");
	EXPECT_LT(0, rate) TH_LOG("%s", r.out);
	EXPECT_LE(1, jnum(strstr(second, "\"objects_stream\"") ?: "", "value"))
		TH_LOG("%s", r.out);

	ASSERT_EQ(0, TOOL(&r, "top", "-n", "1", "-d", "0.1"));
	EXPECT_NE(NULL, strstr(r.out, "PER_SECOND")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\nbytes_copied ")) TH_LOG("%s", r.out);
	EXPECT_EQ(2, TOOL(&r, "top", "extra"));
}

TEST_F(tool, streams)
{
	unsigned long long obj, o, msgs, bytes, cap, rd, wr, wt, refs;
	char line[256], state[16], pids[64], want[256];
	struct run r;
	dios_ref_t s, d;
	char *p;

	NEED_TOOL();
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &s,
				      NULL));
	ASSERT_EQ(0, dios_send(0, s, "abc", 3));
	ASSERT_EQ(0, dios_send(0, s, "defgh", 5));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &d));
	obj = obj_of(s);
	ASSERT_NE(0, obj);

	ASSERT_EQ(0, TOOL(&r, "streams"));
	EXPECT_EQ(0, strncmp(r.out, "OBJ ", 4)) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "\n%-8llu ", obj);
	p = strstr(r.out, want);
	ASSERT_NE(NULL, p) TH_LOG("%s", r.out);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
	ASSERT_EQ(10, sscanf(line, "%llu %15s %llu %llu %llu %llu %llu %llu %llu %63s",
			     &o, state, &msgs, &bytes, &cap, &rd, &wr, &wt,
			     &refs, pids)) TH_LOG("%s", line);
	EXPECT_STREQ("live", state);
	EXPECT_EQ(2, msgs);
	EXPECT_EQ(8, bytes);
	EXPECT_EQ(dios_test_args(DIOS_OBJ_STREAM).capacity, cap);
	EXPECT_EQ(2, rd);
	EXPECT_EQ(1, wr);
	EXPECT_EQ(0, wt);
	EXPECT_EQ(2, refs);
	snprintf(want, sizeof(want), "%d", getpid());
	EXPECT_STREQ(want, pids);

	ASSERT_EQ(0, TOOL(&r, "--json", "streams"));
	snprintf(want, sizeof(want), "{\"obj\": %llu, \"state\": \"live\", "
		 "\"msgs\": 2, \"bytes\": 8, \"capacity\": %llu, \"readers\": 2, "
		 "\"writers\": 1, \"waiters\": 0, \"refs\": 2, \"pids\": [%d]}",
		 obj, (unsigned long long)dios_test_args(DIOS_OBJ_STREAM).capacity,
		 getpid());
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	EXPECT_EQ('[', r.out[0]);

	/* A zombie has no queue any more. */
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, s));
	ASSERT_EQ(0, TOOL(&r, "streams"));
	snprintf(want, sizeof(want), "\n%-8llu zombie      -", obj);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	ASSERT_EQ(0, TOOL(&r, "--json", "streams"));
	snprintf(want, sizeof(want), "{\"obj\": %llu, \"state\": \"zombie\", "
		 "\"waiters\": 0, \"refs\": 1, ", obj);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	EXPECT_EQ(2, TOOL(&r, "streams", "extra"));
}

TEST_F(tool, lookup_and_stat_a_stream_by_name)
{
	char hex[65], want[64], buf[8];
	struct run r;
	dios_ref_t s, d;

	NEED_TOOL();
	ASSERT_EQ(0, named(DIOS_OBJ_STREAM, DIOS_RIGHT_READ | DIOS_RIGHT_WRITE |
			   DIOS_RIGHT_COPY, &s, hex));
	ASSERT_EQ(0, dios_send(0, s, "abc", 3));
	ASSERT_EQ(0, dios_send(0, s, "defgh", 5));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &d));

	ASSERT_EQ(0, TOOL(&r, "lookup", hex)) TH_LOG("%s", r.err);
	EXPECT_STREQ(hex, rec(r.out, "name"));
	EXPECT_STREQ("stream", rec(r.out, "type"));
	EXPECT_STREQ("live", rec(r.out, "state"));
	EXPECT_STREQ("0x7 (read,write,copy)", rec(r.out, "rights"));
	snprintf(want, sizeof(want), "%llu",
		 (unsigned long long)dios_test_args(DIOS_OBJ_STREAM).capacity);
	EXPECT_STREQ(want, rec(r.out, "capacity"));
	EXPECT_STREQ("(absent)", rec(r.out, "obj")) TH_LOG("%s", r.out);
	ASSERT_EQ(0, TOOL(&r, "--json", "lookup", hex));
	EXPECT_STREQ("stream", jstr(r.out, "type"));
	EXPECT_STREQ("0x7", jstr(r.out, "rights"));

	/* Not counting dios's own reference: ours, 2 readers, 1 writer. */
	ASSERT_EQ(0, TOOL(&r, "stat", hex)) TH_LOG("%s", r.err);
	EXPECT_STREQ("stream", rec(r.out, "type"));
	EXPECT_STREQ("0x7 (read,write,copy)", rec(r.out, "rights"));
	snprintf(want, sizeof(want), "%llu", obj_of(s));
	EXPECT_STREQ(want, rec(r.out, "obj")) TH_LOG("%s", r.out);
	EXPECT_STREQ("2", rec(r.out, "refs")) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "%d", getpid());
	EXPECT_STREQ(want, rec(r.out, "pids")) TH_LOG("%s", r.out);
	EXPECT_STREQ("2", rec(r.out, "msgs")) TH_LOG("%s", r.out);
	EXPECT_STREQ("8", rec(r.out, "bytes")) TH_LOG("%s", r.out);
	EXPECT_STREQ("2", rec(r.out, "readers")) TH_LOG("%s", r.out);
	EXPECT_STREQ("1", rec(r.out, "writers")) TH_LOG("%s", r.out);
	EXPECT_STREQ("0", rec(r.out, "waiters")) TH_LOG("%s", r.out);
	EXPECT_STREQ("0", rec(r.out, "views")) TH_LOG("%s", r.out);

	ASSERT_EQ(0, TOOL(&r, "--json", "stat", hex));
	EXPECT_EQ('{', r.out[0]);
	EXPECT_STREQ(hex, jstr(r.out, "name"));
	EXPECT_EQ(2, jnum(r.out, "msgs")) TH_LOG("%s", r.out);
	EXPECT_EQ(2, jnum(r.out, "readers")) TH_LOG("%s", r.out);
	EXPECT_EQ(1, jnum(r.out, "writers")) TH_LOG("%s", r.out);
	EXPECT_EQ(2, jnum(r.out, "refs")) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "\"pids\": [%d]", getpid());
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);

	/* Looking at it took nothing from it. */
	EXPECT_EQ(3, dios_recv(DIOS_NONBLOCK, s, buf, sizeof(buf)));
}

TEST_F(tool, stat_other_types_and_errors)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_BLOB);
	char hex[65], want[64], *p;
	struct dios_iovec iov;
	struct dios_name n;
	dios_ref_t b, t, g, s, d;
	struct run r;

	NEED_TOOL();
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_BLOB, &a, &b, &n));
	hex_of(&n, hex);
	memset(&iov, 0, sizeof(iov));
	ASSERT_EQ(0, dios_acquire_write(0, b, 4096, &iov));
	ASSERT_EQ(0, dios_commit_write(0, b, 4096, &iov));
	ASSERT_EQ(0, TOOL(&r, "stat", hex)) TH_LOG("%s", r.err);
	EXPECT_STREQ("blob", rec(r.out, "type"));
	snprintf(want, sizeof(want), "%llu", (unsigned long long)a.size);
	EXPECT_STREQ(want, rec(r.out, "size"));
	EXPECT_STREQ("1", rec(r.out, "version")) TH_LOG("%s", r.out);
	EXPECT_STREQ("1", rec(r.out, "refs")) TH_LOG("%s", r.out);
	ASSERT_EQ(0, TOOL(&r, "--json", "stat", hex));
	/* The size once, from dios_ref_info; not again from debugfs. */
	p = strstr(r.out, "\"size\": ");
	ASSERT_NE(NULL, p) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(p + 1, "\"size\"")) TH_LOG("%s", r.out);

	/* Our own task object, published: its pid. */
	ASSERT_EQ(0, dios_task_self(&t));
	ASSERT_EQ(0, dios_publish(0, t, DIOS_REF_NONE, 0, &n));
	hex_of(&n, hex);
	ASSERT_EQ(0, TOOL(&r, "stat", hex)) TH_LOG("%s", r.err);
	EXPECT_STREQ("task", rec(r.out, "type"));
	snprintf(want, sizeof(want), "%d", getpid());
	EXPECT_STREQ(want, rec(r.out, "pid")) TH_LOG("%s", r.out);
	EXPECT_STREQ("(absent)", rec(r.out, "size")) TH_LOG("%s", r.out);

	ASSERT_EQ(0, named(DIOS_OBJ_GROUP, 0, &g, hex));
	ASSERT_EQ(0, TOOL(&r, "stat", hex)) TH_LOG("%s", r.err);
	EXPECT_STREQ("group", rec(r.out, "type"));

	/* A zombie's name is gone. */
	ASSERT_EQ(0, named(DIOS_OBJ_STREAM, 0, &s, hex));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &d));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, s));
	EXPECT_EQ(1, TOOL(&r, "stat", hex));
	EXPECT_NE(NULL, strstr(r.err, dios_strerror(-ENOENT))) TH_LOG("%s", r.err);

	dios_test_random_name(&n);
	hex_of(&n, hex);
	EXPECT_EQ(1, TOOL(&r, "stat", hex));
	EXPECT_NE(NULL, strstr(r.err, hex)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, TOOL(&r, "lookup", hex));
	EXPECT_NE(NULL, strstr(r.err, dios_strerror(-ENOENT))) TH_LOG("%s", r.err);
	hex[63] = '\0';
	EXPECT_EQ(2, TOOL(&r, "stat", hex));
	EXPECT_NE(NULL, strstr(r.err, "not a name")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, TOOL(&r, "stat", "xyz"));
	EXPECT_EQ(2, TOOL(&r, "lookup", "0x100000001"));
	/* dios's own context holds nothing it was not given. */
	EXPECT_EQ(1, TOOL(&r, "stat", "0x100000001"));
	EXPECT_NE(NULL, strstr(r.err, "own context")) TH_LOG("%s", r.err);
}

TEST_F(tool, create_holds_until_zombified)
{
	struct dios_ref_info info;
	struct dios_name n;
	char hex[65], want[32];
	struct run r;
	dios_ref_t s;
	pid_t holder;

	NEED_TOOL();
	ASSERT_EQ(0, TOOL(&r, "--json", "create", "stream", "--size", "8K"))
		TH_LOG("%s", r.err);
	holder = holder_of(self, r.out);
	ASSERT_LT(0, holder) TH_LOG("%s", r.out);
	snprintf(hex, sizeof(hex), "%s", jstr(r.out, "name"));
	ASSERT_EQ(0, dios_name_from_str(hex, &n)) TH_LOG("%s", r.out);
	EXPECT_STREQ("stream", jstr(r.out, "type"));

	/* dios has exited; the object lives on in the holder. */
	ASSERT_EQ(0, dios_lookup(0, &n, DIOS_REF_NONE, &s));
	ASSERT_EQ(0, dios_ref_info(s, &info));
	EXPECT_EQ(DIOS_OBJ_STREAM, info.type);
	EXPECT_EQ(8192, info.size);
	EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
	ASSERT_EQ(0, dios_delete(0, s));
	ASSERT_EQ(0, TOOL(&r, "stat", hex));
	snprintf(want, sizeof(want), "%d", holder);
	EXPECT_STREQ(want, rec(r.out, "pids")) TH_LOG("%s", r.out);
	EXPECT_STREQ("1", rec(r.out, "refs")) TH_LOG("%s", r.out);
	ASSERT_EQ(0, TOOL(&r, "ps"));
	snprintf(want, sizeof(want), "\n%-10d dios-hold ", holder);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);

	ASSERT_EQ(0, TOOL(&r, "zombify", hex)) TH_LOG("%s", r.err);
	EXPECT_TRUE(exits_within(holder, 10));
	EXPECT_EQ(-ENOENT, dios_lookup(0, &n, DIOS_REF_NONE, &s));
	EXPECT_EQ(1, TOOL(&r, "zombify", hex));

	/* The text output is the name alone; this holder is the only child left. */
	ASSERT_EQ(0, TOOL(&r, "create", "blob", "--for", "0.2"));
	EXPECT_EQ(65, strlen(r.out)) TH_LOG("%s", r.out);
	EXPECT_EQ(0, dios_name_from_str(strtok(r.out, "\n"), &n));
	EXPECT_TRUE(exits_within(-1, 10));
}

TEST_F(tool, create_options)
{
	struct dios_ref_info info;
	struct dios_name n;
	double t0;
	char hex[65], arg[80];
	struct run r;
	pid_t holder;
	dios_ref_t o;

	NEED_TOOL();
	/* --for: the holder goes by itself. */
	t0 = now();
	ASSERT_EQ(0, TOOL(&r, "--json", "create", "shmem", "--for", "0.5"));
	holder = holder_of(self, r.out);
	ASSERT_LT(0, holder) TH_LOG("%s", r.out);
	EXPECT_TRUE(exits_within(holder, 10));
	EXPECT_LE(0.45, now() - t0);

	/* A given name (we are root), the size, the rights of the name. */
	dios_test_random_name(&n);
	hex_of(&n, hex);
	snprintf(arg, sizeof(arg), "--name=%s", hex);
	ASSERT_EQ(0, TOOL(&r, "--json", "create", "blob", arg, "--size", "12K",
			  "--name-rights", "read,copy", "--for", "60"))
		TH_LOG("%s", r.err);
	ASSERT_LT(0, holder_of(self, r.out));
	EXPECT_STREQ(hex, jstr(r.out, "name"));
	ASSERT_EQ(0, dios_lookup(0, &n, DIOS_REF_NONE, &o));
	ASSERT_EQ(0, dios_ref_info(o, &info));
	EXPECT_EQ(DIOS_OBJ_BLOB, info.type);
	EXPECT_EQ(12288, info.size);
	EXPECT_EQ(DIOS_RIGHT_READ | DIOS_RIGHT_COPY, info.rights);
	/* The name grants no DELETE: it cannot be zombified through it. */
	EXPECT_EQ(1, TOOL(&r, "zombify", hex));
	EXPECT_NE(NULL, strstr(r.err, dios_strerror(-EACCES))) TH_LOG("%s", r.err);
	EXPECT_EQ(1, TOOL(&r, "create", "blob", arg));
	EXPECT_NE(NULL, strstr(r.err, dios_strerror(-EEXIST))) TH_LOG("%s", r.err);

	ASSERT_EQ(0, TOOL(&r, "--json", "create", "group", "--for", "60"));
	ASSERT_LT(0, holder_of(self, r.out));
	ASSERT_EQ(0, dios_name_from_str(jstr(r.out, "name"), &n));
	ASSERT_EQ(0, dios_lookup(0, &n, DIOS_REF_NONE, &o));
	ASSERT_EQ(0, dios_ref_info(o, &info));
	EXPECT_EQ(DIOS_OBJ_GROUP, info.type);

	EXPECT_EQ(2, TOOL(&r, "create", "group", "--size", "4K"));
	EXPECT_EQ(2, TOOL(&r, "create", "stream", "--anon"));
	EXPECT_EQ(2, TOOL(&r, "create", "stream", "--anon", "--name"));
	EXPECT_EQ(2, TOOL(&r, "create", "privmem"));
	EXPECT_EQ(2, TOOL(&r, "create", "task"));
	EXPECT_EQ(2, TOOL(&r, "create", "frob"));
	EXPECT_EQ(2, TOOL(&r, "create"));
	EXPECT_EQ(2, TOOL(&r, "create", "stream", "--size", "1T"));
	EXPECT_EQ(2, TOOL(&r, "create", "stream", "--size", "0"));
	EXPECT_EQ(2, TOOL(&r, "create", "stream", "--name-rights", "fly"));
	EXPECT_EQ(2, TOOL(&r, "create", "stream", "--name=abc"));
	EXPECT_EQ(2, TOOL(&r, "create", "stream", "--for", "-1"));
	/* Above max_capacity: the module says no, and dios says why. */
	EXPECT_EQ(1, TOOL(&r, "create", "stream", "--size", "1G"));
	EXPECT_NE(NULL, strstr(r.err, "max_capacity")) TH_LOG("%s", r.err);
}

TEST_F(tool, create_runs_a_command)
{
	struct run r;

	NEED_TOOL();
	ASSERT_EQ(0, TOOL(&r, "create", "stream", "--", "/bin/sh", "-c",
			  "echo \"$DIOS_NAME $DIOS_REF\""))
		TH_LOG("%s", r.err);
	EXPECT_EQ(64 + 1 + 11 + 1, strlen(r.out)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, " 0x100000001\n")) TH_LOG("%s", r.out);
	EXPECT_EQ(7, TOOL(&r, "create", "stream", "--", "sh", "-c", "exit 7"));
	EXPECT_EQ(127, TOOL(&r, "create", "stream", "--", "/nonexistent"));
	EXPECT_NE(NULL, strstr(r.err, "not found")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, TOOL(&r, "create", "stream", "--"));
	EXPECT_EQ(2, TOOL(&r, "--json", "create", "stream", "--", "true"));
	EXPECT_EQ(2, TOOL(&r, "create", "stream", "--for", "1", "--", "true"));

	/* stat by handle: the reference create delegated to dios. */
	ASSERT_EQ(0, TOOL(&r, "create", "blob", "--size", "8K", "--",
			  DIOS_TOOL, "--json", "stat", "0x100000001"))
		TH_LOG("%s", r.err);
	EXPECT_STREQ("0x100000001", jstr(r.out, "handle")) TH_LOG("%s", r.out);
	EXPECT_STREQ("blob", jstr(r.out, "type"));
	EXPECT_EQ(8192, jnum(r.out, "size"));
	EXPECT_EQ(64, strlen(jstr(r.out, "name"))) TH_LOG("%s", r.out);
	/* create's own reference and the one it gave. */
	EXPECT_EQ(2, jnum(r.out, "refs")) TH_LOG("%s", r.out);

	/* An anonymous one: a handle, no name; send and cat by handle. */
	ASSERT_EQ(0, TOOL(&r, "create", "stream", "--anon", "--", DIOS_TOOL,
			  "stat", "0x100000001")) TH_LOG("%s", r.err);
	EXPECT_STREQ("(absent)", rec(r.out, "name")) TH_LOG("%s", r.out);
	EXPECT_STREQ("stream", rec(r.out, "type")) TH_LOG("%s", r.out);
	ASSERT_EQ(0, TOOL(&r, "create", "stream", "--anon", "--", "/bin/sh",
			  "-c", "echo hi | " DIOS_TOOL " send $DIOS_REF; "
			  "echo $?")) TH_LOG("%s", r.err);
	/* The shell's children have a context of their own, without it. */
	EXPECT_STREQ("1\n", r.out) TH_LOG("%s", r.out);
	ASSERT_EQ(0, TOOL(&r, "create", "stream", "--", "/bin/sh", "-c",
			  "/demo/dios send $DIOS_NAME hello && "
			  "exec /demo/dios cat -l $DIOS_REF"))
		TH_LOG("%s", r.err);
	EXPECT_STREQ("hello\n", r.out);
}

TEST_F(tool, send_and_cat_a_stream)
{
	struct dios_iovec iov;
	char hex[65], buf[64];
	struct run r;
	dios_ref_t s, g, x, rd;

	NEED_TOOL();
	ASSERT_EQ(0, named(DIOS_OBJ_STREAM, DIOS_RIGHT_READ | DIOS_RIGHT_WRITE |
			   DIOS_RIGHT_COPY, &s, hex));
	ASSERT_EQ(0, TOOL(&r, "send", hex, "hello")) TH_LOG("%s", r.err);
	EXPECT_EQ(0, r.len);
	ASSERT_EQ(0, TOOL_IN(&r, "a\nbb\n", "send", "-l", hex, "-"));
	ASSERT_EQ(0, TOOL(&r, "--json", "send", hex, ""));
	EXPECT_STREQ("{\"messages\": 1, \"bytes\": 0}\n", r.out);
	ASSERT_EQ(0, TOOL_IN(&r, "in", "send", hex));
	EXPECT_EQ(5, dios_recv(DIOS_NONBLOCK, s, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));

	ASSERT_EQ(0, TOOL(&r, "--json", "cat", hex)) TH_LOG("%s", r.err);
	EXPECT_STREQ("[\"a\", \"bb\", \"\", \"in\"]\n", r.out);
	/* Consumed: nothing left, and cat does not wait. */
	ASSERT_EQ(0, TOOL(&r, "cat", hex));
	EXPECT_EQ(0, r.len);
	ASSERT_EQ(0, dios_send(0, s, "x", 1));
	ASSERT_EQ(0, dios_send(0, s, "y\001", 2));
	ASSERT_EQ(0, TOOL(&r, "cat", "-l", "-n", "1", hex));
	EXPECT_STREQ("x\n", r.out);
	ASSERT_EQ(0, TOOL(&r, "--json", "cat", hex));
	EXPECT_STREQ("[\"y\\u0001\"]\n", r.out);

	/* A message carrying a reference stops cat. */
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &x,
				      NULL));
	memset(&iov, 0, sizeof(iov));
	ASSERT_EQ(0, dios_acquire_write(0, s, 4, &iov));
	iov.refs = &x;
	iov.n_refs = 1;
	ASSERT_EQ(0, dios_commit_write(DIOS_IO_REFS, s, 4, &iov));
	EXPECT_EQ(1, TOOL(&r, "cat", hex));
	EXPECT_NE(NULL, strstr(r.err, "carries references")) TH_LOG("%s", r.err);

	EXPECT_EQ(2, TOOL(&r, "cat", "--offset", "1", hex));
	EXPECT_EQ(2, TOOL(&r, "send", "--offset", "1", hex, "x"));
	EXPECT_EQ(2, TOOL(&r, "send", "-n", "1", hex, "x"));
	EXPECT_EQ(2, TOOL(&r, "send", hex, "x", "y"));
	ASSERT_EQ(0, named(DIOS_OBJ_GROUP, 0, &g, hex));
	EXPECT_EQ(1, TOOL(&r, "cat", hex));
	EXPECT_NE(NULL, strstr(r.err, "a group has no content")) TH_LOG("%s", r.err);

	/* -f: until no writer is left; --nonblock on a full stream. */
	ASSERT_EQ(0, named(DIOS_OBJ_STREAM, DIOS_RIGHT_READ | DIOS_RIGHT_COPY,
			   &s, hex));
	ASSERT_EQ(0, dios_send(0, s, "one", 3));
	ASSERT_EQ(0, dios_send(0, s, "two", 3));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &rd));
	ASSERT_EQ(0, dios_delete(0, s));
	ASSERT_EQ(0, TOOL(&r, "cat", "-f", "-l", hex)) TH_LOG("%s", r.err);
	EXPECT_STREQ("one\ntwo\n", r.out);
	EXPECT_EQ(1, TOOL(&r, "send", hex, "x"));
	EXPECT_NE(NULL, strstr(r.err, dios_strerror(-EACCES))) TH_LOG("%s", r.err);

	ASSERT_EQ(0, named(DIOS_OBJ_STREAM, 0, &s, hex));
	memset(buf, 'z', sizeof(buf));
	while (!dios_send(DIOS_NONBLOCK, s, buf, sizeof(buf)))
		;
	EXPECT_EQ(1, TOOL(&r, "send", "--nonblock", hex, "x"));
	EXPECT_NE(NULL, strstr(r.err, dios_strerror(-EAGAIN))) TH_LOG("%s", r.err);
}

TEST_F(tool, send_and_cat_blob_and_shmem)
{
	struct dios_iovec iov;
	char hex[65];
	struct run r;
	dios_ref_t m;

	NEED_TOOL();
	ASSERT_EQ(0, TOOL(&r, "--json", "create", "blob", "--size", "8K",
			  "--for", "60"));
	ASSERT_LT(0, holder_of(self, r.out));
	snprintf(hex, sizeof(hex), "%s", jstr(r.out, "name"));
	ASSERT_EQ(0, TOOL(&r, "send", hex, "hello")) TH_LOG("%s", r.err);
	ASSERT_EQ(0, TOOL_IN(&r, "world", "send", "--offset", "4096", hex));
	ASSERT_EQ(0, TOOL(&r, "cat", "--length", "5", hex));
	EXPECT_STREQ("hello", r.out);
	ASSERT_EQ(0, TOOL(&r, "cat", "--offset", "4096", "--length", "5", hex));
	EXPECT_STREQ("world", r.out);
	ASSERT_EQ(0, TOOL(&r, "cat", hex));
	EXPECT_EQ(8192, r.len);
	EXPECT_EQ(0, memcmp(r.out + 4096, "world\0\0", 7));
	ASSERT_EQ(0, TOOL(&r, "--json", "cat", "--length", "7", hex));
	EXPECT_STREQ("\"hello\\u0000\\u0000\"\n", r.out);
	ASSERT_EQ(0, TOOL(&r, "stat", hex));
	EXPECT_STREQ("2", rec(r.out, "version")) TH_LOG("%s", r.out);

	EXPECT_EQ(1, TOOL(&r, "send", "--offset", "8190", hex, "hello"));
	EXPECT_NE(NULL, strstr(r.err, "do not fit")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, TOOL(&r, "cat", "--offset", "8192", hex));
	EXPECT_EQ(1, TOOL(&r, "cat", "--offset", "8000", "--length", "500", hex));
	EXPECT_EQ(1, TOOL(&r, "send", hex, ""));
	EXPECT_EQ(2, TOOL(&r, "send", "-l", hex, "x"));
	EXPECT_EQ(2, TOOL(&r, "cat", "-f", hex));
	EXPECT_EQ(2, TOOL(&r, "cat", "--length", "0", hex));

	/* shmem: the bytes are the test's own pages. */
	ASSERT_EQ(0, named(DIOS_OBJ_SHMEM, 0, &m, hex));
	ASSERT_EQ(0, TOOL(&r, "send", "--offset", "10", hex, "abc"));
	memset(&iov, 0, sizeof(iov));
	iov.offset = 10;
	ASSERT_EQ(0, dios_acquire_read(0, m, 3, &iov));
	EXPECT_EQ(0, memcmp(iov.buf, "abc", 3));
	ASSERT_EQ(0, dios_release_read(0, m, &iov));
	ASSERT_EQ(0, TOOL(&r, "cat", "--offset", "9", "--length", "4", hex));
	EXPECT_EQ(4, r.len);
	EXPECT_EQ(0, memcmp(r.out, "\0abc", 4));
}

/* Whoever may open /dev/dios uses objects; debugfs stays root's. */
TEST_F(tool, unprivileged)
{
	char hex[65], buf[8], pid[16];
	struct run r;
	dios_ref_t s;

	NEED_TOOL();
	ASSERT_EQ(0, named(DIOS_OBJ_STREAM, 0, &s, hex));
	snprintf(pid, sizeof(pid), "%d", getpid());
	EXPECT_EQ(1, TOOL_AS(&r, NOBODY, "streams"));
	EXPECT_NE(NULL, strstr(r.err, "root")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, TOOL_AS(&r, NOBODY, "ps"));
	EXPECT_EQ(1, TOOL_AS(&r, NOBODY, "stats"));
	EXPECT_EQ(1, TOOL_AS(&r, NOBODY, "refs", pid));
	EXPECT_EQ(1, TOOL_AS(&r, NOBODY, "top", "-n", "1", "-d", "0.1"));

	ASSERT_EQ(0, TOOL_AS(&r, NOBODY, "lookup", hex)) TH_LOG("%s", r.err);
	EXPECT_STREQ("stream", rec(r.out, "type"));
	ASSERT_EQ(0, TOOL_AS(&r, NOBODY, "stat", hex)) TH_LOG("%s", r.err);
	EXPECT_STREQ("stream", rec(r.out, "type"));
	EXPECT_STREQ("(absent)", rec(r.out, "obj"));
	EXPECT_NE(NULL, strstr(r.err, "needs root")) TH_LOG("%s", r.err);
	ASSERT_EQ(0, TOOL_AS(&r, NOBODY, "send", hex, "hi"));
	EXPECT_EQ(2, dios_recv(DIOS_NONBLOCK, s, buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
