// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Channels: two streams, one per direction, and the handshake that lets
 * the creator of a named channel wait for its far end (docs/api.md,
 * "Channels").
 *
 * A channel keeps nothing between calls but the handles of struct
 * dios_chan.  A send or receive without references is one DIOS_IOC_XFER
 * (dios_send, dios_recv): one system call, the kernel copies the payload
 * and maps no view, which is what short-lived channels and small messages
 * want; dios_chan_call sends and receives in one.  Messages carrying
 * references go zero-copy, acquire + commit: two system calls.
 * DIOS_IO_REARM would make those one, but only by leaving a buffer open
 * between calls, which holds the ring's tail (or head) against every other
 * writer (reader) of the stream, makes dios_select report the stream not
 * ready, and must guess the next message's length.  The zero-copy calls
 * pass DIOS_IO_REARM through for callers that want that trade.
 *
 * Until the far end of a named channel has opened it, the creator keeps
 * its full references to both streams in __hold: without them its write
 * stream would have no reader and its read stream no writer (-EPIPE).
 */
#include <limits.h>
#include <sched.h>
#include <string.h>

#include "internal.h"

/* What a lookup of the names grants the far end. */
#define CHAN_FAR_RX	(DIOS_RIGHT_READ | DIOS_RIGHT_COPY)
#define CHAN_FAR_TX	(DIOS_RIGHT_WRITE | DIOS_RIGHT_COPY)
/* The creator's own end may also zombify its streams. */
#define CHAN_OWN_TX	(CHAN_FAR_TX | DIOS_RIGHT_DELETE)
#define CHAN_OWN_RX	(CHAN_FAR_RX | DIOS_RIGHT_DELETE)

static dios_ref_t chan_load(const dios_ref_t *ref)
{
	return __atomic_load_n(ref, __ATOMIC_ACQUIRE);
}

/* Delete *@ref if set and clear it; the deletion's error. */
static int chan_put(dios_ref_t *ref)
{
	dios_ref_t r = *ref;

	*ref = DIOS_REF_NONE;
	return r ? dios_delete(0, r) : 0;
}

int dios_chan_close(struct dios_chan *chan)
{
	int ret, err;

	if (!chan)
		return -EFAULT;
	ret = chan_put(&chan->tx);
	err = chan_put(&chan->rx);
	ret = ret ?: err;
	err = chan_put(&chan->__hold[0]);
	ret = ret ?: err;
	err = chan_put(&chan->__hold[1]);
	return ret ?: err;
}

/*
 * The two streams and a creator's end of them: tx and rx reduced, __hold
 * the full references.  @names NULL: anonymous streams.
 */
static int chan_make(uint64_t flags, uint64_t capacity,
		     struct dios_name *names, struct dios_chan *chan)
{
	static const uint64_t far_rights[2] = { CHAN_FAR_RX, CHAN_FAR_TX };
	struct dios_create_args a;
	int i, ret = 0;

	memset(chan, 0, sizeof(*chan));
	if (!names)
		flags = DIOS_CREATE_ANON;
	for (i = 0; i < 2 && !ret; i++) {
		memset(&a, 0, sizeof(a));
		a.capacity = capacity ? capacity : DIOS_CHAN_CAPACITY;
		if (names) {
			a.name_rights = far_rights[i];
			if (flags & DIOS_CREATE_NAME_GIVEN)
				a.name = names[i];
		}
		ret = dios_create(flags, DIOS_OBJ_STREAM, &a, &chan->__hold[i],
				  names ? &names[i] : NULL);
	}
	if (!ret)
		ret = dios_dup(chan->__hold[0], CHAN_OWN_TX, &chan->tx);
	if (!ret)
		ret = dios_dup(chan->__hold[1], CHAN_OWN_RX, &chan->rx);
	if (ret)
		dios_chan_close(chan);
	return ret;
}

int dios_chan_create(uint64_t flags, uint64_t capacity, struct dios_chan *chan,
		     struct dios_name names[2])
{
	struct dios_name n[2];
	struct dios_chan c;
	int ret;

	if (flags & ~DIOS_CREATE_NAME_GIVEN)
		return -EINVAL;
	if (!chan || !names)
		return -EFAULT;
	memcpy(n, names, sizeof(n));
	ret = chan_make(flags, capacity, n, &c);
	if (ret)
		return ret;
	*chan = c;
	memcpy(names, n, sizeof(n));
	return 0;
}

