package conntrack

import "net/netip"

// Tuple is one direction of a connection (a CTA_TUPLE_ORIG, CTA_TUPLE_REPLY
// or CTA_TUPLE_MASTER nest): addresses, layer-4 protocol and its
// protocol-specific fields, and an optional directional zone.
//
// Src and Dst are present when valid; an IPv4 address is carried as
// CTA_IP_V4_*, anything else as CTA_IP_V6_* (so an IPv4-mapped IPv6
// address stays 16 bytes). The layer-4 fields are present as Present says:
// bit 1<<T for each ProtoAttr* type T. The ICMP and ICMPv6 attributes share
// ICMPID, ICMPType and ICMPCode; their presence bits tell which attribute
// types carry them.
//
// Use [PortTuple], [ICMPTuple] or [ProtoTuple] to build a tuple with the
// fields the kernel expects for the protocol.
type Tuple struct {
	Src, Dst netip.Addr
	// Proto is the layer-4 protocol number (CTA_PROTO_NUM).
	Proto Proto
	// SrcPort and DstPort are the ports, or for GRE the keys
	// (CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT).
	SrcPort, DstPort uint16
	// ICMPID, ICMPType and ICMPCode are the ICMP or ICMPv6 identifier,
	// type and code.
	ICMPID   uint16
	ICMPType uint8
	ICMPCode uint8
	// Zone is the directional zone id (CTA_TUPLE_ZONE), present if
	// HasZone.
	Zone    uint16
	HasZone bool
	// Present has bit 1<<T set for each CTA_PROTO_* attribute T present.
	Present AttrSet
}

// PortTuple returns a tuple of a protocol with ports (TCP, UDP, UDP-Lite,
// SCTP, DCCP) or keys (GRE): protocol number, addresses and both ports.
func PortTuple(proto Proto, src, dst netip.Addr, sport, dport uint16) Tuple {
	t := Tuple{Src: src, Dst: dst, Proto: proto, SrcPort: sport, DstPort: dport}
	t.Present.Add(ProtoAttrNum)
	t.Present.Add(ProtoAttrSrcPort)
	t.Present.Add(ProtoAttrDstPort)
	return t
}

// ICMPTuple returns an ICMP tuple, or an ICMPv6 tuple when src is an IPv6
// address: protocol number, addresses, id, type and code.
func ICMPTuple(src, dst netip.Addr, id uint16, typ, code uint8) Tuple {
	t := Tuple{Src: src, Dst: dst, Proto: ProtoICMP, ICMPID: id, ICMPType: typ, ICMPCode: code}
	t.Present.Add(ProtoAttrNum)
	if src.Is6() {
		t.Proto = ProtoICMPv6
		t.Present.Add(ProtoAttrICMPv6ID)
		t.Present.Add(ProtoAttrICMPv6Type)
		t.Present.Add(ProtoAttrICMPv6Code)
	} else {
		t.Present.Add(ProtoAttrICMPID)
		t.Present.Add(ProtoAttrICMPType)
		t.Present.Add(ProtoAttrICMPCode)
	}
	return t
}

// ProtoTuple returns a tuple with only addresses and a protocol number, as
// the kernel's generic tracker reports it.
func ProtoTuple(proto Proto, src, dst netip.Addr) Tuple {
	t := Tuple{Src: src, Dst: dst, Proto: proto}
	t.Present.Add(ProtoAttrNum)
	return t
}
