// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl.c - the ioctl ABI: framing, dispatch and one handler per command.
 *
 * Every handler copies its struct in as copy_struct_from_user() does (shorter
 * is zero-extended, a longer one needs a zero tail), rejects unknown flags
 * and non-zero padding, runs the operation under active references on the
 * objects it touches and copies the struct back, cut to the caller's size.
 * Every byte copied out was either copied in or set here.
 */

#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "buffer.h"
#include "compat.h"
#include "context.h"
#include "group.h"
#include "ioctl.h"
#include "main.h"
#include "name.h"
#include "object.h"
#include "ring.h"
#include "select.h"
#include "task.h"
#include "trace.h"

#define DIOS_IOC_SIZE_MAX	4096
#define DIOS_COPY_MAX		1024

/* The ABI: the same layout on every architecture, 32-bit included. */
#define DIOS_ABI_SIZE(type, size) \
	static_assert(sizeof(type) == (size) && sizeof(type) % 8 == 0)

DIOS_ABI_SIZE(struct dios_name, 32);
DIOS_ABI_SIZE(struct dios_create_args, 64);
DIOS_ABI_SIZE(struct dios_ref_info, 48);
DIOS_ABI_SIZE(struct dios_meta_header, 16);
DIOS_ABI_SIZE(struct dios_ref_meta, 64);
DIOS_ABI_SIZE(struct dios_version_req, 88);
DIOS_ABI_SIZE(struct dios_create_req, 120);
DIOS_ABI_SIZE(struct dios_lookup_req, 56);
DIOS_ABI_SIZE(struct dios_publish_req, 64);
DIOS_ABI_SIZE(struct dios_dup_req, 32);
DIOS_ABI_SIZE(struct dios_copy_req, 48);
DIOS_ABI_SIZE(struct dios_delete_req, 16);
DIOS_ABI_SIZE(struct dios_name_req, 48);
DIOS_ABI_SIZE(struct dios_task_self_req, 16);
DIOS_ABI_SIZE(struct dios_io_req, 80);
DIOS_ABI_SIZE(struct dios_xfer_req, 64);
DIOS_ABI_SIZE(struct dios_xfer_batch_req, 32);
DIOS_ABI_SIZE(struct dios_select_req, 40);
DIOS_ABI_SIZE(struct dios_interest_req, 32);
DIOS_ABI_SIZE(struct dios_interest_event, 16);
DIOS_ABI_SIZE(struct dios_interest_wait_req, 32);
DIOS_ABI_SIZE(struct dios_ring_kern, 32);
DIOS_ABI_SIZE(struct dios_ring_pos, 8);
DIOS_ABI_SIZE(struct dios_ring_frame, 8);
DIOS_ABI_SIZE(struct dios_ring_req, 80);
static_assert(offsetof(struct dios_ref_info, rights) == 8);
static_assert(offsetof(struct dios_ref_info, proximity) == 40);
static_assert(offsetof(struct dios_ref_meta, info) == 8);
static_assert(offsetof(struct dios_ref_meta, __reserved) == 56);

typedef int (*dios_ioctl_fn)(struct dios_context *ctx, void __user *uarg,
			     size_t usize);

/*
 * Copy a command's struct in, as copy_struct_from_user() does.  The common
 * case, a caller built against the same ABI version, is a copy of constant
 * size, which hardened usercopy checks at build time instead of at every
 * call (~5% of a small I/O step).
 */
static __always_inline int dios_copy_in(void *k, size_t ksize,
					const void __user *uarg, size_t usize)
{
	if (likely(usize == ksize))
		return copy_from_user(k, uarg, ksize) ? -EFAULT : 0;
	return copy_struct_from_user(k, ksize, uarg, usize);
}

/* Copy the reply out, cut to the caller's size; constant size as above. */
static __always_inline int dios_copy_out(void __user *uarg, size_t usize,
					 const void *k, size_t ksize)
{
	if (likely(usize >= ksize))
		return copy_to_user(uarg, k, ksize) ? -EFAULT : 0;
	return copy_to_user(uarg, k, usize) ? -EFAULT : 0;
}

/*
 * The requests of the I/O steps and of DIOS_IOC_XFER, the hot paths, are
 * copied in word by word with user access opened once (every ABI struct is
 * a whole number of 64-bit words, DIOS_ABI_SIZE): a request of the
 * kernel's size, the common case, in a few instructions rather than a
 * generic copy; any other size is dios_copy_in()'s.  The replies write
 * only the fields the call sets.
 */
