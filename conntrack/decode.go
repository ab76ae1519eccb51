package conntrack

import (
	"encoding/binary"
	"math/bits"
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
	if err := s.Err(); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	if !d.Keep && !bigOrder(s.Order()) && fastFlow(s.Rest(), d.Only, f.Family, f) {
		return nil
	}
	t := Flow{Family: f.Family}
	st := dec{keep: d.Keep, big: bigOrder(s.Order())}
	b := s.Rest()
	if err := st.decFlow(b, s.Offset(), &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, withinPath(err, s.Path()))
	}
	if d.Keep {
		st.keepWalk(kindFlow, b, s.Path(), d.Only)
	}
	t.Extra = Extras(st.extra)
	*f = t
	return nil
}

// generalFlow decodes the attributes in b, whose headers are in byte
// order o and which start at absolute offset base, by the general loops
// alone.
func (d Decoder) generalFlow(b []byte, o nla.Order, base int, f *Flow) error {
	t := Flow{Family: f.Family}
	st := dec{keep: d.Keep, big: bigOrder(o)}
	if err := st.decFlow(b, base, &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	if d.Keep {
		st.keepWalk(kindFlow, b, nla.Path{}, d.Only)
	}
	t.Extra = Extras(st.extra)
	*f = t
	return nil
}

// DecodeMessage decodes a flow message (a dump or GET reply, an event, or
// a CT request): f.Family comes from the nfgenmsg header, the rest from the
// attributes. The message type is not checked. On error f is unchanged.
func (d Decoder) DecodeMessage(m codec.Message, f *Flow) error {
	// Small enough to inline: the caller's message is read field by
	// field where it lies, never copied whole.
	return d.decodeMessage(m.Data, m.Order, m.Offset, m.NFGen.Family, f)
}

// decodeMessage decodes the attributes b of the flow message at absolute
// offset off, whose nfgenmsg family is fam.
func (d Decoder) decodeMessage(b []byte, o nla.Order, off int, fam uint8, f *Flow) error {
	if !d.Keep && !bigOrder(o) && fastFlow(b, d.Only, Family(fam), f) {
		return nil
	}
	return d.generalMessage(b, o, off, fam, f)
}

// generalMessage is [Decoder.decodeMessage] by the general loops alone.
func (d Decoder) generalMessage(b []byte, o nla.Order, off int, fam uint8, f *Flow) error {
	old := f.Family
	f.Family = Family(fam)
	if err := d.generalFlow(b, o, off+codec.AttrOffset, f); err != nil {
		f.Family = old
		return err
	}
	return nil
}

// UnmarshalBinary decodes one whole netlink message in host byte order
// (header, nfgenmsg and attributes), as [Flow.AppendBinary] writes it. It
// does not check the message type beyond refusing control messages, and
// ignores bytes after nlmsg_len. Framing errors are a [*codec.Error] (at
// offset 0) as [codec.ParseMessage] reports them; a message without its
// nfgenmsg is an [*Error] wrapping [codec.ErrShort]. On error f is
// unchanged.
//
// It is the fastest way from the bytes of one message to a [Flow]: the
// header is read here, in place, with no [codec.Message] in between.
func (f *Flow) UnmarshalBinary(b []byte) error {
	if len(b) < codec.HeaderLen {
		return &codec.Error{Offset: 0, Err: codec.ErrTruncated}
	}
	// nlmsg_len and nlmsg_type, in host order: the same test as
	// bigOrder(nla.HostOrder), folded to a constant by the compiler.
	var n uint32
	var typ uint16
	if bigOrder(nla.HostOrder) {
		n, typ = binary.BigEndian.Uint32(b), binary.BigEndian.Uint16(b[4:])
	} else {
		n, typ = binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint16(b[4:])
	}
	switch {
	case n < codec.HeaderLen:
		return &codec.Error{Offset: 0, Err: codec.ErrLength}
	case uint64(n) > uint64(len(b)):
		return &codec.Error{Offset: 0, Err: codec.ErrTruncated}
	case typ < codec.TypeMin || n < codec.AttrOffset:
		return &Error{Offset: 0, Err: codec.ErrShort}
	}
	attrs, fam := b[codec.AttrOffset:n:n], b[codec.HeaderLen]
	if !bigOrder(nla.HostOrder) && fastFlow(attrs, 0, Family(fam), f) {
		return nil
	}
	return (Decoder{}).generalMessage(attrs, nla.HostOrder, 0, fam, f)
}

// How the decoder is fast. Each nest is one loop over its attributes
// that calls nothing on the way but the functions of the nests below it:
// Go's calling convention saves every live register around a call, so
// the loops keep calls off their paths. An attribute costs two 16-bit
// loads for its header (swapped only for a big-endian capture), two
// comparisons, a jump table on its type, and an exact-size load of its
// value. The attribute path of an error is built on the way out, each
// nest prepending its type ([within]), and the attributes kept for
// [Decoder.Keep] are collected afterwards by [dec.keepWalk], which
// follows the decoder's rules (keepRules).

// typeOf returns the attribute type of h, the type field of a header,
// with the flags masked off.
func typeOf(h uint16) uint16 { return h & nla.TypeMask }

// dec is the state of one decoding run.
type dec struct {
	keep  bool
	big   bool // headers are big-endian
	extra extraList
}

// bigOrder reports whether headers in byte order o are big-endian.
func bigOrder(o nla.Order) bool { return o.Resolve() == nla.BigEndian }

// headerErr reports the malformed header at the start of b, at absolute
// offset at, with the path relative to the nest being decoded (empty).
func (d *dec) headerErr(b []byte, at int) error {
	err := nla.ErrTruncated
	if len(b) >= nla.HeaderLen {
		n := binary.LittleEndian.Uint16(b)
		if d.big {
			n = n>>8 | n<<8
		}
		if n < nla.HeaderLen {
			err = nla.ErrLength
		}
	}
	return &Error{Offset: at, Err: err}
}

// valueErr reports a bad payload of the attribute with header h at
// absolute offset at; the path is that attribute's type, relative to the
// nest being decoded.
func valueErr(at int, h uint16, err error) error {
	return &Error{Offset: at, Types: nla.Path{}.Append(typeOf(h)), Err: err}
}

// sizeErr is valueErr with [nla.ErrSize].
func sizeErr(at int, h uint16) error { return valueErr(at, h, nla.ErrSize) }

// within prefixes the path of err, an error from inside a nest of type
// typ, with typ.
func within(err error, typ uint16) error {
	e := err.(*Error)
	p := nla.Path{}.Append(typ)
	for i := 0; i < e.Types.Len(); i++ {
		p = p.Append(e.Types.At(i))
	}
	e.Types = p
	return e
}

// withinPath prefixes the path of err, if it is an [*Error], with p.
func withinPath(err error, p nla.Path) error {
	e, ok := err.(*Error)
	if !ok || p.Len() == 0 {
		return err
	}
	for i := 0; i < e.Types.Len(); i++ {
		p = p.Append(e.Types.At(i))
	}
	e.Types = p
	return e
}

// Exact-size big-endian payload readers, small enough to inline.

func be8(p []byte) (uint8, bool) {
	if len(p) != 1 {
		return 0, false
	}
	return p[0], true
}

func be16(p []byte) (uint16, bool) {
	if len(p) != 2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(p), true
}

func be32(p []byte) (uint32, bool) {
	if len(p) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(p), true
}

func be64(p []byte) (uint64, bool) {
	if len(p) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(p), true
}

func addr4(p []byte) (netip.Addr, bool) {
	if len(p) != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte(p)), true
}

