// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios

import (
	"errors"
	"syscall"
)

// Error is the error of a dios call: the call and the errno the module (or
// this package, for what it checks itself) returned, as libdios returns
// -errno. Compare with errors.Is(err, syscall.EPIPE).
type Error struct {
	Op    string
	Errno syscall.Errno
}

func (e *Error) Error() string {
	if e.Errno == syscall.ENODEV {
		return "dios: " + e.Op + ": the dios module is not loaded (/dev/dios is missing or has no driver)"
	}
	return "dios: " + e.Op + ": " + e.Errno.Error()
}

// Unwrap gives the errno.
func (e *Error) Unwrap() error { return e.Errno }

// mkerr is nil for errno 0, else an *Error.
func mkerr(op string, e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return &Error{Op: op, Errno: e}
}

// Errno is the errno of a dios error (0 for nil, EINVAL for an error of
// another kind).
func Errno(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return syscall.EINVAL
}
