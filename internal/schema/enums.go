package schema

// Enum is an enumeration of values the kernel puts in attributes (states,
// protocol numbers, flag bits): each value's Go constant, kernel name and
// the name conntrack-tools prints for it.
type Enum struct {
	Name string // Go type ("TCPState")
	Base string // underlying Go type ("uint8")
	Doc  string // the type's comment, after its name
	// Bits says that the values are bit masks, named by bit number;
	// otherwise they are plain numbers, named by value.
	Bits bool
	// Names is the identifier of the generated name table (by value, or
	// for Bits by bit number).
	Names string
	// Other is what String returns for a value without a name: "" for
	// the number, or a fixed word ("unknown"). For Bits, unnamed bits are
	// one hex number.
	Other string
	// OwnString says that String is written by hand (it joins or spells
	// the names its own way); the table is still generated.
	OwnString bool
	// StringDoc is String's comment, after "String returns".
	StringDoc string
	Values    []Value
}

// Value is one value of an Enum.
type Value struct {
	Const  string // Go constant
	Value  uint64 // the value (for Bits, the mask)
	Kernel string // the kernel's name, for the constant's comment
	// Name is what conntrack-tools prints; "" for values that are not
	// printed by name (masks, limits).
	Name string
	Doc  string // more words for the constant's comment, if any
}

