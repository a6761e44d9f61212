// SPDX-License-Identifier: GPL-2.0
/*
 * Autoload on first open (run by the test VM with the module installed
 * under /lib/modules/$(uname -r), indexed by depmod, the static nodes made
 * as kmod static-nodes makes them, and the module not loaded;
 * scripts/guest-init.sh): libdios's first call opens /dev/dios, which loads
 * the module, and the call succeeds on the device the module registered.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "../dios_test.h"
#include "unloaded.h"

TEST(first_open_loads_the_module)
{
	unsigned int maj = 0, min = 0;
	struct dios_version_req v;
	struct stat st;
	dios_ref_t ref;
	FILE *f;

	ASSERT_EQ(0, module_loaded());
	ASSERT_EQ(0, stat("/dev/dios", &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));

	ASSERT_EQ(0, dios_version(&v));
	EXPECT_EQ(1, module_loaded());
	EXPECT_EQ(DIOS_ABI_MAJOR, v.abi_major);
	ASSERT_EQ(0, dios_task_self(&ref));

	/* The static node is the device the module registered. */
	f = fopen("/sys/class/misc/dios/dev", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, fscanf(f, "%u:%u", &maj, &min));
	fclose(f);
	EXPECT_EQ(maj, major(st.st_rdev));
	EXPECT_EQ(min, minor(st.st_rdev));
	EXPECT_EQ(10, maj);
}

TEST_HARNESS_MAIN
