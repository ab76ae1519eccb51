package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/ctwire/ctwire/nla"
)

// ctnetlink numbers used to build test messages (kernel uapi
// nfnetlink_conntrack.h).
const (
	msgCTNew      = 0x0100 // NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW
	msgCTGet      = 0x0101 // IPCTNL_MSG_CT_GET
	msgDone       = 0x0003 // NLMSG_DONE
	flagMulti     = 0x0002 // NLM_F_MULTI
	flagDump      = 0x0300 // NLM_F_DUMP
	ctaTupleOrig  = 1
	ctaTupleReply = 2
	ctaTupleIP    = 1
	ctaTupleProto = 2
	ctaIPv4Src    = 1
	ctaIPv4Dst    = 2
	ctaProtoNum   = 1
	ctaProtoSrc   = 2
	ctaProtoDst   = 3
	ctaStatus     = 3
)

// appendNlmsg appends a netlink message (host-order header) with an
// nfgenmsg for AF_INET and the given attributes.
func appendNlmsg(dst []byte, typ, flags uint16, seq uint32, attrs []byte) []byte {
	start := len(dst)
	dst = binary.NativeEndian.AppendUint32(dst, 0)
	dst = binary.NativeEndian.AppendUint16(dst, typ)
	dst = binary.NativeEndian.AppendUint16(dst, flags)
	dst = binary.NativeEndian.AppendUint32(dst, seq)
	dst = binary.NativeEndian.AppendUint32(dst, 0) // pid
	if typ >= 0x10 {
		dst = append(dst, 2, 0, 0, 0) // nfgenmsg: AF_INET, version 0, res_id 0
	}
	dst = append(dst, attrs...)
	binary.NativeEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	return dst
}

func appendTuple(dst []byte, typ uint16, src, dst4 netip.Addr, sport, dport uint16) []byte {
	dst, t := nla.BeginNest(dst, typ)
	dst, ip := nla.BeginNest(dst, ctaTupleIP)
	dst = nla.AppendAddr(dst, ctaIPv4Src, src)
	dst = nla.AppendAddr(dst, ctaIPv4Dst, dst4)
	dst, _ = nla.EndNest(dst, ip)
	dst, p := nla.BeginNest(dst, ctaTupleProto)
	dst = nla.AppendUint8(dst, ctaProtoNum, 6)
	dst = nla.AppendUint16BE(dst, ctaProtoSrc, sport)
	dst = nla.AppendUint16BE(dst, ctaProtoDst, dport)
	dst, _ = nla.EndNest(dst, p)
	dst, _ = nla.EndNest(dst, t)
	return dst
}

// ctFlow returns the attributes of a TCP flow src:sport -> dst:dport.
func ctFlow(src, dst string, sport, dport uint16) []byte {
	s, d := netip.MustParseAddr(src), netip.MustParseAddr(dst)
	var b []byte
	b = appendTuple(b, ctaTupleOrig, s, d, sport, dport)
	b = appendTuple(b, ctaTupleReply, d, s, dport, sport)
	return nla.AppendUint32BE(b, ctaStatus, 0x8)
}

// doneMsg returns an NLMSG_DONE with its 4-byte error code.
func doneMsg(seq uint32) []byte {
	return appendNlmsg(nil, msgDone, flagMulti, seq, []byte{0, 0, 0, 0})
}

// swapped returns b with every nlmsghdr and nlattr header converted from
// the host's byte order to the other one, as a capture from a host of the
// other endianness would hold it. Attribute payloads are left alone.
func swapped(t testing.TB, b []byte) []byte {
	t.Helper()
	out := bytes.Clone(b)
	for off := 0; off+16 <= len(out); {
		n := int(binary.NativeEndian.Uint32(out[off:]))
		typ := binary.NativeEndian.Uint16(out[off+4:])
		if n < 16 || off+n > len(out) {
			t.Fatalf("swapped: bad message length %d at %d", n, off)
		}
		swap32(out[off:])
		swap16(out[off+4:])
		swap16(out[off+6:])
		swap32(out[off+8:])
		swap32(out[off+12:])
		if typ >= 0x10 {
			swapAttrs(out[off+20 : off+n])
		}
		off += (n + 3) &^ 3
	}
	return out
}

