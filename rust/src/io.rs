// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Zero-copy I/O as RAII guards (docs/io.md), and the copying stream calls.
//!
//! An acquire maps (or reuses) a view of the object and opens a buffer in
//! it: a [`ReadGuard`] derefs to `&[u8]`, a [`WriteGuard`] to `&mut [u8]`,
//! both pointing into the object's own pages.  `commit` ends the
//! transaction (publishes the write, consumes the message, checks the blob
//! snapshot); dropping a guard that was not committed releases it (the
//! write is discarded, the message goes back to the head of its stream).
//! A guard borrows its reference, so the reference (and with it the view)
//! outlives the buffer.  Each side of a reference has one buffer open at a
//! time: a second acquire on the same side fails with [`Error::Busy`].
//!
//! Shared memory and stream pages are shared with other tasks: what the
//! slice shows may change under a reader while another task writes them
//! (blob buffers are private to the transaction and never change).

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::slice;

use crate::error::{Error, Result};
use crate::object::{Blob, PrivMem, Shmem, Stream};
use crate::reference::Ref;
use crate::sys;

/// One I/O step on `r`.
fn io(r: &Ref, cmd: std::os::raw::c_ulong, req: &mut sys::IoReq) -> Result<()> {
    req.ref_ = r.raw();
    r.context().ioctl(cmd, req)
}

/// A buffer of `len` bytes at `addr` as a slice (a non-null pointer for an
/// empty one, as slices need).
fn buf_ptr(addr: u64, len: usize) -> *mut u8 {
    if len == 0 || addr == 0 {
        NonNull::<u8>::dangling().as_ptr()
    } else {
        addr as *mut u8
    }
}

/// An open read buffer.  Derefs to the bytes; `commit` ends the read,
/// dropping it releases it.
pub struct ReadGuard<'a> {
    r: &'a Ref,
    addr: u64,
    len: usize,
    /// Stream: the handles of the references the message carried,
    /// installed in our table by the acquire.
    refs: Box<[u64]>,
    n_refs: usize,
    open: bool,
    _buf: PhantomData<&'a [u8]>,
}

impl<'a> ReadGuard<'a> {
    fn acquire(r: &'a Ref, flags: u64, offset: u64, len: u64, refs_cap: usize) -> Result<Self> {
        let mut refs = vec![0u64; refs_cap].into_boxed_slice();
        let mut req = sys::IoReq {
            flags,
            len,
            offset,
            refs: if refs_cap > 0 {
                refs.as_mut_ptr() as u64
            } else {
                0
            },
            n_refs: refs_cap as u32,
            ..Default::default()
        };
        io(r, sys::IOC_ACQUIRE_READ, &mut req)?;
        Ok(ReadGuard {
            r,
            addr: req.addr,
            len: req.len as usize,
            refs,
            n_refs: req.n_refs as usize,
            open: true,
            _buf: PhantomData,
        })
    }

    /// The references the stream message carries (installed in this task's
    /// table; kept only if the read is committed with
    /// [`commit_refs`](ReadGuard::commit_refs)).
    pub fn n_refs(&self) -> usize {
        self.n_refs
    }

    /// End the read: a stream message is consumed, and any reference it
    /// carried is deleted again (see `commit_refs`).  A blob read returns
    /// [`Error::Stale`] if a write was committed to its range since the
    /// acquire: the bytes read may be a mix of old and new, read again.
    pub fn commit(self) -> Result<()> {
        self.commit_refs().map(drop)
    }

    /// As `commit`, and keep the references the message carried.
    pub fn commit_refs(mut self) -> Result<Vec<Ref>> {
        let mut req = sys::IoReq {
            addr: self.addr,
            ..Default::default()
        };
        let ret = io(self.r, sys::IOC_COMMIT_READ, &mut req);
        // A stale blob read is over all the same; another error leaves the
        // buffer open for Drop to release.
        if ret.is_ok() || ret == Err(Error::Stale) {
            self.open = false;
        }
        ret?;
        let ctx = self.r.context();
        Ok(self.refs[..self.n_refs]
            .iter()
            .map(|&h| ctx.adopt(h))
            .collect())
    }
}

impl Deref for ReadGuard<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: the kernel mapped `len` readable bytes at `addr` for as
        // long as the transaction is open, which the guard's life bounds.
        unsafe { slice::from_raw_parts(buf_ptr(self.addr, self.len), self.len) }
    }
}

