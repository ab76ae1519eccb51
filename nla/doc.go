// Package nla encodes and decodes netlink attributes (struct nlattr), the
// type-length-value format every netlink family uses for its payloads.
//
// It is a pure codec: it never opens a socket, keeps no package state and
// allocates nothing on the decode and encode paths.
//
// # Layout
//
// An attribute is a 4-byte header followed by its payload:
//
//	0      2      4
//	+------+------+---------------------+---------+
//	| len  | type | payload (len-4)     | padding |
//	+------+------+---------------------+---------+
//
// len counts the header and the payload but not the padding that brings the
// next attribute to a 4-byte boundary (NLA_ALIGN). Bit 15 of type is
// NLA_F_NESTED and bit 14 NLA_F_NET_BYTEORDER; the remaining bits
// (NLA_TYPE_MASK) are the attribute type.
//
// # Byte order
//
// The header fields are in the byte order of the host that built the message.
// A [Scanner] reads them in the host's order by default, or in the [Order]
// given to [NewScannerOrder] for bytes captured on a host of the other byte
// order. Payload byte order belongs to the protocol, so the accessors carry it
// in their name: [Uint32BE] reads big-endian, [Uint32Host] reads the host's.
//
// # Aliasing
//
// Payloads returned by a [Scanner] alias the input slice: they are valid only
// as long as the caller keeps that slice unchanged.
//
// # Leniency
//
// Decoding follows the kernel's liberal parser: the scanner does not require
// NLA_F_NESTED on a nest, accepts an unpadded final attribute, and leaves
// unknown types and duplicates to the caller; [Scanner.Index] keeps the last
// of each type, skips types beyond its table and ignores zero-length
// attributes (the kernel's 64-bit alignment pads). Nesting depth is capped at
// [MaxDepth]. Anything malformed yields an [*Error] with the absolute offset
// and the attribute path, unwrapping to one of the exported sentinels.
//
// # Encoding
//
// Encoders follow the append idiom: AppendX(dst, typ, value) []byte. A nest is
// opened with [BeginNest] and closed with [EndNest], which patches its length
// and reports [ErrNestTooLong] when the nest outgrows the 16-bit length.
// Padding is always zeroed and nests always carry NLA_F_NESTED.
package nla
