package conntrack

import (
	"strconv"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// MessageType is an nlmsg_type of ctnetlink: (subsystem << 8) | message
// (enum cntl_msg_types, enum ctnl_exp_msg_types).
type MessageType uint16

// Message types of subsystems 1 (conntrack) and 2 (expectations).
const (
	MsgCTNew            MessageType = 0x0100 // IPCTNL_MSG_CT_NEW
	MsgCTGet            MessageType = 0x0101 // IPCTNL_MSG_CT_GET
	MsgCTDelete         MessageType = 0x0102 // IPCTNL_MSG_CT_DELETE
	MsgCTGetCtrZero     MessageType = 0x0103 // IPCTNL_MSG_CT_GET_CTRZERO
	MsgCTGetStatsCPU    MessageType = 0x0104 // IPCTNL_MSG_CT_GET_STATS_CPU
	MsgCTGetStats       MessageType = 0x0105 // IPCTNL_MSG_CT_GET_STATS
	MsgCTGetDying       MessageType = 0x0106 // IPCTNL_MSG_CT_GET_DYING
	MsgCTGetUnconfirmed MessageType = 0x0107 // IPCTNL_MSG_CT_GET_UNCONFIRMED
	MsgExpNew           MessageType = 0x0200 // IPCTNL_MSG_EXP_NEW
	MsgExpGet           MessageType = 0x0201 // IPCTNL_MSG_EXP_GET
	MsgExpDelete        MessageType = 0x0202 // IPCTNL_MSG_EXP_DELETE
	MsgExpGetStatsCPU   MessageType = 0x0203 // IPCTNL_MSG_EXP_GET_STATS_CPU
)

// Subsystem returns the nfnetlink subsystem (1 or 2 for ctnetlink).
func (t MessageType) Subsystem() uint8 { return uint8(t >> 8) }

// Msg returns the message number within the subsystem.
func (t MessageType) Msg() uint8 { return uint8(t) }

// String returns the kernel name ("IPCTNL_MSG_CT_NEW"), or "0x" and four
// hex digits.
func (t MessageType) String() string {
	var names []string
	switch t.Subsystem() {
	case codec.SubsysConntrack:
		names = ctMsgNames
	case codec.SubsysConntrackExp:
		names = expMsgNames
	}
	if int(t.Msg()) < len(names) {
		return names[t.Msg()]
	}
	s := strconv.FormatUint(uint64(t), 16)
	for len(s) < 4 {
		s = "0" + s
	}
	return "0x" + s
}

// Kind classifies a netlink message of the conntrack subsystems (or a
// control message) by what it carries; see [Classify].
type Kind uint8

// Message kinds.
const (
	// KindUnknown is a message of another subsystem, or of an unknown
	// type, or a reply type the kernel never sends.
	KindUnknown Kind = iota
	// KindFlow is a conntrack entry sent in reply to a request: a dump,
	// GET, CTRZERO or dying-list reply (0x0100 with NLM_F_MULTI).
	KindFlow
	// KindEvent is a conntrack event (0x0100 without NLM_F_MULTI, or
	// 0x0102); [Record.Event] says new, update or destroy.
	KindEvent
	// KindExpect is an expectation sent in reply to a dump or GET (0x0200
	// with NLM_F_MULTI).
	KindExpect
	// KindExpectEvent is an expectation event (0x0200 without
	// NLM_F_MULTI: new; 0x0202: destroy).
	KindExpectEvent
	// KindStatsCPU is one CPU's conntrack statistics (0x0104 reply).
	KindStatsCPU
	// KindStatsGlobal is the global conntrack statistics (0x0105 reply).
	KindStatsGlobal
	// KindStatsExp is one CPU's expectation statistics. The kernel sends
	// it with type 0x0103, IPCTNL_MSG_CT_GET_CTRZERO in subsystem 1, not
	// 0x0203: a message of type 0x0103 without NLM_F_REQUEST is this
	// (a CTRZERO request always has NLM_F_REQUEST, and the kernel answers
	// CTRZERO with 0x0100 messages). 0x0203 without NLM_F_REQUEST is
	// accepted as the same.
	KindStatsExp
	// KindRequest is a request (NLM_F_REQUEST set) of a known message type
	// of subsystem 1 or 2; [Record.Op] says which.
	KindRequest
	// KindAck is an NLMSG_ERROR with error 0.
	KindAck
	// KindError is an NLMSG_ERROR with a non-zero error.
	KindError
	// KindDone is an NLMSG_DONE: the end of a dump.
	KindDone
	// KindControl is another control message (NLMSG_NOOP, NLMSG_OVERRUN
	// or a reserved type below 0x10).
	KindControl
)

var kindNames = []string{"unknown", "flow", "event", "expect", "expect-event", "stats-cpu",
	"stats-global", "stats-exp", "request", "ack", "error", "done", "control"}

// String returns the kind's name ("flow", "event", "stats-exp", ...), or
// the number.
func (k Kind) String() string { return enumString(kindNames, int(k)) }

// Classify returns the kind of m from its header alone (and, for
// NLMSG_ERROR, its error code). The rules follow how the kernel builds
// its messages (net/netfilter/nf_conntrack_netlink.c: ctnetlink_fill_info
// and ctnetlink_exp_fill_info for replies, ctnetlink_conntrack_event and
// ctnetlink_expect_event for events; net/netlink/af_netlink.c:
// netlink_rcv_skb for requests):
//
//   - Types below 0x10 are control messages: NLMSG_ERROR is [KindAck] or
//     [KindError] by its code, NLMSG_DONE is [KindDone], the rest
//     [KindControl].
//   - Any message of subsystem 1 or 2 with NLM_F_REQUEST is a
//     [KindRequest] if its message number is known.
//   - Without NLM_F_REQUEST: 0x0100 with NLM_F_MULTI is a [KindFlow] (the
//     kernel sets MULTI on every reply to a request, including single GET
//     replies) and without it a [KindEvent] (events never carry MULTI);
//     0x0102 is always a destroy [KindEvent]. 0x0200 is a [KindExpect]
//     with MULTI and a [KindExpectEvent] without; 0x0202 is a destroy
//     [KindExpectEvent]. 0x0104 is [KindStatsCPU], 0x0105
//     [KindStatsGlobal], 0x0103 (and 0x0203) [KindStatsExp].
//   - Everything else is [KindUnknown].
func Classify(m codec.Message) Kind {
	return classify(m.Header.Type, m.Header.Flags, m.Payload, m.Order)
}

// classify is [Classify] of a message's type, flags, payload and header
// byte order, read from the message where it lies rather than copied.
func classify(typ, flags uint16, payload []byte, o nla.Order) Kind {
	if typ < codec.TypeMin {
		switch typ {
		case codec.TypeError:
			if len(payload) >= 4 && o.Uint32(payload) == 0 {
				return KindAck
			}
			return KindError
		case codec.TypeDone:
			return KindDone
		}
		return KindControl
	}
	t := MessageType(typ)
	if flags&codec.FlagRequest != 0 {
		switch t.Subsystem() {
		case codec.SubsysConntrack:
			if t.Msg() < uint8(len(ctMsgNames)) {
				return KindRequest
			}
		case codec.SubsysConntrackExp:
			if t.Msg() < uint8(len(expMsgNames)) {
				return KindRequest
			}
		}
		return KindUnknown
	}
	multi := flags&codec.FlagMulti != 0
	switch t {
	case MsgCTNew:
		if multi {
			return KindFlow
		}
		return KindEvent
	case MsgCTDelete:
		return KindEvent
	case MsgExpNew:
		if multi {
			return KindExpect
		}
		return KindExpectEvent
	case MsgExpDelete:
		return KindExpectEvent
	case MsgCTGetStatsCPU:
		return KindStatsCPU
	case MsgCTGetStats:
		return KindStatsGlobal
	case MsgCTGetCtrZero, MsgExpGetStatsCPU:
		return KindStatsExp
	}
	return KindUnknown
}

// EventOf returns the event kind of an event message (as the kernel sets
// it in net/netfilter/nf_conntrack_netlink.c: ctnetlink_conntrack_event and
// ctnetlink_expect_event): the delete types (0x0102, 0x0202) are
// [EventDestroy]; the new types (0x0100, 0x0200) with NLM_F_CREATE or
// NLM_F_EXCL (the kernel sets both, 0x0600) are [EventNew], without them
// [EventUpdate]. It returns 0 for any other message, including replies
// and requests.
func EventOf(m codec.Message) EventKind {
	return eventOf(Classify(m), m.Header.Type, m.Header.Flags)
}

// eventOf is [EventOf] of a message of kind k, type typ and flags flags.
func eventOf(k Kind, typ, flags uint16) EventKind {
	switch k {
	case KindEvent, KindExpectEvent:
	default:
		return 0
	}
	switch MessageType(typ) {
	case MsgCTDelete, MsgExpDelete:
		return EventDestroy
	}
	if flags&(codec.FlagCreate|codec.FlagExcl) != 0 {
		return EventNew
	}
	return EventUpdate
}

// hasDump reports either NLM_F_DUMP bit: the kernel tests
// flags & NLM_F_DUMP, so ROOT or MATCH alone makes a dump.
func hasDump(flags uint16) bool { return flags&codec.FlagDump != 0 }

// requestOp derives the op of a request from its type, flags and decoded
// attributes.
func requestOp(h codec.Header, f *Flow, e *Expect) Op {
	switch MessageType(h.Type) {
	case MsgCTNew:
		if h.Flags&codec.FlagCreate != 0 {
			return OpCreate
		}
		return OpUpdate
	case MsgCTGet:
		if hasDump(h.Flags) {
			return OpDump
		}
		return OpGet
	case MsgCTDelete:
		if (f.Present.Has(AttrTupleOrig) || f.Present.Has(AttrTupleReply)) && !f.Present.Has(AttrFilter) {
			return OpDelete
		}
		return OpFlush
	case MsgCTGetCtrZero:
		if hasDump(h.Flags) {
			return OpDumpCtrZero
		}
		return OpGetCtrZero
	case MsgCTGetStatsCPU:
		return OpStatsCPU
	case MsgCTGetStats:
		return OpStats
	case MsgCTGetDying:
		return OpDumpDying
	case MsgCTGetUnconfirmed:
		return OpDumpUnconfirmed
	case MsgExpNew:
		if h.Flags&codec.FlagCreate != 0 {
			return OpExpCreate
		}
		return OpExpUpdate
	case MsgExpGet:
		if hasDump(h.Flags) {
			return OpExpDump
		}
		return OpExpGet
	case MsgExpDelete:
		switch {
		case e.Present.Has(ExpectAttrTuple):
			return OpExpDelete
		case e.Present.Has(ExpectAttrHelpName):
			return OpExpDeleteHelper
		}
		return OpExpFlush
	case MsgExpGetStatsCPU:
		return OpExpStatsCPU
	}
	return OpNone
}

// Record is any decoded ctnetlink message. Kind says which of its fields
// hold the content; the fields of other kinds are left as they were by
// [Decoder.Decode], so one Record can be reused for a whole stream
// without clearing (and without allocating).
type Record struct {
	Kind   Kind
	Header codec.Header
	// NFGen is the nfgenmsg header (zero for control messages).
	NFGen codec.NFGen
	// Event is the event kind of [KindEvent] and [KindExpectEvent].
	Event EventKind
	// Op is the request of [KindRequest].
	Op Op

	// Flow is the body of [KindFlow], [KindEvent] and conntrack requests.
	Flow Flow
	// Expect is the body of [KindExpect], [KindExpectEvent] and
	// expectation requests.
	Expect Expect
	// StatsCPU, StatsGlobal and StatsExp are the bodies of the stats
	// kinds; the CPU is taken from nfgenmsg.res_id.
	StatsCPU    StatsCPU
	StatsGlobal StatsGlobal
	StatsExp    StatsExp
	// Error is the NLMSG_ERROR of [KindAck] and [KindError]. Its byte
	// slices alias the input.
	Error codec.KernelError
	// Done is the NLMSG_DONE of [KindDone]. Its byte slices alias the
	// input.
	Done codec.Done
	// Payload is, for [KindUnknown] and [KindControl], the message after
	// its netlink header, aliasing the input, so that it re-encodes.
	Payload []byte
}

// Err returns the kernel's error for [KindError] (a *codec.KernelError,
// matching errors.Is(err, syscall.ENOENT) and the like) and for a
// [KindDone] that ended a dump with an error; nil otherwise.
func (r *Record) Err() error {
	switch r.Kind {
	case KindError:
		return &r.Error
	case KindDone:
		return r.Done.Err()
	}
	return nil
}

// Decode classifies m ([Classify]) and decodes its content into r: flows
// and flow requests with d's options ([Decoder.Keep], [Decoder.Only]),
// expectations with [Decoder.DecodeExpect], stats, acks, errors and done.
// Requests of the stats, dying and unconfirmed types carry no attributes
// the kernel reads; any they carry are decoded all the same (and
// re-encoded by [Record.AppendBinary]). A message of subsystem 1 or 2
// without a full nfgenmsg header fails with an [*Error] unwrapping to
// [codec.ErrShort]. On error r is left unchanged. Decode allocates
// nothing unless d.Keep finds attributes to keep.
func (d Decoder) Decode(m codec.Message, r *Record) error { return d.decode(&m, r) }

// decode is [Decoder.Decode] reading m where it lies: a Message is about
// 90 bytes, and copying it into each helper costs more than a small
// message's header fields.
func (d Decoder) decode(m *codec.Message, r *Record) error {
	k := classify(m.Header.Type, m.Header.Flags, m.Payload, m.Order)
	switch k {
	case KindUnknown, KindControl:
		r.Kind, r.Header, r.NFGen, r.Event, r.Op = k, m.Header, m.NFGen, 0, OpNone
		r.Payload = m.Payload
		return nil
	case KindAck, KindError:
		if err := codec.ParseError(*m, &r.Error); err != nil {
			return err
		}
		r.Kind, r.Header, r.NFGen, r.Event, r.Op = k, m.Header, codec.NFGen{}, 0, OpNone
		return nil
	case KindDone:
		if err := codec.ParseDone(*m, &r.Done); err != nil {
			return err
		}
		r.Kind, r.Header, r.NFGen, r.Event, r.Op = k, m.Header, codec.NFGen{}, 0, OpNone
		return nil
	}
	if len(m.Payload) < codec.NFGenLen { // k is not a control kind: HasNFGen
		return &Error{Offset: m.Offset, Err: codec.ErrShort}
	}
	op := OpNone
	var err error
	switch k {
	case KindFlow, KindEvent:
		err = d.decodeMessage(m.Data, m.Order, m.Offset, m.NFGen.Family, &r.Flow)
	case KindExpect, KindExpectEvent:
		err = d.decodeExpectMessage(m, &r.Expect)
	case KindStatsCPU:
		err = decodeCPU(m, &r.StatsCPU)
	case KindStatsGlobal:
		err = r.StatsGlobal.decodeAttrs(m.Attrs())
	case KindStatsExp:
		err = decodeExpCPU(m, &r.StatsExp)
	case KindRequest:
		op, err = d.decodeRequest(m, r)
	}
	if err != nil {
		return err
	}
	r.Kind, r.Header, r.NFGen, r.Event, r.Op = k, m.Header, m.NFGen, eventOf(k, m.Header.Type, m.Header.Flags), op
	return nil
}

func (d Decoder) decodeExpectMessage(m *codec.Message, e *Expect) error {
	t := Expect{Family: Family(m.NFGen.Family)}
	if err := d.DecodeExpect(m.Attrs(), &t); err != nil {
		return err
	}
	*e = t
	return nil
}

func decodeCPU(m *codec.Message, s *StatsCPU) error {
	t := StatsCPU{CPU: m.NFGen.ResID}
	if err := t.decodeAttrs(m.Attrs()); err != nil {
		return err
	}
	*s = t
	return nil
}

func decodeExpCPU(m *codec.Message, s *StatsExp) error {
	t := StatsExp{CPU: m.NFGen.ResID}
	if err := t.decodeAttrs(m.Attrs()); err != nil {
		return err
	}
	*s = t
	return nil
}

func (d Decoder) decodeRequest(m *codec.Message, r *Record) (Op, error) {
	h := m.Header
	if MessageType(h.Type).Subsystem() == codec.SubsysConntrackExp {
		if err := d.decodeExpectMessage(m, &r.Expect); err != nil {
			return OpNone, err
		}
		return requestOp(h, &Flow{}, &r.Expect), nil
	}
	if err := d.decodeMessage(m.Data, m.Order, m.Offset, m.NFGen.Family, &r.Flow); err != nil {
		return OpNone, err
	}
	return requestOp(h, &r.Flow, &Expect{}), nil
}

// AppendBinary appends r as one netlink message: r.Header (its Len
// recomputed; flags, sequence number and port id as they are), r.NFGen,
// and the body of r.Kind encoded in the kernel's order: [LayoutDump] for
// flows and conntrack requests, [LayoutEvent] for events, the expectation
// order for expectations, attribute-number order for stats. Acks, errors
// and done re-encode through codec. A message decoded from kernel output
// (or built by [Request.AppendBinary]) re-encodes to the same bytes, provided it
// was in the running host's byte order and kept attributes were asked
// for when it holds any the decoder does not interpret. Requests of
// other senders may come back with their attributes reordered. With
// enough capacity in dst it allocates nothing; on error dst is returned
// as it was.
func (r *Record) AppendBinary(dst []byte) ([]byte, error) {
	h := r.Header
	switch r.Kind {
	case KindAck, KindError:
		return codec.AppendError(dst, h, &r.Error)
	case KindDone:
		return codec.AppendDone(dst, h, r.Done.Code, r.Done.TLVs)
	case KindUnknown, KindControl:
		out, start := codec.BeginMessage(dst, h)
		out = append(out, r.Payload...)
		out, err := codec.EndMessage(out, start)
		if err != nil {
			return dst, err
		}
		return out, nil
	}
	out, start := codec.AppendMessage(dst, h, r.NFGen)
	var err error
	switch r.Kind {
	case KindFlow:
		out, err = r.Flow.AppendAttrsLayout(out, LayoutDump)
	case KindEvent:
		out, err = r.Flow.AppendAttrsLayout(out, LayoutEvent)
	case KindExpect, KindExpectEvent:
		out, err = r.Expect.AppendAttrs(out)
	case KindStatsCPU, KindStatsGlobal, KindStatsExp:
		out = appendStatsAttrs(out, r)
	case KindRequest:
		// The decoder reads the attributes of every request, even of the
		// ops whose attributes the kernel ignores: write them all back.
		if MessageType(h.Type).Subsystem() == codec.SubsysConntrackExp {
			out, err = r.Expect.AppendAttrs(out)
		} else {
			out, err = r.Flow.AppendAttrsLayout(out, LayoutDump)
		}
	}
	if err != nil {
		return dst, err
	}
	if out, err = codec.EndMessage(out, start); err != nil {
		return dst, &Error{Offset: -1, Err: err}
	}
	return out, nil
}
