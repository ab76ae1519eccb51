package conntrack

import (
	"encoding/binary"
	"math/bits"
	"net/netip"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// Decoder decodes flow attributes with options. The zero Decoder decodes
// every attribute and drops the ones it does not interpret.
type Decoder struct {
	// Keep keeps every attribute the decoder does not interpret (unknown
	// types, zero-length pads) in [Flow.Extra], with its position, so that
	// the encoder re-emits it where it was. Keeping allocates; a flow
	// with nothing to keep decodes by the fast path all the same.
	Keep bool
	// Only, when non-zero, restricts decoding to these top-level
	// attributes; the others are skipped unread (and not kept), so that,
	// say, only the tuples and counters of a dump are decoded.
	Only AttrSet
}

// DecodeAttrs decodes the attributes read by s (the attributes after the
// nfgenmsg header of a flow message) into f, replacing every field but
// f.Family. On error f is left unchanged and the error is an [*Error].
// DecodeAttrs allocates nothing unless d.Keep finds attributes to keep.
func (d Decoder) DecodeAttrs(s nla.Scanner, f *Flow) error {
	if err := s.Err(); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	if !bigOrder(s.Order()) && fastFlow(s.Rest(), d.Only, d.Keep, f.Family, f) {
		return nil
	}
	t := Flow{Family: f.Family}
	st := dec{keep: d.Keep, big: bigOrder(s.Order())}
	b := s.Rest()
	if err := st.decFlow(b, s.Offset(), &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, withinPath(err, s.Path()))
	}
	if d.Keep {
		st.keepWalk(kindFlow, b, s.Path(), d.Only)
	}
	t.Extra = Extras(st.extra)
	*f = t
	return nil
}

// generalFlow decodes the attributes in b, whose headers are in byte
// order o and which start at absolute offset base, by the general loops
// alone.
func (d Decoder) generalFlow(b []byte, o nla.Order, base int, f *Flow) error {
	t := Flow{Family: f.Family}
	st := dec{keep: d.Keep, big: bigOrder(o)}
	if err := st.decFlow(b, base, &t, d.Only); err != nil {
		return wrapErr(SpaceFlow, err)
	}
	if d.Keep {
		st.keepWalk(kindFlow, b, nla.Path{}, d.Only)
	}
	t.Extra = Extras(st.extra)
	*f = t
	return nil
}

// DecodeMessage decodes a flow message (a dump or GET reply, an event, or
// a CT request): f.Family comes from the nfgenmsg header, the rest from the
// attributes. The message type is not checked. On error f is unchanged.
func (d Decoder) DecodeMessage(m codec.Message, f *Flow) error {
	// Small enough to inline: the caller's message is read field by
	// field where it lies, never copied whole.
	return d.decodeMessage(m.Data, m.Order, m.Offset, m.NFGen.Family, f)
}

// decodeMessage decodes the attributes b of the flow message at absolute
// offset off, whose nfgenmsg family is fam.
func (d Decoder) decodeMessage(b []byte, o nla.Order, off int, fam uint8, f *Flow) error {
	if !bigOrder(o) && fastFlow(b, d.Only, d.Keep, Family(fam), f) {
		return nil
	}
	return d.generalMessage(b, o, off, fam, f)
}

// generalMessage is [Decoder.decodeMessage] by the general loops alone.
func (d Decoder) generalMessage(b []byte, o nla.Order, off int, fam uint8, f *Flow) error {
	old := f.Family
	f.Family = Family(fam)
	if err := d.generalFlow(b, o, off+codec.AttrOffset, f); err != nil {
		f.Family = old
		return err
	}
	return nil
}

