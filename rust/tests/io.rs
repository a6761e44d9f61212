// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Zero-copy I/O guards and the copying stream calls (docs/io.md).

mod common;

use common::ctx;
use dios::{Blob, Error, PrivMem, Rights, Shmem, Stream};

#[test]
fn shmem_write_then_read_in_place() {
    let c = ctx();
    let s = Shmem::create(&c, 8192).unwrap();
    let mut w = s.acquire_write(4096, 100).unwrap();
    assert_eq!(w.len(), 100);
    for (i, b) in w.iter_mut().enumerate() {
        *b = i as u8;
    }
    w.commit().unwrap();
    let r = s.acquire_read(4096, 100).unwrap();
    assert!(r.iter().enumerate().all(|(i, &b)| b == i as u8));
    r.commit().unwrap();
}

#[test]
fn shmem_is_shared_between_references() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    let reader = s.dup(Rights::READ).unwrap().into_object::<Shmem>().unwrap();
    let mut w = s.acquire_write(0, 5).unwrap();
    w.copy_from_slice(b"hello");
    w.commit().unwrap();
    assert_eq!(&*reader.acquire_read(0, 5).unwrap(), b"hello");
}

#[test]
fn private_memory_reads_back() {
    let c = ctx();
    let p = PrivMem::create(&c, 4096).unwrap();
    let mut w = p.acquire_write(10, 3).unwrap();
    w.copy_from_slice(b"abc");
    w.commit().unwrap();
    assert_eq!(&*p.acquire_read(10, 3).unwrap(), b"abc");
}

#[test]
fn one_buffer_per_side() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    let w = s.acquire_write(0, 16).unwrap();
    assert_eq!(s.acquire_write(0, 16).err(), Some(Error::Busy));
    // The other side is free.
    let r = s.acquire_read(0, 16).unwrap();
    drop(r);
    drop(w);
    // Dropping released it.
    s.acquire_write(0, 16).unwrap().commit().unwrap();
}

#[test]
fn write_needs_write_right() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    let ro = s.dup(Rights::READ).unwrap().into_object::<Shmem>().unwrap();
    assert_eq!(ro.acquire_write(0, 16).err(), Some(Error::Access));
    assert!(ro.acquire_read(0, 16).is_ok());
}

#[test]
fn read_needs_read_right() {
    let c = ctx();
    let b = Blob::create(&c, 4096).unwrap();
    let wo = b.dup(Rights::WRITE).unwrap().into_object::<Blob>().unwrap();
    assert_eq!(wo.acquire_read(0, 16).err(), Some(Error::Access));
    assert!(wo.acquire_write(0, 16).is_ok());
}

#[test]
fn window_outside_the_object_is_invalid() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    assert_eq!(s.acquire_read(4000, 100).err(), Some(Error::Invalid));
    assert_eq!(s.acquire_write(0, 0).err(), Some(Error::Invalid));
    assert_eq!(s.acquire_read(u64::MAX, 2).err(), Some(Error::Invalid));
}

#[test]
fn blob_write_dropped_is_discarded() {
    let c = ctx();
    let b = Blob::create(&c, 4096).unwrap();
    let mut w = b.acquire_write(0, 4).unwrap();
    w.copy_from_slice(b"keep");
    w.commit().unwrap();
    let mut w = b.acquire_write(0, 4).unwrap();
    w.copy_from_slice(b"lost");
    drop(w);
    assert_eq!(&*b.acquire_read(0, 4).unwrap(), b"keep");
}

#[test]
fn blob_read_commit_is_stale_after_a_write() {
    let c = ctx();
    let b = Blob::create(&c, 4096).unwrap();
    let writer = b.dup(Rights::WRITE).unwrap().into_object::<Blob>().unwrap();
    let r = b.acquire_read(0, 8).unwrap();
    assert_eq!(&*r, &[0u8; 8]);
    let mut w = writer.acquire_write(0, 8).unwrap();
    w.copy_from_slice(b"newbytes");
    w.commit().unwrap();
    // The snapshot still shows the old pages.
    assert_eq!(&*r, &[0u8; 8]);
    assert_eq!(r.commit().unwrap_err(), Error::Stale);
    // The read ended with the stale commit: the side is free again.
    let r = b.acquire_read(0, 8).unwrap();
    assert_eq!(&*r, b"newbytes");
    r.commit().unwrap();
}

