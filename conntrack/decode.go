package conntrack

import (
	"encoding/binary"
	"net/netip"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// Decoder decodes flow attributes with options. The zero Decoder decodes
// every attribute and drops the ones it does not interpret.
type Decoder struct {
	// Keep keeps every attribute the decoder does not interpret (unknown
	// types, zero-length pads) in [Flow.Extra], with its position, so that
	// the encoder re-emits it where it was. Keeping allocates.
	Keep bool
	// Only, when non-zero, restricts decoding to these top-level
	// attributes; the others are skipped unread (and not kept), so that,
	// say, only the tuples and counters of a dump are decoded.
	Only AttrSet
}

// DecodeAttrs decodes the attributes read by s (the attributes after the
// nfgenmsg header of a flow message) into f, replacing every field but
// f.Family. On error f is left unchanged and the error is an [*Error].
// DecodeAttrs allocates nothing unless d.Keep finds attributes to keep.
func (d Decoder) DecodeAttrs(s nla.Scanner, f *Flow) error {
	t := Flow{Family: f.Family}
	st := dec{keep: d.Keep, big: s.Order().Resolve() == nla.BigEndian, prefix: s.Path()}
	if err := st.top(&s, &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	t.Extra = Extras(st.extra)
	*f = t
	return nil
}

// DecodeAttrs is [Decoder.DecodeAttrs] with the zero Decoder.
func (f *Flow) DecodeAttrs(s nla.Scanner) error { return Decoder{}.DecodeAttrs(s, f) }

// DecodeFlow decodes the attributes in b, whose headers are in byte order o
// and which start at absolute offset base (used in errors), into f.
func (d Decoder) DecodeFlow(b []byte, o nla.Order, base int, f *Flow) error {
	t := Flow{Family: f.Family}
	st := dec{keep: d.Keep, big: o.Resolve() == nla.BigEndian}
	w := walker{b: b, base: base, big: st.big}
	if err := st.flow(&w, &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	t.Extra = Extras(st.extra)
	*f = t
	return nil
}

// DecodeMessage decodes a flow message (a dump or GET reply, an event, or
// a CT request): f.Family comes from the nfgenmsg header, the rest from the
// attributes. The message type is not checked. On error f is unchanged.
func (d Decoder) DecodeMessage(m codec.Message, f *Flow) error {
	fam := f.Family
	f.Family = Family(m.NFGen.Family)
	if err := d.DecodeFlow(m.Data, m.Order, m.Offset+codec.AttrOffset, f); err != nil {
		f.Family = fam
		return err
	}
	return nil
}

// UnmarshalMessage is [Decoder.DecodeMessage] with the zero Decoder.
func (f *Flow) UnmarshalMessage(m codec.Message) error { return Decoder{}.DecodeMessage(m, f) }

// UnmarshalBinary decodes one whole netlink message in host byte order
// (header, nfgenmsg and attributes), as [Flow.AppendBinary] writes it. It
// does not check the message type. On error f is unchanged.
func (f *Flow) UnmarshalBinary(b []byte) error {
	m, err := codec.ParseMessage(b, nla.HostOrder)
	if err != nil {
		return err
	}
	if !m.HasNFGen() {
		return &Error{Offset: 0, Err: codec.ErrShort}
	}
	return f.UnmarshalMessage(m)
}

// walker iterates the attributes of one buffer. It is the hot-path
// counterpart of nla.Scanner: no path, no error value, just the current
// attribute; the decoder keeps the path as a stack and builds errors only
// when it fails.
type walker struct {
	b     []byte
	off   int  // next header, relative to b
	base  int  // absolute offset of b[0]
	big   bool // headers are big-endian
	typ   uint16
	flags uint16
	at    int // absolute offset of the current header
	p     []byte
	bad   uint8 // why the walk stopped: badTruncated or badLength
}

const (
	badTruncated = 1 + iota
	badLength
)

func (w *walker) hdr16(i int) uint16 {
	if w.big {
		return binary.BigEndian.Uint16(w.b[i:])
	}
	return binary.LittleEndian.Uint16(w.b[i:])
}

// next advances to the next attribute, following the kernel's nla_ok rule
// and accepting an unpadded final attribute.
func (w *walker) next() bool {
	rem := len(w.b) - w.off
	if rem <= 0 || w.bad != 0 {
		return false
	}
	if rem < nla.HeaderLen {
		w.bad = badTruncated
		return false
	}
	n := int(w.hdr16(w.off))
	t := w.hdr16(w.off + 2)
	if n < nla.HeaderLen {
		w.bad = badLength
		return false
	}
	if n > rem {
		w.bad = badTruncated
		return false
	}
	w.typ, w.flags = t&nla.TypeMask, t&^nla.TypeMask
	w.at = w.base + w.off
	w.p = w.b[w.off+nla.HeaderLen : w.off+n : w.off+n]
	w.off += min(nla.Align(n), rem)
	return true
}

// dec is the state of one decoding run.
type dec struct {
	keep   bool
	big    bool
	extra  extraList
	prefix nla.Path  // path of the scanner handed to DecodeAttrs
	stack  [8]uint16 // types of the nests being decoded
	depth  int
}

func (d *dec) path() nla.Path {
	p := d.prefix
	for _, t := range d.stack[:d.depth] {
		p = p.Append(t)
	}
	return p
}

// walkErr reports the error that stopped w (a malformed header).
func (d *dec) walkErr(w *walker) error {
	if w.bad == 0 {
		return nil
	}
	err := nla.ErrTruncated
	if w.bad == badLength {
		err = nla.ErrLength
	}
	return &Error{Offset: w.base + w.off, Types: d.path(), Err: err}
}

// valueErr reports a bad payload of the current attribute of w.
func (d *dec) valueErr(w *walker, err error) error {
	return &Error{Offset: w.at, Types: d.path().Append(w.typ), Err: err}
}

// enter returns a walker over the current attribute's payload and pushes
// its type on the path; leave pops it.
func (d *dec) enter(w *walker) walker {
	if d.depth < len(d.stack) {
		d.stack[d.depth] = w.typ
	}
	d.depth++
	return walker{b: w.p, base: w.at + nla.HeaderLen, big: w.big}
}

func (d *dec) leave() { d.depth-- }

// skip records an attribute the decoder does not interpret: kept with its
// position if asked, else dropped.
func (d *dec) skipW(w *walker, index int) {
	if !d.keep {
		return
	}
	d.extra = d.extra.Append(ExtraAttr{
		Path: d.path(), Index: index, Type: w.typ, Flags: w.flags, Payload: string(w.p),
	})
}

// top decodes the top level read by an nla.Scanner.
func (d *dec) top(s *nla.Scanner, f *Flow, only AttrSet) error {
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		w := walker{typ: a.Type, flags: a.Flags, at: a.Offset, p: a.Payload, big: d.big}
		if err := d.flowAttr(&w, f, only, i); err != nil {
			return err
		}
	}
	return s.Err()
}

// flow decodes the top level read by a walker.
func (d *dec) flow(w *walker, f *Flow, only AttrSet) error {
	for i := 0; w.next(); i++ {
		if err := d.flowAttr(w, f, only, i); err != nil {
			return err
		}
	}
	return d.walkErr(w)
}

func (d *dec) flowAttr(w *walker, f *Flow, only AttrSet, i int) error {
	t := AttrType(w.typ)
	if only != 0 && !only.Has(t) {
		return nil
	}
	if len(w.p) == 0 && !flowNests.Has(t) {
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
		err = wu32(d, w, &f.Status)
	case AttrStatusMask:
		err = wu32(d, w, &f.StatusMask)
	case AttrTimeout:
		err = wu32(d, w, &f.Timeout)
	case AttrMark:
		err = wu32(d, w, &f.Mark)
	case AttrMarkMask:
		err = wu32(d, w, &f.MarkMask)
	case AttrUse:
		err = wu32(d, w, &f.Use)
	case AttrID:
		err = wu32(d, w, &f.ID)
	case AttrSecMark:
		err = wu32(d, w, &f.SecMark)
	case AttrZone:
		err = wu16(d, w, &f.Zone)
	case AttrTimestampEvent:
		err = wu64(d, w, &f.TimestampEvent)
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

// flowNests are the top-level attributes that are nests.
const flowNests AttrSet = 1<<AttrTupleOrig | 1<<AttrTupleReply | 1<<AttrTupleMaster | 1<<AttrProtoInfo |
	1<<AttrHelp | 1<<AttrNATSrc | 1<<AttrNATDst | 1<<AttrSeqAdjOrig | 1<<AttrSeqAdjReply |
	1<<AttrCountersOrig | 1<<AttrCountersReply | 1<<AttrTimestamp | 1<<AttrSecCtx |
	1<<AttrSynproxy | 1<<AttrFilter

// Value accessors: each reads the current attribute of w into dst, which
// must have the exact size of its type.

func wu8[T ~uint8](d *dec, w *walker, dst *T) error {
	if len(w.p) != 1 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = T(w.p[0])
	return nil
}

func wu16[T ~uint16](d *dec, w *walker, dst *T) error {
	if len(w.p) != 2 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = T(binary.BigEndian.Uint16(w.p))
	return nil
}

func wu32[T ~uint32](d *dec, w *walker, dst *T) error {
	if len(w.p) != 4 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = T(binary.BigEndian.Uint32(w.p))
	return nil
}

func wu64(d *dec, w *walker, dst *uint64) error {
	if len(w.p) != 8 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = binary.BigEndian.Uint64(w.p)
	return nil
}

func (d *dec) addr(w *walker, dst *netip.Addr, size int) error {
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

func (d *dec) labels(w *walker, dst *Labels, size *uint8) error {
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

func (d *dec) tupleW(pw *walker, t *Tuple) error {
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
func (d *dec) tupleChild(w *walker, t *Tuple, i int) error {
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
		err := wu16(d, w, &t.Zone)
		t.HasZone = err == nil
		return err
	}
	d.skipW(w, i)
	return nil
}

func (d *dec) tupleIP(pw *walker, t *Tuple) error {
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

func (d *dec) tupleProto(pw *walker, t *Tuple) error {
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
			err = wu8(d, &w, &t.Proto)
		case ProtoAttrSrcPort:
			err = wu16(d, &w, &t.SrcPort)
		case ProtoAttrDstPort:
			err = wu16(d, &w, &t.DstPort)
		case ProtoAttrICMPID, ProtoAttrICMPv6ID:
			err = wu16(d, &w, &t.ICMPID)
		case ProtoAttrICMPType, ProtoAttrICMPv6Type:
			err = wu8(d, &w, &t.ICMPType)
		case ProtoAttrICMPCode, ProtoAttrICMPv6Code:
			err = wu8(d, &w, &t.ICMPCode)
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

func (d *dec) protoInfo(pw *walker, p *ProtoInfo) error {
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

func (d *dec) tcpFlags(w *walker, dst *TCPFlagsMask) error {
	if len(w.p) != 2 {
		return d.valueErr(w, nla.ErrSize)
	}
	*dst = TCPFlagsMask{Flags: TCPFlags(w.p[0]), Mask: TCPFlags(w.p[1])}
	return nil
}

func (d *dec) tcp(pw *walker, t *TCPInfo) error {
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
			err = wu8(d, &w, &t.State)
		case TCPAttrWScaleOrig:
			err = wu8(d, &w, &t.WScaleOrig)
		case TCPAttrWScaleReply:
			err = wu8(d, &w, &t.WScaleReply)
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

func (d *dec) sctp(pw *walker, t *SCTPInfo) error {
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
			err = wu8(d, &w, &t.State)
		case SCTPAttrVTagOrig:
			err = wu32(d, &w, &t.VTagOrig)
		case SCTPAttrVTagReply:
			err = wu32(d, &w, &t.VTagReply)
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

func (d *dec) dccp(pw *walker, t *DCCPInfo) error {
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
			err = wu8(d, &w, &t.State)
		case DCCPAttrRole:
			err = wu8(d, &w, &t.Role)
		case DCCPAttrHandshakeSeq:
			err = wu64(d, &w, &t.HandshakeSeq)
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

func (d *dec) counters(pw *walker, c *Counters) error {
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
			err = wu64(d, &w, &c.Packets)
			c.Present &^= 1 << CounterAttrPackets32
		case CounterAttrBytes:
			err = wu64(d, &w, &c.Bytes)
			c.Present &^= 1 << CounterAttrBytes32
		case CounterAttrPackets32, CounterAttrBytes32:
			var v uint32
			if err = wu32(d, &w, &v); err == nil {
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

func (d *dec) timestamp(pw *walker, t *Timestamp) error {
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
			err = wu64(d, &w, &t.Start)
		case TimestampAttrStop:
			err = wu64(d, &w, &t.Stop)
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

func (d *dec) nat(pw *walker, n *NAT) error {
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

func (d *dec) protoNAT(pw *walker, n *NAT) error {
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
			err = wu16(d, &w, &n.PortMin)
		case ProtoNATAttrPortMax:
			err = wu16(d, &w, &n.PortMax)
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

func (d *dec) seqAdj(pw *walker, q *SeqAdj) error {
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
			err = wu32(d, &w, &q.CorrectionPos)
		case SeqAdjAttrOffsetBefore:
			err = wu32(d, &w, &q.OffsetBefore)
		case SeqAdjAttrOffsetAfter:
			err = wu32(d, &w, &q.OffsetAfter)
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

func (d *dec) synproxy(pw *walker, q *Synproxy) error {
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
			err = wu32(d, &w, &q.ISN)
		case SynproxyAttrITS:
			err = wu32(d, &w, &q.ITS)
		case SynproxyAttrTSOff:
			err = wu32(d, &w, &q.TSOff)
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

func (d *dec) help(pw *walker, h *Helper) error {
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

func (d *dec) secCtx(pw *walker, c *SecCtx) error {
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

func (d *dec) filter(pw *walker, f *Filter) error {
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

// Scanner-based helpers, for decoders of other messages that walk their
// top level with an nla.Scanner (expectations). Their errors are
// *nla.Error or path-less *Error values; wrapErr names them.

// skip records the current attribute of s, as skipW does for a walker.
func (d *dec) skip(s *nla.Scanner, index int) {
	if !d.keep {
		return
	}
	a := s.Attr()
	d.extra = d.extra.Append(ExtraAttr{
		Path: s.Path(), Index: index, Type: a.Type, Flags: a.Flags, Payload: string(a.Payload),
	})
}

// tuple decodes a tuple nest whose children s reads (s is the parent
// scanner's Nested).
func (d *dec) tuple(s nla.Scanner, t *Tuple) error {
	*t = Tuple{}
	saved := d.prefix
	d.prefix = s.Path()
	defer func() { d.prefix = saved }()
	big := s.Order().Resolve() == nla.BigEndian
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		w := walker{typ: a.Type, flags: a.Flags, at: a.Offset, p: a.Payload, big: big}
		if err := d.tupleChild(&w, t, i); err != nil {
			return err
		}
	}
	return s.Err()
}

func u16[T ~uint16](s *nla.Scanner, dst *T) error {
	v, err := nla.Uint16BE(s.Payload())
	if err != nil {
		return s.Errorf(err)
	}
	*dst = T(v)
	return nil
}

func u32[T ~uint32](s *nla.Scanner, dst *T) error {
	v, err := nla.Uint32BE(s.Payload())
	if err != nil {
		return s.Errorf(err)
	}
	*dst = T(v)
	return nil
}