static __always_inline int dios_req_in(void *k, size_t ksize,
				       const void __user *uarg, size_t usize)
{
	const u64 __user *u = uarg;
	u64 *w = k;

	/* Unrolled: eight or ten words. */
	BUILD_BUG_ON(ksize != 8 * sizeof(*w) && ksize != 10 * sizeof(*w));
	if (unlikely(usize != ksize))
		return dios_copy_in(k, ksize, uarg, usize);
	if (!user_read_access_begin(u, ksize))
		return -EFAULT;
	unsafe_get_user(w[0], &u[0], efault);
	unsafe_get_user(w[1], &u[1], efault);
	unsafe_get_user(w[2], &u[2], efault);
	unsafe_get_user(w[3], &u[3], efault);
	unsafe_get_user(w[4], &u[4], efault);
	unsafe_get_user(w[5], &u[5], efault);
	unsafe_get_user(w[6], &u[6], efault);
	unsafe_get_user(w[7], &u[7], efault);
	if (ksize > 8 * sizeof(*w)) {
		unsafe_get_user(w[8], &u[8], efault);
		unsafe_get_user(w[9], &u[9], efault);
	}
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

/*
 * The reply of a step that acquires: the buffer, or the length and count a
 * read needs (-EMSGSIZE), then @done for callers of ABI 1.3 and later, also
 * after any other error.
 */
static int dios_io_req_out(void __user *uarg, size_t usize,
			   const struct dios_io_req *req, unsigned int dir,
			   int ret)
{
	struct dios_io_req __user *u = uarg;

	if (!user_write_access_begin(u, min(usize, sizeof(*u))))
		return -EFAULT;
	if (!ret || ret == -EMSGSIZE) {
		unsafe_put_user(req->len, &u->len, efault);
		unsafe_put_user(req->addr, &u->addr, efault);
		if (dir == DIOS_IO_DIR_READ)
			unsafe_put_user(req->n_refs, &u->n_refs, efault);
	}
	if (usize >= offsetofend(struct dios_io_req, done))
		unsafe_put_user(req->done, &u->done, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/* The reply of DIOS_IOC_XFER: the lengths and @done. */
static int dios_xfer_req_out(void __user *uarg,
			     const struct dios_xfer_req *req)
{
	struct dios_xfer_req __user *u = uarg;

	if (!user_write_access_begin(u, sizeof(*u)))
		return -EFAULT;
	unsafe_put_user(req->send_len, &u->send_len, efault);
	unsafe_put_user(req->recv_len, &u->recv_len, efault);
	unsafe_put_user(req->done, &u->done, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * Copy the reply of a call that installed a reference; if the caller cannot
 * learn the handle, delete the reference again.
 */
static int dios_reply_ref(struct dios_context *ctx, void __user *uarg,
			  size_t usize, const void *k, size_t ksize,
			  u64 handle)
{
	int ret = dios_copy_out(uarg, usize, k, ksize);

	if (ret)
		dios_context_delete(ctx, handle);
	return ret;
}

static bool dios_name_is_zero(const struct dios_name *name)
{
	return !memchr_inv(name->raw, 0, sizeof(name->raw));
}

/* Look @handle up and start an operation on its object. */
static int dios_handle_acquire(struct dios_context *ctx, u64 handle,
			       struct dios_handle *h)
{
	int ret = dios_context_lookup(ctx, handle, h);

	if (ret)
		return ret;
	ret = dios_object_acquire(h->obj);
	if (ret)
		dios_object_put(h->obj);
	return ret;
}

static void dios_handle_release(struct dios_handle *h)
{
	dios_object_release(h->obj);
	dios_object_put(h->obj);
}

/*
 * The reply of DIOS_IOC_VERSION: constant once the module is loaded (the
 * limits are read-only parameters), so it is made once, at load.
 */
static struct dios_version_req dios_version_reply __ro_after_init;

void __init dios_ioctl_init(void)
{
	struct dios_version_req *v = &dios_version_reply;

	v->abi_major = DIOS_ABI_MAJOR;
	v->abi_minor = DIOS_ABI_MINOR;
	v->features = DIOS_FEAT_OBJECTS | DIOS_FEAT_META_MAP |
		      DIOS_FEAT_GROUPS | DIOS_IO_FEATURES | DIOS_FEAT_SELECT |
		      DIOS_FEAT_TASKS | DIOS_FEAT_RUN_CHAN | DIOS_FEAT_IO_DONE |
		      DIOS_FEAT_XFER_BATCH | DIOS_FEAT_RING |
		      DIOS_FEAT_RING_REFS;
	v->max_refs = dios_max_refs;
	v->max_select = DIOS_MAX_SELECT;
	v->max_objects = dios_max_objects;
	v->max_size = dios_max_size;
	v->max_capacity = dios_max_capacity;
	v->meta_map_size = dios_meta_map_size();
	strscpy((char *)v->release, DIOS_RELEASE, sizeof(v->release));
}

/*
 * Every field is output: nothing to copy in but a longer caller's tail,
 * which must be zero as for every command.  The null call: copy the reply
 * out and nothing else.
 */
static int dios_ioc_version(struct dios_context *ctx, void __user *uarg,
			    size_t usize)
{
	const size_t ksize = sizeof(dios_version_reply);
	int ret;

	BUILD_BUG_ON(sizeof(dios_version_reply) != 88);
	BUILD_BUG_ON(offsetof(struct dios_version_req, release) != 56);
	if (unlikely(usize > ksize)) {
		ret = check_zeroed_user(uarg + ksize, usize - ksize);
		if (ret <= 0)
			return ret ?: -E2BIG;
	}
	return dios_copy_out(uarg, usize, &dios_version_reply, ksize);
}

/* PRIVMEM is always anonymous: DIOS_CREATE_ANON is implied. */
static bool dios_create_is_anon(const struct dios_create_req *req)
{
	return req->flags & DIOS_CREATE_ANON || req->type == DIOS_OBJ_PRIVMEM;
}

/*
 * The checks common to every type; the type checks size and capacity.  The
 * name is input with DIOS_CREATE_NAME_GIVEN only: otherwise it is a field
 * that does not apply, and must be zero.
 */
static int dios_create_check(const struct dios_create_req *req)
{
	const struct dios_create_args *args = &req->args;
	bool given = req->flags & DIOS_CREATE_NAME_GIVEN;

	if (req->flags & ~(DIOS_CREATE_ANON | DIOS_CREATE_NAME_GIVEN |
			   DIOS_CREATE_RING) ||
	    req->__pad || args->name_rights & ~DIOS_RIGHTS_ALL)
		return -EINVAL;
	if (given == dios_name_is_zero(&args->name))
		return -EINVAL;
	if (dios_create_is_anon(req) &&
	    (given || args->group || args->name_rights))
		return -EINVAL;
	return 0;
}

/*
 * A given name in the global group is a well-known name for the whole
 * machine, owned by whoever registers it first: only CAP_SYS_ADMIN may, as
 * only root binds a privileged port, unless the module parameter
 * given_names says any user may.  In a group, its holders decide.
 */
static int dios_create_may_give(const struct dios_create_req *req,
				struct dios_object *group)
{
	if (!(req->flags & DIOS_CREATE_NAME_GIVEN) ||
	    !dios_group_is_global(group) || dios_given_names)
		return 0;
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

static int dios_create_name(struct dios_object *obj, struct dios_object *group,
			    struct dios_create_req *req)
{
	const struct dios_create_args *args = &req->args;
	bool given = req->flags & DIOS_CREATE_NAME_GIVEN;
	int ret;

	ret = dios_name_insert(obj, dios_group_id(group),
			       given ? &args->name : NULL,
			       args->name_rights ?: DIOS_RIGHTS_ALL);
	if (ret)
		return ret;
	return dios_name_read(obj, &req->name);
}

static int dios_ioc_create(struct dios_context *ctx, void __user *uarg,
			   size_t usize)
{
	struct dios_object *obj, *group = NULL;
	struct dios_create_req req;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 120);
	BUILD_BUG_ON(offsetof(struct dios_create_req, args) != 56);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	ret = dios_create_check(&req);
	if (ret)
		return ret;
	if (!dios_create_is_anon(&req)) {
		ret = dios_group_get(ctx, req.args.group, DIOS_RIGHT_WRITE,
				     &group);
		if (ret)
			return ret;
		ret = dios_create_may_give(&req, group);
		if (ret)
			goto out_group;
	}
	obj = dios_object_create_flags(req.type, req.flags, &req.args);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		trace_dios_create(0, req.type, req.args.size, 0, group, ret);
		goto out_group;
	}
	memset(&req.name, 0, sizeof(req.name));
	if (group) {
		ret = dios_create_name(obj, group, &req);
		if (ret)
			goto out_obj;
	}
	ret = dios_context_install(ctx, obj, DIOS_RIGHTS_ALL, &req.ref);
	if (!ret)
		ret = dios_reply_ref(ctx, uarg, usize, &req, sizeof(req),
				     req.ref);
out_obj:
	trace_dios_create(obj->id, req.type, req.args.size, ret ? 0 : req.ref,
			  group, ret);
	dios_object_put(obj);
out_group:
	if (group)
		dios_group_put(group);
	return ret;
}

/* A name that resolves to a zombie is a name that is gone. */
static int dios_lookup_install(struct dios_context *ctx,
			       struct dios_object *group,
			       struct dios_lookup_req *req)
{
	struct dios_object *obj;
	u64 rights;
	int ret;

	obj = dios_name_lookup(dios_group_id(group), &req->name, &rights);
	if (!obj) {
		trace_dios_lookup(0, req->group, 0, 0, -ENOENT);
		return -ENOENT;
	}
	ret = dios_object_acquire(obj);
	if (!ret) {
		ret = dios_context_install(ctx, obj, rights, &req->ref);
		dios_object_release(obj);
	}
	if (ret == -EIDRM)
		ret = -ENOENT;
	trace_dios_lookup(obj->id, req->group, ret ? 0 : req->ref, rights,
			  ret);
	dios_object_put(obj);
	return ret;
}

static int dios_ioc_lookup(struct dios_context *ctx, void __user *uarg,
			   size_t usize)
{
	struct dios_lookup_req req;
	struct dios_object *group;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 56);
	BUILD_BUG_ON(offsetof(struct dios_lookup_req, ref) != 48);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	ret = dios_group_get(ctx, req.group, DIOS_RIGHT_READ, &group);
	if (ret)
		return ret;
	ret = dios_lookup_install(ctx, group, &req);
	dios_group_put(group);
	if (ret)
		return ret;
	return dios_reply_ref(ctx, uarg, usize, &req, sizeof(req), req.ref);
}

/* Rights and type checks of publish; name_rights 0 means the caller's. */
static int dios_publish_check(const struct dios_handle *h, u64 *name_rights)
{
	if (!(h->rights & DIOS_RIGHT_NAME))
		return -EACCES;
	if (h->obj->type == DIOS_OBJ_PRIVMEM || *name_rights & ~h->rights)
		return -EPERM;
	if (!*name_rights)
		*name_rights = h->rights;
	return 0;
}

static int dios_publish(struct dios_context *ctx, struct dios_publish_req *req)
{
	struct dios_object *group;
	struct dios_handle h;
	int ret;

	ret = dios_handle_acquire(ctx, req->ref, &h);
	if (ret)
		return ret;
	ret = dios_publish_check(&h, &req->name_rights);
	if (ret)
		goto out;
	ret = dios_group_get(ctx, req->group, DIOS_RIGHT_WRITE, &group);
	if (ret)
		goto out;
	ret = dios_name_insert(h.obj, dios_group_id(group), NULL,
			       req->name_rights);
	if (!ret)
		ret = dios_name_read(h.obj, &req->name);
	dios_group_put(group);
out:
	trace_dios_publish(h.obj->id, req->group, req->ref, req->name_rights,
			   ret);
	dios_handle_release(&h);
	return ret;
}

static int dios_ioc_publish(struct dios_context *ctx, void __user *uarg,
			    size_t usize)
{
	struct dios_publish_req req;
	u64 name_rights;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 64);
	BUILD_BUG_ON(offsetof(struct dios_publish_req, name) != 32);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags || req.name_rights & ~DIOS_RIGHTS_ALL)
		return -EINVAL;
	/* name_rights is input: give it back as the caller passed it. */
	name_rights = req.name_rights;
	ret = dios_publish(ctx, &req);
	if (ret)
		return ret;
	req.name_rights = name_rights;
	return dios_copy_out(uarg, usize, &req, sizeof(req));
}

static int dios_ioc_dup(struct dios_context *ctx, void __user *uarg,
			size_t usize)
{
	struct dios_dup_req req;
	struct dios_handle h;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 32);
	BUILD_BUG_ON(offsetof(struct dios_dup_req, new_ref) != 24);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags || req.rights & ~DIOS_RIGHTS_ALL)
		return -EINVAL;
	ret = dios_context_lookup(ctx, req.ref, &h);
	if (ret)
		return ret;
	if (!(h.rights & DIOS_RIGHT_COPY))
		ret = -EACCES;
	else if (req.rights & ~h.rights)
		ret = -EPERM;
	else
		ret = dios_object_acquire(h.obj);
	if (!ret) {
		ret = dios_context_install(ctx, h.obj, req.rights, &req.new_ref);
		dios_object_release(h.obj);
	}
	trace_dios_dup(h.obj->id, req.ref, ret ? 0 : req.new_ref, req.rights,
		       ret);
	dios_object_put(h.obj);
	if (ret)
		return ret;
	return dios_reply_ref(ctx, uarg, usize, &req, sizeof(req),
			      req.new_ref);
}

