package conntrack

// The JSON form of records and messages.
//
// Output is written by appenders (no reflection, no allocation beyond
// growing dst); input is read by a small JSON reader that reports typed
// errors with byte offsets and never panics. The general machinery (the
// writer and tokenizer, value forms, errors) is internal/jsonx; this file
// holds what knows ctnetlink (envelope, headers, kernel errors, kept
// attributes) and the members that are not attributes ("family", "cpu",
// "extra"); the key tables, writers and readers of the attribute sets are
// generated from internal/schema into json_gen.go. Both follow one schema,
// documented on [AppendJSON].

import (
	"errors"
	"syscall"
	"time"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/jsonx"
	"github.com/ctwire/ctwire/nla"
)

// Sentinel errors of the JSON reader. Every error of [ParseJSON] and the
// UnmarshalJSON methods is a [*JSONError] unwrapping to one of these, or
// to a sentinel of this package ([ErrTooLong]) or of codec (for a kernel
// error whose pieces do not fit together).
var (
	// ErrJSONSyntax reports input that is not JSON: a bad token, an
	// unterminated string, trailing data after the object.
	ErrJSONSyntax = jsonx.ErrSyntax
	// ErrJSONType reports a value of the wrong JSON type (a string where a
	// number is expected, ...).
	ErrJSONType = jsonx.ErrType
	// ErrJSONValue reports a value of the right type that does not fit:
	// an unknown name, a number out of range or with a fraction, a bad
	// address or hex string.
	ErrJSONValue = jsonx.ErrValue
	// ErrJSONKey reports an object key the schema does not have.
	ErrJSONKey = jsonx.ErrKey
	// ErrJSONMissing reports a required key that is absent ("kind").
	ErrJSONMissing = jsonx.ErrMissing
	// ErrJSONDepth reports nesting deeper than the reader accepts.
	ErrJSONDepth = jsonx.ErrDepth
)

// JSONError is a fault found while reading the JSON form of a record: its
// Offset is the byte offset in the input, its Key the path of object keys
// leading to the faulty value, separated by '.'
// ("flow.tuple-orig.tuple-ip.ip-v4-src"; empty at the top level), and its
// Err the sentinel it unwraps to. Its message reads "conntrack: json: bad
// value at offset 42 (flow.tuple-orig.tuple-ip.ip-v4-src)".
type JSONError = jsonx.Error

// ---------------------------------------------------------------------
// Names

var (
	jsonFamilyNames  = [...]string{FamilyUnspec: "unspec", FamilyIPv4: "ipv4", FamilyIPv6: "ipv6"}
	jsonCtlTypeNames = [...]string{codec.TypeNoop: "NLMSG_NOOP", codec.TypeError: "NLMSG_ERROR",
		codec.TypeDone: "NLMSG_DONE", codec.TypeOverrun: "NLMSG_OVERRUN"}
)

// ---------------------------------------------------------------------
// Writer

// jw is a [jsonx.Writer] with the writers of ctnetlink's values.
type jw struct{ jsonx.Writer }

func (w *jw) family(f uint8) { w.Enum(jsonFamilyNames[:], uint64(f)) }

// appendHeader appends the JSON object of h.
func appendHeader(b []byte, h codec.Header) []byte {
	b = jsonx.AppendUint(b, `{"len":`, uint64(h.Len))
	if h.Type < codec.TypeMin {
		b = jsonx.AppendEnum(b, `,"type":`, jsonCtlTypeNames[:], uint64(h.Type))
	} else if s := MessageType(h.Type).String(); s[0] != '0' {
		b = jsonx.AppendName(b, `,"type":`, s)
	} else {
		b = jsonx.AppendUint(b, `,"type":`, uint64(h.Type))
	}
	b = append(b, `,"flags":`...)
	start := len(b)
	for v := uint64(h.Flags); v != 0; v &= v - 1 {
		bit := v & -v
		name := codec.FlagName(h.Type, uint16(bit))
		if bit == uint64(codec.FlagRoot) && codec.FlagName(h.Type, codec.FlagDump) != "" && v&uint64(codec.FlagDump) == uint64(codec.FlagDump) {
			name = "DUMP"
			v &^= uint64(codec.FlagMatch)
		}
		if name != "" {
			b = jsonx.AppendName(b, ",", name)
		} else {
			b = jsonx.AppendUint(b, ",", bit)
		}
	}
	b = jsonx.AppendUint(jsonx.EndArray(b, start), `,"seq":`, uint64(h.Seq))
	return append(jsonx.AppendUint(b, `,"pid":`, uint64(h.PID)), '}')
}

