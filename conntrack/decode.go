package conntrack

import (
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

// dec is the state of one decoding run.
type dec struct {
	keep  bool
	extra Extras
}

// DecodeAttrs decodes the attributes read by s (the attributes after the
// nfgenmsg header of a flow message) into f, replacing every field but
// f.Family. On error f is left unchanged and the error is an [*Error].
// DecodeAttrs allocates nothing unless d.Keep finds attributes to keep.
func (d Decoder) DecodeAttrs(s nla.Scanner, f *Flow) error {
	t := Flow{Family: f.Family}
	st := dec{keep: d.Keep}
	if err := st.flow(s, &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	t.Extra = st.extra
	*f = t
	return nil
}

// DecodeAttrs is [Decoder.DecodeAttrs] with the zero Decoder.
func (f *Flow) DecodeAttrs(s nla.Scanner) error { return Decoder{}.DecodeAttrs(s, f) }

// DecodeFlow decodes the attributes in b, whose headers are in byte order o
// and which start at absolute offset base (used in errors), into f.
func (d Decoder) DecodeFlow(b []byte, o nla.Order, base int, f *Flow) error {
	return d.DecodeAttrs(nla.NewScannerOrder(b, o, base), f)
}

// DecodeMessage decodes a flow message (a dump or GET reply, an event, or
// a CT request): f.Family comes from the nfgenmsg header, the rest from the
// attributes. The message type is not checked. On error f is unchanged.
func (d Decoder) DecodeMessage(m codec.Message, f *Flow) error {
	fam := f.Family
	f.Family = Family(m.NFGen.Family)
	if err := d.DecodeAttrs(m.Attrs(), f); err != nil {
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

// skip records an attribute the decoder does not interpret: kept with its
// position if asked, else dropped.
func (d *dec) skip(s *nla.Scanner, index int) {
	if !d.keep {
		return
	}
	a := s.Attr()
	d.extra = d.extra.Append(ExtraAttr{
		Path: s.Path(), Index: index, Type: a.Type, Flags: a.Flags, Payload: string(a.Payload),
	})
}

func (d *dec) flow(s nla.Scanner, f *Flow, only AttrSet) error {
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		t := AttrType(a.Type)
		if only != 0 && !only.Has(t) {
			continue
		}
		if len(a.Payload) == 0 {
			// A 64-bit alignment pad: CTA_TIMESTAMP_EVENT's has type 3,
			// which must not clear CTA_STATUS.
			d.skip(&s, i)
			continue
		}
		var err error
		switch t {
		case AttrTupleOrig:
			err = d.tuple(s.Nested(), &f.Orig)
		case AttrTupleReply:
			err = d.tuple(s.Nested(), &f.Reply)
		case AttrTupleMaster:
			err = d.tuple(s.Nested(), &f.Master)
		case AttrStatus:
			err = u32(&s, &f.Status)
		case AttrStatusMask:
			err = u32(&s, &f.StatusMask)
		case AttrTimeout:
			err = u32(&s, &f.Timeout)
		case AttrMark:
			err = u32(&s, &f.Mark)
		case AttrMarkMask:
			err = u32(&s, &f.MarkMask)
		case AttrUse:
			err = u32(&s, &f.Use)
		case AttrID:
			err = u32(&s, &f.ID)
		case AttrSecMark:
			err = u32(&s, &f.SecMark)
		case AttrZone:
			err = u16(&s, &f.Zone)
		case AttrTimestampEvent:
			err = u64(&s, &f.TimestampEvent)
		case AttrProtoInfo:
			err = d.protoInfo(s.Nested(), &f.ProtoInfo)
		case AttrHelp:
			err = d.help(s.Nested(), &f.Helper)
		case AttrNATSrc:
			err = d.nat(s.Nested(), &f.NATSrc)
		case AttrNATDst:
			err = d.nat(s.Nested(), &f.NATDst)
		case AttrSeqAdjOrig:
			err = d.seqAdj(s.Nested(), &f.SeqAdjOrig)
		case AttrSeqAdjReply:
			err = d.seqAdj(s.Nested(), &f.SeqAdjReply)
		case AttrCountersOrig:
			err = d.counters(s.Nested(), &f.CountersOrig)
		case AttrCountersReply:
			err = d.counters(s.Nested(), &f.CountersReply)
		case AttrTimestamp:
			err = d.timestamp(s.Nested(), &f.Timestamp)
		case AttrSecCtx:
			err = d.secCtx(s.Nested(), &f.SecCtx)
		case AttrLabels:
			err = labels(&s, &f.Labels, &f.LabelsSize)
		case AttrLabelsMask:
			err = labels(&s, &f.LabelsMask, &f.LabelsMaskSize)
		case AttrSynproxy:
			err = d.synproxy(s.Nested(), &f.Synproxy)
		case AttrFilter:
			err = d.filter(s.Nested(), &f.Filter)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		f.Present.Add(t)
	}
	return s.Err()
}

// Value accessors: each reads the current attribute of s into dst or
// returns an error located at it.

func u8[T ~uint8](s *nla.Scanner, dst *T) error {
	v, err := nla.Uint8(s.Payload())
	if err != nil {
		return s.Errorf(err)
	}
	*dst = T(v)
	return nil
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

func u64(s *nla.Scanner, dst *uint64) error {
	v, err := nla.Uint64BE(s.Payload())
	if err != nil {
		return s.Errorf(err)
	}
	*dst = v
	return nil
}

func labels(s *nla.Scanner, dst *Labels, size *uint8) error {
	p := s.Payload()
	switch {
	case len(p) > LabelsLen:
		return s.Errorf(ErrTooLong)
	case len(p)%4 != 0:
		return s.Errorf(ErrLabelsSize)
	}
	*dst = Labels{}
	copy(dst[:], p)
	*size = 0
	if len(p) < LabelsLen {
		*size = uint8(len(p))
	}
	return nil
}

func (d *dec) tuple(s nla.Scanner, t *Tuple) error {
	*t = Tuple{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		switch TupleAttr(a.Type) {
		case TupleAttrIP:
			err = d.tupleIP(s.Nested(), t)
		case TupleAttrProto:
			err = d.tupleProto(s.Nested(), t)
		case TupleAttrZone:
			err = u16(&s, &t.Zone)
			t.HasZone = err == nil
		default:
			d.skip(&s, i)
		}
		if err != nil {
			return err
		}
	}
	return s.Err()
}

func (d *dec) tupleIP(s nla.Scanner, t *Tuple) error {
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var dst *netip.Addr
		var err error
		switch IPAttr(a.Type) {
		case IPAttrV4Src:
			dst = &t.Src
			*dst, err = nla.AddrV4(a.Payload)
		case IPAttrV4Dst:
			dst = &t.Dst
			*dst, err = nla.AddrV4(a.Payload)
		case IPAttrV6Src:
			dst = &t.Src
			*dst, err = nla.AddrV6(a.Payload)
		case IPAttrV6Dst:
			dst = &t.Dst
			*dst, err = nla.AddrV6(a.Payload)
		default:
			d.skip(&s, i)
		}
		if err != nil {
			return s.Errorf(err)
		}
	}
	return s.Err()
}

func (d *dec) tupleProto(s nla.Scanner, t *Tuple) error {
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		pa := ProtoAttr(a.Type)
		switch pa {
		case ProtoAttrNum:
			err = u8(&s, &t.Proto)
		case ProtoAttrSrcPort:
			err = u16(&s, &t.SrcPort)
		case ProtoAttrDstPort:
			err = u16(&s, &t.DstPort)
		case ProtoAttrICMPID, ProtoAttrICMPv6ID:
			err = u16(&s, &t.ICMPID)
		case ProtoAttrICMPType, ProtoAttrICMPv6Type:
			err = u8(&s, &t.ICMPType)
		case ProtoAttrICMPCode, ProtoAttrICMPv6Code:
			err = u8(&s, &t.ICMPCode)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(pa)
	}
	return s.Err()
}

func (d *dec) protoInfo(s nla.Scanner, p *ProtoInfo) error {
	*p = ProtoInfo{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		pa := ProtoInfoAttr(a.Type)
		switch pa {
		case ProtoInfoAttrTCP:
			err = d.tcp(s.Nested(), &p.TCP)
		case ProtoInfoAttrSCTP:
			err = d.sctp(s.Nested(), &p.SCTP)
		case ProtoInfoAttrDCCP:
			err = d.dccp(s.Nested(), &p.DCCP)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		p.Set(pa)
	}
	return s.Err()
}

func tcpFlags(s *nla.Scanner, dst *TCPFlagsMask) error {
	p := s.Payload()
	if len(p) != 2 {
		return s.Errorf(nla.ErrSize)
	}
	*dst = TCPFlagsMask{Flags: TCPFlags(p[0]), Mask: TCPFlags(p[1])}
	return nil
}

func (d *dec) tcp(s nla.Scanner, t *TCPInfo) error {
	*t = TCPInfo{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		ta := TCPAttr(a.Type)
		switch ta {
		case TCPAttrState:
			err = u8(&s, &t.State)
		case TCPAttrWScaleOrig:
			err = u8(&s, &t.WScaleOrig)
		case TCPAttrWScaleReply:
			err = u8(&s, &t.WScaleReply)
		case TCPAttrFlagsOrig:
			err = tcpFlags(&s, &t.FlagsOrig)
		case TCPAttrFlagsReply:
			err = tcpFlags(&s, &t.FlagsReply)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(ta)
	}
	return s.Err()
}

func (d *dec) sctp(s nla.Scanner, t *SCTPInfo) error {
	*t = SCTPInfo{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		ta := SCTPAttr(a.Type)
		switch ta {
		case SCTPAttrState:
			err = u8(&s, &t.State)
		case SCTPAttrVTagOrig:
			err = u32(&s, &t.VTagOrig)
		case SCTPAttrVTagReply:
			err = u32(&s, &t.VTagReply)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(ta)
	}
	return s.Err()
}

func (d *dec) dccp(s nla.Scanner, t *DCCPInfo) error {
	*t = DCCPInfo{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		ta := DCCPAttr(a.Type)
		switch ta {
		case DCCPAttrState:
			err = u8(&s, &t.State)
		case DCCPAttrRole:
			err = u8(&s, &t.Role)
		case DCCPAttrHandshakeSeq:
			err = u64(&s, &t.HandshakeSeq)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(ta)
	}
	return s.Err()
}

func (d *dec) counters(s nla.Scanner, c *Counters) error {
	*c = Counters{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		ca := CounterAttr(a.Type)
		switch ca {
		case CounterAttrPackets:
			err = u64(&s, &c.Packets)
		case CounterAttrBytes:
			err = u64(&s, &c.Bytes)
		case CounterAttrPackets32, CounterAttrBytes32:
			var v uint32
			if err = u32(&s, &v); err == nil {
				if ca == CounterAttrPackets32 {
					c.Packets = uint64(v)
				} else {
					c.Bytes = uint64(v)
				}
			}
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		c.Set(ca)
	}
	return s.Err()
}

func (d *dec) timestamp(s nla.Scanner, t *Timestamp) error {
	*t = Timestamp{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		ta := TimestampAttr(a.Type)
		switch ta {
		case TimestampAttrStart:
			err = u64(&s, &t.Start)
		case TimestampAttrStop:
			err = u64(&s, &t.Stop)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		t.Set(ta)
	}
	return s.Err()
}

func (d *dec) nat(s nla.Scanner, n *NAT) error {
	*n = NAT{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		switch NATAttr(a.Type) {
		case NATAttrV4MinIP:
			n.MinIP, err = nla.AddrV4(a.Payload)
		case NATAttrV4MaxIP:
			n.MaxIP, err = nla.AddrV4(a.Payload)
		case NATAttrV6MinIP:
			n.MinIP, err = nla.AddrV6(a.Payload)
		case NATAttrV6MaxIP:
			n.MaxIP, err = nla.AddrV6(a.Payload)
		case NATAttrProto:
			if err := d.protoNAT(s.Nested(), n); err != nil {
				return err
			}
		default:
			d.skip(&s, i)
		}
		if err != nil {
			return s.Errorf(err)
		}
	}
	return s.Err()
}

func (d *dec) protoNAT(s nla.Scanner, n *NAT) error {
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		pa := ProtoNATAttr(a.Type)
		switch pa {
		case ProtoNATAttrPortMin:
			err = u16(&s, &n.PortMin)
		case ProtoNATAttrPortMax:
			err = u16(&s, &n.PortMax)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		n.Set(pa)
	}
	return s.Err()
}

func (d *dec) seqAdj(s nla.Scanner, q *SeqAdj) error {
	*q = SeqAdj{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		qa := SeqAdjAttr(a.Type)
		switch qa {
		case SeqAdjAttrCorrectionPos:
			err = u32(&s, &q.CorrectionPos)
		case SeqAdjAttrOffsetBefore:
			err = u32(&s, &q.OffsetBefore)
		case SeqAdjAttrOffsetAfter:
			err = u32(&s, &q.OffsetAfter)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		q.Set(qa)
	}
	return s.Err()
}

func (d *dec) synproxy(s nla.Scanner, q *Synproxy) error {
	*q = Synproxy{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		var err error
		qa := SynproxyAttr(a.Type)
		switch qa {
		case SynproxyAttrISN:
			err = u32(&s, &q.ISN)
		case SynproxyAttrITS:
			err = u32(&s, &q.ITS)
		case SynproxyAttrTSOff:
			err = u32(&s, &q.TSOff)
		default:
			d.skip(&s, i)
			continue
		}
		if err != nil {
			return err
		}
		q.Set(qa)
	}
	return s.Err()
}

func (d *dec) help(s nla.Scanner, h *Helper) error {
	*h = Helper{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		ha := HelpAttr(a.Type)
		switch ha {
		case HelpAttrName:
			if !h.Name.setBytes(nla.StringBytes(a.Payload)) {
				return s.Errorf(ErrTooLong)
			}
		case HelpAttrInfo:
			if !h.Info.setBytes(a.Payload) {
				return s.Errorf(ErrTooLong)
			}
		default:
			d.skip(&s, i)
			continue
		}
		h.Set(ha)
	}
	return s.Err()
}

func (d *dec) secCtx(s nla.Scanner, c *SecCtx) error {
	c.setBytes(nil)
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 || SecCtxAttr(a.Type) != SecCtxAttrName {
			d.skip(&s, i)
			continue
		}
		if !c.setBytes(nla.StringBytes(a.Payload)) {
			return s.Errorf(ErrTooLong)
		}
	}
	return s.Err()
}

func (d *dec) filter(s nla.Scanner, f *Filter) error {
	*f = Filter{}
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		if len(a.Payload) == 0 {
			d.skip(&s, i)
			continue
		}
		fa := FilterAttr(a.Type)
		var dst *FilterFlags
		switch fa {
		case FilterAttrOrigFlags:
			dst = &f.OrigFlags
		case FilterAttrReplyFlags:
			dst = &f.ReplyFlags
		default:
			d.skip(&s, i)
			continue
		}
		// Host order: the order of the headers around it.
		v, err := nla.Uint32Order(a.Payload, s.Order())
		if err != nil {
			return s.Errorf(err)
		}
		*dst = FilterFlags(v)
		f.Set(fa)
	}
	return s.Err()
}
