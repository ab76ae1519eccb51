package bench

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// dumpFlows is the number of flows of the generated dump.
const dumpFlows = 100_000

// dumpDatagram is the size the generated dump's datagrams are filled up
// to: the kernel fills each dump skb up to the reader's buffer (at most
// 32 KiB); 16 KiB is what a reader with a 16 KiB or larger buffer gets.
const dumpDatagram = 16 << 10

// patchSites are the byte offsets, within the real flow message, of the
// fields varied per generated flow.
type patchSites struct {
	origSrc, replyDst     int // CTA_IP_V4_SRC of the original tuple, CTA_IP_V4_DST of the reply
	origSport, replyDport int // CTA_PROTO_SRC_PORT / CTA_PROTO_DST_PORT
	id                    int // CTA_ID
	origPkts, origBytes   int // CTA_COUNTERS_ORIG packets, bytes
}

// findSites locates the patch sites by walking the message's attributes.
func findSites(msg []byte) (patchSites, error) {
	var ps patchSites
	m, err := codec.ParseMessage(msg, 0)
	if err != nil {
		return ps, err
	}
	find := func(s nla.Scanner, path ...uint16) int {
		for i, t := range path {
			found := false
			for s.Next() {
				if s.Attr().Type == t {
					found = true
					break
				}
			}
			if !found {
				return -1
			}
			if i < len(path)-1 {
				s = s.Nested()
			}
		}
		return s.Attr().PayloadOffset()
	}
	const (
		tupleIP, tupleProto = 1, 2 // CTA_TUPLE_IP, CTA_TUPLE_PROTO
		v4Src, v4Dst        = 1, 2 // CTA_IP_V4_SRC, CTA_IP_V4_DST
		srcPort, dstPort    = 2, 3 // CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT
		pkts, bytes         = 1, 2 // CTA_COUNTERS_PACKETS, CTA_COUNTERS_BYTES
	)
	orig, reply := uint16(conntrack.AttrTupleOrig), uint16(conntrack.AttrTupleReply)
	co := uint16(conntrack.AttrCountersOrig)
	ps = patchSites{
		origSrc:    find(m.Attrs(), orig, tupleIP, v4Src),
		replyDst:   find(m.Attrs(), reply, tupleIP, v4Dst),
		origSport:  find(m.Attrs(), orig, tupleProto, srcPort),
		replyDport: find(m.Attrs(), reply, tupleProto, dstPort),
		id:         find(m.Attrs(), uint16(conntrack.AttrID)),
		origPkts:   find(m.Attrs(), co, pkts),
		origBytes:  find(m.Attrs(), co, bytes),
	}
	for _, o := range []int{ps.origSrc, ps.replyDst, ps.origSport, ps.replyDport, ps.id, ps.origPkts, ps.origBytes} {
		if o < 0 {
			return ps, fmt.Errorf("gen: field missing in the template message")
		}
	}
	return ps, nil
}

// genFlowKey is what flow i of the generated dump carries where it differs
// from the template: client address 198.18.0.0/15 + i/50000, source port
// 10000 + i%50000, id i, original packets and bytes i+1 and 64*(i+1).
func genFlowKey(tmpl keyFields, i int) keyFields {
	k := tmpl
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], 198<<24|18<<16|uint32(i/50000))
	k.OrigSrc, k.ReplyDst = netip.AddrFrom4(a), netip.AddrFrom4(a)
	k.OrigSport = uint16(10000 + i%50000)
	k.ReplyDport = k.OrigSport
	k.ID = uint32(i)
	k.OrigPackets, k.OrigBytes = uint64(i+1), uint64(64*(i+1))
	return k
}

// genDump builds an n-flow dump from the real flow message by patching
// the fields of genFlowKey, packed into datagrams of at most dumpDatagram
// bytes as the kernel packs them, and a final datagram holding
// NLMSG_DONE, as recorded.
func genDump(tmpl []byte, tmplKey keyFields, n int) ([][]byte, error) {
	ps, err := findSites(tmpl)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	d := make([]byte, 0, dumpDatagram)
	for i := range n {
		if len(d)+len(tmpl) > dumpDatagram {
			out = append(out, d)
			d = make([]byte, 0, dumpDatagram)
		}
		k := genFlowKey(tmplKey, i)
		at := len(d)
		d = append(d, tmpl...)
		m := d[at:]
		copy(m[ps.origSrc:], k.OrigSrc.AsSlice())
		copy(m[ps.replyDst:], k.ReplyDst.AsSlice())
		binary.BigEndian.PutUint16(m[ps.origSport:], k.OrigSport)
		binary.BigEndian.PutUint16(m[ps.replyDport:], k.ReplyDport)
		binary.BigEndian.PutUint32(m[ps.id:], k.ID)
		binary.BigEndian.PutUint64(m[ps.origPkts:], k.OrigPackets)
		binary.BigEndian.PutUint64(m[ps.origBytes:], k.OrigBytes)
	}
	out = append(out, d)
	done, start := codec.BeginMessage(nil, codec.Header{Type: codec.TypeDone, Flags: codec.FlagMulti, Seq: 1})
	done = append(done, 0, 0, 0, 0)
	done, err = codec.EndMessage(done, start)
	if err != nil {
		return nil, err
	}
	return append(out, done), nil
}

var (
	dumpOnce  sync.Once
	dumpCache [][]byte
	dumpErr   error
)

// generatedDump returns the 100,000-flow dump, built once per process.
func generatedDump(tb testing.TB) [][]byte {
	tb.Helper()
	dumpOnce.Do(func() {
		dumpCache, dumpErr = genDump(readMessage(tb, fixtureFlow), wantFlow, dumpFlows)
	})
	if dumpErr != nil {
		tb.Fatal(dumpErr)
	}
	return dumpCache
}
