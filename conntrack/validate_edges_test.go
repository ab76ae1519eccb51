package conntrack

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/schema"
	"github.com/ctwire/ctwire/nla"
)

// The edge cases: requests at and just past every limit of the kernel's
// policy and rule tables, derived from the schema's policy rows (through
// the generated tables) and from the rule tables (ICMP and ICMPv6 types
// with a reply type, status bits of a create, built-in helpers). The
// kernel's answer to each, recorded from Linux 6.18 by
// TestLiveValidateEdges (run it as root with -update-edges to rewrite the
// recording), is in testdata/validate-edges.txt; TestValidateEdges checks
// that ValidateMessage gives the same answer to every case, and that the
// cases are exactly those recorded, so that a changed row (a new length,
// a new maximum, a type dropped from a table) fails until it is proven
// against a kernel again.

var edgeRecording = filepath.Join("testdata", "validate-edges.txt")

// edgeCase is one request: a name saying what it tests (with the values
// it carries), and the message.
type edgeCase struct {
	name string
	msg  []byte
}

var (
	edgeA4, edgeB4 = netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	edgeA6, edgeB6 = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
)

// edgeMaster is the ftp flow the expectation cases hang on; the live test
// creates it first.
func edgeMaster() Flow {
	f := Flow{Orig: PortTuple(ProtoTCP, edgeA4, edgeB4, 2000, 21), Reply: PortTuple(ProtoTCP, edgeB4, edgeA4, 21, 2000), Timeout: 300}
	f.Helper.Name, _ = MakeHelperName("ftp")
	f.Helper.Present.Add(HelpAttrName)
	for _, a := range []AttrType{AttrTupleOrig, AttrTupleReply, AttrTimeout, AttrHelp} {
		f.Present.Add(a)
	}
	return f
}

// edgeFlow returns a create of a flow of protocol p in family fam whose
// tuples are unique to i.
func edgeFlow(i int, fam Family, p Proto) Flow {
	a, b := edgeA4, edgeB4
	if fam == FamilyIPv6 {
		a, b = edgeA6, edgeB6
	}
	port := uint16(10000 + i)
	f := Flow{Orig: PortTuple(p, a, b, port, 80), Reply: PortTuple(p, b, a, 80, port), Timeout: 100}
	switch p {
	case ProtoICMP:
		f.Orig, f.Reply = ICMPTuple(a, b, port, 8, 0), ICMPTuple(b, a, port, 0, 0)
	case ProtoICMPv6:
		f.Orig, f.Reply = ICMPTuple(a, b, port, 128, 0), ICMPTuple(b, a, port, 129, 0)
	}
	for _, a := range []AttrType{AttrTupleOrig, AttrTupleReply, AttrTimeout} {
		f.Present.Add(a)
	}
	return f
}

// edgeCarrier says where the attributes of one generated policy table go:
// the request of case i that carries them, and the path of the nest they
// are appended to (the last duplicate wins, as in the kernel's nla_parse).
type edgeCarrier struct {
	base func(i int, typ uint16) Request
	path []uint16
}

func edgeCreate(mod func(f *Flow)) func(i int, typ uint16) Request {
	return func(i int, typ uint16) Request {
		f := edgeFlow(i, FamilyIPv4, ProtoTCP)
		if mod != nil {
			mod(&f)
		}
		return CreateRequest(0, &f)
	}
}

func edgeCreateOf(fam Family, p Proto) func(i int, typ uint16) Request {
	return func(i int, typ uint16) Request {
		f := edgeFlow(i, fam, p)
		return CreateRequest(0, &f)
	}
}

func edgeExpect(i int, nat bool) Request {
	m := edgeMaster()
	ones := netip.MustParseAddr("255.255.255.255")
	e := Expect{Tuple: PortTuple(ProtoTCP, edgeB4, edgeA4, 0, uint16(20000+i)), Mask: PortTuple(ProtoTCP, ones, ones, 0, 0xffff),
		Master: m.Orig, Timeout: 100}
	for _, a := range []AttrType{ExpectAttrTuple, ExpectAttrMask, ExpectAttrMaster, ExpectAttrTimeout} {
		e.Present.Add(a)
	}
	if nat {
		e.NAT = ExpectNAT{Tuple: PortTuple(ProtoTCP, edgeA4, edgeB4, 0, 2121)}
		e.NAT.Present.Add(ExpectNATAttrDir)
		e.NAT.Present.Add(ExpectNATAttrTuple)
		e.Present.Add(ExpectAttrNAT)
	}
	return ExpCreateRequest(0, &e)
}

