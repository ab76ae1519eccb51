package conntrack

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
)

func TestDumpTCPFixture(t *testing.T) {
	msg := hostMessage(unhex(t, dumpTCP))
	if len(msg) != 284 {
		t.Fatalf("fixture is %d bytes, want 284", len(msg))
	}
	want := dumpTCPFlow()

	var got Flow
	if err := got.UnmarshalBinary(msg); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Fatalf("decode (-want +got):\n%s", diff)
	}
	if got != want {
		t.Fatal("decoded flow differs under ==")
	}

	enc, err := want.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, msg) {
		t.Fatalf("encode:\n got %x\nwant %x", enc, msg)
	}
}

func TestDecodeMessageFamily(t *testing.T) {
	msg := hostMessage(unhex(t, dumpTCP))
	m, err := codec.ParseMessage(msg, nla.HostOrder)
	if err != nil {
		t.Fatal(err)
	}
	f := Flow{Family: FamilyIPv6}
	if err := (Decoder{}).DecodeMessage(m, &f); err != nil {
		t.Fatal(err)
	}
	if f.Family != FamilyIPv4 {
		t.Fatalf("family %v, want ipv4", f.Family)
	}
}

// attrCase is one hand-built attribute fixture: the attributes after
// nfgenmsg and the flow they mean. Encoding the flow must give the bytes
// back.
type attrCase struct {
	name string
	hex  string
	want Flow
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

var attrCases = []attrCase{
	{
		name: "icmp tuple: NUM, ID, TYPE, CODE",
		hex: `
3c 00 01 80                  # CTA_TUPLE_ORIG len=60
  14 00 01 80                #   CTA_TUPLE_IP
    08 00 01 00 c0 a8 00 01  #     V4_SRC 192.168.0.1
    08 00 02 00 c0 a8 00 02  #     V4_DST 192.168.0.2
  24 00 02 80                #   CTA_TUPLE_PROTO len=36
    05 00 01 00 01 00 00 00  #     NUM 1 (icmp)
    06 00 04 00 12 34 00 00  #     ICMP_ID 0x1234
    05 00 05 00 08 00 00 00  #     ICMP_TYPE 8 (echo)
    05 00 06 00 00 00 00 00  #     ICMP_CODE 0
`,
		want: Flow{Orig: ICMPTuple(mustAddr("192.168.0.1"), mustAddr("192.168.0.2"), 0x1234, 8, 0),
			Present: Attrs(AttrTupleOrig)},
	},
	{
		name: "icmpv6 tuple with IPv6 addresses",
		hex: `
54 00 02 80                  # CTA_TUPLE_REPLY len=84
  2c 00 01 80                #   CTA_TUPLE_IP len=44
    14 00 03 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02  # V6_SRC 2001:db8::2
    14 00 04 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  # V6_DST 2001:db8::1
  24 00 02 80                #   CTA_TUPLE_PROTO len=36
    05 00 01 00 3a 00 00 00  #     NUM 58 (icmpv6)
    06 00 07 00 00 07 00 00  #     ICMPV6_ID 7
    05 00 08 00 81 00 00 00  #     ICMPV6_TYPE 129 (echo reply)
    05 00 09 00 00 00 00 00  #     ICMPV6_CODE 0
`,
		want: Flow{Reply: ICMPTuple(mustAddr("2001:db8::2"), mustAddr("2001:db8::1"), 7, 129, 0),
			Present: Attrs(AttrTupleReply)},
	},
	{
		name: "gre keys, generic protocol, tuple zone",
		hex: `
34 00 01 80                  # CTA_TUPLE_ORIG
  14 00 01 80
    08 00 01 00 0a 00 00 01
    08 00 02 00 0a 00 00 02
  1c 00 02 80
    05 00 01 00 2f 00 00 00  #     NUM 47 (gre)
    06 00 02 00 00 01 00 00  #     SRC_PORT = key 1
    06 00 03 00 00 00 00 00  #     DST_PORT = key 0
2c 00 02 80                  # CTA_TUPLE_REPLY len=44
  14 00 01 80
    08 00 01 00 0a 00 00 02
    08 00 02 00 0a 00 00 01
  0c 00 02 80
    05 00 01 00 84 00 00 00  #     NUM 132 ... generic-looking tuple without ports
  06 00 03 00 00 05 00 00    #   CTA_TUPLE_ZONE 5
`,
		want: func() Flow {
			f := Flow{Orig: PortTuple(ProtoGRE, mustAddr("10.0.0.1"), mustAddr("10.0.0.2"), 1, 0),
				Reply:   ProtoTuple(ProtoSCTP, mustAddr("10.0.0.2"), mustAddr("10.0.0.1")),
				Present: Attrs(AttrTupleOrig, AttrTupleReply)}
			f.Reply.Zone, f.Reply.HasZone = 5, true
			return f
		}(),
	},
	{
		name: "zone, status, mark and masks, secmark, use, timeout",
		hex: `
06 00 12 00 00 07 00 00      # CTA_ZONE 7
08 00 03 00 00 00 00 02      # CTA_STATUS SEEN_REPLY
08 00 1a 00 00 00 00 06      # CTA_STATUS_MASK SEEN_REPLY|ASSURED
08 00 08 00 00 00 00 00      # CTA_MARK 0 (present)
08 00 15 00 ff ff 00 00      # CTA_MARK_MASK 0xffff0000
08 00 0b 00 00 00 00 03      # CTA_USE 3
08 00 07 00 00 00 00 78      # CTA_TIMEOUT 120
08 00 11 00 00 00 00 09      # CTA_SECMARK 9
`,
		want: Flow{Zone: 7, Status: StatusSeenReply, StatusMask: StatusSeenReply | StatusAssured,
			MarkMask: 0xffff0000, Use: 3, Timeout: 120, SecMark: 9,
			Present: Attrs(AttrZone, AttrStatus, AttrStatusMask, AttrMark, AttrMarkMask, AttrUse, AttrTimeout, AttrSecMark)},
	},
	{
		name: "sctp protoinfo",
		hex: `
20 00 04 80                  # CTA_PROTOINFO len=32
  1c 00 03 80                #   CTA_PROTOINFO_SCTP len=28
    05 00 01 00 02 00 00 00  #     STATE COOKIE_WAIT
    08 00 02 00 11 22 33 44  #     VTAG_ORIGINAL
    08 00 03 00 55 66 77 88  #     VTAG_REPLY
`,
		want: Flow{ProtoInfo: ProtoInfo{SCTP: SCTPInfo{State: SCTPStateCookieWait, VTagOrig: 0x11223344, VTagReply: 0x55667788,
			Present: 1<<SCTPAttrState | 1<<SCTPAttrVTagOrig | 1<<SCTPAttrVTagReply}, Present: 1 << ProtoInfoAttrSCTP},
			Present: Attrs(AttrProtoInfo)},
	},
	{
		name: "dccp protoinfo",
		hex: `
24 00 04 80                  # CTA_PROTOINFO len=36
  20 00 02 80                #   CTA_PROTOINFO_DCCP len=32
    05 00 01 00 04 00 00 00  #     STATE OPEN
    05 00 02 00 01 00 00 00  #     ROLE SERVER
    0c 00 03 00 00 00 00 00 00 01 00 02  # HANDSHAKE_SEQ 0x10002
`,
		want: Flow{ProtoInfo: ProtoInfo{DCCP: DCCPInfo{State: DCCPStateOpen, Role: DCCPRoleServer, HandshakeSeq: 0x10002,
			Present: 1<<DCCPAttrState | 1<<DCCPAttrRole | 1<<DCCPAttrHandshakeSeq}, Present: 1 << ProtoInfoAttrDCCP},
			Present: Attrs(AttrProtoInfo)},
	},
	{
		name: "destroy event tcp protoinfo with only the state",
		hex: `
10 00 04 80                  # CTA_PROTOINFO
  0c 00 01 80                #   CTA_PROTOINFO_TCP
    05 00 01 00 07 00 00 00  #     STATE TIME_WAIT
`,
		want: Flow{ProtoInfo: ProtoInfo{TCP: TCPInfo{State: TCPStateTimeWait, Present: 1 << TCPAttrState},
			Present: 1 << ProtoInfoAttrTCP}, Present: Attrs(AttrProtoInfo)},
	},
	{
		name: "secctx then helper with name and info",
		hex: `
2c 00 13 80                  # CTA_SECCTX len=44
  25 00 01 00                #   CTA_SECCTX_NAME len=37: 32 chars + NUL (+3 pad)
  73 79 73 74 65 6d 5f 75 3a 6f 62 6a 65 63 74 5f 72 3a 75 6e 6c 61 62 65 6c 65 64 5f 74 3a 73 30 00 00 00 00
18 00 05 80                  # CTA_HELP len=24
  08 00 01 00 66 74 70 00    #   CTA_HELP_NAME "ftp\0"
  0b 00 02 00 01 02 03 04 05 06 07 00  # CTA_HELP_INFO 7 bytes (+1 pad)
`,
		want: func() Flow {
			f := Flow{Present: Attrs(AttrHelp, AttrSecCtx)}
			f.Helper.Name, _ = MakeHelperName("ftp")
			f.Helper.Info, _ = MakeHelperInfo([]byte{1, 2, 3, 4, 5, 6, 7})
			f.Helper.Present = 1<<HelpAttrName | 1<<HelpAttrInfo
			f.SecCtx, _ = MakeSecCtx("system_u:object_r:unlabeled_t:s0")
			return f
		}(),
	},
	{
		name: "nat src v4 with ports, nat dst v6",
		hex: `
28 00 06 80                  # CTA_NAT_SRC len=40
  08 00 01 00 c0 00 02 01    #   V4_MINIP 192.0.2.1
  08 00 02 00 c0 00 02 09    #   V4_MAXIP 192.0.2.9
  14 00 03 80                #   CTA_NAT_PROTO len=20
    06 00 01 00 04 00 00 00  #     PORT_MIN 1024
    06 00 02 00 ff ff 00 00  #     PORT_MAX 65535
18 00 0d 80                  # CTA_NAT_DST len=24
  14 00 04 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 05  # V6_MINIP 2001:db8::5
`,
		want: Flow{
			NATSrc: NAT{MinIP: mustAddr("192.0.2.1"), MaxIP: mustAddr("192.0.2.9"), PortMin: 1024, PortMax: 65535,
				Present: 1<<ProtoNATAttrPortMin | 1<<ProtoNATAttrPortMax},
			NATDst:  NAT{MinIP: mustAddr("2001:db8::5")},
			Present: Attrs(AttrNATSrc, AttrNATDst)},
	},
	{
		name: "seqadj both directions, synproxy",
		hex: `
1c 00 0f 80                  # CTA_SEQ_ADJ_ORIG len=28
  08 00 01 00 00 00 10 00    #   CORRECTION_POS
  08 00 02 00 00 00 00 05    #   OFFSET_BEFORE
  08 00 03 00 00 00 00 06    #   OFFSET_AFTER
1c 00 10 80                  # CTA_SEQ_ADJ_REPLY
  08 00 01 00 00 00 20 00
  08 00 02 00 ff ff ff fb
  08 00 03 00 ff ff ff fa
1c 00 18 80                  # CTA_SYNPROXY
  08 00 01 00 01 00 00 00    #   ISN
  08 00 02 00 02 00 00 00    #   ITS
  08 00 03 00 03 00 00 00    #   TSOFF
`,
		want: Flow{
			SeqAdjOrig:  SeqAdj{CorrectionPos: 0x1000, OffsetBefore: 5, OffsetAfter: 6, Present: 0xe},
			SeqAdjReply: SeqAdj{CorrectionPos: 0x2000, OffsetBefore: 0xfffffffb, OffsetAfter: 0xfffffffa, Present: 0xe},
			Synproxy:    Synproxy{ISN: 1 << 24, ITS: 2 << 24, TSOff: 3 << 24, Present: 0xe},
			Present:     Attrs(AttrSeqAdjOrig, AttrSeqAdjReply, AttrSynproxy)},
	},
	{
		name: "labels 16 bytes, short labels mask",
		hex: `
14 00 16 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 80  # CTA_LABELS bits 0 and 127
08 00 17 00 ff 00 00 00      # CTA_LABELS_MASK one word
`,
		want: func() Flow {
			f := Flow{Present: Attrs(AttrLabels, AttrLabelsMask), LabelsMaskSize: 4}
			f.Labels.SetBit(0)
			f.Labels.SetBit(127)
			f.LabelsMask[0] = 0xff
			return f
		}(),
	},
	{
		name: "counters 32-bit legacy, timestamp with stop, timestamp event",
		hex: `
14 00 09 80                  # CTA_COUNTERS_ORIG len=20
  08 00 03 00 00 00 00 05    #   COUNTERS32_PACKETS 5
  08 00 04 00 00 00 01 00    #   COUNTERS32_BYTES 256
1c 00 14 80                  # CTA_TIMESTAMP
  0c 00 01 00 00 00 00 00 00 00 00 01  # START 1
  0c 00 02 00 00 00 00 00 00 00 00 02  # STOP 2
0c 00 1b 00 00 00 00 00 00 00 00 03    # CTA_TIMESTAMP_EVENT 3
`,
		want: Flow{
			CountersOrig:   Counters{Packets: 5, Bytes: 256, Present: 1<<CounterAttrPackets32 | 1<<CounterAttrBytes32},
			Timestamp:      Timestamp{Start: 1, Stop: 2, Present: 1<<TimestampAttrStart | 1<<TimestampAttrStop},
			TimestampEvent: 3,
			Present:        Attrs(AttrCountersOrig, AttrTimestamp, AttrTimestampEvent)},
	},
	{
		name: "master tuple and filter (host-order flags)",
		hex: `
34 00 0e 80                  # CTA_TUPLE_MASTER
  14 00 01 80
    08 00 01 00 0a 00 00 01
    08 00 02 00 0a 00 00 02
  1c 00 02 80
    05 00 01 00 06 00 00 00
    06 00 02 00 04 00 00 00  #     sport 1024
    06 00 03 00 00 15 00 00  #     dport 21
14 00 19 80                  # CTA_FILTER
  08 00 01 00 09 00 00 00    #   ORIG_FLAGS IP_SRC|PROTO_NUM (host order)
  08 00 02 00 00 00 00 00    #   REPLY_FLAGS 0
`,
		want: Flow{
			Master:  PortTuple(ProtoTCP, mustAddr("10.0.0.1"), mustAddr("10.0.0.2"), 1024, 21),
			Filter:  Filter{OrigFlags: FilterIPSrc | FilterProtoNum, Present: 1<<FilterAttrOrigFlags | 1<<FilterAttrReplyFlags},
			Present: Attrs(AttrTupleMaster, AttrFilter)},
	},
}

func TestAttrFixtures(t *testing.T) {
	for _, tc := range attrCases {
		t.Run(tc.name, func(t *testing.T) {
			b := hostAttrs(unhex(t, tc.hex), false)
			var got Flow
			if err := (Decoder{}).DecodeAttrs(nla.NewScanner(b), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpOpts); diff != "" {
				t.Fatalf("decode (-want +got):\n%s", diff)
			}
			enc, err := tc.want.AppendAttrs(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, b) {
				t.Fatalf("encode:\n got %x\nwant %x", enc, b)
			}
		})
	}
}

func TestLenient(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want Flow
	}{
		{
			name: "old kernel order, no NLA_F_NESTED",
			hex: `
08 00 07 00 00 00 00 0a      # CTA_TIMEOUT 10 first
10 00 04 00                  # CTA_PROTOINFO without NLA_F_NESTED
  0c 00 01 00                #   CTA_PROTOINFO_TCP without NLA_F_NESTED
    05 00 01 00 03 00 00 00  #     STATE ESTABLISHED
08 00 03 00 00 00 00 08      # CTA_STATUS CONFIRMED
`,
			want: Flow{Timeout: 10, Status: StatusConfirmed,
				ProtoInfo: ProtoInfo{TCP: TCPInfo{State: TCPStateEstablished, Present: 1 << TCPAttrState}, Present: 1 << ProtoInfoAttrTCP},
				Present:   Attrs(AttrTimeout, AttrProtoInfo, AttrStatus)},
		},
		{
			name: "unknown types skipped, duplicates last-wins, NLA_F_NET_BYTEORDER masked",
			hex: `
08 00 08 00 00 00 00 01      # CTA_MARK 1
08 00 63 00 de ad be ef      # type 99: unknown
08 00 08 40 00 00 00 02      # CTA_MARK 2 with NLA_F_NET_BYTEORDER
0c 00 01 80                  # CTA_TUPLE_ORIG
  08 00 09 00 00 00 00 00    #   unknown tuple attribute 9
`,
			want: Flow{Mark: 2, Present: Attrs(AttrMark, AttrTupleOrig)},
		},
		{
			name: "zero-length pads: top-level type 3 before CTA_TIMESTAMP_EVENT, counter pads",
			hex: `
08 00 03 00 00 00 00 0e      # CTA_STATUS 0x0e
04 00 03 00                  # zero-length pad of type 3 (CTA_TIMESTAMP_PAD at top level)
0c 00 1b 00 00 00 00 00 00 00 00 09  # CTA_TIMESTAMP_EVENT 9
18 00 09 80                  # CTA_COUNTERS_ORIG len=24
  04 00 05 00                #   CTA_COUNTERS_PAD
  0c 00 01 00 00 00 00 00 00 00 00 01  # PACKETS 1
  04 00 05 00                #   CTA_COUNTERS_PAD
`,
			want: Flow{Status: 0x0e, TimestampEvent: 9,
				CountersOrig: Counters{Packets: 1, Present: 1 << CounterAttrPackets},
				Present:      Attrs(AttrStatus, AttrTimestampEvent, AttrCountersOrig)},
		},
		{
			name: "unpadded final attribute",
			hex:  `05 00 07 00 01`, // a 1-byte CTA_TIMEOUT would be wrong; use a u8 nest below instead
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "unpadded final attribute" {
				// CTA_PROTOINFO{TCP{STATE}} with the last attribute's 3
				// pad bytes missing at the end of the message.
				b := hostAttrs(unhex(t, "0d 00 04 80 09 00 01 80 05 00 01 00 05"), false)
				var f Flow
				if err := (Decoder{}).DecodeAttrs(nla.NewScanner(b), &f); err != nil {
					t.Fatal(err)
				}
				if f.ProtoInfo.TCP.State != TCPStateCloseWait || !f.ProtoInfo.TCP.Present.Has(TCPAttrState) {
					t.Fatalf("got %+v", f.ProtoInfo)
				}
				return
			}
			b := hostAttrs(unhex(t, tc.hex), false)
			var got Flow
			if err := (Decoder{}).DecodeAttrs(nla.NewScanner(b), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpOpts); diff != "" {
				t.Fatalf("decode (-want +got):\n%s", diff)
			}
		})
	}
}

