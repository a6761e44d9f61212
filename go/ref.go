// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"

	"dios.example/dios/internal/uapi"
)

// Ref is a reference: a handle in a context's table, with rights. Close
// deletes it. A Ref is safe for concurrent use; once closed, every call on
// it fails with EBADF without reaching the module.
type Ref struct {
	c *Context
	h atomic.Uint64 // 0 once closed
}

// Adopt wraps a handle of this context that came from elsewhere (TaskRefs,
// a message's references) in a Ref, which then owns it.
func (c *Context) Adopt(handle uint64) *Ref {
	r := &Ref{c: c}
	r.h.Store(handle)
	return r
}

// Handle is the raw handle (0 once closed).
func (r *Ref) Handle() uint64 { return r.h.Load() }

// Context is the context the reference lives in.
func (r *Ref) Context() *Context { return r.c }

// handle is the live handle, or EBADF.
func (r *Ref) handle(op string) (uint64, error) {
	if r == nil {
		return 0, mkerr(op, syscall.EBADF)
	}
	if h := r.h.Load(); h != 0 {
		return h, nil
	}
	return 0, mkerr(op, syscall.EBADF)
}

func (r *Ref) del(op string, flags uint64) error {
	h := r.h.Swap(0)
	if h == 0 {
		return mkerr(op, syscall.EBADF)
	}
	req := uapi.DeleteReq{Flags: flags, Ref: h}
	err := r.c.ioctl(op, uapi.IOCDelete, unsafe.Pointer(&req))
	if err != nil && flags != 0 && Errno(err) != syscall.EBADF {
		r.h.Store(h) // refused (EACCES, EPERM): the reference stays
		return err
	}
	r.c.poll.forget(h)
	return err
}

// Close deletes the reference (dios_delete): its buffers are released and
// its views unmapped, and goroutines waiting on it return EBADF.
func (r *Ref) Close() error { return r.del("delete", 0) }

// Zombify kills the object (DIOS_DELETE_ZOMBIFY, needs DELETE) and deletes
// this reference; every other reference reports it a zombie and its
// operations fail with EIDRM.
func (r *Ref) Zombify() error { return r.del("zombify", uapi.DeleteZombify) }

// Dup is a new reference to the same object with a subset of the rights
// (needs COPY).
func (r *Ref) Dup(rights Rights) (*Ref, error) {
	h, err := r.handle("dup")
	if err != nil {
		return nil, err
	}
	req := uapi.DupReq{Ref: h, Rights: uint64(rights)}
	if err := r.c.ioctl("dup", uapi.IOCDup, unsafe.Pointer(&req)); err != nil {
		return nil, err
	}
	return r.c.Adopt(req.NewRef), nil
}

// RefInfo is the public metadata of a reference (struct dios_ref_info).
type RefInfo struct {
	Type        Type
	Zombie      bool
	Rights      Rights
	Size        uint64 // object size, or stream capacity
	ReadBufMax  uint64 // largest read buffer, 0 if not readable
	WriteBufMax uint64 // largest write buffer, 0 if not writable
	Proximity   uint32
	HasName     bool
}

// Info reads the reference's metadata from the context's read-only map,
// without a system call (dios_ref_info).
func (r *Ref) Info() (RefInfo, error) {
	h, err := r.handle("ref info")
	if err != nil {
		return RefInfo{}, err
	}
	i, err := r.c.refInfo(h)
	if err != nil {
		return RefInfo{}, err
	}
	return RefInfo{Type(i.Type), i.State == uapi.RefZombie, Rights(i.Rights),
		i.Size, i.ReadBufMax, i.WriteBufMax, i.Proximity, i.HasName != 0}, nil
}

// Name is the object's name (needs NAME; ENODATA if anonymous).
func (r *Ref) Name() (Name, error) {
	h, err := r.handle("name")
	if err != nil {
		return Name{}, err
	}
	req := uapi.NameReq{Ref: h}
	if err := r.c.ioctl("name", uapi.IOCName, unsafe.Pointer(&req)); err != nil {
		return Name{}, err
	}
	return Name(req.Name.Raw), nil
}

// Publish names an anonymous object in group (nil: the global group); a
// lookup of the name grants nameRights (0: the caller's rights). Needs
// NAME on the reference, WRITE on the group.
func (r *Ref) Publish(group *Ref, nameRights Rights) (Name, error) {
	h, err := r.handle("publish")
	if err != nil {
		return Name{}, err
	}
	req := uapi.PublishReq{Ref: h, NameRights: uint64(nameRights)}
	if req.Group, err = optHandle("publish", group); err != nil {
		return Name{}, err
	}
	if err := r.c.ioctl("publish", uapi.IOCPublish, unsafe.Pointer(&req)); err != nil {
		return Name{}, err
	}
	return Name(req.Name.Raw), nil
}

