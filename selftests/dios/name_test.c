// SPDX-License-Identifier: GPL-2.0
/*
 * Names: named and anonymous creation, given names, lookup, publish,
 * name_rights, dios_ref_name() and the text form of names.
 */
#include "kselftest_harness.h"
#include "dios_test.h"

static int named(uint32_t type, uint64_t name_rights, dios_ref_t *ref,
		 struct dios_name *name)
{
	struct dios_create_args a = dios_test_args(type);

	a.name_rights = name_rights;
	return dios_create(0, type, &a, ref, name);
}

static int given(const struct dios_name *name, dios_ref_t group,
		 dios_ref_t *ref)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);
	struct dios_name out;
	int ret;

	a.name = *name;
	a.group = group;
	ret = dios_create(DIOS_CREATE_NAME_GIVEN, DIOS_OBJ_SHMEM, &a, ref,
			  &out);
	if (!ret && memcmp(&out, name, sizeof(out)))
		return -1000;	/* the name we gave is not the one we got */
	return ret;
}

static uint64_t rights_of(dios_ref_t ref)
{
	struct dios_ref_info info;

	if (dios_ref_info(ref, &info))
		return ~0ULL;
	return info.rights;
}

TEST(named_create_returns_name)
{
	struct dios_name name, again;
	dios_ref_t ref;

	ASSERT_EQ(0, named(DIOS_OBJ_SHMEM, 0, &ref, &name));
	EXPECT_FALSE(dios_test_name_is_zero(&name));
	ASSERT_EQ(0, dios_ref_name(ref, &again));
	EXPECT_EQ(0, memcmp(&name, &again, sizeof(name)));
}

TEST(names_are_distinct)
{
	struct dios_name names[64];
	dios_ref_t ref;
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(names); i++)
		ASSERT_EQ(0, named(DIOS_OBJ_GROUP, 0, &ref, &names[i]));
	for (i = 0; i < ARRAY_LEN(names); i++)
		for (j = i + 1; j < ARRAY_LEN(names); j++)
			ASSERT_NE(0, memcmp(&names[i], &names[j],
					    sizeof(names[i])));
}

TEST(lookup_finds_named)
{
	struct dios_ref_info a, b;
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, named(DIOS_OBJ_BLOB, 0, &ref, &name));
	ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	EXPECT_NE(ref, found);
	ASSERT_EQ(0, dios_ref_info(ref, &a));
	ASSERT_EQ(0, dios_ref_info(found, &b));
	EXPECT_EQ(a.type, b.type);
	EXPECT_EQ(a.size, b.size);
	EXPECT_EQ(DIOS_RIGHTS_ALL, b.rights);
	EXPECT_EQ(1, b.has_name);
}

TEST(lookup_grants_name_rights)
{
	const uint64_t nr = DIOS_RIGHT_READ | DIOS_RIGHT_NAME;
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, named(DIOS_OBJ_SHMEM, nr, &ref, &name));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(ref));
	ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	EXPECT_EQ(nr, rights_of(found));
}

TEST(lookup_random_name_is_enoent)
{
	struct dios_name name;
	dios_ref_t ref;

	dios_test_random_name(&name);
	EXPECT_EQ(-ENOENT, dios_lookup(0, &name, DIOS_REF_NONE, &ref));
}

TEST(lookup_zero_name_is_enoent)
{
	struct dios_name zero;
	dios_ref_t ref, anon;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &anon,
				      NULL));
	memset(&zero, 0, sizeof(zero));
	EXPECT_EQ(-ENOENT, dios_lookup(0, &zero, DIOS_REF_NONE, &ref));
}

TEST(lookup_unknown_flag)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, named(DIOS_OBJ_SHMEM, 0, &ref, &name));
	EXPECT_EQ(-EINVAL, dios_lookup(1ULL << 63, &name, DIOS_REF_NONE,
				       &found));
	EXPECT_EQ(-EINVAL, dios_lookup(1, &name, DIOS_REF_NONE, &found));
}

TEST(lookup_null_pointers_are_efault)
{
	struct dios_name name;
	dios_ref_t ref;

	ASSERT_EQ(0, named(DIOS_OBJ_SHMEM, 0, &ref, &name));
	EXPECT_EQ(-EFAULT, dios_lookup(0, NULL, DIOS_REF_NONE, &ref));
	EXPECT_EQ(-EFAULT, dios_lookup(0, &name, DIOS_REF_NONE, NULL));
}

TEST(anon_has_no_name)
{
	struct dios_name name;
	dios_ref_t ref;

	memset(&name, 0x55, sizeof(name));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      &name));
	EXPECT_TRUE(dios_test_name_is_zero(&name));
	EXPECT_EQ(-ENODATA, dios_ref_name(ref, &name));
}

TEST(ref_name_needs_name_right)
{
	struct dios_name name;
	dios_ref_t ref, dup;

	ASSERT_EQ(0, named(DIOS_OBJ_SHMEM, 0, &ref, &name));
	ASSERT_EQ(0, dios_dup(ref, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_NAME, &dup));
	EXPECT_EQ(-EACCES, dios_ref_name(dup, &name));
}