/*
 * One reference to delegate: a zombie cannot be delegated, COPY is needed,
 * PRIVMEM never leaves the task, rights only shrink.  On success the object
 * is held active.
 */
static int dios_copy_get_one(struct dios_context *ctx, u64 handle,
			     const u64 *rights, struct dios_handle *h)
{
	int ret = dios_handle_acquire(ctx, handle, h);

	if (ret)
		return ret;
	if (!(h->rights & DIOS_RIGHT_COPY))
		ret = -EACCES;
	else if (h->obj->type == DIOS_OBJ_PRIVMEM)
		ret = -EPERM;
	else if (rights && *rights & ~DIOS_RIGHTS_ALL)
		ret = -EINVAL;
	else if (rights && *rights & ~h->rights)
		ret = -EPERM;
	if (ret) {
		dios_handle_release(h);
		return ret;
	}
	if (rights)
		h->rights = *rights;
	return 0;
}

static void dios_copy_put_all(struct dios_handle *hs, unsigned int n)
{
	while (n--)
		dios_handle_release(&hs[n]);
}

/*
 * The delegation buffer: the handles, the rights (if given) and the remote
 * handles, each n u64s, then the looked-up objects.
 */
struct dios_copy_buf {
	u64 *handles;
	u64 *rights;
	u64 *remote;
	struct dios_handle *hs;
};

static int dios_copy_buf_fill(struct dios_copy_buf *b, u64 refs, u64 rights,
			      u32 n)
{
	size_t len = n * sizeof(u64);

	b->handles = kvmalloc_array(n, 3 * sizeof(u64), GFP_KERNEL);
	b->hs = kvmalloc_array(n, sizeof(*b->hs), GFP_KERNEL);
	if (!b->handles || !b->hs)
		return -ENOMEM;
	b->remote = b->handles + n;
	b->rights = rights ? b->remote + n : NULL;
	if (copy_from_user(b->handles, dios_user_ptr(refs), len))
		return -EFAULT;
	if (b->rights &&
	    copy_from_user(b->rights, dios_user_ptr(rights), len))
		return -EFAULT;
	return 0;
}

static void dios_copy_buf_free(struct dios_copy_buf *b)
{
	kvfree(b->handles);
	kvfree(b->hs);
}

/* Fill @b and look each reference up; *@got: how many are held. */
static int dios_copy_get_all(struct dios_context *ctx, struct dios_copy_buf *b,
			     u64 refs, u64 rights, u32 n, unsigned int *got)
{
	unsigned int i;
	int ret;

	ret = dios_copy_buf_fill(b, refs, rights, n);
	for (i = 0; !ret && i < n; i++) {
		ret = dios_copy_get_one(ctx, b->handles[i],
					b->rights ? &b->rights[i] : NULL,
					&b->hs[i]);
		if (ret)
			break;
	}
	*got = i;
	return ret;
}

/* Install into the target, all or nothing, and tell the caller. */
static int dios_copy_install(struct dios_object *task, struct dios_copy_buf *b,
			     const struct dios_copy_req *req)
{
	struct dios_context *target;
	int ret;

	target = dios_task_get_context(task);
	if (!target)
		return -ESRCH;
	ret = dios_context_install_many(target, b->hs, b->remote, req->n);
	if (!ret && copy_to_user(dios_user_ptr(req->remote_refs), b->remote,
				 req->n * sizeof(u64))) {
		dios_context_delete_many(target, b->remote, req->n);
		ret = -EFAULT;
	}
	dios_context_put(target);
	return ret;
}

static int dios_copy(struct dios_context *ctx, struct dios_handle *task,
		     const struct dios_copy_req *req)
{
	struct dios_copy_buf b = {};
	unsigned int i;
	int ret;

	ret = dios_copy_get_all(ctx, &b, req->refs, req->rights, req->n, &i);
	if (!ret)
		ret = dios_copy_install(task->obj, &b, req);
	if (b.hs)
		dios_copy_put_all(b.hs, i);
	dios_copy_buf_free(&b);
	return ret;
}

static int dios_copy_task_check(const struct dios_handle *task)
{
	if (task->obj->type != DIOS_OBJ_TASK)
		return -EINVAL;
	return task->rights & DIOS_RIGHT_WRITE ? 0 : -EACCES;
}

static int dios_ioc_copy(struct dios_context *ctx, void __user *uarg,
			 size_t usize)
{
	struct dios_copy_req req;
	struct dios_handle task;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 48);
	BUILD_BUG_ON(offsetof(struct dios_copy_req, n) != 40);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags || req.__pad || !req.n || req.n > DIOS_COPY_MAX)
		return -EINVAL;
	ret = dios_context_lookup(ctx, req.task, &task);
	if (ret)
		return ret;
	ret = dios_copy_task_check(&task);
	if (!ret)
		ret = dios_object_acquire(task.obj);
	if (!ret) {
		ret = dios_copy(ctx, &task, &req);
		dios_object_release(task.obj);
	}
	trace_dios_copy(task.obj->id, req.task, req.n, ret);
	dios_object_put(task.obj);
	return ret;
}

