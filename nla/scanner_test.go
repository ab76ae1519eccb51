package nla_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctwire/ctwire/nla"
)

// path builds a Path from types, outermost first.
func path(types ...uint16) nla.Path {
	var p nla.Path
	for _, t := range types {
		p = p.Append(t)
	}
	return p
}

// wantTupleOrig is tupleOrig decoded at message offset 20.
var wantTupleOrig = []node{{
	Type: 1, Flags: nla.FlagNested, Offset: 20, // CTA_TUPLE_ORIG
	Kids: []node{
		{Type: 1, Flags: nla.FlagNested, Offset: 24, Kids: []node{ // CTA_TUPLE_IP
			{Type: 1, Offset: 28, Data: []byte{10, 0, 0, 1}}, // CTA_IP_V4_SRC
			{Type: 2, Offset: 36, Data: []byte{10, 0, 0, 2}}, // CTA_IP_V4_DST
		}},
		{Type: 2, Flags: nla.FlagNested, Offset: 44, Kids: []node{ // CTA_TUPLE_PROTO
			{Type: 1, Offset: 48, Data: []byte{6}},          // CTA_PROTO_NUM: len 5, padding not in payload
			{Type: 2, Offset: 56, Data: []byte{0x30, 0x39}}, // CTA_PROTO_SRC_PORT 12345
			{Type: 3, Offset: 64, Data: []byte{0x00, 0x50}}, // CTA_PROTO_DST_PORT 80
		}},
	},
}}

func TestScanTupleFixture(t *testing.T) {
	b := hostFixture(tupleOrig)
	got, err := decodeTree(nla.NewScannerOrder(b, nla.HostOrder, 20))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if diff := cmp.Diff(wantTupleOrig, got); diff != "" {
		t.Errorf("tree mismatch (-want +got):\n%s", diff)
	}

	// The same walk by hand, checking paths, offsets and typed values.
	s := nla.NewScannerOrder(b, nla.HostOrder, 20)
	if !s.Next() || s.Type() != 1 || !s.Attr().Nested() {
		t.Fatalf("first attribute: %+v, err %v", s.Attr(), s.Err())
	}
	if got := s.Offset(); got != 20+52 {
		t.Errorf("Offset after the nest = %d, want 72", got)
	}
	tuple := s.Nested()
	if tuple.Path() != path(1) || tuple.Offset() != 24 {
		t.Errorf("tuple scanner path %v offset %d, want 1 and 24", tuple.Path(), tuple.Offset())
	}
	if !tuple.Next() || tuple.Type() != 1 {
		t.Fatalf("CTA_TUPLE_IP missing: %v", tuple.Err())
	}
	ip := tuple.Nested()
	if ip.Path() != path(1, 1) {
		t.Errorf("ip path %v, want 1/1", ip.Path())
	}
	var addrs []string
	for ip.Next() {
		a, err := nla.AddrV4(ip.Payload())
		if err != nil {
			t.Fatal(ip.Errorf(err))
		}
		addrs = append(addrs, a.String())
	}
	if diff := cmp.Diff([]string{"10.0.0.1", "10.0.0.2"}, addrs); diff != "" || ip.Err() != nil {
		t.Errorf("addresses (-want +got):\n%s err %v", diff, ip.Err())
	}
	if !tuple.Next() || tuple.Type() != 2 {
		t.Fatalf("CTA_TUPLE_PROTO missing: %v", tuple.Err())
	}
	proto := tuple.Nested()
	if proto.Path() != path(1, 2) || proto.Order() != nla.HostOrder.Resolve() {
		t.Errorf("proto path %v order %v", proto.Path(), proto.Order())
	}
	var idx [4]nla.Attr
	if err := proto.Index(idx[:]); err != nil {
		t.Fatal(err)
	}
	num, err1 := nla.Uint8(idx[1].Payload)
	sport, err2 := nla.Uint16BE(idx[2].Payload)
	dport, err3 := nla.Uint16BE(idx[3].Payload)
	if err := errors.Join(err1, err2, err3); err != nil || num != 6 || sport != 12345 || dport != 80 {
		t.Errorf("proto %d %d->%d, err %v; want 6 12345->80", num, sport, dport, err)
	}
	if tuple.Next() || tuple.Err() != nil {
		t.Errorf("tuple has a third child or an error: %v", tuple.Err())
	}
	if s.Next() || s.Err() != nil {
		t.Errorf("top level has a second attribute or an error: %v", s.Err())
	}
}

