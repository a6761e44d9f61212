// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios

import (
	"errors"
	"sync"
	"syscall"

	"dios.example/dios/internal/uapi"
)

// Chan bridges a dios channel, two streams (one per direction, as libdios
// channels are: docs/api.md, "Channels"), to Go channels, in the design of
// seed 000 (Go channels over Barrelfish's messaging): a goroutine per
// direction. The sending goroutine takes each message from Out and sends
// it on the tx stream (DIOS_IOC_XFER); the receiving goroutine receives
// each message of the rx stream into a new slice and delivers it on In.
// Both wait in the Go poller (the package doc), so a Chan holds no OS
// thread while idle.
//
// Ends: CloseSend (not close(Out)) ends the sending direction: the
// messages already given are sent, then the tx reference is deleted and
// the far end drains the queue and gets EPIPE. When the far end is gone
// (or the rx stream ends otherwise), In is closed and Err says why
// (EPIPE for a peer that closed). A send that fails ends the sending
// direction too: Err says why, Done is closed, and later messages given
// to Out are dropped. Close ends both directions.
//
// The wire format is libdios's: a Chan talks to a C program's struct
// dios_chan, both ways, and ChanCreate/ChanOpen follow dios_chan_create
// and dios_chan_open (the connect message "DIOSCHAN").
//
// A slice given to Out belongs to the Chan until it is sent: do not change
// it. Each slice received on In is the receiver's own.
type Chan struct {
	In  <-chan []byte // messages received; closed at the end of the stream
	Out chan<- []byte // messages to send; do not close it: CloseSend

	in     chan []byte
	out    chan []byte
	tx, rx *Ref
	hold   [2]*Ref // a creator's full references until the far end connects
	max    int

	mu        sync.Mutex
	err       error
	done      chan struct{} // closed when the sending direction ends
	recvDone  chan struct{} // closed when the receiving goroutine ends
	closeOut  sync.Once
	closeRecv sync.Once
}

// The rights of the ends (userlib/chan.c).
const (
	chanFarRx = RightRead | RightCopy
	chanFarTx = RightWrite | RightCopy
	chanOwnTx = chanFarTx | RightDelete
	chanOwnRx = chanFarRx | RightDelete
)

// ChanCapacity is the capacity of each stream of a channel made with
// capacity 0 (DIOS_CHAN_CAPACITY).
const ChanCapacity = uapi.ChanCapacity

// NewChan bridges the streams tx (written) and rx (read), which it owns
// from now on (a Chan deletes them when it ends). max is the largest
// message received (0: the rx stream's capacity).
func NewChan(tx, rx *Ref, max int) *Chan {
	return newChan(tx, rx, [2]*Ref{}, max)
}

func newChan(tx, rx *Ref, hold [2]*Ref, max int) *Chan {
	if max <= 0 {
		if info, err := rx.Info(); err == nil && info.Size > 0 {
			max = int(info.Size)
		} else {
			max = ChanCapacity
		}
	}
	ch := &Chan{in: make(chan []byte), out: make(chan []byte), tx: tx,
		rx: rx, hold: hold, max: max, done: make(chan struct{}),
		recvDone: make(chan struct{})}
	ch.In, ch.Out = ch.in, ch.out
	go ch.sendLoop()
	go ch.recvLoop()
	return ch
}

// setErr records the first error of either direction.
func (ch *Chan) setErr(err error) {
	ch.mu.Lock()
	if ch.err == nil {
		ch.err = err
	}
	ch.mu.Unlock()
}

// Err is why the Chan ended (EPIPE: the far end closed), nil while it
// runs or after a CloseSend/Close of our own.
func (ch *Chan) Err() error {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.err
}

// Done is closed when the sending direction has ended (CloseSend, Close,
// or a failed send): every message given to Out before that was sent.
func (ch *Chan) Done() <-chan struct{} { return ch.done }

func (ch *Chan) sendLoop() {
	defer close(ch.done)
	for m := range ch.out {
		if err := ch.tx.Send(m); err != nil {
			ch.setErr(err)
			ch.tx.Close()
			go func() { // drop what comes until CloseSend
				for range ch.out {
				}
			}()
			return
		}
	}
	ch.tx.Close()
}

func (ch *Chan) recvLoop() {
	defer close(ch.recvDone)
	defer close(ch.in)
	if err := ch.accept(); err != nil {
		ch.recvEnd(err)
		return
	}
	buf := make([]byte, ch.max)
	for {
		n, err := ch.rx.Recv(buf)
		if err != nil {
			ch.recvEnd(err)
			return
		}
		m := make([]byte, n)
		copy(m, buf[:n])
		ch.in <- m
	}
}

// recvEnd ends the receiving direction on err; EBADF after a Close of our
// own (which deleted rx) is no error of the Chan's.
func (ch *Chan) recvEnd(err error) {
	if !errors.Is(err, syscall.EBADF) || ch.rx.Handle() != 0 {
		ch.setErr(err)
	}
	ch.rx.Close()
}

