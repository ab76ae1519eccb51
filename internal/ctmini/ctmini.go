// Package ctmini is a deliberately small ctnetlink reader and request
// builder for the live tests under internal/. It is written straight from
// the kernel's attribute tables
// (include/uapi/linux/netfilter/nfnetlink_conntrack.h: enum ctattr_type
// and the enums of its nests) and shares no code with package conntrack,
// so the live tests can check that package against an independent reading
// of the same bytes.
//
// It knows tuples, status, timeout, mark, id, use, counters, timestamps,
// TCP state, helper name and expectations; everything else is skipped.
package ctmini

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// Top-level conntrack attributes (enum ctattr_type).
const (
	CTATupleOrig     uint16 = 1  // CTA_TUPLE_ORIG
	CTATupleReply    uint16 = 2  // CTA_TUPLE_REPLY
	CTAStatus        uint16 = 3  // CTA_STATUS
	CTAProtoinfo     uint16 = 4  // CTA_PROTOINFO
	CTAHelp          uint16 = 5  // CTA_HELP
	CTATimeout       uint16 = 7  // CTA_TIMEOUT
	CTAMark          uint16 = 8  // CTA_MARK
	CTACountersOrig  uint16 = 9  // CTA_COUNTERS_ORIG
	CTACountersReply uint16 = 10 // CTA_COUNTERS_REPLY
	CTAUse           uint16 = 11 // CTA_USE
	CTAID            uint16 = 12 // CTA_ID
	CTATupleMaster   uint16 = 14 // CTA_TUPLE_MASTER
	CTAZone          uint16 = 18 // CTA_ZONE
	CTATimestamp     uint16 = 20 // CTA_TIMESTAMP
	CTATimestampEv   uint16 = 27 // CTA_TIMESTAMP_EVENT
)

// Expectation attributes (enum ctattr_expect).
const (
	CTAExpectMaster   uint16 = 1 // CTA_EXPECT_MASTER
	CTAExpectTuple    uint16 = 2 // CTA_EXPECT_TUPLE
	CTAExpectMask     uint16 = 3 // CTA_EXPECT_MASK
	CTAExpectTimeout  uint16 = 4 // CTA_EXPECT_TIMEOUT
	CTAExpectID       uint16 = 5 // CTA_EXPECT_ID
	CTAExpectHelpName uint16 = 6 // CTA_EXPECT_HELP_NAME
	CTAExpectFlags    uint16 = 8 // CTA_EXPECT_FLAGS
	CTAExpectClass    uint16 = 9 // CTA_EXPECT_CLASS
)

