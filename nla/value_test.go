package nla_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/ctwire/ctwire/nla"
)

// seq returns n bytes 1, 2, 3, ...
func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i + 1)
	}
	return b
}

func TestIntegerAccessors(t *testing.T) {
	// Every accessor wants its exact size; one byte less or more is ErrSize.
	type acc struct {
		name string
		size int
		read func([]byte) (uint64, error)
	}
	wrap8 := func(f func([]byte) (uint8, error)) func([]byte) (uint64, error) {
		return func(b []byte) (uint64, error) { v, err := f(b); return uint64(v), err }
	}
	wrap16 := func(f func([]byte) (uint16, error)) func([]byte) (uint64, error) {
		return func(b []byte) (uint64, error) { v, err := f(b); return uint64(v), err }
	}
	wrap32 := func(f func([]byte) (uint32, error)) func([]byte) (uint64, error) {
		return func(b []byte) (uint64, error) { v, err := f(b); return uint64(v), err }
	}
	host := nla.HostOrder.Resolve() == nla.BigEndian
	// want returns the value of seq(n) read in big- or host-endian order.
	want := func(n int, bigEndian bool) uint64 {
		var v uint64
		b := seq(n)
		for i := range b {
			if bigEndian {
				v = v<<8 | uint64(b[i])
			} else {
				v = v<<8 | uint64(b[n-1-i])
			}
		}
		return v
	}
	for _, tc := range []struct {
		acc
		value uint64
	}{
		{acc{"Uint8", 1, wrap8(nla.Uint8)}, 0x01},
		{acc{"Uint16BE", 2, wrap16(nla.Uint16BE)}, 0x0102},
		{acc{"Uint32BE", 4, wrap32(nla.Uint32BE)}, 0x01020304},
		{acc{"Uint64BE", 8, nla.Uint64BE}, 0x0102030405060708},
		{acc{"Uint16Host", 2, wrap16(nla.Uint16Host)}, want(2, host)},
		{acc{"Uint32Host", 4, wrap32(nla.Uint32Host)}, want(4, host)},
		{acc{"Uint64Host", 8, nla.Uint64Host}, want(8, host)},
		{acc{"Uint32Order(BigEndian)", 4, func(b []byte) (uint64, error) {
			v, err := nla.Uint32Order(b, nla.BigEndian)
			return uint64(v), err
		}}, 0x01020304},
		{acc{"Uint32Order(LittleEndian)", 4, func(b []byte) (uint64, error) {
			v, err := nla.Uint32Order(b, nla.LittleEndian)
			return uint64(v), err
		}}, 0x04030201},
		{acc{"Uint32Order(HostOrder)", 4, func(b []byte) (uint64, error) {
			v, err := nla.Uint32Order(b, nla.HostOrder)
			return uint64(v), err
		}}, want(4, host)},
	} {
		got, err := tc.read(seq(tc.size))
		if err != nil || got != tc.value {
			t.Errorf("%s(% x) = %#x, %v; want %#x", tc.name, seq(tc.size), got, err, tc.value)
		}
		for _, n := range []int{0, tc.size - 1, tc.size + 1, 16} {
			if n == tc.size {
				continue
			}
			got, err := tc.read(seq(n))
			if !errors.Is(err, nla.ErrSize) || got != 0 {
				t.Errorf("%s of %d bytes = %#x, %v; want 0, ErrSize", tc.name, n, got, err)
			}
		}
		if _, err := tc.read(nil); !errors.Is(err, nla.ErrSize) {
			t.Errorf("%s(nil) = %v, want ErrSize", tc.name, err)
		}
	}
}

func TestHostAccessorsReadWhatHostEncodersWrite(t *testing.T) {
	// CTA_LABELS and CTA_FILTER flags are host order: what the Host
	// encoders write, the Host accessors read, on either kind of host.
	b := nla.AppendUint16Host(nil, 1, 0xbeef)
	b = nla.AppendUint32Host(b, 2, 0xdeadbeef)
	b = nla.AppendUint64Host(b, 3, 0x0123456789abcdef)
	var idx [4]nla.Attr
	if err := nla.NewScanner(b).Index(idx[:]); err != nil {
		t.Fatal(err)
	}
	v16, e1 := nla.Uint16Host(idx[1].Payload)
	v32, e2 := nla.Uint32Host(idx[2].Payload)
	v64, e3 := nla.Uint64Host(idx[3].Payload)
	o32, e4 := nla.Uint32Order(idx[2].Payload, nla.HostOrder.Resolve())
	if err := errors.Join(e1, e2, e3, e4); err != nil || v16 != 0xbeef || v32 != 0xdeadbeef ||
		v64 != 0x0123456789abcdef || o32 != 0xdeadbeef {
		t.Errorf("host round trip: %#x %#x %#x %#x, %v", v16, v32, v64, o32, err)
	}
}