// TestKeepRoundTrip: with Keep, encode(decode(b)) == b even with unknown
// attributes and pads at every level.
func TestKeepRoundTrip(t *testing.T) {
	b := hostAttrs(unhex(t, `
04 00 00 00                  # type 0 zero-length (kept)
3c 00 01 80                  # CTA_TUPLE_ORIG len=60
  14 00 01 80
    08 00 01 00 0a 00 00 01
    08 00 02 00 0a 00 00 02
  24 00 02 80                #   CTA_TUPLE_PROTO len=36
    05 00 01 00 11 00 00 00  #     NUM 17
    08 00 0a 00 aa bb cc dd  #     unknown CTA_PROTO attribute 10 (kept)
    06 00 02 00 00 35 00 00
    06 00 03 00 00 35 00 00
08 00 03 00 00 00 00 08      # CTA_STATUS
04 00 03 00                  # top-level pad (type 3)
0c 00 1b 00 00 00 00 00 00 00 00 09  # CTA_TIMESTAMP_EVENT
20 00 09 80                  # CTA_COUNTERS_ORIG
  04 00 05 00                #   CTA_COUNTERS_PAD
  0c 00 01 00 00 00 00 00 00 00 00 01
  0c 00 02 00 00 00 00 00 00 00 00 40
09 00 7f 00 01 02 03 04 05 00 00 00  # unknown type 127, 5-byte payload
`), false)
	d := Decoder{Keep: true}
	var f Flow
	if err := d.DecodeAttrs(nla.NewScanner(b), &f); err != nil {
		t.Fatal(err)
	}
	if n := f.Extra.Len(); n != 5 {
		t.Fatalf("kept %d attributes, want 5", n)
	}
	var kept []string
	for x := range f.Extra.All() {
		kept = append(kept, PathString(SpaceFlow, x.Path.Append(x.Type)))
	}
	wantKept := []string{"CTA_UNSPEC", "CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/10", "CTA_STATUS",
		"CTA_COUNTERS_ORIG/CTA_COUNTERS_PAD", "127"}
	if diff := cmp.Diff(wantKept, kept); diff != "" {
		t.Fatalf("kept (-want +got):\n%s", diff)
	}
	// The kernel emits TIMESTAMP_EVENT last; here it precedes the counters,
	// so use the event layout, whose order matches.
	enc, err := f.AppendAttrsLayout(nil, LayoutEvent)
	if err != nil {
		t.Fatal(err)
	}
	// Event layout puts counters before TIMESTAMP_EVENT; the input has
	// them the other way round, so compare against a re-decode instead
	// of b when the orders differ, and check the exact bytes for the
	// dump layout of a kernel-ordered input below.
	var g Flow
	if err := d.DecodeAttrs(nla.NewScanner(enc), &g); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, g, cmpOpts); diff != "" {
		t.Fatalf("re-decode (-want +got):\n%s", diff)
	}

	// A kernel-ordered dump with unknown attributes spliced in reproduces
	// byte for byte.
	dump := hostMessage(unhex(t, dumpTCP))[20:]
	spliced := append([]byte(nil), dump[:52]...)                              // CTA_TUPLE_ORIG
	spliced = nla.AppendBytes(spliced, uint16(AttrMax+1), []byte{1, 2, 3, 4}) // a type the schema lacks
	spliced = append(spliced, dump[52:]...)
	if err := d.DecodeAttrs(nla.NewScanner(spliced), &f); err != nil {
		t.Fatal(err)
	}
	enc, err = f.AppendAttrs(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, spliced) {
		t.Fatalf("encode(decode(b)):\n got %x\nwant %x", enc, spliced)
	}
}

