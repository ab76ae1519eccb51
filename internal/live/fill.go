package live

import (
	"net/netip"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
)

// FillChunk is the number of creates [Client.Fill] encodes at once.
const FillChunk = 16 << 10

// FillFlow sets f to the i-th flow [Client.Fill] creates: UDP (even i)
// and TCP ESTABLISHED (odd i) entries from 10.0.0.0/12 to 192.0.2.1,
// each with the timeout given and mark i%16, all distinct for i below
// 2^20 * 60000.
func FillFlow(f *conntrack.Flow, i int, timeout uint32) {
	a := uint32(i % (1 << 20))
	src := netip.AddrFrom4([4]byte{10, byte(a >> 16), byte(a >> 8), byte(a)})
	dst := netip.AddrFrom4([4]byte{192, 0, 2, 1})
	sport := uint16(1024 + i/(1<<20))
	proto := conntrack.ProtoUDP
	if i%2 == 1 {
		proto = conntrack.ProtoTCP
	}
	*f = conntrack.Flow{
		Orig:    conntrack.PortTuple(proto, src, dst, sport, 53),
		Reply:   conntrack.PortTuple(proto, dst, src, 53, sport),
		Timeout: timeout,
		Mark:    uint32(i % 16),
	}
	f.Present.Add(conntrack.AttrTupleOrig)
	f.Present.Add(conntrack.AttrTupleReply)
	f.Present.Add(conntrack.AttrTimeout)
	f.Present.Add(conntrack.AttrMark)
	if proto == conntrack.ProtoTCP {
		f.ProtoInfo.TCP.State = conntrack.TCPStateEstablished
		f.ProtoInfo.TCP.Present.Add(conntrack.TCPAttrState)
		f.ProtoInfo.Present.Add(conntrack.ProtoInfoAttrTCP)
		f.Present.Add(conntrack.AttrProtoInfo)
	}
}

// Fill creates the flows FillFlow numbers from first to first+n-1,
// [FillChunk] requests per exchange, packed into datagrams and kept in
// flight up to the client's Window (raise it, with the socket's receive
// buffer, for speed). It stops at the first refusal.
func (c *Client) Fill(first, n int, timeout uint32) error {
	reqs := make([]conntrack.Request, 0, FillChunk)
	ptrs := make([]*conntrack.Request, 0, FillChunk)
	flows := make([]conntrack.Flow, FillChunk)
	for i := first; i < first+n; {
		reqs, ptrs = reqs[:0], ptrs[:0]
		for j := 0; j < FillChunk && i < first+n; j, i = j+1, i+1 {
			FillFlow(&flows[j], i, timeout)
			reqs = append(reqs, conntrack.CreateRequest(0, &flows[j]))
		}
		for j := range reqs {
			ptrs = append(ptrs, &reqs[j])
		}
		if err := c.Stream(func(*exchange.Exchange) error { return nil }, nil, ptrs...); err != nil {
			return err
		}
	}
	return nil
}
