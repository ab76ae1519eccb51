package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// attr returns one attribute in host order: header, payload, padding.
func attr(typ uint16, payload []byte) []byte { return nla.AppendBytes(nil, typ, payload) }

// rawAttr returns an attribute header claiming length n, followed by
// payload as is (no padding): for lengths that lie.
func rawAttr(n int, typ uint16, payload []byte) []byte {
	b := nla.HostOrder.AppendUint16(nil, uint16(n))
	b = nla.HostOrder.AppendUint16(b, typ)
	return append(b, payload...)
}

// nest wraps children in a nest of type typ with NLA_F_NESTED.
func nest(typ uint16, children ...[]byte) []byte {
	return attr(typ|nla.FlagNested, bytes.Join(children, nil))
}

// nestPath wraps leaf in nests of the types of path, outermost first.
func nestPath(path []uint16, leaf []byte) []byte {
	for i := len(path) - 1; i >= 0; i-- {
		leaf = nest(path[i], leaf)
	}
	return leaf
}

func pathOf(types ...uint16) nla.Path {
	var p nla.Path
	for _, t := range types {
		p = p.Append(t)
	}
	return p
}

// message returns a netlink message in host order with an nfgenmsg.
func message(typ, flags uint16, family uint8, attrs ...[]byte) []byte {
	b, start := codec.AppendMessage(nil, codec.Header{Type: typ, Flags: flags, Seq: 9}, codec.NFGen{Family: family})
	for _, a := range attrs {
		b = append(b, a...)
	}
	b, err := codec.EndMessage(b, start)
	if err != nil {
		panic(err)
	}
	return b
}

// control returns a control message (no nfgenmsg) with payload p.
func control(typ, flags uint16, p []byte) []byte {
	b := codec.AppendHeader(nil, codec.Header{Len: uint32(codec.HeaderLen + len(p)), Type: typ, Flags: flags, Seq: 9})
	return append(b, p...)
}

func u32host(v int32) []byte { return nla.HostOrder.AppendUint32(nil, uint32(v)) }

// wantErr checks err against the exact expected fault: the sentinel, the
// typed error of the layer and its offset (and path, for attribute
// errors).
func wantErr(t *testing.T, err, sentinel error, off int, path nla.Path) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v at %d", sentinel, off)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v, want %v", err, sentinel)
	}
	var ce *conntrack.Error
	var ne *nla.Error
	var me *codec.Error
	switch {
	case errors.As(err, &ce):
		if ce.Offset != off || ce.Types != path {
			t.Fatalf("error %v at %d path %v, want %d path %v", err, ce.Offset, ce.Types, off, path)
		}
	case errors.As(err, &ne):
		if ne.Offset != off || ne.Path != path {
			t.Fatalf("error %v at %d path %v, want %d path %v", err, ne.Offset, ne.Path, off, path)
		}
	case errors.As(err, &me):
		if me.Offset != off || path.Len() != 0 {
			t.Fatalf("error %v at %d, want %d path %v", err, me.Offset, off, path)
		}
	default:
		t.Fatalf("untyped error %T: %v", err, err)
	}
}

