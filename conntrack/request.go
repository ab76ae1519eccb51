package conntrack

import (
	"errors"
	"net/netip"

	"github.com/ctwire/ctwire/codec"
)

// Type returns the message type of the op, or 0 for an unknown op.
func (o Op) Type() MessageType {
	if int(o) < len(opTypes) {
		return opTypes[o]
	}
	return 0
}

// IsExpect reports whether the op belongs to the expectation subsystem
// (its attributes are an [Expect]).
func (o Op) IsExpect() bool { return o.Type().Subsystem() == codec.SubsysConntrackExp }

// IsDump reports whether the op is a dump, answered by a series of
// NLM_F_MULTI messages and NLMSG_DONE.
func (o Op) IsDump() bool { return o.Flags()&codec.FlagDump == codec.FlagDump }

// Flags returns the netlink flags [Request.AppendBinary] sets for the op:
// NLM_F_REQUEST always; NLM_F_DUMP for dumps; NLM_F_ACK otherwise, so that
// every request ends with NLMSG_DONE or NLMSG_ERROR; NLM_F_CREATE|NLM_F_EXCL
// for the creating ops. It returns 0 for an unknown op.
func (o Op) Flags() uint16 {
	if int(o) < len(opFlags) {
		return opFlags[o]
	}
	return 0
}

// Request is one ctnetlink request: the op, the header fields and the
// attributes, which are those present in Flow (for conntrack ops) or
// Expect (for expectation ops). The constructors ([GetRequest],
// [DumpRequest], ...) and setters ([Request.SetZone], ...) fill it as the
// kernel expects; fields may also be set directly. A Request is a plain
// value; [Request.AppendBinary] does not modify it.
type Request struct {
	Op Op
	// Seq and PID are the netlink sequence number and port id (0 lets
	// the kernel address the sender).
	Seq, PID uint32
	// Flags, when non-zero, replaces [Op.Flags]; NLM_F_REQUEST is always
	// set.
	Flags uint16
	// Family is nfgenmsg.nfgen_family: the tuples' family for requests by
	// tuple; for dumps and flushes a family filter (0 for all).
	Family Family
	// Flow holds the attributes of conntrack ops; Flow.Family is ignored.
	Flow Flow
	// Expect holds the attributes of expectation ops; Expect.Family is
	// ignored.
	Expect Expect
}

// AppendBinary appends r as one netlink message (header in host byte
// order, nfgenmsg, attributes in the kernel's dump order) and returns the
// extended buffer. The header carries r.Seq, r.PID, the op's message type
// and r.Flags (or [Op.Flags]); nfgenmsg carries r.Family with version 0,
// except that a flush with a non-zero family gets version 1, which is how
// the kernel tells "flush this family" from "flush everything"
// (net/netfilter/nf_conntrack_netlink.c: ctnetlink_del_conntrack). For
// [OpCreate], CTA_STATUS (if present) gets IPS_CONFIRMED added, as
// libnetfilter_conntrack does: the kernel refuses a create whose status
// lacks it. Ops whose attributes the kernel does not read (stats, dying,
// unconfirmed) carry what r holds all the same: nothing set is dropped,
// and a zero Request carries nothing.
//
// AppendBinary does not check r against the kernel's rules; see
// [Validate]. With enough capacity in dst it allocates nothing. On error
// (an unknown op, malformed kept attributes) dst is returned as it was.
func (r *Request) AppendBinary(dst []byte) ([]byte, error) {
	if r.Op == OpNone || r.Op >= opCount {
		return dst, &Error{Offset: -1, Err: ErrOp}
	}
	flags := r.Flags
	if flags == 0 {
		flags = r.Op.Flags()
	}
	flags |= codec.FlagRequest
	g := codec.NFGen{Family: uint8(r.Family)}
	if r.Op == OpFlush && r.Family != FamilyUnspec {
		g.Version = 1
	}
	h := codec.Header{Type: uint16(r.Op.Type()), Flags: flags, Seq: r.Seq, PID: r.PID}
	orig := dst
	dst, start := codec.AppendMessage(dst, h, g)
	var err error
	switch {
	case r.Op.IsExpect():
		dst, err = r.Expect.AppendAttrs(dst)
	case r.Op == OpCreate:
		dst, err = r.Flow.appendAttrs(dst, LayoutDump, StatusConfirmed)
	default:
		dst, err = r.Flow.AppendAttrs(dst)
	}
	if err != nil {
		return orig, err
	}
	if dst, err = codec.EndMessage(dst, start); err != nil {
		return orig, &Error{Offset: -1, Err: err}
	}
	return dst, nil
}