func addr16(p []byte) (netip.Addr, bool) {
	if len(p) != 16 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16([16]byte(p)), true
}

// tcpFlags reads a struct nf_ct_tcp_flags.
func tcpFlags(p []byte) (TCPFlagsMask, bool) {
	if len(p) != 2 {
		return TCPFlagsMask{}, false
	}
	return TCPFlagsMask{Flags: TCPFlags(p[0]), Mask: TCPFlags(p[1])}, true
}

// Every loop below starts the same way: split the attribute at b[0] off,
// as the kernel's nla_ok and nla_next do (accepting an unpadded final
// attribute), into its header h, its payload p and its absolute offset
// at, and advance b and base past it.

// The kernel lays its nests out the same way every time
// (ctnetlink_fill_info and the helpers it calls): the functions below
// recognise the common layouts by their headers, read as little-endian
// 32-bit words (length in the low half, type and flags in the high half),
// and fill the record from fixed offsets. They report 0 or false for
// anything else, which the general loops then decode; given those headers
// the general loops produce the very same record, padding bytes being
// ignored by both.
const (
	hdrTupleIPv4    = 0x14 | uint32(nla.FlagNested|uint16(TupleAttrIP))<<16    // CTA_TUPLE_IP, two IPv4 addresses
	hdrTupleIPv6    = 0x2c | uint32(nla.FlagNested|uint16(TupleAttrIP))<<16    // CTA_TUPLE_IP, two IPv6 addresses
	hdrV4Src        = 0x08 | uint32(IPAttrV4Src)<<16                           // CTA_IP_V4_SRC
	hdrV4Dst        = 0x08 | uint32(IPAttrV4Dst)<<16                           // CTA_IP_V4_DST
	hdrV6Src        = 0x14 | uint32(IPAttrV6Src)<<16                           // CTA_IP_V6_SRC
	hdrV6Dst        = 0x14 | uint32(IPAttrV6Dst)<<16                           // CTA_IP_V6_DST
	hdrProtoPort    = 0x1c | uint32(nla.FlagNested|uint16(TupleAttrProto))<<16 // CTA_TUPLE_PROTO: NUM, SRC_PORT, DST_PORT
	hdrProtoICMP    = 0x24 | uint32(nla.FlagNested|uint16(TupleAttrProto))<<16 // CTA_TUPLE_PROTO: NUM, ID, TYPE, CODE
	hdrProtoNum     = 0x05 | uint32(ProtoAttrNum)<<16
	hdrSrcPort      = 0x06 | uint32(ProtoAttrSrcPort)<<16
	hdrDstPort      = 0x06 | uint32(ProtoAttrDstPort)<<16
	hdrPackets      = 0x0c | uint32(CounterAttrPackets)<<16
	hdrBytes        = 0x0c | uint32(CounterAttrBytes)<<16
	hdrStart        = 0x0c | uint32(TimestampAttrStart)<<16
	hdrStop         = 0x0c | uint32(TimestampAttrStop)<<16
	hdrTCP          = 0x2c | uint32(nla.FlagNested|uint16(ProtoInfoAttrTCP))<<16 // all five TCP attributes
	hdrTCPStateOnly = 0x0c | uint32(nla.FlagNested|uint16(ProtoInfoAttrTCP))<<16 // the state alone (destroy events)
	hdrTCPState     = 0x05 | uint32(TCPAttrState)<<16
	hdrWScaleO      = 0x05 | uint32(TCPAttrWScaleOrig)<<16
	hdrWScaleR      = 0x05 | uint32(TCPAttrWScaleReply)<<16
	hdrFlagsO       = 0x06 | uint32(TCPAttrFlagsOrig)<<16
	hdrFlagsR       = 0x06 | uint32(TCPAttrFlagsReply)<<16
)

