package conntrack

// The reference decoder the differential tests compare the decoder
// against (same records, same errors: offset, path, sentinel): a small
// interpreter of internal/schema that fills records by reflection. It
// shares the schema with the generated decoder, and nothing else: a row
// the generator mishandles, or a fast path that disagrees with its
// row, shows up as a difference.

import (
	"encoding/binary"
	"net/netip"
	"reflect"

	"github.com/ctwire/ctwire/internal/schema"
	"github.com/ctwire/ctwire/nla"
)

// refDecodeFlow is the reference DecodeFlow.
func refDecodeFlow(d Decoder, b []byte, o nla.Order, base int, f *Flow) error {
	t := Flow{Family: f.Family}
	st := rdec{keep: d.Keep, big: o.Resolve() == nla.BigEndian}
	w := rwalker{b: b, base: base, big: st.big}
	if err := st.set(&w, schema.Lookup("flow"), reflect.ValueOf(&t).Elem(), d.Only); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	t.Extra = st.extra
	*f = t
	return nil
}

// rwalker iterates the attributes of one buffer. It is the hot-path
// counterpart of nla.Scanner: no path, no error value, just the current
// attribute; the decoder keeps the path as a stack and builds errors only
// when it fails.
type rwalker struct {
	b     []byte
	off   int  // next header, relative to b
	base  int  // absolute offset of b[0]
	big   bool // headers are big-endian
	typ   uint16
	flags uint16
	at    int // absolute offset of the current header
	p     []byte
	bad   uint8 // why the walk stopped: rbadTruncated or rbadLength
}

const (
	rbadTruncated = 1 + iota
	rbadLength
)

func (w *rwalker) hdr16(i int) uint16 {
	if w.big {
		return binary.BigEndian.Uint16(w.b[i:])
	}
	return binary.LittleEndian.Uint16(w.b[i:])
}

// next advances to the next attribute, following the kernel's nla_ok rule
// and accepting an unpadded final attribute.
func (w *rwalker) next() bool {
	rem := len(w.b) - w.off
	if rem <= 0 || w.bad != 0 {
		return false
	}
	if rem < nla.HeaderLen {
		w.bad = rbadTruncated
		return false
	}
	n := int(w.hdr16(w.off))
	t := w.hdr16(w.off + 2)
	if n < nla.HeaderLen {
		w.bad = rbadLength
		return false
	}
	if n > rem {
		w.bad = rbadTruncated
		return false
	}
	w.typ, w.flags = t&nla.TypeMask, t&^nla.TypeMask
	w.at = w.base + w.off
	w.p = w.b[w.off+nla.HeaderLen : w.off+n : w.off+n]
	w.off += min(nla.Align(n), rem)
	return true
}

// rdec is the state of one decoding run.
type rdec struct {
	keep   bool
	big    bool
	extra  Extras
	prefix nla.Path  // path of the scanner handed to DecodeAttrs
	stack  [8]uint16 // types of the nests being decoded
	depth  int
}

func (d *rdec) path() nla.Path {
	p := d.prefix
	for _, t := range d.stack[:d.depth] {
		p = p.Append(t)
	}
	return p
}

// walkErr reports the error that stopped w (a malformed header).
func (d *rdec) walkErr(w *rwalker) error {
	if w.bad == 0 {
		return nil
	}
	err := nla.ErrTruncated
	if w.bad == rbadLength {
		err = nla.ErrLength
	}
	return &Error{Offset: w.base + w.off, Types: d.path(), Err: err}
}

// valueErr reports a bad payload of the current attribute of w.
func (d *rdec) valueErr(w *rwalker, err error) error {
	return &Error{Offset: w.at, Types: d.path().Append(w.typ), Err: err}
}

// enter returns a rwalker over the current attribute's payload and pushes
// its type on the path; leave pops it.
func (d *rdec) enter(w *rwalker) rwalker {
	if d.depth < len(d.stack) {
		d.stack[d.depth] = w.typ
	}
	d.depth++
	return rwalker{b: w.p, base: w.at + nla.HeaderLen, big: w.big}
}

func (d *rdec) leave() { d.depth-- }

// skip records an attribute the decoder does not interpret: kept with its
// position if asked, else dropped.
func (d *rdec) skipW(w *rwalker, index int) {
	if !d.keep {
		return
	}
	d.extra = d.extra.Append(ExtraAttr{
		Path: d.path(), Index: index, Type: w.typ, Flags: w.flags, Payload: string(w.p),
	})
}

// top decodes the top level read by an nla.Scanner.
func (d *rdec) top(s *nla.Scanner, f *Flow, only AttrSet) error {
	fs, rv := schema.Lookup("flow"), reflect.ValueOf(f).Elem()
	for i := 0; s.Next(); i++ {
		a := s.Attr()
		w := rwalker{typ: a.Type, flags: a.Flags, at: a.Offset, p: a.Payload, big: d.big}
		if err := d.attr(&w, fs, rv, only, i); err != nil {
			return err
		}
	}
	return s.Err()
}