int dios_chan_pair(uint64_t flags, uint64_t capacity, struct dios_chan *chan,
		   dios_ref_t peer[2])
{
	dios_ref_t p[2] = { DIOS_REF_NONE, DIOS_REF_NONE };
	struct dios_chan c;
	int ret;

	if (flags)
		return -EINVAL;
	if (!chan || !peer)
		return -EFAULT;
	ret = chan_make(0, capacity, NULL, &c);
	if (ret)
		return ret;
	ret = dios_dup(c.__hold[0], CHAN_FAR_RX, &p[0]);
	if (!ret)
		ret = dios_dup(c.__hold[1], CHAN_FAR_TX, &p[1]);
	if (!ret)
		ret = chan_put(&c.__hold[0]) ?: chan_put(&c.__hold[1]);
	if (ret) {
		chan_put(&p[0]);
		chan_put(&p[1]);
		dios_chan_close(&c);
		return ret;
	}
	*chan = c;
	peer[0] = p[0];
	peer[1] = p[1];
	return 0;
}

/*
 * Take the connect message from the read stream, through the full
 * reference __hold[1], and drop __hold.  Threads racing here all read
 * through that one reference, so the kernel lets one of them hold the
 * message (the others get -EBUSY and try again); the winner clears __hold
 * before it consumes the message, so a loser that gets the next message,
 * or -EBADF once __hold[1] is deleted, sees it cleared and gives way.
 */
static int chan_accept(uint64_t flags, struct dios_chan *chan)
{
	struct dios_iovec iov;
	dios_ref_t hold[2];
	int ret;

	for (;;) {
		hold[1] = chan_load(&chan->__hold[1]);
		if (!hold[1])
			return 0;
		memset(&iov, 0, sizeof(iov));
		ret = dios_acquire_read(flags, hold[1], DIOS_CHAN_CONNECT_LEN,
					&iov);
		if (!chan_load(&chan->__hold[1])) {
			if (!ret)
				dios_release_read(0, hold[1], &iov);
			return 0;
		}
		if (ret != -EBUSY)
			break;
		sched_yield();
	}
	/* Longer, or carrying references: not a connect message. */
	if (ret == -EMSGSIZE)
		return -EPROTO;
	if (ret)
		return ret;
	if (iov.len != DIOS_CHAN_CONNECT_LEN ||
	    memcmp(iov.buf, DIOS_CHAN_CONNECT, DIOS_CHAN_CONNECT_LEN)) {
		dios_release_read(0, hold[1], &iov);
		return -EPROTO;
	}
	hold[0] = chan->__hold[0];
	__atomic_store_n(&chan->__hold[0], DIOS_REF_NONE, __ATOMIC_RELEASE);
	__atomic_store_n(&chan->__hold[1], DIOS_REF_NONE, __ATOMIC_RELEASE);
	ret = dios_commit_read(0, hold[1], &iov);
	dios_delete(0, hold[0]);
	dios_delete(0, hold[1]);
	return ret;
}

int dios_chan_accept(uint64_t flags, struct dios_chan *chan)
{
	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if (!chan)
		return -EFAULT;
	return chan_accept(flags, chan);
}

/* One message of @len bytes (0 allowed) carrying @n references. */
static int chan_send(uint64_t flags, struct dios_chan *chan, const void *buf,
		     uint64_t len, const dios_ref_t *refs, uint32_t n)
{
	struct dios_iovec iov;
	int ret;

	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if (!chan || (!buf && len) || (!refs && n))
		return -EFAULT;
	ret = chan_accept(flags, chan);
	if (ret)
		return ret;
	if (!n)
		return dios_send(flags, chan->tx, buf, len);
	memset(&iov, 0, sizeof(iov));
	/* A reservation is at least a byte; the commit may publish none. */
	ret = dios_acquire_write(flags, chan->tx, len ? len : 1, &iov);
	if (ret)
		return ret;
	if (len)
		memcpy(iov.buf, buf, len);
	iov.refs = (dios_ref_t *)(uintptr_t)refs;
	iov.n_refs = n;
	ret = dios_commit_write(n ? DIOS_IO_REFS : 0, chan->tx, len, &iov);
	if (ret)
		dios_release_write(0, chan->tx, &iov);
	return ret;
}

/* One message into @buf and, if @n is not NULL, its references. */
static int chan_recv(uint64_t flags, struct dios_chan *chan, void *buf,
		     uint64_t cap, dios_ref_t *refs, uint32_t *n)
{
	struct dios_iovec iov;
	int ret;

	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if (!chan || (!buf && cap) || (n && !refs && *n))
		return -EFAULT;
	ret = chan_accept(flags, chan);
	if (ret)
		return ret;
	/* No room for references: one carrying any is -EMSGSIZE, and stays. */
	if (!n)
		return dios_recv(flags, chan->rx, buf, cap);
	memset(&iov, 0, sizeof(iov));
	iov.refs = refs;
	iov.n_refs = n ? *n : 0;
	/* The length is returned as an int. */
	ret = dios_acquire_read(flags, chan->rx, cap < INT_MAX ? cap : INT_MAX,
				&iov);
	if (ret == -EMSGSIZE && n)
		*n = iov.n_refs;
	if (ret)
		return ret;
	if (iov.len)
		memcpy(buf, iov.buf, iov.len);
	ret = dios_commit_read(0, chan->rx, &iov);
	if (ret) {
		dios_release_read(0, chan->rx, &iov);
		return ret;
	}
	if (n)
		*n = iov.n_refs;
	return (int)iov.len;
}

