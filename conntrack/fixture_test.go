package conntrack

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
)

// unhex turns a commented hex dump into bytes: everything after '#' on a
// line is a comment, whitespace is ignored.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	var b strings.Builder
	for line := range strings.SplitSeq(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		b.WriteString(strings.Join(strings.Fields(line), ""))
	}
	out, err := hex.DecodeString(b.String())
	if err != nil {
		t.Fatalf("bad fixture: %v", err)
	}
	return out
}

var bigEndianHost = nla.HostOrder.Resolve() == nla.BigEndian

// hostAttrs rewrites attribute headers written little-endian into the
// running host's order, descending into nests (NLA_F_NESTED) and turning
// the host-order CTA_FILTER flags too, so fixtures hold on big-endian hosts.
func hostAttrs(b []byte, inFilter bool) []byte {
	if !bigEndianHost {
		return b
	}
	out := append([]byte(nil), b...)
	swapAttrs(out, inFilter)
	return out
}

func swapAttrs(b []byte, inFilter bool) {
	for len(b) >= 4 {
		n := int(b[0]) | int(b[1])<<8
		typ := uint16(b[2]) | uint16(b[3])<<8
		b[0], b[1], b[2], b[3] = b[1], b[0], b[3], b[2]
		if n < 4 || n > len(b) {
			return
		}
		p := b[4:n]
		if typ&nla.FlagNested != 0 || looksNested(p) {
			swapAttrs(p, typ&nla.TypeMask == uint16(AttrFilter))
		} else if inFilter && len(p) == 4 {
			p[0], p[1], p[2], p[3] = p[3], p[2], p[1], p[0]
		}
		b = b[min(nla.Align(n), len(b)):]
	}
}

// looksNested reports whether p parses exactly as little-endian
// attributes: how the fixtures' nests without NLA_F_NESTED are found.
// No scalar payload in the fixtures passes this test.
func looksNested(p []byte) bool {
	if len(p) < 4 {
		return false
	}
	for len(p) > 0 {
		if len(p) < 4 {
			return false
		}
		n := int(p[0]) | int(p[1])<<8
		if n < 4 || n > len(p) {
			return false
		}
		p = p[min(nla.Align(n), len(p)):]
	}
	return true
}

// hostMessage is hostAttrs for a whole message: nlmsghdr then attributes.
func hostMessage(b []byte) []byte {
	if !bigEndianHost {
		return b
	}
	out := append([]byte(nil), b...)
	for _, f := range [][2]int{{0, 4}, {4, 2}, {6, 2}, {8, 4}, {12, 4}} {
		s := out[f[0] : f[0]+f[1]]
		for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
			s[i], s[j] = s[j], s[i]
		}
	}
	swapAttrs(out[20:], false)
	return out
}

var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.AllowUnexported(HelperName{}, HelperInfo{}, SecCtx{}),
	cmp.Comparer(func(a, b nla.Path) bool { return a == b }),
}

