// SPDX-License-Identifier: GPL-2.0 OR MIT
//! The example of docs/rust.md: a program that starts itself again as a
//! task, with a read-only reference to a blob delegated to it and a typed
//! channel between the two.  tests/task.rs runs it.

use dios::{Blob, Context, Rights, Spawn};

fn main() -> dios::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("child") {
        // The channel to the parent, then the delegated references.
        let (chan, mut refs) = dios::parent::<String, u32>()?;
        let blob = refs.pop().unwrap().into_object::<Blob>()?;
        let n = chan.recv()?;
        let text = String::from_utf8_lossy(&blob.acquire_read(0, n.into())?).into_owned();
        return chan.send(&text);
    }
    let ctx = Context::get()?;
    let blob = Blob::create(&ctx, 4096)?;
    let mut w = blob.acquire_write(0, 5)?; // a guard: derefs to &mut [u8]
    w.copy_from_slice(b"hello");
    w.commit()?; // dropped uncommitted, the write would be discarded
    let (task, chan) = Spawn::new("/proc/self/exe")
        .arg("child")
        .delegate_with(&blob, Rights::READ)
        .spawn::<u32, String>(&ctx)?;
    chan.send(&5)?;
    assert_eq!(chan.recv()?, "hello");
    assert_eq!(task.wait()?, 0);
    Ok(())
}
