// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios

import (
	"math"
	"runtime"
	"syscall"
	"unsafe"

	"dios.example/dios/internal/uapi"
)

// IOVec is an I/O buffer, the window of an object that one transaction
// owns (struct dios_iovec): acquire fills it, commit and release name the
// buffer by it. The six steps behave as libdios's (userlib/io.c,
// docs/io.md): the kernel identifies the transaction by (reference,
// direction), and the library moves these fields in and out.
//
// Buf is memory the module maps into the process (a view): valid from the
// acquire until the transaction ends (commit, release, or the reference's
// Close, which unmaps it); a read buffer is read-only (writing it faults).
type IOVec struct {
	// Out of acquire: the buffer (for a stream read, the message).
	Buf []byte
	// Out of acquire: the buffer's length; with EMSGSIZE, the length the
	// message needs.
	Len uint64
	// In to acquire: the window's start in a memory or blob object; 0
	// for a stream.
	Offset uint64
	// Acquire_read: room for the handles a message carries (its length
	// is the capacity); commit_write with WithRefs: the handles sent.
	Refs []uint64
	// Out of acquire_read: how many handles arrived in Refs (with
	// EMSGSIZE: how many the message carries).
	NRefs int
	// Commit_write with Forward: the reference whose read buffer is
	// published.
	SrcRef *Ref
	// Commit with Rearm: the length to acquire next (a read: the
	// largest message accepted).
	NextLen uint64
	// Out of every step: DoneCommit once a commit took effect,
	// DoneAcquire once a buffer is open.
	Done uint32

	addr uint64 // the buffer's address, as the kernel gave it
}

// IOVec.Done bits (DIOS_IO_DONE_*).
const (
	DoneCommit  = uapi.IODoneCommit
	DoneAcquire = uapi.IODoneAcquire
)

// slice is the view memory at addr as a []byte (the address came from the
// kernel; it is not Go memory).
func slice(addr *uint64, n uint64) []byte {
	if *addr == 0 {
		return nil
	}
	p := *(*unsafe.Pointer)(unsafe.Pointer(addr))
	return unsafe.Slice((*byte)(p), n)
}

func refsPtr(refs []uint64) unsafe.Pointer {
	if len(refs) == 0 {
		return nil
	}
	return unsafe.Pointer(&refs[0])
}

func bufPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

// take records the buffer of a successful acquire (or re-arming commit).
func (v *IOVec) take(req *uapi.IOReq, read bool) {
	v.addr = req.Addr
	v.Len = req.Len
	v.Buf = slice(&v.addr, req.Len)
	if read {
		v.NRefs = int(req.NRefs)
	}
}

// settle is io_done() of userlib/io.c: a re-arming commit that committed
// and then failed to acquire left no buffer open.
func (v *IOVec) settle(req *uapi.IOReq, e syscall.Errno, read bool) {
	v.Done = req.Done
	switch {
	case e == 0:
		v.take(req, read)
	case e == syscall.EMSGSIZE:
		v.Len = req.Len
		if read {
			v.NRefs = int(req.NRefs)
		}
	}
	if e != 0 && req.Done&uapi.IODoneCommit != 0 {
		v.addr, v.Buf = 0, nil
		if e != syscall.EMSGSIZE {
			v.Len = 0
		}
	}
}

// step runs one acquiring I/O step (an acquire, a re-arming commit), as a
// blocking call unless flags has NonBlock (Context.retry). A re-arming
// commit that committed and then found nothing to acquire goes on with a
// plain acquire of NextLen.
func (r *Ref) step(op string, cmd uintptr, flags Flags, req *uapi.IOReq,
	v *IOVec, read bool) error {
	h, err := r.handle(op)
	if err != nil {
		return err
	}
	req.Ref = h
	ev := uint32(uapi.EvWrite)
	if read {
		ev = uapi.EvRead
	}
	base := uint64(flags) &^ uapi.NonBlock
	committed := false
	e := r.c.retry(h, ev, flags&NonBlock != 0, func(nb bool) syscall.Errno {
		req.Flags = base
		if nb {
			req.Flags |= uapi.NonBlock
		}
		req.Done = 0
		e := r.c.rawIoctl(cmd, unsafe.Pointer(req))
		if e == syscall.EAGAIN && base&uapi.IORearm != 0 &&
			req.Done&uapi.IODoneCommit != 0 {
			// Committed; the acquire goes on alone.
			committed = true
			v.settle(req, e, read)
			acq := uapi.IOReq{Ref: h, Offset: v.Offset, Len: v.NextLen}
			if read {
				cmd = uapi.IOCAcquireRead
				acq.Refs, acq.NRefs = refsPtr(v.Refs), uint32(len(v.Refs))
			} else {
				cmd = uapi.IOCAcquireWrite
				acq.Flags = base & uapi.IOOverwrite
			}
			base &= uapi.IOOverwrite
			*req = acq
			return syscall.EAGAIN
		}
		return e
	})
	if committed {
		req.Done |= uapi.IODoneCommit
	}
	v.settle(req, e, read)
	runtime.KeepAlive(v.Refs)
	return mkerr(op, e)
}