#[test]
fn blob_write_commit_is_stale_after_another_write() {
    let c = ctx();
    let b = Blob::create(&c, 4096).unwrap();
    let other = b.dup(Rights::ALL).unwrap().into_object::<Blob>().unwrap();
    let mut first = b.acquire_write(0, 8).unwrap();
    first.copy_from_slice(b"firstone");
    let mut second = other.acquire_write(0, 8).unwrap();
    second.copy_from_slice(b"secondwr");
    second.commit().unwrap();
    assert_eq!(first.commit().unwrap_err(), Error::Stale);
    assert_eq!(&*b.acquire_read(0, 8).unwrap(), b"secondwr");
}

#[test]
fn blob_overwrite_starts_zeroed_and_is_never_stale() {
    let c = ctx();
    let b = Blob::create(&c, 8192).unwrap();
    let other = b.dup(Rights::ALL).unwrap().into_object::<Blob>().unwrap();
    let mut w = b.acquire_write(0, 4096).unwrap();
    w.fill(0xaa);
    w.commit().unwrap();
    let mut o = b.acquire_overwrite(0, 4096).unwrap();
    assert!(o.iter().all(|&x| x == 0));
    let mut w2 = other.acquire_write(0, 4096).unwrap();
    w2.fill(0xbb);
    w2.commit().unwrap();
    o.fill(0xcc);
    o.commit().unwrap();
    assert!(b.acquire_read(0, 4096).unwrap().iter().all(|&x| x == 0xcc));
}

#[test]
fn stream_message_in_place() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let mut w = s.acquire_write(64).unwrap();
    w[..5].copy_from_slice(b"hello");
    w.commit_len(5).unwrap();
    let m = s.acquire_read(4096).unwrap();
    assert_eq!(&*m, b"hello");
    assert_eq!(m.n_refs(), 0);
    m.commit().unwrap();
    assert_eq!(s.try_acquire_read(4096).err(), Some(Error::WouldBlock));
}

#[test]
fn stream_read_dropped_puts_the_message_back() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    s.send(b"again").unwrap();
    drop(s.acquire_read(100).unwrap());
    let m = s.acquire_read(100).unwrap();
    assert_eq!(&*m, b"again");
    m.commit().unwrap();
}

#[test]
fn stream_write_dropped_sends_nothing() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let mut w = s.acquire_write(8).unwrap();
    w.copy_from_slice(b"unsent!!");
    drop(w);
    assert_eq!(s.try_acquire_read(100).err(), Some(Error::WouldBlock));
}

#[test]
fn stream_message_too_long_stays_queued() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    s.send(&[7u8; 100]).unwrap();
    assert_eq!(s.acquire_read(99).err(), Some(Error::MsgSize));
    let mut small = [0u8; 10];
    assert_eq!(s.recv(&mut small), Err(Error::MsgSize));
    let mut buf = [0u8; 100];
    assert_eq!(s.recv(&mut buf).unwrap(), 100);
    assert_eq!(buf, [7u8; 100]);
}

#[test]
fn stream_write_above_capacity_is_msgsize() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let cap = s.info().unwrap().size;
    assert_eq!(s.acquire_write(cap + 1).err(), Some(Error::MsgSize));
    assert_eq!(s.send(&vec![0u8; cap as usize + 1]), Err(Error::MsgSize));
}

#[test]
fn stream_full_would_block() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let cap = s.info().unwrap().size as usize;
    s.send(&vec![1u8; cap]).unwrap();
    assert_eq!(s.try_send(b"x"), Err(Error::WouldBlock));
    assert_eq!(s.try_acquire_write(1).err(), Some(Error::WouldBlock));
    assert_eq!(s.recv_vec().unwrap().len(), cap);
    s.try_send(b"x").unwrap();
}

#[test]
fn stream_empty_would_block() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(s.try_recv(&mut buf), Err(Error::WouldBlock));
}

