package conntrack

import (
	"strconv"
	"testing"

	"github.com/ctwire/ctwire/nla"
)

func typesPath(types ...uint16) nla.Path {
	var p nla.Path
	for _, t := range types {
		p = p.Append(t)
	}
	return p
}

func TestPathString(t *testing.T) {
	tests := []struct {
		sp   Space
		p    nla.Path
		want string
	}{
		{SpaceFlow, typesPath(1, 1, 1), "CTA_TUPLE_ORIG/CTA_TUPLE_IP/CTA_IP_V4_SRC"},
		{SpaceFlow, typesPath(2, 2, 7), "CTA_TUPLE_REPLY/CTA_TUPLE_PROTO/CTA_PROTO_ICMPV6_ID"},
		{SpaceFlow, typesPath(14, 3), "CTA_TUPLE_MASTER/CTA_TUPLE_ZONE"},
		{SpaceFlow, typesPath(4, 1, 4), "CTA_PROTOINFO/CTA_PROTOINFO_TCP/CTA_PROTOINFO_TCP_FLAGS_ORIGINAL"},
		{SpaceFlow, typesPath(4, 2, 4), "CTA_PROTOINFO/CTA_PROTOINFO_DCCP/CTA_PROTOINFO_DCCP_PAD"},
		{SpaceFlow, typesPath(4, 3, 2), "CTA_PROTOINFO/CTA_PROTOINFO_SCTP/CTA_PROTOINFO_SCTP_VTAG_ORIGINAL"},
		{SpaceFlow, typesPath(6, 3, 2), "CTA_NAT_SRC/CTA_NAT_PROTO/CTA_PROTONAT_PORT_MAX"},
		{SpaceFlow, typesPath(13, 5), "CTA_NAT_DST/CTA_NAT_V6_MAXIP"},
		{SpaceFlow, typesPath(10, 5), "CTA_COUNTERS_REPLY/CTA_COUNTERS_PAD"},
		{SpaceFlow, typesPath(20, 2), "CTA_TIMESTAMP/CTA_TIMESTAMP_STOP"},
		{SpaceFlow, typesPath(15, 1), "CTA_SEQ_ADJ_ORIG/CTA_SEQADJ_CORRECTION_POS"},
		{SpaceFlow, typesPath(24, 3), "CTA_SYNPROXY/CTA_SYNPROXY_TSOFF"},
		{SpaceFlow, typesPath(5, 2), "CTA_HELP/CTA_HELP_INFO"},
		{SpaceFlow, typesPath(19, 1), "CTA_SECCTX/CTA_SECCTX_NAME"},
		{SpaceFlow, typesPath(25, 2), "CTA_FILTER/CTA_FILTER_REPLY_FLAGS"},
		{SpaceFlow, typesPath(27), "CTA_TIMESTAMP_EVENT"},
		{SpaceFlow, typesPath(uint16(AttrMax+1), 1), strconv.Itoa(int(AttrMax+1)) + "/1"}, // unknown type, and nothing below it is named
		{SpaceFlow, typesPath(7, 1), "CTA_TIMEOUT/1"},                                     // not a nest
		{SpaceFlow, typesPath(1, 9), "CTA_TUPLE_ORIG/9"},
		{SpaceExpect, typesPath(10, 2, 2, 1), "CTA_EXPECT_NAT/CTA_EXPECT_NAT_TUPLE/CTA_TUPLE_PROTO/CTA_PROTO_NUM"},
		{SpaceExpect, typesPath(3, 1, 2), "CTA_EXPECT_MASK/CTA_TUPLE_IP/CTA_IP_V4_DST"},
		{SpaceExpect, typesPath(11), "CTA_EXPECT_FN"},
		{SpaceStatsCPU, typesPath(15), "CTA_STATS_CHAIN_TOOLONG"},
		{SpaceStatsGlobal, typesPath(2), "CTA_STATS_GLOBAL_MAX_ENTRIES"},
		{SpaceStatsExp, typesPath(3), "CTA_STATS_EXP_DELETE"},
		{Space(99), typesPath(1), "1"},
		{SpaceFlow, typesPath(), ""},
	}
	for _, tc := range tests {
		if got := PathString(tc.sp, tc.p); got != tc.want {
			t.Errorf("PathString(%v, %v) = %q, want %q", tc.sp, tc.p, got, tc.want)
		}
	}
}

func TestAttrStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{tableString(flowNames, uint16(AttrTimeout)), "CTA_TIMEOUT"},
		{tableString(flowNames, uint16(AttrTimestampEvent)), "CTA_TIMESTAMP_EVENT"},
		{tableString(flowNames, uint16(AttrMax+1)), strconv.Itoa(int(AttrMax + 1))},
		{tableString(tupleNames, uint16(TupleAttrZone)), "CTA_TUPLE_ZONE"},
		{tableString(ipNames, uint16(IPAttrV6Dst)), "CTA_IP_V6_DST"},
		{tableString(protoNames, uint16(ProtoAttrICMPCode)), "CTA_PROTO_ICMP_CODE"},
		{tableString(protoInfoNames, uint16(ProtoInfoAttrSCTP)), "CTA_PROTOINFO_SCTP"},
		{tableString(tcpNames, uint16(TCPAttrWScaleReply)), "CTA_PROTOINFO_TCP_WSCALE_REPLY"},
		{tableString(sctpNames, uint16(SCTPAttrVTagReply)), "CTA_PROTOINFO_SCTP_VTAG_REPLY"},
		{tableString(dccpNames, uint16(DCCPAttrHandshakeSeq)), "CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ"},
		{tableString(counterNames, uint16(CounterAttrBytes32)), "CTA_COUNTERS32_BYTES"},
		{tableString(timestampNames, uint16(TimestampAttrPad)), "CTA_TIMESTAMP_PAD"},
		{tableString(natNames, uint16(NATAttrProto)), "CTA_NAT_PROTO"},
		{tableString(protoNATNames, uint16(ProtoNATAttrPortMin)), "CTA_PROTONAT_PORT_MIN"},
		{tableString(seqAdjNames, uint16(SeqAdjAttrOffsetAfter)), "CTA_SEQADJ_OFFSET_AFTER"},
		{tableString(synproxyNames, uint16(SynproxyAttrITS)), "CTA_SYNPROXY_ITS"},
		{tableString(helpNames, uint16(HelpAttrName)), "CTA_HELP_NAME"},
		{tableString(secCtxNames, uint16(SecCtxAttrName)), "CTA_SECCTX_NAME"},
		{tableString(filterNames, uint16(FilterAttrOrigFlags)), "CTA_FILTER_ORIG_FLAGS"},
		{tableString(expectNames, uint16(ExpectAttrClass)), "CTA_EXPECT_CLASS"},
		{tableString(expectNATNames, uint16(ExpectNATAttrDir)), "CTA_EXPECT_NAT_DIR"},
		{tableString(statsCPUNames, uint16(StatsCPUAttrSearchRestart)), "CTA_STATS_SEARCH_RESTART"},
		{tableString(statsGlobalNames, uint16(StatsGlobalAttrEntries)), "CTA_STATS_GLOBAL_ENTRIES"},
		{tableString(statsExpNames, uint16(StatsExpAttrCreate)), "CTA_STATS_EXP_CREATE"},
		{tableString(statsExpNames, 9), "9"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestEnumStrings checks the names conntrack-tools prints
// (libnetfilter_conntrack's state and protocol tables).
func TestEnumStrings(t *testing.T) {
	tcp := []string{"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
		"LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2", "10"}
	for i, want := range tcp {
		if got := TCPState(i).String(); got != want {
			t.Errorf("TCPState(%d) = %q, want %q", i, got, want)
		}
	}
	sctp := []string{"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED", "SHUTDOWN_SENT",
		"SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED", "10"}
	for i, want := range sctp {
		if got := SCTPState(i).String(); got != want {
			t.Errorf("SCTPState(%d) = %q, want %q", i, got, want)
		}
	}
	dccp := []string{"NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ", "CLOSING",
		"TIMEWAIT", "IGNORE", "INVALID", "10"}
	for i, want := range dccp {
		if got := DCCPState(i).String(); got != want {
			t.Errorf("DCCPState(%d) = %q, want %q", i, got, want)
		}
	}
	protos := map[Proto]string{1: "icmp", 6: "tcp", 17: "udp", 33: "dccp", 47: "gre", 58: "icmpv6",
		132: "sctp", 136: "udplite", 0: "unknown", 2: "unknown", 255: "unknown"}
	for p, want := range protos {
		if got := p.String(); got != want {
			t.Errorf("Proto(%d) = %q, want %q", p, got, want)
		}
	}
	fams := map[Family]string{2: "ipv4", 10: "ipv6", 0: "unknown", 7: "unknown"}
	for f, want := range fams {
		if got := f.String(); got != want {
			t.Errorf("Family(%d) = %q, want %q", f, got, want)
		}
	}
	others := []struct{ got, want string }{
		{Status(0).String(), "0"},
		{(StatusSeenReply | StatusAssured | StatusConfirmed).String(), "SEEN_REPLY|ASSURED|CONFIRMED"},
		{(StatusExpected | StatusHWOffload | 1<<16 | 1<<20).String(), "EXPECTED|HW_OFFLOAD|0x110000"},
		{(TCPFlagWindowScale | TCPFlagSACKPerm).String(), "WINDOW_SCALE|SACK_PERM"},
		{(FilterIPSrc | FilterProtoNum | 1<<12).String(), "IP_SRC|PROTO_NUM|0x1000"},
		{DCCPRoleServer.String(), "SERVER"},
		{LayoutEvent.String(), "event"},
		{SpaceStatsExp.String(), "stats-exp"},
	}
	for _, tc := range others {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if b, _ := StatusAssured.AppendText([]byte("x=")); string(b) != "x=ASSURED" {
		t.Errorf("AppendText = %q", b)
	}
	if StatusUnchangeable != 0xdbf9 {
		t.Errorf("StatusUnchangeable = %#x, want 0xdbf9", uint32(StatusUnchangeable))
	}
}

func TestFixedStrings(t *testing.T) {
	if _, err := MakeHelperName("0123456789abcdef"); err != ErrTooLong {
		t.Errorf("16-byte helper name: %v, want ErrTooLong", err)
	}
	h, err := MakeHelperName("0123456789abcde")
	if err != nil || h.String() != "0123456789abcde" || h.Len() != 15 {
		t.Errorf("15-byte helper name: %q %v", h, err)
	}
	long := make([]byte, MaxSecCtxLen+1)
	if _, err := MakeSecCtx(string(long)); err != ErrTooLong {
		t.Errorf("long secctx: %v", err)
	}
	if _, err := MakeHelperInfo(make([]byte, MaxHelperInfoLen+1)); err != ErrTooLong {
		t.Errorf("long helper info: %v", err)
	}
	// Equal content means equal values, whatever was stored before.
	var a SecCtx
	a.setBytes([]byte("a longer context"))
	a.setBytes([]byte("short"))
	b, _ := MakeSecCtx("short")
	if a != b {
		t.Error("SecCtx keeps stale bytes")
	}
	var l Labels
	l.SetBit(9)
	l.SetBit(200)
	if !l.Bit(9) || l.Bit(8) || l.Bit(200) || l[1] != 0x02 {
		t.Errorf("labels %x", l)
	}
}

func TestExtras(t *testing.T) {
	var x Extras
	in := []ExtraAttr{
		{Index: 0, Type: 3},
		{Path: typesPath(1, 2), Index: 3, Type: 10, Flags: nla.FlagNetByteOrder, Payload: "\x01\x02"},
		{Path: typesPath(9), Index: 1, Type: 5, Flags: nla.FlagNested, Payload: "abc"},
	}
	for _, a := range in {
		x = x.Append(a)
	}
	if x.Len() != 3 {
		t.Fatalf("Len %d", x.Len())
	}
	var out []ExtraAttr
	for a := range x.All() {
		out = append(out, a)
	}
	if len(out) != len(in) {
		t.Fatalf("got %d back", len(out))
	}
	for i := range in {
		if out[i] != in[i] {
			t.Errorf("entry %d: %+v, want %+v", i, out[i], in[i])
		}
	}
	// A malformed Extras is reported by the encoder, not a panic.
	f := Flow{Extra: "\x05garbage"}
	if _, err := f.AppendAttrs(nil); err == nil {
		t.Error("malformed extras encoded without error")
	}
}
