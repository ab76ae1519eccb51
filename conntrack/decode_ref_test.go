package conntrack

// The decoder as it stood before the fast path (rwalker-based), kept as
// the reference the differential tests compare the decoder against:
// same records, same errors (offset, path, sentinel).

import (
	"encoding/binary"
	"net/netip"

	"github.com/ctwire/ctwire/nla"
)

// refDecodeFlow is the reference DecodeFlow.
func refDecodeFlow(d Decoder, b []byte, o nla.Order, base int, f *Flow) error {
	t := Flow{Family: f.Family}
	st := rdec{keep: d.Keep, big: o.Resolve() == nla.BigEndian}
	w := rwalker{b: b, base: base, big: st.big}
	if err := st.flow(&w, &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	t.Extra = st.extra
	*f = t
	return nil
}

// rwalker iterates the attributes of one buffer. It is the hot-path
// counterpart of nla.Scanner: no path, no error value, just the current
// attribute; the decoder keeps the path as a stack and builds errors only
// when it fails.
type rwalker struct {
	b     []byte
	off   int  // next header, relative to b
	base  int  // absolute offset of b[0]
	big   bool // headers are big-endian
	typ   uint16
	flags uint16
	at    int // absolute offset of the current header
	p     []byte
	bad   uint8 // why the walk stopped: rbadTruncated or rbadLength
}

const (
	rbadTruncated = 1 + iota
	rbadLength
)

func (w *rwalker) hdr16(i int) uint16 {
	if w.big {
		return binary.BigEndian.Uint16(w.b[i:])
	}
	return binary.LittleEndian.Uint16(w.b[i:])
}

// next advances to the next attribute, following the kernel's nla_ok rule
// and accepting an unpadded final attribute.
func (w *rwalker) next() bool {
	rem := len(w.b) - w.off
	if rem <= 0 || w.bad != 0 {
		return false
	}
	if rem < nla.HeaderLen {
		w.bad = rbadTruncated
		return false
	}
	n := int(w.hdr16(w.off))
	t := w.hdr16(w.off + 2)
	if n < nla.HeaderLen {
		w.bad = rbadLength
		return false
	}
	if n > rem {
		w.bad = rbadTruncated
		return false
	}
	w.typ, w.flags = t&nla.TypeMask, t&^nla.TypeMask
	w.at = w.base + w.off
	w.p = w.b[w.off+nla.HeaderLen : w.off+n : w.off+n]
	w.off += min(nla.Align(n), rem)
	return true
}

// rdec is the state of one decoding run.
type rdec struct {
	keep   bool
	big    bool
	extra  Extras
	prefix nla.Path  // path of the scanner handed to DecodeAttrs
	stack  [8]uint16 // types of the nests being decoded
	depth  int
}

func (d *rdec) path() nla.Path {
	p := d.prefix
	for _, t := range d.stack[:d.depth] {
		p = p.Append(t)
	}
	return p
}

// walkErr reports the error that stopped w (a malformed header).
func (d *rdec) walkErr(w *rwalker) error {
	if w.bad == 0 {
		return nil
	}
	err := nla.ErrTruncated
	if w.bad == rbadLength {
		err = nla.ErrLength
	}
	return &Error{Offset: w.base + w.off, Types: d.path(), Err: err}
}

// valueErr reports a bad payload of the current attribute of w.
func (d *rdec) valueErr(w *rwalker, err error) error {
	return &Error{Offset: w.at, Types: d.path().Append(w.typ), Err: err}
}

// enter returns a rwalker over the current attribute's payload and pushes
// its type on the path; leave pops it.
func (d *rdec) enter(w *rwalker) rwalker {
	if d.depth < len(d.stack) {
		d.stack[d.depth] = w.typ
	}
	d.depth++
	return rwalker{b: w.p, base: w.at + nla.HeaderLen, big: w.big}
}

func (d *rdec) leave() { d.depth-- }

// skip records an attribute the decoder does not interpret: kept with its
// position if asked, else dropped.
func (d *rdec) skipW(w *rwalker, index int) {
	if !d.keep {
		return
	}
	d.extra = d.extra.Append(ExtraAttr{
		Path: d.path(), Index: index, Type: w.typ, Flags: w.flags, Payload: string(w.p),
	})
}

// top decodes the top level read by an nla.Scanner.
func (d *rdec) top(s *nla.Scanner, f *Flow, only AttrSet) error {
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		w := rwalker{typ: a.Type, flags: a.Flags, at: a.Offset, p: a.Payload, big: d.big}
		if err := d.flowAttr(&w, f, only, i); err != nil {
			return err
		}
	}
	return s.Err()
}