TEST(ref_name_bad_handle)
{
	struct dios_name name;

	ASSERT_LE(0, dios_context_fd());
	EXPECT_EQ(-EBADF, dios_ref_name(DIOS_REF_NONE, &name));
	EXPECT_EQ(-EBADF, dios_ref_name(0x700000001ULL, &name));
}

TEST(ref_name_null_is_efault)
{
	dios_ref_t ref;

	ASSERT_EQ(0, named(DIOS_OBJ_SHMEM, 0, &ref, NULL));
	EXPECT_EQ(-EFAULT, dios_ref_name(ref, NULL));
}

TEST(name_given)
{
	struct dios_ref_info info;
	struct dios_name name;
	dios_ref_t ref, found;

	dios_test_random_name(&name);
	ASSERT_EQ(0, given(&name, DIOS_REF_NONE, &ref));
	ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	ASSERT_EQ(0, dios_ref_info(found, &info));
	EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
	EXPECT_EQ(1, info.has_name);
}

TEST(name_given_taken_is_eexist)
{
	struct dios_name name, other;
	dios_ref_t ref, ref2;

	dios_test_random_name(&name);
	ASSERT_EQ(0, given(&name, DIOS_REF_NONE, &ref));
	EXPECT_EQ(-EEXIST, given(&name, DIOS_REF_NONE, &ref2));
	/* A kernel-drawn name is taken too. */
	ASSERT_EQ(0, named(DIOS_OBJ_BLOB, 0, &ref, &other));
	EXPECT_EQ(-EEXIST, given(&other, DIOS_REF_NONE, &ref2));
}

TEST(name_given_free_after_last_delete)
{
	struct dios_name name;
	dios_ref_t ref, dup, found;

	dios_test_random_name(&name);
	ASSERT_EQ(0, given(&name, DIOS_REF_NONE, &ref));
	ASSERT_EQ(0, dios_dup(ref, DIOS_RIGHTS_ALL, &dup));
	ASSERT_EQ(0, dios_delete(0, ref));
	/* One reference left: still named. */
	EXPECT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	EXPECT_EQ(0, dios_delete(0, found));
	ASSERT_EQ(0, dios_delete(0, dup));
	EXPECT_EQ(-ENOENT, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	EXPECT_EQ(0, given(&name, DIOS_REF_NONE, &ref));
}

TEST(publish_anon_then_lookup)
{
	struct dios_ref_info info;
	struct dios_name name, again;
	dios_ref_t ref, found;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      NULL));
	ASSERT_EQ(0, dios_publish(0, ref, DIOS_REF_NONE, 0, &name));
	EXPECT_FALSE(dios_test_name_is_zero(&name));
	ASSERT_EQ(0, dios_ref_info(ref, &info));
	EXPECT_EQ(1, info.has_name);
	ASSERT_EQ(0, dios_ref_name(ref, &again));
	EXPECT_EQ(0, memcmp(&name, &again, sizeof(name)));
	ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(found));
}

TEST(publish_name_out_optional)
{
	dios_ref_t ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &ref,
				      NULL));
	EXPECT_EQ(0, dios_publish(0, ref, DIOS_REF_NONE, 0, NULL));
}

TEST(publish_name_rights_zero_means_callers)
{
	const uint64_t mine = DIOS_RIGHT_READ | DIOS_RIGHT_NAME;
	struct dios_name name;
	dios_ref_t ref, ro, found;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      NULL));
	ASSERT_EQ(0, dios_dup(ref, mine, &ro));
	ASSERT_EQ(0, dios_publish(0, ro, DIOS_REF_NONE, 0, &name));
	ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	EXPECT_EQ(mine, rights_of(found));
}

TEST(publish_name_rights_subset)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &ref,
				      NULL));
	ASSERT_EQ(0, dios_publish(0, ref, DIOS_REF_NONE, DIOS_RIGHT_READ,
				  &name));
	ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
	EXPECT_EQ(DIOS_RIGHT_READ, rights_of(found));
}

TEST(publish_twice_is_ealready)
{
	dios_ref_t ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      NULL));
	ASSERT_EQ(0, dios_publish(0, ref, DIOS_REF_NONE, 0, NULL));
	EXPECT_EQ(-EALREADY, dios_publish(0, ref, DIOS_REF_NONE, 0, NULL));
}

TEST(publish_named_is_ealready)
{
	dios_ref_t ref;

	ASSERT_EQ(0, named(DIOS_OBJ_SHMEM, 0, &ref, NULL));
	EXPECT_EQ(-EALREADY, dios_publish(0, ref, DIOS_REF_NONE, 0, NULL));
}

TEST(publish_without_name_right_is_eacces)
{
	dios_ref_t ref, dup;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      NULL));
	ASSERT_EQ(0, dios_dup(ref, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_NAME, &dup));
	EXPECT_EQ(-EACCES, dios_publish(0, dup, DIOS_REF_NONE, 0, NULL));
}

