// SPDX-License-Identifier: GPL-2.0 OR MIT
//! Print the crate's view of the ABI: every struct and field of
//! uapi/linux/dios.h as `name offset size`, every ioctl as `name number`.
//! `scripts/rust.sh lint` compares this with the C compiler's view.

fn main() {
    for r in dios::sys::layout() {
        println!("{} {} {}", r.name, r.offset, r.size);
    }
    for (name, nr) in dios::sys::ioctl_numbers() {
        println!("{} {:#x}", name, nr);
    }
}
