// SPDX-License-Identifier: GPL-2.0
/*
 * dios-demo: a short tour of the dios module for `make run`.  Prints the
 * module's version, features and limits, creates a named shared-memory
 * object and an anonymous stream, shows names and reference metadata,
 * duplicates with fewer rights, looks a name up and zombifies an object.
 * If the module does stream I/O, a forked child reads the messages its
 * parent writes to a named stream.  Exits 0 if every step worked, 1 with a message otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dios.h"

#define STEP(call) do {							\
	int __ret = (call);						\
	if (__ret < 0) {						\
		fprintf(stderr, "dios-demo: %s failed: %s (%s)\n",	\
			#call, strerror(-__ret), dios_strerror(__ret));	\
		return 1;						\
	}								\
} while (0)

static const char *type_name(uint32_t type)
{
	static const char *const names[] = {
		[DIOS_OBJ_PRIVMEM] = "PRIVMEM", [DIOS_OBJ_SHMEM] = "SHMEM",
		[DIOS_OBJ_BLOB] = "BLOB", [DIOS_OBJ_STREAM] = "STREAM",
		[DIOS_OBJ_TASK] = "TASK", [DIOS_OBJ_GROUP] = "GROUP",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "?";
}

static void print_rights(uint64_t r)
{
	printf("%c%c%c%c%c",
	       r & DIOS_RIGHT_READ ? 'r' : '-', r & DIOS_RIGHT_WRITE ? 'w' : '-',
	       r & DIOS_RIGHT_COPY ? 'c' : '-',
	       r & DIOS_RIGHT_DELETE ? 'd' : '-', r & DIOS_RIGHT_NAME ? 'n' : '-');
}

static int show(const char *what, dios_ref_t ref)
{
	struct dios_ref_info info;

	STEP(dios_ref_info(ref, &info));
	printf("  %-14s ref %#018" PRIx64 "  %-7s %-6s rights ", what, ref,
	       type_name(info.type),
	       info.state == DIOS_REF_LIVE ? "live" :
	       info.state == DIOS_REF_ZOMBIE ? "ZOMBIE" : "?");
	print_rights(info.rights);
	printf("  size %" PRIu64 "  named %s\n", (uint64_t)info.size,
	       info.has_name ? "yes" : "no");
	return 0;
}

static void print_features(uint64_t f)
{
	static const struct { uint64_t bit; const char *name; } feats[] = {
		{ DIOS_FEAT_OBJECTS, "objects" },
		{ DIOS_FEAT_META_MAP, "meta-map" },
		{ DIOS_FEAT_GROUPS, "groups" },
		{ DIOS_FEAT_IO_MEM, "io-mem" },
		{ DIOS_FEAT_IO_BLOB, "io-blob" },
		{ DIOS_FEAT_IO_STREAM, "io-stream" },
		{ DIOS_FEAT_IO_REFS, "io-refs" },
		{ DIOS_FEAT_IO_FORWARD, "io-forward" },
		{ DIOS_FEAT_SELECT, "select" },
		{ DIOS_FEAT_TASKS, "tasks" },
	};
	size_t i;

	printf("features:  %#" PRIx64 " (", f);
	for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
		if (f & feats[i].bit)
			printf(" %s", feats[i].name);
	printf(" )\n");
}

static const char *const messages[] = {
	"hello from the parent",
	"each commit_write is one message",
	"bye",
};

#define N_MESSAGES (sizeof(messages) / sizeof(messages[0]))

/* The child: find the stream by name and read every message. */
static int stream_reader(const struct dios_name *name)
{
	dios_ref_t s;
	size_t i;

	STEP(dios_lookup(0, name, DIOS_REF_NONE, &s));
	for (i = 0; i < N_MESSAGES; i++) {
		struct dios_iovec r;

		memset(&r, 0, sizeof(r));
		STEP(dios_acquire_read(0, s, 4096, &r));
		printf("  child read   %2" PRIu64 " bytes at %p: \"%.*s\"\n",
		       (uint64_t)r.len, r.buf, (int)r.len, (const char *)r.buf);
		if (r.len != strlen(messages[i]) ||
		    memcmp(r.buf, messages[i], r.len)) {
			fprintf(stderr, "dios-demo: message %zu garbled\n", i);
			return 1;
		}
		STEP(dios_commit_read(0, s, &r));
	}
	return 0;
}

