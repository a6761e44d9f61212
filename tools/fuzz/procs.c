// SPDX-License-Identifier: GPL-2.0
/*
 * dios-fuzz: processes and threads.  A worker runs a few fuzzing threads on
 * one context; they fork children (which must get -EBADFD on the inherited
 * descriptor and see no inherited view, then fuzz a context of their own),
 * make children tasks with DIOS_IOC_RUN (which fuzz the context prepared
 * for them, some after an exec), start threads with a context of their own
 * and threads that race on one handle (acquire against delete and
 * zombify), and SIGKILL their children at random.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define FZ_HELPERS	6	/* helper threads alive per process */

static int fz_helpers;		/* helper threads alive */
static const char *fz_exe = "/proc/self/exe";

/*
 * glibc keeps its threads' stacks on a list that fork() walks in the
 * child; a thread created or freed while another thread forks can leave
 * the child a broken list (it dies of SIGSEGV inside fork).  So threads
 * are made and joined (joinable: a detached thread frees itself at any
 * time) under this lock for reading, and fork() holds it for writing.
 */
static pthread_rwlock_t fz_fork_lock = PTHREAD_RWLOCK_INITIALIZER;

static pid_t fz_fork(void)
{
	pid_t pid;

	pthread_rwlock_wrlock(&fz_fork_lock);
	pid = fork();
	if (pid)
		pthread_rwlock_unlock(&fz_fork_lock);
	else
		pthread_rwlock_init(&fz_fork_lock, NULL);
	fz_count(FZ_K_FORK, pid < 0 ? -errno : 0);
	return pid;
}

/* The state a fork child must not inherit from the threads it lost. */
static void fz_child_reset(struct fz_thread *t)
{
	fz_fi_reset();	/* the descriptor names the parent's thread */
	fz_altstack(true);	/* the parent's was not copied */
	fz_mm_init();
	fz_helpers = 0;
	t->helpers = NULL;
	/* No interrupter (no memory for it): nothing could end a call. */
	if (!fz_interrupter_start(t->worker))
		_exit(0);
	t->slot = fz_slot_enter(true);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static int fz_open(struct fz_thread *t)
{
	int fd;

	fz_fi(true);
	fd = open("/dev/dios", O_RDWR | O_CLOEXEC);
	fz_fi(false);

	fz_count(FZ_K_OPEN, fd < 0 ? -errno : 0);
	if (fd < 0 && errno != ENOMEM && errno != EMFILE && errno != EDQUOT)
		fz_violation("open /dev/dios: %s", strerror(errno));
	(void)t;
	return fd;
}

/* A fork child or task: fuzz for @ms, then leave (exit cleans up). */
void fz_child_run(struct fz_thread *t, uint64_t ms)
{
	uint64_t end = fz_now_ns() + ms * 1000000ULL;

	t->in_child = true;
	if (end < t->deadline_ns)
		t->deadline_ns = end;
	while (fz_now_ns() < t->deadline_ns && !fz_sh->stop)
		fz_step(t);
	fz_reap_kids(t, true);
	_exit(0);
}

/* Empty the pools of a thread copied into a new process. */
static void fz_thread_rebase(struct fz_thread *t, int fd)
{
	t->nrefs = 0;
	t->nstale = 0;
	t->nkids = 0;
	t->fd = fd;
	t->meta = fz_meta_map(fd);
	t->rng = fz_mix(t->rng ^ (uint64_t)getpid());
}

/*
 * In a fork child: the parent's descriptor is not ours (-EBADFD for every
 * command and for mmap), and no /dev/dios mapping came with the fork.
 */
static void fz_check_inherited(struct fz_thread *t, int parent_fd)
{
	static const unsigned int nrs[] = { 0x00, 0x01, 0x02, 0x04, 0x06,
					    0x08, 0x10, 0x13, 0x16, 0x17,
					    0x18, 0x20, 0x21, 0x22, 0x31,
					    0x34 };
	char line[512];
	FILE *f;
	int i, fd = t->fd;
	void *p;

	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "/dev/dios")) {
			line[strcspn(line, "\n")] = '\0';
			fz_violation("fork child inherited a /dev/dios mapping: %s",
				     line);
		}
	if (f)
		fclose(f);
	t->fd = parent_fd;
	for (i = 0; i < 4; i++) {
		unsigned int nr = nrs[fz_below(t, sizeof(nrs) / sizeof(nrs[0]))];
		long ret;

		memset(t->page_rw, 0, 256);
		/* 128 bytes: above every first version, zero tail. */
		ret = fz_raw(t, FZ_K_INHERITED, fz_cmd(nr, 128), t->page_rw);
		if (ret != -EBADFD)
			fz_violation("ioctl nr %#x on the parent's descriptor: %ld, expected -EBADFD",
				     nr, ret);
	}
	p = mmap(NULL, FZ_PAGE, PROT_READ, MAP_SHARED, parent_fd, 0);
	if (p != MAP_FAILED)
		fz_violation("mmap of the parent's descriptor succeeded");
	else if (errno != EBADFD && !(errno == ENOMEM && fz_sh->faultinject))
		fz_violation("mmap of the parent's descriptor: %s, expected EBADFD",
			     strerror(errno));
	fz_count(FZ_K_INHERITED, p == MAP_FAILED ? -errno : 0);
	t->fd = fd;
}

