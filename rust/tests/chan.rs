// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Typed channels and select, within one task.

mod common;

use std::time::Duration;

use common::ctx;
use dios::{Blob, Chan, Error, Events, Rights, Select, Shmem, Stream};

#[test]
fn typed_values_both_ways() {
    let c = ctx();
    let (a, b) = Chan::<String, (u32, Vec<u64>)>::pair(&c, 0).unwrap();
    a.send(&"question".to_string()).unwrap();
    assert_eq!(b.recv().unwrap(), "question");
    b.send(&(42, vec![1, 2, 3])).unwrap();
    assert_eq!(a.recv().unwrap(), (42, vec![1, 2, 3]));
}

#[test]
fn the_ends_have_the_rights_of_a_pair() {
    let c = ctx();
    let (a, _b) = Chan::<u8>::pair(&c, 0).unwrap();
    let w = Rights::WRITE | Rights::COPY | Rights::DELETE;
    let r = Rights::READ | Rights::COPY | Rights::DELETE;
    assert_eq!(a.tx().rights().unwrap(), w);
    assert_eq!(a.rx().rights().unwrap(), r);
    assert_eq!(a.tx().info().unwrap().size, dios::DEFAULT_CAPACITY);
}

#[test]
fn call_sends_and_waits_for_the_answer() {
    let c = ctx();
    let (a, b) = Chan::<u32, String>::pair(&c, 0).unwrap();
    // The answer is queued first: call's receive finds it at once.
    b.send(&"pong".to_string()).unwrap();
    assert_eq!(a.call(&7).unwrap(), "pong");
    assert_eq!(b.recv().unwrap(), 7);
}

#[test]
fn call_with_a_long_answer() {
    let c = ctx();
    let (a, b) = Chan::<u32, String>::pair(&c, 0).unwrap();
    let long = "x".repeat(5000);
    b.send(&long).unwrap();
    assert_eq!(a.call(&1).unwrap(), long);
}

#[test]
fn a_message_of_another_type_is_a_decode_error() {
    let c = ctx();
    let (a, b) = Chan::<u64>::pair(&c, 0).unwrap();
    // The far end rebuilt with another type than the near end's.
    let (rx, tx) = b.into_refs();
    let b = Chan::<u8>::from_refs(rx, tx).unwrap();
    b.send(&1u8).unwrap();
    assert_eq!(a.recv(), Err(Error::Decode));
    a.send(&u64::MAX).unwrap();
    assert_eq!(b.recv(), Err(Error::Decode));
    // The messages that did not decode were consumed.
    assert_eq!(a.try_recv(), Err(Error::WouldBlock));
    assert_eq!(b.try_recv(), Err(Error::WouldBlock));
}

#[test]
fn empty_channel_would_block() {
    let c = ctx();
    let (a, _b) = Chan::<u32>::pair(&c, 0).unwrap();
    assert_eq!(a.try_recv(), Err(Error::WouldBlock));
}

#[test]
fn full_channel_would_block() {
    let c = ctx();
    let (a, _b) = Chan::<Vec<u8>>::pair(&c, 4096).unwrap();
    let cap = a.tx().info().unwrap().size as usize;
    a.send(&vec![0u8; cap - 4]).unwrap();
    assert_eq!(a.try_send(&vec![1u8]), Err(Error::WouldBlock));
}

#[test]
fn a_message_above_the_capacity_is_msgsize() {
    let c = ctx();
    let (a, _b) = Chan::<Vec<u8>>::pair(&c, 4096).unwrap();
    assert_eq!(a.send(&vec![0u8; 5000]), Err(Error::MsgSize));
}

#[test]
fn the_other_end_gone_drains_then_breaks() {
    let c = ctx();
    let (a, b) = Chan::<u32>::pair(&c, 0).unwrap();
    b.send(&1).unwrap();
    b.send(&2).unwrap();
    drop(b);
    assert_eq!(a.recv().unwrap(), 1);
    assert_eq!(a.recv().unwrap(), 2);
    assert_eq!(a.recv(), Err(Error::Pipe));
    assert_eq!(a.send(&3), Err(Error::Pipe));
}

