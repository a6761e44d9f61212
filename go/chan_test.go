// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios_test

import (
	"bytes"
	"encoding/binary"
	"syscall"
	"testing"
	"time"

	"dios.example/dios"
)

// pingpong sends n stamped messages through ch and checks each answer.
func pingpong(t *testing.T, ch *dios.Chan, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		ch.Out <- stamp(uint64(i), 64)
		select {
		case m, ok := <-ch.In:
			if !ok {
				t.Fatalf("round %d: In closed: %v", i, ch.Err())
			}
			if !bytes.Equal(m, stamp(uint64(i), 64)) {
				t.Fatalf("round %d: got seq %d", i, binary.LittleEndian.Uint64(m))
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: no answer", i)
		}
	}
}

// echo answers every message of ch until In closes, then ends its side.
func echo(ch *dios.Chan) {
	for m := range ch.In {
		ch.Out <- m
	}
	ch.CloseSend()
}

// waitClosed waits for In to close and gives Err.
func waitClosed(t *testing.T, ch *dios.Chan) error {
	t.Helper()
	for {
		select {
		case _, ok := <-ch.In:
			if !ok {
				return ch.Err()
			}
		case <-time.After(30 * time.Second):
			t.Fatal("In not closed")
		}
	}
}

func TestChanPair(t *testing.T) {
	c := open(t)
	ch, peer, err := dios.ChanPair(c, 0)
	must(t, "chan pair", err)
	far := dios.NewChan(peer[1], peer[0], 0)
	go echo(far)
	pingpong(t, ch, 1000)
	ch.CloseSend()
	<-ch.Done()
	// The far end saw EPIPE, answered by ending its side: ours too.
	wantErrno(t, "In after the far end closed", waitClosed(t, ch), syscall.EPIPE)
	wantErrno(t, "far end's Err", far.Err(), syscall.EPIPE)
	must(t, "close", ch.Close())
}

// The far end in another process, opening the channel by its names.
func TestChanCrossProcess(t *testing.T) {
	ch, cmd := spawnChan(t, "echo")
	pingpong(t, ch, 500)
	ch.CloseSend()
	wantErrno(t, "In after the far end ended", waitClosed(t, ch), syscall.EPIPE)
	must(t, "the far end's process", cmd.Wait())
	ch.Close()
}

// The far end's process exits: In drains and closes with EPIPE, a send
// then fails with EPIPE and Done closes.
func TestChanPeerExit(t *testing.T) {
	ch, cmd := spawnChan(t, "once")
	pingpong(t, ch, 1)
	must(t, "the far end's process", cmd.Wait())
	wantErrno(t, "In after the far end exited", waitClosed(t, ch), syscall.EPIPE)
	ch.Out <- []byte("nobody reads this")
	select {
	case <-ch.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("a send to a gone reader did not end the Chan")
	}
	ch.Close()
}

// A send to a far end that closed its reading side fails with EPIPE.
func TestChanSendEPIPE(t *testing.T) {
	c := open(t)
	ch, peer, err := dios.ChanPair(c, 0)
	must(t, "chan pair", err)
	must(t, "close the far reader", peer[0].Close())
	ch.Out <- []byte("lost")
	<-ch.Done()
	wantErrno(t, "Err after a send to no reader", ch.Err(), syscall.EPIPE)
	must(t, "close the far writer", peer[1].Close())
	waitClosed(t, ch)
	ch.Close()
}

// A connect message that is not one: the creator's end fails with EPROTO.
func TestChanBadConnect(t *testing.T) {
	c := open(t)
	ch, names, err := dios.ChanCreate(c, 0)
	must(t, "chan create", err)
	tx, err := c.Lookup(names[1], nil)
	must(t, "lookup", err)
	must(t, "send", tx.Send([]byte("NOTACHAN")))
	wantErrno(t, "Err after a bad connect message", waitClosed(t, ch), syscall.EPROTO)
	ch.Close()
}

// Close ends both directions of a live channel: In closes, no error.
func TestChanClose(t *testing.T) {
	c := open(t)
	ch, peer, err := dios.ChanPair(c, 0)
	must(t, "chan pair", err)
	done := make(chan error, 1)
	go func() { done <- ch.Close() }()
	select {
	case err := <-done:
		must(t, "close", err)
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not return")
	}
	if _, ok := <-ch.In; ok || ch.Err() != nil {
		t.Fatalf("after Close: In open %v, Err %v", ok, ch.Err())
	}
	// The far end sees EPIPE both ways.
	_, err = peer[0].Recv(make([]byte, 8))
	wantErrno(t, "far recv", err, syscall.EPIPE)
	wantErrno(t, "far send", peer[1].Send([]byte("x")), syscall.EPIPE)
}
