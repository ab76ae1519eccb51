package cli

import (
	_ "embed"
	"net/netip"
	"strings"

	"github.com/ctwire/ctwire/conntrack"
)

//go:embed usage.txt
var usageText string

// Usage returns conntrack's help text with prog as the program name.
func Usage(prog string) string {
	return strings.Replace(usageText, "Usage: conntrack ", "Usage: "+prog+" ", 1)
}

// CheckRun makes the checks conntrack makes when it starts to run the
// command rather than while reading it: -z refused with filters, and a
// network mask needs its address.
func (c *Cmd) CheckRun() error {
	switch {
	case c.Command == CmdList && c.Table == TableConntrack:
		if c.Options&OptComparison != 0 && c.Options&OptZero != 0 {
			return paramErr("Can't use -z with filtering parameters")
		}
		return c.checkMasks()
	case c.Command == CmdUpdate || c.Command == CmdDelete || (c.Command == CmdEvent && c.Table == TableConntrack):
		return c.checkMasks()
	}
	return nil
}

func (c *Cmd) checkMasks() error {
	if c.Options&OptMaskSrc != 0 && c.Options&OptOrigSrc == 0 {
		return paramErr("Can't use --mask-src without --src")
	}
	if c.Options&OptMaskDst != 0 && c.Options&OptOrigDst == 0 {
		return paramErr("Can't use --mask-dst without --dst")
	}
	return nil
}

// DumpRequest returns the dump conntrack sends for -L (and, with
// forDelete, for -D, which filters by mark and family only; -U sends the
// family alone): IPCTNL_MSG_CT_GET (GET_CTRZERO with -z), the family in
// nfgenmsg, CTA_MARK/CTA_MARK_MASK for -m and CTA_STATUS/CTA_STATUS_MASK
// for -u. The dying and unconfirmed lists are dumped without a filter.
func (c *Cmd) DumpRequest(seq uint32) conntrack.Request {
	switch c.Table {
	case TableDying:
		r := conntrack.DyingRequest(seq)
		r.Family = c.Family
		return r
	case TableUnconfirmed:
		r := conntrack.UnconfirmedRequest(seq)
		r.Family = c.Family
		return r
	case TableExpect:
		return conntrack.ExpDumpRequest(seq, c.Family)
	}
	r := conntrack.DumpRequest(seq, c.Family)
	if c.Command == CmdUpdate {
		return r
	}
	if c.Command == CmdList && c.Options&OptZero != 0 {
		r.Op = conntrack.OpDumpCtrZero
	}
	if c.Options&OptMark != 0 {
		r.SetMark(c.T.Mark, c.T.MarkMask)
	}
	if c.Options&OptStatus != 0 && c.Command == CmdList {
		r.SetStatus(c.T.StatusValue, c.T.StatusMask)
	}
	return r
}

// tuples fills the tuples of f from the template as libnetfilter_conntrack
// builds them: a tuple when one of its addresses is set.
func (c *Cmd) tuples(f *conntrack.Flow) {
	t := &c.T
	if t.Orig.Src.IsValid() || t.Orig.Dst.IsValid() {
		f.Orig = t.Orig
		f.Present.Add(conntrack.AttrTupleOrig)
	}
	if t.Reply.Src.IsValid() || t.Reply.Dst.IsValid() {
		f.Reply = t.Reply
		if !f.Reply.Present.Has(conntrack.ProtoAttrNum) && t.Orig.Present.Has(conntrack.ProtoAttrNum) {
			f.Reply.Proto = t.Orig.Proto
			f.Reply.Present.Add(conntrack.ProtoAttrNum)
		}
		f.Present.Add(conntrack.AttrTupleReply)
	}
	if t.HasZone {
		f.Zone = t.Zone
		f.Present.Add(conntrack.AttrZone)
	}
}

// GetRequest returns the request of -G: the tuples given, and the zone.
// The kernel looks the entry up by the original tuple, or by the reply
// tuple when only that one is given (libnetfilter_conntrack 1.0.9 builds
// no such request; see CONNTRACK-DIFFERENCES.md).
func (c *Cmd) GetRequest(seq uint32) conntrack.Request {
	r := conntrack.Request{Op: conntrack.OpGet, Seq: seq, Family: c.Family}
	c.tuples(&r.Flow)
	return r
}

// invertICMP maps an ICMP request type to its reply type.
func invertICMP(p conntrack.Proto, typ uint8) uint8 {
	if p == conntrack.ProtoICMPv6 {
		switch typ {
		case 128, 130, 133, 135, 137, 139:
			if typ == 130 {
				return 131
			}
			return typ + 1
		case 129, 131, 134, 136, 138, 140:
			return typ - 1
		}
		return typ
	}
	switch typ {
	case 8:
		return 0
	case 0:
		return 8
	case 13, 15, 17, 10:
		return typ + 1
	case 14, 16, 18, 9:
		return typ - 1
	}
	return typ
}

