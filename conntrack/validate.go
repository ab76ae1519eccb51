package conntrack

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"syscall"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// Sentinels of [ValidationError] for requests the kernel accepts but that
// almost certainly do not do what was meant.
var (
	// ErrFlushesAll reports a DELETE without a tuple that carries CTA_ID
	// (or CTA_EXPECT_ID): the kernel ignores the id and flushes the whole
	// table (net/netfilter/nf_conntrack_netlink.c: ctnetlink_del_conntrack
	// and ctnetlink_del_expect look at the id only after a tuple lookup).
	ErrFlushesAll = errors.New("conntrack: delete without a tuple flushes every entry")
	// ErrNotRequest reports a message without NLM_F_REQUEST, which the
	// kernel skips (only acknowledging it if NLM_F_ACK is set).
	ErrNotRequest = errors.New("conntrack: message lacks NLM_F_REQUEST")
)

// ValidationError is a request the kernel would refuse, or (for the
// sentinels above) one it would misread. Err is the syscall.Errno the
// kernel would return (errors.Is(err, syscall.EINVAL)) or a sentinel.
type ValidationError struct {
	// Op is the request's op as [Decoder.Decode] derives it.
	Op Op
	// Path names the offending attribute
	// ("CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_ICMP_TYPE"); empty when
	// the fault is the message itself or a missing top-level attribute
	// named in Reason.
	Path string
	// Types is the same path as attribute types.
	Types nla.Path
	// Offset is the offset of the offending attribute from the start of
	// the message's netlink header (as NLMSGERR_ATTR_OFFS counts), or -1.
	Offset int
	// Reason says what is wrong, in a few words.
	Reason string
	// Err is the errno or sentinel.
	Err error
	// AfterLookup says that the kernel looks the entry (or an
	// expectation's master) up first: it answers ENOENT instead when that
	// is absent, or for a create EEXIST when the entry exists.
	AfterLookup bool
}

