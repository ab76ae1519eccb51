package nlsock

import (
	"fmt"
	"time"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// NewRequest returns an nfnetlink request: a netlink header of type typ
// with flags (NLM_F_REQUEST is added), the next sequence number and port id
// 0, the nfgenmsg for family (version 0, res_id 0), and attrs, with the
// length patched.
func (c *Conn) NewRequest(typ, flags uint16, family uint8, attrs []byte) []byte {
	h := codec.Header{Type: typ, Flags: flags | codec.FlagRequest, Seq: c.NextSeq()}
	b, start := codec.AppendMessage(make([]byte, 0, codec.AttrOffset+len(attrs)), h, codec.NFGen{Family: family})
	b = append(b, attrs...)
	b, _ = codec.EndMessage(b, start) // cannot fail: at least a header long
	return b
}

// Reply is what [Conn.Execute] gathered for one request.
type Reply struct {
	// Datagrams are the reply datagrams in arrival order, the terminating
	// one included.
	Datagrams [][]byte
	// Messages counts the reply messages with the request's sequence
	// number, NLMSG_DONE and NLMSG_ERROR excluded.
	Messages int
	// Done is set when an NLMSG_DONE ended the reply.
	Done bool
	// Ack is set when an NLMSG_ERROR with error 0 ended the reply.
	Ack bool
}

// Execute sends request req (a single netlink message) and reads until the
// message that ends its reply: NLMSG_DONE or NLMSG_ERROR with req's sequence
// number and this socket's port id. An NLMSG_ERROR with a non-zero error is
// returned as a [*codec.KernelError] (matching its syscall.Errno) along
// with the datagrams; an NLMSG_DONE whose error is non-zero is returned as
// that errno. Other datagrams (events on a subscribed socket) are kept for
// [Conn.Receive]. The request must be a dump or ask for an ACK
// ([ErrNoTerminator]); the socket's timeout bounds each wait.
func (c *Conn) Execute(req []byte) (Reply, error) {
	h, err := codec.ParseHeader(req, nla.HostOrder)
	if err != nil || int(h.Len) != len(req) && codec.Align(int(h.Len)) != len(req) {
		return Reply{}, opErr("execute", ErrBadRequest)
	}
	if h.Flags&(codec.FlagDump|codec.FlagAck) == 0 {
		return Reply{}, opErr("execute", ErrNoTerminator)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.Send(req); err != nil {
		return Reply{}, err
	}
	var r Reply
	var deferred [][]byte
	defer func() { c.backlog = append(c.backlog, deferred...) }()
	for {
		b, err := c.receive(nil, true, c.deadline())
		if err != nil {
			return r, err
		}
		mine, end, err := c.classify(b, h.Seq, &r)
		if !mine {
			deferred = append(deferred, b)
			continue
		}
		r.Datagrams = append(r.Datagrams, b)
		if end || err != nil {
			return r, err
		}
	}
}

// classify reports whether datagram b answers the request with sequence
// number seq, whether it ends the reply, and the reply's error, counting
// messages into r.
func (c *Conn) classify(b []byte, seq uint32, r *Reply) (mine, end bool, err error) {
	p := codec.NewParser(b, nla.HostOrder)
	for p.Next() {
		m := p.Message()
		if m.Header.Seq != seq || m.Header.PID != c.pid {
			continue
		}
		mine = true
		switch m.Header.Type {
		case codec.TypeDone:
			var d codec.Done
			if err := codec.ParseDone(m, &d); err != nil {
				return true, true, opErr("execute", err)
			}
			r.Done = true
			if d.Errno != 0 {
				return true, true, opErr("execute", fmt.Errorf("dump ended with error: %w", d.Errno))
			}
			return true, true, nil
		case codec.TypeError:
			ke := new(codec.KernelError)
			if err := codec.ParseError(m, ke); err != nil {
				return true, true, opErr("execute", err)
			}
			if ke.IsAck() {
				r.Ack = true
				return true, true, nil
			}
			return true, true, ke
		default:
			r.Messages++
		}
	}
	if err := p.Err(); err != nil && mine {
		return true, true, opErr("execute", err)
	}
	return mine, false, nil
}

// Probe reports why ctnetlink cannot be used in the network namespace bound
// at nsPath, or nil when it can: it opens a socket there (which fails under
// emulators such as qemu-user, which refuse NETLINK_NETFILTER) and asks for
// the global conntrack statistics, which need no state.
func Probe(nsPath string) error {
	c, err := OpenIn(nsPath, Options{Timeout: 2 * time.Second, NoRecord: true})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Execute(c.NewRequest(codec.MsgType(codec.SubsysConntrack, 5), codec.FlagAck, 0, nil))
	return err
}