func TestScanFlowFixture(t *testing.T) {
	b := hostFixture(flowPayload)
	tree, err := decodeTree(nla.NewScanner(b))
	if err != nil {
		t.Fatal(err)
	}
	var types []uint16
	for _, n := range tree {
		types = append(types, n.Type)
	}
	// The kernel's dump order for this flow
	// (net/netfilter/nf_conntrack_netlink.c: ctnetlink_fill_info).
	want := []uint16{1, 2, 3, 8, 12, 11, 7, 4, 9, 10, 20, 22}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("top-level types (-want +got):\n%s", diff)
	}
	// u64 counters: nla_len 12, 8-byte big-endian payloads.
	counters := tree[9] // CTA_COUNTERS_REPLY
	if counters.Offset != 220 || len(counters.Kids) != 2 {
		t.Fatalf("CTA_COUNTERS_REPLY = %+v", counters)
	}
	bytes, err := nla.Uint64BE(counters.Kids[1].Data)
	if err != nil || bytes != 123456 {
		t.Errorf("CTA_COUNTERS_BYTES = %d, %v; want 123456", bytes, err)
	}
	tcp := tree[7].Kids[0] // CTA_PROTOINFO / CTA_PROTOINFO_TCP
	if len(tcp.Kids) != 5 || !cmp.Equal(tcp.Kids[3].Data, []byte{0x23, 0x00}) {
		t.Errorf("CTA_PROTOINFO_TCP = %+v", tcp)
	}
	if last := tree[len(tree)-1]; last.Offset != 264 || len(last.Data) != 16 {
		t.Errorf("CTA_LABELS = %+v", last)
	}
}

func TestScanQuirks(t *testing.T) {
	b := hostFixture(quirks)
	tree, err := decodeTree(nla.NewScanner(b))
	if err != nil {
		t.Fatal(err)
	}
	want := []node{
		{Type: 3, Offset: 0, Data: []byte{0, 0, 1, 0x8e}},
		{Type: 2, Flags: nla.FlagNested, Offset: 8, Kids: []node{
			{Type: 2, Flags: nla.FlagNested, Offset: 12, Kids: []node{
				{Type: 1, Offset: 16, Data: []byte{17}},
				{Type: 2, Offset: 24, Data: []byte{0, 53}},
			}},
			{Type: 3, Offset: 32, Data: []byte{0, 0}},
		}},
		{Type: 9, Flags: nla.FlagNested, Offset: 40, Kids: []node{
			{Type: 5, Offset: 44, Data: []byte{}},
			{Type: 1, Offset: 48, Data: []byte{0, 0, 0, 0, 0, 0, 0, 2}},
			{Type: 5, Offset: 60, Data: []byte{}},
			{Type: 2, Offset: 64, Data: []byte{0, 0, 0, 0, 0, 0, 0, 0x98}},
		}},
		{Type: 3, Offset: 76, Data: []byte{}},
		{Type: 27, Offset: 80, Data: []byte{0x18, 0x8f, 0x3b, 0x4a, 0x6e, 0x1c, 0, 0}},
		{Type: 1, Flags: nla.FlagNetByteOrder, Offset: 92, Data: []byte{0xde, 0xad, 0xbe, 0xef}},
	}
	if diff := cmp.Diff(want, tree); diff != "" {
		t.Errorf("tree mismatch (-want +got):\n%s", diff)
	}

	// Index at the top level, CTA_MAX = 27: the zero-length
	// CTA_TIMESTAMP_PAD (type 3) must not replace the real CTA_STATUS, and
	// the NLA_F_NET_BYTEORDER attribute is filed under its masked type.
	var top [28]nla.Attr
	if err := nla.NewScanner(b).Index(top[:]); err != nil {
		t.Fatal(err)
	}
	if status, err := nla.Uint32BE(top[3].Payload); err != nil || status != 0x18e || top[3].Offset != 0 {
		t.Errorf("CTA_STATUS = %#x at %d, %v; want 0x18e at 0", status, top[3].Offset, err)
	}
	if top[1].Offset != 92 || top[1].Flags != nla.FlagNetByteOrder {
		t.Errorf("type 1 = %+v, want the NLA_F_NET_BYTEORDER attribute at 92", top[1])
	}
	if ts, err := nla.Uint64BE(top[27].Payload); err != nil || ts != 0x188f3b4a6e1c0000 {
		t.Errorf("CTA_TIMESTAMP_EVENT = %#x, %v", ts, err)
	}

	// Index inside the counters nest skips the CTA_COUNTERS_PAD entries.
	s := nla.NewScanner(b)
	for s.Next() && s.Type() != 9 {
	}
	var ctr [6]nla.Attr
	if err := s.Nested().Index(ctr[:]); err != nil {
		t.Fatal(err)
	}
	pk, _ := nla.Uint64BE(ctr[1].Payload)
	by, _ := nla.Uint64BE(ctr[2].Payload)
	if pk != 2 || by != 152 || ctr[5].Payload != nil {
		t.Errorf("counters packets %d bytes %d pad %+v; want 2, 152, no pad", pk, by, ctr[5])
	}
}

