package nla

import (
	"encoding/binary"
	"net/netip"
)

// Encoders write attribute headers in the running host's byte order, as
// the kernel expects from a local socket, and zero the padding.

// Size returns the bytes an attribute with an n-byte payload occupies,
// padding included.
func Size(n int) int { return Align(HeaderLen + n) }

// AppendHeader appends an attribute header for an n-byte payload. The
// caller appends the payload and then [Pad].
func AppendHeader(dst []byte, typ uint16, n int) []byte {
	dst = hostAppendUint16(dst, uint16(HeaderLen+n))
	return hostAppendUint16(dst, typ)
}

// Pad appends zero bytes up to the attribute alignment.
func Pad(dst []byte) []byte {
	for len(dst)%Alignment != 0 {
		dst = append(dst, 0)
	}
	return dst
}

// AppendBytes appends an attribute whose payload is v. A payload longer
// than 65531 bytes cannot be expressed; callers keep payloads small.
func AppendBytes(dst []byte, typ uint16, v []byte) []byte {
	dst = AppendHeader(dst, typ, len(v))
	return pad(append(dst, v...), len(v))
}

// pad zeroes the padding after an n-byte payload without assuming dst
// starts aligned.
func pad(dst []byte, n int) []byte {
	for i := n; i%Alignment != 0; i++ {
		dst = append(dst, 0)
	}
	return dst
}

// AppendEmpty appends an attribute with no payload (a flag, or a pad).
func AppendEmpty(dst []byte, typ uint16) []byte { return AppendHeader(dst, typ, 0) }

// AppendUint8 appends a one-byte attribute (and three bytes of padding).
func AppendUint8(dst []byte, typ uint16, v uint8) []byte {
	dst = AppendHeader(dst, typ, 1)
	return append(dst, v, 0, 0, 0)
}

// AppendUint16BE appends a big-endian 16-bit attribute.
func AppendUint16BE(dst []byte, typ uint16, v uint16) []byte {
	dst = AppendHeader(dst, typ, 2)
	dst = binary.BigEndian.AppendUint16(dst, v)
	return append(dst, 0, 0)
}

// AppendUint32BE appends a big-endian 32-bit attribute.
func AppendUint32BE(dst []byte, typ uint16, v uint32) []byte {
	dst = AppendHeader(dst, typ, 4)
	return binary.BigEndian.AppendUint32(dst, v)
}

// AppendUint64BE appends a big-endian 64-bit attribute.
func AppendUint64BE(dst []byte, typ uint16, v uint64) []byte {
	dst = AppendHeader(dst, typ, 8)
	return binary.BigEndian.AppendUint64(dst, v)
}

// AppendUint16Host appends a 16-bit attribute in host byte order.
func AppendUint16Host(dst []byte, typ uint16, v uint16) []byte {
	dst = AppendHeader(dst, typ, 2)
	dst = hostAppendUint16(dst, v)
	return append(dst, 0, 0)
}

// AppendUint32Host appends a 32-bit attribute in host byte order.
func AppendUint32Host(dst []byte, typ uint16, v uint32) []byte {
	dst = AppendHeader(dst, typ, 4)
	return hostAppendUint32(dst, v)
}

// AppendUint64Host appends a 64-bit attribute in host byte order.
func AppendUint64Host(dst []byte, typ uint16, v uint64) []byte {
	dst = AppendHeader(dst, typ, 8)
	return hostAppendUint64(dst, v)
}

// AppendString appends a NUL-terminated string attribute.
func AppendString(dst []byte, typ uint16, s string) []byte {
	dst = AppendHeader(dst, typ, len(s)+1)
	dst = append(dst, s...)
	dst = append(dst, 0)
	return pad(dst, len(s)+1)
}

// AppendAddr appends an address in network order: 4 bytes for IPv4 and
// 16 for IPv6 (an IPv4-mapped IPv6 address stays 16 bytes). The zero
// Addr appends an empty attribute.
func AppendAddr(dst []byte, typ uint16, a netip.Addr) []byte {
	switch {
	case a.Is4():
		b := a.As4()
		return AppendBytes(dst, typ, b[:])
	case a.Is6():
		b := a.As16()
		return AppendBytes(dst, typ, b[:])
	}
	return AppendEmpty(dst, typ)
}

// BeginNest appends the header of a nest of type typ (with NLA_F_NESTED)
// and returns the offset to pass to [EndNest] once its children are
// appended.
func BeginNest(dst []byte, typ uint16) ([]byte, int) {
	start := len(dst)
	dst = hostAppendUint16(dst, 0)
	return hostAppendUint16(dst, typ|FlagNested), start
}

// EndNest patches the length of the nest begun at start. A nest longer
// than 65535 bytes cannot be encoded: EndNest then returns dst unchanged
// with [ErrNestTooLong].
func EndNest(dst []byte, start int) ([]byte, error) {
	n := len(dst) - start
	if n > 0xffff {
		return dst, ErrNestTooLong
	}
	hostPutUint16(dst[start:], uint16(n))
	return dst, nil
}
