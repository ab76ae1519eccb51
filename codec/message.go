package codec

import (
	"encoding/binary"
	"errors"
	"iter"
	"strconv"

	"github.com/ctwire/ctwire/nla"
)

// Sentinel errors of this package. Framing errors come as an [*Error]
// wrapping one of these.
var (
	// ErrTruncated reports a datagram that ends inside a message: fewer
	// than 16 bytes left for a header, or an nlmsg_len beyond the end.
	ErrTruncated = errors.New("codec: truncated message")
	// ErrLength reports an nlmsg_len smaller than the 16-byte header.
	ErrLength = errors.New("codec: invalid message length")
	// ErrShort reports a payload too short for its message type: an
	// NLMSG_ERROR without its error code and echoed header (or with an
	// echo that overruns its TLVs), an NLMSG_DONE without its error code.
	// (An nfnetlink message without its 4-byte nfgenmsg is not an error:
	// it frames fine and [Message.HasNFGen] reports false.)
	ErrShort = errors.New("codec: message payload too short")
	// ErrType reports a message of the wrong type for the parse asked for.
	ErrType = errors.New("codec: unexpected message type")
)

// Error locates a framing error in a datagram.
type Error struct {
	Offset int   // absolute offset of the offending message header
	Err    error // one of the sentinels above, or an nla error
}

// Error returns a message such as "codec: truncated message at offset 40".
func (e *Error) Error() string {
	return e.Err.Error() + " at offset " + strconv.Itoa(e.Offset)
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Message is one netlink message of a datagram.
type Message struct {
	Header Header
	// NFGen is the nfnetlink header; zero for control messages and for
	// messages too short to hold one (see [Message.HasNFGen]).
	NFGen NFGen
	// Payload is everything after the netlink header, up to nlmsg_len.
	Payload []byte
	// Data is the payload after nfgenmsg: the attributes.
	Data []byte
	// Offset is the absolute offset of the header within the datagram.
	Offset int
	// Order is the byte order the headers were read in.
	Order nla.Order
}

// HasNFGen reports whether the message is an nfnetlink message carrying
// an nfgenmsg (type >= NLMSG_MIN_TYPE and at least 4 payload bytes).
func (m Message) HasNFGen() bool { return !m.Header.IsControl() && len(m.Payload) >= NFGenLen }

// Attrs returns a scanner over the attributes, reporting offsets relative
// to the start of the datagram.
func (m Message) Attrs() nla.Scanner {
	return nla.NewScannerOrder(m.Data, m.Order, m.Offset+AttrOffset)
}

// DumpInterrupted reports NLM_F_DUMP_INTR: the dump this message belongs
// to may be inconsistent and should be restarted.
func (m Message) DumpInterrupted() bool { return m.Header.Flags&FlagDumpIntr != 0 }

// DumpFiltered reports NLM_F_DUMP_FILTERED: the kernel applied the
// request's filter.
func (m Message) DumpFiltered() bool { return m.Header.Flags&FlagDumpFiltered != 0 }

// Parser walks the messages of one datagram. It is a small value; copy it
// to remember a position.
type Parser struct {
	b     []byte
	off   int
	order nla.Order
	msg   Message
	err   error
}

// NewParser returns a parser over datagram b whose headers are in byte
// order o ([nla.HostOrder] for a local socket).
func NewParser(b []byte, o nla.Order) Parser { return Parser{b: b, order: o.Resolve()} }

// Next advances to the next message. It returns false at the end of the
// datagram or at a framing error; [Parser.Err] tells which.
func (p *Parser) Next() bool {
	if p.err != nil {
		return false
	}
	rem := len(p.b) - p.off
	if rem <= 0 {
		return false
	}
	// Parsed in place: the message is not built elsewhere and copied.
	if err := parseMessage(p.b[p.off:], p.order, p.off, &p.msg); err != nil {
		p.err = err
		return false
	}
	// The final message may be unpadded: clamp the step to the datagram.
	p.off += min(Align(int(p.msg.Header.Len)), rem)
	return true
}

// Message returns the current message.
func (p *Parser) Message() Message { return p.msg }

// Err returns the framing error that stopped the parser, or nil.
func (p *Parser) Err() error { return p.err }

// Offset returns the offset of the next message.
func (p *Parser) Offset() int { return p.off }

// Messages returns an iterator over the messages of datagram b. A framing
// error ends the sequence with a zero Message and the error.
func Messages(b []byte, o nla.Order) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		p := NewParser(b, o)
		for p.Next() {
			if !yield(p.msg, nil) {
				return
			}
		}
		if p.err != nil {
			yield(Message{}, p.err)
		}
	}
}

