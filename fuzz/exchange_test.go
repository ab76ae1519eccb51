package fuzz

import (
	"errors"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/nla"
)

// FuzzExchange feeds arbitrary datagrams to an exchange running a dump, a
// get and a create (sequence numbers 1 to 3, port id 0 so that any port id
// matches). Whatever arrives: no panic; every delivered record answers a
// sent request; the count of answered requests never goes down; once Done,
// nothing more is sent and every request has a result other than
// ErrPending; a framing error in a datagram ends the exchange with that
// error.
func FuzzExchange(f *testing.F) {
	addDatagrams(f)
	f.Add([]byte{})
	// Whole answers in the length-prefixed form the target reads: the
	// recorded flows renumbered as the dump's, its NLMSG_DONE, the ACKs.
	var answer []byte
	for _, d := range liveSeeds(f) {
		for p := codec.NewParser(d.Data, d.Order); p.Next() && len(answer) < 1500; {
			if m := p.Message(); m.Header.Type == uint16(conntrack.MsgCTNew) {
				msg := append([]byte(nil), d.Data[m.Offset:m.Offset+int(m.Header.Len)]...)
				nla.HostOrder.PutUint32(msg[8:], 1)
				answer = append(answer, byte((len(msg)-16)/4))
				answer = append(answer, msg...)
			}
		}
	}
	for seq := uint32(1); seq <= 3; seq++ {
		h := codec.Header{Seq: seq, Flags: codec.FlagMulti}
		var msg []byte
		if seq == 1 {
			msg, _ = codec.AppendDone(nil, h, 0, nil)
		} else {
			msg, _ = codec.AppendError(nil, h, &codec.KernelError{Code: -int32(seq), Capped: true})
		}
		answer = append(answer, byte((len(msg)-16)/4))
		answer = append(answer, msg...)
	}
	f.Add(answer)
	f.Fuzz(func(t *testing.T, b []byte) {
		var x exchange.Exchange
		x.Seq = 1
		x.Window = 2
		reqs := []conntrack.Request{{Op: conntrack.OpDump}, {Op: conntrack.OpStats}, {Op: conntrack.OpFlush}}
		for i := range reqs {
			if _, err := x.Add(&reqs[i]); err != nil {
				t.Fatal(err)
			}
		}
		sent := 0
		for len(b) > 0 && !x.Done() {
			if out := x.AppendOutgoing(nil); len(out) > 0 {
				sent += countMsgs(out)
				continue
			}
			// The first byte picks how much of the rest is one datagram.
			n := min(len(b)-1, int(b[0])*4+16)
			dgram := b[1 : 1+n]
			b = b[1+n:]
			x.Receive(dgram)
			for x.Next() {
				if i := x.Index(); i < 0 || i >= sent {
					t.Fatalf("record for request %d, %d sent", i, sent)
				}
			}
			if _, err := codec.ParseMessage(dgram, nla.HostOrder); err != nil && len(dgram) > 0 && !errors.Is(err, codec.ErrShort) {
				if p := codec.NewParser(dgram, nla.HostOrder); !p.Next() && !x.Done() {
					t.Fatalf("framing error %v left the exchange running", err)
				}
			}
		}
		if x.Done() {
			if out := x.AppendOutgoing(nil); len(out) != 0 {
				t.Fatalf("done, yet %d bytes to send", len(out))
			}
			for i := range reqs {
				if errors.Is(x.Result(i), exchange.ErrPending) {
					t.Fatalf("done, request %d pending", i)
				}
			}
		}
	})
}

func countMsgs(b []byte) int {
	n := 0
	for p := codec.NewParser(b, nla.HostOrder); p.Next(); {
		n++
	}
	return n
}
