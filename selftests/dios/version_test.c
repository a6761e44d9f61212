// SPDX-License-Identifier: GPL-2.0
/*
 * The module's version query, the context, and the ioctl framing rules
 * every command obeys (extensible structs, unknown commands, bad pointers),
 * table-driven after tools/testing/selftests/openat2.
 */
#define _GNU_SOURCE
#include <fcntl.h>

#include "kselftest_harness.h"
#include "dios_test.h"

TEST(version_reports_abi_and_limits)
{
	struct dios_version_req v;

	ASSERT_EQ(0, dios_version(&v));
	EXPECT_EQ(DIOS_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(DIOS_FEAT_OBJECTS, v.features & DIOS_FEAT_OBJECTS);
	EXPECT_EQ(DIOS_FEAT_META_MAP, v.features & DIOS_FEAT_META_MAP);
	EXPECT_EQ(DIOS_FEAT_GROUPS, v.features & DIOS_FEAT_GROUPS);
	EXPECT_EQ(DIOS_FEAT_TASKS, v.features & DIOS_FEAT_TASKS);
	EXPECT_LT(0, v.max_refs);
	EXPECT_LT(0, v.max_select);
	EXPECT_LT(0, v.max_objects);
	EXPECT_LT(0, v.max_size);
	EXPECT_LT(0, v.max_capacity);
	EXPECT_LE(sizeof(struct dios_meta_header), v.meta_map_size);
	EXPECT_NE(0, v.release[0]);
	EXPECT_EQ(0, v.release[sizeof(v.release) - 1]);
	TH_LOG("module %.32s abi %u.%u features %#llx max_refs %u",
	       (const char *)v.release, v.abi_major, v.abi_minor,
	       (unsigned long long)v.features, v.max_refs);
}

TEST(version_null_is_efault)
{
	EXPECT_EQ(-EFAULT, dios_version(NULL));
}

TEST(version_ioctl_matches_library)
{
	struct dios_version_req v, lib;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_VERSION), sizeof(v), &v));
	ASSERT_EQ(0, dios_version(&lib));
	EXPECT_EQ(0, memcmp(&v, &lib, sizeof(v)));
}

/* Every field is output: what the caller's struct held is never echoed. */
TEST(version_ignores_input)
{
	struct dios_version_req v, lib;

	memset(&v, 0xff, sizeof(v));
	ASSERT_EQ(0, dios_test_rw(_IOC_NR(DIOS_IOC_VERSION), sizeof(v), &v));
	ASSERT_EQ(0, dios_version(&lib));
	EXPECT_EQ(0, memcmp(&v, &lib, sizeof(v)));
}

TEST(context_fd_is_stable_and_cloexec)
{
	int fd = dios_context_fd();
	int flags;

	ASSERT_LE(0, fd);
	EXPECT_EQ(fd, dios_context_fd());
	flags = fcntl(fd, F_GETFD);
	ASSERT_LE(0, flags);
	EXPECT_TRUE(flags & FD_CLOEXEC);
}

TEST(library_leaves_errno_alone)
{
	dios_ref_t ref;
	struct dios_ref_info info;

	ASSERT_LE(0, dios_context_fd());
	errno = 4242;
	EXPECT_EQ(-EBADF, dios_dup(DIOS_REF_NONE, DIOS_RIGHTS_ALL, &ref));
	EXPECT_EQ(4242, errno);
	EXPECT_EQ(-EBADF, dios_delete(0, 0x100000001ULL));
	EXPECT_EQ(4242, errno);
	EXPECT_EQ(-EBADF, dios_ref_info(0x100000001ULL, &info));
	EXPECT_EQ(4242, errno);
	EXPECT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &ref,
				      NULL));
	EXPECT_EQ(4242, errno);
}

TEST(unknown_command_is_enotty)
{
	static const unsigned int nrs[] = { 0x09, 0x40, 0x7f, 0xff };
	char buf[256];
	size_t i;

	for (i = 0; i < ARRAY_LEN(nrs); i++) {
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(-ENOTTY, dios_test_rw(nrs[i], 16, buf))
			TH_LOG("nr %#x", nrs[i]);
	}
}

TEST(wrong_magic_is_enotty)
{
	struct dios_version_req v;

	memset(&v, 0, sizeof(v));
	EXPECT_EQ(-ENOTTY, dios_test_ioctl(_IOC_READ | _IOC_WRITE,
					   DIOS_IOC_MAGIC + 1, 0, sizeof(v), &v));
	EXPECT_EQ(-ENOTTY, dios_test_ioctl(_IOC_READ | _IOC_WRITE, 'T', 0,
					   sizeof(v), &v));
}

