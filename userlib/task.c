// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Tasks: dios_run() and the calls on task references.
 *
 * dios_run() forks; the child waits (see task_child()) until the parent
 * has made it a task (DIOS_IOC_RUN: the kernel prepares the child's
 * context with the delegated references, which the child takes over on
 * its first open of /dev/dios), then execs.  The parent does not wait for the exec: what
 * execve would refuse for the file itself (-ENOENT, -EACCES) dios_run
 * reports beforehand; a later failure is the task's exit status 127, as
 * from a shell.  Between fork and exec the child only calls
 * async-signal-safe functions.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

/* Reap @pid, which is known to be exiting. */
static void task_reap(pid_t pid)
{
	int saved = errno;

	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	errno = saved;
}

/*
 * The go signal: an eventfd the child inherits, written by the parent once
 * the child is a task: 1 to exec, 2 to exit.  Usually the parent, which a
 * fork does not stop, gets there first, and the child's read finds the
 * value without blocking: on one CPU the child does not preempt its parent
 * at every start.  A child that finds it unset polls it, and every 100 ms
 * checks that its parent still lives.  (A futex in a shared page was tried:
 * a MAP_SHARED anonymous page is a shmem file, and making one per process
 * that starts tasks cost more than the eventfd's three system calls.)
 */
#define TASK_GO		1
#define TASK_ABORT	2

/*
 * In the child: wait for the go, then exec; 127 if it is refused or the
 * exec fails.  A parent that died before its go leaves us reparented.
 */
static void __attribute__((noreturn))
task_child(int go, pid_t parent, const char *path, char *const argv[],
	   char *const envp[])
{
	struct pollfd p = { .fd = go, .events = POLLIN };
	uint64_t v = 0;

	while (read(go, &v, sizeof(v)) != sizeof(v)) {
		if (getppid() != parent)
			_exit(127);
		poll(&p, 1, 100);
	}
	if (v == TASK_GO)
		execve(path, argv, envp);
	_exit(127);
}

/*
 * The child only waits and execs, as posix_spawn's does: no atfork handler
 * needs to run in it (libdios's own would close the inherited context and
 * write its state, copying pages for a process that is about to exec), nor
 * in the parent around a fork the application did not ask for.
 */
static pid_t task_fork(void)
{
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
	return _Fork();
#else
	return fork();
#endif
}

static int task_run(const char *path, char *const argv[], char *const envp[],
		    struct dios_run_req *req)
{
	pid_t pid, parent = getpid();
	uint64_t v;
	int ret, go;

	go = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (go < 0)
		return -errno;
	pid = task_fork();
	if (pid < 0) {
		ret = -errno;
		close(go);
		return ret;
	}
	if (pid == 0)
		task_child(go, parent, path, argv, envp);
	req->pid = (uint32_t)pid;
	ret = __sys_dios_call(DIOS_IOC_RUN, req);
	v = ret ? TASK_ABORT : TASK_GO;
	/* Cannot fail (the counter is 0); a task must never wait forever. */
	if (write(go, &v, sizeof(v)) != sizeof(v))
		kill(pid, SIGKILL);
	close(go);
	if (ret)
		task_reap(pid);
	return ret;
}

/* @req->flags and the channel fields are the caller's. */
static int task_start(const char *path, const struct dios_task_spec *spec,
		      struct dios_run_req *req)
{
	const char *argv0[2] = { path, NULL };
	const char *const *argv = argv0;
	char *const *envp = environ;
	int saved = errno;
	int ret;

	if (spec) {
		if (spec->n_refs && !spec->refs)
			return -EFAULT;
		if (spec->argv)
			argv = spec->argv;
		if (spec->envp)
			envp = (char *const *)spec->envp;
		req->refs = DIOS_PTR(spec->refs);
		req->rights = DIOS_PTR(spec->rights);
		req->n_refs = spec->n_refs;
	}
	/*
	 * What execve would refuse for the file itself, said now; the parent
	 * does not wait for the exec (a fork does not either).
	 */
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0) {
		ret = -errno;
		errno = saved;
		return ret;
	}
	/* The context exists before the fork: the child must not open it. */
	ret = __dios_ctx_fd();
	if (ret < 0)
		return ret;
	ret = task_run(path, (char *const *)argv, envp, req);
	errno = saved;
	return ret;
}