// flow decodes the top level read by a rwalker.
func (d *rdec) flow(w *rwalker, f *Flow, only AttrSet) error {
	for i := 0; w.next(); i++ {
		if err := d.flowAttr(w, f, only, i); err != nil {
			return err
		}
	}
	return d.walkErr(w)
}

func (d *rdec) flowAttr(w *rwalker, f *Flow, only AttrSet, i int) error {
	t := AttrType(w.typ)
	if only != 0 && !only.Has(t) {
		return nil
	}
	if len(w.p) == 0 && !rflowNests.Has(t) {
		// A 64-bit alignment pad: CTA_TIMESTAMP_EVENT's has type 3,
		// which must not clear CTA_STATUS. An empty nest, though, is
		// present (the kernel's nla_parse keeps it).
		d.skipW(w, i)
		return nil
	}
	var err error
	switch t {
	case AttrTupleOrig:
		err = d.tupleW(w, &f.Orig)
	case AttrTupleReply:
		err = d.tupleW(w, &f.Reply)
	case AttrTupleMaster:
		err = d.tupleW(w, &f.Master)
	case AttrStatus:
		err = rwu32(d, w, &f.Status)
	case AttrStatusMask:
		err = rwu32(d, w, &f.StatusMask)
	case AttrTimeout:
		err = rwu32(d, w, &f.Timeout)
	case AttrMark:
		err = rwu32(d, w, &f.Mark)
	case AttrMarkMask:
		err = rwu32(d, w, &f.MarkMask)
	case AttrUse:
		err = rwu32(d, w, &f.Use)
	case AttrID:
		err = rwu32(d, w, &f.ID)
	case AttrSecMark:
		err = rwu32(d, w, &f.SecMark)
	case AttrZone:
		err = rwu16(d, w, &f.Zone)
	case AttrTimestampEvent:
		err = rwu64(d, w, &f.TimestampEvent)
	case AttrProtoInfo:
		err = d.protoInfo(w, &f.ProtoInfo)
	case AttrHelp:
		err = d.help(w, &f.Helper)
	case AttrNATSrc:
		err = d.nat(w, &f.NATSrc)
	case AttrNATDst:
		err = d.nat(w, &f.NATDst)
	case AttrSeqAdjOrig:
		err = d.seqAdj(w, &f.SeqAdjOrig)
	case AttrSeqAdjReply:
		err = d.seqAdj(w, &f.SeqAdjReply)
	case AttrCountersOrig:
		err = d.counters(w, &f.CountersOrig)
	case AttrCountersReply:
		err = d.counters(w, &f.CountersReply)
	case AttrTimestamp:
		err = d.timestamp(w, &f.Timestamp)
	case AttrSecCtx:
		err = d.secCtx(w, &f.SecCtx)
	case AttrLabels:
		err = d.labels(w, &f.Labels, &f.LabelsSize)
	case AttrLabelsMask:
		err = d.labels(w, &f.LabelsMask, &f.LabelsMaskSize)
	case AttrSynproxy:
		err = d.synproxy(w, &f.Synproxy)
	case AttrFilter:
		err = d.filter(w, &f.Filter)
	default:
		d.skipW(w, i)
		return nil
	}
	if err != nil {
		return err
	}
	f.Present.Add(t)
	return nil
}

// rflowNests are the top-level attributes that are nests.
const rflowNests AttrSet = 1<<AttrTupleOrig | 1<<AttrTupleReply | 1<<AttrTupleMaster | 1<<AttrProtoInfo |
	1<<AttrHelp | 1<<AttrNATSrc | 1<<AttrNATDst | 1<<AttrSeqAdjOrig | 1<<AttrSeqAdjReply |
	1<<AttrCountersOrig | 1<<AttrCountersReply | 1<<AttrTimestamp | 1<<AttrSecCtx |
	1<<AttrSynproxy | 1<<AttrFilter

// Value accessors: each reads the current attribute of w into dst, which
// must have the exact size of its type.