// accept takes the connect message of a creator's end, then drops the
// full references that kept the streams open until then (chan_accept of
// userlib/chan.c).
func (ch *Chan) accept() error {
	if ch.hold[1] == nil {
		return nil
	}
	var b [uapi.ChanConnectLen + 1]byte
	n, err := ch.rx.Recv(b[:])
	if err == nil && string(b[:n]) != uapi.ChanConnect {
		err = mkerr("chan accept", syscall.EPROTO)
	} else if Errno(err) == syscall.EMSGSIZE {
		err = mkerr("chan accept", syscall.EPROTO)
	}
	ch.hold[0].Close()
	ch.hold[1].Close()
	return err
}

// CloseSend ends the sending direction once the messages given to Out are
// sent; Done is closed then.
func (ch *Chan) CloseSend() {
	ch.closeOut.Do(func() { close(ch.out) })
}

// Close ends both directions: what was given to Out is sent, the rx
// reference is deleted (In is closed) and both goroutines have ended when
// it returns. Messages the far end sends after it are lost.
func (ch *Chan) Close() error {
	ch.CloseSend()
	<-ch.done
	ch.closeRecv.Do(func() {
		ch.rx.Close()
		for h := range ch.hold {
			if ch.hold[h] != nil {
				ch.hold[h].Close()
			}
		}
	})
	for range ch.in { // unblock a delivery in progress
	}
	<-ch.recvDone
	return nil
}

// chanMake makes the two streams of a channel: hold[i] with every right,
// tx and rx their reduced duplicates (chan_make of userlib/chan.c). names
// nil: anonymous.
func chanMake(c *Context, capacity uint64, names *[2]Name) (hold [2]*Ref, tx, rx *Ref, err error) {
	if capacity == 0 {
		capacity = ChanCapacity
	}
	far := [2]Rights{chanFarRx, chanFarTx}
	for i := range hold {
		o := CreateOpts{Capacity: capacity, Anon: names == nil}
		if names != nil {
			o.NameRights = far[i]
		}
		var n Name
		if hold[i], n, err = c.Create(Stream, o); err != nil {
			break
		}
		if names != nil {
			names[i] = n
		}
	}
	if err == nil {
		tx, err = hold[0].Dup(chanOwnTx)
	}
	if err == nil {
		rx, err = hold[1].Dup(chanOwnRx)
	}
	if err != nil {
		for _, r := range []*Ref{hold[0], hold[1], tx, rx} {
			if r != nil {
				r.Close()
			}
		}
	}
	return
}

// ChanPair makes an anonymous channel (dios_chan_pair): this end, and the
// two references of the far end, peer[0] the stream it reads (READ|COPY)
// and peer[1] the one it writes (WRITE|COPY), to hand over (Copy, a
// message's references, dios_run). The far end is NewChan(peer[1],
// peer[0], 0), in this process or another. capacity 0: ChanCapacity.
func ChanPair(c *Context, capacity uint64) (*Chan, [2]*Ref, error) {
	var peer [2]*Ref
	hold, tx, rx, err := chanMake(c, capacity, nil)
	if err != nil {
		return nil, peer, err
	}
	if peer[0], err = hold[0].Dup(chanFarRx); err == nil {
		peer[1], err = hold[1].Dup(chanFarTx)
	}
	hold[0].Close()
	hold[1].Close()
	if err != nil {
		for _, r := range []*Ref{peer[0], peer[1], tx, rx} {
			if r != nil {
				r.Close()
			}
		}
		return nil, [2]*Ref{}, err
	}
	return NewChan(tx, rx, 0), peer, nil
}

// ChanCreate makes a named channel in the global group (dios_chan_create):
// names[0] is the stream this end writes, names[1] the one it reads. The
// far end opens it with ChanOpen (or libdios dios_chan_open); until its
// connect message arrives this end keeps its full references, so messages
// sent before are queued.
func ChanCreate(c *Context, capacity uint64) (*Chan, [2]Name, error) {
	var names [2]Name
	hold, tx, rx, err := chanMake(c, capacity, &names)
	if err != nil {
		return nil, names, err
	}
	return newChan(tx, rx, hold, 0), names, nil
}

// ChanOpen opens the far end of a named channel (dios_chan_open): it looks
// both streams up and sends the connect message.
func ChanOpen(c *Context, names [2]Name) (*Chan, error) {
	tx, err := c.Lookup(names[1], nil)
	if err != nil {
		return nil, err
	}
	rx, err := c.Lookup(names[0], nil)
	if err == nil {
		err = checkStreams(tx, rx)
	}
	if err == nil {
		err = tx.Send([]byte(uapi.ChanConnect))
	}
	if err != nil {
		tx.Close()
		if rx != nil {
			rx.Close()
		}
		return nil, err
	}
	return NewChan(tx, rx, 0), nil
}

func checkStreams(refs ...*Ref) error {
	for _, r := range refs {
		info, err := r.Info()
		if err != nil {
			return err
		}
		if info.Type != Stream {
			return mkerr("chan open", syscall.EPROTO)
		}
	}
	return nil
}
