package bench

// How each peer is reached (see README.md, "How the peers are driven").
//
//   - ti-mo/conntrack: decode through its exported Event.Unmarshal on a
//     netlink.Message made by mdlayher/netlink's exported
//     Message.UnmarshalBinary. Its flow encoder (Flow.marshal) is
//     unexported: reached with go:linkname, then framed by the exported
//     ti-mo/netfilter.MarshalNetlink and netlink.Message.MarshalBinary, the
//     same three steps Conn.Create performs before its socket write.
//   - vishvananda/netlink: decode and encode are both unexported
//     (parseRawData, (*ConntrackFlow).toNlData); reached with go:linkname
//     and framed by its exported nl.NetlinkRequest.Serialize, as
//     Handle.ConntrackCreate does.
//   - florianl/go-conntrack: decode through its exported ParseAttributes;
//     its encoder (nestAttributes) and nfgenmsg helper (putExtraHeader) are
//     unexported and reached with go:linkname, framed with
//     netlink.Message.MarshalBinary as Nfct.Create does.
//   - libnetfilter_conntrack: nfct_nlmsg_parse and nfct_nlmsg_build through
//     cgo (internal/lnfct).
//
// The Go 1.26 linker still accepts linkname pulls of unexported functions
// of packages outside the standard library (its -checklinkname restriction
// covers only the standard library). The versions are pinned in go.mod.

import (
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"net/netip"
	"time"
	_ "unsafe" // go:linkname

	"github.com/ctwire/ctwire/bench/internal/lnfct"
	flo "github.com/florianl/go-conntrack"
	"github.com/mdlayher/netlink"
	timo "github.com/ti-mo/conntrack"
	"github.com/ti-mo/netfilter"
	vnl "github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

//go:linkname vnlParseRawData github.com/vishvananda/netlink.parseRawData
func vnlParseRawData(data []byte) *vnl.ConntrackFlow

//go:linkname vnlToNlData github.com/vishvananda/netlink.(*ConntrackFlow).toNlData
func vnlToNlData(s *vnl.ConntrackFlow) ([]*nl.RtAttr, error)

//go:linkname timoMarshal github.com/ti-mo/conntrack.Flow.marshal
func timoMarshal(f timo.Flow) ([]netfilter.Attribute, error)

//go:linkname floNestAttributes github.com/florianl/go-conntrack.nestAttributes
func floNestAttributes(logger *log.Logger, filters *flo.Con) ([]byte, error)

//go:linkname floPutExtraHeader github.com/florianl/go-conntrack.putExtraHeader
func floPutExtraHeader(family, version uint8, resid uint16) []byte

// keyFields is what every decoder must agree on for the fixtures.
type keyFields = lnfct.Flow

// errShort reports a datagram whose next message header is cut.
var errShort = errors.New("bench: truncated netlink message")

// nextMessage splits the first netlink message off a datagram, the way a
// socket reader hands messages to the peers' per-message decoders. It
// returns io.EOF at the end of the datagram.
func nextMessage(d []byte) (msg, rest []byte, err error) {
	if len(d) == 0 {
		return nil, nil, io.EOF
	}
	if len(d) < 16 {
		return nil, nil, errShort
	}
	n := int(binary.NativeEndian.Uint32(d))
	if n < 16 || n > len(d) {
		return nil, nil, errShort
	}
	next := min((n+3)&^3, len(d))
	return d[:n], d[next:], nil
}

// splitMessages returns every message of a datagram (setup only).
func splitMessages(d []byte) [][]byte {
	var out [][]byte
	for {
		m, rest, err := nextMessage(d)
		if err != nil {
			return out
		}
		out = append(out, m)
		d = rest
	}
}

// isFlowMessage reports a ctnetlink message (not NLMSG_DONE/ERROR).
func isFlowMessage(msg []byte) bool {
	return binary.NativeEndian.Uint16(msg[4:])>>8 == unix.NFNL_SUBSYS_CTNETLINK
}

// ---- ti-mo/conntrack ----

func timoDecode(msg []byte) (*timo.Flow, error) {
	var m netlink.Message
	if err := m.UnmarshalBinary(msg); err != nil {
		return nil, err
	}
	var e timo.Event
	if err := e.Unmarshal(m); err != nil {
		return nil, err
	}
	return e.Flow, nil
}

func timoKey(f *timo.Flow) keyFields {
	return keyFields{
		Proto:   f.TupleOrig.Proto.Protocol,
		OrigSrc: f.TupleOrig.IP.SourceAddress, OrigDst: f.TupleOrig.IP.DestinationAddress,
		ReplySrc: f.TupleReply.IP.SourceAddress, ReplyDst: f.TupleReply.IP.DestinationAddress,
		OrigSport: f.TupleOrig.Proto.SourcePort, OrigDport: f.TupleOrig.Proto.DestinationPort,
		ReplySport: f.TupleReply.Proto.SourcePort, ReplyDport: f.TupleReply.Proto.DestinationPort,
		OrigPackets: f.CountersOrig.Packets, OrigBytes: f.CountersOrig.Bytes,
		ReplyPackets: f.CountersReply.Packets, ReplyBytes: f.CountersReply.Bytes,
		Timeout: f.Timeout, Status: uint32(f.Status), Mark: f.Mark, ID: f.ID,
		TCPState: tcpState(f.ProtoInfo.TCP),
		Start:    unixNano(f.Timestamp.Start), Stop: unixNano(f.Timestamp.Stop),
	}
}

func tcpState(t *timo.ProtoInfoTCP) uint8 {
	if t == nil {
		return 0
	}
	return t.State
}

func unixNano(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixNano())
}

