// SPDX-License-Identifier: GPL-2.0
/*
 * The seed programs (tools/seed-*.c) give correct results, dios and Linux
 * versions alike, and leave nothing behind.  They are built for this word
 * size into /seeds64 or /seeds32 of the test guest; each checks its own
 * result and exits non-zero if it is wrong.  Smaller sizes than `make run`
 * (fib(15), 4800 rounds) keep the debug kernel within the timeout.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dios_test.h"

static const char *seed_dir(void)
{
	return sizeof(void *) == 8 ? "/seeds64" : "/seeds32";
}

/* Run seed program @prog with @a1..@a3; its exit status. */
static int run_seed(const char *prog, const char *a1, const char *a2,
		    const char *a3)
{
	char path[64];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", seed_dir(), prog);
	if (access(path, X_OK))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(path, path, a1, a2, a3, (char *)NULL);
		_exit(127);
	}
	return dios_test_wait(pid);
}

FIXTURE(seeds) {
	long contexts, objects;
};

FIXTURE_SETUP(seeds)
{
	char path[64];

	DIOS_REQUIRE(DIOS_FEAT_TASKS | DIOS_FEAT_SELECT);
	snprintf(path, sizeof(path), "%s/seed-fib", seed_dir());
	if (access(path, X_OK))
		SKIP(_exit(255), "%s not installed", path);
	self->contexts = dios_test_stat("contexts");
	self->objects = dios_test_stat("objects_stream");
}

FIXTURE_TEARDOWN(seeds)
{
	EXPECT_EQ(self->contexts, dios_test_stat_settles("contexts",
							 self->contexts, 5000));
	EXPECT_EQ(self->objects, dios_test_stat_settles("objects_stream",
							self->objects, 5000));
}

TEST_F_TIMEOUT(seeds, fib_tasks, 300)
{
	EXPECT_EQ(0, run_seed("seed-fib", "both", "9", NULL));
}

TEST_F_TIMEOUT(seeds, sum_of_primes, 300)
{
	EXPECT_EQ(0, run_seed("seed-primes", "both", NULL, NULL));
}

TEST_F_TIMEOUT(seeds, pingpong_with_and_without_select, 300)
{
	EXPECT_EQ(0, run_seed("seed-pingpong", "both", "both", "200"));
}

TEST_HARNESS_MAIN