/// Release the buffer at `addr` (a guard dropped before its commit).
fn release(r: &Ref, cmd: std::os::raw::c_ulong, addr: u64) {
    let mut req = sys::IoReq {
        addr,
        ..Default::default()
    };
    let _ = io(r, cmd, &mut req);
}

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        if self.open {
            release(self.r, sys::IOC_RELEASE_READ, self.addr);
        }
    }
}

/// An open write buffer.  Derefs to `&mut [u8]`; `commit` publishes it,
/// dropping it discards it.
pub struct WriteGuard<'a> {
    r: &'a Ref,
    addr: u64,
    len: usize,
    open: bool,
    _buf: PhantomData<&'a mut [u8]>,
}

impl<'a> WriteGuard<'a> {
    fn acquire(r: &'a Ref, flags: u64, offset: u64, len: u64) -> Result<Self> {
        let mut req = sys::IoReq {
            flags,
            len,
            offset,
            ..Default::default()
        };
        io(r, sys::IOC_ACQUIRE_WRITE, &mut req)?;
        Ok(WriteGuard {
            r,
            addr: req.addr,
            len: req.len as usize,
            open: true,
            _buf: PhantomData,
        })
    }

    /// Publish the whole buffer.
    pub fn commit(self) -> Result<()> {
        let n = self.len;
        self.commit_len(n)
    }

    /// Publish the first `n` bytes (a stream message of `n` bytes, 0
    /// allowed).  A blob write whose base pages changed since the acquire
    /// fails with [`Error::Stale`], nothing written.
    pub fn commit_len(self, n: usize) -> Result<()> {
        self.commit_flags(n, 0, &[])
    }

    /// Publish `n` bytes as a stream message carrying `refs` (up to 64,
    /// each with COPY).  On success the references have left this task
    /// (`refs` is emptied); on error nothing is sent and `refs` is as it
    /// was.
    pub fn commit_refs(self, n: usize, refs: &mut Vec<Ref>) -> Result<()> {
        let handles: Vec<u64> = refs.iter().map(|r| r.raw()).collect();
        self.commit_flags(n, sys::IO_REFS, &handles)?;
        // The module moved them: nothing left to delete.
        for r in refs.drain(..) {
            r.into_raw();
        }
        Ok(())
    }

    fn commit_flags(mut self, n: usize, flags: u64, handles: &[u64]) -> Result<()> {
        let mut req = sys::IoReq {
            flags,
            len: n as u64,
            addr: self.addr,
            refs: if handles.is_empty() {
                0
            } else {
                handles.as_ptr() as u64
            },
            n_refs: handles.len() as u32,
            ..Default::default()
        };
        io(self.r, sys::IOC_COMMIT_WRITE, &mut req)?;
        self.open = false;
        Ok(())
    }
}

impl Deref for WriteGuard<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: as for ReadGuard; the buffer is writable.
        unsafe { slice::from_raw_parts(buf_ptr(self.addr, self.len), self.len) }
    }
}

impl DerefMut for WriteGuard<'_> {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: the transaction's buffer, writable while it is open; the
        // guard is its only user in this task.
        unsafe { slice::from_raw_parts_mut(buf_ptr(self.addr, self.len), self.len) }
    }
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        if self.open {
            release(self.r, sys::IOC_RELEASE_WRITE, self.addr);
        }
    }
}

macro_rules! memory_io {
    ($t:ty) => {
        impl $t {
            /// Read `len` bytes at `offset` in place.
            pub fn acquire_read(&self, offset: u64, len: u64) -> Result<ReadGuard<'_>> {
                ReadGuard::acquire(self, 0, offset, len, 0)
            }

            /// Write `len` bytes at `offset` in place.
            pub fn acquire_write(&self, offset: u64, len: u64) -> Result<WriteGuard<'_>> {
                WriteGuard::acquire(self, 0, offset, len)
            }
        }
    };
}
memory_io!(PrivMem);
memory_io!(Shmem);
memory_io!(Blob);

impl Blob {
    /// As `acquire_write`, for a caller that writes every byte of the
    /// window: whole pages start zeroed instead of copied, and are not
    /// checked for staleness on commit.
    pub fn acquire_overwrite(&self, offset: u64, len: u64) -> Result<WriteGuard<'_>> {
        WriteGuard::acquire(self, sys::IO_OVERWRITE, offset, len)
    }
}

/// What a copying transfer did: the received message's length.
pub(crate) struct Xfer {
    pub sent: bool,
    pub recv_len: usize,
}