var jsonBitsTCPFlagNames = jsonx.NewBitNames(tcpFlagNames)

// appendTCPFlags appends the member m (`,"key":{"flags":`) holding f.
func appendTCPFlags(b []byte, m string, f TCPFlagsMask) []byte {
	b = jsonx.AppendBits(b, m, jsonBitsTCPFlagNames, uint64(f.Flags))
	return append(jsonx.AppendBits(b, `,"mask":`, jsonBitsTCPFlagNames, uint64(f.Mask)), '}')
}

func (w *jw) extras(x Extras) {
	if x == "" {
		return
	}
	w.Key("extra")
	w.OpenArray()
	for s := string(x); s != ""; {
		e, rest, ok := nextExtra(s)
		if !ok {
			break
		}
		s = rest
		w.Open()
		if e.path != "" {
			w.Key("path")
			w.OpenArray()
			for p := e.path; len(p) >= 2; p = p[2:] {
				w.Uint(uint64(get16(p)))
			}
			w.CloseArray()
		}
		w.KeyUint("index", uint64(e.index))
		w.KeyUint("type", uint64(e.typ&nla.TypeMask))
		if f := e.typ &^ nla.TypeMask; f != 0 {
			w.KeyUint("flags", uint64(f))
		}
		w.Key("payload")
		w.HexString(e.payload)
		w.Close()
	}
	w.CloseArray()
}

// flow writes the members of f (not the braces). With fam >= 0, a family
// equal to fam (that of the enclosing nfgenmsg) is left out, and a zero
// family under a non-zero fam is written ("unspec"), since a reader takes
// a missing one from nfgenmsg.
func (w *jw) flow(f *Flow, fam int) {
	if int(f.Family) != fam && (f.Family != 0 || fam > 0) {
		w.Key("family")
		w.family(uint8(f.Family))
	}
	w.attrsFlow(f)
	w.extras(f.Extra)
}

func (w *jw) expect(e *Expect, fam int) {
	if int(e.Family) != fam && (e.Family != 0 || fam > 0) {
		w.Key("family")
		w.family(uint8(e.Family))
	}
	w.attrsExpect(e)
	w.extras(e.Extra)
}

func (w *jw) statsCPU(s *StatsCPU, cpu int) {
	if int(s.CPU) != cpu {
		w.KeyUint("cpu", uint64(s.CPU))
	}
	w.attrsStatsCPU(s)
}

func (w *jw) statsExp(s *StatsExp, cpu int) {
	if int(s.CPU) != cpu {
		w.KeyUint("cpu", uint64(s.CPU))
	}
	w.attrsStatsExp(s)
}

func (w *jw) code(code int32) {
	w.Key("code")
	w.Int(int64(code))
	if code != 0 {
		w.Key("errno")
		e := errnoOfCode(code)
		if n := jsonx.ErrnoName(e); n != "" {
			w.Name(n)
		} else {
			w.Uint(uint64(e))
		}
	}
}

func errnoOfCode(code int32) syscall.Errno {
	if code < 0 {
		return syscall.Errno(-int64(code))
	}
	return syscall.Errno(code)
}

func (w *jw) extAck(x *codec.ExtAck) {
	if len(x.TLVs) == 0 {
		return
	}
	w.Object("extack")
	if len(x.Msg) > 0 {
		w.Text("msg", "msg-hex", x.Msg)
	}
	if x.HasOffset {
		w.KeyUint("offset", uint64(x.Offset))
	}
	if len(x.Cookie) > 0 {
		w.Key("cookie")
		w.Hex(x.Cookie)
	}
	if len(x.Policy) > 0 {
		w.Key("policy")
		w.Hex(x.Policy)
	}
	if x.HasMissType {
		w.KeyUint("miss-type", uint64(x.MissType))
	}
	if x.HasMissNest {
		w.KeyUint("miss-nest", uint64(x.MissNest))
	}
	w.Key("tlvs")
	w.Hex(x.TLVs)
	w.Close()
}

