// SPDX-License-Identifier: GPL-2.0
/*
 * create.c - `dios create`: an object, and something to keep it alive.
 *
 * References die with their process (docs/api.md) and a name does not
 * keep an object, so the object dios creates would go when dios exits.
 * Instead a process of its own, the holder, creates and keeps it until it
 * is zombified, the holder is killed or --for SECS passed; or dios runs a
 * command (-- CMD) as a dios task with the reference delegated to it and
 * waits for it.
 */
#define _GNU_SOURCE	/* environ, asprintf */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool.h"

struct create_opts {
	uint32_t type;
	uint64_t flags;
	struct dios_create_args args;
	double secs;		/* holder: at most this long; 0: no bound */
	char **cmd;		/* run this instead of a holder */
};

/* The holder: keep @ref until the object is a zombie or @secs passed. */
static void __attribute__((noreturn)) hold(dios_ref_t ref, double secs)
{
	double end = mono_now() + secs;
	struct dios_ref_info info;

	for (;;) {
		double left = end - mono_now();

		sleep_secs(secs && left < 0.25 ? (left > 0 ? left : 0) : 0.25);
		if ((secs && mono_now() >= end) ||
		    dios_ref_info(ref, &info) ||
		    info.state == DIOS_REF_ZOMBIE)
			_exit(0);
	}
}

/* Close every descriptor from @first on, but @keep. */
static void close_from(int first, int keep)
{
	int fd, max = sysconf(_SC_OPEN_MAX);

	for (fd = first; fd < max && fd < 65536; fd++)
		if (fd != keep)
			close(fd);
}

/* What the holder tells dios when it has created the object, or failed. */
struct hold_msg {
	int err;
	struct dios_name name;
};

static int create_held(const struct create_opts *o)
{
	struct hold_msg msg;
	char name[65];
	int p[2], fd;
	dios_ref_t ref;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		perror("dios create: pipe");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("dios create: fork");
		return 1;
	}
	if (!pid) {
		/*
		 * No terminal, and no hold on dios's output, directory or any
		 * descriptor it inherited (a pipe it holds open would keep the
		 * reader of `$(dios create ...)` waiting).
		 */
		setsid();
		prctl(PR_SET_NAME, "dios-hold");
		if (chdir("/"))
			_exit(1);
		close_from(3, p[1]);
		memset(&msg, 0, sizeof(msg));
		msg.err = dios_create(o->flags, o->type, &o->args, &ref,
				      &msg.name);
		fd = open("/dev/null", O_RDWR);
		if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 ||
		    dup2(fd, 2) < 0)
			msg.err = -errno;
		if (write(p[1], &msg, sizeof(msg)) != sizeof(msg) || msg.err)
			_exit(1);
		close(p[1]);
		hold(ref, o->secs);
	}
	close(p[1]);
	if (read(p[0], &msg, sizeof(msg)) != sizeof(msg)) {
		fprintf(stderr, "dios create: the holder died\n");
		waitpid(pid, NULL, 0);
		return 1;
	}
	close(p[0]);
	if (msg.err) {
		waitpid(pid, NULL, 0);
		return dios_error("create", type_name(o->type), msg.err);
	}
	dios_name_to_str(&msg.name, name);
	if (json)
		printf("{\"name\": \"%s\", \"type\": \"%s\", \"holder\": %d}\n",
		       name, type_name(o->type), pid);
	else
		printf("%s\n", name);
	return 0;
}

/* @file as execvp() would find it in $PATH; NULL if nowhere. */
static char *path_find(const char *file)
{
	const char *path = getenv("PATH"), *p, *colon;
	char *full;
	size_t n;

	if (strchr(file, '/'))
		return access(file, X_OK) ? NULL : strdup(file);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = colon + 1) {
		colon = strchr(p, ':');
		n = colon ? (size_t)(colon - p) : strlen(p);
		if (asprintf(&full, "%.*s%s%s", (int)n, p, n ? "/" : "",
			     file) < 0)
			return NULL;
		if (!access(full, X_OK))
			return full;
		free(full);
		if (!colon)
			return NULL;
	}
}

/*
 * The environment of the command: ours, with DIOS_NAME (the object's
 * name, if it has one) and DIOS_REF (its handle in the command's context:
 * the first reference dios_run delegates is in the context's first slot,
 * generation 1; docs/api.md, "Handles").
 */
static char **cmd_env(const char *name)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "DIOS_NAME=", 10) &&
		    strncmp(environ[i], "DIOS_REF=", 9))
			env[k++] = environ[i];
	if (asprintf(&env[k++], "DIOS_REF=%#llx", (1ULL << 32) | 1) < 0 ||
	    (name && asprintf(&env[k++], "DIOS_NAME=%s", name) < 0))
		return NULL;
	return env;
}

