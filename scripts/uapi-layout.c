// SPDX-License-Identifier: GPL-2.0
/*
 * uapi-layout.c - the layout of every struct of uapi/linux/dios.h, as a
 * table of static assertions that scripts/lint.sh compiles for each ABI
 * (x86_64, i386, aarch64, armhf): the kernel ABI must be byte-identical on
 * all of them, so that a 32-bit task talks to a 64-bit kernel unchanged.
 *
 * Changing a struct means changing its rows here, and nothing else: S()
 * gives a struct's size, F() each field's offset and size, in order.  The
 * fields' sizes must add up to the struct's: a field left out, or padding
 * the compiler inserts on one ABI and not on another, fails the build.
 * lint.sh also fails if a struct of the header has no S() row.
 */

#include <stddef.h>
#include <linux/dios.h>

#define DIOS_UAPI_LAYOUT(S, F)						\
	S(dios_name, 32)						\
		F(dios_name, raw, 0, 32)				\
	S(dios_create_args, 64)						\
		F(dios_create_args, size, 0, 8)				\
		F(dios_create_args, capacity, 8, 8)			\
		F(dios_create_args, group, 16, 8)			\
		F(dios_create_args, name_rights, 24, 8)			\
		F(dios_create_args, name, 32, 32)			\
	S(dios_ref_info, 48)						\
		F(dios_ref_info, type, 0, 4)				\
		F(dios_ref_info, state, 4, 4)				\
		F(dios_ref_info, rights, 8, 8)				\
		F(dios_ref_info, size, 16, 8)				\
		F(dios_ref_info, read_buf_max, 24, 8)			\
		F(dios_ref_info, write_buf_max, 32, 8)			\
		F(dios_ref_info, proximity, 40, 4)			\
		F(dios_ref_info, has_name, 44, 4)			\
	S(dios_meta_header, 16)						\
		F(dios_meta_header, magic, 0, 4)			\
		F(dios_meta_header, nr_slots, 4, 4)			\
		F(dios_meta_header, entry_size, 8, 4)			\
		F(dios_meta_header, entries_offset, 12, 4)		\
	S(dios_ref_meta, 64)						\
		F(dios_ref_meta, seq, 0, 4)				\
		F(dios_ref_meta, gen, 4, 4)				\
		F(dios_ref_meta, info, 8, 48)				\
		F(dios_ref_meta, __reserved, 56, 8)			\
	S(dios_version_req, 88)						\
		F(dios_version_req, abi_major, 0, 4)			\
		F(dios_version_req, abi_minor, 4, 4)			\
		F(dios_version_req, features, 8, 8)			\
		F(dios_version_req, max_refs, 16, 4)			\
		F(dios_version_req, max_select, 20, 4)			\
		F(dios_version_req, max_objects, 24, 8)			\
		F(dios_version_req, max_size, 32, 8)			\
		F(dios_version_req, max_capacity, 40, 8)		\
		F(dios_version_req, meta_map_size, 48, 8)		\
		F(dios_version_req, release, 56, 32)			\
	S(dios_create_req, 120)						\
		F(dios_create_req, flags, 0, 8)				\
		F(dios_create_req, type, 8, 4)				\
		F(dios_create_req, __pad, 12, 4)			\
		F(dios_create_req, ref, 16, 8)				\
		F(dios_create_req, name, 24, 32)			\
		F(dios_create_req, args, 56, 64)			\
	S(dios_lookup_req, 56)						\
		F(dios_lookup_req, flags, 0, 8)				\
		F(dios_lookup_req, group, 8, 8)				\
		F(dios_lookup_req, name, 16, 32)			\
		F(dios_lookup_req, ref, 48, 8)				\
	S(dios_publish_req, 64)						\
		F(dios_publish_req, flags, 0, 8)			\
		F(dios_publish_req, ref, 8, 8)				\
		F(dios_publish_req, group, 16, 8)			\
		F(dios_publish_req, name_rights, 24, 8)			\
		F(dios_publish_req, name, 32, 32)			\
	S(dios_dup_req, 32)						\
		F(dios_dup_req, flags, 0, 8)				\
		F(dios_dup_req, ref, 8, 8)				\
		F(dios_dup_req, rights, 16, 8)				\
		F(dios_dup_req, new_ref, 24, 8)				\
	S(dios_copy_req, 48)						\
		F(dios_copy_req, flags, 0, 8)				\
		F(dios_copy_req, task, 8, 8)				\
		F(dios_copy_req, refs, 16, 8)				\
		F(dios_copy_req, rights, 24, 8)				\
		F(dios_copy_req, remote_refs, 32, 8)			\
		F(dios_copy_req, n, 40, 4)				\
		F(dios_copy_req, __pad, 44, 4)				\
	S(dios_delete_req, 16)						\
		F(dios_delete_req, flags, 0, 8)				\
		F(dios_delete_req, ref, 8, 8)				\
	S(dios_name_req, 48)						\
		F(dios_name_req, flags, 0, 8)				\
		F(dios_name_req, ref, 8, 8)				\
		F(dios_name_req, name, 16, 32)				\
	S(dios_task_self_req, 16)					\
		F(dios_task_self_req, flags, 0, 8)			\
		F(dios_task_self_req, ref, 8, 8)			\
	S(dios_io_req, 80)						\
		F(dios_io_req, flags, 0, 8)				\
		F(dios_io_req, ref, 8, 8)				\
		F(dios_io_req, len, 16, 8)				\
		F(dios_io_req, offset, 24, 8)				\
		F(dios_io_req, addr, 32, 8)				\
		F(dios_io_req, refs, 40, 8)				\
		F(dios_io_req, n_refs, 48, 4)				\
		F(dios_io_req, __pad, 52, 4)				\
		F(dios_io_req, src_ref, 56, 8)				\
		F(dios_io_req, next_len, 64, 8)				\
		F(dios_io_req, done, 72, 4)				\
		F(dios_io_req, __pad2, 76, 4)				\
	S(dios_xfer_req, 64)						\
		F(dios_xfer_req, flags, 0, 8)				\
		F(dios_xfer_req, send_ref, 8, 8)			\
		F(dios_xfer_req, send_buf, 16, 8)			\
		F(dios_xfer_req, send_len, 24, 8)			\
		F(dios_xfer_req, recv_ref, 32, 8)			\
		F(dios_xfer_req, recv_buf, 40, 8)			\
		F(dios_xfer_req, recv_len, 48, 8)			\
		F(dios_xfer_req, done, 56, 4)				\
		F(dios_xfer_req, __pad, 60, 4)				\
	S(dios_ring_kern, 32)						\
		F(dios_ring_kern, magic, 0, 4)				\
		F(dios_ring_kern, flags, 4, 4)				\
		F(dios_ring_kern, rwake, 8, 4)				\
		F(dios_ring_kern, wwake, 12, 4)				\
		F(dios_ring_kern, ring_size, 16, 8)			\
		F(dios_ring_kern, capacity, 24, 8)			\
	S(dios_ring_pos, 8)						\
		F(dios_ring_pos, pos, 0, 8)				\
	S(dios_ring_frame, 8)						\
		F(dios_ring_frame, len, 0, 4)				\
		F(dios_ring_frame, flags, 4, 4)				\
	S(dios_ring_req, 80)						\
		F(dios_ring_req, flags, 0, 8)				\
		F(dios_ring_req, op, 8, 4)				\
		F(dios_ring_req, side, 12, 4)				\
		F(dios_ring_req, ref, 16, 8)				\
		F(dios_ring_req, pos, 24, 8)				\
		F(dios_ring_req, wake_ref, 32, 8)			\
		F(dios_ring_req, addr, 40, 8)				\
		F(dios_ring_req, own, 48, 8)				\
		F(dios_ring_req, ring_size, 56, 8)			\
		F(dios_ring_req, refs, 64, 8)				\
		F(dios_ring_req, n_refs, 72, 4)				\
		F(dios_ring_req, __pad, 76, 4)				\
	S(dios_xfer_batch_req, 32)					\
		F(dios_xfer_batch_req, flags, 0, 8)			\
		F(dios_xfer_batch_req, reqs, 8, 8)			\
		F(dios_xfer_batch_req, n, 16, 4)			\
		F(dios_xfer_batch_req, req_size, 20, 4)			\
		F(dios_xfer_batch_req, count, 24, 4)			\
		F(dios_xfer_batch_req, error, 28, 4)			\
	S(dios_select_req, 40)						\
		F(dios_select_req, flags, 0, 8)				\
		F(dios_select_req, refs, 8, 8)				\
		F(dios_select_req, n, 16, 4)				\
		F(dios_select_req, events, 20, 4)			\
		F(dios_select_req, timeout_ns, 24, 8)			\
		F(dios_select_req, ready_index, 32, 4)			\
		F(dios_select_req, __pad, 36, 4)			\
	S(dios_interest_req, 32)					\
		F(dios_interest_req, flags, 0, 8)			\
		F(dios_interest_req, ref, 8, 8)				\
		F(dios_interest_req, events, 16, 4)			\
		F(dios_interest_req, __pad, 20, 4)			\
		F(dios_interest_req, cookie, 24, 8)			\
	S(dios_interest_event, 16)					\
		F(dios_interest_event, cookie, 0, 8)			\
		F(dios_interest_event, events, 8, 4)			\
		F(dios_interest_event, __pad, 12, 4)			\
	S(dios_interest_wait_req, 32)					\
		F(dios_interest_wait_req, flags, 0, 8)			\
		F(dios_interest_wait_req, events, 8, 8)			\
		F(dios_interest_wait_req, max, 16, 4)			\
		F(dios_interest_wait_req, count, 20, 4)			\
		F(dios_interest_wait_req, timeout_ns, 24, 8)		\
	S(dios_run_req, 64)						\
		F(dios_run_req, flags, 0, 8)				\
		F(dios_run_req, refs, 8, 8)				\
		F(dios_run_req, rights, 16, 8)				\
		F(dios_run_req, task, 24, 8)				\
		F(dios_run_req, pid, 32, 4)				\
		F(dios_run_req, n_refs, 36, 4)				\
		F(dios_run_req, capacity, 40, 8)			\
		F(dios_run_req, chan_tx, 48, 8)				\
		F(dios_run_req, chan_rx, 56, 8)				\
	S(dios_task_refs_req, 24)					\
		F(dios_task_refs_req, flags, 0, 8)			\
		F(dios_task_refs_req, refs, 8, 8)			\
		F(dios_task_refs_req, n, 16, 4)				\
		F(dios_task_refs_req, __pad, 20, 4)			\
	S(dios_task_req, 16)						\
		F(dios_task_req, flags, 0, 8)				\
		F(dios_task_req, task, 8, 8)				\
	S(dios_task_wait_req, 32)					\
		F(dios_task_wait_req, flags, 0, 8)			\
		F(dios_task_wait_req, task, 8, 8)			\
		F(dios_task_wait_req, status, 16, 4)			\
		F(dios_task_wait_req, pid, 20, 4)			\
		F(dios_task_wait_req, reap, 24, 4)			\
		F(dios_task_wait_req, __pad, 28, 4)			\

/* Each field where the table says, of the size it says. */
#define CHECK_STRUCT(s, size)
#define CHECK_FIELD(s, f, off, size)					\
	_Static_assert(offsetof(struct s, f) == (off),			\
		       "offset of " #s "." #f);				\
	_Static_assert(sizeof(((struct s *)0)->f) == (size),		\
		       "size of " #s "." #f);
DIOS_UAPI_LAYOUT(CHECK_STRUCT, CHECK_FIELD)

/* Per struct, the sum of its fields' sizes: enum { s__fields = 0 + ... }. */
#define SUM_STRUCT(s, size)	}; enum { s##__fields = 0
#define SUM_FIELD(s, f, off, size)	+ (size)
enum { dios_layout__first = 0
DIOS_UAPI_LAYOUT(SUM_STRUCT, SUM_FIELD)
};

/* The struct's size, all of it covered by the fields. */
#define CHECK_SIZE(s, size)						\
	_Static_assert(sizeof(struct s) == (size), "size of " #s);	\
	_Static_assert(s##__fields == (size), "fields of " #s " cover " #size " bytes");
#define NO_FIELD(s, f, off, size)
DIOS_UAPI_LAYOUT(CHECK_SIZE, NO_FIELD)