// hdrAt reads the header word at b[i:].
func hdrAt(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[i:]) }

// Each fixed-layout reader comes in two halves: a shape function that
// checks the headers and reports the layout (0 for none it knows), and a
// fill function that reads the values of a nest of that shape into a
// zeroed record, field by field. fastFlow checks the shapes of all nests
// before writing anything, and then fills the caller's record in place:
// no record is built elsewhere and copied (which would also read back
// stores not yet retired, and stall).

// Tuple shapes: the address family and the layer-4 layout.
const (
	shapeV4    = 1 << iota // CTA_TUPLE_IP with two IPv4 addresses
	shapeV6                // CTA_TUPLE_IP with two IPv6 addresses
	shapePorts             // CTA_TUPLE_PROTO: NUM, SRC_PORT, DST_PORT
	shapeICMP              // CTA_TUPLE_PROTO: NUM, ICMP ID, TYPE, CODE
	shapeICMP6             // CTA_TUPLE_PROTO: NUM, ICMPv6 ID, TYPE, CODE
)

// tupleShape returns the shape of a tuple of two IPv4 or IPv6 addresses
// and either ports or ICMP/ICMPv6 id, type and code, laid out as the
// kernel does, or 0.
func tupleShape(b []byte) uint8 {
	var ip uint8
	switch {
	case len(b) >= 20 && hdrAt(b, 0) == hdrTupleIPv4 && hdrAt(b, 4) == hdrV4Src && hdrAt(b, 12) == hdrV4Dst:
		ip, b = shapeV4, b[20:]
	case len(b) >= 44 && hdrAt(b, 0) == hdrTupleIPv6 && hdrAt(b, 4) == hdrV6Src && hdrAt(b, 24) == hdrV6Dst:
		ip, b = shapeV6, b[44:]
	default:
		return 0
	}
	switch {
	case len(b) == 28 && hdrAt(b, 0) == hdrProtoPort && hdrAt(b, 4) == hdrProtoNum &&
		hdrAt(b, 12) == hdrSrcPort && hdrAt(b, 20) == hdrDstPort:
		return ip | shapePorts
	case len(b) == 36 && hdrAt(b, 0) == hdrProtoICMP && hdrAt(b, 4) == hdrProtoNum:
		// ID, TYPE, CODE of ICMP (4, 5, 6) or of ICMPv6 (7, 8, 9).
		for _, c := range [2]struct {
			id    AttrType
			shape uint8
		}{{ProtoAttrICMPID, shapeICMP}, {ProtoAttrICMPv6ID, shapeICMP6}} {
			if hdrAt(b, 12) == 0x06|uint32(c.id)<<16 && hdrAt(b, 20) == 0x05|uint32(c.id+1)<<16 &&
				hdrAt(b, 28) == 0x05|uint32(c.id+2)<<16 {
				return ip | c.shape
			}
		}
	}
	return 0
}