static void fz_kid_add(struct fz_thread *t, pid_t pid)
{
	if (t->nkids == (int)(sizeof(t->kids) / sizeof(t->kids[0]))) {
		kill(t->kids[0], SIGKILL);
		fz_count(FZ_K_KILL, 0);
		fz_reap_kids(t, false);
	}
	if (t->nkids < (int)(sizeof(t->kids) / sizeof(t->kids[0])))
		t->kids[t->nkids++] = pid;
}

static void fz_fork_child(struct fz_thread *t)
{
	int parent_fd = t->fd, fd;
	pid_t pid;

	pid = fz_fork();
	if (pid < 0)
		return;
	if (pid) {
		__atomic_fetch_add(&fz_sh->st.children, 1, __ATOMIC_RELAXED);
		fz_kid_add(t, pid);
		return;
	}
	fz_child_reset(t);
	fz_check_inherited(t, parent_fd);
	fd = fz_open(t);
	if (fd < 0)
		_exit(0);
	fz_thread_rebase(t, fd);
	fz_child_run(t, 50 + fz_below(t, 1500));
}

/* The body of a task: its delegated references, then fuzzing. */
static void fz_task_body(struct fz_thread *t, int fd, uint64_t ms)
{
	uint64_t *h = (uint64_t *)(t->xbuf + FZ_XBUF - 3072);
	struct dios_task_refs_req r;
	uint32_t i;

	fz_thread_rebase(t, fd);
	memset(&r, 0, sizeof(r));
	r.refs = (uint64_t)(uintptr_t)h;
	r.n = 64;
	if (fz_call(t, FZ_K_TASK_REFS, &r, sizeof(r), 0, false) == 0)
		for (i = 0; i < r.n && i < 64; i++)
			fz_pool_add(t, h[i], 0, 0, 0);
	fz_child_run(t, ms);
}

/* dios-fuzz --task SHMFD SEED MS WORKER: a task that was exec'd. */
int fz_task_main(int argc, char **argv)
{
	struct fz_thread t;
	int fd;

	if (argc < 6)
		return 2;
	fz_shared_attach(atoi(argv[2]));
	fz_signals_init();
	fz_mm_init();
	fz_interrupter_start(atoi(argv[5]));
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = fz_open(&t);
	if (fd < 0)
		return 0;
	fz_thread_init(&t, strtoull(argv[3], NULL, 0), fd, atoi(argv[5]));
	t.slot = fz_slot_enter(true);
	fz_task_body(&t, fd, strtoull(argv[4], NULL, 0));
	return 0;
}

