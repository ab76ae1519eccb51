package jsonx

import (
	"errors"
	"strconv"
)

// Sentinel errors of the [Reader]. The messages are those of the conntrack
// package, which exports these values under its own names.
var (
	// ErrSyntax reports input that is not JSON: a bad token, an
	// unterminated string, trailing data after the value.
	ErrSyntax = errors.New("conntrack: json: syntax error")
	// ErrType reports a value of the wrong JSON type (a string where a
	// number is expected, ...).
	ErrType = errors.New("conntrack: json: wrong value type")
	// ErrValue reports a value of the right type that does not fit: an
	// unknown name, a number out of range or with a fraction, a bad
	// address or hex string.
	ErrValue = errors.New("conntrack: json: bad value")
	// ErrKey reports an object key the schema does not have.
	ErrKey = errors.New("conntrack: json: unknown key")
	// ErrMissing reports a required key that is absent.
	ErrMissing = errors.New("conntrack: json: missing key")
	// ErrDepth reports nesting deeper than the reader accepts.
	ErrDepth = errors.New("conntrack: json: nesting too deep")
)

// Error is a fault found while reading JSON.
type Error struct {
	// Offset is the byte offset in the input where the fault was found.
	Offset int
	// Key is the path of object keys leading to the faulty value,
	// separated by '.' ("flow.tuple-orig.tuple-ip.ip-v4-src"); empty at
	// the top level.
	Key string
	// Err is the sentinel describing the fault.
	Err error
}

// Error returns a message such as "conntrack: json: bad value at offset
// 42 (flow.tuple-orig.tuple-ip.ip-v4-src)".
func (e *Error) Error() string {
	s := e.Err.Error() + " at offset " + strconv.Itoa(e.Offset)
	if e.Key != "" {
		s += " (" + e.Key + ")"
	}
	return s
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }
