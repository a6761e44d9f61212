// SPDX-License-Identifier: GPL-2.0
/*
 * dios_create(): every type with valid arguments, the metadata of the new
 * reference, and every invalid argument with its exact error, one test per
 * error path with otherwise valid input.
 */
#include "kselftest_harness.h"
#include "dios_test.h"

FIXTURE(types) {
};

FIXTURE_VARIANT(types) {
	uint32_t type;
	int nameable;		/* can be created named */
};

FIXTURE_VARIANT_ADD(types, privmem) { .type = DIOS_OBJ_PRIVMEM, .nameable = 0 };
FIXTURE_VARIANT_ADD(types, shmem) { .type = DIOS_OBJ_SHMEM, .nameable = 1 };
FIXTURE_VARIANT_ADD(types, blob) { .type = DIOS_OBJ_BLOB, .nameable = 1 };
FIXTURE_VARIANT_ADD(types, stream) { .type = DIOS_OBJ_STREAM, .nameable = 1 };
FIXTURE_VARIANT_ADD(types, group) { .type = DIOS_OBJ_GROUP, .nameable = 1 };

FIXTURE_SETUP(types)
{
}

FIXTURE_TEARDOWN(types)
{
}

static uint64_t expected_size(uint32_t type)
{
	struct dios_create_args a = dios_test_args(type);

	return type == DIOS_OBJ_STREAM ? a.capacity : a.size;
}

TEST_F(types, create_anon)
{
	struct dios_ref_info info;
	struct dios_name name;
	dios_ref_t ref = 0;

	memset(&name, 0xff, sizeof(name));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, variant->type, &ref,
				      &name));
	EXPECT_NE(DIOS_REF_NONE, ref);
	EXPECT_NE(0, ref >> 32) TH_LOG("generation must be >= 1");
	EXPECT_TRUE(dios_test_name_is_zero(&name));
	ASSERT_EQ(0, dios_ref_info(ref, &info));
	EXPECT_EQ(variant->type, info.type);
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
	EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
	EXPECT_EQ(expected_size(variant->type), info.size);
	EXPECT_EQ(DIOS_PROX_LOCAL, info.proximity);
	EXPECT_EQ(0, info.has_name);
	EXPECT_EQ(0, dios_delete(0, ref));
	EXPECT_EQ(-EBADF, dios_ref_info(ref, &info));
}

TEST_F(types, create_named)
{
	struct dios_ref_info info;
	struct dios_name name;
	dios_ref_t ref = 0;

	memset(&name, 0, sizeof(name));
	ASSERT_EQ(0, dios_test_create(0, variant->type, &ref, &name));
	ASSERT_EQ(0, dios_ref_info(ref, &info));
	EXPECT_EQ(variant->type, info.type);
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
	EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
	/* PRIVMEM is always anonymous: ANON is implied. */
	EXPECT_EQ(variant->nameable, info.has_name);
	EXPECT_EQ(!variant->nameable, dios_test_name_is_zero(&name));
}

TEST_F(types, create_name_out_optional)
{
	dios_ref_t ref = 0;

	EXPECT_EQ(0, dios_test_create(0, variant->type, &ref, NULL));
	EXPECT_NE(DIOS_REF_NONE, ref);
}

TEST_F(types, create_many_distinct_handles)
{
	dios_ref_t refs[64];
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(refs); i++)
		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, variant->type,
					      &refs[i], NULL));
	for (i = 0; i < ARRAY_LEN(refs); i++)
		for (j = i + 1; j < ARRAY_LEN(refs); j++)
			ASSERT_NE(refs[i], refs[j]);
	for (i = 0; i < ARRAY_LEN(refs); i++)
		EXPECT_EQ(0, dios_delete(0, refs[i]));
}

TEST_F(types, create_unknown_flag)
{
	dios_ref_t ref = 0;

	EXPECT_EQ(-EINVAL, dios_test_create(1ULL << 63, variant->type, &ref,
					    NULL));
	EXPECT_EQ(-EINVAL, dios_test_create(DIOS_CREATE_ANON | (1ULL << 3),
					    variant->type, &ref, NULL));
	/* A ring is a stream's only. */
	if (variant->type != DIOS_OBJ_STREAM)
		EXPECT_EQ(-EINVAL, dios_test_create(DIOS_CREATE_ANON |
						    DIOS_CREATE_RING,
						    variant->type, &ref, NULL));
	EXPECT_EQ(DIOS_REF_NONE, ref);
}

