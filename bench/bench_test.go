package bench

import (
	"testing"

	"github.com/ctwire/ctwire/bench/internal/lnfct"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
)

// msgDecoders returns, per peer, a function decoding one whole netlink
// message the way the peer's users do, into state set up once.
func msgDecoders(tb testing.TB) []struct {
	name string
	dec  func(msg []byte) error
} {
	var f conntrack.Flow
	ct := lnfct.New()
	tb.Cleanup(ct.Free)
	return []struct {
		name string
		dec  func(msg []byte) error
	}{
		{"ctwire", func(msg []byte) error { return ctwireDecode(msg, &f) }},
		{"ti-mo", func(msg []byte) error { _, err := timoDecode(msg); return err }},
		{"vishvananda", func(msg []byte) error { vnlDecode(msg); return nil }},
		{"florianl", func(msg []byte) error { _, err := floDecode(msg); return err }},
		{"libnetfilter_conntrack", ct.Parse},
	}
}

func benchDecode(b *testing.B, fixture string) {
	msg := readMessage(b, fixture)
	for _, p := range msgDecoders(b) {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				if err := p.dec(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeFlow decodes the real ~290-byte IPv4 TCP dump reply.
func BenchmarkDecodeFlow(b *testing.B) { benchDecode(b, fixtureFlow) }

// BenchmarkDecodeEvent decodes the real DESTROY event.
func BenchmarkDecodeEvent(b *testing.B) { benchDecode(b, fixtureEvent) }

// encoders build the same create request per peer; each returns the
// message bytes (ctwire and libnetfilter_conntrack into a reused buffer,
// the others into what their APIs allocate).
var encoders = func() []struct {
	name   string
	encode func() ([]byte, error)
} {
	k := createKey()
	cf := ctwireNewFlow(k)
	cr := conntrack.CreateRequest(1, &cf)
	cbuf := make([]byte, 0, 512)
	tf := timoNewFlow(k)
	vf := vnlNewFlow(k)
	ff := floNewFlow(k)
	ct := lnfct.New() // lives for the process
	ct.SetNew(k)
	lbuf := make([]byte, 0, lnfct.BuildCap)
	return []struct {
		name   string
		encode func() ([]byte, error)
	}{
		{"ctwire", func() ([]byte, error) { return ctwireEncodeNew(cbuf[:0], &cr) }},
		{"ti-mo", func() ([]byte, error) { return timoEncodeNew(tf, 1) }},
		{"vishvananda", func() ([]byte, error) { return vnlEncodeNew(vf, 1) }},
		{"florianl", func() ([]byte, error) { return floEncodeNew(ff, 1) }},
		{"libnetfilter_conntrack", func() ([]byte, error) { return ct.BuildNew(lbuf, 2, 1) }},
	}
}()

// BenchmarkEncodeFlow builds a create request (both tuples, timeout, mark,
// TCP state) with each peer.
func BenchmarkEncodeFlow(b *testing.B) {
	for _, e := range encoders {
		b.Run(e.name, func(b *testing.B) {
			msg, err := e.encode()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				if _, err := e.encode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// dumpPeers decode a whole dump, datagram by datagram, each message into
// one reused or freshly returned record, and count the flows.
var dumpPeers = []struct {
	name  string
	count func(dump [][]byte) (int, error)
}{
	{"ctwire", func(dump [][]byte) (int, error) {
		var f conntrack.Flow
		n := 0
		for _, d := range dump {
			p := codec.NewParser(d, 0)
			for p.Next() {
				m := p.Message()
				if m.Header.Type == codec.TypeDone {
					break
				}
				if err := (conntrack.Decoder{}).DecodeMessage(m, &f); err != nil {
					return n, err
				}
				n++
			}
			if err := p.Err(); err != nil {
				return n, err
			}
		}
		return n, nil
	}},
	{"ti-mo", perMessage(func(msg []byte) error { _, err := timoDecode(msg); return err })},
	{"vishvananda", perMessage(func(msg []byte) error { vnlDecode(msg); return nil })},
	{"florianl", perMessage(func(msg []byte) error { _, err := floDecode(msg); return err })},
	{"libnetfilter_conntrack", func(dump [][]byte) (int, error) {
		ct := lnfct.New()
		defer ct.Free()
		n := 0
		for _, d := range dump {
			k, err := ct.ParseDatagram(d)
			if err != nil {
				return n, err
			}
			n += k
		}
		return n, nil
	}},
}

// perMessage runs a per-message decoder over every flow message of a dump.
func perMessage(dec func(msg []byte) error) func(dump [][]byte) (int, error) {
	return func(dump [][]byte) (int, error) {
		n := 0
		for _, d := range dump {
			for {
				msg, rest, err := nextMessage(d)
				if err != nil {
					break
				}
				d = rest
				if !isFlowMessage(msg) {
					continue
				}
				if err := dec(msg); err != nil {
					return n, err
				}
				n++
			}
		}
		return n, nil
	}
}

// BenchmarkDecodeDump100k decodes a 100,000-flow dump (real flow bytes,
// patched per flow, in 16 KiB datagrams) and reports flows/s.
func BenchmarkDecodeDump100k(b *testing.B) {
	dump := generatedDump(b)
	size := 0
	for _, d := range dump {
		size += len(d)
	}
	for _, p := range dumpPeers {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			iters := 0
			for b.Loop() {
				n, err := p.count(dump)
				if err != nil || n != dumpFlows {
					b.Fatalf("decoded %d flows: %v", n, err)
				}
				iters++
			}
			b.ReportMetric(float64(iters*dumpFlows)/b.Elapsed().Seconds(), "flows/s")
		})
	}
}

// BenchmarkDecodeLnfctBuilt decodes the real flow of BenchmarkDecodeFlow
// as libnetfilter_conntrack lays it out: parsed by nfct_nlmsg_parse and
// rebuilt by nfct_nlmsg_build (a create request: both tuples, status,
// timeout, mark, TCP protoinfo with the flags before the window scales).
// ctwire's fast path reads this layout too, so ctwire should be as fast
// per byte as on the kernel's message.
func BenchmarkDecodeLnfctBuilt(b *testing.B) {
	ct := lnfct.New()
	defer ct.Free()
	if err := ct.Parse(readMessage(b, fixtureFlow)); err != nil {
		b.Fatal(err)
	}
	msg, err := ct.BuildNew(make([]byte, 0, lnfct.BuildCap), 2, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range msgDecoders(b) {
		if p.name != "ctwire" && p.name != "libnetfilter_conntrack" {
			continue
		}
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				if err := p.dec(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