// tupleFill reads the tuple b of shape s, a non-zero [tupleShape], into
// the zeroed t.
func tupleFill(b []byte, s uint8, t *Tuple) {
	if s&shapeV4 != 0 {
		t.Src, t.Dst = netip.AddrFrom4([4]byte(b[8:12])), netip.AddrFrom4([4]byte(b[16:20]))
		b = b[20:]
	} else {
		t.Src, t.Dst = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[28:44]))
		b = b[44:]
	}
	if s&shapePorts != 0 {
		b = b[:28:28]
		t.Proto, t.SrcPort, t.DstPort = Proto(b[8]), binary.BigEndian.Uint16(b[16:]), binary.BigEndian.Uint16(b[24:])
		t.Present = 1<<ProtoAttrNum | 1<<ProtoAttrSrcPort | 1<<ProtoAttrDstPort
		return
	}
	b = b[:36:36]
	t.Proto = Proto(b[8])
	id := ProtoAttrICMPID
	if s&shapeICMP6 != 0 {
		id = ProtoAttrICMPv6ID
	}
	t.ICMPID, t.ICMPType, t.ICMPCode = binary.BigEndian.Uint16(b[16:]), b[24], b[32]
	t.Present = 1<<ProtoAttrNum | 1<<id | 1<<(id+1) | 1<<(id+2)
}

// tupleFast decodes a tuple of the kernel's layout ([tupleShape]).
func tupleFast(b []byte, t *Tuple) bool {
	s := tupleShape(b)
	if s == 0 {
		return false
	}
	*t = Tuple{}
	tupleFill(b, s, t)
	return true
}

// countersShape reports the 64-bit packet and byte counters.
func countersShape(b []byte) bool {
	return len(b) == 24 && hdrAt(b, 0) == hdrPackets && hdrAt(b, 12) == hdrBytes
}

// countersFill reads counters of [countersShape] into the zeroed c.
func countersFill(b []byte, c *Counters) {
	b = b[:24:24]
	c.Packets, c.Bytes = binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[16:])
	c.Present = 1<<CounterAttrPackets | 1<<CounterAttrBytes
}

// countersFast decodes the 64-bit packet and byte counters.
func countersFast(b []byte, c *Counters) bool {
	if !countersShape(b) {
		return false
	}
	*c = Counters{}
	countersFill(b, c)
	return true
}

// timestampShape returns 1 for a start time alone, 2 for a start and a
// stop time, 0 for anything else.
func timestampShape(b []byte) uint8 {
	switch {
	case len(b) == 12 && hdrAt(b, 0) == hdrStart:
		return 1
	case len(b) == 24 && hdrAt(b, 0) == hdrStart && hdrAt(b, 12) == hdrStop:
		return 2
	}
	return 0
}

// timestampFill reads a timestamp of shape s, a non-zero
// [timestampShape], into the zeroed t.
func timestampFill(b []byte, s uint8, t *Timestamp) {
	t.Start, t.Present = binary.BigEndian.Uint64(b[4:12:12]), 1<<TimestampAttrStart
	if s == 2 {
		b = b[:24:24]
		t.Stop, t.Present = binary.BigEndian.Uint64(b[16:]), 1<<TimestampAttrStart|1<<TimestampAttrStop
	}
}

