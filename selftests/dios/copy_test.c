// SPDX-License-Identifier: GPL-2.0
/*
 * Contexts across processes and delegation: a fork child gets a fresh,
 * empty context; the inherited descriptor is refused; tasks find each
 * other by name and delegate references with dios_copy(), which can only
 * keep or drop rights and installs all references or none.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "dios_test.h"

static uint64_t rights_of(dios_ref_t ref)
{
	struct dios_ref_info info;

	if (dios_ref_info(ref, &info))
		return ~0ULL;
	return info.rights;
}

static uint32_t live_refs(void)
{
	static const struct dios_meta_header *h;

	if (!h)
		h = dios_test_meta(NULL);
	return h ? dios_test_count_refs(h) : 0xffffffffu;
}

TEST(fork_child_gets_fresh_context)
{
	struct dios_ref_info info;
	dios_ref_t ref;
	int parent_fd;
	pid_t pid;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      NULL));
	parent_fd = dios_context_fd();
	ASSERT_LE(0, parent_fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t mine, d;

		/* libdios closed the inherited context at fork. */
		EXPECT_EQ(-1, fcntl(parent_fd, F_GETFD));
		EXPECT_EQ(-EBADF, dios_ref_info(ref, &info));
		EXPECT_EQ(-EBADF, dios_dup(ref, DIOS_RIGHTS_ALL, &d));
		EXPECT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
					      &mine, NULL));
		EXPECT_EQ(0, dios_ref_info(mine, &info));
		EXPECT_LE(0, dios_context_fd());
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, dios_test_wait(pid));
	/* The parent's context is untouched. */
	EXPECT_EQ(parent_fd, dios_context_fd());
	ASSERT_EQ(0, dios_ref_info(ref, &info));
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
}

TEST(raw_fork_child_gets_fresh_context)
{
	struct dios_ref_info info;
	dios_ref_t ref;
	pid_t pid;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      NULL));
	/*
	 * No atfork handlers run: libdios must notice by itself.  A bare
	 * clone(SIGCHLD) is fork(2) on every architecture (arm64 has no
	 * SYS_fork).
	 */
	pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t mine, d;

		EXPECT_EQ(-EBADF, dios_ref_info(ref, &info));
		EXPECT_EQ(-EBADF, dios_dup(ref, DIOS_RIGHTS_ALL, &d));
		EXPECT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
					      &mine, NULL));
		EXPECT_EQ(0, dios_ref_info(mine, &info));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, dios_test_wait(pid));
	ASSERT_EQ(0, dios_ref_info(ref, &info));
}

TEST(inherited_descriptor_is_ebadfd)
{
	struct dios_version_req v;
	dios_ref_t ref;
	int fd;
	pid_t pid;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &ref,
				      NULL));
	/* A copy libdios does not know about survives the fork. */
	fd = dup(dios_context_fd());
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dios_ring_req q;
		struct dios_dup_req r;
		void *p;

		memset(&v, 0, sizeof(v));
		EXPECT_EQ(-1, ioctl(fd, DIOS_IOC_VERSION, &v));
		EXPECT_EQ(EBADFD, errno);
		memset(&r, 0, sizeof(r));
		r.ref = ref;
		r.rights = DIOS_RIGHTS_ALL;
		EXPECT_EQ(-1, ioctl(fd, DIOS_IOC_DUP, &r));
		EXPECT_EQ(EBADFD, errno);
		/* The ring's wait and wake, framed apart from the table. */
		memset(&q, 0, sizeof(q));
		q.op = DIOS_RING_WAKE;
		q.side = DIOS_RING_WRITE;
		q.ref = ref;
		EXPECT_EQ(-1, ioctl(fd, DIOS_IOC_RING, &q));
		EXPECT_EQ(EBADFD, errno);
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, DIOS_MMAP_META);
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EBADFD, errno);
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, dios_test_wait(pid));
	close(fd);
	memset(&v, 0, sizeof(v));
	EXPECT_EQ(0, ioctl(dios_context_fd(), DIOS_IOC_VERSION, &v));
}

TEST(named_object_shared_across_tasks)
{
	struct dios_name name;
	dios_ref_t ref;
	pid_t pid;

	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_SHMEM, &ref, &name));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dios_ref_info info;
		dios_ref_t found;

		ASSERT_EQ(0, dios_lookup(0, &name, DIOS_REF_NONE, &found));
		ASSERT_EQ(0, dios_ref_info(found, &info));
		EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
		EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, dios_test_wait(pid));
}

TEST(task_self)
{
	struct dios_ref_info info;
	dios_ref_t t1, t2;

	ASSERT_EQ(0, dios_task_self(&t1));
	ASSERT_EQ(0, dios_task_self(&t2));
	EXPECT_NE(t1, t2);
	ASSERT_EQ(0, dios_ref_info(t1, &info));
	EXPECT_EQ(DIOS_OBJ_TASK, info.type);
	EXPECT_EQ(DIOS_REF_LIVE, info.state);
	EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
	EXPECT_EQ(-EFAULT, dios_task_self(NULL));
}

