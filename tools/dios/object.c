// SPDX-License-Identifier: GPL-2.0
/*
 * object.c - objects as the dios command line names them, and the commands
 * that look at them through libdios, as any user who may open /dev/dios:
 * lookup, stat, zombify (create.c creates, io.c reads and writes).
 *
 * An object is named on the command line by its name (64 hex digits,
 * looked up in the global group: dios then holds a reference of its own
 * for as long as it runs) or by a handle (0x100000001) of dios's own
 * context: one that a program delegated to it when it started dios with
 * dios_run, as `dios create TYPE -- CMD` does for CMD.
 */
#include <errno.h>
#include <string.h>

#include "tool.h"

int target_open(const struct dios_cmd *cmd, const char *arg,
		bool names_only, struct target *t)
{
	unsigned long long h;
	int ret;

	memset(t, 0, sizeof(*t));
	t->arg = arg;
	if (!dios_name_from_str(arg, &t->name)) {
		t->by_name = true;
		ret = dios_lookup(0, &t->name, DIOS_REF_NONE, &t->ref);
		if (ret)
			return dios_error(cmd->name, arg, ret);
	} else if (!names_only && !ull_parse(arg, &h) && h) {
		t->ref = h;
		/* dios_ref_info reads the map of an open context only. */
		ret = dios_context_fd();
		if (ret < 0)
			return dios_error(cmd->name, arg, ret);
	} else {
		return usage_error(cmd, "not a name (64 hex digits)%s: %s",
				   names_only ? "" : " or a handle", arg);
	}
	ret = dios_ref_info(t->ref, &t->info);
	if (ret == -EBADF && !t->by_name) {
		dios_error(cmd->name, arg, ret);
		fprintf(stderr, "(a handle names a reference of dios's own "
			"context, one a program gave it with dios_run; "
			"`dios refs PID` lists another process's)\n");
		return 1;
	}
	return ret ? dios_error(cmd->name, arg, ret) : 0;
}

/*
 * A looked-up reference keeps only @rights when it may be duplicated: one
 * dios holds with READ counts as a reader of a stream, with WRITE as a
 * writer, and would change what others see (-EPIPE).
 */
int target_narrow(const struct dios_cmd *cmd, struct target *t,
		  uint64_t rights)
{
	dios_ref_t narrow;
	int ret;

	if (!(t->info.rights & rights))
		return dios_error(cmd->name, t->arg, -EACCES);
	if (!t->by_name || !(t->info.rights & DIOS_RIGHT_COPY) ||
	    !(t->info.rights & ~rights))
		return 0;
	ret = dios_dup(t->ref, t->info.rights & rights, &narrow);
	if (ret)
		return dios_error(cmd->name, t->arg, ret);
	dios_delete(0, t->ref);
	t->ref = narrow;
	t->info.rights &= rights;
	return 0;
}

/* The type, state, rights and size of @t. */
static void target_fields(struct record *r, const struct target *t)
{
	char rights[96], name[65];
	struct dios_name n;

	if (t->by_name)
		record_field(r, "name", "%s", t->arg);
	else if (!dios_ref_name(t->ref, &n) && !dios_name_to_str(&n, name))
		record_field(r, "name", "%s", name);
	if (!t->by_name)
		record_field(r, "handle", "%#llx", (unsigned long long)t->ref);
	record_field(r, "type", "%s", type_name(t->info.type));
	record_field(r, "state", "%s", t->info.state == DIOS_REF_ZOMBIE ?
		     "zombie" : "live");
	rights_str(t->info.rights, rights, sizeof(rights));
	if (json)
		rights[strcspn(rights, " ")] = '\0';
	record_field(r, "rights", "%s", rights);
	if (t->info.type == DIOS_OBJ_STREAM)
		record_field(r, "capacity", "%llu",
			     (unsigned long long)t->info.size);
	else if (t->info.type != DIOS_OBJ_TASK &&
		 t->info.type != DIOS_OBJ_GROUP)
		record_field(r, "size", "%llu",
			     (unsigned long long)t->info.size);
}

/* `dios lookup NAME`, `dios stat NAME|HANDLE`. */
static int describe(const char *name, int argc, char **argv)
{
	const struct dios_cmd *cmd = cmd_find(name);
	bool stat = !strcmp(name, "stat");
	struct record r;
	struct target t;
	int ret;

	ret = plain_opts(name, argc, argv, stat ? "a name or handle" :
			 "a name");
	if (ret >= 0)
		return ret;
	ret = target_open(cmd, argv[optind], !stat, &t);
	if (ret)
		return ret;
	record_begin(&r);
	target_fields(&r, &t);
	if (stat) {
		record_field(&r, "read_buf_max", "%llu",
			     (unsigned long long)t.info.read_buf_max);
		record_field(&r, "write_buf_max", "%llu",
			     (unsigned long long)t.info.write_buf_max);
		if (!object_state(&r, t.ref, t.info.rights, t.by_name) &&
		    !json)
			fprintf(stderr, "dios stat: the object's state "
				"(queue, references, views) is read from "
				DIOS_DIR ", which needs root\n");
	}
	record_end(&r);
	return 0;
}

int cmd_lookup(int argc, char **argv)
{
	return describe("lookup", argc, argv);
}

int cmd_stat(int argc, char **argv)
{
	return describe("stat", argc, argv);
}

int cmd_zombify(int argc, char **argv)
{
	const struct dios_cmd *cmd = cmd_find("zombify");
	struct target t;
	int ret;

	ret = plain_opts("zombify", argc, argv, "a name or handle");
	if (ret >= 0)
		return ret;
	ret = target_open(cmd, argv[optind], false, &t);
	if (ret)
		return ret;
	ret = dios_delete(DIOS_DELETE_ZOMBIFY, t.ref);
	if (ret)
		return dios_error(cmd->name, t.arg, ret);
	if (json) {
		printf("{\"zombified\": ");
		json_str(t.arg, strlen(t.arg));
		printf("}\n");
	}
	return 0;
}
