package conntrack

import (
	"math/bits"
	"net/netip"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// Top-level attribute orders of the two layouts. The kernel's own
// attributes come first in its order; the input-only ones follow (each
// mask right after its value), and CTA_TIMESTAMP_EVENT, an event's last
// attribute, ends both.
var (
	dumpOrder = [...]AttrType{
		AttrTupleOrig, AttrTupleReply, AttrZone, AttrStatus, AttrStatusMask, AttrMark, AttrMarkMask,
		AttrSecCtx, AttrID, AttrUse, AttrTupleMaster, AttrTimeout, AttrProtoInfo,
		AttrCountersOrig, AttrCountersReply, AttrTimestamp, AttrHelp, AttrLabels, AttrLabelsMask,
		AttrSeqAdjOrig, AttrSeqAdjReply, AttrSynproxy,
		AttrNATSrc, AttrNATDst, AttrSecMark, AttrFilter, AttrTimestampEvent,
	}
	eventOrder = [...]AttrType{
		AttrTupleOrig, AttrTupleReply, AttrZone, AttrID, AttrStatus, AttrStatusMask, AttrTimeout,
		AttrCountersOrig, AttrCountersReply, AttrTimestamp, AttrProtoInfo, AttrHelp, AttrSecCtx,
		AttrLabels, AttrLabelsMask, AttrTupleMaster, AttrSeqAdjOrig, AttrSeqAdjReply, AttrSynproxy,
		AttrMark, AttrMarkMask, AttrUse,
		AttrNATSrc, AttrNATDst, AttrSecMark, AttrFilter, AttrTimestampEvent,
	}
)

// dumpRank and eventRank give each type's position in dumpOrder and
// eventOrder (types 1 to 27; 0 and the others are never present).
var dumpRank, eventRank = rankOf(&dumpOrder), rankOf(&eventOrder)

func rankOf(order *[AttrMax]AttrType) (r [32]uint8) {
	for i, t := range order {
		r[t] = uint8(i)
	}
	return r
}

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
	order, rank := &dumpOrder, &dumpRank
	if l == LayoutEvent {
		order, rank = &eventOrder, &eventRank
	}
	e := newEnc(dst, f.Extra)
	e.statusOr = statusOr
	var top level
	// Map the present types to their positions in the order, and visit
	// those positions in turn.
	var pos uint32
	for left := uint32(f.Present & AllAttrs); left != 0; left &= left - 1 {
		pos |= 1 << rank[bits.TrailingZeros32(left)]
	}
	for ; pos != 0; pos &= pos - 1 {
		e.flowAttr(&top, f, order[bits.TrailingZeros32(pos)])
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

func (e *enc) flowAttr(l *level, f *Flow, t AttrType) {
	typ := uint16(t)
	switch t {
	case AttrTupleOrig:
		e.tuple(l, typ, &f.Orig)
	case AttrTupleReply:
		e.tuple(l, typ, &f.Reply)
	case AttrTupleMaster:
		e.tuple(l, typ, &f.Master)
	case AttrZone:
		e.u16(l, typ, f.Zone)
	case AttrStatus:
		e.u32(l, typ, uint32(f.Status|e.statusOr))
	case AttrStatusMask:
		e.u32(l, typ, uint32(f.StatusMask))
	case AttrMark:
		e.u32(l, typ, f.Mark)
	case AttrMarkMask:
		e.u32(l, typ, f.MarkMask)
	case AttrTimeout:
		e.u32(l, typ, f.Timeout)
	case AttrID:
		e.u32(l, typ, f.ID)
	case AttrUse:
		e.u32(l, typ, f.Use)
	case AttrSecMark:
		e.u32(l, typ, f.SecMark)
	case AttrTimestampEvent:
		e.u64(l, typ, f.TimestampEvent)
	case AttrSecCtx:
		c, start := e.begin(l, typ)
		e.str(&c, uint16(SecCtxAttrName), f.SecCtx.b[:f.SecCtx.n])
		e.end(l, &c, start)
	case AttrProtoInfo:
		e.protoInfo(l, typ, &f.ProtoInfo)
	case AttrCountersOrig:
		e.counters(l, typ, &f.CountersOrig)
	case AttrCountersReply:
		e.counters(l, typ, &f.CountersReply)
	case AttrTimestamp:
		c, start := e.begin(l, typ)
		ts := &f.Timestamp
		if ts.Has(TimestampAttrStart) {
			e.u64(&c, uint16(TimestampAttrStart), ts.Start)
		}
		if ts.Has(TimestampAttrStop) {
			e.u64(&c, uint16(TimestampAttrStop), ts.Stop)
		}
		e.end(l, &c, start)
	case AttrHelp:
		c, start := e.begin(l, typ)
		h := &f.Helper
		if h.Has(HelpAttrName) {
			e.str(&c, uint16(HelpAttrName), h.Name.b[:h.Name.n])
		}
		if h.Has(HelpAttrInfo) {
			e.bytes(&c, uint16(HelpAttrInfo), h.Info.b[:h.Info.n])
		}
		e.end(l, &c, start)
	case AttrLabels:
		e.bytes(l, typ, f.Labels[:labelsSize(f.LabelsSize)])
	case AttrLabelsMask:
		e.bytes(l, typ, f.LabelsMask[:labelsSize(f.LabelsMaskSize)])
	case AttrSeqAdjOrig:
		e.seqAdj(l, typ, &f.SeqAdjOrig)
	case AttrSeqAdjReply:
		e.seqAdj(l, typ, &f.SeqAdjReply)
	case AttrSynproxy:
		c, start := e.begin(l, typ)
		q := &f.Synproxy
		if q.Has(SynproxyAttrISN) {
			e.u32(&c, uint16(SynproxyAttrISN), q.ISN)
		}
		if q.Has(SynproxyAttrITS) {
			e.u32(&c, uint16(SynproxyAttrITS), q.ITS)
		}
		if q.Has(SynproxyAttrTSOff) {
			e.u32(&c, uint16(SynproxyAttrTSOff), q.TSOff)
		}
		e.end(l, &c, start)
	case AttrNATSrc:
		e.nat(l, typ, &f.NATSrc)
	case AttrNATDst:
		e.nat(l, typ, &f.NATDst)
	case AttrFilter:
		c, start := e.begin(l, typ)
		if f.Filter.Has(FilterAttrOrigFlags) {
			e.u32host(&c, uint16(FilterAttrOrigFlags), uint32(f.Filter.OrigFlags))
		}
		if f.Filter.Has(FilterAttrReplyFlags) {
			e.u32host(&c, uint16(FilterAttrReplyFlags), uint32(f.Filter.ReplyFlags))
		}
		e.end(l, &c, start)
	}
}

// labelsSize returns the payload size recorded as size (0 meaning the
// full bitmap), clamped to a valid multiple of 4.
func labelsSize(size uint8) int {
	if size == 0 || size > LabelsLen {
		return LabelsLen
	}
	return int(size) &^ 3
}

func (e *enc) tuple(l *level, typ uint16, t *Tuple) {
	if e.extra == "" {
		e.dst = appendTupleNest(e.dst, typ, t)
		l.n++
		return
	}
	c, start := e.begin(l, typ)
	if t.Src.IsValid() || t.Dst.IsValid() || e.pending(&c, uint16(TupleAttrIP)) {
		ip, ipStart := e.begin(&c, uint16(TupleAttrIP))
		e.addr(&ip, uint16(IPAttrV4Src), uint16(IPAttrV6Src), t.Src)
		e.addr(&ip, uint16(IPAttrV4Dst), uint16(IPAttrV6Dst), t.Dst)
		e.end(&c, &ip, ipStart)
	}
	if t.Present != 0 || e.pending(&c, uint16(TupleAttrProto)) {
		p, pStart := e.begin(&c, uint16(TupleAttrProto))
		if t.Has(ProtoAttrNum) {
			e.u8(&p, uint16(ProtoAttrNum), uint8(t.Proto))
		}
		if t.Has(ProtoAttrSrcPort) {
			e.u16(&p, uint16(ProtoAttrSrcPort), t.SrcPort)
		}
		if t.Has(ProtoAttrDstPort) {
			e.u16(&p, uint16(ProtoAttrDstPort), t.DstPort)
		}
		// The kernel sends ICMP fields as ID, TYPE, CODE.
		const icmp = 1<<ProtoAttrICMPID | 1<<ProtoAttrICMPType | 1<<ProtoAttrICMPCode |
			1<<ProtoAttrICMPv6ID | 1<<ProtoAttrICMPv6Type | 1<<ProtoAttrICMPv6Code
		if t.Present&icmp != 0 {
			for _, g := range [2][3]ProtoAttr{
				{ProtoAttrICMPID, ProtoAttrICMPType, ProtoAttrICMPCode},
				{ProtoAttrICMPv6ID, ProtoAttrICMPv6Type, ProtoAttrICMPv6Code},
			} {
				if t.Has(g[0]) {
					e.u16(&p, uint16(g[0]), t.ICMPID)
				}
				if t.Has(g[1]) {
					e.u8(&p, uint16(g[1]), t.ICMPType)
				}
				if t.Has(g[2]) {
					e.u8(&p, uint16(g[2]), t.ICMPCode)
				}
			}
		}
		e.end(&c, &p, pStart)
	}
	if t.HasZone {
		e.u16(&c, uint16(TupleAttrZone), t.Zone)
	}
	e.end(l, &c, start)
}

// appendTupleNest appends the tuple nest of type typ as enc.tuple does when
// there are no kept attributes to place: the same bytes, written without
// level bookkeeping (a tuple never outgrows a nest).
func appendTupleNest(d []byte, typ uint16, t *Tuple) []byte {
	start := len(d)
	d, _ = nla.BeginNest(d, typ)
	if t.Src.IsValid() || t.Dst.IsValid() {
		ip := len(d)
		d, _ = nla.BeginNest(d, uint16(TupleAttrIP))
		d = appendAddrAttr(d, uint16(IPAttrV4Src), uint16(IPAttrV6Src), t.Src)
		d = appendAddrAttr(d, uint16(IPAttrV4Dst), uint16(IPAttrV6Dst), t.Dst)
		d, _ = nla.EndNest(d, ip)
	}
	if t.Present != 0 {
		p := len(d)
		d, _ = nla.BeginNest(d, uint16(TupleAttrProto))
		if t.Has(ProtoAttrNum) {
			d = nla.AppendUint8(d, uint16(ProtoAttrNum), uint8(t.Proto))
		}
		if t.Has(ProtoAttrSrcPort) {
			d = nla.AppendUint16BE(d, uint16(ProtoAttrSrcPort), t.SrcPort)
		}
		if t.Has(ProtoAttrDstPort) {
			d = nla.AppendUint16BE(d, uint16(ProtoAttrDstPort), t.DstPort)
		}
		const icmp = 1<<ProtoAttrICMPID | 1<<ProtoAttrICMPType | 1<<ProtoAttrICMPCode |
			1<<ProtoAttrICMPv6ID | 1<<ProtoAttrICMPv6Type | 1<<ProtoAttrICMPv6Code
		if t.Present&icmp != 0 {
			for _, g := range [2][3]ProtoAttr{
				{ProtoAttrICMPID, ProtoAttrICMPType, ProtoAttrICMPCode},
				{ProtoAttrICMPv6ID, ProtoAttrICMPv6Type, ProtoAttrICMPv6Code},
			} {
				if t.Has(g[0]) {
					d = nla.AppendUint16BE(d, uint16(g[0]), t.ICMPID)
				}
				if t.Has(g[1]) {
					d = nla.AppendUint8(d, uint16(g[1]), t.ICMPType)
				}
				if t.Has(g[2]) {
					d = nla.AppendUint8(d, uint16(g[2]), t.ICMPCode)
				}
			}
		}
		d, _ = nla.EndNest(d, p)
	}
	if t.HasZone {
		d = nla.AppendUint16BE(d, uint16(TupleAttrZone), t.Zone)
	}
	d, _ = nla.EndNest(d, start)
	return d
}

// appendAddrAttr appends a valid address as its v4 or v6 attribute type.
func appendAddrAttr(d []byte, v4, v6 uint16, a netip.Addr) []byte {
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

func (e *enc) protoInfo(l *level, typ uint16, p *ProtoInfo) {
	c, start := e.begin(l, typ)
	if p.Has(ProtoInfoAttrTCP) {
		n, nStart := e.begin(&c, uint16(ProtoInfoAttrTCP))
		t := &p.TCP
		if t.Has(TCPAttrState) {
			e.u8(&n, uint16(TCPAttrState), uint8(t.State))
		}
		if t.Has(TCPAttrWScaleOrig) {
			e.u8(&n, uint16(TCPAttrWScaleOrig), t.WScaleOrig)
		}
		if t.Has(TCPAttrWScaleReply) {
			e.u8(&n, uint16(TCPAttrWScaleReply), t.WScaleReply)
		}
		if t.Has(TCPAttrFlagsOrig) {
			e.bytes(&n, uint16(TCPAttrFlagsOrig), []byte{byte(t.FlagsOrig.Flags), byte(t.FlagsOrig.Mask)})
		}
		if t.Has(TCPAttrFlagsReply) {
			e.bytes(&n, uint16(TCPAttrFlagsReply), []byte{byte(t.FlagsReply.Flags), byte(t.FlagsReply.Mask)})
		}
		e.end(&c, &n, nStart)
	}
	if p.Has(ProtoInfoAttrDCCP) {
		n, nStart := e.begin(&c, uint16(ProtoInfoAttrDCCP))
		d := &p.DCCP
		if d.Has(DCCPAttrState) {
			e.u8(&n, uint16(DCCPAttrState), uint8(d.State))
		}
		if d.Has(DCCPAttrRole) {
			e.u8(&n, uint16(DCCPAttrRole), uint8(d.Role))
		}
		if d.Has(DCCPAttrHandshakeSeq) {
			e.u64(&n, uint16(DCCPAttrHandshakeSeq), d.HandshakeSeq)
		}
		e.end(&c, &n, nStart)
	}
	if p.Has(ProtoInfoAttrSCTP) {
		n, nStart := e.begin(&c, uint16(ProtoInfoAttrSCTP))
		s := &p.SCTP
		if s.Has(SCTPAttrState) {
			e.u8(&n, uint16(SCTPAttrState), uint8(s.State))
		}
		if s.Has(SCTPAttrVTagOrig) {
			e.u32(&n, uint16(SCTPAttrVTagOrig), s.VTagOrig)
		}
		if s.Has(SCTPAttrVTagReply) {
			e.u32(&n, uint16(SCTPAttrVTagReply), s.VTagReply)
		}
		e.end(&c, &n, nStart)
	}
	e.end(l, &c, start)
}

func (e *enc) counters(l *level, typ uint16, k *Counters) {
	c, start := e.begin(l, typ)
	if k.Has(CounterAttrPackets) {
		e.u64(&c, uint16(CounterAttrPackets), k.Packets)
	}
	if k.Has(CounterAttrBytes) {
		e.u64(&c, uint16(CounterAttrBytes), k.Bytes)
	}
	if k.Has(CounterAttrPackets32) {
		e.u32(&c, uint16(CounterAttrPackets32), uint32(k.Packets))
	}
	if k.Has(CounterAttrBytes32) {
		e.u32(&c, uint16(CounterAttrBytes32), uint32(k.Bytes))
	}
	e.end(l, &c, start)
}

func (e *enc) seqAdj(l *level, typ uint16, q *SeqAdj) {
	c, start := e.begin(l, typ)
	if q.Has(SeqAdjAttrCorrectionPos) {
		e.u32(&c, uint16(SeqAdjAttrCorrectionPos), q.CorrectionPos)
	}
	if q.Has(SeqAdjAttrOffsetBefore) {
		e.u32(&c, uint16(SeqAdjAttrOffsetBefore), q.OffsetBefore)
	}
	if q.Has(SeqAdjAttrOffsetAfter) {
		e.u32(&c, uint16(SeqAdjAttrOffsetAfter), q.OffsetAfter)
	}
	e.end(l, &c, start)
}

func (e *enc) nat(l *level, typ uint16, n *NAT) {
	c, start := e.begin(l, typ)
	e.addr(&c, uint16(NATAttrV4MinIP), uint16(NATAttrV6MinIP), n.MinIP)
	e.addr(&c, uint16(NATAttrV4MaxIP), uint16(NATAttrV6MaxIP), n.MaxIP)
	if n.Present != 0 || e.pending(&c, uint16(NATAttrProto)) {
		p, pStart := e.begin(&c, uint16(NATAttrProto))
		if n.Has(ProtoNATAttrPortMin) {
			e.u16(&p, uint16(ProtoNATAttrPortMin), n.PortMin)
		}
		if n.Has(ProtoNATAttrPortMax) {
			e.u16(&p, uint16(ProtoNATAttrPortMax), n.PortMax)
		}
		e.end(&c, &p, pStart)
	}
	e.end(l, &c, start)
}
