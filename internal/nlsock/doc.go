// Package nlsock is the project's own NETLINK_NETFILTER socket, used by the
// live tests and the command. The codec packages never import it: they take
// and return bytes, and this package moves those bytes to and from the
// kernel.
//
// # Sockets and namespaces
//
// [Open] creates a socket in the caller's network namespace, [OpenIn] in the
// namespace bound at a path (for example a testbed namespace from package
// internal/netns). A netlink socket talks to the namespace it was created in
// for its whole life, whichever thread uses it later.
//
// Every socket sets NETLINK_EXT_ACK and NETLINK_CAP_ACK, asks for a receive
// buffer of [DefaultRcvBuf] bytes (SO_RCVBUFFORCE, falling back to
// SO_RCVBUF), and joins the multicast groups in [Options.Groups] for events.
// A receive buffer overrun (ENOBUFS: the kernel dropped messages) comes back
// from [Conn.Receive] as an [*OpError] that matches [ErrOverrun] and
// syscall.ENOBUFS; it is never swallowed.
//
// # Receiving
//
// [Conn.ReceiveInto] reads one datagram into the caller's buffer (grown
// only for a datagram larger than it: below 64 KiB the size is peeked with
// MSG_TRUNC, so nothing is ever truncated; 64 KiB holds any datagram the
// kernel sends these sockets, and a longer one would be reported, not
// cut), without waiting ([ErrWouldBlock]) or
// waiting up to the timeout; [Conn.Send] sends one. The protocol — numbering,
// batching, matching answers to requests — is package exchange's, driven by
// package internal/live. [Conn.Receive] returns each datagram in a new
// slice, and [Conn.Execute] gathers the whole reply of one raw request
// (built with [Conn.NewRequest]): tests and [Probe] use them; nothing that
// reads a large reply should.
//
// # Recording
//
// Every datagram sent or received is recorded with its time and direction
// in the socket's [Recording] (unless [Options.NoRecord]), so an exchange
// can be saved as a capture; [Options.Tap] sees each one as it moves, to
// write a capture as it goes without keeping anything. [WriteRaw] and [ReadRaw] store records in the
// trivial raw-plus-index format of testdata/live (see its README.md).
package nlsock
