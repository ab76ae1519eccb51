package nla

import (
	"encoding/binary"
	"iter"
)

// Netlink attribute constants from include/uapi/linux/netlink.h.
const (
	HeaderLen = 4 // NLA_HDRLEN
	Alignment = 4 // NLA_ALIGNTO

	FlagNested       uint16 = 0x8000 // NLA_F_NESTED
	FlagNetByteOrder uint16 = 0x4000 // NLA_F_NET_BYTEORDER
	TypeMask         uint16 = 0x3fff // NLA_TYPE_MASK

	// MaxDepth is the deepest nesting a Scanner descends into. ctnetlink
	// itself never nests deeper than four levels.
	MaxDepth = 16
)

// Align rounds n up to the attribute alignment (NLA_ALIGN).
func Align(n int) int { return (n + Alignment - 1) &^ (Alignment - 1) }

// Attr is one attribute as found by a [Scanner].
type Attr struct {
	// Type is the attribute type with the flag bits masked off.
	Type uint16
	// Flags holds the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits as found.
	Flags uint16
	// Offset is the absolute offset of the attribute header.
	Offset int
	// Payload aliases the scanned buffer; its length is nla_len - 4.
	Payload []byte
}

// Nested reports whether the attribute carries NLA_F_NESTED.
func (a Attr) Nested() bool { return a.Flags&FlagNested != 0 }

// PayloadOffset returns the absolute offset of the payload.
func (a Attr) PayloadOffset() int { return a.Offset + HeaderLen }

// Scanner walks the attributes of one buffer. It is a small value: copy it
// to remember a position. The zero Scanner holds no attributes.
//
//	s := nla.NewScanner(b)
//	for s.Next() {
//		a := s.Attr()
//		...
//	}
//	if err := s.Err(); err != nil { ... }
type Scanner struct {
	b     []byte
	off   int // next header, relative to b
	base  int // absolute offset of b[0]
	order Order
	path  Path // types of the enclosing nests
	attr  Attr
	err   error
}

// NewScanner returns a scanner over b reading headers in host byte order.
func NewScanner(b []byte) Scanner { return Scanner{b: b, order: HostOrder.Resolve()} }

// NewScannerOrder returns a scanner over b whose headers are in byte order
// o and whose offsets are reported relative to base: pass the offset of b
// within the enclosing message so errors point into the whole message.
func NewScannerOrder(b []byte, o Order, base int) Scanner {
	return Scanner{b: b, order: o.Resolve(), base: base}
}

// Next advances to the next attribute. It returns false at the end of the
// buffer or on a malformed attribute; [Scanner.Err] tells which.
func (s *Scanner) Next() bool {
	if s.err != nil {
		return false
	}
	rem := len(s.b) - s.off
	if rem <= 0 {
		return false
	}
	if rem < HeaderLen {
		s.fail(ErrTruncated)
		return false
	}
	h := s.b[s.off:]
	n, t := int(binary.LittleEndian.Uint16(h)), binary.LittleEndian.Uint16(h[2:])
	if s.order.big() {
		n, t = int(binary.BigEndian.Uint16(h)), binary.BigEndian.Uint16(h[2:])
	}
	if n < HeaderLen {
		s.fail(ErrLength)
		return false
	}
	if n > rem {
		s.fail(ErrTruncated)
		return false
	}
	// Field by field: building an Attr value and copying it makes the
	// compiler read back its narrow stores with wide loads, a store-forwarding
	// stall that used to cost more than the rest of Next.
	s.attr.Type = t & TypeMask
	s.attr.Flags = t &^ TypeMask
	s.attr.Offset = s.base + s.off
	s.attr.Payload = h[HeaderLen:n:n]
	// The last attribute may be unpadded: clamp the step to the buffer.
	s.off += min(Align(n), rem)
	return true
}

func (s *Scanner) fail(err error) {
	s.err = &Error{Offset: s.base + s.off, Path: s.path, Err: err}
}

// Attr returns the current attribute.
func (s *Scanner) Attr() Attr { return s.attr }

// Type returns the current attribute's type, flags masked off.
func (s *Scanner) Type() uint16 { return s.attr.Type }

// Payload returns the current attribute's payload.
func (s *Scanner) Payload() []byte { return s.attr.Payload }

// Err returns the error that stopped the scan, or nil at a clean end.
func (s *Scanner) Err() error { return s.err }

// Path returns the types of the nests enclosing the scanned buffer.
func (s *Scanner) Path() Path { return s.path }

// Order returns the byte order the scanner reads headers in.
func (s *Scanner) Order() Order { return s.order }

// Offset returns the absolute offset of the next attribute to be read.
func (s *Scanner) Offset() int { return s.base + s.off }

// Rest returns the bytes not read yet, aliasing the scanned buffer: the
// attributes from [Scanner.Offset] on. Decoders with their own walk over
// attributes take over from a scanner with Rest and Offset.
func (s *Scanner) Rest() []byte { return s.b[s.off:] }

// Nested returns a scanner over the current attribute's payload, whose
// path ends with the current type. NLA_F_NESTED is not required. Past
// [MaxDepth] the returned scanner yields nothing and reports [ErrDepth].
func (s *Scanner) Nested() Scanner {
	n := Scanner{
		b:     s.attr.Payload,
		base:  s.attr.PayloadOffset(),
		order: s.order,
		path:  s.path.Append(s.attr.Type),
	}
	if s.path.Len() >= MaxDepth {
		n.b = nil
		n.err = &Error{Offset: s.attr.Offset, Path: n.path, Err: ErrDepth}
	}
	return n
}

// Errorf wraps sentinel err in an [*Error] located at the current
// attribute, so a caller rejecting a payload reports where it was.
func (s *Scanner) Errorf(err error) error {
	return &Error{Offset: s.attr.Offset, Path: s.path.Append(s.attr.Type), Err: err}
}

// All returns an iterator over the remaining attributes. A malformed
// attribute ends the sequence with a zero Attr and the error.
func (s Scanner) All() iter.Seq2[Attr, error] {
	return func(yield func(Attr, error) bool) {
		for s.Next() {
			if !yield(s.attr, nil) {
				return
			}
		}
		if s.err != nil {
			yield(Attr{}, s.err)
		}
	}
}

// Index scans the remaining attributes into dst, indexed by type: the
// kernel's nla_parse in liberal mode. Types 0 and types >= len(dst) are
// skipped, zero-length attributes are ignored (they are the kernel's
// 64-bit alignment pads), and a later duplicate replaces an earlier one.
// Entries of dst that no attribute fills are left as they were. Index
// returns the scan error, if any; dst then holds what came before it.
func (s Scanner) Index(dst []Attr) error {
	for s.Next() {
		a := s.attr
		if a.Type == 0 || int(a.Type) >= len(dst) || len(a.Payload) == 0 {
			continue
		}
		dst[a.Type] = a
	}
	return s.err
}
