// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Typed channels: two streams, one per direction (docs/api.md,
//! "Channels"), carrying [`Message`] values.
//!
//! An end holds a write-only reference to the stream it sends on and a
//! read-only one to the stream it receives from, so that when one end goes
//! (dropped, or its task exits) the other drains what is queued, then gets
//! [`Error::Pipe`].  Values go through the copying calls (one system call
//! per message, `DIOS_IOC_XFER`), values with references through a
//! zero-copy acquire and commit.

use std::fmt;
use std::marker::PhantomData;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::io::{recv_vec, xfer};
use crate::message::Message;
use crate::name::Rights;
use crate::object::{Object, Stream};
use crate::reference::Ref;
use crate::sys;

/// Bytes of message space per direction unless said otherwise (libdios's
/// `DIOS_CHAN_CAPACITY`).
pub const DEFAULT_CAPACITY: u64 = 64 * 1024;

/// The rights of the two ends (those of libdios's `dios_chan_pair`).
const FAR_RX: Rights = Rights::READ.union(Rights::COPY);
const FAR_TX: Rights = Rights::WRITE.union(Rights::COPY);
const OWN_TX: Rights = FAR_TX.union(Rights::DELETE);
const OWN_RX: Rights = FAR_RX.union(Rights::DELETE);

/// One end of a bidirectional channel that sends `S` and receives `R`.
/// The other end is a `Chan<R, S>`.
pub struct Chan<S, R = S> {
    tx: Stream,
    rx: Stream,
    _types: PhantomData<fn(S) -> R>,
}

impl<S, R> fmt::Debug for Chan<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Chan(tx {:?}, rx {:?})", *self.tx, *self.rx)
    }
}

impl<S, R> Chan<S, R> {
    /// The end's two references, (rx, tx), for delegation.
    pub fn into_refs(self) -> (Ref, Ref) {
        (self.rx.into_ref(), self.tx.into_ref())
    }

    /// The stream this end sends on (write-only), for zero-copy sends.
    pub fn tx(&self) -> &Stream {
        &self.tx
    }

    /// The stream this end receives from (read-only): select on it.
    pub fn rx(&self) -> &Stream {
        &self.rx
    }
}

impl<S: Message, R: Message> Chan<S, R> {
    /// A new anonymous channel of `capacity` bytes per direction (0:
    /// [`DEFAULT_CAPACITY`]); both ends are in `ctx`.  Hand the second end
    /// to another task with [`Chan::into_refs`] and a delegation (a
    /// message, or [`Spawn::delegate`](crate::Spawn::delegate)), which
    /// rebuilds it with [`Chan::from_refs`].
    pub fn pair(ctx: &Context, capacity: u64) -> Result<(Chan<S, R>, Chan<R, S>)> {
        let cap = if capacity == 0 {
            DEFAULT_CAPACITY
        } else {
            capacity
        };
        let a = Stream::create(ctx, cap)?;
        let b = Stream::create(ctx, cap)?;
        let ours = Chan::from_streams(a.dup(OWN_TX)?, b.dup(OWN_RX)?);
        let theirs = Chan::from_streams(b.dup(FAR_TX)?, a.dup(FAR_RX)?);
        Ok((ours, theirs))
    }

    fn from_streams(tx: Ref, rx: Ref) -> Self {
        Chan {
            tx: Stream::from_ref_unchecked(tx),
            rx: Stream::from_ref_unchecked(rx),
            _types: PhantomData,
        }
    }

    /// An end made of a read reference and a write reference to two
    /// streams (as `dios_chan_from_refs`); [`Error::Invalid`] if either is
    /// not a stream (both are deleted then).
    pub fn from_refs(rx: Ref, tx: Ref) -> Result<Self> {
        let rx = rx.into_object::<Stream>()?;
        let tx = tx.into_object::<Stream>()?;
        Ok(Chan {
            tx,
            rx,
            _types: PhantomData,
        })
    }

    /// Send one value; blocks while the stream is full.  [`Error::Pipe`]
    /// once the other end is gone, [`Error::MsgSize`] above the capacity.
    pub fn send(&self, msg: &S) -> Result<()> {
        self.tx.send(&msg.to_bytes())
    }

    /// As `send`, [`Error::WouldBlock`] if the stream is full.
    pub fn try_send(&self, msg: &S) -> Result<()> {
        self.tx.try_send(&msg.to_bytes())
    }

    /// Receive one value; blocks while there is none.  [`Error::Pipe`] once
    /// the other end is gone and everything it sent is received;
    /// [`Error::Decode`] for a message that is not an `R` (consumed).
    pub fn recv(&self) -> Result<R> {
        R::from_bytes(&recv_vec(&self.rx, 0)?)
    }

    /// As `recv`, [`Error::WouldBlock`] if there is none.
    pub fn try_recv(&self) -> Result<R> {
        R::from_bytes(&recv_vec(&self.rx, sys::NONBLOCK)?)
    }

    /// Send `msg`, then wait for the answer: one system call for both when
    /// the answer is small.
    pub fn call(&self, msg: &S) -> Result<R> {
        let out = msg.to_bytes();
        let mut buf = [0u8; 256];
        let (ret, x) = xfer(
            self.tx.context(),
            0,
            Some((&self.tx, &out)),
            Some((&self.rx, &mut buf)),
        );
        match ret {
            Ok(()) => R::from_bytes(&buf[..x.recv_len]),
            // Sent; the answer is longer than the room: take it whole.
            Err(Error::MsgSize) if x.sent => self.recv(),
            Err(e) => Err(e),
        }
    }

    /// Send one value carrying `refs` (up to 64, each with COPY): on
    /// success they have left this task and `refs` is empty.
    pub fn send_refs(&self, msg: &S, refs: &mut Vec<Ref>) -> Result<()> {
        let out = msg.to_bytes();
        // A reservation is at least a byte; the message may have none.
        let mut w = self.tx.acquire_write(out.len().max(1) as u64)?;
        w[..out.len()].copy_from_slice(&out);
        w.commit_refs(out.len(), refs)
    }

    /// Receive one value and the references it carries.
    pub fn recv_refs(&self) -> Result<(R, Vec<Ref>)> {
        let m = self.rx.acquire_read(u64::MAX)?;
        let v = R::from_bytes(&m);
        let refs = m.commit_refs()?;
        Ok((v?, refs))
    }
}
