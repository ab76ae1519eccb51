package nla_test

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/ctwire/ctwire/nla"
)

// The bodies below are shared by the benchmarks and by TestNoAllocs, so
// the zero-allocation promise is checked on exactly the measured code.

// Attribute numbers (include/uapi/linux/netfilter/nfnetlink_conntrack.h:
// enum ctattr_type and the enums of its nests) used by the flow fixture.
const (
	ctaTupleOrig     = 1
	ctaTupleReply    = 2
	ctaStatus        = 3
	ctaProtoinfo     = 4
	ctaTimeout       = 7
	ctaMark          = 8
	ctaCountersOrig  = 9
	ctaCountersReply = 10
	ctaUse           = 11
	ctaID            = 12
	ctaTimestamp     = 20
	ctaLabels        = 22
	ctaMax           = 27

	ctaTupleIP    = 1
	ctaTupleProto = 2
	ctaIPV4Src    = 1
	ctaIPV4Dst    = 2
	ctaProtoNum   = 1
	ctaProtoSrc   = 2
	ctaProtoDst   = 3

	ctaProtoinfoTCP = 1
	ctaCountersPkts = 1
	ctaCountersByte = 2
	ctaTimestampBeg = 1
)

// Totals of flowPayload: 37 attributes at every level, 109 bytes of leaf
// payload.
const (
	flowAttrs        = 37
	flowLeafPayload  = 109
	flowPayloadBytes = 284
)

type tuple struct {
	src, dst     netip.Addr
	proto        uint8
	sport, dport uint16
}

type flow struct {
	orig, reply                  tuple
	status, mark, id, use, timer uint32
	tcpState                     uint8
	wscale                       [2]uint8
	tcpFlags                     [2][]byte
	packets, bytes               [2]uint64
	start                        uint64
	labels                       []byte
}

var wantFlow = flow{
	orig:   tuple{netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("93.184.216.34"), 6, 51234, 443},
	reply:  tuple{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("203.0.113.5"), 6, 443, 51234},
	status: 0x19e, mark: 0, id: 0x3f2a91c4, use: 1, timer: 431839,
	tcpState: 3, wscale: [2]uint8{7, 7},
	packets: [2]uint64{42, 38}, bytes: [2]uint64{11111, 123456},
	start: 0x188f3b4a6e1c0000,
}

// decodeTuple reads a CTA_TUPLE_* nest.
func decodeTuple(s nla.Scanner, t *tuple) error {
	for s.Next() {
		var err error
		switch s.Type() {
		case ctaTupleIP:
			ip := s.Nested()
			for ip.Next() {
				switch ip.Type() {
				case ctaIPV4Src:
					t.src, err = nla.AddrV4(ip.Payload())
				case ctaIPV4Dst:
					t.dst, err = nla.AddrV4(ip.Payload())
				}
				if err != nil {
					return ip.Errorf(err)
				}
			}
			if err := ip.Err(); err != nil {
				return err
			}
		case ctaTupleProto:
			var idx [ctaProtoDst + 1]nla.Attr
			if err := s.Nested().Index(idx[:]); err != nil {
				return err
			}
			if t.proto, err = nla.Uint8(idx[ctaProtoNum].Payload); err != nil {
				return err
			}
			if t.sport, err = nla.Uint16BE(idx[ctaProtoSrc].Payload); err != nil {
				return err
			}
			if t.dport, err = nla.Uint16BE(idx[ctaProtoDst].Payload); err != nil {
				return err
			}
		}
	}
	return s.Err()
}

// decodeCounters reads a CTA_COUNTERS_* nest.
func decodeCounters(s nla.Scanner, pkts, bytes *uint64) error {
	var idx [ctaCountersByte + 1]nla.Attr
	if err := s.Index(idx[:]); err != nil {
		return err
	}
	var err error
	if *pkts, err = nla.Uint64BE(idx[ctaCountersPkts].Payload); err != nil {
		return err
	}
	*bytes, err = nla.Uint64BE(idx[ctaCountersByte].Payload)
	return err
}

