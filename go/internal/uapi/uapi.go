// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

// Package uapi mirrors uapi/linux/dios.h for Go: every struct field for
// field, the constants and the ioctl numbers, and the raw ioctl call.
//
// The layout is checked against the C header by `make lint`
// (scripts/go.sh lint): cgen prints, from these structs and their `c` tags,
// a C file of static assertions of every size, offset and ioctl number,
// which gcc compiles against the header. A field without a tag is a Go
// name for the C field of the same name in lower case.
package uapi

import (
	"syscall"
	"unsafe"
)

// ABI version of the header mirrored here.
const (
	ABIMajor = 1
	ABIMinor = 5
)

// Object types.
const (
	ObjPrivmem = 1 + iota
	ObjShmem
	ObjBlob
	ObjStream
	ObjTask
	ObjGroup
)

// Reference rights.
const (
	RightRead   = 1 << 0
	RightWrite  = 1 << 1
	RightCopy   = 1 << 2
	RightDelete = 1 << 3
	RightName   = 1 << 4
	RightsAll   = RightRead | RightWrite | RightCopy | RightDelete | RightName
)

// Flags of create, delete, the I/O steps, select, xfer, interest and run.
const (
	CreateAnon      = 1 << 0
	CreateNameGiven = 1 << 1
	CreateRing      = 1 << 2
	DeleteZombify   = 1 << 0
	NonBlock        = 1 << 0
	IORearm         = 1 << 1
	IORefs          = 1 << 2
	IOForward       = 1 << 3
	IOOverwrite     = 1 << 4
	XferSend        = 1 << 8
	XferRecv        = 1 << 9
	InterestAdd     = 1 << 0
	InterestMod     = 1 << 1
	InterestDel     = 1 << 2
	RunChan         = 1 << 0
	TaskReap        = 1 << 0
)

// Select events, reference states, dios_io_req.done.
const (
	EvRead         = 1 << 0
	EvWrite        = 1 << 1
	RefLive        = 1
	RefZombie      = 2
	IODoneCommit   = 1 << 0
	IODoneAcquire  = 1 << 1
	MmapMeta       = 0
	MetaMagic      = 0x44494f53
	IOReqSizeVer0  = 72
	RunReqSizeVer0 = 40
	RunChanFarRx   = RightRead | RightCopy
	RunChanFarTx   = RightWrite | RightCopy
	RunChanOwnTx   = RunChanFarTx | RightDelete
	RunChanOwnRx   = RunChanFarRx | RightDelete
	ProxLocal      = 0
	IOCMagic       = 0xD1
	MaxRefsPerMsg  = 64 // references one stream message carries (docs/io.md)
	MaxRefsPerRun  = 1024
	NameLen        = 32
	ReleaseLen     = 32
	ChanConnectLen = 8 // libdios channels: the connect message "DIOSCHAN"
	ChanConnect    = "DIOSCHAN"
	ChanCapacity   = 64 << 10
	FeatObjects    = 1 << 0
	FeatMetaMap    = 1 << 1
	FeatGroups     = 1 << 2
	FeatIOMem      = 1 << 3
	FeatIOBlob     = 1 << 4
	FeatIOStream   = 1 << 5
	FeatIORefs     = 1 << 6
	FeatIOForward  = 1 << 7
	FeatSelect     = 1 << 8
	FeatTasks      = 1 << 9
	FeatIOXfer     = 1 << 10
	FeatRunChan    = 1 << 11
	FeatIODone     = 1 << 12
)

// Name is struct dios_name.
type Name struct {
	Raw [32]byte
}

// CreateArgs is struct dios_create_args.
type CreateArgs struct {
	Size       uint64
	Capacity   uint64
	Group      uint64
	NameRights uint64 `c:"name_rights"`
	Name       Name
}

// RefInfo is struct dios_ref_info.
type RefInfo struct {
	Type        uint32
	State       uint32
	Rights      uint64
	Size        uint64
	ReadBufMax  uint64 `c:"read_buf_max"`
	WriteBufMax uint64 `c:"write_buf_max"`
	Proximity   uint32
	HasName     uint32 `c:"has_name"`
}