// dumpTCP is an IPv4 TCP entry as a kernel dump reply carries it: 284
// bytes, attributes in ctnetlink_fill_info order.
const dumpTCP = `
1c 01 00 00  00 01  02 00  00 00 00 00  00 00 00 00   # nlmsghdr len=284 type=0x0100 CT_NEW flags=MULTI
02 00 00 00                                            # nfgenmsg AF_INET v0 res_id 0
34 00 01 80                                            # CTA_TUPLE_ORIG (nested) len=52
  14 00 01 80                                          #   CTA_TUPLE_IP
    08 00 01 00 0a 00 00 01                            #     CTA_IP_V4_SRC 10.0.0.1
    08 00 02 00 0a 00 00 02                            #     CTA_IP_V4_DST 10.0.0.2
  1c 00 02 80                                          #   CTA_TUPLE_PROTO
    05 00 01 00 06 00 00 00                            #     CTA_PROTO_NUM 6 (+3 pad)
    06 00 02 00 d4 31 00 00                            #     CTA_PROTO_SRC_PORT 54321
    06 00 03 00 00 50 00 00                            #     CTA_PROTO_DST_PORT 80
34 00 02 80                                            # CTA_TUPLE_REPLY
  14 00 01 80
    08 00 01 00 0a 00 00 02                            #     src 10.0.0.2
    08 00 02 00 0a 00 00 01                            #     dst 10.0.0.1
  1c 00 02 80
    05 00 01 00 06 00 00 00
    06 00 02 00 00 50 00 00                            #     sport 80
    06 00 03 00 d4 31 00 00                            #     dport 54321
08 00 03 00 00 00 00 0e                                # CTA_STATUS SEEN_REPLY|ASSURED|CONFIRMED
08 00 08 00 00 00 00 2a                                # CTA_MARK 42
08 00 0c 00 de ad be ef                                # CTA_ID
08 00 0b 00 00 00 00 01                                # CTA_USE 1
08 00 07 00 00 06 97 78                                # CTA_TIMEOUT 431992
30 00 04 80                                            # CTA_PROTOINFO
  2c 00 01 80                                          #   CTA_PROTOINFO_TCP
    05 00 01 00 03 00 00 00                            #     STATE ESTABLISHED
    05 00 02 00 07 00 00 00                            #     WSCALE_ORIGINAL 7
    05 00 03 00 07 00 00 00                            #     WSCALE_REPLY 7
    06 00 04 00 27 00 00 00                            #     FLAGS_ORIGINAL flags=0x27 mask=0
    06 00 05 00 23 00 00 00                            #     FLAGS_REPLY flags=0x23 mask=0
1c 00 09 80                                            # CTA_COUNTERS_ORIG
  0c 00 01 00 00 00 00 00 00 00 00 0c                  #   PACKETS 12
  0c 00 02 00 00 00 00 00 00 00 03 74                  #   BYTES 884
1c 00 0a 80                                            # CTA_COUNTERS_REPLY
  0c 00 01 00 00 00 00 00 00 00 00 0a                  #   PACKETS 10
  0c 00 02 00 00 00 00 00 00 00 12 34                  #   BYTES 4660
10 00 14 80                                            # CTA_TIMESTAMP
  0c 00 01 00 18 7b 3a 1c 2f 4e 5a 00                  #   START
`

func dumpTCPFlow() Flow {
	a1, a2 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	f := Flow{
		Family:  FamilyIPv4,
		Orig:    PortTuple(ProtoTCP, a1, a2, 54321, 80),
		Reply:   PortTuple(ProtoTCP, a2, a1, 80, 54321),
		Status:  StatusSeenReply | StatusAssured | StatusConfirmed,
		Mark:    42,
		ID:      0xdeadbeef,
		Use:     1,
		Timeout: 431992,
		ProtoInfo: ProtoInfo{TCP: TCPInfo{
			State: TCPStateEstablished, WScaleOrig: 7, WScaleReply: 7,
			FlagsOrig:  TCPFlagsMask{Flags: 0x27},
			FlagsReply: TCPFlagsMask{Flags: 0x23},
			Present:    1<<TCPAttrState | 1<<TCPAttrWScaleOrig | 1<<TCPAttrWScaleReply | 1<<TCPAttrFlagsOrig | 1<<TCPAttrFlagsReply,
		}, Present: 1 << ProtoInfoAttrTCP},
		CountersOrig:  Counters{Packets: 12, Bytes: 884, Present: 1<<CounterAttrPackets | 1<<CounterAttrBytes},
		CountersReply: Counters{Packets: 10, Bytes: 4660, Present: 1<<CounterAttrPackets | 1<<CounterAttrBytes},
		Timestamp:     Timestamp{Start: 0x187b3a1c2f4e5a00, Present: 1 << TimestampAttrStart},
		Present: Attrs(AttrTupleOrig, AttrTupleReply, AttrStatus, AttrMark, AttrID, AttrUse,
			AttrTimeout, AttrProtoInfo, AttrCountersOrig, AttrCountersReply, AttrTimestamp),
	}
	return f
}
