// Package exchange runs ctnetlink requests against a netlink socket it
// never sees.
//
// An [Exchange] is the protocol half of a conversation with the kernel:
// it numbers the requests, packs them into datagrams, matches every
// message the caller received to the request it answers, hands back the
// records in order, and says when the conversation is finished and how.
// The caller owns the socket (golang.org/x/sys/unix, mdlayher/netlink,
// a test double) and moves bytes:
//
//	var x exchange.Exchange
//	x.Add(&conntrack.Request{Op: conntrack.OpDump})
//	buf := make([]byte, 1<<16)
//	for !x.Done() {
//		if out := x.AppendOutgoing(buf[:0]); len(out) > 0 {
//			send(out) // unix.Sendto(fd, out, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
//			continue
//		}
//		n := recv(buf) // unix.Recvfrom(fd, buf, 0); on error x.Fail(err)
//		for x.Receive(buf[:n]); x.Next(); {
//			use(x.Record()) // valid until the next call to Next
//		}
//	}
//	if err := x.Err(); err != nil { ... }
//
// # How an exchange finishes
//
// Each request ends with the message the kernel sends last for it, and
// [Exchange.Result] reports how:
//
//   - a dump with NLMSG_DONE (nil, or the code it carries);
//   - any other request with its acknowledgement: [Exchange.Add] sets
//     NLM_F_ACK on every request that is not a dump, so even a GET, which
//     the kernel answers with one NLM_F_MULTI message and no NLMSG_DONE
//     (net/netfilter/nf_conntrack_netlink.c: ctnetlink_get_conntrack),
//     has a definite end: the ACK that follows it;
//   - a kernel error: a [*RequestError] holding the [codec.KernelError]
//     (errno and extended ack) and the request it answers;
//   - a dump whose messages carry NLM_F_DUMP_INTR (the table changed
//     while it was read: entries may be missing or repeated) with
//     [ErrInterrupted] once its NLMSG_DONE arrives: the records were
//     delivered, and the dump should be run again if completeness matters.
//     Linux 6.18's conntrack and expectation dumps never set the flag
//     (net/netfilter/nf_conntrack_netlink.c: ctnetlink_dump_table resumes
//     by hash bucket and entry id, without a generation count): a dump
//     raced by changes ends normally, each entry that existed throughout
//     listed once, entries added or removed meanwhile listed or not;
//   - a datagram that breaks off inside a message (a receive buffer too
//     small, MSG_TRUNC) fails every unanswered request with the framing
//     error: what was lost cannot be known. So does [Exchange.Fail], with
//     which the caller reports its own failures (ENOBUFS, a deadline).
//
// # Batches and flow control
//
// Requests added before or while the exchange runs are sent in order,
// packed into datagrams of at most [Exchange.MaxDatagram] bytes, with at
// most [Exchange.Window] requests unanswered at any time, so that the
// kernel's answers never overflow the socket's receive buffer (a full
// buffer drops acknowledgements: ENOBUFS). A dump is sent alone and
// nothing follows it until its NLMSG_DONE: the kernel runs one dump per
// socket at a time. A request the kernel refuses does not stop the others.
//
// # Foreign messages
//
// Messages that answer no request of the exchange — other sequence
// numbers, another port id (when [Exchange.PID] is set), events of a
// subscribed group, answers that come after their request ended — are
// counted ([Exchange.Foreign]) and skipped, or, with
// [Exchange.KeepForeign], delivered with [Exchange.Index] -1.
//
// # Events
//
// Event subscriptions need no exchange: join the groups below
// (NETLINK_ADD_MEMBERSHIP, or mdlayher/netlink's JoinGroup) and decode each
// datagram with [codec.NewParser] and [conntrack.Decoder.Decode]; the
// record's Event field holds the event kind. An ENOBUFS from the receive
// call means the kernel dropped events.
//
// # Allocation
//
// Receiving allocates nothing per record: one [conntrack.Record] is reused
// (unless [conntrack.Decoder.Keep] keeps unknown attributes). Per request
// the exchange keeps its encoded bytes until sent and a few words of
// state; errors are copied out of the datagram, which the caller may reuse.
package exchange

// Multicast groups of NETLINK_NETFILTER that carry ctnetlink events
// (NFNLGRP_CONNTRACK_* and NFNLGRP_CONNTRACK_EXP_* of
// linux/netfilter/nfnetlink.h). Join them with setsockopt
// NETLINK_ADD_MEMBERSHIP or a stack's JoinGroup; the bit mask of the
// legacy bind address is 1<<(group-1).
const (
	GroupNew          = 1 // new conntrack entries
	GroupUpdate       = 2 // changed entries
	GroupDestroy      = 3 // deleted entries
	GroupExpectNew    = 4 // new expectations
	GroupExpectUpdate = 5 // changed expectations
	GroupExpectDelete = 6 // deleted expectations
)
