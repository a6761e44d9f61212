// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * I/O transactions: acquire, commit and release of buffers, as thin
 * wrappers around the six I/O ioctls (docs/io.md); the copying calls
 * send, recv and call around DIOS_IOC_XFER, and their batches around
 * DIOS_IOC_XFER_BATCH.
 *
 * The kernel identifies a transaction by (reference, direction) and checks
 * the buffer address on commit and release; the library only moves the
 * fields of struct dios_iovec in and out of struct dios_io_req.  The one
 * piece of state it keeps is the reference capacity of a read, in the
 * iovec's private field, because the public n_refs is overwritten with the
 * count received and a re-armed read needs the capacity again.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static inline int __sys_dios_io(unsigned long cmd, struct dios_io_req *req)
{
	return __sys_dios_call(cmd, req);
}

/*
 * Ring streams (ring.c): a side whose lease this process holds is served
 * in user space; a call the kernel refuses with -EOPNOTSUPP may be the
 * first on a ring stream, which takes the lease.
 */
#define RING_CALL(find, call) ({					\
	struct ring_side *__r = (find);				\
	int __ret = -EOPNOTSUPP;					\
	if (__r) {							\
		__ret = (call);						\
		__dios_ring_unlock(__r);				\
	}								\
	__ret;								\
})

/*
 * The window's offset goes with every step that acquires (an acquire, a
 * re-arming commit); commit and release name their buffer by its address.
 */
static void io_req_init(struct dios_io_req *req, uint64_t flags,
			dios_ref_t ref, const struct dios_iovec *iov,
			int acquires)
{
	memset(req, 0, sizeof(*req));
	req->flags = flags;
	req->ref = ref;
	if (acquires)
		req->offset = iov->offset;
}

/* The reference array a read may fill. */
static void io_req_read_refs(struct dios_io_req *req,
			     const struct dios_iovec *iov)
{
	req->refs = DIOS_PTR(iov->refs);
	req->n_refs = (uint32_t)IOV_REFS_CAP(iov);
}

/* The reply of an acquire, or of a re-armed commit: the new buffer. */
static void io_take_buffer(struct dios_iovec *iov,
			   const struct dios_io_req *req, int read)
{
	iov->buf = (void *)(uintptr_t)req->addr;
	iov->len = req->len;
	if (read)
		iov->n_refs = req->n_refs;
}

/*
 * What a step that acquires did (req->done, from the kernel); a re-arming
 * commit that committed and then failed to acquire left no buffer open
 * (with -EMSGSIZE, @len tells what the next message needs).
 */
static int io_done(struct dios_iovec *iov, const struct dios_io_req *req,
		   int ret)
{
	iov->done = req->done;
	if (ret && (req->done & DIOS_IO_DONE_COMMIT)) {
		iov->buf = NULL;
		if (ret != -EMSGSIZE)
			iov->len = 0;
	}
	return ret;
}

/* A read that found a message too large: report what it needs. */
static int io_read_result(struct dios_iovec *iov,
			  const struct dios_io_req *req, int ret)
{
	if (ret == 0) {
		io_take_buffer(iov, req, 1);
	} else if (ret == -EMSGSIZE) {
		iov->len = req->len;
		iov->n_refs = req->n_refs;
	}
	return io_done(iov, req, ret);
}

/* A step that acquires nothing: it committed or not. */
static int io_plain_result(struct dios_iovec *iov, int ret, int commit)
{
	iov->done = !ret && commit ? DIOS_IO_DONE_COMMIT : 0;
	return ret;
}

int dios_acquire_read(uint64_t flags, dios_ref_t ref, uint64_t len,
		      struct dios_iovec *iov)
{
	struct dios_io_req req;

	struct ring_side *r;
	int ret, err;