// MarshalBinary is [Request.AppendBinary] into a new slice.
func (r *Request) MarshalBinary() ([]byte, error) { return r.AppendBinary(nil) }

// familyOf returns the family of a tuple's source address.
func familyOf(a netip.Addr) Family {
	switch {
	case a.Is4():
		return FamilyIPv4
	case a.Is6():
		return FamilyIPv6
	}
	return FamilyUnspec
}

// GetRequest returns a request for the entry whose original tuple is
// orig (IPCTNL_MSG_CT_GET, REQUEST|ACK). The family is that of orig's
// source address. The kernel replies with one NLM_F_MULTI message (no
// NLMSG_DONE) and the ack, or ENOENT: a receive loop that waits for
// NLMSG_DONE after a NLM_F_MULTI message (mdlayher/netlink's Conn.Receive
// and Execute) never returns. Run it through package exchange, which ends
// it on the ack.
func GetRequest(seq uint32, orig Tuple) Request {
	r := Request{Op: OpGet, Seq: seq, Family: familyOf(orig.Src)}
	r.Flow.Orig = orig
	r.Flow.Present.Add(AttrTupleOrig)
	return r
}

// GetReplyRequest is [GetRequest] by the reply tuple (CTA_TUPLE_REPLY).
func GetReplyRequest(seq uint32, reply Tuple) Request {
	r := Request{Op: OpGet, Seq: seq, Family: familyOf(reply.Src)}
	r.Flow.Reply = reply
	r.Flow.Present.Add(AttrTupleReply)
	return r
}

// GetCtrZeroRequest is [GetRequest] with IPCTNL_MSG_CT_GET_CTRZERO: the
// counters reported are zeroed.
func GetCtrZeroRequest(seq uint32, orig Tuple) Request {
	r := GetRequest(seq, orig)
	r.Op = OpGetCtrZero
	return r
}

// DumpRequest returns a dump of the table (IPCTNL_MSG_CT_GET,
// REQUEST|DUMP), of one family or of all (family 0). Add filters with
// [Request.SetMark], [Request.SetStatus], [Request.SetZone] and
// [Request.SetFilter].
func DumpRequest(seq uint32, family Family) Request {
	return Request{Op: OpDump, Seq: seq, Family: family}
}

// DumpCtrZeroRequest is [DumpRequest] with IPCTNL_MSG_CT_GET_CTRZERO:
// every counter reported is zeroed.
func DumpCtrZeroRequest(seq uint32, family Family) Request {
	return Request{Op: OpDumpCtrZero, Seq: seq, Family: family}
}

// CreateRequest returns a request creating f (IPCTNL_MSG_CT_NEW,
// REQUEST|ACK|CREATE|EXCL; EEXIST if it exists). f needs both tuples and
// CTA_TIMEOUT. The family is f.Family, or that of f.Orig's source address
// when f.Family is 0.
func CreateRequest(seq uint32, f *Flow) Request {
	r := Request{Op: OpCreate, Seq: seq, Family: f.Family, Flow: *f}
	if r.Family == FamilyUnspec {
		r.Family = familyOf(f.Orig.Src)
	}
	return r
}

// UpdateRequest returns a request changing the existing entry found by
// f's original (else reply) tuple (IPCTNL_MSG_CT_NEW, REQUEST|ACK without
// NLM_F_CREATE, so the kernel answers ENOENT rather than creating). The
// family is chosen as for [CreateRequest].
func UpdateRequest(seq uint32, f *Flow) Request {
	r := CreateRequest(seq, f)
	r.Op = OpUpdate
	if r.Family == FamilyUnspec {
		r.Family = familyOf(f.Reply.Src)
	}
	return r
}

