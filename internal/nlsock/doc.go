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
// # Requests
//
// [Conn.Send] and [Conn.Receive] move one datagram. [Conn.Execute] sends a
// request and gathers every reply datagram up to the NLMSG_DONE or the
// NLMSG_ERROR (error or acknowledgement) carrying the request's sequence
// number; datagrams that belong to nothing it sent (events) are kept for
// the next [Conn.Receive]. [Conn.NewRequest] builds a request header with
// the next sequence number.
//
// # Recording
//
// Every datagram sent or received is recorded with its time and direction
// in the socket's [Recording] (unless [Options.NoRecord]), so an exchange
// can be saved as a capture. [WriteRaw] and [ReadRaw] store records in the
// trivial raw-plus-index format of testdata/live (see its README.md).
package nlsock