TEST_F(types, create_anon_with_name_given)
{
	struct dios_create_args a = dios_test_args(variant->type);
	dios_ref_t ref;

	dios_test_random_name(&a.name);
	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_ANON | DIOS_CREATE_NAME_GIVEN,
				       variant->type, &a, &ref, NULL));
}

TEST_F(types, create_name_rights_unknown_bits)
{
	struct dios_create_args a = dios_test_args(variant->type);
	dios_ref_t ref;

	a.name_rights = DIOS_RIGHT_READ | (1ULL << 40);
	EXPECT_EQ(-EINVAL, dios_create(0, variant->type, &a, &ref, NULL));
}

TEST_F(types, create_anon_with_name_rights)
{
	struct dios_create_args a = dios_test_args(variant->type);
	dios_ref_t ref;

	a.name_rights = DIOS_RIGHT_READ;
	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_ANON, variant->type, &a,
				       &ref, NULL));
}

TEST_F(types, create_anon_with_group)
{
	struct dios_create_args a = dios_test_args(variant->type);
	dios_ref_t group, ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP,
				      &group, NULL));
	a.group = group;
	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_ANON, variant->type, &a,
				       &ref, NULL));
}

TEST_F(types, create_null_ref_is_efault)
{
	EXPECT_EQ(-EFAULT, dios_test_create(DIOS_CREATE_ANON, variant->type,
					    NULL, NULL));
}

TEST(create_unknown_type)
{
	static const uint32_t types[] = { 0, DIOS_OBJ_GROUP + 1, 64,
					  0xffffffffu };
	dios_ref_t ref;
	size_t i;

	for (i = 0; i < ARRAY_LEN(types); i++) {
		EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_ANON, types[i], NULL,
					       &ref, NULL))
			TH_LOG("type %u", types[i]);
	}
}

TEST(create_task_is_einval)
{
	dios_ref_t ref;

	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_TASK, NULL,
				       &ref, NULL));
	EXPECT_EQ(-EINVAL, dios_create(0, DIOS_OBJ_TASK, NULL, &ref, NULL));
}

TEST(create_null_args_group)
{
	dios_ref_t ref;

	EXPECT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, NULL, &ref,
				 NULL));
	EXPECT_EQ(0, dios_create(0, DIOS_OBJ_GROUP, NULL, &ref, NULL));
}

TEST(create_null_args_shmem_size_zero)
{
	dios_ref_t ref;

	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, NULL,
				       &ref, NULL));
}

static int create_sized(uint32_t type, uint64_t size, uint64_t capacity)
{
	struct dios_create_args a;
	dios_ref_t ref;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.capacity = capacity;
	return dios_create(DIOS_CREATE_ANON, type, &a, &ref, NULL);
}

TEST(create_privmem_size_zero)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_PRIVMEM, 0, 0));
}

TEST(create_shmem_size_zero)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_SHMEM, 0, 0));
}

TEST(create_blob_size_zero)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_BLOB, 0, 0));
}

TEST(create_stream_capacity_zero)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_STREAM, 0, 0));
}

TEST(create_stream_with_size)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_STREAM, 4096, 4096));
}

TEST(create_group_with_size)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_GROUP, 4096, 0));
}

TEST(create_group_with_capacity)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_GROUP, 0, 4096));
}

TEST(create_privmem_with_capacity)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_PRIVMEM, 4096, 4096));
}

TEST(create_shmem_with_capacity)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_SHMEM, 4096, 4096));
}

TEST(create_blob_with_capacity)
{
	EXPECT_EQ(-EINVAL, create_sized(DIOS_OBJ_BLOB, 4096, 4096));
}

