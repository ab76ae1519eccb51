package codec

import (
	"strconv"
	"syscall"

	"github.com/ctwire/ctwire/nla"
)

// Extended acknowledgement TLV types (enum nlmsgerr_attrs).
const (
	ExtAckMsg      uint16 = 1 // NLMSGERR_ATTR_MSG: NUL-terminated string
	ExtAckOffset   uint16 = 2 // NLMSGERR_ATTR_OFFS: u32 offset into the request
	ExtAckCookie   uint16 = 3 // NLMSGERR_ATTR_COOKIE: binary
	ExtAckPolicy   uint16 = 4 // NLMSGERR_ATTR_POLICY: nested policy description
	ExtAckMissType uint16 = 5 // NLMSGERR_ATTR_MISS_TYPE: u32
	ExtAckMissNest uint16 = 6 // NLMSGERR_ATTR_MISS_NEST: u32 offset
)

// ExtAck holds the extended acknowledgement TLVs of an NLMSG_ERROR or
// NLMSG_DONE (present when the socket set NETLINK_EXT_ACK). Byte slices
// alias the datagram.
type ExtAck struct {
	// Msg is the kernel's message, e.g. "Attribute failed policy
	// validation". It may accompany a success (a warning).
	Msg []byte
	// Offset is the offset of the offending attribute from the start of
	// the request's netlink header; valid when HasOffset.
	Offset    uint32
	HasOffset bool
	// Cookie is NLMSGERR_ATTR_COOKIE.
	Cookie []byte
	// Policy is the raw nest describing the violated policy.
	Policy []byte
	// MissType is the type of a missing required attribute; valid when
	// HasMissType. MissNest is the offset of the nest it was missing from;
	// valid when HasMissNest.
	MissType    uint32
	HasMissType bool
	MissNest    uint32
	HasMissNest bool
	// TLVs is the whole raw TLV area, kept so a message re-encodes exactly.
	TLVs []byte
}

func (x *ExtAck) parse(b []byte, o nla.Order, base int) error {
	x.TLVs = b
	s := nla.NewScannerOrder(b, o, base)
	for s.Next() {
		a := s.Attr()
		var err error
		switch a.Type {
		case ExtAckMsg:
			x.Msg = nla.StringBytes(a.Payload)
		case ExtAckOffset:
			x.Offset, err = nla.Uint32Order(a.Payload, o)
			x.HasOffset = err == nil
		case ExtAckCookie:
			x.Cookie = a.Payload
		case ExtAckPolicy:
			x.Policy = a.Payload
		case ExtAckMissType:
			x.MissType, err = nla.Uint32Order(a.Payload, o)
			x.HasMissType = err == nil
		case ExtAckMissNest:
			x.MissNest, err = nla.Uint32Order(a.Payload, o)
			x.HasMissNest = err == nil
		}
		if err != nil {
			return s.Errorf(err)
		}
	}
	return s.Err()
}

// KernelError is a decoded NLMSG_ERROR: an acknowledgement when Errno is 0,
// otherwise the kernel's refusal of a request. It unwraps to its
// [syscall.Errno], so errors.Is(err, syscall.ENOENT) works.
type KernelError struct {
	// Code is the raw error field: 0 or a negative errno.
	Code int32
	// Errno is -Code.
	Errno syscall.Errno
	// Request is the echoed header of the request.
	Request Header
	// RequestPayload is the echoed request payload, absent when Capped.
	RequestPayload []byte
	// Capped reports NLM_F_CAPPED: only the request header was echoed.
	Capped bool
	ExtAck
}

// IsAck reports whether the message acknowledges success.
func (e *KernelError) IsAck() bool { return e.Code == 0 }

// Error returns e.g. "netlink: no such file or directory (request type
// 0x0101 seq 3)" with the extack message, if any, after a colon.
func (e *KernelError) Error() string {
	b := []byte("netlink: ")
	if e.Code == 0 {
		b = append(b, "ack"...)
	} else {
		b = append(b, e.Errno.Error()...)
	}
	if len(e.Msg) > 0 {
		b = append(b, ": "...)
		b = append(b, e.Msg...)
	}
	if e.HasOffset {
		b = append(b, " (attribute at offset "...)
		b = strconv.AppendUint(b, uint64(e.Offset), 10)
		b = append(b, ')')
	}
	b = append(b, " (request type 0x"...)
	b = appendHex(b, uint64(e.Request.Type), 4)
	b = append(b, " seq "...)
	b = strconv.AppendUint(b, uint64(e.Request.Seq), 10)
	b = append(b, ')')
	return string(b)
}

// Unwrap returns the errno (nil for an acknowledgement).
func (e *KernelError) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// ParseError decodes an NLMSG_ERROR message into e. On error e is left
// unchanged.
func ParseError(m Message, e *KernelError) error {
	if m.Header.Type != TypeError {
		return &Error{Offset: m.Offset, Err: ErrType}
	}
	p := m.Payload
	if len(p) < 4+HeaderLen {
		return &Error{Offset: m.Offset, Err: ErrShort}
	}
	o := m.Order.Resolve()
	k := KernelError{Code: int32(o.Uint32(p))}
	if err := k.parse(m, p, o); err != nil {
		return err
	}
	*e = k
	return nil
}