// Enums lists the value enumerations of ctnetlink's attributes, from the
// kernel's UAPI headers (linux/netfilter/nf_conntrack_common.h,
// nf_conntrack_tcp.h, nf_conntrack_sctp.h, nf_conntrack_tuple_common.h,
// nfnetlink_conntrack.h) and the names conntrack-tools prints, and the
// ops of the conntrack package's requests (each value's comment names the
// op's message type and then its flags, from which the generator makes
// the ops' type and flag tables).
var Enums = []Enum{
	{Name: "Family", Base: "uint8", Doc: "is a layer-3 protocol family (nfgenmsg.nfgen_family, AF_* / NFPROTO_*).",
		Names: "familyNames", Other: "unknown",
		StringDoc: "the name conntrack prints with -o extended: \"ipv4\", \"ipv6\", or \"unknown\".",
		Values: []Value{
			{Const: "FamilyUnspec", Value: 0, Kernel: "AF_UNSPEC"},
			{Const: "FamilyIPv4", Value: 2, Kernel: "AF_INET", Name: "ipv4"},
			{Const: "FamilyIPv6", Value: 10, Kernel: "AF_INET6", Name: "ipv6"},
		}},
	{Name: "Proto", Base: "uint8", Doc: "is a layer-4 protocol number (IPPROTO_*); the ones listed have a conntrack tracker of their own, any other number is handled by the generic tracker.",
		Names: "protocolNames", Other: "unknown",
		StringDoc: "the name conntrack prints (\"tcp\", \"udp\", \"udplite\", \"icmp\", \"icmpv6\", \"sctp\", \"gre\", \"dccp\"), or \"unknown\" for any other protocol.",
		Values: []Value{
			{Const: "ProtoICMP", Value: 1, Kernel: "IPPROTO_ICMP", Name: "icmp"},
			{Const: "ProtoTCP", Value: 6, Kernel: "IPPROTO_TCP", Name: "tcp"},
			{Const: "ProtoUDP", Value: 17, Kernel: "IPPROTO_UDP", Name: "udp"},
			{Const: "ProtoDCCP", Value: 33, Kernel: "IPPROTO_DCCP", Name: "dccp"},
			{Const: "ProtoGRE", Value: 47, Kernel: "IPPROTO_GRE", Name: "gre"},
			{Const: "ProtoICMPv6", Value: 58, Kernel: "IPPROTO_ICMPV6", Name: "icmpv6"},
			{Const: "ProtoSCTP", Value: 132, Kernel: "IPPROTO_SCTP", Name: "sctp"},
			{Const: "ProtoUDPLite", Value: 136, Kernel: "IPPROTO_UDPLITE", Name: "udplite"},
		}},
	{Name: "TCPState", Base: "uint8", Doc: "is a TCP conntrack state (enum tcp_conntrack). Values from TCPStateMax on are internal to the kernel and never sent.",
		Names:     "tcpStateNames",
		StringDoc: "the name conntrack prints (\"ESTABLISHED\", \"SYN_SENT\", \"TIME_WAIT\", ...), or the number.",
		Values: []Value{
			{Const: "TCPStateNone", Value: 0, Kernel: "TCP_CONNTRACK_NONE", Name: "NONE"},
			{Const: "TCPStateSynSent", Value: 1, Kernel: "TCP_CONNTRACK_SYN_SENT", Name: "SYN_SENT"},
			{Const: "TCPStateSynRecv", Value: 2, Kernel: "TCP_CONNTRACK_SYN_RECV", Name: "SYN_RECV"},
			{Const: "TCPStateEstablished", Value: 3, Kernel: "TCP_CONNTRACK_ESTABLISHED", Name: "ESTABLISHED"},
			{Const: "TCPStateFinWait", Value: 4, Kernel: "TCP_CONNTRACK_FIN_WAIT", Name: "FIN_WAIT"},
			{Const: "TCPStateCloseWait", Value: 5, Kernel: "TCP_CONNTRACK_CLOSE_WAIT", Name: "CLOSE_WAIT"},
			{Const: "TCPStateLastAck", Value: 6, Kernel: "TCP_CONNTRACK_LAST_ACK", Name: "LAST_ACK"},
			{Const: "TCPStateTimeWait", Value: 7, Kernel: "TCP_CONNTRACK_TIME_WAIT", Name: "TIME_WAIT"},
			{Const: "TCPStateClose", Value: 8, Kernel: "TCP_CONNTRACK_CLOSE", Name: "CLOSE"},
			{Const: "TCPStateSynSent2", Value: 9, Kernel: "TCP_CONNTRACK_SYN_SENT2", Name: "SYN_SENT2", Doc: "formerly LISTEN"},
			{Const: "TCPStateMax", Value: 10, Kernel: "TCP_CONNTRACK_MAX"},
		}},
	{Name: "SCTPState", Base: "uint8", Doc: "is an SCTP conntrack state (enum sctp_conntrack).",
		Names:     "sctpStateNames",
		StringDoc: "the name conntrack prints (\"ESTABLISHED\", \"COOKIE_WAIT\", ...), or the number.",
		Values: []Value{
			{Const: "SCTPStateNone", Value: 0, Kernel: "SCTP_CONNTRACK_NONE", Name: "NONE"},
			{Const: "SCTPStateClosed", Value: 1, Kernel: "SCTP_CONNTRACK_CLOSED", Name: "CLOSED"},
			{Const: "SCTPStateCookieWait", Value: 2, Kernel: "SCTP_CONNTRACK_COOKIE_WAIT", Name: "COOKIE_WAIT"},
			{Const: "SCTPStateCookieEchoed", Value: 3, Kernel: "SCTP_CONNTRACK_COOKIE_ECHOED", Name: "COOKIE_ECHOED"},
			{Const: "SCTPStateEstablished", Value: 4, Kernel: "SCTP_CONNTRACK_ESTABLISHED", Name: "ESTABLISHED"},
			{Const: "SCTPStateShutdownSent", Value: 5, Kernel: "SCTP_CONNTRACK_SHUTDOWN_SENT", Name: "SHUTDOWN_SENT"},
			{Const: "SCTPStateShutdownRecd", Value: 6, Kernel: "SCTP_CONNTRACK_SHUTDOWN_RECD", Name: "SHUTDOWN_RECD"},
			{Const: "SCTPStateShutdownAckSent", Value: 7, Kernel: "SCTP_CONNTRACK_SHUTDOWN_ACK_SENT", Name: "SHUTDOWN_ACK_SENT"},
			{Const: "SCTPStateHeartbeatSent", Value: 8, Kernel: "SCTP_CONNTRACK_HEARTBEAT_SENT", Name: "HEARTBEAT_SENT"},
			{Const: "SCTPStateHeartbeatAcked", Value: 9, Kernel: "SCTP_CONNTRACK_HEARTBEAT_ACKED", Name: "HEARTBEAT_ACKED", Doc: "no longer used"},
			{Const: "SCTPStateMax", Value: 10, Kernel: "SCTP_CONNTRACK_MAX"},
		}},
	{Name: "DCCPState", Base: "uint8", Doc: "is a DCCP conntrack state (enum ct_dccp_states). DCCP tracking was removed from Linux 6.17; the attributes remain in the UAPI.",
		Names:     "dccpStateNames",
		StringDoc: "the name conntrack prints (\"OPEN\", \"TIMEWAIT\", ...), or the number.",
		Values: []Value{
			{Const: "DCCPStateNone", Value: 0, Kernel: "CT_DCCP_NONE", Name: "NONE"},
			{Const: "DCCPStateRequest", Value: 1, Kernel: "CT_DCCP_REQUEST", Name: "REQUEST"},
			{Const: "DCCPStateRespond", Value: 2, Kernel: "CT_DCCP_RESPOND", Name: "RESPOND"},
			{Const: "DCCPStatePartOpen", Value: 3, Kernel: "CT_DCCP_PARTOPEN", Name: "PARTOPEN"},
			{Const: "DCCPStateOpen", Value: 4, Kernel: "CT_DCCP_OPEN", Name: "OPEN"},
			{Const: "DCCPStateCloseReq", Value: 5, Kernel: "CT_DCCP_CLOSEREQ", Name: "CLOSEREQ"},
			{Const: "DCCPStateClosing", Value: 6, Kernel: "CT_DCCP_CLOSING", Name: "CLOSING"},
			{Const: "DCCPStateTimeWait", Value: 7, Kernel: "CT_DCCP_TIMEWAIT", Name: "TIMEWAIT"},
			{Const: "DCCPStateIgnore", Value: 8, Kernel: "CT_DCCP_IGNORE", Name: "IGNORE"},
			{Const: "DCCPStateInvalid", Value: 9, Kernel: "CT_DCCP_INVALID", Name: "INVALID"},
		}},
	{Name: "DCCPRole", Base: "uint8", Doc: "is the role of the original direction's sender in a DCCP connection (enum ct_dccp_roles).",
		Names:     "dccpRoleNames",
		StringDoc: "\"CLIENT\" or \"SERVER\", or the number.",
		Values: []Value{
			{Const: "DCCPRoleClient", Value: 0, Kernel: "CT_DCCP_ROLE_CLIENT", Name: "CLIENT"},
			{Const: "DCCPRoleServer", Value: 1, Kernel: "CT_DCCP_ROLE_SERVER", Name: "SERVER"},
		}},
	{Name: "TCPFlags", Base: "uint8", Doc: "are the per-direction TCP tracking flags (IP_CT_TCP_FLAG_*).", Bits: true,
		Names:     "tcpFlagNames",
		StringDoc: "the set flags joined by '|' (\"WINDOW_SCALE|SACK_PERM\"), or \"0\" for none.",
		Values: []Value{
			{Const: "TCPFlagWindowScale", Value: 0x01, Kernel: "IP_CT_TCP_FLAG_WINDOW_SCALE", Name: "WINDOW_SCALE"},
			{Const: "TCPFlagSACKPerm", Value: 0x02, Kernel: "IP_CT_TCP_FLAG_SACK_PERM", Name: "SACK_PERM"},
			{Const: "TCPFlagCloseInit", Value: 0x04, Kernel: "IP_CT_TCP_FLAG_CLOSE_INIT", Name: "CLOSE_INIT"},
			{Const: "TCPFlagBeLiberal", Value: 0x08, Kernel: "IP_CT_TCP_FLAG_BE_LIBERAL", Name: "BE_LIBERAL"},
			{Const: "TCPFlagDataUnacknowledged", Value: 0x10, Kernel: "IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED", Name: "DATA_UNACKNOWLEDGED"},
			{Const: "TCPFlagMaxAckSet", Value: 0x20, Kernel: "IP_CT_TCP_FLAG_MAXACK_SET", Name: "MAXACK_SET"},
			{Const: "TCPFlagChallengeAck", Value: 0x40, Kernel: "IP_CT_EXP_CHALLENGE_ACK", Name: "CHALLENGE_ACK"},
			{Const: "TCPFlagSimultaneousOpen", Value: 0x80, Kernel: "IP_CT_TCP_SIMULTANEOUS_OPEN", Name: "SIMULTANEOUS_OPEN"},
		}},
	{Name: "FilterFlags", Base: "uint32", Doc: "select the tuple fields a CTA_FILTER compares (CTA_FILTER_F_*, kernel-internal but stable).", Bits: true,
		Names:     "filterFlagNames",
		StringDoc: "the set flags joined by '|' (\"IP_SRC|PROTO_NUM\"), unknown bits as a hex number, or \"0\" for none.",
		Values: []Value{
			{Const: "FilterIPSrc", Value: 1 << 0, Kernel: "CTA_FILTER_F_CTA_IP_SRC", Name: "IP_SRC"},
			{Const: "FilterIPDst", Value: 1 << 1, Kernel: "CTA_FILTER_F_CTA_IP_DST", Name: "IP_DST"},
			{Const: "FilterTupleZone", Value: 1 << 2, Kernel: "CTA_FILTER_F_CTA_TUPLE_ZONE", Name: "TUPLE_ZONE"},
			{Const: "FilterProtoNum", Value: 1 << 3, Kernel: "CTA_FILTER_F_CTA_PROTO_NUM", Name: "PROTO_NUM"},
			{Const: "FilterProtoSrcPort", Value: 1 << 4, Kernel: "CTA_FILTER_F_CTA_PROTO_SRC_PORT", Name: "PROTO_SRC_PORT"},
			{Const: "FilterProtoDstPort", Value: 1 << 5, Kernel: "CTA_FILTER_F_CTA_PROTO_DST_PORT", Name: "PROTO_DST_PORT"},
			{Const: "FilterICMPType", Value: 1 << 6, Kernel: "CTA_FILTER_F_CTA_PROTO_ICMP_TYPE", Name: "PROTO_ICMP_TYPE"},
			{Const: "FilterICMPCode", Value: 1 << 7, Kernel: "CTA_FILTER_F_CTA_PROTO_ICMP_CODE", Name: "PROTO_ICMP_CODE"},
			{Const: "FilterICMPID", Value: 1 << 8, Kernel: "CTA_FILTER_F_CTA_PROTO_ICMP_ID", Name: "PROTO_ICMP_ID"},
			{Const: "FilterICMPv6Type", Value: 1 << 9, Kernel: "CTA_FILTER_F_CTA_PROTO_ICMPV6_TYPE", Name: "PROTO_ICMPV6_TYPE"},
			{Const: "FilterICMPv6Code", Value: 1 << 10, Kernel: "CTA_FILTER_F_CTA_PROTO_ICMPV6_CODE", Name: "PROTO_ICMPV6_CODE"},
			{Const: "FilterICMPv6ID", Value: 1 << 11, Kernel: "CTA_FILTER_F_CTA_PROTO_ICMPV6_ID", Name: "PROTO_ICMPV6_ID"},
			{Const: "FilterAll", Value: 0xfff, Kernel: "CTA_FILTER_F_ALL"},
			{Const: "FilterAllProto", Value: 0xff0, Kernel: "CTA_FILTER_F_ALL_CTA_PROTO"},
		}},
	{Name: "Status", Base: "uint32", Doc: "is the CTA_STATUS bit set (enum ip_conntrack_status, IPS_*).", Bits: true,
		Names: "statusNames", OwnString: true,
		Values: []Value{
			{Const: "StatusExpected", Value: 1 << 0, Kernel: "IPS_EXPECTED", Name: "EXPECTED"},
			{Const: "StatusSeenReply", Value: 1 << 1, Kernel: "IPS_SEEN_REPLY", Name: "SEEN_REPLY"},
			{Const: "StatusAssured", Value: 1 << 2, Kernel: "IPS_ASSURED", Name: "ASSURED"},
			{Const: "StatusConfirmed", Value: 1 << 3, Kernel: "IPS_CONFIRMED", Name: "CONFIRMED"},
			{Const: "StatusSrcNAT", Value: 1 << 4, Kernel: "IPS_SRC_NAT", Name: "SRC_NAT"},
			{Const: "StatusDstNAT", Value: 1 << 5, Kernel: "IPS_DST_NAT", Name: "DST_NAT"},
			{Const: "StatusSeqAdjust", Value: 1 << 6, Kernel: "IPS_SEQ_ADJUST", Name: "SEQ_ADJUST"},
			{Const: "StatusSrcNATDone", Value: 1 << 7, Kernel: "IPS_SRC_NAT_DONE", Name: "SRC_NAT_DONE"},
			{Const: "StatusDstNATDone", Value: 1 << 8, Kernel: "IPS_DST_NAT_DONE", Name: "DST_NAT_DONE"},
			{Const: "StatusDying", Value: 1 << 9, Kernel: "IPS_DYING", Name: "DYING"},
			{Const: "StatusFixedTimeout", Value: 1 << 10, Kernel: "IPS_FIXED_TIMEOUT", Name: "FIXED_TIMEOUT"},
			{Const: "StatusTemplate", Value: 1 << 11, Kernel: "IPS_TEMPLATE", Name: "TEMPLATE"},
			{Const: "StatusUntracked", Value: 1 << 12, Kernel: "IPS_UNTRACKED", Name: "UNTRACKED", Doc: "kernel alias IPS_NAT_CLASH"},
			{Const: "StatusHelper", Value: 1 << 13, Kernel: "IPS_HELPER", Name: "HELPER"},
			{Const: "StatusOffload", Value: 1 << 14, Kernel: "IPS_OFFLOAD", Name: "OFFLOAD"},
			{Const: "StatusHWOffload", Value: 1 << 15, Kernel: "IPS_HW_OFFLOAD", Name: "HW_OFFLOAD"},
		}},
	{Name: "ExpectFlags", Base: "uint32", Doc: "are the flags of an expectation (CTA_EXPECT_FLAGS, NF_CT_EXPECT_*).", Bits: true,
		Names: "expectFlagNames", OwnString: true,
		Values: []Value{
			{Const: "ExpectPermanent", Value: 0x1, Kernel: "NF_CT_EXPECT_PERMANENT", Name: "PERMANENT"},
			{Const: "ExpectInactive", Value: 0x2, Kernel: "NF_CT_EXPECT_INACTIVE", Name: "INACTIVE"},
			{Const: "ExpectUserspace", Value: 0x4, Kernel: "NF_CT_EXPECT_USERSPACE", Name: "USERSPACE"},
			{Const: "ExpectFlagsAll", Value: 0x7, Kernel: "NF_CT_EXPECT_MASK", Doc: "every defined flag; newer kernels reject other bits on input"},
		}},
	{Name: "Op", Base: "uint8", Doc: "is a ctnetlink request: a message type of subsystem 1 or 2 together with the flags and attributes that select one of the kernel's behaviours for it. The values' comments give the message type and the flags [Request.AppendBinary] sets by default ([Op.Flags]).",
		Names:     "opNames",
		StringDoc: "the op's name (\"get\", \"dump\", \"exp-flush\", ...), or the number.",
		Values: []Value{
			{Const: "OpNone", Value: 0, Kernel: "no request", Name: "none"},
			{Const: "OpGet", Value: 1, Kernel: "IPCTNL_MSG_CT_GET by tuple: REQUEST|ACK", Name: "get"},
			{Const: "OpDump", Value: 2, Kernel: "IPCTNL_MSG_CT_GET dump: REQUEST|DUMP", Name: "dump"},
			{Const: "OpCreate", Value: 3, Kernel: "IPCTNL_MSG_CT_NEW: REQUEST|ACK|CREATE|EXCL", Name: "create"},
			{Const: "OpUpdate", Value: 4, Kernel: "IPCTNL_MSG_CT_NEW of an existing entry: REQUEST|ACK (no CREATE: ENOENT if absent)", Name: "update"},
			{Const: "OpDelete", Value: 5, Kernel: "IPCTNL_MSG_CT_DELETE by tuple (and CTA_ID): REQUEST|ACK", Name: "delete"},
			{Const: "OpFlush", Value: 6, Kernel: "IPCTNL_MSG_CT_DELETE without a tuple, or with CTA_FILTER: REQUEST|ACK", Name: "flush"},
			{Const: "OpGetCtrZero", Value: 7, Kernel: "IPCTNL_MSG_CT_GET_CTRZERO by tuple: REQUEST|ACK", Name: "get-ctrzero"},
			{Const: "OpDumpCtrZero", Value: 8, Kernel: "IPCTNL_MSG_CT_GET_CTRZERO dump: REQUEST|DUMP", Name: "dump-ctrzero"},
			{Const: "OpStatsCPU", Value: 9, Kernel: "IPCTNL_MSG_CT_GET_STATS_CPU: REQUEST|DUMP", Name: "stats-cpu"},
			{Const: "OpStats", Value: 10, Kernel: "IPCTNL_MSG_CT_GET_STATS: REQUEST|ACK", Name: "stats"},
			{Const: "OpDumpDying", Value: 11, Kernel: "IPCTNL_MSG_CT_GET_DYING: REQUEST|DUMP", Name: "dump-dying"},
			{Const: "OpDumpUnconfirmed", Value: 12, Kernel: "IPCTNL_MSG_CT_GET_UNCONFIRMED: REQUEST|DUMP", Name: "dump-unconfirmed"},
			{Const: "OpExpGet", Value: 13, Kernel: "IPCTNL_MSG_EXP_GET by tuple (or master): REQUEST|ACK", Name: "exp-get"},
			{Const: "OpExpDump", Value: 14, Kernel: "IPCTNL_MSG_EXP_GET dump: REQUEST|DUMP", Name: "exp-dump"},
			{Const: "OpExpCreate", Value: 15, Kernel: "IPCTNL_MSG_EXP_NEW: REQUEST|ACK|CREATE|EXCL", Name: "exp-create"},
			{Const: "OpExpUpdate", Value: 16, Kernel: "IPCTNL_MSG_EXP_NEW of an existing expectation (timeout only): REQUEST|ACK", Name: "exp-update"},
			{Const: "OpExpDelete", Value: 17, Kernel: "IPCTNL_MSG_EXP_DELETE by tuple: REQUEST|ACK", Name: "exp-delete"},
			{Const: "OpExpDeleteHelper", Value: 18, Kernel: "IPCTNL_MSG_EXP_DELETE by helper name: REQUEST|ACK", Name: "exp-delete-helper"},
			{Const: "OpExpFlush", Value: 19, Kernel: "IPCTNL_MSG_EXP_DELETE without tuple or name: REQUEST|ACK", Name: "exp-flush"},
			{Const: "OpExpStatsCPU", Value: 20, Kernel: "IPCTNL_MSG_EXP_GET_STATS_CPU: REQUEST|DUMP", Name: "exp-stats-cpu"},
			{Const: "opCount", Value: 21, Kernel: "the number of ops"},
		}},
}