// decodeFlow decodes the attributes of a conntrack dump reply into f the
// way a record decoder does: the top level indexed by type, each nest
// walked, every value read with a typed accessor.
func decodeFlow(b []byte, f *flow) error {
	var top [ctaMax + 1]nla.Attr
	s := nla.NewScanner(b)
	if err := s.Index(top[:]); err != nil {
		return err
	}
	var err error
	u32 := func(t int, v *uint32) {
		if err == nil {
			*v, err = nla.Uint32BE(top[t].Payload)
		}
	}
	u32(ctaStatus, &f.status)
	u32(ctaMark, &f.mark)
	u32(ctaID, &f.id)
	u32(ctaUse, &f.use)
	u32(ctaTimeout, &f.timer)
	if err != nil {
		return err
	}
	// A scanner over one attribute, for Nested on an indexed attribute.
	nested := func(a nla.Attr) nla.Scanner {
		s := nla.NewScannerOrder(b[a.Offset:a.Offset+nla.HeaderLen+len(a.Payload)], nla.HostOrder, a.Offset)
		s.Next()
		return s.Nested()
	}
	if err := decodeTuple(nested(top[ctaTupleOrig]), &f.orig); err != nil {
		return err
	}
	if err := decodeTuple(nested(top[ctaTupleReply]), &f.reply); err != nil {
		return err
	}
	pi := nested(top[ctaProtoinfo])
	for pi.Next() {
		if pi.Type() != ctaProtoinfoTCP {
			continue
		}
		var tcp [6]nla.Attr
		if err := pi.Nested().Index(tcp[:]); err != nil {
			return err
		}
		if f.tcpState, err = nla.Uint8(tcp[1].Payload); err != nil {
			return err
		}
		if f.wscale[0], err = nla.Uint8(tcp[2].Payload); err != nil {
			return err
		}
		if f.wscale[1], err = nla.Uint8(tcp[3].Payload); err != nil {
			return err
		}
		f.tcpFlags[0], f.tcpFlags[1] = tcp[4].Payload, tcp[5].Payload
	}
	if err := pi.Err(); err != nil {
		return err
	}
	if err := decodeCounters(nested(top[ctaCountersOrig]), &f.packets[0], &f.bytes[0]); err != nil {
		return err
	}
	if err := decodeCounters(nested(top[ctaCountersReply]), &f.packets[1], &f.bytes[1]); err != nil {
		return err
	}
	var ts [ctaTimestampBeg + 1]nla.Attr
	if err := nested(top[ctaTimestamp]).Index(ts[:]); err != nil {
		return err
	}
	if f.start, err = nla.Uint64BE(ts[ctaTimestampBeg].Payload); err != nil {
		return err
	}
	f.labels = top[ctaLabels].Payload
	return nil
}

// walk visits every attribute below s with Next and Nested, descending
// into attributes that carry NLA_F_NESTED.
func walk(s nla.Scanner) (attrs, leafBytes int, err error) {
	for s.Next() {
		attrs++
		a := s.Attr()
		if !a.Nested() {
			leafBytes += len(a.Payload)
			continue
		}
		n, l, err := walk(s.Nested())
		attrs += n
		leafBytes += l
		if err != nil {
			return attrs, leafBytes, err
		}
	}
	return attrs, leafBytes, s.Err()
}

// walkAll is walk through the All iterator.
func walkAll(s nla.Scanner) (attrs, leafBytes int, err error) {
	for a, err := range s.All() {
		if err != nil {
			return attrs, leafBytes, err
		}
		attrs++
		if !a.Nested() {
			leafBytes += len(a.Payload)
			continue
		}
		n := nla.NewScannerOrder(a.Payload, s.Order(), a.PayloadOffset())
		k, l, err := walkAll(n)
		attrs += k
		leafBytes += l
		if err != nil {
			return attrs, leafBytes, err
		}
	}
	return attrs, leafBytes, nil
}

