/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the dios selftests.  Include after kselftest_harness.h.
 *
 * The harness runs every test in its own fork()ed process and the harness
 * process itself never opens a DIOS context, so each test starts with a
 * fresh, empty context.
 */
#ifndef DIOS_TEST_H
#define DIOS_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dios.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* Raw ioctl on the context with a hand-built command; -errno on error. */
static inline int dios_test_ioctl(unsigned int dir, unsigned int type,
				  unsigned int nr, unsigned int size, void *arg)
{
	int fd = dios_context_fd();
	int ret;

	if (fd < 0)
		return fd;
	ret = ioctl(fd, _IOC(dir, type, nr, size), arg);
	return ret < 0 ? -errno : ret;
}

static inline int dios_test_rw(unsigned int nr, unsigned int size, void *arg)
{
	return dios_test_ioctl(_IOC_READ | _IOC_WRITE, DIOS_IOC_MAGIC, nr,
			       size, arg);
}

static inline uint64_t dios_test_max_refs(void)
{
	struct dios_version_req v;

	if (dios_version(&v))
		return 0;
	return v.max_refs;
}

/* Arguments valid for @type with all-zero optional fields. */
static inline struct dios_create_args dios_test_args(uint32_t type)
{
	struct dios_create_args a;

	memset(&a, 0, sizeof(a));
	switch (type) {
	case DIOS_OBJ_PRIVMEM:
	case DIOS_OBJ_SHMEM:
	case DIOS_OBJ_BLOB:
		a.size = 2 * 4096;
		break;
	case DIOS_OBJ_STREAM:
		a.capacity = 4 * 4096;
		break;
	}
	return a;
}

/* Create an object with valid default arguments; 0 or -errno. */
static inline int dios_test_create(uint64_t flags, uint32_t type,
				   dios_ref_t *ref, struct dios_name *name)
{
	struct dios_create_args a = dios_test_args(type);

	return dios_create(flags, type, &a, ref, name);
}

static inline int dios_test_name_is_zero(const struct dios_name *n)
{
	size_t i;

	for (i = 0; i < sizeof(n->raw); i++)
		if (n->raw[i])
			return 0;
	return 1;
}

/* A random name, almost certainly unused. */
static inline void dios_test_random_name(struct dios_name *n)
{
	static uint64_t state;
	size_t i;

	if (!state)
		state = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)n ^
			0x9e3779b97f4a7c15ULL ^ (uint64_t)time(NULL);
	for (i = 0; i < sizeof(n->raw); i++) {
		/* xorshift64 */
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		n->raw[i] = (uint8_t)(state >> 24);
	}
	n->raw[0] |= 1;	/* never all zero */
}

/*
 * A private read-only view of the context's metadata map, for tests that
 * inspect it directly.  NULL on failure; *@size receives the length.
 */
static inline const struct dios_meta_header *dios_test_meta(size_t *size)
{
	struct dios_version_req v;
	void *p;

	if (dios_version(&v))
		return NULL;
	p = mmap(NULL, (size_t)v.meta_map_size, PROT_READ, MAP_SHARED,
		 dios_context_fd(), DIOS_MMAP_META);
	if (p == MAP_FAILED)
		return NULL;
	if (size)
		*size = (size_t)v.meta_map_size;
	return p;
}

static inline const struct dios_ref_meta *
dios_test_slot(const struct dios_meta_header *h, uint32_t index)
{
	return (const void *)((const char *)h + h->entries_offset +
			      (size_t)index * h->entry_size);
}

/* Number of live or zombie references in the context's table. */
static inline uint32_t dios_test_count_refs(const struct dios_meta_header *h)
{
	uint32_t i, n = 0, nr = __atomic_load_n(&h->nr_slots, __ATOMIC_ACQUIRE);

	for (i = 0; i < nr; i++)
		if (__atomic_load_n(&dios_test_slot(h, i)->info.state,
				    __ATOMIC_RELAXED))
			n++;
	return n;
}

/*
 * Wait for @pid.  Returns the exit status if it exited, 128 + signal if it
 * was killed, -1 if waitpid failed.
 */
static inline int dios_test_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/*
 * In a child forked inside a test: ASSERT_* aborts it and EXPECT_* marks
 * it failed; leave with the verdict for the parent's dios_test_wait().
 */
#define DIOS_CHILD_EXIT() _exit(_metadata->passed ? 0 : 1)

