// SPDX-License-Identifier: GPL-2.0
/*
 * The read-only reference metadata map: dios_ref_info() works without a
 * system call, the map cannot be written or made writable, it exposes no
 * kernel pointers, and its entries follow the seqcount protocol.
 */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "dios_test.h"

#if defined(__x86_64__)
#define TEST_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define TEST_AUDIT_ARCH	AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define TEST_AUDIT_ARCH	AUDIT_ARCH_ARM
#endif

/* Kill the process on ioctl (any ABI mismatch kills too); allow the rest. */
static int forbid_ioctl(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)ARRAY_LEN(filter),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}

FIXTURE(meta) {
	dios_ref_t shm, group, stream, dup_ro;
	struct dios_name name;
	const struct dios_meta_header *h;
	size_t size;
};

FIXTURE_SETUP(meta)
{
	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_SHMEM, &self->shm,
				      &self->name));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_GROUP,
				      &self->group, NULL));
	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_STREAM, &self->stream,
				      NULL));
	ASSERT_EQ(0, dios_dup(self->shm, DIOS_RIGHT_READ, &self->dup_ro));
	self->h = dios_test_meta(&self->size);
	ASSERT_NE(NULL, self->h);
}

FIXTURE_TEARDOWN(meta)
{
}

TEST_F(meta, header_is_sane)
{
	const struct dios_meta_header *h = self->h;

	EXPECT_EQ(DIOS_META_MAGIC, h->magic);
	EXPECT_LE(sizeof(struct dios_ref_meta), h->entry_size);
	EXPECT_EQ(0, h->entry_size % 8);
	EXPECT_LE(sizeof(*h), h->entries_offset);
	EXPECT_EQ(0, h->entries_offset % 8);
	EXPECT_LE(4, h->nr_slots);
	EXPECT_LE(h->entries_offset + (uint64_t)h->nr_slots * h->entry_size,
		  self->size);
}

TEST_F(meta, entry_matches_handle)
{
	const dios_ref_t refs[] = { self->shm, self->group, self->stream,
				    self->dup_ro };
	size_t i;

	for (i = 0; i < ARRAY_LEN(refs); i++) {
		uint32_t idx = (uint32_t)refs[i] - 1;
		const struct dios_ref_meta *m;
		struct dios_ref_info info;

		ASSERT_LT(idx, self->h->nr_slots);
		m = dios_test_slot(self->h, idx);
		ASSERT_EQ(0, dios_ref_info(refs[i], &info));
		EXPECT_EQ(refs[i] >> 32, m->gen);
		EXPECT_EQ(0, memcmp(&info, &m->info, sizeof(info)));
		EXPECT_EQ(0, m->__reserved);
	}
}

TEST_F(meta, ref_info_reports_rights_and_sizes)
{
	struct dios_ref_info info;

	ASSERT_EQ(0, dios_ref_info(self->dup_ro, &info));
	EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
	EXPECT_EQ(DIOS_RIGHT_READ, info.rights);
	EXPECT_EQ(1, info.has_name);
	EXPECT_EQ(2 * 4096, info.size);
	EXPECT_EQ(0, info.write_buf_max) TH_LOG("no WRITE: not writable");
	ASSERT_EQ(0, dios_ref_info(self->stream, &info));
	EXPECT_EQ(DIOS_OBJ_STREAM, info.type);
	EXPECT_EQ(4 * 4096, info.size);
}

TEST_F(meta, seq_even_at_rest)
{
	uint32_t i;

	for (i = 0; i < self->h->nr_slots; i++)
		ASSERT_EQ(0, dios_test_slot(self->h, i)->seq & 1)
			TH_LOG("slot %u", i);
}

TEST_F(meta, free_slots_are_zero_state)
{
	struct dios_ref_info info;
	uint32_t idx = (uint32_t)self->stream - 1;

	ASSERT_EQ(0, dios_delete(0, self->stream));
	EXPECT_EQ(0, dios_test_slot(self->h, idx)->info.state);
	EXPECT_EQ(-EBADF, dios_ref_info(self->stream, &info));
}

static int looks_like_kernel_pointer(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v != ~0ULL;
}

TEST_F(meta, no_kernel_pointers)
{
	dios_ref_t more[6], task;
	const unsigned char *p = (const void *)self->h;
	size_t end, off;

	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_PRIVMEM,
				      &more[0], NULL));
	ASSERT_EQ(0, dios_test_create(0, DIOS_OBJ_BLOB, &more[1], NULL));
	ASSERT_EQ(0, dios_task_self(&task));
	ASSERT_EQ(0, dios_dup(self->group, DIOS_RIGHT_READ, &more[2]));
	ASSERT_EQ(0, dios_dup(self->shm, DIOS_RIGHTS_ALL, &more[3]));
	ASSERT_EQ(0, dios_delete(DIOS_DELETE_ZOMBIFY, more[3]));
	ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM,
				      &more[4], NULL));
	ASSERT_EQ(0, dios_delete(0, more[4]));
	end = self->h->entries_offset +
	      (size_t)self->h->nr_slots * self->h->entry_size;
	ASSERT_LE(end, self->size);
	for (off = 0; off + 8 <= end; off += 4) {
		uint64_t v;

		memcpy(&v, p + off, sizeof(v));
		ASSERT_FALSE(looks_like_kernel_pointer(v))
			TH_LOG("offset %zu holds %#llx", off,
			       (unsigned long long)v);
	}
}

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_code = si->si_code;
	siglongjmp(fault_jmp, 1);
}