// set decodes the attributes read by w, of set s, into the record rv.
func (d *rdec) set(w *rwalker, s *schema.Set, rv reflect.Value, only AttrSet) error {
	if s.Reset {
		rv.SetZero()
	}
	for i := 0; w.next(); i++ {
		if err := d.attr(w, s, rv, only, i); err != nil {
			return err
		}
	}
	return d.walkErr(w)
}

// attr decodes the current attribute of w, the i'th of set s, into rv.
func (d *rdec) attr(w *rwalker, s *schema.Set, rv reflect.Value, only AttrSet, i int) error {
	if s.Name == "flow" && only != 0 && !only.Has(AttrType(w.typ)) {
		return nil
	}
	a := s.Attr(w.typ)
	if a == nil || a.Kind == schema.Pad {
		d.skipW(w, i)
		return nil
	}
	nest := a.Kind == schema.Nest || a.Kind == schema.Flat
	if len(w.p) == 0 && !(nest && s.EmptyNests) {
		// A pad (CTA_TIMESTAMP_EVENT's has type 3, which must not
		// clear CTA_STATUS), unless an empty nest the kernel keeps.
		d.skipW(w, i)
		return nil
	}
	f := rv
	if a.Field != "" {
		f = rv.FieldByName(a.Field)
	}
	if err := d.value(w, a, rv, f); err != nil {
		return err
	}
	switch a.Presence {
	case schema.ByBit:
		p := rv.FieldByName(s.Present)
		v := p.Uint()
		if a.Exclusive {
			v &^= 1 << a.Alt
		}
		p.SetUint(v | 1<<a.Num)
	case schema.ByBool:
		rv.FieldByName(a.Has).SetBool(true)
	}
	return nil
}

// value decodes the payload of the current attribute of w, a, into the
// field f of record rv.
func (d *rdec) value(w *rwalker, a *schema.Attr, rv, f reflect.Value) error {
	p := w.p
	size := map[schema.Kind]int{schema.U8: 1, schema.U16: 2, schema.U32: 4, schema.U64: 8, schema.U32Host: 4,
		schema.Addr4: 4, schema.Addr6: 16, schema.TCPFlags: 2}[a.Kind]
	if size != 0 && len(p) != size {
		return d.valueErr(w, nla.ErrSize)
	}
	switch a.Kind {
	case schema.U8:
		f.SetUint(uint64(p[0]))
	case schema.U16:
		f.SetUint(uint64(binary.BigEndian.Uint16(p)))
	case schema.U32:
		f.SetUint(uint64(binary.BigEndian.Uint32(p)))
	case schema.U64:
		f.SetUint(binary.BigEndian.Uint64(p))
	case schema.U32Host:
		if w.big {
			f.SetUint(uint64(binary.BigEndian.Uint32(p)))
		} else {
			f.SetUint(uint64(binary.LittleEndian.Uint32(p)))
		}
	case schema.Addr4:
		f.Set(reflect.ValueOf(netip.AddrFrom4([4]byte(p))))
	case schema.Addr6:
		f.Set(reflect.ValueOf(netip.AddrFrom16([16]byte(p))))
	case schema.TCPFlags:
		f.Set(reflect.ValueOf(TCPFlagsMask{Flags: TCPFlags(p[0]), Mask: TCPFlags(p[1])}))
	case schema.String, schema.Binary:
		if a.Kind == schema.String {
			// Up to the first NUL.
			for j, c := range p {
				if c == 0 {
					p = p[:j]
					break
				}
			}
		}
		if !f.Addr().Interface().(interface{ setBytes([]byte) bool }).setBytes(p) {
			return d.valueErr(w, ErrTooLong)
		}
	case schema.Labels:
		switch {
		case len(p) > LabelsLen:
			return d.valueErr(w, ErrTooLong)
		case len(p)%4 != 0:
			return d.valueErr(w, ErrLabelsSize)
		}
		var l Labels
		copy(l[:], p)
		f.Set(reflect.ValueOf(l))
		n := 0
		if len(p) < LabelsLen {
			n = len(p)
		}
		rv.FieldByName(a.SizeField).SetUint(uint64(n))
	case schema.Nest, schema.Flat:
		c := d.enter(w)
		defer d.leave()
		return d.set(&c, schema.Lookup(a.Nest), f, 0)
	}
	return nil
}

// refDecodeAttrs is the reference DecodeAttrs.
func refDecodeAttrs(d Decoder, s nla.Scanner, f *Flow) error {
	t := Flow{Family: f.Family}
	st := rdec{keep: d.Keep, big: s.Order().Resolve() == nla.BigEndian, prefix: s.Path()}
	if err := st.top(&s, &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	t.Extra = st.extra
	*f = t
	return nil
}