func (e *KernelError) parse(m Message, p []byte, o nla.Order) error {
	e.Errno = errnoOf(e.Code)
	e.Request, _ = ParseHeader(p[4:], o)
	e.Capped = m.Header.Flags&FlagCapped != 0
	tlv := 4 + HeaderLen
	if !e.Capped && e.Code != 0 {
		// The whole request is echoed; its length may be unaligned.
		n := uint64(e.Request.Len)
		switch {
		case n >= HeaderLen && 4+n <= uint64(len(p)):
			e.RequestPayload = p[tlv : 4+n]
			tlv = min(4+Align(int(n)), len(p))
		case m.Header.Flags&FlagAckTLVs == 0:
			// Fewer bytes echoed than nlmsg_len claims (old kernels
			// capped without saying so): keep what is there.
			e.RequestPayload = p[tlv:]
			tlv = len(p)
		default:
			return &Error{Offset: m.Offset, Err: ErrShort}
		}
	}
	if m.Header.Flags&FlagAckTLVs != 0 && tlv < len(p) {
		if err := e.ExtAck.parse(p[tlv:], o, m.Offset+HeaderLen+tlv); err != nil {
			return err
		}
	}
	return nil
}

func errnoOf(code int32) syscall.Errno {
	if code < 0 {
		return syscall.Errno(-int64(code))
	}
	return syscall.Errno(code)
}

// Done is a decoded NLMSG_DONE: the end of a dump, with the dump's error
// code (normally 0) and any extended acknowledgement.
type Done struct {
	Code  int32
	Errno syscall.Errno
	ExtAck
}

// ParseDone decodes an NLMSG_DONE message into d. On error d is left
// unchanged.
func ParseDone(m Message, d *Done) error {
	if m.Header.Type != TypeDone {
		return &Error{Offset: m.Offset, Err: ErrType}
	}
	if len(m.Payload) < 4 {
		return &Error{Offset: m.Offset, Err: ErrShort}
	}
	o := m.Order.Resolve()
	v := Done{Code: int32(o.Uint32(m.Payload))}
	v.Errno = errnoOf(v.Code)
	if m.Header.Flags&FlagAckTLVs != 0 && len(m.Payload) > 4 {
		if err := v.ExtAck.parse(m.Payload[4:], o, m.Offset+HeaderLen+4); err != nil {
			return err
		}
	}
	*d = v
	return nil
}

// Err returns nil for a clean end of dump, or the errno that ended it.
func (d *Done) Err() error {
	if d.Errno == 0 {
		return nil
	}
	return d.Errno
}

// AppendError appends an NLMSG_ERROR message with header fields h (Type
// and Len are set here) carrying e: its code, the echoed request header,
// the echoed payload unless capped, and e.TLVs when non-empty (setting
// NLM_F_ACK_TLVS).
func AppendError(dst []byte, h Header, e *KernelError) ([]byte, error) {
	h.Type = TypeError
	if e.Capped {
		h.Flags |= FlagCapped
	}
	if len(e.TLVs) > 0 {
		h.Flags |= FlagAckTLVs
	}
	dst, start := BeginMessage(dst, h)
	dst = nla.HostOrder.AppendUint32(dst, uint32(e.Code))
	dst = AppendHeader(dst, e.Request)
	if !e.Capped {
		dst = append(dst, e.RequestPayload...)
		// As the kernel does, pad the echo only when TLVs follow it:
		// without them nlmsg_len ends with the echoed request, so a short
		// echo decodes back to the same bytes.
		for len(e.TLVs) > 0 && (len(dst)-start)%Alignment != 0 {
			dst = append(dst, 0)
		}
	}
	dst = append(dst, e.TLVs...)
	return EndMessage(dst, start)
}

// AppendDone appends an NLMSG_DONE message with header fields h (Type and
// Len are set here), code and, when non-empty, raw extack TLVs.
func AppendDone(dst []byte, h Header, code int32, tlvs []byte) ([]byte, error) {
	h.Type = TypeDone
	if len(tlvs) > 0 {
		h.Flags |= FlagAckTLVs
	}
	dst, start := BeginMessage(dst, h)
	dst = nla.HostOrder.AppendUint32(dst, uint32(code))
	dst = append(dst, tlvs...)
	return EndMessage(dst, start)
}

// AppendExtAck appends extended-ack TLVs for x's typed fields (message,
// offset, cookie, policy, missing type and nest), in host order.
func AppendExtAck(dst []byte, x *ExtAck) []byte {
	if len(x.Msg) > 0 {
		dst = nla.AppendHeader(dst, ExtAckMsg, len(x.Msg)+1)
		dst = append(dst, x.Msg...)
		dst = append(dst, 0)
		// Pad relative to the attribute: dst need not start aligned.
		for n := len(x.Msg) + 1; n%nla.Alignment != 0; n++ {
			dst = append(dst, 0)
		}
	}
	if x.HasOffset {
		dst = nla.AppendUint32Host(dst, ExtAckOffset, x.Offset)
	}
	if len(x.Cookie) > 0 {
		dst = nla.AppendBytes(dst, ExtAckCookie, x.Cookie)
	}
	if len(x.Policy) > 0 {
		dst = nla.AppendBytes(dst, ExtAckPolicy|nla.FlagNested, x.Policy)
	}
	if x.HasMissType {
		dst = nla.AppendUint32Host(dst, ExtAckMissType, x.MissType)
	}
	if x.HasMissNest {
		dst = nla.AppendUint32Host(dst, ExtAckMissNest, x.MissNest)
	}
	return dst
}