// TestAdversarialNLA: attribute lengths that lie, and nesting past the
// depth cap, each with its exact sentinel and offset.
func TestAdversarialNLA(t *testing.T) {
	ok8 := attr(1, []byte{1, 2, 3, 4})
	for _, tc := range []struct {
		name string
		b    []byte
		err  error
		off  int
	}{
		{"len 0", rawAttr(0, 1, []byte{0, 0, 0, 0}), nla.ErrLength, 0},
		{"len 1", rawAttr(1, 1, nil), nla.ErrLength, 0},
		{"len 2", rawAttr(2, 1, nil), nla.ErrLength, 0},
		{"len 3", rawAttr(3, 1, nil), nla.ErrLength, 0},
		{"len 3 after a good one", append(ok8, rawAttr(3, 1, nil)...), nla.ErrLength, 8},
		{"len 0xffff", rawAttr(0xffff, 1, make([]byte, 60)), nla.ErrTruncated, 0},
		{"one past the end", rawAttr(9, 1, []byte{1, 2, 3, 4}), nla.ErrTruncated, 0},
		{"header cut", append(ok8, 8, 0), nla.ErrTruncated, 8},
		{"one byte left", append(ok8, 4), nla.ErrTruncated, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := nla.NewScannerOrder(tc.b, nla.HostOrder, 0)
			for s.Next() {
			}
			wantErr(t, s.Err(), tc.err, tc.off, nla.Path{})
			var idx [4]nla.Attr
			wantErr(t, nla.NewScanner(tc.b).Index(idx[:]), tc.err, tc.off, nla.Path{})
		})
	}

	t.Run("nesting 1000 deep", func(t *testing.T) {
		types := make([]uint16, 1000)
		for i := range types {
			types[i] = uint16(i%7 + 1)
		}
		b := nestPath(types, attr(9, []byte{0, 0, 0, 1}))
		s := nla.NewScanner(b)
		depth := 0
		for s.Next() {
			s = s.Nested()
			depth++
		}
		// The scanner at depth 16 (path of 16 types) refuses to descend
		// into the attribute it found, at offset 4*16.
		want := pathOf(types[:nla.MaxDepth+1]...)
		wantErr(t, s.Err(), nla.ErrDepth, 4*nla.MaxDepth, want)
		if depth != nla.MaxDepth+1 {
			t.Fatalf("descended %d times", depth)
		}
	})
	t.Run("nest flag on a scalar and none on a nest", func(t *testing.T) {
		b := append(attr(7|nla.FlagNested, []byte{0, 0, 0, 9}), attr(1, attr(2, nil))...)
		s := nla.NewScanner(b)
		if !s.Next() || s.Type() != 7 || !s.Attr().Nested() {
			t.Fatalf("first attribute %+v", s.Attr())
		}
		if !s.Next() || s.Type() != 1 || s.Attr().Nested() {
			t.Fatalf("second attribute %+v", s.Attr())
		}
		in := s.Nested()
		if !in.Next() || in.Type() != 2 || in.Attr().Offset != 12 || in.Path() != pathOf(1) {
			t.Fatalf("nested attribute %+v path %v", in.Attr(), in.Path())
		}
	})
}

// fixedSize is one fixed-size attribute: its path from the top level and
// its exact payload size.
type fixedSize struct {
	path []uint16
	size int
}

// Fixed-size attributes of the flow space (the nla_policy tables of
// net/netfilter/nf_conntrack_netlink.c and nf_conntrack_proto_*.c),
// generated over every nest they appear in.
func flowFixedSizes() []fixedSize {
	var out []fixedSize
	add := func(size int, path ...uint16) { out = append(out, fixedSize{path, size}) }
	for _, top := range []struct {
		t    uint16
		size int
	}{{3, 4}, {7, 4}, {8, 4}, {11, 4}, {12, 4}, {17, 4}, {18, 2}, {21, 4}, {26, 4}, {27, 8}} {
		add(top.size, top.t)
	}
	for _, tup := range []uint16{1, 2, 14} {
		tupleSizes(tup, add)
	}
	for _, x := range []struct {
		t    uint16
		size int
	}{{1, 1}, {2, 1}, {3, 1}, {4, 2}, {5, 2}} {
		add(x.size, 4, 1, x.t) // CTA_PROTOINFO/CTA_PROTOINFO_TCP
	}
	add(1, 4, 2, 1) // DCCP state
	add(1, 4, 2, 2) // DCCP role
	add(8, 4, 2, 3) // DCCP handshake seq
	add(1, 4, 3, 1) // SCTP state
	add(4, 4, 3, 2) // SCTP vtag orig
	add(4, 4, 3, 3) // SCTP vtag reply
	for _, c := range []uint16{9, 10} {
		add(8, c, 1)
		add(8, c, 2)
		add(4, c, 3)
		add(4, c, 4)
	}
	add(8, 20, 1)
	add(8, 20, 2)
	for _, n := range []uint16{6, 13} {
		add(4, n, 1)
		add(4, n, 2)
		add(16, n, 4)
		add(16, n, 5)
		add(2, n, 3, 1)
		add(2, n, 3, 2)
	}
	for _, s := range []uint16{15, 16, 24} {
		add(4, s, 1)
		add(4, s, 2)
		add(4, s, 3)
	}
	add(4, 25, 1)
	add(4, 25, 2)
	return out
}

// tupleSizes adds the fixed-size attributes of a tuple nest of type tup.
func tupleSizes(tup uint16, add func(int, ...uint16)) {
	add(4, tup, 1, 1)
	add(4, tup, 1, 2)
	add(16, tup, 1, 3)
	add(16, tup, 1, 4)
	for _, p := range []struct {
		t    uint16
		size int
	}{{1, 1}, {2, 2}, {3, 2}, {4, 2}, {5, 1}, {6, 1}, {7, 2}, {8, 1}, {9, 1}} {
		add(p.size, tup, 2, p.t)
	}
	add(2, tup, 3)
}

