// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios

import (
	"syscall"
	"time"
	"unsafe"

	"dios.example/dios/internal/uapi"
)

// Select waits until one of refs is ready for one of ev (dios_select) and
// returns the lowest ready index: timeout < 0 waits forever, 0 polls
// (ETIMEDOUT when nothing is ready). It waits in the kernel (the thread
// blocks); a goroutine that wants to wait for one reference without a
// thread uses the blocking calls, which wait in the poller.
func (c *Context) Select(refs []*Ref, ev Events, timeout time.Duration) (int, error) {
	if len(refs) == 0 {
		return -1, mkerr("select", syscall.EINVAL)
	}
	hs := make([]uint64, len(refs))
	for i, r := range refs {
		var err error
		if hs[i], err = r.handle("select"); err != nil {
			return -1, err
		}
	}
	req := uapi.SelectReq{Refs: unsafe.Pointer(&hs[0]), N: uint32(len(hs)),
		Events: uint32(ev), TimeoutNs: int64(timeout)}
	if timeout < 0 {
		req.TimeoutNs = -1
	}
	if err := c.ioctl("select", uapi.IOCSelect, unsafe.Pointer(&req)); err != nil {
		return -1, err
	}
	return int(req.ReadyIndex), nil
}
