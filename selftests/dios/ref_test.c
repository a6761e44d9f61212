// SPDX-License-Identifier: GPL-2.0
/*
 * References: dup and its rights, delete, handle generations (a deleted
 * handle never reaches another object however often its slot is reused),
 * garbage handles, and the per-task reference limit.
 */
#include <time.h>

#include "kselftest_harness.h"
#include "dios_test.h"

static uint64_t rights_of(dios_ref_t ref)
{
	struct dios_ref_info info;

	if (dios_ref_info(ref, &info))
		return ~0ULL;
	return info.rights;
}

FIXTURE(ref) {
	dios_ref_t obj;
};

FIXTURE_SETUP(ref)
{
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
				      &self->obj, NULL));
}

FIXTURE_TEARDOWN(ref)
{
}

TEST_F(ref, dup_same_rights)
{
	struct dios_ref_info a, b;
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
	EXPECT_NE(self->obj, d);
	ASSERT_EQ(0, dios_ref_info(self->obj, &a));
	ASSERT_EQ(0, dios_ref_info(d, &b));
	EXPECT_EQ(a.type, b.type);
	EXPECT_EQ(a.size, b.size);
	EXPECT_EQ(a.rights, b.rights);
}

TEST_F(ref, dup_fewer_rights)
{
	static const uint64_t sets[] = {
		DIOS_RIGHT_READ, DIOS_RIGHT_WRITE, DIOS_RIGHT_COPY,
		DIOS_RIGHT_DELETE, DIOS_RIGHT_NAME,
		DIOS_RIGHT_READ | DIOS_RIGHT_COPY,
		DIOS_RIGHTS_ALL & ~DIOS_RIGHT_DELETE,
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(sets); i++) {
		dios_ref_t d;

		ASSERT_EQ(0, dios_dup(self->obj, sets[i], &d));
		EXPECT_EQ(sets[i], rights_of(d));
		EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(self->obj));
	}
}

TEST_F(ref, dup_of_dup_keeps_subset)
{
	dios_ref_t d, dd;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ | DIOS_RIGHT_COPY,
			      &d));
	ASSERT_EQ(0, dios_dup(d, DIOS_RIGHT_READ, &dd));
	EXPECT_EQ(DIOS_RIGHT_READ, rights_of(dd));
}

TEST_F(ref, dup_widening_is_eperm)
{
	dios_ref_t d, dd = 0;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ | DIOS_RIGHT_COPY,
			      &d));
	EXPECT_EQ(-EPERM, dios_dup(d, DIOS_RIGHT_READ | DIOS_RIGHT_COPY |
				   DIOS_RIGHT_WRITE, &dd));
	EXPECT_EQ(-EPERM, dios_dup(d, DIOS_RIGHTS_ALL, &dd));
	EXPECT_EQ(0, dd);
}

TEST_F(ref, dup_without_copy_is_eacces)
{
	dios_ref_t d, dd;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_COPY,
			      &d));
	EXPECT_EQ(-EACCES, dios_dup(d, DIOS_RIGHT_READ, &dd));
}

TEST_F(ref, dup_unknown_rights_is_einval)
{
	dios_ref_t d;

	EXPECT_EQ(-EINVAL, dios_dup(self->obj, DIOS_RIGHT_READ | (1ULL << 5),
				    &d));
	EXPECT_EQ(-EINVAL, dios_dup(self->obj, 1ULL << 63, &d));
}

TEST_F(ref, dup_null_out_is_efault)
{
	EXPECT_EQ(-EFAULT, dios_dup(self->obj, DIOS_RIGHTS_ALL, NULL));
}

TEST_F(ref, dup_unknown_flag_is_einval)
{
	struct dios_dup_req r;

	memset(&r, 0, sizeof(r));
	r.flags = 1;
	r.ref = self->obj;
	r.rights = DIOS_RIGHTS_ALL;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_DUP), sizeof(r), &r));
}

TEST_F(ref, delete_unknown_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, dios_delete(1ULL << 1, self->obj));
	EXPECT_EQ(-EINVAL, dios_delete(1ULL << 63, self->obj));
	/* Not deleted. */
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(self->obj));
}

TEST_F(ref, stale_handle_after_delete)
{
	struct dios_ref_info info;
	struct dios_name name;
	dios_ref_t d, dd;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(0, dios_delete(0, d));
	EXPECT_EQ(-EBADF, dios_ref_info(d, &info));
	EXPECT_EQ(-EBADF, dios_dup(d, DIOS_RIGHT_READ, &dd));
	EXPECT_EQ(-EBADF, dios_ref_name(d, &name));
	EXPECT_EQ(-EBADF, dios_publish(0, d, DIOS_REF_NONE, 0, NULL));
	EXPECT_EQ(-EBADF, dios_delete(DIOS_DELETE_ZOMBIFY, d));
	/* The other reference is untouched. */
	ASSERT_EQ(0, dios_ref_info(self->obj, &info));
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
}

TEST_F(ref, double_delete_is_ebadf)
{
	ASSERT_EQ(0, dios_delete(0, self->obj));
	EXPECT_EQ(-EBADF, dios_delete(0, self->obj));
}

