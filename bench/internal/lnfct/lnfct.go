// Package lnfct reaches libnetfilter_conntrack (the C library behind
// conntrack-tools) through cgo for the side-by-side benchmarks: its
// sans-io entry points nfct_nlmsg_parse (one message into a reused
// struct nf_conntrack) and nfct_nlmsg_build (a request into a caller
// buffer). Needs pkg-config libnetfilter_conntrack (Debian
// libnetfilter-conntrack-dev).
package lnfct

/*
#cgo pkg-config: libnetfilter_conntrack
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

// parse_datagram decodes every conntrack message of a datagram into ct,
// one after another, as a libmnl callback loop would; it returns the number
// of messages parsed, or -1 on a parse error or a malformed header.
static int parse_datagram(const void *buf, size_t len, struct nf_conntrack *ct) {
	const struct nlmsghdr *nlh = buf;
	int n = 0;
	int rem = (int)len;
	while (NLMSG_OK(nlh, rem)) {
		if (nlh->nlmsg_type == NLMSG_DONE)
			return n;
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			if (nfct_nlmsg_parse(nlh, ct) < 0)
				return -1;
			n++;
		}
		nlh = NLMSG_NEXT(nlh, rem);
	}
	return n;
}

// build_new writes an IPCTNL_MSG_CT_NEW create request for ct into buf
// (which must hold at least 4096 bytes) and returns its length.
static int build_new(void *buf, struct nf_conntrack *ct, uint8_t family, uint32_t seq) {
	struct nlmsghdr *nlh = buf;
	struct nfgenmsg *nfh;
	memset(buf, 0, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfh = (struct nfgenmsg *)((char *)buf + NLMSG_HDRLEN);
	nfh->nfgen_family = family;
	nfh->version = NFNETLINK_V0;
	nfh->res_id = 0;
	nlh->nlmsg_len += NLMSG_ALIGN(sizeof(struct nfgenmsg));
	if (nfct_nlmsg_build(nlh, ct) < 0)
		return -1;
	return (int)nlh->nlmsg_len;
}
*/
import "C"

import (
	"errors"
	"net/netip"
	"unsafe"
)

// BuildCap is the least capacity a buffer passed to [CT.BuildNew] must
// have: libnetfilter_conntrack appends attributes without bounds checks.
const BuildCap = 4096

// ErrParse reports that nfct_nlmsg_parse refused a message.
var ErrParse = errors.New("lnfct: nfct_nlmsg_parse failed")

// ErrBuild reports that nfct_nlmsg_build failed or the buffer was too small.
var ErrBuild = errors.New("lnfct: nfct_nlmsg_build failed")

// CT is a struct nf_conntrack allocated by the C library.
type CT struct{ p *C.struct_nf_conntrack }

// New allocates an empty conntrack object; Free releases it.
func New() *CT { return &CT{p: C.nfct_new()} }

// Free releases the C object.
func (ct *CT) Free() {
	if ct.p != nil {
		C.nfct_destroy(ct.p)
		ct.p = nil
	}
}

// Parse decodes one netlink message (nlmsghdr included) into ct.
func (ct *CT) Parse(msg []byte) error {
	if len(msg) < C.NLMSG_HDRLEN {
		return ErrParse
	}
	if C.nfct_nlmsg_parse((*C.struct_nlmsghdr)(unsafe.Pointer(&msg[0])), ct.p) < 0 {
		return ErrParse
	}
	return nil
}

// ParseDatagram decodes every conntrack message of a datagram into ct in
// one C call and returns how many it decoded.
func (ct *CT) ParseDatagram(d []byte) (int, error) {
	if len(d) == 0 {
		return 0, nil
	}
	n := C.parse_datagram(unsafe.Pointer(&d[0]), C.size_t(len(d)), ct.p)
	if n < 0 {
		return 0, ErrParse
	}
	return int(n), nil
}

