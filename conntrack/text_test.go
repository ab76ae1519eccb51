package conntrack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// textNow is the "now" of the table: 2023-11-14 22:13:20 UTC.
var textNow = time.Unix(1700000000, 0)

// textNames is the label map of the table.
var textNames = func() *LabelNames {
	var n LabelNames
	n[0], n[3], n[9], n[100] = "web", "db", "a b", "x-127"
	return &n
}()

func v4(s string) netip.Addr { return netip.MustParseAddr(s) }

// tcpFlow is a flow as the kernel dumps it: 192.0.2.1:33350 -> .2:21.
func tcpFlow() Flow {
	f := Flow{Family: FamilyIPv4}
	f.Orig = PortTuple(ProtoTCP, v4("192.0.2.1"), v4("192.0.2.2"), 33350, 21)
	f.Reply = PortTuple(ProtoTCP, v4("192.0.2.2"), v4("192.0.2.1"), 21, 33350)
	f.Status = StatusSeenReply | StatusAssured | StatusConfirmed
	f.Timeout = 431999
	f.ProtoInfo.Present.Add(ProtoInfoAttrTCP)
	f.ProtoInfo.TCP.State = TCPStateEstablished
	f.ProtoInfo.TCP.Present.Add(TCPAttrState)
	f.CountersOrig = Counters{Packets: 6, Bytes: 342, Present: 1<<CounterAttrPackets | 1<<CounterAttrBytes}
	f.CountersReply = Counters{Packets: 5, Bytes: 360, Present: 1<<CounterAttrPackets | 1<<CounterAttrBytes}
	f.Timestamp = Timestamp{Start: 1700000000_123456789 - 42e9, Present: 1 << TimestampAttrStart}
	f.Helper.Name, _ = MakeHelperName("ftp")
	f.Helper.Present.Add(HelpAttrName)
	f.Use = 1
	f.ID = 1046209135
	for _, a := range []AttrType{AttrTupleOrig, AttrTupleReply, AttrStatus, AttrTimeout, AttrProtoInfo,
		AttrCountersOrig, AttrCountersReply, AttrTimestamp, AttrHelp, AttrMark, AttrUse, AttrID} {
		f.Present.Add(a)
	}
	return f
}

// with returns f changed by fn.
func with(f Flow, fn func(*Flow)) Flow { fn(&f); return f }

// textCase is one line of the table. The nfct-tagged test prints every
// case that is not tableOnly with libnetfilter_conntrack too.
type textCase struct {
	name   string
	flow   Flow
	kind   EventKind
	portID uint32
	opt    TextOptions
	want   string
	// tableOnly: the line is conntrack's own printf around the library's
	// text (-o timestamp, [USERSPACE]) or uses a time zone other than UTC.
	tableOnly bool
}