	if (!iov)
		return -EFAULT;
	IOV_REFS_CAP(iov) = iov->n_refs;
	ret = __dios_ring_acquire_read_ref(flags, ref, len, iov);
	if (ret != DIOS_RING_UNKNOWN)
		return ret;
	io_req_init(&req, flags, ref, iov, 1);
	req.len = len;
	io_req_read_refs(&req, iov);
	ret = __sys_dios_io(DIOS_IOC_ACQUIRE_READ, &req);
	if (ret == -EOPNOTSUPP && !(flags & ~DIOS_NONBLOCK) && !req.offset) {
		r = __dios_ring_lock(flags, ref, DIOS_RING_READ, &err);
		if (!r)
			return err;
		return RING_CALL(r, __dios_ring_acquire_read(flags, r, len, iov));
	}
	return io_read_result(iov, &req, ret);
}

int dios_commit_read(uint64_t flags, dios_ref_t ref, struct dios_iovec *iov)
{
	struct dios_io_req req;
	int ret;

	if (!iov)
		return -EFAULT;
	ret = __dios_ring_commit_read_ref(flags, ref, iov);
	if (ret != DIOS_RING_UNKNOWN)
		return ret;
	io_req_init(&req, flags, ref, iov, !!(flags & DIOS_IO_REARM));
	req.addr = DIOS_PTR(iov->buf);
	if (!(flags & DIOS_IO_REARM))
		return io_plain_result(iov,
				       __sys_dios_io(DIOS_IOC_COMMIT_READ, &req),
				       1);
	req.next_len = iov->next_len;
	io_req_read_refs(&req, iov);
	return io_read_result(iov, &req,
			      __sys_dios_io(DIOS_IOC_COMMIT_READ, &req));
}

int dios_release_read(uint64_t flags, dios_ref_t ref, struct dios_iovec *iov)
{
	struct dios_io_req req;
	struct ring_side *r;

	if (!iov)
		return -EFAULT;
	r = __dios_ring_find_locked(ref, DIOS_RING_READ);
	if (r)
		return RING_CALL(r, flags ? -EINVAL :
				    __dios_ring_release(r, iov));
	io_req_init(&req, flags, ref, iov, 0);
	req.addr = DIOS_PTR(iov->buf);
	return io_plain_result(iov, __sys_dios_io(DIOS_IOC_RELEASE_READ, &req),
			       0);
}

int dios_acquire_write(uint64_t flags, dios_ref_t ref, uint64_t len,
		       struct dios_iovec *iov)
{
	struct dios_io_req req;
	struct ring_side *r;
	int ret, err;

	if (!iov)
		return -EFAULT;
	ret = __dios_ring_acquire_write_ref(flags, ref, len, iov);
	if (ret != DIOS_RING_UNKNOWN)
		return ret;
	io_req_init(&req, flags, ref, iov, 1);
	req.len = len;
	ret = __sys_dios_io(DIOS_IOC_ACQUIRE_WRITE, &req);
	if (ret == -EOPNOTSUPP && !(flags & ~DIOS_NONBLOCK) && !req.offset) {
		r = __dios_ring_lock(flags, ref, DIOS_RING_WRITE, &err);
		if (!r)
			return err;
		return RING_CALL(r, __dios_ring_acquire_write(flags, r, len,
							      iov));
	}
	if (ret == 0)
		io_take_buffer(iov, &req, 0);
	return io_done(iov, &req, ret);
}

int dios_commit_write(uint64_t flags, dios_ref_t ref, uint64_t len,
		      struct dios_iovec *iov)
{
	struct dios_io_req req;
	int ret;

