package capture

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error a [Reader] returns, other than [io.EOF], is a
// [*RecordError] that unwraps to one of these; [NewReader] may also return
// [ErrFormat].
var (
	// ErrFormat reports input whose container header is not understood:
	// a pcap file of an unsupported major version, or a gzip stream whose
	// header is not valid.
	ErrFormat = errors.New("capture: unsupported format")
	// ErrTruncated reports input that ends inside a file header, record or
	// block. Nothing after it can be read.
	ErrTruncated = errors.New("capture: truncated record")
	// ErrBlockLength reports a pcapng block whose total length is smaller
	// than its header, not a multiple of 4, larger than [MaxRecordLen] plus
	// the block overhead, or different from the copy in its trailer.
	ErrBlockLength = errors.New("capture: invalid block length")
	// ErrByteOrderMagic reports a pcapng section header block whose
	// byte-order magic is neither 1a2b3c4d nor 4d3c2b1a.
	ErrByteOrderMagic = errors.New("capture: invalid byte-order magic")
	// ErrTooLong reports a record whose captured length exceeds
	// [MaxRecordLen].
	ErrTooLong = errors.New("capture: record too long")
	// ErrCapLen reports a pcapng packet block whose captured length runs
	// past the end of the block.
	ErrCapLen = errors.New("capture: invalid captured length")
	// ErrInterface reports a pcapng packet block that refers to an
	// interface its section has not described.
	ErrInterface = errors.New("capture: unknown interface")
	// ErrMessageLength reports, in a raw netlink stream, an nlmsg_len that
	// is shorter than the 16-byte nlmsghdr or longer than [MaxRecordLen]
	// in both byte orders. A raw stream cannot be resynchronised after it.
	ErrMessageLength = errors.New("capture: invalid netlink message length")
	// ErrFamily reports a datagram handed to a [Writer] whose family does
	// not fit the 16-bit protocol field.
	ErrFamily = errors.New("capture: invalid netlink family")
)

// RecordError is a damaged record: which one, where it starts, and what is
// wrong with it.
type RecordError struct {
	// Index is the number of the damaged record, counted from 0 over the
	// packet records of the file (pcap records, pcapng EPB/SPB/PB blocks,
	// messages of a raw stream). A damaged pcapng block takes a number
	// only if its type field names a packet block; otherwise Index is the
	// number the next packet record will have.
	Index int
	// Offset is the byte offset of the start of the damaged record or block.
	// For gzip input it counts decompressed bytes.
	Offset int64
	// Err is the sentinel describing the fault.
	Err error
	// Cause is the underlying I/O or decompression error, if any.
	Cause error
	// Fatal reports that the reader could not find a place to continue:
	// every later call to Next returns io.EOF.
	Fatal bool
}

// Error returns a message such as
// "capture: truncated record 3 at offset 1234".
func (e *RecordError) Error() string {
	b := make([]byte, 0, 80)
	b = append(b, e.Err.Error()...)
	b = append(b, " (record "...)
	b = strconv.AppendInt(b, int64(e.Index), 10)
	b = append(b, " at offset "...)
	b = strconv.AppendInt(b, e.Offset, 10)
	b = append(b, ')')
	if e.Cause != nil {
		b = append(b, ": "...)
		b = append(b, e.Cause.Error()...)
	}
	return string(b)
}

// Unwrap returns the sentinel and, when present, the underlying cause.
func (e *RecordError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}