TEST_F(ref, ref_none_is_ebadf)
{
	struct dios_ref_info info;
	struct dios_name name;
	dios_ref_t d;

	EXPECT_EQ(-EBADF, dios_ref_info(DIOS_REF_NONE, &info));
	EXPECT_EQ(-EBADF, dios_dup(DIOS_REF_NONE, DIOS_RIGHTS_ALL, &d));
	EXPECT_EQ(-EBADF, dios_delete(0, DIOS_REF_NONE));
	EXPECT_EQ(-EBADF, dios_ref_name(DIOS_REF_NONE, &name));
}

TEST_F(ref, garbage_handles_are_ebadf)
{
	const uint64_t idx = (uint32_t)self->obj;
	const uint64_t gen = self->obj >> 32;
	const dios_ref_t bad[] = {
		idx,				/* generation 0 */
		gen << 32,			/* index + 1 == 0 */
		((gen + 1) << 32) | idx,	/* next generation */
		((gen + 0x10000) << 32) | idx,
		(gen << 32) | (idx + 1),	/* free slot */
		(gen << 32) | 0xffffffffULL,	/* far out of range */
		(gen << 32) | 0x100000ULL,
		(gen << 32) | 0x7fffffffULL,
		0xffffffffffffffffULL,
		0xffffffff00000001ULL,
		0x8000000000000001ULL,
	};
	struct dios_ref_info info;
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		dios_ref_t d;

		EXPECT_EQ(-EBADF, dios_ref_info(bad[i], &info))
			TH_LOG("handle %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(-EBADF, dios_dup(bad[i], DIOS_RIGHTS_ALL, &d))
			TH_LOG("handle %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(-EBADF, dios_delete(0, bad[i]))
			TH_LOG("handle %#llx", (unsigned long long)bad[i]);
	}
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(self->obj));
}

TEST_F(ref, ref_info_null_is_einval)
{
	EXPECT_EQ(-EINVAL, dios_ref_info(self->obj, NULL));
}

TEST(ref_info_without_context_is_ebadf)
{
	struct dios_ref_info info;

	/* Nothing opened the context yet: no handle can be valid. */
	EXPECT_EQ(-EBADF, dios_ref_info(0x100000001ULL, &info));
}

static int cmp_ref(const void *a, const void *b)
{
	dios_ref_t x = *(const dios_ref_t *)a, y = *(const dios_ref_t *)b;

	return x < y ? -1 : x > y;
}

#define REUSE_CYCLES	10000

TEST(slot_reuse_never_resolves_old_handle)
{
	struct dios_ref_info info;
	dios_ref_t *seen, first, ref, d;
	size_t i;

	seen = calloc(REUSE_CYCLES, sizeof(*seen));
	ASSERT_NE(NULL, seen);
	ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, NULL,
				 &first, NULL));
	ASSERT_EQ(0, dios_delete(0, first));
	for (i = 0; i < REUSE_CYCLES; i++) {
		ASSERT_EQ(0, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP,
					 NULL, &ref, NULL));
		seen[i] = ref;
		ASSERT_EQ(-EBADF, dios_ref_info(first, &info));
		if (i)
			ASSERT_EQ(-EBADF, dios_ref_info(seen[i - 1], &info));
		ASSERT_EQ(0, dios_ref_info(ref, &info));
		ASSERT_EQ(0, dios_delete(0, ref));
	}
	/* The kernel path too, for a sample of old handles. */
	for (i = 0; i < REUSE_CYCLES; i += 97)
		ASSERT_EQ(-EBADF, dios_dup(seen[i], DIOS_RIGHTS_ALL, &d));
	ASSERT_EQ(-EBADF, dios_dup(first, DIOS_RIGHTS_ALL, &d));
	qsort(seen, REUSE_CYCLES, sizeof(*seen), cmp_ref);
	for (i = 1; i < REUSE_CYCLES; i++)
		ASSERT_NE(seen[i - 1], seen[i]);
	free(seen);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Enough for the default limit under TCG in a few seconds. */
#define EMFILE_MAX_REFS	(1u << 18)

TEST_F_TIMEOUT(ref, table_full_is_emfile, 120)
{
	uint32_t max = (uint32_t)dios_test_max_refs();
	struct dios_name name;
	dios_ref_t d, held;
	uint32_t n = 1;	/* self->obj */
	double t0 = now();
	int ret = 0;

	ASSERT_LT(0, max);
	if (max > EMFILE_MAX_REFS)
		SKIP(return, "max_refs %u too large to fill here", max);
	ASSERT_EQ(0, dios_create(0, DIOS_OBJ_GROUP, NULL, &held, &name));
	n++;
	while (n < max + 16) {
		ret = dios_dup(self->obj, DIOS_RIGHTS_ALL, &d);
		if (ret)
			break;
		n++;
	}
	TH_LOG("%u references in %.2f s", n, now() - t0);
	ASSERT_EQ(-EMFILE, ret);
	EXPECT_EQ(max, n);
	EXPECT_EQ(-EMFILE, dios_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, NULL,
				       &d, NULL));
	EXPECT_EQ(-EMFILE, dios_lookup(0, &name, DIOS_REF_NONE, &d));
	EXPECT_EQ(-EMFILE, dios_task_self(&d));
	/* One slot freed: one more fits. */
	ASSERT_EQ(0, dios_delete(0, held));
	EXPECT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
	EXPECT_EQ(-EMFILE, dios_dup(self->obj, DIOS_RIGHTS_ALL, &d));
}

TEST_HARNESS_MAIN