/*
 * Zombify needs DELETE, and what the type asks for (a task: the permission
 * to kill its process); a zombie's reference is deleted all the same.
 */
static int dios_zombify(struct dios_context *ctx, u64 handle)
{
	struct dios_handle h;
	int ret;

	ret = dios_context_lookup(ctx, handle, &h);
	if (ret)
		return ret;
	if (h.rights & DIOS_RIGHT_DELETE)
		ret = dios_object_zombify(h.obj);
	else
		ret = -EACCES;
	dios_object_put(h.obj);
	return ret ?: dios_context_delete(ctx, handle);
}

static int dios_ioc_delete(struct dios_context *ctx, void __user *uarg,
			   size_t usize)
{
	struct dios_delete_req req;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 16);
	BUILD_BUG_ON(offsetof(struct dios_delete_req, ref) != 8);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags & ~DIOS_DELETE_ZOMBIFY)
		return -EINVAL;
	if (req.flags & DIOS_DELETE_ZOMBIFY)
		ret = dios_zombify(ctx, req.ref);
	else
		ret = dios_context_delete(ctx, req.ref);
	trace_dios_delete(req.ref, req.flags & DIOS_DELETE_ZOMBIFY, ret);
	return ret;
}

static int dios_ioc_name(struct dios_context *ctx, void __user *uarg,
			 size_t usize)
{
	struct dios_name_req req;
	struct dios_handle h;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 48);
	BUILD_BUG_ON(offsetof(struct dios_name_req, name) != 16);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	ret = dios_context_lookup(ctx, req.ref, &h);
	if (ret)
		return ret;
	if (!(h.rights & DIOS_RIGHT_NAME))
		ret = -EACCES;
	else
		ret = dios_object_acquire(h.obj);
	if (!ret) {
		ret = dios_name_read(h.obj, &req.name);
		dios_object_release(h.obj);
	}
	dios_object_put(h.obj);
	if (ret)
		return ret;
	return dios_copy_out(uarg, usize, &req, sizeof(req));
}

static int dios_ioc_task_self(struct dios_context *ctx, void __user *uarg,
			      size_t usize)
{
	struct dios_task_self_req req;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 16);
	BUILD_BUG_ON(offsetof(struct dios_task_self_req, ref) != 8);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	ret = dios_context_install(ctx, ctx->task, DIOS_RIGHTS_ALL, &req.ref);
	if (ret)
		return ret;
	return dios_reply_ref(ctx, uarg, usize, &req, sizeof(req), req.ref);
}

/*
 * Start a task: the caller forked the child, which waits for this before
 * it execs.  The task reference reaches the caller before the child can
 * take its context over, so a caller that cannot learn it changes nothing.
 */
static int dios_ioc_run(struct dios_context *ctx, void __user *uarg,
			size_t usize)
{
	struct dios_copy_buf b = {};
	struct dios_context *child;
	struct dios_run_req req;
	unsigned int got = 0;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 64);
	BUILD_BUG_ON(offsetof(struct dios_run_req, chan_rx) != 56);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	ret = dios_task_run_check(&req);
	if (ret)
		return ret;
	ret = dios_copy_get_all(ctx, &b, req.refs, req.rights, req.n_refs,
				&got);
	if (!ret) {
		child = dios_task_prepare(ctx, &req, b.hs);
		ret = PTR_ERR_OR_ZERO(child);
	}
	if (!ret) {
		/* Held active by dios_task_prepare(), for the start. */
		struct dios_handle task = { .obj = child->task };

		ret = dios_copy_out(uarg, usize, &req, sizeof(req));
		if (!ret)
			ret = dios_task_start(child);
		trace_dios_task_run(task.obj->id, dios_task_pid_nr(task.obj),
				    req.n_refs, ret);
		if (ret)
			dios_task_unprepare(ctx, &req, child);
		dios_handle_release(&task);
	}
	if (b.hs)
		dios_copy_put_all(b.hs, got);
	dios_copy_buf_free(&b);
	return ret;
}

/* The references dios_run delegated to the calling task. */
static int dios_ioc_task_refs(struct dios_context *ctx, void __user *uarg,
			      size_t usize)
{
	struct dios_task_refs_req req;
	u32 count = ctx->nr_spawn_refs;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 24);
	BUILD_BUG_ON(offsetof(struct dios_task_refs_req, n) != 16);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags || req.__pad)
		return -EINVAL;
	if (req.n && req.n < count) {
		ret = -ENOSPC;
	} else if (req.n && count &&
		   copy_to_user(dios_user_ptr(req.refs), ctx->spawn_refs,
				count * sizeof(u64))) {
		return -EFAULT;
	}
	req.n = count;
	return dios_copy_out(uarg, usize, &req, sizeof(req)) ?: ret;
}

/* Start an operation on a task reference that holds @right. */
static int dios_task_acquire(struct dios_context *ctx, u64 handle, u64 right,
			     struct dios_handle *h)
{
	int ret = dios_handle_acquire(ctx, handle, h);

	if (ret)
		return ret;
	if (h->obj->type != DIOS_OBJ_TASK)
		ret = -EINVAL;
	else if (!(h->rights & right))
		ret = -EACCES;
	if (ret)
		dios_handle_release(h);
	return ret;
}

static int dios_task_ctl(struct dios_context *ctx, void __user *uarg,
			 size_t usize, int sig)
{
	struct dios_task_req req;
	struct dios_handle h;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 16);
	BUILD_BUG_ON(offsetof(struct dios_task_req, task) != 8);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	ret = dios_task_acquire(ctx, req.task, DIOS_RIGHT_WRITE, &h);
	if (ret)
		return ret;
	ret = dios_task_signal(h.obj, sig);
	if (sig == SIGSTOP)
		trace_dios_task_pause(h.obj->id, dios_task_pid_nr(h.obj), sig,
				      ret);
	else
		trace_dios_task_resume(h.obj->id, dios_task_pid_nr(h.obj), sig,
				       ret);
	dios_handle_release(&h);
	return ret;
}

static int dios_ioc_pause(struct dios_context *ctx, void __user *uarg,
			  size_t usize)
{
	return dios_task_ctl(ctx, uarg, usize, SIGSTOP);
}

static int dios_ioc_resume(struct dios_context *ctx, void __user *uarg,
			   size_t usize)
{
	return dios_task_ctl(ctx, uarg, usize, SIGCONT);
}

static int dios_ioc_task_wait(struct dios_context *ctx, void __user *uarg,
			      size_t usize)
{
	struct dios_task_wait_req req;
	struct dios_handle h;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 32);
	BUILD_BUG_ON(offsetof(struct dios_task_wait_req, reap) != 24);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags & ~DIOS_NONBLOCK || req.__pad)
		return -EINVAL;
	ret = dios_task_acquire(ctx, req.task, DIOS_RIGHT_READ, &h);
	if (ret)
		return ret;
	ret = dios_task_wait(h.obj, req.flags & DIOS_NONBLOCK, &req.status);
	if (!ret)
		req.reap = dios_task_reapable(h.obj, &req.pid) ?
			   DIOS_TASK_REAP : 0;
	dios_handle_release(&h);
	if (ret)
		return ret;
	return dios_copy_out(uarg, usize, &req, sizeof(req));
}

/*
 * I/O: six commands, one transaction step each (enum dios_io_step).  The
 * handlers share the checks of the fields that apply to their step
 * (everything else must be zero), the lookup and the rights check.
 */

