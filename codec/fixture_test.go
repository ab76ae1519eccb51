package codec_test

import (
	"fmt"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/hexfix"
	"github.com/ctwire/ctwire/nla"
)

// Fixtures are written as the bytes a little-endian host sends or receives,
// in a notation that lets the same text be laid out for either byte order:
//
//	[48 00 00 00 01 01 05 00 01 00 00 00 00 00 00 00]
//	                a netlink header: u32 len, u16 type, u16 flags, u32 seq,
//	                u32 pid, each written little-endian; on a big-endian
//	                layout each field is reversed
//	<34 00 01 80>   an attribute header: u16 len and u16 type, likewise
//	{fe ff ff ff}   a host-order integer (2, 4 or 8 bytes): the error code
//	                of NLMSG_ERROR/NLMSG_DONE, a u32 extack TLV
//	0a 00 00 01     plain bytes, kept as they are (nfgenmsg, big-endian
//	                attribute payloads)
//	// ...          a comment to the end of the line
//
// Unless a comment says "synthetic", the bytes were received from a Linux
// 6.18 kernel over NETLINK_NETFILTER in a scratch network namespace (the
// socket had NETLINK_EXT_ACK set; its port id was 0x26bc).

// fixture lays out text in byte order o (HostOrder meaning the running
// host's order).
func fixture(o nla.Order, text string) []byte { return hexfix.Layout(o, text) }

// hostFixture is fixture in the running host's order: what a local socket
// would carry, and what the builders write.
func hostFixture(text string) []byte { return fixture(nla.HostOrder, text) }

// getRequest is the worked example of a GET by tuple: CT GET of
// 10.0.0.1:12345 -> 10.0.0.2:80 TCP, flags REQUEST|ACK, seq 1. 72 bytes.
// The kernel reads it in net/netfilter/nf_conntrack_netlink.c:
// ctnetlink_get_conntrack (ctnetlink_parse_tuple for CTA_TUPLE_ORIG).
const getRequest = `
[48 00 00 00 01 01 05 00 01 00 00 00 00 00 00 00] // len=72 type=0x0101 CT_GET flags=REQUEST|ACK seq=1 pid=0
02 00 00 00                     // nfgenmsg AF_INET, version 0, res_id 0
<34 00 01 80>                   // CTA_TUPLE_ORIG (1|NESTED) len=52           @20
  <14 00 01 80>                 //   CTA_TUPLE_IP len=20
    <08 00 01 00> 0a 00 00 01   //     CTA_IP_V4_SRC 10.0.0.1
    <08 00 02 00> 0a 00 00 02   //     CTA_IP_V4_DST 10.0.0.2
  <1c 00 02 80>                 //   CTA_TUPLE_PROTO len=28
    <05 00 01 00> 06 00 00 00   //     CTA_PROTO_NUM 6 (+3 pad)
    <06 00 02 00> 30 39 00 00   //     CTA_PROTO_SRC_PORT 12345 (+2 pad)
    <06 00 03 00> 00 50 00 00   //     CTA_PROTO_DST_PORT 80 (+2 pad)
`

