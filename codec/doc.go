// Package codec frames nfnetlink messages: the 16-byte netlink header
// (struct nlmsghdr), the 4-byte nfnetlink header (struct nfgenmsg) and the
// netlink control messages NLMSG_ERROR and NLMSG_DONE with their extended
// acknowledgement TLVs.
//
// It never opens a socket. A caller hands it the bytes of one datagram and
// iterates the messages in it; or appends a message into a buffer of its own
// and sends that.
//
// # Byte order
//
// The netlink header, the error code of NLMSG_ERROR and NLMSG_DONE and the
// extended-ack TLVs are in the byte order of the host that made them.
// [NewParser] reads them in the [nla.Order] it is given ([nla.HostOrder] for
// bytes from a local socket, the capture host's order for a capture).
// nfgenmsg.res_id is big-endian everywhere. Builders write the running
// host's order.
//
// # Framing rules
//
// Messages follow one another at NLMSG_ALIGN(nlmsg_len) offsets; the final
// message of a datagram may be unpadded. A length smaller than the header,
// or larger than what remains of the datagram, stops iteration with an
// [*Error] carrying the offset of the bad header.
//
// # Aliasing
//
// [Message.Data] and the byte slices in [KernelError] alias the datagram.
package codec
