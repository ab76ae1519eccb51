// Package conntrack holds the typed records of ctnetlink (nfnetlink
// subsystems 1 and 2: conntrack and expectations) and their attribute-level
// decoders and encoders.
//
// It is a pure codec: it opens no socket, keeps no mutable package state and
// imports nothing that does I/O. Callers bring the bytes (from a socket of
// their own, a capture, a fuzzer) and get values back, or bring a value and
// get bytes.
//
// # Which call do I use
//
//	job                                               call
//	a whole message of any kind (flow, event,         Decoder.Decode into a Record
//	  expectation, stats, request, ack, error, done)
//	a flow message as a codec.Message                 Decoder.DecodeMessage into a Flow
//	the bytes of one flow message, host byte order    Flow.UnmarshalBinary
//	attributes handed over by a netlink stack         Decoder.DecodeAttrs with an nla.Scanner
//	  (mdlayher/netlink Message.Data4:, an            (nla.NewScanner(b), or NewScannerOrder
//	  NFQA_CT payload)                                  for another byte order or offset)
//	expectation attributes                            Decoder.DecodeExpect
//	only some attributes                              Decoder with Only set
//	unknown attributes kept for re-encoding           Decoder with Keep set
//	encode a record, a reply or event message         Flow.AppendAttrs, Flow.AppendBinary,
//	                                                    Record.AppendBinary, Expect.AppendAttrs
//	build a request                                   a Request (or a constructor such as
//	                                                    DumpRequest), then Request.AppendBinary
//	check a request as the kernel would               Validate, ValidateMessage, ValidateTarget
//	conntrack -L / -E text                            Flow.AppendText, Flow.AppendEventText,
//	                                                    Record.AppendText, Expect.AppendText
//	JSON                                              AppendJSON, ParseJSON, JSONLine
//	name an attribute path                            PathString, AppendPath
//
// Errors come in one type per kind of input: decoding and encoding faults
// are an [*Error] (absolute offset and attribute path, unwrapping to a
// sentinel of this package or of nla); a request the kernel would refuse
// is a [*ValidationError] (the request's op, the attribute path, and the
// errno the kernel would return); a fault in JSON text is a [*JSONError]
// (offset in the text and the path of keys). Framing faults come from
// codec ([*codec.Error]) and kernel replies from codec too
// ([*codec.KernelError], unwrapping to syscall.Errno).
//
// # Records
//
// [Flow] is one conntrack entry as the kernel describes it in a dump reply,
// a GET reply or an event, and also the body of a request; [Expect] is one
// expectation, [StatsCPU], [StatsGlobal] and [StatsExp] the statistics.
// Records are plain comparable values: addresses are [netip.Addr], labels
// are 16-byte arrays, names are fixed-size arrays ([HelperName],
// [SecCtx]); nothing is a pointer.
//
// An attribute is present when its field holds a non-zero value, or when
// its bit is set in the record's Present ([AttrSet], bit 1<<T for an
// attribute of type T): a mark of 0 is sent only with its bit, a mark of
// 0x42 always. Decoding sets the bit of every attribute found, so that a
// decoded record re-encodes to the same bytes.
//
// # Attribute types
//
// [AttrType] numbers the attributes of every nest; its constants carry the
// kernel's names ([AttrTimeout] is CTA_TIMEOUT, [TupleAttrIP] is
// CTA_TUPLE_IP). [PathString] names an attribute path
// ("CTA_TUPLE_ORIG/CTA_TUPLE_IP/CTA_IP_V4_SRC") for error messages. The
// attribute sets, their records, policies and orders are described once,
// in the repository's internal/schema, and the decoders, encoders, JSON
// reader and writer and policy tables of this package are generated from
// it (the *_gen.go files).
//
// # Decoding
//
// Decoding fills a caller-owned record without allocating. Messages with
// little-endian headers of the kinds the kernel sends (dump and GET
// replies, events) take a fast path (with [Decoder.Keep] too, when they
// hold nothing to keep; with [Decoder.Only], by the loop alone): one pass
// over the top level that reads the kernel's own nest layouts from fixed
// offsets and writes the record once (attributes in the order of
// ctnetlink_fill_info are read by one header compare each, the rest by a
// loop that dispatches on the type); anything else, and any error, goes
// through the general decoder, which decodes the same bytes to the same
// record. Decoding is lenient the way the kernel's own parser is:
// attributes are found by type, not position; unknown types are skipped
// (or kept, see [Decoder.Keep]); the last of duplicate attributes wins;
// zero-length attributes (the kernel's 64-bit alignment pads, including
// the top-level pad of type 3 before CTA_TIMESTAMP_EVENT) are ignored;
// NLA_F_NESTED is not required; an unpadded final attribute is accepted.
// Payloads of known attributes must have the exact size the kernel emits
// (IPv6 addresses exactly 16 bytes, u32 values exactly 4, ...); anything
// else is an [*Error] naming the attribute path and unwrapping to an nla
// sentinel such as [nla.ErrSize].
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
// [Flow.AppendAttrsLayout]. Encoding into a buffer with enough capacity
// allocates nothing.
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
