// SPDX-License-Identifier: GPL-2.0
/*
 * Groups as name scopes: names registered in a group resolve only through
 * a reference to it with READ, registering needs WRITE, and a lookup never
 * reveals whether a name exists in a group the caller cannot see.
 */
#include "kselftest_harness.h"
#include "dios_test.h"

FIXTURE(group) {
	dios_ref_t g1, g2;
};

FIXTURE_SETUP(group)
{
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, NULL,
				 &self->g1, NULL));
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, NULL,
				 &self->g2, NULL));
}

FIXTURE_TEARDOWN(group)
{
}

static int create_in(dios_ref_t group, uint64_t flags,
		     const struct dios_name *given, dios_ref_t *ref,
		     struct dios_name *name)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);

	a.group = group;
	if (given)
		a.name = *given;
	return dios_create(flags, DIOS_OBJ_SHMEM, &a, ref, name);
}

TEST_F(group, group_ref_info)
{
	struct dios_ref_info info;

	ASSERT_EQ(0, dios_ref_info(self->g1, &info));
	EXPECT_EQ(DIOS_OBJ_GROUP, info.type);
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
	EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
}

TEST_F(group, name_in_group_resolves_in_group)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, create_in(self->g1, 0, NULL, &ref, &name));
	EXPECT_EQ(0, dios_lookup(0, &name, self->g1, &found));
}

TEST_F(group, name_in_group_not_global)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, create_in(self->g1, 0, NULL, &ref, &name));
	EXPECT_EQ(-ENOENT, dios_lookup(0, &name, DIOS_REF_NONE, &found));
}

TEST_F(group, global_name_not_in_group)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, create_in(DIOS_REF_NONE, 0, NULL, &ref, &name));
	EXPECT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	EXPECT_EQ(-ENOENT, dios_lookup(0, &name, self->g1, &found));
}

TEST_F(group, other_group_and_nowhere_look_the_same)
{
	struct dios_name in_g2, nowhere;
	dios_ref_t ref, found = 0x1234;
	int a, b;

	ASSERT_EQ(0, create_in(self->g2, 0, NULL, &ref, &in_g2));
	dios_test_random_name(&nowhere);
	a = dios_lookup(0, &in_g2, self->g1, &found);
	b = dios_lookup(0, &nowhere, self->g1, &found);
	EXPECT_EQ(-ENOENT, a);
	EXPECT_EQ(-ENOENT, b);
	EXPECT_EQ(0x1234, found);
}

TEST_F(group, same_given_name_in_each_group)
{
	struct dios_ref_info info;
	struct dios_name name;
	dios_ref_t r0, r1, r2, f0, f1, f2;

	dios_test_random_name(&name);
	ASSERT_EQ(0, create_in(DIOS_REF_NONE, DIOS_CREATE_NAME_GIVEN, &name,
			       &r0, NULL));
	ASSERT_EQ(0, create_in(self->g1, DIOS_CREATE_NAME_GIVEN, &name, &r1,
			       NULL));
	ASSERT_EQ(0, create_in(self->g2, DIOS_CREATE_NAME_GIVEN, &name, &r2,
			       NULL));
	EXPECT_EQ(-EEXIST, create_in(self->g1, DIOS_CREATE_NAME_GIVEN, &name,
				     &f1, NULL));
	ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &f0));
	ASSERT_EQ(0, dios_lookup(0, &name, self->g1, &f1));
	ASSERT_EQ(0, dios_lookup(0, &name, self->g2, &f2));
	/* Three distinct objects: zombify one, the others stay live. */
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, r1));
	ASSERT_EQ(0, dios_ref_info(f1, &info));
	EXPECT_EQ(DIOS_REF_ZOMBIE, info.state);
	ASSERT_EQ(0, dios_ref_info(f0, &info));
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
	ASSERT_EQ(0, dios_ref_info(f2, &info));
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
}

TEST_F(group, lookup_needs_read)
{
	struct dios_name name;
	dios_ref_t ref, noread, found;

	ASSERT_EQ(0, create_in(self->g1, 0, NULL, &ref, &name));
	ASSERT_EQ(0, dios_dup(self->g1, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_READ,
			      &noread));
	EXPECT_EQ(-EACCES, dios_lookup(0, &name, noread, &found));
}