// BuildNew appends a create request (IPCTNL_MSG_CT_NEW with
// NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK) for ct to dst[:0], which must have a
// capacity of at least [BuildCap], and returns it.
func (ct *CT) BuildNew(dst []byte, family uint8, seq uint32) ([]byte, error) {
	if cap(dst) < BuildCap {
		return dst[:0], ErrBuild
	}
	dst = dst[:BuildCap]
	n := C.build_new(unsafe.Pointer(&dst[0]), ct.p, C.uint8_t(family), C.uint32_t(seq))
	if n < 0 || int(n) > BuildCap {
		return dst[:0], ErrBuild
	}
	return dst[:n], nil
}

// Flow is the subset of a conntrack entry the benchmarks compare across
// decoders.
type Flow struct {
	Proto                                uint8
	OrigSrc, OrigDst, ReplySrc, ReplyDst netip.Addr
	OrigSport, OrigDport                 uint16
	ReplySport, ReplyDport               uint16
	OrigPackets, OrigBytes               uint64
	ReplyPackets, ReplyBytes             uint64
	Timeout, Status, Mark, ID            uint32
	TCPState                             uint8
	Start, Stop                          uint64
}

func (ct *CT) u8(a C.enum_nf_conntrack_attr) uint8 { return uint8(C.nfct_get_attr_u8(ct.p, a)) }
func (ct *CT) u16(a C.enum_nf_conntrack_attr) uint16 {
	return uint16(C.nfct_get_attr_u16(ct.p, a))
}
func (ct *CT) u32(a C.enum_nf_conntrack_attr) uint32 {
	return uint32(C.nfct_get_attr_u32(ct.p, a))
}
func (ct *CT) u64(a C.enum_nf_conntrack_attr) uint64 {
	return uint64(C.nfct_get_attr_u64(ct.p, a))
}

// addr reads an address attribute pair (IPv4, IPv6) as the family says.
func (ct *CT) addr(v4, v6 C.enum_nf_conntrack_attr, family uint8) netip.Addr {
	if family == C.AF_INET6 {
		p := C.nfct_get_attr(ct.p, v6)
		if p == nil {
			return netip.Addr{}
		}
		return netip.AddrFrom16(*(*[16]byte)(p))
	}
	if C.nfct_attr_is_set(ct.p, v4) <= 0 {
		return netip.Addr{}
	}
	// Stored in network order: its bytes in memory are the address.
	v := uint32(C.nfct_get_attr_u32(ct.p, v4))
	var b [4]byte
	*(*uint32)(unsafe.Pointer(&b[0])) = v
	return netip.AddrFrom4(b)
}

func ntohs(v uint16) uint16 { return uint16(C.ntohs(C.uint16_t(v))) }

// Flow reads the compared fields out of ct.
func (ct *CT) Flow() Flow {
	fam := ct.u8(C.ATTR_ORIG_L3PROTO)
	return Flow{
		Proto:        ct.u8(C.ATTR_ORIG_L4PROTO),
		OrigSrc:      ct.addr(C.ATTR_ORIG_IPV4_SRC, C.ATTR_ORIG_IPV6_SRC, fam),
		OrigDst:      ct.addr(C.ATTR_ORIG_IPV4_DST, C.ATTR_ORIG_IPV6_DST, fam),
		ReplySrc:     ct.addr(C.ATTR_REPL_IPV4_SRC, C.ATTR_REPL_IPV6_SRC, fam),
		ReplyDst:     ct.addr(C.ATTR_REPL_IPV4_DST, C.ATTR_REPL_IPV6_DST, fam),
		OrigSport:    ntohs(ct.u16(C.ATTR_ORIG_PORT_SRC)),
		OrigDport:    ntohs(ct.u16(C.ATTR_ORIG_PORT_DST)),
		ReplySport:   ntohs(ct.u16(C.ATTR_REPL_PORT_SRC)),
		ReplyDport:   ntohs(ct.u16(C.ATTR_REPL_PORT_DST)),
		OrigPackets:  ct.u64(C.ATTR_ORIG_COUNTER_PACKETS),
		OrigBytes:    ct.u64(C.ATTR_ORIG_COUNTER_BYTES),
		ReplyPackets: ct.u64(C.ATTR_REPL_COUNTER_PACKETS),
		ReplyBytes:   ct.u64(C.ATTR_REPL_COUNTER_BYTES),
		Timeout:      ct.u32(C.ATTR_TIMEOUT),
		Status:       ct.u32(C.ATTR_STATUS),
		Mark:         ct.u32(C.ATTR_MARK),
		ID:           ct.u32(C.ATTR_ID),
		TCPState:     ct.u8(C.ATTR_TCP_STATE),
		Start:        ct.u64(C.ATTR_TIMESTAMP_START),
		Stop:         ct.u64(C.ATTR_TIMESTAMP_STOP),
	}
}