func TestAttrFields(t *testing.T) {
	// Type is masked with NLA_TYPE_MASK; both flag bits stay visible.
	for _, tc := range []struct {
		raw         uint16
		typ, flags  uint16
		wantNested  bool
		description string
	}{
		{0x0001, 1, 0, false, "plain"},
		{0x8001, 1, nla.FlagNested, true, "NLA_F_NESTED"},
		{0x4001, 1, nla.FlagNetByteOrder, false, "NLA_F_NET_BYTEORDER"},
		{0xc001, 1, nla.FlagNested | nla.FlagNetByteOrder, true, "both flags"},
		{0xffff, 0x3fff, 0xc000, true, "all bits"},
		{0x3fff, 0x3fff, 0, false, "largest type"},
	} {
		b := nla.AppendUint32BE(nil, tc.raw, 7)
		s := nla.NewScannerOrder(b, nla.HostOrder, 100)
		if !s.Next() {
			t.Fatalf("%s: %v", tc.description, s.Err())
		}
		a := s.Attr()
		if a.Type != tc.typ || a.Flags != tc.flags || a.Nested() != tc.wantNested || s.Type() != tc.typ {
			t.Errorf("%s: type %#x flags %#x nested %v, want %#x %#x %v",
				tc.description, a.Type, a.Flags, a.Nested(), tc.typ, tc.flags, tc.wantNested)
		}
		if a.Offset != 100 || a.PayloadOffset() != 104 {
			t.Errorf("%s: offsets %d/%d, want 100/104", tc.description, a.Offset, a.PayloadOffset())
		}
	}
}

func TestPayloadAliasesInput(t *testing.T) {
	b := hostFixture(`
		<06 00 01 00> aa bb 00 00
		<08 00 02 00> 01 02 03 04`)
	s := nla.NewScanner(b)
	s.Next()
	p := s.Payload()
	if len(p) != 2 || cap(p) != 2 {
		t.Fatalf("payload len %d cap %d, want 2 and 2 (capped at nla_len)", len(p), cap(p))
	}
	b[4] = 0x11
	if p[0] != 0x11 {
		t.Errorf("payload does not alias the input: % x", p)
	}
	// The capacity cap keeps an append to a payload from overwriting the
	// padding and the next attribute.
	_ = append(p, 0xee, 0xee)
	if b[6] != 0 || b[7] != 0 || b[8] == 0xee {
		t.Errorf("append to a payload wrote into the input: % x", b)
	}
}

