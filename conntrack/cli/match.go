package cli

import (
	"net/netip"

	"github.com/ctwire/ctwire/conntrack"
)

// Match reports whether conntrack shows (or deletes) the flow f: the
// filter it applies to every entry the kernel sends for -L, -D, -G and
// -E, in conntrack's terms:
//
//   - NAT (--src-nat, --dst-nat, --any-nat): the entry is source (or
//     destination) NATed, to the address (IPv4 or IPv6) and port given
//     if any;
//   - -m MARK[/MASK]: the entry's mark ANDed with the mask is MARK;
//   - -l: the entry has every label named;
//   - CIDR addresses and --mask-src/--mask-dst: the original address is in
//     the network;
//   - the template, where an option set it: the protocol and its ports,
//     ICMP fields and state, addresses, the status bits of -u (all set),
//     the timeout, the id, and the zones. -w compares CTA_ZONE only and
//     --orig-zone/--reply-zone the tuple zones only, an absent zone
//     counting as zone 0.
func (c *Cmd) Match(f *conntrack.Flow) bool {
	if !c.matchNAT(f) || !c.matchMark(f) || !c.matchLabels(f) || !c.matchNetwork(f) {
		return false
	}
	return c.Options&OptComparison == 0 || c.compare(f)
}

// MatchEvent is Match for an event of the family fam (nfgenmsg): conntrack
// also drops events of another family than the one given.
func (c *Cmd) MatchEvent(fam conntrack.Family, f *conntrack.Flow) bool {
	if c.Family != 0 && fam != c.Family {
		return false
	}
	return c.Match(f)
}

// masked reports whether the template's source (or destination) address
// is replaced by a network: conntrack prepares it for the conntrack table
// (not for dying and unconfirmed, where the address is compared as given).
func (c *Cmd) masked(src bool) bool {
	if c.Command == CmdList && (c.Table == TableDying || c.Table == TableUnconfirmed) {
		return false
	}
	if src {
		return c.Options&OptMaskSrc != 0
	}
	return c.Options&OptMaskDst != 0
}

func (c *Cmd) matchNetwork(f *conntrack.Flow) bool {
	for _, src := range []bool{true, false} {
		if !c.masked(src) {
			continue
		}
		if f.Family != c.Family {
			return false
		}
		a, m, t := f.Orig.Dst, c.T.Mask.Dst, c.T.Orig.Dst
		if src {
			a, m, t = f.Orig.Src, c.T.Mask.Src, c.T.Orig.Src
		}
		if !a.IsValid() {
			a = zeroAddr(c.Family)
		}
		if !m.IsValid() || !t.IsValid() {
			continue
		}
		if maskAddr(a, m) != maskAddr(t, m) {
			return false
		}
	}
	return true
}

