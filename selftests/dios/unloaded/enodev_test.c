// SPDX-License-Identifier: GPL-2.0
/*
 * libdios without the module (run by the test VM before anything loads
 * it, scripts/guest-init.sh): every call that needs the context fails with
 * -ENODEV, never -ENOENT (no such name), both when /dev/dios does not
 * exist and when its static node exists but no module can be loaded for it.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "../dios_test.h"
#include "unloaded.h"

/* Every entry point that opens the context says the same. */
static void expect_enodev(struct __test_metadata *_metadata)
{
	struct dios_create_args args = { .size = 4096 };
	struct dios_version_req v;
	struct dios_name name;
	dios_ref_t ref;

	memset(&name, 0x5a, sizeof(name));
	errno = 4321;
	EXPECT_EQ(-ENODEV, dios_version(&v));
	EXPECT_EQ(-ENODEV, dios_context_fd());
	EXPECT_EQ(-ENODEV, dios_create(0, DIOS_OBJ_SHMEM, &args, &ref, NULL));
	EXPECT_EQ(-ENODEV, dios_lookup(0, &name, DIOS_REF_NONE, &ref));
	EXPECT_EQ(-ENODEV, dios_task_self(&ref));
	EXPECT_EQ(4321, errno);
	EXPECT_NE(NULL, strstr(dios_strerror(-ENODEV), "not loaded"));
}

TEST(no_node_is_enodev)
{
	struct stat st;

	ASSERT_EQ(0, module_loaded());
	ASSERT_NE(0, stat("/dev/dios", &st));
	expect_enodev(_metadata);
	EXPECT_EQ(0, module_loaded());
}

/*
 * The static node kmod static-nodes would create (its "c10:<minor>" from
 * modules.devname in DIOS_TEST_DEVNAME), with no module installed: the
 * misc layer's request_module() finds nothing and open fails with ENODEV.
 */
TEST(node_without_module_is_enodev)
{
	const char *dev = getenv("DIOS_TEST_DEVNAME");
	unsigned int maj, min;

	if (!dev || sscanf(dev, "c%u:%u", &maj, &min) != 2)
		SKIP(return, "DIOS_TEST_DEVNAME (c<major>:<minor>) not set");
	ASSERT_EQ(0, module_loaded());
	ASSERT_EQ(0, mknod("/dev/dios", S_IFCHR | 0600, makedev(maj, min)));
	expect_enodev(_metadata);
	EXPECT_EQ(0, module_loaded());
	EXPECT_EQ(0, unlink("/dev/dios"));
}

TEST_HARNESS_MAIN