// timestampFast decodes a start time, and a stop time if there is one.
func timestampFast(b []byte, t *Timestamp) bool {
	s := timestampShape(b)
	if s == 0 {
		return false
	}
	*t = Timestamp{}
	timestampFill(b, s, t)
	return true
}

// protoInfoShape returns 1 for a CTA_PROTOINFO holding a
// CTA_PROTOINFO_TCP with its state alone (destroy events), 2 for one with
// all five attributes (dumps, new and update events), 0 for anything
// else.
func protoInfoShape(b []byte) uint8 {
	switch {
	case len(b) == 12 && hdrAt(b, 0) == hdrTCPStateOnly && hdrAt(b, 4) == hdrTCPState:
		return 1
	case len(b) == 44 && hdrAt(b, 0) == hdrTCP && hdrAt(b, 4) == hdrTCPState && hdrAt(b, 12) == hdrWScaleO &&
		hdrAt(b, 20) == hdrWScaleR && hdrAt(b, 28) == hdrFlagsO && hdrAt(b, 36) == hdrFlagsR:
		return 2
	}
	return 0
}

// protoInfoFill reads a CTA_PROTOINFO of shape s, a non-zero
// [protoInfoShape], into the zeroed p.
func protoInfoFill(b []byte, s uint8, p *ProtoInfo) {
	p.Present, p.TCP.State, p.TCP.Present = 1<<ProtoInfoAttrTCP, TCPState(b[:12:12][8]), 1<<TCPAttrState
	if s == 2 {
		b = b[:44:44]
		p.TCP.WScaleOrig, p.TCP.WScaleReply = b[16], b[24]
		p.TCP.FlagsOrig = TCPFlagsMask{Flags: TCPFlags(b[32]), Mask: TCPFlags(b[33])}
		p.TCP.FlagsReply = TCPFlagsMask{Flags: TCPFlags(b[40]), Mask: TCPFlags(b[41])}
		p.TCP.Present = 1<<TCPAttrState | 1<<TCPAttrWScaleOrig | 1<<TCPAttrWScaleReply |
			1<<TCPAttrFlagsOrig | 1<<TCPAttrFlagsReply
	}
}

// protoInfoFast decodes a CTA_PROTOINFO of the kernel's layouts
// ([protoInfoShape]).
func protoInfoFast(b []byte, p *ProtoInfo) bool {
	s := protoInfoShape(b)
	if s == 0 {
		return false
	}
	*p = ProtoInfo{}
	protoInfoFill(b, s, p)
	return true
}

