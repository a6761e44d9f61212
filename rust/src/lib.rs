// SPDX-License-Identifier: GPL-2.0 OR MIT
//! # dios: DIOS objects for Rust
//!
//! The dios user API (docs/api.md, docs/io.md) in safe Rust, talking to
//! `/dev/dios` with the raw ioctls of `uapi/linux/dios.h`; libdios (the C
//! library) is the reference for every call's semantics.  docs/rust.md has
//! the overview and an example.
//!
//! - [`Context`]: an open `/dev/dios`; [`Context::get`] is the shared one.
//! - [`Ref`]: an owned reference, deleted on drop, with its [`Rights`];
//!   [`Name`]: 64 hex digits.
//! - Objects: [`Shmem`], [`PrivMem`], [`Blob`], [`Stream`], [`Group`],
//!   [`Task`]; [`Create`] for every option of `dios_create`.
//! - Zero-copy I/O as guards: [`WriteGuard`] derefs to `&mut [u8]`,
//!   [`ReadGuard`] to `&[u8]`; released on drop unless committed.
//! - [`Chan`]: a typed channel carrying [`Message`] values;
//!   [`spawn_task`] starts a program with a channel to it, [`parent`] is
//!   the other end; [`Select`] and [`select!`] wait for channels and tasks.
//! - [`Error`]: one variant per errno, convertible to `std::io::Error`.
//!
//! ```no_run
//! use dios::{Chan, Context, Result};
//!
//! fn main() -> Result<()> {
//!     if std::env::args().nth(1).as_deref() == Some("child") {
//!         let (chan, _refs) = dios::parent::<u64, u32>()?;
//!         let n = chan.recv()?;
//!         return chan.send(&(u64::from(n) * 2));
//!     }
//!     let (task, chan): (_, Chan<u32, u64>) = dios::spawn_task("/proc/self/exe", ["child"], &[])?;
//!     chan.send(&21)?;
//!     assert_eq!(chan.recv()?, 42);
//!     assert_eq!(task.wait()?, 0);
//!     Ok(())
//! }
//! ```

#![warn(missing_docs)]

mod chan;
mod context;
mod error;
mod io;
mod message;
mod name;
mod object;
mod reference;
mod select;
pub mod sys;
mod task;

pub use chan::{Chan, DEFAULT_CAPACITY};
pub use context::{Context, RefInfo, Version};
pub use error::{Error, Result};
pub use io::{ReadGuard, WriteGuard};
pub use message::{Decoder, Message};
pub use name::{Name, Rights};
pub use object::{Blob, Create, Group, Kind, Object, PrivMem, Shmem, Stream};
pub use reference::Ref;
pub use select::{Events, Select};
pub use task::{parent, parent_in, spawn_task, Spawn, Task};