#[test]
fn references_through_a_channel() {
    let c = ctx();
    let (a, b) = Chan::<String>::pair(&c, 0).unwrap();
    let shm = Shmem::create(&c, 4096).unwrap();
    let mut w = shm.acquire_write(0, 2).unwrap();
    w.copy_from_slice(b"ok");
    w.commit().unwrap();
    let mut refs = vec![shm.dup(Rights::READ | Rights::COPY).unwrap()];
    a.send_refs(&"a shmem".to_string(), &mut refs).unwrap();
    assert!(refs.is_empty());
    // A copying receive cannot take references: the message stays.
    assert_eq!(b.recv(), Err(Error::MsgSize));
    let (what, mut got) = b.recv_refs().unwrap();
    assert_eq!(what, "a shmem");
    let r = got.pop().unwrap().into_object::<Shmem>().unwrap();
    assert_eq!(&*r.acquire_read(0, 2).unwrap(), b"ok");
}

#[test]
fn an_end_travels_through_another_channel() {
    let c = ctx();
    let (a, b) = Chan::<u32>::pair(&c, 0).unwrap();
    let (x, y) = Chan::<u64>::pair(&c, 0).unwrap();
    let (rx, tx) = y.into_refs();
    let mut refs = vec![rx, tx];
    a.send_refs(&0, &mut refs).unwrap();
    let (_, mut got) = b.recv_refs().unwrap();
    let tx = got.pop().unwrap();
    let rx = got.pop().unwrap();
    let y = Chan::<u64>::from_refs(rx, tx).unwrap();
    x.send(&99).unwrap();
    assert_eq!(y.recv().unwrap(), 99);
}

#[test]
fn an_end_of_something_else_is_invalid() {
    let c = ctx();
    let blob = Blob::create(&c, 4096).unwrap().into_ref();
    let s = Stream::create(&c, 4096).unwrap().into_ref();
    assert_eq!(Chan::<u8>::from_refs(blob, s).unwrap_err(), Error::Invalid);
}

#[test]
fn select_reports_the_ready_channel() {
    let c = ctx();
    let (a, ka) = Chan::<u32>::pair(&c, 0).unwrap();
    let (b, kb) = Chan::<u32>::pair(&c, 0).unwrap();
    kb.send(&5).unwrap();
    let mut sel = Select::new();
    let ia = sel.recv(&a);
    let ib = sel.recv(&b);
    assert_eq!((ia, ib), (0, 1));
    assert_eq!(sel.wait().unwrap(), ib);
    assert_eq!(sel.try_wait().unwrap(), Some(ib));
    ka.send(&6).unwrap();
    // The lowest ready index.
    assert_eq!(sel.wait().unwrap(), ia);
}

#[test]
fn select_times_out() {
    let c = ctx();
    let (a, _ka) = Chan::<u32>::pair(&c, 0).unwrap();
    let mut sel = Select::new();
    sel.recv(&a);
    assert_eq!(sel.try_wait().unwrap(), None);
    assert_eq!(sel.wait_timeout(Duration::from_millis(20)).unwrap(), None);
}

#[test]
fn select_on_a_gone_peer_is_ready() {
    let c = ctx();
    let (a, ka) = Chan::<u32>::pair(&c, 0).unwrap();
    drop(ka);
    let mut sel = Select::new();
    sel.recv(&a);
    assert_eq!(sel.wait().unwrap(), 0);
    assert_eq!(a.recv(), Err(Error::Pipe));
}

#[test]
fn select_for_sending() {
    let c = ctx();
    let (a, _ka) = Chan::<u32>::pair(&c, 0).unwrap();
    let mut sel = Select::new();
    sel.send(&a);
    assert_eq!(sel.try_wait().unwrap(), Some(0));
}

#[test]
fn select_without_the_right_for_the_event_is_access() {
    let c = ctx();
    let (a, _ka) = Chan::<u32>::pair(&c, 0).unwrap();
    let mut sel = Select::new();
    // The sending stream is write-only.
    sel.add(a.tx(), Events::READ);
    assert_eq!(sel.wait().unwrap_err(), Error::Access);
}

#[test]
fn select_of_nothing_is_invalid() {
    assert_eq!(Select::new().wait().unwrap_err(), Error::Invalid);
}

#[test]
fn select_macro_runs_the_ready_arm() {
    let c = ctx();
    let (a, _ka) = Chan::<u32>::pair(&c, 0).unwrap();
    let (b, kb) = Chan::<String>::pair(&c, 0).unwrap();
    kb.send(&"hi".to_string()).unwrap();
    let got = dios::select! {
        recv(a) -> v => format!("a {:?}", v),
        recv(b) -> v => format!("b {}", v.unwrap()),
    }
    .unwrap();
    assert_eq!(got, "b hi");
    let s = Stream::create(&c, 4096).unwrap();
    let ready = dios::select! {
        recv(a) -> _v => 1,
        ready(s, Events::WRITE) => 2,
    }
    .unwrap();
    assert_eq!(ready, 2);
}