func TestAddrAccessors(t *testing.T) {
	v4 := []byte{10, 0, 0, 1}
	v6 := []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	mapped := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}
	for _, tc := range []struct {
		name string
		f    func([]byte) (netip.Addr, error)
		in   []byte
		want netip.Addr
		err  error
	}{
		{"AddrV4", nla.AddrV4, v4, netip.MustParseAddr("10.0.0.1"), nil},
		{"AddrV4 of 3", nla.AddrV4, v4[:3], netip.Addr{}, nla.ErrSize},
		{"AddrV4 of 5", nla.AddrV4, append(v4, 0), netip.Addr{}, nla.ErrSize},
		{"AddrV4 of 16", nla.AddrV4, v6, netip.Addr{}, nla.ErrSize},
		{"AddrV4 of 0", nla.AddrV4, nil, netip.Addr{}, nla.ErrSize},
		{"AddrV6", nla.AddrV6, v6, netip.MustParseAddr("2001:db8::1"), nil},
		{"AddrV6 mapped stays IPv6", nla.AddrV6, mapped, netip.MustParseAddr("::ffff:192.0.2.1"), nil},
		{"AddrV6 of 15", nla.AddrV6, v6[:15], netip.Addr{}, nla.ErrSize},
		{"AddrV6 of 17", nla.AddrV6, append(append([]byte{}, v6...), 0), netip.Addr{}, nla.ErrSize},
		{"AddrV6 of 4", nla.AddrV6, v4, netip.Addr{}, nla.ErrSize},
		{"Addr of 4", nla.Addr, v4, netip.MustParseAddr("10.0.0.1"), nil},
		{"Addr of 16", nla.Addr, v6, netip.MustParseAddr("2001:db8::1"), nil},
		{"Addr of 0", nla.Addr, nil, netip.Addr{}, nla.ErrSize},
		{"Addr of 8", nla.Addr, seq(8), netip.Addr{}, nla.ErrSize},
		{"Addr of 15", nla.Addr, v6[:15], netip.Addr{}, nla.ErrSize},
		{"Addr of 17", nla.Addr, append(append([]byte{}, v6...), 0), netip.Addr{}, nla.ErrSize},
	} {
		got, err := tc.f(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%s(% x) = %v, %v; want %v, %v", tc.name, tc.in, got, err, tc.want, tc.err)
		}
	}
	// The address is a copy: changing the input afterwards does not change it.
	in := append([]byte{}, v4...)
	a, _ := nla.AddrV4(in)
	in[3] = 99
	if a != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("address aliases its input: %v", a)
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"NUL-terminated", []byte("ftp\x00"), "ftp"},
		{"no NUL", []byte("ftp"), "ftp"},
		{"empty", []byte{}, ""},
		{"nil", nil, ""},
		{"only NUL", []byte{0}, ""},
		{"embedded NUL", []byte("sip\x00junk\x00"), "sip"},
		{"leading NUL", []byte("\x00abc"), ""},
		{"helper name of 15 + NUL", []byte("abcdefghijklmno\x00"), "abcdefghijklmno"},
		{"non-UTF-8 kept as bytes", []byte{0xff, 0xfe, 0}, "\xff\xfe"},
	} {
		sb := nla.StringBytes(tc.in)
		if string(sb) != tc.want || nla.String(tc.in) != tc.want {
			t.Errorf("%s: StringBytes %q String %q, want %q", tc.name, sb, nla.String(tc.in), tc.want)
		}
		if len(sb) < len(tc.in) && cap(sb) != len(sb) {
			t.Errorf("%s: StringBytes has cap %d reaching past its NUL", tc.name, cap(sb))
		}
	}
	// StringBytes aliases its input, String copies.
	in := []byte("ftp\x00")
	sb, s := nla.StringBytes(in), nla.String(in)
	in[0] = 'x'
	if string(sb) != "xtp" || s != "ftp" {
		t.Errorf("aliasing: StringBytes %q String %q", sb, s)
	}
	// Appending to the result cannot overwrite the NUL or what follows.
	in = []byte("ab\x00cd")
	_ = append(nla.StringBytes(in), 'Z')
	if string(in) != "ab\x00cd" {
		t.Errorf("append to StringBytes wrote into the input: %q", in)
	}
}

func TestOrder(t *testing.T) {
	b := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	for _, tc := range []struct {
		o           nla.Order
		name        string
		u16         uint16
		u32         uint32
		u64         uint64
		resolvesToO bool
	}{
		{nla.BigEndian, "big-endian", 0x0102, 0x01020304, 0x0102030405060708, true},
		{nla.LittleEndian, "little-endian", 0x0201, 0x04030201, 0x0807060504030201, true},
	} {
		if tc.o.String() != tc.name || tc.o.Resolve() != tc.o {
			t.Errorf("%v: String %q Resolve %v", tc.o, tc.o.String(), tc.o.Resolve())
		}
		if tc.o.Uint16(b) != tc.u16 || tc.o.Uint32(b) != tc.u32 || tc.o.Uint64(b) != tc.u64 {
			t.Errorf("%v reads %#x %#x %#x", tc.o, tc.o.Uint16(b), tc.o.Uint32(b), tc.o.Uint64(b))
		}
		var p2 [2]byte
		var p4 [4]byte
		tc.o.PutUint16(p2[:], tc.u16)
		tc.o.PutUint32(p4[:], tc.u32)
		if string(p2[:]) != string(b[:2]) || string(p4[:]) != string(b[:4]) {
			t.Errorf("%v puts % x % x", tc.o, p2, p4)
		}
		out := tc.o.AppendUint16(nil, tc.u16)
		out = tc.o.AppendUint32(out, tc.u32)
		out = tc.o.AppendUint64(out, tc.u64)
		if string(out) != string(b[:2])+string(b[:4])+string(b) {
			t.Errorf("%v appends % x", tc.o, out)
		}
	}
	if nla.HostOrder.String() != "host" || nla.Order(9).String() != "invalid" {
		t.Errorf("names %q %q", nla.HostOrder.String(), nla.Order(9).String())
	}
	// HostOrder resolves to the order the host encoders use.
	h := nla.HostOrder.Resolve()
	if h != nla.LittleEndian && h != nla.BigEndian {
		t.Fatalf("HostOrder resolves to %v", h)
	}
	enc := nla.AppendUint32Host(nil, 0, 0x01020304)[4:]
	if v := h.Uint32(enc); v != 0x01020304 {
		t.Errorf("HostOrder resolves to %v, but host encoders wrote % x", h, enc)
	}
	if nla.HostOrder.Uint32(enc) != 0x01020304 {
		t.Error("HostOrder.Uint32 does not read host order")
	}
}