TEST(create_small_sizes_work)
{
	EXPECT_EQ(0, create_sized(DIOS_OBJ_SHMEM, 1, 0));
	EXPECT_EQ(0, create_sized(DIOS_OBJ_BLOB, 1, 0));
	EXPECT_EQ(0, create_sized(DIOS_OBJ_PRIVMEM, 1, 0));
	EXPECT_EQ(0, create_sized(DIOS_OBJ_STREAM, 0, 1));
}

TEST(create_size_above_limit_is_efbig)
{
	static const uint32_t types[] = { DIOS_OBJ_PRIVMEM, DIOS_OBJ_SHMEM,
					  DIOS_OBJ_BLOB };
	struct dios_version_req v;
	size_t i;

	ASSERT_EQ(0, dios_version(&v));
	for (i = 0; i < ARRAY_LEN(types); i++) {
		EXPECT_EQ(-EFBIG, create_sized(types[i], v.max_size + 1, 0))
			TH_LOG("type %u", types[i]);
		EXPECT_EQ(-EFBIG, create_sized(types[i], ~0ULL, 0))
			TH_LOG("type %u", types[i]);
	}
}

TEST(create_capacity_above_limit_is_efbig)
{
	struct dios_version_req v;

	ASSERT_EQ(0, dios_version(&v));
	EXPECT_EQ(-EFBIG, create_sized(DIOS_OBJ_STREAM, 0, v.max_capacity + 1));
	EXPECT_EQ(-EFBIG, create_sized(DIOS_OBJ_STREAM, 0, ~0ULL));
}

TEST(create_given_zero_name)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);
	dios_ref_t ref;

	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_NAME_GIVEN, DIOS_OBJ_SHMEM,
				       &a, &ref, NULL));
}

TEST(create_privmem_name_given)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_PRIVMEM);
	dios_ref_t ref;

	dios_test_random_name(&a.name);
	EXPECT_EQ(-EINVAL, dios_create(DIOS_CREATE_NAME_GIVEN, DIOS_OBJ_PRIVMEM,
				       &a, &ref, NULL));
}

TEST(create_group_ref_not_a_group)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);
	dios_ref_t notgroup, ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB,
				      &notgroup, NULL));
	a.group = notgroup;
	EXPECT_EQ(-EINVAL, dios_create(0, DIOS_OBJ_SHMEM, &a, &ref, NULL));
}

TEST(create_group_ref_stale)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);
	dios_ref_t group, ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &group,
				      NULL));
	ASSERT_EQ(0, dios_delete(0, group));
	a.group = group;
	EXPECT_EQ(-EBADF, dios_create(0, DIOS_OBJ_SHMEM, &a, &ref, NULL));
	a.group = 0xdead00000001ULL;
	EXPECT_EQ(-EBADF, dios_create(0, DIOS_OBJ_SHMEM, &a, &ref, NULL));
}

TEST(create_group_without_write)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);
	dios_ref_t group, ro, ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &group,
				      NULL));
	ASSERT_EQ(0, dios_dup(group, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_WRITE, &ro));
	a.group = ro;
	EXPECT_EQ(-EACCES, dios_create(0, DIOS_OBJ_SHMEM, &a, &ref, NULL));
	a.group = group;
	EXPECT_EQ(0, dios_create(0, DIOS_OBJ_SHMEM, &a, &ref, NULL));
}

TEST(create_zombie_group)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);
	dios_ref_t group, other, ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &group,
				      NULL));
	ASSERT_EQ(0, dios_dup(group, DIOS_RIGHTS_ALL, &other));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, group));
	a.group = other;
	EXPECT_EQ(-EIDRM, dios_create(0, DIOS_OBJ_SHMEM, &a, &ref, NULL));
}

TEST(create_in_group)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_STREAM);
	struct dios_ref_info info;
	struct dios_name name;
	dios_ref_t group, ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &group,
				      NULL));
	a.group = group;
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_STREAM, &a, &ref, &name));
	EXPECT_FALSE(dios_test_name_is_zero(&name));
	ASSERT_EQ(0, dios_ref_info(ref, &info));
	EXPECT_EQ(1, info.has_name);
	EXPECT_EQ(DIOS_OBJ_STREAM, info.type);
}

TEST_HARNESS_MAIN
