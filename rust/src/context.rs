// SPDX-License-Identifier: GPL-2.0 OR MIT
//! The DIOS context: an open `/dev/dios`, with its version reply and its
//! read-only reference metadata map.
//!
//! Every open of `/dev/dios` is a new context with its own reference table
//! (docs/api.md, "Contexts"), except the first open of a task started by
//! `dios_run`, which takes over the context prepared for it with the
//! delegated references.  [`Context::get`] is the process's shared context,
//! opened on first use like libdios's; [`Context::open`] makes another.
//! A context belongs to the process that opened it: in a `fork()` child
//! every call fails with [`Error::BadContext`].

use std::ffi::CString;
use std::ptr;
use std::sync::atomic::{fence, AtomicPtr, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{check, Error, Result};
use crate::name::{Name, Rights};
use crate::object::Kind;
use crate::reference::Ref;
use crate::sys;

/// What the running module implements (`DIOS_IOC_VERSION`): ABI version,
/// `DIOS_FEAT_*` features, limits; [`Version::release`] is the module's
/// release string.
pub type Version = sys::VersionReq;

impl sys::VersionReq {
    /// The module's release string.
    pub fn release(&self) -> String {
        self.release
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| b as char)
            .collect()
    }
}

pub(crate) struct Inner {
    fd: i32,
    version: Version,
    meta_map_size: u64,
    /// The metadata map, null until the first `ref_info`; set once, under
    /// `meta_lock`.
    meta_base: AtomicPtr<u8>,
    meta_lock: Mutex<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let base = *self.meta_base.get_mut();
        if !base.is_null() {
            // SAFETY: the map is ours and no reader is left (no Arc).
            unsafe { sys::munmap(base.cast(), self.meta_map_size as usize) };
        }
        // SAFETY: the descriptor is ours; every Ref holding it is gone.
        unsafe { sys::close(self.fd) };
    }
}

/// A DIOS context.  Cloning is cheap (a shared handle); the context closes
/// (and the module deletes every reference left in it) when the last clone
/// and the last [`Ref`] of it are dropped.
#[derive(Clone)]
pub struct Context(pub(crate) Arc<Inner>);

static SHARED: Mutex<Option<Context>> = Mutex::new(None);

impl Context {
    /// Open a new context: a fresh reference table, unless this process is
    /// a task whose delegated context no open has claimed yet.
    /// [`Error::NoDevice`] if the module is not loaded.
    pub fn open() -> Result<Context> {
        let path = CString::new("/dev/dios").unwrap();
        // SAFETY: a NUL-terminated path.
        let fd = unsafe { sys::open(path.as_ptr(), sys::O_RDWR | sys::O_CLOEXEC) };
        if fd < 0 {
            // No node, or a node without a driver: the module is not loaded.
            return Err(match sys::errno() {
                2 | 19 | 6 => Error::NoDevice,
                e => Error::from_errno(e),
            });
        }
        let mut v = sys::VersionReq::default();
        // SAFETY: the request struct of DIOS_IOC_VERSION.
        let ret = unsafe { sys::ioctl(fd, sys::IOC_VERSION, &mut v as *mut sys::VersionReq) };
        let err = if ret < 0 {
            Some(Error::last())
        } else if v.abi_major != sys::ABI_MAJOR {
            Some(Error::Protocol)
        } else {
            None
        };
        if let Some(e) = err {
            // SAFETY: our descriptor.
            unsafe { sys::close(fd) };
            return Err(e);
        }
        Ok(Context(Arc::new(Inner {
            fd,
            version: v,
            meta_map_size: v.meta_map_size,
            meta_base: AtomicPtr::new(ptr::null_mut()),
            meta_lock: Mutex::new(()),
        })))
    }

    /// The process's shared context, opened on the first call (as libdios
    /// opens its own).  In a task started by `dios_run` or
    /// [`spawn_task`](crate::spawn_task), this is the one holding the
    /// delegated references, if no [`Context::open`] came first.
    pub fn get() -> Result<Context> {
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = shared.as_ref() {
            return Ok(c.clone());
        }
        let c = Context::open()?;
        *shared = Some(c.clone());
        Ok(c)
    }

    /// What the module implements, as reported when the context was opened.
    pub fn version(&self) -> &Version {
        &self.0.version
    }

