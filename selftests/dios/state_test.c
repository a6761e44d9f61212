// SPDX-License-Identifier: GPL-2.0
/*
 * A context's state from outside: /proc/<pid>/fdinfo/<fd> of the context
 * descriptor (owner, references, open buffers, views, interest set) and
 * /sys/kernel/debug/dios/proc/<pid> (one line per reference, with its
 * object's state), as docs/observability.md describes them.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define DEBUGFS		"/sys/kernel/debug"

/* The value of "@key:\t<n>" in the fdinfo of the context; -1 if absent. */
static long fdinfo_value(const char *key)
{
	char path[64], pat[64], *info, *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d",
		 dios_context_fd());
	info = dios_test_read_file(path);
	if (!info)
		return -1;
	snprintf(pat, sizeof(pat), "\n%s:\t", key);
	p = strstr(info, pat);
	if (p)
		v = strtol(p + strlen(pat), NULL, 10);
	free(info);
	return v;
}

/* The line of @file about @handle, copied into @line; false if none. */
static bool ref_line(const char *file, dios_ref_t handle, char *line,
		     size_t size)
{
	char key[48];
	const char *p, *end;

	snprintf(key, sizeof(key), "handle=%#llx ",
		 (unsigned long long)handle);
	p = strstr(file, key);
	if (!p)
		return false;
	end = strchr(p, '\n');
	snprintf(line, size, "%.*s", end ? (int)(end - p) : (int)strlen(p), p);
	return true;
}

static bool debugfs_present(void)
{
	struct stat st;

	if (!stat(DEBUGFS "/dios", &st))
		return true;
	return !mount("none", DEBUGFS, "debugfs", 0, NULL) &&
	       !stat(DEBUGFS "/dios", &st);
}

/* The debugfs file of process @pid's context, read whole. */
static char *proc_file(pid_t pid)
{
	char path[96];

	snprintf(path, sizeof(path), DEBUGFS "/dios/proc/%d", pid);
	return dios_test_read_file(path);
}

TEST(fdinfo_counts_refs_buffers_views_interest)
{
	struct dios_iovec iov;
	dios_ref_t s, t, d;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &s,
				      NULL));
	ASSERT_EQ(0, dios_task_self(&t));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ, &d));
	EXPECT_EQ(getpid(), fdinfo_value("dios_owner"));
	EXPECT_EQ(3, fdinfo_value("dios_refs"));
	EXPECT_EQ(0, fdinfo_value("dios_buffers"));
	EXPECT_EQ(0, fdinfo_value("dios_views"));
	EXPECT_EQ(0, fdinfo_value("dios_interest"));
	EXPECT_LT(0, fdinfo_value("dios_task"));

	ASSERT_EQ(0, dios_interest_add(d, DIOS_EV_READ, 7));
	memset(&iov, 0, sizeof(iov));
	ASSERT_EQ(0, dios_acquire_write(0, s, 16, &iov));
	EXPECT_EQ(1, fdinfo_value("dios_buffers"));
	EXPECT_EQ(1, fdinfo_value("dios_views"));
	EXPECT_EQ(1, fdinfo_value("dios_interest"));

	/* The view stays cached for the next transaction; the buffer goes. */
	ASSERT_EQ(0, dios_release_write(0, s, &iov));
	EXPECT_EQ(0, fdinfo_value("dios_buffers"));
	EXPECT_EQ(1, fdinfo_value("dios_views"));
	ASSERT_EQ(0, dios_delete(0, d));
	EXPECT_EQ(2, fdinfo_value("dios_refs"));
	EXPECT_EQ(0, fdinfo_value("dios_interest"));
}

