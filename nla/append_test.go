package nla_test

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctwire/ctwire/nla"
)

func TestAppendGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		append func([]byte) []byte
		golden string // fixture notation, host-order headers
	}{
		{"AppendHeader", func(b []byte) []byte { return nla.AppendHeader(b, 7, 5) }, "<09 00 07 00>"},
		{"AppendHeader flags kept", func(b []byte) []byte { return nla.AppendHeader(b, 0x4001, 0) }, "<04 00 01 40>"},
		{"AppendEmpty (a pad)", func(b []byte) []byte { return nla.AppendEmpty(b, 5) }, "<04 00 05 00>"},
		{"AppendUint8 CTA_PROTO_NUM", func(b []byte) []byte { return nla.AppendUint8(b, 1, 6) }, "<05 00 01 00> 06 00 00 00"},
		{"AppendUint16BE CTA_PROTO_SRC_PORT", func(b []byte) []byte { return nla.AppendUint16BE(b, 2, 12345) }, "<06 00 02 00> 30 39 00 00"},
		{"AppendUint32BE CTA_STATUS", func(b []byte) []byte { return nla.AppendUint32BE(b, 3, 0x18e) }, "<08 00 03 00> 00 00 01 8e"},
		{"AppendUint64BE CTA_COUNTERS_BYTES", func(b []byte) []byte { return nla.AppendUint64BE(b, 2, 123456) },
			"<0c 00 02 00> 00 00 00 00 00 01 e2 40"},
		{"AppendUint16Host", func(b []byte) []byte { return nla.AppendUint16Host(b, 1, 0x0102) }, "<06 00 01 00> {02 01} 00 00"},
		{"AppendUint32Host", func(b []byte) []byte { return nla.AppendUint32Host(b, 1, 0x01020304) }, "<08 00 01 00> {04 03 02 01}"},
		{"AppendUint64Host", func(b []byte) []byte { return nla.AppendUint64Host(b, 1, 0x0102030405060708) },
			"<0c 00 01 00> {08 07 06 05 04 03 02 01}"},
		{"AppendBytes 0", func(b []byte) []byte { return nla.AppendBytes(b, 2, nil) }, "<04 00 02 00>"},
		{"AppendBytes 1", func(b []byte) []byte { return nla.AppendBytes(b, 2, []byte{0xaa}) }, "<05 00 02 00> aa 00 00 00"},
		{"AppendBytes 2", func(b []byte) []byte { return nla.AppendBytes(b, 2, []byte{0xaa, 0xbb}) }, "<06 00 02 00> aa bb 00 00"},
		{"AppendBytes 3", func(b []byte) []byte { return nla.AppendBytes(b, 2, []byte{1, 2, 3}) }, "<07 00 02 00> 01 02 03 00"},
		{"AppendBytes 4", func(b []byte) []byte { return nla.AppendBytes(b, 2, []byte{1, 2, 3, 4}) }, "<08 00 02 00> 01 02 03 04"},
		{"AppendBytes 5", func(b []byte) []byte { return nla.AppendBytes(b, 2, []byte{1, 2, 3, 4, 5}) },
			"<09 00 02 00> 01 02 03 04 05 00 00 00"},
		{"AppendString CTA_HELP_NAME", func(b []byte) []byte { return nla.AppendString(b, 1, "ftp") }, "<08 00 01 00> 66 74 70 00"},
		{"AppendString empty", func(b []byte) []byte { return nla.AppendString(b, 1, "") }, "<05 00 01 00> 00 00 00 00"},
		{"AppendString 4", func(b []byte) []byte { return nla.AppendString(b, 1, "irc1") }, "<09 00 01 00> 69 72 63 31 00 00 00 00"},
		{"AppendAddr IPv4", func(b []byte) []byte { return nla.AppendAddr(b, 1, netip.MustParseAddr("10.0.0.1")) },
			"<08 00 01 00> 0a 00 00 01"},
		{"AppendAddr IPv6", func(b []byte) []byte { return nla.AppendAddr(b, 3, netip.MustParseAddr("2001:db8::1")) },
			"<14 00 03 00> 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"},
		{"AppendAddr IPv4-mapped stays 16 bytes", func(b []byte) []byte {
			return nla.AppendAddr(b, 3, netip.MustParseAddr("::ffff:192.0.2.1"))
		}, "<14 00 03 00> 00 00 00 00 00 00 00 00 00 00 ff ff c0 00 02 01"},
		{"AppendAddr zero", func(b []byte) []byte { return nla.AppendAddr(b, 1, netip.Addr{}) }, "<04 00 01 00>"},
		{"BeginNest/EndNest empty", func(b []byte) []byte {
			b, start := nla.BeginNest(b, 1)
			b, err := nla.EndNest(b, start)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}, "<04 00 01 80>"},
		{"BeginNest keeps other flags", func(b []byte) []byte {
			b, start := nla.BeginNest(b, 4|nla.FlagNetByteOrder)
			b, _ = nla.EndNest(b, start)
			return b
		}, "<04 00 04 c0>"},
		{"worked GET example CTA_TUPLE_ORIG", func(b []byte) []byte {
			b, orig := nla.BeginNest(b, 1)
			b, ip := nla.BeginNest(b, 1)
			b = nla.AppendAddr(b, 1, netip.MustParseAddr("10.0.0.1"))
			b = nla.AppendAddr(b, 2, netip.MustParseAddr("10.0.0.2"))
			b, _ = nla.EndNest(b, ip)
			b, proto := nla.BeginNest(b, 2)
			b = nla.AppendUint8(b, 1, 6)
			b = nla.AppendUint16BE(b, 2, 12345)
			b = nla.AppendUint16BE(b, 3, 80)
			b, _ = nla.EndNest(b, proto)
			b, err := nla.EndNest(b, orig)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}, tupleOrig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := hostFixture(tc.golden)
			// From nil.
			if got := tc.append(nil); !bytes.Equal(got, want) {
				t.Errorf("append to nil:\n got % x\nwant % x", got, want)
			}
			// After an unaligned prefix, over a dirty backing array: the
			// prefix is kept, the attribute is the same bytes and every
			// padding byte is written as zero.
			dirty := bytes.Repeat([]byte{0xff}, 128)
			dst := append(dirty[:0], 0x42)
			got := tc.append(dst)
			if got[0] != 0x42 || !bytes.Equal(got[1:], want) {
				t.Errorf("append after a 1-byte prefix over 0xff:\n got % x\nwant 42 % x", got, want)
			}
			// The result is what the scanner reads back: one attribute (or
			// none) consuming exactly the bytes written.
			if !strings.HasPrefix(tc.name, "AppendHeader") {
				s := nla.NewScanner(want)
				if !s.Next() || s.Next() || s.Err() != nil {
					t.Errorf("scanner does not read back one attribute: %v", s.Err())
				}
			}
		})
	}
}

