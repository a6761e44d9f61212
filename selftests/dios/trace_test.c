// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints (kernel/trace.h): in a tracefs instance of its own, the
 * test enables some of the dios events, runs a round trip over a stream
 * (copying and zero-copy), a select and a delete, and finds each step in
 * the trace with the object id, handles, lengths and results it expects.
 * Skips where the kernel has no tracefs or no event tracing (the
 * tinyconfig guest kernels other than the debug one).
 */
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define TRACEFS		"/sys/kernel/tracing"

static const char *const trace_events[] = {
	"dios_create", "dios_xfer", "dios_io", "dios_select", "dios_delete",
	"dios_dup", "dios_task_run", "dios_task_pause", "dios_task_resume",
	"dios_task_exit",
};

/* Write @val to @path; 0 or -errno. */
static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/* tracefs at TRACEFS, mounted if need be; false if the kernel has none. */
static bool tracefs_present(void)
{
	struct stat st;

	if (!stat(TRACEFS "/trace", &st))
		return true;
	mkdir(TRACEFS, 0755);
	return !mount("nodev", TRACEFS, "tracefs", 0, NULL) &&
	       !stat(TRACEFS "/trace", &st);
}

/* The first line of @trace with @event that contains every one of @want. */
static const char *find_event(const char *trace, const char *event,
			      const char *const *want, size_t n)
{
	char key[64];
	const char *p = trace;

	snprintf(key, sizeof(key), " %s: ", event);
	while ((p = strstr(p, key))) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t i;

		for (i = 0; i < n; i++) {
			const char *hit = strstr(p, want[i]);

			if (!hit || hit >= p + len)
				break;
		}
		if (i == n)
			return p;
		p += len;
	}
	return NULL;
}

FIXTURE(trace) {
	char dir[128];
	bool made;
};

FIXTURE_SETUP(trace)
{
	char path[256];
	size_t i;

	if (!tracefs_present())
		SKIP(return, "no tracefs in this kernel");
	if (access(TRACEFS "/events", F_OK))
		SKIP(return, "no event tracing in this kernel");
	/* The module is loaded: its events must be there. */
	ASSERT_EQ(0, access(TRACEFS "/events/dios/dios_io/format", R_OK));
	snprintf(self->dir, sizeof(self->dir), TRACEFS "/instances/dios_%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755)) TH_LOG("%s: %m", self->dir);
	self->made = true;
	for (i = 0; i < ARRAY_LEN(trace_events); i++) {
		snprintf(path, sizeof(path), "%s/events/dios/%s/enable",
			 self->dir, trace_events[i]);
		ASSERT_EQ(0, write_file(path, "1")) TH_LOG("%s", path);
	}
}

FIXTURE_TEARDOWN(trace)
{
	if (self->made)
		rmdir(self->dir);
}

/* The format file names the fields; none is a pointer. */
TEST_F(trace, format_has_fields)
{
	char *fmt = dios_test_read_file(TRACEFS "/events/dios/dios_io/format");

	/* This harness runs the test after a SKIP in the setup. */
	if (!self->made)
		return;
	ASSERT_NE(NULL, fmt);
	EXPECT_NE(NULL, strstr(fmt, "field:u64 handle;"));
	EXPECT_NE(NULL, strstr(fmt, "field:u64 obj_id;"));
	EXPECT_NE(NULL, strstr(fmt, "field:u64 len;"));
	EXPECT_NE(NULL, strstr(fmt, "field:u32 n_refs;"));
	EXPECT_NE(NULL, strstr(fmt, "field:int ret;"));
	EXPECT_EQ(NULL, strstr(fmt, "*"));
	free(fmt);
}

TEST_F(trace, round_trip_is_traced)
{
	char rbuf[16], path[256], want[8][96];
	const char *w[8], *line;
	struct dios_create_args a = dios_test_args(DIOS_OBJ_STREAM);
	struct dios_iovec iov;
	unsigned long long id;
	dios_ref_t s, dup;
	uint32_t ready;
	char *trace;

	/* This harness runs the test after a SKIP in the setup. */
	if (!self->made)
		return;
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &a, &s,
				 NULL));
	ASSERT_EQ(4, dios_call(0, s, "ping", 4, s, rbuf, sizeof(rbuf), NULL));
	memset(&iov, 0, sizeof(iov));
	ASSERT_EQ(0, dios_acquire_write(0, s, 5, &iov));
	memcpy(iov.buf, "pong!", 5);
	ASSERT_EQ(0, dios_commit_write(0, s, 5, &iov));
	ASSERT_EQ(0, dios_select(0, &s, 1, DIOS_EV_READ, 0, &ready));
	memset(&iov, 0, sizeof(iov));
	ASSERT_EQ(0, dios_acquire_read(0, s, 64, &iov));
	ASSERT_EQ(5, iov.len);
	ASSERT_EQ(0, dios_release_read(0, s, &iov));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &dup));
	ASSERT_EQ(0, dios_delete(0, dup));
	ASSERT_EQ(-EBADF, dios_delete(0, dup));
	ASSERT_EQ(0, dios_delete(0, s));

	snprintf(path, sizeof(path), "%s/trace", self->dir);
	trace = dios_test_read_file(path);
	ASSERT_NE(NULL, trace);

	/* create gives the object id every later event must carry */
	snprintf(want[0], sizeof(want[0]), "handle=%#llx ",
		 (unsigned long long)s);
	w[0] = "type=stream";
	w[1] = want[0];
	w[2] = "ret=0";
	line = find_event(trace, "dios_create", w, 3);
	ASSERT_NE(NULL, line) TH_LOG("no create event in:\n%s", trace);
	ASSERT_EQ(1, sscanf(strstr(line, "obj="), "obj=%llu", &id));
	ASSERT_NE(0, id);

	snprintf(want[1], sizeof(want[1]), "obj=%llu ", id);
	w[0] = "write";
	w[1] = want[0];
	w[2] = want[1];
	w[3] = "len=4 ret=0";
	EXPECT_NE(NULL, find_event(trace, "dios_xfer", w, 4))
		TH_LOG("no send in:\n%s", trace);
	w[0] = "read";
	EXPECT_NE(NULL, find_event(trace, "dios_xfer", w, 4))
		TH_LOG("no recv in:\n%s", trace);

	w[0] = "acquire write";
	w[3] = "len=5 nrefs=0 ret=0";
	EXPECT_NE(NULL, find_event(trace, "dios_io", w, 4));
	w[0] = "commit write";
	EXPECT_NE(NULL, find_event(trace, "dios_io", w, 4));
	w[0] = "acquire read";
	EXPECT_NE(NULL, find_event(trace, "dios_io", w, 4));
	w[0] = "release read";
	w[3] = "ret=0";
	EXPECT_NE(NULL, find_event(trace, "dios_io", w, 4));

	snprintf(want[2], sizeof(want[2]), "ready=%#llx sleeps=0 ret=0",
		 (unsigned long long)s);
	w[0] = "n=1 ready_index=0";
	w[1] = want[2];
	EXPECT_NE(NULL, find_event(trace, "dios_select", w, 2))
		TH_LOG("no select in:\n%s", trace);

	snprintf(want[3], sizeof(want[3]), "from=%#llx handle=%#llx rights=0x1 ret=0",
		 (unsigned long long)s, (unsigned long long)dup);
	w[0] = want[1];
	w[1] = want[3];
	EXPECT_NE(NULL, find_event(trace, "dios_dup", w, 2))
		TH_LOG("no dup in:\n%s", trace);

	snprintf(want[4], sizeof(want[4]), "handle=%#llx zombify=0 ret=0",
		 (unsigned long long)dup);
	snprintf(want[5], sizeof(want[5]), "handle=%#llx zombify=0 ret=-9",
		 (unsigned long long)dup);
	snprintf(want[6], sizeof(want[6]), "handle=%#llx zombify=0 ret=0",
		 (unsigned long long)s);
	EXPECT_NE(NULL, find_event(trace, "dios_delete", (const char *[]){ want[4] }, 1));
	EXPECT_NE(NULL, find_event(trace, "dios_delete", (const char *[]){ want[5] }, 1));
	EXPECT_NE(NULL, find_event(trace, "dios_delete", (const char *[]){ want[6] }, 1));
	free(trace);
}

