// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - the dios command's output, text or JSON, the parsing of what
 * its command lines give (types, rights, sizes, numbers) and its clock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

char *slurp(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1), *bigger;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f || !buf) {
		int err = errno;

		free(buf);
		if (f)
			fclose(f);
		errno = err;
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len < cap)
			continue;
		bigger = realloc(buf, 2 * cap + 1);
		if (!bigger)
			break;
		buf = bigger;
		cap *= 2;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Print @s (up to @n bytes or its NUL) as a JSON string. */
void json_str(const char *s, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/*
 * Print @n bytes of data as a JSON string, each byte one character: bytes
 * from 0x80 up as \u0080..\u00ff (Latin-1), NULs included.
 */
void json_bytes(const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			printf("\\u%04x", p[i]);
		else
			putchar(p[i]);
	}
	putchar('"');
}

/* A value in JSON: a number if it is one in decimal, else a string. */
void json_val(const char *v, size_t n)
{
	size_t i = v[0] == '-' ? 1 : 0;

	if (n > i && n < 20 && strspn(v + i, "0123456789") == n - i &&
	    (v[i] != '0' || n == i + 1))
		printf("%.*s", (int)n, v);
	else
		json_str(v, n);
}

/* "key": value, after a comma unless it is the object's first member. */
void json_member(bool *first, const char *k, size_t klen, const char *v,
		 size_t vlen)
{
	printf("%s", *first ? "" : ", ");
	json_str(k, klen);
	printf(": ");
	json_val(v, vlen);
	*first = false;
}

/* One line of "key=value key=value ..." as a JSON object. */
void json_kv_line(const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	bool first = true;

	putchar('{');
	while (p < end) {
		const char *tok_end = memchr(p, ' ', end - p);
		const char *eq;

		if (!tok_end)
			tok_end = end;
		eq = memchr(p, '=', tok_end - p);
		if (eq)
			json_member(&first, p, eq - p, eq + 1, tok_end - eq - 1);
		p = tok_end + 1;
	}
	putchar('}');
}

void record_begin(struct record *r)
{
	r->first = true;
	if (json)
		putchar('{');
}

void record_field(struct record *r, const char *key, const char *fmt, ...)
{
	char val[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (json)
		json_member(&r->first, key, strlen(key), val, strlen(val));
	else
		printf("%-14s %s\n", key, val);
}

void record_list(struct record *r, const char *key, const long *v, size_t n)
{
	size_t i;

	if (json) {
		printf("%s\"%s\": [", r->first ? "" : ", ", key);
		r->first = false;
	} else {
		printf("%-14s ", key);
	}
	for (i = 0; i < n; i++)
		printf("%s%ld", !i ? "" : json ? ", " : ",", v[i]);
	printf(json ? "]" : "\n");
}

void record_end(struct record *r)
{
	(void)r;
	if (json)
		printf("}\n");
}

bool kv_get(const char *line, size_t len, const char *key, const char **v,
	    size_t *vlen)
{
	size_t klen = strlen(key);
	const char *p = line, *end = line + len, *sp;

	while (p < end) {
		sp = memchr(p, ' ', end - p);
		if (!sp)
			sp = end;
		if ((size_t)(sp - p) > klen && !strncmp(p, key, klen) &&
		    p[klen] == '=') {
			*v = p + klen + 1;
			*vlen = sp - *v;
			return true;
		}
		p = sp + 1;
	}
	return false;
}

bool kv_ull(const char *line, size_t len, const char *key,
	    unsigned long long *out)
{
	const char *v;
	size_t n;

	if (!kv_get(line, len, key, &v, &n))
		return false;
	*out = strtoull(v, NULL, 0);
	return true;
}

static const char *const type_names[] = {
	[DIOS_OBJ_PRIVMEM] = "privmem",
	[DIOS_OBJ_SHMEM] = "shmem",
	[DIOS_OBJ_BLOB] = "blob",
	[DIOS_OBJ_STREAM] = "stream",
	[DIOS_OBJ_TASK] = "task",
	[DIOS_OBJ_GROUP] = "group",
};
#define NR_TYPES	(sizeof(type_names) / sizeof(*type_names))

const char *type_name(uint32_t type)
{
	return type < NR_TYPES && type_names[type] ? type_names[type] :
						     "unknown";
}

/* DIOS_OBJ_*, or -1. */
int type_parse(const char *s)
{
	unsigned int t;

	for (t = 1; t < NR_TYPES; t++)
		if (!strcmp(s, type_names[t]))
			return t;
	return -1;
}

static const char *const right_names[] = {
	"read", "write", "copy", "delete", "name",
};
#define NR_RIGHTS	(sizeof(right_names) / sizeof(*right_names))

/* "0x1f (read,write,copy,delete,name)", "0 (none)". */
void rights_str(uint64_t rights, char *buf, size_t size)
{
	size_t i, n;

	n = snprintf(buf, size, "%#llx (", (unsigned long long)rights);
	for (i = 0; i < NR_RIGHTS && n < size; i++)
		if (rights & (1ULL << i))
			n += snprintf(buf + n, size - n, "%s%s",
				      buf[n - 1] == '(' ? "" : ",",
				      right_names[i]);
	if (n < size)
		snprintf(buf + n, size - n, "%s)", rights ? "" : "none");
}

/* "read,copy", or a number (0x5); 0 or -1. */
int rights_parse(const char *s, unsigned long long *rights)
{
	char *copy, *tok, *save, *end;
	unsigned long long v;
	size_t i;
	int ret = 0;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtoull(s, &end, 0);
		if (errno || *end || v & ~DIOS_RIGHTS_ALL)
			return -1;
		*rights = v;
		return 0;
	}
	copy = strdup(s);
	if (!copy)
		return -1;
	*rights = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NR_RIGHTS && strcmp(tok, right_names[i]); i++)
			;
		if (i == NR_RIGHTS)
			ret = -1;
		else
			*rights |= 1ULL << i;
	}
	free(copy);
	return *rights ? ret : -1;
}

/* A decimal or 0x number, all of @s; 0 or -1. */
int ull_parse(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

/* Bytes, with an optional K, M or G (powers of 1024); > 0.  0 or -1. */
int size_parse(const char *s, unsigned long long *size)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -1;
	if (*end && !end[1]) {
		const char *units = "KMG", *u = strchr(units, *end);

		if (!u)
			return -1;
		shift = 10 * (u - units + 1);
		end++;
	}
	if (*end || !v || v > (~0ULL >> shift))
		return -1;
	*size = v << shift;
	return 0;
}

/* Seconds, fractions allowed: > 0 and at most a day; 0 or -1. */
int secs_parse(const char *s, double *secs)
{
	char *end;

	errno = 0;
	*secs = strtod(s, &end);
	return errno || *end || end == s || !(*secs > 0) || *secs > 86400 ?
	       -1 : 0;
}

int dios_error(const char *cmd, const char *what, int err)
{
	fprintf(stderr, "dios %s: %s: %s\n", cmd, what, dios_strerror(err));
	return 1;
}

double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void sleep_secs(double secs)
{
	struct timespec ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
