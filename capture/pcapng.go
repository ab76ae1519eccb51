package capture

import (
	"encoding/binary"
	"io"
	"math/bits"
	"time"
)

// pcapng block types.
const (
	blockSHB     = 0x0a0d0d0a // section header
	blockIDB     = 0x00000001 // interface description
	blockPB      = 0x00000002 // packet (obsolete)
	blockSPB     = 0x00000003 // simple packet
	blockNRB     = 0x00000004 // name resolution
	blockISB     = 0x00000005 // interface statistics
	blockEPB     = 0x00000006 // enhanced packet
	blockJournal = 0x00000009 // systemd journal export
	blockDSB     = 0x0000000a // decryption secrets
	blockCustom  = 0x00000bad // custom, copyable
	blockCustomN = 0x40000bad // custom, not copyable
)

// pcapng option codes the reader uses.
const (
	optEnd      = 0
	optTSResol  = 9  // if_tsresol
	optTSOffset = 14 // if_tsoffset
	optFlags    = 2  // epb_flags (and the obsolete pack_flags)
)

// Block geometry.
const (
	blockOverhead = 12 // type, total length, trailing total length
	shbMinLen     = 28 // overhead, byte-order magic, versions, section length
	byteOrderLE   = 0x4d3c2b1a
	byteOrderBE   = 0x1a2b3c4d
	// maxBlockLen bounds a block: a record of MaxRecordLen plus room for
	// its fixed fields and options.
	maxBlockLen = MaxRecordLen + 64<<10
)

// epb_flags direction bits.
const (
	flagsInbound  = 0x1
	flagsOutbound = 0x2
)

type ngIface struct {
	link  LinkType
	snap  uint32
	tsres uint8 // if_tsresol; 6 when absent
	tsoff int64 // if_tsoffset, seconds
}

// pcapngSource parses pcapng itself rather than through pcapgo: it checks
// every block's length against its trailer before using it, reads options
// in the byte order of their section, and after a damaged block scans for
// the next sound one instead of giving up.
type pcapngSource struct {
	w      *window
	big    bool // byte order of the current section
	ifaces []ngIface
	index  int
	stats  *Stats
}

func (s *pcapngSource) u16(b []byte) uint16 { return uint16At(s.big, b) }