var textCases = []textCase{{
	name: "dump",
	flow: tcpFlow(),
	want: "tcp      6 431999 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 packets=6 bytes=342 " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350 packets=5 bytes=360 [ASSURED] mark=0 delta-time=42 helper=ftp use=1",
}, {
	name: "extended,id",
	flow: tcpFlow(),
	opt:  TextOptions{Extended: true, ID: true},
	want: "ipv4     2 tcp      6 431999 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 packets=6 bytes=342 " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350 packets=5 bytes=360 [ASSURED] mark=0 delta-time=42 helper=ftp use=1 id=1046209135",
}, {
	name: "ktimestamp stopped",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Timestamp.Stop = 1700000000_999999999 + 3600e9
		f.Timestamp.Present.Add(TimestampAttrStop)
	}),
	opt: TextOptions{KTimestamp: true},
	want: "tcp      6 431999 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 packets=6 bytes=342 " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350 packets=5 bytes=360 [ASSURED] mark=0 delta-time=3642 " +
		"[start=Tue Nov 14 22:12:38 2023] [stop=Tue Nov 14 23:13:20 2023] helper=ftp use=1",
}, {
	name: "ktimestamp in a zone",
	flow: with(tcpFlow(), func(f *Flow) { f.Timestamp.Start = 1704067199e9 }), // 2023-12-31 23:59:59 UTC
	opt:  TextOptions{KTimestamp: true, Location: time.FixedZone("CET", 3600)},
	want: "tcp      6 431999 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 packets=6 bytes=342 " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350 packets=5 bytes=360 [ASSURED] mark=0 delta-time=18446744073705484417 " +
		"[start=Mon Jan  1 00:59:59 2024] helper=ftp use=1",
	tableOnly: true,
}, {
	name: "stop of zero is no stop, start in the future wraps",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Timestamp = Timestamp{Start: 1700000010e9, Present: 1<<TimestampAttrStart | 1<<TimestampAttrStop}
	}),
	opt: TextOptions{KTimestamp: true},
	want: "tcp      6 431999 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 packets=6 bytes=342 " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350 packets=5 bytes=360 [ASSURED] mark=0 delta-time=18446744073709551606 " +
		"[start=Tue Nov 14 22:13:30 2023] [stop=Thu Jan  1 00:00:00 1970] helper=ftp use=1",
}, {
	name: "new event",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrStatus, AttrTimeout, AttrProtoInfo, AttrID)
		f.Status = StatusConfirmed
		f.ProtoInfo.TCP.State = TCPStateSynSent
	}),
	kind: EventNew,
	opt:  TextOptions{Extended: true, ID: true},
	want: "    [NEW] ipv4     2 tcp      6 431999 SYN_SENT src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 [UNREPLIED] " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350 id=1046209135",
}, {
	name: "update event",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrStatus, AttrTimeout, AttrProtoInfo, AttrMark)
		f.Status = StatusConfirmed | StatusSeenReply
		f.ProtoInfo.TCP.State = TCPStateSynRecv
		f.Timeout = 60
		f.Mark = 0xffffffff
	}),
	kind: EventUpdate,
	want: " [UPDATE] tcp      6 60 SYN_RECV src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350 mark=4294967295",
}, {
	name: "destroy event",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present.Remove(AttrTimeout)
		f.Present.Remove(AttrUse)
		f.Timestamp.Stop = 1700000000_123456789 + 5e9
		f.Timestamp.Present.Add(TimestampAttrStop)
	}),
	kind: EventDestroy,
	opt:  TextOptions{Extended: true},
	want: "[DESTROY] ipv4     2 tcp      6 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 packets=6 bytes=342 " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350 packets=5 bytes=360 [ASSURED] mark=0 delta-time=47 helper=ftp",
}, {
	name: "event with -o timestamp and a process",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrStatus, AttrTimeout, AttrProtoInfo)
	}),
	kind:   EventNew,
	portID: 8624,
	opt:    TextOptions{Timestamp: true, Now: time.Unix(1700000000, 5000)},
	want: "[1700000000.000005]\t    [NEW] tcp      6 431999 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350 [ASSURED] [USERSPACE] portid=8624",
	tableOnly: true,
}, {
	name: "event time from CTA_TIMESTAMP_EVENT",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrTimestampEvent)
		f.TimestampEvent = 1700000001_000999999
	}),
	kind: EventUpdate,
	opt:  TextOptions{Timestamp: true},
	want: "[1700000001.000999]\t [UPDATE] tcp      6 src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 " +
		"src=192.0.2.2 dst=192.0.2.1 sport=21 dport=33350",
	tableOnly: true,
}, {
	name: "-o timestamp does not change dump lines",
	flow: with(tcpFlow(), func(f *Flow) { f.Present = Attrs(AttrTupleOrig) }),
	opt:  TextOptions{Timestamp: true},
	want: "tcp      6 src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21",
}, {
	name: "udp ipv6 unreplied, inet_ntop forms",
	flow: func() Flow {
		f := Flow{Family: FamilyIPv6, Status: StatusConfirmed, Timeout: 29}
		f.Orig = PortTuple(ProtoUDP, v4("2001:db8::1"), v4("::1.2.3.4"), 53, 5353)
		f.Reply = PortTuple(ProtoUDP, v4("::ffff:10.0.0.1"), v4("::2"), 5353, 53)
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrStatus, AttrTimeout)
		return f
	}(),
	want: "udp      17 29 src=2001:db8::1 dst=::1.2.3.4 sport=53 dport=5353 [UNREPLIED] src=::ffff:10.0.0.1 dst=::2 sport=5353 dport=53",
}, {
	name: "icmp, zones, offload",
	flow: func() Flow {
		f := Flow{Family: FamilyIPv4, Status: StatusSeenReply | StatusAssured | StatusOffload, Zone: 7}
		f.Orig = ICMPTuple(v4("192.0.2.1"), v4("192.0.2.2"), 17155, 8, 0)
		f.Orig.Zone, f.Orig.HasZone = 1, true
		f.Reply = ICMPTuple(v4("192.0.2.2"), v4("192.0.2.1"), 17155, 0, 0)
		f.Reply.Zone, f.Reply.HasZone = 65535, true
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrStatus, AttrZone)
		return f
	}(),
	opt:  TextOptions{Extended: true},
	want: "ipv4     2 icmp     1 src=192.0.2.1 dst=192.0.2.2 type=8 code=0 id=17155 zone-orig=1 src=192.0.2.2 dst=192.0.2.1 type=0 code=0 id=17155 zone-reply=65535 [OFFLOAD] zone=7",
}, {
	name: "icmpv6 hw offload wins",
	flow: func() Flow {
		f := Flow{Family: FamilyIPv6, Status: StatusSeenReply | StatusAssured | StatusOffload | StatusHWOffload}
		f.Orig = ICMPTuple(v4("2001:db8::1"), v4("2001:db8::2"), 1, 128, 0)
		f.Reply = ICMPTuple(v4("2001:db8::2"), v4("2001:db8::1"), 1, 129, 255)
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrStatus)
		return f
	}(),
	want: "icmpv6   58 src=2001:db8::1 dst=2001:db8::2 type=128 code=0 id=1 src=2001:db8::2 dst=2001:db8::1 type=129 code=255 id=1 [HW_OFFLOAD]",
}, {
	name: "gre keys in hex",
	flow: func() Flow {
		f := Flow{Family: FamilyIPv4}
		f.Orig = PortTuple(ProtoGRE, v4("10.0.0.1"), v4("10.0.0.2"), 0x1234, 0x5)
		f.Reply = PortTuple(ProtoGRE, v4("10.0.0.2"), v4("10.0.0.1"), 0x5, 0xabcd)
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply)
		return f
	}(),
	want: "gre      47 src=10.0.0.1 dst=10.0.0.2 srckey=0x1234 dstkey=0x5 src=10.0.0.2 dst=10.0.0.1 srckey=0x5 dstkey=0xabcd",
}, {
	name: "sctp, udplite, secmark, secctx",
	flow: func() Flow {
		f := Flow{Family: FamilyIPv4, SecMark: 12}
		f.Orig = PortTuple(ProtoSCTP, v4("10.0.0.1"), v4("10.0.0.2"), 1, 2)
		f.Reply = PortTuple(ProtoUDPLite, v4("10.0.0.2"), v4("10.0.0.1"), 2, 1)
		f.ProtoInfo.Present.Add(ProtoInfoAttrSCTP)
		f.ProtoInfo.SCTP = SCTPInfo{State: SCTPStateHeartbeatSent, Present: 1 << SCTPAttrState}
		f.SecCtx, _ = MakeSecCtx("system_u:object_r:unlabeled_t:s0")
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrProtoInfo, AttrSecMark, AttrSecCtx)
		return f
	}(),
	want: "sctp     132 HEARTBEAT_SENT src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 secmark=12 secctx=system_u:object_r:unlabeled_t:s0",
}, {
	name: "dccp, states out of range",
	flow: func() Flow {
		f := Flow{Family: FamilyIPv4}
		f.Orig = PortTuple(ProtoDCCP, v4("10.0.0.1"), v4("10.0.0.2"), 1, 2)
		f.ProtoInfo.Present.Add(ProtoInfoAttrDCCP)
		f.ProtoInfo.DCCP = DCCPInfo{State: 10, Present: 1 << DCCPAttrState}
		f.Present = Attrs(AttrTupleOrig, AttrProtoInfo)
		return f
	}(),
	want: "dccp     33 NONE src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2",
}, {
	name: "two states share one byte",
	flow: func() Flow {
		f := Flow{Family: FamilyIPv4}
		f.Orig = PortTuple(ProtoTCP, v4("10.0.0.1"), v4("10.0.0.2"), 1, 2)
		f.ProtoInfo.Present = 1<<ProtoInfoAttrTCP | 1<<ProtoInfoAttrSCTP
		f.ProtoInfo.TCP = TCPInfo{State: TCPStateTimeWait, Present: 1 << TCPAttrState}
		f.ProtoInfo.SCTP = SCTPInfo{State: SCTPStateClosed, Present: 1 << SCTPAttrState}
		f.Present = Attrs(AttrTupleOrig, AttrProtoInfo)
		return f
	}(),
	want: "tcp      6 SYN_SENT CLOSED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2",
}, {
	name: "generic protocol, unknown family, no reply protocol",
	flow: func() Flow {
		f := Flow{Family: 7, Use: 3}
		f.Orig = ProtoTuple(41, v4("10.0.0.1"), v4("10.0.0.2"))
		f.Reply = Tuple{Src: v4("10.0.0.2"), Dst: v4("10.0.0.1")}
		f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrUse)
		return f
	}(),
	opt:  TextOptions{Extended: true, ID: true},
	want: "unknown  7 unknown  41 use=3",
}, {
	name: "missing addresses and ports print as zero",
	flow: func() Flow {
		f := Flow{Family: FamilyIPv6}
		f.Orig = PortTuple(ProtoTCP, netip.Addr{}, v4("10.1.2.3"), 1, 2)
		f.Orig.Present = 1 << ProtoAttrNum
		f.Present = Attrs(AttrTupleOrig)
		return f
	}(),
	want: "tcp      6 src=:: dst=a01:203:: sport=0 dport=0",
}, {
	name: "counters need both values",
	flow: with(tcpFlow(), func(f *Flow) {
		f.CountersOrig.Present = 1<<CounterAttrPackets32 | 1<<CounterAttrBytes32
		f.CountersReply.Present = 1 << CounterAttrBytes
		f.Present = Attrs(AttrTupleOrig, AttrCountersOrig, AttrCountersReply)
	}),
	want: "tcp      6 src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 packets=6 bytes=342",
}, {
	name: "labels",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present = Attrs(AttrTupleOrig, AttrLabels, AttrID)
		for _, b := range []int{0, 1, 9, 100, 127} {
			f.Labels.SetBit(b)
		}
	}),
	opt:  TextOptions{ID: true, LabelNames: textNames},
	want: "tcp      6 src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 id=1046209135 labels=web,a b,x-127",
}, {
	name: "labels beyond the payload size are not looked at",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present = Attrs(AttrTupleOrig, AttrLabels)
		f.Labels.SetBit(3)
		f.LabelsSize = 4
	}),
	opt:  TextOptions{LabelNames: textNames},
	want: "tcp      6 src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 labels=db",
}, {
	name: "labels without a named bit lose their '='",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present = Attrs(AttrTupleOrig, AttrLabels)
		f.Labels.SetBit(1)
	}),
	opt:  TextOptions{LabelNames: textNames},
	want: "tcp      6 src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 labels",
}, {
	name: "labels without a map",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present = Attrs(AttrTupleOrig, AttrLabels)
		f.Labels.SetBit(0)
	}),
	opt:  TextOptions{Labels: true},
	want: "tcp      6 src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21",
}, {
	name: "empty helper name",
	flow: with(tcpFlow(), func(f *Flow) {
		f.Present = Attrs(AttrTupleOrig, AttrHelp)
		f.Helper.Name = HelperName{}
	}),
	want: "tcp      6 src=192.0.2.1 dst=192.0.2.2 sport=33350 dport=21 helper=",
}}