// TestAdversarialSizes: every fixed-size attribute of flows and
// expectations, one byte short and one byte long, fails with nla.ErrSize
// located at the attribute with its full path. (The kernel's liberal
// parser only warns about a long payload; the decoder refuses to guess.)
func TestAdversarialSizes(t *testing.T) {
	for _, fs := range flowFixedSizes() {
		for _, n := range []int{fs.size - 1, fs.size + 1} {
			if n == 0 {
				continue // a zero-length attribute is a pad, and ignored
			}
			name := fmt.Sprintf("%s/%d", conntrack.PathString(conntrack.SpaceFlow, pathOf(fs.path...)), n)
			t.Run(name, func(t *testing.T) {
				b := nestPath(fs.path[:len(fs.path)-1], attr(fs.path[len(fs.path)-1], make([]byte, n)))
				var f conntrack.Flow
				err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 0), &f)
				wantErr(t, err, nla.ErrSize, 4*(len(fs.path)-1), pathOf(fs.path...))
				var ce *conntrack.Error
				if errors.As(err, &ce); ce.Path != name[:len(name)-len(fmt.Sprint("/", n))] {
					t.Fatalf("path %q", ce.Path)
				}
			})
		}
	}
	var exp []fixedSize
	add := func(size int, path ...uint16) { exp = append(exp, fixedSize{path, size}) }
	for _, x := range []struct {
		t    uint16
		size int
	}{{4, 4}, {5, 4}, {7, 2}, {8, 4}, {9, 4}} {
		add(x.size, x.t)
	}
	add(4, 10, 1) // CTA_EXPECT_NAT/CTA_EXPECT_NAT_DIR
	for _, tup := range []uint16{1, 2, 3} {
		tupleSizes(tup, add)
	}
	for _, fs := range exp {
		for _, n := range []int{fs.size - 1, fs.size + 1} {
			if n == 0 {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", conntrack.PathString(conntrack.SpaceExpect, pathOf(fs.path...)), n), func(t *testing.T) {
				b := nestPath(fs.path[:len(fs.path)-1], attr(fs.path[len(fs.path)-1], make([]byte, n)))
				var e conntrack.Expect
				err := (conntrack.Decoder{}).DecodeExpect(nla.NewScannerOrder(b, nla.HostOrder, 0), &e)
				wantErr(t, err, nla.ErrSize, 4*(len(fs.path)-1), pathOf(fs.path...))
			})
		}
	}
}

