// SPDX-License-Identifier: GPL-2.0
/*
 * io.c - `dios cat` and `dios send`: an object's content to stdout, data
 * into an object.  Streams go through the copying calls (dios_send,
 * dios_recv: no view is mapped for a short-lived reference); memory and
 * blob objects through one read or write transaction on their window.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

/* Everything on @fd, malloc()ed (NULL and errno on error). */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 65536;
	char *buf = malloc(cap), *bigger;
	ssize_t n;

	*len = 0;
	while (buf) {
		n = read(fd, buf + *len, cap - *len);
		if (n == 0)
			return buf;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		*len += n;
		if (*len < cap)
			continue;
		bigger = realloc(buf, cap * 2);
		if (!bigger)
			break;
		buf = bigger;
		cap *= 2;
	}
	free(buf);
	return NULL;
}

/* One piece of data to stdout: raw (+ newline with -l), or a JSON string. */
static void put_data(const void *buf, size_t len, bool lines, bool first)
{
	if (json) {
		printf("%s", first ? "" : ", ");
		json_bytes(buf, len);
		return;
	}
	fwrite(buf, 1, len, stdout);
	if (lines)
		putchar('\n');
}

struct io_opts {
	unsigned long long count;	/* cat: messages to wait for */
	bool follow;			/* cat: until no writer is left */
	bool lines;
	bool nonblock;			/* send */
	bool windowed;			/* --offset or --length given */
	unsigned long long offset, length;
};

static int cat_stream(const struct target *t, const struct io_opts *o)
{
	uint64_t flags = o->count || o->follow ? 0 : DIOS_NONBLOCK;
	unsigned long long n;
	char *buf = malloc(t->info.size ? t->info.size : 1);
	int ret = 0;

	if (!buf) {
		fprintf(stderr, "dios cat: out of memory\n");
		return 1;
	}
	if (json)
		printf("[");
	for (n = 0; !o->count || n < o->count; n++) {
		ret = dios_recv(flags, t->ref, buf, t->info.size);
		if (ret < 0)
			break;
		put_data(buf, ret, o->lines, !n);
		fflush(stdout);
	}
	if (json)
		printf("]\n");
	free(buf);
	if (ret >= 0 || (ret == -EAGAIN && !o->count) ||
	    (ret == -EPIPE && !o->count))
		return 0;
	if (ret == -EMSGSIZE) {
		fprintf(stderr, "dios cat: %s: the next message carries "
			"references; dios cat reads data only\n", t->arg);
		return 1;
	}
	return dios_error("cat", t->arg, ret);
}

/*
 * The window of a memory or blob object: @o->length bytes (0: to the end)
 * at @o->offset.
 */
static int window(const char *cmd, const struct target *t,
		  const struct io_opts *o, uint64_t *len)
{
	uint64_t size = t->info.size;

	if (o->offset < size && o->length <= size - o->offset) {
		*len = o->length ? o->length : size - o->offset;
		return 0;
	}
	if (o->offset >= size)
		fprintf(stderr, "dios %s: %s: offset %llu is not inside its "
			"%llu bytes\n", cmd, t->arg, o->offset,
			(unsigned long long)size);
	else
		fprintf(stderr, "dios %s: %s: %llu bytes at offset %llu do not "
			"fit in its %llu bytes\n", cmd, t->arg, o->length,
			o->offset, (unsigned long long)size);
	return 1;
}

static int cat_mem(const struct target *t, const struct io_opts *o)
{
	struct dios_iovec iov;
	uint64_t len;
	int ret;

	if (window("cat", t, o, &len))
		return 1;
	memset(&iov, 0, sizeof(iov));
	iov.offset = o->offset;
	ret = dios_acquire_read(0, t->ref, len, &iov);
	if (ret)
		return dios_error("cat", t->arg, ret);
	put_data(iov.buf, iov.len, o->lines, true);
	if (json)
		printf("\n");
	/* A snapshot of a blob: what was read is whole, whatever came since. */
	ret = dios_release_read(0, t->ref, &iov);
	return ret ? dios_error("cat", t->arg, ret) : 0;
}

/* Options of cat and send: the option letter handled, or the status. */
static int io_opt(const struct dios_cmd *cmd, int c, struct io_opts *o)
{
	switch (c) {
	case 'n':
		if (ull_parse(optarg, &o->count) || !o->count)
			return usage_error(cmd, "-n %s: want a count above 0",
					   optarg);
		return 0;
	case 'f':
		o->follow = true;
		return 0;
	case 'l':
		o->lines = true;
		return 0;
	case 'N':
		o->nonblock = true;
		return 0;
	case 'o':
	case 'L':
		o->windowed = true;
		if (!ull_parse(optarg, c == 'o' ? &o->offset : &o->length) &&
		    (c == 'o' || o->length))
			return 0;
		return usage_error(cmd, "--%s %s: want a number of bytes",
				   c == 'o' ? "offset" : "length", optarg);
	}
	return usage_error(cmd, "unknown option");
}