	if (!iov)
		return -EFAULT;
	ret = __dios_ring_commit_write_ref(flags, ref, len, iov);
	if (ret != DIOS_RING_UNKNOWN)
		return ret;
	io_req_init(&req, flags, ref, iov, !!(flags & DIOS_IO_REARM));
	req.len = len;
	req.addr = DIOS_PTR(iov->buf);
	if (flags & DIOS_IO_REFS) {
		req.refs = DIOS_PTR(iov->refs);
		req.n_refs = iov->n_refs;
	}
	if (flags & DIOS_IO_FORWARD)
		req.src_ref = iov->src_ref;
	if (flags & DIOS_IO_REARM)
		req.next_len = iov->next_len;
	ret = __sys_dios_io(DIOS_IOC_COMMIT_WRITE, &req);
	if (!(flags & DIOS_IO_REARM))
		return io_plain_result(iov, ret, 1);
	if (ret == 0)
		io_take_buffer(iov, &req, 0);
	return io_done(iov, &req, ret);
}

int dios_release_write(uint64_t flags, dios_ref_t ref, struct dios_iovec *iov)
{
	struct dios_io_req req;
	struct ring_side *r;

	if (!iov)
		return -EFAULT;
	r = __dios_ring_find_locked(ref, DIOS_RING_WRITE);
	if (r)
		return RING_CALL(r, flags ? -EINVAL :
				    __dios_ring_release(r, iov));
	io_req_init(&req, flags, ref, iov, 0);
	req.addr = DIOS_PTR(iov->buf);
	return io_plain_result(iov, __sys_dios_io(DIOS_IOC_RELEASE_WRITE, &req),
			       0);
}

/*
 * Copying I/O: DIOS_IOC_XFER.  A NULL buffer with a length is refused here,
 * before the kernel would wait for room or a message to find it bad.
 */
static int xfer(uint64_t flags, dios_ref_t send_ref, const void *sbuf,
		uint64_t slen, dios_ref_t recv_ref, void *rbuf, uint64_t rcap,
		uint32_t *done)
{
	struct dios_xfer_req req;
	int ret;

	if (done)
		*done = 0;
	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if ((!sbuf && slen) || (!rbuf && rcap))
		return -EFAULT;
	memset(&req, 0, sizeof(req));
	req.flags = flags;
	if (send_ref) {
		req.flags |= DIOS_XFER_SEND;
		req.send_ref = send_ref;
		req.send_buf = DIOS_PTR(sbuf);
		req.send_len = slen;
	}
	if (recv_ref) {
		req.flags |= DIOS_XFER_RECV;
		req.recv_ref = recv_ref;
		req.recv_buf = DIOS_PTR(rbuf);
		/* The length is returned as an int. */
		req.recv_len = rcap < INT_MAX ? rcap : INT_MAX;
	}
	ret = __sys_dios_call(DIOS_IOC_XFER, &req);
	if (done)
		*done = req.done;
	if (ret)
		return ret;
	return recv_ref ? (int)req.recv_len : 0;
}

/*
 * The side of a ring stream whose lease this process holds, or whose lease
 * it takes now because the kernel refused the copying call: locked, or
 * NULL with *@err (0: not a ring stream, use DIOS_IOC_XFER).
 */
static struct ring_side *xfer_ring(uint64_t flags, dios_ref_t ref, int side,
				   int *err)
{
	struct ring_side *r = __dios_ring_find_locked(ref, side);

	*err = 0;
	if (r)
		return r;
	r = __dios_ring_lock(flags, ref, side, err);
	if (!r && *err == -EOPNOTSUPP)
		*err = 0;
	return r;
}

static int ring_send(uint64_t flags, dios_ref_t ref, const void *buf,
		     uint64_t len)
{
	struct ring_side *r;
	int err;

	r = xfer_ring(flags, ref, DIOS_RING_WRITE, &err);
	if (!r)
		return err ? err : -EOPNOTSUPP;
	return RING_CALL(r, __dios_ring_send(flags, r, buf, len, 1));
}

static int ring_recv(uint64_t flags, dios_ref_t ref, void *buf, uint64_t cap)
{
	struct ring_side *r;
	int err;

	r = xfer_ring(flags, ref, DIOS_RING_READ, &err);
	if (!r)
		return err ? err : -EOPNOTSUPP;
	return RING_CALL(r, __dios_ring_recv(flags, r, buf, cap,
					      DIOS_REF_NONE));
}