// record writes r, the Writer being where a value is due.
func (w *jw) record(r *Record) {
	b := jsonx.AppendEnum(w.B, `{"kind":`, kindNames, uint64(r.Kind))
	if r.Kind == KindEvent || r.Kind == KindExpectEvent {
		b = jsonx.AppendEnum(b, `,"event":`, eventKindNames, uint64(r.Event))
	}
	if r.Kind == KindRequest {
		b = jsonx.AppendEnum(b, `,"op":`, opNames[:], uint64(r.Op))
	}
	b = appendHeader(append(b, `,"header":`...), r.Header)
	switch r.Kind {
	case KindAck, KindError, KindDone, KindControl:
	default:
		b = jsonx.AppendEnum(b, `,"nfgenmsg":{"nfgen-family":`, jsonFamilyNames[:], uint64(r.NFGen.Family))
		b = jsonx.AppendUint(b, `,"version":`, uint64(r.NFGen.Version))
		b = append(jsonx.AppendUint(b, `,"res-id":`, uint64(r.NFGen.ResID)), '}')
	}
	w.Resume(b)
	fam, cpu := int(r.NFGen.Family), int(r.NFGen.ResID)
	switch r.Kind {
	case KindFlow, KindEvent:
		w.Member(`,"flow":{`)
		w.flow(&r.Flow, fam)
		w.Close()
	case KindExpect, KindExpectEvent:
		w.Object("expect")
		w.expect(&r.Expect, fam)
		w.Close()
	case KindRequest:
		// The decoder reads the attributes of every request, even of ops
		// the kernel reads none of.
		switch {
		case r.Header.Subsystem() == codec.SubsysConntrackExp:
			w.Object("expect")
			w.expect(&r.Expect, fam)
			w.Close()
		default:
			w.Object("flow")
			w.flow(&r.Flow, fam)
			w.Close()
		}
	case KindStatsCPU:
		w.Object("stats-cpu")
		w.statsCPU(&r.StatsCPU, cpu)
		w.Close()
	case KindStatsGlobal:
		w.Object("stats-global")
		w.attrsStatsGlobal(&r.StatsGlobal)
		w.Close()
	case KindStatsExp:
		w.Object("stats-exp")
		w.statsExp(&r.StatsExp, cpu)
		w.Close()
	case KindAck, KindError:
		e := &r.Error
		w.Object("error")
		w.code(e.Code)
		w.Member(`,"request":`)
		w.Resume(appendHeader(w.B, e.Request))
		if len(e.RequestPayload) > 0 {
			w.Key("request-payload")
			w.Hex(e.RequestPayload)
		}
		if e.Capped {
			w.KeyBool("capped", true)
		}
		w.extAck(&e.ExtAck)
		w.Close()
	case KindDone:
		w.Object("done")
		w.code(r.Done.Code)
		w.extAck(&r.Done.ExtAck)
		w.Close()
	default:
		w.Key("payload")
		w.Hex(r.Payload)
	}
	w.Close()
}

// AppendJSON appends the JSON form of r to dst: one object on one line,
// without a newline. It is lossless: [ParseJSON] reads it back into a
// record equal to r (given that fields of absent attributes are zero, as
// decoding leaves them), so that for a message decoded with
// [Decoder.Keep], decode -> JSON -> record -> encode reproduces the
// message's bytes. With enough capacity in dst it allocates nothing
// (once the tables of the names of bits are built, on the first use).
//
// # Schema
//
// The message object has the members:
//
//   - "kind": [Kind.String] ("flow", "event", "expect", "expect-event",
//     "stats-cpu", "stats-global", "stats-exp", "request", "ack", "error",
//     "done", "control", "unknown"); "event" ([EventKind.String]) for
//     events; "op" ([Op.String]) for requests.
//   - "header": the nlmsghdr: "len", "type" (the kernel name such as
//     "IPCTNL_MSG_CT_NEW" or "NLMSG_ERROR", or the number), "flags" (a list
//     of NLM_F_ names without the prefix, read in the message type's
//     context: "ROOT"/"REPLACE"/"NONREC"/"CAPPED" are all 0x100; "DUMP" is
//     ROOT|MATCH; bits without a name as numbers), "seq", "pid".
//   - "nfgenmsg" (not for acks, errors, done and control messages):
//     "nfgen-family" ("unspec", "ipv4", "ipv6" or the number), "version",
//     "res-id".
//   - the body: "flow", "expect", "stats-cpu", "stats-global",
//     "stats-exp", "error" (acks and errors), "done", or "payload" (hex:
//     the raw payload of unknown and control messages).
//
// Member names in bodies are those of the kernel's YNL spec for
// conntrack (conntrack-attrs, tuple-attrs, counter-attrs, ...) with the
// kernel's shapes where the spec is wrong (the errata recorded in
// internal/schema/ctnetlink.go): "timestamp" is an object {"start",
// "stop"} (net/netfilter/nf_conntrack_netlink.c: ctnetlink_dump_timestamp),
// "filter" is {"orig-flags", "reply-flags"} (cta_filter_nla_policy),
// "labels-mask" has no space, NAT members follow the kernel numbering
// (include/uapi/linux/netfilter/nfnetlink_conntrack.h: enum ctattr_nat).
// Attributes without a YNL name use the kernel name in kebab case without
// its prefix ("timestamp-event"; expectations: "tuple", "mask", "master",
// "nat" {"dir", "tuple"}, "timeout", "id", "flags", "class", "help-name",
// "fn", "zone"; stats: "entries", "max-entries", "new", "create",
// "delete"). A member is written exactly when the encoder sends its
// attribute (marked present, or holding a non-zero value): zero values of
// present attributes are written, absent ones omitted; a member read
// marks its attribute present.
//
// Values: numbers are JSON integers (u64 values exactly, beyond the 2^53
// of float64 readers); addresses are strings, the member name telling v4
// from v6 ("ip-v4-src"; an IPv4-mapped IPv6 address is "ip-v6-src");
// enumerations are the names conntrack prints ("ESTABLISHED", "tcp",
// "PERMANENT") or the number when unnamed; bit sets (status, TCP flags,
// filter flags, expectation flags) are lists of names, an unnamed bit as
// its value; labels, helper info and raw bytes are lowercase hex; names
// that are not valid UTF-8 go to a member with "-hex" appended
// ("help-name-hex"). The family of a body and the CPU of a stats body are
// written only when they differ from nfgenmsg. Attributes kept by
// [Decoder.Keep] are in "extra": a list of {"path" (enclosing types,
// outermost first; omitted at the top level), "index", "type", "flags"
// (NLA_F_ bits; omitted when 0), "payload" (hex)}. Errors carry "code"
// (0 or a negative errno), "errno" (its name, informative), "request" (the
// echoed header), "request-payload" (hex), "capped", and "extack" with
// the decoded TLVs ("msg", "offset", "cookie", "policy", "miss-type",
// "miss-nest", informative) and "tlvs" (hex, authoritative).
func AppendJSON(dst []byte, r *Record) []byte {
	w := jw{jsonx.Writer{B: dst}}
	w.record(r)
	return w.B
}

