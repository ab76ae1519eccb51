package capture

import (
	"encoding/binary"
	"io"

	"github.com/ctwire/ctwire/nla"
)

// rawSource reads a raw stream of netlink messages, as a [Writer] of
// [FormatRaw] writes it. A stream keeps no datagram boundaries, so each
// message becomes its own datagram. The byte order of each nlmsg_len is
// chosen among the readings that are plausible (at least the 16-byte
// header, at most MaxRecordLen): the previous message's order if it fits,
// else the smaller reading. Nothing marks where a message starts, so a bad
// length ends the stream.
type rawSource struct {
	w     *window
	order nla.Order // order of the previous message; HostOrder before the first
	index int
}

func plausibleLen(n uint32) bool { return n >= nlmsgHeaderLen && n <= MaxRecordLen }

func (s *rawSource) next(rec *record) error {
	start := s.w.off
	fail := func(err error) error {
		return &RecordError{Index: s.index, Offset: start, Err: err, Cause: s.w.readErr(), Fatal: true}
	}
	n := s.w.ensure(nlmsgHeaderLen)
	if n == 0 {
		if s.w.readErr() != nil {
			return fail(ErrTruncated)
		}
		return io.EOF
	}
	if n < 4 {
		return fail(ErrTruncated)
	}
	h := s.w.peek(4)
	le, be := binary.LittleEndian.Uint32(h), binary.BigEndian.Uint32(h)
	var l uint32
	switch {
	case s.order == nla.LittleEndian && plausibleLen(le):
		l = le
	case s.order == nla.BigEndian && plausibleLen(be):
		l = be
	case plausibleLen(le) && (!plausibleLen(be) || le <= be):
		l, s.order = le, nla.LittleEndian
	case plausibleLen(be):
		l, s.order = be, nla.BigEndian
	default:
		return fail(ErrMessageLength)
	}
	step := int(l+3) &^ 3
	if got := s.w.ensure(step); got < int(l) {
		return fail(ErrTruncated)
	}
	step = min(step, s.w.avail())
	*rec = record{
		data:   s.w.peek(int(l)),
		orig:   int(l),
		link:   LinkTypeNone,
		index:  s.index,
		offset: start,
	}
	s.w.skip(step)
	s.index++
	return nil
}
