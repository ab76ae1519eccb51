package conntrack

// The JSON form of records and messages.
//
// Output is written by appenders (no reflection, no allocation beyond
// growing dst); input is read by a small JSON reader that reports typed
// errors with byte offsets and never panics. This file holds the framework
// (tokenizer, value forms, envelope, headers, kernel errors, kept
// attributes) and the members that are not attributes ("family", "cpu",
// "extra"); the key tables, writers and readers of the attribute sets are
// generated from internal/schema into json_gen.go. Both follow one schema,
// documented on [AppendJSON].

import (
	"errors"
	"net/netip"
	"strconv"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// Sentinel errors of the JSON reader. Every error of [ParseJSON] and the
// UnmarshalJSON methods is a [*JSONError] unwrapping to one of these, or
// to a sentinel of this package ([ErrTooLong]) or of codec (for a kernel
// error whose pieces do not fit together).
var (
	// ErrJSONSyntax reports input that is not JSON: a bad token, an
	// unterminated string, trailing data after the object.
	ErrJSONSyntax = errors.New("conntrack: json: syntax error")
	// ErrJSONType reports a value of the wrong JSON type (a string where a
	// number is expected, ...).
	ErrJSONType = errors.New("conntrack: json: wrong value type")
	// ErrJSONValue reports a value of the right type that does not fit:
	// an unknown name, a number out of range or with a fraction, a bad
	// address or hex string.
	ErrJSONValue = errors.New("conntrack: json: bad value")
	// ErrJSONKey reports an object key the schema does not have.
	ErrJSONKey = errors.New("conntrack: json: unknown key")
	// ErrJSONMissing reports a required key that is absent ("kind").
	ErrJSONMissing = errors.New("conntrack: json: missing key")
	// ErrJSONDepth reports nesting deeper than the reader accepts.
	ErrJSONDepth = errors.New("conntrack: json: nesting too deep")
)

// JSONError is a fault found while reading the JSON form of a record.
type JSONError struct {
	// Offset is the byte offset in the input where the fault was found.
	Offset int
	// Key is the path of object keys leading to the faulty value,
	// separated by '.' ("flow.tuple-orig.tuple-ip.ip-v4-src"); empty at
	// the top level.
	Key string
	// Err is the sentinel describing the fault.
	Err error
}

// Error returns a message such as "conntrack: json: bad value at offset
// 42 (flow.tuple-orig.tuple-ip.ip-v4-src)".
func (e *JSONError) Error() string {
	s := e.Err.Error() + " at offset " + strconv.Itoa(e.Offset)
	if e.Key != "" {
		s += " (" + e.Key + ")"
	}
	return s
}

// Unwrap returns the sentinel.
func (e *JSONError) Unwrap() error { return e.Err }

// ---------------------------------------------------------------------
// Names

var (
	jsonProtoNames = [...]string{ProtoICMP: "icmp", ProtoTCP: "tcp", ProtoUDP: "udp", ProtoDCCP: "dccp",
		ProtoGRE: "gre", ProtoICMPv6: "icmpv6", ProtoSCTP: "sctp", ProtoUDPLite: "udplite"}
	jsonFamilyNames  = [...]string{FamilyUnspec: "unspec", FamilyIPv4: "ipv4", FamilyIPv6: "ipv6"}
	jsonCtlTypeNames = [...]string{codec.TypeNoop: "NLMSG_NOOP", codec.TypeError: "NLMSG_ERROR",
		codec.TypeDone: "NLMSG_DONE", codec.TypeOverrun: "NLMSG_OVERRUN"}
	// jsonErrnoNames are the Linux errno names, by number.
	jsonErrnoNames = [...]string{"", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG",
		"ENOEXEC", "EBADF", "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY",
		"EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY",
		"ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE",
		"EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP", "", "ENOMSG", "EIDRM",
		"ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH", "ENOCSI", "EL2HLT", "EBADE",
		"EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", "", "EBFONT", "ENOSTR", "ENODATA",
		"ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT", "ECOMM",
		"EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG",
		"ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE",
		"EUSERS", "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT",
		"EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT",
		"EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED",
		"ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT",
		"ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE",
		"EUCLEAN", "ENOTNAM", "ENAVAIL", "EISNAM", "EREMOTEIO", "EDQUOT", "ENOMEDIUM",
		"EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED", "EKEYREJECTED",
		"EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"}
)

// jsonENOTSUPP is the kernel-internal ENOTSUPP, which leaks to netlink
// from some paths.
const jsonENOTSUPP = 524

func jsonErrnoName(e syscall.Errno) string {
	if int(e) < len(jsonErrnoNames) {
		return jsonErrnoNames[e]
	}
	if e == jsonENOTSUPP {
		return "ENOTSUPP"
	}
	return ""
}

// ---------------------------------------------------------------------
// Writer

const jsonHex = "0123456789abcdef"

// jw appends JSON to b, tracking whether a comma is due.
type jw struct {
	b     []byte
	comma bool
}

func (w *jw) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = true
}

// key starts the member k (a name needing no escape).
func (w *jw) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.comma = false
}

func (w *jw) open()     { w.sep(); w.b = append(w.b, '{'); w.comma = false }
func (w *jw) close()    { w.b = append(w.b, '}'); w.comma = true }
func (w *jw) openArr()  { w.sep(); w.b = append(w.b, '['); w.comma = false }
func (w *jw) closeArr() { w.b = append(w.b, ']'); w.comma = true }

func (w *jw) obj(k string) { w.key(k); w.open() }

func (w *jw) u64(v uint64) { w.sep(); w.b = strconv.AppendUint(w.b, v, 10) }
func (w *jw) i64(v int64)  { w.sep(); w.b = strconv.AppendInt(w.b, v, 10) }

func (w *jw) kU64(k string, v uint64) { w.key(k); w.u64(v) }

