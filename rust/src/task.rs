// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Tasks: starting a program as a child task with references delegated
//! and a channel to it (`dios_run`, `dios_run_chan`), and the calls on task
//! references.
//!
//! As libdios does (docs/api.md, "Tasks"): check that the program is
//! executable, fork, make the child a task (`DIOS_IOC_RUN` names it by its
//! pid; the kernel prepares its context with the delegated references),
//! then let it exec through an eventfd.  Between fork and exec the child
//! only calls async-signal-safe functions on memory prepared before the
//! fork, so spawning from a multi-threaded program is safe.

use std::ffi::{CString, OsStr};
use std::ops::Deref;
use std::os::raw::{c_char, c_int, c_void};
use std::os::unix::ffi::OsStrExt;
use std::ptr;

use crate::chan::{Chan, DEFAULT_CAPACITY};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::name::Rights;
use crate::object::{Kind, Object};
use crate::reference::Ref;
use crate::sys;

/// A reference to a task.  Dropping it deletes the reference, not the
/// task; as with `std::process::Child`, a task that is never waited for
/// stays a zombie process until its parent exits.
#[derive(Debug)]
pub struct Task {
    r: Ref,
    /// The process, when we started it (a child of ours).
    pid: Option<i32>,
}

impl Object for Task {
    const KIND: Kind = Kind::Task;
    fn from_ref_unchecked(r: Ref) -> Self {
        Task { r, pid: None }
    }
    fn into_ref(self) -> Ref {
        self.r
    }
}

impl Deref for Task {
    type Target = Ref;
    fn deref(&self) -> &Ref {
        &self.r
    }
}

impl Task {
    /// The process id of a task this process started (`None` for one
    /// looked up, received or our own).
    pub fn pid(&self) -> Option<u32> {
        self.pid.map(|p| p as u32)
    }

    fn wait_flags(&self, flags: u64) -> Result<i32> {
        let mut req = sys::TaskWaitReq {
            flags,
            task: self.raw(),
            ..Default::default()
        };
        self.context().ioctl(sys::IOC_TASK_WAIT, &mut req)?;
        if req.reap & sys::TASK_REAP != 0 {
            // Our zombie child: reap it (siginfo_t is 128 bytes).
            let mut si = [0u64; 16];
            loop {
                // SAFETY: a buffer the size of siginfo_t.
                let r = unsafe {
                    sys::waitid(
                        sys::P_PID,
                        req.pid,
                        si.as_mut_ptr().cast(),
                        sys::WEXITED | sys::WNOHANG,
                    )
                };
                if r == 0 || sys::errno() != 4 {
                    break;
                }
            }
        }
        Ok(req.status)
    }

    /// Wait until the task exited (needs READ): its exit code, or 128 + the
    /// number of the signal that killed it.  Reaps it if we are its parent.
    pub fn wait(&self) -> Result<i32> {
        self.wait_flags(0)
    }