func TestAppendText(t *testing.T) {
	for _, c := range textCases {
		t.Run(c.name, func(t *testing.T) {
			got := string(appendCase(nil, &c))
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
		})
	}
}

// appendCase prints a case, with the table's "now" unless it has its own.
func appendCase(dst []byte, c *textCase) []byte {
	opt := c.opt
	if opt.Now.IsZero() {
		opt.Now = textNow
	}
	if c.kind == 0 && c.portID == 0 {
		return c.flow.AppendText(dst, opt)
	}
	return c.flow.AppendEventText(dst, c.kind, c.portID, opt)
}

func TestAppendTextAppends(t *testing.T) {
	f := tcpFlow()
	got := string(f.AppendText([]byte("x: "), TextOptions{Now: textNow}))
	if want := "x: " + textCases[0].want; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTextZeroNow: with the zero TextOptions, delta-time and the -o
// timestamp time of an event count to the current time, as conntrack's
// do, not to the zero time.Time (which printed
// delta-time=18446744009777508037).
func TestTextZeroNow(t *testing.T) {
	before := time.Now()
	f := tcpFlow()
	f.Timestamp.Start = uint64(before.Add(-5 * time.Second).UnixNano())
	line := string(f.AppendText(nil, TextOptions{}))
	after := time.Now()
	start := int64(f.Timestamp.Start / 1e9)
	_, rest, ok := strings.Cut(line, " delta-time=")
	if !ok {
		t.Fatalf("no delta-time in %q", line)
	}
	field, _, _ := strings.Cut(rest, " ")
	delta, err := strconv.ParseInt(field, 10, 64)
	if err != nil || delta < before.Unix()-start || delta > after.Unix()-start {
		t.Errorf("delta-time=%s for a flow started 5 s ago, want %d..%d: %q",
			field, before.Unix()-start, after.Unix()-start, line)
	}

	ev := with(tcpFlow(), func(f *Flow) { f.Present = Attrs(AttrTupleOrig) })
	before = time.Now()
	line = string(ev.AppendEventText(nil, EventNew, 0, TextOptions{Timestamp: true}))
	after = time.Now()
	field, _, _ = strings.Cut(strings.TrimPrefix(line, "["), ".")
	sec, err := strconv.ParseInt(field, 10, 64)
	if err != nil || sec < before.Unix() || sec > after.Unix() {
		t.Errorf("event time %s, want %d..%d: %q", field, before.Unix(), after.Unix(), line)
	}
}

func TestAppendTextNoAllocs(t *testing.T) {
	buf := make([]byte, 0, 1024)
	for _, c := range textCases {
		if n := testing.AllocsPerRun(100, func() { buf = appendCase(buf[:0], &c) }); n != 0 {
			t.Errorf("%s: %v allocations", c.name, n)
		}
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{0: "0", EventNew: "NEW", EventUpdate: "UPDATE", EventDestroy: "DESTROY", 9: "9"} {
		if got := k.String(); got != want {
			t.Errorf("EventKind(%d) = %q, want %q", k, got, want)
		}
	}
}

func TestParseTextOptions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want TextOptions
		err  error
	}{
		{"extended", TextOptions{Extended: true}, nil},
		{"extended,id,ktimestamp", TextOptions{Extended: true, ID: true, KTimestamp: true}, nil},
		{"timestamp", TextOptions{Timestamp: true}, nil},
		{"labels,userspace", TextOptions{Labels: true}, nil},
		// Prefixes, matched in conntrack's order and case-insensitively.
		{"ext,t,i,k,l", TextOptions{Extended: true, Timestamp: true, ID: true, KTimestamp: true, Labels: true}, nil},
		{"EXTENDED,Id", TextOptions{Extended: true, ID: true}, nil},
		// A prefix of SRC_NAT or DST_NAT is ignored.
		{"s,d,src_nat,extended", TextOptions{Extended: true}, nil},
		{"xml", TextOptions{}, ErrTextUnsupported},
		{"x", TextOptions{}, ErrTextUnsupported},
		{"id,save", TextOptions{}, ErrTextUnsupported},
		{"sa", TextOptions{}, ErrTextUnsupported},
		{"", TextOptions{}, ErrTextOption},
		{"id,", TextOptions{}, ErrTextOption},
		{",id", TextOptions{}, ErrTextOption},
		{"extendedx", TextOptions{}, ErrTextOption},
		{"json", TextOptions{}, ErrTextOption},
	} {
		got, err := ParseTextOptions(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("ParseTextOptions(%q) error %v, want %v", c.in, err, c.err)
			continue
		}
		if err != nil {
			if msg := err.Error(); !strings.Contains(msg, "`") || !strings.HasSuffix(msg, "'") {
				t.Errorf("ParseTextOptions(%q) error %q does not quote the option", c.in, err)
			}
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("ParseTextOptions(%q) (-want +got):\n%s", c.in, diff)
		}
	}
}