    /// The context descriptor (pollable: readable while an entry of the
    /// interest set is ready).  It stays owned by the context.
    pub fn fd(&self) -> i32 {
        self.0.fd
    }

    /// One ioctl on the context; the errno as an [`Error`].
    pub(crate) fn ioctl<T>(&self, cmd: std::os::raw::c_ulong, arg: &mut T) -> Result<()> {
        // SAFETY: every caller passes the request struct that `cmd` encodes,
        // whose pointer fields (if any) point to live memory of the sizes
        // they announce.
        check(unsafe { sys::ioctl(self.0.fd, cmd, arg as *mut T) })
    }

    /// A [`Ref`] owning `handle`, a handle of this context.
    pub(crate) fn adopt(&self, handle: u64) -> Ref {
        Ref::from_parts(self.clone(), handle)
    }

    /// Create an object (see [`Create`](crate::Create) for the options).
    pub fn create(&self, c: &crate::object::Create<'_>) -> Result<(Ref, Option<Name>)> {
        let mut req = sys::CreateReq {
            flags: c.flags,
            type_: c.kind as u32,
            args: c.args,
            ..Default::default()
        };
        if let Some(g) = c.group {
            req.args.group = g.raw();
        }
        self.ioctl(sys::IOC_CREATE, &mut req)?;
        let name = Name::from(req.name);
        Ok((
            self.adopt(req.ref_),
            if name.is_zero() { None } else { Some(name) },
        ))
    }

    /// Look `name` up in the global group: a reference with the rights the
    /// name grants.  [`Error::NotFound`] if no object has it.
    pub fn lookup(&self, name: &Name) -> Result<Ref> {
        self.lookup_in(None, name)
    }

    /// Look `name` up in `group` (needs READ on it), or the global group.
    pub fn lookup_in(&self, group: Option<&Ref>, name: &Name) -> Result<Ref> {
        let mut req = sys::LookupReq {
            group: group.map(|g| g.raw()).unwrap_or(0),
            name: name.raw(),
            ..Default::default()
        };
        self.ioctl(sys::IOC_LOOKUP, &mut req)?;
        Ok(self.adopt(req.ref_))
    }

    /// A reference to the calling task's own task object.
    pub fn task_self(&self) -> Result<crate::task::Task> {
        let mut req = sys::TaskSelfReq::default();
        self.ioctl(sys::IOC_TASK_SELF, &mut req)?;
        Ok(<crate::task::Task as crate::object::Object>::from_ref_unchecked(self.adopt(req.ref_)))
    }

    /// The references delegated to this task by `dios_run` (or
    /// [`spawn_task`](crate::spawn_task)), in their order, each owned once:
    /// a second call finds the same handles, so call it once per context.
    pub fn task_refs(&self) -> Result<Vec<Ref>> {
        let mut few = [0u64; 8];
        let mut req = sys::TaskRefsReq {
            refs: few.as_mut_ptr() as u64,
            n: few.len() as u32,
            ..Default::default()
        };
        let handles = match self.ioctl(sys::IOC_TASK_REFS, &mut req) {
            Ok(()) => few[..req.n as usize].to_vec(),
            Err(Error::NoSpace) => {
                let mut all = vec![0u64; req.n as usize];
                req.refs = all.as_mut_ptr() as u64;
                self.ioctl(sys::IOC_TASK_REFS, &mut req)?;
                all.truncate(req.n as usize);
                all
            }
            Err(e) => return Err(e),
        };
        Ok(handles.into_iter().map(|h| self.adopt(h)).collect())
    }

    /// The metadata of `handle` from the read-only map: no system call
    /// once the map is there (the first call maps it).
    pub(crate) fn ref_info(&self, handle: u64) -> Result<sys::RefInfo> {
        let idx_plus1 = handle as u32;
        let gen = (handle >> 32) as u32;
        if idx_plus1 == 0 || gen == 0 {
            return Err(Error::BadRef);
        }
        let (base, len) = self.meta()?;
        let h = base as *const sys::MetaHeader;
        // SAFETY: the header is at the start of a live map of `len` bytes;
        // the kernel grows nr_slots (read atomically), never the rest.
        let (nr_slots, entry_size, entries_offset) = unsafe {
            (
                (*(ptr::addr_of!((*h).nr_slots) as *const AtomicU32)).load(Ordering::Acquire),
                ptr::read_volatile(ptr::addr_of!((*h).entry_size)),
                ptr::read_volatile(ptr::addr_of!((*h).entries_offset)),
            )
        };
        if idx_plus1 > nr_slots {
            return Err(Error::BadRef);
        }
        let off = entries_offset as usize + (idx_plus1 as usize - 1) * entry_size as usize;
        if off + std::mem::size_of::<sys::RefMeta>() > len {
            return Err(Error::BadRef);
        }
        // SAFETY: within the map, below nr_slots (backed), as checked.
        let m = unsafe { meta_read(base.add(off) as *const sys::RefMeta) };
        if m.gen != gen || m.info.state == 0 {
            return Err(Error::BadRef);
        }
        Ok(m.info)
    }

