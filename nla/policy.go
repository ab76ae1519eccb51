package nla

import (
	"encoding/binary"
	"syscall"
)

// PolicyType is the type of a row of a kernel nla_policy array, which
// decides how the kernel's attribute validation (lib/nlattr.c:
// validate_nla) judges an attribute.
type PolicyType uint8

// Policy types.
const (
	PolicyNone   PolicyType = iota // not in the policy: any length
	PolicyU8                       // NLA_U8
	PolicyU16                      // NLA_U16 / NLA_BE16
	PolicyU32                      // NLA_U32 / NLA_BE32 (values read big-endian)
	PolicyNested                   // NLA_NESTED
	PolicyString                   // NLA_NUL_STRING, at most Len bytes (0: no limit)
	PolicyBinary                   // NLA_BINARY, at most Len bytes
	PolicyMinLen                   // NLA_UNSPEC with .len: at least Len bytes
	PolicyReject                   // NLA_REJECT
)

// Policy is one row of a kernel nla_policy array.
type Policy struct {
	Type PolicyType
	// Len is the length bound of PolicyString, PolicyBinary and
	// PolicyMinLen.
	Len int
	// Max, when HasMax, is NLA_POLICY_MAX: larger values give ERANGE.
	Max    uint32
	HasMax bool
	// Mask, when non-zero, is NLA_POLICY_MASK: other bits give EINVAL.
	Mask uint32
}

// Check judges a as the kernel does under policy p, in its liberal mode
// (extra bytes after a fixed-size value and a missing NLA_F_NESTED pass)
// or, with strict, its strict one. It returns "" and 0 for an accepted
// attribute, and otherwise a few words on the fault and the errno the
// kernel answers with (EINVAL or ERANGE).
func (p Policy) Check(a Attr, strict bool) (reason string, errno syscall.Errno) {
	n := len(a.Payload)
	size := 0
	switch p.Type {
	case PolicyU8:
		size = 1
	case PolicyU16:
		size = 2
	case PolicyU32:
		size = 4
	case PolicyNested:
		if strict && !a.Nested() {
			return "NLA_F_NESTED missing", syscall.EINVAL
		}
		if n > 0 && n < HeaderLen {
			return "nest shorter than an attribute header", syscall.ERANGE
		}
		return "", 0
	case PolicyString:
		lim := n
		if p.Len > 0 {
			lim = min(n, p.Len+1)
		}
		nul := -1
		for i, c := range a.Payload[:lim] {
			if c == 0 {
				nul = i
				break
			}
		}
		if lim == 0 || nul < 0 {
			return "string without NUL", syscall.EINVAL
		}
		if l := n; p.Len > 0 {
			if a.Payload[l-1] == 0 {
				l--
			}
			if l > p.Len {
				return "string too long", syscall.ERANGE
			}
		}
		return "", 0
	case PolicyBinary:
		if n > p.Len {
			return "value too long", syscall.ERANGE
		}
		return "", 0
	case PolicyMinLen:
		if n < p.Len {
			return "value too short", syscall.ERANGE
		}
		return "", 0
	case PolicyReject:
		return "attribute not accepted", syscall.EINVAL
	default:
		return "", 0
	}
	if strict && a.Nested() {
		return "NLA_F_NESTED on a value", syscall.EINVAL
	}
	if strict && n != size {
		return "value of the wrong size", syscall.EINVAL
	}
	if n < size {
		return "value too short", syscall.ERANGE
	}
	var x uint32
	switch size {
	case 1:
		x = uint32(a.Payload[0])
	case 2:
		x = uint32(binary.BigEndian.Uint16(a.Payload))
	case 4:
		x = binary.BigEndian.Uint32(a.Payload)
	}
	if p.HasMax && x > p.Max {
		return "value out of range", syscall.ERANGE
	}
	if p.Mask != 0 && x&^p.Mask != 0 {
		return "reserved bit set", syscall.EINVAL
	}
	return "", 0
}
