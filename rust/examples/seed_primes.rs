// SPDX-License-Identifier: GPL-2.0 OR MIT
//! rust-seed-primes: the MapReduce-style sum of the primes below 1,000 of
//! Hephaestus (appendix A.2): a coordinator deals the numbers round robin
//! to 12 mapper tasks, which send back the primes and an end marker; it
//! shuffles the primes round robin to 8 reducer tasks, which send back
//! their sums.  Against the same on Rust's std with processes and pipes.
//!
//!     rust-seed-primes [dios|std|both]       default both
//!
//! Exit status 0 if the sum is right (76127).

use std::io::{Read, Write};
use std::process::{exit, Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use dios::{Chan, Context, Spawn, Task};

const SELF: &str = "/proc/self/exe";
const CAPACITY: u64 = 4096;
const NR_MAPS: usize = 12;
const NR_REDS: usize = 8;
const NR_DATA: u32 = 1000;
const EOD: u32 = 0xffff_ffff;

fn is_prime(x: u32) -> bool {
    x >= 2 && (2..x).all(|i| x % i != 0)
}

/// A worker's link to the coordinator, on either transport.
trait Link {
    fn put(&mut self, v: u32) -> std::io::Result<()>;
    fn get(&mut self) -> std::io::Result<u32>;
}

impl Link for Chan<u32> {
    fn put(&mut self, v: u32) -> std::io::Result<()> {
        Ok(self.send(&v)?)
    }
    fn get(&mut self) -> std::io::Result<u32> {
        Ok(self.recv()?)
    }
}

/// std: a pair of pipes, the worker's stdin and stdout (or the
/// coordinator's ends of them).
struct Pipes<W: Write, R: Read> {
    to: W,
    from: R,
}

impl<W: Write, R: Read> Link for Pipes<W, R> {
    fn put(&mut self, v: u32) -> std::io::Result<()> {
        self.to.write_all(&v.to_le_bytes())?;
        self.to.flush()
    }
    fn get(&mut self) -> std::io::Result<u32> {
        let mut b = [0u8; 4];
        self.from.read_exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
}

fn filter_prime(l: &mut dyn Link) -> std::io::Result<()> {
    loop {
        let input = l.get()?;
        if input == EOD {
            break;
        }
        if is_prime(input) {
            l.put(input)?;
        }
    }
    l.put(EOD)
}

fn sum(l: &mut dyn Link) -> std::io::Result<()> {
    let mut sum = 0;
    loop {
        let input = l.get()?;
        if input == EOD {
            break;
        }
        sum += input;
    }
    l.put(sum)
}

/// The coordinator, whatever the transport: `start` makes a worker.
fn coordinate(
    start: &mut dyn FnMut(&str) -> std::io::Result<Box<dyn Link>>,
) -> std::io::Result<u32> {
    let mut mappers = Vec::new();
    let mut reducers = Vec::new();
    for _ in 0..NR_MAPS {
        mappers.push(start("map")?);
    }
    for _ in 0..NR_REDS {
        reducers.push(start("reduce")?);
    }
    // Send data using round robin.
    for i in 0..NR_DATA {
        mappers[i as usize % NR_MAPS].put(i)?;
    }
    for m in mappers.iter_mut() {
        m.put(EOD)?;
    }
    // Shuffle the mappings.
    let mut shuffle = 0;
    while !mappers.is_empty() {
        for i in 0..mappers.len() {
            let input = mappers[i].get()?;
            if input == EOD {
                mappers.remove(i);
                break;
            }
            reducers[shuffle % NR_REDS].put(input)?;
            shuffle += 1;
        }
    }
    for r in reducers.iter_mut() {
        r.put(EOD)?;
    }
    // Collect the reductions.
    let mut total = 0;
    for r in reducers.iter_mut() {
        total += r.get()?;
    }
    Ok(total)
}

fn coordinate_dios() -> std::io::Result<u32> {
    let ctx = Context::get()?;
    let mut tasks: Vec<Task> = Vec::new();
    let total = coordinate(&mut |mode| {
        let (task, chan) = Spawn::new(SELF)
            .arg(format!("dios-{}", mode))
            .capacity(CAPACITY)
            .spawn::<u32, u32>(&ctx)?;
        tasks.push(task);
        Ok(Box::new(chan))
    })?;
    for t in tasks {
        if t.wait()? != 0 {
            return Err(dios::Error::NoChild.into());
        }
    }
    Ok(total)
}

fn coordinate_std() -> std::io::Result<u32> {
    let mut children: Vec<Child> = Vec::new();
    let total = coordinate(&mut |mode| {
        let mut c = Command::new(SELF)
            .arg(format!("std-{}", mode))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let link: Pipes<ChildStdin, ChildStdout> = Pipes {
            to: c.stdin.take().unwrap(),
            from: c.stdout.take().unwrap(),
        };
        children.push(c);
        Ok(Box::new(link))
    })?;
    for mut c in children {
        if !c.wait()?.success() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Other,
                "a worker failed",
            ));
        }
    }
    Ok(total)
}

fn worker(mode: &str) -> std::io::Result<()> {
    let mut chan;
    let mut pipes;
    let link: &mut dyn Link = if mode.starts_with("dios-") {
        chan = dios::parent::<u32, u32>()?.0;
        &mut chan
    } else {
        pipes = Pipes {
            to: std::io::stdout(),
            from: std::io::stdin(),
        };
        &mut pipes
    };
    if mode.ends_with("-map") {
        filter_prime(link)
    } else {
        sum(link)
    }
}

fn run(variant: &str) -> bool {
    let t0 = Instant::now();
    let r = if variant == "dios" {
        coordinate_dios()
    } else {
        coordinate_std()
    };
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    let want: u32 = (0..NR_DATA).filter(|&x| is_prime(x)).sum();
    match r {
        Ok(s) => {
            let verdict = if s == want { "(correct)" } else { "(WRONG)" };
            println!(
                "seed primes {}: sum of primes < {} = {} {} in {:.1} ms",
                variant, NR_DATA, s, verdict, ms
            );
            s == want
        }
        Err(e) => {
            eprintln!("rust-seed-primes {}: {}", variant, e);
            false
        }
    }
}

fn main() {
    let what = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "both".to_string());
    if what.ends_with("-map") || what.ends_with("-reduce") {
        if let Err(e) = worker(&what) {
            eprintln!("rust-seed-primes {}: {}", what, e);
            exit(2);
        }
        return;
    }
    let mut ok = true;
    for v in ["dios", "std"] {
        if what == v || what == "both" {
            ok &= run(v);
        }
    }
    exit(if ok { 0 } else { 1 });
}