/* The flags each step and direction accepts. */
static u64 dios_io_flags_ok(enum dios_io_step step, unsigned int dir)
{
	switch (step) {
	case DIOS_STEP_ACQUIRE:
		return DIOS_NONBLOCK |
		       (dir == DIOS_IO_DIR_WRITE ? DIOS_IO_OVERWRITE : 0);
	case DIOS_STEP_COMMIT:
		if (dir == DIOS_IO_DIR_READ)
			return DIOS_NONBLOCK | DIOS_IO_REARM;
		return DIOS_NONBLOCK | DIOS_IO_REARM | DIOS_IO_OVERWRITE |
		       DIOS_IO_REFS | DIOS_IO_FORWARD;
	default:
		return 0;
	}
}

/*
 * Fields that do not apply must be zero.  Commit and release ignore
 * @offset: the buffer is named by its address.  A read carries a reference
 * capacity where it acquires; a write carries references where it commits.
 */
static int dios_io_check(const struct dios_io_req *req,
			 enum dios_io_step step, unsigned int dir)
{
	bool acquires = step == DIOS_STEP_ACQUIRE ||
			(step == DIOS_STEP_COMMIT && req->flags & DIOS_IO_REARM);
	bool rd_refs = dir == DIOS_IO_DIR_READ && acquires;
	bool wr_refs = req->flags & DIOS_IO_REFS;

	if (req->flags & ~dios_io_flags_ok(step, dir) || req->__pad)
		return -EINVAL;
	/* NONBLOCK and OVERWRITE qualify an acquire, a re-arming one too. */
	if (!acquires && req->flags & (DIOS_NONBLOCK | DIOS_IO_OVERWRITE))
		return -EINVAL;
	/* Acquire returns the address; commit and release name it. */
	if (step == DIOS_STEP_ACQUIRE ? req->addr : !req->addr)
		return -EINVAL;
	if (req->len && step != DIOS_STEP_ACQUIRE &&
	    !(step == DIOS_STEP_COMMIT && dir == DIOS_IO_DIR_WRITE))
		return -EINVAL;
	if ((req->refs || req->n_refs) && !rd_refs && !wr_refs)
		return -EINVAL;
	if (req->src_ref && !(req->flags & DIOS_IO_FORWARD))
		return -EINVAL;
	if (req->next_len && !(req->flags & DIOS_IO_REARM))
		return -EINVAL;
	return req->__pad2 ? -EINVAL : 0;
}

/*
 * Look @handle up, check the right of io->dir, go active.  The caller
 * initialised @io with the fields of its request.
 */
static __always_inline int dios_io_start(struct dios_context *ctx,
					 u64 handle, struct dios_io *io)
{
	u64 right = io->dir == DIOS_IO_DIR_READ ? DIOS_RIGHT_READ :
						  DIOS_RIGHT_WRITE;
	struct dios_ref *ref;
	int ret;

	ref = dios_context_lookup_ref(ctx, handle);
	if (IS_ERR(ref))
		return PTR_ERR(ref);
	ret = ref->rights & right ? dios_object_acquire(ref->obj) : -EACCES;
	if (ret) {
		dios_ref_put(ref);
		return ret;
	}
	io->ref = ref;
	io->obj = ref->obj;
	INIT_LIST_HEAD(&io->dead);
	return 0;
}

/* References the step took out of a table go now: no I/O lock is held. */
static __always_inline void dios_io_end(struct dios_io *io)
{
	dios_object_release(io->obj);
	if (!list_empty(&io->dead))
		dios_context_put_dead(&io->dead);
	dios_ref_put(io->ref);
}

/*
 * One checked step.  The reply of a step that acquired (or tried to:
 * -EMSGSIZE reports the length and reference count needed) is the buffer.
 * @io is initialised once, here, from @req.  Inlined, as the helpers above:
 * the step is one frame.
 */
static __always_inline int dios_io_run(struct dios_context *ctx,
				       void __user *uarg, size_t usize,
				       struct dios_io_req *req,
				       enum dios_io_step step, unsigned int dir)
{
	struct dios_io io = {
		.dir = dir,
		.flags = req->flags,
		.len = req->len,
		.offset = req->offset,
		.refs = req->refs,
		.n_refs = req->n_refs,
		.src_ref = req->src_ref,
	};
	bool acquires = step == DIOS_STEP_ACQUIRE || req->flags & DIOS_IO_REARM;
	int ret;

	ret = dios_io_start(ctx, req->ref, &io);
	if (ret) {
		trace_dios_io(step, dir, req->ref, 0, req->flags, req->len,
			      req->n_refs, ret);
		return ret;
	}
	/*
	 * A ring's buffer is its lease, taken and given back through
	 * DIOS_IOC_RING only: no view is made here for a ring.
	 */
	if (dios_is_ring(io.obj))
		ret = -EOPNOTSUPP;
	else if (step == DIOS_STEP_ACQUIRE)
		ret = dios_io_acquire(&io);
	else if (step == DIOS_STEP_COMMIT)
		ret = dios_io_commit(&io, req->addr, req->next_len);
	else
		ret = dios_io_release(&io, req->addr);
	trace_dios_io(step, dir, req->ref, io.obj->id, req->flags, io.len,
		      io.n_refs, ret);
	dios_io_end(&io);
	if (!acquires)
		return ret;
	/* Only @done to tell after another error, and only to ABI 1.3. */
	if (ret && ret != -EMSGSIZE && usize < sizeof(*req))
		return ret;
	req->len = io.len;
	req->addr = ret ? 0 : io.addr;
	if (dir == DIOS_IO_DIR_READ)
		req->n_refs = io.n_refs;
	req->done = io.done;
	return dios_io_req_out(uarg, usize, req, dir, ret) ?: ret;
}

/* One step: copy the request in and check it. */
static int dios_io_step(struct dios_context *ctx, void __user *uarg,
			size_t usize, enum dios_io_step step, unsigned int dir)
{
	struct dios_io_req req;
	int ret;

	ret = dios_req_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	ret = dios_io_check(&req, step, dir);
	if (ret)
		return ret;
	return dios_io_run(ctx, uarg, usize, &req, step, dir);
}

static int dios_ioc_acquire_read(struct dios_context *ctx, void __user *uarg,
				 size_t usize)
{
	BUILD_BUG_ON(sizeof(struct dios_io_req) != 80);
	BUILD_BUG_ON(offsetof(struct dios_io_req, done) !=
		     DIOS_IO_REQ_SIZE_VER0);
	return dios_io_step(ctx, uarg, usize, DIOS_STEP_ACQUIRE,
			    DIOS_IO_DIR_READ);
}

static int dios_ioc_commit_read(struct dios_context *ctx, void __user *uarg,
				size_t usize)
{
	BUILD_BUG_ON(offsetof(struct dios_io_req, next_len) != 64);
	return dios_io_step(ctx, uarg, usize, DIOS_STEP_COMMIT,
			    DIOS_IO_DIR_READ);
}

static int dios_ioc_release_read(struct dios_context *ctx, void __user *uarg,
				 size_t usize)
{
	BUILD_BUG_ON(offsetof(struct dios_io_req, n_refs) != 48);
	return dios_io_step(ctx, uarg, usize, DIOS_STEP_RELEASE,
			    DIOS_IO_DIR_READ);
}

static int dios_ioc_acquire_write(struct dios_context *ctx,
				  void __user *uarg, size_t usize)
{
	BUILD_BUG_ON(offsetof(struct dios_io_req, addr) != 32);
	return dios_io_step(ctx, uarg, usize, DIOS_STEP_ACQUIRE,
			    DIOS_IO_DIR_WRITE);
}

static int dios_ioc_commit_write(struct dios_context *ctx, void __user *uarg,
				 size_t usize)
{
	BUILD_BUG_ON(offsetof(struct dios_io_req, src_ref) != 56);
	return dios_io_step(ctx, uarg, usize, DIOS_STEP_COMMIT,
			    DIOS_IO_DIR_WRITE);
}