func rwu8[T ~uint8](d *rdec, w *rwalker, dst *T) error {
	if len(w.p) != 1 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = T(w.p[0])
	return nil
}

func rwu16[T ~uint16](d *rdec, w *rwalker, dst *T) error {
	if len(w.p) != 2 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = T(binary.BigEndian.Uint16(w.p))
	return nil
}

func rwu32[T ~uint32](d *rdec, w *rwalker, dst *T) error {
	if len(w.p) != 4 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = T(binary.BigEndian.Uint32(w.p))
	return nil
}

func rwu64(d *rdec, w *rwalker, dst *uint64) error {
	if len(w.p) != 8 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = binary.BigEndian.Uint64(w.p)
	return nil
}

func (d *rdec) addr(w *rwalker, dst *netip.Addr, size int) error {
	if len(w.p) != size {
		return d.valueErr(w, nla.ErrSize)
	}
	if size == 4 {
		*dst = netip.AddrFrom4([4]byte(w.p))
	} else {
		*dst = netip.AddrFrom16([16]byte(w.p))
	}
	return nil
}

func (d *rdec) labels(w *rwalker, dst *Labels, size *uint8) error {
	switch {
	case len(w.p) > LabelsLen:
		return d.valueErr(w, ErrTooLong)
	case len(w.p)%4 != 0:
		return d.valueErr(w, ErrLabelsSize)
	}
	*dst = Labels{}
	copy(dst[:], w.p)
	*size = 0
	if len(w.p) < LabelsLen {
		*size = uint8(len(w.p))
	}
	return nil
}

func (d *rdec) tupleW(pw *rwalker, t *Tuple) error {
	*t = Tuple{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if err := d.tupleChild(&w, t, i); err != nil {
			return err
		}
	}
	return d.walkErr(&w)
}

// tupleChild decodes the current attribute of w, the i'th of a tuple.
func (d *rdec) tupleChild(w *rwalker, t *Tuple, i int) error {
	if len(w.p) == 0 {
		d.skipW(w, i)
		return nil
	}
	switch TupleAttr(w.typ) {
	case TupleAttrIP:
		return d.tupleIP(w, t)
	case TupleAttrProto:
		return d.tupleProto(w, t)
	case TupleAttrZone:
		err := rwu16(d, w, &t.Zone)
		t.HasZone = err == nil
		return err
	}
	d.skipW(w, i)
	return nil
}

func (d *rdec) tupleIP(pw *rwalker, t *Tuple) error {
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		switch IPAttr(w.typ) {
		case IPAttrV4Src:
			err = d.addr(&w, &t.Src, 4)
		case IPAttrV4Dst:
			err = d.addr(&w, &t.Dst, 4)
		case IPAttrV6Src:
			err = d.addr(&w, &t.Src, 16)
		case IPAttrV6Dst:
			err = d.addr(&w, &t.Dst, 16)
		default:
			d.skipW(&w, i)
		}
		if err != nil {
			return err
		}
	}
	return d.walkErr(&w)
}

func (d *rdec) tupleProto(pw *rwalker, t *Tuple) error {
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		pa := ProtoAttr(w.typ)
		switch pa {
		case ProtoAttrNum:
			err = rwu8(d, &w, &t.Proto)
		case ProtoAttrSrcPort:
			err = rwu16(d, &w, &t.SrcPort)
		case ProtoAttrDstPort:
			err = rwu16(d, &w, &t.DstPort)
		case ProtoAttrICMPID, ProtoAttrICMPv6ID:
			err = rwu16(d, &w, &t.ICMPID)
		case ProtoAttrICMPType, ProtoAttrICMPv6Type:
			err = rwu8(d, &w, &t.ICMPType)
		case ProtoAttrICMPCode, ProtoAttrICMPv6Code:
			err = rwu8(d, &w, &t.ICMPCode)
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(pa)
	}
	return d.walkErr(&w)
}