// fastFlow decodes b, attributes with little-endian headers, into
// f when every attribute it decodes is one of those the kernel sends in
// dump replies and events (all but CTA_SECCTX, CTA_NAT_*, CTA_FILTER), no
// nest comes twice, and nothing would be kept for [Decoder.Keep]. Its
// loop over the top level calls nothing: it reads the values and notes
// where the nests are. When every nest is of a shape the fixed-layout
// readers above know (the common case), all shapes are checked first and
// the values are then read straight into f; otherwise
// [fastAttrs.nestsApart] decodes each nest into a local, by its
// fixed-layout reader or else by the general loops, and writes f once all
// is decoded. Either way the caller's record is not touched on failure,
// and no record is built elsewhere and copied into it. fastFlow reports
// false, leaving f as it was, for anything else and for any error: the
// general decoder then decodes b again and reports the error exactly.
func fastFlow(b []byte, only AttrSet, fam Family, f *Flow) bool {
	if uint64(len(b)) >= 1<<(bits.UintSize-17) {
		return false // offset<<16 must fit an int
	}
	// The values go to memory, not to a dozen variables the register
	// allocator would shuffle around the loop.
	var v fastAttrs
	var seen AttrSet
	for off := 0; off < len(b); {
		if len(b)-off < nla.HeaderLen {
			return false
		}
		hdr := b[off : off+nla.HeaderLen : off+nla.HeaderLen]
		n, t := int(binary.LittleEndian.Uint16(hdr)), AttrType(binary.LittleEndian.Uint16(hdr[2:])&nla.TypeMask)
		if n < nla.HeaderLen || n > len(b)-off {
			return false
		}
		at := off
		off += nla.Align(n)
		if (only != 0 && !only.Has(t)) || (n == nla.HeaderLen && !flowNests.Has(t)) {
			continue
		}
		// Values are read in place: a fixed-size slice needs no
		// check for emptiness.
		val := at + nla.HeaderLen
		ok := true
		switch t {
		case AttrTupleOrig, AttrTupleReply, AttrTupleMaster, AttrProtoInfo, AttrHelp,
			AttrCountersOrig, AttrCountersReply, AttrTimestamp, AttrSeqAdjOrig, AttrSeqAdjReply, AttrSynproxy:
			// A repeated nest is left to the general decoder, which
			// decodes (and checks) every copy.
			ok = !seen.Has(t)
			v.nests[t] = at<<16 | n
		case AttrStatus:
			if n != 8 {
				return false
			}
			v.status = Status(binary.BigEndian.Uint32(b[val : val+4 : val+4]))
		case AttrStatusMask:
			if n != 8 {
				return false
			}
			v.statusMask = Status(binary.BigEndian.Uint32(b[val : val+4 : val+4]))
		case AttrTimeout:
			if n != 8 {
				return false
			}
			v.timeout = binary.BigEndian.Uint32(b[val : val+4 : val+4])
		case AttrMark:
			if n != 8 {
				return false
			}
			v.mark = binary.BigEndian.Uint32(b[val : val+4 : val+4])
		case AttrMarkMask:
			if n != 8 {
				return false
			}
			v.markMask = binary.BigEndian.Uint32(b[val : val+4 : val+4])
		case AttrUse:
			if n != 8 {
				return false
			}
			v.use = binary.BigEndian.Uint32(b[val : val+4 : val+4])
		case AttrID:
			if n != 8 {
				return false
			}
			v.id = binary.BigEndian.Uint32(b[val : val+4 : val+4])
		case AttrSecMark:
			if n != 8 {
				return false
			}
			v.secMark = binary.BigEndian.Uint32(b[val : val+4 : val+4])
		case AttrZone:
			if n != 6 {
				return false
			}
			v.zone = binary.BigEndian.Uint16(b[val : val+2 : val+2])
		case AttrTimestampEvent:
			if n != 12 {
				return false
			}
			v.tsEvent = binary.BigEndian.Uint64(b[val : val+8 : val+8])
		case AttrLabels, AttrLabelsMask:
			ok = n <= nla.HeaderLen+LabelsLen && n%4 == 0
			v.nests[t] = at<<16 | n
		case AttrSecCtx, AttrNATSrc, AttrNATDst, AttrFilter:
			return false
		default:
			if t < 32 && keepRules[kindFlow].known&(1<<t) != 0 {
				return false // a schema attribute this loop does not read
			}
			continue // unknown: skipped, as the general decoder does
		}
		if !ok {
			return false
		}
		seen |= 1 << (t & 31)
	}

	// The nests of the kernel's own layouts (the common case) are all
	// checked first, and then read straight into f.
	var (
		so, sr, spi, sts           uint8
		po, pr, ppi, pco, pcr, pts []byte
	)
	direct := seen&rareNests == 0
	if direct && seen&(1<<AttrTupleOrig) != 0 {
		po = payloadAt(b, v.nests[AttrTupleOrig])
		so = tupleShape(po)
		direct = so != 0
	}
	if direct && seen&(1<<AttrTupleReply) != 0 {
		pr = payloadAt(b, v.nests[AttrTupleReply])
		sr = tupleShape(pr)
		direct = sr != 0
	}
	if direct && seen&(1<<AttrProtoInfo) != 0 {
		ppi = payloadAt(b, v.nests[AttrProtoInfo])
		spi = protoInfoShape(ppi)
		direct = spi != 0
	}
	if direct && seen&(1<<AttrCountersOrig) != 0 {
		pco = payloadAt(b, v.nests[AttrCountersOrig])
		direct = countersShape(pco)
	}
	if direct && seen&(1<<AttrCountersReply) != 0 {
		pcr = payloadAt(b, v.nests[AttrCountersReply])
		direct = countersShape(pcr)
	}
	if direct && seen&(1<<AttrTimestamp) != 0 {
		pts = payloadAt(b, v.nests[AttrTimestamp])
		sts = timestampShape(pts)
		direct = sts != 0
	}
	if !direct {
		return v.nestsApart(b, seen, fam, f)
	}
	v.write(b, seen, fam, f)
	if so != 0 {
		tupleFill(po, so, &f.Orig)
	}
	if sr != 0 {
		tupleFill(pr, sr, &f.Reply)
	}
	if spi != 0 {
		protoInfoFill(ppi, spi, &f.ProtoInfo)
	}
	if pco != nil {
		countersFill(pco, &f.CountersOrig)
	}
	if pcr != nil {
		countersFill(pcr, &f.CountersReply)
	}
	if sts != 0 {
		timestampFill(pts, sts, &f.Timestamp)
	}
	return true
}