func TestOnly(t *testing.T) {
	b := hostMessage(unhex(t, dumpTCP))[20:]
	d := Decoder{Only: Attrs(AttrTupleOrig, AttrTupleReply, AttrCountersOrig, AttrCountersReply)}
	var got Flow
	if err := d.DecodeAttrs(nla.NewScanner(b), &got); err != nil {
		t.Fatal(err)
	}
	full := dumpTCPFlow()
	want := Flow{Orig: full.Orig, Reply: full.Reply, CountersOrig: full.CountersOrig,
		CountersReply: full.CountersReply, Present: d.Only}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		hex    string
		err    error
		path   string
		offset int // relative to the attributes
	}{
		{"v4 address of 5 bytes", `
1c 00 01 80
  18 00 01 80
    08 00 01 00 0a 00 00 01
    09 00 02 00 0a 00 00 02 01 00 00 00`, nla.ErrSize, "CTA_TUPLE_ORIG/CTA_TUPLE_IP/CTA_IP_V4_DST", 16},
		{"v6 address of 15 bytes", `
1c 00 02 80
  18 00 01 80
    13 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`, nla.ErrSize, "CTA_TUPLE_REPLY/CTA_TUPLE_IP/CTA_IP_V6_SRC", 8},
		{"port of 4 bytes", `
10 00 01 80
  0c 00 02 80
    08 00 02 00 00 00 00 50`, nla.ErrSize, "CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_SRC_PORT", 8},
		{"timeout of 2 bytes", `06 00 07 00 00 0a 00 00`, nla.ErrSize, "CTA_TIMEOUT", 0},
		{"tcp flags of 1 byte", `
08 00 08 00 00 00 00 01
10 00 04 80
  0c 00 01 80
    05 00 04 00 01 00 00 00`, nla.ErrSize, "CTA_PROTOINFO/CTA_PROTOINFO_TCP/CTA_PROTOINFO_TCP_FLAGS_ORIGINAL", 16},
		{"counter of 4 bytes", `
0c 00 0a 80
  08 00 02 00 00 00 00 01`, nla.ErrSize, "CTA_COUNTERS_REPLY/CTA_COUNTERS_BYTES", 4},
		{"helper name too long", `
18 00 05 80
  14 00 01 00 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70`, ErrTooLong, "CTA_HELP/CTA_HELP_NAME", 4},
		{"labels of 6 bytes", `0a 00 16 00 01 02 03 04 05 06 00 00`, ErrLabelsSize, "CTA_LABELS", 0},
		{"labels of 20 bytes", `18 00 16 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`, ErrTooLong, "CTA_LABELS", 0},
		{"truncated nest", `
0c 00 09 80
  0c 00 01 00 00 00 00 00`, nla.ErrTruncated, "CTA_COUNTERS_ORIG", 4},
		{"length below header", `02 00 07 00`, nla.ErrLength, "", 0},
		{"filter flags of 2 bytes", `
0c 00 19 80
  06 00 01 00 01 00 00 00`, nla.ErrSize, "CTA_FILTER/CTA_FILTER_ORIG_FLAGS", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := hostAttrs(unhex(t, tc.hex), false)
			before := dumpTCPFlow()
			f := before
			err := (Decoder{}).DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 20), &f)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not *conntrack.Error", err)
			}
			if ce.Path != tc.path || ce.Offset != 20+tc.offset {
				t.Fatalf("path %q offset %d, want %q %d (%v)", ce.Path, ce.Offset, tc.path, 20+tc.offset, err)
			}
			if f != before {
				t.Fatal("record changed on error")
			}
		})
	}
}

