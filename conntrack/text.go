package conntrack

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/ctwire/ctwire/internal/textfmt"
)

// The text form of a flow is the line conntrack-tools prints for it with
// `conntrack -L` (a dump) or `conntrack -E` (an event): the default output
// of libnetfilter_conntrack's nfct_snprintf, which conntrack calls with
// NFCT_O_DEFAULT and flags chosen by -o. Which columns appear is decided by
// the attributes present in the message, so a [Flow] decoded from the same
// bytes prints the same line:
//
//	[EVENT ]                       events only: "    [NEW] ", " [UPDATE] ", "[DESTROY] "
//	[l3name l3num ]                -o extended: "ipv4     2 " (name left-aligned in 8)
//	l4name l4num                   "tcp      6 ", "unknown  41 " (name left-aligned in 8)
//	[timeout ]                     CTA_TIMEOUT
//	[TCP state ] [SCTP state ] [DCCP state ]
//	src= dst= (sport= dport= | srckey=0x dstkey=0x | type= code= id=)   original tuple
//	[zone-orig= ] [packets= bytes= ] [[UNREPLIED] ]
//	src= dst= (...)                reply tuple
//	[zone-reply= ] [packets= bytes= ] [[HW_OFFLOAD] | [OFFLOAD] | [ASSURED] ]
//	[mark= ] [secmark= ] [secctx= ] [zone= ] [delta-time= ]
//	[[start=ctime] ] [[stop=ctime] ] -o ktimestamp
//	[helper= ] [use= ] [id= ]       id with -o id
//	[labels=a,b ]                  with a label map (connlabel.conf)
//
// every column followed by one space, the last space dropped. conntrack -E
// puts "[seconds.microseconds]\t" before the line with -o timestamp, and
// " [USERSPACE] portid=N" after it for events a process caused; -o
// timestamp does not change conntrack -L lines (-o ktimestamp adds the
// start and stop times). The text reproduces libnetfilter_conntrack 1.0.9
// with conntrack-tools 1.4.7 also where they are odd: a missing address or
// port prints as zero, state names out of range print as NONE, delta-time
// is unsigned (a start in the future wraps), a stop time of 0 counts as
// none for delta-time yet prints as the epoch, and labels without a named
// bit print as "labels".

// EventKind is the kind of a conntrack event as conntrack -E names it. The
// zero value is no kind (a dump entry).
type EventKind uint8

// Event kinds: IPCTNL_MSG_CT_NEW with NLM_F_CREATE is a new flow, without
// it an update; IPCTNL_MSG_CT_DELETE is a destroyed flow.
const (
	EventNew     EventKind = 1 // NFCT_T_NEW
	EventUpdate  EventKind = 2 // NFCT_T_UPDATE
	EventDestroy EventKind = 3 // NFCT_T_DESTROY
)

var eventKindNames = []string{EventNew: "NEW", EventUpdate: "UPDATE", EventDestroy: "DESTROY"}

// String returns "NEW", "UPDATE" or "DESTROY", or the number.
func (k EventKind) String() string { return enumString(eventKindNames, int(k)) }

// eventPrefix is the "%9s " column of an event line.
var eventPrefix = []string{
	EventNew:     "    [NEW] ",
	EventUpdate:  " [UPDATE] ",
	EventDestroy: "[DESTROY] ",
}

// MaxLabelBit is the highest label bit a [LabelNames] can name.
const MaxLabelBit = 8*LabelsLen - 1

// LabelNames names label bits, as connlabel.conf does for conntrack
// (`-o labels`, `-l`): LabelNames[n] is the name of bit n, empty when the
// bit has none.
type LabelNames [MaxLabelBit + 1]string