int dios_chan_send(uint64_t flags, struct dios_chan *chan, const void *buf,
		   uint64_t len)
{
	return chan_send(flags, chan, buf, len, NULL, 0);
}

int dios_chan_recv(uint64_t flags, struct dios_chan *chan, void *buf,
		   uint64_t cap)
{
	return chan_recv(flags, chan, buf, cap, NULL, NULL);
}

int dios_chan_call(uint64_t flags, struct dios_chan *chan, const void *sbuf,
		   uint64_t slen, void *rbuf, uint64_t rcap, uint32_t *done)
{
	int ret;

	if (done)
		*done = 0;
	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if (!chan || (!sbuf && slen) || (!rbuf && rcap))
		return -EFAULT;
	ret = chan_accept(flags, chan);
	if (ret)
		return ret;
	return dios_call(flags, chan->tx, sbuf, slen, chan->rx, rbuf, rcap,
			 done);
}

int dios_chan_send_refs(uint64_t flags, struct dios_chan *chan,
			const void *buf, uint64_t len, const dios_ref_t *refs,
			uint32_t n)
{
	return chan_send(flags, chan, buf, len, refs, n);
}

int dios_chan_recv_refs(uint64_t flags, struct dios_chan *chan, void *buf,
			uint64_t cap, dios_ref_t *refs, uint32_t *n)
{
	if (!n)
		return -EFAULT;
	return chan_recv(flags, chan, buf, cap, refs, n);
}

int dios_chan_open(uint64_t flags, const struct dios_name names[2],
		   struct dios_chan *chan)
{
	struct dios_ref_info tx, rx;
	struct dios_chan c;
	int ret;

	if (flags)
		return -EINVAL;
	if (!names || !chan)
		return -EFAULT;
	dios_chan_from_refs(&c, DIOS_REF_NONE, DIOS_REF_NONE);
	ret = dios_lookup(0, &names[1], DIOS_REF_NONE, &c.tx);
	if (!ret)
		ret = dios_lookup(0, &names[0], DIOS_REF_NONE, &c.rx);
	if (!ret)
		ret = dios_ref_info(c.tx, &tx) ?: dios_ref_info(c.rx, &rx);
	if (!ret && (tx.type != DIOS_OBJ_STREAM || rx.type != DIOS_OBJ_STREAM))
		ret = -EPROTO;
	if (!ret)
		ret = chan_send(0, &c, DIOS_CHAN_CONNECT,
				DIOS_CHAN_CONNECT_LEN, NULL, 0);
	if (ret) {
		dios_chan_close(&c);
		return ret;
	}
	*chan = c;
	return 0;
}

/* The checks of a zero-copy acquire, and the wait for the far end. */
static int chan_acquire_ready(uint64_t flags, struct dios_chan *chan,
			      const struct dios_iovec *iov)
{
	if (flags & ~DIOS_NONBLOCK)
		return -EINVAL;
	if (!chan || !iov)
		return -EFAULT;
	return chan_accept(flags, chan);
}

int dios_chan_send_acquire(uint64_t flags, struct dios_chan *chan,
			   uint64_t len, struct dios_iovec *iov)
{
	return chan_acquire_ready(flags, chan, iov) ?:
	       dios_acquire_write(flags, chan->tx, len, iov);
}

int dios_chan_send_commit(uint64_t flags, struct dios_chan *chan,
			  uint64_t len, struct dios_iovec *iov)
{
	if (!chan)
		return -EFAULT;
	return dios_commit_write(flags, chan->tx, len, iov);
}

int dios_chan_recv_acquire(uint64_t flags, struct dios_chan *chan,
			   struct dios_iovec *iov)
{
	return chan_acquire_ready(flags, chan, iov) ?:
	       dios_acquire_read(flags, chan->rx, UINT64_MAX, iov);
}

int dios_chan_recv_release(uint64_t flags, struct dios_chan *chan,
			   struct dios_iovec *iov)
{
	if (!chan)
		return -EFAULT;
	return dios_commit_read(flags, chan->rx, iov);
}
