// SPDX-License-Identifier: GPL-2.0
/*
 * Zombification: a forced delete that drops the name at once and makes
 * every operation on the object fail with -EIDRM while the other
 * references stay valid, inspectable handles.  Zombifying a task kills it.
 */
#include <signal.h>

#include "kselftest_harness.h"
#include "dios_test.h"

static uint32_t state_of(dios_ref_t ref)
{
	struct dios_ref_info info;

	if (dios_ref_info(ref, &info))
		return 0xdead;
	return info.state;
}

FIXTURE(zombie) {
	dios_ref_t obj, other;
	struct dios_name name;
};

FIXTURE_VARIANT(zombie) {
	uint32_t type;
	uint64_t flags;
};

FIXTURE_VARIANT_ADD(zombie, shmem) { .type = DIOS_OBJ_SHMEM };
FIXTURE_VARIANT_ADD(zombie, blob) { .type = DIOS_OBJ_BLOB };
FIXTURE_VARIANT_ADD(zombie, stream) { .type = DIOS_OBJ_STREAM };
FIXTURE_VARIANT_ADD(zombie, group) { .type = DIOS_OBJ_GROUP };
FIXTURE_VARIANT_ADD(zombie, privmem) {
	.type = DIOS_OBJ_PRIVMEM, .flags = DIOS_CREATE_ANON
};
FIXTURE_VARIANT_ADD(zombie, anon_shmem) {
	.type = DIOS_OBJ_SHMEM, .flags = DIOS_CREATE_ANON
};

FIXTURE_SETUP(zombie)
{
	ASSERT_EQ(0, dios_test_create(variant->flags, variant->type,
				      &self->obj, &self->name));
	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &self->other));
}

FIXTURE_TEARDOWN(zombie)
{
}

TEST_F(zombie, zombify_needs_delete)
{
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_DELETE,
			      &d));
	EXPECT_EQ(-EACCES, dios_delete(DIOS_DELETE_ZOMBIFY, d));
	EXPECT_EQ(DIOS_REF_LIVE, state_of(d));
	EXPECT_EQ(DIOS_REF_LIVE, state_of(self->other));
	/* A plain delete needs no right. */
	EXPECT_EQ(0, dios_delete(0, d));
}

TEST_F(zombie, others_report_zombie)
{
	struct dios_ref_info info;

	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	/* The reference used for it is deleted. */
	EXPECT_EQ(-EBADF, dios_ref_info(self->obj, &info));
	ASSERT_EQ(0, dios_ref_info(self->other, &info));
	EXPECT_EQ(DIOS_REF_ZOMBIE, info.state);
	EXPECT_EQ(variant->type, info.type);
	EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
}

TEST_F(zombie, dup_is_eidrm)
{
	dios_ref_t d;

	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(-EIDRM, dios_dup(self->other, DIOS_RIGHT_READ, &d));
}

TEST_F(zombie, publish_is_eidrm)
{
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(-EIDRM, dios_publish(0, self->other, DIOS_REF_NONE, 0, NULL));
}

TEST_F(zombie, ref_name_is_eidrm)
{
	struct dios_name name;

	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(-EIDRM, dios_ref_name(self->other, &name));
}

TEST_F(zombie, copy_is_eidrm)
{
	dios_ref_t task, remote;

	ASSERT_EQ(0, dios_task_self(&task));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(-EIDRM, dios_copy(0, &self->other, 1, task, &remote));
}

TEST_F(zombie, delete_zombie_ref_works)
{
	struct dios_ref_info info;

	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(0, dios_delete(0, self->other));
	EXPECT_EQ(-EBADF, dios_ref_info(self->other, &info));
	EXPECT_EQ(-EBADF, dios_delete(0, self->other));
}

TEST_F(zombie, zombify_twice_works)
{
	struct dios_ref_info info;

	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->other));
	EXPECT_EQ(-EBADF, dios_ref_info(self->other, &info));
}

TEST_F(zombie, zombify_last_ref)
{
	ASSERT_EQ(0, dios_delete(0, self->other));
	EXPECT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(0xdead, state_of(self->obj));
}

