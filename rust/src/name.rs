// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Names (256 bits, shown as 64 hex digits) and rights.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign, Not, Sub};
use std::str::FromStr;

use crate::error::Error;
use crate::sys;

/// A 256-bit object name: `Display` writes 64 lowercase hex digits,
/// `FromStr` reads exactly 64 in either case (as `dios_name_to_str` and
/// `dios_name_from_str`).  Whoever knows the name of an object in the
/// global group can look it up: treat it as a secret.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Name(pub [u8; 32]);

impl Name {
    pub(crate) fn raw(&self) -> sys::Name {
        sys::Name { raw: self.0 }
    }

    /// True for the all-zero name, which no object has.
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|&b| b == 0)
    }
}

impl From<sys::Name> for Name {
    fn from(n: sys::Name) -> Name {
        Name(n.raw)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.0 {
            write!(f, "{:02x}", b)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({})", self)
    }
}

impl FromStr for Name {
    type Err = Error;

    /// `Error::Invalid` unless `s` is exactly 64 hex digits.
    fn from_str(s: &str) -> Result<Name, Error> {
        let s = s.as_bytes();
        if s.len() != 64 {
            return Err(Error::Invalid);
        }
        let mut n = [0u8; 32];
        for (i, pair) in s.chunks(2).enumerate() {
            let hi = hex_value(pair[0]).ok_or(Error::Invalid)?;
            let lo = hex_value(pair[1]).ok_or(Error::Invalid)?;
            n[i] = hi << 4 | lo;
        }
        Ok(Name(n))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The rights of a reference, a set of bits like the `bitflags` crate's:
/// `Rights::READ | Rights::COPY`, `r.contains(Rights::WRITE)`.  Delegation
/// and duplication can keep or drop rights, never add them.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Rights(u64);

impl Rights {
    /// Read, acquire_read, receive; wait for a task.
    pub const READ: Rights = Rights(sys::RIGHT_READ);
    /// Write, acquire_write, send; pause and resume a task.
    pub const WRITE: Rights = Rights(sys::RIGHT_WRITE);
    /// Duplicate the reference and delegate it to other tasks.
    pub const COPY: Rights = Rights(sys::RIGHT_COPY);
    /// Zombify the object.
    pub const DELETE: Rights = Rights(sys::RIGHT_DELETE);
    /// Read the object's name and publish it.
    pub const NAME: Rights = Rights(sys::RIGHT_NAME);
    /// Every right.
    pub const ALL: Rights = Rights(0x1f);
    /// No right.
    pub const NONE: Rights = Rights(0);

    /// The bits, as the ABI has them.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// The rights of `bits`, or `None` if a bit is not a right.
    pub const fn from_bits(bits: u64) -> Option<Rights> {
        if bits & !Rights::ALL.0 != 0 {
            None
        } else {
            Some(Rights(bits))
        }
    }

    /// The rights of `bits`, unknown bits dropped.
    pub const fn from_bits_truncate(bits: u64) -> Rights {
        Rights(bits & Rights::ALL.0)
    }

    /// Every right of `other` is in `self`.
    pub const fn contains(self, other: Rights) -> bool {
        self.0 & other.0 == other.0
    }

    /// `self` and `other` share a right.
    pub const fn intersects(self, other: Rights) -> bool {
        self.0 & other.0 != 0
    }

    /// No right at all.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// `self | other`, in a constant.
    pub const fn union(self, other: Rights) -> Rights {
        Rights(self.0 | other.0)
    }
}

impl BitOr for Rights {
    type Output = Rights;
    fn bitor(self, o: Rights) -> Rights {
        Rights(self.0 | o.0)
    }
}

impl BitOrAssign for Rights {
    fn bitor_assign(&mut self, o: Rights) {
        self.0 |= o.0;
    }
}

impl BitAnd for Rights {
    type Output = Rights;
    fn bitand(self, o: Rights) -> Rights {
        Rights(self.0 & o.0)
    }
}

impl Sub for Rights {
    type Output = Rights;
    fn sub(self, o: Rights) -> Rights {
        Rights(self.0 & !o.0)
    }
}

impl Not for Rights {
    type Output = Rights;
    fn not(self) -> Rights {
        Rights(!self.0 & Rights::ALL.0)
    }
}

impl fmt::Debug for Rights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(Rights, &str); 5] = [
            (Rights::READ, "READ"),
            (Rights::WRITE, "WRITE"),
            (Rights::COPY, "COPY"),
            (Rights::DELETE, "DELETE"),
            (Rights::NAME, "NAME"),
        ];
        let mut first = true;
        for (r, n) in NAMES.iter() {
            if self.contains(*r) {
                write!(f, "{}{}", if first { "" } else { " | " }, n)?;
                first = false;
            }
        }
        if first {
            write!(f, "NONE")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a6978";

    #[test]
    fn name_round_trip() {
        let n: Name = HEX.parse().unwrap();
        assert_eq!(n.0[1], 0x11);
        assert_eq!(n.0[31], 0x78);
        assert_eq!(n.to_string(), HEX);
        let upper: Name = HEX.to_uppercase().parse().unwrap();
        assert_eq!(upper, n);
        assert!(!n.is_zero());
        assert!(Name::default().is_zero());
    }

    #[test]
    fn name_refuses_bad_text() {
        assert_eq!("".parse::<Name>(), Err(Error::Invalid));
        assert_eq!(HEX[..63].parse::<Name>(), Err(Error::Invalid));
        assert_eq!(format!("{}0", HEX).parse::<Name>(), Err(Error::Invalid));
        let bad = format!("{}g", &HEX[..63]);
        assert_eq!(bad.parse::<Name>(), Err(Error::Invalid));
        let space = format!(" {}", &HEX[..63]);
        assert_eq!(space.parse::<Name>(), Err(Error::Invalid));
        // 64 bytes, but not 64 ASCII digits.
        let multibyte = format!("é{}", &HEX[..62]);
        assert_eq!(multibyte.len(), 64);
        assert_eq!(multibyte.parse::<Name>(), Err(Error::Invalid));
    }

    #[test]
    fn rights_as_bitflags() {
        let r = Rights::READ | Rights::COPY;
        assert!(r.contains(Rights::READ));
        assert!(!r.contains(Rights::READ | Rights::WRITE));
        assert!(r.intersects(Rights::READ | Rights::WRITE));
        assert_eq!(r - Rights::READ, Rights::COPY);
        assert_eq!(r & Rights::COPY, Rights::COPY);
        assert_eq!(!Rights::ALL, Rights::NONE);
        assert_eq!(Rights::ALL.bits(), 0x1f);
        assert_eq!(Rights::from_bits(0x20), None);
        assert_eq!(Rights::from_bits(3), Some(Rights::READ | Rights::WRITE));
        assert_eq!(Rights::from_bits_truncate(0x21), Rights::READ);
        assert_eq!(format!("{:?}", r), "READ | COPY");
        assert_eq!(format!("{:?}", Rights::NONE), "NONE");
        assert!(Rights::NONE.is_empty());
    }
}
