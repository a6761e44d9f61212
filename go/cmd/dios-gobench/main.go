// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

// Command dios-gobench is the Go side of `make bench` (tools/dios-bench.c
// runs it): a ping-pong of 64-byte messages between this process and a
// copy of it, timed over n round trips after a warm-up, printed as
// nanoseconds per round trip on stdout. Each answer carries the request's
// sequence number plus one; a wrong one exits 1.
//
//	dios-gobench chan N   a Chan on each side (dios streams, a goroutine
//	                      per direction, waits in the Go poller): seed 000's
//	                      Go channels bridged to the OS's messaging
//	dios-gobench chan-kwait N
//	                      the same Chans with waits in the kernel
//	                      (SetKernelWait): the goroutines block their
//	                      threads in the system call, as seed 000's first
//	                      version did
//	dios-gobench pipe N   the same bridge over a pair of pipes (os.Pipe,
//	                      which the Go poller waits on as well)
//	dios-gobench raw N    no goroutines and no Go channels: Ref.Call on
//	                      each side, waiting in the kernel, one system
//	                      call per message and side (as dios_call in C)
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"dios.example/dios"
)

const (
	msgLen = 64
	warmup = 200
)

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "dios-gobench: FAILED: "+format+"\n", a...)
	os.Exit(1)
}

func check(what string, err error) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func stamp(b []byte, seq uint64) []byte {
	binary.LittleEndian.PutUint64(b, seq)
	for i := 8; i < len(b); i++ {
		b[i] = byte(seq) ^ byte(i)
	}
	return b
}

func stampOK(b []byte, seq uint64) bool {
	if len(b) != msgLen {
		return false
	}
	var want [msgLen]byte
	return string(b) == string(stamp(want[:], seq))
}

// bridge is a pair of Go channels to the far end: in and out.
type bridge struct {
	in  <-chan []byte
	out chan<- []byte
	end func()
}

// client runs n timed round trips (after the warm-up) over b.
func client(b bridge, n int) time.Duration {
	var t0 time.Time
	for i := 0; i < warmup+n; i++ {
		if i == warmup {
			t0 = time.Now()
		}
		seq := uint64(i) * 2
		b.out <- stamp(make([]byte, msgLen), seq)
		m, ok := <-b.in
		if !ok || !stampOK(m, seq+1) {
			fail("round trip %d: bad answer", i)
		}
	}
	d := time.Since(t0)
	b.end()
	return d
}

// server answers every message of b, stamped seq + 1.
func server(b bridge) {
	for m := range b.in {
		seq := binary.LittleEndian.Uint64(m)
		if !stampOK(m, seq) {
			fail("server: bad request %d", seq)
		}
		b.out <- stamp(m, seq+1)
	}
	b.end()
}

func chanBridge(ch *dios.Chan) bridge {
	return bridge{ch.In, ch.Out, func() { ch.CloseSend(); <-ch.Done() }}
}

// pipeBridge is Chan's design over a pipe pair: a goroutine per
// direction, framing by the fixed length.
func pipeBridge(r io.ReadCloser, w io.WriteCloser) bridge {
	in, out, done := make(chan []byte), make(chan []byte), make(chan struct{})
	go func() {
		defer close(in)
		for {
			m := make([]byte, msgLen)
			if _, err := io.ReadFull(r, m); err != nil {
				return
			}
			in <- m
		}
	}()
	go func() {
		defer close(done)
		for m := range out {
			if _, err := w.Write(m); err != nil {
				fail("pipe write: %v", err)
			}
		}
		w.Close()
	}()
	return bridge{in, out, func() { close(out); <-done }}
}

// spawn runs this program as the server of mode, with args and files.
func spawn(mode string, files []*os.File, args ...string) *exec.Cmd {
	self, err := os.Executable()
	check("executable", err)
	cmd := exec.Command(self, append([]string{"serve-" + mode}, args...)...)
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = os.Stderr, os.Stderr, files
	check("start the server", cmd.Start())
	return cmd
}

