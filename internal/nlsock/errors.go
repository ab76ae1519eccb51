package nlsock

import (
	"errors"
	"syscall"
)

// Sentinel errors of this package, matched with errors.Is.
var (
	// ErrOverrun reports that the kernel dropped messages because the
	// socket's receive buffer was full (recvmsg returned ENOBUFS). Events
	// were lost, or a dump must be restarted.
	ErrOverrun = errors.New("nlsock: receive buffer overrun, messages lost")
	// ErrTimeout reports that nothing arrived within the socket's timeout.
	ErrTimeout = errors.New("nlsock: receive timed out")
	// ErrWouldBlock reports that no datagram is queued, from
	// [Conn.ReceiveInto] without wait.
	ErrWouldBlock = errors.New("nlsock: no datagram queued")
	// ErrTruncated reports a datagram longer than the buffer it was read
	// into without a peek at its size (a buffer of 64 KiB or more, twice
	// the kernel's largest on these sockets: it does not happen). The
	// datagram is lost; the socket stays usable.
	ErrTruncated = errors.New("nlsock: datagram longer than the receive buffer")
	// ErrClosed reports use of a closed socket.
	ErrClosed = errors.New("nlsock: socket closed")
	// ErrNoTerminator reports a request Execute cannot wait for: neither a
	// dump (NLM_F_DUMP) nor asking for an acknowledgement (NLM_F_ACK), so
	// no message would end its reply.
	ErrNoTerminator = errors.New("nlsock: request has neither NLM_F_DUMP nor NLM_F_ACK")
	// ErrBadRequest reports a request too short to hold a netlink header or
	// whose nlmsg_len disagrees with its size.
	ErrBadRequest = errors.New("nlsock: malformed request")
)

// OpError is a failed socket operation.
type OpError struct {
	// Op is the operation: "socket", "setsockopt", "bind", "send",
	// "receive", "poll" or "execute".
	Op string
	// Err is the cause: one of this package's sentinels, a
	// [syscall.Errno], or a codec error.
	Err error
	// Errno is the system error behind Err, when there is one; for
	// [ErrOverrun] it is ENOBUFS.
	Errno syscall.Errno
}

// Error returns e.g. "nlsock: receive: nlsock: receive buffer overrun,
// messages lost (no buffer space available)".
func (e *OpError) Error() string {
	s := "nlsock: " + e.Op + ": " + e.Err.Error()
	if e.Errno != 0 && !errors.Is(e.Err, e.Errno) {
		s += " (" + e.Errno.Error() + ")"
	}
	return s
}

// Unwrap returns the cause and the errno, so both errors.Is(err,
// [ErrOverrun]) and errors.Is(err, syscall.ENOBUFS) hold.
func (e *OpError) Unwrap() []error {
	if e.Errno != 0 {
		return []error{e.Err, e.Errno}
	}
	return []error{e.Err}
}

func opErr(op string, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return &OpError{Op: op, Err: err, Errno: errno}
	}
	return &OpError{Op: op, Err: err}
}