// tcpFlow is the attribute area of the TCP entry 10.0.0.1:12345 ->
// 10.0.0.2:80 as the kernel dumps it (220 bytes, order 1,2,3,8,12,11,7,4,24).
// %s is the CTA_USE count byte (2 in the GET reply, 1 in the dumps).
const tcpFlow = `
<34 00 01 80>                   // CTA_TUPLE_ORIG len=52
  <14 00 01 80>                 //   CTA_TUPLE_IP
    <08 00 01 00> 0a 00 00 01   //     CTA_IP_V4_SRC 10.0.0.1
    <08 00 02 00> 0a 00 00 02   //     CTA_IP_V4_DST 10.0.0.2
  <1c 00 02 80>                 //   CTA_TUPLE_PROTO
    <05 00 01 00> 06 00 00 00   //     CTA_PROTO_NUM 6
    <06 00 02 00> 30 39 00 00   //     CTA_PROTO_SRC_PORT 12345
    <06 00 03 00> 00 50 00 00   //     CTA_PROTO_DST_PORT 80
<34 00 02 80>                   // CTA_TUPLE_REPLY len=52
  <14 00 01 80>
    <08 00 01 00> 0a 00 00 02
    <08 00 02 00> 0a 00 00 01
  <1c 00 02 80>
    <05 00 01 00> 06 00 00 00
    <06 00 02 00> 00 50 00 00
    <06 00 03 00> 30 39 00 00
<08 00 03 00> 00 00 00 0c       // CTA_STATUS ASSURED|CONFIRMED
<08 00 08 00> 00 00 00 00       // CTA_MARK 0
<08 00 0c 00> a3 9a bd b8       // CTA_ID
<08 00 0b 00> 00 00 00 %s       // CTA_USE
<08 00 07 00> 00 00 01 2b       // CTA_TIMEOUT 299
<30 00 04 80>                   // CTA_PROTOINFO len=48
  <2c 00 01 80>                 //   CTA_PROTOINFO_TCP
    <05 00 01 00> 03 00 00 00   //     STATE 3 ESTABLISHED
    <05 00 02 00> 00 00 00 00   //     WSCALE_ORIGINAL 0
    <05 00 03 00> 00 00 00 00   //     WSCALE_REPLY 0
    <06 00 04 00> 0a 00 00 00   //     FLAGS_ORIGINAL 0x0a mask 0
    <06 00 05 00> 0a 00 00 00   //     FLAGS_REPLY
<1c 00 18 80>                   // CTA_SYNPROXY len=28
  <08 00 01 00> 00 00 00 00     //   ISN
  <08 00 02 00> 00 00 00 00     //   ITS
  <08 00 03 00> 00 00 00 00     //   TSOFF
`

// v6Flow is the IPv6 TCP entry [2001:db8::1]:40000 -> [2001:db8::2]:443
// in SYN_SENT (268 bytes).
const v6Flow = `
<4c 00 01 80>                   // CTA_TUPLE_ORIG len=76
  <2c 00 01 80>                 //   CTA_TUPLE_IP len=44
    <14 00 03 00> 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 // CTA_IP_V6_SRC
    <14 00 04 00> 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 // CTA_IP_V6_DST
  <1c 00 02 80>
    <05 00 01 00> 06 00 00 00
    <06 00 02 00> 9c 40 00 00   //     SRC_PORT 40000
    <06 00 03 00> 01 bb 00 00   //     DST_PORT 443
<4c 00 02 80>                   // CTA_TUPLE_REPLY
  <2c 00 01 80>
    <14 00 03 00> 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
    <14 00 04 00> 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
  <1c 00 02 80>
    <05 00 01 00> 06 00 00 00
    <06 00 02 00> 01 bb 00 00
    <06 00 03 00> 9c 40 00 00
<08 00 03 00> 00 00 00 08       // CTA_STATUS CONFIRMED
<08 00 08 00> 00 00 00 00       // CTA_MARK
<08 00 0c 00> e2 63 bf bd       // CTA_ID
<08 00 0b 00> 00 00 00 01       // CTA_USE
<08 00 07 00> 00 00 00 3b       // CTA_TIMEOUT 59
<30 00 04 80>                   // CTA_PROTOINFO
  <2c 00 01 80>
    <05 00 01 00> 01 00 00 00   //     STATE 1 SYN_SENT
    <05 00 02 00> 00 00 00 00
    <05 00 03 00> 00 00 00 00
    <06 00 04 00> 0a 00 00 00
    <06 00 05 00> 0a 00 00 00
<1c 00 18 80>                   // CTA_SYNPROXY
  <08 00 01 00> 00 00 00 00
  <08 00 02 00> 00 00 00 00
  <08 00 03 00> 00 00 00 00
`

// udpFlow is the UDP entry 10.0.0.3:5353 -> 10.0.0.4:53 (172 bytes, no
// CTA_PROTOINFO).
const udpFlow = `
<34 00 01 80>
  <14 00 01 80>
    <08 00 01 00> 0a 00 00 03
    <08 00 02 00> 0a 00 00 04
  <1c 00 02 80>
    <05 00 01 00> 11 00 00 00   //     CTA_PROTO_NUM 17
    <06 00 02 00> 14 e9 00 00   //     SRC_PORT 5353
    <06 00 03 00> 00 35 00 00   //     DST_PORT 53
<34 00 02 80>
  <14 00 01 80>
    <08 00 01 00> 0a 00 00 04
    <08 00 02 00> 0a 00 00 03
  <1c 00 02 80>
    <05 00 01 00> 11 00 00 00
    <06 00 02 00> 00 35 00 00
    <06 00 03 00> 14 e9 00 00
<08 00 03 00> 00 00 00 08       // CTA_STATUS CONFIRMED
<08 00 08 00> 00 00 00 00       // CTA_MARK
<08 00 0c 00> 83 ef cc 16       // CTA_ID
<08 00 0b 00> 00 00 00 01       // CTA_USE
<08 00 07 00> 00 00 00 1d       // CTA_TIMEOUT 29
<1c 00 18 80>                   // CTA_SYNPROXY
  <08 00 01 00> 00 00 00 00
  <08 00 02 00> 00 00 00 00
  <08 00 03 00> 00 00 00 00
`