// AcquireRead opens a read buffer of up to max bytes (a stream: the head
// message whole, if it is at most max bytes and carries at most len(v.Refs)
// references, else EMSGSIZE with v.Len and v.NRefs set and the message
// left at the head). Waits unless flags has NonBlock.
func (r *Ref) AcquireRead(flags Flags, max uint64, v *IOVec) error {
	req := uapi.IOReq{Len: max, Offset: v.Offset, Refs: refsPtr(v.Refs),
		NRefs: uint32(len(v.Refs))}
	return r.step("acquire read", uapi.IOCAcquireRead, flags, &req, v, true)
}

// CommitRead ends the read: a stream message is consumed, a blob read
// checked (ESTALE). With Rearm it then acquires the next buffer of
// v.NextLen, waiting unless flags has NonBlock.
func (r *Ref) CommitRead(flags Flags, v *IOVec) error {
	req := uapi.IOReq{Addr: v.addr}
	if flags&Rearm == 0 {
		return r.plain("commit read", uapi.IOCCommitRead, flags, &req, v, true)
	}
	req.Offset, req.NextLen = v.Offset, v.NextLen
	req.Refs, req.NRefs = refsPtr(v.Refs), uint32(len(v.Refs))
	return r.step("commit read", uapi.IOCCommitRead, flags, &req, v, true)
}

// ReleaseRead ends the read without consuming: a stream message goes back
// to the head.
func (r *Ref) ReleaseRead(flags Flags, v *IOVec) error {
	req := uapi.IOReq{Addr: v.addr}
	return r.plain("release read", uapi.IOCReleaseRead, flags, &req, v, false)
}

// AcquireWrite opens a write buffer of n bytes (a stream: a reservation at
// the tail, waiting for room unless flags has NonBlock).
func (r *Ref) AcquireWrite(flags Flags, n uint64, v *IOVec) error {
	req := uapi.IOReq{Len: n, Offset: v.Offset}
	return r.step("acquire write", uapi.IOCAcquireWrite, flags, &req, v, false)
}

// CommitWrite publishes n bytes of the buffer (a stream: one message, with
// the handles of v.Refs if flags has WithRefs, which leave this task;
// with Forward, v.SrcRef's read buffer instead). With Rearm it then
// acquires the next buffer of v.NextLen.
func (r *Ref) CommitWrite(flags Flags, n uint64, v *IOVec) error {
	req := uapi.IOReq{Addr: v.addr, Len: n}
	if flags&WithRefs != 0 {
		req.Refs, req.NRefs = refsPtr(v.Refs), uint32(len(v.Refs))
	}
	if flags&Forward != 0 {
		src, err := v.SrcRef.handle("commit write")
		if err != nil {
			return err
		}
		req.SrcRef = src
	}
	var err error
	if flags&Rearm == 0 {
		err = r.plain("commit write", uapi.IOCCommitWrite, flags, &req, v, true)
	} else {
		req.Offset, req.NextLen = v.Offset, v.NextLen
		err = r.step("commit write", uapi.IOCCommitWrite, flags, &req, v, false)
	}
	if flags&WithRefs != 0 && v.Done&DoneCommit != 0 {
		for _, h := range v.Refs {
			r.c.poll.forget(h) // gone from this task's table
		}
	}
	return err
}

// ReleaseWrite ends the write without publishing anything.
func (r *Ref) ReleaseWrite(flags Flags, v *IOVec) error {
	req := uapi.IOReq{Addr: v.addr}
	return r.plain("release write", uapi.IOCReleaseWrite, flags, &req, v, false)
}

