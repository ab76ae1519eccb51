// Package schema is the one description of ctnetlink's attribute sets:
// every attribute's number, kernel name, YNL spec name (the JSON key), the
// record field it decodes into, its wire type and byte order, the kernel's
// nla_policy for it, and the order in which the kernel emits it. The
// generator in ./gen turns it into the conntrack package's *_gen.go files
// (`go generate ./...`); nothing else in the repository lists attributes.
//
// # How to add an attribute
//
//  1. Add a row to its set in ctnetlink.go: number, Go constant suffix,
//     kernel name, spec name, record field, kind, Go type of the field,
//     and the kernel's policy (nf_conntrack_netlink.c, the set's
//     nla_policy array); its JSON form (JSON) unless a number or an
//     object. Correct the YNL spec in Errata if it differs.
//  2. For a top-level flow attribute, put its number in Order and
//     EventOrder where ctnetlink_fill_info and ctnetlink_conntrack_event
//     emit it; one the kernel accepts but never sends is marked InputOnly
//     and goes after the kernel's own ones (a mask right after its value).
//  3. Add the field to the record (conntrack/flow.go, tuple.go, ...).
//  4. Run `go generate ./...` and `go test ./...`.
//
// The fast path reads a new top-level flow attribute by itself, in the
// kernel's order first (list it in GeneralOnly to leave it to the general
// decoder); a new attribute of a nest with Layouts is read by it once a
// layout lists it.
//
// Only when the attribute has semantics of its own does it need more: a
// text rule (conntrack/text.go) or a semantic validation rule
// (conntrack/validate.go).
package schema

// Kind is how an attribute's payload maps onto its record field.
type Kind uint8

const (
	// U8, U16, U32 and U64 are big-endian unsigned integers of exactly
	// that size (NLA_U8, NLA_BE16, NLA_BE32, NLA_BE64 on the wire).
	U8 Kind = iota + 1
	U16
	U32
	U64
	// U32Host is a 32-bit integer in the byte order of the host that
	// built the message (the order of the attribute headers).
	U32Host
	// Addr4 and Addr6 are an IPv4 or IPv6 address in a netip.Addr field;
	// an attribute pair with the same field (Alt) carries the address of
	// either family, the valid address being present.
	Addr4
	Addr6
	// String is a NUL-terminated string in a fixed-size name type with a
	// setBytes method.
	String
	// Binary is raw bytes in a fixed-size type with a setBytes method.
	Binary
	// TCPFlags is struct nf_ct_tcp_flags: two bytes, flags and mask.
	TCPFlags
	// Labels is a label bitmap of 4 to 16 bytes, with its size kept in
	// the field named by SizeField.
	Labels
	// Nest is a nested set decoded into the record field (a record of
	// its own, with its own presence bits).
	Nest
	// Flat is a nested set whose attributes are fields of the enclosing
	// record itself (CTA_TUPLE_IP and CTA_TUPLE_PROTO in a tuple).
	Flat
	// Pad is a number the kernel uses for alignment padding only: named,
	// never decoded or encoded.
	Pad
)

// PolicyKind is the kernel's nla_policy type of an attribute.
type PolicyKind uint8

const (
	PolNone   PolicyKind = iota // not in the policy: any length
	PolU8                       // NLA_U8
	PolU16                      // NLA_U16 / NLA_BE16
	PolU32                      // NLA_U32 / NLA_BE32
	PolNested                   // NLA_NESTED
	PolString                   // NLA_NUL_STRING, at most Len bytes (0: no limit)
	PolBinary                   // NLA_BINARY, at most Len bytes
	PolMinLen                   // NLA_UNSPEC with .len: at least Len bytes
	PolReject                   // NLA_REJECT
)

// Policy is one row of a kernel nla_policy array.
type Policy struct {
	Kind PolicyKind
	// Len is the length bound of PolString, PolBinary and PolMinLen, as a
	// Go expression.
	Len string
	// Max, when non-empty, is NLA_POLICY_MAX: larger values give ERANGE.
	Max string
	// Mask, when non-empty, is NLA_POLICY_MASK: other bits give EINVAL.
	Mask string
	// Table names the policy array the row belongs to when a set is
	// checked with several (the kernel checks CTA_TUPLE_PROTO with one
	// array for CTA_PROTO_NUM and another for the layer-4 fields of the
	// protocol): "" is the set's own array.
	Table string
}

// Presence says how the record tells that an attribute is present.
type Presence uint8

const (
	// ByBit: bit 1<<Num of the record's presence field.
	ByBit Presence = iota
	// ByValid: the field is a netip.Addr, present when valid.
	ByValid
	// ByBool: a bool field named by Has.
	ByBool
	// ByChildren: a Flat nest, present when any of its attributes is.
	ByChildren
	// Always: the only attribute of a nest, present with it.
	Always
)