func (d *rdec) protoInfo(pw *rwalker, p *ProtoInfo) error {
	*p = ProtoInfo{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		pa := ProtoInfoAttr(w.typ)
		if len(w.p) == 0 && pa != ProtoInfoAttrTCP && pa != ProtoInfoAttrSCTP && pa != ProtoInfoAttrDCCP {
			d.skipW(&w, i)
			continue
		}
		var err error
		switch pa {
		case ProtoInfoAttrTCP:
			err = d.tcp(&w, &p.TCP)
		case ProtoInfoAttrSCTP:
			err = d.sctp(&w, &p.SCTP)
		case ProtoInfoAttrDCCP:
			err = d.dccp(&w, &p.DCCP)
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		p.Set(pa)
	}
	return d.walkErr(&w)
}

func (d *rdec) tcpFlags(w *rwalker, dst *TCPFlagsMask) error {
	if len(w.p) != 2 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = TCPFlagsMask{Flags: TCPFlags(w.p[0]), Mask: TCPFlags(w.p[1])}
	return nil
}

func (d *rdec) tcp(pw *rwalker, t *TCPInfo) error {
	*t = TCPInfo{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		ta := TCPAttr(w.typ)
		switch ta {
		case TCPAttrState:
			err = rwu8(d, &w, &t.State)
		case TCPAttrWScaleOrig:
			err = rwu8(d, &w, &t.WScaleOrig)
		case TCPAttrWScaleReply:
			err = rwu8(d, &w, &t.WScaleReply)
		case TCPAttrFlagsOrig:
			err = d.tcpFlags(&w, &t.FlagsOrig)
		case TCPAttrFlagsReply:
			err = d.tcpFlags(&w, &t.FlagsReply)
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(ta)
	}
	return d.walkErr(&w)
}

func (d *rdec) sctp(pw *rwalker, t *SCTPInfo) error {
	*t = SCTPInfo{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		ta := SCTPAttr(w.typ)
		switch ta {
		case SCTPAttrState:
			err = rwu8(d, &w, &t.State)
		case SCTPAttrVTagOrig:
			err = rwu32(d, &w, &t.VTagOrig)
		case SCTPAttrVTagReply:
			err = rwu32(d, &w, &t.VTagReply)
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(ta)
	}
	return d.walkErr(&w)
}

func (d *rdec) dccp(pw *rwalker, t *DCCPInfo) error {
	*t = DCCPInfo{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		ta := DCCPAttr(w.typ)
		switch ta {
		case DCCPAttrState:
			err = rwu8(d, &w, &t.State)
		case DCCPAttrRole:
			err = rwu8(d, &w, &t.Role)
		case DCCPAttrHandshakeSeq:
			err = rwu64(d, &w, &t.HandshakeSeq)
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(ta)
	}
	return d.walkErr(&w)
}

func (d *rdec) counters(pw *rwalker, c *Counters) error {
	*c = Counters{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		ca := CounterAttr(w.typ)
		switch ca {
		// The last of the 64- and 32-bit forms wins, value and form.
		case CounterAttrPackets:
			err = rwu64(d, &w, &c.Packets)
			c.Present &^= 1 << CounterAttrPackets32
		case CounterAttrBytes:
			err = rwu64(d, &w, &c.Bytes)
			c.Present &^= 1 << CounterAttrBytes32
		case CounterAttrPackets32, CounterAttrBytes32:
			var v uint32
			if err = rwu32(d, &w, &v); err == nil {
				if ca == CounterAttrPackets32 {
					c.Packets = uint64(v)
					c.Present &^= 1 << CounterAttrPackets
				} else {
					c.Bytes = uint64(v)
					c.Present &^= 1 << CounterAttrBytes
				}
			}
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		c.Set(ca)
	}
	return d.walkErr(&w)
}

func (d *rdec) timestamp(pw *rwalker, t *Timestamp) error {
	*t = Timestamp{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		ta := TimestampAttr(w.typ)
		switch ta {
		case TimestampAttrStart:
			err = rwu64(d, &w, &t.Start)
		case TimestampAttrStop:
			err = rwu64(d, &w, &t.Stop)
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(ta)
	}
	return d.walkErr(&w)
}

func (d *rdec) nat(pw *rwalker, n *NAT) error {
	*n = NAT{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		switch NATAttr(w.typ) {
		case NATAttrV4MinIP:
			err = d.addr(&w, &n.MinIP, 4)
		case NATAttrV4MaxIP:
			err = d.addr(&w, &n.MaxIP, 4)
		case NATAttrV6MinIP:
			err = d.addr(&w, &n.MinIP, 16)
		case NATAttrV6MaxIP:
			err = d.addr(&w, &n.MaxIP, 16)
		case NATAttrProto:
			err = d.protoNAT(&w, n)
		default:
			d.skipW(&w, i)
		}
		if err != nil {
			return err
		}
	}
	return d.walkErr(&w)
}

func (d *rdec) protoNAT(pw *rwalker, n *NAT) error {
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		pa := ProtoNATAttr(w.typ)
		switch pa {
		case ProtoNATAttrPortMin:
			err = rwu16(d, &w, &n.PortMin)
		case ProtoNATAttrPortMax:
			err = rwu16(d, &w, &n.PortMax)
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		n.Set(pa)
	}
	return d.walkErr(&w)
}

func (d *rdec) seqAdj(pw *rwalker, q *SeqAdj) error {
	*q = SeqAdj{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		qa := SeqAdjAttr(w.typ)
		switch qa {
		case SeqAdjAttrCorrectionPos:
			err = rwu32(d, &w, &q.CorrectionPos)
		case SeqAdjAttrOffsetBefore:
			err = rwu32(d, &w, &q.OffsetBefore)
		case SeqAdjAttrOffsetAfter:
			err = rwu32(d, &w, &q.OffsetAfter)
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		q.Set(qa)
	}
	return d.walkErr(&w)
}

func (d *rdec) synproxy(pw *rwalker, q *Synproxy) error {
	*q = Synproxy{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		var err error
		qa := SynproxyAttr(w.typ)
		switch qa {
		case SynproxyAttrISN:
			err = rwu32(d, &w, &q.ISN)
		case SynproxyAttrITS:
			err = rwu32(d, &w, &q.ITS)
		case SynproxyAttrTSOff:
			err = rwu32(d, &w, &q.TSOff)
		default:
			d.skipW(&w, i)
			continue
		}
		if err != nil {
			return err
		}
		q.Set(qa)
	}
	return d.walkErr(&w)
}

func (d *rdec) help(pw *rwalker, h *Helper) error {
	*h = Helper{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		ha := HelpAttr(w.typ)
		switch ha {
		case HelpAttrName:
			if !h.Name.setBytes(nla.StringBytes(w.p)) {
				return d.valueErr(&w, ErrTooLong)
			}
		case HelpAttrInfo:
			if !h.Info.setBytes(w.p) {
				return d.valueErr(&w, ErrTooLong)
			}
		default:
			d.skipW(&w, i)
			continue
		}
		h.Set(ha)
	}
	return d.walkErr(&w)
}

func (d *rdec) secCtx(pw *rwalker, c *SecCtx) error {
	c.setBytes(nil)
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 || SecCtxAttr(w.typ) != SecCtxAttrName {
			d.skipW(&w, i)
			continue
		}
		if !c.setBytes(nla.StringBytes(w.p)) {
			return d.valueErr(&w, ErrTooLong)
		}
	}
	return d.walkErr(&w)
}

func (d *rdec) filter(pw *rwalker, f *Filter) error {
	*f = Filter{}
	w := d.enter(pw)
	defer d.leave()
	for i := 0; w.next(); i++ {
		if len(w.p) == 0 {
			d.skipW(&w, i)
			continue
		}
		fa := FilterAttr(w.typ)
		var dst *FilterFlags
		switch fa {
		case FilterAttrOrigFlags:
			dst = &f.OrigFlags
		case FilterAttrReplyFlags:
			dst = &f.ReplyFlags
		default:
			d.skipW(&w, i)
			continue
		}
		if len(w.p) != 4 {
			return d.valueErr(&w, nla.ErrSize)
		}
		// Host order: the byte order of the headers around it.
		if w.big {
			*dst = FilterFlags(binary.BigEndian.Uint32(w.p))
		} else {
			*dst = FilterFlags(binary.LittleEndian.Uint32(w.p))
		}
		f.Set(fa)
	}
	return d.walkErr(&w)
}

// refDecodeAttrs is the reference DecodeAttrs.
func refDecodeAttrs(d Decoder, s nla.Scanner, f *Flow) error {
	t := Flow{Family: f.Family}
	st := rdec{keep: d.Keep, big: s.Order().Resolve() == nla.BigEndian, prefix: s.Path()}
	if err := st.top(&s, &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	t.Extra = st.extra
	*f = t
	return nil
}
