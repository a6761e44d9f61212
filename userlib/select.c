// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Waiting for readiness: dios_select and the persistent interest set.
 */
#include <string.h>

#include "internal.h"

static inline int __sys_dios_select(struct dios_select_req *req)
{
	return __sys_dios_call(DIOS_IOC_SELECT, req);
}

int dios_select(uint64_t flags, const dios_ref_t *refs, uint32_t n,
		uint32_t events, int64_t timeout_ns, uint32_t *ready_index)
{
	struct dios_select_req req;
	int ret;

	if (!ready_index)
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	req.flags = flags;
	req.refs = DIOS_PTR(refs);
	req.n = n;
	req.events = events;
	req.timeout_ns = timeout_ns;
	ret = __sys_dios_select(&req);
	if (!ret)
		*ready_index = req.ready_index;
	return ret;
}

static inline int __sys_dios_interest(struct dios_interest_req *req)
{
	return __sys_dios_call(DIOS_IOC_INTEREST, req);
}

static int interest(uint64_t flags, dios_ref_t ref, uint32_t events,
		    uint64_t cookie)
{
	struct dios_interest_req req;

	memset(&req, 0, sizeof(req));
	req.flags = flags;
	req.ref = ref;
	req.events = events;
	req.cookie = cookie;
	return __sys_dios_interest(&req);
}

int dios_interest_add(dios_ref_t ref, uint32_t events, uint64_t cookie)
{
	return interest(DIOS_INTEREST_ADD, ref, events, cookie);
}

int dios_interest_mod(dios_ref_t ref, uint32_t events, uint64_t cookie)
{
	return interest(DIOS_INTEREST_MOD, ref, events, cookie);
}

int dios_interest_del(dios_ref_t ref)
{
	return interest(DIOS_INTEREST_DEL, ref, 0, 0);
}

static inline int __sys_dios_interest_wait(struct dios_interest_wait_req *req)
{
	return __sys_dios_call(DIOS_IOC_INTEREST_WAIT, req);
}

int dios_interest_wait(uint64_t flags, struct dios_interest_event *events,
		       uint32_t max, int64_t timeout_ns)
{
	struct dios_interest_wait_req req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.flags = flags;
	req.events = DIOS_PTR(events);
	req.max = max;
	req.timeout_ns = timeout_ns;
	ret = __sys_dios_interest_wait(&req);
	return ret ? ret : (int)req.count;
}