/* A parent writes to a named stream, a forked child reads. */
static int stream_exchange(void)
{
	struct dios_create_args args = { .capacity = 16 * 1024 };
	struct dios_name name;
	dios_ref_t s;
	int status;
	size_t i;
	pid_t pid;

	printf("\nstream I/O: the parent writes, a forked child reads:\n");
	STEP(dios_create(0, DIOS_OBJ_STREAM, &args, &s, &name));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("dios-demo: fork");
		return 1;
	}
	if (pid == 0)
		_exit(stream_reader(&name));
	for (i = 0; i < N_MESSAGES; i++) {
		size_t len = strlen(messages[i]);
		struct dios_iovec w;

		memset(&w, 0, sizeof(w));
		STEP(dios_acquire_write(0, s, len, &w));
		memcpy(w.buf, messages[i], len);
		STEP(dios_commit_write(0, s, len, &w));
		printf("  parent wrote %2zu bytes at %p\n", len, w.buf);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "dios-demo: the reader failed\n");
		return 1;
	}
	STEP(dios_delete(0, s));
	return 0;
}

int main(void)
{
	struct dios_create_args shm_args = { .size = 64 * 1024 };
	struct dios_create_args stream_args = { .capacity = 16 * 1024 };
	struct dios_version_req v;
	struct dios_name name, anon_name;
	dios_ref_t shm, stream, ro, found, keep;
	struct dios_ref_info info;
	char hex[65];
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = dios_context_fd();
	if (fd < 0) {
		fprintf(stderr, "dios-demo: cannot open /dev/dios: %s\n",
			dios_strerror(fd));
		return 1;
	}
	STEP(dios_version(&v));
	printf("dios module %.32s, ABI %u.%u (library built for %u.%u)\n",
	       (const char *)v.release, v.abi_major, v.abi_minor,
	       (unsigned int)DIOS_ABI_MAJOR, (unsigned int)DIOS_ABI_MINOR);
	print_features(v.features);
	printf("limits:    %u refs/task, %" PRIu64 " objects/user, "
	       "%" PRIu64 " bytes/object, %" PRIu64 " bytes/stream, "
	       "%u refs/select\n", v.max_refs, (uint64_t)v.max_objects,
	       (uint64_t)v.max_size, (uint64_t)v.max_capacity, v.max_select);
	printf("context:   fd %d, metadata map %" PRIu64 " bytes\n\n", fd,
	       (uint64_t)v.meta_map_size);

	printf("create a named SHMEM object and an anonymous STREAM:\n");
	STEP(dios_create(0, DIOS_OBJ_SHMEM, &shm_args, &shm, &name));
	STEP(dios_create(DIOS_CREATE_ANON, DIOS_OBJ_STREAM, &stream_args,
			 &stream, &anon_name));
	STEP(dios_name_to_str(&name, hex));
	printf("  shmem name     %s\n", hex);
	STEP(dios_name_to_str(&anon_name, hex));
	printf("  stream name    %s (anonymous)\n", hex);
	if (show("shmem", shm) || show("stream", stream))
		return 1;

	printf("\nduplicate the SHMEM reference read-only:\n");
	STEP(dios_dup(shm, DIOS_RIGHT_READ, &ro));
	if (show("read-only dup", ro))
		return 1;
	if (dios_delete(DIOS_DELETE_ZOMBIFY, ro) != -EACCES) {
		fprintf(stderr, "dios-demo: read-only dup could zombify\n");
		return 1;
	}
	printf("  zombify through it: refused (-EACCES), as it lacks DELETE\n");

	printf("\nlook the name up:\n");
	STEP(dios_lookup(0, &name, DIOS_REF_NONE, &found));
	if (show("found", found))
		return 1;

	printf("\nzombify the SHMEM object through the original reference:\n");
	STEP(dios_dup(shm, DIOS_RIGHTS_ALL, &keep));
	STEP(dios_delete(DIOS_DELETE_ZOMBIFY, shm));
	if (show("other ref", keep) || show("read-only dup", ro))
		return 1;
	STEP(dios_ref_info(keep, &info));
	if (info.state != DIOS_REF_ZOMBIE) {
		fprintf(stderr, "dios-demo: object is not a zombie\n");
		return 1;
	}
	if (dios_lookup(0, &name, DIOS_REF_NONE, &found) != -ENOENT) {
		fprintf(stderr, "dios-demo: zombie's name still resolves\n");
		return 1;
	}
	printf("  its name no longer resolves (-ENOENT); dup gives %s\n",
	       strerror(-dios_dup(keep, DIOS_RIGHT_READ, &found)));
	STEP(dios_delete(0, keep));
	STEP(dios_delete(0, ro));
	STEP(dios_delete(0, stream));
	if ((v.features & DIOS_FEAT_IO_STREAM) && stream_exchange())
		return 1;
	printf("\ndios-demo: all steps succeeded\n");
	return 0;
}