TEST(plain_fd_ioctl_is_enotty)
{
	/* FIONREAD and the like mean nothing to a context. */
	int n = 0;

	ASSERT_LE(0, dios_context_fd());
	EXPECT_EQ(-1, ioctl(dios_context_fd(), FIONREAD, &n));
	EXPECT_EQ(ENOTTY, errno);
}

/*
 * One variant per command: how to build a request that succeeds, so that
 * each framing test changes exactly one thing.
 */
FIXTURE(framing) {
	char *page;	/* two pages, the second PROT_NONE */
};

FIXTURE_VARIANT(framing) {
	unsigned int nr;
	unsigned int size;
	int has_flags;
	void (*prepare)(void *req);
};

static void prep_version(void *req)
{
	(void)req;
}

static void prep_create(void *req)
{
	struct dios_create_req *r = req;

	r->flags = DIOS_CREATE_ANON;
	r->type = DIOS_OBJ_GROUP;
}

static void prep_lookup(void *req)
{
	struct dios_lookup_req *r = req;
	dios_ref_t ref;

	dios_test_create(0, DIOS_OBJ_SHMEM, &ref, &r->name);
}

static void prep_publish(void *req)
{
	struct dios_publish_req *r = req;
	dios_ref_t ref = 0;

	dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref, NULL);
	r->ref = ref;
}

static void prep_dup(void *req)
{
	struct dios_dup_req *r = req;
	dios_ref_t ref = 0;

	dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &ref, NULL);
	r->ref = ref;
	r->rights = DIOS_RIGHTS_ALL;
}

static void prep_copy(void *req)
{
	static dios_ref_t refs[1], remote[1];
	struct dios_copy_req *r = req;
	dios_ref_t task = 0;

	dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &refs[0], NULL);
	dios_task_self(&task);
	r->task = task;
	r->refs = (uintptr_t)refs;
	r->remote_refs = (uintptr_t)remote;
	r->n = 1;
}

static void prep_delete(void *req)
{
	struct dios_delete_req *r = req;
	dios_ref_t ref = 0;

	dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP, &ref, NULL);
	r->ref = ref;
}

static void prep_name(void *req)
{
	struct dios_name_req *r = req;
	dios_ref_t ref = 0;

	dios_test_create(0, DIOS_OBJ_SHMEM, &ref, NULL);
	r->ref = ref;
}

static void prep_task_self(void *req)
{
	(void)req;
}