TEST(task_self_unknown_flag)
{
	struct dios_task_self_req r;

	memset(&r, 0, sizeof(r));
	r.flags = 1;
	EXPECT_EQ(-EINVAL, dios_test_rw(_IOC_NR(DIOS_IOC_TASK_SELF),
					sizeof(r), &r));
}

/*
 * The child publishes its task object and waits for delegated handles;
 * the parent looks the task up, copies two references with reduced rights
 * and sends the remote handles.
 */
TEST(delegate_to_child_with_reduced_rights)
{
	const uint64_t ro = DIOS_RIGHT_READ | DIOS_RIGHT_COPY;
	dios_ref_t objs[2], remote[2], task;
	uint64_t rights[2] = { ro, DIOS_RIGHTS_ALL };
	struct dios_test_child ch;
	struct dios_ref_info info;
	struct dios_name name;
	pid_t pid;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_BLOB, &objs[0],
				      NULL));
	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_STREAM, &objs[1], NULL));
	pid = dios_test_fork_task(&ch, &task);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t d;

		ASSERT_EQ(0, dios_test_read(ch.down[0], remote,
					    sizeof(remote)));
		ASSERT_EQ(0, dios_ref_info(remote[0], &info));
		EXPECT_EQ(DIOS_OBJ_BLOB, info.type);
		EXPECT_EQ(DIOS_REF_LIVE, info.state);
		EXPECT_EQ(ro, info.rights);
		EXPECT_EQ(-EPERM, dios_dup(remote[0], DIOS_RIGHTS_ALL, &d));
		EXPECT_EQ(-EACCES, dios_delete(DIOS_DELETE_ZOMBIFY, remote[0]));
		EXPECT_EQ(-EACCES, dios_ref_name(remote[0], &name));
		EXPECT_EQ(0, dios_dup(remote[0], DIOS_RIGHT_READ, &d));

		ASSERT_EQ(0, dios_ref_info(remote[1], &info));
		EXPECT_EQ(DIOS_OBJ_STREAM, info.type);
		EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
		EXPECT_EQ(0, dios_ref_name(remote[1], &name));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_ref_info(task, &info));
	EXPECT_EQ(DIOS_OBJ_TASK, info.type);
	ASSERT_EQ(0, dios_copy_rights(0, objs, rights, 2, task, remote));
	EXPECT_NE(DIOS_REF_NONE, remote[0]);
	EXPECT_NE(DIOS_REF_NONE, remote[1]);
	ASSERT_EQ(0, dios_test_write(ch.down[1], remote, sizeof(remote)));
	EXPECT_EQ(0, dios_test_wait(pid));
	/* The sender keeps its own references and rights. */
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(objs[0]));
	dios_test_child_close(&ch);
}

/* Self-delegation: the simplest target for the error paths below. */
FIXTURE(copy) {
	dios_ref_t obj;
	dios_ref_t task;
	dios_ref_t remote[4];
};

FIXTURE_SETUP(copy)
{
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
				      &self->obj, NULL));
	ASSERT_EQ(0, dios_task_self(&self->task));
	memset(self->remote, 0, sizeof(self->remote));
}

FIXTURE_TEARDOWN(copy)
{
}

TEST_F(copy, copy_to_self)
{
	struct dios_ref_info info;

	ASSERT_EQ(0, dios_copy(0, &self->obj, 1, self->task, self->remote));
	EXPECT_NE(self->obj, self->remote[0]);
	ASSERT_EQ(0, dios_ref_info(self->remote[0], &info));
	EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
	EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
}

TEST_F(copy, copy_keeps_rights_of_each)
{
	dios_ref_t refs[2];

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_WRITE | DIOS_RIGHT_COPY,
			      &refs[0]));
	refs[1] = self->obj;
	ASSERT_EQ(0, dios_copy(0, refs, 2, self->task, self->remote));
	EXPECT_EQ(DIOS_RIGHT_WRITE | DIOS_RIGHT_COPY,
		  rights_of(self->remote[0]));
	EXPECT_EQ(DIOS_RIGHTS_ALL, rights_of(self->remote[1]));
}

TEST_F(copy, copy_without_copy_right_is_eacces)
{
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_COPY,
			      &d));
	EXPECT_EQ(-EACCES, dios_copy(0, &d, 1, self->task, self->remote));
}

TEST_F(copy, copy_privmem_is_eperm)
{
	dios_ref_t p;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_PRIVMEM, &p,
				      NULL));
	EXPECT_EQ(-EPERM, dios_copy(0, &p, 1, self->task, self->remote));
}