// UnmarshalBinary decodes one whole netlink message in host byte order
// (header, nfgenmsg and attributes), as [Flow.AppendBinary] writes it. It
// does not check the message type beyond refusing control messages, and
// ignores bytes after nlmsg_len. Framing errors are a [*codec.Error] (at
// offset 0) as [codec.ParseMessage] reports them; a message without its
// nfgenmsg is an [*Error] wrapping [codec.ErrShort]. On error f is
// unchanged.
//
// It is the fastest way from the bytes of one message to a [Flow]: the
// header is read here, in place, with no [codec.Message] in between.
func (f *Flow) UnmarshalBinary(b []byte) error {
	if len(b) < codec.HeaderLen {
		return &codec.Error{Offset: 0, Err: codec.ErrTruncated}
	}
	// nlmsg_len and nlmsg_type, in host order: the same test as
	// bigOrder(nla.HostOrder), folded to a constant by the compiler.
	var n uint32
	var typ uint16
	if bigOrder(nla.HostOrder) {
		n, typ = binary.BigEndian.Uint32(b), binary.BigEndian.Uint16(b[4:])
	} else {
		n, typ = binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint16(b[4:])
	}
	switch {
	case n < codec.HeaderLen:
		return &codec.Error{Offset: 0, Err: codec.ErrLength}
	case uint64(n) > uint64(len(b)):
		return &codec.Error{Offset: 0, Err: codec.ErrTruncated}
	case typ < codec.TypeMin || n < codec.AttrOffset:
		return &Error{Offset: 0, Err: codec.ErrShort}
	}
	attrs, fam := b[codec.AttrOffset:n:n], b[codec.HeaderLen]
	if !bigOrder(nla.HostOrder) && fastFlow(attrs, 0, false, Family(fam), f) {
		return nil
	}
	return (Decoder{}).generalMessage(attrs, nla.HostOrder, 0, fam, f)
}

// How the decoder is fast. Each nest is one loop over its attributes
// that calls nothing on the way but the functions of the nests below it:
// Go's calling convention saves every live register around a call, so
// the loops keep calls off their paths. An attribute costs two 16-bit
// loads for its header (swapped only for a big-endian capture), two
// comparisons, a jump table on its type, and an exact-size load of its
// value. The attribute path of an error is built on the way out, each
// nest prepending its type ([within]), and the attributes kept for
// [Decoder.Keep] are collected afterwards by [dec.keepWalk], which
// follows the decoder's rules (keepRules).

// typeOf returns the attribute type of h, the type field of a header,
// with the flags masked off.
func typeOf(h uint16) uint16 { return h & nla.TypeMask }

// dec is the state of one decoding run.
type dec struct {
	keep  bool
	big   bool // headers are big-endian
	extra extraList
}

// bigOrder reports whether headers in byte order o are big-endian.
func bigOrder(o nla.Order) bool { return o.Resolve() == nla.BigEndian }

// headerErr reports the malformed header at the start of b, at absolute
// offset at, with the path relative to the nest being decoded (empty).
func (d *dec) headerErr(b []byte, at int) error {
	err := nla.ErrTruncated
	if len(b) >= nla.HeaderLen {
		n := binary.LittleEndian.Uint16(b)
		if d.big {
			n = n>>8 | n<<8
		}
		if n < nla.HeaderLen {
			err = nla.ErrLength
		}
	}
	return &Error{Offset: at, Err: err}
}

// valueErr reports a bad payload of the attribute with header h at
// absolute offset at; the path is that attribute's type, relative to the
// nest being decoded.
func valueErr(at int, h uint16, err error) error {
	return &Error{Offset: at, Types: nla.Path{}.Append(typeOf(h)), Err: err}
}

// sizeErr is valueErr with [nla.ErrSize].
func sizeErr(at int, h uint16) error { return valueErr(at, h, nla.ErrSize) }

// within prefixes the path of err, an error from inside a nest of type
// typ, with typ.
func within(err error, typ uint16) error {
	e := err.(*Error)
	p := nla.Path{}.Append(typ)
	for i := 0; i < e.Types.Len(); i++ {
		p = p.Append(e.Types.At(i))
	}
	e.Types = p
	return e
}