// fastAttrs holds what fastFlow's loop over the top level found.
type fastAttrs struct {
	status, statusMask Status
	timeout, mark      uint32
	markMask, use, id  uint32
	secMark            uint32
	zone               uint16
	tsEvent            uint64
	nests              [AttrMax + 1]int // offset<<16 | length of the nests and labels, by type
}

// rareNests are the nests fastFlow decodes by the general loops alone.
const rareNests AttrSet = 1<<AttrTupleMaster | 1<<AttrHelp | 1<<AttrSeqAdjOrig | 1<<AttrSeqAdjReply | 1<<AttrSynproxy

// write writes f from the top-level values found in b (attribute set
// seen), zeroing everything else: every nest is left zero.
func (v *fastAttrs) write(b []byte, seen AttrSet, fam Family, f *Flow) {
	*f = Flow{}
	f.Family, f.Present = fam, seen
	f.Status, f.StatusMask, f.Timeout, f.Mark, f.MarkMask = v.status, v.statusMask, v.timeout, v.mark, v.markMask
	f.Use, f.ID, f.Zone, f.SecMark, f.TimestampEvent = v.use, v.id, v.zone, v.secMark, v.tsEvent
	if seen&(1<<AttrLabels) != 0 {
		labels(0, 0, payloadAt(b, v.nests[AttrLabels]), &f.Labels, &f.LabelsSize)
	}
	if seen&(1<<AttrLabelsMask) != 0 {
		labels(0, 0, payloadAt(b, v.nests[AttrLabelsMask]), &f.LabelsMask, &f.LabelsMaskSize)
	}
}

// nestsApart is the end of fastFlow for nests not all of the kernel's
// layouts, or including rare ones: each is decoded apart, by its
// fixed-layout reader or else the general loops, and f is written once
// all are decoded.
func (v *fastAttrs) nestsApart(b []byte, seen AttrSet, fam Family, f *Flow) bool {
	var (
		d                   dec
		orig, reply, master Tuple
		pi                  ProtoInfo
		help                Helper
		co, cr              Counters
		ts                  Timestamp
		seqOrig, seqReply   SeqAdj
		synproxy            Synproxy
	)
	if seen&(1<<AttrTupleOrig) != 0 {
		p := payloadAt(b, v.nests[AttrTupleOrig])
		if !tupleFast(p, &orig) && d.decTuple(p, 0, &orig) != nil {
			return false
		}
	}
	if seen&(1<<AttrTupleReply) != 0 {
		p := payloadAt(b, v.nests[AttrTupleReply])
		if !tupleFast(p, &reply) && d.decTuple(p, 0, &reply) != nil {
			return false
		}
	}
	if seen&(1<<AttrProtoInfo) != 0 {
		p := payloadAt(b, v.nests[AttrProtoInfo])
		if !protoInfoFast(p, &pi) && d.decProtoInfo(p, 0, &pi) != nil {
			return false
		}
	}
	if seen&(1<<AttrCountersOrig) != 0 {
		p := payloadAt(b, v.nests[AttrCountersOrig])
		if !countersFast(p, &co) && d.decCounter(p, 0, &co) != nil {
			return false
		}
	}
	if seen&(1<<AttrCountersReply) != 0 {
		p := payloadAt(b, v.nests[AttrCountersReply])
		if !countersFast(p, &cr) && d.decCounter(p, 0, &cr) != nil {
			return false
		}
	}
	if seen&(1<<AttrTimestamp) != 0 {
		p := payloadAt(b, v.nests[AttrTimestamp])
		if !timestampFast(p, &ts) && d.decTimestamp(p, 0, &ts) != nil {
			return false
		}
	}
	if seen&(1<<AttrTupleMaster) != 0 {
		p := payloadAt(b, v.nests[AttrTupleMaster])
		if !tupleFast(p, &master) && d.decTuple(p, 0, &master) != nil {
			return false
		}
	}
	if seen&(1<<AttrHelp) != 0 && d.decHelp(payloadAt(b, v.nests[AttrHelp]), 0, &help) != nil {
		return false
	}
	if seen&(1<<AttrSeqAdjOrig) != 0 && d.decSeqAdj(payloadAt(b, v.nests[AttrSeqAdjOrig]), 0, &seqOrig) != nil {
		return false
	}
	if seen&(1<<AttrSeqAdjReply) != 0 && d.decSeqAdj(payloadAt(b, v.nests[AttrSeqAdjReply]), 0, &seqReply) != nil {
		return false
	}
	if seen&(1<<AttrSynproxy) != 0 && d.decSynproxy(payloadAt(b, v.nests[AttrSynproxy]), 0, &synproxy) != nil {
		return false
	}

	// Everything decoded: write f.
	v.write(b, seen, fam, f)
	f.Orig, f.Reply, f.Master = orig, reply, master
	f.ProtoInfo, f.CountersOrig, f.CountersReply, f.Timestamp = pi, co, cr, ts
	f.Helper, f.SeqAdjOrig, f.SeqAdjReply, f.Synproxy = help, seqOrig, seqReply, synproxy
	return true
}

