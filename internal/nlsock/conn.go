package nlsock

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/ctwire/ctwire/internal/nsenter"
)

// Protocol is the netlink protocol of the socket, NETLINK_NETFILTER.
const Protocol = unix.NETLINK_NETFILTER

// DefaultRcvBuf is the receive buffer asked for when [Options.RcvBuf] is 0:
// large enough for a dump of a busy table without overruns.
const DefaultRcvBuf = 8 << 20

// EventGroups returns the six conntrack and expectation event groups,
// NFNLGRP_CONNTRACK_NEW to NFNLGRP_CONNTRACK_EXP_DESTROY: the constants
// exchange.GroupNew to exchange.GroupExpectDelete, which this package
// cannot import (the codec packages' tests import it), so a test holds
// the two to each other.
func EventGroups() []uint32 { return []uint32{1, 2, 3, 4, 5, 6} }

// Options configure a socket. The zero value is a request socket with the
// default receive buffer, no timeout, recording on.
type Options struct {
	// Groups are the multicast groups to join (see [EventGroups]).
	Groups []uint32
	// RcvBuf is the receive buffer size in bytes; 0 means [DefaultRcvBuf]
	// set with SO_RCVBUFFORCE (falling back to SO_RCVBUF when not
	// permitted). A non-zero value is set with SO_RCVBUF only, so tests can
	// provoke overruns with a small one.
	RcvBuf int
	// Timeout bounds each wait in [Conn.Receive]; 0 waits forever.
	Timeout time.Duration
	// NoRecord turns the [Recording] off.
	NoRecord bool
	// Tap, when set, is called with every datagram sent or received, in
	// order, from the goroutine that moved it; b aliases the caller's
	// buffer and is valid only during the call. It lets a recording be
	// written as it happens instead of kept (see [Recording]).
	Tap func(t time.Time, d Dir, b []byte)
}

// Conn is a NETLINK_NETFILTER socket bound to a kernel-chosen port id.
// Send, Receive and Execute may be called from any goroutine; Execute and
// Receive serialise with each other.
type Conn struct {
	fd      int
	pid     uint32
	seq     atomic.Uint32
	timeout atomic.Int64
	rec     *Recording
	tap     func(time.Time, Dir, []byte)

	mu      sync.Mutex // guards receiving and backlog
	closed  atomic.Bool
	backlog [][]byte // datagrams Execute read that belong to no request
}

// Open creates a socket in the caller's network namespace.
func Open(o Options) (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, Protocol)
	if err != nil {
		return nil, opErr("socket", err)
	}
	c := &Conn{fd: fd, tap: o.Tap}
	if !o.NoRecord {
		c.rec = new(Recording)
	}
	c.timeout.Store(int64(o.Timeout))
	if err := c.setup(o); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return c, nil
}

// OpenIn creates a socket in the network namespace bound at nsPath (such as
// /run/netns/NAME). The caller's thread never changes namespace.
func OpenIn(nsPath string, o Options) (*Conn, error) {
	var c *Conn
	err := nsenter.Do(nsPath, func() error {
		var err error
		c, err = Open(o)
		return err
	})
	return c, err
}

// OpenInFD is [OpenIn] for a namespace given as an open file descriptor.
func OpenInFD(nsFD int, o Options) (*Conn, error) {
	var c *Conn
	err := nsenter.DoFD(nsFD, func() error {
		var err error
		c, err = Open(o)
		return err
	})
	return c, err
}

func (c *Conn) setup(o Options) error {
	for _, opt := range []int{unix.NETLINK_EXT_ACK, unix.NETLINK_CAP_ACK} {
		if err := unix.SetsockoptInt(c.fd, unix.SOL_NETLINK, opt, 1); err != nil {
			return opErr("setsockopt", err)
		}
	}
	if o.RcvBuf > 0 {
		if err := unix.SetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_RCVBUF, o.RcvBuf); err != nil {
			return opErr("setsockopt", err)
		}
	} else if err := unix.SetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, DefaultRcvBuf); err != nil {
		if err := unix.SetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_RCVBUF, DefaultRcvBuf); err != nil {
			return opErr("setsockopt", err)
		}
	}
	if err := unix.Bind(c.fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return opErr("bind", err)
	}
	sa, err := unix.Getsockname(c.fd)
	if err != nil {
		return opErr("bind", err)
	}
	if nl, ok := sa.(*unix.SockaddrNetlink); ok {
		c.pid = nl.Pid
	}
	for _, g := range o.Groups {
		if err := c.JoinGroup(g); err != nil {
			return err
		}
	}
	return nil
}

// JoinGroup subscribes to a multicast group (NETLINK_ADD_MEMBERSHIP).
func (c *Conn) JoinGroup(g uint32) error {
	if err := unix.SetsockoptInt(c.fd, unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(g)); err != nil {
		return opErr("setsockopt", err)
	}
	return nil
}

