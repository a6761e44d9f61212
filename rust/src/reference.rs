// SPDX-License-Identifier: GPL-2.0 OR MIT
//! `Ref`: an owned reference (a handle of a context's reference table),
//! deleted when dropped.

use std::fmt;
use std::mem::ManuallyDrop;

use crate::context::{Context, RefInfo};
use crate::error::{Error, Result};
use crate::name::{Name, Rights};
use crate::object::{Kind, Object};
use crate::sys;

/// An owned reference to a DIOS object: one handle in its context's
/// reference table, with its rights.  Dropping it deletes the handle
/// (`dios_delete`); [`Ref::delete`] does the same and reports the error.
/// It cannot be cloned: [`Ref::dup`] makes a second handle, with the same
/// or fewer rights.
pub struct Ref {
    ctx: Context,
    handle: u64,
}

impl Ref {
    pub(crate) fn from_parts(ctx: Context, handle: u64) -> Ref {
        Ref { ctx, handle }
    }

    /// Take ownership of a raw handle of `ctx` (one received outside this
    /// crate, e.g. from a C library in the same context).  An invalid
    /// handle is not an error here; every call on it is [`Error::BadRef`].
    pub fn from_raw(ctx: &Context, handle: u64) -> Ref {
        Ref::from_parts(ctx.clone(), handle)
    }

    /// Give up ownership: the handle stays in the table, undeleted.
    pub fn into_raw(self) -> u64 {
        ManuallyDrop::new(self).handle
    }

    /// The raw handle.
    pub fn raw(&self) -> u64 {
        self.handle
    }

    /// The context the handle belongs to.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The reference's metadata, from the read-only map (no system call).
    pub fn info(&self) -> Result<RefInfo> {
        self.ctx.ref_info(self.handle).map(RefInfo::from)
    }

    /// The object's type.
    pub fn kind(&self) -> Result<Kind> {
        self.info()?.kind.ok_or(Error::Unsupported)
    }

    /// The reference's rights.
    pub fn rights(&self) -> Result<Rights> {
        Ok(self.info()?.rights)
    }

    /// A second reference to the object with `rights`, a subset of this
    /// one's (needs COPY; [`Error::NotPermitted`] for a right not held).
    pub fn dup(&self, rights: Rights) -> Result<Ref> {
        let mut req = sys::DupReq {
            ref_: self.handle,
            rights: rights.bits(),
            ..Default::default()
        };
        self.ctx.ioctl(sys::IOC_DUP, &mut req)?;
        Ok(self.ctx.adopt(req.new_ref))
    }

    /// The object's name (needs NAME); [`Error::Anonymous`] if it has none.
    pub fn name(&self) -> Result<Name> {
        let mut req = sys::NameReq {
            ref_: self.handle,
            ..Default::default()
        };
        self.ctx.ioctl(sys::IOC_NAME, &mut req)?;
        Ok(Name::from(req.name))
    }

    /// Name an anonymous object in `group` (or the global group): a lookup
    /// of the name grants `name_rights` (`Rights::NONE`: this reference's).
    /// Needs NAME here and WRITE on the group.
    pub fn publish(&self, group: Option<&Ref>, name_rights: Rights) -> Result<Name> {
        let mut req = sys::PublishReq {
            ref_: self.handle,
            group: group.map(|g| g.raw()).unwrap_or(0),
            name_rights: name_rights.bits(),
            ..Default::default()
        };
        self.ctx.ioctl(sys::IOC_PUBLISH, &mut req)?;
        Ok(Name::from(req.name))
    }

    /// Delete the handle now and report how it went.
    pub fn delete(self) -> Result<()> {
        let r = ManuallyDrop::new(self);
        let ret = delete(&r.ctx, r.handle, 0);
        // SAFETY: `r` is not used again and its Drop does not run.
        drop(unsafe { std::ptr::read(&r.ctx) });
        ret
    }

    /// Zombify the object (needs DELETE): its name goes, every operation on
    /// it fails with [`Error::Zombie`] from now on, in every task.  For a
    /// task, the process is killed.  This reference is gone afterwards
    /// either way: the module deletes it with the zombify, and a refused
    /// zombify ([`Error::Access`] without DELETE) deletes it as a drop does.
    pub fn zombify(self) -> Result<()> {
        let ret = delete(&self.ctx, self.handle, sys::DELETE_ZOMBIFY);
        if ret.is_ok() {
            // Already deleted by the module: nothing left for Drop.
            let r = ManuallyDrop::new(self);
            // SAFETY: moved out once, Drop suppressed.
            drop(unsafe { std::ptr::read(&r.ctx) });
        }
        ret
    }

    /// This reference as the typed object `T`; [`Error::Invalid`] (and the
    /// reference deleted) if the object is of another type.
    pub fn into_object<T: Object>(self) -> Result<T> {
        if self.kind()? != T::KIND {
            return Err(Error::Invalid);
        }
        Ok(T::from_ref_unchecked(self))
    }
}

fn delete(ctx: &Context, handle: u64, flags: u64) -> Result<()> {
    let mut req = sys::DeleteReq {
        flags,
        ref_: handle,
    };
    ctx.ioctl(sys::IOC_DELETE, &mut req)
}

impl Drop for Ref {
    fn drop(&mut self) {
        // A handle already gone (zombified elsewhere: still ours; sent in a
        // message: never dropped) cannot be helped here.
        let _ = delete(&self.ctx, self.handle, 0);
    }
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ref({:#x})", self.handle)
    }
}