// getReply is the kernel's answer to getRequest: the entry (NLM_F_MULTI
// although it is a single object, and no NLMSG_DONE after it).
var getReply = `
[f0 00 00 00 00 01 02 00 01 00 00 00 bc 26 00 00] // len=240 CT_NEW MULTI seq=1 pid=0x26bc
02 00 00 00                                       // AF_INET
` + fmt.Sprintf(tcpFlow, "02")

// getAck follows getReply in a datagram of its own: error 0, capped.
const getAck = `
[24 00 00 00 02 00 00 01 01 00 00 00 bc 26 00 00] // len=36 NLMSG_ERROR flags=CAPPED seq=1
{00 00 00 00}                                     // error 0: ACK
[48 00 00 00 01 01 05 00 01 00 00 00 00 00 00 00] // the request's header, nothing more
`

// enoentError answers the same GET for port 12346, an entry that does not
// exist: -ENOENT, uncapped, echoing all 72 request bytes.
const enoentError = `
[5c 00 00 00 02 00 00 00 02 00 00 00 bc 26 00 00] // len=92 NLMSG_ERROR flags=0 seq=2
{fe ff ff ff}                                     // error -2 ENOENT
[48 00 00 00 01 01 05 00 02 00 00 00 00 00 00 00] // echoed request header   @20
02 00 00 00                                       // echoed request payload  @36
<34 00 01 80>
  <14 00 01 80>
    <08 00 01 00> 0a 00 00 01
    <08 00 02 00> 0a 00 00 02
  <1c 00 02 80>
    <05 00 01 00> 06 00 00 00
    <06 00 02 00> 30 3a 00 00   //     SRC_PORT 12346
    <06 00 03 00> 00 50 00 00
`

// dumpReply answers a full dump (seq 3, flags REQUEST|DUMP, AF_UNSPEC):
// three NLM_F_MULTI messages in one 720-byte datagram.
var dumpReply = `
[f0 00 00 00 00 01 02 00 03 00 00 00 bc 26 00 00] 02 00 00 00 // @0   len=240 AF_INET
` + fmt.Sprintf(tcpFlow, "01") + `
[20 01 00 00 00 01 02 00 03 00 00 00 bc 26 00 00] 0a 00 00 00 // @240 len=288 AF_INET6
` + v6Flow + `
[c0 00 00 00 00 01 02 00 03 00 00 00 bc 26 00 00] 02 00 00 00 // @528 len=192 AF_INET
` + udpFlow

// dumpDone ends that dump in a separate 20-byte datagram.
const dumpDone = `
[14 00 00 00 03 00 02 00 03 00 00 00 bc 26 00 00] // len=20 NLMSG_DONE MULTI seq=3
{00 00 00 00}                                     // dump_done_errno 0
`

// filteredDump answers a dump with nfgen_family AF_INET (seq 4): a filter
// object exists, so every message carries NLM_F_DUMP_FILTERED.
var filteredDump = `
[f0 00 00 00 00 01 22 00 04 00 00 00 bc 26 00 00] 02 00 00 00 // flags MULTI|DUMP_FILTERED
` + fmt.Sprintf(tcpFlow, "01") + `
[c0 00 00 00 00 01 22 00 04 00 00 00 bc 26 00 00] 02 00 00 00
` + udpFlow

// unalignedDump is synthetic: two kernel messages followed by a final
// message whose last attribute (CTA_ZONE, a u16) is left unpadded, so the
// datagram ends at nlmsg_len 26 with no alignment padding, as some senders
// do.
var unalignedDump = `
[f0 00 00 00 00 01 02 00 03 00 00 00 bc 26 00 00] 02 00 00 00 // @0
` + fmt.Sprintf(tcpFlow, "01") + `
[c0 00 00 00 00 01 02 00 03 00 00 00 bc 26 00 00] 02 00 00 00 // @240
` + udpFlow + `
[1a 00 00 00 00 01 02 00 03 00 00 00 bc 26 00 00] 02 00 00 00 // @432 len=26
<06 00 12 00> 00 05             // CTA_ZONE 5, no padding follows
`