// LeaveGroup unsubscribes from a multicast group (NETLINK_DROP_MEMBERSHIP).
func (c *Conn) LeaveGroup(g uint32) error {
	if err := unix.SetsockoptInt(c.fd, unix.SOL_NETLINK, unix.NETLINK_DROP_MEMBERSHIP, int(g)); err != nil {
		return opErr("setsockopt", err)
	}
	return nil
}

// Close closes the socket.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return unix.Close(c.fd)
}

// PortID returns the socket's netlink port id (nlmsg_pid of replies).
func (c *Conn) PortID() uint32 { return c.pid }

// RcvBuf returns the receive buffer size the kernel granted (SO_RCVBUF;
// the kernel reports twice the requested size).
func (c *Conn) RcvBuf() (int, error) {
	n, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_RCVBUF)
	if err != nil {
		return 0, opErr("getsockopt", err)
	}
	return n, nil
}

// SockOpt reads an int SOL_NETLINK socket option, such as
// unix.NETLINK_EXT_ACK.
func (c *Conn) SockOpt(opt int) (int, error) {
	n, err := unix.GetsockoptInt(c.fd, unix.SOL_NETLINK, opt)
	if err != nil {
		return 0, opErr("getsockopt", err)
	}
	return n, nil
}

// SetTimeout changes the wait bound of [Conn.Receive]; 0 waits forever.
func (c *Conn) SetTimeout(d time.Duration) { c.timeout.Store(int64(d)) }

// NextSeq returns a fresh sequence number: 1, 2, 3, ... (never 0, which
// events carry).
func (c *Conn) NextSeq() uint32 {
	for {
		if s := c.seq.Add(1); s != 0 {
			return s
		}
	}
}

// Recording returns the socket's recording, or nil with
// [Options.NoRecord].
func (c *Conn) Recording() *Recording { return c.rec }

// Send sends datagram b to the kernel.
func (c *Conn) Send(b []byte) error {
	if c.closed.Load() {
		return opErr("send", ErrClosed)
	}
	now := time.Now()
	if err := unix.Sendto(c.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return opErr("send", err)
	}
	c.record(now, DirOut, b)
	return nil
}

func (c *Conn) record(t time.Time, d Dir, b []byte) {
	if c.tap != nil {
		c.tap(t, d, b)
	}
	if c.rec != nil {
		c.rec.Add(t, d, b)
	}
}

// Receive returns the next datagram from the kernel in a new slice,
// waiting at most the socket's timeout ([ErrTimeout]). A full receive
// buffer is reported once as an [*OpError] matching [ErrOverrun]; the
// socket stays usable. Loops that read many datagrams use
// [Conn.ReceiveInto], which reuses one buffer.
func (c *Conn) Receive() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.receive(nil, true, c.deadline())
}

// ReceiveInto reads the next datagram into buf and returns it: buf[:n],
// or a larger buffer when the datagram does not fit in cap(buf) (a
// netlink datagram is never truncated; below 64 KiB the size is peeked
// first). A buffer of 64 KiB or more fits every datagram the kernel sends
// these sockets (a dump's are at most 32 KiB) and is read with one system
// call; should one be longer all the same, it is reported ([ErrTruncated]),
// never returned cut. With wait it waits at most the socket's timeout
// ([ErrTimeout]); without it, it returns [ErrWouldBlock] at once when no
// datagram is queued, which is the moment to flush buffered output.
// Errors are those of [Conn.Receive].
func (c *Conn) ReceiveInto(buf []byte, wait bool) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var deadline time.Time
	if wait {
		deadline = c.deadline()
	}
	return c.receive(buf[:cap(buf)], wait, deadline)
}

func (c *Conn) deadline() time.Time {
	if d := time.Duration(c.timeout.Load()); d > 0 {
		return time.Now().Add(d)
	}
	return time.Time{}
}

