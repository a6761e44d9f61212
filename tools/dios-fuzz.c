// SPDX-License-Identifier: GPL-2.0
/*
 * dios-fuzz: a stateful, syzkaller-style random driver of the dios ABI;
 * tools/fuzz/fuzz.h describes the processes and what is checked.
 *
 *   dios-fuzz [-t SECS] [-s SEED] [-w WORKERS] [-W WATCHDOG] [-F] [-U] [-K]
 *
 * -t: run time (default $FUZZ_SECS or 180); -s: seed (default $FUZZ_SEED
 * or random; always printed); -w: worker processes (3); -W: seconds after
 * which a call that has not returned is a hang (60); -F: fault injection
 * (each thread sets /proc/thread-self/make-it-fail for the duration of
 * its dios calls only: allocation failures are expected, crashes and leaks
 * are not); -U: every worker stays root (by
 * default every other one runs as an unprivileged user); -K: never SIGKILL
 * a worker.
 *
 * This process is the supervisor: it never opens /dev/dios.  It prints
 * the seed first, a report of the calls and their return codes as TAP
 * comments, then three TAP results, and exits 1 if any check failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dios-stats.h"
#include "fuzz/fuzz.h"

struct worker {
	pid_t pid;
	bool killed;		/* by us */
	uint64_t beat, beat_ns;
	bool hang_reported;
	int gen;
};

static void read_stacks(pid_t pid, char *out, size_t len)
{
	char path[320];
	struct dirent *d;
	size_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	out[0] = '\0';
	while (dir && (d = readdir(dir)) && n + 2 < len) {
		FILE *f;
		size_t m;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid,
			 d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		m = fread(out + n, 1, len - n - 1, f);
		fclose(f);
		n += m;
		out[n] = '\0';
	}
	if (dir)
		closedir(dir);
	for (char *c = out; *c; c++)
		if (*c == '\n')
			*c = ' ';
}

static pid_t spawn(int i, struct worker *w, bool unpriv)
{
	uint64_t seed = fz_mix(fz_sh->seed + 0x1000 * (uint64_t)i +
			       (uint64_t)w->gen);
	pid_t pid = fork();

	if (pid == 0)
		fz_worker_main(i, seed, unpriv && (i & 1) && !geteuid() ?
			       1000 + i : 0);
	if (pid > 0) {
		w->pid = pid;
		w->killed = false;
		w->beat = fz_sh->heartbeat[i];
		w->beat_ns = fz_now_ns();
		w->hang_reported = false;
		w->gen++;
		__atomic_fetch_add(&fz_sh->st.workers_started, 1,
				   __ATOMIC_RELAXED);
	}
	return pid;
}

static void classify(struct worker *w, int i, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && w->killed)
		return;
	if (WIFSIGNALED(status))
		fz_report(FZ_V_HANG, "worker %d (pid %d) died of signal %d%s",
			  i, w->pid, WTERMSIG(status),
			  WTERMSIG(status) == SIGKILL ?
			  " that the supervisor did not send" : "");
	else if (WEXITSTATUS(status) == 2 && fz_sh->faultinject)
		return;		/* could not set up: no memory, as asked */
	else
		fz_report(FZ_V_HANG, "worker %d (pid %d) exited with status %d",
			  i, w->pid, WEXITSTATUS(status));
}

