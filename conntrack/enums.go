package conntrack

import "strconv"

// Family is a layer-3 protocol family (nfgenmsg.nfgen_family, AF_* /
// NFPROTO_*).
type Family uint8

// Address families used by conntrack.
const (
	FamilyUnspec Family = 0  // AF_UNSPEC
	FamilyIPv4   Family = 2  // AF_INET
	FamilyIPv6   Family = 10 // AF_INET6
)

// String returns the name conntrack prints with -o extended: "ipv4",
// "ipv6", or "unknown".
func (f Family) String() string {
	switch f {
	case FamilyIPv4:
		return "ipv4"
	case FamilyIPv6:
		return "ipv6"
	}
	return "unknown"
}

// Proto is a layer-4 protocol number (IPPROTO_*).
type Proto uint8

// Layer-4 protocols conntrack tracks with a protocol of their own; any
// other number is handled by the generic tracker.
const (
	ProtoICMP    Proto = 1   // IPPROTO_ICMP
	ProtoTCP     Proto = 6   // IPPROTO_TCP
	ProtoUDP     Proto = 17  // IPPROTO_UDP
	ProtoDCCP    Proto = 33  // IPPROTO_DCCP
	ProtoGRE     Proto = 47  // IPPROTO_GRE
	ProtoICMPv6  Proto = 58  // IPPROTO_ICMPV6
	ProtoSCTP    Proto = 132 // IPPROTO_SCTP
	ProtoUDPLite Proto = 136 // IPPROTO_UDPLITE
)

// String returns the name conntrack prints: "tcp", "udp", "udplite",
// "icmp", "icmpv6", "sctp", "gre", "dccp", or "unknown" for any other
// protocol.
func (p Proto) String() string {
	switch p {
	case ProtoICMP:
		return "icmp"
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoDCCP:
		return "dccp"
	case ProtoGRE:
		return "gre"
	case ProtoICMPv6:
		return "icmpv6"
	case ProtoSCTP:
		return "sctp"
	case ProtoUDPLite:
		return "udplite"
	}
	return "unknown"
}

// HasPorts reports whether the kernel's tracker for p puts ports (or, for
// GRE, keys) in its tuples: TCP, UDP, UDP-Lite, SCTP, DCCP and GRE.
func (p Proto) HasPorts() bool {
	switch p {
	case ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoSCTP, ProtoDCCP, ProtoGRE:
		return true
	}
	return false
}

func enumString(names []string, v int) string {
	if v >= 0 && v < len(names) && names[v] != "" {
		return names[v]
	}
	return strconv.Itoa(v)
}

// TCPState is a TCP conntrack state (enum tcp_conntrack).
type TCPState uint8

// TCP conntrack states. Values from TCPStateMax on are internal to the
// kernel and never sent.
const (
	TCPStateNone        TCPState = 0 // TCP_CONNTRACK_NONE
	TCPStateSynSent     TCPState = 1 // TCP_CONNTRACK_SYN_SENT
	TCPStateSynRecv     TCPState = 2 // TCP_CONNTRACK_SYN_RECV
	TCPStateEstablished TCPState = 3 // TCP_CONNTRACK_ESTABLISHED
	TCPStateFinWait     TCPState = 4 // TCP_CONNTRACK_FIN_WAIT
	TCPStateCloseWait   TCPState = 5 // TCP_CONNTRACK_CLOSE_WAIT
	TCPStateLastAck     TCPState = 6 // TCP_CONNTRACK_LAST_ACK
	TCPStateTimeWait    TCPState = 7 // TCP_CONNTRACK_TIME_WAIT
	TCPStateClose       TCPState = 8 // TCP_CONNTRACK_CLOSE
	TCPStateSynSent2    TCPState = 9 // TCP_CONNTRACK_SYN_SENT2 (formerly LISTEN)

	TCPStateMax TCPState = 10 // TCP_CONNTRACK_MAX
)

var tcpStateNames = []string{"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"}

// String returns the name conntrack prints ("ESTABLISHED", "SYN_SENT",
// "TIME_WAIT", ...), or the number.
func (s TCPState) String() string { return enumString(tcpStateNames, int(s)) }

// SCTPState is an SCTP conntrack state (enum sctp_conntrack).
type SCTPState uint8

