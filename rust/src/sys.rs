// SPDX-License-Identifier: GPL-2.0 OR MIT
//! The raw ABI: the structs and ioctl numbers of `uapi/linux/dios.h`,
//! mirrored with `#[repr(C)]`, and the few C library functions the crate
//! calls (std links the C library anyway; no `libc` crate is needed).
//!
//! `scripts/rust.sh lint` compares [`layout`] (the size and offset of every
//! field below, as Rust lays them out) with the same table printed by a C
//! program from the header itself: a field out of place fails `make lint`.
//! The sizes are also asserted at compile time.

#![allow(missing_docs)]

use std::mem::{size_of, MaybeUninit};
use std::os::raw::{c_char, c_int, c_long, c_uint, c_ulong, c_void};

pub const ABI_MAJOR: u32 = 1;

pub const OBJ_PRIVMEM: u32 = 1;
pub const OBJ_SHMEM: u32 = 2;
pub const OBJ_BLOB: u32 = 3;
pub const OBJ_STREAM: u32 = 4;
pub const OBJ_TASK: u32 = 5;
pub const OBJ_GROUP: u32 = 6;

pub const RIGHT_READ: u64 = 1 << 0;
pub const RIGHT_WRITE: u64 = 1 << 1;
pub const RIGHT_COPY: u64 = 1 << 2;
pub const RIGHT_DELETE: u64 = 1 << 3;
pub const RIGHT_NAME: u64 = 1 << 4;

pub const CREATE_ANON: u64 = 1 << 0;
pub const CREATE_NAME_GIVEN: u64 = 1 << 1;
pub const DELETE_ZOMBIFY: u64 = 1 << 0;
pub const NONBLOCK: u64 = 1 << 0;
pub const IO_REFS: u64 = 1 << 2;
pub const IO_OVERWRITE: u64 = 1 << 4;
pub const EV_READ: u32 = 1 << 0;
pub const EV_WRITE: u32 = 1 << 1;
pub const REF_ZOMBIE: u32 = 2;
pub const XFER_SEND: u64 = 1 << 8;
pub const XFER_RECV: u64 = 1 << 9;
pub const RUN_CHAN: u64 = 1 << 0;
pub const TASK_REAP: u32 = 1 << 0;

pub const FEAT_META_MAP: u64 = 1 << 1;

pub const MMAP_META: i64 = 0;
pub const META_MAGIC: u32 = 0x4449_4f53;
/// Handles one message may carry.
pub const MAX_CARRIED: usize = 64;
/// References `DIOS_IOC_RUN` delegates besides a channel's two.
pub const RUN_MAX_REFS: usize = 1022;

#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Name {
    pub raw: [u8; 32],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct CreateArgs {
    pub size: u64,
    pub capacity: u64,
    pub group: u64,
    pub name_rights: u64,
    pub name: Name,
}

