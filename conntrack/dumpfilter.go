package conntrack

import "net/netip"

// DumpFilter is the selection `conntrack -L` makes with its filter
// options. [DumpFilter.Request] is the dump request that has the kernel
// apply as much of it as it can, and [DumpFilter.Match] checks each entry
// of the reply against the whole of it, as conntrack checks what the
// kernel sends. A field left zero selects everything; a non-zero field
// selects, and the Has flags are needed only to select a zero (protocol 0,
// port 0, mark 0, zone 0).
type DumpFilter struct {
	// Family is -f ipv4|ipv6 (or implied by an address).
	Family Family
	// Proto is -p, when HasProto.
	Proto    Proto
	HasProto bool
	// OrigSrc, OrigDst, ReplySrc and ReplyDst are -s, -d, -r and -q: the
	// addresses of the original and reply tuples, when valid.
	OrigSrc, OrigDst, ReplySrc, ReplyDst netip.Addr
	// SrcPort and DstPort are --sport and --dport of the original tuple,
	// when HasSrcPort and HasDstPort; they select only entries of a
	// protocol with ports ([Proto.HasPorts]).
	SrcPort, DstPort       uint16
	HasSrcPort, HasDstPort bool
	// Mark and MarkMask are -m MARK[/MASK]: the entries whose mark ANDed
	// with MarkMask is Mark. Without HasMark a zero MarkMask stands for
	// 0xffffffff (a Mark alone selects that mark); with HasMark it is
	// taken as it is (-m 0/0 selects everything).
	Mark, MarkMask uint32
	HasMark        bool
	// Zone is -w, when HasZone: the entries of that zone, or with a tuple
	// in that directional zone.
	Zone    uint16
	HasZone bool
	// Status is -u: the entries with all these bits set.
	Status Status
}

// Request returns the dump request of sequence number seq for the filter:
// the family in nfgenmsg, CTA_MARK with CTA_MARK_MASK, CTA_STATUS with
// CTA_STATUS_MASK, CTA_ZONE, and a CTA_FILTER of the protocol, ports and
// IPv4 addresses when the family is set (the kernel's tuple filter needs
// one). IPv6 addresses are left out: ctnetlink_filter_match_tuple compares
// them inverted in the kernels seen so far, dropping the entries that
// match. What the kernel does not apply, [DumpFilter.Match] does.
func (f *DumpFilter) Request(seq uint32) Request {
	r := DumpRequest(seq, f.Family)
	if v, m, ok := f.mark(); ok {
		r.SetMark(v, m)
	}
	if f.Status != 0 {
		r.SetStatus(f.Status, f.Status)
	}
	if f.HasZone || f.Zone != 0 {
		r.SetZone(f.Zone)
	}
	var orig, reply Tuple
	var of, rf FilterFlags
	if f.Family == FamilyIPv4 {
		if f.OrigSrc.IsValid() {
			orig.Src, of = f.OrigSrc, of|FilterIPSrc
		}
		if f.OrigDst.IsValid() {
			orig.Dst, of = f.OrigDst, of|FilterIPDst
		}
		if f.ReplySrc.IsValid() {
			reply.Src, rf = f.ReplySrc, rf|FilterIPSrc
		}
		if f.ReplyDst.IsValid() {
			reply.Dst, rf = f.ReplyDst, rf|FilterIPDst
		}
	}
	if f.HasProto || f.Proto != 0 {
		orig.Proto, of = f.Proto, of|FilterProtoNum
		orig.Present.Add(ProtoAttrNum)
		if f.HasSrcPort || f.SrcPort != 0 {
			orig.SrcPort, of = f.SrcPort, of|FilterProtoSrcPort
			orig.Present.Add(ProtoAttrSrcPort)
		}
		if f.HasDstPort || f.DstPort != 0 {
			orig.DstPort, of = f.DstPort, of|FilterProtoDstPort
			orig.Present.Add(ProtoAttrDstPort)
		}
	}
	if (of != 0 || rf != 0) && f.Family != FamilyUnspec {
		r.SetFilter(orig, of, reply, rf)
	}
	return r
}

// mark returns the mark and mask to select, if any.
func (f *DumpFilter) mark() (v, m uint32, ok bool) {
	if !f.HasMark && f.Mark == 0 && f.MarkMask == 0 {
		return 0, 0, false
	}
	m = f.MarkMask
	if !f.HasMark && m == 0 {
		m = 0xffffffff
	}
	return f.Mark, m, true
}

// Match reports whether the flow fl passes the filter.
func (f *DumpFilter) Match(fl *Flow) bool {
	mark, mask, hasMark := f.mark()
	switch {
	case f.Family != FamilyUnspec && fl.Family != f.Family,
		(f.HasProto || f.Proto != 0) && fl.Orig.Proto != f.Proto,
		f.OrigSrc.IsValid() && fl.Orig.Src != f.OrigSrc,
		f.OrigDst.IsValid() && fl.Orig.Dst != f.OrigDst,
		f.ReplySrc.IsValid() && fl.Reply.Src != f.ReplySrc,
		f.ReplyDst.IsValid() && fl.Reply.Dst != f.ReplyDst,
		(f.HasSrcPort || f.SrcPort != 0) && (!fl.Orig.Proto.HasPorts() || fl.Orig.SrcPort != f.SrcPort),
		(f.HasDstPort || f.DstPort != 0) && (!fl.Orig.Proto.HasPorts() || fl.Orig.DstPort != f.DstPort),
		hasMark && fl.Mark&mask != mark,
		fl.Status&f.Status != f.Status:
		return false
	case f.HasZone || f.Zone != 0:
		return fl.Zone == f.Zone || fl.Orig.HasZone && fl.Orig.Zone == f.Zone ||
			fl.Reply.HasZone && fl.Reply.Zone == f.Zone
	}
	return true
}