// appendFlow encodes flowPayload with the encoders.
func appendFlow(b []byte) []byte {
	appendTuple := func(b []byte, typ uint16, t *tuple) []byte {
		b, outer := nla.BeginNest(b, typ)
		b, ip := nla.BeginNest(b, ctaTupleIP)
		b = nla.AppendAddr(b, ctaIPV4Src, t.src)
		b = nla.AppendAddr(b, ctaIPV4Dst, t.dst)
		b, _ = nla.EndNest(b, ip)
		b, proto := nla.BeginNest(b, ctaTupleProto)
		b = nla.AppendUint8(b, ctaProtoNum, t.proto)
		b = nla.AppendUint16BE(b, ctaProtoSrc, t.sport)
		b = nla.AppendUint16BE(b, ctaProtoDst, t.dport)
		b, _ = nla.EndNest(b, proto)
		b, _ = nla.EndNest(b, outer)
		return b
	}
	appendCounters := func(b []byte, typ uint16, pkts, bytes uint64) []byte {
		b, start := nla.BeginNest(b, typ)
		b = nla.AppendUint64BE(b, ctaCountersPkts, pkts)
		b = nla.AppendUint64BE(b, ctaCountersByte, bytes)
		b, _ = nla.EndNest(b, start)
		return b
	}
	f := &wantFlow
	b = appendTuple(b, ctaTupleOrig, &f.orig)
	b = appendTuple(b, ctaTupleReply, &f.reply)
	b = nla.AppendUint32BE(b, ctaStatus, f.status)
	b = nla.AppendUint32BE(b, ctaMark, f.mark)
	b = nla.AppendUint32BE(b, ctaID, f.id)
	b = nla.AppendUint32BE(b, ctaUse, f.use)
	b = nla.AppendUint32BE(b, ctaTimeout, f.timer)
	b, pi := nla.BeginNest(b, ctaProtoinfo)
	b, tcp := nla.BeginNest(b, ctaProtoinfoTCP)
	b = nla.AppendUint8(b, 1, f.tcpState)
	b = nla.AppendUint8(b, 2, f.wscale[0])
	b = nla.AppendUint8(b, 3, f.wscale[1])
	b = nla.AppendBytes(b, 4, flowTCPFlags[:])
	b = nla.AppendBytes(b, 5, flowTCPFlags[:])
	b, _ = nla.EndNest(b, tcp)
	b, _ = nla.EndNest(b, pi)
	b = appendCounters(b, ctaCountersOrig, f.packets[0], f.bytes[0])
	b = appendCounters(b, ctaCountersReply, f.packets[1], f.bytes[1])
	b, ts := nla.BeginNest(b, ctaTimestamp)
	b = nla.AppendUint64BE(b, ctaTimestampBeg, f.start)
	b, _ = nla.EndNest(b, ts)
	return nla.AppendBytes(b, ctaLabels, flowLabels[:])
}

var (
	flowTCPFlags = [2]byte{0x23, 0x00} // flags, mask (0 on output)
	flowLabels   = [16]byte{0: 1}
)

func TestDecodeFlow(t *testing.T) {
	var f flow
	if err := decodeFlow(hostFixture(flowPayload), &f); err != nil {
		t.Fatal(err)
	}
	want := wantFlow
	want.tcpFlags = [2][]byte{flowTCPFlags[:], flowTCPFlags[:]}
	want.labels = flowLabels[:]
	if f.orig != want.orig || f.reply != want.reply || f.status != want.status || f.mark != want.mark ||
		f.id != want.id || f.use != want.use || f.timer != want.timer || f.tcpState != want.tcpState ||
		f.wscale != want.wscale || f.packets != want.packets || f.bytes != want.bytes || f.start != want.start ||
		!bytes.Equal(f.tcpFlags[0], want.tcpFlags[0]) || !bytes.Equal(f.tcpFlags[1], want.tcpFlags[1]) ||
		!bytes.Equal(f.labels, want.labels) {
		t.Errorf("decoded flow\n %+v\nwant\n %+v", f, want)
	}
	for name, w := range map[string]func(nla.Scanner) (int, int, error){"walk": walk, "walkAll": walkAll} {
		n, l, err := w(nla.NewScanner(hostFixture(flowPayload)))
		if err != nil || n != flowAttrs || l != flowLeafPayload {
			t.Errorf("%s: %d attributes, %d payload bytes, %v; want %d, %d", name, n, l, err, flowAttrs, flowLeafPayload)
		}
	}
}

func benchmarkWalk(tb testing.TB, b []byte) {
	n, l, err := walk(nla.NewScanner(b))
	if err != nil || n != flowAttrs || l != flowLeafPayload {
		tb.Fatalf("walk: %d %d %v", n, l, err)
	}
}

func benchmarkWalkAll(tb testing.TB, b []byte) {
	n, l, err := walkAll(nla.NewScanner(b))
	if err != nil || n != flowAttrs || l != flowLeafPayload {
		tb.Fatalf("walkAll: %d %d %v", n, l, err)
	}
}

