package cli

import (
	"math/bits"
	"net/netip"
	"strconv"

	"github.com/ctwire/ctwire/conntrack"
)

// saveStatus are the status bits -o save names in -u, in the order it
// lists them; other bits (CONFIRMED, the NAT bits...) are left out, and
// an entry with none of these is written -u UNSET.
var saveStatus = []struct {
	bit  conntrack.Status
	name string
}{
	{conntrack.StatusExpected, "EXPECTED"},
	{conntrack.StatusSeenReply, "SEEN_REPLY"},
	{conntrack.StatusAssured, "ASSURED"},
	{conntrack.StatusFixedTimeout, "FIXED_TIMEOUT"},
}

// AppendSave appends the line conntrack 1.4.7 prints for the flow f with
// -o save (without the newline): the conntrack options that would create
// the entry again. kind is the event kind (-E), 0 for a dump entry: the
// line starts -A (a dump entry or a new one), -U (an update) or -D (a
// destruction).
//
// The line holds the timeout (-t), the status bits conntrack can set
// (-u), the zones (-w, --orig-zone, --reply-zone), the original
// addresses (-s, -d), the reply addresses (-r, -q, or -g for the reply
// source of a destination-NATed entry and -n for the reply destination
// of a source-NATed one), the protocol (-p, by name or number) and what
// the protocol's options give: ports (TCP, UDP, UDP-Lite, SCTP), GRE
// keys, the ICMP or ICMPv6 type, code and id, the TCP or SCTP state and
// the SCTP verification tags (byte-swapped, as conntrack prints them on
// a little-endian machine: the tag -I --orig-vtag 1 sets is written
// --orig-vtag 1). Mark, labels, counters, secmark, use and
// id are not written, as conntrack does not write them either.
func AppendSave(dst []byte, f *conntrack.Flow, kind conntrack.EventKind) []byte {
	switch kind {
	case conntrack.EventUpdate:
		dst = append(dst, "-U"...)
	case conntrack.EventDestroy:
		dst = append(dst, "-D"...)
	default:
		dst = append(dst, "-A"...)
	}
	opt := func(name string) {
		dst = append(dst, ' ')
		dst = append(dst, name...)
		dst = append(dst, ' ')
	}
	num := func(name string, v uint64) {
		opt(name)
		dst = strconv.AppendUint(dst, v, 10)
	}
	addr := func(name string, a netip.Addr) {
		opt(name)
		dst = saveAddr(dst, f.Family, a)
	}
	has := func(a conntrack.AttrType) bool { return f.Present.Has(a) }

	num("-t", uint64(f.Timeout))
	opt("-u")
	st := f.Status
	n := 0
	for _, s := range saveStatus {
		if st&s.bit != 0 {
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, s.name...)
			n++
		}
	}
	if n == 0 {
		dst = append(dst, "UNSET"...)
	}
	if has(conntrack.AttrZone) {
		num("-w", uint64(f.Zone))
	}
	if has(conntrack.AttrTupleOrig) && f.Orig.HasZone {
		num("--orig-zone", uint64(f.Orig.Zone))
	}
	if has(conntrack.AttrTupleReply) && f.Reply.HasZone {
		num("--reply-zone", uint64(f.Reply.Zone))
	}

	addr("-s", f.Orig.Src)
	addr("-d", f.Orig.Dst)
	if st&conntrack.StatusDstNAT != 0 {
		addr("-g", f.Reply.Src)
	} else {
		addr("-r", f.Reply.Src)
	}
	if st&conntrack.StatusSrcNAT != 0 {
		addr("-n", f.Reply.Dst)
	} else {
		addr("-q", f.Reply.Dst)
	}

	o, r := &f.Orig, &f.Reply
	opt("-p")
	name := o.Proto.String()
	if name == "unknown" { // the generic tracker: written by number
		dst = strconv.AppendUint(dst, uint64(o.Proto), 10)
		return dst
	}
	dst = append(dst, name...)
	port := func(name string, t *conntrack.Tuple, src bool) {
		if src && t.Present.Has(conntrack.ProtoAttrSrcPort) {
			num(name, uint64(t.SrcPort))
		}
		if !src && t.Present.Has(conntrack.ProtoAttrDstPort) {
			num(name, uint64(t.DstPort))
		}
	}
	pi := &f.ProtoInfo
	switch o.Proto {
	case conntrack.ProtoTCP, conntrack.ProtoUDP, conntrack.ProtoUDPLite, conntrack.ProtoSCTP:
		port("--sport", o, true)
		port("--dport", o, false)
		port("--reply-port-src", r, true)
		port("--reply-port-dst", r, false)
	case conntrack.ProtoGRE:
		port("--srckey", o, true)
		port("--dstkey", o, false)
		port("--reply-key-src", r, true)
		port("--reply-key-dst", r, false)
	case conntrack.ProtoICMP, conntrack.ProtoICMPv6:
		pre, typ, code, id := "--icmp-", conntrack.ProtoAttrICMPType, conntrack.ProtoAttrICMPCode, conntrack.ProtoAttrICMPID
		if o.Proto == conntrack.ProtoICMPv6 {
			pre, typ, code, id = "--icmpv6-", conntrack.ProtoAttrICMPv6Type, conntrack.ProtoAttrICMPv6Code, conntrack.ProtoAttrICMPv6ID
		}
		if o.Present.Has(typ) {
			num(pre+"type", uint64(o.ICMPType))
		}
		if o.Present.Has(code) {
			num(pre+"code", uint64(o.ICMPCode))
		}
		if o.Present.Has(id) {
			num(pre+"id", uint64(o.ICMPID))
		}
	}
	protoInfo := has(conntrack.AttrProtoInfo)
	switch o.Proto {
	case conntrack.ProtoTCP:
		if protoInfo && pi.Present.Has(conntrack.ProtoInfoAttrTCP) && pi.TCP.Present.Has(conntrack.TCPAttrState) {
			opt("--state")
			dst = append(dst, pi.TCP.State.String()...)
		}
	case conntrack.ProtoSCTP:
		if protoInfo && pi.Present.Has(conntrack.ProtoInfoAttrSCTP) {
			s := &pi.SCTP
			if s.Present.Has(conntrack.SCTPAttrState) {
				opt("--state")
				dst = append(dst, s.State.String()...)
			}
			if s.Present.Has(conntrack.SCTPAttrVTagOrig) {
				num("--orig-vtag", uint64(bits.ReverseBytes32(s.VTagOrig)))
			}
			if s.Present.Has(conntrack.SCTPAttrVTagReply) {
				num("--reply-vtag", uint64(bits.ReverseBytes32(s.VTagReply)))
			}
		}
	}
	return dst
}

// saveAddr writes a as the family fam prints it (the zero address when a
// is of the other family or missing).
func saveAddr(dst []byte, fam conntrack.Family, a netip.Addr) []byte {
	switch fam {
	case conntrack.FamilyIPv4:
		if !a.Is4() {
			a = netip.IPv4Unspecified()
		}
	case conntrack.FamilyIPv6:
		if !a.Is6() {
			a = netip.IPv6Unspecified()
		}
	default:
		return dst
	}
	return a.AppendTo(dst)
}
