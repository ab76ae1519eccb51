package conntrack

import (
	"github.com/ctwire/ctwire/nla"
)

// String returns the set flags as conntrack-tools prints them, joined by
// ',' ("PERMANENT,INACTIVE"); unknown bits appear as one hex number; no
// flags give "0".
func (f ExpectFlags) String() string {
	b := appendBits(make([]byte, 0, 32), uint64(f), expectFlagNames)
	for i, c := range b {
		if c == '|' {
			b[i] = ','
		}
	}
	return string(b)
}

// MaxExpectFnLen is the longest expectation function name an [ExpectFn]
// holds ("nat-follow-master" is 17 bytes).
const MaxExpectFnLen = 31

// ExpectFn is the name of an expectation's callback (CTA_EXPECT_FN, e.g.
// "nat-follow-master"), held inline. The zero value is the empty name.
type ExpectFn struct {
	n uint8
	b [MaxExpectFnLen]byte
}

// MakeExpectFn returns s as an ExpectFn, or [ErrTooLong].
func MakeExpectFn(s string) (ExpectFn, error) {
	var f ExpectFn
	if !f.setBytes([]byte(s)) {
		return ExpectFn{}, ErrTooLong
	}
	return f, nil
}

func (f *ExpectFn) setBytes(b []byte) bool {
	if len(b) > len(f.b) {
		return false
	}
	f.n = uint8(copy(f.b[:], b))
	clear(f.b[f.n:])
	return true
}

// Len returns the length of the name in bytes.
func (f ExpectFn) Len() int { return int(f.n) }

// String returns the name.
func (f ExpectFn) String() string { return string(f.b[:f.n]) }

// AppendText appends the name to b. It never fails.
func (f ExpectFn) AppendText(b []byte) ([]byte, error) { return append(b, f.b[:f.n]...), nil }

// ExpectNAT is the CTA_EXPECT_NAT nest: the direction and the tuple the
// expected connection is to be NATed to. Present has bit 1<<T for each
// ExpectNATAttr* type T.
type ExpectNAT struct {
	// Dir is CTA_EXPECT_NAT_DIR: 0 for the original direction, 1 for reply.
	Dir uint32
	// Tuple is CTA_EXPECT_NAT_TUPLE: the saved address (as Src) and the
	// saved layer-4 fields.
	Tuple   Tuple
	Present AttrSet
}

// Expect is one expectation: the body of an expectation dump or GET reply
// (IPCTNL_MSG_EXP_NEW, 0x0200), of an expectation event (0x0200 new,
// 0x0202 destroy), or of an expectation request. It is a comparable value.
//
// An attribute is present when its field holds a non-zero value, or when
// its bit is in Present whatever the value.
type Expect struct {
	// Family is the layer-3 family from the nfgenmsg header.
	Family Family

	Master Tuple // CTA_EXPECT_MASTER: the master's original tuple
	Tuple  Tuple // CTA_EXPECT_TUPLE: the expected connection
	// Mask is CTA_EXPECT_MASK, a tuple-shaped mask: the address mask,
	// the real protocol number and the source layer-4 mask; the kernel
	// fills the destination fields with 0xff.
	Mask Tuple

	Timeout uint32      // CTA_EXPECT_TIMEOUT: remaining lifetime in seconds
	ID      uint32      // CTA_EXPECT_ID: opaque 32-bit hash
	Helper  HelperName  // CTA_EXPECT_HELP_NAME: the master's helper
	Zone    uint16      // CTA_EXPECT_ZONE (input only)
	Flags   ExpectFlags // CTA_EXPECT_FLAGS
	Class   uint32      // CTA_EXPECT_CLASS
	NAT     ExpectNAT   // CTA_EXPECT_NAT
	Fn      ExpectFn    // CTA_EXPECT_FN

	// Present is the set of top-level attributes present.
	Present AttrSet
	// Extra holds attributes the decoder did not interpret, kept when
	// [Decoder.Keep] is set and re-emitted at their original positions.
	Extra Extras
}

// DecodeExpect decodes the attributes read by s (those after the nfgenmsg
// header of an expectation message) into e, replacing every field but
// e.Family. Decoding is lenient as for flows: unknown types are skipped
// (kept with d.Keep), zero-length attributes ignored, the last duplicate
// wins. d.Only does not apply. On error e is left unchanged and the error
// is an [*Error] whose path is read in [SpaceExpect]. DecodeExpect
// allocates nothing unless d.Keep finds attributes to keep.
func (d Decoder) DecodeExpect(s nla.Scanner, e *Expect) error {
	if err := s.Err(); err != nil {
		return wrapErr(SpaceExpect, err)
	}
	t := Expect{Family: e.Family}
	st := dec{keep: d.Keep, big: bigOrder(s.Order())}
	b := s.Rest()
	if err := st.decExpect(b, s.Offset(), &t); err != nil {
		return wrapErr(SpaceExpect, withinPath(err, s.Path()))
	}
	if d.Keep {
		st.keepWalk(kindExpect, b, s.Path(), 0)
	}
	t.Extra = Extras(st.extra)
	*e = t
	return nil
}

// AppendAttrs appends the attributes of e present in e.Present in the
// kernel's order (ctnetlink_exp_dump_expect): CTA_EXPECT_TUPLE,
// CTA_EXPECT_MASK, CTA_EXPECT_MASTER, CTA_EXPECT_NAT {DIR, TUPLE},
// CTA_EXPECT_TIMEOUT, CTA_EXPECT_ID, CTA_EXPECT_FLAGS, CTA_EXPECT_CLASS,
// CTA_EXPECT_HELP_NAME, CTA_EXPECT_FN, and then the input-only
// CTA_EXPECT_ZONE. Tuples are encoded as for flows. Kept attributes go
// back to their recorded positions. With enough capacity in dst it
// allocates nothing; on error dst is returned as it was.
func (e *Expect) AppendAttrs(dst []byte) ([]byte, error) {
	w := enc{dst: dst, extra: string(e.Extra)}
	var top level
	w.bodyExpect(&top, e, presentExpect(e))
	w.finish(&top)
	if w.err != nil {
		return dst, w.err
	}
	return w.dst, nil
}
