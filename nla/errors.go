package nla

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error returned by this package is either one of
// these or an [*Error] that unwraps to one of them.
var (
	// ErrTruncated reports an attribute whose header or payload runs past
	// the end of its enclosing buffer.
	ErrTruncated = errors.New("nla: truncated attribute")
	// ErrLength reports an nla_len smaller than the 4-byte header.
	ErrLength = errors.New("nla: invalid attribute length")
	// ErrSize reports a payload whose size does not fit the accessor
	// (a u32 that is not 4 bytes, an address of 15 bytes).
	ErrSize = errors.New("nla: wrong payload size")
	// ErrDepth reports nesting deeper than [MaxDepth].
	ErrDepth = errors.New("nla: nesting too deep")
	// ErrNestTooLong reports a nest whose length exceeds 65535 bytes.
	ErrNestTooLong = errors.New("nla: nest longer than 65535 bytes")
	// ErrValue reports a payload of the right size with a value that is
	// not allowed (an address of the wrong family, say).
	ErrValue = errors.New("nla: invalid value")
)

// Error is a malformed attribute: where it is and what is wrong with it.
type Error struct {
	// Offset is the absolute byte offset of the offending attribute header
	// (or of the bytes that should have held one) within the buffer the
	// outermost scanner was given, plus that scanner's base offset.
	Offset int
	// Path lists the attribute types from the outermost nest down to the
	// offending attribute.
	Path Path
	// Err is the sentinel describing the fault.
	Err error
}

// Error returns a message such as
// "nla: truncated attribute at offset 52, path 1/2/3".
func (e *Error) Error() string {
	b := make([]byte, 0, 64)
	b = append(b, e.Err.Error()...)
	b = append(b, " at offset "...)
	b = strconv.AppendInt(b, int64(e.Offset), 10)
	if e.Path.Len() > 0 {
		b = append(b, ", path "...)
		b = e.Path.AppendText(b)
	}
	return string(b)
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Path is the chain of attribute types leading to an attribute, outermost
// first. It is a comparable value; the zero Path is the top level.
type Path struct {
	n     uint8
	types [MaxDepth + 1]uint16
}

// Len returns the number of types in p.
func (p Path) Len() int { return int(p.n) }

// At returns the i'th type, outermost first.
func (p Path) At(i int) uint16 { return p.types[i] }

// Append returns p with t added at the end. A path already holding
// MaxDepth+1 types is returned unchanged.
func (p Path) Append(t uint16) Path {
	if int(p.n) < len(p.types) {
		p.types[p.n] = t
		p.n++
	}
	return p
}

// AppendText appends the types separated by '/' ("1/2/3").
func (p Path) AppendText(b []byte) []byte {
	for i := 0; i < int(p.n); i++ {
		if i > 0 {
			b = append(b, '/')
		}
		b = strconv.AppendUint(b, uint64(p.types[i]), 10)
	}
	return b
}

// String returns the types separated by '/'.
func (p Path) String() string { return string(p.AppendText(nil)) }
