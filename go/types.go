// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios

import (
	"encoding/hex"
	"strings"
	"syscall"

	"dios.example/dios/internal/uapi"
)

// Rights of a reference (DIOS_RIGHT_*). Delegation keeps or drops them,
// never adds.
type Rights uint64

// The rights.
const (
	RightRead   Rights = uapi.RightRead
	RightWrite  Rights = uapi.RightWrite
	RightCopy   Rights = uapi.RightCopy
	RightDelete Rights = uapi.RightDelete
	RightName   Rights = uapi.RightName
	RightsAll   Rights = uapi.RightsAll
)

// String is the rights as letters, "rwcdn" order, "-" for one missing.
func (r Rights) String() string {
	const letters = "rwcdn"
	var b strings.Builder
	for i := 0; i < len(letters); i++ {
		if r&(1<<uint(i)) != 0 {
			b.WriteByte(letters[i])
		} else {
			b.WriteByte('-')
		}
	}
	if r&^RightsAll != 0 {
		b.WriteString("+?")
	}
	return b.String()
}

// Type of an object (DIOS_OBJ_*).
type Type uint32

// The object types.
const (
	Privmem Type = uapi.ObjPrivmem
	Shmem   Type = uapi.ObjShmem
	Blob    Type = uapi.ObjBlob
	Stream  Type = uapi.ObjStream
	Task    Type = uapi.ObjTask
	Group   Type = uapi.ObjGroup
)

func (t Type) String() string {
	switch t {
	case Privmem:
		return "PRIVMEM"
	case Shmem:
		return "SHMEM"
	case Blob:
		return "BLOB"
	case Stream:
		return "STREAM"
	case Task:
		return "TASK"
	case Group:
		return "GROUP"
	}
	return "type?"
}

// Flags of the I/O steps (DIOS_NONBLOCK, DIOS_IO_*), as docs/io.md gives
// them for each step.
type Flags uint64

// The I/O flags.
const (
	NonBlock  Flags = uapi.NonBlock
	Rearm     Flags = uapi.IORearm
	WithRefs  Flags = uapi.IORefs
	Forward   Flags = uapi.IOForward
	Overwrite Flags = uapi.IOOverwrite
)

// Events of select (DIOS_EV_*).
type Events uint32

// The events.
const (
	EvRead  Events = uapi.EvRead
	EvWrite Events = uapi.EvWrite
)

// Name is a 256-bit object name.
type Name [uapi.NameLen]byte

// String is the name as 64 lowercase hex digits (dios_name_to_str).
func (n Name) String() string { return hex.EncodeToString(n[:]) }

// IsZero says whether the name is all zero (an anonymous object's).
func (n Name) IsZero() bool { return n == Name{} }

// ParseName reads 64 hex digits, either case (dios_name_from_str): EINVAL
// for anything else.
func ParseName(s string) (Name, error) {
	var n Name
	if len(s) != 2*len(n) {
		return Name{}, mkerr("parse name", syscall.EINVAL)
	}
	if _, err := hex.Decode(n[:], []byte(s)); err != nil {
		return Name{}, mkerr("parse name", syscall.EINVAL)
	}
	return n, nil
}

// MarshalText and UnmarshalText make a Name text (flags, JSON).
func (n Name) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (n *Name) UnmarshalText(b []byte) error {
	v, err := ParseName(string(b))
	if err == nil {
		*n = v
	}
	return err
}
