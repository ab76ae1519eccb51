package nla_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/ctwire/ctwire/nla"
)

// drawTree draws a list of attributes: random types over the whole 14-bit
// range, NLA_F_NET_BYTEORDER at random, leaf payloads of 0..40 bytes (so
// every padding length occurs), and nests (with NLA_F_NESTED) down to
// maxDepth levels. Offsets are left zero; encodeTree fills them.
func drawTree(t *rapid.T, depth, maxDepth int) []node {
	n := rapid.IntRange(0, 5).Draw(t, "count")
	var out []node
	for range n {
		var flags uint16
		if rapid.Bool().Draw(t, "netByteOrder") {
			flags = nla.FlagNetByteOrder
		}
		typ := rapid.Uint16Range(0, nla.TypeMask).Draw(t, "type")
		if depth < maxDepth && rapid.IntRange(0, 2).Draw(t, "kind") == 0 {
			out = append(out, node{Type: typ, Flags: flags | nla.FlagNested, Kids: drawTree(t, depth+1, maxDepth)})
			continue
		}
		data := rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "payload")
		if data == nil {
			data = []byte{} // decoded payloads are never nil
		}
		out = append(out, node{Type: typ, Flags: flags, Data: data})
	}
	return out
}

// encodeTree appends nodes with the package's encoders and returns them
// with the absolute offsets they were written at (b starting at base).
func encodeTree(b []byte, base int, nodes []node) ([]byte, []node, error) {
	if len(nodes) == 0 {
		return b, nil, nil
	}
	out := make([]node, len(nodes))
	for i, n := range nodes {
		n.Offset = base + len(b)
		if n.Flags&nla.FlagNested == 0 {
			b = nla.AppendBytes(b, n.Type|n.Flags, n.Data)
			out[i] = n
			continue
		}
		var start int
		var err error
		b, start = nla.BeginNest(b, n.Type|n.Flags&^nla.FlagNested)
		if b, n.Kids, err = encodeTree(b, base, n.Kids); err != nil {
			return nil, nil, err
		}
		if b, err = nla.EndNest(b, start); err != nil {
			return nil, nil, err
		}
		out[i] = n
	}
	return b, out, nil
}

// refEncode is an independent, naive encoder in byte order o: header,
// payload, zero padding; a nest's payload is its children's encoding.
func refEncode(o nla.Order, nodes []node) []byte {
	var b []byte
	for _, n := range nodes {
		payload := n.Data
		if n.Flags&nla.FlagNested != 0 {
			payload = refEncode(o, n.Kids)
		}
		b = o.AppendUint16(b, uint16(4+len(payload)))
		b = o.AppendUint16(b, n.Type|n.Flags)
		b = append(b, payload...)
		b = append(b, make([]byte, (4-len(payload)%4)%4)...)
	}
	return b
}

func TestPropertyRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tree := drawTree(t, 0, 3)
		base := rapid.IntRange(0, 64).Draw(t, "base")
		b, want, err := encodeTree(nil, base, tree)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		got, err := decodeTree(nla.NewScannerOrder(b, nla.HostOrder, base))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("decode(encode(tree)) differs (-want +got):\n%s", diff)
		}
		// The encoders agree byte for byte with the naive encoder in host
		// order; the naive encoder in either explicit order decodes to the
		// same tree through NewScannerOrder.
		if ref := refEncode(nla.HostOrder, tree); !bytes.Equal(ref, b) {
			t.Fatalf("encoders % x\nreference % x", b, ref)
		}
		for _, o := range []nla.Order{nla.LittleEndian, nla.BigEndian} {
			got, err := decodeTree(nla.NewScannerOrder(refEncode(o, tree), o, base))
			if err != nil {
				t.Fatalf("%v decode: %v", o, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%v headers decode differently (-want +got):\n%s", o, diff)
			}
		}
	})
}