// receive reads one datagram into buf (allocating when it is too small);
// c.mu must be held.
func (c *Conn) receive(buf []byte, wait bool, deadline time.Time) ([]byte, error) {
	if len(c.backlog) > 0 {
		b := c.backlog[0]
		c.backlog[0] = nil
		c.backlog = c.backlog[1:]
		if len(b) <= len(buf) {
			return buf[:copy(buf, b)], nil
		}
		return b, nil
	}
	for {
		if c.closed.Load() {
			return nil, opErr("receive", ErrClosed)
		}
		// Into a small buffer, peek with MSG_TRUNC for the datagram's
		// real size first; then read it whole (netlink datagrams are never
		// split), again with MSG_TRUNC so that the length returned is the
		// datagram's, never only what fitted.
		var err error
		if len(buf) < peekBelow {
			var n int
			n, _, err = recvfrom(c.fd, nil, unix.MSG_PEEK|unix.MSG_TRUNC|unix.MSG_DONTWAIT)
			if err == nil && (n > len(buf) || n == 0 && len(buf) == 0) {
				buf = make([]byte, max(n, 1))
			}
		}
		if err == nil {
			var n int
			var pid uint32
			n, pid, err = recvfrom(c.fd, buf, unix.MSG_TRUNC|unix.MSG_DONTWAIT)
			if err == nil {
				if pid != 0 {
					continue // not from the kernel
				}
				if n > len(buf) {
					return nil, &OpError{Op: "receive", Err: ErrTruncated}
				}
				b := buf[:n]
				c.record(time.Now(), DirIn, b)
				return b, nil
			}
		}
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN):
			if !wait {
				return nil, errWouldBlock
			}
			if err := c.wait(deadline); err != nil {
				return nil, err
			}
			continue
		case errors.Is(err, unix.ENOBUFS):
			return nil, &OpError{Op: "receive", Err: ErrOverrun, Errno: unix.ENOBUFS}
		}
		return nil, opErr("receive", err)
	}
}

// errWouldBlock is returned as it is: a loop that reads until the socket
// is empty meets it once per burst.
var errWouldBlock = &OpError{Op: "receive", Err: ErrWouldBlock}

// peekBelow is the buffer size from which [Conn.ReceiveInto] reads a
// datagram without peeking at its size first. On these sockets
// (NETLINK_CAP_ACK: an acknowledgement never carries the request back) the
// kernel's largest datagrams are a dump's: netlink_dump sizes each one by
// the largest read the socket has made, capped at SKB_WITH_OVERHEAD(32768)
// (net/netlink/af_netlink.c); replies, acknowledgements with their extended
// attributes and events are far smaller. Twice that cap needs no peek,
// which saves one system call per datagram of a dump.
const peekBelow = 64 << 10

// recvfrom is recvfrom(2) into p, returning the length (the datagram's
// real length with MSG_TRUNC) and the sender's port id, without the
// allocations of unix.Recvfrom (a sockaddr per call).
//
// Every call passes MSG_DONTWAIT, so it never waits; waiting is
// [Conn.wait]'s, through poll(2). It is therefore made as a raw system
// call, without telling the Go scheduler: a receive on a dump socket is
// where the kernel builds the next datagram of the dump (netlink_recvmsg
// calls netlink_dump), 100 µs or more of kernel work, long enough that the
// scheduler would hand this thread's processor to another thread during
// each one and take it back after, two thread wake-ups per datagram.
func recvfrom(fd int, p []byte, flags int) (int, uint32, error) {
	var sa unix.RawSockaddrNetlink
	salen := uint32(unsafe.Sizeof(sa))
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(ptr), uintptr(len(p)), uintptr(flags),
		uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&salen)))
	if errno != 0 {
		return 0, 0, errno
	}
	return int(n), sa.Pid, nil
}

// wait polls until the socket is readable (or has an error pending) or the
// deadline passes.
func (c *Conn) wait(deadline time.Time) error {
	for {
		ms := -1
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return opErr("receive", ErrTimeout)
			}
			ms = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		fds := []unix.PollFd{{Fd: int32(c.fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return opErr("poll", err)
		}
		if n > 0 {
			return nil
		}
	}
}

// Waker interrupts [Conn.WaitReadable] from another goroutine. It is an
// eventfd: once woken it stays woken.
type Waker struct{ fd int }

// NewWaker returns a Waker; Close releases it.
func NewWaker() (*Waker, error) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, opErr("eventfd", err)
	}
	return &Waker{fd: fd}, nil
}

// Wake makes every present and future WaitReadable with w return.
func (w *Waker) Wake() {
	var one = [8]byte{1}
	unix.Write(w.fd, one[:]) // cannot fail short of a counter overflow
}

// Close releases the eventfd.
func (w *Waker) Close() error { return unix.Close(w.fd) }

// WaitReadable waits until a datagram (or an error) is pending on the
// socket, and reports true, or until w is woken, and reports false. It
// lets a goroutine that receives with [Conn.ReceiveInto] without waiting
// be stopped by another one.
func (c *Conn) WaitReadable(w *Waker) (bool, error) {
	for {
		if c.closed.Load() {
			return false, opErr("receive", ErrClosed)
		}
		fds := [2]unix.PollFd{{Fd: int32(c.fd), Events: unix.POLLIN}, {Fd: int32(w.fd), Events: unix.POLLIN}}
		_, err := unix.Poll(fds[:], -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return false, opErr("poll", err)
		}
		if fds[1].Revents != 0 {
			return false, nil
		}
		if fds[0].Revents != 0 {
			return true, nil
		}
	}
}