/* Whole-buffer pipe I/O; 0 on success. */
static inline int dios_test_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static inline int dios_test_read(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A forked child whose own task object the parent holds: the child
 * publishes it and sends the name up; the parent looks it up.  Talk on
 * @up (child to parent) and @down (parent to child) afterwards.
 */
struct dios_test_child {
	pid_t pid;
	int up[2];
	int down[2];
};

/*
 * Returns 0 in the child (its context opened, the name sent), the child's
 * pid in the parent with *task set, -1 on error.
 */
static inline pid_t dios_test_fork_task(struct dios_test_child *c,
					dios_ref_t *task)
{
	struct dios_name name;
	dios_ref_t self_task;

	if (pipe(c->up) || pipe(c->down))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		if (dios_task_self(&self_task) ||
		    dios_publish(0, self_task, DIOS_REF_NONE, 0, &name) ||
		    dios_test_write(c->up[1], &name, sizeof(name)))
			_exit(100);
		return 0;
	}
	if (dios_test_read(c->up[0], &name, sizeof(name)) ||
	    dios_lookup(0, &name, DIOS_REF_NONE, task))
		return -1;
	return c->pid;
}

static inline void dios_test_child_close(struct dios_test_child *c)
{
	close(c->up[0]);
	close(c->up[1]);
	close(c->down[0]);
	close(c->down[1]);
}

/* The DIOS_FEAT_* bits of the running module, 0 if it cannot be asked. */
static inline uint64_t dios_test_features(void)
{
	struct dios_version_req v;

	if (dios_version(&v))
		return 0;
	return v.features;
}

/*
 * Skip the current test unless the module advertises every bit of @feat.
 * Usable in a fixture setup: the 6.1 harness would run the test body after
 * a SKIP() that merely returns from the setup, so leave the test process
 * with the harness's skip status (255) instead.
 */
#define DIOS_REQUIRE(feat) do {						\
	if ((dios_test_features() & (feat)) != (feat))			\
		SKIP(_exit(255), "module lacks " #feat);		\
} while (0)

/*
 * The value of @key in /sys/kernel/debug/dios/stats, or -1 if the file or
 * the key is missing.
 */
static inline long dios_test_stat(const char *key)
{
	char line[128], name[64];
	long value, ret = -1;
	FILE *f = fopen("/sys/kernel/debug/dios/stats", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &value) == 2 &&
		    !strcmp(name, key)) {
			ret = value;
			break;
		}
	fclose(f);
	return ret;
}

/*
 * Wait up to about @ms milliseconds for the stats counter @key to reach
 * @want (teardown and the collector may finish a little later); its last
 * value.
 */
static inline long dios_test_stat_settles(const char *key, long want, int ms)
{
	long v = dios_test_stat(key);
	int i;

	for (i = 0; i < ms && v != want; i++) {
		usleep(1000);
		v = dios_test_stat(key);
	}
	return v;
}

/*
 * The system call thread @tid is in, from /proc/<tid>/syscall: its number
 * (of the thread's own ABI), -1 if it is running or blocked outside a
 * system call, -2 if the file cannot be read (a kernel without it, or no
 * ptrace access to @tid).
 */
static inline long dios_test_syscall_of(pid_t tid)
{
	char path[64], buf[128], *end;
	long nr = -2;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -2;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		nr = strtol(buf, &end, 10);
		if (end == buf || nr < 0)
			nr = -1;
	}
	return nr;
}

/*
 * Wait until thread or process @tid sleeps interruptibly (state S in
 * /proc/<tid>/stat) in an ioctl (/proc/<tid>/syscall, where the kernel
 * lets us read it), which for the test programs here means it is blocked
 * in the dios call under test, not on the way there (a read of the pipe
 * that said "ready", a page fault).  0 once it does, -1 after about @ms
 * milliseconds or if it is gone.  dios_test_wait_sleeping_in() waits for
 * system call @nr instead, or any (DIOS_TEST_ANY_SYSCALL: an epoll_wait,
 * which is epoll_pwait on some architectures).
 */
#define DIOS_TEST_ANY_SYSCALL	(-3L)

static inline int dios_test_wait_sleeping_in(pid_t tid, int ms, long want)
{
	char path[64], buf[512], *p;
	long nr;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	for (i = 0; i < ms; i++) {
		FILE *f = fopen(path, "r");
		size_t n;

		if (!f)
			return -1;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* The state follows the command name's closing parenthesis. */
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S') {
			nr = dios_test_syscall_of(tid);
			if (nr == want || nr == -2 ||
			    (want == DIOS_TEST_ANY_SYSCALL && nr >= 0))
				return 0;
		}
		usleep(1000);
	}
	return -1;
}

static inline int dios_test_wait_sleeping(pid_t tid, int ms)
{
	return dios_test_wait_sleeping_in(tid, ms, SYS_ioctl);
}

/*
 * A SIGUSR1 handler that counts and writes a byte to dios_test_sig_pipe,
 * so that a process that sent the signal learns the handler ran.
 * dios_test_set_sigusr1() makes the pipe and installs it with @flags
 * (SA_RESTART or 0); 0, or -1 on error.
 */