// DeleteRequest returns a request deleting the entry whose original tuple
// is orig (IPCTNL_MSG_CT_DELETE, REQUEST|ACK). [Request.SetID] makes the
// kernel check the entry's id too.
func DeleteRequest(seq uint32, orig Tuple) Request {
	r := GetRequest(seq, orig)
	r.Op = OpDelete
	return r
}

// FlushRequest returns a request deleting every entry (family 0, sent
// with nfgenmsg version 0) or every entry of one family (sent with version
// 1). Filters set with [Request.SetMark], [Request.SetStatus],
// [Request.SetZone] and [Request.SetFilter] restrict it further.
func FlushRequest(seq uint32, family Family) Request {
	return Request{Op: OpFlush, Seq: seq, Family: family}
}

// StatsCPURequest returns a dump of the per-CPU conntrack statistics
// (IPCTNL_MSG_CT_GET_STATS_CPU, REQUEST|DUMP).
func StatsCPURequest(seq uint32) Request { return Request{Op: OpStatsCPU, Seq: seq} }

// StatsRequest returns a request for the global conntrack statistics
// (IPCTNL_MSG_CT_GET_STATS, REQUEST|ACK): one reply, then the ack.
func StatsRequest(seq uint32) Request { return Request{Op: OpStats, Seq: seq} }

// DyingRequest returns a dump of the dying list (IPCTNL_MSG_CT_GET_DYING,
// REQUEST|DUMP).
func DyingRequest(seq uint32) Request { return Request{Op: OpDumpDying, Seq: seq} }

// UnconfirmedRequest returns a dump of the unconfirmed list
// (IPCTNL_MSG_CT_GET_UNCONFIRMED, REQUEST|DUMP); current kernels always
// answer it with an empty dump.
func UnconfirmedRequest(seq uint32) Request { return Request{Op: OpDumpUnconfirmed, Seq: seq} }

// ExpGetRequest returns a request for the expectation whose tuple is t
// (IPCTNL_MSG_EXP_GET, REQUEST|ACK).
func ExpGetRequest(seq uint32, t Tuple) Request {
	r := Request{Op: OpExpGet, Seq: seq, Family: familyOf(t.Src)}
	r.Expect.Tuple = t
	r.Expect.Present.Add(ExpectAttrTuple)
	return r
}

// ExpDumpRequest returns a dump of the expectations of one family, or of
// all (family 0) (IPCTNL_MSG_EXP_GET, REQUEST|DUMP).
func ExpDumpRequest(seq uint32, family Family) Request {
	return Request{Op: OpExpDump, Seq: seq, Family: family}
}

// ExpMasterDumpRequest returns a dump of the expectations of the master
// entry whose original tuple is master.
func ExpMasterDumpRequest(seq uint32, master Tuple) Request {
	r := Request{Op: OpExpDump, Seq: seq, Family: familyOf(master.Src)}
	r.Expect.Master = master
	r.Expect.Present.Add(ExpectAttrMaster)
	return r
}

// ExpCreateRequest returns a request creating e (IPCTNL_MSG_EXP_NEW,
// REQUEST|ACK|CREATE|EXCL). e needs its tuple, mask and master. The family
// is e.Family, or that of e.Tuple's source address when e.Family is 0.
func ExpCreateRequest(seq uint32, e *Expect) Request {
	r := Request{Op: OpExpCreate, Seq: seq, Family: e.Family, Expect: *e}
	if r.Family == FamilyUnspec {
		r.Family = familyOf(e.Tuple.Src)
	}
	return r
}

// ExpDeleteRequest returns a request deleting the expectation whose tuple
// is t (IPCTNL_MSG_EXP_DELETE, REQUEST|ACK).
func ExpDeleteRequest(seq uint32, t Tuple) Request {
	r := ExpGetRequest(seq, t)
	r.Op = OpExpDelete
	return r
}