// ParseHeader reads the netlink header at the start of b in byte order o.
func ParseHeader(b []byte, o nla.Order) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, ErrTruncated
	}
	return Header{
		Len:   o.Uint32(b),
		Type:  o.Uint16(b[4:]),
		Flags: o.Uint16(b[6:]),
		Seq:   o.Uint32(b[8:]),
		PID:   o.Uint32(b[12:]),
	}, nil
}

// ParseMessage reads the single message at the start of b.
func ParseMessage(b []byte, o nla.Order) (Message, error) {
	var m Message
	err := parseMessage(b, o, 0, &m)
	return m, err
}

// ParseMessageInto is [ParseMessage] writing the message into *m, which
// it leaves unchanged on error. It spares the copy of the returned
// [Message] (about 90 bytes), for loops that reuse one Message.
func ParseMessageInto(b []byte, o nla.Order, m *Message) error {
	return parseMessage(b, o, 0, m)
}

// parseMessage parses the message at the start of b, at absolute offset
// base, into *m, written only once b is known to frame. It resolves o
// itself, keeping its callers small enough to inline. The header is read
// into scalars and stored field by field, never as a whole [Header]
// value: a 16-byte copy of fields just stored one by one stalls the CPU
// (store forwarding fails), and so would the caller reading m back.
func parseMessage(b []byte, o nla.Order, base int, m *Message) error {
	if len(b) < HeaderLen {
		return &Error{Offset: base, Err: ErrTruncated}
	}
	o = o.Resolve()
	hdr := b[:HeaderLen:HeaderLen]
	var n, seq, pid uint32
	var typ, flags uint16
	if o == nla.BigEndian {
		n, typ, flags = binary.BigEndian.Uint32(hdr), binary.BigEndian.Uint16(hdr[4:]), binary.BigEndian.Uint16(hdr[6:])
		seq, pid = binary.BigEndian.Uint32(hdr[8:]), binary.BigEndian.Uint32(hdr[12:])
	} else {
		n, typ, flags = binary.LittleEndian.Uint32(hdr), binary.LittleEndian.Uint16(hdr[4:]), binary.LittleEndian.Uint16(hdr[6:])
		seq, pid = binary.LittleEndian.Uint32(hdr[8:]), binary.LittleEndian.Uint32(hdr[12:])
	}
	if n < HeaderLen {
		return &Error{Offset: base, Err: ErrLength}
	}
	if uint64(n) > uint64(len(b)) {
		return &Error{Offset: base, Err: ErrTruncated}
	}
	p := b[HeaderLen:n:n]
	m.Header.Len, m.Header.Type, m.Header.Flags, m.Header.Seq, m.Header.PID = n, typ, flags, seq, pid
	m.Payload, m.Offset, m.Order = p, base, o
	if typ < TypeMin || len(p) < NFGenLen {
		m.NFGen.Family, m.NFGen.Version, m.NFGen.ResID = 0, 0, 0
		m.Data = nil
		return nil
	}
	m.NFGen.Family, m.NFGen.Version, m.NFGen.ResID = p[0], p[1], uint16(p[2])<<8|uint16(p[3])
	m.Data = p[NFGenLen:]
	return nil
}

// AppendHeader appends h in host byte order.
func AppendHeader(dst []byte, h Header) []byte {
	o := nla.HostOrder
	dst = o.AppendUint32(dst, h.Len)
	dst = o.AppendUint16(dst, h.Type)
	dst = o.AppendUint16(dst, h.Flags)
	dst = o.AppendUint32(dst, h.Seq)
	return o.AppendUint32(dst, h.PID)
}

// AppendNFGen appends g (res_id big-endian).
func AppendNFGen(dst []byte, g NFGen) []byte {
	return append(dst, g.Family, g.Version, byte(g.ResID>>8), byte(g.ResID))
}

// AppendMessage appends the netlink header h (its Len is ignored) and the
// nfnetlink header g, and returns the offset of the message to pass to
// [EndMessage] once the attributes are appended.
func AppendMessage(dst []byte, h Header, g NFGen) ([]byte, int) {
	start := len(dst)
	h.Len = 0
	dst = AppendHeader(dst, h)
	return AppendNFGen(dst, g), start
}

// BeginMessage is [AppendMessage] for control messages: it appends only
// the netlink header.
func BeginMessage(dst []byte, h Header) ([]byte, int) {
	start := len(dst)
	h.Len = 0
	return AppendHeader(dst, h), start
}

// EndMessage patches the length of the message begun at start and pads
// the buffer to the message alignment, so another message can follow.
func EndMessage(dst []byte, start int) ([]byte, error) {
	n := len(dst) - start
	if n < HeaderLen {
		return dst, ErrLength
	}
	if uint64(n) > 1<<32-1 {
		return dst, ErrLength
	}
	nla.HostOrder.PutUint32(dst[start:], uint32(n))
	// Pad relative to start: the datagram may not begin at dst[0].
	for (len(dst)-start)%Alignment != 0 {
		dst = append(dst, 0)
	}
	return dst, nil
}