// TestAdversarialFlowValues: strings without NUL or with embedded NULs,
// label bitmaps of odd sizes, NLA_F_NESTED where it does not belong or
// missing where it does, and a nest 1,000 deep inside a tuple, each with
// its exact outcome.
func TestAdversarialFlowValues(t *testing.T) {
	v4 := func(a, b byte) []byte { return []byte{192, 0, 2, a + b} }
	tupleIP := nest(1, nest(1, attr(1, v4(1, 0)), attr(2, v4(2, 0))))
	t.Run("helper name without NUL", func(t *testing.T) {
		var f conntrack.Flow
		if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScanner(nest(5, attr(1, []byte("ftp")))), &f); err != nil {
			t.Fatal(err)
		}
		if f.Helper.Name.String() != "ftp" || !f.Present.Has(conntrack.AttrHelp) {
			t.Fatalf("helper %q", f.Helper.Name)
		}
	})
	t.Run("helper name with embedded NULs", func(t *testing.T) {
		var f conntrack.Flow
		if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScanner(nest(5, attr(1, []byte("ft\x00p\x00\x00")))), &f); err != nil {
			t.Fatal(err)
		}
		if f.Helper.Name.String() != "ft" {
			t.Fatalf("helper %q, want the bytes before the first NUL", f.Helper.Name)
		}
	})
	t.Run("helper name of 16 bytes without NUL", func(t *testing.T) {
		var f conntrack.Flow
		err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScanner(nest(5, attr(1, []byte("0123456789abcdef")))), &f)
		wantErr(t, err, conntrack.ErrTooLong, 4, pathOf(5, 1))
	})
	t.Run("helper name of 15 bytes then NUL", func(t *testing.T) {
		var f conntrack.Flow
		if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScanner(nest(5, attr(1, []byte("0123456789abcde\x00")))), &f); err != nil {
			t.Fatal(err)
		}
		if f.Helper.Name.String() != "0123456789abcde" {
			t.Fatalf("helper %q", f.Helper.Name)
		}
	})
	for _, tc := range []struct {
		n   int
		err error
	}{{3, conntrack.ErrLabelsSize}, {17, conntrack.ErrTooLong}, {4096, conntrack.ErrTooLong}} {
		t.Run(fmt.Sprintf("labels of %d bytes", tc.n), func(t *testing.T) {
			var f conntrack.Flow
			err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScanner(attr(22, make([]byte, tc.n))), &f)
			wantErr(t, err, tc.err, 0, pathOf(22))
		})
	}
	t.Run("labels of 4 bytes", func(t *testing.T) {
		var f conntrack.Flow
		if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(attr(22, []byte{1, 0, 0, 0x80}), nla.HostOrder, 0), &f); err != nil {
			t.Fatal(err)
		}
		if f.LabelsSize != 4 || !f.Present.Has(conntrack.AttrLabels) || f.Labels != (conntrack.Labels{1, 0, 0, 0x80}) {
			t.Fatalf("labels %x size %d", f.Labels, f.LabelsSize)
		}
	})
	t.Run("NLA_F_NESTED on a scalar", func(t *testing.T) {
		var f conntrack.Flow
		if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(attr(7|nla.FlagNested, []byte{0, 0, 1, 0}), nla.HostOrder, 0), &f); err != nil {
			t.Fatal(err)
		}
		if f.Timeout != 256 || !f.Present.Has(conntrack.AttrTimeout) {
			t.Fatalf("timeout %d", f.Timeout)
		}
	})
	t.Run("NLA_F_NESTED missing on nests", func(t *testing.T) {
		var f conntrack.Flow
		b := attr(1, attr(1, append(attr(1, v4(1, 0)), attr(2, v4(2, 0))...)))
		if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 0), &f); err != nil {
			t.Fatal(err)
		}
		var g conntrack.Flow
		if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(tupleIP, nla.HostOrder, 0), &g); err != nil {
			t.Fatal(err)
		}
		if f != g || f.Orig.Src.String() != "192.0.2.1" {
			t.Fatalf("without flags %+v, with %+v", f.Orig, g.Orig)
		}
	})
	t.Run("nest 1000 deep in a tuple", func(t *testing.T) {
		// CTA_TUPLE_ORIG/CTA_TUPLE_IP/CTA_IP_V4_SRC holding 998 more
		// nests: the decoder reads CTA_IP_V4_SRC as a 4-byte value and
		// never descends.
		types := []uint16{1, 1}
		for len(types) < 1000 {
			types = append(types, 1)
		}
		b := nestPath(types, attr(1, v4(1, 0)))
		var f conntrack.Flow
		err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 0), &f)
		wantErr(t, err, nla.ErrSize, 8, pathOf(1, 1, 1))
		// Kept under an unknown type it is raw bytes, re-emitted as is.
		b = append(attr(3, []byte{0, 0, 0, 8}), nestPath(append([]uint16{99}, types[1:]...), attr(1, v4(1, 0)))...)
		k := conntrack.Decoder{Keep: true}
		if err := k.DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 0), &f); err != nil {
			t.Fatal(err)
		}
		out, err := f.AppendAttrs(nil)
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("re-encoded %d bytes of %d: %v", len(out), len(b), err)
		}
	})
	t.Run("IPv6 address of 15 and 17 bytes", func(t *testing.T) {
		for _, n := range []int{15, 17} {
			var f conntrack.Flow
			b := nest(2, nest(1, attr(3, make([]byte, n)), attr(4, make([]byte, 16))))
			err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 100), &f)
			wantErr(t, err, nla.ErrSize, 108, pathOf(2, 1, 3))
		}
	})
}

// Message types of the tables.
var (
	ctNew  = uint16(conntrack.MsgCTNew)
	expNew = uint16(conntrack.MsgExpNew)
)