// MarshalJSON returns [AppendJSON] of r. It implements json.Marshaler.
func (r *Record) MarshalJSON() ([]byte, error) { return AppendJSON(nil, r), nil }

// JSONLine is the envelope of one message in the JSON lines of
// `ctwire decode -o json`: {"index":3,"time":"...","message":{...}}.
type JSONLine struct {
	// Index is the position of the message's record in its capture.
	Index int
	// Time is when the record was captured; the zero Time is left out.
	Time time.Time
	// Order is the byte order of the netlink headers the message came in
	// ("byte-order": "little" or "big"); [nla.HostOrder] leaves it out.
	// Raw netlink bytes in the message (extack TLVs, echoed requests,
	// unknown payloads, kept attributes) are in this order.
	Order nla.Order
	// Message is the message.
	Message Record
}

// AppendJSON appends l as one JSON object, without a newline: "index",
// "time" (RFC 3339 in UTC with nanoseconds, when not zero) and "message"
// (as [AppendJSON] writes it).
func (l *JSONLine) AppendJSON(dst []byte) []byte {
	return AppendJSONLine(dst, l.Index, l.Time, l.Order, &l.Message)
}

// AppendJSONLine appends the envelope of [JSONLine.AppendJSON] for message
// r with index, capture time t and header byte order o, without copying r
// into a JSONLine.
func AppendJSONLine(dst []byte, index int, t time.Time, o nla.Order, r *Record) []byte {
	b := jsonx.AppendInt(dst, `{"index":`, int64(index))
	if !t.IsZero() {
		b = jsonx.AppendTime(b, `,"time":`, t)
	}
	switch o {
	case nla.LittleEndian:
		b = append(b, `,"byte-order":"little"`...)
	case nla.BigEndian:
		b = append(b, `,"byte-order":"big"`...)
	}
	w := jw{jsonx.Writer{B: append(b, `,"message":`...)}}
	w.record(r)
	return append(w.B, '}')
}

// MarshalJSON returns [JSONLine.AppendJSON] of l. It implements
// json.Marshaler.
func (l *JSONLine) MarshalJSON() ([]byte, error) { return l.AppendJSON(nil), nil }

// ---------------------------------------------------------------------
// Reader

// jr is a [jsonx.Reader] with the readers of ctnetlink's values.
type jr struct{ jsonx.Reader }

// setter stores a name or blob, reporting whether it fits.
type jsonSetter interface{ setBytes([]byte) bool }