func TestAppendInet6(t *testing.T) {
	for in, want := range map[string]string{
		"::":                   "::",
		"::1":                  "::1",
		"::2":                  "::2",
		"::1:0":                "::0.1.0.0",
		"::102:304":            "::1.2.3.4",
		"::ffff:102:304":       "::ffff:1.2.3.4",
		"::ffff:0:0":           "::ffff:0.0.0.0",
		"1::":                  "1::",
		"2001:db8:0:1:0:0:0:1": "2001:db8:0:1::1",
		"2001:0:0:1:0:0:0:1":   "2001:0:0:1::1",
		"2001:0:0:1:2:0:0:1":   "2001::1:2:0:0:1",
		"1:0:2:0:3:0:4:0":      "1:0:2:0:3:0:4:0",
		"0:0:0:0:1:0:0:0":      "::1:0:0:0",
		"0:0:0:1:0:0:0:0":      "0:0:0:1::",
	} {
		if got := string(appendTextAddr(nil, FamilyIPv6, netip.MustParseAddr(in))); got != want {
			t.Errorf("appendInet6(%s) = %q, want %q", in, got, want)
		}
	}
}

// liveIndex is the index of a recording in testdata/live.
type liveIndex struct {
	Records []struct {
		Time   time.Time `json:"time"`
		Dir    string    `json:"dir"`
		Offset int       `json:"offset"`
		Length int       `json:"length"`
	} `json:"records"`
}