TEST(debugfs_lists_the_references_created)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_BLOB);
	char line[512], want[96], *file;
	unsigned long long sid, did;
	struct dios_iovec iov;
	dios_ref_t s, d, b, t, m;

	if (!debugfs_present())
		SKIP(return, "no debugfs");
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &s,
				      NULL));
	ASSERT_EQ(0, dios_send(0, s, "abc", 3));
	ASSERT_EQ(0, dios_send(0, s, "defgh", 5));
	ASSERT_EQ(0, dios_dup(s, DIOS_RIGHT_READ | DIOS_RIGHT_COPY, &d));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &a, &b,
				 NULL));
	memset(&iov, 0, sizeof(iov));
	ASSERT_EQ(0, dios_acquire_write(0, b, 4096, &iov));
	ASSERT_EQ(0, dios_commit_write(0, b, 4096, &iov));
	ASSERT_EQ(0, dios_task_self(&t));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &m,
				      NULL));

	file = proc_file(getpid());
	ASSERT_NE(NULL, file);
	EXPECT_EQ(NULL, strstr(file, "0xffff")) TH_LOG("%s", file);

	ASSERT_TRUE(ref_line(file, s, line, sizeof(line))) TH_LOG("%s", file);
	EXPECT_NE(NULL, strstr(line, "type=stream rights=0x1f state=live"))
		TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " msgs=2 bytes=8 "))
		TH_LOG("%s", line);
	snprintf(want, sizeof(want), " capacity=%llu readers=2 writers=1",
		 (unsigned long long)dios_test_args(DIOS_OBJ_STREAM).capacity);
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
	ASSERT_EQ(1, sscanf(strstr(line, " obj="), " obj=%llu", &sid));

	ASSERT_TRUE(ref_line(file, d, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "type=stream rights=0x5 state=live"))
		TH_LOG("%s", line);
	ASSERT_EQ(1, sscanf(strstr(line, " obj="), " obj=%llu", &did));
	EXPECT_EQ(sid, did);

	ASSERT_TRUE(ref_line(file, b, line, sizeof(line)));
	snprintf(want, sizeof(want), " size=%llu version=1",
		 (unsigned long long)a.size);
	EXPECT_NE(NULL, strstr(line, "type=blob")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);

	ASSERT_TRUE(ref_line(file, m, line, sizeof(line)));
	snprintf(want, sizeof(want), "type=shmem rights=0x1f state=live");
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
	snprintf(want, sizeof(want), " waiters=0 size=%llu",
		 (unsigned long long)dios_test_args(DIOS_OBJ_SHMEM).size);
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);

	ASSERT_TRUE(ref_line(file, t, line, sizeof(line)));
	snprintf(want, sizeof(want), "type=task rights=0x1f state=live");
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
	snprintf(want, sizeof(want), " pid=%d", getpid());
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
	free(file);

	/* Zombified: the state changes; deleted: the line goes. */
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, s));
	ASSERT_EQ(0, dios_delete(0, b));
	file = proc_file(getpid());
	ASSERT_NE(NULL, file);
	EXPECT_FALSE(ref_line(file, s, line, sizeof(line)));
	EXPECT_FALSE(ref_line(file, b, line, sizeof(line)));
	ASSERT_TRUE(ref_line(file, d, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "state=zombie")) TH_LOG("%s", line);
	free(file);
}

/* Another process's references, and its file going with its context. */
TEST(debugfs_shows_other_processes)
{
	int go[2], ready[2], status;
	char line[512], *file;
	dios_ref_t s;
	pid_t pid;

	if (!debugfs_present())
		SKIP(return, "no debugfs");
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char c;

		if (dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &s,
				     NULL))
			_exit(1);
		if (write(ready[1], &s, sizeof(s)) != sizeof(s) ||
		    read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(sizeof(s), read(ready[0], &s, sizeof(s)));
	file = proc_file(pid);
	ASSERT_NE(NULL, file);
	EXPECT_TRUE(ref_line(file, s, line, sizeof(line))) TH_LOG("%s", file);
	EXPECT_NE(NULL, strstr(line, "type=stream")) TH_LOG("%s", line);
	free(file);
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	EXPECT_EQ(NULL, proc_file(pid));
	EXPECT_EQ(ENOENT, errno);
}

TEST_HARNESS_MAIN
