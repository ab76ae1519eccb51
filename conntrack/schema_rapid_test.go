package conntrack

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/ctwire/ctwire/internal/schema"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// drawSet fills the record rv with random attributes of set s, reading
// the schema alone, so that every attribute a row describes is drawn
// without a generator written for it.
func drawSet(t *rapid.T, s *schema.Set, rv reflect.Value, label string) {
	for i := range s.Attrs {
		a := &s.Attrs[i]
		if a.Kind == schema.Pad {
			continue
		}
		name := label + "." + a.Kernel
		if a.Presence != schema.ByChildren && a.Presence != schema.Always && !rapid.Bool().Draw(t, name) {
			continue
		}
		f := rv
		if a.Field != "" {
			f = rv.FieldByName(a.Field)
		}
		switch a.Presence {
		case schema.ByBit:
			p := rv.FieldByName(s.Present)
			if a.Exclusive && p.Uint()&(1<<a.Alt) != 0 {
				continue // one width of a counter only
			}
			if a.Kind == schema.Nest {
				drawSet(t, schema.Lookup(a.Nest), f, name)
				if !s.EmptyNests && f.IsZero() {
					continue // an empty nest here is a pad to the kernel
				}
			} else {
				drawValue(t, a, rv, f, name)
			}
			p.SetUint(p.Uint() | 1<<a.Num)
		case schema.ByValid:
			if !f.Interface().(netip.Addr).IsValid() {
				drawValue(t, a, rv, f, name)
			}
		case schema.ByBool:
			drawValue(t, a, rv, f, name)
			rv.FieldByName(a.Has).SetBool(true)
		case schema.ByChildren:
			drawSet(t, schema.Lookup(a.Nest), rv, name)
		case schema.Always:
			drawValue(t, a, rv, f, name)
		}
	}
}

// drawValue draws a value of a's kind into f that encodes to at least one
// byte.
func drawValue(t *rapid.T, a *schema.Attr, rv, f reflect.Value, name string) {
	switch a.Kind {
	case schema.U8:
		f.SetUint(uint64(rapid.Uint8().Draw(t, name)))
	case schema.U16:
		f.SetUint(uint64(rapid.Uint16().Draw(t, name)))
	case schema.U32, schema.U32Host:
		f.SetUint(uint64(rapid.Uint32().Draw(t, name)))
	case schema.U64:
		f.SetUint(rapid.Uint64().Draw(t, name))
	case schema.Addr4:
		f.Set(reflect.ValueOf(netip.AddrFrom4([4]byte(rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, name)))))
	case schema.Addr6:
		f.Set(reflect.ValueOf(netip.AddrFrom16([16]byte(rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, name)))))
	case schema.TCPFlags:
		f.Set(reflect.ValueOf(TCPFlagsMask{Flags: TCPFlags(rapid.Uint8().Draw(t, name)), Mask: TCPFlags(rapid.Uint8().Draw(t, name))}))
	case schema.String, schema.Binary:
		min, elem := 0, rapid.Byte()
		if a.Kind == schema.String {
			elem = rapid.ByteRange(1, 255) // a NUL would end the string
		} else {
			min = 1
		}
		b := rapid.SliceOfN(elem, min, 300).Draw(t, name)
		set := f.Addr().Interface().(interface{ setBytes([]byte) bool })
		for !set.setBytes(b) {
			b = b[:len(b)/2+min]
		}
	case schema.Labels:
		n := 4 * rapid.IntRange(1, 4).Draw(t, name+".words")
		var l Labels
		copy(l[:], rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, name))
		f.Set(reflect.ValueOf(l))
		if n == LabelsLen {
			n = 0
		}
		rv.FieldByName(a.SizeField).SetUint(uint64(n))
	}
}

// TestRapidSchemaRoundTrip: decode(encode(x)) == x for flows and
// expectations holding any attributes the schema describes.
func TestRapidSchemaRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var f Flow
		drawSet(t, schema.Lookup("flow"), reflect.ValueOf(&f).Elem(), "flow")
		for _, l := range []Layout{LayoutDump, LayoutEvent} {
			b, err := f.AppendAttrsLayout(nil, l)
			if err != nil {
				t.Fatal(err)
			}
			var g Flow
			if err := (Decoder{}).DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 0), &g); err != nil {
				t.Fatalf("decode: %v\n%x", err, b)
			}
			if g != f {
				t.Fatalf("flow, %v layout (-want +got):\n%s", l, cmp.Diff(f, g, cmpOpts))
			}
		}
		var e Expect
		drawSet(t, schema.Lookup("expect"), reflect.ValueOf(&e).Elem(), "expect")
		b, err := e.AppendAttrs(nil)
		if err != nil {
			t.Fatal(err)
		}
		var x Expect
		if err := (Decoder{}).DecodeExpect(nla.NewScanner(b), &x); err != nil {
			t.Fatalf("decode: %v\n%x", err, b)
		}
		if x != e {
			t.Fatalf("expect (-want +got):\n%s", cmp.Diff(e, x, cmpOpts))
		}
	})
}
