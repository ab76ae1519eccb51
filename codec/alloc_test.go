package codec_test

import (
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// dump100 is a dump datagram of 100 copies of the kernel's TCP flow
// message (24,000 bytes), as one recvmsg of a large dump returns.
func dump100(tb testing.TB) []byte {
	tb.Helper()
	one := hostFixture(getReply)
	b := make([]byte, 0, 100*len(one))
	for range 100 {
		b = append(b, one...)
	}
	return b
}

// The bodies below are shared by the allocation tests and the benchmarks.
// Each reports a failure through the returned count so the compiler
// cannot discard the work.

// iterate walks every message of b and every top-level attribute.
func iterate(b []byte) int {
	p := codec.NewParser(b, nla.HostOrder)
	n := 0
	for p.Next() {
		m := p.Message()
		s := m.Attrs()
		for s.Next() {
			n++
		}
		if s.Err() != nil {
			return -1
		}
	}
	if p.Err() != nil {
		return -1
	}
	return n
}

// iterateSeq is iterate with the iter.Seq2 form.
func iterateSeq(b []byte) int {
	n := 0
	for m, err := range codec.Messages(b, nla.HostOrder) {
		if err != nil {
			return -1
		}
		n += len(m.Data)
	}
	return n
}

func parseError(m codec.Message, ke *codec.KernelError) int {
	if codec.ParseError(m, ke) != nil {
		return -1
	}
	return len(ke.Msg)
}

func parseDone(m codec.Message, d *codec.Done) int {
	if codec.ParseDone(m, d) != nil {
		return -1
	}
	return len(d.Msg)
}

func TestNoAllocs(t *testing.T) {
	dump := dump100(t)
	errMsg := mustOne(t, hostFixture(policyError), nla.HostOrder)
	doneMsg := mustOne(t, hostFixture(doneTLVs), nla.HostOrder)
	var ke codec.KernelError
	var d codec.Done
	var m codec.Message
	buf := make([]byte, 0, 128)
	for _, tc := range []struct {
		name string
		f    func() int
		want int
	}{
		{"Parser over 100 messages", func() int { return iterate(dump) }, 900},
		{"Messages over 100 messages", func() int { return iterateSeq(dump) }, 100 * 220},
		{"ParseMessageInto", func() int {
			if codec.ParseMessageInto(dump, nla.HostOrder, &m) != nil {
				return -1
			}
			return len(m.Data)
		}, 220},
		{"ParseError with extack", func() int { return parseError(errMsg, &ke) }, 34},
		{"ParseDone with extack", func() int { return parseDone(doneMsg, &d) }, 12},
		{"build GET into a sized buffer", func() int {
			b, err := appendGet(buf[:0], 1)
			if err != nil {
				return -1
			}
			return len(b)
		}, 72},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f(); got != tc.want {
				t.Fatalf("result %d, want %d", got, tc.want)
			}
			if n := testing.AllocsPerRun(100, func() { tc.f() }); n != 0 {
				t.Errorf("%v allocations per run, want 0", n)
			}
		})
	}
}

func BenchmarkParseDump100(b *testing.B) {
	dump := dump100(b)
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	for b.Loop() {
		if iterate(dump) != 900 {
			b.Fatal("bad parse")
		}
	}
}

func BenchmarkMessagesDump100(b *testing.B) {
	dump := dump100(b)
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	for b.Loop() {
		if iterateSeq(dump) < 0 {
			b.Fatal("bad parse")
		}
	}
}

func BenchmarkParseError(b *testing.B) {
	m := mustOne(b, hostFixture(policyError), nla.HostOrder)
	var ke codec.KernelError
	b.SetBytes(int64(m.Header.Len))
	b.ReportAllocs()
	for b.Loop() {
		if parseError(m, &ke) < 0 {
			b.Fatal("bad parse")
		}
	}
}

func BenchmarkBuildGet(b *testing.B) {
	buf := make([]byte, 0, 128)
	b.SetBytes(72)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = appendGet(buf[:0], 1); err != nil {
			b.Fatal(err)
		}
	}
}
