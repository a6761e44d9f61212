// SPDX-License-Identifier: GPL-2.0 OR MIT
//! What the integration tests share.  They need the dios module: they run
//! in the test VM (scripts/rust.sh, `make check`), each test in a process
//! of its own, each with a context of its own.
#![allow(dead_code)]

use std::path::PathBuf;

use dios::Context;

/// A fresh context (its own reference table).
pub fn ctx() -> Context {
    Context::open().expect("open /dev/dios (is the dios module loaded?)")
}

/// The helper program the task tests start (examples/task_child.rs): next
/// to the test binaries' directory, in the cargo target directory as in the
/// VM (scripts/rust.sh stages both so).
pub fn child() -> PathBuf {
    if let Some(p) = std::env::var_os("DIOS_TASK_CHILD") {
        return p.into();
    }
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().join("../examples/task_child")
}