// MetaHeader is struct dios_meta_header.
type MetaHeader struct {
	Magic         uint32
	NrSlots       uint32 `c:"nr_slots"`
	EntrySize     uint32 `c:"entry_size"`
	EntriesOffset uint32 `c:"entries_offset"`
}

// RefMeta is struct dios_ref_meta.
type RefMeta struct {
	Seq      uint32
	Gen      uint32
	Info     RefInfo
	Reserved uint64 `c:"__reserved"`
}

// VersionReq is struct dios_version_req.
type VersionReq struct {
	ABIMajor    uint32 `c:"abi_major"`
	ABIMinor    uint32 `c:"abi_minor"`
	Features    uint64
	MaxRefs     uint32 `c:"max_refs"`
	MaxSelect   uint32 `c:"max_select"`
	MaxObjects  uint64 `c:"max_objects"`
	MaxSize     uint64 `c:"max_size"`
	MaxCapacity uint64 `c:"max_capacity"`
	MetaMapSize uint64 `c:"meta_map_size"`
	Release     [32]byte
}

// CreateReq is struct dios_create_req.
type CreateReq struct {
	Flags uint64
	Type  uint32
	Pad   uint32 `c:"__pad"`
	Ref   uint64
	Name  Name
	Args  CreateArgs
}

// LookupReq is struct dios_lookup_req.
type LookupReq struct {
	Flags uint64
	Group uint64
	Name  Name
	Ref   uint64
}

// PublishReq is struct dios_publish_req.
type PublishReq struct {
	Flags      uint64
	Ref        uint64
	Group      uint64
	NameRights uint64 `c:"name_rights"`
	Name       Name
}

// DupReq is struct dios_dup_req.
type DupReq struct {
	Flags  uint64
	Ref    uint64
	Rights uint64
	NewRef uint64 `c:"new_ref"`
}

// CopyReq is struct dios_copy_req.
type CopyReq struct {
	Flags      uint64
	Task       uint64
	Refs       unsafe.Pointer
	Rights     unsafe.Pointer
	RemoteRefs unsafe.Pointer `c:"remote_refs"`
	N          uint32
	Pad        uint32 `c:"__pad"`
}

// DeleteReq is struct dios_delete_req.
type DeleteReq struct {
	Flags uint64
	Ref   uint64
}

// NameReq is struct dios_name_req.
type NameReq struct {
	Flags uint64
	Ref   uint64
	Name  Name
}

// TaskSelfReq is struct dios_task_self_req.
type TaskSelfReq struct {
	Flags uint64
	Ref   uint64
}

// IOReq is struct dios_io_req.
type IOReq struct {
	Flags   uint64
	Ref     uint64
	Len     uint64
	Offset  uint64
	Addr    uint64
	Refs    unsafe.Pointer
	NRefs   uint32 `c:"n_refs"`
	Pad     uint32 `c:"__pad"`
	SrcRef  uint64 `c:"src_ref"`
	NextLen uint64 `c:"next_len"`
	Done    uint32
	Pad2    uint32 `c:"__pad2"`
}

// XferReq is struct dios_xfer_req.
type XferReq struct {
	Flags   uint64
	SendRef uint64         `c:"send_ref"`
	SendBuf unsafe.Pointer `c:"send_buf"`
	SendLen uint64         `c:"send_len"`
	RecvRef uint64         `c:"recv_ref"`
	RecvBuf unsafe.Pointer `c:"recv_buf"`
	RecvLen uint64         `c:"recv_len"`
	Done    uint32
	Pad     uint32 `c:"__pad"`
}

// XferBatchReq is struct dios_xfer_batch_req.
type XferBatchReq struct {
	Flags   uint64
	Reqs    unsafe.Pointer
	N       uint32
	ReqSize uint32 `c:"req_size"`
	Count   uint32
	Error   uint32
}

