package live

import (
	"errors"
	"time"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/nla"
)

// Client sends ctnetlink requests built by package conntrack and decodes
// the kernel's replies.
type Client struct {
	// Conn is the socket; the Client owns it.
	Conn *nlsock.Conn
	// Decoder decodes the replies (set Keep to keep unknown attributes).
	Decoder conntrack.Decoder
}

// Open returns a client on a new socket in the network namespace bound at
// nsPath, or in the caller's namespace when nsPath is empty.
func Open(nsPath string, o nlsock.Options) (*Client, error) {
	var c *nlsock.Conn
	var err error
	if nsPath == "" {
		c, err = nlsock.Open(o)
	} else {
		c, err = nlsock.OpenIn(nsPath, o)
	}
	if err != nil {
		return nil, err
	}
	return &Client{Conn: c}, nil
}

// Close closes the socket.
func (c *Client) Close() error { return c.Conn.Close() }

// Do sends r (with a fresh sequence number; r.Seq is ignored) and returns
// the decoded reply messages with r's sequence number in arrival order,
// NLMSG_DONE and acknowledgements left out. A kernel refusal is returned
// as a *codec.KernelError, which matches its errno with errors.Is.
func (c *Client) Do(r conntrack.Request) ([]conntrack.Record, error) {
	r.Seq = c.Conn.NextSeq()
	req, err := r.AppendBinary(nil)
	if err != nil {
		return nil, err
	}
	return c.DoRaw(req)
}

// DoRaw sends one request message as it is and decodes the reply as [Client.Do]
// does.
func (c *Client) DoRaw(req []byte) ([]conntrack.Record, error) {
	h, err := codec.ParseHeader(req, nla.HostOrder)
	if err != nil {
		return nil, err
	}
	rep, xerr := c.Conn.Execute(req)
	var recs []conntrack.Record
	for _, dg := range rep.Datagrams {
		for m, err := range codec.Messages(dg, nla.HostOrder) {
			if err != nil {
				return recs, errors.Join(xerr, err)
			}
			if m.Header.Seq != h.Seq {
				continue
			}
			var rec conntrack.Record
			if err := c.Decoder.Decode(m, &rec); err != nil {
				return recs, errors.Join(xerr, err)
			}
			switch rec.Kind {
			case conntrack.KindAck, conntrack.KindDone, conntrack.KindError:
				continue
			}
			recs = append(recs, rec)
		}
	}
	return recs, xerr
}

// Flows is [Client.Do] for requests answered with flows (dumps, GET,
// CTRZERO, dying): the flows of the reply.
func (c *Client) Flows(r conntrack.Request) ([]conntrack.Flow, error) {
	recs, err := c.Do(r)
	var fs []conntrack.Flow
	for i := range recs {
		if recs[i].Kind == conntrack.KindFlow {
			fs = append(fs, recs[i].Flow)
		}
	}
	return fs, err
}

// Expects is [Client.Do] for requests answered with expectations.
func (c *Client) Expects(r conntrack.Request) ([]conntrack.Expect, error) {
	recs, err := c.Do(r)
	var es []conntrack.Expect
	for i := range recs {
		if recs[i].Kind == conntrack.KindExpect {
			es = append(es, recs[i].Expect)
		}
	}
	return es, err
}

// Events reads from an event socket (one opened with
// [nlsock.EventGroups]) until n records arrived or nothing arrived for
// idle, and returns the decoded records. A receive buffer overrun is
// returned as the error along with what arrived before it.
func (c *Client) Events(n int, idle time.Duration) ([]conntrack.Record, error) {
	c.Conn.SetTimeout(idle)
	defer c.Conn.SetTimeout(0)
	var recs []conntrack.Record
	for n <= 0 || len(recs) < n {
		dg, err := c.Conn.Receive()
		if errors.Is(err, nlsock.ErrTimeout) {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		for m, err := range codec.Messages(dg, nla.HostOrder) {
			if err != nil {
				return recs, err
			}
			var rec conntrack.Record
			if err := c.Decoder.Decode(m, &rec); err != nil {
				return recs, err
			}
			recs = append(recs, rec)
		}
	}
	return recs, nil
}
