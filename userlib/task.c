// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Tasks: dios_run() and the calls on task references.
 *
 * dios_run() forks; the child waits on a pipe until the parent has made it
 * a task (DIOS_IOC_RUN: the kernel prepares the child's context with the
 * delegated references, which the child takes over on its first open of
 * /dev/dios), then execs.  A second, close-on-exec pipe brings an exec
 * failure back.  Between fork and exec the child only calls
 * async-signal-safe functions.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
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

/* In the child: wait for the go, exec, or report why not. */
static void __attribute__((noreturn))
task_child(int go, int err, const char *path, char *const argv[],
	   char *const envp[])
{
	ssize_t r;
	char c;
	int e;

	do {
		r = read(go, &c, 1);
	} while (r < 0 && errno == EINTR);
	if (r == 1) {
		execve(path, argv, envp);
		e = errno;
		if (write(err, &e, sizeof(e)) != sizeof(e))
			_exit(127);
	}
	_exit(127);
}

/* In the parent: 0 if the child exec'd, else the exec error. */
static int task_exec_result(int err)
{
	ssize_t r;
	int e;

	do {
		r = read(err, &e, sizeof(e));
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	return r == sizeof(e) && e > 0 ? -e : -EIO;
}

static int task_run(int go[2], int err[2], const char *path,
		    char *const argv[], char *const envp[],
		    struct dios_run_req *req)
{
	int started, ret;
	ssize_t w;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		task_child(go[0], err[1], path, argv, envp);
	}
	task_close(go[0]);
	go[0] = -1;
	task_close(err[1]);
	err[1] = -1;
	req->pid = (uint32_t)pid;
	ret = __sys_dios_call(DIOS_IOC_RUN, req);
	started = !ret;
	if (!ret) {
		do {
			w = write(go[1], "g", 1);
		} while (w < 0 && errno == EINTR);
		ret = w == 1 ? 0 : -EIO;
	}
	/* The child sees the go or end of file: it execs or exits. */
	task_close(go[1]);
	go[1] = -1;
	if (!ret)
		ret = task_exec_result(err[0]);
	if (ret) {
		if (started)
			dios_delete(0, req->task);
		task_reap(pid);
	}
	return ret;
}

int dios_run(uint64_t flags, const char *path,
	     const struct dios_task_spec *spec, dios_ref_t *task)
{
	const char *argv0[2] = { path, NULL };
	const char *const *argv = argv0;
	char *const *envp = environ;
	struct dios_run_req req;
	int go[2], err[2];
	int i, ret;

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
	/* The context exists before the fork: the child must not open it. */
	ret = __dios_ctx_fd();
	if (ret < 0)
		return ret;
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		ret = -errno;
		task_close(go[0]);
		task_close(go[1]);
		return ret;
	}
	ret = task_run(go, err, path, (char *const *)argv, envp, &req);
	for (i = 0; i < 2; i++) {
		if (go[i] >= 0)
			task_close(go[i]);
		if (err[i] >= 0)
			task_close(err[i]);
	}
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
