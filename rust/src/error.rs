// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Errors: one variant per error code a dios call returns (docs/api.md),
//! convertible to and from `std::io::Error`.
//!
//! `io::Error::from(e)` keeps the errno's `io::ErrorKind` (a missing right is
//! `PermissionDenied`, a bad handle an `Other` with errno 9...) and carries
//! the `Error` itself, so that `Error::from(io_err)` gives the variant back;
//! an `io::Error` made from a raw errno converts too.

use std::fmt;
use std::io;

/// What went wrong, in dios terms.  `errno()` gives the code libdios would
/// return (negated there).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// `ENODEV`: the dios module is not loaded.
    NoDevice,
    /// `EACCES`: the reference lacks a right the call needs.
    Access,
    /// `EPERM`: rights can only shrink, a PRIVMEM reference cannot leave
    /// its task, or a privilege is missing.
    NotPermitted,
    /// `EBADF`: not a live reference of this context.
    BadRef,
    /// `EBADFD`: the context belongs to another process.
    BadContext,
    /// `EIDRM`: the object was zombified.
    Zombie,
    /// `ENOENT`: no object of that name in that group (or no such program).
    NotFound,
    /// `EEXIST`: the name is taken.
    Exists,
    /// `EALREADY`: the object already has a name.
    AlreadyNamed,
    /// `ENODATA`: the object is anonymous.
    Anonymous,
    /// `EMFILE`: the reference table is full.
    TooManyRefs,
    /// `EDQUOT`: the user's object limit is reached.
    Quota,
    /// `EFBIG`: size or capacity above the module's limit.
    TooBig,
    /// `EINVAL`: an invalid argument.
    Invalid,
    /// `E2BIG`: more than 64 references for one message.
    TooManyCarried,
    /// `EFAULT`: bad memory.
    Fault,
    /// `ENOTTY`: the module does not know the request.
    UnknownRequest,
    /// `EPROTO`: ABI or channel protocol mismatch.
    Protocol,
    /// `EOPNOTSUPP`: the object type does not support the operation.
    Unsupported,
    /// `EBUSY`: a transaction is already open on that side.
    Busy,
    /// `EAGAIN`: the call would block.
    WouldBlock,
    /// `EPIPE`: the other end is gone.
    Pipe,
    /// `EMSGSIZE`: the message does not fit.
    MsgSize,
    /// `EOVERFLOW`: no room for another view (32-bit kernels).
    Overflow,
    /// `ESTALE`: the blob range was written after this read (or write)
    /// was acquired.
    Stale,
    /// `ESRCH`: the task has exited.
    Exited,
    /// `ECHILD`: the task's status cannot be read.
    NoChild,
    /// `ENOSPC`: an array too small.
    NoSpace,
    /// `ETIMEDOUT`: the wait timed out.
    TimedOut,
    /// `EINTR`: interrupted by a signal.
    Interrupted,
    /// `ENOMEM`: out of memory.
    NoMemory,
    /// `EBADMSG`: a channel message that does not decode as the type.
    Decode,
    /// Any other errno.
    Os(i32),
}

/// Result of a dios call.
pub type Result<T> = std::result::Result<T, Error>;

/// (errno, variant, what it means): the meanings are dios_strerror()'s.
const TABLE: &[(i32, Error, &str)] = &[
    (19, Error::NoDevice, "the dios module is not loaded: /dev/dios is missing or has no driver (load it with `modprobe dios`)"),
    (13, Error::Access, "permission denied: the reference lacks a right the call needs, or this user may not open /dev/dios (see its group and mode)"),
    (1, Error::NotPermitted, "not permitted: rights can only shrink, a PRIVMEM reference cannot leave its task, or the caller lacks a privilege the call needs"),
    (9, Error::BadRef, "not a live reference of this task: deleted, never valid, or deleted while the call waited"),
    (77, Error::BadContext, "the DIOS context descriptor belongs to another process"),
    (43, Error::Zombie, "the object was zombified: its references stay, its operations fail"),
    (2, Error::NotFound, "no object of that name in that group (or no interest entry for the reference, or no such program for dios_run)"),
    (17, Error::Exists, "the name is taken in that group, or the reference already has an interest entry"),
    (114, Error::AlreadyNamed, "the object already has a name"),
    (61, Error::Anonymous, "the object is anonymous: it has no name"),
    (24, Error::TooManyRefs, "the task's reference table is full (module parameter max_refs)"),
    (122, Error::Quota, "the user's object limit is reached (module parameter max_objects)"),
    (27, Error::TooBig, "size or capacity above the module's limit (module parameters max_size, max_capacity)"),
    (22, Error::Invalid, "invalid argument: an unknown flag, type or right, a zero or misplaced size, a non-zero reserved field, or a reference of the wrong type"),
    (7, Error::TooManyCarried, "more than 64 references for one message, or a request larger than the module knows with a non-zero tail"),
    (14, Error::Fault, "a pointer argument is NULL or not valid memory"),
    (25, Error::UnknownRequest, "the module does not know this request (an older module than the library?)"),
    (71, Error::Protocol, "protocol mismatch: the module's ABI major version is not the library's, or a channel's first message was not a connect message"),
    (95, Error::Unsupported, "this object type does not support the operation"),
    (16, Error::Busy, "a transaction is already open on that reference in that direction"),
    (11, Error::WouldBlock, "the call would block (DIOS_NONBLOCK): the stream is full or empty, the channel not yet connected, or the task still running"),
    (32, Error::Pipe, "the other end is gone: no reader left for a write, or no writer left and the queue drained for a read"),
    (90, Error::MsgSize, "the message does not fit: longer than the buffer or the stream's capacity, or more references than room was given for"),
    (75, Error::Overflow, "no room left for another view (32-bit kernel): the views of all tasks cover the module's offset space"),
    (116, Error::Stale, "a write was committed to the blob range after this read was acquired"),
    (3, Error::Exited, "the task has exited"),
    (10, Error::NoChild, "the task's exit status cannot be read: the process was reaped elsewhere"),
    (28, Error::NoSpace, "the array given is too small for every delegated reference"),
    (110, Error::TimedOut, "the wait timed out"),
    (4, Error::Interrupted, "interrupted by a signal"),
    (12, Error::NoMemory, "out of memory"),
    (74, Error::Decode, "a channel message that does not decode as the type expected"),
];

