// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Tasks: dios_run() and the calls on task references.
 *
 * dios_run() forks; the child waits on a socket until the parent has made it
 * a task (DIOS_IOC_RUN: the kernel prepares the child's context with the
 * delegated references, which the child takes over on its first open of
 * /dev/dios), then execs.  The parent does not wait for the exec: what
 * execve would refuse for the file itself (-ENOENT, -EACCES) dios_run
 * reports beforehand; a later failure is the task's exit status 127, as
 * from a shell.  Between fork and exec the child only calls
 * async-signal-safe functions.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

static void task_close(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* Reap @pid, which is known to be exiting. */
static void task_reap(pid_t pid)
{
	int saved = errno;

	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	errno = saved;
}

/* In the child: wait for the go, then exec; 127 if either fails. */
static void __attribute__((noreturn))
task_child(int go, const char *path, char *const argv[], char *const envp[])
{
	ssize_t r;
	char c;

	do {
		r = read(go, &c, 1);
	} while (r < 0 && errno == EINTR);
	if (r == 1)
		execve(path, argv, envp);
	_exit(127);
}

static int task_run(int go[2], const char *path, char *const argv[],
		    char *const envp[], struct dios_run_req *req)
{
	ssize_t w;
	pid_t pid;
	int ret;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(go[1]);
		task_child(go[0], path, argv, envp);
	}
	task_close(go[0]);
	go[0] = -1;
	req->pid = (uint32_t)pid;
	ret = __sys_dios_call(DIOS_IOC_RUN, req);
	if (!ret) {
		/* No SIGPIPE if someone killed the child meanwhile. */
		do {
			w = send(go[1], "g", 1, MSG_NOSIGNAL);
		} while (w < 0 && errno == EINTR);
		if (w != 1) {
			dios_delete(0, req->task);
			ret = -EIO;
		}
	}
	/* The child sees the go, or end of file and exits. */
	task_close(go[1]);
	go[1] = -1;
	if (ret)
		task_reap(pid);
	return ret;
}

int dios_run(uint64_t flags, const char *path,
	     const struct dios_task_spec *spec, dios_ref_t *task)
{
	const char *argv0[2] = { path, NULL };
	const char *const *argv = argv0;
	char *const *envp = environ;
	struct dios_run_req req;
	int go[2];
	int ret;

	if (flags)
		return -EINVAL;
	if (!path || !task)
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	if (spec) {
		if (spec->n_refs && !spec->refs)
			return -EFAULT;
		if (spec->argv)
			argv = spec->argv;
		if (spec->envp)
			envp = (char *const *)spec->envp;
		req.refs = DIOS_PTR(spec->refs);
		req.rights = DIOS_PTR(spec->rights);
		req.n_refs = spec->n_refs;
	}
	/*
	 * What execve would refuse for the file itself, said now; the parent
	 * does not wait for the exec (a fork does not either).
	 */
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return -errno;
	/* The context exists before the fork: the child must not open it. */
	ret = __dios_ctx_fd();
	if (ret < 0)
		return ret;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) < 0)
		return -errno;
	ret = task_run(go, path, (char *const *)argv, envp, &req);
	if (go[0] >= 0)
		task_close(go[0]);
	if (go[1] >= 0)
		task_close(go[1]);
	if (ret)
		return ret;
	*task = req.task;
	return 0;
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
 * A task with a channel to it (Hephaestus's spawn_task): the far end's two
 * references go first, the caller's own delegations after them.
 */
int dios_run_chan(uint64_t flags, uint64_t capacity, const char *path,
		  const struct dios_task_spec *spec, dios_ref_t *task,
		  struct dios_chan *chan)
{
	struct dios_task_spec s = { 0 };
	uint64_t *rights = NULL;
	dios_ref_t *refs, peer[2];
	struct dios_chan mine;
	uint32_t i, n = 0;
	int ret;

	if (flags)
		return -EINVAL;
	if (!path || !task || !chan)
		return -EFAULT;
	if (spec) {
		s = *spec;
		n = spec->n_refs;
		if (n > DIOS_RUN_MAX_REFS - 2)
			return -EINVAL;
		if (n && !spec->refs)
			return -EFAULT;
	}
	refs = malloc((n + 2) * 2 * sizeof(uint64_t));
	if (!refs)
		return -ENOMEM;
	ret = dios_chan_pair(0, capacity, &mine, peer);
	if (ret)
		goto out;
	refs[0] = peer[0];
	refs[1] = peer[1];
	for (i = 0; i < n; i++)
		refs[2 + i] = spec->refs[i];
	if (spec && spec->rights) {
		/* The far end's references keep their reduced rights. */
		rights = refs + n + 2;
		rights[0] = DIOS_RIGHT_READ | DIOS_RIGHT_COPY;
		rights[1] = DIOS_RIGHT_WRITE | DIOS_RIGHT_COPY;
		for (i = 0; i < n; i++)
			rights[2 + i] = spec->rights[i];
	}
	s.refs = refs;
	s.rights = rights;
	s.n_refs = n + 2;
	ret = dios_run(0, path, &s, task);
	dios_delete(0, peer[0]);
	dios_delete(0, peer[1]);
	if (ret)
		dios_chan_close(&mine);
	else
		*chan = mine;
out:
	free(refs);
	return ret;
}

int dios_chan_parent(struct dios_chan *chan)
{
	dios_ref_t refs[DIOS_RUN_MAX_REFS];
	uint32_t n = DIOS_RUN_MAX_REFS;
	int ret;

	if (!chan)
		return -EFAULT;
	ret = dios_task_refs(refs, &n);
	if (ret)
		return ret;
	if (n < 2)
		return -ENOENT;
	dios_chan_from_refs(chan, refs[0], refs[1]);
	return 0;
}