/* Every process of ours but this one: workers, children, tasks, orphans. */
static int kill_ours(void)
{
	char self[256], path[64], exe[256];
	struct dirent *d;
	int n = 0;
	ssize_t len;
	DIR *dir;

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return 0;
	self[len] = '\0';
	dir = opendir("/proc");
	while (dir && (d = readdir(dir))) {
		pid_t pid = atoi(d->d_name);

		if (pid <= 1 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		len = readlink(path, exe, sizeof(exe) - 1);
		if (len <= 0)
			continue;
		exe[len] = '\0';
		if (!strcmp(exe, self) && !kill(pid, SIGKILL))
			n++;
	}
	if (dir)
		closedir(dir);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return n;
}

static const char *errname(int e)
{
	static char buf[16];
	static const struct { int e; const char *n; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EINTR, "EINTR" }, { EBADF, "EBADF" }, { ECHILD, "ECHILD" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ EINVAL, "EINVAL" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
		{ EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { EPIPE, "EPIPE" },
		{ E2BIG, "E2BIG" }, { ENODATA, "ENODATA" }, { EIDRM, "EIDRM" },
		{ EBADMSG, "EBADMSG" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { EMSGSIZE, "EMSGSIZE" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { EALREADY, "EALREADY" },
		{ ESTALE, "ESTALE" }, { EDQUOT, "EDQUOT" }, { EBADFD, "EBADFD" },
	};
	size_t i;

	if (!e)
		return "ok";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static void report_calls(uint64_t *total)
{
	struct fz_stats *st = &fz_sh->st;
	uint64_t all[FZ_MAX_ERRNO + 1] = { 0 };
	char line[1024];
	int k, e;

	*total = 0;
	printf("# calls and return codes (ok: success, E...: -errno)\n");
	for (k = 0; k < FZ_K_COUNT; k++) {
		size_t n;

		if (!st->calls[k])
			continue;
		n = (size_t)snprintf(line, sizeof(line), "#   %-14s %9llu:",
				     fz_kind_name(k),
				     (unsigned long long)st->calls[k]);
		for (e = 0; e <= FZ_MAX_ERRNO; e++) {
			if (!st->err[k][e])
				continue;
			all[e] += st->err[k][e];
			if (n < sizeof(line) - 32)
				n += (size_t)snprintf(line + n, sizeof(line) - n,
						      " %s %llu", errname(e),
						      (unsigned long long)st->err[k][e]);
		}
		printf("%s\n", line);
		if (k <= FZ_K_INHERITED)
			*total += st->calls[k];
	}
	printf("# all ioctls, by return code:");
	for (e = 0; e <= FZ_MAX_ERRNO; e++)
		if (all[e])
			printf(" %s %llu", errname(e), (unsigned long long)all[e]);
	printf("\n");
}

/*
 * dios-fuzz --fi-exec PROG ARGS...: run PROG with allocation failures
 * injected (/proc/PID/make-it-fail) from its first instruction on, but not
 * into its exec: an exec that fails after its point of no return kills
 * the process with SIGSEGV, which says nothing about dios.  The child
 * stops at the exec (PTRACE_TRACEME), is marked, and let go.  The status
 * is the shell's: the exit code, or 128 + the signal.
 */
static int fi_exec(char **argv)
{
	char path[64];
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 126;
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 126;
	if (WIFSTOPPED(status)) {
		snprintf(path, sizeof(path), "/proc/%d/make-it-fail", pid);
		fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, "1", 1) != 1)
			perror("dios-fuzz: make-it-fail");
		if (fd >= 0)
			close(fd);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 126;
}

int main(int argc, char **argv)
{
	struct worker w[FZ_MAX_WORKERS] = { 0 };
	long before[DIOS_STATS_N];
	int secs = 180, nworkers = 3, watchdog = 60, opt, i, status;
	bool fi = false, unpriv = true, kills = true, have_stats;
	uint64_t seed = 0, total, next_kill, start, deadline;
	const char *env;
	struct fz_thread rng;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "--task"))
		return fz_task_main(argc, argv);
	if (argc > 2 && !strcmp(argv[1], "--fi-exec"))
		return fi_exec(argv + 2);
	env = getenv("FUZZ_SECS");
	if (env && *env)
		secs = atoi(env);
	env = getenv("FUZZ_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	else {
		int f = open("/dev/urandom", O_RDONLY);

		if (f < 0 || read(f, &seed, sizeof(seed)) != sizeof(seed))
			seed = fz_now_ns() ^ (uint64_t)getpid() << 32;
		if (f >= 0)
			close(f);
		seed &= 0xffffffffffffULL;
	}
	while ((opt = getopt(argc, argv, "t:s:w:W:FUK")) != -1) {
		switch (opt) {
		case 't': secs = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'w': nworkers = atoi(optarg); break;
		case 'W': watchdog = atoi(optarg); break;
		case 'F': fi = true; break;
		case 'U': unpriv = false; break;
		case 'K': kills = false; break;
		default:
			fprintf(stderr, "usage: %s [-t secs] [-s seed] [-w workers] [-W watchdog] [-F] [-U] [-K]\n",
				argv[0]);
			return 2;
		}
	}
	if (nworkers < 1 || nworkers > FZ_MAX_WORKERS || secs < 1)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# dios-fuzz: seed %llu, %d s, %d workers%s (pid %d)\n",
	       (unsigned long long)seed, secs, nworkers,
	       fi ? ", fault injection" : "", getpid());
	fz_shared_init(seed, fi, secs);
	fz_sh->watchdog_s = (uint32_t)watchdog;
	rng.rng = seed;
	have_stats = dios_stats_read(before);
	if (!have_stats)
		printf("# no %s: the debugfs check is skipped\n", DIOS_STATS);

	start = fz_now_ns();
	next_kill = start + (5 + fz_below(&rng, 10)) * 1000000000ULL;
	deadline = fz_sh->deadline_ns;
	while (fz_now_ns() < deadline) {
		uint64_t now = fz_now_ns();

		/* Nothing but us writes the shared area's first fields. */
		if (fz_sh->seed != seed || fz_sh->deadline_ns != deadline) {
			fz_sh->seed = seed;
			fz_sh->deadline_ns = deadline;
			fz_report(FZ_V_ABI, "the shared area of the run was overwritten");
		}
		for (i = 0; i < nworkers; i++)
			if (!w[i].pid && spawn(i, &w[i], unpriv) < 0)
				break;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (i = 0; i < nworkers; i++)
				if (w[i].pid == pid) {
					classify(&w[i], i, status);
					w[i].pid = 0;
				}
		if (kills && now > next_kill) {
			i = (int)fz_below(&rng, nworkers);
			if (w[i].pid && !kill(w[i].pid, SIGKILL)) {
				w[i].killed = true;
				__atomic_fetch_add(&fz_sh->st.workers_killed, 1,
						   __ATOMIC_RELAXED);
			}
			next_kill = now + (5 + fz_below(&rng, 15)) * 1000000000ULL;
		}
		for (i = 0; i < nworkers; i++) {
			uint64_t beat = fz_sh->heartbeat[i];

			if (!w[i].pid || beat != w[i].beat) {
				w[i].beat = beat;
				w[i].beat_ns = now;
			} else if (!w[i].hang_reported && now > w[i].beat_ns &&
				   now - w[i].beat_ns >
				   (uint64_t)watchdog * 1000000000ULL) {
				char stacks[FZ_VIOL_LEN - 80];

				read_stacks(w[i].pid, stacks, sizeof(stacks));
				fz_report(FZ_V_HANG, "worker %d made no call for %d s: %s",
					  i, watchdog, stacks);
				w[i].hang_reported = true;
			}
		}
		usleep(50000);
	}

	/* Let the workers finish their calls, then make sure. */
	fz_sh->stop = 1;
	for (start = fz_now_ns();
	     fz_now_ns() - start < (uint64_t)(watchdog + 10) * 1000000000ULL;) {
		bool alive = false;

		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (i = 0; i < nworkers; i++)
				if (w[i].pid == pid) {
					classify(&w[i], i, status);
					w[i].pid = 0;
				}
		for (i = 0; i < nworkers; i++)
			alive |= w[i].pid != 0;
		if (!alive)
			break;
		usleep(50000);
	}
	for (i = 0; i < nworkers; i++)
		if (w[i].pid) {
			char stacks[FZ_VIOL_LEN - 80];

			read_stacks(w[i].pid, stacks, sizeof(stacks));
			fz_report(FZ_V_HANG, "worker %d did not finish: %s", i,
				  stacks);
		}
	for (i = 0; i < 200 && kill_ours(); i++)
		usleep(50000);
	if (i == 200)
		fz_report(FZ_V_HANG, "processes of the run survive SIGKILL");

	/* Teardown, RCU and the collector finish a little after the exits. */
	if (have_stats) {
		char msg[FZ_VIOL_LEN - 40];

		if (!dios_stats_settle(before, msg, sizeof(msg)))
			fz_report(FZ_V_LEAK, "debugfs counts not back after 60 s:%s",
				  msg);
	}

	report_calls(&total);
	printf("# %llu workers started, %llu killed by the supervisor, %llu fork children, %llu tasks, %llu threads, %llu touches faulted, %llu userfaultfd stalls\n",
	       (unsigned long long)fz_sh->st.workers_started,
	       (unsigned long long)fz_sh->st.workers_killed,
	       (unsigned long long)fz_sh->st.children,
	       (unsigned long long)fz_sh->st.tasks,
	       (unsigned long long)fz_sh->st.threads,
	       (unsigned long long)fz_sh->st.faults,
	       (unsigned long long)fz_sh->st.uffd_stalls);
	printf("# ring streams: %llu leases taken, %llu scribbles on shared pages, %llu waits on a stale position, %llu writes into a read view refused; %llu batches stopped part-way\n",
	       (unsigned long long)fz_sh->st.ring_leases,
	       (unsigned long long)fz_sh->st.ring_scribbles,
	       (unsigned long long)fz_sh->st.ring_stale_waits,
	       (unsigned long long)fz_sh->st.ring_ro_faults,
	       (unsigned long long)fz_sh->st.batch_partial);
	/* The first FZ_VIOL_MAX, each message once with its count. */
	for (i = 0; i < (int)fz_sh->nviol && i < FZ_VIOL_MAX; i++) {
		int j, n = 0;

		for (j = 0; j < i && strcmp(fz_sh->viol[j], fz_sh->viol[i]); j++)
			;
		if (j < i)
			continue;
		for (j = i; j < (int)fz_sh->nviol && j < FZ_VIOL_MAX; j++)
			n += !strcmp(fz_sh->viol[j], fz_sh->viol[i]);
		printf("# VIOLATION (x%d): %s\n", n, fz_sh->viol[i]);
	}
	if (fz_sh->nviol > FZ_VIOL_MAX)
		printf("# ... %u violations in all\n", fz_sh->nviol);
	printf("1..3\n");
	printf("%s 1 seed %llu: every call returned 0 or a documented errno, and what the ABI fixes (%llu ioctls)%s\n",
	       fz_sh->ncat[FZ_V_ABI] ? "not ok" : "ok",
	       (unsigned long long)seed, (unsigned long long)total,
	       fz_sh->ncat[FZ_V_ABI] ? " # see VIOLATION lines" : "");
	printf("%s 2 seed %llu: no call hung past %d s, no process died of a signal not sent to it\n",
	       fz_sh->ncat[FZ_V_HANG] ? "not ok" : "ok",
	       (unsigned long long)seed, watchdog);
	if (have_stats)
		printf("%s 3 seed %llu: debugfs counts back to their start values\n",
		       fz_sh->ncat[FZ_V_LEAK] ? "not ok" : "ok",
		       (unsigned long long)seed);
	else
		printf("ok 3 seed %llu: debugfs counts # SKIP no %s\n",
		       (unsigned long long)seed, DIOS_STATS);
	return fz_sh->nviol ? 1 : 0;
}
