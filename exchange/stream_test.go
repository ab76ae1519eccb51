package exchange_test

import (
	"encoding/binary"
	"os"
	"runtime"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/nla"
)

// dumpStream plays the kernel's side of a dump of any size from one
// datagram of real flow messages: the exchange reads the same buffer
// again and again, as a caller reads every datagram into one buffer.
type dumpStream struct {
	dgram []byte // flow messages recorded from a kernel dump, ~32 KiB
	per   int    // flows in dgram
	done  []byte // NLMSG_DONE
}

const streamPID = 4242

// newDumpStream reads the flows of testdata/live/full-dump.bin (a
// little-endian recording of a kernel dump) and packs them into one
// datagram the size the kernel builds for a 32 KiB+ receive buffer.
func newDumpStream(tb testing.TB) *dumpStream {
	tb.Helper()
	if nla.HostOrder.Resolve() != nla.LittleEndian {
		tb.Skip("testdata/live is a little-endian recording")
	}
	bin, err := os.ReadFile("../testdata/live/full-dump.bin")
	if err != nil {
		tb.Fatal(err)
	}
	var flows [][]byte
	for m, err := range codec.Messages(bin, nla.LittleEndian) {
		if err != nil {
			tb.Fatal(err)
		}
		if m.Header.Type == uint16(conntrack.MsgCTNew) && m.Header.Flags&codec.FlagMulti != 0 {
			flows = append(flows, bin[m.Offset:m.Offset+codec.Align(int(m.Header.Len))])
		}
	}
	if len(flows) == 0 {
		tb.Fatal("no flows in full-dump.bin")
	}
	s := &dumpStream{}
	for i := 0; len(s.dgram)+len(flows[i%len(flows)]) <= 32<<10-320; i++ {
		s.dgram = append(s.dgram, flows[i%len(flows)]...)
		s.per++
	}
	return s
}

// start points every message at request seq of port streamPID.
func (s *dumpStream) start(seq uint32) {
	for off := 0; off < len(s.dgram); {
		binary.LittleEndian.PutUint32(s.dgram[off+8:], seq)
		binary.LittleEndian.PutUint32(s.dgram[off+12:], streamPID)
		off += codec.Align(int(binary.LittleEndian.Uint32(s.dgram[off:])))
	}
	s.done, _ = codec.AppendDone(s.done[:0], codec.Header{Seq: seq, PID: streamPID, Flags: codec.FlagMulti}, 0, nil)
}

// dump runs a dump of at least n flows through x, a datagram at a time,
// and returns the flows read and the sum of their marks (so that the
// records are used).
func (s *dumpStream) dump(tb testing.TB, x *exchange.Exchange, out []byte, n int) (flows int, sum uint64) {
	x.Reset()
	x.PID = streamPID
	if _, err := x.Add(&conntrack.Request{Op: conntrack.OpDump}); err != nil {
		tb.Fatal(err)
	}
	if len(x.AppendOutgoing(out[:0])) == 0 {
		tb.Fatal("nothing to send")
	}
	s.start(x.Seq - 1)
	for sent := 0; !x.Done(); sent += s.per {
		if sent < n {
			x.Receive(s.dgram)
		} else {
			x.Receive(s.done)
		}
		for x.Next() {
			r := x.Record()
			flows++
			sum += uint64(r.Flow.Mark) + r.Flow.CountersOrig.Bytes
		}
	}
	if err := x.Err(); err != nil {
		tb.Fatal(err)
	}
	if err := x.RecordErr(); err != nil {
		tb.Fatal(err)
	}
	return flows, sum
}

// A dump of any size reads in constant memory: once the exchange's
// buffers exist, a dump of 1,000 flows and one of 500,000 allocate
// nothing at all (allocations counted, not timed).
func TestDumpConstantMemory(t *testing.T) {
	s := newDumpStream(t)
	var x exchange.Exchange
	out := make([]byte, 0, 4096)
	s.dump(t, &x, out, 1) // the exchange's buffers
	for _, n := range []int{1000, 500_000} {
		// The runtime or the test framework may allocate in the
		// background once in a while: a dump that allocates per flow or
		// per datagram never reaches 0, so the best of three counts.
		var m, b uint64
		var flows int
		for range 3 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			flows, _ = s.dump(t, &x, out, n)
			runtime.ReadMemStats(&after)
			if flows < n {
				t.Fatalf("%d flows, want %d", flows, n)
			}
			m, b = after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
			if m == 0 && b == 0 {
				break
			}
		}
		if m != 0 || b != 0 {
			t.Errorf("dump of %d flows: %d allocations, %d bytes", flows, m, b)
		} else {
			t.Logf("dump of %d flows (%d per datagram): 0 allocations, 0 bytes", flows, s.per)
		}
	}
}

// BenchmarkDumpStream reads a dump through the exchange into its one
// reused record: per flow, from datagrams of real kernel flow messages.
func BenchmarkDumpStream(b *testing.B) {
	s := newDumpStream(b)
	var x exchange.Exchange
	out := make([]byte, 0, 4096)
	s.dump(b, &x, out, 1)
	b.ReportAllocs()
	b.SetBytes(int64(len(s.dgram) / s.per))
	b.ResetTimer()
	flows, _ := s.dump(b, &x, out, b.N)
	b.ReportMetric(float64(flows)/b.Elapsed().Seconds(), "flows/s")
}
