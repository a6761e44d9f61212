// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"dios.example/dios"
	"dios.example/dios/internal/uapi"
)

// open is a context of the test's own, closed at its end.
func open(t *testing.T) *dios.Context {
	t.Helper()
	c, err := dios.Open()
	if err != nil {
		t.Fatalf("open: %v (the tests need dios.ko loaded)", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// wantErrno fails unless err is errno.
func wantErrno(t *testing.T, what string, err error, errno syscall.Errno) {
	t.Helper()
	if !errors.Is(err, errno) {
		t.Fatalf("%s: got %v, want %v", what, err, errno)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func stream(t *testing.T, c *dios.Context, capacity uint64) *dios.Ref {
	t.Helper()
	r, err := c.NewStream(capacity)
	must(t, "new stream", err)
	return r
}

// stamp is a message of n bytes carrying seq.
func stamp(seq uint64, n int) []byte {
	b := make([]byte, n)
	binary.LittleEndian.PutUint64(b, seq)
	for i := 8; i < n; i++ {
		b[i] = byte(seq) + byte(i)
	}
	return b
}

func TestLayout(t *testing.T) {
	// The sizes of the C header (scripts/uapi-layout.c); make lint
	// checks every field against the header itself (scripts/go.sh).
	for _, c := range []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"dios_io_req", unsafe.Sizeof(uapi.IOReq{}), 80},
		{"dios_io_req.done", unsafe.Offsetof(uapi.IOReq{}.Done), 72},
		{"dios_xfer_req", unsafe.Sizeof(uapi.XferReq{}), 64},
		{"dios_create_req", unsafe.Sizeof(uapi.CreateReq{}), 120},
		{"dios_create_req.args", unsafe.Offsetof(uapi.CreateReq{}.Args), 56},
		{"dios_version_req", unsafe.Sizeof(uapi.VersionReq{}), 88},
		{"dios_ref_meta", unsafe.Sizeof(uapi.RefMeta{}), 64},
		{"dios_select_req.timeout_ns", unsafe.Offsetof(uapi.SelectReq{}.TimeoutNs), 24},
		{"DIOS_IOC_XFER", uapi.IOCXfer, 0xc040d116},
	} {
		if c.got != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, c.got, c.want)
		}
	}
}

func TestVersion(t *testing.T) {
	v := open(t).Version()
	if v.ABIMajor != uapi.ABIMajor || v.ABIMinor < 3 {
		t.Fatalf("ABI %d.%d", v.ABIMajor, v.ABIMinor)
	}
	for _, f := range []uint64{uapi.FeatIOStream, uapi.FeatIOXfer,
		uapi.FeatSelect, uapi.FeatMetaMap, uapi.FeatIODone} {
		if v.Features&f == 0 {
			t.Errorf("feature %#x missing in %#x", f, v.Features)
		}
	}
	if v.Release == "" || v.MaxRefs == 0 {
		t.Errorf("version %+v", v)
	}
}

func TestNameText(t *testing.T) {
	var n dios.Name
	for i := range n {
		n[i] = byte(i * 7)
	}
	s := n.String()
	if len(s) != 64 || strings.ToLower(s) != s {
		t.Fatalf("String %q", s)
	}
	for _, in := range []string{s, strings.ToUpper(s)} {
		m, err := dios.ParseName(in)
		if err != nil || m != n {
			t.Fatalf("ParseName(%q) = %v, %v", in, m, err)
		}
	}
	for _, bad := range []string{"", s[:63], s + "0", "g" + s[1:], " " + s[1:]} {
		_, err := dios.ParseName(bad)
		wantErrno(t, "ParseName("+bad+")", err, syscall.EINVAL)
	}
}

func TestCreateLookup(t *testing.T) {
	c := open(t)
	r, name, err := c.Create(dios.Shmem, dios.CreateOpts{Size: 8192,
		NameRights: dios.RightRead | dios.RightName})
	must(t, "create", err)
	if name.IsZero() {
		t.Fatal("named object with a zero name")
	}
	info, err := r.Info()
	must(t, "info", err)
	if info.Type != dios.Shmem || info.Size != 8192 || info.Rights != dios.RightsAll ||
		!info.HasName || info.Zombie {
		t.Fatalf("info %+v", info)
	}
	got, err := r.Name()
	if err != nil || got != name {
		t.Fatalf("Name = %v, %v; want %v", got, err, name)
	}
	l, err := c.Lookup(name, nil)
	must(t, "lookup", err)
	info, err = l.Info()
	must(t, "info", err)
	if info.Rights != dios.RightRead|dios.RightName {
		t.Fatalf("looked-up rights %v", info.Rights)
	}
	// Another context of the same process sees the name too.
	l2, err := open(t).Lookup(name, nil)
	must(t, "lookup from another context", err)
	must(t, "delete", l2.Close())
}

func TestLookupUnknown(t *testing.T) {
	var n dios.Name
	n[0] = 1
	_, err := open(t).Lookup(n, nil)
	wantErrno(t, "lookup of an unknown name", err, syscall.ENOENT)
}

func TestCreateBadArgs(t *testing.T) {
	c := open(t)
	given := dios.Name{1}
	for _, tc := range []struct {
		what string
		typ  dios.Type
		o    dios.CreateOpts
	}{
		{"unknown type", 99, dios.CreateOpts{Size: 4096}},
		{"TASK", dios.Task, dios.CreateOpts{}},
		{"size 0", dios.Shmem, dios.CreateOpts{}},
		{"stream with a size", dios.Stream, dios.CreateOpts{Size: 4096, Capacity: 4096}},
		{"memory with a capacity", dios.Blob, dios.CreateOpts{Size: 4096, Capacity: 4096}},
		{"ANON with a given name", dios.Shmem, dios.CreateOpts{Anon: true, Name: &given, Size: 4096}},
		{"unknown name rights", dios.Shmem, dios.CreateOpts{Size: 4096, NameRights: 1 << 40}},
	} {
		_, _, err := c.Create(tc.typ, tc.o)
		wantErrno(t, tc.what, err, syscall.EINVAL)
	}
}

func TestClosedRef(t *testing.T) {
	c := open(t)
	r := stream(t, c, 4096)
	must(t, "close", r.Close())
	wantErrno(t, "second close", r.Close(), syscall.EBADF)
	wantErrno(t, "send on a closed ref", r.Send([]byte("x")), syscall.EBADF)
	_, err := r.Dup(dios.RightRead)
	wantErrno(t, "dup of a closed ref", err, syscall.EBADF)
	_, err = r.Info()
	wantErrno(t, "info of a closed ref", err, syscall.EBADF)
}

func TestBadHandle(t *testing.T) {
	c := open(t)
	r := stream(t, c, 4096)
	h := r.Handle()
	must(t, "close", r.Close())
	// The module refuses the deleted handle, and one never valid.
	for _, bad := range []uint64{h, h + 1<<32, 0xffff_0000_1234} {
		f := c.Adopt(bad)
		wantErrno(t, "send on a bad handle", f.Send([]byte("x")), syscall.EBADF)
		_, err := f.Info()
		wantErrno(t, "info of a bad handle", err, syscall.EBADF)
		wantErrno(t, "delete of a bad handle", f.Close(), syscall.EBADF)
	}
	// A handle is per context: another context's is not ours.
	other := stream(t, open(t), 4096)
	_, err := c.Adopt(other.Handle()).Dup(dios.RightRead)
	if err == nil {
		t.Fatal("dup of another context's handle succeeded")
	}
}

func TestRights(t *testing.T) {
	c := open(t)
	s := stream(t, c, 4096)
	ro, err := s.Dup(dios.RightRead | dios.RightCopy)
	must(t, "dup", err)
	wantErrno(t, "send without WRITE", ro.Send([]byte("x")), syscall.EACCES)
	_, err = ro.Dup(dios.RightsAll)
	wantErrno(t, "dup widening the rights", err, syscall.EPERM)
	_, err = ro.Dup(1 << 40)
	wantErrno(t, "dup with unknown rights", err, syscall.EINVAL)
	noCopy, err := s.Dup(dios.RightRead)
	must(t, "dup", err)
	_, err = noCopy.Dup(dios.RightRead)
	wantErrno(t, "dup without COPY", err, syscall.EACCES)
	wantErrno(t, "zombify without DELETE", ro.Zombify(), syscall.EACCES)
	// Refused: the reference is still there and the object alive.
	info, err := ro.Info()
	if err != nil || info.Zombie || info.Rights != dios.RightRead|dios.RightCopy {
		t.Fatalf("after a refused zombify: %+v, %v", info, err)
	}
	_, err = ro.Name()
	wantErrno(t, "name without NAME", err, syscall.EACCES)
	var v dios.IOVec
	wantErrno(t, "acquire write without WRITE",
		ro.AcquireWrite(dios.NonBlock, 16, &v), syscall.EACCES)
}

func TestZombify(t *testing.T) {
	c := open(t)
	s := stream(t, c, 4096)
	other, err := s.Dup(dios.RightsAll)
	must(t, "dup", err)
	must(t, "zombify", s.Zombify())
	wantErrno(t, "send on the zombifying ref", s.Send(nil), syscall.EBADF)
	info, err := other.Info()
	if err != nil || !info.Zombie {
		t.Fatalf("other ref: %+v, %v", info, err)
	}
	wantErrno(t, "send to a zombie", other.Send([]byte("x")), syscall.EIDRM)
	_, err = other.Recv(make([]byte, 8))
	wantErrno(t, "recv from a zombie", err, syscall.EIDRM)
	must(t, "delete a zombie's ref", other.Close())
}

func TestSendRecv(t *testing.T) {
	c := open(t)
	s := stream(t, c, 4096)
	b := make([]byte, 64)
	_, err := s.TryRecv(b)
	wantErrno(t, "recv from an empty stream", err, syscall.EAGAIN)
	must(t, "send", s.Send([]byte("hello, dios")))
	must(t, "send empty", s.Send(nil))
	n, err := s.Recv(b[:4])
	wantErrno(t, "recv into a short buffer", err, syscall.EMSGSIZE)
	if n != 11 {
		t.Fatalf("EMSGSIZE gave %d, want 11", n)
	}
	n, err = s.Recv(b) // the message stayed at the head
	if err != nil || string(b[:n]) != "hello, dios" {
		t.Fatalf("recv %q, %v", b[:n], err)
	}
	if n, err = s.Recv(b); err != nil || n != 0 {
		t.Fatalf("empty message: %d, %v", n, err)
	}
	wantErrno(t, "send above the capacity", s.Send(make([]byte, 8192)),
		syscall.EMSGSIZE)
	for err == nil {
		err = s.TrySend(make([]byte, 1024))
	}
	wantErrno(t, "send to a full stream", err, syscall.EAGAIN)
}

// A writer and a reader stream end to end: the reader drains, then EPIPE;
// a writer without reader gets EPIPE at once.
func TestStreamEPIPE(t *testing.T) {
	c := open(t)
	s := stream(t, c, 4096)
	rd, err := s.Dup(dios.RightRead)
	must(t, "dup", err)
	wr, err := s.Dup(dios.RightWrite)
	must(t, "dup", err)
	must(t, "close", s.Close())
	must(t, "send", wr.Send([]byte("last")))
	must(t, "close writer", wr.Close())
	b := make([]byte, 16)
	if n, err := rd.Recv(b); err != nil || string(b[:n]) != "last" {
		t.Fatalf("drain: %q, %v", b[:n], err)
	}
	_, err = rd.Recv(b)
	wantErrno(t, "recv with no writer left", err, syscall.EPIPE)

	s2 := stream(t, c, 4096)
	wr2, err := s2.Dup(dios.RightWrite)
	must(t, "dup", err)
	must(t, "close", s2.Close())
	wantErrno(t, "send with no reader left", wr2.Send([]byte("x")), syscall.EPIPE)
}

func TestZeroCopyStream(t *testing.T) {
	c := open(t)
	s := stream(t, c, 16384)
	var w, r dios.IOVec
	must(t, "acquire write", s.AcquireWrite(0, 100, &w))
	if len(w.Buf) != 100 || w.Done != dios.DoneAcquire {
		t.Fatalf("write buffer %d bytes, done %#x", len(w.Buf), w.Done)
	}
	copy(w.Buf, "zero-copy")
	wantErrno(t, "a second write buffer", s.AcquireWrite(dios.NonBlock, 10, &dios.IOVec{}),
		syscall.EBUSY)
	wantErrno(t, "commit of a buffer never acquired", s.CommitWrite(0, 9, &dios.IOVec{}),
		syscall.EINVAL)
	must(t, "commit write", s.CommitWrite(0, 9, &w))
	if w.Done != dios.DoneCommit || w.Buf != nil {
		t.Fatalf("after commit: done %#x, buf %v", w.Done, w.Buf != nil)
	}
	must(t, "acquire read", s.AcquireRead(0, 4096, &r))
	if string(r.Buf) != "zero-copy" {
		t.Fatalf("read %q", r.Buf)
	}
	must(t, "release read", s.ReleaseRead(0, &r))
	must(t, "acquire read again", s.AcquireRead(0, 4096, &r))
	if string(r.Buf) != "zero-copy" {
		t.Fatalf("released message came back as %q", r.Buf)
	}
	must(t, "commit read", s.CommitRead(0, &r))
	err := s.AcquireRead(dios.NonBlock, 4096, &r)
	wantErrno(t, "acquire read of an empty stream", err, syscall.EAGAIN)
}

// Messages with DIOS_IO_REARM on both sides through a small ring, the
// reader a goroutine that waits in the poller.
func TestZeroCopyRearm(t *testing.T) {
	c := open(t)
	s := stream(t, c, 4096)
	rd, err := s.Dup(dios.RightRead)
	must(t, "dup", err)
	const n, size = 2000, 200
	errc := make(chan error, 1)
	go func() {
		var r dios.IOVec
		r.NextLen = size
		err := rd.AcquireRead(0, size, &r)
		for i := uint64(0); err == nil && i < n; i++ {
			if !bytes.Equal(r.Buf, stamp(i, size)) {
				err = errors.New("message out of order or corrupt")
				break
			}
			if i == n-1 {
				err = rd.CommitRead(0, &r)
			} else {
				err = rd.CommitRead(dios.Rearm, &r)
			}
		}
		errc <- err
	}()
	var w dios.IOVec
	w.NextLen = size
	must(t, "acquire write", s.AcquireWrite(0, size, &w))
	for i := uint64(0); i < n; i++ {
		copy(w.Buf, stamp(i, size))
		flags := dios.Rearm
		if i == n-1 {
			flags = 0
		}
		must(t, "commit write", s.CommitWrite(flags, size, &w))
	}
	must(t, "reader", <-errc)
}

func TestShmemWindow(t *testing.T) {
	c := open(t)
	m, _, err := c.Create(dios.Shmem, dios.CreateOpts{Anon: true, Size: 3 * 4096})
	must(t, "create", err)
	other, err := m.Dup(dios.RightRead)
	must(t, "dup", err)
	w := dios.IOVec{Offset: 4096 + 100}
	must(t, "acquire write", m.AcquireWrite(0, 500, &w))
	copy(w.Buf, "shared pages")
	must(t, "commit write", m.CommitWrite(0, 500, &w))
	r := dios.IOVec{Offset: 4096 + 100}
	must(t, "acquire read", other.AcquireRead(0, 12, &r))
	if string(r.Buf) != "shared pages" {
		t.Fatalf("read %q", r.Buf)
	}
	must(t, "commit read", other.CommitRead(0, &r))
	bad := dios.IOVec{Offset: 3 * 4096}
	wantErrno(t, "window beyond the object", m.AcquireRead(0, 1, &bad), syscall.EINVAL)
}

func TestBlobStale(t *testing.T) {
	c := open(t)
	b, _, err := c.Create(dios.Blob, dios.CreateOpts{Anon: true, Size: 4096})
	must(t, "create", err)
	w2, err := b.Dup(dios.RightsAll)
	must(t, "dup", err)
	var r, w dios.IOVec
	must(t, "acquire read", b.AcquireRead(0, 4096, &r))
	must(t, "acquire write", w2.AcquireWrite(dios.Overwrite, 4096, &w))
	copy(w.Buf, "new version")
	must(t, "commit write", w2.CommitWrite(0, 4096, &w))
	wantErrno(t, "commit of a read the write overtook", b.CommitRead(0, &r),
		syscall.ESTALE)
	must(t, "acquire read", b.AcquireRead(0, 4096, &r))
	if !bytes.HasPrefix(r.Buf, []byte("new version")) {
		t.Fatalf("read %q", r.Buf[:16])
	}
	must(t, "commit read", b.CommitRead(0, &r))
}

func TestRefsInMessage(t *testing.T) {
	c := open(t)
	s := stream(t, c, 4096)
	m, _, err := c.Create(dios.Shmem, dios.CreateOpts{Anon: true, Size: 4096})
	must(t, "create", err)
	carried, err := m.Dup(dios.RightRead | dios.RightCopy)
	must(t, "dup", err)
	w := dios.IOVec{Refs: []uint64{carried.Handle()}}
	must(t, "acquire write", s.AcquireWrite(0, 4, &w))
	copy(w.Buf, "refs")
	must(t, "commit write with a reference", s.CommitWrite(dios.WithRefs, 4, &w))
	_, err = carried.Info()
	wantErrno(t, "the sent handle left the table", err, syscall.EBADF)
	var small dios.IOVec
	err = s.AcquireRead(0, 4096, &small)
	wantErrno(t, "acquire read without room for the reference", err, syscall.EMSGSIZE)
	if small.NRefs != 1 {
		t.Fatalf("EMSGSIZE says %d references, want 1", small.NRefs)
	}
	r := dios.IOVec{Refs: make([]uint64, 4)}
	must(t, "acquire read", s.AcquireRead(0, 4096, &r))
	if r.NRefs != 1 || string(r.Buf) != "refs" {
		t.Fatalf("received %q with %d references", r.Buf, r.NRefs)
	}
	got := c.Adopt(r.Refs[0])
	must(t, "commit read", s.CommitRead(0, &r))
	info, err := got.Info()
	if err != nil || info.Type != dios.Shmem || info.Rights != dios.RightRead|dios.RightCopy {
		t.Fatalf("received reference: %+v, %v", info, err)
	}
}

// Goroutines waiting in the poller, one per stream, woken in another
// order than they started waiting.
func TestPollerManyWaiters(t *testing.T) {
	c := open(t)
	const n = 40
	refs := make([]*dios.Ref, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range refs {
		refs[i] = stream(t, c, 4096)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b := make([]byte, 8)
			n, err := refs[i].Recv(b)
			if err == nil && (n != 8 || binary.LittleEndian.Uint64(b) != uint64(i)) {
				err = errors.New("wrong message")
			}
			errs <- err
		}(i)
	}
	time.Sleep(50 * time.Millisecond) // let them park
	for i := n - 1; i >= 0; i-- {
		must(t, "send", refs[i].Send(stamp(uint64(i), 8)))
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		must(t, "waiter", <-errs)
	}
}

// parkedRecv starts a goroutine receiving on a read-only duplicate of s,
// gives it time to park in the poller, and returns the duplicate and
// where the receive's error will come.
func parkedRecv(t *testing.T, s *dios.Ref) (*dios.Ref, <-chan error) {
	t.Helper()
	rd, err := s.Dup(dios.RightRead)
	must(t, "dup", err)
	errc := make(chan error, 1)
	go func() {
		_, err := rd.Recv(make([]byte, 8))
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	return rd, errc
}

// Closing a reference wakes the goroutines waiting on it with EBADF.
func TestWaitCloseRef(t *testing.T) {
	c := open(t)
	s := stream(t, c, 4096)
	rd, errc := parkedRecv(t, s)
	must(t, "close", rd.Close())
	select {
	case err := <-errc:
		wantErrno(t, "recv on a reference closed while it waited", err, syscall.EBADF)
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting recv did not return")
	}
}

// The last writer leaving wakes a reader waiting in the poller: EPIPE.
func TestWaitEPIPE(t *testing.T) {
	c := open(t)
	s := stream(t, c, 4096)
	_, errc := parkedRecv(t, s)
	must(t, "close the writer", s.Close())
	wantErrno(t, "recv when the writer left", <-errc, syscall.EPIPE)
}

// Closing the context wakes the waiters and fails every later call.
func TestContextClose(t *testing.T) {
	c, err := dios.Open()
	must(t, "open", err)
	s := stream(t, c, 4096)
	_, errc := parkedRecv(t, s)
	// Close waits for calls in flight: the waiter is parked in the
	// poller, not in a call, so the close goes through and wakes it.
	must(t, "close context", c.Close())
	wantErrno(t, "waiting recv", <-errc, syscall.EBADF)
	wantErrno(t, "send after close", s.Send([]byte("x")), syscall.EBADF)
}

func TestKernelWait(t *testing.T) {
	c := open(t)
	c.SetKernelWait(true)
	s := stream(t, c, 4096)
	go func() {
		time.Sleep(20 * time.Millisecond)
		s.Send([]byte("blocked"))
	}()
	b := make([]byte, 16)
	n, err := s.Recv(b)
	if err != nil || string(b[:n]) != "blocked" {
		t.Fatalf("recv %q, %v", b[:n], err)
	}
	_, err = s.TryRecv(b)
	wantErrno(t, "nonblocking recv", err, syscall.EAGAIN)
}

func TestCall(t *testing.T) {
	c := open(t)
	req, rep := stream(t, c, 4096), stream(t, c, 4096)
	go func() {
		b := make([]byte, 64)
		for {
			n, err := req.Recv(b)
			if err != nil {
				return
			}
			rep.Send(bytes.ToUpper(b[:n]))
		}
	}()
	b := make([]byte, 64)
	for i := 0; i < 100; i++ {
		n, err := req.Call([]byte("ping"), rep, b)
		if err != nil || string(b[:n]) != "PING" {
			t.Fatalf("call %d: %q, %v", i, b[:n], err)
		}
	}
	_, err := req.Call([]byte("x"), c.Adopt(0), b)
	wantErrno(t, "call with no receive stream", err, syscall.EBADF)
}

func TestSelect(t *testing.T) {
	c := open(t)
	a, b := stream(t, c, 4096), stream(t, c, 4096)
	_, err := c.Select([]*dios.Ref{a, b}, dios.EvRead, 0)
	wantErrno(t, "select with nothing ready", err, syscall.ETIMEDOUT)
	_, err = c.Select([]*dios.Ref{a, b}, dios.EvRead, 10*time.Millisecond)
	wantErrno(t, "select timing out", err, syscall.ETIMEDOUT)
	must(t, "send", b.Send([]byte("x")))
	i, err := c.Select([]*dios.Ref{a, b}, dios.EvRead, -1)
	if err != nil || i != 1 {
		t.Fatalf("select: %d, %v", i, err)
	}
	ro, err := a.Dup(dios.RightRead)
	must(t, "dup", err)
	_, err = c.Select([]*dios.Ref{ro}, dios.EvWrite, 0)
	wantErrno(t, "select for WRITE without the right", err, syscall.EACCES)
	_, err = c.Select(nil, dios.EvRead, 0)
	wantErrno(t, "select of nothing", err, syscall.EINVAL)
}

func TestTaskCopy(t *testing.T) {
	c := open(t)
	self, err := c.TaskSelf()
	must(t, "task self", err)
	info, err := self.Info()
	if err != nil || info.Type != dios.Task {
		t.Fatalf("task self: %+v, %v", info, err)
	}
	s := stream(t, c, 4096)
	hs, err := c.Copy(self, []*dios.Ref{s}, []dios.Rights{dios.RightRead})
	must(t, "copy to our own task", err)
	info, err = c.Adopt(hs[0]).Info()
	if err != nil || info.Rights != dios.RightRead {
		t.Fatalf("copied ref: %+v, %v", info, err)
	}
	_, err = c.Copy(self, []*dios.Ref{s}, []dios.Rights{dios.RightsAll | 1<<40})
	if err == nil {
		t.Fatal("copy widening the rights succeeded")
	}
	_, err = c.Copy(s, []*dios.Ref{s}, nil)
	wantErrno(t, "copy to a stream as if a task", err, syscall.EINVAL)
	refs, err := c.TaskRefs()
	if err != nil || len(refs) != 0 {
		t.Fatalf("task refs of a process dios_run did not start: %v, %v", refs, err)
	}
}

func TestPublish(t *testing.T) {
	c := open(t)
	s := stream(t, c, 4096)
	_, err := s.Name()
	wantErrno(t, "name of an anonymous object", err, syscall.ENODATA)
	name, err := s.Publish(nil, dios.RightWrite)
	must(t, "publish", err)
	l, err := c.Lookup(name, nil)
	must(t, "lookup", err)
	if info, _ := l.Info(); info.Rights != dios.RightWrite {
		t.Fatalf("published rights %v", info.Rights)
	}
	_, err = s.Publish(nil, 0)
	wantErrno(t, "publish of a named object", err, syscall.EALREADY)
}