func (w *jw) kBool(k string, v bool) {
	w.key(k)
	w.sep()
	if v {
		w.b = append(w.b, "true"...)
	} else {
		w.b = append(w.b, "false"...)
	}
}

// name writes a string needing no escape.
func (w *jw) name(s string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, s...)
	w.b = append(w.b, '"')
}

// str writes s as a JSON string, escaping quotes, backslashes and
// control characters.
func (w *jw) str(s []byte) {
	w.sep()
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&15])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}

func (w *jw) hex(p []byte) {
	w.sep()
	w.b = append(w.b, '"')
	for _, c := range p {
		w.b = append(w.b, jsonHex[c>>4], jsonHex[c&15])
	}
	w.b = append(w.b, '"')
}

func (w *jw) hexString(p string) {
	w.sep()
	w.b = append(w.b, '"')
	for i := 0; i < len(p); i++ {
		w.b = append(w.b, jsonHex[p[i]>>4], jsonHex[p[i]&15])
	}
	w.b = append(w.b, '"')
}

// text writes the member k as a string if s is valid UTF-8, else the
// member khex (k with "-hex" appended) with s in hex.
func (w *jw) text(k, khex string, s []byte) {
	if utf8.Valid(s) {
		w.key(k)
		w.str(s)
		return
	}
	w.key(khex)
	w.hex(s)
}

func (w *jw) addr(a netip.Addr) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = a.AppendTo(w.b)
	w.b = append(w.b, '"')
}

// enum writes names[v], or v as a number when it has no name.
func (w *jw) enum(names []string, v uint64) {
	if v < uint64(len(names)) && names[v] != "" {
		w.name(names[v])
		return
	}
	w.u64(v)
}

// bits writes the set bits of v as a list of names; a bit without a name
// is written as its value.
func (w *jw) bits(names []string, v uint64) {
	w.openArr()
	for i := 0; i < 64; i++ {
		bit := uint64(1) << i
		if v&bit == 0 {
			continue
		}
		if i < len(names) && names[i] != "" {
			w.name(names[i])
		} else {
			w.u64(bit)
		}
	}
	w.closeArr()
}

func (w *jw) family(f uint8) { w.enum(jsonFamilyNames[:], uint64(f)) }

func (w *jw) header(h codec.Header) {
	w.kU64("len", uint64(h.Len))
	w.key("type")
	switch {
	case h.Type < codec.TypeMin:
		w.enum(jsonCtlTypeNames[:], uint64(h.Type))
	default:
		t := MessageType(h.Type)
		if s := t.String(); s[0] != '0' {
			w.name(s)
		} else {
			w.u64(uint64(h.Type))
		}
	}
	w.key("flags")
	v := uint64(h.Flags)
	w.openArr()
	for i := 0; i < 16; i++ {
		bit := uint64(1) << i
		if v&bit == 0 {
			continue
		}
		if bit == uint64(codec.FlagRoot) && codec.FlagName(h.Type, codec.FlagDump) != "" && v&uint64(codec.FlagDump) == uint64(codec.FlagDump) {
			w.name("DUMP")
			v &^= uint64(codec.FlagMatch)
			continue
		}
		if name := codec.FlagName(h.Type, uint16(bit)); name != "" {
			w.name(name)
		} else {
			w.u64(bit)
		}
	}
	w.closeArr()
	w.kU64("seq", uint64(h.Seq))
	w.kU64("pid", uint64(h.PID))
}

func (w *jw) tcpFlags(k string, f TCPFlagsMask) {
	w.obj(k)
	w.key("flags")
	w.bits(tcpFlagNames, uint64(f.Flags))
	w.key("mask")
	w.bits(tcpFlagNames, uint64(f.Mask))
	w.close()
}

func (w *jw) extras(x Extras) {
	if x == "" {
		return
	}
	w.key("extra")
	w.openArr()
	for s := string(x); s != ""; {
		e, rest, ok := nextExtra(s)
		if !ok {
			break
		}
		s = rest
		w.open()
		if e.path != "" {
			w.key("path")
			w.openArr()
			for p := e.path; len(p) >= 2; p = p[2:] {
				w.u64(uint64(get16(p)))
			}
			w.closeArr()
		}
		w.kU64("index", uint64(e.index))
		w.kU64("type", uint64(e.typ&nla.TypeMask))
		if f := e.typ &^ nla.TypeMask; f != 0 {
			w.kU64("flags", uint64(f))
		}
		w.key("payload")
		w.hexString(e.payload)
		w.close()
	}
	w.closeArr()
}

// flow writes the members of f (not the braces). With fam >= 0, a family
// equal to fam (that of the enclosing nfgenmsg) is left out, and a zero
// family under a non-zero fam is written ("unspec"), since a reader takes
// a missing one from nfgenmsg.
func (w *jw) flow(f *Flow, fam int) {
	if int(f.Family) != fam && (f.Family != 0 || fam > 0) {
		w.key("family")
		w.family(uint8(f.Family))
	}
	w.attrsFlow(f)
	w.extras(f.Extra)
}

func (w *jw) expect(e *Expect, fam int) {
	if int(e.Family) != fam && (e.Family != 0 || fam > 0) {
		w.key("family")
		w.family(uint8(e.Family))
	}
	w.attrsExpect(e)
	w.extras(e.Extra)
}

func (w *jw) statsCPU(s *StatsCPU, cpu int) {
	if int(s.CPU) != cpu {
		w.kU64("cpu", uint64(s.CPU))
	}
	w.attrsStatsCPU(s)
}

func (w *jw) statsExp(s *StatsExp, cpu int) {
	if int(s.CPU) != cpu {
		w.kU64("cpu", uint64(s.CPU))
	}
	w.attrsStatsExp(s)
}