TEST_F(zombie, name_gone_at_once)
{
	dios_ref_t found;

	if (dios_test_name_is_zero(&self->name))
		SKIP(return, "anonymous variant");
	ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &found));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	/* Two references remain, the name is gone. */
	EXPECT_EQ(-ENOENT, dios_lookup(0, &self->name, DIOS_REF_NONE, &found));
	EXPECT_EQ(DIOS_REF_ZOMBIE, state_of(found));
}

TEST_F(zombie, name_free_for_reuse)
{
	struct dios_create_args a = dios_test_args(DIOS_OBJ_SHMEM);
	dios_ref_t ref, found;

	if (dios_test_name_is_zero(&self->name))
		SKIP(return, "anonymous variant");
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	a.name = self->name;
	ASSERT_EQ(0, dios_create(DIOS_CREATE_NAME_GIVEN, DIOS_OBJ_SHMEM, &a,
				 &ref, NULL));
	ASSERT_EQ(0, dios_lookup(0, &self->name, DIOS_REF_NONE, &found));
	EXPECT_EQ(DIOS_REF_LIVE, state_of(found));
	EXPECT_EQ(DIOS_REF_ZOMBIE, state_of(self->other));
}

TEST_F(zombie, unknown_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, dios_delete(DIOS_DELETE_ZOMBIFY | (1ULL << 9),
				       self->obj));
	EXPECT_EQ(DIOS_REF_LIVE, state_of(self->other));
}

/* Another task holds a reference; zombifying here turns it into a zombie. */
TEST(zombify_seen_by_other_task)
{
	int c2p[2], p2c[2];
	struct dios_name name;
	dios_ref_t obj;
	pid_t pid;
	char c = 'x';

	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_SHMEM, &obj, &name));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dios_ref_info info;
		dios_ref_t found, d;

		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
		ASSERT_EQ(DIOS_REF_LIVE, state_of(found));
		ASSERT_EQ(0, dios_test_write(c2p[1], &c, 1));
		ASSERT_EQ(0, dios_test_read(p2c[0], &c, 1));
		ASSERT_EQ(0, dios_ref_info(found, &info));
		EXPECT_EQ(DIOS_REF_ZOMBIE, info.state);
		EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
		EXPECT_EQ(-EIDRM, dios_dup(found, DIOS_RIGHT_READ, &d));
		EXPECT_EQ(0, dios_delete(0, found));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_test_read(c2p[0], &c, 1));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, obj));
	ASSERT_EQ(0, dios_test_write(p2c[1], &c, 1));
	EXPECT_EQ(0, dios_test_wait(pid));
}

TEST(zombify_task_kills_it)
{
	struct dios_test_child ch;
	struct dios_ref_info info;
	dios_ref_t task;
	pid_t pid;
	char c;

	pid = dios_test_fork_task(&ch, &task);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(ch.down[1]);
		/* Blocks until killed: the parent never writes. */
		dios_test_read(ch.down[0], &c, 1);
		_exit(3);
	}
	ASSERT_EQ(0, dios_ref_info(task, &info));
	ASSERT_EQ(DIOS_OBJ_TASK, info.type);
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, task));
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
	dios_test_child_close(&ch);
}

TEST(zombify_own_task_kills_self)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t t;

		if (dios_task_self(&t))
			_exit(1);
		dios_delete(DIOS_DELETE_ZOMBIFY, t);
		/* SIGKILL is pending at the latest on return: never here. */
		sleep(20);
		_exit(2);
	}
	EXPECT_EQ(128 + SIGKILL, dios_test_wait(pid));
}

TEST(task_ref_without_delete_cannot_kill)
{
	dios_ref_t t, d;

	ASSERT_EQ(0, dios_task_self(&t));
	ASSERT_EQ(0, dios_dup(t, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_DELETE, &d));
	EXPECT_EQ(-EACCES, dios_delete(DIOS_DELETE_ZOMBIFY, d));
}

TEST_HARNESS_MAIN