// Error returns e.g. "conntrack: get: CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/
// CTA_PROTO_ICMP_TYPE at offset 64: type has no reply type: invalid
// argument", the reason followed by "(checked after the lookup)" if so.
func (e *ValidationError) Error() string {
	s := "conntrack: " + e.Op.String() + ": "
	if e.Path != "" && e.Offset >= 0 {
		s += e.Path + " at offset " + strconv.Itoa(e.Offset) + ": "
	} else if e.Path != "" {
		s += e.Path + ": "
	}
	if s += e.Reason; e.AfterLookup {
		s += " (checked after the lookup)"
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the errno or sentinel.
func (e *ValidationError) Unwrap() error { return e.Err }

// Validate checks r against the kernel's policies and rules, as
// [ValidateMessage] does for the message [Request.AppendBinary] builds from
// it; [ValidateTarget] adds what the caller knows of the entry addressed.
func Validate(r *Request) error { return ValidateTarget(r, nil) }

// Target is what the caller knows of the entry a create or update
// addresses, for the rules of ctnetlink_new_conntrack and
// ctnetlink_change_conntrack (net/netfilter/nf_conntrack_netlink.c) that
// depend on it.
type Target struct {
	// Exists says whether the entry is in the table: an update of an
	// absent entry is ENOENT, a create (NLM_F_EXCL) of a present one
	// EEXIST, both found by the lookup that follows the tuples' parsing
	// and precedes every other check.
	Exists bool
	// Status is the entry's CTA_STATUS: an update's CTA_STATUS may not
	// change IPS_EXPECTED, IPS_CONFIRMED or IPS_DYING nor clear
	// IPS_SEEN_REPLY or IPS_ASSURED (EBUSY, net/netfilter/nf_conntrack_core.c:
	// nf_ct_change_status_common); with IPS_FIXED_TIMEOUT set, a
	// CTA_TIMEOUT is EPERM (__nf_ct_change_timeout).
	Status Status
	// Helper is the name of the entry's helper, "" for none: an update
	// naming a helper is EOPNOTSUPP on an entry that never had one, EBUSY
	// on one with another or whose helper was removed (ctnetlink_change_helper).
	Helper string
}

// ValidateTarget is [Validate] for a create or update of the entry t
// describes (nil: nothing known, as for Validate).
func ValidateTarget(r *Request, t *Target) error {
	var buf [512]byte
	b, err := r.AppendBinary(buf[:0])
	m, perr := codec.ParseMessage(b, nla.HostOrder)
	if err = cmp.Or(err, perr); err != nil {
		return err
	}
	return validateMessage(m, t)
}

// table is the attributes of one nest, indexed by type (last duplicate
// wins), as nla_parse leaves them.
type table struct {
	a   [AttrMax + 1]nla.Attr
	has uint32
}

func (t *table) get(typ uint16) (nla.Attr, bool) {
	if typ >= 32 || t.has&(1<<typ) == 0 {
		return nla.Attr{}, false
	}
	return t.a[typ], true
}

// validator checks one message.
type validator struct {
	op    Op
	sp    Space
	base  int // absolute offset of the message, subtracted from attribute offsets
	order nla.Order
	tg    *Target
	found bool // past the lookup of the entry or master
}

func (v *validator) fail(a *nla.Attr, path nla.Path, reason string, errno error) error {
	e := &ValidationError{Op: v.op, Offset: -1, Reason: reason, Err: errno, AfterLookup: v.found}
	if a != nil {
		path = path.Append(a.Type)
		e.Offset = a.Offset - v.base
	}
	if path.Len() > 0 {
		e.Types = path
		e.Path = PathString(v.sp, path)
	}
	return e
}

// fill is nla_parse in liberal mode over the attributes s reads (found
// at path), validating each against pols (types beyond pols are
// ignored). A malformed header ends the scan silently, as the kernel only
// warns about trailing bytes.
func (v *validator) fill(s nla.Scanner, path nla.Path, pols []nla.Policy, t *table) error {
	*t = table{}
	for s.Next() {
		a := s.Attr()
		if a.Type == 0 || int(a.Type) >= len(pols) || int(a.Type) >= len(t.a) {
			continue
		}
		if err := v.check(&a, path, pols[a.Type], false); err != nil {
			return err
		}
		t.a[a.Type] = a
		t.has |= 1 << a.Type
	}
	return nil
}

// check is the kernel's validate_nla for one attribute.
func (v *validator) check(a *nla.Attr, path nla.Path, p nla.Policy, strict bool) error {
	if reason, errno := p.Check(*a, strict); errno != 0 {
		return v.fail(a, path, reason, errno)
	}
	return nil
}

// sub parses the nest a (found at path) with pols.
func (v *validator) sub(a nla.Attr, path nla.Path, pols []nla.Policy, t *table) (nla.Path, error) {
	p := path.Append(a.Type)
	return p, v.fill(nla.NewScannerOrder(a.Payload, v.order, a.PayloadOffset()), p, pols, t)
}

// zoneState tracks the zone of a CT request for CTA_TUPLE_ZONE checks.
type zoneState struct {
	allowed bool // a zone pointer is passed (orig and reply tuples)
	id      uint16
}

// zoneOf is ctnetlink_parse_zone.
func zoneOf(tb *table) zoneState {
	z, _ := tb.get(uint16(AttrZone))
	if len(z.Payload) < 2 {
		return zoneState{allowed: true}
	}
	return zoneState{allowed: true, id: binary.BigEndian.Uint16(z.Payload)}
}

// tuple is ctnetlink_parse_tuple_filter: attribute a is a tuple nest
// (at path) of family fam, parsed for the fields in flags.
func (v *validator) tuple(a nla.Attr, path nla.Path, fam Family, zone *zoneState, flags FilterFlags) error {
	var tb table
	tp, err := v.sub(a, path, tuplePolicy, &tb)
	if err != nil {
		return err
	}
	if fam != FamilyIPv4 && fam != FamilyIPv6 {
		return v.fail(&a, path, "family is neither AF_INET nor AF_INET6", syscall.EOPNOTSUPP)
	}
	if flags&(FilterIPSrc|FilterIPDst) != 0 {
		ip, ok := tb.get(uint16(TupleAttrIP))
		if !ok {
			return v.fail(&a, path, "CTA_TUPLE_IP missing", syscall.EINVAL)
		}
		var it table
		_, err := v.sub(ip, tp, ipPolicy, &it)
		if err != nil {
			return err
		}
		src, dst := IPAttrV4Src, IPAttrV4Dst
		if fam == FamilyIPv6 {
			src, dst = IPAttrV6Src, IPAttrV6Dst
		}
		if _, ok := it.get(uint16(src)); !ok && flags&FilterIPSrc != 0 {
			return v.fail(&ip, tp, tableString(ipNames, uint16(src))+" missing", syscall.EINVAL)
		}
		if _, ok := it.get(uint16(dst)); !ok && flags&FilterIPDst != 0 {
			return v.fail(&ip, tp, tableString(ipNames, uint16(dst))+" missing", syscall.EINVAL)
		}
	}
	if flags&FilterProtoNum != 0 {
		pa, ok := tb.get(uint16(TupleAttrProto))
		if !ok {
			return v.fail(&a, path, "CTA_TUPLE_PROTO missing", syscall.EINVAL)
		}
		if err := v.proto(pa, tp, flags); err != nil {
			return err
		}
	} else if flags&FilterAllProto != 0 {
		return v.fail(&a, path, "layer-4 filter flags without CTA_FILTER_F_CTA_PROTO_NUM", syscall.EINVAL)
	}
	if za, ok := tb.get(uint16(TupleAttrZone)); ok && flags&FilterTupleZone != 0 {
		if zone == nil || !zone.allowed {
			return v.fail(&za, tp, "no directional zone allowed here", syscall.EINVAL)
		}
		if zone.id != 0 {
			return v.fail(&za, tp, "zone already set", syscall.EINVAL)
		}
		zone.id = binary.BigEndian.Uint16(za.Payload)
	}
	return nil
}

// proto is ctnetlink_parse_tuple_proto with the layer-4 nlattr_to_tuple.
func (v *validator) proto(a nla.Attr, path nla.Path, flags FilterFlags) error {
	var tb table
	pp, err := v.sub(a, path, protoPolicy, &tb)
	if err != nil {
		return err
	}
	na, ok := tb.get(uint16(ProtoAttrNum))
	if !ok {
		return v.fail(&a, path, "CTA_PROTO_NUM missing", syscall.EINVAL)
	}
	var pols []nla.Policy
	var need [3]AttrType
	var flag [3]FilterFlags
	switch Proto(na.Payload[0]) {
	case ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoSCTP, ProtoGRE:
		pols, need = protoPortPolicy, [3]AttrType{ProtoAttrSrcPort, ProtoAttrDstPort}
		flag = [3]FilterFlags{FilterProtoSrcPort, FilterProtoDstPort}
	case ProtoICMP:
		pols, need = protoICMPPolicy, [3]AttrType{ProtoAttrICMPType, ProtoAttrICMPCode, ProtoAttrICMPID}
		flag = [3]FilterFlags{FilterICMPType, FilterICMPCode, FilterICMPID}
	case ProtoICMPv6:
		pols, need = protoICMPv6Policy, [3]AttrType{ProtoAttrICMPv6Type, ProtoAttrICMPv6Code, ProtoAttrICMPv6ID}
		flag = [3]FilterFlags{FilterICMPv6Type, FilterICMPv6Code, FilterICMPv6ID}
	default:
		return nil // the generic tracker reads nothing more
	}
	var lt table
	if _, err := v.sub(a, path, pols, &lt); err != nil {
		return err
	}
	for i, n := range need {
		if n == 0 || flags&flag[i] == 0 {
			continue
		}
		x, ok := lt.get(uint16(n))
		if !ok {
			return v.fail(&a, path, tableString(protoNames, uint16(n))+" missing", syscall.EINVAL)
		}
		if t := int(x.Payload[0]); n == ProtoAttrICMPType && (t >= len(icmpInvertible) || !icmpInvertible[t]) ||
			n == ProtoAttrICMPv6Type && (t >= len(icmpv6Invertible) || !icmpv6Invertible[t]) {
			return v.fail(&x, pp, "type has no reply type", syscall.EINVAL)
		}
	}
	return nil
}

// ValidateMessage checks a request message against the kernel's
// attribute policies (ct_nla_policy, exp_nla_policy and the tables of the
// nests they point to, in net/netfilter/nf_conntrack_netlink.c) and its
// per-operation rules (ctnetlink_new_conntrack, ctnetlink_get_conntrack,
// ctnetlink_del_conntrack, ctnetlink_new_expect, ... in the same file), in
// the order the kernel applies them, and returns the first violation as a
// [*ValidationError] unwrapping to the errno the kernel would return
// (errors.Is(err, syscall.EINVAL)), or nil.
//
// Only the kernel can give the errors that depend on its table: ENOENT
// for an entry or expectation that is absent (a get, delete or update, a
// CTA_TUPLE_MASTER or CTA_EXPECT_MASTER naming no entry) or whose CTA_ID
// differs, EEXIST for a create of an entry that exists, EBUSY for a
// helper change on an expected entry, ENOSPC for labels on an entry made
// without them, EINVAL for a CTA_EXPECT_CLASS beyond the master helper's
// ([ValidateTarget] predicts the lookup and the update rules from what the
// caller knows). The kernel checks the policy of the top-level attributes
// (all of them, for every op), then the zone and the tuples, then looks
// up (ENOENT, EEXIST), and only then the other attributes (the nests'
// policies included) in the order of ctnetlink_create_conntrack or
// ctnetlink_change_conntrack: a request with a fault found after the
// lookup is answered ENOENT or EEXIST instead when the lookup fails.
//
// Where kernels differ the newest rules apply, those of the range and mask
// policies (NLA_POLICY_MAX, NLA_POLICY_MASK) of tcp_nla_policy
// (net/netfilter/nf_conntrack_proto_tcp.c), sctp_nla_policy
// (nf_conntrack_proto_sctp.c), exp_nat_nla_policy, exp_nla_policy and
// cta_filter_nla_policy (nf_conntrack_netlink.c): TCP state above 9,
// window scale above 14, SCTP state above 8 and expectation NAT direction
// above 1 are ERANGE; expectation flags beyond 0x7 and CTA_FILTER flags
// beyond 0xfff are EINVAL (as Linux 6.18 answers both). A create naming a
// helper not in [BuiltinHelpers] for its family and protocol, or an empty
// one, is EOPNOTSUPP. The label rules (length a multiple of 4, a mask of
// the same length) apply to updates only: a create ignores a failure
// there and makes the entry without labels. A delete without a tuple that
// carries an id is reported with [ErrFlushesAll], a message without
// NLM_F_REQUEST with [ErrNotRequest].
func ValidateMessage(m codec.Message) error { return validateMessage(m, nil) }

func validateMessage(m codec.Message, tg *Target) error {
	var f Flow
	var e Expect
	h := m.Header
	v := validator{sp: SpaceFlow, base: m.Offset, order: m.Order, tg: tg}
	t := MessageType(h.Type)
	switch t.Subsystem() {
	case codec.SubsysConntrack:
		if int(t.Msg()) >= len(ctMsgNames) {
			return v.fail(nil, nla.Path{}, "unknown message type", syscall.EINVAL)
		}
	case codec.SubsysConntrackExp:
		v.sp = SpaceExpect
		if int(t.Msg()) >= len(expMsgNames) {
			return v.fail(nil, nla.Path{}, "unknown message type", syscall.EINVAL)
		}
	default:
		return v.fail(nil, nla.Path{}, "not a ctnetlink message type", syscall.EINVAL)
	}
	if h.Flags&codec.FlagRequest == 0 {
		return v.fail(nil, nla.Path{}, "not a request", ErrNotRequest)
	}
	if len(m.Payload) < codec.NFGenLen {
		return nil // the kernel ignores it
	}
	var tb table
	s := m.Attrs()
	var err error
	if v.sp == SpaceExpect {
		err = v.fill(s, nla.Path{}, expectPolicy, &tb)
		if err == nil {
			if _, ok := tb.get(uint16(ExpectAttrTuple)); ok {
				e.Present.Add(ExpectAttrTuple)
			}
			if _, ok := tb.get(uint16(ExpectAttrHelpName)); ok {
				e.Present.Add(ExpectAttrHelpName)
			}
		}
	} else {
		err = v.fill(s, nla.Path{}, flowPolicy, &tb)
		for _, a := range []AttrType{AttrTupleOrig, AttrTupleReply, AttrFilter} {
			if _, ok := tb.get(uint16(a)); ok {
				f.Present.Add(a)
			}
		}
	}
	v.op = requestOp(h, &f, &e)
	if err != nil {
		err.(*ValidationError).Op = v.op
		return err
	}
	fam := Family(m.NFGen.Family)
	if v.sp == SpaceExpect {
		return v.expect(&tb, fam)
	}
	return v.conntrack(&tb, fam, m.NFGen.Version, h)
}

func (v *validator) missing(name string) error {
	return v.fail(nil, nla.Path{}, name+" missing", syscall.EINVAL)
}

func (v *validator) conntrack(tb *table, fam Family, version uint8, h codec.Header) error {
	var top nla.Path
	zone := zoneOf(tb)
	orig, hasOrig := tb.get(uint16(AttrTupleOrig))
	reply, hasReply := tb.get(uint16(AttrTupleReply))
	switch v.op {
	case OpGet, OpGetCtrZero:
		if !hasOrig && !hasReply {
			return v.missing("CTA_TUPLE_ORIG or CTA_TUPLE_REPLY")
		}
		fallthrough
	case OpDelete:
		if hasOrig {
			return v.tuple(orig, top, fam, &zone, FilterAll)
		}
		return v.tuple(reply, top, fam, &zone, FilterAll)
	case OpDump, OpDumpCtrZero:
		return v.filter(tb, fam)
	case OpFlush:
		u3 := FamilyUnspec
		if _, ok := tb.get(uint16(AttrFilter)); ok || version != 0 {
			u3 = fam
		}
		if err := v.filter(tb, u3); err != nil {
			return err
		}
		if id, ok := tb.get(uint16(AttrID)); ok {
			return v.fail(&id, top, "the kernel ignores CTA_ID without a tuple and flushes", ErrFlushesAll)
		}
		return nil
	case OpDumpDying, OpDumpUnconfirmed:
		if !hasDump(h.Flags) {
			return v.fail(nil, top, "only a dump (NLM_F_DUMP) is supported", syscall.EOPNOTSUPP)
		}
		return nil
	case OpCreate, OpUpdate:
		return v.newConntrack(tb, fam, &zone, h.Flags&codec.FlagExcl != 0)
	}
	return nil
}

// filter is ctnetlink_alloc_filter, run when ctnetlink_needs_filter.
func (v *validator) filter(tb *table, fam Family) error {
	var top nla.Path
	_, hasMark := tb.get(uint16(AttrMark))
	_, hasStatus := tb.get(uint16(AttrStatus))
	_, hasZone := tb.get(uint16(AttrZone))
	fa, hasFilter := tb.get(uint16(AttrFilter))
	if fam == FamilyUnspec && !hasMark && !hasStatus && !hasZone && !hasFilter {
		return nil
	}
	if mm, ok := tb.get(uint16(AttrMarkMask)); ok && !hasMark {
		return v.fail(&mm, top, "CTA_MARK_MASK without CTA_MARK", syscall.EINVAL)
	}
	sm, hasStatusMask := tb.get(uint16(AttrStatusMask))
	if hasStatus {
		st, _ := tb.get(uint16(AttrStatus))
		mask := binary.BigEndian.Uint32(st.Payload)
		if hasStatusMask {
			mask = binary.BigEndian.Uint32(sm.Payload)
		}
		if mask == 0 {
			return v.fail(&st, top, "status filter with a zero mask", syscall.EINVAL)
		}
	} else if hasStatusMask {
		return v.fail(&sm, top, "CTA_STATUS_MASK without CTA_STATUS", syscall.EINVAL)
	}
	if !hasFilter {
		return nil
	}
	// nla_parse_nested: strict.
	if !fa.Nested() {
		return v.fail(&fa, top, "NLA_F_NESTED missing", syscall.EINVAL)
	}
	fp := top.Append(fa.Type)
	var flags [3]FilterFlags
	var flagAttrs [3]nla.Attr
	s := nla.NewScannerOrder(fa.Payload, v.order, fa.PayloadOffset())
	for s.Next() {
		a := s.Attr()
		if a.Type == 0 || a.Type > uint16(FilterAttrReplyFlags) {
			return v.fail(&a, fp, "unknown attribute type", syscall.EINVAL)
		}
		p := filterPolicy[a.Type]
		p.Mask = 0 // a host-order value: checked below
		if err := v.check(&a, fp, p, true); err != nil {
			return err
		}
		flags[a.Type] = FilterFlags(v.order.Uint32(a.Payload))
		flagAttrs[a.Type] = a
	}
	if s.Err() != nil {
		return v.fail(&fa, top, "trailing bytes", syscall.EINVAL)
	}
	for i := 1; i <= 2; i++ {
		if flags[i]&^FilterFlags(filterPolicy[i].Mask) != 0 {
			// NLA_POLICY_MASK(NLA_U32, CTA_FILTER_F_ALL): EINVAL on 6.18.
			return v.fail(&flagAttrs[i], fp, "reserved bit set", syscall.EINVAL)
		}
	}
	zone := zoneOf(tb)
	for i, at := range [3]AttrType{0, AttrTupleOrig, AttrTupleReply} {
		if i == 0 || flags[i] == 0 {
			continue
		}
		t, ok := tb.get(uint16(at))
		if !ok {
			return v.fail(nil, top, tableString(flowNames, uint16(at))+" missing for its CTA_FILTER flags", syscall.EINVAL)
		}
		if err := v.tuple(t, top, fam, &zone, flags[i]); err != nil {
			return err
		}
	}
	return nil
}

// newConntrack is ctnetlink_new_conntrack and, for creates,
// ctnetlink_create_conntrack; for updates, ctnetlink_change_conntrack,
// with the rules that depend on the entry when v.tg describes it.
func (v *validator) newConntrack(tb *table, fam Family, zone *zoneState, excl bool) error {
	var top nla.Path
	orig, hasOrig := tb.get(uint16(AttrTupleOrig))
	reply, hasReply := tb.get(uint16(AttrTupleReply))
	for _, t := range []nla.Attr{orig, reply} {
		if t.Type == 0 {
			continue
		}
		if err := v.tuple(t, top, fam, zone, FilterAll); err != nil {
			return err
		}
	}
	proto := protoNum(orig)
	if !hasOrig {
		proto = protoNum(reply)
	}
	tg := v.tg
	if tg != nil && tg.Exists && v.op == OpCreate {
		if excl {
			return v.fail(nil, top, "the entry exists", syscall.EEXIST)
		}
		v.op = OpUpdate // NLM_F_CREATE without NLM_F_EXCL updates an entry found
	}
	if v.op == OpUpdate {
		if !hasOrig && !hasReply || tg != nil && !tg.Exists {
			return v.fail(nil, top, "no entry to update", syscall.ENOENT)
		}
		v.found = true
		for _, at := range []AttrType{AttrNATSrc, AttrNATDst, AttrTupleMaster} {
			if a, ok := tb.get(uint16(at)); ok {
				return v.fail(&a, top, "cannot be changed on an existing entry", syscall.EOPNOTSUPP)
			}
		}
		if err := v.helper(tb, fam, proto); err != nil {
			return err
		}
		if a, ok := tb.get(uint16(AttrTimeout)); ok && tg != nil && tg.Status&StatusFixedTimeout != 0 {
			return v.fail(&a, top, "the entry has IPS_FIXED_TIMEOUT", syscall.EPERM)
		}
		cur := StatusConfirmed
		if tg != nil {
			cur |= tg.Status
		}
		if err := v.status(tb, cur, tg != nil); err != nil {
			return err
		}
		if err := v.nests(tb, proto); err != nil {
			return err
		}
		return v.labels(tb)
	}
	if v.found = true; !hasOrig || !hasReply {
		return v.missing("CTA_TUPLE_ORIG and CTA_TUPLE_REPLY")
	}
	if protoNum(orig) != protoNum(reply) {
		return v.fail(&reply, top, "layer-4 protocol differs from the original tuple's", syscall.EINVAL)
	}
	if _, ok := tb.get(uint16(AttrTimeout)); !ok {
		return v.missing("CTA_TIMEOUT")
	}
	if err := v.helper(tb, fam, proto); err != nil {
		return err
	}
	for _, at := range []AttrType{AttrNATDst, AttrNATSrc} {
		if a, ok := tb.get(uint16(at)); ok {
			if err := v.nat(a, top); err != nil {
				return err
			}
		}
	}
	if err := v.status(tb, StatusConfirmed, true); err != nil {
		return err
	}
	if err := v.nests(tb, proto); err != nil {
		return err
	}
	if a, ok := tb.get(uint16(AttrTupleMaster)); ok {
		return v.tuple(a, top, fam, nil, FilterAll)
	}
	return nil
}

// helper is ctnetlink_parse_help and the helper lookup of
// ctnetlink_create_conntrack or ctnetlink_change_helper.
func (v *validator) helper(tb *table, fam Family, proto Proto) error {
	a, ok := tb.get(uint16(AttrHelp))
	if !ok {
		return nil
	}
	var ht table
	hp, err := v.sub(a, nla.Path{}, helpPolicy, &ht)
	if err != nil {
		return err
	}
	n, ok := ht.get(uint16(HelpAttrName))
	if !ok {
		return v.fail(&a, nla.Path{}, "CTA_HELP_NAME missing", syscall.EINVAL)
	}
	name := string(n.Payload[:bytes.IndexByte(n.Payload, 0)])
	if name == "" && v.op == OpUpdate {
		return nil // removes the helper
	}
	known := slices.ContainsFunc(BuiltinHelpers, func(h KernelHelper) bool {
		return h.Name == name && h.Proto == proto && (h.Family == FamilyUnspec || h.Family == fam)
	})
	switch tg := v.tg; {
	case !known:
		return v.fail(&n, hp, "no helper \""+name+"\" for this family and protocol", syscall.EOPNOTSUPP)
	case v.op != OpUpdate || tg == nil || tg.Helper == name:
		return nil
	case tg.Helper == "":
		return v.fail(&n, hp, "an existing entry cannot get a helper", syscall.EOPNOTSUPP)
	}
	return v.fail(&n, hp, "the entry has another helper", syscall.EBUSY)
}

// status is nf_ct_change_status_common (net/netfilter/nf_conntrack_core.c)
// for an entry of status cur; unless known, only the bits every entry in
// the table has (IPS_CONFIRMED set, IPS_DYING clear) are compared.
func (v *validator) status(tb *table, cur Status, known bool) error {
	st, ok := tb.get(uint16(AttrStatus))
	if !ok {
		return nil
	}
	s := Status(binary.BigEndian.Uint32(st.Payload))
	d := cur ^ s
	if !known {
		d &= StatusConfirmed | StatusDying
	}
	switch {
	case d&(StatusExpected|StatusConfirmed|StatusDying) != 0:
		return v.fail(&st, nla.Path{}, "changes IPS_EXPECTED, IPS_CONFIRMED or IPS_DYING", syscall.EBUSY)
	case d&^s&(StatusSeenReply|StatusAssured) != 0:
		return v.fail(&st, nla.Path{}, "clears IPS_SEEN_REPLY or IPS_ASSURED", syscall.EBUSY)
	}
	return nil
}

// nests checks CTA_PROTOINFO and the nests whose members are all
// required (CTA_SEQ_ADJ_*, CTA_SYNPROXY) in the kernel's order: an update
// changes the protocol info first, a create after the sequence
// adjustments.
func (v *validator) nests(tb *table, proto Proto) error {
	for i, q := range [...]struct {
		at   AttrType
		pols []nla.Policy
	}{{AttrProtoInfo, nil}, {AttrSeqAdjOrig, seqAdjPolicy}, {AttrSeqAdjReply, seqAdjPolicy}, {AttrProtoInfo, nil}, {AttrSynproxy, synproxyPolicy}} {
		a, ok := tb.get(uint16(q.at))
		var err error
		switch {
		case q.pols != nil:
			err = v.allOf(tb, q.at, q.pols)
		case ok && (i == 0) == (v.op == OpUpdate):
			err = v.protoInfo(a, nla.Path{}, proto)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// allOf checks a nest (seqadj, synproxy) whose members are all required.
func (v *validator) allOf(tb *table, at AttrType, pols []nla.Policy) error {
	a, ok := tb.get(uint16(at))
	if !ok {
		return nil
	}
	var st table
	p, err := v.sub(a, nla.Path{}, pols, &st)
	if err != nil {
		return err
	}
	for i := 1; i < len(pols); i++ {
		if _, ok := st.get(uint16(i)); !ok {
			return v.fail(&a, nla.Path{}, PathString(v.sp, p.Append(uint16(i)))+" missing", syscall.EINVAL)
		}
	}
	return nil
}

func (v *validator) nat(a nla.Attr, path nla.Path) error {
	var nt table
	np, err := v.sub(a, path, natPolicy, &nt)
	if err != nil {
		return err
	}
	if p, ok := nt.get(uint16(NATAttrProto)); ok {
		var pt table
		if _, err := v.sub(p, np, protoNATPolicy, &pt); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) protoInfo(a nla.Attr, path nla.Path, proto Proto) error {
	var pt table
	pp, err := v.sub(a, path, protoInfoPolicy, &pt)
	if err != nil {
		return err
	}
	switch proto {
	case ProtoTCP:
		if t, ok := pt.get(uint16(ProtoInfoAttrTCP)); ok {
			var tt table
			if _, err := v.sub(t, pp, tcpPolicy, &tt); err != nil {
				return err
			}
		}
	case ProtoSCTP:
		t, ok := pt.get(uint16(ProtoInfoAttrSCTP))
		if !ok {
			return nil
		}
		var st table
		_, err := v.sub(t, pp, sctpPolicy, &st)
		if err != nil {
			return err
		}
		for _, m := range []AttrType{SCTPAttrState, SCTPAttrVTagOrig, SCTPAttrVTagReply} {
			if _, ok := st.get(uint16(m)); !ok {
				return v.fail(&t, pp, tableString(sctpNames, uint16(m))+" missing", syscall.EINVAL)
			}
		}
	}
	return nil
}

func (v *validator) labels(tb *table) error {
	l, hasL := tb.get(uint16(AttrLabels))
	if !hasL {
		return nil
	}
	if len(l.Payload)%4 != 0 {
		return v.fail(&l, nla.Path{}, "length not a multiple of 4", syscall.EINVAL)
	}
	if m, ok := tb.get(uint16(AttrLabelsMask)); ok && (len(m.Payload) == 0 || len(m.Payload) != len(l.Payload)) {
		return v.fail(&m, nla.Path{}, "mask length differs from the labels'", syscall.EINVAL)
	}
	return nil
}

// protoNum returns the CTA_PROTO_NUM of a tuple nest already validated,
// or 0.
func protoNum(a nla.Attr) Proto {
	var proto Proto
	for s := nla.NewScanner(a.Payload); s.Next(); {
		for n := s.Nested(); s.Type() == uint16(TupleAttrProto) && n.Next(); {
			if n.Type() == uint16(ProtoAttrNum) && len(n.Payload()) >= 1 {
				proto = Proto(n.Payload()[0])
			}
		}
	}
	return proto
}

func (v *validator) expect(tb *table, fam Family) error {
	var top nla.Path
	get := func(t AttrType) (nla.Attr, bool) { return tb.get(uint16(t)) }
	switch v.op {
	case OpExpCreate, OpExpUpdate:
		tu, ok1 := get(ExpectAttrTuple)
		mk, ok2 := get(ExpectAttrMask)
		ms, ok3 := get(ExpectAttrMaster)
		if !ok1 || !ok2 || !ok3 {
			return v.missing("CTA_EXPECT_TUPLE, CTA_EXPECT_MASK and CTA_EXPECT_MASTER")
		}
		for _, a := range []nla.Attr{tu, mk, ms} {
			if err := v.tuple(a, top, fam, nil, FilterAll); err != nil || v.op == OpExpUpdate {
				return err // an update reads the tuple only, to find the expectation
			}
		}
		v.found = true // ctnetlink_create_expect looked the master up
		// ctnetlink_alloc_expect: nf_ct_helper_expectfn_find_by_name.
		if fn, ok := get(ExpectAttrFn); ok && !slices.Contains(expectFns, string(fn.Payload[:bytes.IndexByte(fn.Payload, 0)])) {
			return v.fail(&fn, top, "no such expectation function", syscall.EINVAL)
		}
		if a, ok := get(ExpectAttrNAT); ok {
			var nt table
			np, err := v.sub(a, top, expectNATPolicy, &nt)
			if err != nil {
				return err
			}
			_, hasDir := nt.get(uint16(ExpectNATAttrDir))
			nat, hasTuple := nt.get(uint16(ExpectNATAttrTuple))
			if !hasDir || !hasTuple {
				return v.fail(&a, top, "CTA_EXPECT_NAT_DIR and CTA_EXPECT_NAT_TUPLE required", syscall.EINVAL)
			}
			return v.tuple(nat, np, fam, nil, FilterAll)
		}
	case OpExpGet:
		if a, ok := get(ExpectAttrTuple); ok {
			return v.tuple(a, top, fam, nil, FilterAll)
		}
		if a, ok := get(ExpectAttrMaster); ok {
			return v.tuple(a, top, fam, nil, FilterAll)
		}
		return v.missing("CTA_EXPECT_TUPLE or CTA_EXPECT_MASTER")
	case OpExpDump:
		if a, ok := get(ExpectAttrMaster); ok {
			return v.tuple(a, top, fam, nil, FilterAll)
		}
	case OpExpDelete:
		a, _ := get(ExpectAttrTuple)
		return v.tuple(a, top, fam, nil, FilterAll)
	case OpExpFlush:
		if id, ok := get(ExpectAttrID); ok {
			return v.fail(&id, top, "the kernel ignores CTA_EXPECT_ID without a tuple and flushes", ErrFlushesAll)
		}
	}
	return nil
}