func (w *jw) code(code int32) {
	w.key("code")
	w.i64(int64(code))
	if code != 0 {
		w.key("errno")
		e := errnoOfCode(code)
		if n := jsonErrnoName(e); n != "" {
			w.name(n)
		} else {
			w.u64(uint64(e))
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
	w.obj("extack")
	if len(x.Msg) > 0 {
		w.text("msg", "msg-hex", x.Msg)
	}
	if x.HasOffset {
		w.kU64("offset", uint64(x.Offset))
	}
	if len(x.Cookie) > 0 {
		w.key("cookie")
		w.hex(x.Cookie)
	}
	if len(x.Policy) > 0 {
		w.key("policy")
		w.hex(x.Policy)
	}
	if x.HasMissType {
		w.kU64("miss-type", uint64(x.MissType))
	}
	if x.HasMissNest {
		w.kU64("miss-nest", uint64(x.MissNest))
	}
	w.key("tlvs")
	w.hex(x.TLVs)
	w.close()
}

func (w *jw) record(r *Record) {
	w.open()
	w.key("kind")
	w.enum(kindNames, uint64(r.Kind))
	if r.Kind == KindEvent || r.Kind == KindExpectEvent {
		w.key("event")
		w.enum(eventKindNames, uint64(r.Event))
	}
	if r.Kind == KindRequest {
		w.key("op")
		w.enum(opNames[:], uint64(r.Op))
	}
	w.obj("header")
	w.header(r.Header)
	w.close()
	switch r.Kind {
	case KindAck, KindError, KindDone, KindControl:
	default:
		w.obj("nfgenmsg")
		w.key("nfgen-family")
		w.family(r.NFGen.Family)
		w.kU64("version", uint64(r.NFGen.Version))
		w.kU64("res-id", uint64(r.NFGen.ResID))
		w.close()
	}
	fam, cpu := int(r.NFGen.Family), int(r.NFGen.ResID)
	switch r.Kind {
	case KindFlow, KindEvent:
		w.obj("flow")
		w.flow(&r.Flow, fam)
		w.close()
	case KindExpect, KindExpectEvent:
		w.obj("expect")
		w.expect(&r.Expect, fam)
		w.close()
	case KindRequest:
		// The decoder reads the attributes of every request, even of ops
		// the kernel reads none of.
		switch {
		case r.Header.Subsystem() == codec.SubsysConntrackExp:
			w.obj("expect")
			w.expect(&r.Expect, fam)
			w.close()
		default:
			w.obj("flow")
			w.flow(&r.Flow, fam)
			w.close()
		}
	case KindStatsCPU:
		w.obj("stats-cpu")
		w.statsCPU(&r.StatsCPU, cpu)
		w.close()
	case KindStatsGlobal:
		w.obj("stats-global")
		w.attrsStatsGlobal(&r.StatsGlobal)
		w.close()
	case KindStatsExp:
		w.obj("stats-exp")
		w.statsExp(&r.StatsExp, cpu)
		w.close()
	case KindAck, KindError:
		e := &r.Error
		w.obj("error")
		w.code(e.Code)
		w.obj("request")
		w.header(e.Request)
		w.close()
		if len(e.RequestPayload) > 0 {
			w.key("request-payload")
			w.hex(e.RequestPayload)
		}
		if e.Capped {
			w.kBool("capped", true)
		}
		w.extAck(&e.ExtAck)
		w.close()
	case KindDone:
		w.obj("done")
		w.code(r.Done.Code)
		w.extAck(&r.Done.ExtAck)
		w.close()
	default:
		w.key("payload")
		w.hex(r.Payload)
	}
	w.close()
}

// AppendJSON appends the JSON form of r to dst: one object on one line,
// without a newline. It is lossless: [ParseJSON] reads it back into a
// record equal to r (given that fields of absent attributes are zero, as
// decoding leaves them), so that for a message decoded with
// [Decoder.Keep], decode -> JSON -> record -> encode reproduces the
// message's bytes. With enough capacity in dst it allocates nothing.
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
	w := jw{b: dst}
	w.record(r)
	return w.b
}

// MarshalJSON returns [AppendJSON] of r. It implements json.Marshaler.
func (r *Record) MarshalJSON() ([]byte, error) { return AppendJSON(nil, r), nil }

// appendJSON appends the JSON object of f (the "flow" body of
// [AppendJSON], with "family" when non-zero) to dst.
func (f *Flow) appendJSON(dst []byte) []byte {
	w := jw{b: dst}
	w.open()
	w.flow(f, -1)
	w.close()
	return w.b
}

// appendJSON appends the JSON object of e (the "expect" body of
// [AppendJSON], with "family" when non-zero) to dst.
func (e *Expect) appendJSON(dst []byte) []byte {
	w := jw{b: dst}
	w.open()
	w.expect(e, -1)
	w.close()
	return w.b
}

// appendJSON appends the JSON object of s (the "stats-cpu" body of
// [AppendJSON], with "cpu") to dst.
func (s *StatsCPU) appendJSON(dst []byte) []byte {
	w := jw{b: dst}
	w.open()
	w.statsCPU(s, -1)
	w.close()
	return w.b
}

// appendJSON appends the JSON object of s (the "stats-global" body of
// [AppendJSON]) to dst.
func (s *StatsGlobal) appendJSON(dst []byte) []byte {
	w := jw{b: dst}
	w.open()
	w.attrsStatsGlobal(s)
	w.close()
	return w.b
}

// appendJSON appends the JSON object of s (the "stats-exp" body of
// [AppendJSON], with "cpu") to dst.
func (s *StatsExp) appendJSON(dst []byte) []byte {
	w := jw{b: dst}
	w.open()
	w.statsExp(s, -1)
	w.close()
	return w.b
}

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
	w := jw{b: dst}
	w.open()
	w.key("index")
	w.i64(int64(index))
	if !t.IsZero() {
		w.key("time")
		w.sep()
		w.b = append(w.b, '"')
		w.b = t.UTC().AppendFormat(w.b, time.RFC3339Nano)
		w.b = append(w.b, '"')
	}
	switch o {
	case nla.LittleEndian:
		w.key("byte-order")
		w.name("little")
	case nla.BigEndian:
		w.key("byte-order")
		w.name("big")
	}
	w.key("message")
	w.record(r)
	w.close()
	return w.b
}