// text reads a string (or, for a "-hex" member, hex) into dst.
func (r *jr) text(dst jsonSetter, hex bool) {
	r.Peek()
	start := r.Pos
	var b []byte
	if hex {
		b = r.HexBytes()
	} else {
		b = r.Str()
	}
	if r.Err() == nil && !dst.setBytes(b) {
		r.Fail(start, ErrTooLong)
	}
}

var (
	jsonStatusAlt   = []string{6: "SEQ_ADJ", 12: "NAT_CLASH"}
	jsonTCPFlagsAlt = []string{4: "UNACKED", 5: "MAXACK"}
)

func (r *jr) tcpFlags(f *TCPFlagsMask) {
	*f = TCPFlagsMask{}
	r.BeginObject()
	for r.More() {
		switch string(r.Key) {
		case "flags":
			f.Flags = TCPFlags(r.Bits(tcpFlagNames, jsonTCPFlagsAlt, 0xff))
		case "mask":
			f.Mask = TCPFlags(r.Bits(tcpFlagNames, jsonTCPFlagsAlt, 0xff))
		default:
			r.Unknown()
		}
	}
}

// labels reads a label bitmap: hex of 4, 8, 12 or 16 bytes, or a list of
// bit numbers (a full 16-byte bitmap).
func (r *jr) labels(l *Labels, size *uint8) {
	*l, *size = Labels{}, 0
	if r.Peek() == '[' {
		r.BeginArray()
		for r.MoreElem() {
			l.SetBit(int(r.Uint(MaxLabelBit)))
		}
		return
	}
	start := r.Pos
	b := r.HexBytes()
	switch {
	case r.Err() != nil:
	case len(b) > LabelsLen:
		r.Fail(start, ErrTooLong)
	case len(b) == 0 || len(b)%4 != 0:
		r.Fail(start, ErrLabelsSize)
	default:
		copy(l[:], b)
		if len(b) < LabelsLen {
			*size = uint8(len(b))
		}
	}
}

func (r *jr) extras() Extras {
	var x Extras
	r.BeginArray()
	for r.MoreElem() {
		var a ExtraAttr
		start := r.Pos
		r.BeginObject()
		for r.More() {
			switch string(r.Key) {
			case "path":
				r.BeginArray()
				for r.MoreElem() {
					if a.Path.Len() == nla.MaxDepth+1 {
						r.Fail(r.Pos, ErrJSONDepth)
					}
					a.Path = a.Path.Append(uint16(r.Uint(uint64(nla.TypeMask))))
				}
			case "index":
				a.Index = int(r.Uint(0xffff))
			case "type":
				a.Type = uint16(r.Uint(uint64(nla.TypeMask)))
			case "flags":
				off := r.Pos
				a.Flags = uint16(r.Uint(0xffff))
				if a.Flags&nla.TypeMask != 0 {
					r.Fail(off, ErrJSONValue)
				}
			case "payload":
				off := r.Pos
				p := r.HexBytes()
				if len(p) > 0xffff-nla.HeaderLen {
					r.Fail(off, ErrTooLong)
				}
				a.Payload = string(p)
			default:
				r.Unknown()
			}
		}
		if r.Err() != nil {
			break
		}
		n := x.Len()
		if x = x.Append(a); x.Len() == n {
			r.Fail(start, ErrJSONValue)
		}
	}
	return x
}

// flow reads a flow object into f; famSet reports a "family" member.
func (r *jr) flow(f *Flow) (famSet bool) {
	*f = Flow{}
	r.BeginObject()
	for r.More() {
		switch string(r.Key) {
		case "family":
			f.Family = Family(r.Enum(jsonFamilyNames[:], nil, 0xff))
			famSet = true
		case "extra":
			f.Extra = r.extras()
		default:
			if !r.attrFlow(f) {
				r.Unknown()
			}
		}
	}
	return famSet
}

// expect reads an expectation object into e; famSet reports a "family"
// member.
func (r *jr) expect(e *Expect) (famSet bool) {
	*e = Expect{}
	r.BeginObject()
	for r.More() {
		switch string(r.Key) {
		case "family":
			e.Family = Family(r.Enum(jsonFamilyNames[:], nil, 0xff))
			famSet = true
		case "extra":
			e.Extra = r.extras()
		default:
			if !r.attrExpect(e) {
				r.Unknown()
			}
		}
	}
	return famSet
}

