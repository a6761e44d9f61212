// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios

import (
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"dios.example/dios/internal/uapi"
)

// Context is a DIOS context: one open of /dev/dios, holding a table of
// references and the task object of this process. Every open makes a new
// context (a process may hold several, each with its own references),
// except the first open of a process that dios_run started, which takes
// over the context prepared for it with the delegated references
// (TaskRefs). Default gives the process's shared one.
//
// The descriptor is opened close-on-exec and non-blocking and registered
// with the Go runtime's poller; a Context is safe for concurrent use.
type Context struct {
	file    *os.File
	rc      syscall.RawConn
	version uapi.VersionReq
	poll    poller
	kwait   atomic.Bool

	metaOnce sync.Once
	meta     []byte // read-only map of the reference metadata, or nil
	metaErr  error
}

var (
	defaultOnce sync.Once
	defaultCtx  *Context
	defaultErr  error
)

// Default is the process's shared context, opened on first use as libdios
// opens its own: ENODEV if the module is not loaded. Never closed.
func Default() (*Context, error) {
	defaultOnce.Do(func() { defaultCtx, defaultErr = Open() })
	return defaultCtx, defaultErr
}

// openError says why /dev/dios did not open, as libdios does: no node, or a
// node without a driver, is ENODEV ("the module is not loaded"), never
// ENOENT, which means "no such name".
func openError(err error) error {
	e := Errno(err)
	if e == syscall.ENOENT || e == syscall.ENODEV || e == syscall.ENXIO {
		e = syscall.ENODEV
	}
	return mkerr("open /dev/dios", e)
}

// Open opens a new context; EPROTO if the module's ABI major is not this
// package's.
func Open() (*Context, error) {
	fd, err := syscall.Open("/dev/dios",
		syscall.O_RDWR|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, openError(err)
	}
	c := &Context{file: os.NewFile(uintptr(fd), "/dev/dios")}
	c.poll.c = c
	if c.rc, err = c.file.SyscallConn(); err == nil {
		err = c.ioctl("version", uapi.IOCVersion, unsafe.Pointer(&c.version))
	}
	if err == nil && c.version.ABIMajor != uapi.ABIMajor {
		err = mkerr("version", syscall.EPROTO)
	}
	if err != nil {
		c.file.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the context: the module deletes every reference it holds and
// releases every buffer (views go with it). It waits for calls in flight;
// calls after it fail with EBADF.
func (c *Context) Close() error {
	err := c.file.Close()
	c.metaOnce.Do(func() {})
	if c.meta != nil {
		syscall.Munmap(c.meta)
		c.meta = nil
	}
	if err != nil {
		return mkerr("close", syscall.EBADF)
	}
	return nil
}

// Fd is the context descriptor, pollable (EPOLLIN while an entry of the
// interest set is ready). It stays the Context's: do not close it.
func (c *Context) Fd() uintptr { return c.file.Fd() }

// SetKernelWait chooses where calls on this context wait: false (the
// default) in the Go poller, with the goroutine parked and no thread held;
// true in the kernel, the thread blocked in the system call, one call per
// operation.
func (c *Context) SetKernelWait(on bool) { c.kwait.Store(on) }

// Version is what the running module implements (DIOS_IOC_VERSION, as read
// at open).
type Version struct {
	ABIMajor, ABIMinor uint32
	Features           uint64 // DIOS_FEAT_* bits
	MaxRefs, MaxSelect uint32
	MaxObjects         uint64
	MaxSize            uint64
	MaxCapacity        uint64
	Release            string
}

// Version of the module, as read at open.
func (c *Context) Version() Version {
	v := &c.version
	rel := v.Release[:]
	for i, b := range rel {
		if b == 0 {
			rel = rel[:i]
			break
		}
	}
	return Version{v.ABIMajor, v.ABIMinor, v.Features, v.MaxRefs,
		v.MaxSelect, v.MaxObjects, v.MaxSize, v.MaxCapacity, string(rel)}
}

// ioctl is one ioctl on the context, through the descriptor's RawConn so
// that a Close in parallel waits for it instead of freeing the number.
func (c *Context) ioctl(op string, cmd uintptr, arg unsafe.Pointer) error {
	return mkerr(op, c.rawIoctl(cmd, arg))
}

func (c *Context) rawIoctl(cmd uintptr, arg unsafe.Pointer) syscall.Errno {
	var e syscall.Errno
	if err := c.rc.Control(func(fd uintptr) {
		e = uapi.Ioctl(fd, cmd, arg)
	}); err != nil {
		return syscall.EBADF // closed
	}
	return e
}

// mapMeta maps the read-only reference metadata on first use, as libdios
// does on the first dios_ref_info.
func (c *Context) mapMeta() ([]byte, error) {
	c.metaOnce.Do(func() {
		size := c.version.MetaMapSize
		if c.version.Features&uapi.FeatMetaMap == 0 ||
			size < uint64(unsafe.Sizeof(uapi.MetaHeader{})) {
			c.metaErr = mkerr("ref info", syscall.EOPNOTSUPP)
			return
		}
		var m []byte
		err := c.rc.Control(func(fd uintptr) {
			m, c.metaErr = syscall.Mmap(int(fd), uapi.MmapMeta,
				int(size), syscall.PROT_READ, syscall.MAP_SHARED)
		})
		if err != nil || c.metaErr != nil {
			c.metaErr = mkerr("map metadata", Errno(c.metaErr))
			return
		}
		h := (*uapi.MetaHeader)(unsafe.Pointer(&m[0]))
		if h.Magic != uapi.MetaMagic ||
			uintptr(h.EntrySize) < unsafe.Sizeof(uapi.RefMeta{}) {
			syscall.Munmap(m)
			c.metaErr = mkerr("map metadata", syscall.EPROTO)
			return
		}
		c.meta = m
	})
	return c.meta, c.metaErr
}

// refInfo reads a reference's metadata without a system call: the seqcount
// read of userlib/meta.c (copy while seq is even and unchanged).
func (c *Context) refInfo(h uint64) (uapi.RefInfo, error) {
	var info uapi.RefInfo
	idx, gen := uint32(h), uint32(h>>32)
	if idx == 0 || gen == 0 {
		return info, mkerr("ref info", syscall.EBADF)
	}
	m, err := c.mapMeta()
	if err != nil {
		return info, err
	}
	hdr := (*uapi.MetaHeader)(unsafe.Pointer(&m[0]))
	nr := atomic.LoadUint32(&hdr.NrSlots)
	off := uint64(hdr.EntriesOffset) + uint64(idx-1)*uint64(hdr.EntrySize)
	if idx-1 >= nr || off+uint64(unsafe.Sizeof(uapi.RefMeta{})) > uint64(len(m)) {
		return info, mkerr("ref info", syscall.EBADF)
	}
	ent := unsafe.Pointer(&m[off])
	var cp uapi.RefMeta
	words := (*[unsafe.Sizeof(uapi.RefMeta{}) / 4]uint32)(unsafe.Pointer(&cp))
	src := (*[unsafe.Sizeof(uapi.RefMeta{}) / 4]uint32)(ent)
	for spins := 1; ; spins++ {
		seq := atomic.LoadUint32(&src[0])
		if seq&1 == 0 {
			for i := range words {
				words[i] = atomic.LoadUint32(&src[i])
			}
			if atomic.LoadUint32(&src[0]) == seq {
				break
			}
		}
		if spins%1024 == 0 {
			syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
		}
	}
	if cp.Gen != gen || cp.Info.State == 0 {
		return info, mkerr("ref info", syscall.EBADF)
	}
	return cp.Info, nil
}