int dios_send(uint64_t flags, dios_ref_t ref, const void *buf, uint64_t len)
{
	int ret;

	if (!ref)
		return -EBADF;
	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if (!buf && len)
		return -EFAULT;
	ret = __dios_ring_send_ref(flags, ref, buf, len);
	if (ret != DIOS_RING_UNKNOWN)
		return ret;
	ret = xfer(flags, ref, buf, len, DIOS_REF_NONE, NULL, 0, NULL);
	return ret == -EOPNOTSUPP ? ring_send(flags, ref, buf, len) : ret;
}

int dios_recv(uint64_t flags, dios_ref_t ref, void *buf, uint64_t cap)
{
	int ret;

	if (!ref)
		return -EBADF;
	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if (!buf && cap)
		return -EFAULT;
	ret = __dios_ring_recv_ref(flags, ref, buf, cap);
	if (ret != DIOS_RING_UNKNOWN)
		return ret;
	ret = xfer(flags, DIOS_REF_NONE, NULL, 0, ref, buf, cap, NULL);
	return ret == -EOPNOTSUPP ? ring_recv(flags, ref, buf, cap) : ret;
}

/*
 * A call on ring streams: the send in user space, then the receive; a
 * reader of the sent message that sleeps is woken by the wait itself, one
 * system call for the wake and the wait.  Either stream may also be a
 * plain one (then its half is DIOS_IOC_XFER's).
 */
static int ring_call(uint64_t flags, dios_ref_t send_ref, const void *sbuf,
		     uint64_t slen, dios_ref_t recv_ref, void *rbuf,
		     uint64_t rcap, uint32_t *done, struct ring_side *s)
{
	dios_ref_t wake = DIOS_REF_NONE;
	struct ring_side *r;
	int ret, err;

	if (!s) {
		s = xfer_ring(flags, send_ref, DIOS_RING_WRITE, &err);
		if (!s && err)
			return err;
	}
	if (s) {
		ret = __dios_ring_send(flags, s, sbuf, slen, 0);
		if (!ret && __dios_ring_wants_wake(s))
			wake = send_ref;
		__dios_ring_unlock(s);
	} else {
		ret = xfer(flags, send_ref, sbuf, slen, DIOS_REF_NONE, NULL,
			   0, NULL);
	}
	if (ret)
		return ret;
	if (done)
		*done = DIOS_XFER_SEND;
	r = xfer_ring(flags, recv_ref, DIOS_RING_READ, &err);
	if (!r) {
		if (wake)
			__dios_ring_wake(wake);
		if (err)
			return err;
		ret = xfer(flags, DIOS_REF_NONE, NULL, 0, recv_ref, rbuf,
			   rcap, NULL);
	} else {
		ret = __dios_ring_recv(flags, r, rbuf, rcap, wake);
		__dios_ring_unlock(r);
	}
	if (ret >= 0 && done)
		*done |= DIOS_XFER_RECV;
	return ret;
}

/*
 * dios_call() past its checks, where no lease of this process is either
 * stream's (ring.c tried them first): a copying pair, or a ring stream not
 * attached yet on one side or both.
 */
int __dios_call_slow(uint64_t flags, dios_ref_t send_ref, const void *sbuf,
		     uint64_t slen, dios_ref_t recv_ref, void *rbuf,
		     uint64_t rcap, uint32_t *done)
{
	struct ring_side *s;
	uint32_t d = 0;
	int ret, err;

	s = __dios_ring_find_locked(send_ref, DIOS_RING_WRITE);
	if (s || __dios_ring_known(recv_ref, DIOS_RING_READ)) {
		ret = ring_call(flags, send_ref, sbuf, slen, recv_ref, rbuf,
				rcap, &d, s);
	} else {
		ret = xfer(flags, send_ref, sbuf, slen, recv_ref, rbuf, rcap,
			   &d);
		if (ret == -EOPNOTSUPP && d & DIOS_XFER_SEND) {
			/* Sent; the receive is a ring stream's. */
			ret = ring_recv(flags, recv_ref, rbuf, rcap);
			if (ret >= 0)
				d |= DIOS_XFER_RECV;
		} else if (ret == -EOPNOTSUPP) {
			/* Nothing sent: the send is a ring stream's, maybe. */
			s = xfer_ring(flags, send_ref, DIOS_RING_WRITE, &err);
			if (s)
				ret = ring_call(flags, send_ref, sbuf, slen,
						recv_ref, rbuf, rcap, &d, s);
			else if (err)
				ret = err;
		}
	}
	if (done)
		*done = d;
	return ret;
}