// Attr is one attribute.
type Attr struct {
	Num    uint16
	Const  string // Go constant: set's prefix + Const ("TupleAttr" + "IP")
	Kernel string // kernel name ("CTA_TUPLE_IP")
	Spec   string // YNL spec name, the JSON key ("tuple-ip")
	Doc    string // a few words for the constant's comment, if any

	Kind  Kind
	Field string // record field ("" for Flat and Pad)
	// GoType is the field's type when it is not the plain integer of
	// the kind (Status, Proto, TCPState, ...).
	GoType string
	// Nest names the nested set of a Nest or Flat attribute.
	Nest string

	Presence Presence
	Has      string // the bool field of ByBool
	// Alt is the attribute of the other address family sharing Field
	// (Addr4 and Addr6 pairs), or of the other width sharing Field
	// (the 64- and 32-bit counters); one is the primary, listed in the
	// set's Order, the other its alternative. Exclusive marks the
	// width pair: decoding one clears the other's presence.
	Alt       uint16
	Exclusive bool
	// NonZeroIf is a Go condition on the record r under which a non-zero
	// field counts as present without its bit (ICMP or ICMPv6 fields by
	// the tuple's protocol); without it an alternative never does.
	NonZeroIf string
	// SizeField is the field holding a Labels payload size.
	SizeField string
	// Enc, when set, is the Go expression encoded instead of the field
	// (r is the record, e the encoder).
	Enc string
	// Fast names the function decoding a Nest of one of its set's
	// Layouts from fixed offsets (func(b []byte, r *T) bool), generated
	// from them; the general decoder tries it first for little-endian
	// headers, and the fast path reads such a nest in place.
	Fast string

	// JSON says how the value is written in JSON: "" (a number),
	// "enum:NAMES", "bits:NAMES" or "bits:NAMES:ALT" (name tables of the
	// conntrack package), "text", "hex", "addr", "tcpflags".
	JSON string

	Policy Policy
	// InputOnly marks an attribute the kernel accepts but never sends
	// (masks, NAT bindings, filters, CTA_SECMARK): the decoder's
	// fast path does not look for it among the kernel's own.
	InputOnly bool
	// Errata records where the YNL spec differs from the kernel for this
	// attribute; the kernel wins.
	Errata string
}

// Set is one attribute enumeration of the kernel and the record it decodes
// into.
type Set struct {
	Name     string // short name used in generated identifiers ("tuple")
	Enum     string // kernel enumeration ("ctattr_tuple")
	GoType   string // Go type of the attribute numbers ("TupleAttr")
	Prefix   string // Go constant prefix ("TupleAttr")
	Doc      string // what the set is, for the type's comment
	Unspec   string // kernel name of type 0 when the set names it
	MaxConst string // Go name of the highest type's constant, if wanted

	// Top marks the sets of a whole message body (flows, expectations,
	// statistics), encoded in an order chosen at run time.
	Top bool

	// Record is the Go type the set decodes into ("Tuple"); Present is
	// its presence field ("Present", an AttrSet), if it has one.
	Record  string
	Present string
	// Reset says whether decoding the nest zeroes the record first (a
	// repeated nest replaces the earlier one); Flat sets add to the
	// enclosing record instead.
	Reset bool
	// EmptyNests says whether an empty nested attribute is present (the
	// kernel's nla_parse keeps it) rather than skipped as a pad.
	EmptyNests bool
	// JSONNameKeys says whether the JSON reader matches the set's keys
	// as it matches names (ASCII case ignored, '-' and '_' alike) rather
	// than exactly, as it always has for the per-CPU statistics.
	JSONNameKeys bool

	// Order is the kernel's order of the attributes it emits, then the
	// input-only ones; EventOrder, for flows, is the order of events.
	Order      []uint16
	EventOrder []uint16

	Attrs []Attr
	// Errata records where the YNL spec differs from the kernel for the
	// set as a whole.
	Errata string

	// Layouts are the fixed layouts in which the kernel sends the set
	// (see Layout); the fast path reads a nest of one of them from fixed
	// offsets, and leaves any other to the general decoder.
	Layouts []Layout
	// GeneralOnly lists, for a top-level set with a fast path (flows),
	// attributes that path does not read besides the input-only nests
	// (InputOnly), which it never reads: a message holding one is decoded
	// by the general loops alone. Every other attribute of the set is
	// read by the fast loop.
	GeneralOnly []uint16
}

// Layout is one way the kernel lays a nest out, always the same
// (ctnetlink_fill_info and the helpers it calls): these attributes, in
// this order, each once and each of its exact size. The payload size of
// an attribute follows from its kind (U8 1, U16 2, U32 4, U64 8, Addr4 4,
// Addr6 16, TCPFlags 2 bytes), each attribute padded to 4 bytes as
// nla_put does. A Nest or Flat attribute stands for any of the layouts of
// its nested set, its length being that of the layout (padding included,
// as nla_nest_end counts it). The generator (gen/fast.go) turns the
// layouts into header words compared 32 bits at a time and values read
// from fixed offsets; a nest of any other layout (another order, a
// missing or extra attribute, another size) is decoded by the general
// loops, which give the same record.
type Layout struct {
	Attrs []uint16
	// Doc says which messages carry the layout, if not all.
	Doc string
}

// Attr returns the attribute numbered n, or nil.
func (s *Set) Attr(n uint16) *Attr {
	for i := range s.Attrs {
		if s.Attrs[i].Num == n {
			return &s.Attrs[i]
		}
	}
	return nil
}

// Lookup returns the set named name, or nil.
func Lookup(name string) *Set {
	for i := range Sets {
		if Sets[i].Name == name {
			return &Sets[i]
		}
	}
	return nil
}
