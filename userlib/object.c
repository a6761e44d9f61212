// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Objects, names and references: thin wrappers around the context ioctls.
 *
 * Each public call checks only what the kernel cannot see (NULL output
 * pointers of the library API, reported as -EFAULT like the kernel would),
 * fills the request and leaves every other check to the module.
 */
#include <string.h>

#include "internal.h"

static inline int __sys_dios_create(struct dios_create_req *req)
{
	return __sys_dios_call(DIOS_IOC_CREATE, req);
}

int dios_create(uint64_t flags, uint32_t type,
		const struct dios_create_args *args,
		dios_ref_t *ref, struct dios_name *name)
{
	struct dios_create_req req;
	int ret;

	if (!ref)
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	req.flags = flags;
	req.type = type;
	if (args)
		req.args = *args;
	ret = __sys_dios_create(&req);
	if (ret < 0)
		return ret;
	*ref = req.ref;
	if (name)
		*name = req.name;
	return 0;
}

static inline int __sys_dios_lookup(struct dios_lookup_req *req)
{
	return __sys_dios_call(DIOS_IOC_LOOKUP, req);
}

int dios_lookup(uint64_t flags, const struct dios_name *name,
		dios_ref_t group, dios_ref_t *ref)
{
	struct dios_lookup_req req;
	int ret;

	if (!name || !ref)
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	req.flags = flags;
	req.group = group;
	req.name = *name;
	ret = __sys_dios_lookup(&req);
	if (ret < 0)
		return ret;
	*ref = req.ref;
	return 0;
}

static inline int __sys_dios_publish(struct dios_publish_req *req)
{
	return __sys_dios_call(DIOS_IOC_PUBLISH, req);
}

int dios_publish(uint64_t flags, dios_ref_t ref, dios_ref_t group,
		 uint64_t name_rights, struct dios_name *name)
{
	struct dios_publish_req req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.flags = flags;
	req.ref = ref;
	req.group = group;
	req.name_rights = name_rights;
	ret = __sys_dios_publish(&req);
	if (ret < 0)
		return ret;
	if (name)
		*name = req.name;
	return 0;
}

static inline int __sys_dios_dup(struct dios_dup_req *req)
{
	return __sys_dios_call(DIOS_IOC_DUP, req);
}

int dios_dup(dios_ref_t ref, uint64_t rights, dios_ref_t *new_ref)
{
	struct dios_dup_req req;
	int ret;

	if (!new_ref)
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	req.ref = ref;
	req.rights = rights;
	ret = __sys_dios_dup(&req);
	if (ret < 0)
		return ret;
	*new_ref = req.new_ref;
	return 0;
}

static inline int __sys_dios_copy(struct dios_copy_req *req)
{
	return __sys_dios_call(DIOS_IOC_COPY, req);
}

int dios_copy_rights(uint64_t flags, const dios_ref_t *refs,
		     const uint64_t *rights, uint32_t n, dios_ref_t task,
		     dios_ref_t *remote_refs)
{
	struct dios_copy_req req;

	memset(&req, 0, sizeof(req));
	req.flags = flags;
	req.task = task;
	req.refs = DIOS_PTR(refs);
	req.rights = DIOS_PTR(rights);
	req.remote_refs = DIOS_PTR(remote_refs);
	req.n = n;
	return __sys_dios_copy(&req);
}

int dios_copy(uint64_t flags, const dios_ref_t *refs, uint32_t n,
	      dios_ref_t task, dios_ref_t *remote_refs)
{
	return dios_copy_rights(flags, refs, NULL, n, task, remote_refs);
}

int dios_delete(uint64_t flags, dios_ref_t ref)
{
	struct dios_delete_req req;

	memset(&req, 0, sizeof(req));
	req.flags = flags;
	req.ref = ref;
	/* Zombify deletes the reference too; its leases go with it. */
	return __dios_ring_delete(&req);
}

static inline int __sys_dios_name(struct dios_name_req *req)
{
	return __sys_dios_call(DIOS_IOC_NAME, req);
}

int dios_ref_name(dios_ref_t ref, struct dios_name *name)
{
	struct dios_name_req req;
	int ret;

	if (!name)
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	req.ref = ref;
	ret = __sys_dios_name(&req);
	if (ret < 0)
		return ret;
	*name = req.name;
	return 0;
}

static inline int __sys_dios_task_self(struct dios_task_self_req *req)
{
	return __sys_dios_call(DIOS_IOC_TASK_SELF, req);
}

int dios_task_self(dios_ref_t *task)
{
	struct dios_task_self_req req;
	int ret;

	if (!task)
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	ret = __sys_dios_task_self(&req);
	if (ret < 0)
		return ret;
	*task = req.ref;
	return 0;
}