// MarshalJSON returns [JSONLine.AppendJSON] of l. It implements
// json.Marshaler.
func (l *JSONLine) MarshalJSON() ([]byte, error) { return l.AppendJSON(nil), nil }

// ---------------------------------------------------------------------
// Reader

// jsonMaxDepth bounds the nesting of objects and arrays the reader
// accepts; the schema itself needs 7 with the envelope.
const jsonMaxDepth = 32

type jlevel struct {
	key   []byte // the member key of the object or array at this level
	first bool
}

// jr reads JSON from b. After the first fault it records r.err and every
// further call does nothing, so parsers need not check errors at each
// step.
type jr struct {
	b      []byte
	pos    int
	err    *JSONError
	depth  int
	stack  [jsonMaxDepth]jlevel
	key    []byte // key of the current member
	keyOff int
}

func (r *jr) failAt(off int, err error) {
	if r.err != nil {
		return
	}
	var path []byte
	for i := 0; i < r.depth; i++ {
		if k := r.stack[i].key; len(k) > 0 {
			if len(path) > 0 {
				path = append(path, '.')
			}
			path = append(path, k...)
		}
	}
	if len(r.key) > 0 {
		if len(path) > 0 {
			path = append(path, '.')
		}
		path = append(path, r.key...)
	}
	r.err = &JSONError{Offset: off, Key: string(path), Err: err}
}