// liveMessage is one conntrack message of a recording.
type liveMessage struct {
	time time.Time
	m    codec.Message
	raw  []byte // the whole message
}

// readLive returns the messages the kernel sent in recording name.
func readLive(t *testing.T, name string) []liveMessage {
	t.Helper()
	dir := filepath.Join("..", "testdata", "live")
	js, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Skip(err)
	}
	bin, err := os.ReadFile(filepath.Join(dir, name+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	var idx liveIndex
	if err := json.Unmarshal(js, &idx); err != nil {
		t.Fatal(err)
	}
	var out []liveMessage
	for _, r := range idx.Records {
		if r.Dir != "in" {
			continue
		}
		dg := bin[r.Offset : r.Offset+r.Length]
		for m, err := range codec.Messages(dg, nla.LittleEndian) {
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.IsControl() || m.Header.Type>>8 != 1 {
				continue
			}
			out = append(out, liveMessage{r.Time, m, dg[m.Offset : m.Offset+int(m.Header.Len)]})
		}
	}
	return out
}

// The recorded dump prints as conntrack -L -o extended,id printed the
// same namespace a moment later: the same lines, but for timeouts and
// delta-times that may be a second apart.
func TestTextLiveDump(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "testdata", "live", "dump.conntrack.txt"))
	if err != nil {
		t.Skip(err)
	}
	want := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		want[l[strings.LastIndex(l, " id=")+4:]] = l
	}
	msgs := readLive(t, "dump")
	if len(msgs) != len(want) {
		t.Errorf("%d flows in the dump, %d lines in the listing", len(msgs), len(want))
	}
	opt := TextOptions{Extended: true, ID: true}
	for _, lm := range msgs {
		var f Flow
		if err := (Decoder{}).DecodeMessage(lm.m, &f); err != nil {
			t.Fatal(err)
		}
		opt.Now = lm.time
		got := string(f.AppendText(nil, opt))
		w, ok := want[strconv.FormatUint(uint64(f.ID), 10)]
		if !ok {
			t.Errorf("no listed flow for %q", got)
			continue
		}
		if !sameButSeconds(got, w) {
			t.Errorf("flow %d:\n got %q\nwant %q", f.ID, got, w)
		}
	}
}

