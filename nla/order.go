package nla

import "encoding/binary"

// Order is the byte order of netlink header fields (nlmsghdr and nlattr
// lengths and types, and the NLMSG_ERROR/NLMSG_DONE error code). The zero
// value means the byte order of the host running the program.
type Order uint8

const (
	// HostOrder is the byte order of the running host.
	HostOrder Order = iota
	// LittleEndian is the byte order of x86, arm64 and most other hosts.
	LittleEndian
	// BigEndian is the byte order of s390x, ppc64 and mips hosts.
	BigEndian
)

// Resolve returns o with [HostOrder] replaced by the host's actual order.
func (o Order) Resolve() Order {
	if o != HostOrder {
		return o
	}
	if hostBig() {
		return BigEndian
	}
	return LittleEndian
}

// hostBig reports whether the running host is big-endian. It compiles to
// a few register operations, with no memory or interface access.
func hostBig() bool {
	b := [2]byte{0, 1}
	return binary.NativeEndian.Uint16(b[:]) == 1
}

// big reports whether o is big-endian (BigEndian, or HostOrder on a
// big-endian host): the one test each accessor makes.
func (o Order) big() bool { return o == BigEndian || (o == HostOrder && hostBig()) }

// String returns "host", "little-endian" or "big-endian".
func (o Order) String() string {
	switch o {
	case HostOrder:
		return "host"
	case LittleEndian:
		return "little-endian"
	case BigEndian:
		return "big-endian"
	}
	return "invalid"
}

// Uint16 reads a 16-bit value in order o. b must hold at least 2 bytes.
func (o Order) Uint16(b []byte) uint16 {
	if o.big() {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

// Uint32 reads a 32-bit value in order o. b must hold at least 4 bytes.
func (o Order) Uint32(b []byte) uint32 {
	if o.big() {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// Uint64 reads a 64-bit value in order o. b must hold at least 8 bytes.
func (o Order) Uint64(b []byte) uint64 {
	if o.big() {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// PutUint16 writes v in order o into b[:2].
func (o Order) PutUint16(b []byte, v uint16) {
	if o.big() {
		binary.BigEndian.PutUint16(b, v)
		return
	}
	binary.LittleEndian.PutUint16(b, v)
}

// PutUint32 writes v in order o into b[:4].
func (o Order) PutUint32(b []byte, v uint32) {
	if o.big() {
		binary.BigEndian.PutUint32(b, v)
		return
	}
	binary.LittleEndian.PutUint32(b, v)
}

// AppendUint16 appends v in order o.
func (o Order) AppendUint16(dst []byte, v uint16) []byte {
	if o.big() {
		return binary.BigEndian.AppendUint16(dst, v)
	}
	return binary.LittleEndian.AppendUint16(dst, v)
}

// AppendUint32 appends v in order o.
func (o Order) AppendUint32(dst []byte, v uint32) []byte {
	if o.big() {
		return binary.BigEndian.AppendUint32(dst, v)
	}
	return binary.LittleEndian.AppendUint32(dst, v)
}

// AppendUint64 appends v in order o.
func (o Order) AppendUint64(dst []byte, v uint64) []byte {
	if o.big() {
		return binary.BigEndian.AppendUint64(dst, v)
	}
	return binary.LittleEndian.AppendUint64(dst, v)
}

// Host-order helpers: binary.NativeEndian compiles to single loads and
// stores.

func hostUint16(b []byte) uint16 { return binary.NativeEndian.Uint16(b) }

func hostUint32(b []byte) uint32 { return binary.NativeEndian.Uint32(b) }

func hostUint64(b []byte) uint64 { return binary.NativeEndian.Uint64(b) }

func hostPutUint16(b []byte, v uint16) { binary.NativeEndian.PutUint16(b, v) }

func hostAppendUint16(dst []byte, v uint16) []byte { return binary.NativeEndian.AppendUint16(dst, v) }

func hostAppendUint32(dst []byte, v uint32) []byte { return binary.NativeEndian.AppendUint32(dst, v) }

func hostAppendUint64(dst []byte, v uint64) []byte { return binary.NativeEndian.AppendUint64(dst, v) }