impl Error {
    /// The variant of errno `e` (positive or negative).
    pub fn from_errno(e: i32) -> Error {
        let e = e.wrapping_abs();
        TABLE
            .iter()
            .find(|t| t.0 == e)
            .map(|t| t.1)
            .unwrap_or(Error::Os(e))
    }

    /// The errno, positive.
    pub fn errno(&self) -> i32 {
        if let Error::Os(e) = *self {
            return e;
        }
        TABLE
            .iter()
            .find(|t| t.1 == *self)
            .map(|t| t.0)
            .unwrap_or(0)
    }

    /// What the error means in dios terms (dios_strerror's text).
    pub fn message(&self) -> &'static str {
        TABLE
            .iter()
            .find(|t| t.1 == *self)
            .map(|t| t.2)
            .unwrap_or("not an error of a dios call")
    }

    /// The `io::ErrorKind` of the errno.
    pub fn kind(&self) -> io::ErrorKind {
        match *self {
            Error::Decode => io::ErrorKind::InvalidData,
            _ => io::Error::from_raw_os_error(self.errno()).kind(),
        }
    }

    /// The error of the last failed C call.
    pub(crate) fn last() -> Error {
        Error::from_errno(crate::sys::errno())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Os(e) => write!(f, "{} (errno {})", io::Error::from_raw_os_error(e), e),
            _ => write!(f, "{} (errno {})", self.message(), self.errno()),
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        io::Error::new(e.kind(), e)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        if let Some(d) = e.get_ref().and_then(|i| i.downcast_ref::<Error>()) {
            return *d;
        }
        match e.raw_os_error() {
            Some(n) => Error::from_errno(n),
            None if e.kind() == io::ErrorKind::InvalidData => Error::Decode,
            None => Error::Os(0),
        }
    }
}

/// A negative-errno style return (the ioctl's) as a Result.
pub(crate) fn check(ret: i32) -> Result<()> {
    if ret < 0 {
        Err(Error::last())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_round_trip() {
        for t in TABLE {
            assert_eq!(Error::from_errno(t.0), t.1);
            assert_eq!(Error::from_errno(-t.0), t.1);
            assert_eq!(t.1.errno(), t.0);
        }
        assert_eq!(Error::from_errno(5), Error::Os(5));
        assert_eq!(Error::Os(5).errno(), 5);
    }

    #[test]
    fn every_errno_once() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                assert!(a.0 != b.0 && a.1 != b.1, "{:?} twice", a.1);
            }
        }
    }

    #[test]
    fn io_error_keeps_the_variant_and_kind() {
        let e: io::Error = Error::Access.into();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert_eq!(Error::from(e), Error::Access);
        let e: io::Error = Error::Stale.into();
        assert!(e.to_string().contains("blob range"));
        assert_eq!(Error::from(e), Error::Stale);
        assert_eq!(Error::from(io::Error::from_raw_os_error(9)), Error::BadRef);
        let e: io::Error = Error::Decode.into();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            Error::from(io::Error::from(io::ErrorKind::InvalidData)),
            Error::Decode
        );
    }

    #[test]
    fn display_names_errno() {
        assert!(Error::NoDevice.to_string().contains("not loaded"));
        assert!(Error::NoDevice.to_string().ends_with("(errno 19)"));
        assert!(Error::Os(5).to_string().contains("errno 5"));
    }
}