/* Events not enabled in the instance do not appear in it. */
TEST_F(trace, disabled_events_stay_out)
{
	char path[256];
	dios_ref_t s, t;
	char *trace;

	/* This harness runs the test after a SKIP in the setup. */
	if (!self->made)
		return;
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &s,
				      NULL));
	ASSERT_EQ(0, dios_task_self(&t));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, s));
	snprintf(path, sizeof(path), "%s/trace", self->dir);
	trace = dios_test_read_file(path);
	ASSERT_NE(NULL, trace);
	EXPECT_NE(NULL, strstr(trace, " dios_create: "));
	EXPECT_NE(NULL, strstr(trace, "zombify=1 ret=0"));
	EXPECT_EQ(NULL, strstr(trace, " dios_zombify: "));
	free(trace);
}

/* A task's life: run, pause, resume, exit with its status. */
TEST_F(trace, task_life_is_traced)
{
	const char *argv[] = { "/proc/self/exe", "child", NULL };
	struct dios_task_spec spec = { .argv = argv };
	char path[256], want[2][64], *trace;
	const char *w[2];
	dios_ref_t t;
	int status;

	/* This harness runs the test after a SKIP in the setup. */
	if (!self->made)
		return;
	ASSERT_EQ(0, dios_run(0, argv[0], &spec, &t));
	ASSERT_EQ(0, dios_pause(t));
	ASSERT_EQ(0, dios_resume(t));
	ASSERT_EQ(0, dios_task_wait(t, &status));
	ASSERT_EQ(7, status);
	snprintf(path, sizeof(path), "%s/trace", self->dir);
	trace = dios_test_read_file(path);
	ASSERT_NE(NULL, trace);
	w[0] = "pid=";
	w[1] = "arg=0 ret=0";
	EXPECT_NE(NULL, find_event(trace, "dios_task_run", w, 2))
		TH_LOG("%s", trace);
	snprintf(want[0], sizeof(want[0]), "arg=%d ret=0", SIGSTOP);
	w[1] = want[0];
	EXPECT_NE(NULL, find_event(trace, "dios_task_pause", w, 2));
	snprintf(want[1], sizeof(want[1]), "arg=%d ret=0", SIGCONT);
	w[1] = want[1];
	EXPECT_NE(NULL, find_event(trace, "dios_task_resume", w, 2));
	w[1] = "arg=7 ret=0";
	EXPECT_NE(NULL, find_event(trace, "dios_task_exit", w, 2))
		TH_LOG("%s", trace);
	free(trace);
}

/* The task of task_life_is_traced: pauses a moment, exits with 7. */
int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "child")) {
		usleep(200 * 1000);
		return 7;
	}
	return test_harness_run(argc, argv);
}
