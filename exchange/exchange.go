package exchange

import (
	"errors"
	"slices"
	"strconv"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// Defaults of the zero Exchange.
const (
	// DefaultMaxDatagram is the datagram size AppendOutgoing packs
	// requests into: well under the kernel's default socket send buffer
	// (net.core.wmem_default, 212992 bytes).
	DefaultMaxDatagram = 32 << 10
	// DefaultWindow is the number of requests left unanswered at once.
	// Each answer takes about 1 KiB of the receiver's socket buffer
	// (skb overhead included), so 128 fit the default 212992 bytes of
	// net.core.rmem_default with room for an error that echoes its
	// request. Raise it together with SO_RCVBUF.
	DefaultWindow = 128
)

var (
	// ErrInterrupted is the outcome of a dump whose messages carried
	// NLM_F_DUMP_INTR: the table changed while it was read, so entries
	// may be missing or repeated. Run the dump again if that matters.
	ErrInterrupted = errors.New("exchange: dump interrupted by table changes (NLM_F_DUMP_INTR): run it again")
	// ErrPending is the result of a request not answered yet.
	ErrPending = errors.New("exchange: request not answered yet")
)

// RequestError is a kernel's refusal of one request of an exchange.
type RequestError struct {
	// Index is the request's position in the exchange (from 0), Op its
	// op and Seq its sequence number.
	Index int
	Op    conntrack.Op
	Seq   uint32
	// Kernel is the NLMSG_ERROR (or the NLMSG_DONE code) the kernel
	// answered with: the errno, and the extended ack when the socket has
	// NETLINK_EXT_ACK set. Its byte slices are copies.
	Kernel codec.KernelError
}

// Error returns e.g. "exchange: request 3 (create, seq 12): file exists".
func (e *RequestError) Error() string {
	b := make([]byte, 0, 80)
	b = append(b, "exchange: request "...)
	b = strconv.AppendInt(b, int64(e.Index), 10)
	b = append(b, " ("...)
	b = append(b, e.Op.String()...)
	b = append(b, ", seq "...)
	b = strconv.AppendUint(b, uint64(e.Seq), 10)
	b = append(b, "): "...)
	b = append(b, e.Kernel.Error()...)
	return string(b)
}

// Unwrap returns the kernel error, which unwraps to its syscall.Errno:
// errors.Is(err, syscall.EEXIST) works.
func (e *RequestError) Unwrap() error { return &e.Kernel }

// Exchange runs a list of ctnetlink requests (one, or a batch) against a
// socket the caller owns; see the package documentation for the loop.
// The zero value is ready to use. An Exchange is not safe for concurrent
// use.
type Exchange struct {
	// PID is the port id the kernel gave the caller's socket
	// (getsockname); when non-zero, messages addressed to another port id
	// are foreign. The kernel addresses every answer to the requester.
	PID uint32
	// Seq is the sequence number [Exchange.Add] gives the next request;
	// it then increments, skipping 0. [Exchange.Reset] keeps it, so that
	// a reused Exchange never mistakes a late answer of an earlier run
	// for one of its own.
	Seq uint32
	// Order is the byte order of netlink headers (the zero value is the
	// host's, right for a local socket).
	Order nla.Order
	// MaxDatagram and Window bound what [Exchange.AppendOutgoing] sends:
	// the bytes of one datagram and the number of requests unanswered at
	// once. Zero means [DefaultMaxDatagram] and [DefaultWindow].
	MaxDatagram, Window int
	// Decoder decodes the records (its Only option skips attributes the
	// caller does not need).
	Decoder conntrack.Decoder
	// Validate makes Add refuse requests [conntrack.Validate] finds the
	// kernel would refuse, before they are sent.
	Validate bool
	// KeepForeign delivers foreign messages through Next (with Index -1)
	// instead of skipping them.
	KeepForeign bool

	out   []byte  // encoded requests from request first on, back to back
	sizes []int32 // their sizes
	first int     // index of the request at out[0]
	off   int     // bytes of out already sent
	reqs  []request
	base  uint32 // sequence number of request 0

	sent, answered int
	dumping        bool // a sent dump is unanswered
	fail           error
	firstErr       int // index of the first refused request, or -1 (valid when refused > 0)
	refused        int
	foreign        int

	buf    []byte // Run's receive buffer
	p      codec.Parser
	rec    conntrack.Record
	msg    codec.Message
	idx    int
	recErr error
}

type request struct {
	op     conntrack.Op
	dump   bool
	done   bool
	intr   bool
	result error
}

// Len returns the number of requests added.
func (x *Exchange) Len() int { return len(x.reqs) }

// Add appends request r to the exchange and returns its index. It
// encodes r at once ([conntrack.Request.AppendBinary]) with the next
// sequence number and x.PID, adding NLM_F_ACK to every request that is
// not a dump, so r itself is not kept or modified. With x.Validate it
// refuses what [conntrack.Validate] refuses. On error nothing is added.
func (x *Exchange) Add(r *conntrack.Request) (int, error) {
	if x.fail != nil {
		return -1, x.fail
	}
	if x.Validate {
		if err := conntrack.Validate(r); err != nil {
			return -1, err
		}
	}
	if len(x.reqs) == 0 && x.sent == 0 {
		if x.Seq == 0 {
			x.Seq = 1
		}
		x.base = x.Seq
	}
	seq := x.seqOf(len(x.reqs))
	flags := r.Flags
	if flags == 0 {
		flags = r.Op.Flags()
	}
	dump := r.Op.IsDump()
	if !dump {
		flags |= codec.FlagAck
	}
	q := *r // a shallow copy: only the header fields change
	q.Seq, q.PID, q.Flags = seq, x.PID, flags
	n := len(x.out)
	out, err := q.AppendBinary(x.out)
	if err != nil {
		return -1, err
	}
	x.out = out
	x.sizes = append(x.sizes, int32(len(out)-n))
	x.reqs = append(x.reqs, request{op: r.Op, dump: dump, result: ErrPending})
	x.Seq = seq + 1
	if x.Seq == 0 {
		x.Seq = 1
	}
	return len(x.reqs) - 1, nil
}

// seqOf returns the sequence number of request i: x.base + i, skipping 0
// when the numbers wrap (0 is the sequence number of events).
func (x *Exchange) seqOf(i int) uint32 {
	seq := x.base + uint32(i)
	if seq < x.base {
		seq++ // wrapped past 0
	}
	return seq
}

// indexOf returns the index of the request with sequence number seq, or
// -1 (seq 0, or a number before the run's first).
func (x *Exchange) indexOf(seq uint32) int {
	if seq == 0 {
		return -1
	}
	d := seq - x.base
	if seq < x.base {
		d-- // wrapped past 0, which no request has
	}
	if uint64(d) >= uint64(len(x.reqs)) {
		return -1
	}
	return int(d)
}

// AppendOutgoing appends the next datagram to send to dst and returns
// it; it returns dst unchanged when nothing may be sent now: every
// request is sent, the window is full, a dump is running, or the exchange
// failed. Send each datagram whole; then receive until Done, calling
// AppendOutgoing again after every datagram received.
func (x *Exchange) AppendOutgoing(dst []byte) []byte {
	if x.fail != nil || x.dumping {
		return dst
	}
	maxLen, window := x.MaxDatagram, x.Window
	if maxLen <= 0 {
		maxLen = DefaultMaxDatagram
	}
	if window <= 0 {
		window = DefaultWindow
	}
	start, end := x.off, x.off
	for x.sent < len(x.reqs) && x.sent-x.answered < window {
		size := int(x.sizes[x.sent-x.first])
		dump := x.reqs[x.sent].dump
		if end > start && (dump || end-start+size > maxLen) {
			break
		}
		if dump && x.sent > x.answered {
			break // a dump starts only once the socket is quiet
		}
		end += size
		x.sent++
		if dump {
			x.dumping = true
			break
		}
	}
	dst = append(dst, x.out[start:end]...)
	x.off = end
	if x.sent == len(x.reqs) { // everything is out: reuse the buffers
		x.out, x.sizes, x.first, x.off = x.out[:0], x.sizes[:0], x.sent, 0
	}
	return dst
}

// Receive starts reading datagram b, a whole datagram as the socket
// returned it; [Exchange.Next] then walks its messages. The records
// alias b until the next Receive.
func (x *Exchange) Receive(b []byte) {
	x.p = codec.NewParser(b, x.Order)
}

// Next advances to the next record of the datagram given to Receive that
// answers one of the exchange's requests, and reports whether there is
// one. Acknowledgements, errors and NLMSG_DONE are consumed on the way
// (see [Exchange.Result]). A record that fails to decode is skipped and
// its error kept ([Exchange.RecordErr]); the rest of the datagram still
// decodes.
func (x *Exchange) Next() bool {
	for x.p.Next() {
		x.msg = x.p.Message()
		if x.match() {
			return true
		}
	}
	if err := x.p.Err(); err != nil {
		x.Fail(err)
		x.p = codec.Parser{}
	}
	return false
}

// match handles x.msg and reports whether it is a record to deliver.
func (x *Exchange) match() bool {
	h := &x.msg.Header
	i := x.indexOf(h.Seq)
	if (x.PID != 0 && h.PID != x.PID) || i < 0 || i >= x.sent || x.reqs[i].done {
		x.foreign++
		if x.KeepForeign {
			return x.deliver(-1)
		}
		return false
	}
	q := &x.reqs[i]
	if x.msg.DumpInterrupted() {
		q.intr = true
	}
	switch h.Type {
	case codec.TypeError:
		var ke codec.KernelError
		if err := codec.ParseError(x.msg, &ke); err != nil {
			x.finish(i, err)
		} else if ke.Errno != 0 {
			x.finish(i, x.refusal(i, &ke))
		} else if !q.dump {
			x.finish(i, nil)
		}
		return false
	case codec.TypeDone:
		var d codec.Done
		switch err := codec.ParseDone(x.msg, &d); {
		case err != nil:
			x.finish(i, err)
		case d.Errno != 0:
			x.finish(i, x.refusal(i, &codec.KernelError{Code: d.Code, Errno: d.Errno, Request: *h, ExtAck: d.ExtAck}))
		case q.intr:
			x.finish(i, ErrInterrupted)
		default:
			x.finish(i, nil)
		}
		return false
	}
	if h.IsControl() { // NLMSG_NOOP, NLMSG_OVERRUN: nothing to deliver
		return false
	}
	return x.deliver(i)
}

func (x *Exchange) deliver(i int) bool {
	if err := x.Decoder.Decode(x.msg, &x.rec); err != nil {
		if x.recErr == nil {
			x.recErr = err
		}
		return false
	}
	x.idx = i
	return true
}

// refusal copies a kernel error out of the datagram.
func (x *Exchange) refusal(i int, ke *codec.KernelError) error {
	e := &RequestError{Index: i, Op: x.reqs[i].op, Seq: x.seqOf(i), Kernel: *ke}
	k := &e.Kernel
	k.RequestPayload = slices.Clone(k.RequestPayload)
	k.Msg, k.Cookie, k.Policy, k.TLVs = slices.Clone(k.Msg), slices.Clone(k.Cookie), slices.Clone(k.Policy), slices.Clone(k.TLVs)
	return e
}

func (x *Exchange) finish(i int, err error) {
	q := &x.reqs[i]
	q.done, q.result = true, err
	x.answered++
	if q.dump {
		x.dumping = false
	}
	if err != nil {
		if x.refused == 0 || i < x.firstErr {
			x.firstErr = i
		}
		x.refused++
	}
}

// Record returns the current record. It and the byte slices it holds
// are valid until the next call to Next or Receive; copy what must
// outlive them.
func (x *Exchange) Record() *conntrack.Record { return &x.rec }

// Message returns the current message undecoded, aliasing the datagram.
func (x *Exchange) Message() codec.Message { return x.msg }

// Index returns the index of the request the current record answers, or
// -1 for a foreign message ([Exchange.KeepForeign]).
func (x *Exchange) Index() int { return x.idx }

// Fail ends the exchange: every request not answered yet gets err as
// its result. Call it when the socket fails (ENOBUFS: answers were
// dropped; a deadline) or the exchange is abandoned. Fail(nil) is a no-op.
func (x *Exchange) Fail(err error) {
	if err == nil || x.fail != nil || x.Done() {
		return
	}
	x.fail = err
	for i := range x.reqs {
		if !x.reqs[i].done {
			x.finish(i, err)
		}
	}
	x.out, x.sizes, x.first, x.off = x.out[:0], x.sizes[:0], len(x.reqs), 0
}

// Done reports whether every request has been answered (or the exchange
// failed): there is nothing more to send or to receive.
func (x *Exchange) Done() bool { return x.answered == len(x.reqs) }

// Result returns the outcome of request i: nil once it succeeded (its ACK
// or NLMSG_DONE arrived), a [*RequestError] when the kernel refused it,
// [ErrInterrupted] for an interrupted dump, the failure passed to Fail or
// found in a datagram, or [ErrPending] while it runs.
func (x *Exchange) Result(i int) error { return x.reqs[i].result }

// Err returns the error that failed the exchange (a framing error in a
// datagram, or what was passed to Fail), or else the result of the first
// request that did not succeed, or nil. Use [Exchange.Result] for the
// others; [Exchange.Refused] counts them.
func (x *Exchange) Err() error {
	if x.fail != nil {
		return x.fail
	}
	if x.refused > 0 {
		return x.reqs[x.firstErr].result
	}
	return nil
}

// Refused returns the number of requests whose result is not nil.
func (x *Exchange) Refused() int { return x.refused }

// Foreign returns the number of messages that answered no request.
func (x *Exchange) Foreign() int { return x.foreign }

// RecordErr returns the first decoding error of a record Next skipped.
func (x *Exchange) RecordErr() error { return x.recErr }

// Reset forgets the requests and their results, keeping the buffers, the
// options and the next sequence number, so that the Exchange can run
// again without allocating.
func (x *Exchange) Reset() {
	x.out, x.sizes, x.first, x.off, x.reqs = x.out[:0], x.sizes[:0], 0, 0, x.reqs[:0]
	x.sent, x.answered, x.dumping, x.fail, x.refused, x.foreign = 0, 0, false, nil, 0, 0
	x.p, x.idx, x.recErr = codec.Parser{}, 0, nil
}

// Run drives x to its end over a socket given as two functions, the
// loop of the package documentation: send writes one datagram, recv reads
// one into the buffer it is given (64 KiB, reused) and returns its length.
// An error from either fails the exchange ([Exchange.Fail]): give the
// socket a receive timeout (SO_RCVTIMEO, a read deadline) so that recv
// cannot wait forever. each, if not nil, is called for every record
// ([Exchange.Record], [Exchange.Index]). Run returns [Exchange.Err], or
// else the first record that failed to decode ([Exchange.RecordErr]).
func (x *Exchange) Run(send func([]byte) error, recv func([]byte) (int, error), each func(*Exchange)) error {
	if len(x.buf) == 0 {
		x.buf = make([]byte, 64<<10)
	}
	for !x.Done() {
		if out := x.AppendOutgoing(x.buf[:0]); len(out) > 0 {
			x.Fail(send(out))
			continue
		}
		n, err := recv(x.buf)
		if err != nil {
			x.Fail(err)
			continue
		}
		for x.Receive(x.buf[:min(n, len(x.buf))]); x.Next(); {
			if each != nil {
				each(x)
			}
		}
	}
	if err := x.Err(); err != nil {
		return err
	}
	return x.recErr
}