// SetNew fills ct with the attributes of a create request: both tuples,
// status, timeout, mark and TCP state. Addresses must be IPv4 or IPv6 (not
// mixed).
func (ct *CT) SetNew(f Flow) {
	fam := uint8(C.AF_INET)
	if f.OrigSrc.Is6() {
		fam = C.AF_INET6
	}
	C.nfct_set_attr_u8(ct.p, C.ATTR_ORIG_L3PROTO, C.uint8_t(fam))
	C.nfct_set_attr_u8(ct.p, C.ATTR_REPL_L3PROTO, C.uint8_t(fam))
	C.nfct_set_attr_u8(ct.p, C.ATTR_ORIG_L4PROTO, C.uint8_t(f.Proto))
	C.nfct_set_attr_u8(ct.p, C.ATTR_REPL_L4PROTO, C.uint8_t(f.Proto))
	ct.setAddr(C.ATTR_ORIG_IPV4_SRC, C.ATTR_ORIG_IPV6_SRC, f.OrigSrc)
	ct.setAddr(C.ATTR_ORIG_IPV4_DST, C.ATTR_ORIG_IPV6_DST, f.OrigDst)
	ct.setAddr(C.ATTR_REPL_IPV4_SRC, C.ATTR_REPL_IPV6_SRC, f.ReplySrc)
	ct.setAddr(C.ATTR_REPL_IPV4_DST, C.ATTR_REPL_IPV6_DST, f.ReplyDst)
	C.nfct_set_attr_u16(ct.p, C.ATTR_ORIG_PORT_SRC, C.htons(C.uint16_t(f.OrigSport)))
	C.nfct_set_attr_u16(ct.p, C.ATTR_ORIG_PORT_DST, C.htons(C.uint16_t(f.OrigDport)))
	C.nfct_set_attr_u16(ct.p, C.ATTR_REPL_PORT_SRC, C.htons(C.uint16_t(f.ReplySport)))
	C.nfct_set_attr_u16(ct.p, C.ATTR_REPL_PORT_DST, C.htons(C.uint16_t(f.ReplyDport)))
	C.nfct_set_attr_u32(ct.p, C.ATTR_STATUS, C.uint32_t(f.Status))
	C.nfct_set_attr_u32(ct.p, C.ATTR_TIMEOUT, C.uint32_t(f.Timeout))
	C.nfct_set_attr_u32(ct.p, C.ATTR_MARK, C.uint32_t(f.Mark))
	C.nfct_set_attr_u8(ct.p, C.ATTR_TCP_STATE, C.uint8_t(f.TCPState))
}

func (ct *CT) setAddr(v4, v6 C.enum_nf_conntrack_attr, a netip.Addr) {
	if a.Is4() {
		b := a.As4()
		C.nfct_set_attr_u32(ct.p, v4, *(*C.uint32_t)(unsafe.Pointer(&b[0])))
		return
	}
	b := a.As16()
	// nfct_set_attr copies the 16 bytes.
	p := C.CBytes(b[:])
	C.nfct_set_attr(ct.p, v6, p)
	C.free(p)
}