// RingKern is struct dios_ring_kern.
type RingKern struct {
	Magic    uint32
	Flags    uint32
	Rwake    uint32
	Wwake    uint32
	RingSize uint64 `c:"ring_size"`
	Capacity uint64
}

// RingPos is struct dios_ring_pos.
type RingPos struct {
	Pos uint64
}

// RingFrame is struct dios_ring_frame.
type RingFrame struct {
	Len   uint32
	Flags uint32
}

// RingReq is struct dios_ring_req.
type RingReq struct {
	Flags    uint64
	Op       uint32
	Side     uint32
	Ref      uint64
	Pos      uint64
	WakeRef  uint64 `c:"wake_ref"`
	Addr     uint64
	Own      uint64
	RingSize uint64 `c:"ring_size"`
	Refs     uint64
	NRefs    uint32 `c:"n_refs"`
	Pad      uint32 `c:"__pad"`
}

// Ring streams (docs/ring.md) and batches.
const (
	XferWaitForOne = 1 << 10
	XferBatchMax   = 1024
	RingCtlPages   = 3
	RingMagic      = 0x52534f44
	RingZombie     = 1 << 0
	RingNoReaders  = 1 << 1
	RingNoWriters  = 1 << 2
	RingAttach     = 1
	RingDetach     = 2
	RingWait       = 3
	RingWake       = 4
	RingRead       = 1
	RingWrite      = 2
	FeatXferBatch  = 1 << 13
	FeatRing       = 1 << 14
)

// References on ring streams (ABI 1.5).
const (
	FeatRingRefs    = 1 << 15
	RingFrameRefs   = 1 << 0
	RingPushRefs    = 5
	RingTakeRefs    = 6
	RingCommitRefs  = 7
	RingReleaseRefs = 8
	RingReqSizeVer0 = 64
)

// SelectReq is struct dios_select_req.
type SelectReq struct {
	Flags      uint64
	Refs       unsafe.Pointer
	N          uint32
	Events     uint32
	TimeoutNs  int64  `c:"timeout_ns"`
	ReadyIndex uint32 `c:"ready_index"`
	Pad        uint32 `c:"__pad"`
}

// InterestReq is struct dios_interest_req.
type InterestReq struct {
	Flags  uint64
	Ref    uint64
	Events uint32
	Pad    uint32 `c:"__pad"`
	Cookie uint64
}

// InterestEvent is struct dios_interest_event.
type InterestEvent struct {
	Cookie uint64
	Events uint32
	Pad    uint32 `c:"__pad"`
}

// InterestWaitReq is struct dios_interest_wait_req.
type InterestWaitReq struct {
	Flags     uint64
	Events    unsafe.Pointer
	Max       uint32
	Count     uint32
	TimeoutNs int64 `c:"timeout_ns"`
}

// RunReq is struct dios_run_req.
type RunReq struct {
	Flags    uint64
	Refs     unsafe.Pointer
	Rights   unsafe.Pointer
	Task     uint64
	Pid      uint32
	NRefs    uint32 `c:"n_refs"`
	Capacity uint64
	ChanTx   uint64 `c:"chan_tx"`
	ChanRx   uint64 `c:"chan_rx"`
}

// TaskRefsReq is struct dios_task_refs_req.
type TaskRefsReq struct {
	Flags uint64
	Refs  unsafe.Pointer
	N     uint32
	Pad   uint32 `c:"__pad"`
}

// TaskReq is struct dios_task_req.
type TaskReq struct {
	Flags uint64
	Task  uint64
}

// TaskWaitReq is struct dios_task_wait_req.
type TaskWaitReq struct {
	Flags  uint64
	Task   uint64
	Status int32
	Pid    uint32
	Reap   uint32
	Pad    uint32 `c:"__pad"`
}

// iowr is _IOWR(DIOS_IOC_MAGIC, nr, size) of asm-generic/ioctl.h (x86,
// arm: 2 direction bits at 30, 14 size bits at 16).
func iowr(nr, size uintptr) uintptr {
	return 3<<30 | size<<16 | IOCMagic<<8 | nr
}