// CreateRequest returns the request of -I and -A (the same request: -A
// only ignores the kernel's EEXIST): the template as an entry, the missing
// direction made the inverse of the other.
func (c *Cmd) CreateRequest(seq uint32) conntrack.Request {
	t := &c.T
	var f conntrack.Flow
	c.tuples(&f)
	orig := c.Options&OptOrig != 0
	repl := c.Options&OptRepl != 0
	if orig && !repl {
		f.Reply = invert(&f.Orig)
		f.Reply.Zone, f.Reply.HasZone = t.Reply.Zone, t.Reply.HasZone
		f.Present.Add(conntrack.AttrTupleReply)
	} else if repl && !orig {
		f.Orig = invert(&f.Reply)
		f.Orig.Zone, f.Orig.HasZone = t.Orig.Zone, t.Orig.HasZone
		if t.Orig.Present.Has(conntrack.ProtoAttrNum) {
			f.Orig.Proto = t.Orig.Proto
		}
		f.Present.Add(conntrack.AttrTupleOrig)
	}
	if t.HasStatus {
		f.Status = t.Status
		f.Present.Add(conntrack.AttrStatus)
	}
	if t.HasTimeout {
		f.Timeout = t.Timeout
		f.Present.Add(conntrack.AttrTimeout)
	}
	if c.Options&OptMark != 0 {
		f.Mark = t.Mark
		f.Present.Add(conntrack.AttrMark)
	}
	c.protoInfo(&f)
	if c.Options&OptAddLabel != 0 {
		f.Labels = t.LabelModify
		f.LabelsSize = labelSize(t.LabelModifyMax)
		f.Present.Add(conntrack.AttrLabels)
	}
	if t.SNAT.IsValid() && c.Options&(OptSrcNAT|OptAnyNAT) != 0 {
		f.NATSrc = natOf(t.SNAT, t.HasSNATPort, t.SNATPort)
		f.Present.Add(conntrack.AttrNATSrc)
	}
	if t.DNAT.IsValid() && c.Options&(OptDstNAT|OptAnyNAT) != 0 {
		f.NATDst = natOf(t.DNAT, t.HasDNATPort, t.DNATPort)
		f.Present.Add(conntrack.AttrNATDst)
	}
	r := conntrack.CreateRequest(seq, &f)
	r.Family = c.Family
	return r
}

func natOf(a netip.Addr, hasPort bool, port uint16) conntrack.NAT {
	n := conntrack.NAT{MinIP: a, MaxIP: a}
	if hasPort {
		n.PortMin, n.PortMax = port, port
		n.Present.Add(conntrack.ProtoNATAttrPortMin)
		n.Present.Add(conntrack.ProtoNATAttrPortMax)
	}
	return n
}

// labelSize is the size of the bitmap libnetfilter_conntrack sends for
// labels up to bit max: whole 32-bit words (0 for the full 16 bytes).
func labelSize(max int) uint8 {
	n := uint8((max/32 + 1) * 4)
	if n >= conntrack.LabelsLen {
		return 0
	}
	return n
}

// protoInfo sets the protocol state the template carries.
func (c *Cmd) protoInfo(f *conntrack.Flow) {
	t := &c.T
	pi := &f.ProtoInfo
	if t.HasTCPState {
		pi.TCP.State = conntrack.TCPState(t.TCPState)
		pi.TCP.Present.Add(conntrack.TCPAttrState)
		pi.Present.Add(conntrack.ProtoInfoAttrTCP)
	}
	if t.HasSCTPState || t.HasVTagOrig || t.HasVTagRep {
		if t.HasSCTPState {
			pi.SCTP.State = conntrack.SCTPState(t.SCTPState)
			pi.SCTP.Present.Add(conntrack.SCTPAttrState)
		}
		if t.HasVTagOrig {
			pi.SCTP.VTagOrig = t.VTagOrig
			pi.SCTP.Present.Add(conntrack.SCTPAttrVTagOrig)
		}
		if t.HasVTagRep {
			pi.SCTP.VTagReply = t.VTagReply
			pi.SCTP.Present.Add(conntrack.SCTPAttrVTagReply)
		}
		pi.Present.Add(conntrack.ProtoInfoAttrSCTP)
	}
	if t.HasDCCPState || t.HasDCCPRole {
		pi.DCCP.State = conntrack.DCCPState(t.DCCPState)
		pi.DCCP.Role = conntrack.DCCPRole(t.DCCPRole)
		pi.DCCP.Present.Add(conntrack.DCCPAttrState)
		pi.DCCP.Present.Add(conntrack.DCCPAttrRole)
		pi.Present.Add(conntrack.ProtoInfoAttrDCCP)
	}
	if pi.Present != 0 {
		f.Present.Add(conntrack.AttrProtoInfo)
	}
}

