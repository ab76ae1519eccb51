package conntrack

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// benchFlow is one whole flow message to decode.
type benchFlow struct {
	name string
	msg  []byte
}

// lnfctTCP is the flow of dumpTCP as libnetfilter_conntrack 1.0.9 lays
// it out: parsed by nfct_nlmsg_parse and rebuilt by nfct_nlmsg_build as a
// create request (bench/'s BenchmarkDecodeLnfctBuilt builds it live). Its
// TCP protoinfo carries the flags before the window scales.
const lnfctTCP = `c4000000 00010506 01000000 00000000 02000000
	34000180 14000180 08000100 c0000201 08000200 c0000202 1c000280 05000100 06000000 06000200 92c60000 06000300 00500000
	34000280 14000180 08000100 c0000203 08000200 c0000201 1c000280 05000100 06000000 06000200 1f900000 06000300 92c60000
	08000300 000001ae 08000700 0006977e 08000800 00000000
	30000480 2c000180 05000100 03000000 06000400 23000000 06000500 23000000 05000200 0a000000 05000300 0a000000`

// benchFlows are the flow messages the decoding benchmarks read: the
// 284-byte fixture, and real dump replies recorded from a 6.18 kernel
// (testdata/live/dump.bin, little-endian, so only on little-endian hosts),
// and the fixture's flow as libnetfilter_conntrack builds it (also
// little-endian).
func benchFlows(b *testing.B) []benchFlow {
	out := []benchFlow{{"fixture-ipv4-tcp", hostMessage(unhex(b, dumpTCP))}}
	if !mLittleEndian {
		return out
	}
	out = append(out, benchFlow{"lnfct-ipv4-tcp", unhex(b, lnfctTCP)})
	dump, err := os.ReadFile(filepath.Join("..", "testdata", "live", "dump.bin"))
	if err != nil {
		return out
	}
	// The first datagram of the recording is the request (20 bytes); the
	// messages below are picked by offset within the file and checked.
	for _, c := range []struct {
		name      string
		off       int
		fam       Family
		proto     Proto
		nat, help bool
		size      int
	}{
		{name: "live-ipv4-tcp-nat", off: 648, fam: FamilyIPv4, proto: ProtoTCP, nat: true, size: 284},
		{name: "live-ipv4-tcp-helper", off: 352, fam: FamilyIPv4, proto: ProtoTCP, help: true, size: 296},
		{name: "live-ipv6-tcp-nat", off: 20, fam: FamilyIPv6, proto: ProtoTCP, nat: true, size: 332},
	} {
		m, err := codec.ParseMessage(dump[c.off:], nla.LittleEndian)
		if err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		var f Flow
		if err := (Decoder{}).DecodeMessage(m, &f); err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		nat := f.Orig.Dst != f.Reply.Src || f.Orig.Src != f.Reply.Dst
		if int(m.Header.Len) != c.size || f.Family != c.fam || f.Orig.Proto != c.proto || nat != c.nat ||
			f.Present.Has(AttrHelp) != c.help || !f.Present.Has(AttrCountersOrig) || !f.Present.Has(AttrTimestamp) {
			b.Fatalf("%s: recording changed: %d bytes, %+v", c.name, m.Header.Len, f)
		}
		out = append(out, benchFlow{c.name, dump[c.off : c.off+c.size]})
	}
	return out
}

