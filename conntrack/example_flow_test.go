package conntrack_test

import (
	"fmt"
	"net/netip"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// A flow encoded as the kernel sends it in a dump, then decoded back.
func ExampleDecoder_DecodeMessage() {
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	in := conntrack.Flow{
		Family:  conntrack.FamilyIPv4,
		Orig:    conntrack.PortTuple(conntrack.ProtoTCP, src, dst, 54321, 80),
		Reply:   conntrack.PortTuple(conntrack.ProtoTCP, dst, src, 80, 54321),
		Status:  conntrack.StatusSeenReply | conntrack.StatusAssured | conntrack.StatusConfirmed,
		Timeout: 120,
	}
	in.Present = conntrack.Attrs(conntrack.AttrTupleOrig, conntrack.AttrTupleReply,
		conntrack.AttrStatus, conntrack.AttrTimeout, conntrack.AttrMark) // a mark of 0 is still sent

	msg, err := in.MarshalBinary()
	if err != nil {
		panic(err)
	}
	m, err := codec.ParseMessage(msg, nla.HostOrder)
	if err != nil {
		panic(err)
	}
	var f conntrack.Flow
	if err := (conntrack.Decoder{}).DecodeMessage(m, &f); err != nil {
		panic(err)
	}
	fmt.Println(len(msg), f == in)
	fmt.Println(f.Family, f.Orig.Proto, f.Orig.Src, f.Orig.SrcPort, "->", f.Orig.Dst, f.Orig.DstPort)
	fmt.Println(f.Status, f.Present.Has(conntrack.AttrMark), f.Present.Has(conntrack.AttrUse))
	// Output:
	// 148 true
	// ipv4 tcp 10.0.0.1 54321 -> 10.0.0.2 80
	// SEEN_REPLY|ASSURED|CONFIRMED true false
}

// Decoding only some attributes skips the others at scan speed.
func ExampleDecoder_only() {
	src, dst := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	in := conntrack.Flow{
		Orig:         conntrack.ICMPTuple(src, dst, 7, 128, 0),
		Reply:        conntrack.ICMPTuple(dst, src, 7, 129, 0),
		CountersOrig: conntrack.Counters{Packets: 3, Bytes: 312},
		Mark:         9,
	}
	in.CountersOrig.Present.Add(conntrack.CounterAttrPackets)
	in.CountersOrig.Present.Add(conntrack.CounterAttrBytes)
	in.Present = conntrack.Attrs(conntrack.AttrTupleOrig, conntrack.AttrTupleReply,
		conntrack.AttrCountersOrig, conntrack.AttrMark)
	b, err := in.AppendAttrs(nil)
	if err != nil {
		panic(err)
	}

	d := conntrack.Decoder{Only: conntrack.Attrs(conntrack.AttrTupleOrig, conntrack.AttrCountersOrig)}
	var f conntrack.Flow
	if err := d.DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 0), &f); err != nil {
		panic(err)
	}
	fmt.Println(f.Orig.Proto, f.Orig.ICMPType, f.CountersOrig.Packets, f.CountersOrig.Bytes)
	fmt.Println(f.Present.Has(conntrack.AttrTupleReply), f.Present.Has(conntrack.AttrMark))
	// Output:
	// icmpv6 128 3 312
	// false false
}