// statsCPU reads per-CPU statistics into s; cpuSet reports a "cpu"
// member.
func (r *jr) statsCPU(s *StatsCPU) (cpuSet bool) {
	*s = StatsCPU{}
	r.BeginObject()
	for r.More() {
		switch {
		case string(r.Key) == "cpu":
			s.CPU, cpuSet = uint16(r.Uint(0xffff)), true
		case !r.attrStatsCPU(s):
			r.Unknown()
		}
	}
	return cpuSet
}

func (r *jr) statsGlobal(s *StatsGlobal) {
	*s = StatsGlobal{}
	r.BeginObject()
	for r.More() {
		if !r.attrStatsGlobal(s) {
			r.Unknown()
		}
	}
}

// statsExp reads per-CPU expectation statistics into s; cpuSet reports a
// "cpu" member.
func (r *jr) statsExp(s *StatsExp) (cpuSet bool) {
	*s = StatsExp{}
	r.BeginObject()
	for r.More() {
		switch {
		case string(r.Key) == "cpu":
			s.CPU, cpuSet = uint16(r.Uint(0xffff)), true
		case !r.attrStatsExp(s):
			r.Unknown()
		}
	}
	return cpuSet
}

func (r *jr) headerType() uint16 {
	if r.Peek() != '"' {
		return uint16(r.Uint(0xffff))
	}
	start := r.Pos
	s := r.Str()
	if i := jsonx.Lookup(jsonCtlTypeNames[:], s); i >= 0 {
		return uint16(i)
	}
	if i := jsonx.Lookup(ctMsgNames, s); i >= 0 {
		return codec.MsgType(codec.SubsysConntrack, uint8(i))
	}
	if i := jsonx.Lookup(expMsgNames, s); i >= 0 {
		return codec.MsgType(codec.SubsysConntrackExp, uint8(i))
	}
	r.Fail(start, ErrJSONValue)
	return 0
}

func jsonFlagBit(s []byte) (uint16, bool) {
	if jsonx.NameEq("DUMP", s) {
		return codec.FlagDump, true
	}
	// A name of any meaning of the high byte: those of a GET, a NEW, a
	// DELETE and an NLMSG_ERROR.
	for _, typ := range [...]uint16{uint16(MsgCTGet), uint16(MsgCTNew), uint16(MsgCTDelete), codec.TypeError} {
		for i := 0; i < 16; i++ {
			if n := codec.FlagName(typ, 1<<i); n != "" && jsonx.NameEq(n, s) {
				return 1 << i, true
			}
		}
	}
	return 0, false
}

func (r *jr) header(h *codec.Header) {
	*h = codec.Header{}
	r.BeginObject()
	for r.More() {
		switch string(r.Key) {
		case "len":
			h.Len = uint32(r.Uint(1<<32 - 1))
		case "type":
			h.Type = r.headerType()
		case "flags":
			if r.Peek() != '[' {
				h.Flags = uint16(r.Uint(0xffff))
				continue
			}
			h.Flags = 0
			r.BeginArray()
			for r.MoreElem() {
				if r.Peek() != '"' {
					h.Flags |= uint16(r.Uint(0xffff))
					continue
				}
				start := r.Pos
				b, ok := jsonFlagBit(r.Str())
				if !ok {
					r.Fail(start, ErrJSONValue)
				}
				h.Flags |= b
			}
		case "seq":
			h.Seq = uint32(r.Uint(1<<32 - 1))
		case "pid":
			h.PID = uint32(r.Uint(1<<32 - 1))
		default:
			r.Unknown()
		}
	}
}

// jsonKernelErr collects the members of an "error" or "done" body.
type jsonKernelErr struct {
	code, errno       int64
	haveCode, haveNo  bool
	request           codec.Header
	payload           []byte
	capped            bool
	ext               codec.ExtAck
	haveTLVs, haveExt bool
}

func (r *jr) kernelErr(k *jsonKernelErr, done bool) {
	r.BeginObject()
	for r.More() {
		switch string(r.Key) {
		case "code":
			k.code, k.haveCode = r.Int(-1<<31, 1<<31-1), true
		case "errno":
			if r.Peek() == '"' {
				start := r.Pos
				s := r.Str()
				n := jsonx.ErrnoOf(s)
				if n < 0 && r.Err() == nil {
					r.Fail(start, ErrJSONValue)
				}
				k.errno = int64(n)
			} else {
				k.errno = r.Int(0, 1<<31) // the errno of code -1<<31
			}
			k.haveNo = true
		case "request":
			if done {
				r.Unknown()
				continue
			}
			r.header(&k.request)
		case "request-payload":
			if done {
				r.Unknown()
				continue
			}
			k.payload = r.HexBytes()
		case "capped":
			if done {
				r.Unknown()
				continue
			}
			k.capped = r.Bool()
		case "extack":
			r.extAck(k)
		default:
			r.Unknown()
		}
	}
	if !k.haveCode && k.haveNo {
		k.code = -k.errno
	}
}