// withinPath prefixes the path of err, if it is an [*Error], with p.
func withinPath(err error, p nla.Path) error {
	e, ok := err.(*Error)
	if !ok || p.Len() == 0 {
		return err
	}
	for i := 0; i < e.Types.Len(); i++ {
		p = p.Append(e.Types.At(i))
	}
	e.Types = p
	return e
}

// Exact-size big-endian payload readers, small enough to inline.

func be8(p []byte) (uint8, bool) {
	if len(p) != 1 {
		return 0, false
	}
	return p[0], true
}

func be16(p []byte) (uint16, bool) {
	if len(p) != 2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(p), true
}

func be32(p []byte) (uint32, bool) {
	if len(p) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(p), true
}

func be64(p []byte) (uint64, bool) {
	if len(p) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(p), true
}

func addr4(p []byte) (netip.Addr, bool) {
	if len(p) != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte(p)), true
}

func addr16(p []byte) (netip.Addr, bool) {
	if len(p) != 16 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16([16]byte(p)), true
}

// tcpFlags reads a struct nf_ct_tcp_flags.
func tcpFlags(p []byte) (TCPFlagsMask, bool) {
	if len(p) != 2 {
		return TCPFlagsMask{}, false
	}
	return TCPFlagsMask{Flags: TCPFlags(p[0]), Mask: TCPFlags(p[1])}, true
}

// Every loop below starts the same way: split the attribute at b[0] off,
// as the kernel's nla_ok and nla_next do (accepting an unpadded final
// attribute), into its header h, its payload p and its absolute offset
// at, and advance b and base past it.

func labels(at int, h uint16, p []byte, dst *Labels, size *uint8) error {
	switch {
	case len(p) > LabelsLen:
		return valueErr(at, h, ErrTooLong)
	case len(p)%4 != 0:
		return valueErr(at, h, ErrLabelsSize)
	}
	*dst = Labels{}
	copy(dst[:], p)
	*size = 0
	if len(p) < LabelsLen {
		*size = uint8(len(p))
	}
	return nil
}

// Keeping. After a successful decode, keepWalk walks the same attributes
// again and records, in order, each one the decoder did not interpret,
// with its path and its index in its nest. keepRules says, for each kind
// of nest the decoder descends into, which attribute types it interprets
// and which of them are nests it descends into.

// keepRule is how the decoder treats the attributes of one kind of nest:
// types in known are interpreted, unless empty (the kernel's pads) and
// not a nest in emptyNests; types with a kind in nests are descended into.
type keepRule struct {
	known      uint32
	emptyNests uint32
	nests      [32]nestKind
}

// keepWalk records into d.extra the attributes in b (a nest of kind k
// whose path is path) that the decoder did not interpret, descending as
// the decoder does. At the top level (kindFlow) only restricts the walk
// as [Decoder.Only] restricts decoding. b has decoded without error, so
// its headers are sound.
func (d *dec) keepWalk(k nestKind, b []byte, path nla.Path, only AttrSet) {
	r := &keepRules[k]
	for i := 0; len(b) >= nla.HeaderLen; i++ {
		n, h := int(binary.LittleEndian.Uint16(b)), binary.LittleEndian.Uint16(b[2:])
		if d.big {
			n, h = int(bits.ReverseBytes16(uint16(n))), bits.ReverseBytes16(h)
		}
		if n < nla.HeaderLen || n > len(b) {
			return
		}
		p := b[nla.HeaderLen:n:n]
		b = b[min(nla.Align(n), len(b)):]
		typ := typeOf(h)
		if k == kindFlow && only != 0 && !only.Has(AttrType(typ)) {
			continue
		}
		bit := uint32(0)
		if typ < 32 {
			bit = 1 << typ
		}
		switch {
		case r.known&bit == 0 || (len(p) == 0 && r.emptyNests&bit == 0):
			d.extra = d.extra.Append(ExtraAttr{
				Path: path, Index: i, Type: typ, Flags: h &^ nla.TypeMask, Payload: string(p),
			})
		case r.nests[typ] != kindNone:
			d.keepWalk(r.nests[typ], p, path.Append(typ), 0)
		}
	}
}