static int dios_ioc_release_write(struct dios_context *ctx,
				  void __user *uarg, size_t usize)
{
	BUILD_BUG_ON(offsetof(struct dios_io_req, refs) != 40);
	return dios_io_step(ctx, uarg, usize, DIOS_STEP_RELEASE,
			    DIOS_IO_DIR_WRITE);
}

/*
 * Copying I/O: the fields of a half that is not asked for must be zero, as
 * the fields a transaction step does not use.
 */
static int dios_xfer_check(const struct dios_xfer_req *req)
{
	const u64 known = DIOS_XFER_SEND | DIOS_XFER_RECV | DIOS_NONBLOCK;

	if (req->flags & ~known || req->__pad ||
	    !(req->flags & (DIOS_XFER_SEND | DIOS_XFER_RECV)))
		return -EINVAL;
	if (!(req->flags & DIOS_XFER_SEND) &&
	    (req->send_ref || req->send_buf || req->send_len))
		return -EINVAL;
	if (!(req->flags & DIOS_XFER_RECV) &&
	    (req->recv_ref || req->recv_buf || req->recv_len))
		return -EINVAL;
	return 0;
}

/**
 * struct dios_xfer_hold - the reference of the last half, kept for the next
 * @ref:	pinned, its object active; NULL: none held
 * @handle:	the handle it was found by
 * @dir:	the direction it was checked for (the right)
 *
 * A batch that sends or receives many messages on one stream looks the
 * handle up and checks the right once, not per message.  Only one is held,
 * that of the half that ran last: a half on another handle or direction
 * releases it first, so nothing is held that the running half does not
 * use.  What the reference allows can still change between messages:
 * dios_io_xfer() checks a deletion (-EBADF) and the stream a zombie
 * (-EIDRM), every message.
 */
struct dios_xfer_hold {
	struct dios_ref *ref;
	u64 handle;
	unsigned int dir;
};

static void dios_xfer_unhold(struct dios_xfer_hold *hold)
{
	if (!hold->ref)
		return;
	dios_object_release(hold->ref->obj);
	dios_ref_put(hold->ref);
	hold->ref = NULL;
}

/* @io gets the held reference of (@handle, io->dir), looked up if need be. */
static int dios_xfer_hold(struct dios_context *ctx, struct dios_xfer_hold *hold,
			  u64 handle, struct dios_io *io)
{
	int ret;

	if (hold->ref && hold->handle == handle && hold->dir == io->dir) {
		io->ref = hold->ref;
		io->obj = hold->ref->obj;
		INIT_LIST_HEAD(&io->dead);
		return 0;
	}
	dios_xfer_unhold(hold);
	ret = dios_io_start(ctx, handle, io);
	if (ret)
		return ret;
	hold->ref = io->ref;
	hold->handle = handle;
	hold->dir = io->dir;
	return 0;
}

/*
 * One half: a whole copying transaction on @handle in direction @dir.
 * *@len: the bytes to send, or the receive capacity in and the message's
 * length out (success, -EMSGSIZE).  With a @hold (a batch) the reference
 * stays held for the next half; without (DIOS_IOC_XFER) it is looked up
 * and let go here.  Inlined: the one-shot path, constant-folded, costs
 * nothing of the batch's.
 */
static __always_inline int dios_xfer_half(struct dios_context *ctx,
					  struct dios_xfer_hold *hold,
					  u64 flags, u64 handle,
					  unsigned int dir, u64 ubuf, u64 *len)
{
	struct dios_io io = {
		.dir = dir,
		.flags = flags & DIOS_NONBLOCK,
		.len = *len,
		.ubuf = ubuf,
	};
	int ret;

	ret = hold ? dios_xfer_hold(ctx, hold, handle, &io) :
		     dios_io_start(ctx, handle, &io);
	if (ret) {
		trace_dios_xfer(dir, handle, 0, *len, ret);
		return ret;
	}
	ret = dios_io_xfer(&io);
	trace_dios_xfer(dir, handle, io.obj->id, io.len, ret);
	if (hold) {
		/* Held on; what the step took out of a table goes. */
		if (!list_empty(&io.dead))
			dios_context_put_dead(&io.dead);
	} else {
		dios_io_end(&io);
	}
	if (!ret || ret == -EMSGSIZE)
		*len = io.len;
	return ret;
}

/*
 * One request: send, then receive, with DIOS_NONBLOCK added by @nonblock;
 * @hold as for dios_xfer_half().  A receive interrupted after the send
 * cannot be restarted (the restart would send again): it is -EINTR,
 * whatever SA_RESTART says, with @done telling the message was sent.
 */
static __always_inline int dios_xfer_one(struct dios_context *ctx,
					 struct dios_xfer_hold *hold,
					 struct dios_xfer_req *req,
					 u64 nonblock)
{
	u64 flags = req->flags | nonblock;
	int ret = 0;

	req->done = 0;
	if (req->flags & DIOS_XFER_SEND) {
		ret = dios_xfer_half(ctx, hold, flags, req->send_ref,
				     DIOS_IO_DIR_WRITE, req->send_buf,
				     &req->send_len);
		if (!ret)
			req->done = DIOS_XFER_SEND;
	}
	if (!ret && req->flags & DIOS_XFER_RECV) {
		ret = dios_xfer_half(ctx, hold, flags, req->recv_ref,
				     DIOS_IO_DIR_READ, req->recv_buf,
				     &req->recv_len);
		if (!ret)
			req->done |= DIOS_XFER_RECV;
		else if (ret == -ERESTARTSYS && req->done)
			ret = -EINTR;
	}
	return ret;
}

/*
 * Send, then receive.  The reply is written back once the arguments are
 * valid, errors included.
 */
static int dios_ioc_xfer(struct dios_context *ctx, void __user *uarg,
			 size_t usize)
{
	struct dios_xfer_req req;
	int ret, err;

	BUILD_BUG_ON(sizeof(req) != 64);
	BUILD_BUG_ON(offsetof(struct dios_xfer_req, done) != 56);
	ret = dios_req_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	ret = dios_xfer_check(&req);
	if (ret)
		return ret;
	ret = dios_xfer_one(ctx, NULL, &req, 0);
	err = dios_xfer_req_out(uarg, &req);
	return ret ?: err;
}

/* Batches up to this size are copied onto the stack, not allocated. */
#define DIOS_XFER_BATCH_STACK	4

/*
 * Copy the whole array in, once, and check every entry as DIOS_IOC_XFER
 * checks its request, before any runs: a bad entry, or an array that
 * cannot be read, fails the call with nothing done.  Read once, the
 * entries cannot change between the check and the run.
 */
static int dios_xfer_batch_in(const struct dios_xfer_batch_req *req,
			      struct dios_xfer_req *x)
{
	u32 i;
	int ret;

