// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Tasks: spawn with a channel and delegated references, exit status,
//! control, and select over channels and tasks.  The tasks run
//! examples/task_child.rs.

mod common;

use common::{child, ctx};
use dios::{Blob, Chan, Error, PrivMem, Rights, Select, Spawn, Task};

#[test]
fn spawned_task_answers_on_its_channel() {
    let c = ctx();
    let (task, chan) = Spawn::new(child())
        .arg("echo")
        .spawn::<u64, u64>(&c)
        .unwrap();
    for n in [1u64, 41, 1 << 40] {
        chan.send(&n).unwrap();
        assert_eq!(chan.recv().unwrap(), n + 1);
    }
    assert_eq!(chan.call(&5).unwrap(), 6);
    chan.send(&0).unwrap();
    assert_eq!(task.wait().unwrap(), 0);
    assert_eq!(task.kind().unwrap(), dios::Kind::Task);
}

#[test]
fn spawn_task_passes_the_arguments() {
    let path = child();
    let (task, chan): (Task, Chan<(), Vec<String>>) =
        dios::spawn_task(&path, ["args", "two words", ""], &[]).unwrap();
    assert_eq!(
        chan.recv().unwrap(),
        vec!["two words".to_string(), String::new()]
    );
    assert_eq!(task.wait().unwrap(), 0);
}

#[test]
fn the_exit_status_is_reported() {
    let c = ctx();
    let task = Spawn::new(child())
        .args(["exit", "7"])
        .spawn_plain(&c)
        .unwrap();
    assert_eq!(task.wait().unwrap(), 7);
}

#[test]
fn try_wait_while_running_is_none() {
    let c = ctx();
    let (task, chan) = Spawn::new(child()).arg("hang").spawn::<u8, u8>(&c).unwrap();
    assert_eq!(task.try_wait().unwrap(), None);
    drop(chan);
    assert_eq!(task.wait().unwrap(), 3);
}

#[test]
fn delegated_references_keep_the_rights_given() {
    let c = ctx();
    let blob = Blob::create(&c, 4096).unwrap();
    let mut w = blob.acquire_write(0, 5).unwrap();
    w.copy_from_slice(b"hello");
    w.commit().unwrap();
    let (task, chan) = Spawn::new(child())
        .arg("blob")
        .delegate_with(&blob, Rights::READ)
        .spawn::<(), (String, i32)>(&c)
        .unwrap();
    let (text, werr) = chan.recv().unwrap();
    assert_eq!(text, "hello");
    assert_eq!(Error::from_errno(werr), Error::Access);
    assert_eq!(task.wait().unwrap(), 0);
    // Ours is untouched.
    assert_eq!(blob.rights().unwrap(), Rights::ALL);
}

#[test]
fn delegation_keeps_each_references_rights_by_default() {
    let c = ctx();
    let a = Blob::create(&c, 4096).unwrap();
    let b = a.dup(Rights::READ | Rights::COPY).unwrap();
    let (task, chan) = Spawn::new(child())
        .arg("rights")
        .delegate(&a)
        .delegate(&b)
        .delegate_with(&a, Rights::WRITE)
        .spawn::<(), Vec<u64>>(&c)
        .unwrap();
    let want = vec![
        Rights::ALL.bits(),
        (Rights::READ | Rights::COPY).bits(),
        Rights::WRITE.bits(),
    ];
    assert_eq!(chan.recv().unwrap(), want);
    assert_eq!(task.wait().unwrap(), 0);
}

#[test]
fn delegating_needs_copy() {
    let c = ctx();
    let blob = Blob::create(&c, 4096).unwrap();
    let weak = blob.dup(Rights::READ).unwrap();
    let r = Spawn::new(child())
        .arg("exit")
        .delegate(&weak)
        .spawn::<u8, u8>(&c);
    assert_eq!(r.unwrap_err(), Error::Access);
}

#[test]
fn delegating_cannot_widen_rights() {
    let c = ctx();
    let blob = Blob::create(&c, 4096).unwrap();
    let weak = blob.dup(Rights::READ | Rights::COPY).unwrap();
    let r = Spawn::new(child())
        .arg("exit")
        .delegate_with(&weak, Rights::ALL)
        .spawn_plain(&c);
    assert_eq!(r.unwrap_err(), Error::NotPermitted);
}

#[test]
fn private_memory_cannot_be_delegated() {
    let c = ctx();
    let p = PrivMem::create(&c, 4096).unwrap();
    let r = Spawn::new(child()).arg("exit").delegate(&p).spawn_plain(&c);
    assert_eq!(r.unwrap_err(), Error::NotPermitted);
}

#[test]
fn spawning_a_missing_program_is_not_found() {
    let c = ctx();
    let r = Spawn::new("/no/such/program").spawn::<u8, u8>(&c);
    assert_eq!(r.unwrap_err(), Error::NotFound);
}

#[test]
fn spawning_a_file_that_is_not_executable_is_access() {
    let c = ctx();
    let path = std::env::temp_dir().join(format!("dios-rust-noexec-{}", std::process::id()));
    std::fs::write(&path, b"not a program").unwrap();
    let r = Spawn::new(&path).spawn_plain(&c);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(r.unwrap_err(), Error::Access);
}

#[test]
fn an_argument_with_a_nul_is_invalid() {
    let c = ctx();
    let r = Spawn::new(child()).arg("a\0b").spawn_plain(&c);
    assert_eq!(r.unwrap_err(), Error::Invalid);
}