TEST_F(copy, copy_widening_is_eperm)
{
	uint64_t rights = DIOS_RIGHTS_ALL;
	dios_ref_t d;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ | DIOS_RIGHT_COPY,
			      &d));
	EXPECT_EQ(-EPERM, dios_copy_rights(0, &d, &rights, 1, self->task,
					   self->remote));
}

TEST_F(copy, copy_n_zero_is_einval)
{
	EXPECT_EQ(-EINVAL, dios_copy(0, &self->obj, 0, self->task,
				     self->remote));
}

TEST_F(copy, copy_n_too_big_is_einval)
{
	static dios_ref_t refs[1025], remote[1025];
	size_t i;

	for (i = 0; i < ARRAY_LEN(refs); i++)
		refs[i] = self->obj;
	EXPECT_EQ(-EINVAL, dios_copy(0, refs, 1025, self->task, remote));
}

TEST_F(copy, copy_1024_works)
{
	static dios_ref_t refs[1024], remote[1024];
	uint32_t before = live_refs();
	size_t i;

	for (i = 0; i < ARRAY_LEN(refs); i++)
		refs[i] = self->obj;
	ASSERT_EQ(0, dios_copy(0, refs, 1024, self->task, remote));
	EXPECT_EQ(before + 1024, live_refs());
}

TEST_F(copy, copy_target_not_a_task_is_einval)
{
	EXPECT_EQ(-EINVAL, dios_copy(0, &self->obj, 1, self->obj,
				     self->remote));
}

TEST_F(copy, copy_task_without_write_is_eacces)
{
	dios_ref_t t;

	ASSERT_EQ(0, dios_dup(self->task, DIOS_RIGHTS_ALL & ~DIOS_RIGHT_WRITE,
			      &t));
	EXPECT_EQ(-EACCES, dios_copy(0, &self->obj, 1, t, self->remote));
}

TEST_F(copy, copy_unknown_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, dios_copy(1ULL << 63, &self->obj, 1, self->task,
				     self->remote));
}

TEST_F(copy, copy_bad_task_is_ebadf)
{
	EXPECT_EQ(-EBADF, dios_copy(0, &self->obj, 1, DIOS_REF_NONE,
				    self->remote));
}

TEST_F(copy, copy_null_refs_is_efault)
{
	EXPECT_EQ(-EFAULT, dios_copy(0, NULL, 1, self->task, self->remote));
}

TEST_F(copy, copy_null_remote_installs_nothing)
{
	uint32_t before = live_refs();

	EXPECT_EQ(-EFAULT, dios_copy(0, &self->obj, 1, self->task, NULL));
	EXPECT_EQ(before, live_refs());
}

TEST_F(copy, copy_zombie_is_eidrm)
{
	dios_ref_t z;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &z));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, self->obj));
	EXPECT_EQ(-EIDRM, dios_copy(0, &z, 1, self->task, self->remote));
}

TEST_F(copy, all_or_nothing_eacces)
{
	dios_ref_t refs[3];
	uint32_t before;

	refs[0] = self->obj;
	refs[1] = self->obj;
	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHT_READ, &refs[2]));
	before = live_refs();
	EXPECT_EQ(-EACCES, dios_copy(0, refs, 3, self->task, self->remote));
	EXPECT_EQ(before, live_refs());
}

TEST_F(copy, all_or_nothing_ebadf)
{
	dios_ref_t refs[3], gone;
	uint32_t before;

	ASSERT_EQ(0, dios_dup(self->obj, DIOS_RIGHTS_ALL, &gone));
	ASSERT_EQ(0, dios_delete(0, gone));
	refs[0] = self->obj;
	refs[1] = self->obj;
	refs[2] = gone;
	before = live_refs();
	EXPECT_EQ(-EBADF, dios_copy(0, refs, 3, self->task, self->remote));
	EXPECT_EQ(before, live_refs());
}

TEST_F(copy, all_or_nothing_eperm)
{
	dios_ref_t refs[2];
	uint32_t before;

	refs[0] = self->obj;
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_PRIVMEM,
				      &refs[1], NULL));
	before = live_refs();
	EXPECT_EQ(-EPERM, dios_copy(0, refs, 2, self->task, self->remote));
	EXPECT_EQ(before, live_refs());
}

TEST(copy_to_exited_task_is_esrch)
{
	struct dios_test_child ch;
	dios_ref_t obj, task, remote;
	pid_t pid;
	char go = 'x';

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM, &obj,
				      NULL));
	pid = dios_test_fork_task(&ch, &task);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ASSERT_EQ(0, dios_test_read(ch.down[0], &go, 1));
		DIOS_CHILD_EXIT();
	}
	ASSERT_EQ(0, dios_test_write(ch.down[1], &go, 1));
	ASSERT_EQ(0, dios_test_wait(pid));
	EXPECT_EQ(-ESRCH, dios_copy(0, &obj, 1, task, &remote));
	dios_test_child_close(&ch);
}

TEST_HARNESS_MAIN