func (r *jr) ws() {
	for r.pos < len(r.b) {
		switch r.b[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek skips blanks and returns the next byte, or 0 at the end.
func (r *jr) peek() byte {
	r.ws()
	if r.pos < len(r.b) {
		return r.b[r.pos]
	}
	return 0
}

// typeErr reports the value at r.pos as of the wrong type, or as a
// syntax error if it starts no value at all.
func (r *jr) typeErr() {
	rest := r.b[min(r.pos, len(r.b)):]
	switch r.peek() {
	case '{', '[', '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		r.failAt(r.pos, ErrJSONType)
	case 't', 'f', 'n':
		if jsonHasPrefix(rest, "true") || jsonHasPrefix(rest, "false") || jsonHasPrefix(rest, "null") {
			r.failAt(r.pos, ErrJSONType)
		} else {
			r.failAt(r.pos, ErrJSONSyntax)
		}
	default:
		r.failAt(r.pos, ErrJSONSyntax)
	}
}

func (r *jr) push() bool {
	if r.depth == len(r.stack) {
		r.failAt(r.pos, ErrJSONDepth)
		return false
	}
	r.stack[r.depth] = jlevel{key: r.key, first: true}
	r.depth++
	r.key = nil
	r.pos++
	return true
}

func (r *jr) pop() {
	r.pos++
	r.depth--
	r.key = r.stack[r.depth].key
}

// beginObject enters the object at r.pos; iterate its members with more.
func (r *jr) beginObject() bool {
	if r.err != nil {
		return false
	}
	if r.peek() != '{' {
		r.typeErr()
		return false
	}
	return r.push()
}

// more advances to the next member of the current object, setting r.key,
// or leaves the object and returns false.
func (r *jr) more() bool {
	if r.err != nil || r.depth == 0 {
		return false
	}
	r.key = nil
	lv := &r.stack[r.depth-1]
	c := r.peek()
	if c == '}' {
		r.pop()
		return false
	}
	if !lv.first {
		if c != ',' {
			r.failAt(r.pos, ErrJSONSyntax)
			return false
		}
		r.pos++
		c = r.peek()
	}
	lv.first = false
	if c != '"' {
		r.failAt(r.pos, ErrJSONSyntax)
		return false
	}
	off := r.pos
	k := r.str()
	if r.peek() != ':' {
		r.failAt(r.pos, ErrJSONSyntax)
		return false
	}
	r.pos++
	r.key, r.keyOff = k, off
	return r.err == nil
}

// beginArray enters the array at r.pos; iterate its elements with
// moreElem.
func (r *jr) beginArray() bool {
	if r.err != nil {
		return false
	}
	if r.peek() != '[' {
		r.typeErr()
		return false
	}
	return r.push()
}

func (r *jr) moreElem() bool {
	if r.err != nil || r.depth == 0 {
		return false
	}
	lv := &r.stack[r.depth-1]
	c := r.peek()
	if c == ']' {
		r.pop()
		return false
	}
	if !lv.first {
		if c != ',' {
			r.failAt(r.pos, ErrJSONSyntax)
			return false
		}
		r.pos++
		r.ws()
	}
	lv.first = false
	return true
}

// unknown reports the current member as not in the schema.
func (r *jr) unknown() { r.failAt(r.keyOff, ErrJSONKey) }

// end checks that nothing but blanks follows the value.
func (r *jr) end() {
	if r.err == nil && r.peek() != 0 {
		r.failAt(r.pos, ErrJSONSyntax)
	}
}

// str reads a string. Without escapes the result aliases the input.
func (r *jr) str() []byte {
	if r.err != nil {
		return nil
	}
	if r.peek() != '"' {
		r.typeErr()
		return nil
	}
	start := r.pos + 1
	for i := start; i < len(r.b); i++ {
		switch c := r.b[i]; {
		case c == '"':
			r.pos = i + 1
			return r.b[start:i]
		case c == '\\':
			return r.strEscaped(start, i)
		case c < 0x20:
			r.failAt(i, ErrJSONSyntax)
			return nil
		}
	}
	r.failAt(len(r.b), ErrJSONSyntax)
	return nil
}

func (r *jr) strEscaped(start, i int) []byte {
	out := append([]byte(nil), r.b[start:i]...)
	for i < len(r.b) {
		c := r.b[i]
		switch {
		case c == '"':
			r.pos = i + 1
			return out
		case c < 0x20:
			r.failAt(i, ErrJSONSyntax)
			return nil
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(r.b) {
			break
		}
		switch e := r.b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			c1, ok := jsonHex4(r.b, i+2)
			if !ok {
				r.failAt(i, ErrJSONSyntax)
				return nil
			}
			i += 6
			rn := rune(c1)
			if utf16IsSurrogate(rn) {
				rn = utf8.RuneError
				if c1 < 0xdc00 && i+1 < len(r.b) && r.b[i] == '\\' && r.b[i+1] == 'u' {
					if c2, ok := jsonHex4(r.b, i+2); ok && c2 >= 0xdc00 && c2 < 0xe000 {
						rn = (rune(c1)-0xd800)<<10 | (rune(c2) - 0xdc00) + 0x10000
						i += 6
					}
				}
			}
			out = utf8.AppendRune(out, rn)
			continue
		default:
			r.failAt(i, ErrJSONSyntax)
			return nil
		}
		i += 2
	}
	r.failAt(len(r.b), ErrJSONSyntax)
	return nil
}

func utf16IsSurrogate(r rune) bool { return r >= 0xd800 && r < 0xe000 }

// jsonHexVal returns the value of a hex digit, or 255.
func jsonHexVal(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

func jsonHex4(b []byte, i int) (uint16, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var v uint16
	for _, c := range b[i : i+4] {
		d := jsonHexVal(c)
		if d > 15 {
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}

// scanNumber checks the JSON number grammar at r.pos and returns where
// its integer part ends and where the number ends.
func (r *jr) scanNumber() (intEnd, end int, ok bool) {
	i := r.pos
	if i < len(r.b) && r.b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(r.b) && r.b[i] >= '0' && r.b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	first := i
	if n := digits(); n == 0 || (n > 1 && r.b[first] == '0') {
		return 0, 0, false
	}
	intEnd = i
	if i < len(r.b) && r.b[i] == '.' {
		i++
		if digits() == 0 {
			return 0, 0, false
		}
	}
	if i < len(r.b) && (r.b[i] == 'e' || r.b[i] == 'E') {
		i++
		if i < len(r.b) && (r.b[i] == '+' || r.b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, 0, false
		}
	}
	return intEnd, i, true
}

// num reads an integer: its sign, magnitude, and start offset. A
// fraction, an exponent or a magnitude beyond 64 bits is ErrJSONValue.
func (r *jr) num() (neg bool, v uint64, start int, ok bool) {
	if r.err != nil {
		return false, 0, 0, false
	}
	c := r.peek()
	start = r.pos
	if c != '-' && (c < '0' || c > '9') {
		r.typeErr()
		return false, 0, start, false
	}
	intEnd, end, ok := r.scanNumber()
	if !ok {
		r.failAt(start, ErrJSONSyntax)
		return false, 0, start, false
	}
	r.pos = end
	if intEnd != end {
		r.failAt(start, ErrJSONValue)
		return false, 0, start, false
	}
	i := start
	if r.b[i] == '-' {
		neg = true
		i++
	}
	for ; i < intEnd; i++ {
		d := uint64(r.b[i] - '0')
		if v > (1<<64-1-d)/10 {
			r.failAt(start, ErrJSONValue)
			return false, 0, start, false
		}
		v = v*10 + d
	}
	return neg, v, start, true
}

// u reads an unsigned integer no larger than max.
func (r *jr) u(max uint64) uint64 {
	neg, v, start, ok := r.num()
	if !ok {
		return 0
	}
	if (neg && v != 0) || v > max {
		r.failAt(start, ErrJSONValue)
		return 0
	}
	return v
}

// i reads a signed integer in [min, max].
func (r *jr) i(min, max int64) int64 {
	neg, v, start, ok := r.num()
	if !ok {
		return 0
	}
	var x int64
	switch {
	case !neg && v <= 1<<63-1:
		x = int64(v)
	case neg && v <= 1<<63:
		x = int64(-v)
	default:
		r.failAt(start, ErrJSONValue)
		return 0
	}
	if x < min || x > max {
		r.failAt(start, ErrJSONValue)
		return 0
	}
	return x
}

func (r *jr) boolean() bool {
	if r.err != nil {
		return false
	}
	c := r.peek()
	switch {
	case c == 't' && jsonHasPrefix(r.b[r.pos:], "true"):
		r.pos += 4
		return true
	case c == 'f' && jsonHasPrefix(r.b[r.pos:], "false"):
		r.pos += 5
		return false
	}
	r.typeErr()
	return false
}

func jsonHasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

// skip reads any value.
func (r *jr) skip() {
	switch c := r.peek(); c {
	case '{':
		r.beginObject()
		for r.more() {
			r.skip()
		}
	case '[':
		r.beginArray()
		for r.moreElem() {
			r.skip()
		}
	case '"':
		r.str()
	case 't', 'f':
		r.boolean()
	case 'n':
		if jsonHasPrefix(r.b[r.pos:], "null") {
			r.pos += 4
		} else {
			r.failAt(r.pos, ErrJSONSyntax)
		}
	default:
		if _, end, ok := r.scanNumber(); ok {
			r.pos = end
		} else {
			r.failAt(r.pos, ErrJSONSyntax)
		}
	}
}

// jsonNameEq reports whether s names n: ASCII case ignored, '-' and '_'
// alike.
func jsonNameEq(n string, s []byte) bool {
	if len(n) != len(s) {
		return false
	}
	for i := 0; i < len(n); i++ {
		a, b := n[i], s[i]
		if a == b {
			continue
		}
		if 'a' <= a && a <= 'z' {
			a -= 'a' - 'A'
		}
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		if a == '-' {
			a = '_'
		}
		if b == '-' {
			b = '_'
		}
		if a != b {
			return false
		}
	}
	return true
}

func jsonLookup(names []string, s []byte) int {
	for i, n := range names {
		if n != "" && jsonNameEq(n, s) {
			return i
		}
	}
	return -1
}

// enum reads a name of names (or of alt, indexed alike) or a number no
// larger than max.
func (r *jr) enum(names, alt []string, max uint64) uint64 {
	if r.peek() != '"' {
		return r.u(max)
	}
	start := r.pos
	s := r.str()
	if r.err != nil {
		return 0
	}
	i := jsonLookup(names, s)
	if i < 0 {
		i = jsonLookup(alt, s)
	}
	if i < 0 || uint64(i) > max {
		r.failAt(start, ErrJSONValue)
		return 0
	}
	return uint64(i)
}

// bits reads a bit set: a list of names of names (or alt) and bit
// values, or one number; no bit above max may be set.
func (r *jr) bits(names, alt []string, max uint64) uint64 {
	if r.peek() != '[' {
		return r.u(max)
	}
	var v uint64
	r.beginArray()
	for r.moreElem() {
		if r.peek() != '"' {
			v |= r.u(max)
			continue
		}
		start := r.pos
		s := r.str()
		i := jsonLookup(names, s)
		if i < 0 {
			i = jsonLookup(alt, s)
		}
		if i < 0 || uint64(1)<<i > max {
			r.failAt(start, ErrJSONValue)
			return 0
		}
		v |= 1 << i
	}
	return v
}

// addr reads an address: an IPv4 one when v4, else any other (IPv6 or
// IPv4-mapped IPv6), without a zone.
func (r *jr) addr(v4 bool) netip.Addr {
	start := r.pos
	s := r.str()
	if r.err != nil {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(string(s))
	if err != nil || a.Is4() != v4 || a.Zone() != "" {
		r.failAt(start, ErrJSONValue)
		return netip.Addr{}
	}
	return a
}

// hexBytes reads a hex string into a new slice.
func (r *jr) hexBytes() []byte {
	r.peek()
	start := r.pos
	s := r.str()
	if r.err != nil {
		return nil
	}
	if len(s)%2 != 0 {
		r.failAt(start, ErrJSONValue)
		return nil
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		hi, lo := jsonHexVal(s[2*i]), jsonHexVal(s[2*i+1])
		if hi > 15 || lo > 15 {
			r.failAt(start, ErrJSONValue)
			return nil
		}
		out[i] = hi<<4 | lo
	}
	return out
}

// setter stores a name or blob, reporting whether it fits.
type jsonSetter interface{ setBytes([]byte) bool }

// text reads a string (or, for a "-hex" member, hex) into dst.
func (r *jr) text(dst jsonSetter, hex bool) {
	r.peek()
	start := r.pos
	var b []byte
	if hex {
		b = r.hexBytes()
	} else {
		b = r.str()
	}
	if r.err == nil && !dst.setBytes(b) {
		r.failAt(start, ErrTooLong)
	}
}

var (
	jsonStatusAlt   = []string{6: "SEQ_ADJ", 12: "NAT_CLASH"}
	jsonTCPFlagsAlt = []string{4: "UNACKED", 5: "MAXACK"}
)

func (r *jr) tcpFlags(f *TCPFlagsMask) {
	*f = TCPFlagsMask{}
	r.beginObject()
	for r.more() {
		switch string(r.key) {
		case "flags":
			f.Flags = TCPFlags(r.bits(tcpFlagNames, jsonTCPFlagsAlt, 0xff))
		case "mask":
			f.Mask = TCPFlags(r.bits(tcpFlagNames, jsonTCPFlagsAlt, 0xff))
		default:
			r.unknown()
		}
	}
}

// labels reads a label bitmap: hex of 4, 8, 12 or 16 bytes, or a list of
// bit numbers (a full 16-byte bitmap).
func (r *jr) labels(l *Labels, size *uint8) {
	*l, *size = Labels{}, 0
	if r.peek() == '[' {
		r.beginArray()
		for r.moreElem() {
			l.SetBit(int(r.u(MaxLabelBit)))
		}
		return
	}
	start := r.pos
	b := r.hexBytes()
	switch {
	case r.err != nil:
	case len(b) > LabelsLen:
		r.failAt(start, ErrTooLong)
	case len(b) == 0 || len(b)%4 != 0:
		r.failAt(start, ErrLabelsSize)
	default:
		copy(l[:], b)
		if len(b) < LabelsLen {
			*size = uint8(len(b))
		}
	}
}

func (r *jr) extras() Extras {
	var x Extras
	r.beginArray()
	for r.moreElem() {
		var a ExtraAttr
		start := r.pos
		r.beginObject()
		for r.more() {
			switch string(r.key) {
			case "path":
				r.beginArray()
				for r.moreElem() {
					if a.Path.Len() == nla.MaxDepth+1 {
						r.failAt(r.pos, ErrJSONDepth)
					}
					a.Path = a.Path.Append(uint16(r.u(uint64(nla.TypeMask))))
				}
			case "index":
				a.Index = int(r.u(0xffff))
			case "type":
				a.Type = uint16(r.u(uint64(nla.TypeMask)))
			case "flags":
				off := r.pos
				a.Flags = uint16(r.u(0xffff))
				if a.Flags&nla.TypeMask != 0 {
					r.failAt(off, ErrJSONValue)
				}
			case "payload":
				off := r.pos
				p := r.hexBytes()
				if len(p) > 0xffff-nla.HeaderLen {
					r.failAt(off, ErrTooLong)
				}
				a.Payload = string(p)
			default:
				r.unknown()
			}
		}
		if r.err != nil {
			break
		}
		n := x.Len()
		if x = x.Append(a); x.Len() == n {
			r.failAt(start, ErrJSONValue)
		}
	}
	return x
}

// flow reads a flow object into f; famSet reports a "family" member.
func (r *jr) flow(f *Flow) (famSet bool) {
	*f = Flow{}
	r.beginObject()
	for r.more() {
		switch string(r.key) {
		case "family":
			f.Family = Family(r.enum(jsonFamilyNames[:], nil, 0xff))
			famSet = true
		case "extra":
			f.Extra = r.extras()
		default:
			if !r.attrFlow(f) {
				r.unknown()
			}
		}
	}
	return famSet
}

// expect reads an expectation object into e; famSet reports a "family"
// member.
func (r *jr) expect(e *Expect) (famSet bool) {
	*e = Expect{}
	r.beginObject()
	for r.more() {
		switch string(r.key) {
		case "family":
			e.Family = Family(r.enum(jsonFamilyNames[:], nil, 0xff))
			famSet = true
		case "extra":
			e.Extra = r.extras()
		default:
			if !r.attrExpect(e) {
				r.unknown()
			}
		}
	}
	return famSet
}

// statsCPU reads per-CPU statistics into s; cpuSet reports a "cpu"
// member.
func (r *jr) statsCPU(s *StatsCPU) (cpuSet bool) {
	*s = StatsCPU{}
	r.beginObject()
	for r.more() {
		switch {
		case string(r.key) == "cpu":
			s.CPU, cpuSet = uint16(r.u(0xffff)), true
		case !r.attrStatsCPU(s):
			r.unknown()
		}
	}
	return cpuSet
}

func (r *jr) statsGlobal(s *StatsGlobal) {
	*s = StatsGlobal{}
	r.beginObject()
	for r.more() {
		if !r.attrStatsGlobal(s) {
			r.unknown()
		}
	}
}

// statsExp reads per-CPU expectation statistics into s; cpuSet reports a
// "cpu" member.
func (r *jr) statsExp(s *StatsExp) (cpuSet bool) {
	*s = StatsExp{}
	r.beginObject()
	for r.more() {
		switch {
		case string(r.key) == "cpu":
			s.CPU, cpuSet = uint16(r.u(0xffff)), true
		case !r.attrStatsExp(s):
			r.unknown()
		}
	}
	return cpuSet
}

func (r *jr) headerType() uint16 {
	if r.peek() != '"' {
		return uint16(r.u(0xffff))
	}
	start := r.pos
	s := r.str()
	if i := jsonLookup(jsonCtlTypeNames[:], s); i >= 0 {
		return uint16(i)
	}
	if i := jsonLookup(ctMsgNames, s); i >= 0 {
		return codec.MsgType(codec.SubsysConntrack, uint8(i))
	}
	if i := jsonLookup(expMsgNames, s); i >= 0 {
		return codec.MsgType(codec.SubsysConntrackExp, uint8(i))
	}
	r.failAt(start, ErrJSONValue)
	return 0
}

func jsonFlagBit(s []byte) (uint16, bool) {
	if jsonNameEq("DUMP", s) {
		return codec.FlagDump, true
	}
	// A name of any meaning of the high byte: those of a GET, a NEW, a
	// DELETE and an NLMSG_ERROR.
	for _, typ := range [...]uint16{uint16(MsgCTGet), uint16(MsgCTNew), uint16(MsgCTDelete), codec.TypeError} {
		for i := 0; i < 16; i++ {
			if n := codec.FlagName(typ, 1<<i); n != "" && jsonNameEq(n, s) {
				return 1 << i, true
			}
		}
	}
	return 0, false
}

func (r *jr) header(h *codec.Header) {
	*h = codec.Header{}
	r.beginObject()
	for r.more() {
		switch string(r.key) {
		case "len":
			h.Len = uint32(r.u(1<<32 - 1))
		case "type":
			h.Type = r.headerType()
		case "flags":
			if r.peek() != '[' {
				h.Flags = uint16(r.u(0xffff))
				continue
			}
			h.Flags = 0
			r.beginArray()
			for r.moreElem() {
				if r.peek() != '"' {
					h.Flags |= uint16(r.u(0xffff))
					continue
				}
				start := r.pos
				b, ok := jsonFlagBit(r.str())
				if !ok {
					r.failAt(start, ErrJSONValue)
				}
				h.Flags |= b
			}
		case "seq":
			h.Seq = uint32(r.u(1<<32 - 1))
		case "pid":
			h.PID = uint32(r.u(1<<32 - 1))
		default:
			r.unknown()
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
	r.beginObject()
	for r.more() {
		switch string(r.key) {
		case "code":
			k.code, k.haveCode = r.i(-1<<31, 1<<31-1), true
		case "errno":
			if r.peek() == '"' {
				start := r.pos
				s := r.str()
				n := jsonLookup(jsonErrnoNames[:], s)
				if n < 0 && jsonNameEq("ENOTSUPP", s) {
					n = jsonENOTSUPP
				}
				if n < 0 && r.err == nil {
					r.failAt(start, ErrJSONValue)
				}
				k.errno = int64(n)
			} else {
				k.errno = r.i(0, 1<<31-1)
			}
			k.haveNo = true
		case "request":
			if done {
				r.unknown()
				continue
			}
			r.header(&k.request)
		case "request-payload":
			if done {
				r.unknown()
				continue
			}
			k.payload = r.hexBytes()
		case "capped":
			if done {
				r.unknown()
				continue
			}
			k.capped = r.boolean()
		case "extack":
			r.extAck(k)
		default:
			r.unknown()
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
	r.beginObject()
	for r.more() {
		switch string(r.key) {
		case "msg":
			x.Msg = append([]byte(nil), r.str()...)
		case "msg-hex":
			x.Msg = r.hexBytes()
		case "offset":
			x.Offset, x.HasOffset = uint32(r.u(1<<32-1)), true
		case "cookie":
			x.Cookie = r.hexBytes()
		case "policy":
			x.Policy = r.hexBytes()
		case "miss-type":
			x.MissType, x.HasMissType = uint32(r.u(1<<32-1)), true
		case "miss-nest":
			x.MissNest, x.HasMissNest = uint32(r.u(1<<32-1)), true
		case "tlvs":
			x.TLVs, k.haveTLVs = r.hexBytes(), true
		default:
			r.unknown()
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
	start := r.pos
	var (
		haveKind, haveEvent, haveOp bool
		haveFlow, haveExpect        bool
		famFlow, famExpect          bool
		haveCPU, haveExpCPU         bool
		cpuSet, expCPUSet           bool
		kerr                        jsonKernelErr
	)
	if r.beginObject() {
		start = r.pos - 1
	}
	for r.more() {
		switch string(r.key) {
		case "kind":
			t.Kind, haveKind = Kind(r.enum(kindNames, nil, uint64(KindControl))), true
		case "event":
			t.Event, haveEvent = EventKind(r.enum(eventKindNames, nil, uint64(EventDestroy))), true
		case "op":
			t.Op, haveOp = Op(r.enum(opNames[:], nil, uint64(len(opNames)-1))), true
		case "header":
			r.header(&t.Header)
		case "nfgenmsg":
			t.NFGen = codec.NFGen{}
			r.beginObject()
			for r.more() {
				switch string(r.key) {
				case "nfgen-family":
					t.NFGen.Family = uint8(r.enum(jsonFamilyNames[:], nil, 0xff))
				case "version":
					t.NFGen.Version = uint8(r.u(0xff))
				case "res-id":
					t.NFGen.ResID = uint16(r.u(0xffff))
				default:
					r.unknown()
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
			t.Payload = r.hexBytes()
		default:
			r.unknown()
		}
	}
	if r.err != nil {
		return
	}
	if !haveKind {
		r.failAt(start, ErrJSONMissing)
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
	r.key = nil
	r.failAt(start, jsonSentinel(err))
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
	p := jr{b: b}
	var t Record
	p.record(&t)
	p.end()
	if p.err != nil {
		return p.err
	}
	*r = t
	return nil
}

// UnmarshalJSON is [ParseJSON]. It implements json.Unmarshaler.
func (r *Record) UnmarshalJSON(b []byte) error { return ParseJSON(b, r) }

// unmarshalJSON reads the JSON object of a flow (as Flow.appendJSON writes it) into
// f. On error f is unchanged and the error is a [*JSONError].
func (f *Flow) unmarshalJSON(b []byte) error {
	p := jr{b: b}
	var t Flow
	p.flow(&t)
	p.end()
	if p.err != nil {
		return p.err
	}
	*f = t
	return nil
}

// unmarshalJSON reads the JSON object of an expectation
// (as Expect.appendJSON writes it) into e. On error e is unchanged and the error is
// a [*JSONError].
func (e *Expect) unmarshalJSON(b []byte) error {
	p := jr{b: b}
	var t Expect
	p.expect(&t)
	p.end()
	if p.err != nil {
		return p.err
	}
	*e = t
	return nil
}

// unmarshalJSON reads the JSON object of per-CPU statistics
// (as StatsCPU.appendJSON writes it) into s. On error s is unchanged and the error
// is a [*JSONError].
func (s *StatsCPU) unmarshalJSON(b []byte) error {
	p := jr{b: b}
	var t StatsCPU
	p.statsCPU(&t)
	p.end()
	if p.err != nil {
		return p.err
	}
	*s = t
	return nil
}

// unmarshalJSON reads the JSON object of global statistics
// (as StatsGlobal.appendJSON writes it) into s. On error s is unchanged and the
// error is a [*JSONError].
func (s *StatsGlobal) unmarshalJSON(b []byte) error {
	p := jr{b: b}
	var t StatsGlobal
	p.statsGlobal(&t)
	p.end()
	if p.err != nil {
		return p.err
	}
	*s = t
	return nil
}

// unmarshalJSON reads the JSON object of per-CPU expectation statistics
// (as StatsExp.appendJSON writes it) into s. On error s is unchanged and the error
// is a [*JSONError].
func (s *StatsExp) unmarshalJSON(b []byte) error {
	p := jr{b: b}
	var t StatsExp
	p.statsExp(&t)
	p.end()
	if p.err != nil {
		return p.err
	}
	*s = t
	return nil
}

// UnmarshalJSON reads an envelope written by [JSONLine.AppendJSON] into
// l. "message" is required; "index" and "time" are optional, and other
// members (which a command may add) are skipped. On error l is unchanged
// and the error is a [*JSONError].
func (l *JSONLine) UnmarshalJSON(b []byte) error {
	p := jr{b: b}
	var t JSONLine
	start := 0
	if p.beginObject() {
		start = p.pos - 1
	}
	have := false
	for p.more() {
		switch string(p.key) {
		case "index":
			t.Index = int(p.i(-1<<31, 1<<31-1))
		case "time":
			p.peek()
			off := p.pos
			s := p.str()
			if p.err != nil {
				break
			}
			tm, err := time.Parse(time.RFC3339Nano, string(s))
			if err != nil {
				p.failAt(off, ErrJSONValue)
			}
			t.Time = tm
		case "byte-order":
			p.peek()
			off := p.pos
			switch s := p.str(); string(s) {
			case "little":
				t.Order = nla.LittleEndian
			case "big":
				t.Order = nla.BigEndian
			default:
				if p.err == nil {
					p.failAt(off, ErrJSONValue)
				}
			}
		case "message":
			p.record(&t.Message)
			have = true
		default:
			p.skip()
		}
	}
	if p.err == nil && !have {
		p.failAt(start, ErrJSONMissing)
	}
	p.end()
	if p.err != nil {
		return p.err
	}
	*l = t
	return nil
}
