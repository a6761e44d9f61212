// SPDX-License-Identifier: GPL-2.0 OR MIT
//! rust-seed-create: the cost of creating (and deleting) an object, named
//! and anonymous (Hephaestus, figure 4.6), and of the nearest thing on
//! Rust's std: a file in tmpfs, named (create, remove) or anonymous
//! (`O_TMPFILE`).  Every object is 4 KiB.
//!
//!     rust-seed-create dios-anon|dios-named|std-anon|std-named [N]
//!
//! Prints `seed create VARIANT: N objects, T ns each` (make bench reads
//! T) after one untimed warm-up round of N.

use std::fs::{remove_file, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::process::exit;
use std::time::Instant;

use dios::{Context, Shmem};

const SIZE: u64 = 4096;
const O_TMPFILE: i32 = 0o20_200_000;

fn round(variant: &str, n: u32) -> std::io::Result<()> {
    let ctx = if variant.starts_with("dios-") {
        Some(Context::get()?)
    } else {
        None
    };
    let ctx = ctx.as_ref();
    let dir = std::env::temp_dir();
    for i in 0..n {
        match variant {
            "dios-anon" => Shmem::create(ctx.unwrap(), SIZE)?.delete()?,
            "dios-named" => Shmem::create_named(ctx.unwrap(), SIZE)?.0.delete()?,
            "std-anon" => {
                let f = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .custom_flags(O_TMPFILE)
                    .open(&dir)?;
                f.set_len(SIZE)?;
            }
            "std-named" => {
                let p = dir.join(format!("rust-seed-create-{}", i));
                let f = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(&p)?;
                f.set_len(SIZE)?;
                remove_file(&p)?;
            }
            _ => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "no such variant",
                ))
            }
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let variant = args.get(1).map(String::as_str).unwrap_or("");
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let r = round(variant, n).and_then(|()| {
        let t = Instant::now();
        round(variant, n).map(|()| t.elapsed())
    });
    match r {
        Ok(d) => {
            let each = d.as_nanos() as f64 / f64::from(n.max(1));
            println!(
                "seed create {}: {} objects, {:.1} ns each",
                variant, n, each
            );
        }
        Err(e) => {
            eprintln!("rust-seed-create {}: {}", variant, e);
            exit(2);
        }
    }
}