// payloadAt returns the payload of the attribute noted as off<<16 | n by
// fastFlow (header at b[off:], n bytes long).
func payloadAt(b []byte, x int) []byte {
	off, n := x>>16, x&0xffff
	return b[off+nla.HeaderLen : off+n : off+n]
}

func labels(at int, h uint16, p []byte, dst *Labels, size *uint8) error {
	switch {
	case len(p) > LabelsLen:
		return valueErr(at, h, ErrTooLong)
	case len(p)%4 != 0:
		return valueErr(at, h, ErrLabelsSize)
	}
	*dst = Labels{}
	copy(dst[:], p)
	*size = 0
	if len(p) < LabelsLen {
		*size = uint8(len(p))
	}
	return nil
}

// Keeping. After a successful decode, keepWalk walks the same attributes
// again and records, in order, each one the decoder did not interpret,
// with its path and its index in its nest. keepRules says, for each kind
// of nest the decoder descends into, which attribute types it interprets
// and which of them are nests it descends into.

// keepRule is how the decoder treats the attributes of one kind of nest:
// types in known are interpreted, unless empty (the kernel's pads) and
// not a nest in emptyNests; types with a kind in nests are descended into.
type keepRule struct {
	known      uint32
	emptyNests uint32
	nests      [32]nestKind
}

// keepWalk records into d.extra the attributes in b (a nest of kind k
// whose path is path) that the decoder did not interpret, descending as
// the decoder does. At the top level (kindFlow) only restricts the walk
// as [Decoder.Only] restricts decoding. b has decoded without error, so
// its headers are sound.
func (d *dec) keepWalk(k nestKind, b []byte, path nla.Path, only AttrSet) {
	r := &keepRules[k]
	for i := 0; len(b) >= nla.HeaderLen; i++ {
		n, h := int(binary.LittleEndian.Uint16(b)), binary.LittleEndian.Uint16(b[2:])
		if d.big {
			n, h = int(bits.ReverseBytes16(uint16(n))), bits.ReverseBytes16(h)
		}
		if n < nla.HeaderLen || n > len(b) {
			return
		}
		p := b[nla.HeaderLen:n:n]
		b = b[min(nla.Align(n), len(b)):]
		typ := typeOf(h)
		if k == kindFlow && only != 0 && !only.Has(AttrType(typ)) {
			continue
		}
		bit := uint32(0)
		if typ < 32 {
			bit = 1 << typ
		}
		switch {
		case r.known&bit == 0 || (len(p) == 0 && r.emptyNests&bit == 0):
			d.extra = d.extra.Append(ExtraAttr{
				Path: path, Index: i, Type: typ, Flags: h &^ nla.TypeMask, Payload: string(p),
			})
		case r.nests[typ] != kindNone:
			d.keepWalk(r.nests[typ], p, path.Append(typ), 0)
		}
	}
}