func TestPropertyTruncatedPrefix(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tree := drawTree(t, 0, 3)
		base := rapid.IntRange(0, 64).Draw(t, "base")
		b, want, err := encodeTree(nil, base, tree)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		for k := 0; k <= len(b); k++ {
			// A fresh copy of exactly k bytes, so reading past the prefix
			// would be out of range even within the original's capacity.
			prefix := append([]byte(nil), b[:k]...)
			got, err := decodeTree(nla.NewScannerOrder(prefix, nla.HostOrder, base))
			if len(got) > len(want) {
				t.Fatalf("prefix %d: %d attributes from a tree of %d", k, len(got), len(want))
			}
			// Whatever was decoded is exactly the start of the full tree.
			if !equalNodes(want[:len(got)], got) {
				t.Fatalf("prefix %d decodes inconsistently (-want +got):\n%s", k,
					cmp.Diff(want[:len(got)], got, cmpopts.EquateEmpty()))
			}
			if err == nil {
				continue
			}
			// Cutting a valid list only ever cuts a top-level attribute: the
			// error is ErrTruncated at the first attribute not decoded.
			var e *nla.Error
			if !errors.As(err, &e) || !errors.Is(err, nla.ErrTruncated) {
				t.Fatalf("prefix %d: error %v (%T), want *nla.Error with ErrTruncated", k, err, err)
			}
			if e.Offset < base || e.Offset >= base+k {
				t.Fatalf("prefix %d: error offset %d outside [%d, %d)", k, e.Offset, base, base+k)
			}
			if e.Offset != want[len(got)].Offset || e.Path.Len() != 0 {
				t.Fatalf("prefix %d: error at %d path %v, want %d at the top level", k, e.Offset, e.Path, want[len(got)].Offset)
			}
		}
	})
}

func TestPropertyIndex(t *testing.T) {
	// Index matches a model of the kernel's liberal nla_parse: in order,
	// type 0, types past the table and empty payloads are skipped, and the
	// last duplicate wins.
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 20).Draw(t, "count")
		var b []byte
		var attrs []nla.Attr
		for range n {
			typ := rapid.Uint16Range(0, 9).Draw(t, "type")
			flags := rapid.SampledFrom([]uint16{0, nla.FlagNested, nla.FlagNetByteOrder}).Draw(t, "flags")
			data := rapid.SliceOfN(rapid.Byte(), 0, 9).Draw(t, "payload")
			if data == nil {
				data = []byte{}
			}
			attrs = append(attrs, nla.Attr{Type: typ, Flags: flags, Offset: len(b), Payload: data})
			b = nla.AppendBytes(b, typ|flags, data)
		}
		size := rapid.IntRange(0, 10).Draw(t, "tableSize")
		model := make([]nla.Attr, size)
		for _, a := range attrs {
			if a.Type != 0 && int(a.Type) < size && len(a.Payload) > 0 {
				model[a.Type] = a
			}
		}
		got := make([]nla.Attr, size)
		if err := nla.NewScanner(b).Index(got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(model, got); diff != "" {
			t.Fatalf("Index differs from the model (-want +got):\n%s", diff)
		}
	})
}

// equalNodes is cmp.Equal with nil and empty alike, fast enough to run on
// every prefix.
func equalNodes(a, b []node) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Type != y.Type || x.Flags != y.Flags || x.Offset != y.Offset ||
			!bytes.Equal(x.Data, y.Data) || !equalNodes(x.Kids, y.Kids) {
			return false
		}
	}
	return true
}

func TestPropertyGarbage(t *testing.T) {
	// Arbitrary bytes, or a valid encoding with a few bytes overwritten,
	// in either header order: the walk never panics, and any error is an
	// *nla.Error inside the input with a bounded path.
	rapid.Check(t, func(t *rapid.T) {
		var b []byte
		if rapid.Bool().Draw(t, "mutate") {
			b = refEncode(nla.HostOrder, drawTree(t, 0, 4))
			for range rapid.IntRange(1, 4).Draw(t, "mutations") {
				if len(b) == 0 {
					break
				}
				b[rapid.IntRange(0, len(b)-1).Draw(t, "at")] = rapid.Byte().Draw(t, "value")
			}
			b = b[:rapid.IntRange(0, len(b)).Draw(t, "cut")]
		} else {
			b = rapid.SliceOfN(rapid.Byte(), 0, 200).Draw(t, "input")
		}
		o := rapid.SampledFrom([]nla.Order{nla.LittleEndian, nla.BigEndian}).Draw(t, "order")
		base := rapid.IntRange(0, 64).Draw(t, "base")
		_, err := decodeTree(nla.NewScannerOrder(b, o, base))
		if err == nil {
			return
		}
		var e *nla.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v (%T) is not *nla.Error", err, err)
		}
		if e.Offset < base || e.Offset >= base+len(b) {
			t.Fatalf("error offset %d outside [%d, %d)", e.Offset, base, base+len(b))
		}
		if !errors.Is(err, nla.ErrTruncated) && !errors.Is(err, nla.ErrLength) && !errors.Is(err, nla.ErrDepth) {
			t.Fatalf("unexpected sentinel: %v", err)
		}
		if e.Path.Len() > nla.MaxDepth+1 {
			t.Fatalf("path of %d types", e.Path.Len())
		}
	})
}