func TestScannerCopySavesPosition(t *testing.T) {
	b := hostFixture(flowPayload)
	s := nla.NewScanner(b)
	s.Next() // CTA_TUPLE_ORIG
	s.Next() // CTA_TUPLE_REPLY
	saved := s
	var rest []uint16
	for s.Next() {
		rest = append(rest, s.Type())
	}
	var again []uint16
	for saved.Next() {
		again = append(again, saved.Type())
	}
	if len(rest) != 10 || !cmp.Equal(rest, again) {
		t.Errorf("after copy: %v, from the saved copy: %v", rest, again)
	}
	// The saved copy still held CTA_TUPLE_REPLY as its current attribute
	// before advancing; a copy taken then descends the same way.
	s2 := nla.NewScanner(b)
	s2.Next()
	s2.Next()
	c := s2
	n1, n2 := s2.Nested(), c.Nested()
	t1, _ := decodeTree(n1)
	t2, _ := decodeTree(n2)
	if !cmp.Equal(t1, t2) || len(t1) != 2 || t1[0].Offset != 56 {
		t.Errorf("nested of copies differ or wrong: %+v vs %+v", t1, t2)
	}
}

func TestAll(t *testing.T) {
	b := hostFixture(flowPayload)
	s := nla.NewScanner(b)
	var offs []int
	for a, err := range s.All() {
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, a.Offset)
	}
	want := []int{0, 52, 104, 112, 120, 128, 136, 144, 192, 220, 248, 264}
	if diff := cmp.Diff(want, offs); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
	// All works on a copy: s has not moved.
	if s.Offset() != 0 || !s.Next() || s.Attr().Offset != 0 {
		t.Errorf("All advanced the scanner: offset %d", s.Offset())
	}
	// Remaining attributes only, and an early break stops the walk.
	n := 0
	for a := range s.All() {
		n++
		if a.Offset != 52 {
			t.Errorf("first remaining attribute at %d, want 52", a.Offset)
		}
		break
	}
	if n != 1 {
		t.Errorf("break ran %d iterations", n)
	}
	// A malformed attribute ends the sequence with a zero Attr and the error.
	bad := append(hostFixture("<08 00 01 00> 00 00 00 01"), 0xff)
	var seen []nla.Attr
	var last error
	for a, err := range nla.NewScannerOrder(bad, nla.HostOrder, 16).All() {
		seen = append(seen, a)
		last = err
	}
	var e *nla.Error
	if len(seen) != 2 || seen[1].Offset != 0 || seen[1].Payload != nil ||
		!errors.As(last, &e) || e.Offset != 24 || !errors.Is(last, nla.ErrTruncated) {
		t.Errorf("All over a truncated list: %+v, %v", seen, last)
	}
}

func TestIndex(t *testing.T) {
	b := hostFixture(`
		<08 00 00 00> 00 00 00 00   // type 0: skipped
		<08 00 02 00> 00 00 00 01   // type 2, first
		<08 00 09 00> 00 00 00 09   // type 9: beyond the table, skipped
		<04 00 03 00>               // zero-length: ignored
		<08 00 02 00> 00 00 00 02   // type 2 again: last one wins
		<05 00 01 80> 07 00 00 00   // type 1 with NLA_F_NESTED, filed by masked type
		<08 00 04 00> 00 00 00 04   // type 4 = len(dst): skipped
	`)
	keep := nla.Attr{Type: 0xabc, Offset: -1}
	dst := []nla.Attr{keep, keep, keep, keep}
	if err := nla.NewScanner(b).Index(dst); err != nil {
		t.Fatal(err)
	}
	want := []nla.Attr{
		keep, // type 0 never filled
		{Type: 1, Flags: nla.FlagNested, Offset: 36, Payload: []byte{7}},
		{Type: 2, Offset: 28, Payload: []byte{0, 0, 0, 2}},
		keep, // only a zero-length attribute of type 3
	}
	if diff := cmp.Diff(want, dst); diff != "" {
		t.Errorf("Index (-want +got):\n%s", diff)
	}

	// Index is a value method: the scanner has not moved. It starts from the
	// current position.
	s := nla.NewScanner(b)
	s.Next()
	s.Next()
	s.Next() // past type 9
	var d2 [3]nla.Attr
	if err := s.Index(d2[:]); err != nil || d2[2].Offset != 28 || s.Offset() != 24 {
		t.Errorf("Index from the middle: %+v, offset %d, err %v", d2, s.Offset(), err)
	}

	// An error stops Index: what came before is kept, and the error is typed.
	bad := append(hostFixture("<08 00 01 00> 00 00 00 01 <08 00 02 00> 00 00 00 02"), hostFixture("<02 00 02 00>")...)
	var d3 [3]nla.Attr
	err := nla.NewScanner(bad).Index(d3[:])
	var e *nla.Error
	if !errors.As(err, &e) || !errors.Is(err, nla.ErrLength) || e.Offset != 16 ||
		d3[1].Offset != 0 || d3[2].Offset != 8 {
		t.Errorf("Index over a bad list: %+v, %v", d3, err)
	}
}

