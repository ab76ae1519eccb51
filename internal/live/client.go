package live

import (
	"cmp"
	"errors"
	"slices"
	"time"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/nla"
)

// BufSize is the size of a client's receive buffer: twice the largest
// datagram the kernel builds for a dump (32 KiB), so that none is ever
// read in two steps.
const BufSize = 64 << 10

// Client sends ctnetlink requests built by package conntrack through an
// [exchange.Exchange] and decodes the kernel's replies as they arrive,
// into one reused record and one reused receive buffer.
type Client struct {
	// Conn is the socket; the Client owns it.
	Conn *nlsock.Conn
	// Decoder decodes the replies (set Keep to keep unknown attributes).
	Decoder conntrack.Decoder
	// Window is the exchange's window (0: [exchange.DefaultWindow]); raise
	// it together with the socket's receive buffer.
	Window int
	// BufSize is the initial size of the receive buffer (0: [BufSize]). The
	// kernel sizes dump datagrams after the buffers a socket reads with,
	// so a small one gives small datagrams (more of them).
	BufSize int
	// Readahead, when positive, makes [Client.Stream] receive in a second
	// goroutine, into that many buffers of BufSize recycled through
	// channels, while the caller's goroutine runs the exchange and each:
	// the kernel builds the next dump datagrams (inside that goroutine's
	// receive) while the last ones are decoded and printed. Memory stays
	// fixed. The socket's Tap, if any, then sees received datagrams from
	// that goroutine.
	Readahead int

	x        exchange.Exchange
	buf, out []byte
	ring     [][]byte // the Readahead buffers
	rec      conntrack.Record
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

// Stream runs the requests reqs through one exchange: it sends them in
// batches, reads every reply datagram into the client's buffer and calls
// each for every record that answers one of them, in order; the record
// (x.Record()) is valid only during the call, x.Index() names its
// request. idle, when not nil, is called whenever the socket has nothing
// queued, before waiting for more: the moment to flush buffered output.
// An error from each or idle ends the exchange and is returned. Otherwise
// Stream returns the exchange's error ([exchange.Exchange.Err]: the
// first refusal, [exchange.ErrInterrupted], a socket failure), or the
// first record that failed to decode. Memory does not grow with the
// number of records.
func (c *Client) Stream(each func(x *exchange.Exchange) error, idle func() error, reqs ...*conntrack.Request) error {
	x := &c.x
	x.Reset()
	x.PID, x.Decoder, x.Window = c.Conn.PortID(), c.Decoder, c.Window
	for _, r := range reqs {
		if _, err := x.Add(r); err != nil {
			return err
		}
	}
	if c.Readahead > 0 {
		return c.streamAhead(each, idle)
	}
	c.initBuf()
	for !x.Done() {
		if c.sendPending(x) {
			continue
		}
		b, err := c.Conn.ReceiveInto(c.buf, false)
		if errors.Is(err, nlsock.ErrWouldBlock) {
			if idle != nil {
				if err := idle(); err != nil {
					x.Fail(err)
					return err
				}
			}
			b, err = c.Conn.ReceiveInto(c.buf, true)
		}
		if err != nil {
			x.Fail(err)
			break
		}
		if cap(b) > cap(c.buf) {
			c.buf = b[:cap(b)]
		}
		for x.Receive(b); x.Next(); {
			if err := each(x); err != nil {
				x.Fail(err)
				return err
			}
		}
	}
	if err := x.Err(); err != nil {
		return err
	}
	return x.RecordErr()
}

// received is one datagram read by the receiving goroutine of
// [Client.streamAhead], or the error that ended it.
type received struct {
	b   []byte
	err error
}

// streamAhead is Stream with the receiving in a goroutine of its own.
// Only this goroutine touches the exchange. The receiver reads only into
// buffers handed to it through free, never waits in the kernel (it
// receives without waiting and polls the socket together with a Waker),
// and is stopped and joined before Stream returns: it is never left
// reading after the exchange is done.
func (c *Client) streamAhead(each func(x *exchange.Exchange) error, idle func() error) error {
	x := &c.x
	n := c.Readahead
	if len(c.ring) != n {
		c.ring = make([][]byte, n)
		for i := range c.ring {
			c.ring[i] = make([]byte, cmp.Or(c.BufSize, BufSize))
		}
	}
	wake, err := nlsock.NewWaker()
	if err != nil {
		return err
	}
	defer wake.Close()
	free := make(chan []byte, n)
	full := make(chan received, n+1) // every buffer and a final error: never blocks
	quit, done := make(chan struct{}), make(chan struct{})
	for _, b := range c.ring {
		free <- b
	}
	go c.receiver(free, full, quit, done, wake)
	stop := func() {
		close(quit)
		wake.Wake()
		<-done
		// Keep the buffers for the next Stream, grown ones included.
		c.ring = c.ring[:0]
		for len(free) > 0 {
			c.ring = append(c.ring, <-free)
		}
		for len(full) > 0 {
			if r := <-full; r.err == nil {
				c.ring = append(c.ring, r.b[:cap(r.b)])
			}
		}
	}
	for !x.Done() {
		if c.sendPending(x) {
			continue
		}
		var r received
		select {
		case r = <-full:
		default:
			if idle != nil {
				if err := idle(); err != nil {
					x.Fail(err)
					stop()
					return err
				}
			}
			r = <-full
		}
		if r.err != nil {
			x.Fail(r.err)
			break
		}
		for x.Receive(r.b); x.Next(); {
			if err := each(x); err != nil {
				x.Fail(err)
				free <- r.b[:cap(r.b)]
				stop()
				return err
			}
		}
		free <- r.b[:cap(r.b)]
	}
	stop()
	if err := x.Err(); err != nil {
		return err
	}
	return x.RecordErr()
}

// sendPending sends the datagram the exchange has ready, if any (a send
// error fails the exchange), and reports whether there was one.
func (c *Client) sendPending(x *exchange.Exchange) bool {
	out := x.AppendOutgoing(c.out[:0])
	if len(out) == 0 {
		return false
	}
	c.out = out
	if err := c.Conn.Send(out); err != nil {
		x.Fail(err)
	}
	return true
}

// receiver reads datagrams into the buffers it gets from free and passes
// them on through full, until quit is closed or a receive fails (the
// error is passed on, last). It passes them on in bursts: while more
// datagrams are queued in the socket (a dump's, which the kernel builds
// during each receive) it holds up to half the ring before sending, so
// that the waiting goroutine is woken once per burst rather than once per
// datagram (a wake-up across processors costs as much as decoding a
// datagram); as soon as the socket has nothing queued, or no buffer is
// free, it sends what it holds, so an event still goes out at once.
func (c *Client) receiver(free chan []byte, full chan<- received, quit <-chan struct{}, done chan<- struct{}, wake *nlsock.Waker) {
	defer close(done)
	burst := max(1, cap(free)/2)
	held := make([][]byte, 0, burst)
	flush := func() {
		for _, b := range held {
			full <- received{b: b}
		}
		held = held[:0]
	}
	giveBack := func() {
		for _, b := range held {
			free <- b[:cap(b)] // there is room: they came from free
		}
		held = held[:0]
	}
	for {
		var buf []byte
		select {
		case <-quit:
			giveBack()
			return
		case buf = <-free:
		default:
			flush() // nothing free: the other goroutine needs what is held
			select {
			case <-quit:
				return
			case buf = <-free:
			}
		}
		for {
			b, err := c.Conn.ReceiveInto(buf, false)
			if errors.Is(err, nlsock.ErrWouldBlock) {
				flush() // nothing queued: send what is held before waiting
				var ready bool
				if ready, err = c.Conn.WaitReadable(wake); err == nil {
					if ready {
						continue
					}
					free <- buf // woken: stopped (there is room: buf came from free)
					return
				}
			}
			if err != nil {
				flush()
				free <- buf
				full <- received{err: err}
				return
			}
			if held = append(held, b); len(held) == burst {
				flush()
			}
			break
		}
	}
}

func (c *Client) initBuf() {
	if c.buf == nil {
		c.buf = make([]byte, cmp.Or(c.BufSize, BufSize))
	}
}

// Do sends r (its Seq and PID are ignored) and returns copies of the
// decoded reply records with r's sequence number in arrival order,
// NLMSG_DONE and acknowledgements left out. A kernel refusal is returned
// as an *exchange.RequestError, which matches its errno with errors.Is.
// Do keeps every record: loops over large replies use [Client.Stream].
func (c *Client) Do(r conntrack.Request) ([]conntrack.Record, error) {
	var recs []conntrack.Record
	err := c.Stream(func(x *exchange.Exchange) error {
		rec, err := c.clone(x.Message())
		if err != nil {
			return err
		}
		recs = append(recs, rec)
		return nil
	}, nil, &r)
	return recs, err
}

// clone decodes a copy of m, so that the record outlives the datagram.
func (c *Client) clone(m codec.Message) (conntrack.Record, error) {
	data := len(m.Payload) - len(m.Data)
	m.Payload = slices.Clone(m.Payload)
	m.Data = m.Payload[data:]
	var rec conntrack.Record
	err := c.Decoder.Decode(m, &rec)
	return rec, err
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

// ReadEvents reads one datagram from an event socket (one opened with
// [nlsock.EventGroups]), waiting at most the socket's timeout, and calls
// each for every message in it, decoded into one reused record that is
// valid only during the call. idle, when not nil, is called first when
// nothing is queued. The socket's errors come back as they are: an
// overrun (events lost: [nlsock.ErrOverrun]) leaves the socket usable,
// [nlsock.ErrTimeout] says nothing arrived. An error from each stops the
// datagram and is returned.
func (c *Client) ReadEvents(each func(r *conntrack.Record) error, idle func() error) error {
	c.initBuf()
	b, err := c.Conn.ReceiveInto(c.buf, false)
	if errors.Is(err, nlsock.ErrWouldBlock) {
		if idle != nil {
			if err := idle(); err != nil {
				return err
			}
		}
		b, err = c.Conn.ReceiveInto(c.buf, true)
	}
	if err != nil {
		return err
	}
	if cap(b) > cap(c.buf) {
		c.buf = b[:cap(b)]
	}
	p := codec.NewParser(b, nla.HostOrder)
	for p.Next() {
		if err := c.Decoder.Decode(p.Message(), &c.rec); err != nil {
			return err
		}
		if err := each(&c.rec); err != nil {
			return err
		}
	}
	return p.Err()
}

// Events reads from an event socket until n records arrived or nothing
// arrived for idle, and returns copies of the decoded records. A receive
// buffer overrun is returned as the error along with what arrived before
// it.
func (c *Client) Events(n int, idle time.Duration) ([]conntrack.Record, error) {
	c.Conn.SetTimeout(idle)
	defer c.Conn.SetTimeout(0)
	var recs []conntrack.Record
	for n <= 0 || len(recs) < n {
		dg, err := c.Conn.Receive() // a new slice: the records may alias it
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