func TestPad(t *testing.T) {
	// Pad works on the length of dst: it aligns the buffer end.
	for n := range 9 {
		b := bytes.Repeat([]byte{0xff}, 16)[:n]
		got := nla.Pad(b)
		if len(got) != nla.Align(n) {
			t.Errorf("Pad of %d bytes: %d, want %d", n, len(got), nla.Align(n))
		}
		for i := n; i < len(got); i++ {
			if got[i] != 0 {
				t.Errorf("Pad of %d bytes left % x", n, got)
			}
		}
	}
	// AppendHeader + payload + Pad builds what AppendBytes builds.
	b := nla.AppendHeader(nil, 9, 3)
	b = nla.Pad(append(b, 1, 2, 3))
	if want := nla.AppendBytes(nil, 9, []byte{1, 2, 3}); !bytes.Equal(b, want) {
		t.Errorf("header+payload+Pad % x, want % x", b, want)
	}
}

func TestAlignSize(t *testing.T) {
	for _, tc := range []struct{ n, align int }{{0, 0}, {1, 4}, {3, 4}, {4, 4}, {5, 8}, {65531, 65532}} {
		if got := nla.Align(tc.n); got != tc.align {
			t.Errorf("Align(%d) = %d, want %d", tc.n, got, tc.align)
		}
	}
	sizes := append([]int{}, 65524, 65527, 65528, 65531)
	for n := range 70 {
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		enc := nla.AppendBytes(nil, 1, make([]byte, n))
		if got := nla.Size(n); got != len(enc) {
			t.Errorf("Size(%d) = %d, AppendBytes wrote %d", n, got, len(enc))
		}
	}
	// The typed encoders agree with Size of their payload size.
	for _, tc := range []struct {
		n   int
		enc []byte
	}{
		{0, nla.AppendEmpty(nil, 1)},
		{1, nla.AppendUint8(nil, 1, 1)},
		{2, nla.AppendUint16BE(nil, 1, 1)},
		{2, nla.AppendUint16Host(nil, 1, 1)},
		{4, nla.AppendUint32BE(nil, 1, 1)},
		{4, nla.AppendUint32Host(nil, 1, 1)},
		{8, nla.AppendUint64BE(nil, 1, 1)},
		{8, nla.AppendUint64Host(nil, 1, 1)},
		{4, nla.AppendString(nil, 1, "abc")},
		{16, nla.AppendAddr(nil, 1, netip.IPv6Loopback())},
	} {
		if nla.Size(tc.n) != len(tc.enc) {
			t.Errorf("Size(%d) = %d, encoder wrote % x", tc.n, nla.Size(tc.n), tc.enc)
		}
	}
}

