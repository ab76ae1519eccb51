package nla_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/ctwire/ctwire/nla"
)

// Scanning the CTA_TUPLE_ORIG nest of a conntrack message: nests are
// entered with Nested, and small nests are best read with Index.
func ExampleScanner() {
	// Build the nest the kernel would send (headers in host order).
	b, orig := nla.BeginNest(nil, 1) // CTA_TUPLE_ORIG
	b, ip := nla.BeginNest(b, 1)     // CTA_TUPLE_IP
	b = nla.AppendAddr(b, 1, netip.MustParseAddr("10.0.0.1"))
	b = nla.AppendAddr(b, 2, netip.MustParseAddr("10.0.0.2"))
	b, _ = nla.EndNest(b, ip)
	b, proto := nla.BeginNest(b, 2) // CTA_TUPLE_PROTO
	b = nla.AppendUint8(b, 1, 6)
	b = nla.AppendUint16BE(b, 2, 12345)
	b = nla.AppendUint16BE(b, 3, 80)
	b, _ = nla.EndNest(b, proto)
	b, _ = nla.EndNest(b, orig)

	// The attributes follow a 16-byte nlmsghdr and a 4-byte nfgenmsg, so
	// offsets are reported from 20.
	s := nla.NewScannerOrder(b, nla.HostOrder, 20)
	for s.Next() {
		tuple := s.Nested()
		for tuple.Next() {
			switch tuple.Type() {
			case 1: // CTA_TUPLE_IP
				ip := tuple.Nested()
				for ip.Next() {
					a, err := nla.AddrV4(ip.Payload())
					if err != nil {
						fmt.Println(ip.Errorf(err))
						return
					}
					fmt.Printf("path %v type %d at %d: %v\n", ip.Path(), ip.Type(), ip.Attr().Offset, a)
				}
			case 2: // CTA_TUPLE_PROTO
				var attrs [4]nla.Attr
				if err := tuple.Nested().Index(attrs[:]); err != nil {
					fmt.Println(err)
					return
				}
				num, _ := nla.Uint8(attrs[1].Payload)
				sport, _ := nla.Uint16BE(attrs[2].Payload)
				dport, _ := nla.Uint16BE(attrs[3].Payload)
				fmt.Printf("proto %d %d -> %d\n", num, sport, dport)
			}
		}
	}
	if err := s.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// path 1/1 type 1 at 28: 10.0.0.1
	// path 1/1 type 2 at 36: 10.0.0.2
	// proto 6 12345 -> 80
}

// A malformed attribute yields an *nla.Error with its absolute offset and
// attribute path, unwrapping to a sentinel.
func ExampleError() {
	b := nla.AppendUint32BE(nil, 3, 0x18e) // CTA_STATUS
	b = append(b, 0x01, 0x00)              // two stray bytes
	s := nla.NewScannerOrder(b, nla.HostOrder, 20)
	for s.Next() {
	}
	var e *nla.Error
	if errors.As(s.Err(), &e) {
		fmt.Println(errors.Is(e, nla.ErrTruncated), e.Offset)
		fmt.Println(e)
	}
	// Output:
	// true 28
	// nla: truncated attribute at offset 28
}

// Building a nest: BeginNest reserves the header and EndNest patches its
// length once the children are appended.
func ExampleBeginNest() {
	b, start := nla.BeginNest(nil, 9) // CTA_COUNTERS_ORIG
	b = nla.AppendUint64BE(b, 1, 42)  // CTA_COUNTERS_PACKETS
	b = nla.AppendUint64BE(b, 2, 11111)
	b, err := nla.EndNest(b, start)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := nla.NewScanner(b)
	s.Next()
	a := s.Attr()
	fmt.Printf("type %d nested %v, %d bytes\n", a.Type, a.Nested(), len(b))
	for c := range s.Nested().All() {
		v, _ := nla.Uint64BE(c.Payload)
		fmt.Printf("  type %d at %d: %d\n", c.Type, c.Offset, v)
	}
	// Output:
	// type 9 nested true, 28 bytes
	//   type 1 at 4: 42
	//   type 2 at 16: 11111
}