    /// As `wait`, `None` if it is still running.
    pub fn try_wait(&self) -> Result<Option<i32>> {
        match self.wait_flags(sys::NONBLOCK) {
            Ok(s) => Ok(Some(s)),
            Err(Error::WouldBlock) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn control(&self, cmd: std::os::raw::c_ulong) -> Result<()> {
        let mut req = sys::TaskReq {
            flags: 0,
            task: self.raw(),
        };
        self.context().ioctl(cmd, &mut req)
    }

    /// Stop the task (SIGSTOP; needs WRITE).
    pub fn pause(&self) -> Result<()> {
        self.control(sys::IOC_PAUSE)
    }

    /// Continue it (SIGCONT; needs WRITE).
    pub fn resume(&self) -> Result<()> {
        self.control(sys::IOC_RESUME)
    }

    /// Kill it: zombify the task object (needs DELETE; the process gets
    /// SIGKILL).  Every other reference to it is a zombie now, whose
    /// `wait` is [`Error::Zombie`]; so a task this process started is
    /// reaped here and its status returned (128 + 9 unless it had exited).
    pub fn kill(self) -> Result<Option<i32>> {
        let pid = self.pid;
        self.r.zombify()?;
        Ok(pid.map(reap))
    }
}

/// The options of a task start: program, arguments, delegated references
/// and the channel's capacity.
///
/// ```no_run
/// # fn main() -> dios::Result<()> {
/// let ctx = dios::Context::get()?;
/// let blob = dios::Blob::create(&ctx, 4096)?;
/// let (task, chan) = dios::Spawn::new("/proc/self/exe")
///     .arg("--worker")
///     .delegate_with(&blob, dios::Rights::READ | dios::Rights::COPY)
///     .spawn::<u32, u64>(&ctx)?;
/// chan.send(&7)?;
/// let answer = chan.recv()?;
/// task.wait()?;
/// # Ok(()) }
/// ```
pub struct Spawn<'a> {
    path: CString,
    args: Vec<CString>,
    refs: Vec<(&'a Ref, Option<Rights>)>,
    capacity: u64,
    bad_arg: bool,
}

fn cstring(s: &OsStr, bad: &mut bool) -> CString {
    CString::new(s.as_bytes()).unwrap_or_else(|_| {
        *bad = true;
        CString::default()
    })
}

impl<'a> Spawn<'a> {
    /// Start the program at `path` (argv[0] is `path`).
    pub fn new<P: AsRef<OsStr>>(path: P) -> Spawn<'a> {
        let mut bad = false;
        let path = cstring(path.as_ref(), &mut bad);
        Spawn {
            path,
            args: Vec::new(),
            refs: Vec::new(),
            capacity: 0,
            bad_arg: bad,
        }
    }

    /// One more argument.
    pub fn arg<A: AsRef<OsStr>>(mut self, a: A) -> Self {
        let c = cstring(a.as_ref(), &mut self.bad_arg);
        self.args.push(c);
        self
    }

    /// More arguments.
    pub fn args<I: IntoIterator>(mut self, args: I) -> Self
    where
        I::Item: AsRef<OsStr>,
    {
        for a in args {
            self = self.arg(a);
        }
        self
    }

    /// Delegate `r` (needs COPY) with its rights: the task finds it in
    /// [`parent`]'s list (or `Context::task_refs`), in the order given.
    pub fn delegate(mut self, r: &'a Ref) -> Self {
        self.refs.push((r, None));
        self
    }

    /// Delegate `r` with `rights`, a subset of its own.
    pub fn delegate_with(mut self, r: &'a Ref, rights: Rights) -> Self {
        self.refs.push((r, Some(rights)));
        self
    }

    /// Bytes per direction of the channel to the task (0: 64 KiB).
    pub fn capacity(mut self, bytes: u64) -> Self {
        self.capacity = bytes;
        self
    }

    /// Start the task with a channel to it, one `DIOS_IOC_RUN`: the task
    /// builds its end with [`parent`].
    pub fn spawn<S: Message, R: Message>(&self, ctx: &Context) -> Result<(Task, Chan<S, R>)> {
        let cap = if self.capacity == 0 {
            DEFAULT_CAPACITY
        } else {
            self.capacity
        };
        let req = self.run(ctx, sys::RUN_CHAN, cap)?;
        let task = Task {
            r: ctx.adopt(req.task),
            pid: Some(req.pid as i32),
        };
        let chan = Chan::from_refs(ctx.adopt(req.chan_rx), ctx.adopt(req.chan_tx))?;
        Ok((task, chan))
    }

    /// Start the task without a channel (`dios_run`).
    pub fn spawn_plain(&self, ctx: &Context) -> Result<Task> {
        let req = self.run(ctx, 0, 0)?;
        Ok(Task {
            r: ctx.adopt(req.task),
            pid: Some(req.pid as i32),
        })
    }

    fn run(&self, ctx: &Context, flags: u64, capacity: u64) -> Result<sys::RunReq> {
        if self.bad_arg {
            return Err(Error::Invalid);
        }
        if self.refs.len() > sys::RUN_MAX_REFS {
            return Err(Error::Invalid);
        }
        let handles: Vec<u64> = self.refs.iter().map(|(r, _)| r.raw()).collect();
        let rights = if self.refs.iter().any(|(_, r)| r.is_some()) {
            let mut v = Vec::with_capacity(self.refs.len());
            for (r, want) in &self.refs {
                v.push(match want {
                    Some(w) => w.bits(),
                    None => r.rights()?.bits(),
                });
            }
            v
        } else {
            Vec::new()
        };
        let mut argv: Vec<*const c_char> = Vec::with_capacity(self.args.len() + 2);
        argv.push(self.path.as_ptr());
        argv.extend(self.args.iter().map(|a| a.as_ptr()));
        argv.push(ptr::null());
        let env: Vec<CString> = std::env::vars_os()
            .filter_map(|(k, v)| {
                let mut kv = k.as_bytes().to_vec();
                kv.push(b'=');
                kv.extend_from_slice(v.as_bytes());
                CString::new(kv).ok()
            })
            .collect();
        let mut envp: Vec<*const c_char> = env.iter().map(|e| e.as_ptr()).collect();
        envp.push(ptr::null());

        // What execve would refuse for the file itself, said now.
        // SAFETY: a NUL-terminated path.
        if unsafe {
            sys::faccessat(
                sys::AT_FDCWD,
                self.path.as_ptr(),
                sys::X_OK,
                sys::AT_EACCESS,
            )
        } < 0
        {
            return Err(Error::last());
        }
        let mut req = sys::RunReq {
            flags,
            refs: if handles.is_empty() {
                0
            } else {
                handles.as_ptr() as u64
            },
            rights: if rights.is_empty() {
                0
            } else {
                rights.as_ptr() as u64
            },
            n_refs: handles.len() as u32,
            capacity,
            ..Default::default()
        };
        // SAFETY: pointers into `self.path`, `self.args` and `env`, alive
        // until both processes are past their use.
        let pid = unsafe { fork_child(self.path.as_ptr(), argv.as_ptr(), envp.as_ptr())? };
        req.pid = pid.pid as u32;
        let ret = ctx.ioctl(sys::IOC_RUN, &mut req);
        pid.go(ret.is_ok());
        ret.map(|()| req)
    }
}

/// Wait for our child `pid`: its status as a shell reports it.
fn reap(pid: c_int) -> i32 {
    let mut st: c_int = 0;
    // SAFETY: a child of ours, an int for the status.
    while unsafe { sys::waitpid(pid, &mut st, 0) } < 0 {
        if sys::errno() != 4 {
            return -1;
        }
    }
    if st & 0x7f == 0 {
        (st >> 8) & 0xff
    } else {
        128 + (st & 0x7f)
    }
}

/// A forked child waiting for its go on an eventfd.
struct Child {
    pid: c_int,
    go: c_int,
}

const GO_EXEC: u64 = 1;
const GO_EXIT: u64 = 2;

impl Child {
    /// Tell the child to exec (or to exit, and reap it).
    fn go(self, exec: bool) {
        let v: u64 = if exec { GO_EXEC } else { GO_EXIT };
        // SAFETY: our eventfd and an 8-byte value; the child must never
        // wait forever, so a failed write kills it.
        unsafe {
            if sys::write(self.go, (&v as *const u64).cast(), 8) != 8 {
                sys::kill(self.pid, sys::SIGKILL);
            }
            sys::close(self.go);
        }
        if !exec {
            reap(self.pid);
        }
    }
}

/// Fork a child that waits for its go, then execs.
///
/// # Safety
/// The pointers are valid NUL-terminated strings and NULL-terminated
/// arrays of them.
unsafe fn fork_child(
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> Result<Child> {
    let go = sys::eventfd(0, sys::EFD_CLOEXEC | sys::EFD_NONBLOCK);
    if go < 0 {
        return Err(Error::last());
    }
    let parent = sys::getpid();
    let pid = sys::fork();
    if pid < 0 {
        let e = Error::last();
        sys::close(go);
        return Err(e);
    }
    if pid == 0 {
        child_wait_exec(go, parent, path, argv, envp);
    }
    Ok(Child { pid, go })
}

/// In the child: async-signal-safe calls only, no allocation.
unsafe fn child_wait_exec(
    go: c_int,
    parent: c_int,
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> ! {
    let mut v: u64 = 0;
    while sys::read(go, (&mut v as *mut u64).cast::<c_void>(), 8) != 8 {
        if sys::getppid() != parent {
            sys::_exit(127);
        }
        let mut p = sys::PollFd {
            fd: go,
            events: sys::POLLIN,
            revents: 0,
        };
        sys::poll(&mut p, 1, 100);
    }
    if v == GO_EXEC {
        // Rust programs ignore SIGPIPE; the program run gets the default,
        // as std::process::Command gives it.
        sys::signal(sys::SIGPIPE, sys::SIG_DFL);
        sys::execve(path, argv, envp);
    }
    sys::_exit(127)
}

/// Start `path` with `args` as a task of the shared context
/// ([`Context::get`]), with `refs` delegated (each keeping its rights) and
/// a channel to it: the Hephaestus `spawn_task`.  The task gets its end
/// with [`parent`].
pub fn spawn_task<S, R, P, I>(path: P, args: I, refs: &[&Ref]) -> Result<(Task, Chan<S, R>)>
where
    S: Message,
    R: Message,
    P: AsRef<OsStr>,
    I: IntoIterator,
    I::Item: AsRef<OsStr>,
{
    let ctx = Context::get()?;
    let mut s = Spawn::new(path).args(args);
    for r in refs {
        s = s.delegate(r);
    }
    s.spawn(&ctx)
}

/// In a task started by [`spawn_task`] or [`Spawn::spawn`]: the channel to
/// the parent and the other delegated references, in their order, from
/// the shared context.  [`Error::NotFound`] if this task was not started
/// with a channel.  Call it once: the references are owned by what it
/// returns.
pub fn parent<S: Message, R: Message>() -> Result<(Chan<S, R>, Vec<Ref>)> {
    parent_in(&Context::get()?)
}

/// As [`parent`], in `ctx`.
pub fn parent_in<S: Message, R: Message>(ctx: &Context) -> Result<(Chan<S, R>, Vec<Ref>)> {
    let mut refs = ctx.task_refs()?.into_iter();
    let (rx, tx) = match (refs.next(), refs.next()) {
        (Some(rx), Some(tx)) => (rx, tx),
        _ => return Err(Error::NotFound),
    };
    Ok((Chan::from_refs(rx, tx)?, refs.collect()))
}
