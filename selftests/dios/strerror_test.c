// SPDX-License-Identifier: GPL-2.0
/*
 * dios_strerror: a dios explanation for every error a call documents, the
 * same for -err and err, a fixed answer for anything else, and no errno or
 * context side effects.
 */
#include <dirent.h>
#include <limits.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#define NOT_DIOS "not an error of a dios call"

/* How many of the process's descriptors are open on @path. */
static int count_fds(const char *path)
{
	char link[300], target[PATH_MAX];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;
	ssize_t len;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", d->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = 0;
		n += !strcmp(target, path);
	}
	closedir(dir);
	return n;
}

/* Every errno docs/api.md and docs/io.md give for a library call. */
static const int documented[] = {
	ENODEV, EACCES, EPERM, EBADF, EBADFD, EIDRM, ENOENT, EEXIST, EALREADY,
	ENODATA, EMFILE, EDQUOT, EFBIG, EINVAL, E2BIG, EFAULT, ENOTTY, EPROTO,
	EOPNOTSUPP, EBUSY, EAGAIN, EPIPE, EMSGSIZE, ESTALE, ESRCH, ECHILD,
	ENOSPC, ETIMEDOUT, EINTR, ENOMEM, EOVERFLOW,
};

TEST(every_documented_error_is_explained)
{
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(documented); i++) {
		const char *m = dios_strerror(-documented[i]);

		ASSERT_NE(NULL, m);
		EXPECT_STRNE(NOT_DIOS, m);
		EXPECT_STREQ(m, dios_strerror(documented[i]));
		/* No two errors share a message. */
		for (j = 0; j < i; j++)
			EXPECT_STRNE(dios_strerror(-documented[j]), m)
				TH_LOG("errno %d and %d", documented[j],
				       documented[i]);
	}
}

TEST(enodev_says_the_module_is_not_loaded)
{
	EXPECT_NE(NULL, strstr(dios_strerror(-ENODEV),
			       "the dios module is not loaded"));
	EXPECT_NE(NULL, strstr(dios_strerror(-EMFILE), "max_refs"));
	EXPECT_NE(NULL, strstr(dios_strerror(-EDQUOT), "max_objects"));
}

TEST(success_and_foreign_errors)
{
	EXPECT_STREQ("success", dios_strerror(0));
	EXPECT_STREQ(NOT_DIOS, dios_strerror(-EHOSTDOWN));
	EXPECT_STREQ(NOT_DIOS, dios_strerror(EHOSTDOWN));
	EXPECT_STREQ(NOT_DIOS, dios_strerror(INT_MIN));
	EXPECT_STREQ(NOT_DIOS, dios_strerror(INT_MAX));
}

/* Neither errno nor the context: usable where the context failed to open. */
TEST(no_side_effects)
{
	errno = 12345;
	dios_strerror(-EBADF);
	dios_strerror(-EHOSTDOWN);
	EXPECT_EQ(12345, errno);
	EXPECT_EQ(0, count_fds("/dev/dios"));
}

/* With the module loaded, opening the context works: no -ENODEV. */
TEST(loaded_module_is_not_enodev)
{
	struct dios_version_req v;

	ASSERT_EQ(0, dios_version(&v));
	EXPECT_LT(0, dios_context_fd());
	EXPECT_EQ(1, count_fds("/dev/dios"));
}

TEST_HARNESS_MAIN
