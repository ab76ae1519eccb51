package capture

import (
	"io"
	"time"
)

// The containers are parsed here rather than with gopacket's pcapgo: pcapgo
// (v1.7.7) imports golang.org/x/net, which the module does not require, and
// it does not meet the damaged-input rules (it cannot resynchronise after a
// damaged pcapng block, and reads epb_flags little-endian in big-endian
// sections). Files are cross-checked against Wireshark's tools instead.

// Classic pcap geometry.
const (
	pcapHeaderLen       = 24
	pcapRecordHeaderLen = 16
	pcapVersionMajor    = 2
	pcapVersionMinor    = 4
)

// pcapSource reads classic pcap: both byte orders, microsecond and
// nanosecond magics. Classic pcap has no marker to find the next record
// after a damaged one, so every error is fatal.
type pcapSource struct {
	w     *window
	big   bool
	nano  bool
	link  LinkType
	snap  uint32
	index int
}

// newPcapSource reads the 24-byte file header.
func newPcapSource(w *window) (*pcapSource, error) {
	if w.ensure(pcapHeaderLen) < pcapHeaderLen {
		return nil, &RecordError{Err: ErrTruncated, Cause: w.readErr(), Fatal: true}
	}
	h := w.peek(pcapHeaderLen)
	s := &pcapSource{w: w, big: h[0] == 0xa1, nano: h[0] == 0x4d || h[3] == 0x4d}
	if uint16At(s.big, h[4:6]) != pcapVersionMajor {
		return nil, &RecordError{Err: ErrFormat, Fatal: true}
	}
	s.snap = uint32At(s.big, h[16:20])
	// The low 16 bits are the link type; the upper ones hold the FCS
	// length and flag bits.
	s.link = LinkType(uint32At(s.big, h[20:24]))
	w.skip(pcapHeaderLen)
	return s, nil
}

func (s *pcapSource) next(rec *record) error {
	start := s.w.off
	fail := func(err error) error {
		return &RecordError{Index: s.index, Offset: start, Err: err, Cause: s.w.readErr(), Fatal: true}
	}
	n := s.w.ensure(pcapRecordHeaderLen)
	if n == 0 {
		if s.w.readErr() != nil {
			return fail(ErrTruncated)
		}
		return io.EOF
	}
	if n < pcapRecordHeaderLen {
		return fail(ErrTruncated)
	}
	h := s.w.peek(pcapRecordHeaderLen)
	sec, frac := uint32At(s.big, h[0:4]), uint32At(s.big, h[4:8])
	caplen, orig := uint32At(s.big, h[8:12]), uint32At(s.big, h[12:16])
	if caplen > MaxRecordLen {
		return fail(ErrTooLong)
	}
	total := pcapRecordHeaderLen + int(caplen)
	if s.w.ensure(total) < total {
		return fail(ErrTruncated)
	}
	nsec := int64(frac)
	if !s.nano {
		nsec *= 1000
	}
	*rec = record{
		data:   s.w.peek(total)[pcapRecordHeaderLen:],
		orig:   int(max(orig, caplen)),
		time:   time.Unix(int64(sec), nsec).UTC(),
		link:   s.link,
		index:  s.index,
		offset: start,
	}
	s.w.skip(total)
	s.index++
	return nil
}
