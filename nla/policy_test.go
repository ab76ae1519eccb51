package nla

import (
	"syscall"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	attr := func(flags uint16, p ...byte) Attr { return Attr{Type: 1, Flags: flags, Payload: p} }
	for _, c := range []struct {
		name   string
		p      Policy
		a      Attr
		strict bool
		want   syscall.Errno
	}{
		{"u8", Policy{Type: PolicyU8}, attr(0, 7), false, 0},
		{"u8 empty", Policy{Type: PolicyU8}, attr(0), false, syscall.ERANGE},
		{"u8 long, liberal", Policy{Type: PolicyU8}, attr(0, 7, 0), false, 0},
		{"u8 long, strict", Policy{Type: PolicyU8}, attr(0, 7, 0), true, syscall.EINVAL},
		{"u8 at max", Policy{Type: PolicyU8, Max: 14, HasMax: true}, attr(0, 14), false, 0},
		{"u8 past max", Policy{Type: PolicyU8, Max: 14, HasMax: true}, attr(0, 15), false, syscall.ERANGE},
		{"u16 short", Policy{Type: PolicyU16}, attr(0, 1), false, syscall.ERANGE},
		{"u32 big-endian max", Policy{Type: PolicyU32, Max: 1, HasMax: true}, attr(0, 0, 0, 0, 1), false, 0},
		{"u32 past max", Policy{Type: PolicyU32, Max: 1, HasMax: true}, attr(0, 0, 0, 0, 2), false, syscall.ERANGE},
		{"u32 in mask", Policy{Type: PolicyU32, Mask: 7}, attr(0, 0, 0, 0, 7), false, 0},
		{"u32 outside mask", Policy{Type: PolicyU32, Mask: 7}, attr(0, 0, 0, 0, 8), false, syscall.EINVAL},
		{"value with NLA_F_NESTED, strict", Policy{Type: PolicyU8}, attr(FlagNested, 1), true, syscall.EINVAL},
		{"nest without NLA_F_NESTED, liberal", Policy{Type: PolicyNested}, attr(0, 4, 0, 1, 0), false, 0},
		{"nest without NLA_F_NESTED, strict", Policy{Type: PolicyNested}, attr(0, 4, 0, 1, 0), true, syscall.EINVAL},
		{"nest shorter than a header", Policy{Type: PolicyNested}, attr(FlagNested, 1, 2), false, syscall.ERANGE},
		{"empty nest", Policy{Type: PolicyNested}, attr(FlagNested), false, 0},
		{"string", Policy{Type: PolicyString, Len: 3}, attr(0, 'f', 't', 'p', 0), false, 0},
		{"string without NUL", Policy{Type: PolicyString, Len: 3}, attr(0, 'f', 't', 'p'), false, syscall.EINVAL},
		{"string with no NUL within its bound", Policy{Type: PolicyString, Len: 2}, attr(0, 'f', 't', 'p', 0), false, syscall.EINVAL},
		{"string too long after an early NUL", Policy{Type: PolicyString, Len: 2}, attr(0, 'f', 0, 't', 'p', 0), false, syscall.ERANGE},
		{"empty string", Policy{Type: PolicyString}, attr(0), false, syscall.EINVAL},
		{"binary at bound", Policy{Type: PolicyBinary, Len: 2}, attr(0, 1, 2), false, 0},
		{"binary past bound", Policy{Type: PolicyBinary, Len: 2}, attr(0, 1, 2, 3), false, syscall.ERANGE},
		{"min length met", Policy{Type: PolicyMinLen, Len: 2}, attr(0, 1, 2), false, 0},
		{"min length short", Policy{Type: PolicyMinLen, Len: 2}, attr(0, 1), false, syscall.ERANGE},
		{"reject", Policy{Type: PolicyReject}, attr(0, 1), false, syscall.EINVAL},
		{"not in the policy", Policy{}, attr(0, 1, 2, 3), true, 0},
	} {
		reason, errno := c.p.Check(c.a, c.strict)
		if errno != c.want || (errno == 0) != (reason == "") {
			t.Errorf("%s: Check = %q, %v; want errno %v", c.name, reason, errno, c.want)
		}
	}
}