int dios_run(uint64_t flags, const char *path,
	     const struct dios_task_spec *spec, dios_ref_t *task)
{
	struct dios_run_req req;
	int ret;

	if (flags)
		return -EINVAL;
	if (!path || !task)
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	ret = task_start(path, spec, &req);
	if (!ret)
		*task = req.task;
	return ret;
}

int dios_task_refs(dios_ref_t *refs, uint32_t *n)
{
	struct dios_task_refs_req req;
	int ret;

	if (!n || (*n && !refs))
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	req.refs = DIOS_PTR(refs);
	req.n = *n;
	ret = __sys_dios_call(DIOS_IOC_TASK_REFS, &req);
	if (ret == 0 || ret == -ENOSPC)
		*n = req.n;
	return ret;
}

static int task_ctl(unsigned long cmd, dios_ref_t task)
{
	struct dios_task_req req;

	memset(&req, 0, sizeof(req));
	req.task = task;
	return __sys_dios_call(cmd, &req);
}

int dios_pause(dios_ref_t task)
{
	return task_ctl(DIOS_IOC_PAUSE, task);
}

int dios_resume(dios_ref_t task)
{
	return task_ctl(DIOS_IOC_RESUME, task);
}

int dios_task_wait(dios_ref_t task, int *status)
{
	struct dios_task_wait_req req;
	siginfo_t si;
	int ret;

	memset(&req, 0, sizeof(req));
	req.task = task;
	ret = __sys_dios_call(DIOS_IOC_TASK_WAIT, &req);
	if (ret < 0)
		return ret;
	if (req.reap & DIOS_TASK_REAP) {
		int saved = errno;

		/* A zombie child of ours: this does not block. */
		while (waitid(P_PID, req.pid, &si, WEXITED | WNOHANG) < 0 &&
		       errno == EINTR)
			;
		errno = saved;
	}
	if (status)
		*status = req.status;
	return 0;
}

/*
 * A task with a channel to it (a runtime's spawn_task): one DIOS_IOC_RUN
 * with DIOS_RUN_CHAN makes the two streams, gives the child the far end's
 * references before the caller's delegations, and us our end.
 */
int dios_run_chan(uint64_t flags, uint64_t capacity, const char *path,
		  const struct dios_task_spec *spec, dios_ref_t *task,
		  struct dios_chan *chan)
{
	struct dios_run_req req;
	int ret;

	if (flags)
		return -EINVAL;
	if (!path || !task || !chan)
		return -EFAULT;
	if (spec && spec->n_refs > DIOS_RUN_MAX_REFS - 2)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.flags = DIOS_RUN_CHAN;
	req.capacity = capacity ? capacity : DIOS_CHAN_CAPACITY;
	ret = task_start(path, spec, &req);
	if (ret)
		return ret;
	*task = req.task;
	dios_chan_from_refs(chan, req.chan_rx, req.chan_tx);
	return 0;
}

/* Room for the channel and a few more: a task's stack stays small. */
#define TASK_PARENT_REFS	8

int dios_chan_parent(struct dios_chan *chan)
{
	dios_ref_t few[TASK_PARENT_REFS], *refs = few;
	uint32_t n = TASK_PARENT_REFS;
	int ret;

	if (!chan)
		return -EFAULT;
	ret = dios_task_refs(refs, &n);
	if (ret == -ENOSPC) {
		/* n is the count now; the references never change. */
		refs = malloc(n * sizeof(*refs));
		if (!refs)
			return -ENOMEM;
		ret = dios_task_refs(refs, &n);
	}
	if (!ret && n < 2)
		ret = -ENOENT;
	if (!ret)
		dios_chan_from_refs(chan, refs[0], refs[1]);
	if (refs != few)
		free(refs);
	return ret;
}
