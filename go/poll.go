// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"dios.example/dios/internal/uapi"
)

// The poller: goroutines waiting for a reference to become ready park here,
// not in the kernel. It keeps the context's interest set (docs/api.md,
// "Select and the interest set") with one entry per reference somebody
// waited on, cookie = handle, and a dispatcher goroutine that sleeps in the
// Go runtime's network poller on the context descriptor (EPOLLIN while an
// entry is ready; the runtime registers it edge-triggered) and, when woken,
// harvests the ready entries (DIOS_IOC_INTEREST_WAIT, DIOS_NONBLOCK) and
// wakes their waiters.
//
// The kernel's set is level-triggered, and it wakes the descriptor only
// when an entry is newly marked ready: an entry still marked from an
// earlier readiness (a message since consumed) hides the next one until a
// harvest has looked at it. Hence:
//   - a waiter registers, then harvests once itself before it parks: that
//     unmarks an entry of its own that is no longer ready, so the next
//     readiness wakes the descriptor (or reports it ready at once);
//   - an entry reported ready with no waiter is deleted (nobody wants it,
//     and left there it would be reported by every harvest);
//   - an entry reported ready for events nobody waits for any more is
//     narrowed (MOD, which the kernel looks at again).
//
// Waiters that readiness did not help (the call failed with EAGAIN again:
// another reader took the message, or a stream has a free byte but not
// room for the whole message) fall back to waiting in the kernel after two
// tries (Context.retry).
type poller struct {
	c       *Context
	mu      sync.Mutex
	entries map[uint64]*pentry // by handle: in the kernel's set
	started bool
	dead    syscall.Errno // the dispatcher ended (context closed)
}

type pentry struct {
	events  uint32 // registered with the kernel
	waiters []*waiter
}

type waiter struct {
	events uint32
	wake   chan syscall.Errno // 1 slot: 0 (ready) or why the wait ended
}

// harvestMax bounds one harvest; more ready entries take more harvests.
const harvestMax = 32

func (p *poller) interest(flags uint64, h uint64, ev uint32) syscall.Errno {
	req := uapi.InterestReq{Flags: flags, Ref: h, Events: ev}
	if flags != uapi.InterestDel {
		req.Cookie = h
	}
	return p.c.rawIoctl(uapi.IOCInterest, unsafe.Pointer(&req))
}

// wait parks the goroutine until h is ready for one of ev, or the wait
// cannot happen (EBADF: the reference was closed, or the context; EACCES:
// no right for ev).
func (p *poller) wait(h uint64, ev uint32) syscall.Errno {
	w := &waiter{events: ev, wake: make(chan syscall.Errno, 1)}
	p.mu.Lock()
	if p.dead != 0 {
		p.mu.Unlock()
		return p.dead
	}
	if p.entries == nil {
		p.entries = make(map[uint64]*pentry)
	}
	e := p.entries[h]
	var err syscall.Errno
	switch {
	case e == nil:
		e = &pentry{events: ev}
		err = p.interest(uapi.InterestAdd, h, ev)
		if err == syscall.EEXIST {
			// A DEL that failed left the kernel's entry: take it.
			err = p.interest(uapi.InterestMod, h, ev)
		}
	case e.events&ev != ev:
		err = p.interest(uapi.InterestMod, h, e.events|ev)
		if err == 0 {
			e.events |= ev
		}
	}
	if err != 0 {
		p.mu.Unlock()
		return err
	}
	p.entries[h] = e
	e.waiters = append(e.waiters, w)
	if !p.started {
		p.started = true
		go p.dispatch()
	}
	p.mu.Unlock()
	p.harvest()
	return <-w.wake
}

// harvest collects the ready entries once and dispatches them; true if
// the batch was full (there may be more).
func (p *poller) harvest() bool {
	var evs [harvestMax]uapi.InterestEvent
	req := uapi.InterestWaitReq{Flags: uapi.NonBlock,
		Events: unsafe.Pointer(&evs[0]), Max: harvestMax}
	if e := p.c.rawIoctl(uapi.IOCInterestWait, unsafe.Pointer(&req)); e != 0 {
		return false // ETIMEDOUT: nothing ready
	}
	p.mu.Lock()
	for _, ev := range evs[:req.Count] {
		p.ready(ev.Cookie, ev.Events)
	}
	p.mu.Unlock()
	return req.Count == harvestMax
}

// ready: h was reported ready for ev. Under mu.
func (p *poller) ready(h uint64, ev uint32) {
	e := p.entries[h]
	if e == nil {
		// Not ours any more (deleted below, or before a restart).
		p.interest(uapi.InterestDel, h, 0)
		return
	}
	woke := false
	var rest uint32
	ws := e.waiters[:0]
	for _, w := range e.waiters {
		if w.events&ev != 0 {
			w.wake <- 0
			woke = true
		} else {
			ws = append(ws, w)
			rest |= w.events
		}
	}
	e.waiters = ws
	switch {
	case rest == 0 && !woke:
		delete(p.entries, h)
		p.interest(uapi.InterestDel, h, 0)
	case rest != 0 && ev&^rest != 0:
		e.events = rest
		p.interest(uapi.InterestMod, h, rest)
	}
}

// dispatch sleeps in the runtime poller on the context descriptor and
// harvests on every wake-up, until the context is closed.
func (p *poller) dispatch() {
	err := p.c.rc.Read(func(uintptr) bool {
		for p.harvest() {
		}
		return false
	})
	// A closed context ends the read: EBADF for every waiter. Anything
	// else (a descriptor the runtime could not register) leaves the
	// waiting to the kernel: EAGAIN sends them there (retry).
	why := syscall.Errno(syscall.EBADF)
	if !errors.Is(err, os.ErrClosed) {
		p.c.kwait.Store(true)
		why = syscall.EAGAIN
	}
	p.mu.Lock()
	p.dead = why
	for h, e := range p.entries {
		for _, w := range e.waiters {
			w.wake <- why
		}
		delete(p.entries, h)
	}
	p.mu.Unlock()
}

// forget: h was deleted (the kernel dropped its entry); its waiters get
// EBADF.
func (p *poller) forget(h uint64) {
	p.mu.Lock()
	if e := p.entries[h]; e != nil {
		for _, w := range e.waiters {
			w.wake <- syscall.EBADF
		}
		delete(p.entries, h)
	}
	p.mu.Unlock()
}

// retry runs op, one system call with or without DIOS_NONBLOCK, as a
// blocking call: with nonblock it tries once; a context waiting in the
// kernel makes the blocking call; otherwise it tries without blocking and,
// while that fails with EAGAIN, waits for ev on h in the poller and tries
// again, twice, then blocks in the kernel.
func (c *Context) retry(h uint64, ev uint32, nonblock bool,
	op func(nonblock bool) syscall.Errno) syscall.Errno {
	if nonblock {
		return op(true)
	}
	if c.kwait.Load() {
		return op(false)
	}
	for tries := 0; ; tries++ {
		e := op(true)
		if e != syscall.EAGAIN {
			return e
		}
		if tries == 2 {
			return op(false)
		}
		switch e := c.poll.wait(h, ev); e {
		case 0:
		case syscall.EAGAIN: // no poller: wait in the kernel
			return op(false)
		default:
			return e
		}
	}
}