/// `DIOS_IOC_XFER`: send `out` on `send` and/or receive into `into` from
/// `recv`, one system call.
pub(crate) fn xfer(
    ctx: &crate::Context,
    flags: u64,
    send: Option<(&Ref, &[u8])>,
    recv: Option<(&Ref, &mut [u8])>,
) -> (Result<()>, Xfer) {
    let mut req = sys::XferReq {
        flags,
        ..Default::default()
    };
    if let Some((r, out)) = send {
        req.flags |= sys::XFER_SEND;
        req.send_ref = r.raw();
        req.send_buf = out.as_ptr() as u64;
        req.send_len = out.len() as u64;
    }
    if let Some((r, into)) = recv {
        req.flags |= sys::XFER_RECV;
        req.recv_ref = r.raw();
        req.recv_buf = into.as_mut_ptr() as u64;
        req.recv_len = into.len() as u64;
    }
    let ret = ctx.ioctl(sys::IOC_XFER, &mut req);
    let x = Xfer {
        sent: req.done & sys::XFER_SEND as u32 != 0,
        recv_len: req.recv_len as usize,
    };
    (ret, x)
}

/// Receive one message into a vector sized to it: a first try with room
/// for a small message, a second with the length the module reported.
pub(crate) fn recv_vec(rx: &Ref, flags: u64) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; 256];
    loop {
        let (ret, x) = xfer(rx.context(), flags, None, Some((rx, &mut buf)));
        match ret {
            Ok(()) => {
                buf.truncate(x.recv_len);
                return Ok(buf);
            }
            // Longer than the room, or carrying references (then the
            // length fits and a copying read can never take it).
            Err(Error::MsgSize) if x.recv_len > buf.len() => buf.resize(x.recv_len, 0),
            Err(e) => return Err(e),
        }
    }
}

impl Stream {
    /// Reserve `len` bytes of message space at the tail (blocks while the
    /// ring is full); commit publishes them as one message.
    pub fn acquire_write(&self, len: u64) -> Result<WriteGuard<'_>> {
        WriteGuard::acquire(self, 0, 0, len)
    }

    /// As `acquire_write`, [`Error::WouldBlock`] instead of blocking.
    pub fn try_acquire_write(&self, len: u64) -> Result<WriteGuard<'_>> {
        WriteGuard::acquire(self, sys::NONBLOCK, 0, len)
    }

    /// The head message, in place, if it is at most `max_len` bytes and
    /// carries at most 64 references ([`Error::MsgSize`] otherwise, the
    /// message stays); blocks while the stream is empty.  [`Error::Pipe`]
    /// once no writer is left and the queue is drained.
    pub fn acquire_read(&self, max_len: u64) -> Result<ReadGuard<'_>> {
        ReadGuard::acquire(self, 0, 0, max_len, sys::MAX_CARRIED)
    }

    /// As `acquire_read`, [`Error::WouldBlock`] instead of blocking.
    pub fn try_acquire_read(&self, max_len: u64) -> Result<ReadGuard<'_>> {
        ReadGuard::acquire(self, sys::NONBLOCK, 0, max_len, sys::MAX_CARRIED)
    }

    /// Copy `data` in as one message (one system call, no view mapped).
    pub fn send(&self, data: &[u8]) -> Result<()> {
        xfer(self.context(), 0, Some((self, data)), None).0
    }

    /// As `send`, [`Error::WouldBlock`] if the stream is full.
    pub fn try_send(&self, data: &[u8]) -> Result<()> {
        xfer(self.context(), sys::NONBLOCK, Some((self, data)), None).0
    }

    /// Copy the head message into `buf` and consume it: its length.
    /// [`Error::MsgSize`] if it is longer or carries references (it stays).
    pub fn recv(&self, buf: &mut [u8]) -> Result<usize> {
        let (ret, x) = xfer(self.context(), 0, None, Some((self, buf)));
        ret.map(|()| x.recv_len)
    }

    /// As `recv`, [`Error::WouldBlock`] if the stream is empty.
    pub fn try_recv(&self, buf: &mut [u8]) -> Result<usize> {
        let (ret, x) = xfer(self.context(), sys::NONBLOCK, None, Some((self, buf)));
        ret.map(|()| x.recv_len)
    }

    /// The head message as a vector of its length.
    pub fn recv_vec(&self) -> Result<Vec<u8>> {
        recv_vec(self, 0)
    }
}