// SCTP conntrack states.
const (
	SCTPStateNone            SCTPState = 0 // SCTP_CONNTRACK_NONE
	SCTPStateClosed          SCTPState = 1 // SCTP_CONNTRACK_CLOSED
	SCTPStateCookieWait      SCTPState = 2 // SCTP_CONNTRACK_COOKIE_WAIT
	SCTPStateCookieEchoed    SCTPState = 3 // SCTP_CONNTRACK_COOKIE_ECHOED
	SCTPStateEstablished     SCTPState = 4 // SCTP_CONNTRACK_ESTABLISHED
	SCTPStateShutdownSent    SCTPState = 5 // SCTP_CONNTRACK_SHUTDOWN_SENT
	SCTPStateShutdownRecd    SCTPState = 6 // SCTP_CONNTRACK_SHUTDOWN_RECD
	SCTPStateShutdownAckSent SCTPState = 7 // SCTP_CONNTRACK_SHUTDOWN_ACK_SENT
	SCTPStateHeartbeatSent   SCTPState = 8 // SCTP_CONNTRACK_HEARTBEAT_SENT
	SCTPStateHeartbeatAcked  SCTPState = 9 // SCTP_CONNTRACK_HEARTBEAT_ACKED (no longer used)
	SCTPStateMax             SCTPState = 10
)

var sctpStateNames = []string{"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
	"SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED"}

// String returns the name conntrack prints ("ESTABLISHED", "COOKIE_WAIT",
// ...), or the number.
func (s SCTPState) String() string { return enumString(sctpStateNames, int(s)) }

// DCCPState is a DCCP conntrack state (enum ct_dccp_states). DCCP tracking
// was removed from Linux 6.17; the attributes remain in the UAPI.
type DCCPState uint8

// DCCP conntrack states.
const (
	DCCPStateNone     DCCPState = 0 // CT_DCCP_NONE
	DCCPStateRequest  DCCPState = 1 // CT_DCCP_REQUEST
	DCCPStateRespond  DCCPState = 2 // CT_DCCP_RESPOND
	DCCPStatePartOpen DCCPState = 3 // CT_DCCP_PARTOPEN
	DCCPStateOpen     DCCPState = 4 // CT_DCCP_OPEN
	DCCPStateCloseReq DCCPState = 5 // CT_DCCP_CLOSEREQ
	DCCPStateClosing  DCCPState = 6 // CT_DCCP_CLOSING
	DCCPStateTimeWait DCCPState = 7 // CT_DCCP_TIMEWAIT
	DCCPStateIgnore   DCCPState = 8 // CT_DCCP_IGNORE
	DCCPStateInvalid  DCCPState = 9 // CT_DCCP_INVALID
)

var dccpStateNames = []string{"NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN",
	"CLOSEREQ", "CLOSING", "TIMEWAIT", "IGNORE", "INVALID"}

// String returns the name conntrack prints ("OPEN", "TIMEWAIT", ...), or
// the number.
func (s DCCPState) String() string { return enumString(dccpStateNames, int(s)) }

// DCCPRole is the role of the original direction's sender in a DCCP
// connection (enum ct_dccp_roles).
type DCCPRole uint8

// DCCP roles.
const (
	DCCPRoleClient DCCPRole = 0 // CT_DCCP_ROLE_CLIENT
	DCCPRoleServer DCCPRole = 1 // CT_DCCP_ROLE_SERVER
)

var dccpRoleNames = []string{"CLIENT", "SERVER"}

// String returns "CLIENT" or "SERVER", or the number.
func (r DCCPRole) String() string { return enumString(dccpRoleNames, int(r)) }

// TCPFlags are the per-direction TCP tracking flags (IP_CT_TCP_FLAG_*).
type TCPFlags uint8

// TCP tracking flags.
const (
	TCPFlagWindowScale        TCPFlags = 0x01 // IP_CT_TCP_FLAG_WINDOW_SCALE
	TCPFlagSACKPerm           TCPFlags = 0x02 // IP_CT_TCP_FLAG_SACK_PERM
	TCPFlagCloseInit          TCPFlags = 0x04 // IP_CT_TCP_FLAG_CLOSE_INIT
	TCPFlagBeLiberal          TCPFlags = 0x08 // IP_CT_TCP_FLAG_BE_LIBERAL
	TCPFlagDataUnacknowledged TCPFlags = 0x10 // IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED
	TCPFlagMaxAckSet          TCPFlags = 0x20 // IP_CT_TCP_FLAG_MAXACK_SET
	TCPFlagChallengeAck       TCPFlags = 0x40 // IP_CT_EXP_CHALLENGE_ACK
	TCPFlagSimultaneousOpen   TCPFlags = 0x80 // IP_CT_TCP_SIMULTANEOUS_OPEN
)