// invert returns the tuple of the other direction.
func invert(t *conntrack.Tuple) conntrack.Tuple {
	r := *t
	r.Src, r.Dst = t.Dst, t.Src
	r.SrcPort, r.DstPort = t.DstPort, t.SrcPort
	r.HasZone, r.Zone = false, 0
	if hasICMP(t, icmpType) {
		r.ICMPType = invertICMP(t.Proto, t.ICMPType)
	}
	return r
}

// UpdateRequest returns the change -U makes to the entry f (false when it
// would change nothing): f's original tuple with what the options set,
// sent with the entry's own family (conntrack 1.4.7 sends the family of
// the command, without -f AF_UNSPEC, which the kernel refuses with
// EOPNOTSUPP; see CONNTRACK-DIFFERENCES.md).
func (c *Cmd) UpdateRequest(seq uint32, f *conntrack.Flow) (conntrack.Request, bool) {
	t := &c.T
	var n conntrack.Flow
	n.Orig = f.Orig
	n.Present.Add(conntrack.AttrTupleOrig)
	changed := false
	if t.HasTimeout {
		n.Timeout = t.Timeout
		n.Present.Add(conntrack.AttrTimeout)
		changed = changed || f.Timeout != t.Timeout
	}
	if t.HasStatus {
		n.Status = f.Status | t.Status
		n.Present.Add(conntrack.AttrStatus)
		changed = changed || n.Status != f.Status
	}
	if c.Options&OptMark != 0 {
		n.Mark = (f.Mark &^ t.MarkMask) ^ t.Mark
		n.Present.Add(conntrack.AttrMark)
		changed = changed || n.Mark != f.Mark
	}
	c.protoInfo(&n)
	if t.HasTCPState {
		changed = changed || !f.ProtoInfo.TCP.Present.Has(conntrack.TCPAttrState) || uint8(f.ProtoInfo.TCP.State) != t.TCPState
	}
	if c.Options&(OptAddLabel|OptDelLabel) != 0 {
		l, m, size, change, ok := c.labelChange(f)
		if ok {
			n.Labels = l
			n.Present.Add(conntrack.AttrLabels)
			if m != (conntrack.Labels{}) {
				n.LabelsMask = m
				n.Present.Add(conntrack.AttrLabelsMask)
			}
			n.LabelsSize, n.LabelsMaskSize = size, size
			changed = changed || change
		}
	}
	if !changed {
		return conntrack.Request{}, false
	}
	r := conntrack.UpdateRequest(seq, &n)
	r.Family = f.Family
	return r, true
}

// labelChange computes the labels and mask -U sends with --label-add or
// --label-del for the entry f, their size in bytes (0 for the full 16),
// whether they change the entry, and whether anything is sent at all. The
// kernel sets (old &^ mask) ^ labels, words past the size cleared.
func (c *Cmd) labelChange(f *conntrack.Flow) (labels, mask conntrack.Labels, size uint8, changed, ok bool) {
	t := &c.T
	has := f.Present.Has(conntrack.AttrLabels)
	if c.Options&OptAddLabel != 0 {
		if !has {
			// A new bitmap, as long as the highest label named.
			return t.LabelModify, conntrack.Labels{}, labelSize(t.LabelModifyMax), t.LabelModify != f.Labels, true
		}
		// The added bits in both: the entry's other bits are kept. The
		// entry's size, so that none of its words is cleared. (Sent, as
		// conntrack does, unless the entry has exactly the labels named.)
		return t.LabelModify, t.LabelModify, entryLabelSize(f), t.LabelModify != f.Labels, true
	}
	if !has {
		return conntrack.Labels{}, conntrack.Labels{}, 0, false, false
	}
	if !t.LabelModifySet {
		// --label-del without names: every label cleared.
		return conntrack.Labels{}, conntrack.Labels{}, entryLabelSize(f), f.Labels != (conntrack.Labels{}), true
	}
	// The deleted bits as the mask, no bit set, both the full 16 bytes
	// whatever the highest label named: exactly the named labels go, the
	// others stay. (libnetfilter_conntrack sends the remaining bits as
	// labels and leaves the mask out when its size, up to the highest
	// label named, is not the entry's; with it, the XOR clears every
	// label.)
	changed = false
	for i := range f.Labels {
		changed = changed || f.Labels[i]&t.LabelModify[i] != 0
	}
	return conntrack.Labels{}, t.LabelModify, 0, changed, true
}

// entryLabelSize is the size of f's label bitmap as a request carries it
// (0 for the full 16 bytes).
func entryLabelSize(f *conntrack.Flow) uint8 {
	if f.LabelsSize >= conntrack.LabelsLen {
		return 0
	}
	return f.LabelsSize
}