// BenchmarkDecodeFlow decodes the attributes of one dump reply into a
// caller-owned Flow: the hot path of a dump.
func BenchmarkDecodeFlow(b *testing.B) {
	for _, c := range benchFlows(b) {
		b.Run(c.name, func(b *testing.B) {
			attrs := c.msg[codec.AttrOffset:]
			var f Flow
			var d Decoder
			b.ReportAllocs()
			b.SetBytes(int64(len(c.msg)))
			for b.Loop() {
				if err := d.DecodeAttrs(nla.NewScannerOrder(attrs, nla.HostOrder, codec.AttrOffset), &f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeMessage frames one whole message and decodes it into a
// caller-owned Flow, family included.
func BenchmarkDecodeMessage(b *testing.B) {
	for _, c := range benchFlows(b) {
		b.Run(c.name, func(b *testing.B) {
			var f Flow
			b.ReportAllocs()
			b.SetBytes(int64(len(c.msg)))
			for b.Loop() {
				m, err := codec.ParseMessage(c.msg, nla.HostOrder)
				if err != nil {
					b.Fatal(err)
				}
				if err := (Decoder{}).DecodeMessage(m, &f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUnmarshalBinary decodes one whole message with
// [Flow.UnmarshalBinary], which reads the header itself: the fastest
// route from the bytes of a message to a caller-owned Flow.
func BenchmarkUnmarshalBinary(b *testing.B) {
	for _, c := range benchFlows(b) {
		b.Run(c.name, func(b *testing.B) {
			var f Flow
			b.ReportAllocs()
			b.SetBytes(int64(len(c.msg)))
			for b.Loop() {
				if err := f.UnmarshalBinary(c.msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeDatagram decodes a datagram of 16 copies of one message
// the way the README's datagram loop does (codec.Parser, Decoder.Decode
// into one Record), and reports the time per message: the route of
// events, captures and embedders' receive loops.
func BenchmarkDecodeDatagram(b *testing.B) {
	for _, c := range benchFlows(b) {
		b.Run(c.name, func(b *testing.B) {
			var dgram []byte
			for range 16 {
				dgram = append(dgram, c.msg...)
			}
			var rec Record
			var dec Decoder
			b.ReportAllocs()
			b.SetBytes(int64(len(dgram)))
			for b.Loop() {
				p := codec.NewParser(dgram, nla.HostOrder)
				n := 0
				for p.Next() {
					if err := dec.Decode(p.Message(), &rec); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if p.Err() != nil || n != 16 {
					b.Fatalf("%d messages, kind %v: %v", n, rec.Kind, p.Err())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(16*b.N), "ns/msg")
		})
	}
}

// createFlow is a typical create request's flow: both TCP tuples, status,
// timeout, mark, TCP state and a source NAT binding.
func createFlow() Flow {
	a1, a2 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	f := Flow{
		Orig:    PortTuple(ProtoTCP, a1, a2, 40000, 80),
		Reply:   PortTuple(ProtoTCP, a2, a1, 80, 40000),
		Status:  StatusSeenReply | StatusAssured,
		Timeout: 120,
		Mark:    7,
		ProtoInfo: ProtoInfo{TCP: TCPInfo{State: TCPStateEstablished, Present: 1 << TCPAttrState},
			Present: 1 << ProtoInfoAttrTCP},
		NATSrc: NAT{MinIP: netip.MustParseAddr("198.51.100.1"), MaxIP: netip.MustParseAddr("198.51.100.1"),
			PortMin: 1024, PortMax: 65535, Present: 1<<ProtoNATAttrPortMin | 1<<ProtoNATAttrPortMax},
	}
	f.Present = Attrs(AttrTupleOrig, AttrTupleReply, AttrStatus, AttrTimeout, AttrMark, AttrProtoInfo, AttrNATSrc)
	return f
}

// BenchmarkEncodeCreate appends a whole create request (header, nfgenmsg,
// attributes) into a reused buffer.
func BenchmarkEncodeCreate(b *testing.B) {
	f := createFlow()
	r := CreateRequest(1, &f)
	buf, err := r.AppendBinary(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if buf, err = r.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchNoAllocs holds the benchmarks' paths to zero allocations.
func TestBenchNoAllocs(t *testing.T) {
	f := createFlow()
	r := CreateRequest(1, &f)
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(100, func() { buf, _ = r.AppendBinary(buf[:0]) }); n != 0 {
		t.Errorf("Request.AppendBinary create: %v allocations, want 0", n)
	}
	var got Request
	m, err := codec.ParseMessage(buf, nla.HostOrder)
	if err != nil {
		t.Fatal(err)
	}
	if err := (Decoder{}).DecodeMessage(m, &got.Flow); err != nil {
		t.Fatal(err)
	}
	want := f
	want.Family = FamilyIPv4
	want.Status |= StatusConfirmed
	if got.Flow != want {
		t.Errorf("create request decodes to\n%+v\nwant\n%+v", got.Flow, want)
	}
}

// BenchmarkAppendJSONLine writes the JSON line of each flow of
// benchFlows, decoded as ctwire decode -o json decodes it (Keep), with a
// capture time and byte order: the formatting of ctwire decode -o json.
func BenchmarkAppendJSONLine(b *testing.B) {
	t := time.Date(2026, 11, 27, 6, 0, 0, 123456000, time.UTC)
	for _, c := range benchFlows(b) {
		b.Run(c.name, func(b *testing.B) {
			m, err := codec.ParseMessage(c.msg, nla.HostOrder)
			if err != nil {
				b.Fatal(err)
			}
			var r Record
			if err := (Decoder{Keep: true}).Decode(m, &r); err != nil {
				b.Fatal(err)
			}
			buf := AppendJSONLine(nil, 7, t, nla.LittleEndian, &r)
			b.ReportAllocs()
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				buf = AppendJSONLine(buf[:0], 7, t, nla.LittleEndian, &r)
			}
		})
	}
}