TEST_F(meta, write_faults)
{
	struct sigaction sa;
	volatile uint32_t *target;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	ASSERT_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	target = (volatile uint32_t *)&dios_test_slot(self->h,
				(uint32_t)self->dup_ro - 1)->info.rights;
	fault_code = 0;
	if (!sigsetjmp(fault_jmp, 1)) {
		*target = (uint32_t)DIOS_RIGHTS_ALL;
		ASSERT_TRUE(0) TH_LOG("write to the metadata map succeeded");
	}
	EXPECT_EQ(SEGV_ACCERR, fault_code);
	EXPECT_EQ(DIOS_RIGHT_READ, *target);
	fault_code = 0;
	if (!sigsetjmp(fault_jmp, 1)) {
		*(volatile uint32_t *)&self->h->nr_slots = 1u << 30;
		ASSERT_TRUE(0) TH_LOG("write to the header succeeded");
	}
	EXPECT_EQ(SEGV_ACCERR, fault_code);
}

TEST_F(meta, mprotect_write_fails)
{
	EXPECT_EQ(-1, mprotect((void *)self->h, self->size,
			       PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
}

TEST_F(meta, mmap_writable_fails)
{
	void *p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       dios_context_fd(), DIOS_MMAP_META);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_TRUE(errno == EPERM || errno == EACCES) TH_LOG("errno %d", errno);
}

TEST_F(meta, ref_info_without_syscalls)
{
	const dios_ref_t stale = self->stream;
	pid_t pid;

	ASSERT_EQ(0, dios_delete(0, self->stream));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The child needs a context of its own, made before the filter. */
		struct dios_ref_info info;
		dios_ref_t shm, ro;

		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
					      &shm, NULL));
		ASSERT_EQ(0, dios_dup(shm, DIOS_RIGHT_READ | DIOS_RIGHT_NAME,
				      &ro));
		ASSERT_EQ(0, forbid_ioctl());
		ASSERT_EQ(0, dios_ref_info(shm, &info));
		EXPECT_EQ(DIOS_OBJ_SHMEM, info.type);
		EXPECT_EQ(DIOS_RIGHTS_ALL, info.rights);
		ASSERT_EQ(0, dios_ref_info(ro, &info));
		EXPECT_EQ(DIOS_RIGHT_READ | DIOS_RIGHT_NAME, info.rights);
		EXPECT_EQ(-EBADF, dios_ref_info(stale, &info));
		EXPECT_EQ(-EBADF, dios_ref_info(DIOS_REF_NONE, &info));
		EXPECT_EQ(-EBADF, dios_ref_info(ro + (1ULL << 32), &info));
		EXPECT_EQ(-EBADF, dios_ref_info(0x1fffffffULL | (1ULL << 32),
						&info));
		DIOS_CHILD_EXIT();
	}
	EXPECT_EQ(0, dios_test_wait(pid));
}

TEST_F(meta, seccomp_filter_is_effective)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		dios_ref_t shm, d;

		ASSERT_EQ(0, dios_test_create(DIOS_CREATE_ANON, DIOS_OBJ_SHMEM,
					      &shm, NULL));
		ASSERT_EQ(0, forbid_ioctl());
		dios_dup(shm, DIOS_RIGHTS_ALL, &d);
		_exit(0);
	}
	EXPECT_EQ(128 + SIGSYS, dios_test_wait(pid));
}

/*
 * A reader racing with a writer that keeps rewriting the same slots must
 * only ever get whole entries.  The reader guesses live handles from the
 * slots' current generations (a racy read, validated by dios_ref_info())
 * so that it hits slots while the kernel rewrites them; every entry it
 * accepts must be a complete SHMEM entry with one of the rights in use.
 */
#define R1	(DIOS_RIGHT_READ | DIOS_RIGHT_WRITE)
#define R2	(DIOS_RIGHT_COPY | DIOS_RIGHT_NAME)

struct race {
	const struct dios_meta_header *h;
	int stop;		/* atomic */
	unsigned long reads, bad;
	struct dios_ref_info last_bad;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;
	uint32_t idx = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		uint32_t nr = __atomic_load_n(&r->h->nr_slots, __ATOMIC_ACQUIRE);
		const struct dios_ref_meta *m;
		struct dios_ref_info info;
		dios_ref_t ref;

		idx = (idx + 1) % nr;
		m = dios_test_slot(r->h, idx);
		ref = (dios_ref_t)__atomic_load_n(&m->gen, __ATOMIC_RELAXED) << 32 |
		      (idx + 1);
		if (dios_ref_info(ref, &info) || info.type != DIOS_OBJ_SHMEM)
			continue;
		r->reads++;
		if (info.state != DIOS_REF_LIVE || info.size != 2 * 4096 ||
		    (info.rights != DIOS_RIGHTS_ALL &&
		     info.rights != DIOS_RIGHT_READ && info.rights != R1 &&
		     info.rights != R2)) {
			r->bad++;
			r->last_bad = info;
		}
	}
	return NULL;
}

TEST_F(meta, concurrent_reader_sees_whole_entries)
{
	struct race r = { .h = self->h };
	pthread_t th;
	int i;

	ASSERT_EQ(0, pthread_create(&th, NULL, race_reader, &r));
	for (i = 0; i < 4000; i++) {
		dios_ref_t d;

		ASSERT_EQ(0, dios_dup(self->shm, (i & 1) ? R1 : R2, &d));
		ASSERT_EQ(0, dios_delete(0, d));
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(th, NULL));
	TH_LOG("%lu entries read", r.reads);
	EXPECT_EQ(0, r.bad) TH_LOG("torn entry: type %u state %u rights %#llx",
				   r.last_bad.type, r.last_bad.state,
				   (unsigned long long)r.last_bad.rights);
}

TEST_HARNESS_MAIN
