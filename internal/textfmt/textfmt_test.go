package textfmt

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

// inet6 is the reference: net/netip's RFC 5952 text, with glibc's dotted
// quad for IPv4-compatible addresses.
func inet6(b [16]byte) string {
	if [12]byte(b[:12]) == [12]byte{} && (b[12] != 0 || b[13] != 0) {
		return "::" + netip.AddrFrom4([4]byte(b[12:])).String()
	}
	return netip.AddrFrom16(b).String()
}

// addr6 returns a random address whose groups are mostly zero, so that
// runs of every length and position appear.
func addr6(r *rand.Rand) [16]byte {
	var b [16]byte
	for k := range 8 {
		switch r.IntN(4) {
		case 0:
			b[2*k], b[2*k+1] = byte(r.IntN(256)), byte(r.IntN(256))
		case 1:
			b[2*k+1] = byte(r.IntN(256))
		}
	}
	switch r.IntN(8) {
	case 0:
		clear(b[:12])
	case 1:
		clear(b[:10])
		b[10], b[11] = 0xff, 0xff
	}
	return b
}

func TestAppendIPv6(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := [][16]byte{{}, {15: 1}, {12: 1}, {13: 1}, {10: 0xff, 11: 0xff}, {10: 0xff, 11: 0xff, 15: 1}, {0: 0x20, 1: 0x01, 15: 1}}
	for range 200000 {
		cases = append(cases, addr6(r))
	}
	for _, b := range cases {
		if got, want := string(AppendIPv6([]byte("x"), b)), "x"+inet6(b); got != want {
			t.Fatalf("AppendIPv6(%x) = %q, want %q", b, got, want)
		}
	}
}

func TestAppendIPv4(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 100000 {
		b := [4]byte{byte(i), byte(i >> 8), byte(r.IntN(256)), byte(r.IntN(256))}
		if got, want := string(AppendIPv4([]byte("x"), b)), "x"+netip.AddrFrom4(b).String(); got != want {
			t.Fatalf("AppendIPv4(%v) = %q, want %q", b, got, want)
		}
	}
}

func TestAppendUint(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	vals := []uint64{0, 9, 10, 99, 100, 999, 1000, 1<<32 - 1, 1 << 32, math.MaxUint64}
	for p := uint64(10); p <= 1e19; p *= 10 {
		vals = append(vals, p-1, p, p+1)
	}
	for range 100000 {
		vals = append(vals, r.Uint64()>>r.IntN(64))
	}
	for _, v := range vals {
		if got, want := string(AppendUint([]byte("x"), v)), "x"+strconv.FormatUint(v, 10); got != want {
			t.Fatalf("AppendUint(%d) = %q", v, got)
		}
		if got, want := string(AppendHex(nil, v)), strconv.FormatUint(v, 16); got != want {
			t.Fatalf("AppendHex(%d) = %q", v, got)
		}
	}
	for _, c := range []struct {
		v    int64
		n    int
		want string
	}{{5, 6, "000005"}, {-5, 3, "-005"}, {1234567, 6, "1234567"}, {0, 0, "0"}} {
		if got := string(AppendPadInt(nil, c.v, c.n)); got != c.want {
			t.Errorf("AppendPadInt(%d, %d) = %q, want %q", c.v, c.n, got, c.want)
		}
	}
}

func TestAppendCtime(t *testing.T) {
	for _, c := range []struct {
		sec  int64
		want string
	}{{0, "Thu Jan  1 00:00:00 1970"}, {1700000000, "Tue Nov 14 22:13:20 2023"}} {
		if got := string(AppendCtime(nil, c.sec, nil)); got != c.want {
			t.Errorf("AppendCtime(%d) = %q, want %q", c.sec, got, c.want)
		}
	}
	if got := string(AppendCtime(nil, 0, time.FixedZone("X", 3600))); got != "Thu Jan  1 01:00:00 1970" {
		t.Errorf("AppendCtime in +1h = %q", got)
	}
}

func TestNoAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	a := [16]byte{0: 0x20, 1: 1, 15: 1}
	if n := testing.AllocsPerRun(100, func() {
		buf = AppendIPv6(buf[:0], a)
		buf = AppendIPv4(buf, [4]byte{192, 0, 2, 1})
		buf = AppendUint(buf, 1<<40)
		buf = AppendUintSpace(buf, 1<<63)
		buf = AppendPadInt(buf, -1<<40, 6)
		buf = AppendCtime(buf, 1700000000, nil)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

var sink []byte

func BenchmarkAppendIPv6(b *testing.B) {
	a := netip.MustParseAddr("2001:db8::1:0:0:2").As16()
	buf := make([]byte, 0, 64)
	b.Run("textfmt", func(b *testing.B) {
		for b.Loop() {
			buf = AppendIPv6(buf[:0], a)
		}
	})
	b.Run("netip", func(b *testing.B) {
		for b.Loop() {
			buf = netip.AddrFrom16(a).AppendTo(buf[:0])
		}
	})
	sink = buf
}

func BenchmarkAppendIPv4(b *testing.B) {
	a := [4]byte{192, 168, 10, 1}
	buf := make([]byte, 0, 64)
	b.Run("textfmt", func(b *testing.B) {
		for b.Loop() {
			buf = AppendIPv4(buf[:0], a)
		}
	})
	b.Run("netip", func(b *testing.B) {
		for b.Loop() {
			buf = netip.AddrFrom4(a).AppendTo(buf[:0])
		}
	})
	sink = buf
}

func BenchmarkAppendUint(b *testing.B) {
	buf := make([]byte, 0, 64)
	for _, v := range []uint64{7, 431999, 1 << 40} {
		b.Run(strconv.FormatUint(v, 10), func(b *testing.B) {
			b.Run("textfmt", func(b *testing.B) {
				for b.Loop() {
					buf = AppendUint(buf[:0], v)
				}
			})
			b.Run("strconv", func(b *testing.B) {
				for b.Loop() {
					buf = strconv.AppendUint(buf[:0], v, 10)
				}
			})
		})
	}
	sink = buf
}

func TestAppendUintSpace(t *testing.T) {
	for _, v := range []uint64{0, 9, 10, 99, 100, 12345, 1<<32 - 1, 1 << 32, math.MaxUint64} {
		for _, c := range []int{0, 1, 64} {
			dst := make([]byte, 1, 1+c)
			if got, want := string(AppendUintSpace(dst, v)), "\x00"+strconv.FormatUint(v, 10)+" "; got != want {
				t.Fatalf("AppendUintSpace(%d) = %q", v, got)
			}
		}
	}
}