	if (copy_from_user(x, dios_user_ptr(req->reqs),
			   array_size(req->n, sizeof(*x))))
		return -EFAULT;
	for (i = 0; i < req->n; i++) {
		ret = dios_xfer_check(&x[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Run the entries in order until one fails; *@count: the entries done in
 * full.  Each one's reply is written back, the failed one's too.  An entry
 * whose reply cannot be written back failed (-EFAULT), as DIOS_IOC_XFER
 * fails: whoever sent it cannot learn what it did.
 */
static int dios_xfer_batch_run(struct dios_context *ctx,
			       const struct dios_xfer_batch_req *req,
			       struct dios_xfer_req *x, u32 *count)
{
	struct dios_xfer_req __user *u = dios_user_ptr(req->reqs);
	struct dios_xfer_hold hold = {};
	u64 nonblock = req->flags & DIOS_NONBLOCK;
	int ret = 0, err;
	u32 i;

	for (i = 0; i < req->n && !ret; i++) {
		if (i && req->flags & DIOS_XFER_WAITFORONE)
			nonblock = DIOS_NONBLOCK;
		ret = dios_xfer_one(ctx, &hold, &x[i], nonblock);
		err = dios_xfer_req_out(&u[i], &x[i]);
		ret = ret ?: err;
		if (!ret)
			(*count)++;
		/* A long message reschedules as it copies; short ones here. */
		if (!(i % 16))
			cond_resched();
	}
	dios_xfer_unhold(&hold);
	return ret;
}

/* The batch's own fields: the entries are checked once copied in. */
static int dios_xfer_batch_check(const struct dios_xfer_batch_req *req)
{
	if (req->flags & ~(DIOS_NONBLOCK | DIOS_XFER_WAITFORONE) ||
	    !req->n || req->n > DIOS_XFER_BATCH_MAX ||
	    req->req_size != sizeof(struct dios_xfer_req))
		return -EINVAL;
	return 0;
}

/*
 * Run the checked entries and reply: what sendmmsg() and recvmmsg()
 * return, and the error that stopped the batch.  Once an entry is done
 * the call can no longer restart: a signal is -EINTR.
 */
static int dios_xfer_batch_reply(struct dios_context *ctx, void __user *uarg,
				 size_t usize, struct dios_xfer_batch_req *req,
				 struct dios_xfer_req *x)
{
	int ret, err;

	req->count = 0;
	ret = dios_xfer_batch_run(ctx, req, x, &req->count);
	if (ret == -ERESTARTSYS && req->count)
		ret = -EINTR;
	req->error = ret == -ERESTARTSYS ? -EINTR : ret;
	err = dios_copy_out(uarg, usize, req, sizeof(*req));
	if (req->count)
		return req->count;
	return ret ?: err;
}

static int dios_ioc_xfer_batch(struct dios_context *ctx, void __user *uarg,
			       size_t usize)
{
	struct dios_xfer_req stack[DIOS_XFER_BATCH_STACK], *x = stack;
	struct dios_xfer_batch_req req;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 32);
	BUILD_BUG_ON(offsetof(struct dios_xfer_batch_req, count) != 24);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	ret = dios_xfer_batch_check(&req);
	if (ret)
		return ret;
	if (req.n > ARRAY_SIZE(stack)) {
		x = kvmalloc_array(req.n, sizeof(*x), GFP_KERNEL);
		if (!x)
			return -ENOMEM;
	}
	ret = dios_xfer_batch_in(&req, x);
	if (!ret)
		ret = dios_xfer_batch_reply(ctx, uarg, usize, &req, x);
	if (x != stack)
		kvfree(x);
	return ret;
}

static int dios_ioc_select(struct dios_context *ctx, void __user *uarg,
			   size_t usize)
{
	struct dios_select_req req;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 40);
	BUILD_BUG_ON(offsetof(struct dios_select_req, timeout_ns) != 24);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	ret = dios_select(ctx, &req);
	if (ret)
		return ret;
	return dios_copy_out(uarg, usize, &req, sizeof(req));
}

static int dios_ioc_interest(struct dios_context *ctx, void __user *uarg,
			     size_t usize)
{
	struct dios_interest_req req;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 32);
	BUILD_BUG_ON(offsetof(struct dios_interest_req, cookie) != 24);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	return dios_interest_ctl(ctx, &req);
}

static int dios_ioc_interest_wait(struct dios_context *ctx,
				  void __user *uarg, size_t usize)
{
	struct dios_interest_wait_req req;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 32);
	BUILD_BUG_ON(offsetof(struct dios_interest_wait_req, timeout_ns) != 24);
	ret = dios_copy_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	ret = dios_interest_wait(ctx, &req);
	if (ret)
		return ret;
	return dios_copy_out(uarg, usize, &req, sizeof(req));
}

/*
 * The references of a frame (ring_refs.c): PUSH_REFS on the write side with
 * 1 to DIOS_IO_MAX_REFS handles, the others on the read side, TAKE_REFS
 * with an array for the handles it installs.
 */
static int dios_ring_refs_check(const struct dios_ring_req *req)
{
	if (req->flags || req->wake_ref || req->addr)
		return -EINVAL;
	switch (req->op) {
	case DIOS_RING_PUSH_REFS:
		if (req->side != DIOS_RING_WRITE || !req->n_refs)
			return -EINVAL;
		return req->n_refs > DIOS_IO_MAX_REFS ? -E2BIG : 0;
	case DIOS_RING_TAKE_REFS:
		if (req->side != DIOS_RING_READ)
			return -EINVAL;
		return req->n_refs && !req->refs ? -EFAULT : 0;
	}
	return req->side != DIOS_RING_READ || req->refs || req->n_refs ?
	       -EINVAL : 0;
}

/*
 * DIOS_IOC_RING: a ring stream's lease, waits and wakes (ring.c), and the
 * references of its frames.  The fields that do not apply to @op must be
 * zero.
 */
static int dios_ring_check(const struct dios_ring_req *req)
{
	if (req->side != DIOS_RING_READ && req->side != DIOS_RING_WRITE)
		return -EINVAL;
	if (req->own || req->ring_size || req->__pad)
		return -EINVAL;
	if (req->op >= DIOS_RING_PUSH_REFS &&
	    req->op <= DIOS_RING_RELEASE_REFS)
		return dios_ring_refs_check(req);
	if (req->refs || req->n_refs)
		return -EINVAL;
	switch (req->op) {
	case DIOS_RING_ATTACH:
		if (req->flags & ~DIOS_NONBLOCK || req->pos ||
		    req->wake_ref || req->addr)
			return -EINVAL;
		return 0;
	case DIOS_RING_DETACH:
		return req->flags || req->pos || req->wake_ref ? -EINVAL : 0;
	case DIOS_RING_WAIT:
		return req->flags || req->addr ? -EINVAL : 0;
	case DIOS_RING_WAKE:
		return req->flags || req->pos || req->wake_ref || req->addr ?
		       -EINVAL : 0;
	}
	return -EINVAL;
}

/*
 * Wake the other side of side @dir of the ring stream @handle (its READ or
 * WRITE right).  A wake is no operation on the object: it takes neither a
 * reference nor an active count, only RCU for the object's memory, and
 * dios_ring_wake() finds a destroyed ring under the stream lock.
 */
static int dios_ring_wake_ref(struct dios_context *ctx, u64 handle,
			      unsigned int dir)
{
	struct dios_handle h;
	int ret;

	rcu_read_lock();
	ret = dios_context_peek(ctx, handle, &h);
	if (!ret && !(h.rights & (DIOS_RIGHT_READ | DIOS_RIGHT_WRITE)))
		ret = -EACCES;
	if (!ret && !dios_object_is_live(h.obj))
		ret = -EIDRM;
	if (!ret && !dios_is_ring(h.obj))
		ret = -EOPNOTSUPP;
	if (!ret)
		dios_ring_wake(h.obj, dir);
	rcu_read_unlock();
	return ret;
}

/*
 * DIOS_RING_WAIT, the hot path of a ring call: the stream the call sent on
 * woken first (its readers), then the wait on the stream it receives from.
 */
static int dios_ring_wait_req(struct dios_context *ctx,
			      const struct dios_ring_req *req, unsigned int dir)
{
	struct dios_io io = { .dir = dir };
	int ret;

	if (req->wake_ref) {
		ret = dios_ring_wake_ref(ctx, req->wake_ref, DIOS_IO_DIR_WRITE);
		if (ret)
			return ret;
	}
	ret = dios_io_start(ctx, req->ref, &io);
	if (ret)
		return ret;
	ret = dios_is_ring(io.obj) ? dios_io_ring_wait(&io, req->pos) :
				     -EOPNOTSUPP;
	dios_io_end(&io);
	return ret;
}