// Message types used by the live tests.
const (
	TypeCTNew         uint16 = 0x0100 // IPCTNL_MSG_CT_NEW
	TypeCTGet         uint16 = 0x0101 // IPCTNL_MSG_CT_GET
	TypeCTDelete      uint16 = 0x0102 // IPCTNL_MSG_CT_DELETE
	TypeCTGetCtrZero  uint16 = 0x0103 // IPCTNL_MSG_CT_GET_CTRZERO (also EXP stats-cpu replies)
	TypeCTStatsCPU    uint16 = 0x0104 // IPCTNL_MSG_CT_GET_STATS_CPU
	TypeCTStats       uint16 = 0x0105 // IPCTNL_MSG_CT_GET_STATS
	TypeCTDying       uint16 = 0x0106 // IPCTNL_MSG_CT_GET_DYING
	TypeExpNew        uint16 = 0x0200 // IPCTNL_MSG_EXP_NEW
	TypeExpGet        uint16 = 0x0201 // IPCTNL_MSG_EXP_GET
	TypeExpDelete     uint16 = 0x0202 // IPCTNL_MSG_EXP_DELETE
	TypeExpStatsCPU   uint16 = 0x0203 // IPCTNL_MSG_EXP_GET_STATS_CPU
	familyINET        uint8  = 2
	familyINET6       uint8  = 10
	tupleIP           uint16 = 1 // CTA_TUPLE_IP
	tupleProto        uint16 = 2 // CTA_TUPLE_PROTO
	ipV4Src           uint16 = 1 // CTA_IP_V4_SRC
	ipV4Dst           uint16 = 2 // CTA_IP_V4_DST
	ipV6Src           uint16 = 3 // CTA_IP_V6_SRC
	ipV6Dst           uint16 = 4 // CTA_IP_V6_DST
	protoNum          uint16 = 1 // CTA_PROTO_NUM
	protoSrcPort      uint16 = 2 // CTA_PROTO_SRC_PORT
	protoDstPort      uint16 = 3 // CTA_PROTO_DST_PORT
	protoICMPID       uint16 = 4 // CTA_PROTO_ICMP_ID
	protoICMPType     uint16 = 5 // CTA_PROTO_ICMP_TYPE
	protoICMPCode     uint16 = 6 // CTA_PROTO_ICMP_CODE
	protoICMPv6ID     uint16 = 7 // CTA_PROTO_ICMPV6_ID
	protoICMPv6Type   uint16 = 8 // CTA_PROTO_ICMPV6_TYPE
	protoICMPv6Code   uint16 = 9 // CTA_PROTO_ICMPV6_CODE
	countersPackets   uint16 = 1 // CTA_COUNTERS_PACKETS
	countersBytes     uint16 = 2 // CTA_COUNTERS_BYTES
	timestampStart    uint16 = 1 // CTA_TIMESTAMP_START
	timestampStop     uint16 = 2 // CTA_TIMESTAMP_STOP
	protoinfoTCP      uint16 = 1 // CTA_PROTOINFO_TCP
	protoinfoTCPState uint16 = 1 // CTA_PROTOINFO_TCP_STATE
	helpName          uint16 = 1 // CTA_HELP_NAME
)

// Status bits (enum ip_conntrack_status) the tests look at.
const (
	StatusSeenReply uint32 = 1 << 1 // IPS_SEEN_REPLY
	StatusAssured   uint32 = 1 << 2 // IPS_ASSURED
	StatusConfirmed uint32 = 1 << 3 // IPS_CONFIRMED
	StatusSrcNAT    uint32 = 1 << 4 // IPS_SRC_NAT
	StatusDstNAT    uint32 = 1 << 5 // IPS_DST_NAT
	StatusHelper    uint32 = 1 << 13
)

// Tuple is a conntrack tuple: addresses and L4 identity.
type Tuple struct {
	Src, Dst         netip.Addr
	Proto            uint8
	SrcPort, DstPort uint16 // TCP, UDP, SCTP, ...
	ICMPID           uint16 // ICMP and ICMPv6
	ICMPType         uint8
	ICMPCode         uint8
}

// String renders the tuple like "tcp 192.0.2.1:5000 -> 192.0.2.2:80".
func (t Tuple) String() string {
	switch t.Proto {
	case 1, 58:
		return fmt.Sprintf("icmp%d %v -> %v type=%d code=%d id=%d", t.Proto, t.Src, t.Dst, t.ICMPType, t.ICMPCode, t.ICMPID)
	}
	return fmt.Sprintf("proto%d %v:%d -> %v:%d", t.Proto, t.Src, t.SrcPort, t.Dst, t.DstPort)
}

// Counter is one direction's accounting.
type Counter struct{ Packets, Bytes uint64 }

// Flow is what the tests read from a conntrack message.
type Flow struct {
	Family      uint8
	Orig, Reply Tuple
	Master      Tuple
	Status      uint32
	Timeout     uint32
	Mark        uint32
	ID          uint32
	Use         uint32
	TCPState    uint8
	HasTCPState bool
	Helper      string
	Counters    [2]Counter
	HasCounters bool
	Start, Stop uint64
	EventTime   uint64
	Attrs       []uint16 // top-level attribute types in wire order
}

// Expect is what the tests read from an expectation message.
type Expect struct {
	Family              uint8
	Master, Tuple, Mask Tuple
	Timeout, ID, Flags  uint32
	Class               uint32
	Helper              string
}

