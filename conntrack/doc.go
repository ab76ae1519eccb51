// Package conntrack holds the typed records of ctnetlink (nfnetlink
// subsystems 1 and 2: conntrack and expectations) and their attribute-level
// decoders and encoders.
//
// It is a pure codec: it opens no socket, keeps no mutable package state and
// imports nothing that does I/O. Callers bring the bytes (from a socket of
// their own, a capture, a fuzzer) and get values back, or bring a value and
// get bytes.
//
// # Records
//
// [Flow] is one conntrack entry as the kernel describes it in a dump reply,
// a GET reply or an event, and also the body of a request. Records are plain
// comparable values: addresses are [netip.Addr], labels are 16-byte arrays,
// names are fixed-size arrays ([HelperName], [SecCtx]); nothing is a pointer.
// Where zero is a legal value the record says explicitly what is present:
// [Flow.Has] reports top-level attributes, and each nested record carries a
// Present bitset keyed by its own attribute enumeration (bit 1<<T for an
// attribute of type T), with Has and Set methods.
//
// # Attribute types
//
// Every kernel enumeration has its own Go type ([AttrType] for ctattr_type,
// [TupleAttr], [IPAttr], [ProtoAttr], ...). String returns the kernel name
// ("CTA_TIMEOUT"). [PathString] names an attribute path
// ("CTA_TUPLE_ORIG/CTA_TUPLE_IP/CTA_IP_V4_SRC") for error messages.
//
// # Decoding
//
// [Flow.UnmarshalMessage], [Decoder.DecodeFlow] and [Flow.DecodeAttrs]
// decode the attributes following the nfgenmsg header into a caller-owned
// [*Flow] without allocating (DecodeAttrs takes an [nla.Scanner]
// positioned by the caller). Without [Decoder.Keep], messages with
// little-endian headers of the kinds the kernel sends (dump and GET
// replies, events) take a fast path: one pass over the top level that
// reads the kernel's own nest layouts from fixed offsets and writes the
// record once; anything else, and any error, goes through the general
// decoder, which decodes the same bytes to the same record.
// [Flow.UnmarshalBinary] decodes one whole message in host byte order,
// reading its nlmsghdr and nfgenmsg itself: the fastest route from the
// bytes of a single message to a record, with no [codec.Message] in
// between. [Decoder.Only] decodes only the top-level attributes asked for
// and skips the rest unread. Decoding
// is lenient the way the kernel's own parser is: attributes are found by type,
// not position; unknown types are skipped (or kept, see [Decoder.Keep]); the
// last of duplicate attributes wins; zero-length attributes (the kernel's
// 64-bit alignment pads, including the top-level pad of type 3 before
// CTA_TIMESTAMP_EVENT) are ignored; NLA_F_NESTED is not required; an
// unpadded final attribute is accepted. Payloads
// of known attributes must have the exact size the kernel emits (IPv6
// addresses exactly 16 bytes, u32 values exactly 4, ...); anything else is an
// [*Error] naming the attribute path and unwrapping to an nla sentinel such as
// [nla.ErrSize].
//
// On error the destination record is left exactly as it was: decoding
// writes it only on success (the fast path once every nest has been
// checked, the general decoder from a scratch copy).
//
// # Encoding
//
// [Flow.AppendAttrs] appends the attributes of a record to a caller buffer
// in the kernel's own order (that of ctnetlink_fill_info for dump and GET
// replies, or that of the event path with [LayoutEvent]), with NLA_F_NESTED on
// every nest and zeroed padding, so that encoding a record decoded from kernel
// output reproduces those bytes. Attributes the kernel never emits (NAT
// bindings, masks, CTA_FILTER, ...) follow in a fixed order documented on
// [Flow.AppendAttrs]. Encoding into a buffer with enough capacity allocates
// nothing.
//
// # Byte order
//
// Attribute headers are in the byte order of the host that built the message;
// a scanner made with [nla.NewScannerOrder] decodes captures from a host of
// the other order. Payloads are big-endian except CTA_FILTER flags (host
// order, read in the scanner's order) and CTA_LABELS / CTA_LABELS_MASK, which
// are kept as the raw host-memory bitmap the kernel sends. Encoders write
// headers and host-order payloads in the running host's order.
//
// # Aliasing
//
// Decoded records never alias the input: every value is copied into the
// record, so the input buffer may be reused at once. Kept unknown attributes
// ([Extras]) are copied too.
package conntrack

//go:generate go run ../internal/schema/gen .