// statsCPU answers CT_GET_STATS_CPU (0x0104, dump, seq 5) on a two-CPU
// machine: one message per CPU with res_id = htons(cpu).
const statsCPU = `
[64 00 00 00 04 01 02 00 05 00 00 00 bc 26 00 00] // len=100 type=0x0104 MULTI
00 00 00 00                     // AF_UNSPEC, version 0, res_id 0 (CPU 0)
<08 00 02 00> 00 00 00 00       // CTA_STATS_FOUND
<08 00 04 00> 00 00 00 00       // CTA_STATS_INVALID
<08 00 08 00> 00 00 00 02       // CTA_STATS_INSERT 2
<08 00 09 00> 00 00 00 00       // CTA_STATS_INSERT_FAILED
<08 00 0a 00> 00 00 00 00       // CTA_STATS_DROP
<08 00 0b 00> 00 00 00 00       // CTA_STATS_EARLY_DROP
<08 00 0c 00> 00 00 00 00       // CTA_STATS_ERROR
<08 00 0d 00> 00 00 00 00       // CTA_STATS_SEARCH_RESTART
<08 00 0e 00> 00 00 00 00       // CTA_STATS_CLASH_RESOLVE
<08 00 0f 00> 00 00 00 00       // CTA_STATS_CHAIN_TOOLONG
[64 00 00 00 04 01 02 00 05 00 00 00 bc 26 00 00] // @100
00 00 00 01                     // res_id 1 (CPU 1), big-endian
<08 00 02 00> 00 00 00 00
<08 00 04 00> 00 00 00 00
<08 00 08 00> 00 00 00 01       // CTA_STATS_INSERT 1
<08 00 09 00> 00 00 00 00
<08 00 0a 00> 00 00 00 00
<08 00 0b 00> 00 00 00 00
<08 00 0c 00> 00 00 00 00
<08 00 0d 00> 00 00 00 00
<08 00 0e 00> 00 00 00 00
<08 00 0f 00> 00 00 00 00
`

// policyError answers an EXP GET (seq 6) whose CTA_EXPECT_HELP_NAME holds
// 17 bytes and no NUL (policy NLA_NUL_STRING, max 15): -EINVAL, uncapped,
// with extack TLVs. The request's nlmsg_len is 41, unaligned, so three
// zero bytes pad the echo before the TLVs.
const policyError = `
[84 00 00 00 02 00 00 02 06 00 00 00 bc 26 00 00] // len=132 NLMSG_ERROR flags=ACK_TLVS seq=6
{ea ff ff ff}                                     // error -22 EINVAL
[29 00 00 00 01 02 05 00 06 00 00 00 00 00 00 00] // echoed header: len=41 EXP_GET REQUEST|ACK   @20
02 00 00 00                                       // echoed nfgenmsg                          @36
<15 00 06 00> 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 // CTA_EXPECT_HELP_NAME "a"x17 @40
00 00 00                                          // padding to NLMSG_ALIGN(41)               @61
<27 00 01 00>                                     // NLMSGERR_ATTR_MSG len=39                @64
  41 74 74 72 69 62 75 74 65 20 66 61 69 6c 65 64 20 70 6f 6c 69 63 79 20 76 61 6c 69 64 61 74 69 6f 6e 00 // "Attribute failed policy validation"
  00                                              // pad
<08 00 02 00> {14 00 00 00}                       // NLMSGERR_ATTR_OFFS 20: the attribute's offset in the request @104
<14 00 04 80>                                     // NLMSGERR_ATTR_POLICY (nested) len=20    @112
  <08 00 07 00> {0f 00 00 00}                     //   NL_POLICY_TYPE_ATTR_MAX_LENGTH 15
  <08 00 01 00> {0c 00 00 00}                     //   NL_POLICY_TYPE_ATTR_TYPE NUL_STRING (12)
`

