package codec

import (
	"strconv"
)

// Sizes from include/uapi/linux/netlink.h and nfnetlink.h.
const (
	HeaderLen = 16 // NLMSG_HDRLEN
	NFGenLen  = 4  // sizeof(struct nfgenmsg)
	Alignment = 4  // NLMSG_ALIGNTO

	// AttrOffset is where attributes start in an nfnetlink message.
	AttrOffset = HeaderLen + NFGenLen
)

// Align rounds n up to the message alignment (NLMSG_ALIGN).
func Align(n int) int { return (n + Alignment - 1) &^ (Alignment - 1) }

// Message header flags (nlmsg_flags). Several share a value; which applies
// depends on the request kind.
const (
	FlagRequest      uint16 = 0x001 // NLM_F_REQUEST
	FlagMulti        uint16 = 0x002 // NLM_F_MULTI
	FlagAck          uint16 = 0x004 // NLM_F_ACK
	FlagEcho         uint16 = 0x008 // NLM_F_ECHO
	FlagDumpIntr     uint16 = 0x010 // NLM_F_DUMP_INTR
	FlagDumpFiltered uint16 = 0x020 // NLM_F_DUMP_FILTERED

	// Modifiers of GET requests.
	FlagRoot   uint16 = 0x100 // NLM_F_ROOT
	FlagMatch  uint16 = 0x200 // NLM_F_MATCH
	FlagAtomic uint16 = 0x400 // NLM_F_ATOMIC
	FlagDump   uint16 = 0x300 // NLM_F_DUMP = ROOT|MATCH

	// Modifiers of NEW requests.
	FlagReplace uint16 = 0x100 // NLM_F_REPLACE
	FlagExcl    uint16 = 0x200 // NLM_F_EXCL
	FlagCreate  uint16 = 0x400 // NLM_F_CREATE
	FlagAppend  uint16 = 0x800 // NLM_F_APPEND

	// Modifiers of DELETE requests.
	FlagNonrec uint16 = 0x100 // NLM_F_NONREC
	FlagBulk   uint16 = 0x200 // NLM_F_BULK

	// Flags of NLMSG_ERROR and NLMSG_DONE.
	FlagCapped  uint16 = 0x100 // NLM_F_CAPPED
	FlagAckTLVs uint16 = 0x200 // NLM_F_ACK_TLVS
)

// Control message types (below NLMSG_MIN_TYPE).
const (
	TypeNoop    uint16 = 0x1  // NLMSG_NOOP
	TypeError   uint16 = 0x2  // NLMSG_ERROR
	TypeDone    uint16 = 0x3  // NLMSG_DONE
	TypeOverrun uint16 = 0x4  // NLMSG_OVERRUN
	TypeMin     uint16 = 0x10 // NLMSG_MIN_TYPE
)

// nfnetlink subsystems (NFNL_SUBSYS_*) spoken by ctnetlink.
const (
	SubsysConntrack    uint8 = 1 // NFNL_SUBSYS_CTNETLINK
	SubsysConntrackExp uint8 = 2 // NFNL_SUBSYS_CTNETLINK_EXP
)

// MsgType returns the nlmsg_type of message msg of an nfnetlink subsystem.
func MsgType(subsys, msg uint8) uint16 { return uint16(subsys)<<8 | uint16(msg) }

// Header is struct nlmsghdr.
type Header struct {
	Len   uint32 // nlmsg_len: header plus payload, without trailing padding
	Type  uint16 // nlmsg_type
	Flags uint16 // nlmsg_flags
	Seq   uint32 // nlmsg_seq
	PID   uint32 // nlmsg_pid
}

// Subsystem returns the nfnetlink subsystem of the message type.
func (h Header) Subsystem() uint8 { return uint8(h.Type >> 8) }

// Msg returns the message number within the subsystem.
func (h Header) Msg() uint8 { return uint8(h.Type) }

// IsControl reports whether the type is a netlink control message
// (NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN or reserved).
func (h Header) IsControl() bool { return h.Type < TypeMin }

// String describes the header for logs.
func (h Header) String() string {
	b := make([]byte, 0, 64)
	b = append(b, "len="...)
	b = strconv.AppendUint(b, uint64(h.Len), 10)
	b = append(b, " type=0x"...)
	b = appendHex(b, uint64(h.Type), 4)
	b = append(b, " flags=0x"...)
	b = appendHex(b, uint64(h.Flags), 4)
	b = append(b, " seq="...)
	b = strconv.AppendUint(b, uint64(h.Seq), 10)
	b = append(b, " pid="...)
	b = strconv.AppendUint(b, uint64(h.PID), 10)
	return string(b)
}

func appendHex(b []byte, v uint64, width int) []byte {
	const digits = "0123456789abcdef"
	for i := width - 1; i >= 0; i-- {
		b = append(b, digits[(v>>(uint(i)*4))&0xf])
	}
	return b
}

// NFGen is struct nfgenmsg, the nfnetlink header after nlmsghdr.
type NFGen struct {
	Family  uint8  // nfgen_family: AF_INET 2, AF_INET6 10, AF_UNSPEC 0
	Version uint8  // version: NFNETLINK_V0
	ResID   uint16 // res_id, big-endian on the wire; the CPU in per-CPU stats
}