// ErrNotConntrack reports a message of another subsystem or type.
var ErrNotConntrack = errors.New("ctmini: not a conntrack message")

// ParseFlow reads a conntrack message (dump part, GET reply or event).
func ParseFlow(m codec.Message) (Flow, error) {
	if !m.HasNFGen() || m.Header.Subsystem() != codec.SubsysConntrack {
		return Flow{}, ErrNotConntrack
	}
	f := Flow{Family: m.NFGen.Family}
	s := m.Attrs()
	for s.Next() {
		a := s.Attr()
		f.Attrs = append(f.Attrs, a.Type)
		var err error
		switch a.Type {
		case CTATupleOrig:
			f.Orig, err = parseTuple(s.Nested())
		case CTATupleReply:
			f.Reply, err = parseTuple(s.Nested())
		case CTATupleMaster:
			f.Master, err = parseTuple(s.Nested())
		case CTAStatus:
			f.Status, err = nla.Uint32BE(a.Payload)
		case CTATimeout:
			f.Timeout, err = nla.Uint32BE(a.Payload)
		case CTAMark:
			f.Mark, err = nla.Uint32BE(a.Payload)
		case CTAID:
			f.ID, err = nla.Uint32BE(a.Payload)
		case CTAUse:
			f.Use, err = nla.Uint32BE(a.Payload)
		case CTACountersOrig, CTACountersReply:
			f.HasCounters = true
			c := &f.Counters[a.Type-CTACountersOrig]
			n := s.Nested()
			for n.Next() {
				switch n.Type() {
				case countersPackets:
					c.Packets, err = nla.Uint64BE(n.Payload())
				case countersBytes:
					c.Bytes, err = nla.Uint64BE(n.Payload())
				}
				if err != nil {
					break
				}
			}
			err = errors.Join(err, n.Err())
		case CTATimestamp:
			n := s.Nested()
			for n.Next() {
				switch n.Type() {
				case timestampStart:
					f.Start, err = nla.Uint64BE(n.Payload())
				case timestampStop:
					f.Stop, err = nla.Uint64BE(n.Payload())
				}
				if err != nil {
					break
				}
			}
			err = errors.Join(err, n.Err())
		case CTATimestampEv:
			f.EventTime, err = nla.Uint64BE(a.Payload)
		case CTAProtoinfo:
			n := s.Nested()
			for n.Next() {
				if n.Type() != protoinfoTCP {
					continue
				}
				t := n.Nested()
				for t.Next() {
					if t.Type() == protoinfoTCPState {
						f.TCPState, err = nla.Uint8(t.Payload())
						f.HasTCPState = err == nil
					}
				}
				err = errors.Join(err, t.Err())
			}
			err = errors.Join(err, n.Err())
		case CTAHelp:
			n := s.Nested()
			for n.Next() {
				if n.Type() == helpName {
					f.Helper = nla.String(n.Payload())
				}
			}
			err = n.Err()
		}
		if err != nil {
			return Flow{}, err
		}
	}
	return f, s.Err()
}

// ParseExpect reads an expectation message (dump part, GET reply or
// event).
func ParseExpect(m codec.Message) (Expect, error) {
	if !m.HasNFGen() || m.Header.Subsystem() != codec.SubsysConntrackExp {
		return Expect{}, ErrNotConntrack
	}
	e := Expect{Family: m.NFGen.Family}
	s := m.Attrs()
	for s.Next() {
		a := s.Attr()
		var err error
		switch a.Type {
		case CTAExpectMaster:
			e.Master, err = parseTuple(s.Nested())
		case CTAExpectTuple:
			e.Tuple, err = parseTuple(s.Nested())
		case CTAExpectMask:
			e.Mask, err = parseTuple(s.Nested())
		case CTAExpectTimeout:
			e.Timeout, err = nla.Uint32BE(a.Payload)
		case CTAExpectID:
			e.ID, err = nla.Uint32BE(a.Payload)
		case CTAExpectFlags:
			e.Flags, err = nla.Uint32BE(a.Payload)
		case CTAExpectClass:
			e.Class, err = nla.Uint32BE(a.Payload)
		case CTAExpectHelpName:
			e.Helper = nla.String(a.Payload)
		}
		if err != nil {
			return Expect{}, err
		}
	}
	return e, s.Err()
}

