// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

// Package dios is the Go binding of dios (/dev/dios): contexts, references
// with rights, 256-bit names, objects, zero-copy stream, memory and blob
// I/O, copying stream I/O, select, and Chan, which bridges a pair of dios
// streams to Go channels.
//
// It speaks the kernel ABI (uapi/linux/dios.h) directly through ioctl(2),
// with the standard library only and no cgo, and behaves as libdios does
// (userlib/, the reference implementation; docs/api.md and docs/io.md are
// the contract): the same calls, flags, rights and error codes. Errors are
// *Error values that wrap a syscall.Errno: errors.Is(err, syscall.EPIPE).
//
// Waiting. A call that would block (an acquire, a send to a full stream, a
// receive from an empty one) does not block its thread: it tries the call
// with DIOS_NONBLOCK and, on EAGAIN, parks the goroutine in the Go runtime's
// network poller on the context descriptor, which is pollable (EPOLLIN while
// an entry of the context's interest set is ready, docs/api.md). One
// dispatcher goroutine per context collects the ready entries
// (DIOS_IOC_INTEREST_WAIT) and wakes the goroutines waiting on them. So a
// goroutine waiting on a stream costs no OS thread, and a program may have
// many. SetKernelWait(true) makes a context wait in the kernel instead (one
// system call per operation, the thread blocked), which is what a tight
// loop on a locked OS thread wants. See docs/go.md.
//
// The package is for 64-bit Linux (the ABI's __u64 pointers are Go pointers
// here); it is tested on x86_64.
package dios