/*
 * A child made a task with a raw DIOS_IOC_RUN, right or wrong, then told
 * to go (exec or not) or to leave.
 */
/*
 * A task of root's under a name for the unprivileged workers, whose signals
 * it must refuse (fz_foreign_task()).  A name torn by a concurrent update
 * is only a failed lookup.
 */
static void fz_publish_root_task(struct fz_thread *t, uint64_t task)
{
	struct dios_publish_req p;

	memset(&p, 0, sizeof(p));
	p.ref = task;
	if (fz_call(t, FZ_K_PUBLISH, &p, sizeof(p), 0, false) == 0)
		memcpy(&fz_sh->root_task, &p.name, sizeof(p.name));
}

static void fz_run_task(struct fz_thread *t)
{
	uint64_t *refs = (uint64_t *)(t->xbuf + FZ_XBUF - 4096);
	uint64_t *rights = refs + 64, ms = 100 + fz_below(t, 1500);
	struct dios_run_req r;
	struct fz_ref *src;
	int go[2], i, at;
	size_t size = sizeof(r);
	struct pollfd pfd;
	char c = 'x';
	pid_t pid;
	long ret;

	if (pipe2(go, O_CLOEXEC))
		return;
	pid = fz_fork();
	if (pid < 0) {
		close(go[0]);
		close(go[1]);
		return;
	}
	if (!pid) {
		char a[4][32];

		fz_child_reset(t);
		close(go[1]);
		pfd.fd = go[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 10000) != 1 || read(go[0], &c, 1) != 1 ||
		    c == 'x')
			_exit(0);
		if (c == 'e') {
			snprintf(a[0], sizeof(a[0]), "%d", fz_sh->shm_fd);
			snprintf(a[1], sizeof(a[1]), "%llu",
				 (unsigned long long)fz_rand(t));
			snprintf(a[2], sizeof(a[2]), "%llu",
				 (unsigned long long)ms);
			snprintf(a[3], sizeof(a[3]), "%d", t->worker);
			execl(fz_exe, "dios-fuzz", "--task", a[0], a[1], a[2],
			      a[3], (char *)NULL);
			_exit(0);
		}
		i = fz_open(t);
		if (i < 0)
			_exit(0);
		fz_task_body(t, i, ms);
	}
	close(go[0]);
	__atomic_fetch_add(&fz_sh->st.tasks, 1, __ATOMIC_RELAXED);
	memset(&r, 0, sizeof(r));
	r.pid = (uint32_t)pid;
	r.n_refs = (uint32_t)fz_below(t, 4);
	for (i = 0; i < (int)r.n_refs; i++) {
		src = fz_pick_out(t);
		refs[i] = src ? src->h : fz_pick_handle_out(t);
		rights[i] = src ? src->rights & fz_rand(t) : 0;
	}
	r.refs = (uint64_t)(uintptr_t)refs;
	r.rights = fz_chance(t, 50) ? (uint64_t)(uintptr_t)rights : 0;
	if (fz_chance(t, 30)) {
		r.flags = DIOS_RUN_CHAN;
		r.capacity = fz_chance(t, 90) ? FZ_PAGE * (1 + fz_below(t, 16)) :
			     fz_boundary(t, fz_sh->max_capacity);
	}
	if (fz_chance(t, 10))
		size = DIOS_RUN_REQ_SIZE_VER0;
	switch (fz_below(t, 25)) {
	case 0: r.pid = 0; break;
	case 1: r.pid = 1; break;
	case 2: r.pid = (uint32_t)getpid(); break;
	case 3: r.pid = 0x80000000u; break;
	case 4: r.n_refs = 1025; break;
	case 5: r.refs = fz_bad_ptr(t, false); break;
	case 6: r.capacity = 4096; r.flags = 0; break;
	case 7: r.flags = 2; break;
	}
	ret = fz_call(t, FZ_K_RUN, &r, size, 0, true);
	if (ret == 0) {
		/* Not under fault injection: an exec failing late is SIGSEGV. */
		c = fz_chance(t, 30) && !fz_sh->faultinject ? 'e' : 'g';
		fz_pool_add(t, r.task, DIOS_OBJ_TASK, DIOS_RIGHTS_ALL, 0);
		at = fz_pool_find(t, r.task);
		if (at >= 0)
			t->refs[at].task_child = true;
		if (!geteuid() && fz_chance(t, 4))
			fz_publish_root_task(t, r.task);
		if (size > DIOS_RUN_REQ_SIZE_VER0 && r.flags & DIOS_RUN_CHAN) {
			fz_pool_add(t, r.chan_tx, 0, 0, 0);
			fz_pool_add(t, r.chan_rx, 0, 0, 0);
		}
	}
	if (write(go[1], &c, 1) != 1)
		c = 'x';
	close(go[1]);
	fz_kid_add(t, pid);
}