// TestTruncatedPrefixes: every prefix of a valid message either decodes
// (it ends on an attribute boundary) or fails with a typed error, never
// panics, and leaves the record alone on failure.
func TestTruncatedPrefixes(t *testing.T) {
	b := hostMessage(unhex(t, dumpTCP))[20:]
	var fails int
	for n := range len(b) {
		f := Flow{Mark: 77}
		err := (Decoder{}).DecodeAttrs(nla.NewScannerOrder(b[:n], nla.HostOrder, 20), &f)
		if err == nil {
			continue
		}
		fails++
		var ce *Error
		if !errors.As(err, &ce) || !(errors.Is(err, nla.ErrTruncated) || errors.Is(err, nla.ErrLength) || errors.Is(err, nla.ErrSize)) {
			t.Fatalf("prefix %d: untyped error %v", n, err)
		}
		if f.Mark != 77 || f.Present != 0 {
			t.Fatalf("prefix %d: record changed on error", n)
		}
	}
	if fails < len(b)/2 {
		t.Fatalf("only %d of %d prefixes failed", fails, len(b))
	}
}

func TestNoAllocs(t *testing.T) {
	msg := hostMessage(unhex(t, dumpTCP))
	attrs := msg[20:]
	m, err := codec.ParseMessage(msg, nla.HostOrder)
	if err != nil {
		t.Fatal(err)
	}
	rich := dumpTCPFlow()
	for _, tc := range attrCases {
		b := hostAttrs(unhex(t, tc.hex), false)
		var f Flow
		if err := (Decoder{}).DecodeAttrs(nla.NewScanner(b), &f); err != nil {
			t.Fatal(err)
		}
		// Fold every fixture's attributes into one flow.
		for typ := AttrType(1); typ <= AttrMax; typ++ {
			if f.Present.Has(typ) {
				mergeAttr(&rich, &f, typ)
			}
		}
	}
	richBytes, err := rich.AppendAttrs(nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	var f Flow
	tests := []struct {
		name string
		fn   func()
	}{
		{"DecodeAttrs", func() { _ = (Decoder{}).DecodeAttrs(nla.NewScanner(attrs), &f) }},
		{"DecodeAttrs rich (helper, secctx, labels, nat)", func() { _ = (Decoder{}).DecodeAttrs(nla.NewScanner(richBytes), &f) }},
		{"UnmarshalMessage", func() { _ = (Decoder{}).DecodeMessage(m, &f) }},
		{"UnmarshalBinary", func() { _ = f.UnmarshalBinary(msg) }},
		{"Only", func() { _ = Decoder{Only: Attrs(AttrTupleOrig)}.DecodeAttrs(nla.NewScanner(attrs), &f) }},
		{"AppendAttrs", func() { _, _ = rich.AppendAttrs(buf[:0]) }},
		{"AppendAttrsLayout event", func() { _, _ = rich.AppendAttrsLayout(buf[:0], LayoutEvent) }},
		{"AppendBinary", func() { _, _ = rich.AppendBinary(buf[:0]) }},
	}
	for _, tc := range tests {
		if n := testing.AllocsPerRun(100, tc.fn); n != 0 {
			t.Errorf("%s: %v allocations, want 0", tc.name, n)
		}
	}
}

// mergeAttr copies top-level attribute t from src into dst.
func mergeAttr(dst, src *Flow, t AttrType) {
	switch t {
	case AttrTupleOrig, AttrTupleReply:
		return // keep the TCP tuples
	case AttrHelp:
		dst.Helper = src.Helper
	case AttrSecCtx:
		dst.SecCtx = src.SecCtx
	case AttrLabels:
		dst.Labels, dst.LabelsSize = src.Labels, src.LabelsSize
	case AttrLabelsMask:
		dst.LabelsMask, dst.LabelsMaskSize = src.LabelsMask, src.LabelsMaskSize
	case AttrNATSrc:
		dst.NATSrc = src.NATSrc
	case AttrNATDst:
		dst.NATDst = src.NATDst
	case AttrTupleMaster:
		dst.Master = src.Master
	case AttrSeqAdjOrig:
		dst.SeqAdjOrig = src.SeqAdjOrig
	case AttrSeqAdjReply:
		dst.SeqAdjReply = src.SeqAdjReply
	case AttrSynproxy:
		dst.Synproxy = src.Synproxy
	case AttrFilter:
		dst.Filter = src.Filter
	case AttrZone:
		dst.Zone = src.Zone
	default:
		return
	}
	dst.Present.Add(t)
}

func BenchmarkDecodeDumpTCP(b *testing.B) {
	msg := hostMessage(unhex(b, dumpTCP))
	m, err := codec.ParseMessage(msg, nla.HostOrder)
	if err != nil {
		b.Fatal(err)
	}
	var f Flow
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := (Decoder{}).DecodeMessage(m, &f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeDumpTCPOnlyTuplesCounters(b *testing.B) {
	msg := hostMessage(unhex(b, dumpTCP))
	attrs := msg[20:]
	d := Decoder{Only: Attrs(AttrTupleOrig, AttrTupleReply, AttrCountersOrig, AttrCountersReply)}
	var f Flow
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := d.DecodeAttrs(nla.NewScannerOrder(attrs, nla.HostOrder, 20), &f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeDumpTCP(b *testing.B) {
	f := dumpTCPFlow()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	b.SetBytes(284)
	for b.Loop() {
		if _, err := f.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeFlowBytes(b *testing.B) {
	msg := hostMessage(unhex(b, dumpTCP))
	attrs := msg[20:]
	var f Flow
	var d Decoder
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := d.DecodeAttrs(nla.NewScannerOrder(attrs, nla.HostOrder, 20), &f); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzDecodeFlow: no input panics; whatever decodes re-encodes to bytes
// that decode to the same record, in both layouts; with Keep, decoding
// the re-encoding keeps the same attributes.
func FuzzDecodeFlow(f *testing.F) {
	f.Add(hostMessage(unhex(f, dumpTCP))[20:])
	for _, tc := range attrCases {
		f.Add(hostAttrs(unhex(f, tc.hex), false))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Decoder
		var x Flow
		if err := d.DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 0), &x); err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, l := range []Layout{LayoutDump, LayoutEvent} {
			enc, err := x.AppendAttrsLayout(nil, l)
			if err != nil {
				t.Fatal(err)
			}
			var y Flow
			if err := d.DecodeAttrs(nla.NewScannerOrder(enc, nla.HostOrder, 0), &y); err != nil {
				t.Fatalf("re-decode: %v", err)
			}
			if x != y {
				t.Fatalf("layout %v (-first +second):\n%s", l, cmp.Diff(x, y, cmpOpts))
			}
		}
		k := Decoder{Keep: true}
		if err := k.DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 0), &x); err != nil {
			t.Fatalf("keep: %v", err)
		}
		enc, err := x.AppendAttrs(nil)
		if err != nil {
			t.Fatal(err)
		}
		var y Flow
		if err := k.DecodeAttrs(nla.NewScannerOrder(enc, nla.HostOrder, 0), &y); err != nil {
			t.Fatalf("keep re-decode: %v", err)
		}
		if x.Extra.Len() != y.Extra.Len() {
			t.Fatalf("kept %d, then %d", x.Extra.Len(), y.Extra.Len())
		}
	})
}