/* Check the type and the options that go with it. */
static int io_check(const struct dios_cmd *cmd, const struct target *t,
		    const struct io_opts *o)
{
	switch (t->info.type) {
	case DIOS_OBJ_STREAM:
		if (o->windowed)
			return usage_error(cmd, "--offset, --length: not for "
					   "a stream");
		return 0;
	case DIOS_OBJ_SHMEM:
	case DIOS_OBJ_BLOB:
	case DIOS_OBJ_PRIVMEM:
		if (o->count || o->follow || o->nonblock ||
		    (o->lines && cmd->run != cmd_cat))
			return usage_error(cmd, "-n, -f, --nonblock%s: only "
					   "for a stream", cmd->run != cmd_cat ?
					   ", -l" : "");
		return 0;
	}
	fprintf(stderr, "dios %s: %s: a %s has no content\n", cmd->name,
		t->arg, type_name(t->info.type));
	return 1;
}

int cmd_cat(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{ "count", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", no_argument, NULL, 'l' },
		{ "offset", required_argument, NULL, 'o' },
		{ "length", required_argument, NULL, 'L' },
		{ 0 }
	};
	const struct dios_cmd *cmd = cmd_find("cat");
	struct io_opts o;
	struct target t;
	int c, ret;

	memset(&o, 0, sizeof(o));
	while ((c = next_opt(cmd, argc, argv, ":jhn:fl", opts, &ret)) != -1) {
		ret = io_opt(cmd, c, &o);
		if (ret)
			return ret;
	}
	if (ret >= 0)
		return ret;
	if (argc - optind != 1)
		return usage_error(cmd, "wants one name or handle");
	ret = target_open(cmd, argv[optind], false, &t);
	if (ret)
		return ret;
	ret = io_check(cmd, &t, &o) ?: target_narrow(cmd, &t, DIOS_RIGHT_READ);
	if (ret)
		return ret;
	return t.info.type == DIOS_OBJ_STREAM ? cat_stream(&t, &o) :
						cat_mem(&t, &o);
}

static int send_stream(const struct target *t, const struct io_opts *o,
		       const char *data, size_t len, unsigned long *msgs)
{
	uint64_t flags = o->nonblock ? DIOS_NONBLOCK : 0;
	const char *p = data, *end = data + len, *nl;
	int ret;

	if (!o->lines) {
		*msgs = 1;
		return dios_send(flags, t->ref, data, len);
	}
	for (*msgs = 0; p < end; p = nl + 1, ++*msgs) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		ret = dios_send(flags, t->ref, p, nl - p);
		if (ret)
			return ret;
	}
	return 0;
}

/* Write @len bytes at the offset: a blob commit is -ESTALE if raced. */
static int send_mem(const struct target *t, const struct io_opts *o,
		    const char *data, size_t len)
{
	struct dios_iovec iov;
	int ret, tries = 0;

	do {
		memset(&iov, 0, sizeof(iov));
		iov.offset = o->offset;
		ret = dios_acquire_write(0, t->ref, len, &iov);
		if (ret)
			return ret;
		memcpy(iov.buf, data, len);
		ret = dios_commit_write(0, t->ref, len, &iov);
		if (ret)
			dios_release_write(0, t->ref, &iov);
	} while (ret == -ESTALE && ++tries < 100);
	return ret;
}

int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{ "lines", no_argument, NULL, 'l' },
		{ "nonblock", no_argument, NULL, 'N' },
		{ "offset", required_argument, NULL, 'o' },
		{ 0 }
	};
	const struct dios_cmd *cmd = cmd_find("send");
	unsigned long msgs = 0;
	struct io_opts o;
	struct target t;
	uint64_t wlen;
	char *data;
	size_t len;
	int c, ret;

	memset(&o, 0, sizeof(o));
	while ((c = next_opt(cmd, argc, argv, ":jhl", opts, &ret)) != -1) {
		ret = io_opt(cmd, c, &o);
		if (ret)
			return ret;
	}
	if (ret >= 0)
		return ret;
	if (argc - optind < 1 || argc - optind > 2)
		return usage_error(cmd, "wants a name or handle, then the "
				   "data or -");
	ret = target_open(cmd, argv[optind], false, &t);
	if (ret)
		return ret;
	ret = io_check(cmd, &t, &o) ?: target_narrow(cmd, &t, DIOS_RIGHT_WRITE);
	if (ret)
		return ret;
	if (argc - optind == 2 && strcmp(argv[optind + 1], "-")) {
		data = strdup(argv[optind + 1]);
		len = data ? strlen(data) : 0;
	} else {
		data = read_all(0, &len);
	}
	if (!data) {
		perror("dios send: stdin");
		return 1;
	}
	if (t.info.type == DIOS_OBJ_STREAM) {
		ret = send_stream(&t, &o, data, len, &msgs);
	} else {
		o.length = len;
		if (!len) {
			fprintf(stderr, "dios send: %s: no data to write\n",
				t.arg);
			free(data);
			return 1;
		}
		ret = window("send", &t, &o, &wlen) ?:
		      send_mem(&t, &o, data, len);
	}
	free(data);
	if (ret)
		return ret == 1 ? 1 : dios_error("send", t.arg, ret);
	if (json)
		printf("{\"messages\": %lu, \"bytes\": %zu}\n", msgs, len);
	return 0;
}