// TextOptions selects the columns of the text form, as `conntrack -o`
// does, and supplies the context a line depends on.
type TextOptions struct {
	// Extended is -o extended: the layer-3 name and number first
	// (NFCT_OF_SHOW_LAYER3).
	Extended bool
	// ID is -o id: the flow id last (NFCT_OF_ID).
	ID bool
	// KTimestamp is -o ktimestamp: the kernel's start and stop times as
	// "[start=Mon Jan  2 15:04:05 2006]" (NFCT_OF_TIMESTAMP).
	KTimestamp bool
	// Timestamp is -o timestamp. It changes event lines only: they begin
	// with the event time as "[1700000000.123456]\t". conntrack -L ignores
	// it.
	Timestamp bool
	// Labels is -o labels: the caller should load a label map into
	// LabelNames. Lines carry a labels column only when LabelNames is set.
	Labels bool
	// LabelNames names the label bits (connlabel.conf). When non-nil,
	// flows with CTA_LABELS get a "labels=" column listing the names of
	// the set bits that have one.
	LabelNames *LabelNames
	// Now is the time the line is printed at. delta-time of a flow that
	// has a start time but no stop time is Now minus start, in whole
	// seconds; the -o timestamp prefix of an event without
	// CTA_TIMESTAMP_EVENT is Now. The zero Now means the current time
	// (time.Now() when the line is printed), which is what conntrack
	// prints. Offline, pass the capture time; for output that does not
	// change from run to run, pass a fixed time.
	Now time.Time
	// Location is the time zone of the start and stop times (conntrack
	// prints local time); nil means UTC.
	Location *time.Location
}

// now returns opt.Now, or the current time when Now is zero.
func (opt *TextOptions) now() time.Time {
	if opt.Now.IsZero() {
		return time.Now()
	}
	return opt.Now
}

// Sentinel errors of [ParseTextOptions].
var (
	// ErrTextOption is a -o option conntrack does not know.
	ErrTextOption = errors.New("conntrack: bad output option")
	// ErrTextUnsupported is a -o option that selects another format
	// (xml, save) than the text form.
	ErrTextUnsupported = errors.New("conntrack: output format not supported")
)

// optionError reports an option of [ParseTextOptions] that was rejected,
// quoting it. It unwraps to [ErrTextOption] or [ErrTextUnsupported].
type optionError struct {
	option string // the option as given
	err    error
}

func (e *optionError) Error() string { return e.err.Error() + " `" + e.option + "'" }

func (e *optionError) Unwrap() error { return e.err }

// textOptionNames are conntrack's -o names in the order it matches them.
var textOptionNames = [...]string{"xml", "extended", "timestamp", "id", "ktimestamp", "labels", "userspace", "save"}

// ParseTextOptions parses the argument of `conntrack -o` the way conntrack
// does: comma-separated names, each matching case-insensitively the first
// option it is a prefix of (so "ext,k" is "extended,ktimestamp"), a prefix
// of SRC_NAT or DST_NAT being accepted and ignored. "userspace" is
// accepted and changes nothing (conntrack -E always marks events caused by
// a process). "xml" and "save" fail with [ErrTextUnsupported], unknown or
// empty names with [ErrTextOption].
func ParseTextOptions(s string) (TextOptions, error) {
	var o TextOptions
	for {
		name, rest, more := strings.Cut(s, ",")
		if err := o.set(name); err != nil {
			return TextOptions{}, err
		}
		if !more {
			return o, nil
		}
		s = rest
	}
}

func (o *TextOptions) set(name string) error {
	if name == "" {
		return &optionError{option: name, err: ErrTextOption}
	}
	if hasPrefixFold("SRC_NAT", name) || hasPrefixFold("DST_NAT", name) {
		return nil
	}
	for i, opt := range textOptionNames {
		if !hasPrefixFold(opt, name) {
			continue
		}
		switch i {
		case 0, 7:
			return &optionError{option: name, err: ErrTextUnsupported}
		case 1:
			o.Extended = true
		case 2:
			o.Timestamp = true
		case 3:
			o.ID = true
		case 4:
			o.KTimestamp = true
		case 5:
			o.Labels = true
		}
		return nil
	}
	return &optionError{option: name, err: ErrTextOption}
}

