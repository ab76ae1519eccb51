package conntrack

import (
	"errors"
	"iter"

	"github.com/ctwire/ctwire/nla"
)

// ErrExtras reports an [Extras] value that was not built by this package.
var ErrExtras = errors.New("conntrack: malformed extras")

// ExtraAttr is an attribute kept verbatim by a decoder that did not
// interpret it (an unknown type, a zero-length pad).
type ExtraAttr struct {
	// Path lists the types of the enclosing nests, outermost first; it is
	// empty for a top-level attribute.
	Path nla.Path
	// Index is the attribute's position among all attributes of its
	// enclosing nest (0 for the first), where the encoder puts it back.
	Index int
	// Type is the attribute type without flag bits; Flags holds
	// NLA_F_NESTED and NLA_F_NET_BYTEORDER as found.
	Type, Flags uint16
	// Payload is the raw payload.
	Payload string
}

// Extras is an immutable, comparable list of kept attributes in the order
// they were found. Its content is private; use [Extras.All] and
// [Extras.Append]. The zero value is empty.
type Extras string

// Append returns x with a added at the end. A payload longer than 65531
// bytes or an index above 65535 cannot be kept; Append then returns x
// unchanged.
func (x Extras) Append(a ExtraAttr) Extras {
	if !keepable(a) {
		return x
	}
	return x + Extras(appendExtra(make([]byte, 0, 9+2*a.Path.Len()+len(a.Payload)), a))
}

func keepable(a ExtraAttr) bool {
	return len(a.Payload) <= 0xffff-nla.HeaderLen && a.Index >= 0 && a.Index <= 0xffff
}

// appendExtra appends the encoding of a to b.
func appendExtra(b []byte, a ExtraAttr) []byte {
	b = append(b, uint8(a.Path.Len()))
	for i := 0; i < a.Path.Len(); i++ {
		b = put16(b, a.Path.At(i))
	}
	b = put16(b, uint16(a.Index))
	b = put16(b, a.Type&nla.TypeMask|a.Flags&^nla.TypeMask)
	b = put16(b, uint16(len(a.Payload)))
	return append(b, a.Payload...)
}

// extraList collects kept attributes while decoding, encoded as in
// [Extras], in a buffer that grows by doubling: appending to an Extras
// string copies it whole, so keeping n attributes that way allocates
// O(n²) bytes. Extras(l) is the result.
type extraList []byte

// Append is [Extras.Append] for the list being built.
func (l extraList) Append(a ExtraAttr) extraList {
	if !keepable(a) {
		return l
	}
	return appendExtra(l, a)
}

func put16(b []byte, v uint16) []byte { return append(b, byte(v), byte(v>>8)) }

func get16(s string) uint16 { return uint16(s[0]) | uint16(s[1])<<8 }

// Len returns the number of attributes kept in x.
func (x Extras) Len() int {
	n := 0
	for s := string(x); s != ""; n++ {
		var ok bool
		if _, s, ok = nextExtra(s); !ok {
			break
		}
	}
	return n
}

// All returns an iterator over the kept attributes, in the order found.
func (x Extras) All() iter.Seq[ExtraAttr] {
	return func(yield func(ExtraAttr) bool) {
		for s := string(x); s != ""; {
			e, rest, ok := nextExtra(s)
			if !ok || !yield(e.attr()) {
				return
			}
			s = rest
		}
	}
}

// extra is one decoded entry of an Extras string, without allocation.
type extra struct {
	path    string // 2 bytes per type
	index   int
	typ     uint16 // with flags
	payload string
}

func (e extra) attr() ExtraAttr {
	a := ExtraAttr{Index: e.index, Type: e.typ & nla.TypeMask, Flags: e.typ &^ nla.TypeMask, Payload: e.payload}
	for p := e.path; len(p) >= 2; p = p[2:] {
		a.Path = a.Path.Append(get16(p))
	}
	return a
}

// samePath reports whether e's path is p.
func (e extra) samePath(p nla.Path) bool {
	if len(e.path) != 2*p.Len() {
		return false
	}
	for i := 0; i < p.Len(); i++ {
		if get16(e.path[2*i:]) != p.At(i) {
			return false
		}
	}
	return true
}

func nextExtra(s string) (extra, string, bool) {
	if len(s) < 1 {
		return extra{}, s, false
	}
	d := int(s[0])
	if len(s) < 1+2*d+6 {
		return extra{}, s, false
	}
	e := extra{path: s[1 : 1+2*d]}
	s = s[1+2*d:]
	e.index = int(get16(s))
	e.typ = get16(s[2:])
	n := int(get16(s[4:]))
	s = s[6:]
	if len(s) < n {
		return extra{}, s, false
	}
	e.payload = s[:n]
	return e, s[n:], true
}
