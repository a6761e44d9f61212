// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Waiting for the first of several channels, tasks and references to be
//! ready (`dios_select`), and the [`select!`](crate::select!) macro.
//!
//! A channel is ready when a receive would not block (a message, or the
//! other end gone), a task when it exited.  One select call waits for the
//! union of the entries' events: a reference holding both READ and WRITE
//! (a stream created here, not a channel end) in a set that mixes readers
//! and writers is ready for either.

use std::time::Duration;

use crate::chan::Chan;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::reference::Ref;
use crate::sys;
use crate::task::Task;

/// Readiness events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Events(u32);

impl Events {
    /// A read (receive, wait for exit) would not block.
    pub const READ: Events = Events(sys::EV_READ);
    /// A write (send) would not block.
    pub const WRITE: Events = Events(sys::EV_WRITE);
}

/// A set of things to wait for; each `add` returns the index that
/// [`Select::wait`] reports when it is the first ready.
///
/// ```no_run
/// # fn main() -> dios::Result<()> {
/// # let ctx = dios::Context::get()?;
/// # let (a, _ka) = dios::Chan::<u32>::pair(&ctx, 0)?;
/// # let (b, _kb) = dios::Chan::<u32>::pair(&ctx, 0)?;
/// let mut sel = dios::Select::new();
/// let ia = sel.recv(&a);
/// let ib = sel.recv(&b);
/// match sel.wait()? {
///     i if i == ia => println!("a: {}", a.recv()?),
///     _ => println!("b: {}", b.recv()?),
/// }
/// # Ok(()) }
/// ```
#[derive(Default)]
pub struct Select<'a> {
    refs: Vec<u64>,
    events: u32,
    ctx: Option<&'a Context>,
}

impl<'a> Select<'a> {
    /// An empty set.
    pub fn new() -> Self {
        Select::default()
    }

    /// Wait for `r` to be ready for `events`.
    pub fn add(&mut self, r: &'a Ref, events: Events) -> usize {
        self.refs.push(r.raw());
        self.events |= events.0;
        self.ctx.get_or_insert(r.context());
        self.refs.len() - 1
    }

    /// Wait for a message on `c` (or its other end gone).
    pub fn recv<S, R>(&mut self, c: &'a Chan<S, R>) -> usize {
        self.add(c.rx(), Events::READ)
    }

    /// Wait for room to send on `c` (or its other end gone).
    pub fn send<S, R>(&mut self, c: &'a Chan<S, R>) -> usize {
        self.add(c.tx(), Events::WRITE)
    }

    /// Wait for `t` to exit.
    pub fn task(&mut self, t: &'a Task) -> usize {
        self.add(t, Events::READ)
    }

    fn call(&self, flags: u64, timeout_ns: i64) -> Result<usize> {
        let ctx = self.ctx.ok_or(Error::Invalid)?;
        let mut req = sys::SelectReq {
            flags,
            refs: self.refs.as_ptr() as u64,
            n: self.refs.len() as u32,
            events: self.events,
            timeout_ns,
            ..Default::default()
        };
        ctx.ioctl(sys::IOC_SELECT, &mut req)?;
        Ok(req.ready_index as usize)
    }

    /// Wait until one is ready: the lowest ready index.  [`Error::Invalid`]
    /// for an empty set, [`Error::BadRef`] if a reference is deleted while
    /// waiting, [`Error::Interrupted`] on a signal.
    pub fn wait(&self) -> Result<usize> {
        self.call(0, -1)
    }

    /// As `wait`, `None` after `timeout`.
    pub fn wait_timeout(&self, timeout: Duration) -> Result<Option<usize>> {
        let ns = i64::try_from(timeout.as_nanos()).unwrap_or(i64::MAX);
        timed_out(self.call(0, ns))
    }

    /// The lowest index ready now, `None` if none is.
    pub fn try_wait(&self) -> Result<Option<usize>> {
        timed_out(self.call(sys::NONBLOCK, 0))
    }
}

fn timed_out(r: Result<usize>) -> Result<Option<usize>> {
    match r {
        Ok(i) => Ok(Some(i)),
        Err(Error::TimedOut) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Wait for the first ready of several channels and tasks, then run its
/// arm.  Each arm is one of
///
/// - `recv(chan) -> v => body`: `v` is `chan.recv()` (a `Result`);
/// - `exit(task) -> v => body`: `v` is `task.wait()` (a `Result`);
/// - `ready(reference, events) => body`: the reference is ready.
///
/// The whole is a `dios::Result` of the body's value (`Err` if the select
/// itself failed).  The arm expressions are evaluated twice: give places
/// (variables, fields), not calls.
///
/// ```no_run
/// # fn main() -> dios::Result<()> {
/// # let ctx = dios::Context::get()?;
/// # let (chan, _k) = dios::Chan::<u32>::pair(&ctx, 0)?;
/// # let task = ctx.task_self()?;
/// let what = dios::select! {
///     recv(chan) -> msg => format!("message {:?}", msg),
///     exit(task) -> status => format!("task exited: {:?}", status),
/// }?;
/// # Ok(()) }
/// ```
#[macro_export]
macro_rules! select {
    ($($kind:ident ( $($e:expr),+ ) $(-> $v:pat)? => $body:expr),+ $(,)?) => {{
        let mut __dios_sel = $crate::Select::new();
        $( $crate::__select_add!(__dios_sel, $kind($($e),+)); )+
        match __dios_sel.wait() {
            Err(e) => Err(e),
            Ok(__dios_ready) => {
                drop(__dios_sel);
                let mut __dios_k = 0usize;
                let mut __dios_out = None;
                $(
                    if __dios_out.is_none() && __dios_ready == __dios_k {
                        $crate::__select_arm!(__dios_out, $kind($($e),+) $(-> $v)? => $body);
                    }
                    __dios_k += 1;
                )+
                let _ = __dios_k;
                Ok(__dios_out.expect("select: an index of the set"))
            }
        }
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_add {
    ($sel:ident, recv($c:expr)) => {
        $sel.recv(&$c)
    };
    ($sel:ident, exit($t:expr)) => {
        $sel.task(&$t)
    };
    ($sel:ident, ready($r:expr, $ev:expr)) => {
        $sel.add(&$r, $ev)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_arm {
    ($out:ident, recv($c:expr) -> $v:pat => $body:expr) => {{
        let $v = $c.recv();
        $out = Some($body);
    }};
    ($out:ident, exit($t:expr) -> $v:pat => $body:expr) => {{
        let $v = $t.wait();
        $out = Some($body);
    }};
    ($out:ident, ready($r:expr, $ev:expr) => $body:expr) => {{
        $out = Some($body);
    }};
}