func zeroAddr(f conntrack.Family) netip.Addr {
	if f == conntrack.FamilyIPv6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

func (c *Cmd) matchMark(f *conntrack.Flow) bool {
	if c.Options&OptMark == 0 {
		return true
	}
	has := f.Present.Has(conntrack.AttrMark) || f.Mark != 0
	return has && f.Mark&c.T.MarkMask == c.T.Mark
}

func (c *Cmd) matchLabels(f *conntrack.Flow) bool {
	if c.Options&OptLabel == 0 {
		return true
	}
	if !f.Present.Has(conntrack.AttrLabels) && f.Labels == (conntrack.Labels{}) {
		return false
	}
	for i := 0; i <= c.T.LabelMax; i++ {
		if c.T.Label.Bit(i) && !f.Labels.Bit(i) {
			return false
		}
	}
	return true
}

// natState says how the kernel NATed f, as libnetfilter_conntrack 1.0.9
// tells it: an address or layer-4 word of the reply that is not the mirror
// of the original and, when the entry has a status, the SRC_NAT_DONE (or
// DST_NAT_DONE) bit set. For ICMP the layer-4 words are the id and the
// type and code, which never mirror, so ICMP entries count as
// port-translated.
func natState(f *conntrack.Flow) (snat, spat, dnat, dpat bool) {
	sDone, dDone := true, true
	if f.Present.Has(conntrack.AttrStatus) {
		sDone = f.Status&conntrack.StatusSrcNATDone != 0
		dDone = f.Status&conntrack.StatusDstNATDone != 0
	}
	oSrc, oDst := l4Words(&f.Orig)
	rSrc, rDst := l4Words(&f.Reply)
	snat = sDone && f.Reply.Dst != f.Orig.Src
	dnat = dDone && f.Reply.Src != f.Orig.Dst
	spat = sDone && rDst != oSrc
	dpat = dDone && rSrc != oDst
	return
}

// l4Words returns the source and destination layer-4 words of a tuple as
// libnetfilter_conntrack stores them (ports, GRE keys; ICMP id, and type
// and code).
func l4Words(t *conntrack.Tuple) (src, dst uint16) {
	if hasICMP(t, icmpType) || hasICMP(t, icmpID) {
		return t.ICMPID, uint16(t.ICMPType)<<8 | uint16(t.ICMPCode)
	}
	return t.SrcPort, t.DstPort
}

func (c *Cmd) matchNAT(f *conntrack.Flow) bool {
	o := c.Options
	checkS := o&(OptSrcNAT|OptAnyNAT) != 0
	checkD := o&(OptDstNAT|OptAnyNAT) != 0
	if !checkS && !checkD {
		return true
	}
	snat, spat, dnat, dpat := natState(f)
	hasS, hasD := false, false
	if checkS {
		hasS = natMatch(c.T.SNAT, c.T.HasSNATPort, c.T.SNATPort, snat, spat, f.Reply.Dst, f.Reply.DstPort)
	}
	if checkD {
		hasD = natMatch(c.T.DNAT, c.T.HasDNATPort, c.T.DNATPort, dnat, dpat, f.Reply.Src, f.Reply.SrcPort)
	}
	switch {
	case o&OptAnyNAT != 0:
		return hasS || hasD
	case o&OptSrcNAT != 0 && o&OptDstNAT != 0:
		return hasS && hasD
	case o&OptSrcNAT != 0:
		return hasS
	}
	return hasD
}

// natMatch is one direction of the NAT filter. An IPv6 address is compared
// as an IPv4 one is (conntrack 1.4.7 compares IPv4 addresses only, so that
// an IPv6 address selects every NATed entry).
func natMatch(addr netip.Addr, hasPort bool, port uint16, isNAT, isPAT bool, got netip.Addr, gotPort uint16) bool {
	checkAddr := addr.IsValid()
	has := false
	if checkAddr {
		has = isNAT && got == addr
	}
	if hasPort {
		ok := isPAT && gotPort == port
		if checkAddr && has && !ok {
			has = false
		}
		if !checkAddr && ok {
			has = true
		}
	}
	if !checkAddr && !hasPort && (isNAT || isPAT) {
		has = true
	}
	return has
}

// compare is libnetfilter_conntrack's comparison of the template with an
// entry (every attribute the template has; those the entry lacks fail,
// but for the mark and the zones, which then count as 0).
func (c *Cmd) compare(f *conntrack.Flow) bool {
	t := &c.T
	if t.HasID && !(f.Present.Has(conntrack.AttrID) || f.ID != 0) || t.HasID && f.ID != t.ID {
		return false
	}
	if t.HasTimeout && (!(f.Present.Has(conntrack.AttrTimeout) || f.Timeout != 0) || f.Timeout != t.Timeout) {
		return false
	}
	if t.HasStatus && (!(f.Present.Has(conntrack.AttrStatus) || f.Status != 0) || f.Status&t.Status != t.Status) {
		return false
	}
	pi := &f.ProtoInfo
	if t.HasTCPState && (!pi.TCP.Present.Has(conntrack.TCPAttrState) || uint8(pi.TCP.State) != t.TCPState) {
		return false
	}
	if t.HasSCTPState && (!pi.SCTP.Present.Has(conntrack.SCTPAttrState) || uint8(pi.SCTP.State) != t.SCTPState) {
		return false
	}
	if t.HasDCCPState && (!pi.DCCP.Present.Has(conntrack.DCCPAttrState) || uint8(pi.DCCP.State) != t.DCCPState) {
		return false
	}
	if t.HasZone && f.Zone != t.Zone {
		return false
	}
	return c.compareTuple(&t.Orig, &f.Orig, t.OrigL3, f, true) && c.compareTuple(&t.Reply, &f.Reply, t.ReplyL3, f, false)
}

func (c *Cmd) compareTuple(tt, ft *conntrack.Tuple, l3 conntrack.Family, f *conntrack.Flow, orig bool) bool {
	if l3 != 0 && f.Family != l3 {
		return false
	}
	if tt.Present.Has(conntrack.ProtoAttrNum) {
		if !ft.Present.Has(conntrack.ProtoAttrNum) || ft.Proto != tt.Proto {
			return false
		}
		switch tt.Proto {
		case conntrack.ProtoICMP, conntrack.ProtoICMPv6:
			o := &c.T.Orig // ICMP fields are kept once, with the original tuple
			fo := &f.Orig
			if hasICMP(o, icmpID) && (!hasICMP(fo, icmpID) || fo.ICMPID != o.ICMPID) ||
				hasICMP(o, icmpCode) && (!hasICMP(fo, icmpCode) || fo.ICMPCode != o.ICMPCode) ||
				hasICMP(o, icmpType) && (!hasICMP(fo, icmpType) || fo.ICMPType != o.ICMPType) {
				return false
			}
		case conntrack.ProtoTCP, conntrack.ProtoUDP, conntrack.ProtoUDPLite, conntrack.ProtoDCCP, conntrack.ProtoSCTP:
			if tt.Present.Has(conntrack.ProtoAttrSrcPort) && (!ft.Present.Has(conntrack.ProtoAttrSrcPort) || ft.SrcPort != tt.SrcPort) {
				return false
			}
			if tt.Present.Has(conntrack.ProtoAttrDstPort) && (!ft.Present.Has(conntrack.ProtoAttrDstPort) || ft.DstPort != tt.DstPort) {
				return false
			}
		}
	}
	if tt.Src.IsValid() && !(orig && c.masked(true)) && ft.Src != tt.Src {
		return false
	}
	if tt.Dst.IsValid() && !(orig && c.masked(false)) && ft.Dst != tt.Dst {
		return false
	}
	if tt.HasZone {
		z := uint16(0)
		if ft.HasZone {
			z = ft.Zone
		}
		if z != tt.Zone {
			return false
		}
	}
	return true
}

const (
	icmpType = iota
	icmpCode
	icmpID
)

func hasICMP(t *conntrack.Tuple, which int) bool {
	switch which {
	case icmpType:
		return t.Present.Has(conntrack.ProtoAttrICMPType) || t.Present.Has(conntrack.ProtoAttrICMPv6Type)
	case icmpCode:
		return t.Present.Has(conntrack.ProtoAttrICMPCode) || t.Present.Has(conntrack.ProtoAttrICMPv6Code)
	}
	return t.Present.Has(conntrack.ProtoAttrICMPID) || t.Present.Has(conntrack.ProtoAttrICMPv6ID)
}

// MatchUpdate is the filter of -U: NAT, labels and networks as Match, the
// id when both have one, and the tuples where options set them (but not
// the mark, status or timeout, which -U sets instead).
func (c *Cmd) MatchUpdate(f *conntrack.Flow) bool {
	if !c.matchNAT(f) || !c.matchLabels(f) || !c.matchNetwork(f) {
		return false
	}
	if c.T.HasID && (f.Present.Has(conntrack.AttrID) || f.ID != 0) && f.ID != c.T.ID {
		return false
	}
	if c.Options&(OptOrig|OptProto) != 0 && !c.compareTuple(&c.T.Orig, &f.Orig, c.T.OrigL3, f, true) {
		return false
	}
	if c.Options&(OptRepl|OptProto) != 0 && !c.compareTuple(&c.T.Reply, &f.Reply, c.T.ReplyL3, f, false) {
		return false
	}
	return true
}
