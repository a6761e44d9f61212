// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Contexts, references, rights, names and objects; each error path with
//! otherwise valid input.

mod common;

use common::ctx;
use dios::{Blob, Context, Create, Error, Group, Kind, Name, PrivMem, Ref, Rights, Shmem, Stream};

#[test]
fn version_reports_abi_1_and_tasks() {
    let c = ctx();
    let v = c.version();
    assert_eq!(v.abi_major, 1);
    assert!(v.features & (1 << 9) != 0, "DIOS_FEAT_TASKS");
    assert!(v.max_refs > 0 && v.max_size > 0 && v.max_capacity > 0);
    assert!(!v.release().is_empty());
}

#[test]
fn every_kind_is_created_with_every_right() {
    let c = ctx();
    let objs: Vec<(Ref, Kind)> = vec![
        (PrivMem::create(&c, 4096).unwrap().into_ref(), Kind::PrivMem),
        (Shmem::create(&c, 4096).unwrap().into_ref(), Kind::Shmem),
        (Blob::create(&c, 4096).unwrap().into_ref(), Kind::Blob),
        (Stream::create(&c, 4096).unwrap().into_ref(), Kind::Stream),
        (Group::create(&c).unwrap().into_ref(), Kind::Group),
    ];
    for (r, k) in &objs {
        let i = r.info().unwrap();
        assert_eq!(i.kind, Some(*k));
        assert_eq!(i.rights, Rights::ALL);
        assert!(!i.zombie && !i.named);
    }
    assert_eq!(objs[0].0.info().unwrap().size, 4096);
}

#[test]
fn create_size_zero_is_invalid() {
    let c = ctx();
    assert_eq!(Shmem::create(&c, 0).unwrap_err(), Error::Invalid);
    assert_eq!(Stream::create(&c, 0).unwrap_err(), Error::Invalid);
}

#[test]
fn create_above_max_size_is_too_big() {
    let c = ctx();
    let too_big = c.version().max_size + 1;
    assert_eq!(Shmem::create(&c, too_big).unwrap_err(), Error::TooBig);
}

#[test]
fn drop_deletes_the_handle() {
    let c = ctx();
    let raw = Shmem::create(&c, 4096).unwrap().into_ref().raw();
    // into_ref keeps it; rebuild and drop it.
    drop(Ref::from_raw(&c, raw));
    let gone = Ref::from_raw(&c, raw);
    assert_eq!(gone.info().unwrap_err(), Error::BadRef);
    assert_eq!(gone.dup(Rights::READ).unwrap_err(), Error::BadRef);
    assert_eq!(gone.delete().unwrap_err(), Error::BadRef);
}

#[test]
fn into_raw_keeps_the_handle() {
    let c = ctx();
    let raw = Shmem::create(&c, 4096).unwrap().into_ref().into_raw();
    let back = Ref::from_raw(&c, raw);
    assert_eq!(back.kind().unwrap(), Kind::Shmem);
    back.delete().unwrap();
}

#[test]
fn bad_handles_are_bad_refs() {
    let c = ctx();
    for raw in [0u64, 1, 0xdead_0000_0001, u64::MAX] {
        let r = Ref::from_raw(&c, raw);
        assert_eq!(r.info().unwrap_err(), Error::BadRef, "{:#x}", raw);
        assert_eq!(
            r.dup(Rights::READ).unwrap_err(),
            Error::BadRef,
            "{:#x}",
            raw
        );
        r.into_raw();
    }
}

#[test]
fn dup_narrows_rights() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    let r = s.dup(Rights::READ | Rights::COPY).unwrap();
    assert_eq!(r.rights().unwrap(), Rights::READ | Rights::COPY);
    assert_ne!(r.raw(), s.raw());
    let rr = r.dup(Rights::READ).unwrap();
    assert_eq!(rr.rights().unwrap(), Rights::READ);
}

#[test]
fn dup_cannot_widen_rights() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    let r = s.dup(Rights::READ | Rights::COPY).unwrap();
    assert_eq!(
        r.dup(Rights::READ | Rights::WRITE).unwrap_err(),
        Error::NotPermitted
    );
}

#[test]
fn dup_needs_copy() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    let r = s.dup(Rights::READ | Rights::WRITE).unwrap();
    assert_eq!(r.dup(Rights::READ).unwrap_err(), Error::Access);
}

#[test]
fn named_objects_are_looked_up_with_their_name_rights() {
    let c = ctx();
    let (b, name) = Create::new(Kind::Blob)
        .size(4096)
        .name_rights(Rights::READ)
        .create(&c)
        .unwrap();
    let name = name.expect("a named object has a name");
    assert_eq!(b.name().unwrap(), name);
    assert!(b.info().unwrap().named);
    let found = ctx().lookup(&name).unwrap();
    assert_eq!(found.rights().unwrap(), Rights::READ);
    assert_eq!(found.kind().unwrap(), Kind::Blob);
}

#[test]
fn name_text_round_trips_through_lookup() {
    let c = ctx();
    let (s, name) = Shmem::create_named(&c, 4096).unwrap();
    let text = name.to_string();
    assert_eq!(text.len(), 64);
    let parsed: Name = text.parse().unwrap();
    let r = c.lookup(&parsed).unwrap();
    assert_eq!(r.kind().unwrap(), Kind::Shmem);
    drop(s);
}

#[test]
fn unknown_name_is_not_found() {
    let c = ctx();
    let (s, name) = Shmem::create_named(&c, 4096).unwrap();
    s.zombify().unwrap();
    assert_eq!(c.lookup(&name).unwrap_err(), Error::NotFound);
    let mut other = name;
    other.0[0] ^= 1;
    assert_eq!(c.lookup(&other).unwrap_err(), Error::NotFound);
}

