/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * libdios internals shared between its files: the context and the raw
 * ioctl call.  Not installed.
 */
#ifndef LIBDIOS_INTERNAL_H
#define LIBDIOS_INTERNAL_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "dios.h"

/* Pointers travel as __u64 on every ABI. */
#define DIOS_PTR(p)	((__u64)(uintptr_t)(p))

/* The context descriptor, opening the context if needed; -errno on error. */
int __dios_ctx_fd(void);

/*
 * Base of the read-only metadata map, or NULL if this process has not
 * opened its context (then it holds no valid handle).  Never a syscall.
 */
const struct dios_meta_header *__dios_ctx_meta(void);

/* The context's size of the metadata map. */
uint64_t __dios_ctx_meta_size(void);

/* Copy of the version reply cached at open. */
void __dios_ctx_version(struct dios_version_req *v);

/*
 * The kernel said -EBADFD: if the context belongs to another process (a
 * child created without running the atfork handlers, e.g. by a raw clone),
 * forget it and return true so the caller retries with a fresh one.
 */
int __dios_ctx_stale(int fd);

/*
 * Private field of struct dios_iovec: the capacity of iov->refs given to
 * acquire_read, which the count received overwrites in iov->n_refs (a
 * re-armed read needs it again).
 */
#define IOV_REFS_CAP(iov)	((iov)->__priv[0])

/* Ring streams (ring.c). */
struct ring_side;
void __dios_ring_forget(void);
int __dios_ring_delete(struct dios_delete_req *req);
struct ring_side *__dios_ring_lock(uint64_t flags, dios_ref_t ref, int side,
				   int *err);
struct ring_side *__dios_ring_find_locked(dios_ref_t ref, int side);
int __dios_ring_known(dios_ref_t ref, int side);
void __dios_ring_unlock(struct ring_side *r);
int __dios_ring_acquire_write(uint64_t flags, struct ring_side *r,
			      uint64_t len, struct dios_iovec *iov);
int __dios_ring_commit_write(uint64_t flags, struct ring_side *r,
			     uint64_t len, struct dios_iovec *iov);
int __dios_ring_release(struct ring_side *r, struct dios_iovec *iov);
int __dios_ring_acquire_read(uint64_t flags, struct ring_side *r,
			     uint64_t len, struct dios_iovec *iov);
int __dios_ring_commit_read(uint64_t flags, struct ring_side *r,
			    struct dios_iovec *iov);
int __dios_ring_send(uint64_t flags, struct ring_side *r, const void *buf,
		     uint64_t len, int wake);
int __dios_ring_wants_wake(const struct ring_side *r);
int __dios_ring_wake(dios_ref_t ref);
int __dios_ring_recv(uint64_t flags, struct ring_side *r, void *buf,
		     uint64_t cap, dios_ref_t wake);
/* By reference: DIOS_RING_UNKNOWN if no lease of this process is its. */
#define DIOS_RING_UNKNOWN	INT_MIN
int __dios_ring_acquire_write_ref(uint64_t flags, dios_ref_t ref,
				  uint64_t len, struct dios_iovec *iov);
int __dios_ring_commit_write_ref(uint64_t flags, dios_ref_t ref,
				 uint64_t len, struct dios_iovec *iov);
int __dios_ring_acquire_read_ref(uint64_t flags, dios_ref_t ref,
				 uint64_t len, struct dios_iovec *iov);
int __dios_ring_commit_read_ref(uint64_t flags, dios_ref_t ref,
				struct dios_iovec *iov);
int __dios_ring_send_ref(uint64_t flags, dios_ref_t ref, const void *buf,
			 uint64_t len);
int __dios_ring_recv_ref(uint64_t flags, dios_ref_t ref, void *buf,
			 uint64_t cap);
/* dios_call() where neither stream is a lease of this process (io.c). */
int __dios_call_slow(uint64_t flags, dios_ref_t send_ref, const void *sbuf,
		     uint64_t slen, dios_ref_t recv_ref, void *rbuf,
		     uint64_t rcap, uint32_t *done);

/* One ioctl, -errno on failure, the caller's errno untouched. */
static inline int __sys_dios_ioctl(int fd, unsigned long cmd, void *arg)
{
	int saved = errno;
	int ret = ioctl(fd, cmd, arg);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

/* An ioctl on the context, retried once in a fresh context after a fork. */
static inline int __sys_dios_call(unsigned long cmd, void *arg)
{
	int fd = __dios_ctx_fd();
	int ret;

	if (fd < 0)
		return fd;
	ret = __sys_dios_ioctl(fd, cmd, arg);
	if (ret == -EBADFD && __dios_ctx_stale(fd)) {
		fd = __dios_ctx_fd();
		if (fd < 0)
			return fd;
		ret = __sys_dios_ioctl(fd, cmd, arg);
	}
	return ret;
}

#endif /* LIBDIOS_INTERNAL_H */