func benchmarkDecode(tb testing.TB, b []byte, f *flow) {
	if err := decodeFlow(b, f); err != nil {
		tb.Fatal(err)
	}
	if f.bytes[1] != 123456 {
		tb.Fatalf("decoded %d reply bytes", f.bytes[1])
	}
}

func benchmarkAppend(tb testing.TB, buf []byte) {
	out := appendFlow(buf[:0])
	if len(out) != flowPayloadBytes || &out[0] != &buf[:1][0] {
		tb.Fatalf("appendFlow wrote %d bytes or reallocated", len(out))
	}
}

func BenchmarkScanFlow(b *testing.B) {
	payload := hostFixture(flowPayload)
	b.Run("Next", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			benchmarkWalk(b, payload)
		}
	})
	b.Run("All", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			benchmarkWalkAll(b, payload)
		}
	})
	b.Run("Decode", func(b *testing.B) {
		var f flow
		b.ReportAllocs()
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			benchmarkDecode(b, payload, &f)
		}
	})
}

func BenchmarkAppendFlow(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	b.SetBytes(flowPayloadBytes)
	for b.Loop() {
		benchmarkAppend(b, buf)
	}
}

func TestNoAllocs(t *testing.T) {
	payload := hostFixture(flowPayload)
	quirk := hostFixture(quirks)
	buf := make([]byte, 0, 512)
	var f flow
	v6 := netip.MustParseAddr("2001:db8::1")
	v4 := []byte{10, 0, 0, 1}
	v6b := v6.AsSlice()
	var sink uint64
	var addrSink netip.Addr
	var idx [ctaMax + 1]nla.Attr
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Next/Nested walk", func() { benchmarkWalk(t, payload) }},
		{"All walk", func() { benchmarkWalkAll(t, payload) }},
		{"Index and accessors decode", func() { benchmarkDecode(t, payload, &f) }},
		{"Index with pads and duplicates", func() {
			if err := nla.NewScanner(quirk).Index(idx[:]); err != nil {
				t.Fatal(err)
			}
		}},
		{"All with break", func() {
			for a := range nla.NewScanner(payload).All() {
				sink += uint64(a.Offset)
				break
			}
		}},
		{"Nested", func() {
			s := nla.NewScanner(payload)
			s.Next()
			n := s.Nested()
			sink += uint64(n.Offset())
		}},
		{"accessors", func() {
			a, _ := nla.Uint8(v4[:1])
			b, _ := nla.Uint16BE(v4[:2])
			c, _ := nla.Uint32BE(v4)
			d, _ := nla.Uint64BE(v6b[:8])
			e, _ := nla.Uint16Host(v4[:2])
			g, _ := nla.Uint32Host(v4)
			h, _ := nla.Uint64Host(v6b[8:])
			i, _ := nla.Uint32Order(v4, nla.BigEndian)
			sink += uint64(a) + uint64(b) + uint64(c) + d + uint64(e) + uint64(g) + h + uint64(i)
			addrSink, _ = nla.AddrV4(v4)
			addrSink, _ = nla.AddrV6(v6b)
			addrSink, _ = nla.Addr(v6b)
			sink += uint64(len(nla.StringBytes(v6b)))
		}},
		{"accessor size errors", func() {
			_, err := nla.Uint32BE(v4[:3])
			_, err2 := nla.AddrV6(v6b[:15])
			if err == nil || err2 == nil {
				t.Fatal("no error")
			}
		}},
		{"encoders into a pre-sized buffer", func() { benchmarkAppend(t, buf) }},
		{"each encoder", func() {
			b := buf[:0]
			b = nla.AppendHeader(b, 1, 3)
			b = nla.Pad(append(b, 1, 2, 3))
			b = nla.AppendEmpty(b, 2)
			b = nla.AppendUint16Host(b, 3, 1)
			b = nla.AppendUint32Host(b, 3, 1)
			b = nla.AppendUint64Host(b, 3, 1)
			b = nla.AppendString(b, 4, "ftp")
			b = nla.AppendAddr(b, 5, v6)
			b = nla.AppendAddr(b, 5, netip.Addr{})
			b, start := nla.BeginNest(b, 6)
			b, _ = nla.EndNest(b, start)
			sink += uint64(len(b))
		}},
	} {
		if n := testing.AllocsPerRun(100, tc.f); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", tc.name, n)
		}
	}
	_ = addrSink
}