#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct RefInfo {
    pub type_: u32,
    pub state: u32,
    pub rights: u64,
    pub size: u64,
    pub read_buf_max: u64,
    pub write_buf_max: u64,
    pub proximity: u32,
    pub has_name: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MetaHeader {
    pub magic: u32,
    pub nr_slots: u32,
    pub entry_size: u32,
    pub entries_offset: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct RefMeta {
    pub seq: u32,
    pub gen: u32,
    pub info: RefInfo,
    pub reserved: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct VersionReq {
    pub abi_major: u32,
    pub abi_minor: u32,
    pub features: u64,
    pub max_refs: u32,
    pub max_select: u32,
    pub max_objects: u64,
    pub max_size: u64,
    pub max_capacity: u64,
    pub meta_map_size: u64,
    pub release: [u8; 32],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct CreateReq {
    pub flags: u64,
    pub type_: u32,
    pub pad: u32,
    pub ref_: u64,
    pub name: Name,
    pub args: CreateArgs,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct LookupReq {
    pub flags: u64,
    pub group: u64,
    pub name: Name,
    pub ref_: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct PublishReq {
    pub flags: u64,
    pub ref_: u64,
    pub group: u64,
    pub name_rights: u64,
    pub name: Name,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct DupReq {
    pub flags: u64,
    pub ref_: u64,
    pub rights: u64,
    pub new_ref: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct CopyReq {
    pub flags: u64,
    pub task: u64,
    pub refs: u64,
    pub rights: u64,
    pub remote_refs: u64,
    pub n: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct DeleteReq {
    pub flags: u64,
    pub ref_: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct NameReq {
    pub flags: u64,
    pub ref_: u64,
    pub name: Name,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct TaskSelfReq {
    pub flags: u64,
    pub ref_: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct IoReq {
    pub flags: u64,
    pub ref_: u64,
    pub len: u64,
    pub offset: u64,
    pub addr: u64,
    pub refs: u64,
    pub n_refs: u32,
    pub pad: u32,
    pub src_ref: u64,
    pub next_len: u64,
    pub done: u32,
    pub pad2: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct XferReq {
    pub flags: u64,
    pub send_ref: u64,
    pub send_buf: u64,
    pub send_len: u64,
    pub recv_ref: u64,
    pub recv_buf: u64,
    pub recv_len: u64,
    pub done: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct XferBatchReq {
    pub flags: u64,
    pub reqs: u64,
    pub n: u32,
    pub req_size: u32,
    pub count: u32,
    pub error: u32,
}

/// The kernel page of a ring stream (docs/ring.md).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct RingKern {
    pub magic: u32,
    pub flags: u32,
    pub rwake: u32,
    pub wwake: u32,
    pub ring_size: u64,
    pub capacity: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct RingPos {
    pub pos: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct RingFrame {
    pub len: u32,
    pub flags: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct RingReq {
    pub flags: u64,
    pub op: u32,
    pub side: u32,
    pub ref_: u64,
    pub pos: u64,
    pub wake_ref: u64,
    pub addr: u64,
    pub own: u64,
    pub ring_size: u64,
    pub refs: u64,
    pub n_refs: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct SelectReq {
    pub flags: u64,
    pub refs: u64,
    pub n: u32,
    pub events: u32,
    pub timeout_ns: i64,
    pub ready_index: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct InterestReq {
    pub flags: u64,
    pub ref_: u64,
    pub events: u32,
    pub pad: u32,
    pub cookie: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct InterestEvent {
    pub cookie: u64,
    pub events: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct InterestWaitReq {
    pub flags: u64,
    pub events: u64,
    pub max: u32,
    pub count: u32,
    pub timeout_ns: i64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct RunReq {
    pub flags: u64,
    pub refs: u64,
    pub rights: u64,
    pub task: u64,
    pub pid: u32,
    pub n_refs: u32,
    pub capacity: u64,
    pub chan_tx: u64,
    pub chan_rx: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct TaskRefsReq {
    pub flags: u64,
    pub refs: u64,
    pub n: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct TaskReq {
    pub flags: u64,
    pub task: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct TaskWaitReq {
    pub flags: u64,
    pub task: u64,
    pub status: i32,
    pub pid: u32,
    pub reap: u32,
    pub pad: u32,
}

// The sizes uapi-layout.c asserts for C, asserted for Rust at compile time;
// the offsets are compared by `scripts/rust.sh lint` (see `layout`).
const _: () = assert!(size_of::<Name>() == 32);
const _: () = assert!(size_of::<CreateArgs>() == 64);
const _: () = assert!(size_of::<RefInfo>() == 48);
const _: () = assert!(size_of::<MetaHeader>() == 16);
const _: () = assert!(size_of::<RefMeta>() == 64);
const _: () = assert!(size_of::<VersionReq>() == 88);
const _: () = assert!(size_of::<CreateReq>() == 120);
const _: () = assert!(size_of::<LookupReq>() == 56);
const _: () = assert!(size_of::<PublishReq>() == 64);
const _: () = assert!(size_of::<DupReq>() == 32);
const _: () = assert!(size_of::<CopyReq>() == 48);
const _: () = assert!(size_of::<DeleteReq>() == 16);
const _: () = assert!(size_of::<NameReq>() == 48);
const _: () = assert!(size_of::<TaskSelfReq>() == 16);
const _: () = assert!(size_of::<IoReq>() == 80);
const _: () = assert!(size_of::<XferReq>() == 64);
const _: () = assert!(size_of::<SelectReq>() == 40);
const _: () = assert!(size_of::<InterestReq>() == 32);
const _: () = assert!(size_of::<InterestEvent>() == 16);
const _: () = assert!(size_of::<InterestWaitReq>() == 32);
const _: () = assert!(size_of::<RunReq>() == 64);
const _: () = assert!(size_of::<TaskRefsReq>() == 24);
const _: () = assert!(size_of::<TaskReq>() == 16);
const _: () = assert!(size_of::<TaskWaitReq>() == 32);
const _: () = assert!(size_of::<XferBatchReq>() == 32);
const _: () = assert!(size_of::<RingKern>() == 32);
const _: () = assert!(size_of::<RingPos>() == 8);
const _: () = assert!(size_of::<RingFrame>() == 8);
const _: () = assert!(size_of::<RingReq>() == 80);

/// `_IOWR(0xD1, nr, T)` as `<asm-generic/ioctl.h>` encodes it (x86, arm).
const fn iowr<T>(nr: u32) -> c_ulong {
    ((3u32 << 30) | ((size_of::<T>() as u32) << 16) | (0xD1 << 8) | nr) as c_ulong
}

pub const IOC_VERSION: c_ulong = iowr::<VersionReq>(0x00);
pub const IOC_CREATE: c_ulong = iowr::<CreateReq>(0x01);
pub const IOC_LOOKUP: c_ulong = iowr::<LookupReq>(0x02);
pub const IOC_PUBLISH: c_ulong = iowr::<PublishReq>(0x03);
pub const IOC_DUP: c_ulong = iowr::<DupReq>(0x04);
pub const IOC_COPY: c_ulong = iowr::<CopyReq>(0x05);
pub const IOC_DELETE: c_ulong = iowr::<DeleteReq>(0x06);
pub const IOC_NAME: c_ulong = iowr::<NameReq>(0x07);
pub const IOC_TASK_SELF: c_ulong = iowr::<TaskSelfReq>(0x08);
pub const IOC_ACQUIRE_READ: c_ulong = iowr::<IoReq>(0x10);
pub const IOC_COMMIT_READ: c_ulong = iowr::<IoReq>(0x11);
pub const IOC_RELEASE_READ: c_ulong = iowr::<IoReq>(0x12);
pub const IOC_ACQUIRE_WRITE: c_ulong = iowr::<IoReq>(0x13);
pub const IOC_COMMIT_WRITE: c_ulong = iowr::<IoReq>(0x14);
pub const IOC_RELEASE_WRITE: c_ulong = iowr::<IoReq>(0x15);
pub const IOC_XFER: c_ulong = iowr::<XferReq>(0x16);
pub const IOC_SELECT: c_ulong = iowr::<SelectReq>(0x20);
pub const IOC_INTEREST: c_ulong = iowr::<InterestReq>(0x21);
pub const IOC_INTEREST_WAIT: c_ulong = iowr::<InterestWaitReq>(0x22);
pub const IOC_RUN: c_ulong = iowr::<RunReq>(0x30);
pub const IOC_TASK_REFS: c_ulong = iowr::<TaskRefsReq>(0x31);
pub const IOC_PAUSE: c_ulong = iowr::<TaskReq>(0x32);
pub const IOC_RESUME: c_ulong = iowr::<TaskReq>(0x33);
pub const IOC_TASK_WAIT: c_ulong = iowr::<TaskWaitReq>(0x34);
pub const IOC_XFER_BATCH: c_ulong = iowr::<XferBatchReq>(0x17);
pub const IOC_RING: c_ulong = iowr::<RingReq>(0x18);

// The C library, which std links already.
pub const O_RDWR: c_int = 0o2;
pub const O_CLOEXEC: c_int = 0o2_000_000;
pub const PROT_READ: c_int = 1;
pub const MAP_SHARED: c_int = 1;
pub const MAP_FAILED: *mut c_void = !0usize as *mut c_void;
pub const EFD_CLOEXEC: c_int = 0o2_000_000;
pub const EFD_NONBLOCK: c_int = 0o4_000;
pub const POLLIN: i16 = 1;
pub const P_PID: c_int = 1;
pub const WEXITED: c_int = 4;
pub const WNOHANG: c_int = 1;
pub const SIGKILL: c_int = 9;
pub const SIGPIPE: c_int = 13;
pub const SIG_DFL: usize = 0;
pub const X_OK: c_int = 1;
pub const AT_FDCWD: c_int = -100;
pub const AT_EACCESS: c_int = 0x200;

#[repr(C)]
pub struct PollFd {
    pub fd: c_int,
    pub events: i16,
    pub revents: i16,
}

extern "C" {
    pub fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    pub fn close(fd: c_int) -> c_int;
    pub fn ioctl(fd: c_int, req: c_ulong, ...) -> c_int;
    pub fn mmap(
        addr: *mut c_void,
        len: usize,
        prot: c_int,
        flags: c_int,
        fd: c_int,
        off: i64,
    ) -> *mut c_void;
    pub fn munmap(addr: *mut c_void, len: usize) -> c_int;
    pub fn read(fd: c_int, buf: *mut c_void, n: usize) -> isize;
    pub fn write(fd: c_int, buf: *const c_void, n: usize) -> isize;
    pub fn poll(fds: *mut PollFd, n: c_ulong, timeout: c_int) -> c_int;
    pub fn eventfd(initval: c_uint, flags: c_int) -> c_int;
    pub fn fork() -> c_int;
    pub fn execve(
        path: *const c_char,
        argv: *const *const c_char,
        envp: *const *const c_char,
    ) -> c_int;
    pub fn _exit(status: c_int) -> !;
    pub fn getpid() -> c_int;
    pub fn getppid() -> c_int;
    pub fn kill(pid: c_int, sig: c_int) -> c_int;
    pub fn waitpid(pid: c_int, status: *mut c_int, options: c_int) -> c_int;
    pub fn waitid(idtype: c_int, id: c_uint, info: *mut c_void, options: c_int) -> c_int;
    pub fn signal(sig: c_int, handler: usize) -> usize;
    pub fn faccessat(dirfd: c_int, path: *const c_char, mode: c_int, flags: c_int) -> c_int;
    pub fn sched_yield() -> c_int;
    pub fn sysconf(name: c_int) -> c_long;
}

/// errno of the last failed C call, as a positive number.
pub fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// One row of the layout table: `struct name size` or `struct.field offset size`.
pub struct Row {
    pub name: String,
    pub offset: usize,
    pub size: usize,
}

/// The byte offset of `$field` in `$t`, without `offset_of!` (Rust 1.77).
macro_rules! field_row {
    ($rows:ident, $t:ty, $c:literal, $field:ident, $cf:literal) => {{
        let u = MaybeUninit::<$t>::uninit();
        let base = u.as_ptr();
        // SAFETY: addr_of! computes an address inside `u` without reading it.
        let field = unsafe { std::ptr::addr_of!((*base).$field) };
        $rows.push(Row {
            name: format!("{}.{}", $c, $cf),
            offset: field as usize - base as usize,
            size: size_of_pointee(field),
        });
    }};
}

fn size_of_pointee<T>(_: *const T) -> usize {
    size_of::<T>()
}

macro_rules! struct_rows {
    ($rows:ident, $t:ty, $c:literal, $($field:ident = $cf:literal),* $(,)?) => {{
        $rows.push(Row { name: $c.to_string(), offset: 0, size: size_of::<$t>() });
        $(field_row!($rows, $t, $c, $field, $cf);)*
    }};
}

/// Every struct and field above with the names of the C header, for the
/// comparison with the C compiler's view of `uapi/linux/dios.h`.
#[doc(hidden)]
pub fn layout() -> Vec<Row> {
    let mut r = Vec::new();
    struct_rows!(r, Name, "dios_name", raw = "raw");
    struct_rows!(
        r,
        CreateArgs,
        "dios_create_args",
        size = "size",
        capacity = "capacity",
        group = "group",
        name_rights = "name_rights",
        name = "name"
    );
    struct_rows!(
        r,
        RefInfo,
        "dios_ref_info",
        type_ = "type",
        state = "state",
        rights = "rights",
        size = "size",
        read_buf_max = "read_buf_max",
        write_buf_max = "write_buf_max",
        proximity = "proximity",
        has_name = "has_name"
    );
    struct_rows!(
        r,
        MetaHeader,
        "dios_meta_header",
        magic = "magic",
        nr_slots = "nr_slots",
        entry_size = "entry_size",
        entries_offset = "entries_offset"
    );
    struct_rows!(
        r,
        RefMeta,
        "dios_ref_meta",
        seq = "seq",
        gen = "gen",
        info = "info",
        reserved = "__reserved"
    );
    struct_rows!(
        r,
        VersionReq,
        "dios_version_req",
        abi_major = "abi_major",
        abi_minor = "abi_minor",
        features = "features",
        max_refs = "max_refs",
        max_select = "max_select",
        max_objects = "max_objects",
        max_size = "max_size",
        max_capacity = "max_capacity",
        meta_map_size = "meta_map_size",
        release = "release"
    );
    struct_rows!(
        r,
        CreateReq,
        "dios_create_req",
        flags = "flags",
        type_ = "type",
        pad = "__pad",
        ref_ = "ref",
        name = "name",
        args = "args"
    );
    struct_rows!(
        r,
        LookupReq,
        "dios_lookup_req",
        flags = "flags",
        group = "group",
        name = "name",
        ref_ = "ref"
    );
    struct_rows!(
        r,
        PublishReq,
        "dios_publish_req",
        flags = "flags",
        ref_ = "ref",
        group = "group",
        name_rights = "name_rights",
        name = "name"
    );
    struct_rows!(
        r,
        DupReq,
        "dios_dup_req",
        flags = "flags",
        ref_ = "ref",
        rights = "rights",
        new_ref = "new_ref"
    );
    struct_rows!(
        r,
        CopyReq,
        "dios_copy_req",
        flags = "flags",
        task = "task",
        refs = "refs",
        rights = "rights",
        remote_refs = "remote_refs",
        n = "n",
        pad = "__pad"
    );
    struct_rows!(
        r,
        DeleteReq,
        "dios_delete_req",
        flags = "flags",
        ref_ = "ref"
    );
    struct_rows!(
        r,
        NameReq,
        "dios_name_req",
        flags = "flags",
        ref_ = "ref",
        name = "name"
    );
    struct_rows!(
        r,
        TaskSelfReq,
        "dios_task_self_req",
        flags = "flags",
        ref_ = "ref"
    );
    struct_rows!(
        r,
        IoReq,
        "dios_io_req",
        flags = "flags",
        ref_ = "ref",
        len = "len",
        offset = "offset",
        addr = "addr",
        refs = "refs",
        n_refs = "n_refs",
        pad = "__pad",
        src_ref = "src_ref",
        next_len = "next_len",
        done = "done",
        pad2 = "__pad2"
    );
    struct_rows!(
        r,
        XferReq,
        "dios_xfer_req",
        flags = "flags",
        send_ref = "send_ref",
        send_buf = "send_buf",
        send_len = "send_len",
        recv_ref = "recv_ref",
        recv_buf = "recv_buf",
        recv_len = "recv_len",
        done = "done",
        pad = "__pad"
    );
    struct_rows!(
        r,
        SelectReq,
        "dios_select_req",
        flags = "flags",
        refs = "refs",
        n = "n",
        events = "events",
        timeout_ns = "timeout_ns",
        ready_index = "ready_index",
        pad = "__pad"
    );
    struct_rows!(
        r,
        InterestReq,
        "dios_interest_req",
        flags = "flags",
        ref_ = "ref",
        events = "events",
        pad = "__pad",
        cookie = "cookie"
    );
    struct_rows!(
        r,
        InterestEvent,
        "dios_interest_event",
        cookie = "cookie",
        events = "events",
        pad = "__pad"
    );
    struct_rows!(
        r,
        InterestWaitReq,
        "dios_interest_wait_req",
        flags = "flags",
        events = "events",
        max = "max",
        count = "count",
        timeout_ns = "timeout_ns"
    );
    struct_rows!(
        r,
        RunReq,
        "dios_run_req",
        flags = "flags",
        refs = "refs",
        rights = "rights",
        task = "task",
        pid = "pid",
        n_refs = "n_refs",
        capacity = "capacity",
        chan_tx = "chan_tx",
        chan_rx = "chan_rx"
    );
    struct_rows!(
        r,
        TaskRefsReq,
        "dios_task_refs_req",
        flags = "flags",
        refs = "refs",
        n = "n",
        pad = "__pad"
    );
    struct_rows!(r, TaskReq, "dios_task_req", flags = "flags", task = "task");
    struct_rows!(
        r,
        TaskWaitReq,
        "dios_task_wait_req",
        flags = "flags",
        task = "task",
        status = "status",
        pid = "pid",
        reap = "reap",
        pad = "__pad"
    );
    struct_rows!(
        r,
        XferBatchReq,
        "dios_xfer_batch_req",
        flags = "flags",
        reqs = "reqs",
        n = "n",
        req_size = "req_size",
        count = "count",
        error = "error"
    );
    struct_rows!(
        r,
        RingKern,
        "dios_ring_kern",
        magic = "magic",
        flags = "flags",
        rwake = "rwake",
        wwake = "wwake",
        ring_size = "ring_size",
        capacity = "capacity"
    );
    struct_rows!(r, RingPos, "dios_ring_pos", pos = "pos");
    struct_rows!(r, RingFrame, "dios_ring_frame", len = "len", flags = "flags");
    struct_rows!(
        r,
        RingReq,
        "dios_ring_req",
        flags = "flags",
        op = "op",
        side = "side",
        ref_ = "ref",
        pos = "pos",
        wake_ref = "wake_ref",
        addr = "addr",
        own = "own",
        ring_size = "ring_size",
        refs = "refs",
        n_refs = "n_refs",
        pad = "__pad"
    );
    r
}

/// The ioctl numbers by their C names, for the same comparison.
#[doc(hidden)]
pub fn ioctl_numbers() -> Vec<(&'static str, c_ulong)> {
    vec![
        ("DIOS_IOC_VERSION", IOC_VERSION),
        ("DIOS_IOC_CREATE", IOC_CREATE),
        ("DIOS_IOC_LOOKUP", IOC_LOOKUP),
        ("DIOS_IOC_PUBLISH", IOC_PUBLISH),
        ("DIOS_IOC_DUP", IOC_DUP),
        ("DIOS_IOC_COPY", IOC_COPY),
        ("DIOS_IOC_DELETE", IOC_DELETE),
        ("DIOS_IOC_NAME", IOC_NAME),
        ("DIOS_IOC_TASK_SELF", IOC_TASK_SELF),
        ("DIOS_IOC_ACQUIRE_READ", IOC_ACQUIRE_READ),
        ("DIOS_IOC_COMMIT_READ", IOC_COMMIT_READ),
        ("DIOS_IOC_RELEASE_READ", IOC_RELEASE_READ),
        ("DIOS_IOC_ACQUIRE_WRITE", IOC_ACQUIRE_WRITE),
        ("DIOS_IOC_COMMIT_WRITE", IOC_COMMIT_WRITE),
        ("DIOS_IOC_RELEASE_WRITE", IOC_RELEASE_WRITE),
        ("DIOS_IOC_XFER", IOC_XFER),
        ("DIOS_IOC_SELECT", IOC_SELECT),
        ("DIOS_IOC_INTEREST", IOC_INTEREST),
        ("DIOS_IOC_INTEREST_WAIT", IOC_INTEREST_WAIT),
        ("DIOS_IOC_RUN", IOC_RUN),
        ("DIOS_IOC_TASK_REFS", IOC_TASK_REFS),
        ("DIOS_IOC_PAUSE", IOC_PAUSE),
        ("DIOS_IOC_RESUME", IOC_RESUME),
        ("DIOS_IOC_TASK_WAIT", IOC_TASK_WAIT),
        ("DIOS_IOC_XFER_BATCH", IOC_XFER_BATCH),
        ("DIOS_IOC_RING", IOC_RING),
    ]
}