// plain is a step that acquires nothing: it committed or not.
func (r *Ref) plain(op string, cmd uintptr, flags Flags, req *uapi.IOReq,
	v *IOVec, commit bool) error {
	h, err := r.handle(op)
	if err != nil {
		return err
	}
	req.Ref, req.Flags = h, uint64(flags)
	e := r.c.rawIoctl(cmd, unsafe.Pointer(req))
	runtime.KeepAlive(v.Refs)
	v.Done = 0
	if e == 0 && commit {
		v.Done = DoneCommit
	}
	if e == 0 || (cmd == uapi.IOCCommitRead && e == syscall.ESTALE) {
		v.addr, v.Buf = 0, nil // the transaction is over
	}
	return mkerr(op, e)
}

// xfer is one DIOS_IOC_XFER: a copy of p into the stream tx (if tx is
// not 0), then of one message of rx into q (if rx is not 0). It returns
// the received length (with EMSGSIZE: the length the message needs) and
// done (DIOS_XFER_SEND, DIOS_XFER_RECV).
func (c *Context) xfer(nonblock bool, tx uint64, p []byte, rx uint64,
	q []byte) (int, uint32, syscall.Errno) {
	var req uapi.XferReq
	if tx != 0 {
		req.Flags |= uapi.XferSend
		req.SendRef, req.SendBuf, req.SendLen = tx, bufPtr(p), uint64(len(p))
	}
	if rx != 0 {
		req.Flags |= uapi.XferRecv
		req.RecvRef, req.RecvBuf = rx, bufPtr(q)
		// The length comes back as an int.
		req.RecvLen = uint64(len(q))
		if req.RecvLen > math.MaxInt32 {
			req.RecvLen = math.MaxInt32
		}
	}
	if nonblock {
		req.Flags |= uapi.NonBlock
	}
	e := c.rawIoctl(uapi.IOCXfer, unsafe.Pointer(&req))
	return int(req.RecvLen), req.Done, e
}

func (r *Ref) send(nonblock bool, p []byte) error {
	h, err := r.handle("send")
	if err != nil {
		return err
	}
	e := r.c.retry(h, uapi.EvWrite, nonblock, func(nb bool) syscall.Errno {
		_, _, e := r.c.xfer(nb, h, p, 0, nil)
		return e
	})
	return mkerr("send", e)
}

func (r *Ref) recv(nonblock bool, q []byte) (int, error) {
	h, err := r.handle("recv")
	if err != nil {
		return 0, err
	}
	var n int
	e := r.c.retry(h, uapi.EvRead, nonblock, func(nb bool) syscall.Errno {
		var e syscall.Errno
		n, _, e = r.c.xfer(nb, 0, nil, h, q)
		return e
	})
	if e != 0 && e != syscall.EMSGSIZE {
		n = 0
	}
	return n, mkerr("recv", e)
}

// Send copies p into the stream as one message (dios_send, DIOS_IOC_XFER:
// one system call, no view), waiting for room. EPIPE once no reader is
// left; EMSGSIZE above the capacity.
func (r *Ref) Send(p []byte) error { return r.send(false, p) }

// TrySend is Send with DIOS_NONBLOCK: EAGAIN instead of waiting.
func (r *Ref) TrySend(p []byte) error { return r.send(true, p) }

// Recv copies the head message into q and consumes it (dios_recv),
// waiting for one; it returns the message's length. A message longer than
// q, or carrying references, is EMSGSIZE with n its length, and stays.
// EPIPE once no writer is left and the queue is drained.
func (r *Ref) Recv(q []byte) (n int, err error) { return r.recv(false, q) }

// TryRecv is Recv with DIOS_NONBLOCK: EAGAIN instead of waiting.
func (r *Ref) TryRecv(q []byte) (int, error) { return r.recv(true, q) }

// Call sends p on r, then receives one message of rx into q (dios_call):
// one system call when the answer is there or the context waits in the
// kernel.
func (r *Ref) Call(p []byte, rx *Ref, q []byte) (int, error) {
	tx, err := r.handle("call")
	if err != nil {
		return 0, err
	}
	h, err := rx.handle("call")
	if err != nil {
		return 0, err
	}
	n, done, e := r.c.xfer(!r.c.kwait.Load(), tx, p, h, q)
	if e != syscall.EAGAIN || r.c.kwait.Load() {
		if e != 0 && e != syscall.EMSGSIZE {
			n = 0
		}
		return n, mkerr("call", e)
	}
	if done&uapi.XferSend == 0 {
		if err := r.send(false, p); err != nil {
			return 0, err
		}
	}
	return rx.recv(false, q)
}