#[test]
fn anonymous_objects_have_no_name() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    assert_eq!(s.name().unwrap_err(), Error::Anonymous);
}

#[test]
fn name_needs_the_name_right() {
    let c = ctx();
    let (s, _) = Shmem::create_named(&c, 4096).unwrap();
    let r = s.dup(Rights::READ).unwrap();
    assert_eq!(r.name().unwrap_err(), Error::Access);
}

#[test]
fn publish_names_an_anonymous_object_once() {
    let c = ctx();
    let s = Stream::create(&c, 4096).unwrap();
    let name = s.publish(None, Rights::READ | Rights::COPY).unwrap();
    let r = c.lookup(&name).unwrap();
    assert_eq!(r.rights().unwrap(), Rights::READ | Rights::COPY);
    assert_eq!(
        s.publish(None, Rights::NONE).unwrap_err(),
        Error::AlreadyNamed
    );
}

#[test]
fn private_memory_cannot_be_published() {
    let c = ctx();
    let p = PrivMem::create(&c, 4096).unwrap();
    assert_eq!(
        p.publish(None, Rights::NONE).unwrap_err(),
        Error::NotPermitted
    );
}

#[test]
fn given_names_are_unique() {
    let c = ctx();
    let mut raw = [0u8; 32];
    raw[..8].copy_from_slice(&(std::process::id() as u64).to_le_bytes());
    raw[31] = 0x5a;
    let name = Name(raw);
    let (s, got) = Create::new(Kind::Shmem)
        .size(4096)
        .given_name(name)
        .create(&c)
        .unwrap();
    assert_eq!(got, Some(name));
    let again = Create::new(Kind::Shmem)
        .size(4096)
        .given_name(name)
        .create(&c);
    assert_eq!(again.unwrap_err(), Error::Exists);
    drop(s);
}

#[test]
fn given_zero_name_is_invalid() {
    let c = ctx();
    let r = Create::new(Kind::Shmem)
        .size(4096)
        .given_name(Name::default())
        .create(&c);
    assert_eq!(r.unwrap_err(), Error::Invalid);
}

#[test]
fn names_in_a_group_resolve_through_it_only() {
    let c = ctx();
    let g = Group::create(&c).unwrap();
    let (_s, name) = Create::new(Kind::Shmem)
        .size(4096)
        .in_group(&g)
        .create(&c)
        .unwrap();
    let name = name.unwrap();
    assert_eq!(c.lookup(&name).unwrap_err(), Error::NotFound);
    assert_eq!(g.lookup(&name).unwrap().kind().unwrap(), Kind::Shmem);
}

#[test]
fn group_lookup_needs_read() {
    let c = ctx();
    let g = Group::create(&c).unwrap();
    let (_s, name) = Create::new(Kind::Shmem)
        .size(4096)
        .in_group(&g)
        .create(&c)
        .unwrap();
    let weak = g.dup(Rights::WRITE).unwrap();
    assert_eq!(
        c.lookup_in(Some(&weak), &name.unwrap()).unwrap_err(),
        Error::Access
    );
}

#[test]
fn zombify_kills_the_object_for_every_reference() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    let other = s
        .dup(Rights::READ | Rights::COPY)
        .unwrap()
        .into_object::<Shmem>()
        .unwrap();
    s.zombify().unwrap();
    assert!(other.info().unwrap().zombie);
    assert_eq!(other.acquire_read(0, 16).err(), Some(Error::Zombie));
    assert_eq!(other.dup(Rights::READ).unwrap_err(), Error::Zombie);
}

#[test]
fn zombify_needs_delete() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    let weak = s.dup(Rights::READ).unwrap();
    assert_eq!(weak.zombify().unwrap_err(), Error::Access);
    assert!(!s.info().unwrap().zombie);
}

#[test]
fn into_object_checks_the_kind() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap().into_ref();
    assert_eq!(s.into_object::<Stream>().unwrap_err(), Error::Invalid);
    let b = Blob::create(&c, 4096).unwrap().into_ref();
    assert!(b.into_object::<Blob>().is_ok());
}

#[test]
fn contexts_are_separate_tables() {
    let a = ctx();
    let b = ctx();
    let s = Shmem::create(&a, 4096).unwrap();
    // The same handle means nothing in another context's (empty) table.
    let in_b = Ref::from_raw(&b, s.raw());
    assert_eq!(in_b.info().unwrap_err(), Error::BadRef);
    assert_eq!(in_b.dup(Rights::READ).unwrap_err(), Error::BadRef);
    in_b.into_raw();
    assert_eq!(s.kind().unwrap(), Kind::Shmem);
}

#[test]
fn the_shared_context_is_one() {
    let a = Context::get().unwrap();
    let b = Context::get().unwrap();
    assert_eq!(a.fd(), b.fd());
    assert_ne!(ctx().fd(), a.fd());
}

#[test]
fn a_fork_child_cannot_use_its_parents_context() {
    let c = ctx();
    let s = Shmem::create(&c, 4096).unwrap();
    // SAFETY: the child makes one ioctl and exits, allocating nothing.
    let pid = unsafe { dios::sys::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let code = match s.dup(Rights::READ) {
            Err(Error::BadContext) => 0,
            Err(_) => 2,
            Ok(r) => {
                r.into_raw();
                1
            }
        };
        // SAFETY: leave without running the parent's destructors.
        unsafe { dios::sys::_exit(code) };
    }
    let mut st = 0;
    // SAFETY: our child.
    assert_eq!(unsafe { dios::sys::waitpid(pid, &mut st, 0) }, pid);
    assert_eq!(st, 0, "wait status {:#x}", st);
}