// ExpDeleteHelperRequest returns a request deleting every expectation
// whose master uses the helper named name, which must be at most
// [MaxHelperNameLen] bytes.
func ExpDeleteHelperRequest(seq uint32, name string) (Request, error) {
	h, err := MakeHelperName(name)
	if err != nil {
		return Request{}, err
	}
	r := Request{Op: OpExpDeleteHelper, Seq: seq}
	r.Expect.Helper = h
	r.Expect.Present.Add(ExpectAttrHelpName)
	return r, nil
}

// ExpFlushRequest returns a request deleting every expectation (the kernel
// has no family filter for it).
func ExpFlushRequest(seq uint32) Request { return Request{Op: OpExpFlush, Seq: seq} }

// ExpStatsCPURequest returns a dump of the per-CPU expectation statistics
// (IPCTNL_MSG_EXP_GET_STATS_CPU, REQUEST|DUMP). The kernel answers with
// messages of type 0x0103 (see [KindStatsExp]).
func ExpStatsCPURequest(seq uint32) Request { return Request{Op: OpExpStatsCPU, Seq: seq} }

// SetZone sets the zone: CTA_ZONE for conntrack ops (the lookup zone, or
// a dump filter), CTA_EXPECT_ZONE for expectation ops.
func (r *Request) SetZone(zone uint16) {
	if r.Op.IsExpect() {
		r.Expect.Zone = zone
		r.Expect.Present.Add(ExpectAttrZone)
		return
	}
	r.Flow.Zone = zone
	r.Flow.Present.Add(AttrZone)
}

// SetID sets CTA_ID (or CTA_EXPECT_ID): a delete by tuple then fails with
// ENOENT unless the entry's id matches. GET ignores it.
func (r *Request) SetID(id uint32) {
	if r.Op.IsExpect() {
		r.Expect.ID = id
		r.Expect.Present.Add(ExpectAttrID)
		return
	}
	r.Flow.ID = id
	r.Flow.Present.Add(AttrID)
}

// SetMark sets a mark filter (dump, flush): entries with
// (mark & mask) == value. For an update it is a change instead: the new
// mark is (old &^ mask) ^ value.
func (r *Request) SetMark(value, mask uint32) {
	r.Flow.Mark, r.Flow.MarkMask = value, mask
	r.Flow.Present.Add(AttrMark)
	r.Flow.Present.Add(AttrMarkMask)
}

// SetStatus sets a status filter (dump, flush): entries with
// (status & mask) == value. The effective mask must not be zero.
func (r *Request) SetStatus(value, mask Status) {
	r.Flow.Status, r.Flow.StatusMask = value, mask
	r.Flow.Present.Add(AttrStatus)
	r.Flow.Present.Add(AttrStatusMask)
}

// SetFilter sets a CTA_FILTER tuple filter (dump, flush): entries whose
// original tuple equals orig in the fields origFlags selects, and whose
// reply tuple equals reply in the fields replyFlags selects. A zero flag
// set leaves its tuple out. The request's family must be IPv4 or IPv6;
// flags selecting layer-4 fields need [FilterProtoNum] as well.
func (r *Request) SetFilter(orig Tuple, origFlags FilterFlags, reply Tuple, replyFlags FilterFlags) {
	f := &r.Flow
	f.Filter = Filter{}
	f.Present.Remove(AttrTupleOrig)
	f.Present.Remove(AttrTupleReply)
	if origFlags != 0 {
		f.Orig = orig
		f.Present.Add(AttrTupleOrig)
		f.Filter.OrigFlags = origFlags
		f.Filter.Present.Add(FilterAttrOrigFlags)
	}
	if replyFlags != 0 {
		f.Reply = reply
		f.Present.Add(AttrTupleReply)
		f.Filter.ReplyFlags = replyFlags
		f.Filter.Present.Add(FilterAttrReplyFlags)
	}
	f.Present.Add(AttrFilter)
}

// ErrOp reports a [Request] whose Op is not one of the defined ops.
var ErrOp = errors.New("conntrack: unknown request op")