// edgeCarriers covers every generated policy table (TestValidateEdges
// fails on a table without one).
func edgeCarriers() map[string]edgeCarrier {
	orig := uint16(AttrTupleOrig)
	return map[string]edgeCarrier{
		"flow":  {edgeCreate(nil), nil},
		"tuple": {edgeCreate(nil), []uint16{orig}},
		"ip": {func(i int, typ uint16) Request {
			if typ == uint16(IPAttrV6Src) || typ == uint16(IPAttrV6Dst) {
				return edgeCreateOf(FamilyIPv6, ProtoTCP)(i, typ)
			}
			return edgeCreateOf(FamilyIPv4, ProtoTCP)(i, typ)
		}, []uint16{orig, uint16(TupleAttrIP)}},
		"proto":       {edgeCreate(nil), []uint16{orig, uint16(TupleAttrProto)}},
		"protoPort":   {edgeCreate(nil), []uint16{orig, uint16(TupleAttrProto)}},
		"protoICMP":   {edgeCreateOf(FamilyIPv4, ProtoICMP), []uint16{orig, uint16(TupleAttrProto)}},
		"protoICMPv6": {edgeCreateOf(FamilyIPv6, ProtoICMPv6), []uint16{orig, uint16(TupleAttrProto)}},
		"protoInfo": {edgeCreate(func(f *Flow) {
			f.ProtoInfo.TCP.State = TCPStateEstablished
			f.ProtoInfo.TCP.Present.Add(TCPAttrState)
			f.ProtoInfo.Present.Add(ProtoInfoAttrTCP)
			f.Present.Add(AttrProtoInfo)
		}), []uint16{uint16(AttrProtoInfo)}},
		"tcp": {edgeCreate(func(f *Flow) {
			f.ProtoInfo.TCP.State = TCPStateEstablished
			f.ProtoInfo.TCP.Present.Add(TCPAttrState)
			f.ProtoInfo.Present.Add(ProtoInfoAttrTCP)
			f.Present.Add(AttrProtoInfo)
		}), []uint16{uint16(AttrProtoInfo), uint16(ProtoInfoAttrTCP)}},
		"sctp": {func(i int, typ uint16) Request {
			f := edgeFlow(i, FamilyIPv4, ProtoSCTP)
			s := &f.ProtoInfo.SCTP
			s.State, s.VTagOrig, s.VTagReply = SCTPStateEstablished, 1, 2
			for _, a := range []AttrType{SCTPAttrState, SCTPAttrVTagOrig, SCTPAttrVTagReply} {
				s.Present.Add(a)
			}
			f.ProtoInfo.Present.Add(ProtoInfoAttrSCTP)
			f.Present.Add(AttrProtoInfo)
			return CreateRequest(0, &f)
		}, []uint16{uint16(AttrProtoInfo), uint16(ProtoInfoAttrSCTP)}},
		"nat": {edgeCreate(func(f *Flow) {
			f.NATSrc.MinIP = edgeA4
			f.Present.Add(AttrNATSrc)
		}), []uint16{uint16(AttrNATSrc)}},
		"protoNAT": {edgeCreate(func(f *Flow) {
			f.NATSrc.MinIP, f.NATSrc.PortMin = edgeA4, 3000
			f.NATSrc.Present.Add(ProtoNATAttrPortMin)
			f.Present.Add(AttrNATSrc)
		}), []uint16{uint16(AttrNATSrc), uint16(NATAttrProto)}},
		"seqAdj": {edgeCreate(func(f *Flow) {
			for _, a := range []AttrType{SeqAdjAttrCorrectionPos, SeqAdjAttrOffsetBefore, SeqAdjAttrOffsetAfter} {
				f.SeqAdjOrig.Present.Add(a)
			}
			f.Present.Add(AttrSeqAdjOrig)
		}), []uint16{uint16(AttrSeqAdjOrig)}},
		"synproxy": {edgeCreate(func(f *Flow) {
			for _, a := range []AttrType{SynproxyAttrISN, SynproxyAttrITS, SynproxyAttrTSOff} {
				f.Synproxy.Present.Add(a)
			}
			f.Present.Add(AttrSynproxy)
		}), []uint16{uint16(AttrSynproxy)}},
		"help": {edgeCreate(func(f *Flow) {
			f.Helper.Name, _ = MakeHelperName("ftp")
			f.Helper.Present.Add(HelpAttrName)
			f.Present.Add(AttrHelp)
		}), []uint16{uint16(AttrHelp)}},
		"expect":    {func(i int, _ uint16) Request { return edgeExpect(i, false) }, nil},
		"expectNAT": {func(i int, _ uint16) Request { return edgeExpect(i, true) }, []uint16{uint16(ExpectAttrNAT)}},
		"filter": {func(i int, _ uint16) Request {
			r := DumpRequest(0, FamilyIPv4)
			r.SetFilter(PortTuple(ProtoTCP, edgeA4, edgeB4, 1, 80), FilterIPSrc, Tuple{}, 0)
			return r
		}, []uint16{uint16(AttrFilter)}},
	}
}