TEST(publish_widening_name_rights_is_eperm)
{
	dios_ref_t ref, dup;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      NULL));
	ASSERT_EQ(0, dios_dup(ref, DIOS_RIGHT_READ | DIOS_RIGHT_NAME, &dup));
	EXPECT_EQ(-EPERM, dios_publish(0, dup, DIOS_REF_NONE, DIOS_RIGHTS_ALL,
				       NULL));
	EXPECT_EQ(-EPERM, dios_publish(0, dup, DIOS_REF_NONE,
				       DIOS_RIGHT_WRITE, NULL));
	/* Still anonymous: the failed calls named nothing. */
	EXPECT_EQ(0, dios_publish(0, dup, DIOS_REF_NONE, 0, NULL));
}

TEST(publish_privmem_is_eperm)
{
	dios_ref_t ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_PRIVMEM, &ref,
				      NULL));
	EXPECT_EQ(-EPERM, dios_publish(0, ref, DIOS_REF_NONE, 0, NULL));
}

TEST(publish_unknown_flag)
{
	dios_ref_t ref;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      NULL));
	EXPECT_EQ(-EINVAL, dios_publish(1ULL << 63, ref, DIOS_REF_NONE, 0,
					NULL));
}

TEST(publish_bad_handle)
{
	ASSERT_LE(0, dios_context_fd());
	EXPECT_EQ(-EBADF, dios_publish(0, DIOS_REF_NONE, DIOS_REF_NONE, 0,
				       NULL));
	EXPECT_EQ(-EBADF, dios_publish(0, 0x300000002ULL, DIOS_REF_NONE, 0,
				       NULL));
}

TEST(delete_last_ref_drops_name)
{
	struct dios_name name;
	dios_ref_t ref, found;

	ASSERT_EQ(0, named(DIOS_OBJ_STREAM, 0, &ref, &name));
	ASSERT_EQ(0, dios_delete(0, ref));
	EXPECT_EQ(-ENOENT, dios_lookup(0, &name, DIOS_REF_NONE, &found));
}

TEST(name_str_round_trip)
{
	struct dios_name name, back;
	char s[65];
	size_t i;

	for (i = 0; i < sizeof(name.raw); i++)
		name.raw[i] = (uint8_t)(i * 37 + 11);
	memset(s, 'x', sizeof(s));
	ASSERT_EQ(0, dios_name_to_str(&name, s));
	EXPECT_EQ(64, strlen(s));
	for (i = 0; i < 64; i++) {
		EXPECT_TRUE((s[i] >= '0' && s[i] <= '9') ||
			    (s[i] >= 'a' && s[i] <= 'f'))
			TH_LOG("char %zu is '%c'", i, s[i]);
	}
	EXPECT_EQ(0, strncmp(s, "0b3055", 6));
	ASSERT_EQ(0, dios_name_from_str(s, &back));
	EXPECT_EQ(0, memcmp(&name, &back, sizeof(name)));
}

TEST(name_str_of_kernel_name)
{
	struct dios_name name, back;
	dios_ref_t ref, found;
	char s[65];

	ASSERT_EQ(0, named(DIOS_OBJ_SHMEM, 0, &ref, &name));
	ASSERT_EQ(0, dios_name_to_str(&name, s));
	ASSERT_EQ(0, dios_name_from_str(s, &back));
	EXPECT_EQ(0, dios_lookup(0, &back, DIOS_REF_NONE, &found));
}

TEST(name_str_uppercase_accepted)
{
	struct dios_name name;
	char s[65];
	size_t i;

	for (i = 0; i < 64; i++)
		s[i] = "0123456789ABCDEF"[i % 16];
	s[64] = '\0';
	ASSERT_EQ(0, dios_name_from_str(s, &name));
	EXPECT_EQ(0x01, name.raw[0]);
	EXPECT_EQ(0xef, name.raw[7]);
}

TEST(name_str_malformed_is_einval)
{
	static const char good[] =
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	const char *bad[] = {
		"",
		"0",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg",
		"g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		" 0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
		"0x112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		"-0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	};
	struct dios_name name, orig;
	size_t i;

	ASSERT_EQ(64, strlen(good));
	ASSERT_EQ(0, dios_name_from_str(good, &name));
	memset(&orig, 0xa5, sizeof(orig));
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		name = orig;
		EXPECT_EQ(-EINVAL, dios_name_from_str(bad[i], &name))
			TH_LOG("input \"%s\"", bad[i]);
		EXPECT_EQ(0, memcmp(&name, &orig, sizeof(name)));
	}
	EXPECT_EQ(-EINVAL, dios_name_from_str(NULL, &name));
	EXPECT_EQ(-EINVAL, dios_name_from_str(good, NULL));
}

TEST(name_to_str_null_is_einval)
{
	struct dios_name name;
	char s[65];

	memset(&name, 0, sizeof(name));
	EXPECT_EQ(-EINVAL, dios_name_to_str(NULL, s));
	EXPECT_EQ(-EINVAL, dios_name_to_str(&name, NULL));
}

TEST_HARNESS_MAIN