// timoEncodeNew builds a create request as Conn.Create does.
func timoEncodeNew(f timo.Flow, seq uint32) ([]byte, error) {
	attrs, err := timoMarshal(f)
	if err != nil {
		return nil, err
	}
	m, err := netfilter.MarshalNetlink(netfilter.Header{
		SubsystemID: netfilter.NFSubsysCTNetlink,
		MessageType: netfilter.MessageType(ipctnlMsgCtNew),
		Family:      netfilter.ProtoIPv4,
		Flags:       netlink.Request | netlink.Acknowledge | netlink.Excl | netlink.Create,
	}, attrs)
	if err != nil {
		return nil, err
	}
	// What netlink.Conn fills in before it marshals (its fixMsg).
	m.Header.Length = uint32(16 + (len(m.Data)+3)&^3)
	m.Header.Sequence = seq
	return m.MarshalBinary()
}

func timoNewFlow(k keyFields) timo.Flow {
	var f timo.Flow
	f.TupleOrig.IP.SourceAddress, f.TupleOrig.IP.DestinationAddress = k.OrigSrc, k.OrigDst
	f.TupleOrig.Proto.Protocol, f.TupleOrig.Proto.SourcePort, f.TupleOrig.Proto.DestinationPort = k.Proto, k.OrigSport, k.OrigDport
	f.TupleReply.IP.SourceAddress, f.TupleReply.IP.DestinationAddress = k.ReplySrc, k.ReplyDst
	f.TupleReply.Proto.Protocol, f.TupleReply.Proto.SourcePort, f.TupleReply.Proto.DestinationPort = k.Proto, k.ReplySport, k.ReplyDport
	f.Timeout, f.Mark = k.Timeout, k.Mark
	f.ProtoInfo.TCP = &timo.ProtoInfoTCP{State: k.TCPState}
	return f
}

// ---- vishvananda/netlink ----

// vnlDecode decodes one message; parseRawData takes the payload after the
// netlink header, as Handle.ConntrackTableList passes it.
func vnlDecode(msg []byte) *vnl.ConntrackFlow { return vnlParseRawData(msg[16:]) }

func vnlKey(f *vnl.ConntrackFlow) keyFields {
	k := keyFields{
		Proto:   f.Forward.Protocol,
		OrigSrc: addrOf(f.Forward.SrcIP), OrigDst: addrOf(f.Forward.DstIP),
		ReplySrc: addrOf(f.Reverse.SrcIP), ReplyDst: addrOf(f.Reverse.DstIP),
		OrigSport: f.Forward.SrcPort, OrigDport: f.Forward.DstPort,
		ReplySport: f.Reverse.SrcPort, ReplyDport: f.Reverse.DstPort,
		OrigPackets: f.Forward.Packets, OrigBytes: f.Forward.Bytes,
		ReplyPackets: f.Reverse.Packets, ReplyBytes: f.Reverse.Bytes,
		Timeout: f.TimeOut, Mark: f.Mark,
		Start: f.TimeStart, Stop: f.TimeStop,
	}
	if p, ok := f.ProtoInfo.(*vnl.ProtoInfoTCP); ok {
		k.TCPState = p.State
	}
	return k
}

