// Package mdglue connects ctwire to github.com/mdlayher/netlink: a
// [netlink.Message] becomes a [conntrack.Record], a [*netlink.OpError]
// becomes ctwire's [*codec.KernelError] with the kernel's extended ack, and
// an [exchange.Exchange] runs over a [*netlink.Conn] with raw sends and
// receives.
//
// # Which mdlayher call for which traffic
//
// Requests and their replies: send the exchange's datagrams with [Send]
// (or Conn.Send / Conn.SendMessages) and receive with [Recv], or let [Run]
// do both. Never Conn.Receive or Conn.Execute for request/reply traffic:
//
//   - after a GET, Conn.Receive (and so Conn.Execute) never returns: the
//     kernel answers a GET with one NLM_F_MULTI message and then a
//     separate ACK, with no NLMSG_DONE, and Receive keeps reading for as
//     long as it has seen NLM_F_MULTI (it returns only on a read deadline,
//     with a timeout error and without the flow it read);
//   - Conn.Receive drops the NLMSG_DONE that ends a dump, so the caller
//     cannot tell an ended dump from a datagram that merely ended;
//   - Conn.Receive stops at the first error message of a datagram, turns
//     it into a *netlink.OpError (errno, extack message and offset, the
//     sequence number; not the request it echoes) and discards what
//     follows it in the datagram.
//
// [Recv] reads through Conn.SyscallConn into the caller's buffer, so the
// exchange sees every datagram whole — records, acknowledgements, errors
// and NLMSG_DONE — and honours Conn.SetReadDeadline.
//
// Event subscriptions: Conn.JoinGroup with the exchange.Group* constants,
// then Conn.Receive is fine (events are not multi-part and carry no
// errors); decode each message with [Decode].
package mdglue

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/nla"
)

// Message returns m as a codec.Message: mdlayher's Header and Data (which
// starts with the nfgenmsg header) split into ctwire's Header, NFGen and
// attribute Data, in the host's byte order. The result aliases m.Data.
func Message(m netlink.Message) codec.Message {
	h := m.Header
	c := codec.Message{
		Header:  codec.Header{Len: h.Length, Type: uint16(h.Type), Flags: uint16(h.Flags), Seq: h.Sequence, PID: h.PID},
		Payload: m.Data,
		Order:   nla.HostOrder,
	}
	if c.Header.Len == 0 { // a Message built by hand
		c.Header.Len = uint32(codec.HeaderLen + len(m.Data))
	}
	if c.Header.Type >= codec.TypeMin && len(m.Data) >= codec.NFGenLen {
		d := m.Data
		c.NFGen = codec.NFGen{Family: d[0], Version: d[1], ResID: uint16(d[2])<<8 | uint16(d[3])}
		c.Data = d[codec.NFGenLen:]
	}
	return c
}

// Decode decodes m (a message from Conn.Receive, such as an event) into
// rec with the zero conntrack.Decoder; rec.Kind says what it is and
// rec.Event the event kind. Reuse rec: decoding allocates nothing, and the
// byte slices of rec alias m.Data.
func Decode(m netlink.Message, rec *conntrack.Record) error {
	var dec conntrack.Decoder
	return dec.Decode(Message(m), rec)
}

// KernelError returns the kernel's refusal carried by err, an error from
// Conn.Receive or Conn.Execute (a *netlink.OpError holding the errno and,
// with netlink.ExtendedAcknowledge set, the kernel's message and the
// offset of the offending attribute), as ctwire's *codec.KernelError,
// which matches errors.Is(err, syscall.ENOENT) and prints the extack. The
// request header holds only the sequence number: mdlayher keeps no more.
// It returns nil when err holds no kernel errno (a socket error, a
// timeout).
func KernelError(err error) *codec.KernelError {
	var oe *netlink.OpError
	if !errors.As(err, &oe) {
		return nil
	}
	// A netlink error message leaves a bare errno in Err; a failed system
	// call (ENOBUFS, a deadline) leaves an *os.SyscallError or another error.
	errno, ok := oe.Err.(syscall.Errno)
	if !ok || errno == 0 {
		return nil
	}
	ke := &codec.KernelError{Code: -int32(errno), Errno: errno, Request: codec.Header{Seq: oe.Sequence}}
	if oe.Message != "" {
		ke.Msg = []byte(oe.Message)
	}
	if oe.Offset > 0 {
		ke.Offset, ke.HasOffset = uint32(oe.Offset), true
	}
	return ke
}

// Recv reads one datagram from c into buf and returns its length. It
// reads through c.SyscallConn, so it sees every message the kernel sent,
// and waits at most until c's read deadline (Conn.SetReadDeadline):
// then it returns an error matching os.ErrDeadlineExceeded. A datagram
// larger than buf is an error, not a silent truncation.
func Recv(c *netlink.Conn, buf []byte) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var rerr error
	if err := rc.Read(func(fd uintptr) bool {
		n, _, rerr = unix.Recvfrom(int(fd), buf, unix.MSG_TRUNC)
		return rerr != unix.EAGAIN && rerr != unix.EINTR
	}); err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, rerr
	}
	if n > len(buf) {
		return 0, fmt.Errorf("mdglue: datagram of %d bytes truncated to %d: receive into a larger buffer", n, len(buf))
	}
	return n, nil
}

// Send writes b, one datagram as exchange.Exchange.AppendOutgoing made
// it (one request or a batch), to the kernel through c.SyscallConn.
func Send(c *netlink.Conn, b []byte) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return serr != unix.EAGAIN && serr != unix.EINTR
	}); err != nil {
		return err
	}
	return serr
}

// Run runs x over c: it sends x's datagrams with [Send], receives with
// [Recv] until every request is answered, calls each (when not nil) for
// every record (x.Record, x.Index), and returns x.Err(): nil, or the
// first refused request's *exchange.RequestError (x.Result has each
// request's). A receive error (the read deadline, ENOBUFS) fails the
// requests still unanswered. Set x.PID to c.PID() before adding requests
// to have messages for other sockets counted as foreign.
func Run(c *netlink.Conn, x *exchange.Exchange, each func(x *exchange.Exchange)) error {
	return x.Run(func(b []byte) error { return Send(c, b) }, func(b []byte) (int, error) { return Recv(c, b) }, each)
}