    /// The metadata map: (base, length), mapped on first use.
    fn meta(&self) -> Result<(*const u8, usize)> {
        let len = self.0.meta_map_size as usize;
        let base = self.0.meta_base.load(Ordering::Acquire);
        if !base.is_null() {
            return Ok((base, len));
        }
        let _locked = self.0.meta_lock.lock().unwrap_or_else(|e| e.into_inner());
        let base = self.0.meta_base.load(Ordering::Acquire);
        if !base.is_null() {
            return Ok((base, len));
        }
        if self.0.version.features & sys::FEAT_META_MAP == 0
            || self.0.meta_map_size < std::mem::size_of::<sys::MetaHeader>() as u64
        {
            return Err(Error::Unsupported);
        }
        // SAFETY: a new read-only shared mapping of our context.
        let p = unsafe {
            sys::mmap(
                ptr::null_mut(),
                len,
                sys::PROT_READ,
                sys::MAP_SHARED,
                self.0.fd,
                sys::MMAP_META,
            )
        };
        if p == sys::MAP_FAILED {
            return Err(Error::last());
        }
        let p = p as *mut u8;
        // SAFETY: the header is at the start of the map.
        let h = unsafe { &*(p as *const sys::MetaHeader) };
        if h.magic != sys::META_MAGIC
            || (h.entry_size as usize) < std::mem::size_of::<sys::RefMeta>()
        {
            // SAFETY: the map just made.
            unsafe { sys::munmap(p.cast(), len) };
            return Err(Error::Protocol);
        }
        self.0.meta_base.store(p, Ordering::Release);
        Ok((p, len))
    }
}

/// Copy one metadata entry, as the reader side of a seqcount: the kernel
/// makes `seq` odd while it rewrites the entry.
///
/// # Safety
/// `m` points to a readable entry of the metadata map.
unsafe fn meta_read(m: *const sys::RefMeta) -> sys::RefMeta {
    let seq_ptr = ptr::addr_of!((*m).seq) as *const AtomicU32;
    let mut spins = 0u32;
    loop {
        let seq = (*seq_ptr).load(Ordering::Acquire);
        if seq & 1 == 0 {
            let copy = ptr::read_volatile(m);
            fence(Ordering::Acquire);
            if (*seq_ptr).load(Ordering::Relaxed) == seq {
                return copy;
            }
        }
        spins += 1;
        if spins % 1024 == 0 {
            sys::sched_yield();
        } else {
            std::hint::spin_loop();
        }
    }
}

/// A reference's metadata (`dios_ref_info`), read without a system call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefInfo {
    /// The object's type; `None` for a type this crate does not know.
    pub kind: Option<Kind>,
    /// The object was zombified: every operation fails with
    /// [`Error::Zombie`].
    pub zombie: bool,
    /// The reference's rights.
    pub rights: Rights,
    /// Object size, or stream capacity.
    pub size: u64,
    /// Largest read buffer, 0 if not readable.
    pub read_buf_max: u64,
    /// Largest write buffer, 0 if not writable.
    pub write_buf_max: u64,
    /// The object has a name.
    pub named: bool,
}

impl From<sys::RefInfo> for RefInfo {
    fn from(i: sys::RefInfo) -> RefInfo {
        RefInfo {
            kind: Kind::from_raw(i.type_),
            zombie: i.state == sys::REF_ZOMBIE,
            rights: Rights::from_bits_truncate(i.rights),
            size: i.size,
            read_buf_max: i.read_buf_max,
            write_buf_max: i.write_buf_max,
            named: i.has_name != 0,
        }
    }
}