func swapAttrs(b []byte) {
	for len(b) >= 4 {
		n := int(binary.NativeEndian.Uint16(b))
		typ := binary.NativeEndian.Uint16(b[2:])
		if n < 4 || n > len(b) {
			return
		}
		swap16(b)
		swap16(b[2:])
		if typ&nla.FlagNested != 0 {
			swapAttrs(b[4:n])
		}
		b = b[min(len(b), (n+3)&^3):]
	}
}

func swap16(b []byte) { b[0], b[1] = b[1], b[0] }
func swap32(b []byte) { b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0] }

// sample is a small set of datagrams in the shapes a ctnetlink session
// has: a dump request, a dump reply of two flows, the DONE in its own
// datagram, and an event.
func sample() []Datagram {
	t0 := time.Date(2026, 11, 27, 6, 0, 0, 123456789, time.UTC)
	req := appendNlmsg(nil, msgCTGet, 0x1|flagDump, 7, nil)
	var reply []byte
	reply = appendNlmsg(reply, msgCTNew, flagMulti, 7, ctFlow("10.0.0.1", "10.0.0.2", 40000, 80))
	reply = appendNlmsg(reply, msgCTNew, flagMulti, 7, ctFlow("192.168.1.5", "8.8.8.8", 5353, 53))
	event := appendNlmsg(nil, msgCTNew, 0x600, 0, ctFlow("172.16.0.1", "172.16.0.9", 1234, 443))
	return []Datagram{
		{Data: req, Time: t0, Family: FamilyNetfilter, Direction: ToKernel},
		{Data: reply, Time: t0.Add(time.Millisecond), Family: FamilyNetfilter, Direction: FromKernel},
		{Data: doneMsg(7), Time: t0.Add(2 * time.Millisecond), Family: FamilyNetfilter, Direction: FromKernel},
		{Data: event, Time: t0.Add(3 * time.Second), Family: FamilyNetfilter, Direction: FromKernel},
	}
}

// write encodes ds in format f.
func write(t testing.TB, f Format, ds []Datagram) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if err := w.WriteDatagram(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readAll reads every datagram (copying Data) and every error.
func readAll(t testing.TB, b []byte, opts ...Option) ([]Datagram, []error, *Reader) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b), opts...)
	if err != nil {
		return nil, []error{err}, nil
	}
	var ds []Datagram
	var errs []error
	for i := 0; ; i++ {
		if i > len(b)+10 {
			t.Fatalf("reader did not end after %d calls", i)
		}
		d, err := r.Next()
		if err != nil {
			if err == io.EOF {
				break
			}
			errs = append(errs, err)
			continue
		}
		d.Data = bytes.Clone(d.Data)
		ds = append(ds, d)
	}
	return ds, errs, r
}

// ngBuilder builds pcapng files by hand, block by block, in the byte order
// of the current section.
type ngBuilder struct {
	big bool
	b   []byte
}