// sameButSeconds reports whether the lines a and b have the same fields,
// but for a timeout (the third number) and a delta-time that may differ
// by one.
func sameButSeconds(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if fa[i] == fb[i] {
			continue
		}
		na, nb := strings.TrimPrefix(fa[i], "delta-time="), strings.TrimPrefix(fb[i], "delta-time=")
		if (i != 4 && na == fa[i]) || (na == fa[i]) != (nb == fb[i]) {
			return false
		}
		x, err1 := strconv.Atoi(na)
		y, err2 := strconv.Atoi(nb)
		if err1 != nil || err2 != nil || x-y > 1 || y-x > 1 {
			return false
		}
	}
	return true
}

func BenchmarkAppendText(b *testing.B) {
	b.Run("tcpFlow-ktimestamp", func(b *testing.B) {
		f := tcpFlow()
		opt := TextOptions{Extended: true, ID: true, KTimestamp: true, Now: textNow}
		buf := f.AppendText(nil, opt)
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			buf = f.AppendText(buf[:0], opt)
		}
	})
	// The lines of `ctwire decode -o extended,id` for the benchmarks'
	// flow messages (real dump replies, IPv4 and IPv6).
	for _, c := range benchFlows(b) {
		b.Run(c.name, func(b *testing.B) {
			var f Flow
			if err := f.UnmarshalBinary(c.msg); err != nil {
				b.Fatal(err)
			}
			opt := TextOptions{Extended: true, ID: true, Now: textNow}
			buf := f.AppendText(nil, opt)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = f.AppendText(buf[:0], opt)
			}
		})
	}
}

