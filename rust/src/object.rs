// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Object kinds, creation, and the typed objects: [`PrivMem`], [`Shmem`],
//! [`Blob`], [`Stream`] and [`Group`] (tasks are in `task.rs`).  Each typed
//! object is a [`Ref`] known to be of its kind; it derefs to the `Ref`.

use std::ops::Deref;

use crate::context::Context;
use crate::error::Result;
use crate::name::{Name, Rights};
use crate::reference::Ref;
use crate::sys;

/// The type of an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Memory private to the task: anonymous, never delegated.
    PrivMem = 1,
    /// Shared memory.
    Shmem = 2,
    /// Pages written transactionally: readers see whole commits.
    Blob = 3,
    /// A message queue in a ring of shared pages.
    Stream = 4,
    /// A task (a process started by `dios_run`, or the caller itself).
    Task = 5,
    /// A scope for names.
    Group = 6,
}

impl Kind {
    pub(crate) fn from_raw(t: u32) -> Option<Kind> {
        Some(match t {
            sys::OBJ_PRIVMEM => Kind::PrivMem,
            sys::OBJ_SHMEM => Kind::Shmem,
            sys::OBJ_BLOB => Kind::Blob,
            sys::OBJ_STREAM => Kind::Stream,
            sys::OBJ_TASK => Kind::Task,
            sys::OBJ_GROUP => Kind::Group,
            _ => return None,
        })
    }
}

/// The options of `dios_create`: a builder.
///
/// ```no_run
/// # fn main() -> dios::Result<()> {
/// use dios::{Context, Create, Kind, Rights};
/// let ctx = Context::get()?;
/// // A named blob whose lookup grants read only.
/// let (blob, name) = Create::new(Kind::Blob).size(4096).name_rights(Rights::READ).create(&ctx)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Create<'a> {
    pub(crate) kind: Kind,
    pub(crate) flags: u64,
    pub(crate) args: sys::CreateArgs,
    pub(crate) group: Option<&'a Ref>,
}

impl<'a> Create<'a> {
    /// A named object of `kind` in the global group (random name).
    pub fn new(kind: Kind) -> Create<'a> {
        Create {
            kind,
            flags: 0,
            args: sys::CreateArgs::default(),
            group: None,
        }
    }

    /// Bytes of a PRIVMEM, SHMEM or BLOB object.
    pub fn size(mut self, bytes: u64) -> Self {
        self.args.size = bytes;
        self
    }

    /// Bytes of message space of a STREAM.
    pub fn capacity(mut self, bytes: u64) -> Self {
        self.args.capacity = bytes;
        self
    }

    /// No name: never in a name table (cheaper to create).
    pub fn anonymous(mut self) -> Self {
        self.flags |= sys::CREATE_ANON;
        self
    }

    /// The rights a lookup of the name grants (default: all).
    pub fn name_rights(mut self, rights: Rights) -> Self {
        self.args.name_rights = rights.bits();
        self
    }

    /// Use `name` rather than a random one (in the global group this needs
    /// `CAP_SYS_ADMIN` unless the module allows given names).
    pub fn given_name(mut self, name: Name) -> Self {
        self.flags |= sys::CREATE_NAME_GIVEN;
        self.args.name = name.raw();
        self
    }

    /// Name the object in `group` (needs WRITE on it) instead of the
    /// global group.
    pub fn in_group(mut self, group: &'a Ref) -> Self {
        self.group = Some(group);
        self
    }

    /// Create it: the reference (every right) and its name, if named.
    pub fn create(&self, ctx: &Context) -> Result<(Ref, Option<Name>)> {
        ctx.create(self)
    }

    /// Create it as the typed object `T` (whose kind must be this one).
    pub fn create_as<T: Object>(&self, ctx: &Context) -> Result<(T, Option<Name>)> {
        debug_assert_eq!(T::KIND, self.kind);
        let (r, n) = ctx.create(self)?;
        Ok((T::from_ref_unchecked(r), n))
    }
}

