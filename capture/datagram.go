package capture

import (
	"bytes"
	"encoding/binary"
	"iter"
	"strconv"
	"time"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// MaxRecordLen is the longest record the package reads or writes: 16 MiB.
// The kernel's netlink datagrams are far smaller (a dump reply skb holds at
// most a few tens of KiB), so a longer length in a file is damage, and
// refusing it bounds what a damaged file can make the reader buffer.
const MaxRecordLen = 16 << 20

// Netlink protocol numbers (the "family" of a netlink socket) that captures
// carry in their cooked header.
const (
	// FamilyUnknown marks a datagram whose record carried no netlink
	// protocol: a raw stream, or LINKTYPE_NETLINK without the cooked header.
	FamilyUnknown = -1
	// FamilyRoute is NETLINK_ROUTE.
	FamilyRoute = 0
	// FamilyNetfilter is NETLINK_NETFILTER, the family of ctnetlink.
	FamilyNetfilter = 12
	// FamilyGeneric is NETLINK_GENERIC.
	FamilyGeneric = 16
)

// ARPHRDNetlink is ARPHRD_NETLINK, the hardware type of an nlmon device as
// it appears in Linux cooked headers.
const ARPHRDNetlink = 824

// Linux packet types (sll_pkttype) used by the direction convention.
const (
	// PacketHost is PACKET_HOST. nlmon never writes it; a [Writer] stores
	// it for kernel-to-user datagrams.
	PacketHost = 0
	// PacketOutgoing is PACKET_OUTGOING. nlmon writes it on every record;
	// a [Writer] stores it for user-to-kernel datagrams and for datagrams of
	// unknown direction.
	PacketOutgoing = 4
)

// LinkType is a pcap/pcapng link-layer type.
type LinkType uint16

// Link types that carry netlink, and the marker for a raw stream.
const (
	LinkTypeLinuxSLL  LinkType = 113 // LINKTYPE_LINUX_SLL
	LinkTypeNetlink   LinkType = 253 // LINKTYPE_NETLINK
	LinkTypeLinuxSLL2 LinkType = 276 // LINKTYPE_LINUX_SLL2
	// LinkTypeNone marks datagrams of a raw netlink stream, which has no
	// container and so no link type.
	LinkTypeNone LinkType = 0xffff
)

// String returns the pcap name of the link type ("NETLINK") or its number.
func (t LinkType) String() string {
	switch t {
	case LinkTypeLinuxSLL:
		return "LINUX_SLL"
	case LinkTypeNetlink:
		return "NETLINK"
	case LinkTypeLinuxSLL2:
		return "LINUX_SLL2"
	case LinkTypeNone:
		return "none"
	}
	return strconv.Itoa(int(t))
}

// Direction is which way a datagram travelled.
type Direction uint8

const (
	// DirectionUnknown means the capture does not say and the datagram is
	// too short to tell.
	DirectionUnknown Direction = iota
	// ToKernel is a datagram sent by a user-space socket to the kernel.
	ToKernel
	// FromKernel is a datagram the kernel sent to a user-space socket: a
	// reply, an ack or error, or an event.
	FromKernel
)

// String returns "unknown", "to-kernel" or "from-kernel".
func (d Direction) String() string {
	switch d {
	case DirectionUnknown:
		return "unknown"
	case ToKernel:
		return "to-kernel"
	case FromKernel:
		return "from-kernel"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// Datagram is one netlink datagram (one skb) taken from a capture: one or
// more netlink messages, each starting with an nlmsghdr in [Datagram.Order].
type Datagram struct {
	// Data holds the netlink messages, without any link-layer header. It
	// aliases the reader's buffer and is valid until the next call to
	// [Reader.Next]; copy it to keep it.
	Data []byte
	// OrigLen is the length the datagram had on the wire. It exceeds
	// len(Data) when the capture truncated the record (snaplen).
	OrigLen int
	// Time is the capture timestamp, in UTC. It is the zero Time for
	// records that carry none (pcapng SPB, raw streams).
	Time time.Time
	// Family is the netlink protocol (12 = NETLINK_NETFILTER), or
	// [FamilyUnknown].
	Family int
	// Direction is taken from the capture when it records one reliably
	// (see the package documentation), else derived from NLM_F_REQUEST of
	// the first message.
	Direction Direction
	// Index is the number of the record in the file, counted from 0 over
	// all packet records, including skipped and damaged ones.
	Index int
	// Interface is the pcapng interface ID of the record within its
	// section; 0 for other containers.
	Interface int
	// Order is the byte order of the netlink headers, guessed from the
	// first nlmsg_len by [GuessOrder].
	Order nla.Order
	// LinkType is the link type of the record, or [LinkTypeNone].
	LinkType LinkType
}

// Truncated reports whether the capture cut the datagram short.
func (d *Datagram) Truncated() bool { return d.OrigLen > len(d.Data) }

// Clone returns d with a copy of its Data, which stays valid after the
// reader moves on.
func (d Datagram) Clone() Datagram {
	d.Data = bytes.Clone(d.Data)
	return d
}

// Messages returns an iterator over the netlink messages of the datagram,
// read in d.Order; see [codec.Messages]. A truncated datagram ends with the
// framing error of its last message.
func (d *Datagram) Messages() iter.Seq2[codec.Message, error] {
	return codec.Messages(d.Data, d.Order)
}

// GuessOrder guesses the byte order of the netlink headers in a datagram
// the way Wireshark does: it reads the first nlmsg_len both ways and picks
// [nla.BigEndian] only if that reading is strictly closer to len(b), else
// [nla.LittleEndian]. A datagram shorter than 4 bytes is little-endian.
func GuessOrder(b []byte) nla.Order {
	if len(b) < 4 {
		return nla.LittleEndian
	}
	rem := int64(len(b))
	le := int64(binary.LittleEndian.Uint32(b))
	be := int64(binary.BigEndian.Uint32(b))
	if abs64(be-rem) < abs64(le-rem) {
		return nla.BigEndian
	}
	return nla.LittleEndian
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// nlmsghdr layout and the one flag the package looks at.
const (
	nlmsgHeaderLen = 16
	flagRequest    = 0x1 // NLM_F_REQUEST
)

// contentDirection derives the direction from NLM_F_REQUEST in the first
// message: the kernel acts only on messages that carry it and never sets it
// on what it sends.
func contentDirection(b []byte, o nla.Order) Direction {
	if len(b) < 8 {
		return DirectionUnknown
	}
	if o.Uint16(b[6:8])&flagRequest != 0 {
		return ToKernel
	}
	return FromKernel
}