/* Batches: DIOS_IOC_XFER_BATCH. */
int dios_xfer_batch(uint64_t flags, struct dios_xfer_req *reqs, uint32_t n,
		    int *error)
{
	struct dios_xfer_batch_req req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.flags = flags;
	req.reqs = DIOS_PTR(reqs);
	req.n = n;
	req.req_size = sizeof(*reqs);
	ret = __sys_dios_call(DIOS_IOC_XFER_BATCH, &req);
	if (error)
		*error = ret > 0 ? req.error : ret;
	return ret;
}

/* Requests of a batch up to this size live on the stack (4 KiB). */
#define BATCH_STACK	64

/*
 * One message per element of @msgs, all on @ref in direction @dir
 * (DIOS_XFER_SEND or DIOS_XFER_RECV).  A receive writes the lengths into
 * @out (@msgs itself): of the messages received, and of the one too long
 * for its buffer.
 */
static int xfer_v(uint64_t flags, uint64_t dir, dios_ref_t ref,
		  const struct iovec *msgs, struct iovec *out, uint32_t n,
		  int *error)
{
	struct dios_xfer_req stack[BATCH_STACK], *reqs = stack;
	uint32_t i, done;
	int ret, err;

	if (!ref)
		ret = -EBADF;
	else if (!msgs)
		ret = -EFAULT;
	else if (!n || n > DIOS_XFER_BATCH_MAX)
		ret = -EINVAL;
	else if (n > BATCH_STACK && !(reqs = calloc(n, sizeof(*reqs))))
		ret = -ENOMEM;
	else
		ret = 0;
	if (ret) {
		if (error)
			*error = ret;
		return ret;
	}
	memset(reqs, 0, n * sizeof(*reqs));
	for (i = 0; i < n; i++) {
		reqs[i].flags = dir;
		if (dir == DIOS_XFER_SEND) {
			reqs[i].send_ref = ref;
			reqs[i].send_buf = DIOS_PTR(msgs[i].iov_base);
			reqs[i].send_len = msgs[i].iov_len;
		} else {
			reqs[i].recv_ref = ref;
			reqs[i].recv_buf = DIOS_PTR(msgs[i].iov_base);
			reqs[i].recv_len = msgs[i].iov_len;
		}
	}
	ret = dios_xfer_batch(flags, reqs, n, &err);
	done = ret > 0 ? (uint32_t)ret : 0;
	if (out) {
		for (i = 0; i < done; i++)
			out[i].iov_len = (size_t)reqs[i].recv_len;
		if (err == -EMSGSIZE && done < n)
			out[done].iov_len = (size_t)reqs[done].recv_len;
	}
	if (reqs != stack)
		free(reqs);
	if (error)
		*error = err;
	return ret;
}

int dios_sendv(uint64_t flags, dios_ref_t ref, const struct iovec *msgs,
	       uint32_t n, int *error)
{
	return xfer_v(flags, DIOS_XFER_SEND, ref, msgs, NULL, n, error);
}

int dios_recvv(uint64_t flags, dios_ref_t ref, struct iovec *msgs,
	       uint32_t n, int *error)
{
	return xfer_v(flags, DIOS_XFER_RECV, ref, msgs, msgs, n, error);
}