// edgeTables are the generated policy tables by the name the generator
// gives them (the set's name, and the Table of its rows if any).
var edgeTables = map[string][]nla.Policy{
	"flow": flowPolicy, "tuple": tuplePolicy, "ip": ipPolicy, "proto": protoPolicy, "protoPort": protoPortPolicy,
	"protoICMP": protoICMPPolicy, "protoICMPv6": protoICMPv6Policy, "protoInfo": protoInfoPolicy, "tcp": tcpPolicy,
	"sctp": sctpPolicy, "nat": natPolicy, "protoNAT": protoNATPolicy, "seqAdj": seqAdjPolicy, "synproxy": synproxyPolicy,
	"help": helpPolicy, "expect": expectPolicy, "expectNAT": expectNATPolicy, "filter": filterPolicy,
}

// edgeTableName is the generated name of the table holding the policy of
// schema attribute a of set s, without "Policy".
func edgeTableName(s *schema.Set, a *schema.Attr) string {
	name := map[string]string{"protoinfo": "protoInfo", "protonat": "protoNAT", "seqadj": "seqAdj", "expectnat": "expectNAT"}[s.Name]
	if name == "" {
		name = s.Name
	}
	switch t := a.Policy.Table; t {
	case "":
	case "icmp", "icmpv6":
		name += "ICMP" + strings.TrimPrefix(t, "icmp")
	default:
		name += strings.ToUpper(t[:1]) + t[1:]
	}
	return name
}

// edgeMessage builds the message of r with attr appended inside the nest
// at path.
func edgeMessage(t testing.TB, r Request, path []uint16, attr []byte) []byte {
	t.Helper()
	b, err := r.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), b[:codec.AttrOffset]...)
	body, found := edgeAppendIn(b[codec.AttrOffset:], path, attr)
	if !found {
		t.Fatalf("%v: no nest at %v", r.Op, path)
	}
	out = append(out, body...)
	nla.HostOrder.PutUint32(out, uint32(len(out)))
	return out
}

// edgeAppendIn returns the attributes run with attr appended inside the
// nest at path (at the end of run for an empty path).
func edgeAppendIn(run []byte, path []uint16, attr []byte) ([]byte, bool) {
	if len(path) == 0 {
		return append(append([]byte(nil), run...), attr...), true
	}
	var out []byte
	found := false
	for off := 0; off+nla.HeaderLen <= len(run); {
		l := int(nla.HostOrder.Uint16(run[off:]))
		typ := nla.HostOrder.Uint16(run[off+2:])
		next := min(len(run), off+(l+3)&^3)
		if typ&^(nla.FlagNested|nla.FlagNetByteOrder) == path[0] && !found {
			body, ok := edgeAppendIn(run[off+nla.HeaderLen:off+l], path[1:], attr)
			hdr := make([]byte, nla.HeaderLen)
			nla.HostOrder.PutUint16(hdr, uint16(nla.HeaderLen+len(body)))
			nla.HostOrder.PutUint16(hdr[2:], typ)
			out = append(append(out, hdr...), body...)
			for len(out)%4 != 0 {
				out = append(out, 0)
			}
			found = ok
		} else {
			out = append(out, run[off:next]...)
		}
		off = next
	}
	return out, found
}

// edgeAttr is an attribute of type typ with payload p, NLA_F_NESTED set
// for nests.
func edgeAttr(typ uint16, nested bool, p []byte) []byte {
	b := nla.AppendBytes(nil, typ, p)
	if nested {
		nla.HostOrder.PutUint16(b[2:], typ|nla.FlagNested)
	}
	return b
}