/// A typed object: a [`Ref`] whose kind is known.
pub trait Object: Deref<Target = Ref> + Sized {
    /// Its kind.
    const KIND: Kind;
    #[doc(hidden)]
    fn from_ref_unchecked(r: Ref) -> Self;
    /// Back to the untyped reference.
    fn into_ref(self) -> Ref;
}

macro_rules! typed_object {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(Ref);

        impl Object for $name {
            const KIND: Kind = $kind;
            fn from_ref_unchecked(r: Ref) -> Self {
                $name(r)
            }
            fn into_ref(self) -> Ref {
                self.0
            }
        }

        impl Deref for $name {
            type Target = Ref;
            fn deref(&self) -> &Ref {
                &self.0
            }
        }

        impl $name {
            /// Back to the untyped reference.
            pub fn into_ref(self) -> Ref {
                self.0
            }

            /// Delete the reference now ([`Ref::delete`]).
            pub fn delete(self) -> Result<()> {
                self.0.delete()
            }

            /// Zombify the object ([`Ref::zombify`]).
            pub fn zombify(self) -> Result<()> {
                self.0.zombify()
            }
        }
    };
}

typed_object!(
    /// Memory private to its task: always anonymous, never delegated.
    PrivMem,
    Kind::PrivMem
);
typed_object!(
    /// Shared memory: every holder maps the same pages.
    Shmem,
    Kind::Shmem
);
typed_object!(
    /// A blob: versioned pages, written in transactions; a read sees a
    /// whole commit or none of it.
    Blob,
    Kind::Blob
);
typed_object!(
    /// A stream: messages in a ring of pages shared by writers and readers.
    Stream,
    Kind::Stream
);
typed_object!(
    /// A group: a scope for names.
    Group,
    Kind::Group
);

impl PrivMem {
    /// A new private memory object of `size` bytes.
    pub fn create(ctx: &Context, size: u64) -> Result<PrivMem> {
        Ok(Create::new(Kind::PrivMem)
            .size(size)
            .anonymous()
            .create_as(ctx)?
            .0)
    }
}

impl Shmem {
    /// A new anonymous shared memory object of `size` bytes.
    pub fn create(ctx: &Context, size: u64) -> Result<Shmem> {
        Ok(Create::new(Kind::Shmem)
            .size(size)
            .anonymous()
            .create_as(ctx)?
            .0)
    }

    /// A new named one, and its name.
    pub fn create_named(ctx: &Context, size: u64) -> Result<(Shmem, Name)> {
        named(Create::new(Kind::Shmem).size(size), ctx)
    }
}

impl Blob {
    /// A new anonymous blob of `size` bytes.
    pub fn create(ctx: &Context, size: u64) -> Result<Blob> {
        Ok(Create::new(Kind::Blob)
            .size(size)
            .anonymous()
            .create_as(ctx)?
            .0)
    }

    /// A new named one, and its name.
    pub fn create_named(ctx: &Context, size: u64) -> Result<(Blob, Name)> {
        named(Create::new(Kind::Blob).size(size), ctx)
    }
}

impl Stream {
    /// A new anonymous stream of `capacity` bytes of message space.
    pub fn create(ctx: &Context, capacity: u64) -> Result<Stream> {
        Ok(Create::new(Kind::Stream)
            .capacity(capacity)
            .anonymous()
            .create_as(ctx)?
            .0)
    }

    /// A new named one, and its name.
    pub fn create_named(ctx: &Context, capacity: u64) -> Result<(Stream, Name)> {
        named(Create::new(Kind::Stream).capacity(capacity), ctx)
    }
}

impl Group {
    /// A new anonymous group.
    pub fn create(ctx: &Context) -> Result<Group> {
        Ok(Create::new(Kind::Group).anonymous().create_as(ctx)?.0)
    }

    /// Look `name` up in this group (needs READ on it).
    pub fn lookup(&self, name: &Name) -> Result<Ref> {
        self.context().lookup_in(Some(self), name)
    }
}

fn named<T: Object>(c: Create<'_>, ctx: &Context) -> Result<(T, Name)> {
    let (obj, name) = c.create_as::<T>(ctx)?;
    // A named create always returns the name.
    Ok((obj, name.unwrap_or_default()))
}
