package nla

import (
	"bytes"
	"encoding/binary"
	"net/netip"
)

// The accessors below read one payload. They require the exact size of
// their type (the kernel always emits exact sizes) and return [ErrSize]
// otherwise, so a forged length never yields a silently wrong value. The
// errors are bare sentinels; wrap them with [Scanner.Errorf] to add the
// offset and path.

// Uint8 reads a one-byte payload.
func Uint8(b []byte) (uint8, error) {
	if len(b) != 1 {
		return 0, ErrSize
	}
	return b[0], nil
}

// Uint16BE reads a big-endian 16-bit payload.
func Uint16BE(b []byte) (uint16, error) {
	if len(b) != 2 {
		return 0, ErrSize
	}
	return binary.BigEndian.Uint16(b), nil
}

// Uint32BE reads a big-endian 32-bit payload.
func Uint32BE(b []byte) (uint32, error) {
	if len(b) != 4 {
		return 0, ErrSize
	}
	return binary.BigEndian.Uint32(b), nil
}

// Uint64BE reads a big-endian 64-bit payload.
func Uint64BE(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, ErrSize
	}
	return binary.BigEndian.Uint64(b), nil
}

// Uint16Host reads a 16-bit payload in the running host's byte order.
func Uint16Host(b []byte) (uint16, error) {
	if len(b) != 2 {
		return 0, ErrSize
	}
	return hostUint16(b), nil
}

// Uint32Host reads a 32-bit payload in the running host's byte order.
func Uint32Host(b []byte) (uint32, error) {
	if len(b) != 4 {
		return 0, ErrSize
	}
	return hostUint32(b), nil
}

// Uint64Host reads a 64-bit payload in the running host's byte order.
func Uint64Host(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, ErrSize
	}
	return hostUint64(b), nil
}

// Uint32Order reads a 32-bit payload in byte order o: host-order payloads
// in a capture from another host are read with the capture's order.
func Uint32Order(b []byte, o Order) (uint32, error) {
	if len(b) != 4 {
		return 0, ErrSize
	}
	return o.Uint32(b), nil
}

// StringBytes returns a NUL-terminated string payload without its NUL,
// aliasing b. A missing NUL is tolerated (the whole payload is the
// string); anything after the first NUL is ignored.
func StringBytes(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i:i]
	}
	return b
}

// String is [StringBytes] as a string. It allocates.
func String(b []byte) string { return string(StringBytes(b)) }

// AddrV4 reads a 4-byte IPv4 address in network order.
func AddrV4(b []byte) (netip.Addr, error) {
	if len(b) != 4 {
		return netip.Addr{}, ErrSize
	}
	return netip.AddrFrom4([4]byte(b)), nil
}

// AddrV6 reads a 16-byte IPv6 address in network order.
func AddrV6(b []byte) (netip.Addr, error) {
	if len(b) != 16 {
		return netip.Addr{}, ErrSize
	}
	return netip.AddrFrom16([16]byte(b)), nil
}

// Addr reads a 4- or 16-byte address, choosing the family by size.
func Addr(b []byte) (netip.Addr, error) {
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b)), nil
	case 16:
		return netip.AddrFrom16([16]byte(b)), nil
	}
	return netip.Addr{}, ErrSize
}