/* ---- helper threads ----------------------------------------------------- */

struct fz_helper {
	struct fz_thread t;
	uint64_t handle;
	uint64_t handle2;		/* a ring race's second handle */
	uint64_t cap;			/* a ring race's capacity */
	bool ring;
	pthread_rwlock_t *lock;		/* held by the deleter (ring.c) */
	int role;
	int *done;
	pthread_t th;
	int finished;			/* the thread is about to return */
	struct fz_helper *next;		/* the creator's list */
};

/* A thread with a context of its own, closed at the end. */
static void *fz_ctx_thread(void *arg)
{
	struct fz_helper *hp = arg;
	struct fz_thread *t = &hp->t;
	uint64_t end = fz_now_ns() + (50 + fz_below(t, 1000)) * 1000000ULL;

	t->slot = fz_slot_enter(true);
	t->in_child = true;
	if (end < t->deadline_ns)
		t->deadline_ns = end;
	while (fz_now_ns() < t->deadline_ns && !fz_sh->stop)
		fz_step(t);
	fz_slot_exit(t->slot);
	fz_thread_fini(t);
	close(t->fd);
	__atomic_store_n(&hp->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start a helper thread of @t; it joins it with fz_join_helpers(). */
static bool fz_spawn(struct fz_thread *t, void *(*fn)(void *),
		     struct fz_helper *hp)
{
	int ret;

	pthread_rwlock_rdlock(&fz_fork_lock);
	ret = pthread_create(&hp->th, NULL, fn, hp);
	pthread_rwlock_unlock(&fz_fork_lock);
	fz_count(FZ_K_THREAD, -ret);
	if (ret)
		return false;
	__atomic_fetch_add(&fz_helpers, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fz_sh->st.threads, 1, __ATOMIC_RELAXED);
	hp->next = t->helpers;
	t->helpers = hp;
	return true;
}

/* Join the helpers of @t that are done (@all: wait for every one). */
void fz_join_helpers(struct fz_thread *t, bool all)
{
	struct fz_helper **pp = (struct fz_helper **)&t->helpers, *hp;

	while ((hp = *pp)) {
		if (!all && !__atomic_load_n(&hp->finished, __ATOMIC_ACQUIRE)) {
			pp = &hp->next;
			continue;
		}
		pthread_rwlock_rdlock(&fz_fork_lock);
		pthread_join(hp->th, NULL);
		pthread_rwlock_unlock(&fz_fork_lock);
		__atomic_fetch_sub(&fz_helpers, 1, __ATOMIC_RELAXED);
		*pp = hp->next;
		free(hp);
	}
}

static struct fz_helper *fz_helper_new(struct fz_thread *t, int fd,
				       bool meta)
{
	struct fz_helper *hp = calloc(1, sizeof(*hp));

	if (!hp)
		return NULL;
	fz_thread_init(&hp->t, fz_rand(t), meta ? fd : -1, t->worker);
	hp->t.fd = fd;
	return hp;
}

static void fz_start_ctx_thread(struct fz_thread *t)
{
	struct fz_helper *hp;
	int fd;

	if (__atomic_load_n(&fz_helpers, __ATOMIC_RELAXED) >= FZ_HELPERS)
		return;
	fd = fz_open(t);
	if (fd < 0)
		return;
	hp = fz_helper_new(t, fd, true);
	if (!hp || !fz_spawn(t, fz_ctx_thread, hp)) {
		if (hp)
			fz_thread_fini(&hp->t);
		free(hp);
		close(fd);
	}
}

/*
 * Delete @h, or zombify its object, whatever it takes: the race threads
 * block until it is done (allocation failures are injected with -F).
 */
static void fz_race_delete(struct fz_thread *t, uint64_t h, bool zombify)
{
	struct dios_delete_req d;
	long ret;
	int i;

	memset(&d, 0, sizeof(d));
	d.ref = h;
	d.flags = zombify ? DIOS_DELETE_ZOMBIFY : 0;
	for (i = 0; i < 10000; i++) {
		ret = fz_call(t, FZ_K_DELETE, &d, sizeof(d), 0, false);
		if (!ret || ret == -EBADF)
			return;
		d.flags = 0;
		usleep(1000);
	}
}

/*
 * Race threads on one handle: role 0 and 1 acquire (read, write) with
 * blocking calls, role 2 XFERs, role 3 deletes or zombifies the handle
 * after a while.  A ring race (fz_ring_race_role()): a reader, a writer
 * and a third thread on two handles of one ring stream, role 3 deletes
 * both or zombifies the stream.  No interrupts: every blocked call must be
 * woken by the deletion (-EBADF) or the zombification (-EIDRM); the
 * watchdog reports one that is not.
 */
/* Roles 0 to 2 on a plain stream: acquire and commit or release, XFER. */
static void fz_race_plain(struct fz_thread *t, struct fz_helper *hp)
{
	int dir = hp->role & 1, i;
	struct dios_xfer_req x;
	struct dios_io_req q;
	long ret = 0;

	for (i = 0; i < 300 && !fz_sh->stop; i++) {
		memset(&q, 0, sizeof(q));
		q.ref = hp->handle;
		if (hp->role == 2) {
			memset(&x, 0, sizeof(x));
			x.flags = DIOS_XFER_SEND | DIOS_XFER_RECV;
			x.send_ref = x.recv_ref = hp->handle;
			x.send_buf = (uint64_t)(uintptr_t)t->xbuf;
			x.send_len = 1 + fz_below(t, 2048);
			x.recv_buf = (uint64_t)(uintptr_t)t->xbuf + 4096;
			x.recv_len = 4096;
			ret = fz_call(t, FZ_K_XFER, &x, sizeof(x), 0, false);
		} else {
			q.len = dir ? 1 + fz_below(t, 8192) : UINT64_MAX;
			ret = fz_call(t, fz_io_kind_acquire(dir), &q, sizeof(q),
				      0, false);
			if (!ret) {
				q.len = dir ? q.len : 0;
				q.flags = 0;
				q.refs = 0;
				q.n_refs = 0;
				ret = fz_call(t, fz_chance(t, 50) ?
					      fz_io_kind_commit(dir) :
					      fz_io_kind_release(dir),
					      &q, sizeof(q), 0, false);
			}
		}
		if (ret == -EBADF || ret == -EIDRM)
			break;
		if (ret)
			usleep(1000);
	}
}

static void *fz_race_thread(void *arg)
{
	struct fz_helper *hp = arg;
	struct fz_thread *t = &hp->t;

	t->slot = fz_slot_enter(false);
	if (hp->role == 3) {
		usleep(fz_below(t, hp->ring ? 100000 : 30000));
		pthread_rwlock_wrlock(hp->lock);
		fz_race_delete(t, hp->handle, fz_chance(t, 50));
		pthread_rwlock_unlock(hp->lock);
		pthread_rwlock_wrlock(hp->lock);
		if (hp->handle2 != hp->handle)
			fz_race_delete(t, hp->handle2, false);
		pthread_rwlock_unlock(hp->lock);
	} else if (hp->ring) {
		fz_ring_race_role(t, (uint64_t[]){ hp->handle, hp->handle2 },
				  hp->cap, hp->role, hp->lock);
	} else {
		fz_race_plain(t, hp);
	}
	fz_slot_exit(t->slot);
	__atomic_fetch_sub(hp->done, 1, __ATOMIC_RELEASE);
	fz_thread_fini(t);
	__atomic_store_n(&hp->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void fz_race(struct fz_thread *t)
{
	struct dios_create_req c;
	struct dios_dup_req d;
	struct fz_helper *hp;
	static __thread int left;
	static __thread pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
	uint64_t h2;
	int role;

	/* One race at a time per thread; the last one must be over. */
	if (__atomic_load_n(&left, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&fz_helpers, __ATOMIC_RELAXED) + 4 > FZ_HELPERS)
		return;
	memset(&c, 0, sizeof(c));
	c.type = DIOS_OBJ_STREAM;
	c.flags = DIOS_CREATE_ANON;
	if (fz_chance(t, 40))
		c.flags |= DIOS_CREATE_RING;
	c.args.capacity = FZ_PAGE * (1 + fz_below(t, 4));
	if (fz_call(t, FZ_K_CREATE, &c, sizeof(c), 0, false))
		return;
	/*
	 * A ring's second reference: the leases pass between them.  With
	 * one side's right only, the first one's deletion leaves no one on
	 * the other side: a wait on the second ends with -EPIPE.
	 */
	h2 = c.ref;
	memset(&d, 0, sizeof(d));
	d.ref = c.ref;
	d.rights = (uint64_t[]){ DIOS_RIGHTS_ALL, DIOS_RIGHTS_ALL,
				 DIOS_RIGHT_READ | DIOS_RIGHT_WRITE,
				 DIOS_RIGHT_READ,
				 DIOS_RIGHT_WRITE }[fz_below(t, 5)];
	if (c.flags & DIOS_CREATE_RING &&
	    !fz_call(t, FZ_K_DUP, &d, sizeof(d), 0, false))
		h2 = d.new_ref;
	fz_count(FZ_K_RACE, 0);
	left = 4;
	for (role = 0; role < 4; role++) {
		hp = fz_helper_new(t, t->fd, false);
		if (hp) {
			hp->handle = c.ref;
			hp->handle2 = h2;
			hp->ring = c.flags & DIOS_CREATE_RING;
			hp->cap = c.args.capacity;
			hp->lock = &lock;
			hp->role = role;
			hp->done = &left;
		}
		if (!hp || !fz_spawn(t, fz_race_thread, hp)) {
			if (hp)
				fz_thread_fini(&hp->t);
			free(hp);
			__atomic_fetch_sub(&left, 1, __ATOMIC_RELEASE);
			if (role == 3) {
				/* No deleter: delete them ourselves. */
				pthread_rwlock_wrlock(&lock);
				fz_race_delete(t, c.ref, false);
				if (h2 != c.ref)
					fz_race_delete(t, h2, false);
				pthread_rwlock_unlock(&lock);
			}
		}
	}
}

/* ---- children ----------------------------------------------------------- */

/* Reap what exited; with @kill_all, SIGKILL every child first. */
void fz_reap_kids(struct fz_thread *t, bool kill_all)
{
	uint64_t until = fz_now_ns() + 10000000000ULL;
	int i = 0, status;
	pid_t r;

	while (i < t->nkids) {
		if (kill_all)
			kill(t->kids[i], SIGKILL);
		r = waitpid(t->kids[i], &status, WNOHANG | __WALL);
		if (r == 0 && kill_all && fz_now_ns() < until) {
			usleep(2000);
			continue;
		}
		if (r == 0) {
			if (kill_all)
				fz_report(FZ_V_HANG, "child %d does not die of SIGKILL",
					  t->kids[i]);
			i++;
			continue;
		}
		if (r > 0 && WIFSIGNALED(status) &&
		    WTERMSIG(status) != SIGKILL)
			fz_report(FZ_V_HANG, "child %d died of signal %d",
				  t->kids[i], WTERMSIG(status));
		t->kids[i] = t->kids[--t->nkids];
	}
}

void fz_proc_step(struct fz_thread *t)
{
	unsigned int w = (unsigned int)fz_below(t, 100);

	fz_join_helpers(t, false);
	if (t->in_child) {
		/* Children stay simple: no grandchildren. */
		fz_reap_kids(t, false);
		return;
	}
	if (w < 25)
		fz_fork_child(t);
	else if (w < 55)
		fz_run_task(t);
	else if (w < 65)
		fz_start_ctx_thread(t);
	else if (w < 80)
		fz_race(t);
	else if (w < 90 && t->nkids) {
		kill(t->kids[fz_below(t, t->nkids)], SIGKILL);
		fz_count(FZ_K_KILL, 0);
	} else {
		fz_reap_kids(t, false);
	}
}

/* ---- the worker --------------------------------------------------------- */

static void *fz_fuzz_thread(void *arg)
{
	struct fz_thread *t = arg;

	t->slot = fz_slot_enter(true);
	while (fz_now_ns() < t->deadline_ns && !fz_sh->stop)
		fz_step(t);
	fz_reap_kids(t, true);
	fz_join_helpers(t, true);
	fz_slot_exit(t->slot);
	return NULL;
}

#define FZ_THREADS	3

/*
 * Another user, a member of the group of /dev/dios only: the access
 * policy (udev/70-dios.rules) lets such a user open it, and nothing else
 * of root's is kept.
 */
static int fz_drop_privileges(int uid)
{
	struct stat st;
	gid_t g;

	if (stat("/dev/dios", &st))
		return -1;
	g = st.st_gid;
	if (setgroups(1, &g) || setgid(uid) || setuid(uid))
		return -1;
	return 0;
}

void fz_worker_main(int worker, uint64_t seed, int uid)
{
	static struct fz_thread th[FZ_THREADS];
	struct dios_version_req v;
	pthread_t tid[FZ_THREADS];
	int fd, i, tries;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fz_signals_init();
	fz_mm_init();
	if (uid && fz_drop_privileges(uid))
		perror("dios-fuzz: setuid");
	/* Before any failure is injected: without it no call is ended. */
	if (!fz_interrupter_start(worker))
		_exit(2);
	fz_uffd_init();
	for (tries = 0; (fd = open("/dev/dios", O_RDWR | O_CLOEXEC)) < 0;
	     tries++) {
		if (tries > 100 || (errno != ENOMEM && !fz_sh->faultinject)) {
			/* Under fault injection, as asked: no violation. */
			if (!fz_sh->faultinject)
				fz_violation("worker %d: open /dev/dios: %s",
					     worker, strerror(errno));
			_exit(2);
		}
		usleep(10000);
	}
	memset(&v, 0, sizeof(v));
	while (ioctl(fd, DIOS_IOC_VERSION, &v))
		if (!fz_sh->faultinject || ++tries > 1000)
			_exit(2);
	fz_sh->max_size = v.max_size;
	fz_sh->max_capacity = v.max_capacity;
	fz_sh->max_refs = v.max_refs;
	fz_sh->meta_map_size = v.meta_map_size;
	for (i = 0; i < FZ_THREADS; i++) {
		fz_thread_init(&th[i], fz_mix(seed + (uint64_t)i), fd, worker);
		pthread_rwlock_rdlock(&fz_fork_lock);
		if (i && pthread_create(&tid[i], NULL, fz_fuzz_thread, &th[i]))
			tid[i] = 0;
		pthread_rwlock_unlock(&fz_fork_lock);
	}
	fz_fuzz_thread(&th[0]);
	for (i = 1; i < FZ_THREADS; i++)
		if (tid[i]) {
			pthread_rwlock_rdlock(&fz_fork_lock);
			pthread_join(tid[i], NULL);
			pthread_rwlock_unlock(&fz_fork_lock);
		}
	fflush(NULL);
	_exit(0);
}
