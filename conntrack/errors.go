package conntrack

import (
	"errors"
	"strconv"

	"github.com/ctwire/ctwire/nla"
)

// Sentinel errors of this package. Decoding errors are [*Error] values
// unwrapping to one of these or to an nla sentinel ([nla.ErrTruncated],
// [nla.ErrLength], [nla.ErrSize], [nla.ErrDepth], [nla.ErrNestTooLong]).
var (
	// ErrTooLong reports a name or binary value longer than the fixed
	// storage of its field ([MaxHelperNameLen], [MaxHelperInfoLen],
	// [MaxSecCtxLen], [LabelsLen]).
	ErrTooLong = errors.New("conntrack: value too long")
	// ErrLabelsSize reports a label bitmap whose length is not a multiple
	// of 4 bytes.
	ErrLabelsSize = errors.New("conntrack: label bitmap size not a multiple of 4")
)

// Error is a malformed attribute found while decoding or encoding a record.
type Error struct {
	// Offset is the absolute byte offset of the offending attribute header,
	// counted as the scanner that found it counts (from the start of the
	// message when the scanner was made with the attributes' offset as
	// base). It is -1 for encoding errors.
	Offset int
	// Path names the attribute ("CTA_TUPLE_ORIG/CTA_TUPLE_IP/CTA_IP_V4_SRC").
	Path string
	// Types is the same path as attribute types.
	Types nla.Path
	// Err is the sentinel describing the fault.
	Err error
}

// Error returns a message such as "conntrack: CTA_TUPLE_ORIG/CTA_TUPLE_IP/
// CTA_IP_V4_SRC at offset 28: nla: wrong payload size".
func (e *Error) Error() string {
	b := make([]byte, 0, 96)
	b = append(b, "conntrack: "...)
	if e.Path != "" {
		b = append(b, e.Path...)
	} else {
		b = append(b, "attributes"...)
	}
	if e.Offset >= 0 {
		b = append(b, " at offset "...)
		b = strconv.AppendInt(b, int64(e.Offset), 10)
	}
	b = append(b, ": "...)
	b = append(b, e.Err.Error()...)
	return string(b)
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// wrapErr turns an error from a scanner or accessor into an [*Error] naming
// the attribute path in space sp; an [*Error] gets its Path named.
func wrapErr(sp Space, err error) error {
	if err == nil {
		return nil
	}
	if ce, ok := err.(*Error); ok {
		if ce.Path == "" && ce.Types.Len() > 0 {
			ce.Path = PathString(sp, ce.Types)
		}
		return ce
	}
	var ne *nla.Error
	if errors.As(err, &ne) {
		return &Error{Offset: ne.Offset, Path: PathString(sp, ne.Path), Types: ne.Path, Err: ne.Err}
	}
	return &Error{Offset: -1, Err: err}
}
