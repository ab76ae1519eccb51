package conntrack

import (
	"net/netip"
	"testing"
)

func TestDumpFilterMatch(t *testing.T) {
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	fl := Flow{Family: FamilyIPv4, Orig: PortTuple(ProtoTCP, a, b, 40000, 80),
		Reply: PortTuple(ProtoTCP, b, a, 80, 40000), Mark: 0x42, Status: StatusAssured | StatusConfirmed, Zone: 0}
	icmp := Flow{Family: FamilyIPv4, Orig: ICMPTuple(a, b, 1, 8, 0), Reply: ICMPTuple(b, a, 1, 0, 0)}
	zoned := fl
	zoned.Orig.Zone, zoned.Orig.HasZone = 7, true
	for _, tc := range []struct {
		name string
		f    DumpFilter
		fl   *Flow
		want bool
	}{
		{"empty", DumpFilter{}, &fl, true},
		{"family", DumpFilter{Family: FamilyIPv4}, &fl, true},
		{"other family", DumpFilter{Family: FamilyIPv6}, &fl, false},
		{"proto", DumpFilter{Proto: ProtoTCP}, &fl, true},
		{"other proto", DumpFilter{Proto: ProtoUDP}, &fl, false},
		{"proto 0", DumpFilter{HasProto: true}, &fl, false},
		{"src", DumpFilter{OrigSrc: a}, &fl, true},
		{"other src", DumpFilter{OrigSrc: b}, &fl, false},
		{"dst", DumpFilter{OrigDst: b}, &fl, true},
		{"reply src", DumpFilter{ReplySrc: b}, &fl, true},
		{"other reply dst", DumpFilter{ReplyDst: b}, &fl, false},
		{"sport", DumpFilter{Proto: ProtoTCP, SrcPort: 40000}, &fl, true},
		{"dport", DumpFilter{Proto: ProtoTCP, DstPort: 81}, &fl, false},
		{"port 0", DumpFilter{Proto: ProtoTCP, HasSrcPort: true}, &fl, false},
		{"port of icmp", DumpFilter{DstPort: 8}, &icmp, false},
		{"mark", DumpFilter{Mark: 0x42}, &fl, true},
		{"other mark", DumpFilter{Mark: 0x43}, &fl, false},
		{"mark/mask", DumpFilter{Mark: 0x40, MarkMask: 0xf0, HasMark: true}, &fl, true},
		{"mark 0", DumpFilter{HasMark: true, MarkMask: 0xffffffff}, &fl, false},
		{"mark 0/0", DumpFilter{HasMark: true}, &fl, true},
		{"status", DumpFilter{Status: StatusAssured}, &fl, true},
		{"status not all", DumpFilter{Status: StatusAssured | StatusSeenReply}, &fl, false},
		{"zone 0", DumpFilter{HasZone: true}, &fl, true},
		{"zone", DumpFilter{Zone: 7}, &fl, false},
		{"directional zone", DumpFilter{Zone: 7}, &zoned, true},
	} {
		if got := tc.f.Match(tc.fl); got != tc.want {
			t.Errorf("%s: Match = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDumpFilterRequest(t *testing.T) {
	a := netip.MustParseAddr("192.0.2.1")
	f := DumpFilter{Family: FamilyIPv4, Proto: ProtoTCP, DstPort: 80, OrigSrc: a,
		Mark: 1, Status: StatusAssured, Zone: 3}
	want := DumpRequest(9, FamilyIPv4)
	want.SetMark(1, 0xffffffff)
	want.SetStatus(StatusAssured, StatusAssured)
	want.SetZone(3)
	orig := Tuple{Src: a, Proto: ProtoTCP, DstPort: 80}
	orig.Present.Add(ProtoAttrNum)
	orig.Present.Add(ProtoAttrDstPort)
	want.SetFilter(orig, FilterIPSrc|FilterProtoNum|FilterProtoDstPort, Tuple{}, 0)
	if got := f.Request(9); got != want {
		t.Errorf("Request:\n got %+v\nwant %+v", got, want)
	}

	// No family: no tuple filter (the kernel needs one); IPv6 addresses
	// are left to Match.
	for _, f := range []DumpFilter{
		{Proto: ProtoTCP},
		{Family: FamilyIPv6, OrigSrc: netip.MustParseAddr("2001:db8::1")},
	} {
		if got, want := f.Request(0), DumpRequest(0, f.Family); got != want {
			t.Errorf("%+v: Request:\n got %+v\nwant %+v", f, got, want)
		}
	}
}