func TestNestedFlagNotRequired(t *testing.T) {
	// CTA_TUPLE_ORIG and its children without NLA_F_NESTED, as an old
	// kernel or a hand-made request may send them.
	b := hostFixture(`
		<1c 00 01 00>                 // type 1, no flag
		  <14 00 02 00>               //   type 2, no flag
		    <05 00 01 00> 11 00 00 00
		    <06 00 02 00> 00 35 00 00
		  <04 00 03 00>               //   empty nest
	`)
	s := nla.NewScanner(b)
	if !s.Next() || s.Attr().Nested() {
		t.Fatalf("outer: %+v %v", s.Attr(), s.Err())
	}
	outer := s.Nested()
	if !outer.Next() || outer.Type() != 2 {
		t.Fatalf("inner: %v", outer.Err())
	}
	inner := outer.Nested()
	var idx [3]nla.Attr
	if err := inner.Index(idx[:]); err != nil {
		t.Fatal(err)
	}
	if port, err := nla.Uint16BE(idx[2].Payload); err != nil || port != 53 || idx[2].Offset != 16 {
		t.Errorf("port %d at %d, %v; want 53 at 16", port, idx[2].Offset, err)
	}
	if !outer.Next() || outer.Type() != 3 {
		t.Fatalf("empty nest: %v", outer.Err())
	}
	empty := outer.Nested()
	if empty.Next() || empty.Err() != nil || empty.Path() != path(1, 3) {
		t.Errorf("empty nest yields %+v, %v, path %v", empty.Attr(), empty.Err(), empty.Path())
	}
}

func TestUnpaddedLastAttribute(t *testing.T) {
	// A last attribute whose padding is missing, at the top level and as
	// the last child of a nest whose own length leaves its padding out.
	top := hostFixture("<08 00 01 00> 00 00 00 01 <05 00 02 00> 2a")
	tree, err := decodeTree(nla.NewScanner(top))
	if err != nil || len(tree) != 2 || !cmp.Equal(tree[1].Data, []byte{0x2a}) {
		t.Errorf("top level: %+v, %v", tree, err)
	}
	nest := hostFixture(`
		<12 00 01 80>                 // nest len 18
		  <08 00 01 00> 00 00 00 01
		  <06 00 02 00> 00 50         //   last child, len 6, no padding inside the nest
		  00 00                       // the nest's padding
		<05 00 02 00> 06              // unpadded last top-level attribute
	`)
	tree, err = decodeTree(nla.NewScanner(nest))
	want := []node{
		{Type: 1, Flags: nla.FlagNested, Offset: 0, Kids: []node{
			{Type: 1, Offset: 4, Data: []byte{0, 0, 0, 1}},
			{Type: 2, Offset: 12, Data: []byte{0, 0x50}},
		}},
		{Type: 2, Offset: 20, Data: []byte{6}},
	}
	if diff := cmp.Diff(want, tree); diff != "" || err != nil {
		t.Errorf("nest (-want +got):\n%s err %v", diff, err)
	}
}