func ctx() *dios.Context {
	c, err := dios.Default()
	check("open", err)
	return c
}

func names(args []string) [2]dios.Name {
	var n [2]dios.Name
	for i := range n {
		var err error
		n[i], err = dios.ParseName(args[i])
		check("name", err)
	}
	return n
}

func runChan(mode string, n int) time.Duration {
	c := ctx()
	c.SetKernelWait(mode == "chan-kwait")
	ch, nm, err := dios.ChanCreate(c, 0)
	check("chan create", err)
	cmd := spawn(mode, nil, nm[0].String(), nm[1].String())
	d := client(chanBridge(ch), n)
	check("server", cmd.Wait())
	return d
}

func runPipe(n int) time.Duration {
	upR, upW, err := os.Pipe()
	check("pipe", err)
	downR, downW, err := os.Pipe()
	check("pipe", err)
	cmd := spawn("pipe", []*os.File{upR, downW})
	upR.Close()
	downW.Close()
	d := client(pipeBridge(downR, upW), n)
	check("server", cmd.Wait())
	return d
}

// runRaw: two named streams, Ref.Call on each side, kernel waits; a
// zero-length message ends the server.
func runRaw(n int) time.Duration {
	runtime.LockOSThread()
	c := ctx()
	c.SetKernelWait(true)
	up, nu, err := c.Create(dios.Stream, dios.CreateOpts{Capacity: 64 << 10})
	check("create", err)
	down, nd, err := c.Create(dios.Stream, dios.CreateOpts{Capacity: 64 << 10})
	check("create", err)
	cmd := spawn("raw", nil, nu.String(), nd.String())
	buf, ans := make([]byte, msgLen), make([]byte, msgLen)
	var t0 time.Time
	for i := 0; i < warmup+n; i++ {
		if i == warmup {
			t0 = time.Now()
		}
		seq := uint64(i) * 2
		k, err := up.Call(stamp(buf, seq), down, ans)
		if err != nil || !stampOK(ans[:k], seq+1) {
			fail("raw round trip %d: %v", i, err)
		}
	}
	d := time.Since(t0)
	check("stop", up.Send(nil))
	check("server", cmd.Wait())
	return d
}

func serveRaw(nm [2]dios.Name) {
	runtime.LockOSThread()
	c := ctx()
	c.SetKernelWait(true)
	rx, err := c.Lookup(nm[0], nil)
	check("lookup", err)
	tx, err := c.Lookup(nm[1], nil)
	check("lookup", err)
	buf := make([]byte, msgLen)
	k, err := rx.Recv(buf)
	for err == nil && k == msgLen {
		seq := binary.LittleEndian.Uint64(buf)
		if !stampOK(buf, seq) {
			fail("raw server: bad request %d", seq)
		}
		k, err = tx.Call(stamp(buf, seq+1), rx, buf)
	}
	check("raw server", err)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: dios-gobench chan|chan-kwait|pipe|raw N")
	}
	switch os.Args[1] {
	case "serve-chan", "serve-chan-kwait":
		c := ctx()
		c.SetKernelWait(os.Args[1] == "serve-chan-kwait")
		ch, err := dios.ChanOpen(c, names(os.Args[2:]))
		check("chan open", err)
		server(chanBridge(ch))
		return
	case "serve-pipe":
		server(pipeBridge(os.NewFile(3, "up"), os.NewFile(4, "down")))
		return
	case "serve-raw":
		serveRaw(names(os.Args[2:]))
		return
	}
	if len(os.Args) != 3 {
		fail("usage: dios-gobench chan|chan-kwait|pipe|raw N")
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n <= 0 {
		fail("bad count %q", os.Args[2])
	}
	var d time.Duration
	switch os.Args[1] {
	case "chan", "chan-kwait":
		d = runChan(os.Args[1], n)
	case "pipe":
		d = runPipe(n)
	case "raw":
		d = runRaw(n)
	default:
		fail("no mode %q", os.Args[1])
	}
	fmt.Printf("%.1f\n", float64(d.Nanoseconds())/float64(n))
}
