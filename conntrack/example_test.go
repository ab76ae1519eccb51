package conntrack_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// mustHex decodes the hex of a datagram recorded from a little-endian
// Linux 6.18 kernel (testdata/live).
func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// A dump reply: one IPv4 UDP entry with counters and a timestamp.
func ExampleDecoder_Decode() {
	b := mustHex("ec0000000001020003000000ffc3bd9502000000340001801400018008000100c000020308000200c00002011c000280050001001100000006000200879e00000600030023280000340002801400018008000100c000020108000200c00002021c0002800500010011000000060002002328000006000300879e0000080003000000019a080008000000000008000c000c5339d908000b0000000001080007000000001d1c0009800c00010000000000000000020c00020000000000000000661c000a800c00010000000000000000020c0002000000000000000066100014800c00010018ebd2f46aff9b5d")
	var r conntrack.Record
	for m, err := range codec.Messages(b, nla.LittleEndian) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := (conntrack.Decoder{}).Decode(m, &r); err != nil {
			fmt.Println(err)
			return
		}
		f := &r.Flow
		fmt.Println(r.Kind, f.Family, f.Orig.Proto)
		fmt.Printf("orig  %v:%d -> %v:%d\n", f.Orig.Src, f.Orig.SrcPort, f.Orig.Dst, f.Orig.DstPort)
		fmt.Printf("reply %v:%d -> %v:%d\n", f.Reply.Src, f.Reply.SrcPort, f.Reply.Dst, f.Reply.DstPort)
		fmt.Println("status", f.Status, "timeout", f.Timeout)
		fmt.Println("packets", f.CountersOrig.Packets, f.CountersReply.Packets)
	}
	// Output:
	// flow ipv4 udp
	// orig  192.0.2.3:34718 -> 192.0.2.1:9000
	// reply 192.0.2.1:9000 -> 192.0.2.2:34718
	// status SEEN_REPLY|CONFIRMED|SRC_NAT|SRC_NAT_DONE|DST_NAT_DONE timeout 29
	// packets 2 2
}

// A filtered dump: IPv4 TCP entries to port 80 whose mark has 0x1 set.
func ExampleDumpRequest() {
	r := conntrack.DumpRequest(7, conntrack.FamilyIPv4)
	dst := netip.MustParseAddr("192.0.2.2")
	r.SetFilter(conntrack.PortTuple(conntrack.ProtoTCP, netip.Addr{}, dst, 0, 80),
		conntrack.FilterIPDst|conntrack.FilterProtoNum|conntrack.FilterProtoDstPort, conntrack.Tuple{}, 0)
	r.SetMark(0x1, 0x1)
	if err := conntrack.Validate(&r); err != nil {
		fmt.Println(err)
		return
	}
	b, err := r.AppendBinary(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := codec.ParseMessage(b, nla.HostOrder)
	fmt.Printf("%v flags=%#x seq=%d family=%d len=%d\n", conntrack.MessageType(m.Header.Type), m.Header.Flags, m.Header.Seq, m.NFGen.Family, len(b))

	// A filter flag for a field the tuple lacks is what the kernel refuses.
	r.SetFilter(conntrack.Tuple{}, conntrack.FilterProtoDstPort, conntrack.Tuple{}, 0)
	err = conntrack.Validate(&r)
	fmt.Println(errors.Is(err, syscall.EINVAL), err)
	// Output:
	// IPCTNL_MSG_CT_GET flags=0x301 seq=7 family=2 len=92
	// true conntrack: dump: CTA_TUPLE_ORIG at offset 20: layer-4 filter flags without CTA_FILTER_F_CTA_PROTO_NUM: invalid argument
}

// A conntrack event: a new UDP flow, as a socket in group
// NFNLGRP_CONNTRACK_NEW receives it.
func ExampleEventOf() {
	b := mustHex("a000000000010006000000000000000002000000340001801400018008000100c000020108000200c00002021c000280050001001100000006000200bb8700000600030000350000340002801400018008000100c000020308000200c00002011c00028005000100110000000600020014e9000006000300bb87000008000c005848d5d108000300000001a8080007000000001e0c001b0018ebd2f42da77504")
	m, err := codec.ParseMessage(b, nla.LittleEndian)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(conntrack.Classify(m), conntrack.EventOf(m))
	var r conntrack.Record
	if err := (conntrack.Decoder{}).Decode(m, &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Event, r.Flow.Orig.Src, "->", r.Flow.Orig.Dst, "dport", r.Flow.Orig.DstPort, "timeout", r.Flow.Timeout)
	fmt.Println("event time present:", r.Flow.Present.Has(conntrack.AttrTimestampEvent))
	// Output:
	// event NEW
	// NEW 192.0.2.1 -> 192.0.2.2 dport 53 timeout 30
	// event time present: true
}

// A kernel refusal with its extended acknowledgement: CT_NEW with a
// 2-byte CTA_TIMEOUT.
func ExampleRecord_Err() {
	b := mustHex("780000000200000307000000ffc3bd95deffffff8c00000000010504070000000000000027000100417474726962757465206661696c656420706f6c6963792076616c69646174696f6e00000800020084000000240004800c00040000000000000000000c000500ffffffff000000000800010004000000")
	m, err := codec.ParseMessage(b, nla.LittleEndian)
	if err != nil {
		fmt.Println(err)
		return
	}
	var r conntrack.Record
	if err := (conntrack.Decoder{}).Decode(m, &r); err != nil {
		fmt.Println(err)
		return
	}
	err = r.Err()
	fmt.Println(r.Kind, errors.Is(err, syscall.ERANGE))
	fmt.Printf("%s at offset %d of request seq %d\n", r.Error.Msg, r.Error.Offset, r.Error.Request.Seq)
	// Output:
	// error true
	// Attribute failed policy validation at offset 132 of request seq 7
}