func uint16At(big bool, b []byte) uint16 {
	if big {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (s *pcapngSource) u32(b []byte) uint32 { return uint32At(s.big, b) }

func uint32At(big bool, b []byte) uint32 {
	if big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (s *pcapngSource) u64(b []byte) uint64 {
	if s.big {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// shbOrder reads the byte-order magic of a section header block.
func shbOrder(h []byte) (big, ok bool) {
	switch binary.BigEndian.Uint32(h[8:12]) {
	case byteOrderBE:
		return true, true
	case byteOrderLE:
		return false, true
	}
	return false, false
}

func isSHB(h []byte) bool {
	return h[0] == 0x0a && h[1] == 0x0d && h[2] == 0x0d && h[3] == 0x0a
}

// blockLenOK reports whether l is a plausible total length for a block.
func blockLenOK(l uint32, shb bool) bool {
	if shb && l < shbMinLen {
		return false
	}
	return l >= blockOverhead && l%4 == 0 && l <= maxBlockLen
}

func (s *pcapngSource) next(rec *record) error {
	for {
		start := s.w.off
		n := s.w.ensure(12)
		if n == 0 {
			if err := s.w.readErr(); err != nil {
				return &RecordError{Index: s.index, Offset: start, Err: ErrTruncated, Cause: err, Fatal: true}
			}
			return io.EOF
		}
		if n < 12 {
			// Not even the smallest block fits in what is left.
			return s.damaged(start, ErrTruncated)
		}
		h := s.w.peek(12)
		big := s.big
		shb := isSHB(h)
		if shb {
			var ok bool
			if big, ok = shbOrder(h); !ok {
				return s.damaged(start, ErrByteOrderMagic)
			}
		}
		l := uint32At(big, h[4:8])
		if !blockLenOK(l, shb) {
			return s.damaged(start, ErrBlockLength)
		}
		if s.w.ensure(int(l)) < int(l) {
			return s.damaged(start, ErrTruncated)
		}
		blk := s.w.peek(int(l))
		if uint32At(big, blk[l-4:]) != l {
			return s.damaged(start, ErrBlockLength)
		}
		body := blk[8 : l-4]
		typ := uint32At(big, blk[0:4])
		switch typ {
		case blockSHB:
			// A new section: its own byte order and its own interface
			// IDs, starting from 0.
			s.big = big
			s.ifaces = s.ifaces[:0]
			s.w.skip(int(l))
		case blockIDB:
			s.w.skip(int(l))
			if err := s.readIDB(body, start); err != nil {
				return err
			}
		case blockEPB, blockPB, blockSPB:
			idx := s.index
			s.index++
			s.w.skip(int(l))
			if err := s.readPacket(typ, body, rec); err != nil {
				err.Index, err.Offset = idx, start
				return err
			}
			rec.index, rec.offset = idx, start
			return nil
		default:
			// ISB, NRB, DSB, journal, custom and unknown blocks.
			s.w.skip(int(l))
		}
	}
}

// damaged reports a block whose length cannot be trusted and moves on to
// the next plausible block start after it. When the type field names a
// packet block the record keeps its number. The error is fatal when no
// plausible block is left.
func (s *pcapngSource) damaged(start int64, err error) error {
	e := &RecordError{Index: s.index, Offset: start, Err: err}
	if cause := s.w.readErr(); cause != nil {
		e.Cause = cause
	}
	if s.w.avail() >= 4 {
		switch s.u32(s.w.peek(4)) {
		case blockEPB, blockSPB, blockPB:
			s.index++
		}
	}
	k := min(1, s.w.avail())
	s.w.skip(k)
	s.stats.SkippedBytes += int64(k)
	if !s.scan() {
		e.Fatal = true
	}
	return e
}

// scan advances a byte at a time (damage need not keep the 4-byte
// alignment) to the next position that holds a known block type, a
// plausible length and a matching trailer. It returns false, having
// consumed the input, when there is none.
func (s *pcapngSource) scan() bool {
	for {
		n := s.w.ensure(blockOverhead)
		if n < blockOverhead {
			s.stats.SkippedBytes += int64(n)
			s.w.skip(n)
			return false
		}
		if s.plausible() {
			return true
		}
		s.w.skip(1)
		s.stats.SkippedBytes++
	}
}

func (s *pcapngSource) plausible() bool {
	h := s.w.peek(12)
	big := s.big
	shb := isSHB(h)
	if shb {
		var ok bool
		if big, ok = shbOrder(h); !ok {
			return false
		}
	} else {
		switch uint32At(big, h[0:4]) {
		case blockIDB, blockPB, blockSPB, blockNRB, blockISB, blockEPB,
			blockJournal, blockDSB, blockCustom, blockCustomN:
		default:
			return false
		}
	}
	l := uint32At(big, h[4:8])
	if !blockLenOK(l, shb) || s.w.ensure(int(l)) < int(l) {
		return false
	}
	return uint32At(big, s.w.peek(int(l))[l-4:]) == l
}

// readIDB appends the interface a sound IDB describes. A body too short for
// the fixed fields still takes its interface ID, with a link type no datagram
// is read from, so that later IDs keep their meaning.
func (s *pcapngSource) readIDB(body []byte, start int64) *RecordError {
	if len(body) < 8 {
		s.ifaces = append(s.ifaces, ngIface{link: 0, tsres: 6})
		return &RecordError{Index: s.index, Offset: start, Err: ErrBlockLength}
	}
	ifc := ngIface{
		link:  LinkType(s.u16(body[0:2])),
		snap:  s.u32(body[4:8]),
		tsres: 6,
	}
	s.options(body[8:], func(code uint16, v []byte) {
		switch {
		case code == optTSResol && len(v) >= 1:
			ifc.tsres = v[0]
		case code == optTSOffset && len(v) >= 8:
			ifc.tsoff = int64(s.u64(v))
		}
	})
	s.ifaces = append(s.ifaces, ifc)
	return nil
}

// options walks an option list, stopping at opt_endofopt or at the end of
// the block, whichever comes first.
func (s *pcapngSource) options(b []byte, f func(code uint16, v []byte)) {
	for len(b) >= 4 {
		code, n := s.u16(b[0:2]), int(s.u16(b[2:4]))
		if code == optEnd || 4+n > len(b) {
			return
		}
		f(code, b[4:4+n])
		b = b[min(len(b), 4+(n+3)&^3):]
	}
}

// readPacket fills rec from the body of an EPB, PB or SPB.
func (s *pcapngSource) readPacket(typ uint32, body []byte, rec *record) *RecordError {
	var ifid int
	var ts uint64
	var caplen, orig uint32
	var data, opts []byte
	switch typ {
	case blockSPB:
		if len(body) < 4 {
			return &RecordError{Err: ErrBlockLength}
		}
		orig = s.u32(body[0:4])
		caplen = min(orig, uint32(len(body)-4))
		if len(s.ifaces) > 0 && s.ifaces[0].snap != 0 {
			caplen = min(caplen, s.ifaces[0].snap)
		}
		data = body[4 : 4+caplen]
	default: // EPB and the obsolete PB share the layout after the first word.
		if len(body) < 20 {
			return &RecordError{Err: ErrBlockLength}
		}
		if typ == blockEPB {
			ifid = int(s.u32(body[0:4]))
		} else {
			ifid = int(s.u16(body[0:2]))
		}
		ts = uint64(s.u32(body[4:8]))<<32 | uint64(s.u32(body[8:12]))
		caplen, orig = s.u32(body[12:16]), s.u32(body[16:20])
		if uint64(caplen) > uint64(len(body)-20) {
			return &RecordError{Err: ErrCapLen}
		}
		data = body[20 : 20+caplen]
		opts = body[min(len(body), 20+int((caplen+3)&^3)):]
	}
	if ifid < 0 || ifid >= len(s.ifaces) {
		return &RecordError{Err: ErrInterface}
	}
	ifc := &s.ifaces[ifid]
	*rec = record{
		data:  data,
		orig:  int(max(orig, caplen)),
		link:  ifc.link,
		iface: ifid,
	}
	if typ != blockSPB {
		rec.time = tsTime(ts, ifc.tsres, ifc.tsoff)
	}
	s.options(opts, func(code uint16, v []byte) {
		if code == optFlags && len(v) >= 4 {
			switch s.u32(v) & 0x3 {
			case flagsInbound:
				rec.dir = FromKernel
			case flagsOutbound:
				rec.dir = ToKernel
			}
		}
	})
	return nil
}

// tsTime converts a pcapng timestamp of ts units of resolution res
// (if_tsresol: 10^-n, or 2^-n with the top bit set) plus off seconds
// (if_tsoffset) to a UTC time, exactly and without overflow.
func tsTime(ts uint64, res uint8, off int64) time.Time {
	var sec, nsec uint64
	if res&0x80 != 0 {
		e := uint(res & 0x7f)
		if e >= 64 {
			sec = 0
		} else {
			sec = ts >> e
			ts &= 1<<e - 1
		}
		// nsec = ts * 1e9 / 2^e, with a 128-bit product.
		hi, lo := bits.Mul64(ts, 1e9)
		switch {
		case e == 0:
			nsec = lo
		case e < 64:
			nsec = hi<<(64-e) | lo>>e
		default:
			nsec = hi >> (e - 64)
		}
	} else {
		e := int(res)
		if e <= 19 {
			unit := pow10(e)
			sec, ts = ts/unit, ts%unit
		} else {
			sec = 0
		}
		if e <= 9 {
			nsec = ts * pow10(9-e)
		} else if e-9 <= 19 {
			nsec = ts / pow10(e-9)
		}
	}
	return time.Unix(int64(sec)+off, int64(nsec)).UTC()
}

func pow10(n int) uint64 {
	v := uint64(1)
	for range n {
		v *= 10
	}
	return v
}
