// Package capture reads netlink datagrams out of capture files and writes
// them into capture files that Wireshark dissects.
//
// It knows containers and link-layer framings, not netlink messages: a
// [Datagram] is the bytes of one netlink datagram (one skb: one or more
// netlink messages) with what the capture says about it. Parsing the
// messages is the job of the codec and conntrack packages
// ([Datagram.Messages] hands a datagram to the codec). The package
// opens no files and no sockets; it reads an [io.Reader] and writes an
// [io.Writer].
//
// # Input
//
// [NewReader] detects the container from the first bytes:
//
//   - classic pcap, either file byte order, microsecond or nanosecond magic;
//   - pcapng, with any number of sections (each with its own byte order and
//     its own interfaces), any number of interfaces and link types,
//     if_tsresol (10^-n and 2^-n, default 10^-6) and if_tsoffset, EPB, SPB
//     and the obsolete PB; other blocks (ISB, NRB, DSB, custom, unknown)
//     are skipped;
//   - a raw stream of concatenated netlink messages, when the input starts
//     with no known magic (each message becomes a datagram, since a stream
//     keeps no datagram boundaries);
//   - any of these compressed with gzip.
//
// Link types: LINKTYPE_NETLINK (253) with the 16-byte cooked header that
// libpcap and Wireshark use (recognised by ARPHRD_NETLINK, 03 38, at bytes
// 2-3 and a halen of at most 8 at bytes 4-5; the family is at bytes 14-15),
// and without it (a non-standard raw
// nlmsghdr; the family is then [FamilyUnknown] or the one given by
// [WithHeaderlessFamily]); LINUX_SLL (113) and LINUX_SLL2 (276) records
// whose ARPHRD type is ARPHRD_NETLINK, as "tcpdump -i any" writes them.
// Records of other link types or hardware types, and of families excluded by
// [WithFamily], are skipped and counted in [Stats].
//
// # Byte order
//
// Netlink headers are in the byte order of the host that made them, and
// nothing in a capture says which it was: the container's byte order
// describes the file's writer. Each datagram's [Datagram.Order] is guessed
// by [GuessOrder] as Wireshark guesses it, from its first nlmsg_len, unless
// [WithOrder] fixes it.
//
// # Direction
//
// nlmon writes PACKET_OUTGOING (4) as the packet type of every record, so
// the packet type says nothing by itself. This package's convention, which
// its [Writer] follows:
//
//   - pcapng epb_flags inbound (01) means [FromKernel] and outbound (10)
//     means [ToKernel]; the reader trusts them whoever wrote them;
//   - a cooked packet type of PACKET_HOST (0) means [FromKernel] (nlmon
//     never writes it); the writer stores PACKET_OUTGOING (4) for
//     [ToKernel] and for unknown direction, as nlmon does;
//   - otherwise the direction comes from the content: NLM_F_REQUEST set on
//     the first message means [ToKernel] (the kernel acts only on messages
//     that carry it and never sets it on what it sends), clear means
//     [FromKernel].
//
// So a pcapng written by [Writer] reads back with the direction it was
// written with whenever that was known, and a classic pcap too whenever
// requests carry NLM_F_REQUEST.
//
// # Damaged input
//
// The reader returns what decodes. A damaged record yields a [*RecordError]
// with the record's index and byte offset, unwrapping to a sentinel
// ([ErrTruncated], [ErrBlockLength], [ErrCapLen], [ErrInterface], ...).
// pcapng blocks carry their length twice, so after a damaged block the
// reader looks for the next block with a known type, a plausible length and
// a matching trailer, and goes on from there; the error is not fatal. A
// classic pcap or a raw stream has no such marker: damage there ends the
// input (RecordError.Fatal). A record shorter than its original length
// (snaplen) is not damage: it is returned with [Datagram.OrigLen] larger than
// its data.
//
// No input makes the reader panic, and no length read from the input sizes
// an allocation by itself: records longer than [MaxRecordLen] (16 MiB) are
// refused (whatever snapshot length a file declares, as tcpdump and Wireshark
// also ignore it), and buffers grow only as bytes actually arrive. Reading
// allocates nothing per record; [Datagram.Data] aliases the reader's buffer
// until the next call.
//
// # Output
//
// [Writer] writes classic pcap (µs or ns), pcapng (one section, one
// interface, if_tsresol 9, epb_flags for the direction) with
// LINKTYPE_NETLINK and the cooked header, or a raw stream.
package capture