// edgeValue is v in size bytes, big-endian or in host order.
func edgeValue(v uint32, size int, host bool) []byte {
	b := make([]byte, 4)
	if host {
		nla.HostOrder.PutUint32(b, v)
		return b[:size]
	}
	switch size {
	case 1:
		return []byte{byte(v)}
	case 2:
		return []byte{byte(v >> 8), byte(v)}
	}
	return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// edgeCases returns every case, in the order the live test sends them.
func edgeCases(t testing.TB) []edgeCase {
	t.Helper()
	var cases []edgeCase
	carriers := edgeCarriers()
	add := func(name string, msg []byte) { cases = append(cases, edgeCase{name, msg}) }
	for si := range schema.Sets {
		s := &schema.Sets[si]
		for ai := range s.Attrs {
			a := &s.Attrs[ai]
			if a.Policy.Kind == schema.PolNone {
				continue
			}
			tn := edgeTableName(s, a)
			pols, ok := edgeTables[tn]
			c, ok2 := carriers[tn]
			if !ok || !ok2 || int(a.Num) >= len(pols) {
				t.Fatalf("%s: no generated table %q or no carrier for it", a.Kernel, tn)
			}
			p := pols[a.Num]
			host := a.Kind == schema.U32Host
			size := map[nla.PolicyType]int{nla.PolicyU8: 1, nla.PolicyU16: 2, nla.PolicyU32: 4}[p.Type]
			one := func(what string, payload []byte) {
				i := len(cases)
				if size == 2 && len(payload) >= 2 && strings.HasPrefix(what, "length") && !strings.HasSuffix(a.Kernel, "ZONE") {
					payload[0], payload[1] = byte((10000+i)>>8), byte(10000+i) // a port or id of its own
				}
				attr := edgeAttr(a.Num, p.Type == nla.PolicyNested, payload)
				add(fmt.Sprintf("%s %s", a.Kernel, what), edgeMessage(t, c.base(i, a.Num), c.path, attr))
			}
			switch p.Type {
			case nla.PolicyU8, nla.PolicyU16, nla.PolicyU32:
				one(fmt.Sprintf("length %d", size-1), make([]byte, size-1))
				one(fmt.Sprintf("length %d", size), edgeValue(0, size, host))
				one(fmt.Sprintf("length %d", size+1), make([]byte, size+1))
				if p.HasMax {
					one(fmt.Sprintf("value %d", p.Max), edgeValue(p.Max, size, host))
					one(fmt.Sprintf("value %d", p.Max+1), edgeValue(p.Max+1, size, host))
				}
				if p.Mask != 0 {
					one(fmt.Sprintf("value %#x", p.Mask), edgeValue(p.Mask, size, host))
					past := ^p.Mask & -^p.Mask // the lowest bit outside the mask
					one(fmt.Sprintf("value %#x", past), edgeValue(past, size, host))
					if top := uint32(1) << bits.Len32(p.Mask); top != past {
						one(fmt.Sprintf("value %#x", top), edgeValue(top, size, host))
					}
				}
			case nla.PolicyMinLen:
				one(fmt.Sprintf("length %d", p.Len-1), make([]byte, p.Len-1))
				one(fmt.Sprintf("length %d", p.Len), make([]byte, p.Len))
				one(fmt.Sprintf("length %d", p.Len+1), make([]byte, p.Len+1))
			case nla.PolicyBinary:
				one(fmt.Sprintf("length %d", p.Len), make([]byte, p.Len))
				one(fmt.Sprintf("length %d", p.Len+1), make([]byte, p.Len+1))
			case nla.PolicyString:
				str := func(n int, nul bool) []byte {
					b := bytes.Repeat([]byte{'x'}, n)
					if nul {
						b = append(b, 0)
					}
					return b
				}
				n := max(p.Len, 1)
				one(fmt.Sprintf("string of %d and a NUL", n), str(n, true))
				one(fmt.Sprintf("string of %d and a NUL", n+1), str(n+1, true))
				one(fmt.Sprintf("string of %d without a NUL", n), str(n, false))
				if p.Len > 0 {
					one(fmt.Sprintf("string of %d without a NUL", n+1), str(n+1, false))
				}
			case nla.PolicyNested:
				one("length 0", nil)
				one(fmt.Sprintf("length %d", nla.HeaderLen-1), make([]byte, nla.HeaderLen-1))
				one(fmt.Sprintf("length %d", nla.HeaderLen), []byte{4, 0, 0, 0})
			case nla.PolicyReject:
				one("length 8", make([]byte, 8))
			default:
				t.Fatalf("%s: policy type %d without edge cases", a.Kernel, p.Type)
			}
		}
	}
	// Every ICMP and ICMPv6 type in a create's original tuple, the reply
	// tuple carrying an echo reply.
	for _, fam := range []Family{FamilyIPv4, FamilyIPv6} {
		p, name, reply := ProtoICMP, "icmp", uint8(0)
		if fam == FamilyIPv6 {
			p, name, reply = ProtoICMPv6, "icmpv6", 129
		}
		for typ := range 256 {
			f := edgeFlow(len(cases), fam, p)
			f.Orig.ICMPType, f.Reply.ICMPType = uint8(typ), reply
			add(fmt.Sprintf("%s type %d", name, typ), edgeMessage(t, CreateRequest(0, &f), nil, nil))
		}
	}
	// Every status bit in a create, with IPS_CONFIRMED, and none at all.
	for bit := -1; bit < 32; bit++ {
		f := edgeFlow(len(cases), FamilyIPv4, ProtoTCP)
		st, name := uint32(0), "status 0"
		if bit >= 0 {
			st, name = uint32(StatusConfirmed)|1<<bit, fmt.Sprintf("status IPS_CONFIRMED|1<<%d", bit)
		}
		add(name, edgeMessage(t, CreateRequest(0, &f), nil, nla.AppendUint32BE(nil, uint16(AttrStatus), st)))
	}
	// Every built-in helper name, an empty one, one in other case and an
	// unknown one, in creates of both families and of TCP and UDP.
	names := []string{"", "FTP", "nosuch"}
	for _, h := range BuiltinHelpers {
		if !slices.Contains(names, h.Name) {
			names = append(names, h.Name)
		}
	}
	for _, n := range names {
		for _, fam := range []Family{FamilyIPv4, FamilyIPv6} {
			for _, p := range []Proto{ProtoTCP, ProtoUDP} {
				f := edgeFlow(len(cases), fam, p)
				f.Helper.Name, _ = MakeHelperName(n)
				f.Helper.Present.Add(HelpAttrName)
				f.Present.Add(AttrHelp)
				add(fmt.Sprintf("helper %q on %s %s", n, fam, p), edgeMessage(t, CreateRequest(0, &f), nil, nil))
			}
		}
	}
	// Every expectation function name, and an unknown one.
	for _, fn := range append(slices.Clone(expectFns), "nosuch") {
		r := edgeExpect(len(cases), false)
		add(fmt.Sprintf("expectfn %q", fn), edgeMessage(t, r, nil, nla.AppendString(nil, uint16(ExpectAttrFn), fn)))
	}
	return cases
}

// edgeErrno is ValidateMessage's verdict on msg: 0 or the errno.
func edgeErrno(t testing.TB, msg []byte) syscall.Errno {
	t.Helper()
	m, err := codec.ParseMessage(msg, nla.HostOrder)
	if err != nil {
		t.Fatal(err)
	}
	var errno syscall.Errno
	if err := ValidateMessage(m); err != nil && !errors.As(err, &errno) {
		t.Fatalf("ValidateMessage: %v (no errno)", err)
	}
	return errno
}

func readEdgeRecording(t testing.TB) map[string]syscall.Errno {
	t.Helper()
	f, err := os.Open(edgeRecording)
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	defer f.Close()
	rec := map[string]syscall.Errno{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, code, ok := strings.Cut(line, "\t")
		code, _, _ = strings.Cut(code, " ")
		n, err := strconv.Atoi(code)
		if !ok || err != nil {
			t.Fatalf("recording: bad line %q", line)
		}
		rec[name] = syscall.Errno(n)
	}
	return rec
}

// TestValidateEdges checks ValidateMessage against the kernel's recorded
// answer to every edge case.
func TestValidateEdges(t *testing.T) {
	rec := readEdgeRecording(t)
	cases := edgeCases(t)
	seen := map[string]bool{}
	counts := map[syscall.Errno]int{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("two cases named %q", c.name)
		}
		seen[c.name] = true
		want, ok := rec[c.name]
		if !ok {
			t.Errorf("%s: not in the recording (a changed table row? prove it live: go test -run TestLiveValidateEdges -update-edges)", c.name)
			continue
		}
		counts[want]++
		if got := edgeErrno(t, c.msg); got != want {
			t.Errorf("%s: ValidateMessage says %q (%d), the kernel %q (%d)", c.name, errString(got), got, errString(want), want)
		}
	}
	for name := range rec {
		if !seen[name] {
			t.Errorf("%s: recorded but no longer a case", name)
		}
	}
	t.Logf("%d cases: %v", len(cases), counts)
}

func errString(e syscall.Errno) string {
	if e == 0 {
		return "ok"
	}
	return e.Error()
}