// labelConfText is a connlabel.conf with the cases the parser must get
// right; TestNfctLabelNames loads it with libnetfilter_conntrack too.
const labelConfText = "# comment\n" +
	"0 zero\n" +
	"  1\tone  \r\n" +
	"0x2 two-hex\n" +
	"010 eight octal\n" +
	"08 name starts with 8\n" + // bit 0 again: skipped
	"3 zero\n" + // name already used: skipped, bit 3 still free
	"3 three\n" +
	" # 4 not a comment\n" + // no number: skipped
	"5 bad_name\n" +
	"6\n" +
	"-7 negative\n" +
	"+9 plus\n" +
	"1023 too-high-to-keep\n" +
	"1024 over\n" +
	"0x7f last\n" +
	"11 eleven"

func TestParseLabelNames(t *testing.T) {
	got := ParseLabelNames([]byte(labelConfText))
	var want LabelNames
	want[0], want[1], want[2], want[8], want[3], want[9], want[127], want[11] =
		"zero", "one", "two-hex", "eight octal", "three", "plus", "last", "eleven"
	if got == nil {
		t.Fatal("ParseLabelNames = nil")
	}
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("ParseLabelNames (-want +got):\n%s", diff)
	}
	for _, s := range []string{"", "# only a comment\n", "x y\n", "5 bad!\n", "2000 big\n"} {
		if got := ParseLabelNames([]byte(s)); got != nil {
			t.Errorf("ParseLabelNames(%q) = %v, want nil", s, got)
		}
	}
}

func ExampleFlow_AppendText() {
	f := Flow{Family: FamilyIPv4, Status: StatusSeenReply | StatusAssured, Timeout: 117, Mark: 1, ID: 42}
	f.Orig = PortTuple(ProtoUDP, netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), 40000, 53)
	f.Reply = PortTuple(ProtoUDP, netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("192.0.2.1"), 53, 40000)
	f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrStatus, AttrTimeout, AttrMark, AttrID)

	opt, _ := ParseTextOptions("extended,id")
	fmt.Println(string(f.AppendText(nil, opt)))
	fmt.Println(string(f.AppendEventText(nil, EventUpdate, 0, TextOptions{})))
	// Output:
	// ipv4     2 udp      17 117 src=192.0.2.1 dst=192.0.2.2 sport=40000 dport=53 src=192.0.2.2 dst=192.0.2.1 sport=53 dport=40000 [ASSURED] mark=1 id=42
	//  [UPDATE] udp      17 117 src=192.0.2.1 dst=192.0.2.2 sport=40000 dport=53 src=192.0.2.2 dst=192.0.2.1 sport=53 dport=40000 [ASSURED] mark=1
}
