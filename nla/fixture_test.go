package nla_test

import (
	"testing"

	"github.com/ctwire/ctwire/internal/hexfix"
	"github.com/ctwire/ctwire/nla"
)

// Fixtures are written as the bytes a little-endian host sends, with a
// small notation so the same text can be laid out for either byte order:
//
//	<34 00 01 80>   an attribute header: nla_len and nla_type, each a u16
//	                written little-endian; on a big-endian layout each pair
//	                is swapped (here to 00 34 80 01)
//	{01 00 00 00}   a host-order integer payload (2, 4 or 8 bytes) written
//	                little-endian; reversed on a big-endian layout
//	0a 00 00 01     plain bytes, kept as they are (network-order payloads)
//	// ...          a comment to the end of the line
//
// Fixtures are built with [nla.HostOrder] wherever the code under test reads
// or writes in host order, so the whole suite runs on big-endian hosts too.

// fixture lays out text in byte order o (HostOrder meaning the running
// host's order). The notation is package hexfix's; nla fixtures use its
// <attribute header> and {host integer} groups.
func fixture(o nla.Order, text string) []byte { return hexfix.Layout(o, text) }

// hostFixture is fixture in the running host's order.
func hostFixture(text string) []byte { return fixture(nla.HostOrder, text) }

// tupleOrig is the CTA_TUPLE_ORIG nest of the worked GET example (codec's
// getRequest): 10.0.0.1:12345 -> 10.0.0.2:80, TCP. It is 52 bytes; in the
// request it starts at message offset 20 (nlmsghdr 16 + nfgenmsg 4).
const tupleOrig = `
<34 00 01 80>                   // CTA_TUPLE_ORIG (1|NLA_F_NESTED) len=52        @0
  <14 00 01 80>                 //   CTA_TUPLE_IP (1|NESTED) len=20              @4
    <08 00 01 00> 0a 00 00 01   //     CTA_IP_V4_SRC 10.0.0.1                    @8
    <08 00 02 00> 0a 00 00 02   //     CTA_IP_V4_DST 10.0.0.2                    @16
  <1c 00 02 80>                 //   CTA_TUPLE_PROTO (2|NESTED) len=28           @24
    <05 00 01 00> 06 00 00 00   //     CTA_PROTO_NUM 6, len 5 + 3 pad            @28
    <06 00 02 00> 30 39 00 00   //     CTA_PROTO_SRC_PORT 12345 BE, len 6 + 2 pad @36
    <06 00 03 00> 00 50 00 00   //     CTA_PROTO_DST_PORT 80 BE, len 6 + 2 pad    @44
`

// flowPayload is the attribute part of a realistic IPv4 TCP dump reply
// (in the order of net/netfilter/nf_conntrack_netlink.c:
// ctnetlink_fill_info) for a source-NATed flow with accounting,
// timestamps and a label: 284 bytes, the size the design's performance
// figures are quoted for.
const flowPayload = `
<34 00 01 80>                   // CTA_TUPLE_ORIG len=52                       @0
  <14 00 01 80>                 //   CTA_TUPLE_IP
    <08 00 01 00> c0 a8 01 0a   //     CTA_IP_V4_SRC 192.168.1.10
    <08 00 02 00> 5d b8 d8 22   //     CTA_IP_V4_DST 93.184.216.34
  <1c 00 02 80>                 //   CTA_TUPLE_PROTO
    <05 00 01 00> 06 00 00 00   //     CTA_PROTO_NUM 6 (TCP)
    <06 00 02 00> c8 22 00 00   //     CTA_PROTO_SRC_PORT 51234
    <06 00 03 00> 01 bb 00 00   //     CTA_PROTO_DST_PORT 443
<34 00 02 80>                   // CTA_TUPLE_REPLY len=52                      @52
  <14 00 01 80>                 //   CTA_TUPLE_IP
    <08 00 01 00> 5d b8 d8 22   //     CTA_IP_V4_SRC 93.184.216.34
    <08 00 02 00> cb 00 71 05   //     CTA_IP_V4_DST 203.0.113.5 (SNAT)
  <1c 00 02 80>                 //   CTA_TUPLE_PROTO
    <05 00 01 00> 06 00 00 00   //     CTA_PROTO_NUM 6
    <06 00 02 00> 01 bb 00 00   //     CTA_PROTO_SRC_PORT 443
    <06 00 03 00> c8 22 00 00   //     CTA_PROTO_DST_PORT 51234
<08 00 03 00> 00 00 01 9e       // CTA_STATUS SEEN_REPLY|ASSURED|CONFIRMED|SRC_NAT|SRC_NAT_DONE|DST_NAT_DONE @104
<08 00 08 00> 00 00 00 00       // CTA_MARK 0                                  @112
<08 00 0c 00> 3f 2a 91 c4       // CTA_ID                                      @120
<08 00 0b 00> 00 00 00 01       // CTA_USE 1                                   @128
<08 00 07 00> 00 06 96 df       // CTA_TIMEOUT 431839 s                        @136
<30 00 04 80>                   // CTA_PROTOINFO len=48                        @144
  <2c 00 01 80>                 //   CTA_PROTOINFO_TCP len=44
    <05 00 01 00> 03 00 00 00   //     STATE 3 (ESTABLISHED)
    <05 00 02 00> 07 00 00 00   //     WSCALE_ORIGINAL 7
    <05 00 03 00> 07 00 00 00   //     WSCALE_REPLY 7
    <06 00 04 00> 23 00 00 00   //     FLAGS_ORIGINAL flags 0x23 mask 0
    <06 00 05 00> 23 00 00 00   //     FLAGS_REPLY flags 0x23 mask 0
<1c 00 09 80>                   // CTA_COUNTERS_ORIG len=28                    @192
  <0c 00 01 00> 00 00 00 00 00 00 00 2a   // CTA_COUNTERS_PACKETS 42, u64 BE, len 12
  <0c 00 02 00> 00 00 00 00 00 00 2b 67   // CTA_COUNTERS_BYTES 11111
<1c 00 0a 80>                   // CTA_COUNTERS_REPLY len=28                   @220
  <0c 00 01 00> 00 00 00 00 00 00 00 26   // CTA_COUNTERS_PACKETS 38
  <0c 00 02 00> 00 00 00 00 00 01 e2 40   // CTA_COUNTERS_BYTES 123456
<10 00 14 80>                   // CTA_TIMESTAMP len=16                        @248
  <0c 00 01 00> 18 8f 3b 4a 6e 1c 00 00   // CTA_TIMESTAMP_START ns, u64 BE
<14 00 16 00>                   // CTA_LABELS len=20 (host bitmap, bit 0 set)  @264
  01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`