// The ioctl numbers, each with its request's size.
var (
	IOCVersion      = iowr(0x00, unsafe.Sizeof(VersionReq{}))
	IOCCreate       = iowr(0x01, unsafe.Sizeof(CreateReq{}))
	IOCLookup       = iowr(0x02, unsafe.Sizeof(LookupReq{}))
	IOCPublish      = iowr(0x03, unsafe.Sizeof(PublishReq{}))
	IOCDup          = iowr(0x04, unsafe.Sizeof(DupReq{}))
	IOCCopy         = iowr(0x05, unsafe.Sizeof(CopyReq{}))
	IOCDelete       = iowr(0x06, unsafe.Sizeof(DeleteReq{}))
	IOCName         = iowr(0x07, unsafe.Sizeof(NameReq{}))
	IOCTaskSelf     = iowr(0x08, unsafe.Sizeof(TaskSelfReq{}))
	IOCAcquireRead  = iowr(0x10, unsafe.Sizeof(IOReq{}))
	IOCCommitRead   = iowr(0x11, unsafe.Sizeof(IOReq{}))
	IOCReleaseRead  = iowr(0x12, unsafe.Sizeof(IOReq{}))
	IOCAcquireWrite = iowr(0x13, unsafe.Sizeof(IOReq{}))
	IOCCommitWrite  = iowr(0x14, unsafe.Sizeof(IOReq{}))
	IOCReleaseWrite = iowr(0x15, unsafe.Sizeof(IOReq{}))
	IOCXfer         = iowr(0x16, unsafe.Sizeof(XferReq{}))
	IOCSelect       = iowr(0x20, unsafe.Sizeof(SelectReq{}))
	IOCInterest     = iowr(0x21, unsafe.Sizeof(InterestReq{}))
	IOCInterestWait = iowr(0x22, unsafe.Sizeof(InterestWaitReq{}))
	IOCRun          = iowr(0x30, unsafe.Sizeof(RunReq{}))
	IOCTaskRefs     = iowr(0x31, unsafe.Sizeof(TaskRefsReq{}))
	IOCPause        = iowr(0x32, unsafe.Sizeof(TaskReq{}))
	IOCResume       = iowr(0x33, unsafe.Sizeof(TaskReq{}))
	IOCTaskWait     = iowr(0x34, unsafe.Sizeof(TaskWaitReq{}))
	IOCXferBatch    = iowr(0x17, unsafe.Sizeof(XferBatchReq{}))
	IOCRing         = iowr(0x18, unsafe.Sizeof(RingReq{}))
)

// Ioctl is one raw ioctl on the context descriptor: 0, or the errno. The
// request must stay reachable for the call (it does: arg is an
// unsafe.Pointer converted in the call itself).
func Ioctl(fd uintptr, cmd uintptr, arg unsafe.Pointer) syscall.Errno {
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, cmd, uintptr(arg))
	return e
}

// Structs names the Go mirror of each struct of the header, for cgen.
var Structs = map[string]interface{}{
	"dios_name":              Name{},
	"dios_create_args":       CreateArgs{},
	"dios_ref_info":          RefInfo{},
	"dios_meta_header":       MetaHeader{},
	"dios_ref_meta":          RefMeta{},
	"dios_version_req":       VersionReq{},
	"dios_create_req":        CreateReq{},
	"dios_lookup_req":        LookupReq{},
	"dios_publish_req":       PublishReq{},
	"dios_dup_req":           DupReq{},
	"dios_copy_req":          CopyReq{},
	"dios_delete_req":        DeleteReq{},
	"dios_name_req":          NameReq{},
	"dios_task_self_req":     TaskSelfReq{},
	"dios_io_req":            IOReq{},
	"dios_xfer_req":          XferReq{},
	"dios_select_req":        SelectReq{},
	"dios_interest_req":      InterestReq{},
	"dios_interest_event":    InterestEvent{},
	"dios_interest_wait_req": InterestWaitReq{},
	"dios_run_req":           RunReq{},
	"dios_task_refs_req":     TaskRefsReq{},
	"dios_task_req":          TaskReq{},
	"dios_task_wait_req":     TaskWaitReq{},
	"dios_xfer_batch_req":    XferBatchReq{},
	"dios_ring_kern":         RingKern{},
	"dios_ring_pos":          RingPos{},
	"dios_ring_frame":        RingFrame{},
	"dios_ring_req":          RingReq{},
}

