package conntrack

import (
	"net/netip"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// AppendAttrs appends the attributes of f present in f.Present, in the
// order of the kernel's dump replies ([LayoutDump]); see
// [Flow.AppendAttrsLayout].
func (f *Flow) AppendAttrs(dst []byte) ([]byte, error) {
	return f.AppendAttrsLayout(dst, LayoutDump)
}

// AppendAttrsLayout appends the attributes of f present in f.Present, in
// the kernel's order for layout l:
//
//   - LayoutDump (ctnetlink_fill_info): CTA_TUPLE_ORIG, CTA_TUPLE_REPLY,
//     CTA_ZONE, CTA_STATUS, CTA_MARK, CTA_SECCTX, CTA_ID, CTA_USE,
//     CTA_TUPLE_MASTER, CTA_TIMEOUT, CTA_PROTOINFO, CTA_COUNTERS_ORIG,
//     CTA_COUNTERS_REPLY, CTA_TIMESTAMP, CTA_HELP, CTA_LABELS,
//     CTA_SEQ_ADJ_ORIG, CTA_SEQ_ADJ_REPLY, CTA_SYNPROXY.
//   - LayoutEvent (ctnetlink_conntrack_event): CTA_TUPLE_ORIG,
//     CTA_TUPLE_REPLY, CTA_ZONE, CTA_ID, CTA_STATUS, CTA_TIMEOUT,
//     CTA_COUNTERS_ORIG, CTA_COUNTERS_REPLY, CTA_TIMESTAMP, CTA_PROTOINFO,
//     CTA_HELP, CTA_SECCTX, CTA_LABELS, CTA_TUPLE_MASTER, CTA_SEQ_ADJ_ORIG,
//     CTA_SEQ_ADJ_REPLY, CTA_SYNPROXY, CTA_MARK.
//
// Attributes the kernel never sends follow: CTA_STATUS_MASK, CTA_MARK_MASK
// and CTA_LABELS_MASK right after the value they mask, then (after CTA_USE
// in events) CTA_NAT_SRC, CTA_NAT_DST, CTA_SECMARK, CTA_FILTER, and finally
// CTA_TIMESTAMP_EVENT. Nested attributes follow the kernel's order too
// (ICMP tuples: NUM, ID, TYPE, CODE). Every nest carries NLA_F_NESTED.
// Attributes kept in f.Extra go back to their recorded positions.
//
// With enough capacity in dst, AppendAttrsLayout allocates nothing. It
// fails only on malformed f.Extra or a nest outgrowing 65535 bytes; dst is
// then returned as it was.
func (f *Flow) AppendAttrsLayout(dst []byte, l Layout) ([]byte, error) {
	return f.appendAttrs(dst, l, 0)
}

// appendAttrs is AppendAttrsLayout with statusOr ORed into CTA_STATUS,
// for requests that must set bits the caller's record lacks, without
// copying the record.
func (f *Flow) appendAttrs(dst []byte, l Layout, statusOr Status) ([]byte, error) {
	e := newEnc(dst, f.Extra)
	e.statusOr = statusOr
	var top level
	if m := presentFlow(f); l == LayoutEvent {
		e.bodyFlowEvent(&top, f, m)
	} else {
		e.bodyFlow(&top, f, m)
	}
	e.finish(&top)
	if e.err != nil {
		return dst, e.err
	}
	return e.dst, nil
}

// AppendBinary appends f as one whole netlink message, as the kernel sends
// it in a dump: type IPCTNL_MSG_CT_NEW (0x0100), flags NLM_F_MULTI, seq and
// port id 0, nfgenmsg family f.Family, and the attributes in [LayoutDump]
// order. It implements [encoding.BinaryAppender].
func (f *Flow) AppendBinary(dst []byte) ([]byte, error) {
	orig := dst
	h := codec.Header{Type: codec.MsgType(codec.SubsysConntrack, 0), Flags: codec.FlagMulti}
	dst, start := codec.AppendMessage(dst, h, codec.NFGen{Family: uint8(f.Family)})
	dst, err := f.AppendAttrs(dst)
	if err != nil {
		return orig, err
	}
	if dst, err = codec.EndMessage(dst, start); err != nil {
		return orig, &Error{Offset: -1, Err: err}
	}
	return dst, nil
}

// MarshalBinary is [Flow.AppendBinary] into a new slice.
func (f *Flow) MarshalBinary() ([]byte, error) { return f.AppendBinary(nil) }

// level tracks one nest being encoded: where it sits (its parent and
// type, from which its path is made when kept attributes need it) and
// how many attributes it holds so far, to put kept attributes back at
// their positions.
type level struct {
	parent *level // nil at the top level
	typ    uint16
	n      int
}

// path returns the types of the nests down to l.
func (l *level) path() nla.Path {
	if l.parent == nil {
		return nla.Path{}
	}
	return l.parent.path().Append(l.typ)
}

type enc struct {
	dst      []byte
	extra    string
	statusOr Status // ORed into CTA_STATUS
	done     []bool // by ordinal in extra: already emitted
	err      error
}

// newEnc returns an encoder appending to dst and re-emitting the kept
// attributes x (which costs an allocation when there are any).
func newEnc(dst []byte, x Extras) enc { return enc{dst: dst, extra: string(x)} }

// marks returns the emitted marks, allocating them on first use.
func (e *enc) marks() []bool {
	if e.done == nil {
		e.done = make([]bool, Extras(e.extra).Len()+1)
	}
	return e.done
}

func (e *enc) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// before emits the kept attributes due at the current position of l. It
// is small enough to inline: without kept attributes it costs a test.
func (e *enc) before(l *level) {
	if e.extra != "" {
		e.emitDue(l)
	}
}

// emitDue is before's work.
func (e *enc) emitDue(l *level) {
	done := e.marks()
	path := l.path()
	for again := true; again; {
		again = false
		k := 0
		for s := e.extra; s != ""; k++ {
			x, rest, ok := nextExtra(s)
			if !ok {
				e.fail(&Error{Offset: -1, Err: ErrExtras})
				return
			}
			if !done[k] && x.index == l.n && x.samePath(path) {
				e.emit(x)
				done[k] = true
				l.n++
				again = true
			}
			s = rest
		}
	}
}

// finish emits the kept attributes of l not emitted yet: those beyond its
// last attribute, and those of a duplicate nest merged into this one.
func (e *enc) finish(l *level) {
	if e.extra != "" {
		e.emitRest(l)
	}
}

// emitRest is finish's work.
func (e *enc) emitRest(l *level) {
	e.before(l)
	done := e.marks()
	path := l.path()
	k := 0
	for s := e.extra; s != ""; k++ {
		x, rest, ok := nextExtra(s)
		if !ok {
			e.fail(&Error{Offset: -1, Err: ErrExtras})
			return
		}
		if !done[k] && x.samePath(path) {
			e.emit(x)
			done[k] = true
			l.n++
		}
		s = rest
	}
}

// pending reports whether kept attributes belong inside the nest of type
// typ within l, which must then be emitted even if it holds nothing else.
func (e *enc) pending(l *level, typ uint16) bool {
	return e.extra != "" && e.pendingIn(l, typ)
}

// pendingIn is pending's work.
func (e *enc) pendingIn(l *level, typ uint16) bool {
	p := l.path().Append(typ)
	for s := e.extra; s != ""; {
		x, rest, ok := nextExtra(s)
		if !ok {
			return false
		}
		if len(x.path) >= 2*p.Len() {
			match := true
			for i := 0; i < p.Len(); i++ {
				if get16(x.path[2*i:]) != p.At(i) {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
		s = rest
	}
	return false
}

func (e *enc) emit(x extra) {
	e.dst = nla.AppendHeader(e.dst, x.typ, len(x.payload))
	e.dst = append(e.dst, x.payload...)
	e.dst = nla.Pad(e.dst)
}

func (e *enc) begin(l *level, typ uint16) (level, int) {
	e.before(l)
	var start int
	e.dst, start = nla.BeginNest(e.dst, typ)
	return level{parent: l, typ: typ}, start
}

func (e *enc) end(l, c *level, start int) {
	e.finish(c)
	var err error
	if e.dst, err = nla.EndNest(e.dst, start); err != nil {
		p := c.path()
		e.fail(&Error{Offset: -1, Path: PathString(SpaceFlow, p), Types: p, Err: err})
	}
	l.n++
}

func (e *enc) u8(l *level, typ uint16, v uint8) {
	e.before(l)
	e.dst = nla.AppendUint8(e.dst, typ, v)
	l.n++
}

func (e *enc) u16(l *level, typ uint16, v uint16) {
	e.before(l)
	e.dst = nla.AppendUint16BE(e.dst, typ, v)
	l.n++
}

func (e *enc) u32(l *level, typ uint16, v uint32) {
	e.before(l)
	e.dst = nla.AppendUint32BE(e.dst, typ, v)
	l.n++
}

func (e *enc) u32host(l *level, typ uint16, v uint32) {
	e.before(l)
	e.dst = nla.AppendUint32Host(e.dst, typ, v)
	l.n++
}

func (e *enc) u64(l *level, typ uint16, v uint64) {
	e.before(l)
	e.dst = nla.AppendUint64BE(e.dst, typ, v)
	l.n++
}

func (e *enc) bytes(l *level, typ uint16, v []byte) {
	e.before(l)
	e.dst = nla.AppendBytes(e.dst, typ, v)
	l.n++
}

// str appends a NUL-terminated string attribute held in b.
func (e *enc) str(l *level, typ uint16, b []byte) {
	e.before(l)
	e.dst = nla.AppendHeader(e.dst, typ, len(b)+1)
	e.dst = append(e.dst, b...)
	e.dst = append(e.dst, 0)
	e.dst = nla.Pad(e.dst)
	l.n++
}

// addr appends a valid address as its v4 or v6 attribute type.
func (e *enc) addr(l *level, v4, v6 uint16, a netip.Addr) {
	if !a.IsValid() {
		return
	}
	e.before(l)
	if a.Is4() {
		b := a.As4()
		e.dst = append(nla.AppendHeader(e.dst, v4, len(b)), b[:]...)
	} else {
		b := a.As16()
		e.dst = append(nla.AppendHeader(e.dst, v6, len(b)), b[:]...)
	}
	l.n++
}

// labelsSize returns the payload size recorded as size (0 meaning the
// full bitmap), clamped to a valid multiple of 4.
func labelsSize(size uint8) int {
	if size == 0 || size > LabelsLen {
		return LabelsLen
	}
	return int(size) &^ 3
}

// appendAddr appends a valid address as its v4 or v6 attribute type.
func appendAddr(d []byte, v4, v6 uint16, a netip.Addr) []byte {
	switch {
	case a.Is4():
		b := a.As4()
		return append(nla.AppendHeader(d, v4, len(b)), b[:]...)
	case a.IsValid():
		b := a.As16()
		return append(nla.AppendHeader(d, v6, len(b)), b[:]...)
	}
	return d
}

// appendString appends a NUL-terminated string attribute holding b.
func appendString(d []byte, typ uint16, b []byte) []byte {
	d = nla.AppendHeader(d, typ, len(b)+1)
	d = append(d, b...)
	return nla.Pad(append(d, 0))
}