#[test]
fn copying_and_zero_copy_messages_interleave_in_order() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    s.send(b"one").unwrap();
    let mut w = s.acquire_write(3).unwrap();
    w.copy_from_slice(b"two");
    w.commit().unwrap();
    s.send(b"").unwrap();
    assert_eq!(s.recv_vec().unwrap(), b"one");
    let m = s.acquire_read(10).unwrap();
    assert_eq!(&*m, b"two");
    m.commit().unwrap();
    assert_eq!(s.recv_vec().unwrap(), b"");
}

#[test]
fn copying_recv_of_a_long_message_grows() {
    let c = ctx();
    let s = Stream::create(&c, 65536).unwrap();
    let big: Vec<u8> = (0..10000u32).map(|i| i as u8).collect();
    s.send(&big).unwrap();
    assert_eq!(s.recv_vec().unwrap(), big);
}

#[test]
fn references_travel_in_messages() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let b = Blob::create(&c, 4096).unwrap();
    let mut w = b.acquire_write(0, 6).unwrap();
    w.copy_from_slice(b"inside");
    w.commit().unwrap();
    let ro = b.dup(Rights::READ | Rights::COPY).unwrap();
    let sent_raw = ro.raw();
    let mut refs = vec![ro];
    let mut m = s.acquire_write(4).unwrap();
    m.copy_from_slice(b"blob");
    m.commit_refs(4, &mut refs).unwrap();
    assert!(refs.is_empty());
    // It left our table with the message.
    let gone = dios::Ref::from_raw(&c, sent_raw);
    assert_eq!(gone.info().unwrap_err(), Error::BadRef);
    gone.into_raw();
    let msg = s.acquire_read(100).unwrap();
    assert_eq!(msg.n_refs(), 1);
    let mut got = msg.commit_refs().unwrap();
    let r = got.pop().unwrap().into_object::<Blob>().unwrap();
    assert_eq!(r.rights().unwrap(), Rights::READ | Rights::COPY);
    assert_eq!(&*r.acquire_read(0, 6).unwrap(), b"inside");
}

#[test]
fn a_reference_without_copy_cannot_travel() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let b = Blob::create(&c, 4096).unwrap();
    let mut refs = vec![b.dup(Rights::READ).unwrap()];
    let m = s.acquire_write(1).unwrap();
    assert_eq!(m.commit_refs(1, &mut refs).unwrap_err(), Error::Access);
    // Nothing sent, the reference is still ours.
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].rights().unwrap(), Rights::READ);
    assert_eq!(s.try_acquire_read(100).err(), Some(Error::WouldBlock));
}

#[test]
fn copying_recv_refuses_a_message_with_references() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let b = Blob::create(&c, 4096).unwrap();
    let mut refs = vec![b.dup(Rights::READ | Rights::COPY).unwrap()];
    s.acquire_write(1)
        .unwrap()
        .commit_refs(1, &mut refs)
        .unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(s.recv(&mut buf), Err(Error::MsgSize));
    assert_eq!(s.recv_vec(), Err(Error::MsgSize));
    // Still there for a zero-copy read.
    assert_eq!(s.acquire_read(64).unwrap().n_refs(), 1);
}

#[test]
fn no_writer_left_is_a_broken_pipe_after_the_queue() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let reader = s
        .dup(Rights::READ)
        .unwrap()
        .into_object::<Stream>()
        .unwrap();
    s.send(b"last").unwrap();
    drop(s);
    assert_eq!(reader.recv_vec().unwrap(), b"last");
    assert_eq!(reader.recv_vec(), Err(Error::Pipe));
    assert_eq!(reader.acquire_read(10).err(), Some(Error::Pipe));
}

#[test]
fn no_reader_left_is_a_broken_pipe() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let writer = s
        .dup(Rights::WRITE)
        .unwrap()
        .into_object::<Stream>()
        .unwrap();
    drop(s);
    assert_eq!(writer.send(b"x"), Err(Error::Pipe));
}

#[test]
fn copying_io_on_a_side_with_a_buffer_open_is_busy() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let w = s.acquire_write(8).unwrap();
    assert_eq!(s.send(b"x"), Err(Error::Busy));
    drop(w);
    s.send(b"x").unwrap();
}

#[test]
fn io_errors_convert_to_io_error() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let mut buf = [0u8; 4];
    let e: std::io::Error = s.try_recv(&mut buf).unwrap_err().into();
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    assert_eq!(Error::from(e), Error::WouldBlock);
}