func TestEndNestTooLong(t *testing.T) {
	// The kernel counts the padding of the last child inside the nest, and
	// so does EndNest: built by the encoders a nest is a multiple of 4.
	// The longest nest is 65532 bytes: a header and one child of 65528.
	for _, tc := range []struct {
		name    string
		payload int // of the only child
		nestLen int
		err     error
	}{
		{"largest", 65524, 65532, nil},
		{"one word more", 65528, 65536, nla.ErrNestTooLong},
		{"largest child", 65531, 65540, nla.ErrNestTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []byte{1, 2, 3, 4, 5, 6, 7, 8}
			b, start := nla.BeginNest(prefix, 6)
			if start != len(prefix) {
				t.Fatalf("start %d, want %d", start, len(prefix))
			}
			b = nla.AppendBytes(b, 1, make([]byte, tc.payload))
			if got := len(b) - start; got != tc.nestLen {
				t.Fatalf("nest spans %d bytes, want %d", got, tc.nestLen)
			}
			before := append([]byte{}, b[:start+4]...)
			out, err := nla.EndNest(b, start)
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Fatalf("EndNest = %v, want %v", err, tc.err)
			}
			if len(out) != len(b) || !bytes.Equal(out[:8], prefix) {
				t.Fatalf("EndNest changed the buffer length or the prefix")
			}
			if err != nil {
				// Nothing patched: the header still reads length 0.
				if !bytes.Equal(out[:start+4], before) {
					t.Errorf("EndNest patched a nest it refused: % x", out[start:start+4])
				}
				return
			}
			s := nla.NewScannerOrder(out[start:], nla.HostOrder, start)
			if !s.Next() || len(s.Payload()) != tc.nestLen-4 || !s.Attr().Nested() {
				t.Fatalf("nest reads back as %d bytes, err %v", len(s.Payload()), s.Err())
			}
			kid := s.Nested()
			if !kid.Next() || len(kid.Payload()) != tc.payload || kid.Attr().Offset != start+4 {
				t.Errorf("child %d bytes at %d, err %v", len(kid.Payload()), kid.Attr().Offset, kid.Err())
			}
		})
	}
	// Two siblings that fit separately but not together.
	b, start := nla.BeginNest(nil, 1)
	b = nla.AppendBytes(b, 1, make([]byte, 40000))
	b = nla.AppendBytes(b, 2, make([]byte, 40000))
	if _, err := nla.EndNest(b, start); !errors.Is(err, nla.ErrNestTooLong) {
		t.Errorf("80012-byte nest: %v", err)
	}
}

func TestBuildFlow(t *testing.T) {
	// The encoders reproduce the 284-byte dump payload byte for byte.
	got := appendFlow(nil)
	want := hostFixture(flowPayload)
	if !bytes.Equal(got, want) {
		t.Errorf("built flow differs:\n%s", cmp.Diff(want, got))
	}
}