var tcpFlagNames = []string{"WINDOW_SCALE", "SACK_PERM", "CLOSE_INIT", "BE_LIBERAL",
	"DATA_UNACKNOWLEDGED", "MAXACK_SET", "CHALLENGE_ACK", "SIMULTANEOUS_OPEN"}

// String returns the set flags joined by '|' ("WINDOW_SCALE|SACK_PERM"),
// or "0" for none.
func (f TCPFlags) String() string { return string(appendBits(nil, uint64(f), tcpFlagNames)) }

// FilterFlags select the tuple fields a CTA_FILTER compares
// (CTA_FILTER_F_*, kernel-internal but stable).
type FilterFlags uint32

// Filter flags.
const (
	FilterIPSrc        FilterFlags = 1 << 0  // CTA_FILTER_F_CTA_IP_SRC
	FilterIPDst        FilterFlags = 1 << 1  // CTA_FILTER_F_CTA_IP_DST
	FilterTupleZone    FilterFlags = 1 << 2  // CTA_FILTER_F_CTA_TUPLE_ZONE
	FilterProtoNum     FilterFlags = 1 << 3  // CTA_FILTER_F_CTA_PROTO_NUM
	FilterProtoSrcPort FilterFlags = 1 << 4  // CTA_FILTER_F_CTA_PROTO_SRC_PORT
	FilterProtoDstPort FilterFlags = 1 << 5  // CTA_FILTER_F_CTA_PROTO_DST_PORT
	FilterICMPType     FilterFlags = 1 << 6  // CTA_FILTER_F_CTA_PROTO_ICMP_TYPE
	FilterICMPCode     FilterFlags = 1 << 7  // CTA_FILTER_F_CTA_PROTO_ICMP_CODE
	FilterICMPID       FilterFlags = 1 << 8  // CTA_FILTER_F_CTA_PROTO_ICMP_ID
	FilterICMPv6Type   FilterFlags = 1 << 9  // CTA_FILTER_F_CTA_PROTO_ICMPV6_TYPE
	FilterICMPv6Code   FilterFlags = 1 << 10 // CTA_FILTER_F_CTA_PROTO_ICMPV6_CODE
	FilterICMPv6ID     FilterFlags = 1 << 11 // CTA_FILTER_F_CTA_PROTO_ICMPV6_ID
	FilterAll          FilterFlags = 0xfff   // CTA_FILTER_F_ALL
	FilterAllProto     FilterFlags = 0xff0   // CTA_FILTER_F_ALL_CTA_PROTO
)

var filterFlagNames = []string{"IP_SRC", "IP_DST", "TUPLE_ZONE", "PROTO_NUM", "PROTO_SRC_PORT",
	"PROTO_DST_PORT", "PROTO_ICMP_TYPE", "PROTO_ICMP_CODE", "PROTO_ICMP_ID",
	"PROTO_ICMPV6_TYPE", "PROTO_ICMPV6_CODE", "PROTO_ICMPV6_ID"}

// String returns the set flags joined by '|' ("IP_SRC|PROTO_NUM"), unknown
// bits as a hex number, or "0" for none.
func (f FilterFlags) String() string { return string(appendBits(nil, uint64(f), filterFlagNames)) }

// appendBits appends the names of the set bits of v joined by '|'; bits
// without a name are collected into one trailing hex number.
func appendBits(dst []byte, v uint64, names []string) []byte {
	if v == 0 {
		return append(dst, '0')
	}
	start := len(dst)
	var rest uint64
	for i := 0; i < 64; i++ {
		bit := uint64(1) << i
		if v&bit == 0 {
			continue
		}
		if i >= len(names) || names[i] == "" {
			rest |= bit
			continue
		}
		if len(dst) > start {
			dst = append(dst, '|')
		}
		dst = append(dst, names[i]...)
	}
	if rest != 0 {
		if len(dst) > start {
			dst = append(dst, '|')
		}
		dst = append(dst, "0x"...)
		dst = strconv.AppendUint(dst, rest, 16)
	}
	return dst
}