static int create_run(const struct create_opts *o)
{
	struct dios_task_spec spec;
	struct dios_name n;
	dios_ref_t ref, task;
	char name[65], *path;
	int ret, status;

	path = path_find(o->cmd[0]);
	if (!path) {
		fprintf(stderr, "dios create: %s: command not found (or not "
			"executable)\n", o->cmd[0]);
		return 127;
	}
	ret = dios_create(o->flags, o->type, &o->args, &ref, &n);
	if (ret)
		return dios_error("create", type_name(o->type), ret);
	dios_name_to_str(&n, name);
	memset(&spec, 0, sizeof(spec));
	spec.argv = (const char *const *)o->cmd;
	spec.envp = (const char *const *)cmd_env(o->flags & DIOS_CREATE_ANON ?
						 NULL : name);
	spec.refs = &ref;
	spec.n_refs = 1;
	if (!spec.envp) {
		fprintf(stderr, "dios create: out of memory\n");
		return 1;
	}
	ret = dios_run(0, path, &spec, &task);
	if (ret)
		return dios_error("create", o->cmd[0], ret);
	ret = dios_task_wait(task, &status);
	if (ret)
		return dios_error("create", o->cmd[0], ret);
	return status;
}

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{ "anon", no_argument, NULL, 'a' },
		{ "name", optional_argument, NULL, 'N' },
		{ "size", required_argument, NULL, 's' },
		{ "name-rights", required_argument, NULL, 'r' },
		{ "for", required_argument, NULL, 't' },
		{ 0 }
	};
	const struct dios_cmd *cmd = cmd_find("create");
	bool anon = false, named = false, sized = false;
	struct create_opts o;
	int c, ret, type, nopt = argc;

	memset(&o, 0, sizeof(o));
	/* What follows "--" is the command, not options. */
	for (c = 1; c < argc; c++)
		if (!strcmp(argv[c], "--")) {
			nopt = c;
			o.cmd = argv + c + 1;
			break;
		}
	while ((c = next_opt(cmd, nopt, argv, ":jhs:", opts, &ret)) != -1) {
		switch (c) {
		case 'a':
			anon = true;
			break;
		case 'N':
			named = true;
			if (!optarg)
				break;
			if (dios_name_from_str(optarg, &o.args.name))
				return usage_error(cmd, "--name=%s: not 64 hex "
						   "digits", optarg);
			o.flags |= DIOS_CREATE_NAME_GIVEN;
			break;
		case 's':
			if (size_parse(optarg, &o.args.size))
				return usage_error(cmd, "--size %s: want bytes "
						   "above 0 (K, M, G allowed)",
						   optarg);
			sized = true;
			break;
		case 'r':
			if (rights_parse(optarg, &o.args.name_rights))
				return usage_error(cmd, "--name-rights %s: want "
						   "read,write,copy,delete,name "
						   "or a number", optarg);
			break;
		case 't':
			if (secs_parse(optarg, &o.secs))
				return usage_error(cmd, "--for %s: want seconds "
						   "above 0, at most 86400",
						   optarg);
			break;
		}
	}
	if (ret >= 0)
		return ret;
	if (nopt - optind != 1)
		return usage_error(cmd, "wants one type");
	type = type_parse(argv[optind]);
	if (type == DIOS_OBJ_PRIVMEM || type == DIOS_OBJ_TASK || type < 0)
		return usage_error(cmd, "%s: want shmem, blob, stream or "
				   "group%s", argv[optind],
				   type == DIOS_OBJ_PRIVMEM ?
				   " (a privmem object never leaves its task)" :
				   type == DIOS_OBJ_TASK ?
				   " (tasks come from dios_run)" : "");
	o.type = type;
	if (anon && (named || o.args.name_rights))
		return usage_error(cmd, "--anon with a name or its rights");
	if (anon && !o.cmd)
		return usage_error(cmd, "--anon needs a command (-- CMD): "
				   "nothing else could reach the object");
	if (o.cmd && (!o.cmd[0] || o.secs || json))
		return usage_error(cmd, "-- CMD: %s", !o.cmd[0] ?
				   "the command is missing" :
				   "no --for or --json with a command");
	if (sized && type == DIOS_OBJ_GROUP)
		return usage_error(cmd, "a group has no --size");
	if (anon)
		o.flags |= DIOS_CREATE_ANON;
	if (type == DIOS_OBJ_STREAM) {
		o.args.capacity = sized ? o.args.size : DIOS_CHAN_CAPACITY;
		o.args.size = 0;
	} else if (type != DIOS_OBJ_GROUP && !sized) {
		o.args.size = 4096;
	}
	return o.cmd ? create_run(&o) : create_held(&o);
}