func (g *ngBuilder) order() binary.AppendByteOrder {
	if g.big {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// opt returns an option (code, length, value padded to 4).
func (g *ngBuilder) opt(code uint16, v []byte) []byte {
	o := g.order()
	b := o.AppendUint16(nil, code)
	b = o.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	return pad4(b)
}

func (g *ngBuilder) u32(v uint32) []byte { return g.order().AppendUint32(nil, v) }
func (g *ngBuilder) u64(v uint64) []byte { return g.order().AppendUint64(nil, v) }

// block appends a block; body is padded to 4.
func (g *ngBuilder) block(typ uint32, body []byte) {
	o := g.order()
	body = pad4(bytes.Clone(body))
	n := uint32(12 + len(body))
	g.b = o.AppendUint32(g.b, typ)
	g.b = o.AppendUint32(g.b, n)
	g.b = append(g.b, body...)
	g.b = o.AppendUint32(g.b, n)
}

// shb starts a section in byte order big.
func (g *ngBuilder) shb(big bool) {
	g.big = big
	o := g.order()
	body := o.AppendUint32(nil, 0x1a2b3c4d)
	body = o.AppendUint16(body, 1)
	body = o.AppendUint16(body, 0)
	body = o.AppendUint64(body, ^uint64(0))
	body = append(body, g.opt(4, []byte("test"))...) // shb_userappl
	body = append(body, 0, 0, 0, 0)
	g.block(blockSHB, body)
}

// idb appends an interface; opts are whole options without the end marker.
func (g *ngBuilder) idb(link LinkType, snap uint32, opts ...[]byte) {
	o := g.order()
	body := o.AppendUint16(nil, uint16(link))
	body = o.AppendUint16(body, 0)
	body = o.AppendUint32(body, snap)
	for _, op := range opts {
		body = append(body, op...)
	}
	if len(opts) > 0 {
		body = append(body, 0, 0, 0, 0)
	}
	g.block(blockIDB, body)
}

// epb appends an enhanced packet block.
func (g *ngBuilder) epb(ifid uint32, ts uint64, data []byte, orig uint32, opts ...[]byte) {
	o := g.order()
	body := o.AppendUint32(nil, ifid)
	body = o.AppendUint32(body, uint32(ts>>32))
	body = o.AppendUint32(body, uint32(ts))
	body = o.AppendUint32(body, uint32(len(data)))
	body = o.AppendUint32(body, orig)
	body = pad4(append(body, data...))
	for _, op := range opts {
		body = append(body, op...)
	}
	if len(opts) > 0 {
		body = append(body, 0, 0, 0, 0)
	}
	g.block(blockEPB, body)
}

// spb appends a simple packet block.
func (g *ngBuilder) spb(data []byte, orig uint32) {
	g.block(blockSPB, append(g.order().AppendUint32(nil, orig), data...))
}

// pcapFile builds a classic pcap file in either byte order.
func pcapFile(big, nano bool, link uint32, recs ...pcapRec) []byte {
	var o binary.AppendByteOrder = binary.LittleEndian
	if big {
		o = binary.BigEndian
	}
	magic := uint32(0xa1b2c3d4)
	if nano {
		magic = 0xa1b23c4d
	}
	b := o.AppendUint32(nil, magic)
	b = o.AppendUint16(b, 2)
	b = o.AppendUint16(b, 4)
	b = o.AppendUint32(b, 0)
	b = o.AppendUint32(b, 0)
	b = o.AppendUint32(b, 65535)
	b = o.AppendUint32(b, link)
	for _, r := range recs {
		b = o.AppendUint32(b, r.sec)
		b = o.AppendUint32(b, r.frac)
		b = o.AppendUint32(b, uint32(len(r.data)))
		b = o.AppendUint32(b, max(r.orig, uint32(len(r.data))))
		b = append(b, r.data...)
	}
	return b
}

type pcapRec struct {
	sec, frac uint32
	data      []byte
	orig      uint32
}

// sllHeader returns a LINKTYPE_LINUX_SLL header (also the LINKTYPE_NETLINK
// cooked header when hatype is 824).
func sllHeader(pkttype, hatype, family uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, pkttype)
	b = binary.BigEndian.AppendUint16(b, hatype)
	b = append(b, make([]byte, 10)...) // halen 0, address
	return binary.BigEndian.AppendUint16(b, family)
}

// sll2Header returns a LINKTYPE_LINUX_SLL2 header.
func sll2Header(pkttype uint8, hatype, family uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, family)
	b = append(b, 0, 0)                          // reserved
	b = binary.BigEndian.AppendUint32(b, 7)      // ifindex of the nlmon device
	b = binary.BigEndian.AppendUint16(b, hatype) // ARPHRD_
	b = append(b, pkttype, 0)                    // packet type, halen
	return append(b, make([]byte, 8)...)         // address
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