/* The lease (attach, detach) and the references of frames. */
static noinline int dios_ring_lease_req(struct dios_context *ctx,
					void __user *uarg, size_t usize,
					struct dios_ring_req *req,
					unsigned int dir)
{
	struct dios_io io = { .dir = dir };
	int ret;

	ret = dios_io_start(ctx, req->ref, &io);
	if (ret)
		return ret;
	if (!dios_is_ring(io.obj)) {
		ret = -EOPNOTSUPP;
	} else if (req->op == DIOS_RING_ATTACH) {
		io.flags = req->flags | DIOS_IO_RING_LEASE;
		ret = dios_io_acquire(&io);
	} else if (req->op == DIOS_RING_DETACH) {
		ret = dios_io_release(&io, req->addr);
	} else {
		io.refs = req->refs;
		io.n_refs = req->n_refs;
		ret = dios_io_ring_refs(&io, req->op, req->pos);
	}
	/* The count of a take, or the one it needs. */
	if (req->op == DIOS_RING_TAKE_REFS && (!ret || ret == -EMSGSIZE)) {
		req->n_refs = io.n_refs;
		ret = dios_copy_out(uarg, usize, req, sizeof(*req)) ?: ret;
	}
	if (!ret && req->op == DIOS_RING_ATTACH) {
		req->addr = io.addr;
		req->ring_size = dios_ring_size(io.obj);
		req->own = io.ubuf;
		ret = dios_copy_out(uarg, usize, req, sizeof(*req));
		if (ret)
			dios_io_release(&io, req->addr);
	}
	dios_io_end(&io);
	return ret;
}

static int dios_ioc_ring(struct dios_context *ctx, void __user *uarg,
			 size_t usize)
{
	struct dios_ring_req req;
	unsigned int dir;
	int ret;

	BUILD_BUG_ON(sizeof(req) != 80);
	BUILD_BUG_ON(offsetof(struct dios_ring_req, refs) !=
		     DIOS_RING_REQ_SIZE_VER0);
	ret = dios_req_in(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	ret = dios_ring_check(&req);
	if (ret)
		return ret;
	dir = req.side == DIOS_RING_READ ? DIOS_IO_DIR_READ : DIOS_IO_DIR_WRITE;
	if (req.op == DIOS_RING_WAIT)
		return dios_ring_wait_req(ctx, &req, dir);
	if (req.op == DIOS_RING_WAKE)
		return dios_ring_wake_ref(ctx, req.ref, dir);
	return dios_ring_lease_req(ctx, uarg, usize, &req, dir);
}

/**
 * struct dios_ioctl_desc - one command
 * @fn:		the handler
 * @size:	size of the command's struct in its first version: the
 *		smallest size a caller may pass
 */
struct dios_ioctl_desc {
	dios_ioctl_fn fn;
	size_t size;
};

#define DIOS_IOCTL(nr, handler, type) \
	[nr] = { .fn = (handler), .size = sizeof(type) }
/* A command whose struct grew since its first version, of @v0_size bytes. */
#define DIOS_IOCTL_V0(nr, handler, v0_size) \
	[nr] = { .fn = (handler), .size = (v0_size) }

static const struct dios_ioctl_desc dios_ioctls[] = {
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_VERSION), dios_ioc_version,
		   struct dios_version_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_CREATE), dios_ioc_create,
		   struct dios_create_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_LOOKUP), dios_ioc_lookup,
		   struct dios_lookup_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_PUBLISH), dios_ioc_publish,
		   struct dios_publish_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_DUP), dios_ioc_dup,
		   struct dios_dup_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_COPY), dios_ioc_copy,
		   struct dios_copy_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_DELETE), dios_ioc_delete,
		   struct dios_delete_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_NAME), dios_ioc_name,
		   struct dios_name_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_TASK_SELF), dios_ioc_task_self,
		   struct dios_task_self_req),
	DIOS_IOCTL_V0(_IOC_NR(DIOS_IOC_ACQUIRE_READ), dios_ioc_acquire_read,
		      DIOS_IO_REQ_SIZE_VER0),
	DIOS_IOCTL_V0(_IOC_NR(DIOS_IOC_COMMIT_READ), dios_ioc_commit_read,
		      DIOS_IO_REQ_SIZE_VER0),
	DIOS_IOCTL_V0(_IOC_NR(DIOS_IOC_RELEASE_READ), dios_ioc_release_read,
		      DIOS_IO_REQ_SIZE_VER0),
	DIOS_IOCTL_V0(_IOC_NR(DIOS_IOC_ACQUIRE_WRITE), dios_ioc_acquire_write,
		      DIOS_IO_REQ_SIZE_VER0),
	DIOS_IOCTL_V0(_IOC_NR(DIOS_IOC_COMMIT_WRITE), dios_ioc_commit_write,
		      DIOS_IO_REQ_SIZE_VER0),
	DIOS_IOCTL_V0(_IOC_NR(DIOS_IOC_RELEASE_WRITE), dios_ioc_release_write,
		      DIOS_IO_REQ_SIZE_VER0),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_XFER), dios_ioc_xfer,
		   struct dios_xfer_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_XFER_BATCH), dios_ioc_xfer_batch,
		   struct dios_xfer_batch_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_SELECT), dios_ioc_select,
		   struct dios_select_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_INTEREST), dios_ioc_interest,
		   struct dios_interest_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_INTEREST_WAIT), dios_ioc_interest_wait,
		   struct dios_interest_wait_req),
	DIOS_IOCTL_V0(_IOC_NR(DIOS_IOC_RUN), dios_ioc_run,
		      DIOS_RUN_REQ_SIZE_VER0),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_TASK_REFS), dios_ioc_task_refs,
		   struct dios_task_refs_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_PAUSE), dios_ioc_pause,
		   struct dios_task_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_RESUME), dios_ioc_resume,
		   struct dios_task_req),
	DIOS_IOCTL(_IOC_NR(DIOS_IOC_TASK_WAIT), dios_ioc_task_wait,
		   struct dios_task_wait_req),
	DIOS_IOCTL_V0(_IOC_NR(DIOS_IOC_RING), dios_ioc_ring,
		      DIOS_RING_REQ_SIZE_VER0),
};

/**
 * dios_ioctl() - frame and dispatch one command
 * @ctx:	the context of the file
 * @cmd:	the command; its size field is the caller's struct size
 * @uarg:	the caller's struct
 *
 * Return: what the handler returns; -ENOTTY for an unknown command, type or
 * direction, -EINVAL for a size below the first version's, -E2BIG above
 * 4096, -EBADFD for a caller other than the context's owner process.
 */
long dios_ioctl(struct dios_context *ctx, unsigned int cmd,
		void __user *uarg)
{
	const struct dios_ioctl_desc *desc;
	unsigned int nr = _IOC_NR(cmd);
	size_t usize = _IOC_SIZE(cmd);

	/* A ring call's wait, exactly framed: no table, no indirect call. */
	if (likely(cmd == DIOS_IOC_RING))
		return dios_context_is_owner(ctx) ?
		       dios_ioc_ring(ctx, uarg, usize) : -EBADFD;
	if (_IOC_TYPE(cmd) != DIOS_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE) ||
	    nr >= ARRAY_SIZE(dios_ioctls))
		return -ENOTTY;
	desc = &dios_ioctls[array_index_nospec(nr, ARRAY_SIZE(dios_ioctls))];
	if (!desc->fn)
		return -ENOTTY;
	if (usize < desc->size)
		return -EINVAL;
	if (usize > DIOS_IOC_SIZE_MAX)
		return -E2BIG;
	if (!dios_context_is_owner(ctx))
		return -EBADFD;
	return desc->fn(ctx, uarg, usize);
}