func (r *jr) extAck(k *jsonKernelErr) {
	x := &k.ext
	*x = codec.ExtAck{}
	k.haveTLVs, k.haveExt = false, true
	r.BeginObject()
	for r.More() {
		switch string(r.Key) {
		case "msg":
			x.Msg = append([]byte(nil), r.Str()...)
		case "msg-hex":
			x.Msg = r.HexBytes()
		case "offset":
			x.Offset, x.HasOffset = uint32(r.Uint(1<<32-1)), true
		case "cookie":
			x.Cookie = r.HexBytes()
		case "policy":
			x.Policy = r.HexBytes()
		case "miss-type":
			x.MissType, x.HasMissType = uint32(r.Uint(1<<32-1)), true
		case "miss-nest":
			x.MissNest, x.HasMissNest = uint32(r.Uint(1<<32-1)), true
		case "tlvs":
			x.TLVs, k.haveTLVs = r.HexBytes(), true
		default:
			r.Unknown()
		}
	}
}

// tlvs returns the raw extack TLVs: "tlvs" when given, else those built
// from the typed members.
func (k *jsonKernelErr) tlvs() []byte {
	if k.haveTLVs || !k.haveExt {
		return k.ext.TLVs
	}
	return codec.AppendExtAck(nil, &k.ext)
}

func (r *jr) record(t *Record) {
	*t = Record{}
	start := r.Pos
	var (
		haveKind, haveEvent, haveOp bool
		haveFlow, haveExpect        bool
		famFlow, famExpect          bool
		haveCPU, haveExpCPU         bool
		cpuSet, expCPUSet           bool
		kerr                        jsonKernelErr
	)
	if r.BeginObject() {
		start = r.Pos - 1
	}
	for r.More() {
		switch string(r.Key) {
		case "kind":
			t.Kind, haveKind = Kind(r.Enum(kindNames, nil, uint64(KindControl))), true
		case "event":
			t.Event, haveEvent = EventKind(r.Enum(eventKindNames, nil, uint64(EventDestroy))), true
		case "op":
			t.Op, haveOp = Op(r.Enum(opNames[:], nil, uint64(len(opNames)-1))), true
		case "header":
			r.header(&t.Header)
		case "nfgenmsg":
			t.NFGen = codec.NFGen{}
			r.BeginObject()
			for r.More() {
				switch string(r.Key) {
				case "nfgen-family":
					t.NFGen.Family = uint8(r.Enum(jsonFamilyNames[:], nil, 0xff))
				case "version":
					t.NFGen.Version = uint8(r.Uint(0xff))
				case "res-id":
					t.NFGen.ResID = uint16(r.Uint(0xffff))
				default:
					r.Unknown()
				}
			}
		case "flow":
			famFlow, haveFlow = r.flow(&t.Flow), true
		case "expect":
			famExpect, haveExpect = r.expect(&t.Expect), true
		case "stats-cpu":
			cpuSet, haveCPU = r.statsCPU(&t.StatsCPU), true
		case "stats-global":
			r.statsGlobal(&t.StatsGlobal)
		case "stats-exp":
			expCPUSet, haveExpCPU = r.statsExp(&t.StatsExp), true
		case "error":
			kerr = jsonKernelErr{}
			r.kernelErr(&kerr, false)
		case "done":
			kerr = jsonKernelErr{}
			r.kernelErr(&kerr, true)
		case "payload":
			t.Payload = r.HexBytes()
		default:
			r.Unknown()
		}
	}
	if r.Err() != nil {
		return
	}
	if !haveKind {
		r.FailMissing(start, "kind")
		return
	}
	if haveFlow && !famFlow {
		t.Flow.Family = Family(t.NFGen.Family)
	}
	if haveExpect && !famExpect {
		t.Expect.Family = Family(t.NFGen.Family)
	}
	if haveCPU && !cpuSet {
		t.StatsCPU.CPU = t.NFGen.ResID
	}
	if haveExpCPU && !expCPUSet {
		t.StatsExp.CPU = t.NFGen.ResID
	}
	var (
		buf []byte
		err error
	)
	switch t.Kind {
	case KindEvent, KindExpectEvent:
		if !haveEvent {
			t.Event = EventOf(codec.Message{Header: t.Header})
		}
		return
	case KindRequest:
		if !haveOp {
			t.Op = requestOp(t.Header, &t.Flow, &t.Expect)
		}
		return
	case KindAck, KindError:
		ke := codec.KernelError{Code: int32(kerr.code), Request: kerr.request,
			RequestPayload: kerr.payload, Capped: kerr.capped}
		ke.TLVs = kerr.tlvs()
		buf, err = codec.AppendError(nil, t.Header, &ke)
	case KindDone:
		buf, err = codec.AppendDone(nil, t.Header, int32(kerr.code), kerr.tlvs())
	case KindUnknown, KindControl:
		var at int
		buf, at = codec.BeginMessage(nil, t.Header)
		buf = append(buf, t.Payload...)
		buf, err = codec.EndMessage(buf, at)
	default:
		return
	}
	// Acks, errors, done and raw messages are rebuilt and decoded, so that
	// the record holds exactly what decoding those bytes gives.
	var m codec.Message
	if err == nil {
		m, err = codec.ParseMessage(buf, nla.HostOrder)
	}
	if err == nil {
		var d Record
		err = (Decoder{Keep: true}).Decode(m, &d)
		if raw := t.Kind == KindUnknown || t.Kind == KindControl; raw && (err != nil || d.Kind != t.Kind) {
			// A message kept raw on purpose (one that does not decode, a
			// malformed request seen in a capture, say) stays raw: it
			// re-encodes as it came.
			d = Record{Kind: t.Kind, Header: m.Header, NFGen: m.NFGen, Payload: m.Payload}
			err = nil
		}
		if err == nil {
			*t = d
			return
		}
	}
	r.Key = nil
	r.Fail(start, jsonSentinel(err))
}

