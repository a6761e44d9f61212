// SPDX-License-Identifier: GPL-2.0 OR MIT
//! The task the tests of tests/task.rs start: what it does is its first
//! argument.  Its exit status tells the test how it went (0: as expected).

use std::process::exit;

use dios::{Blob, Chan, Error, Rights};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("");
    let code = match run(mode, &args[2.min(args.len())..]) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("task_child {}: {}", mode, e);
            100
        }
    };
    exit(code);
}

fn run(mode: &str, rest: &[String]) -> dios::Result<i32> {
    match mode {
        // Answer n + 1 to each n until 0.
        "echo" => {
            let (chan, _) = dios::parent::<u64, u64>()?;
            loop {
                let n = chan.recv()?;
                if n == 0 {
                    return Ok(0);
                }
                chan.send(&(n + 1))?;
            }
        }
        // Send the arguments back.
        "args" => {
            let (chan, _) = dios::parent::<Vec<String>, ()>()?;
            chan.send(&rest.to_vec())?;
            Ok(0)
        }
        // Exit with the status given, at once.
        "exit" => Ok(rest.first().and_then(|s| s.parse().ok()).unwrap_or(1)),
        // Wait until the parent's end is gone: 3 on a broken pipe.
        "hang" => {
            let (chan, _) = dios::parent::<u8, u8>()?;
            match chan.recv() {
                Err(Error::Pipe) => Ok(3),
                _ => Ok(1),
            }
        }
        // The delegated blob, read-only: send its first bytes back, and
        // the error of a write (it must be Access).
        "blob" => {
            let (chan, mut refs) = dios::parent::<(String, i32), ()>()?;
            let blob = refs.pop().ok_or(Error::NotFound)?.into_object::<Blob>()?;
            let text = String::from_utf8_lossy(&blob.acquire_read(0, 5)?).into_owned();
            let werr = match blob.acquire_write(0, 1) {
                Ok(_) => 0,
                Err(e) => e.errno(),
            };
            chan.send(&(text, werr))?;
            Ok(0)
        }
        // Receive a channel end through the parent channel, then answer
        // on it: the end's rights travel with it.
        "relay" => {
            let (chan, _) = dios::parent::<(), u32>()?;
            let (tag, mut got) = chan.recv_refs()?;
            let tx = got.pop().ok_or(Error::NotFound)?;
            let rx = got.pop().ok_or(Error::NotFound)?;
            let side = Chan::<u32, u32>::from_refs(rx, tx)?;
            chan.send(&())?;
            let n = side.recv()?;
            side.send(&(n * tag))?;
            Ok(0)
        }
        // Started without a channel: parent() must say so.
        "nochan" => match dios::parent::<u8, u8>() {
            Err(Error::NotFound) => Ok(0),
            _ => Ok(1),
        },
        // The delegated references with their rights, as bits.
        "rights" => {
            let (chan, refs) = dios::parent::<Vec<u64>, ()>()?;
            let bits = refs
                .iter()
                .map(|r| r.rights().map(Rights::bits))
                .collect::<dios::Result<Vec<u64>>>()?;
            chan.send(&bits)?;
            Ok(0)
        }
        _ => Ok(2),
    }
}
