package capture

import (
	"encoding/binary"
	"time"
)

// record is one packet record as the container gives it, link-layer header
// included.
type record struct {
	data   []byte
	orig   int
	time   time.Time
	link   LinkType
	iface  int
	dir    Direction // from pcapng epb_flags; DirectionUnknown if absent
	index  int
	offset int64
}

// skipReason says why a record produced no datagram.
type skipReason uint8

const (
	keep skipReason = iota
	skipLinkType
	skipHardware
	skipShort
	skipFamily
)

// Lengths of the Linux cooked headers.
const (
	cookedLen = 16 // LINKTYPE_NETLINK and LINKTYPE_LINUX_SLL
	sll2Len   = 20 // LINKTYPE_LINUX_SLL2
)

// frame strips the link-layer header of rec and fills d. The family and
// packet type come from the header; pkttype is -1 when there is none.
func frame(rec *record, d *Datagram, cfg *config) skipReason {
	b := rec.data
	family, pkttype := FamilyUnknown, -1
	hdr := 0
	switch rec.link {
	case LinkTypeNetlink:
		// The cooked header is recognised by ARPHRD_NETLINK at bytes 2-3.
		// A header-less record (a non-standard writer) starts with an
		// nlmsghdr; its bytes 4-5 are nlmsg_type, which for a big-endian
		// message of exactly 824 bytes is never a plausible halen (<= 8).
		if len(b) >= cookedLen && binary.BigEndian.Uint16(b[2:4]) == ARPHRDNetlink &&
			binary.BigEndian.Uint16(b[4:6]) <= 8 {
			pkttype = int(binary.BigEndian.Uint16(b[0:2]))
			family = int(binary.BigEndian.Uint16(b[14:16]))
			hdr = cookedLen
		} else {
			family = cfg.headerlessFamily
		}
	case LinkTypeLinuxSLL:
		if len(b) < cookedLen {
			return skipShort
		}
		if binary.BigEndian.Uint16(b[2:4]) != ARPHRDNetlink {
			return skipHardware
		}
		pkttype = int(binary.BigEndian.Uint16(b[0:2]))
		family = int(binary.BigEndian.Uint16(b[14:16]))
		hdr = cookedLen
	case LinkTypeLinuxSLL2:
		if len(b) < sll2Len {
			return skipShort
		}
		if binary.BigEndian.Uint16(b[8:10]) != ARPHRDNetlink {
			return skipHardware
		}
		family = int(binary.BigEndian.Uint16(b[0:2]))
		pkttype = int(b[10])
		hdr = sll2Len
	case LinkTypeNone:
		family = cfg.headerlessFamily
	default:
		return skipLinkType
	}
	if cfg.family != FamilyUnknown && family != FamilyUnknown && family != cfg.family {
		return skipFamily
	}
	data := b[hdr:]
	*d = Datagram{
		Data:      data,
		OrigLen:   max(rec.orig-hdr, len(data)),
		Time:      rec.time,
		Family:    family,
		Index:     rec.index,
		Interface: rec.iface,
		LinkType:  rec.link,
	}
	if cfg.orderSet {
		d.Order = cfg.order
	} else {
		d.Order = GuessOrder(data)
	}
	switch {
	case rec.dir != DirectionUnknown:
		d.Direction = rec.dir
	case pkttype == PacketHost:
		// nlmon always writes PACKET_OUTGOING, so PACKET_HOST can only
		// come from a writer that knew the direction.
		d.Direction = FromKernel
	default:
		d.Direction = contentDirection(data, d.Order)
	}
	return keep
}
