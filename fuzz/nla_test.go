package fuzz

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ctwire/ctwire/internal/fuzzcheck"
	"github.com/ctwire/ctwire/nla"
)

// nlaBudget: a walk allocates only its errors, one per scanner at most,
// and there is at most one scanner per 4 input bytes.
var nlaBudget = fuzzcheck.Budget{PerByte: 64, Const: 4 << 10}

// walkAll descends into every attribute of s with at least a header's
// worth of payload, checking that each attribute lies inside b (the
// buffer the outermost scanner was given, at base 0) and that its payload
// aliases it. It returns the number of attributes seen.
func walkAll(t *testing.T, b []byte, s nla.Scanner, depth int) int {
	n := 0
	for s.Next() {
		a := s.Attr()
		n++
		end := a.PayloadOffset() + len(a.Payload)
		if a.Offset < 0 || end > len(b) {
			t.Fatalf("attribute at %d..%d outside %d bytes", a.Offset, end, len(b))
		}
		if len(a.Payload) > 0 && &a.Payload[0] != &b[a.PayloadOffset()] {
			t.Fatalf("payload at %d does not alias the input", a.Offset)
		}
		if a.Type&^nla.TypeMask != 0 || a.Flags&nla.TypeMask != 0 {
			t.Fatalf("type %#x flags %#x not split", a.Type, a.Flags)
		}
		if len(a.Payload) >= nla.HeaderLen {
			ns := s.Nested()
			if ns.Path().Len() != depth+1 && ns.Path().Len() != nla.MaxDepth+1 {
				t.Fatalf("nested path length %d at depth %d", ns.Path().Len(), depth)
			}
			n += walkAll(t, b, ns, depth+1)
		}
	}
	if err := s.Err(); err != nil {
		fuzzcheck.CheckError(t, err, 0, int64(len(b)))
		if errors.Is(err, nla.ErrDepth) && depth <= nla.MaxDepth {
			t.Fatalf("ErrDepth at depth %d: %v", depth, err)
		}
	}
	return n
}

// FuzzNLA scans arbitrary bytes as attributes in both byte orders: every
// attribute at every depth lies inside the input, errors are typed with an
// offset inside it, the iterator and Index agree with Next, and the walk
// allocates only its errors.
func FuzzNLA(f *testing.F) {
	addAttrs(f)
	f.Add([]byte{})
	f.Add([]byte{4, 0, 1, 0})
	f.Add([]byte{8, 0, 1, 0x80, 4, 0, 2, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, o := range []nla.Order{nla.LittleEndian, nla.BigEndian} {
			fuzzcheck.CheckAlloc(t, len(b), nlaBudget, func() {
				walkAll(t, b, nla.NewScannerOrder(b, o, 0), 0)
			})

			// All yields what Next does, then the error.
			s := nla.NewScannerOrder(b, o, 0)
			var want []nla.Attr
			for s.Next() {
				want = append(want, s.Attr())
			}
			i := 0
			for a, err := range nla.NewScannerOrder(b, o, 0).All() {
				if err != nil {
					if s.Err() == nil || err.Error() != s.Err().Error() || i != len(want) {
						t.Fatalf("All error %v after %d, Next %v after %d", err, i, s.Err(), len(want))
					}
					break
				}
				if i >= len(want) || a.Offset != want[i].Offset || a.Type != want[i].Type || !bytes.Equal(a.Payload, want[i].Payload) {
					t.Fatalf("All attribute %d differs", i)
				}
				i++
			}

			// Index is the last non-empty attribute of each type.
			var idx, ref [40]nla.Attr
			err := nla.NewScannerOrder(b, o, 0).Index(idx[:])
			if (err == nil) != (s.Err() == nil) {
				t.Fatalf("Index error %v, Next error %v", err, s.Err())
			}
			for _, a := range want {
				if a.Type != 0 && int(a.Type) < len(ref) && len(a.Payload) > 0 {
					ref[a.Type] = a
				}
			}
			for k := range idx {
				if idx[k].Offset != ref[k].Offset || !bytes.Equal(idx[k].Payload, ref[k].Payload) {
					t.Fatalf("Index[%d] at %d, want %d", k, idx[k].Offset, ref[k].Offset)
				}
			}
			// A base shifts every offset, errors included.
			sb := nla.NewScannerOrder(b, o, 1000)
			for k := 0; sb.Next(); k++ {
				if sb.Attr().Offset != want[k].Offset+1000 {
					t.Fatalf("base offset %d, want %d", sb.Attr().Offset, want[k].Offset+1000)
				}
			}
			if err := sb.Err(); err != nil {
				fuzzcheck.CheckError(t, err, 1000, 1000+int64(len(b)))
			}
		}
	})
}