TEST_F(group, lookup_with_read_only)
{
	struct dios_name name;
	dios_ref_t ref, ro, found;

	ASSERT_EQ(0, create_in(self->g1, 0, NULL, &ref, &name));
	ASSERT_EQ(0, dios_dup(self->g1, DIOS_RIGHT_READ, &ro));
	EXPECT_EQ(0, dios_lookup(0, &name, ro, &found));
}

TEST_F(group, create_needs_write)
{
	dios_ref_t ro, ref;

	ASSERT_EQ(0, dios_dup(self->g1, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_WRITE,
			      &ro));
	EXPECT_EQ(-EACCES, create_in(ro, 0, NULL, &ref, NULL));
}

TEST_F(group, publish_into_group)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &ref,
				      NULL));
	ASSERT_EQ(0, dios_publish(0, ref, self->g1, 0, &name));
	EXPECT_EQ(0, dios_lookup(0, &name, self->g1, &found));
	EXPECT_EQ(-ENOENT, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	EXPECT_EQ(-ENOENT, dios_lookup(0, &name, self->g2, &found));
}

TEST_F(group, publish_needs_write)
{
	dios_ref_t ro, ref;

	ASSERT_EQ(0, dios_dup(self->g1, DIOS_RIGHT_READ, &ro));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &ref,
				      NULL));
	EXPECT_EQ(-EACCES, dios_publish(0, ref, ro, 0, NULL));
	/* Nothing happened: the object can still be published. */
	EXPECT_EQ(0, dios_publish(0, ref, self->g1, 0, NULL));
}

TEST_F(group, lookup_not_a_group)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, create_in(DIOS_REF_NONE, 0, NULL, &ref, &name));
	EXPECT_EQ(-EINVAL, dios_lookup(0, &name, ref, &found));
}

TEST_F(group, publish_not_a_group)
{
	dios_ref_t notgroup, ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM,
				      &notgroup, NULL));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &ref,
				      NULL));
	EXPECT_EQ(-EINVAL, dios_publish(0, ref, notgroup, 0, NULL));
}

TEST_F(group, create_not_a_group)
{
	dios_ref_t notgroup, ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
				      &notgroup, NULL));
	EXPECT_EQ(-EINVAL, create_in(notgroup, 0, NULL, &ref, NULL));
}

TEST_F(group, lookup_stale_group)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, create_in(self->g1, 0, NULL, &ref, &name));
	ASSERT_EQ(0, dios_delete(0, self->g2));
	EXPECT_EQ(-EBADF, dios_lookup(0, &name, self->g2, &found));
}

TEST_F(group, lookup_zombie_group)
{
	struct dios_name name;
	dios_ref_t ref, other, found;

	ASSERT_EQ(0, create_in(self->g1, 0, NULL, &ref, &name));
	ASSERT_EQ(0, dios_dup(self->g1, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->g1));
	EXPECT_EQ(-EIDRM, dios_lookup(0, &name, other, &found));
}

TEST_F(group, publish_zombie_group)
{
	dios_ref_t ref, other;

	ASSERT_EQ(0, dios_dup(self->g1, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->g1));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &ref,
				      NULL));
	EXPECT_EQ(-EIDRM, dios_publish(0, ref, other, 0, NULL));
}

TEST_F(group, group_lookup_name_rights)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);
	struct dios_ref_info info;
	struct dios_name name;
	dios_ref_t ref, found;

	a.group = self->g1;
	a.name_rights = DIOS_RIGHT_WRITE;
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_SHMEM, &a, &ref, &name));
	ASSERT_EQ(0, dios_lookup(0, &name, self->g1, &found));
	ASSERT_EQ(0, dios_ref_info(found, &info));
	EXPECT_EQ(DIOS_RIGHT_WRITE, info.rights);
}

TEST_F(group, named_group_found_globally)
{
	struct dios_name gname, name;
	dios_ref_t g, found_g, ref, found;

	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_GROUP, NULL, &g, &gname));
	ASSERT_EQ(0, create_in(g, 0, NULL, &ref, &name));
	ASSERT_EQ(0, dios_lookup(0, &gname, DIOS_REF_NONE, &found_g));
	EXPECT_EQ(0, dios_lookup(0, &name, found_g, &found));
}

TEST_F(group, name_dropped_with_last_ref)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, create_in(self->g1, 0, NULL, &ref, &name));
	ASSERT_EQ(0, dios_delete(0, ref));
	EXPECT_EQ(-ENOENT, dios_lookup(0, &name, self->g1, &found));
}

TEST_HARNESS_MAIN