func addrOf(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

// vnlEncodeNew builds a create request as Handle.ConntrackCreate does.
func vnlEncodeNew(f *vnl.ConntrackFlow, seq uint32) ([]byte, error) {
	req := nl.NewNetlinkRequest(unix.NFNL_SUBSYS_CTNETLINK<<8|ipctnlMsgCtNew, unix.NLM_F_ACK|unix.NLM_F_CREATE)
	req.AddData(&nl.Nfgenmsg{NfgenFamily: unix.AF_INET, Version: nl.NFNETLINK_V0})
	attrs, err := vnlToNlData(f)
	if err != nil {
		return nil, err
	}
	for _, a := range attrs {
		req.AddData(a)
	}
	req.Seq = seq
	return req.Serialize(), nil
}

func vnlNewFlow(k keyFields) *vnl.ConntrackFlow {
	return &vnl.ConntrackFlow{
		FamilyType: unix.AF_INET,
		Forward: vnl.IPTuple{Protocol: k.Proto, SrcIP: k.OrigSrc.AsSlice(), DstIP: k.OrigDst.AsSlice(),
			SrcPort: k.OrigSport, DstPort: k.OrigDport},
		Reverse: vnl.IPTuple{Protocol: k.Proto, SrcIP: k.ReplySrc.AsSlice(), DstIP: k.ReplyDst.AsSlice(),
			SrcPort: k.ReplySport, DstPort: k.ReplyDport},
		Mark: k.Mark, TimeOut: k.Timeout,
		ProtoInfo: &vnl.ProtoInfoTCP{State: k.TCPState},
	}
}

// ---- florianl/go-conntrack ----

var floLogger = log.New(io.Discard, "", 0)

// floDecode decodes one message; ParseAttributes takes the payload after
// the netlink header (nfgenmsg first), as its dump and event paths do.
func floDecode(msg []byte) (flo.Con, error) { return flo.ParseAttributes(floLogger, msg[16:]) }

func floKey(c flo.Con) keyFields {
	var k keyFields
	tuple := func(t *flo.IPTuple, src, dst *netip.Addr, sport, dport *uint16) {
		if t == nil {
			return
		}
		if t.Src != nil {
			*src = addrOf(*t.Src)
		}
		if t.Dst != nil {
			*dst = addrOf(*t.Dst)
		}
		if t.Proto != nil {
			k.Proto = deref(t.Proto.Number)
			*sport, *dport = deref(t.Proto.SrcPort), deref(t.Proto.DstPort)
		}
	}
	tuple(c.Origin, &k.OrigSrc, &k.OrigDst, &k.OrigSport, &k.OrigDport)
	tuple(c.Reply, &k.ReplySrc, &k.ReplyDst, &k.ReplySport, &k.ReplyDport)
	if c.CounterOrigin != nil {
		k.OrigPackets, k.OrigBytes = deref(c.CounterOrigin.Packets), deref(c.CounterOrigin.Bytes)
	}
	if c.CounterReply != nil {
		k.ReplyPackets, k.ReplyBytes = deref(c.CounterReply.Packets), deref(c.CounterReply.Bytes)
	}
	k.Timeout, k.Status, k.Mark, k.ID = deref(c.Timeout), deref(c.Status), deref(c.Mark), deref(c.ID)
	if c.ProtoInfo != nil && c.ProtoInfo.TCP != nil {
		k.TCPState = deref(c.ProtoInfo.TCP.State)
	}
	if c.Timestamp != nil {
		if c.Timestamp.Start != nil {
			k.Start = uint64(c.Timestamp.Start.UnixNano())
		}
		if c.Timestamp.Stop != nil {
			k.Stop = uint64(c.Timestamp.Stop.UnixNano())
		}
	}
	return k
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

// floEncodeNew builds a create request as Nfct.Create does.
func floEncodeNew(c *flo.Con, seq uint32) ([]byte, error) {
	attrs, err := floNestAttributes(floLogger, c)
	if err != nil {
		return nil, err
	}
	data := floPutExtraHeader(unix.AF_INET, unix.NFNETLINK_V0, 0)
	data = append(data, attrs...)
	m := netlink.Message{
		Header: netlink.Header{
			Type:     netlink.HeaderType(unix.NFNL_SUBSYS_CTNETLINK<<8 | ipctnlMsgCtNew),
			Flags:    netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl,
			Sequence: seq,
		},
		Data: data,
	}
	m.Header.Length = uint32(16 + (len(m.Data)+3)&^3)
	return m.MarshalBinary()
}

func floNewFlow(k keyFields) *flo.Con {
	ip := func(a netip.Addr) *net.IP { v := net.IP(a.AsSlice()); return &v }
	tuple := func(src, dst netip.Addr, sport, dport uint16) *flo.IPTuple {
		p, sp, dp := k.Proto, sport, dport
		return &flo.IPTuple{Src: ip(src), Dst: ip(dst), Proto: &flo.ProtoTuple{Number: &p, SrcPort: &sp, DstPort: &dp}}
	}
	timeout, mark, state := k.Timeout, k.Mark, k.TCPState
	return &flo.Con{
		Origin:    tuple(k.OrigSrc, k.OrigDst, k.OrigSport, k.OrigDport),
		Reply:     tuple(k.ReplySrc, k.ReplyDst, k.ReplySport, k.ReplyDport),
		Timeout:   &timeout,
		Mark:      &mark,
		ProtoInfo: &flo.ProtoInfo{TCP: &flo.TCPInfo{State: &state}},
	}
}