func TestZeroScanner(t *testing.T) {
	var s nla.Scanner
	if s.Next() || s.Err() != nil || s.Offset() != 0 || s.Path().Len() != 0 {
		t.Errorf("zero Scanner: next, err %v", s.Err())
	}
	if err := s.Index(make([]nla.Attr, 4)); err != nil {
		t.Error(err)
	}
	for range s.All() {
		t.Error("zero Scanner yields an attribute")
	}
	// The zero Scanner reads the host's order.
	z := nla.Scanner{}
	h := nla.NewScanner(nil)
	if z.Order().Resolve() != h.Order() {
		t.Errorf("orders %v and %v", z.Order(), h.Order())
	}
	// Empty input and nil input are clean ends.
	for _, b := range [][]byte{nil, {}} {
		s := nla.NewScannerOrder(b, nla.BigEndian, 8)
		if s.Next() || s.Err() != nil || s.Offset() != 8 {
			t.Errorf("empty input %v: err %v offset %d", b, s.Err(), s.Offset())
		}
	}
}

func TestScanErrors(t *testing.T) {
	// Each input is scanned at base 16 (after a 16-byte nlmsghdr, say) and
	// walked completely; the first error must carry the exact offset and path.
	const base = 16
	for _, tc := range []struct {
		name string
		in   string
		err  error
		off  int
		path nla.Path
	}{
		{"nla_len 0", "<00 00 01 00> 00 00 00 00", nla.ErrLength, base, path()},
		{"nla_len 1", "<01 00 01 00>", nla.ErrLength, base, path()},
		{"nla_len 2", "<02 00 01 00>", nla.ErrLength, base, path()},
		{"nla_len 3", "<03 00 01 00>", nla.ErrLength, base, path()},
		{"nla_len 3 after a good one", "<05 00 01 00> 06 00 00 00 <03 00 02 00>", nla.ErrLength, base + 8, path()},
		{"nla_len past the end", "<09 00 01 00> 00 00 00 00", nla.ErrTruncated, base, path()},
		{"nla_len far past the end", "<08 00 01 00> 00 00 00 00 <ff ff 02 00> 00 00 00 00", nla.ErrTruncated, base + 8, path()},
		{"1 trailing byte", "<08 00 01 00> 00 00 00 01 00", nla.ErrTruncated, base + 8, path()},
		{"2 trailing bytes", "<08 00 01 00> 00 00 00 01 00 00", nla.ErrTruncated, base + 8, path()},
		{"3 trailing bytes", "<08 00 01 00> 00 00 00 01 00 00 00", nla.ErrTruncated, base + 8, path()},
		{"only 3 bytes", "08 00 01", nla.ErrTruncated, base, path()},
		{"bad length in a nest", `
			<34 00 01 80>                 // CTA_TUPLE_ORIG
			  <14 00 01 80>               //   CTA_TUPLE_IP
			    <08 00 01 00> 0a 00 00 01
			    <08 00 02 00> 0a 00 00 02
			  <1c 00 02 80>               //   CTA_TUPLE_PROTO
			    <05 00 01 00> 06 00 00 00
			    <02 00 02 00> 30 39 00 00 //     nla_len 2
			    <06 00 03 00> 00 50 00 00`, nla.ErrLength, base + 36, path(1, 2)},
		{"child past the nest end", `
			<10 00 01 80>                 // nest len 16
			  <0c 00 01 80>               //   nest len 12
			    <09 00 01 00> 00 00 00 00 //     len 9 > 8 left in its nest
			<08 00 02 00> 00 00 00 00`, nla.ErrTruncated, base + 8, path(1, 1)},
		{"trailing bytes in a nest", `
			<0a 00 07 80>                 // nest len 10
			  <04 00 01 00>
			  00 00                       //   2 bytes left: not a header
			00 00`, nla.ErrTruncated, base + 8, path(7)},
		{"type flags do not enter the path", `
			<0c 00 05 c0>                 // type 5 with both flags
			  <03 00 01 00> 00 00 00 00`, nla.ErrLength, base + 4, path(5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeTree(nla.NewScannerOrder(hostFixture(tc.in), nla.HostOrder, base))
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			var e *nla.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *nla.Error", err)
			}
			if e.Offset != tc.off || e.Path != tc.path || e.Err != tc.err {
				t.Errorf("error at %d path %v (%v), want %d path %v", e.Offset, e.Path, e.Err, tc.off, tc.path)
			}
		})
	}
}