// jsonSentinel returns the sentinel under the located errors of the
// lower layers, whose offsets are those of rebuilt bytes, not of the
// JSON input.
func jsonSentinel(err error) error {
	for {
		var (
			ce *codec.Error
			ne *nla.Error
			e  *Error
		)
		switch {
		case errors.As(err, &ce):
			err = ce.Err
		case errors.As(err, &ne):
			err = ne.Err
		case errors.As(err, &e):
			err = e.Err
		default:
			return err
		}
	}
}

// ParseJSON reads one message object written by [AppendJSON] into r.
// Member order does not matter; "kind" is required; unknown members are
// an error. When "event" or "op" is absent it is derived from the header
// and body as decoding does, and a body without "family" (or "cpu") takes
// it from "nfgenmsg". Acks, errors, done, control and unknown messages
// are rebuilt into bytes and decoded, so their derived fields (errno,
// extack, nfgenmsg of unknown messages) follow the bytes; "len" of those
// is recomputed. On error r is unchanged and the error is a [*JSONError].
func ParseJSON(b []byte, r *Record) error {
	p := jr{jsonx.Reader{In: b}}
	var t Record
	p.record(&t)
	p.End()
	if p.Err() != nil {
		return p.Err()
	}
	*r = t
	return nil
}

// UnmarshalJSON is [ParseJSON]. It implements json.Unmarshaler.
func (r *Record) UnmarshalJSON(b []byte) error { return ParseJSON(b, r) }

// UnmarshalJSON reads an envelope written by [JSONLine.AppendJSON] into
// l. "message" is required; "index" and "time" are optional, and other
// members (which a command may add) are skipped. On error l is unchanged
// and the error is a [*JSONError].
func (l *JSONLine) UnmarshalJSON(b []byte) error {
	p := jr{jsonx.Reader{In: b}}
	var t JSONLine
	start := 0
	if p.BeginObject() {
		start = p.Pos - 1
	}
	have := false
	for p.More() {
		switch string(p.Key) {
		case "index":
			t.Index = int(p.Int(-1<<31, 1<<31-1))
		case "time":
			p.Peek()
			off := p.Pos
			s := p.Str()
			if p.Err() != nil {
				break
			}
			tm, err := time.Parse(time.RFC3339Nano, string(s))
			if err != nil {
				p.Fail(off, ErrJSONValue)
			}
			t.Time = tm
		case "byte-order":
			p.Peek()
			off := p.Pos
			switch s := p.Str(); string(s) {
			case "little":
				t.Order = nla.LittleEndian
			case "big":
				t.Order = nla.BigEndian
			default:
				if p.Err() == nil {
					p.Fail(off, ErrJSONValue)
				}
			}
		case "message":
			p.record(&t.Message)
			have = true
		default:
			p.Skip()
		}
	}
	if p.Err() == nil && !have {
		p.FailMissing(start, "message")
	}
	p.End()
	if p.Err() != nil {
		return p.Err()
	}
	*l = t
	return nil
}