// optHandle is the handle of an optional reference: 0 for nil.
func optHandle(op string, r *Ref) (uint64, error) {
	if r == nil {
		return 0, nil
	}
	return r.handle(op)
}

// CreateOpts are the arguments of Create (struct dios_create_args and the
// flags).
type CreateOpts struct {
	Anon       bool   // DIOS_CREATE_ANON: no name, never in a table
	Name       *Name  // DIOS_CREATE_NAME_GIVEN: this name
	Size       uint64 // PRIVMEM, SHMEM, BLOB: bytes
	Capacity   uint64 // STREAM: bytes of message space
	Group      *Ref   // the group named into; nil: the global group
	NameRights Rights // what a lookup grants; 0: all
}

// Create makes an object of type t and returns a reference with every
// right and its name (zero if anonymous).
func (c *Context) Create(t Type, o CreateOpts) (*Ref, Name, error) {
	req := uapi.CreateReq{Type: uint32(t)}
	req.Args.Size = o.Size
	req.Args.Capacity = o.Capacity
	req.Args.NameRights = uint64(o.NameRights)
	if o.Anon {
		req.Flags |= uapi.CreateAnon
	}
	if o.Name != nil {
		req.Flags |= uapi.CreateNameGiven
		req.Args.Name.Raw = *o.Name
	}
	var err error
	if req.Args.Group, err = optHandle("create", o.Group); err != nil {
		return nil, Name{}, err
	}
	if err := c.ioctl("create", uapi.IOCCreate, unsafe.Pointer(&req)); err != nil {
		return nil, Name{}, err
	}
	return c.Adopt(req.Ref), Name(req.Name.Raw), nil
}

// NewStream makes an anonymous stream of capacity bytes.
func (c *Context) NewStream(capacity uint64) (*Ref, error) {
	r, _, err := c.Create(Stream, CreateOpts{Anon: true, Capacity: capacity})
	return r, err
}

// Lookup resolves a name in group (nil: the global group); the reference
// has the rights the name grants.
func (c *Context) Lookup(name Name, group *Ref) (*Ref, error) {
	req := uapi.LookupReq{Name: uapi.Name{Raw: name}}
	var err error
	if req.Group, err = optHandle("lookup", group); err != nil {
		return nil, err
	}
	if err := c.ioctl("lookup", uapi.IOCLookup, unsafe.Pointer(&req)); err != nil {
		return nil, err
	}
	return c.Adopt(req.Ref), nil
}

// TaskSelf is a reference to this context's own task object.
func (c *Context) TaskSelf() (*Ref, error) {
	var req uapi.TaskSelfReq
	if err := c.ioctl("task self", uapi.IOCTaskSelf, unsafe.Pointer(&req)); err != nil {
		return nil, err
	}
	return c.Adopt(req.Ref), nil
}

// TaskRefs are the references dios_run delegated to this task, in their
// order (none for a task dios_run did not start; dios_task_refs).
func (c *Context) TaskRefs() ([]*Ref, error) {
	var req uapi.TaskRefsReq
	if err := c.ioctl("task refs", uapi.IOCTaskRefs, unsafe.Pointer(&req)); err != nil {
		return nil, err
	}
	if req.N == 0 {
		return nil, nil
	}
	hs := make([]uint64, req.N)
	req.Refs = unsafe.Pointer(&hs[0])
	if err := c.ioctl("task refs", uapi.IOCTaskRefs, unsafe.Pointer(&req)); err != nil {
		return nil, err
	}
	refs := make([]*Ref, req.N)
	for i := range refs {
		refs[i] = c.Adopt(hs[i])
	}
	return refs, nil
}

// Copy delegates refs to the task behind the TASK reference task (needs
// COPY on each, WRITE on the task), each with rights[i] (nil: keep their
// rights); all or nothing. It returns the handles as the target sees them.
func (c *Context) Copy(task *Ref, refs []*Ref, rights []Rights) ([]uint64, error) {
	t, err := task.handle("copy")
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 || (rights != nil && len(rights) != len(refs)) {
		return nil, mkerr("copy", syscall.EINVAL)
	}
	hs := make([]uint64, len(refs))
	remote := make([]uint64, len(refs))
	for i, r := range refs {
		if hs[i], err = r.handle("copy"); err != nil {
			return nil, err
		}
	}
	req := uapi.CopyReq{Task: t, Refs: unsafe.Pointer(&hs[0]),
		RemoteRefs: unsafe.Pointer(&remote[0]), N: uint32(len(refs))}
	if rights != nil {
		rs := make([]uint64, len(rights))
		for i, x := range rights {
			rs[i] = uint64(x)
		}
		req.Rights = unsafe.Pointer(&rs[0])
		defer runtime.KeepAlive(rs)
	}
	if err := c.ioctl("copy", uapi.IOCCopy, unsafe.Pointer(&req)); err != nil {
		return nil, err
	}
	return remote, nil
}