static int dios_test_sig_pipe[2];
static volatile sig_atomic_t dios_test_sig_count;

static inline void dios_test_on_sigusr1(int sig)
{
	char c = 's';

	(void)sig;
	dios_test_sig_count++;
	if (write(dios_test_sig_pipe[1], &c, 1) != 1)
		dios_test_sig_count += 1000;
}

static inline int dios_test_set_sigusr1(int flags)
{
	struct sigaction sa;

	if (pipe(dios_test_sig_pipe))
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = dios_test_on_sigusr1;
	sa.sa_flags = flags;
	return sigaction(SIGUSR1, &sa, NULL);
}

/*
 * In a forked child: once @pid sleeps (within @ms), send it SIGUSR1.
 * With @rearm, also wait until the handler ran and @pid sleeps again, so
 * that the caller can then complete what @pid waits for.
 */
#define dios_test_interrupt(pid, ms, rearm) do {			\
	char _c;							\
									\
	EXPECT_EQ(0, dios_test_wait_sleeping(pid, ms));		\
	ASSERT_EQ(0, kill(pid, SIGUSR1));				\
	if (rearm) {							\
		ASSERT_EQ(0, dios_test_read(dios_test_sig_pipe[0], &_c, 1)); \
		/* The handler ran; @pid goes back to sleep. */		\
		EXPECT_EQ(0, dios_test_wait_sleeping(pid, ms));	\
	}								\
} while (0)

/* An iovec with every field zero, as struct dios_iovec asks. */
static inline struct dios_iovec dios_test_iov(uint64_t offset)
{
	struct dios_iovec iov;

	memset(&iov, 0, sizeof(iov));
	iov.offset = offset;
	return iov;
}

/* A byte of a test pattern: message @seq, byte @i. */
static inline uint8_t dios_test_pat(uint64_t seq, uint64_t i)
{
	return (uint8_t)(seq * 131 + i * 7 + (i >> 8) + 1);
}

/* 1 if the @len bytes at @buf are all zero. */
static inline int dios_test_all_zero(const void *buf, uint64_t len)
{
	const uint8_t *p = buf;
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

static inline void dios_test_fill(void *buf, uint64_t len, uint64_t seq)
{
	uint8_t *p = buf;
	uint64_t i;

	for (i = 0; i < len; i++)
		p[i] = dios_test_pat(seq, i);
}

/* Index of the first byte that differs from the pattern, or -1. */
static inline int64_t dios_test_check(const void *buf, uint64_t len,
				      uint64_t seq)
{
	const uint8_t *p = buf;
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != dios_test_pat(seq, i))
			return (int64_t)i;
	return -1;
}

/* Send one zero-copy message of @len pattern bytes of @seq; 0 or -errno. */
static inline int dios_test_send_msg(uint64_t flags, dios_ref_t s,
				     uint64_t len, uint64_t seq)
{
	struct dios_iovec w = dios_test_iov(0);
	int ret = dios_acquire_write(flags, s, len, &w);

	if (ret)
		return ret;
	dios_test_fill(w.buf, len, seq);
	return dios_commit_write(0, s, len, &w);
}

/*
 * Receive one zero-copy message and check it is @len pattern bytes of
 * @seq: 0, -errno, or 1 if the message is wrong (it is put back).
 */
static inline int dios_test_recv_msg(uint64_t flags, dios_ref_t s,
				     uint64_t len, uint64_t seq)
{
	struct dios_iovec r = dios_test_iov(0);
	int ret = dios_acquire_read(flags, s, UINT64_MAX, &r);

	if (ret)
		return ret;
	if (r.len != len || dios_test_check(r.buf, len, seq) != -1) {
		dios_release_read(0, s, &r);
		return 1;
	}
	return dios_commit_read(0, s, &r);
}

/*
 * The PFN backing the page at @addr in this process (touch it first), 0 if
 * the page is not present or the PFN is hidden (not root), -1 on error.
 */
static inline int64_t dios_test_pfn(const void *addr)
{
	uint64_t entry;
	off_t off = (off_t)((uintptr_t)addr / 4096) * 8;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &entry, sizeof(entry), off);
	close(fd);
	if (n != sizeof(entry))
		return -1;
	if (!(entry >> 63))
		return 0;
	return (int64_t)(entry & ((1ULL << 55) - 1));
}

/* The whole of @path (a proc, debugfs or tracefs file) malloc()ed; NULL on error. */
static inline char *dios_test_read_file(const char *path)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len)) > 0) {
		len += n;
		if (len == cap) {
			char *bigger = realloc(buf, 2 * cap + 1);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

#endif /* DIOS_TEST_H */
