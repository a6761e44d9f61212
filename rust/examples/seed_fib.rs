// SPDX-License-Identifier: GPL-2.0 OR MIT
//! rust-seed-fib: Fibonacci by recursively spawned tasks talking over
//! typed channels (Hephaestus, listing 4.4), against the same on Rust's
//! std with processes and pipes (its appendix A.1).
//!
//!     rust-seed-fib [dios|std|both] [N]      default both, N = 15
//!
//! Each task (process) computing fib(n), n >= 2, starts two more, sends
//! them n - 2 and n - 1 and adds their answers: fib(12) takes 465 tasks.
//! The result is checked against a loop; exit status 0 if it is right.

use std::io::{Read, Write};
use std::process::{exit, Command, Stdio};
use std::time::Instant;

use dios::{Context, Spawn};

/// Each task runs this program again.
const SELF: &str = "/proc/self/exe";
/// Bytes per direction of a task's channel: thousands of tasks may live.
const CAPACITY: u64 = 4096;

fn fib_loop(n: u32) -> u32 {
    let (mut a, mut b) = (0u32, 1u32);
    for _ in 0..n {
        let t = a.wrapping_add(b);
        a = b;
        b = t;
    }
    a
}

/// dios: as Hephaestus wrote it, with a task per call.
fn fib(ctx: &Context, n: u32) -> dios::Result<u32> {
    match n {
        0 | 1 => Ok(n),
        _ => {
            let spawn = Spawn::new(SELF).arg("dios-child").capacity(CAPACITY);
            let (t1, fib1) = spawn.spawn::<u32, u32>(ctx)?;
            fib1.send(&(n - 2))?;
            let (t2, fib2) = spawn.spawn::<u32, u32>(ctx)?;
            fib2.send(&(n - 1))?;
            let r = fib1.recv()? + fib2.recv()?;
            t1.wait()?;
            t2.wait()?;
            Ok(r)
        }
    }
}

fn fib_task() -> dios::Result<()> {
    let (chan, _) = dios::parent::<u32, u32>()?;
    let n = chan.recv()?;
    chan.send(&fib(&Context::get()?, n)?)
}

/// std: the same with a process per call, its stdin and stdout piped.
fn fib_std(n: u32) -> std::io::Result<u32> {
    match n {
        0 | 1 => Ok(n),
        _ => {
            let spawn = || {
                Command::new(SELF)
                    .arg("std-child")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
            };
            let mut p1 = spawn()?;
            p1.stdin.take().unwrap().write_all(&(n - 2).to_le_bytes())?;
            let mut p2 = spawn()?;
            p2.stdin.take().unwrap().write_all(&(n - 1).to_le_bytes())?;
            let mut b1 = [0u8; 4];
            let mut b2 = [0u8; 4];
            p1.stdout.take().unwrap().read_exact(&mut b1)?;
            p2.stdout.take().unwrap().read_exact(&mut b2)?;
            p1.wait()?;
            p2.wait()?;
            Ok(u32::from_le_bytes(b1) + u32::from_le_bytes(b2))
        }
    }
}

fn fib_std_child() -> std::io::Result<()> {
    let mut b = [0u8; 4];
    std::io::stdin().read_exact(&mut b)?;
    let r = fib_std(u32::from_le_bytes(b))?;
    let mut out = std::io::stdout();
    out.write_all(&r.to_le_bytes())?;
    out.flush()
}

fn run(variant: &str, n: u32) -> bool {
    let t0 = Instant::now();
    let r = if variant == "dios" {
        Context::get()
            .and_then(|c| fib(&c, n))
            .map_err(std::io::Error::from)
    } else {
        fib_std(n)
    };
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    match r {
        Ok(r) => {
            let ok = r == fib_loop(n);
            let verdict = if ok { "(correct)" } else { "(WRONG)" };
            println!(
                "seed fib {}: fib({}) = {} {} in {:.1} ms",
                variant, n, r, verdict, ms
            );
            ok
        }
        Err(e) => {
            eprintln!("rust-seed-fib {}: {}", variant, e);
            false
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("both");
    let child = match what {
        "dios-child" => Some(fib_task().map_err(std::io::Error::from)),
        "std-child" => Some(fib_std_child()),
        _ => None,
    };
    if let Some(r) = child {
        if let Err(e) = r {
            eprintln!("rust-seed-fib {}: {}", what, e);
            exit(2);
        }
        return;
    }
    let n = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(15);
    if n > 24 {
        eprintln!("rust-seed-fib: N up to 24");
        exit(2);
    }
    let mut ok = true;
    for v in ["dios", "std"] {
        if what == v || what == "both" {
            ok &= run(v, n);
        }
    }
    exit(if ok { 0 } else { 1 });
}
