// SPDX-License-Identifier: GPL-2.0 OR MIT
//! The serialization of channel messages: a small trait, no serde.
//!
//! Integers are little-endian at their own width, `bool` one byte,
//! `String`, `Vec<T>` and `&[u8]`-like contents a `u32` length then the
//! elements, `Option<T>` a tag byte then the value, tuples their fields in
//! order.  A message decodes only if every byte is used: a message of
//! another type fails with [`Error::Decode`] (not silently misread), as
//! long as the lengths differ.

use crate::error::{Error, Result};

/// A value that travels in a channel message.
///
/// ```
/// use dios::{Decoder, Message, Result};
/// struct Point { x: i32, y: i32 }
/// impl Message for Point {
///     fn encode(&self, out: &mut Vec<u8>) {
///         self.x.encode(out);
///         self.y.encode(out);
///     }
///     fn decode(d: &mut Decoder<'_>) -> Result<Self> {
///         Ok(Point { x: i32::decode(d)?, y: i32::decode(d)? })
///     }
/// }
/// let bytes = Point { x: 1, y: -2 }.to_bytes();
/// let p = Point::from_bytes(&bytes).unwrap();
/// assert_eq!((p.x, p.y), (1, -2));
/// ```
pub trait Message: Sized {
    /// Append the encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Read one value from `d`.
    fn decode(d: &mut Decoder<'_>) -> Result<Self>;

    /// The whole encoding.
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }

    /// Decode a whole message: [`Error::Decode`] if it is malformed or
    /// has bytes left over.
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut d = Decoder::new(bytes);
        let v = Self::decode(&mut d)?;
        if !d.is_empty() {
            return Err(Error::Decode);
        }
        Ok(v)
    }
}

/// Reads encoded values off a byte slice.
pub struct Decoder<'a> {
    buf: &'a [u8],
}

impl<'a> Decoder<'a> {
    /// A decoder of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Decoder { buf }
    }

    /// The next `n` bytes; [`Error::Decode`] if fewer are left.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.buf.len() {
            return Err(Error::Decode);
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// A length prefix, checked against what is left (each element takes
    /// at least `min_elem` bytes), so that a bad length cannot make the
    /// receiver allocate gigabytes.
    pub fn len_prefix(&mut self, min_elem: usize) -> Result<usize> {
        let n = u32::decode(self)? as usize;
        if n.saturating_mul(min_elem) > self.buf.len() {
            return Err(Error::Decode);
        }
        Ok(n)
    }

    /// Nothing left.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

macro_rules! int_message {
    ($($t:ty),*) => {$(
        impl Message for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn decode(d: &mut Decoder<'_>) -> Result<Self> {
                let mut b = [0u8; std::mem::size_of::<$t>()];
                let n = b.len();
                b.copy_from_slice(d.take(n)?);
                Ok(<$t>::from_le_bytes(b))
            }
        }
    )*};
}
int_message!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128, f32, f64);

impl Message for usize {
    fn encode(&self, out: &mut Vec<u8>) {
        (*self as u64).encode(out);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        usize::try_from(u64::decode(d)?).map_err(|_| Error::Decode)
    }
}

impl Message for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        match u8::decode(d)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Error::Decode),
        }
    }
}

impl Message for () {
    fn encode(&self, _: &mut Vec<u8>) {}
    fn decode(_: &mut Decoder<'_>) -> Result<Self> {
        Ok(())
    }
}

impl Message for String {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.len() as u32).encode(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        let n = d.len_prefix(1)?;
        String::from_utf8(d.take(n)?.to_vec()).map_err(|_| Error::Decode)
    }
}

impl<T: Message> Message for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.len() as u32).encode(out);
        for v in self {
            v.encode(out);
        }
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        // Zero-sized encodings (unit) still take a count: allow them all.
        let n = d.len_prefix(usize::from(std::mem::size_of::<T>() > 0))?;
        (0..n).map(|_| T::decode(d)).collect()
    }
}

impl<T: Message> Message for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.encode(out);
            }
        }
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        match u8::decode(d)? {
            0 => Ok(None),
            1 => Ok(Some(T::decode(d)?)),
            _ => Err(Error::Decode),
        }
    }
}

macro_rules! tuple_message {
    ($($name:ident $v:ident),+) => {
        impl<$($name: Message),+> Message for ($($name,)+) {
            fn encode(&self, out: &mut Vec<u8>) {
                let ($($v,)+) = self;
                $($v.encode(out);)+
            }
            fn decode(d: &mut Decoder<'_>) -> Result<Self> {
                Ok(($($name::decode(d)?,)+))
            }
        }
    };
}
tuple_message!(A a);
tuple_message!(A a, B b);
tuple_message!(A a, B b, C c);
tuple_message!(A a, B b, C c, D d);

#[cfg(test)]
mod tests {
    use super::*;

    fn round<T: Message + PartialEq + std::fmt::Debug>(v: T) {
        assert_eq!(T::from_bytes(&v.to_bytes()).unwrap(), v);
    }

    #[test]
    fn values_round_trip() {
        round(0xdead_beef_u32);
        round(-5i64);
        round(u128::MAX);
        round(1.5f64);
        round(usize::MAX);
        round(true);
        round(());
        round(String::from("héllo"));
        round(vec![1u16, 2, 3]);
        round(vec![(); 3]);
        round(Some(vec![String::from("a"), String::new()]));
        round(None::<u8>);
        round((1u8, String::from("x"), vec![7u64], Some(false)));
    }

    #[test]
    fn encoding_is_little_endian_and_prefixed() {
        assert_eq!(0x0102_0304u32.to_bytes(), [4, 3, 2, 1]);
        assert_eq!(String::from("ab").to_bytes(), [2, 0, 0, 0, b'a', b'b']);
        assert_eq!(Some(1u8).to_bytes(), [1, 1]);
    }

    #[test]
    fn malformed_messages_are_decode_errors() {
        assert_eq!(u32::from_bytes(&[1, 2, 3]), Err(Error::Decode));
        assert_eq!(u8::from_bytes(&[1, 2]), Err(Error::Decode));
        assert_eq!(bool::from_bytes(&[2]), Err(Error::Decode));
        assert_eq!(Option::<u8>::from_bytes(&[9, 0]), Err(Error::Decode));
        assert_eq!(String::from_bytes(&[1, 0, 0, 0, 0xff]), Err(Error::Decode));
        // A length far beyond the message: refused before any allocation.
        assert_eq!(
            Vec::<u64>::from_bytes(&[0xff, 0xff, 0xff, 0x7f]),
            Err(Error::Decode)
        );
        assert_eq!(u64::from_bytes(&0u32.to_bytes()), Err(Error::Decode));
    }
}