#[test]
fn a_task_without_a_channel_has_no_parent_end() {
    let c = ctx();
    let task = Spawn::new(child()).arg("nochan").spawn_plain(&c).unwrap();
    assert_eq!(task.wait().unwrap(), 0);
}

#[test]
fn killing_a_task() {
    let c = ctx();
    let (task, _chan) = Spawn::new(child()).arg("hang").spawn::<u8, u8>(&c).unwrap();
    let watch = task
        .dup(Rights::READ)
        .unwrap()
        .into_object::<Task>()
        .unwrap();
    assert!(task.pid().is_some());
    assert_eq!(task.kill().unwrap(), Some(128 + 9));
    // Every other reference is a zombie.
    assert!(watch.info().unwrap().zombie);
    assert_eq!(watch.wait().unwrap_err(), Error::Zombie);
}

#[test]
fn kill_needs_delete() {
    let c = ctx();
    let (task, chan) = Spawn::new(child()).arg("hang").spawn::<u8, u8>(&c).unwrap();
    let weak = task
        .dup(Rights::READ | Rights::WRITE)
        .unwrap()
        .into_object::<Task>()
        .unwrap();
    assert_eq!(weak.kill().unwrap_err(), Error::Access);
    drop(chan);
    assert_eq!(task.wait().unwrap(), 3);
}

#[test]
fn pause_and_resume() {
    let c = ctx();
    let (task, chan) = Spawn::new(child())
        .arg("echo")
        .spawn::<u64, u64>(&c)
        .unwrap();
    task.pause().unwrap();
    chan.send(&1).unwrap();
    // Stopped: no answer comes.
    let mut sel = Select::new();
    sel.recv(&chan);
    assert_eq!(
        sel.wait_timeout(std::time::Duration::from_millis(200))
            .unwrap(),
        None
    );
    task.resume().unwrap();
    assert_eq!(chan.recv().unwrap(), 2);
    chan.send(&0).unwrap();
    assert_eq!(task.wait().unwrap(), 0);
}

#[test]
fn pause_needs_write_and_wait_needs_read() {
    let c = ctx();
    let (task, chan) = Spawn::new(child()).arg("hang").spawn::<u8, u8>(&c).unwrap();
    let ro = task
        .dup(Rights::READ)
        .unwrap()
        .into_object::<Task>()
        .unwrap();
    let wo = task
        .dup(Rights::WRITE)
        .unwrap()
        .into_object::<Task>()
        .unwrap();
    assert_eq!(ro.pause().unwrap_err(), Error::Access);
    assert_eq!(wo.wait().unwrap_err(), Error::Access);
    drop(chan);
    assert_eq!(task.wait().unwrap(), 3);
}

#[test]
fn a_channel_end_delegated_through_a_channel() {
    let c = ctx();
    let (task, chan) = Spawn::new(child())
        .arg("relay")
        .spawn::<u32, ()>(&c)
        .unwrap();
    let (ours, theirs) = Chan::<u32, u32>::pair(&c, 0).unwrap();
    let (rx, tx) = theirs.into_refs();
    let mut refs = vec![rx, tx];
    chan.send_refs(&3, &mut refs).unwrap();
    // The end is usable once the child took it from the message: it says.
    chan.recv().unwrap();
    ours.send(&14).unwrap();
    assert_eq!(ours.recv().unwrap(), 42);
    assert_eq!(task.wait().unwrap(), 0);
}

#[test]
fn select_over_tasks_and_channels() {
    let c = ctx();
    let (slow, slow_chan) = Spawn::new(child()).arg("hang").spawn::<u8, u8>(&c).unwrap();
    let quick = Spawn::new(child())
        .args(["exit", "5"])
        .spawn_plain(&c)
        .unwrap();
    let (echo, echo_chan) = Spawn::new(child())
        .arg("echo")
        .spawn::<u64, u64>(&c)
        .unwrap();
    let mut sel = Select::new();
    let i_slow = sel.task(&slow);
    let i_chan = sel.recv(&echo_chan);
    let i_quick = sel.task(&quick);
    assert_eq!(sel.wait().unwrap(), i_quick);
    drop(sel);
    assert_eq!(quick.wait().unwrap(), 5);

    echo_chan.send(&9).unwrap();
    let mut sel = Select::new();
    assert_eq!(sel.task(&slow), i_slow);
    assert_eq!(sel.recv(&echo_chan), i_chan);
    assert_eq!(sel.wait().unwrap(), i_chan);
    assert_eq!(echo_chan.recv().unwrap(), 10);
    drop(sel);

    echo_chan.send(&0).unwrap();
    let status = dios::select! {
        exit(slow) -> s => ("slow", s),
        exit(echo) -> s => ("echo", s),
    }
    .unwrap();
    assert_eq!(status, ("echo", Ok(0)));
    drop(slow_chan);
    assert_eq!(slow.wait().unwrap(), 3);
}

#[test]
fn the_own_task_object() {
    let c = ctx();
    let me = c.task_self().unwrap();
    assert_eq!(me.kind().unwrap(), dios::Kind::Task);
    assert_eq!(me.try_wait().unwrap(), None);
}

#[test]
fn the_example_of_the_docs_runs() {
    let path = child().with_file_name("blob_task");
    let status = std::process::Command::new(path).status().unwrap();
    assert!(status.success(), "{:?}", status);
}