func TestErrorSticks(t *testing.T) {
	// After an error Next keeps returning false and the error stays.
	s := nla.NewScanner(hostFixture("<02 00 01 00> <08 00 02 00> 00 00 00 00"))
	if s.Next() {
		t.Fatal("Next accepted nla_len 2")
	}
	first := s.Err()
	if s.Next() || s.Err() != first {
		t.Errorf("second Next: %v, %v", s.Attr(), s.Err())
	}
}

// buildDeep returns n nests, each the only child of the one before, with a
// u32 at the bottom. Nest i (0-based) has type i%100+1 and its header at
// offset 4*i.
func buildDeep(n int) ([]byte, error) {
	var b []byte
	starts := make([]int, n)
	for i := range n {
		b, starts[i] = nla.BeginNest(b, uint16(i%100+1))
	}
	b = nla.AppendUint32BE(b, 1, 0xdeadbeef)
	for i := n - 1; i >= 0; i-- {
		var err error
		if b, err = nla.EndNest(b, starts[i]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func TestDepth(t *testing.T) {
	const base = 20
	b, err := buildDeep(1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 1000*4+8 {
		t.Fatalf("deep nest is %d bytes", len(b))
	}
	// decodeTree descends as far as it is let.
	_, err = decodeTree(nla.NewScannerOrder(b, nla.HostOrder, base))
	var e *nla.Error
	if !errors.Is(err, nla.ErrDepth) || !errors.As(err, &e) {
		t.Fatalf("error %v, want ErrDepth", err)
	}
	// Scanners with paths of length 0..MaxDepth read their attributes; the
	// nest read by the scanner at depth MaxDepth cannot be entered. The
	// error points at that nest's header and its path ends with its type.
	wantPath := path()
	for i := 0; i <= nla.MaxDepth; i++ {
		wantPath = wantPath.Append(uint16(i%100 + 1))
	}
	if e.Offset != base+4*nla.MaxDepth || e.Path != wantPath || e.Path.Len() != nla.MaxDepth+1 {
		t.Errorf("ErrDepth at %d path %v, want %d path %v", e.Offset, e.Path, base+4*nla.MaxDepth, wantPath)
	}

	// Step by step: the deepest allowed scanner works, the next one is
	// refused and yields nothing.
	s := nla.NewScannerOrder(b, nla.HostOrder, base)
	for d := 0; d < nla.MaxDepth; d++ {
		if !s.Next() {
			t.Fatalf("depth %d: %v", d, s.Err())
		}
		s = s.Nested()
	}
	if s.Path().Len() != nla.MaxDepth || !s.Next() || s.Err() != nil {
		t.Fatalf("depth %d scanner: %v", nla.MaxDepth, s.Err())
	}
	refused := s.Nested()
	if refused.Next() || !errors.Is(refused.Err(), nla.ErrDepth) {
		t.Errorf("past MaxDepth: next, err %v", refused.Err())
	}

	// MaxDepth nests with a leaf at the bottom decode; one more does not.
	ok, err := buildDeep(nla.MaxDepth)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := decodeTree(nla.NewScanner(ok))
	if err != nil {
		t.Fatalf("MaxDepth nests: %v", err)
	}
	depth := 0
	for len(tree) == 1 && tree[0].Kids != nil {
		tree = tree[0].Kids
		depth++
	}
	if depth != nla.MaxDepth || len(tree) != 1 || len(tree[0].Data) != 4 {
		t.Errorf("reached depth %d, leaf %+v", depth, tree)
	}
	tooDeep, _ := buildDeep(nla.MaxDepth + 1)
	if _, err := decodeTree(nla.NewScanner(tooDeep)); !errors.Is(err, nla.ErrDepth) {
		t.Errorf("MaxDepth+1 nests: %v, want ErrDepth", err)
	}
}

func TestErrorfLocatesCurrentAttribute(t *testing.T) {
	b := hostFixture(tupleOrig)
	s := nla.NewScannerOrder(b, nla.HostOrder, 20)
	s.Next()
	tuple := s.Nested()
	tuple.Next()
	tuple.Next() // CTA_TUPLE_PROTO
	proto := tuple.Nested()
	proto.Next() // CTA_PROTO_NUM: one byte
	_, err := nla.Uint32BE(proto.Payload())
	err = proto.Errorf(err)
	var e *nla.Error
	if !errors.Is(err, nla.ErrSize) || !errors.As(err, &e) || e.Offset != 48 || e.Path != path(1, 2, 1) {
		t.Errorf("Errorf = %#v", err)
	}
	if got, want := err.Error(), "nla: wrong payload size at offset 48, path 1/2/1"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

func TestErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		e    nla.Error
		want string
	}{
		{nla.Error{Offset: 52, Path: path(1, 2, 3), Err: nla.ErrTruncated}, "nla: truncated attribute at offset 52, path 1/2/3"},
		{nla.Error{Offset: 0, Err: nla.ErrLength}, "nla: invalid attribute length at offset 0"},
		{nla.Error{Offset: 7, Path: path(16383), Err: nla.ErrDepth}, "nla: nesting too deep at offset 7, path 16383"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(&tc.e, tc.e.Err) {
			t.Errorf("%v does not unwrap to its sentinel", &tc.e)
		}
	}
}

func TestPath(t *testing.T) {
	var p nla.Path
	if p.Len() != 0 || p.String() != "" {
		t.Errorf("zero Path: %d %q", p.Len(), p)
	}
	p = p.Append(1).Append(2).Append(1)
	if p.Len() != 3 || p.At(0) != 1 || p.At(1) != 2 || p.At(2) != 1 || p.String() != "1/2/1" {
		t.Errorf("Path 1/2/1: len %d %q", p.Len(), p)
	}
	if string(p.AppendText([]byte("x="))) != "x=1/2/1" {
		t.Errorf("AppendText: %q", p.AppendText([]byte("x=")))
	}
	// Values compare by content.
	if p != path(1, 2, 1) || p == path(1, 2) || p == path(1, 2, 1, 0) {
		t.Error("Path comparison")
	}
	// A full path ignores further types instead of overflowing.
	var full nla.Path
	for i := range nla.MaxDepth + 5 {
		full = full.Append(uint16(i))
	}
	if full.Len() != nla.MaxDepth+1 || full.At(nla.MaxDepth) != nla.MaxDepth {
		t.Errorf("full path: len %d last %d", full.Len(), full.At(full.Len()-1))
	}
}

func TestBigEndianHeaders(t *testing.T) {
	// The same trees laid out with big-endian headers (a capture from s390x)
	// decode identically through NewScannerOrder, on any host.
	for _, fx := range []struct{ name, text string }{
		{"tuple", tupleOrig}, {"flow", flowPayload}, {"quirks", quirks},
	} {
		t.Run(fx.name, func(t *testing.T) {
			le := fixture(nla.LittleEndian, fx.text)
			be := fixture(nla.BigEndian, fx.text)
			if cmp.Equal(le, be) {
				t.Fatal("layouts do not differ")
			}
			tle, err := decodeTree(nla.NewScannerOrder(le, nla.LittleEndian, 20))
			if err != nil {
				t.Fatal(err)
			}
			tbe, err := decodeTree(nla.NewScannerOrder(be, nla.BigEndian, 20))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tle, tbe); diff != "" {
				t.Errorf("BE decode differs (-LE +BE):\n%s", diff)
			}
			// Host-order scanning agrees with the explicit order of the host.
			host := hostFixture(fx.text)
			th, err := decodeTree(nla.NewScannerOrder(host, nla.HostOrder, 20))
			if err != nil || !cmp.Equal(th, tle) {
				t.Errorf("host-order decode differs: %v", err)
			}
			// Reading with the wrong order does not yield the same tree.
			wrong, _ := decodeTree(nla.NewScannerOrder(be, nla.LittleEndian, 20))
			if cmp.Equal(wrong, tle) {
				t.Error("big-endian bytes decoded as little-endian give the same tree")
			}
		})
	}
	if s := nla.NewScannerOrder(nil, nla.BigEndian, 0); s.Order() != nla.BigEndian {
		t.Errorf("Order() = %v", s.Order())
	}
}