// rejectError answers a CT GET (seq 7) carrying CTA_TIMESTAMP_EVENT, whose
// policy is NLA_REJECT: -EINVAL with MSG and OFFS but no POLICY.
const rejectError = `
[64 00 00 00 02 00 00 02 07 00 00 00 bc 26 00 00] // len=100 NLMSG_ERROR ACK_TLVS seq=7
{ea ff ff ff}                                     // -EINVAL
[20 00 00 00 01 01 05 00 07 00 00 00 00 00 00 00] // echoed header len=32
02 00 00 00
<0c 00 1b 00> 00 00 00 00 00 00 00 01             // CTA_TIMESTAMP_EVENT
<27 00 01 00>
  41 74 74 72 69 62 75 74 65 20 66 61 69 6c 65 64 20 70 6f 6c 69 63 79 20 76 61 6c 69 64 61 74 69 6f 6e 00 00
<08 00 02 00> {14 00 00 00}                       // OFFS 20
`

// missError is synthetic (ctnetlink never reports missing attributes this
// way): a capped -EINVAL naming the missing attribute type and the offset
// of the nest it was missing from, with a cookie.
const missError = `
[3c 00 00 00 02 00 00 03 09 00 00 00 bc 26 00 00] // len=60 NLMSG_ERROR CAPPED|ACK_TLVS seq=9
{ea ff ff ff}                                     // -EINVAL
[2c 00 00 00 01 01 05 00 09 00 00 00 00 00 00 00] // request header only
<08 00 03 00> de ad be ef                         // NLMSGERR_ATTR_COOKIE
<08 00 05 00> {02 00 00 00}                       // NLMSGERR_ATTR_MISS_TYPE 2
<08 00 06 00> {14 00 00 00}                       // NLMSGERR_ATTR_MISS_NEST 20
`

// doneTLVs is synthetic: an NLMSG_DONE ending an interrupted dump with an
// error code and an extack message (NLM_F_MULTI|NLM_F_DUMP_INTR|
// NLM_F_ACK_TLVS).
const doneTLVs = `
[28 00 00 00 03 00 12 02 0a 00 00 00 bc 26 00 00] // len=40 NLMSG_DONE seq=10
{f0 ff ff ff}                                     // dump_done_errno -16 EBUSY
<11 00 01 00> 74 61 62 6c 65 20 72 65 73 69 7a 65 00 // NLMSGERR_ATTR_MSG "table resize", len=17
00 00 00                                          // pad
`

// mustParse parses a datagram completely, failing the test on a framing
// error.
func mustParse(t testing.TB, b []byte, o nla.Order) []codec.Message {
	t.Helper()
	var ms []codec.Message
	for m, err := range codec.Messages(b, o) {
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		ms = append(ms, m)
	}
	return ms
}

// mustOne parses a datagram holding exactly one message.
func mustOne(t testing.TB, b []byte, o nla.Order) codec.Message {
	t.Helper()
	ms := mustParse(t, b, o)
	if len(ms) != 1 {
		t.Fatalf("datagram holds %d messages, want 1", len(ms))
	}
	return ms[0]
}

func TestFixtureLayout(t *testing.T) {
	le := fixture(nla.LittleEndian, "[01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10] <11 12 13 14> {15 16 17 18} 19 // [ff]")
	be := fixture(nla.BigEndian, "[01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10] <11 12 13 14> {15 16 17 18} 19")
	wantLE := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19}
	wantBE := []byte{4, 3, 2, 1, 6, 5, 8, 7, 12, 11, 10, 9, 16, 15, 14, 13, 0x12, 0x11, 0x14, 0x13, 0x18, 0x17, 0x16, 0x15, 0x19}
	if string(le) != string(wantLE) {
		t.Errorf("little-endian layout % x, want % x", le, wantLE)
	}
	if string(be) != string(wantBE) {
		t.Errorf("big-endian layout % x, want % x", be, wantBE)
	}
	for _, f := range []struct {
		name string
		text string
		n    int
	}{
		{"getRequest", getRequest, 72},
		{"getReply", getReply, 240},
		{"getAck", getAck, 36},
		{"enoentError", enoentError, 92},
		{"dumpReply", dumpReply, 720},
		{"dumpDone", dumpDone, 20},
		{"filteredDump", filteredDump, 432},
		{"unalignedDump", unalignedDump, 458},
		{"statsCPU", statsCPU, 200},
		{"policyError", policyError, 132},
		{"rejectError", rejectError, 100},
		{"missError", missError, 60},
		{"doneTLVs", doneTLVs, 40},
	} {
		if n := len(hostFixture(f.text)); n != f.n {
			t.Errorf("%s is %d bytes, want %d", f.name, n, f.n)
		}
	}
}