// TestAdversarialMessages: nlmsg_len that lies, NLMSG_ERROR and
// NLMSG_DONE too short, truncated extended acks, unknown types and
// subsystems, interrupted dumps and dumps ended by an error.
func TestAdversarialMessages(t *testing.T) {
	flow := message(ctNew, codec.FlagMulti, 2, nest(1, nest(1, attr(1, []byte{192, 0, 2, 1}))))
	setLen := func(b []byte, n uint32) []byte {
		b = bytes.Clone(b)
		nla.HostOrder.PutUint32(b, n)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		err  error
		off  int
		n    int // messages before the error
	}{
		{"nlmsg_len 0", setLen(flow, 0), codec.ErrLength, 0, 0},
		{"nlmsg_len 15", setLen(flow, 15), codec.ErrLength, 0, 0},
		{"nlmsg_len past the datagram", setLen(flow, uint32(len(flow)+1)), codec.ErrTruncated, 0, 0},
		{"nlmsg_len 0xffffffff", setLen(flow, 0xffffffff), codec.ErrTruncated, 0, 0},
		{"second message nlmsg_len 8", append(bytes.Clone(flow), setLen(flow, 8)...), codec.ErrLength, len(flow), 1},
		{"header cut after one message", append(bytes.Clone(flow), flow[:10]...), codec.ErrTruncated, len(flow), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := codec.NewParser(tc.b, nla.HostOrder)
			n := 0
			for p.Next() {
				n++
			}
			if n != tc.n {
				t.Fatalf("%d messages before the error, want %d", n, tc.n)
			}
			wantErr(t, p.Err(), tc.err, tc.off, nla.Path{})
		})
	}

	// Decode of single messages, as if found at offset 36 of a datagram.
	const at = 36
	decode := func(b []byte) (conntrack.Record, error) {
		m, err := codec.ParseMessage(b, nla.HostOrder)
		if err != nil {
			return conntrack.Record{}, err
		}
		m.Offset = at
		var r conntrack.Record
		err = (conntrack.Decoder{}).Decode(m, &r)
		return r, err
	}
	req := control(0, 0, nil)[:codec.HeaderLen]
	for _, tc := range []struct {
		name string
		b    []byte
		err  error
		off  int
	}{
		{"NLMSG_ERROR with the code only", control(codec.TypeError, 0, u32host(-2)), codec.ErrShort, at},
		{"NLMSG_ERROR one byte short of its echo", control(codec.TypeError, 0, append(u32host(-2), req[:15]...)), codec.ErrShort, at},
		{"NLMSG_ERROR empty", control(codec.TypeError, 0, nil), codec.ErrShort, at},
		{"NLMSG_DONE empty", control(codec.TypeDone, codec.FlagMulti, nil), codec.ErrShort, at},
		{"NLMSG_DONE with 3 bytes", control(codec.TypeDone, codec.FlagMulti, []byte{0, 0, 0}), codec.ErrShort, at},
		{"flow without nfgenmsg", control(ctNew, codec.FlagMulti, []byte{2, 0}), codec.ErrShort, at},
		{"extack TLV truncated", control(codec.TypeError, codec.FlagCapped|codec.FlagAckTLVs,
			bytes.Join([][]byte{u32host(-22), req, rawAttr(40, codec.ExtAckMsg, []byte("bad"))}, nil)), nla.ErrTruncated, at + 36},
		{"extack offset of 2 bytes", control(codec.TypeError, codec.FlagCapped|codec.FlagAckTLVs,
			bytes.Join([][]byte{u32host(-22), req, attr(codec.ExtAckOffset, []byte{1, 0})}, nil)), nla.ErrSize, at + 36},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decode(tc.b)
			var path nla.Path
			if errors.Is(err, nla.ErrSize) {
				path = pathOf(codec.ExtAckOffset)
			}
			wantErr(t, err, tc.err, tc.off, path)
		})
	}

	for _, tc := range []struct {
		name  string
		b     []byte
		kind  conntrack.Kind
		check func(t *testing.T, r *conntrack.Record)
	}{
		{"unknown conntrack message", message(uint16(codec.MsgType(1, 9)), 0, 2, attr(1, nil)), conntrack.KindUnknown, nil},
		{"unknown conntrack request", message(uint16(codec.MsgType(1, 9)), codec.FlagRequest, 2), conntrack.KindUnknown, nil},
		{"unknown expectation message", message(uint16(codec.MsgType(2, 7)), codec.FlagMulti, 2), conntrack.KindUnknown, nil},
		{"subsystem 3", message(uint16(codec.MsgType(3, 0)), codec.FlagMulti, 2, attr(1, []byte{1})), conntrack.KindUnknown, nil},
		{"subsystem 0xff request", message(0xff00, codec.FlagRequest, 0), conntrack.KindUnknown, nil},
		{"reserved control type", control(9, 0, []byte{1, 2, 3}), conntrack.KindControl, func(t *testing.T, r *conntrack.Record) {
			if !bytes.Equal(r.Payload, []byte{1, 2, 3}) {
				t.Fatalf("payload % x", r.Payload)
			}
		}},
		{"interrupted dump: flow", setFlags(flow, codec.FlagMulti|codec.FlagDumpIntr), conntrack.KindFlow, func(t *testing.T, r *conntrack.Record) {
			if r.Header.Flags&codec.FlagDumpIntr == 0 || r.Flow.Orig.Src.String() != "192.0.2.1" {
				t.Fatalf("flags %#x orig %v", r.Header.Flags, r.Flow.Orig)
			}
		}},
		{"interrupted dump: done", control(codec.TypeDone, codec.FlagMulti|codec.FlagDumpIntr, u32host(0)), conntrack.KindDone, func(t *testing.T, r *conntrack.Record) {
			if r.Err() != nil || r.Header.Flags&codec.FlagDumpIntr == 0 {
				t.Fatalf("err %v flags %#x", r.Err(), r.Header.Flags)
			}
		}},
		{"dump ended by an error", control(codec.TypeDone, codec.FlagMulti, u32host(-int32(syscall.ENOBUFS))), conntrack.KindDone, func(t *testing.T, r *conntrack.Record) {
			if !errors.Is(r.Err(), syscall.ENOBUFS) || r.Done.Code != -int32(syscall.ENOBUFS) {
				t.Fatalf("err %v code %d", r.Err(), r.Done.Code)
			}
		}},
		{"dump ended by an error with extack", control(codec.TypeDone, codec.FlagMulti|codec.FlagAckTLVs,
			append(u32host(-int32(syscall.EINVAL)), attr(codec.ExtAckMsg, []byte("filter\x00"))...)), conntrack.KindDone, func(t *testing.T, r *conntrack.Record) {
			if !errors.Is(r.Err(), syscall.EINVAL) || string(r.Done.Msg) != "filter" {
				t.Fatalf("err %v msg %q", r.Err(), r.Done.Msg)
			}
		}},
		{"error with a short echo and no TLVs", control(codec.TypeError, 0, append(u32host(-2), setLen(req, 100)...)), conntrack.KindError, func(t *testing.T, r *conntrack.Record) {
			if !errors.Is(r.Err(), syscall.ENOENT) || r.Error.Request.Len != 100 || len(r.Error.RequestPayload) != 0 {
				t.Fatalf("err %v request %v payload %d", r.Err(), r.Error.Request, len(r.Error.RequestPayload))
			}
		}},
		{"expectation event without attributes", message(expNew, 0, 10), conntrack.KindExpectEvent, func(t *testing.T, r *conntrack.Record) {
			if r.Event != conntrack.EventUpdate || r.Expect.Family != conntrack.FamilyIPv6 {
				t.Fatalf("event %v family %v", r.Event, r.Expect.Family)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decode(tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != tc.kind {
				t.Fatalf("kind %v, want %v", r.Kind, tc.kind)
			}
			if tc.check != nil {
				tc.check(t, &r)
			}
			// Whatever decodes re-encodes to the same bytes, padded.
			out, err := r.AppendBinary(nil)
			want := append(bytes.Clone(tc.b), make([]byte, codec.Align(len(tc.b))-len(tc.b))...)
			if err != nil || !bytes.Equal(out, want) {
				t.Fatalf("re-encoded: %v\n% x\nwant\n% x", err, out, want)
			}
		})
	}

	t.Run("unknown types fail validation", func(t *testing.T) {
		for _, b := range [][]byte{
			message(uint16(codec.MsgType(1, 9)), codec.FlagRequest|codec.FlagAck, 2),
			message(uint16(codec.MsgType(2, 7)), codec.FlagRequest|codec.FlagAck, 2),
		} {
			m, _ := codec.ParseMessage(b, nla.HostOrder)
			err := conntrack.ValidateMessage(m)
			var ve *conntrack.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("type %#04x: %v", m.Header.Type, err)
			}
		}
	})
}

// setFlags returns a copy of message b with nlmsg_flags set to flags.
func setFlags(b []byte, flags uint16) []byte {
	b = bytes.Clone(b)
	nla.HostOrder.PutUint16(b[6:], flags)
	return b
}