// Consts gives each constant of the header its Go value, for cgen.
var Consts = map[string]uint64{
	"DIOS_ABI_MAJOR": ABIMajor, "DIOS_ABI_MINOR": ABIMinor,
	"DIOS_OBJ_PRIVMEM": ObjPrivmem, "DIOS_OBJ_SHMEM": ObjShmem,
	"DIOS_OBJ_BLOB": ObjBlob, "DIOS_OBJ_STREAM": ObjStream,
	"DIOS_OBJ_TASK": ObjTask, "DIOS_OBJ_GROUP": ObjGroup,
	"DIOS_RIGHT_READ": RightRead, "DIOS_RIGHT_WRITE": RightWrite,
	"DIOS_RIGHT_COPY": RightCopy, "DIOS_RIGHT_DELETE": RightDelete,
	"DIOS_RIGHT_NAME": RightName, "DIOS_RIGHTS_ALL": RightsAll,
	"DIOS_CREATE_ANON": CreateAnon, "DIOS_CREATE_NAME_GIVEN": CreateNameGiven,
	"DIOS_DELETE_ZOMBIFY": DeleteZombify, "DIOS_NONBLOCK": NonBlock,
	"DIOS_IO_REARM": IORearm, "DIOS_IO_REFS": IORefs,
	"DIOS_IO_FORWARD": IOForward, "DIOS_IO_OVERWRITE": IOOverwrite,
	"DIOS_XFER_SEND": XferSend, "DIOS_XFER_RECV": XferRecv,
	"DIOS_INTEREST_ADD": InterestAdd, "DIOS_INTEREST_MOD": InterestMod,
	"DIOS_INTEREST_DEL": InterestDel, "DIOS_RUN_CHAN": RunChan,
	"DIOS_TASK_REAP": TaskReap, "DIOS_EV_READ": EvRead,
	"DIOS_EV_WRITE": EvWrite, "DIOS_REF_LIVE": RefLive,
	"DIOS_REF_ZOMBIE": RefZombie, "DIOS_IO_DONE_COMMIT": IODoneCommit,
	"DIOS_IO_DONE_ACQUIRE": IODoneAcquire, "DIOS_MMAP_META": MmapMeta,
	"DIOS_META_MAGIC": MetaMagic, "DIOS_IO_REQ_SIZE_VER0": IOReqSizeVer0,
	"DIOS_RUN_REQ_SIZE_VER0": RunReqSizeVer0,
	"DIOS_RUN_CHAN_FAR_RX":   RunChanFarRx, "DIOS_RUN_CHAN_FAR_TX": RunChanFarTx,
	"DIOS_RUN_CHAN_OWN_TX": RunChanOwnTx, "DIOS_RUN_CHAN_OWN_RX": RunChanOwnRx,
	"DIOS_PROX_LOCAL": ProxLocal, "DIOS_IOC_MAGIC": IOCMagic,
	"DIOS_FEAT_OBJECTS": FeatObjects, "DIOS_FEAT_META_MAP": FeatMetaMap,
	"DIOS_FEAT_GROUPS": FeatGroups, "DIOS_FEAT_IO_MEM": FeatIOMem,
	"DIOS_FEAT_IO_BLOB": FeatIOBlob, "DIOS_FEAT_IO_STREAM": FeatIOStream,
	"DIOS_FEAT_IO_REFS": FeatIORefs, "DIOS_FEAT_IO_FORWARD": FeatIOForward,
	"DIOS_FEAT_SELECT": FeatSelect, "DIOS_FEAT_TASKS": FeatTasks,
	"DIOS_FEAT_IO_XFER": FeatIOXfer, "DIOS_FEAT_RUN_CHAN": FeatRunChan,
	"DIOS_FEAT_IO_DONE": FeatIODone,
	"DIOS_IOC_VERSION":  uint64(IOCVersion), "DIOS_IOC_CREATE": uint64(IOCCreate),
	"DIOS_IOC_LOOKUP": uint64(IOCLookup), "DIOS_IOC_PUBLISH": uint64(IOCPublish),
	"DIOS_IOC_DUP": uint64(IOCDup), "DIOS_IOC_COPY": uint64(IOCCopy),
	"DIOS_IOC_DELETE": uint64(IOCDelete), "DIOS_IOC_NAME": uint64(IOCName),
	"DIOS_IOC_TASK_SELF":     uint64(IOCTaskSelf),
	"DIOS_IOC_ACQUIRE_READ":  uint64(IOCAcquireRead),
	"DIOS_IOC_COMMIT_READ":   uint64(IOCCommitRead),
	"DIOS_IOC_RELEASE_READ":  uint64(IOCReleaseRead),
	"DIOS_IOC_ACQUIRE_WRITE": uint64(IOCAcquireWrite),
	"DIOS_IOC_COMMIT_WRITE":  uint64(IOCCommitWrite),
	"DIOS_IOC_RELEASE_WRITE": uint64(IOCReleaseWrite),
	"DIOS_IOC_XFER":          uint64(IOCXfer),
	"DIOS_IOC_SELECT":        uint64(IOCSelect),
	"DIOS_IOC_INTEREST":      uint64(IOCInterest),
	"DIOS_IOC_INTEREST_WAIT": uint64(IOCInterestWait),
	"DIOS_IOC_RUN":           uint64(IOCRun),
	"DIOS_IOC_TASK_REFS":     uint64(IOCTaskRefs),
	"DIOS_IOC_PAUSE":         uint64(IOCPause),
	"DIOS_IOC_RESUME":        uint64(IOCResume),
	"DIOS_IOC_TASK_WAIT":     uint64(IOCTaskWait),
	"DIOS_IOC_XFER_BATCH":    uint64(IOCXferBatch),
	"DIOS_IOC_RING":          uint64(IOCRing),
	"DIOS_CREATE_RING":       CreateRing,
	"DIOS_XFER_WAITFORONE":   XferWaitForOne,
	"DIOS_XFER_BATCH_MAX":    XferBatchMax,
	"DIOS_FEAT_XFER_BATCH":   FeatXferBatch,
	"DIOS_FEAT_RING":         FeatRing,
	"DIOS_RING_CTL_PAGES":    RingCtlPages,
	"DIOS_RING_MAGIC":        RingMagic,
	"DIOS_RING_ZOMBIE":       RingZombie,
	"DIOS_RING_NO_READERS":   RingNoReaders,
	"DIOS_RING_NO_WRITERS":   RingNoWriters,
	"DIOS_RING_ATTACH":       RingAttach,
	"DIOS_RING_DETACH":       RingDetach,
	"DIOS_RING_WAIT":         RingWait,
	"DIOS_RING_WAKE":         RingWake,
	"DIOS_RING_READ":         RingRead,
	"DIOS_RING_WRITE":        RingWrite,
	"DIOS_FEAT_RING_REFS":    FeatRingRefs, "DIOS_RING_FRAME_REFS": RingFrameRefs,
	"DIOS_RING_PUSH_REFS": RingPushRefs, "DIOS_RING_TAKE_REFS": RingTakeRefs,
	"DIOS_RING_COMMIT_REFS":   RingCommitRefs,
	"DIOS_RING_RELEASE_REFS":  RingReleaseRefs,
	"DIOS_RING_REQ_SIZE_VER0": RingReqSizeVer0,
}