// quirks gathers in one top-level attribute list the oddities a decoder
// meets (padded sub-4-byte values, a tuple with a zone and no IP nest, a
// type carrying NLA_F_NET_BYTEORDER) and the zero-length pads the kernel
// puts before u64 values on hosts without efficient unaligned access
// (include/net/netlink.h: nla_need_padding_for_64bit, nla_align_64bit),
// among them CTA_TIMESTAMP_PAD at the top level of events
// (net/netfilter/nf_conntrack_netlink.c: ctnetlink_dump_event_timestamp).
const quirks = `
<08 00 03 00> 00 00 01 8e       // CTA_STATUS 0x18e                            @0
<20 00 02 80>                   // CTA_TUPLE_REPLY len=32: a proto nest, a zone @8
  <14 00 02 80>                 //   CTA_TUPLE_PROTO len=20                   @12
    <05 00 01 00> 11 00 00 00   //     CTA_PROTO_NUM 17, 1-byte payload padded @16
    <06 00 02 00> 00 35 00 00   //     CTA_PROTO_SRC_PORT 53, 2 bytes padded   @24
  <06 00 03 00> 00 00 00 00     //   CTA_TUPLE_ZONE 0 (u16 BE)                 @32
<24 00 09 80>                   // CTA_COUNTERS_ORIG len=36                    @40
  <04 00 05 00>                 //   CTA_COUNTERS_PAD, zero-length             @44
  <0c 00 01 00> 00 00 00 00 00 00 00 02   // CTA_COUNTERS_PACKETS 2          @48
  <04 00 05 00>                 //   CTA_COUNTERS_PAD                          @60
  <0c 00 02 00> 00 00 00 00 00 00 00 98   // CTA_COUNTERS_BYTES 152          @64
<04 00 03 00>                   // CTA_TIMESTAMP_PAD = 3 = CTA_STATUS at top level @76
<0c 00 1b 00> 18 8f 3b 4a 6e 1c 00 00     // CTA_TIMESTAMP_EVENT (27)         @80
<08 00 01 40> de ad be ef       // type 1 with NLA_F_NET_BYTEORDER             @92
`

func TestFixtureLayout(t *testing.T) {
	// The notation itself: a header swaps per u16, a host integer reverses.
	le := fixture(nla.LittleEndian, "<34 00 01 80> {01 02 03 04} 0a 0b // comment <ff>")
	be := fixture(nla.BigEndian, "<34 00 01 80> {01 02 03 04} 0a 0b")
	wantLE := []byte{0x34, 0x00, 0x01, 0x80, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b}
	wantBE := []byte{0x00, 0x34, 0x80, 0x01, 0x04, 0x03, 0x02, 0x01, 0x0a, 0x0b}
	if string(le) != string(wantLE) {
		t.Errorf("little-endian layout % x, want % x", le, wantLE)
	}
	if string(be) != string(wantBE) {
		t.Errorf("big-endian layout % x, want % x", be, wantBE)
	}
	if n := len(hostFixture(tupleOrig)); n != 52 {
		t.Errorf("tupleOrig is %d bytes, want 52", n)
	}
	if n := len(hostFixture(flowPayload)); n != 284 {
		t.Errorf("flowPayload is %d bytes, want 284", n)
	}
	if n := len(hostFixture(quirks)); n != 100 {
		t.Errorf("quirks is %d bytes, want 100", n)
	}
}

// node is an attribute tree as decoded for comparisons. Nests (attributes
// carrying NLA_F_NESTED) have Kids and a nil Data; leaves have Data.
type node struct {
	Type   uint16
	Flags  uint16
	Offset int
	Data   []byte
	Kids   []node
}

// decodeTree walks s and every nest below it, descending into attributes
// that carry NLA_F_NESTED. It returns what it decoded before the first
// error, and that error.
func decodeTree(s nla.Scanner) ([]node, error) {
	var out []node
	for s.Next() {
		a := s.Attr()
		n := node{Type: a.Type, Flags: a.Flags, Offset: a.Offset}
		if a.Nested() {
			kids, err := decodeTree(s.Nested())
			n.Kids = kids
			if err != nil {
				return append(out, n), err
			}
		} else {
			n.Data = a.Payload
		}
		out = append(out, n)
	}
	return out, s.Err()
}
