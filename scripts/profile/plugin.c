// SPDX-License-Identifier: GPL-2.0
/*
 * plugin.c - a QEMU TCG plugin for scripts/profile.sh: the instructions
 * the guest executes, per translation block, between two markers.
 *
 * The guest has no PMU under TCG, so perf cannot count there; QEMU itself
 * can.  Each translated block gets an inline counter of its executions; a
 * window opens when the guest runs the block at MARK_START and closes at
 * MARK_STOP (two `ret`s that scripts/profile/probe.c maps at fixed
 * addresses and calls around each measured loop).  Each window is written
 * to the file given as out=PATH as "window N" and one line per block that
 * ran in it: "vaddr instructions-in-block executions".  Blocks are counted
 * whole, which is exact but for the rare block left early by an exception.
 *
 * Built against the plugin API version 1 of QEMU 7.2 (Debian 12's), whose
 * few calls used here are declared below: Debian ships no qemu-plugin.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_START	0x7e5700000000ULL
#define MARK_STOP	0x7e5700000100ULL
#define MAX_BLOCKS	(1UL << 22)

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*atexit_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  vcpu_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, atexit_cb_t cb,
				    void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One translation: never moved, the inline counter points into it. */
struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t count;
	uint64_t base;		/* count when the window opened */
};

static struct block *blocks;
static size_t nr_blocks;
static int open_window, nr_windows;
static const char *out_path = "profile.out";
static FILE *out;

static void window_start(unsigned int vcpu, void *data)
{
	size_t i;

	(void)vcpu, (void)data;
	for (i = 0; i < nr_blocks; i++)
		blocks[i].base = blocks[i].count;
	open_window = 1;
}

static void window_stop(unsigned int vcpu, void *data)
{
	size_t i;

	(void)vcpu, (void)data;
	if (!open_window || !out)
		return;
	fprintf(out, "window %d\n", nr_windows++);
	for (i = 0; i < nr_blocks; i++)
		if (blocks[i].count != blocks[i].base)
			fprintf(out, "%llx %llu %llu\n",
				(unsigned long long)blocks[i].vaddr,
				(unsigned long long)blocks[i].insns,
				(unsigned long long)(blocks[i].count -
						     blocks[i].base));
	fflush(out);
	open_window = 0;
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	(void)id;
	if (vaddr == MARK_START || vaddr == MARK_STOP) {
		qemu_plugin_register_vcpu_tb_exec_cb(tb, vaddr == MARK_START ?
						     window_start : window_stop,
						     QEMU_PLUGIN_CB_NO_REGS,
						     NULL);
		return;
	}
	if (nr_blocks == MAX_BLOCKS) {
		fprintf(stderr, "profile plugin: more than %lu blocks\n",
			MAX_BLOCKS);
		return;
	}
	b = &blocks[nr_blocks++];
	b->vaddr = vaddr;
	b->insns = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->count, 1);
}

static void finished(qemu_plugin_id_t id, void *data)
{
	(void)id, (void)data;
	if (out)
		fclose(out);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
	blocks = calloc(MAX_BLOCKS, sizeof(*blocks));
	out = fopen(out_path, "w");
	if (!blocks || !out) {
		fprintf(stderr, "profile plugin: %s: cannot set up\n", out_path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, finished, NULL);
	return 0;
}
