// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters refused at load (run by the test VM before anything
 * loads the module, scripts/guest-init.sh, with DIOS_TEST_MODULE the path of
 * dios.ko): each bad limit fails the load with EINVAL and one kernel log
 * line saying which parameter and why; a good one loads.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "../dios_test.h"
#include "unloaded.h"

/* How often @s occurs in the kernel log buffer; -1 if it cannot be read. */
static int log_count(const char *s)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf, *p;
	int n = 0, len;

	if (size <= 0)
		return -1;
	buf = malloc(size + 1);
	if (!buf)
		return -1;
	len = klogctl(3, buf, size);		/* SYSLOG_ACTION_READ_ALL */
	if (len < 0) {
		free(buf);
		return -1;
	}
	buf[len] = 0;
	for (p = buf; (p = strstr(p, s)); p++)
		n++;
	free(buf);
	return n;
}

/* finit_module(2) of dios.ko with @params: 0 or -errno. */
static int load(const char *params)
{
	const char *path = getenv("DIOS_TEST_MODULE");
	int fd, ret;

	if (!path)
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret < 0 ? -errno : 0;
	close(fd);
	return ret;
}

FIXTURE(params) {};

FIXTURE_VARIANT(params) {
	const char *params;
	const char *logged;
};

FIXTURE_VARIANT_ADD(params, refs_zero) {
	"max_refs=0", "dios: max_refs=0 refused: references per task must be 1 to 4194304"
};
FIXTURE_VARIANT_ADD(params, refs_too_many) {
	"max_refs=4194305", "dios: max_refs=4194305 refused"
};
FIXTURE_VARIANT_ADD(params, objects_zero) {
	"max_objects=0", "dios: max_objects=0 refused: objects per user must be 1 to 1073741823"
};
FIXTURE_VARIANT_ADD(params, objects_too_many) {
	"max_objects=1073741824", "dios: max_objects=1073741824 refused"
};
FIXTURE_VARIANT_ADD(params, size_zero) {
	"max_size=0", "dios: max_size=0 refused: a memory or blob object needs at least 1 byte"
};
FIXTURE_VARIANT_ADD(params, capacity_zero) {
	"max_capacity=0", "dios: max_capacity=0 refused: a stream needs at least 1 byte"
};

FIXTURE_SETUP(params)
{
	if (!getenv("DIOS_TEST_MODULE"))
		SKIP(return, "DIOS_TEST_MODULE (the path of dios.ko) not set");
	ASSERT_EQ(0, module_loaded());
}

FIXTURE_TEARDOWN(params) {}

TEST_F(params, refused_and_logged)
{
	int before = log_count(variant->logged);

	ASSERT_LE(0, before);
	EXPECT_EQ(-EINVAL, load(variant->params));
	EXPECT_EQ(0, module_loaded());
	EXPECT_EQ(before + 1, log_count(variant->logged));
}

/* The same parameters in range load, and the module unloads again. */
TEST(good_params_load)
{
	if (!getenv("DIOS_TEST_MODULE"))
		SKIP(return, "DIOS_TEST_MODULE (the path of dios.ko) not set");
	ASSERT_EQ(0, module_loaded());
	ASSERT_EQ(0, load("max_refs=4194304 max_objects=1073741823 max_size=1 max_capacity=1"));
	EXPECT_EQ(1, module_loaded());
	EXPECT_EQ(0, syscall(SYS_delete_module, "dios", O_NONBLOCK));
	EXPECT_EQ(0, module_loaded());
}

TEST_HARNESS_MAIN