#define FRAMING_VARIANT(cmd, sname, flags)				\
	FIXTURE_VARIANT_ADD(framing, cmd) {				\
		.nr = _IOC_NR(DIOS_IOC_##sname),			\
		.size = _IOC_SIZE(DIOS_IOC_##sname),			\
		.has_flags = flags,					\
		.prepare = prep_##cmd,					\
	}

FRAMING_VARIANT(version, VERSION, 0);
FRAMING_VARIANT(create, CREATE, 1);
FRAMING_VARIANT(lookup, LOOKUP, 1);
FRAMING_VARIANT(publish, PUBLISH, 1);
FRAMING_VARIANT(dup, DUP, 1);
FRAMING_VARIANT(copy, COPY, 1);
FRAMING_VARIANT(delete, DELETE, 1);
FRAMING_VARIANT(name, NAME, 1);
FRAMING_VARIANT(task_self, TASK_SELF, 1);

#define FRAME_MAX	8192

FIXTURE_SETUP(framing)
{
	self->page = mmap(NULL, FRAME_MAX + 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	ASSERT_EQ(0, mprotect(self->page + FRAME_MAX, 4096, PROT_NONE));
	ASSERT_LE(0, dios_context_fd());
}

FIXTURE_TEARDOWN(framing)
{
	munmap(self->page, FRAME_MAX + 4096);
}

/* Build a valid request, dirty one byte if asked, issue it with @size. */
static int framed(FIXTURE_DATA(framing) *self,
		  const FIXTURE_VARIANT(framing) *variant,
		  unsigned int size, long dirty_at)
{
	memset(self->page, 0, FRAME_MAX);
	variant->prepare(self->page);
	if (dirty_at >= 0)
		self->page[dirty_at] = 0x5a;
	return dios_test_rw(variant->nr, size, self->page);
}

TEST_F(framing, exact_size_works)
{
	EXPECT_EQ(0, framed(self, variant, variant->size, -1));
}

TEST_F(framing, size_zero_is_einval)
{
	EXPECT_EQ(-EINVAL, framed(self, variant, 0, -1));
}

TEST_F(framing, size_too_small_is_einval)
{
	const unsigned int sizes[] = { 1, 4, 8, variant->size - 8,
				       variant->size - 1 };
	size_t i;

	for (i = 0; i < ARRAY_LEN(sizes); i++) {
		if (sizes[i] == 0 || sizes[i] >= variant->size)
			continue;
		EXPECT_EQ(-EINVAL, framed(self, variant, sizes[i], -1))
			TH_LOG("size %u", sizes[i]);
	}
}

TEST_F(framing, larger_with_zero_tail_works)
{
	const unsigned int ext[] = { 1, 4, 7, 8, 64, 4096 - variant->size };
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(ext); i++) {
		unsigned int size = variant->size + ext[i];

		EXPECT_EQ(0, framed(self, variant, size, -1))
			TH_LOG("size %u", size);
		/* Output stops at the module's struct size. */
		for (j = variant->size; j < size; j++)
			if (self->page[j])
				break;
		EXPECT_EQ(size, j) TH_LOG("size %u: tail written at %zu",
					  size, j);
	}
}

TEST_F(framing, larger_with_nonzero_tail_is_e2big)
{
	const unsigned int ext[] = { 1, 3, 8, 13, 64 };
	size_t i;

	for (i = 0; i < ARRAY_LEN(ext); i++) {
		unsigned int size = variant->size + ext[i];
		const long dirty[] = { variant->size, variant->size + ext[i] / 2,
				       size - 1 };
		size_t j;

		for (j = 0; j < ARRAY_LEN(dirty); j++) {
			EXPECT_EQ(-E2BIG, framed(self, variant, size, dirty[j]))
				TH_LOG("size %u dirty byte %ld", size, dirty[j]);
		}
	}
}

TEST_F(framing, larger_than_a_page_is_e2big)
{
	EXPECT_EQ(-E2BIG, framed(self, variant, 4097, -1));
	EXPECT_EQ(-E2BIG, framed(self, variant, FRAME_MAX, -1));
}

TEST_F(framing, null_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, dios_test_rw(variant->nr, variant->size, NULL));
}

TEST_F(framing, unmapped_pointer_is_efault)
{
	/* The struct's last byte lies in the PROT_NONE page. */
	char *req = self->page + FRAME_MAX - variant->size + 1;

	memset(self->page, 0, FRAME_MAX);
	EXPECT_EQ(-EFAULT, dios_test_rw(variant->nr, variant->size, req));
	EXPECT_EQ(-EFAULT, dios_test_rw(variant->nr, variant->size,
					self->page + FRAME_MAX));
}

TEST_F(framing, unknown_flag_is_einval)
{
	const uint64_t bits[] = { 1ULL << 63, 1ULL << 32, 1ULL << 16 };
	size_t i;

	if (!variant->has_flags)
		SKIP(return, "no flags field");
	for (i = 0; i < ARRAY_LEN(bits); i++) {
		uint64_t flags;

		memset(self->page, 0, FRAME_MAX);
		variant->prepare(self->page);
		memcpy(&flags, self->page, sizeof(flags));
		flags |= bits[i];
		memcpy(self->page, &flags, sizeof(flags));
		EXPECT_EQ(-EINVAL, dios_test_rw(variant->nr, variant->size,
						self->page))
			TH_LOG("flags %#llx", (unsigned long long)flags);
	}
}

TEST_F(framing, wrong_direction_is_enotty)
{
	const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE };
	size_t i;

	for (i = 0; i < ARRAY_LEN(dirs); i++) {
		memset(self->page, 0, FRAME_MAX);
		variant->prepare(self->page);
		EXPECT_EQ(-ENOTTY, dios_test_ioctl(dirs[i], DIOS_IOC_MAGIC,
						   variant->nr, variant->size,
						   self->page))
			TH_LOG("dir %u", dirs[i]);
	}
}

TEST(create_padding_is_einval)
{
	struct dios_create_req r;

	memset(&r, 0, sizeof(r));
	r.flags = DIOS_CREATE_ANON;
	r.type = DIOS_OBJ_GROUP;
	r.__pad = 1;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_CREATE), sizeof(r), &r));
}

TEST(copy_padding_is_einval)
{
	dios_ref_t refs[1], remote[1], task;
	struct dios_copy_req r;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP,
				      &refs[0], NULL));
	ASSERT_EQ(0, dios_task_self(&task));
	memset(&r, 0, sizeof(r));
	r.task = task;
	r.refs = (uintptr_t)refs;
	r.remote_refs = (uintptr_t)remote;
	r.n = 1;
	r.__pad = 1;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_COPY), sizeof(r), &r));
}

TEST_HARNESS_MAIN