// hasPrefixFold reports whether p is an ASCII case-insensitive prefix of s.
func hasPrefixFold(s, p string) bool {
	if len(p) > len(s) {
		return false
	}
	for i := 0; i < len(p); i++ {
		a, b := s[i], p[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// AppendText appends the line `conntrack -L` prints for f with the options
// opt, without a newline.
func (f *Flow) AppendText(dst []byte, opt TextOptions) []byte {
	return f.appendText(dst, 0, opt)
}

// AppendEventText appends the line `conntrack -E` prints for an event of
// kind kind about f with the options opt, without a newline. portID is the
// nlmsg_pid of the event message: conntrack marks an event caused by a
// process (nonzero portID) with " [USERSPACE] portid=N" (and, when it can
// find the process on its own host, " progname=NAME", which is left out
// here). With opt.Timestamp the line begins with the event time: that of
// CTA_TIMESTAMP_EVENT when present (as conntrack-tools 1.4.8 and later
// print it), else opt.Now (the current time when Now is zero).
func (f *Flow) AppendEventText(dst []byte, kind EventKind, portID uint32, opt TextOptions) []byte {
	if opt.Timestamp {
		now := opt.now()
		sec, usec := now.Unix(), int64(now.Nanosecond()/1000)
		if f.Present.Has(AttrTimestampEvent) {
			sec = int64(f.TimestampEvent / 1e9)
			usec = int64(f.TimestampEvent % 1e9 / 1e3)
		}
		dst = append(dst, '[')
		dst = textfmt.AppendPadInt(dst, sec, 8)
		dst = append(dst, '.')
		dst = textfmt.AppendPadInt(dst, usec, 6)
		dst = append(dst, "]\t"...)
	}
	dst = f.appendText(dst, kind, opt)
	if portID != 0 {
		dst = append(dst, " [USERSPACE] portid="...)
		dst = textfmt.AppendUint(dst, uint64(portID))
	}
	return dst
}

func (f *Flow) appendText(dst []byte, kind EventKind, opt TextOptions) []byte {
	start := len(dst)
	if int(kind) < len(eventPrefix) {
		dst = append(dst, eventPrefix[kind]...)
	}

	// Each tuple's family is the message's, set only when the tuple is
	// there; so is its protocol, when CTA_PROTO_NUM is.
	var origFam, replyFam Family
	var origProto, replyProto Proto
	if f.Present.Has(AttrTupleOrig) {
		origFam = f.Family
		if f.Orig.Present.Has(ProtoAttrNum) {
			origProto = f.Orig.Proto
		}
	}
	if f.Present.Has(AttrTupleReply) {
		replyFam = f.Family
		if f.Reply.Present.Has(ProtoAttrNum) {
			replyProto = f.Reply.Proto
		}
	}

	if opt.Extended {
		dst = append(dst, familyText()[origFam]...)
	}
	dst = append(dst, protoText()[origProto]...)
	if f.Present.Has(AttrTimeout) {
		dst = appendUint(dst, uint64(f.Timeout))
	}
	if f.Present.Has(AttrProtoInfo) {
		// conntrack keeps the TCP, SCTP and DCCP states in one byte,
		// parsed in that order: should a message carry more than one
		// (the kernel never sends that), the last one is printed under
		// every name.
		p := &f.ProtoInfo
		tcp := p.Present.Has(ProtoInfoAttrTCP) && p.TCP.Present.Has(TCPAttrState)
		sctp := p.Present.Has(ProtoInfoAttrSCTP) && p.SCTP.Present.Has(SCTPAttrState)
		dccp := p.Present.Has(ProtoInfoAttrDCCP) && p.DCCP.Present.Has(DCCPAttrState)
		var state int
		switch {
		case dccp:
			state = int(p.DCCP.State)
		case sctp:
			state = int(p.SCTP.State)
		case tcp:
			state = int(p.TCP.State)
		}
		if tcp {
			dst = appendState(dst, tcpStateNames, state, int(TCPStateMax))
		}
		if sctp {
			dst = appendState(dst, sctpStateNames, state, int(SCTPStateMax))
		}
		if dccp {
			dst = appendState(dst, dccpStateNames, state, len(dccpStateNames))
		}
	}

	var sp [2]addrSpan
	dst = appendTuple(dst, &f.Orig, origFam, origProto, &sp, false)
	if f.Present.Has(AttrTupleOrig) && f.Orig.HasZone {
		dst = append(dst, "zone-orig="...)
		dst = appendUint(dst, uint64(f.Orig.Zone))
	}
	if f.Present.Has(AttrCountersOrig) {
		dst = appendCounters(dst, f.CountersOrig)
	}
	if f.Present.Has(AttrStatus) && f.Status&StatusSeenReply == 0 {
		dst = append(dst, "[UNREPLIED] "...)
	}

	dst = appendTuple(dst, &f.Reply, replyFam, replyProto, &sp, true)
	if f.Present.Has(AttrTupleReply) && f.Reply.HasZone {
		dst = append(dst, "zone-reply="...)
		dst = appendUint(dst, uint64(f.Reply.Zone))
	}
	if f.Present.Has(AttrCountersReply) {
		dst = appendCounters(dst, f.CountersReply)
	}
	if f.Present.Has(AttrStatus) {
		switch {
		case f.Status&StatusHWOffload != 0:
			dst = append(dst, "[HW_OFFLOAD] "...)
		case f.Status&StatusOffload != 0:
			dst = append(dst, "[OFFLOAD] "...)
		case f.Status&StatusAssured != 0:
			dst = append(dst, "[ASSURED] "...)
		}
	}

	if f.Present.Has(AttrMark) {
		dst = append(dst, "mark="...)
		dst = appendUint(dst, uint64(f.Mark))
	}
	if f.Present.Has(AttrSecMark) {
		dst = append(dst, "secmark="...)
		dst = appendUint(dst, uint64(f.SecMark))
	}
	if f.Present.Has(AttrSecCtx) {
		dst = append(dst, "secctx="...)
		dst = append(dst, f.SecCtx.b[:f.SecCtx.n]...)
		dst = append(dst, ' ')
	}
	if f.Present.Has(AttrZone) {
		dst = append(dst, "zone="...)
		dst = appendUint(dst, uint64(f.Zone))
	}
	ts := &f.Timestamp
	hasStart := f.Present.Has(AttrTimestamp) && ts.Present.Has(TimestampAttrStart)
	hasStop := f.Present.Has(AttrTimestamp) && ts.Present.Has(TimestampAttrStop)
	if hasStart {
		// Whole seconds, as time_t; a stop time of 0 counts as none.
		end := int64(ts.Stop / 1e9)
		if ts.Stop == 0 {
			end = opt.now().Unix()
		}
		dst = append(dst, "delta-time="...)
		dst = appendUint(dst, uint64(end-int64(ts.Start/1e9)))
	}
	if opt.KTimestamp {
		if hasStart {
			dst = append(dst, "[start="...)
			dst = textfmt.AppendCtime(dst, int64(ts.Start/1e9), opt.Location)
			dst = append(dst, "] "...)
		}
		if hasStop {
			dst = append(dst, "[stop="...)
			dst = textfmt.AppendCtime(dst, int64(ts.Stop/1e9), opt.Location)
			dst = append(dst, "] "...)
		}
	}
	if f.Present.Has(AttrHelp) && f.Helper.Present.Has(HelpAttrName) {
		dst = append(dst, "helper="...)
		dst = append(dst, f.Helper.Name.b[:f.Helper.Name.n]...)
		dst = append(dst, ' ')
	}
	if f.Present.Has(AttrUse) {
		dst = append(dst, "use="...)
		dst = appendUint(dst, uint64(f.Use))
	}
	if opt.ID && f.Present.Has(AttrID) {
		dst = append(dst, "id="...)
		dst = appendUint(dst, uint64(f.ID))
	}
	if opt.LabelNames != nil && f.Present.Has(AttrLabels) {
		dst = appendLabels(dst, f.Labels, f.LabelsSize, opt.LabelNames)
	}

	// Drop the space after the last column (there is always one).
	if len(dst) > start {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// appendUint appends v in decimal and a space.
func appendUint(dst []byte, v uint64) []byte { return textfmt.AppendUintSpace(dst, v) }

// nameNums returns, for each byte value v, "%-8s %u " of name(v) and v.
func nameNums(name func(uint8) string) func() *[256]string {
	return sync.OnceValue(func() (t *[256]string) {
		t = new([256]string)
		for v := range t {
			t[v] = fmt.Sprintf("%-8s %d ", name(uint8(v)), v)
		}
		return t
	})
}

var (
	familyText = nameNums(func(v uint8) string { return Family(v).String() })
	protoText  = nameNums(func(v uint8) string { return Proto(v).String() })
)

// appendState appends the name of state s, or of state 0 when s is not
// below max.
func appendState(dst []byte, names []string, s, max int) []byte {
	if s >= max || s >= len(names) {
		s = 0
	}
	dst = append(dst, names[s]...)
	return append(dst, ' ')
}

func appendCounters(dst []byte, c Counters) []byte {
	if !(c.Present.Has(CounterAttrPackets) || c.Present.Has(CounterAttrPackets32)) ||
		!(c.Present.Has(CounterAttrBytes) || c.Present.Has(CounterAttrBytes32)) {
		return dst
	}
	dst = append(dst, "packets="...)
	dst = appendUint(dst, c.Packets)
	dst = append(dst, "bytes="...)
	return appendUint(dst, c.Bytes)
}

// appendTuple appends the addresses and layer-4 fields of t, printed as
// family fam and protocol proto (zero when the tuple or its protocol
// number is absent). sp holds where the original tuple's addresses were
// printed: the reply tuple, which mirrors them unless the flow is NAT'ed,
// copies their text.
func appendTuple(dst []byte, t *Tuple, fam Family, proto Proto, sp *[2]addrSpan, reply bool) []byte {
	if fam == FamilyIPv4 || fam == FamilyIPv6 {
		dst = append(dst, "src="...)
		dst = appendAddrSpan(dst, fam, t.Src, &sp[0], &sp[1], reply)
		dst = append(dst, " dst="...)
		dst = appendAddrSpan(dst, fam, t.Dst, &sp[1], &sp[0], reply)
		dst = append(dst, ' ')
	}
	// A field whose attribute is absent prints as zero.
	var sport, dport, icmpID uint16
	var icmpType, icmpCode uint8
	if t.Present.Has(ProtoAttrSrcPort) {
		sport = t.SrcPort
	}
	if t.Present.Has(ProtoAttrDstPort) {
		dport = t.DstPort
	}
	if t.Present.Has(ProtoAttrICMPID) || t.Present.Has(ProtoAttrICMPv6ID) {
		icmpID = t.ICMPID
	}
	if t.Present.Has(ProtoAttrICMPType) || t.Present.Has(ProtoAttrICMPv6Type) {
		icmpType = t.ICMPType
	}
	if t.Present.Has(ProtoAttrICMPCode) || t.Present.Has(ProtoAttrICMPv6Code) {
		icmpCode = t.ICMPCode
	}
	switch proto {
	case ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoSCTP, ProtoDCCP:
		dst = append(dst, "sport="...)
		dst = appendUint(dst, uint64(sport))
		dst = append(dst, "dport="...)
		dst = appendUint(dst, uint64(dport))
	case ProtoGRE:
		dst = append(dst, "srckey=0x"...)
		dst = textfmt.AppendHex(dst, uint64(sport))
		dst = append(dst, " dstkey=0x"...)
		dst = textfmt.AppendHex(dst, uint64(dport))
		dst = append(dst, ' ')
	case ProtoICMP, ProtoICMPv6:
		dst = append(dst, "type="...)
		dst = appendUint(dst, uint64(icmpType))
		dst = append(dst, "code="...)
		dst = appendUint(dst, uint64(icmpCode))
		dst = append(dst, "id="...)
		dst = appendUint(dst, uint64(icmpID))
	}
	return dst
}

// addrSpan is where address a was printed in the line: dst[s:e].
type addrSpan struct {
	a    netip.Addr
	s, e int
}

// appendAddrSpan appends a: for the original tuple recording where in own,
// for the reply tuple copying the text of mirror when it is the same
// address.
func appendAddrSpan(dst []byte, fam Family, a netip.Addr, own, mirror *addrSpan, reply bool) []byte {
	if reply && mirror.e > 0 && mirror.a == a {
		return append(dst, dst[mirror.s:mirror.e]...)
	}
	s := len(dst)
	dst = appendTextAddr(dst, fam, a)
	if !reply {
		*own = addrSpan{a, s, len(dst)}
	}
	return dst
}

// appendTextAddr appends a as an address of family fam: an IPv4 address as
// inet_ntoa writes it, an IPv6 address as glibc's inet_ntop does. An
// address of the other family is read from (or zero-extended into) the
// same bytes, a missing one is all zeros, as in libnetfilter_conntrack's
// address union.
func appendTextAddr(dst []byte, fam Family, a netip.Addr) []byte {
	var b [16]byte
	switch {
	case a.Is4():
		b4 := a.As4()
		copy(b[:], b4[:])
	case a.Is6():
		b = a.As16()
	}
	if fam == FamilyIPv4 {
		return textfmt.AppendIPv4(dst, [4]byte(b[:4]))
	}
	return textfmt.AppendIPv6(dst, b)
}

// appendLabels appends "labels=" and the names of the set bits of l that
// have one, comma-separated. Like conntrack, it then drops the last byte
// written (the trailing comma, or the '=' when no bit is named) and adds a
// space. size is the CTA_LABELS payload size (0: the full 16 bytes); only
// its bits are looked at.
func appendLabels(dst []byte, l Labels, size uint8, names *LabelNames) []byte {
	n := int(size)
	if n == 0 || n > LabelsLen {
		n = LabelsLen
	}
	dst = append(dst, "labels="...)
	for i := 0; i < 8*n; i++ {
		if l.Bit(i) && names[i] != "" {
			dst = append(dst, names[i]...)
			dst = append(dst, ',')
		}
	}
	dst[len(dst)-1] = ' '
	return dst
}

// ParseLabelNames reads label names in the format of connlabel.conf
// (/etc/xtables/connlabel.conf), the way libnetfilter_conntrack reads it
// for conntrack: one "BIT NAME" per line, BIT a number as strtoul(3) reads
// it with base 0 (decimal, 0x hex or 0 octal), NAME the rest of the line
// without surrounding blanks, made only of ASCII letters, digits, spaces
// and '-'. Lines starting with '#', with no number or name, with a bad
// name, a bit already named or a name already used are skipped. Bits above
// [MaxLabelBit] are read but not kept. It returns nil when no line names a
// bit, as conntrack then has no label map and prints no labels.
func ParseLabelNames(b []byte) *LabelNames {
	var names LabelNames
	var seen [1024 / 64]uint64
	used := map[string]bool{}
	for len(b) > 0 {
		line := b
		if i := bytesIndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) > 0 && line[0] == '#' {
			continue
		}
		bit, rest, ok := labelBit(line)
		if !ok || seen[bit/64]&(1<<(bit%64)) != 0 {
			continue
		}
		name := string(trimLabel(rest))
		if name == "" || !labelSane(name) || used[name] {
			continue
		}
		used[name] = true
		seen[bit/64] |= 1 << (bit % 64)
		if bit <= MaxLabelBit {
			names[bit] = name
		}
	}
	if len(used) == 0 {
		return nil
	}
	return &names
}

func bytesIndexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// labelBit reads a bit number at the start of s as strtoul(s, &end, 0)
// does, and returns it with the rest of s; ok is false when there is no
// number or it is 1024 or more.
func labelBit(s []byte) (bit uint, rest []byte, ok bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && hexDigit(s[i+2]) < 16 {
		base, i = 16, i+2
	} else if i < len(s) && s[i] == '0' {
		base = 8
	}
	start := i
	var v uint64
	big := false
	for ; i < len(s); i++ {
		d := uint64(hexDigit(s[i]))
		if d >= base {
			break
		}
		if v > (1<<64-1-d)/base {
			big = true
		}
		v = v*base + d
	}
	if i == start {
		return 0, s, false
	}
	if neg && v != 0 {
		big = true // wraps to a huge value
	}
	if big || v >= 1024 {
		return 0, s[i:], false
	}
	return uint(v), s[i:], true
}

func hexDigit(c byte) byte {
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

// trimLabel drops the blanks (space, \f, \r, \t, \v) around s.
func trimLabel(s []byte) []byte {
	blank := func(c byte) bool { return c == ' ' || c == '\f' || c == '\r' || c == '\t' || c == '\v' }
	for len(s) > 0 && blank(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && blank(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// labelSane reports whether a label name has only the bytes conntrack
// accepts.
func labelSane(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == ' ' || c == '-') {
			return false
		}
	}
	return true
}