func parseTuple(s nla.Scanner) (Tuple, error) {
	var t Tuple
	for s.Next() {
		var err error
		switch s.Type() {
		case tupleIP:
			n := s.Nested()
			for n.Next() {
				switch n.Type() {
				case ipV4Src, ipV6Src:
					t.Src, err = nla.Addr(n.Payload())
				case ipV4Dst, ipV6Dst:
					t.Dst, err = nla.Addr(n.Payload())
				}
				if err != nil {
					return t, n.Errorf(err)
				}
			}
			err = n.Err()
		case tupleProto:
			n := s.Nested()
			for n.Next() {
				p := n.Payload()
				switch n.Type() {
				case protoNum:
					t.Proto, err = nla.Uint8(p)
				case protoSrcPort:
					t.SrcPort, err = nla.Uint16BE(p)
				case protoDstPort:
					t.DstPort, err = nla.Uint16BE(p)
				case protoICMPID, protoICMPv6ID:
					t.ICMPID, err = nla.Uint16BE(p)
				case protoICMPType, protoICMPv6Type:
					t.ICMPType, err = nla.Uint8(p)
				case protoICMPCode, protoICMPv6Code:
					t.ICMPCode, err = nla.Uint8(p)
				}
				if err != nil {
					return t, n.Errorf(err)
				}
			}
			err = n.Err()
		}
		if err != nil {
			return t, err
		}
	}
	return t, s.Err()
}

// Family returns the nfgenmsg family for an address.
func Family(a netip.Addr) uint8 {
	if a.Is4() {
		return familyINET
	}
	return familyINET6
}

// AppendTuple appends tuple t as nest typ (CTA_TUPLE_ORIG, ...). Only
// ports are written for L4; ICMP tuples are out of scope.
func AppendTuple(dst []byte, typ uint16, t Tuple) ([]byte, error) {
	dst, outer := nla.BeginNest(dst, typ)
	dst, ip := nla.BeginNest(dst, tupleIP)
	if t.Src.Is4() {
		dst = nla.AppendAddr(dst, ipV4Src, t.Src)
		dst = nla.AppendAddr(dst, ipV4Dst, t.Dst)
	} else {
		dst = nla.AppendAddr(dst, ipV6Src, t.Src)
		dst = nla.AppendAddr(dst, ipV6Dst, t.Dst)
	}
	dst, err := nla.EndNest(dst, ip)
	if err != nil {
		return dst, err
	}
	dst, proto := nla.BeginNest(dst, tupleProto)
	dst = nla.AppendUint8(dst, protoNum, t.Proto)
	dst = nla.AppendUint16BE(dst, protoSrcPort, t.SrcPort)
	dst = nla.AppendUint16BE(dst, protoDstPort, t.DstPort)
	if dst, err = nla.EndNest(dst, proto); err != nil {
		return dst, err
	}
	return nla.EndNest(dst, outer)
}

// NewFlowAttrs returns the attributes of an IPCTNL_MSG_CT_NEW request
// creating an entry for orig (the reply tuple is orig reversed) with
// status SEEN_REPLY|CONFIRMED and the given timeout in seconds.
func NewFlowAttrs(orig Tuple, timeout uint32) ([]byte, error) {
	reply := Tuple{Src: orig.Dst, Dst: orig.Src, Proto: orig.Proto, SrcPort: orig.DstPort, DstPort: orig.SrcPort}
	b, err := AppendTuple(nil, CTATupleOrig, orig)
	if err != nil {
		return nil, err
	}
	if b, err = AppendTuple(b, CTATupleReply, reply); err != nil {
		return nil, err
	}
	b = nla.AppendUint32BE(b, CTAStatus, StatusSeenReply|StatusConfirmed)
	return nla.AppendUint32BE(b, CTATimeout, timeout), nil
}
