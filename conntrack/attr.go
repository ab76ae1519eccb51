package conntrack

import (
	"strconv"

	"github.com/ctwire/ctwire/nla"
)

// AttrType is a top-level conntrack attribute type (enum ctattr_type).
type AttrType uint16

// Top-level conntrack attributes (enum ctattr_type).
const (
	AttrTupleOrig      AttrType = 1  // CTA_TUPLE_ORIG
	AttrTupleReply     AttrType = 2  // CTA_TUPLE_REPLY
	AttrStatus         AttrType = 3  // CTA_STATUS
	AttrProtoInfo      AttrType = 4  // CTA_PROTOINFO
	AttrHelp           AttrType = 5  // CTA_HELP
	AttrNATSrc         AttrType = 6  // CTA_NAT_SRC
	AttrTimeout        AttrType = 7  // CTA_TIMEOUT
	AttrMark           AttrType = 8  // CTA_MARK
	AttrCountersOrig   AttrType = 9  // CTA_COUNTERS_ORIG
	AttrCountersReply  AttrType = 10 // CTA_COUNTERS_REPLY
	AttrUse            AttrType = 11 // CTA_USE
	AttrID             AttrType = 12 // CTA_ID
	AttrNATDst         AttrType = 13 // CTA_NAT_DST
	AttrTupleMaster    AttrType = 14 // CTA_TUPLE_MASTER
	AttrSeqAdjOrig     AttrType = 15 // CTA_SEQ_ADJ_ORIG
	AttrSeqAdjReply    AttrType = 16 // CTA_SEQ_ADJ_REPLY
	AttrSecMark        AttrType = 17 // CTA_SECMARK
	AttrZone           AttrType = 18 // CTA_ZONE
	AttrSecCtx         AttrType = 19 // CTA_SECCTX
	AttrTimestamp      AttrType = 20 // CTA_TIMESTAMP
	AttrMarkMask       AttrType = 21 // CTA_MARK_MASK
	AttrLabels         AttrType = 22 // CTA_LABELS
	AttrLabelsMask     AttrType = 23 // CTA_LABELS_MASK
	AttrSynproxy       AttrType = 24 // CTA_SYNPROXY
	AttrFilter         AttrType = 25 // CTA_FILTER
	AttrStatusMask     AttrType = 26 // CTA_STATUS_MASK
	AttrTimestampEvent AttrType = 27 // CTA_TIMESTAMP_EVENT

	// AttrMax is the highest top-level type (CTA_MAX).
	AttrMax AttrType = 27
)

// TupleAttr is an attribute inside a tuple nest (enum ctattr_tuple).
type TupleAttr uint16

// Tuple attributes (enum ctattr_tuple).
const (
	TupleAttrIP    TupleAttr = 1 // CTA_TUPLE_IP
	TupleAttrProto TupleAttr = 2 // CTA_TUPLE_PROTO
	TupleAttrZone  TupleAttr = 3 // CTA_TUPLE_ZONE
)

// IPAttr is an attribute inside CTA_TUPLE_IP (enum ctattr_ip).
type IPAttr uint16

// Address attributes (enum ctattr_ip).
const (
	IPAttrV4Src IPAttr = 1 // CTA_IP_V4_SRC
	IPAttrV4Dst IPAttr = 2 // CTA_IP_V4_DST
	IPAttrV6Src IPAttr = 3 // CTA_IP_V6_SRC
	IPAttrV6Dst IPAttr = 4 // CTA_IP_V6_DST
)

// ProtoAttr is an attribute inside CTA_TUPLE_PROTO (enum ctattr_l4proto).
type ProtoAttr uint16

// Layer-4 tuple attributes (enum ctattr_l4proto).
const (
	ProtoAttrNum        ProtoAttr = 1 // CTA_PROTO_NUM
	ProtoAttrSrcPort    ProtoAttr = 2 // CTA_PROTO_SRC_PORT
	ProtoAttrDstPort    ProtoAttr = 3 // CTA_PROTO_DST_PORT
	ProtoAttrICMPID     ProtoAttr = 4 // CTA_PROTO_ICMP_ID
	ProtoAttrICMPType   ProtoAttr = 5 // CTA_PROTO_ICMP_TYPE
	ProtoAttrICMPCode   ProtoAttr = 6 // CTA_PROTO_ICMP_CODE
	ProtoAttrICMPv6ID   ProtoAttr = 7 // CTA_PROTO_ICMPV6_ID
	ProtoAttrICMPv6Type ProtoAttr = 8 // CTA_PROTO_ICMPV6_TYPE
	ProtoAttrICMPv6Code ProtoAttr = 9 // CTA_PROTO_ICMPV6_CODE
)

// ProtoInfoAttr is an attribute inside CTA_PROTOINFO (enum ctattr_protoinfo).
type ProtoInfoAttr uint16

// Protocol-info attributes (enum ctattr_protoinfo).
const (
	ProtoInfoAttrTCP  ProtoInfoAttr = 1 // CTA_PROTOINFO_TCP
	ProtoInfoAttrDCCP ProtoInfoAttr = 2 // CTA_PROTOINFO_DCCP
	ProtoInfoAttrSCTP ProtoInfoAttr = 3 // CTA_PROTOINFO_SCTP
)

// TCPAttr is an attribute inside CTA_PROTOINFO_TCP (enum ctattr_protoinfo_tcp).
type TCPAttr uint16

// TCP protocol-info attributes (enum ctattr_protoinfo_tcp).
const (
	TCPAttrState       TCPAttr = 1 // CTA_PROTOINFO_TCP_STATE
	TCPAttrWScaleOrig  TCPAttr = 2 // CTA_PROTOINFO_TCP_WSCALE_ORIGINAL
	TCPAttrWScaleReply TCPAttr = 3 // CTA_PROTOINFO_TCP_WSCALE_REPLY
	TCPAttrFlagsOrig   TCPAttr = 4 // CTA_PROTOINFO_TCP_FLAGS_ORIGINAL
	TCPAttrFlagsReply  TCPAttr = 5 // CTA_PROTOINFO_TCP_FLAGS_REPLY
)

// SCTPAttr is an attribute inside CTA_PROTOINFO_SCTP (enum ctattr_protoinfo_sctp).
type SCTPAttr uint16

// SCTP protocol-info attributes (enum ctattr_protoinfo_sctp).
const (
	SCTPAttrState     SCTPAttr = 1 // CTA_PROTOINFO_SCTP_STATE
	SCTPAttrVTagOrig  SCTPAttr = 2 // CTA_PROTOINFO_SCTP_VTAG_ORIGINAL
	SCTPAttrVTagReply SCTPAttr = 3 // CTA_PROTOINFO_SCTP_VTAG_REPLY
)

// DCCPAttr is an attribute inside CTA_PROTOINFO_DCCP (enum ctattr_protoinfo_dccp).
type DCCPAttr uint16

// DCCP protocol-info attributes (enum ctattr_protoinfo_dccp).
const (
	DCCPAttrState        DCCPAttr = 1 // CTA_PROTOINFO_DCCP_STATE
	DCCPAttrRole         DCCPAttr = 2 // CTA_PROTOINFO_DCCP_ROLE
	DCCPAttrHandshakeSeq DCCPAttr = 3 // CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ
	DCCPAttrPad          DCCPAttr = 4 // CTA_PROTOINFO_DCCP_PAD
)

// CounterAttr is an attribute inside CTA_COUNTERS_* (enum ctattr_counters).
type CounterAttr uint16

// Counter attributes (enum ctattr_counters).
const (
	CounterAttrPackets   CounterAttr = 1 // CTA_COUNTERS_PACKETS
	CounterAttrBytes     CounterAttr = 2 // CTA_COUNTERS_BYTES
	CounterAttrPackets32 CounterAttr = 3 // CTA_COUNTERS32_PACKETS
	CounterAttrBytes32   CounterAttr = 4 // CTA_COUNTERS32_BYTES
	CounterAttrPad       CounterAttr = 5 // CTA_COUNTERS_PAD
)

// TimestampAttr is an attribute inside CTA_TIMESTAMP (enum ctattr_tstamp).
type TimestampAttr uint16

// Timestamp attributes (enum ctattr_tstamp).
const (
	TimestampAttrStart TimestampAttr = 1 // CTA_TIMESTAMP_START
	TimestampAttrStop  TimestampAttr = 2 // CTA_TIMESTAMP_STOP
	TimestampAttrPad   TimestampAttr = 3 // CTA_TIMESTAMP_PAD
)

// NATAttr is an attribute inside CTA_NAT_SRC / CTA_NAT_DST (enum ctattr_nat).
type NATAttr uint16

// NAT attributes (enum ctattr_nat).
const (
	NATAttrV4MinIP NATAttr = 1 // CTA_NAT_V4_MINIP
	NATAttrV4MaxIP NATAttr = 2 // CTA_NAT_V4_MAXIP
	NATAttrProto   NATAttr = 3 // CTA_NAT_PROTO
	NATAttrV6MinIP NATAttr = 4 // CTA_NAT_V6_MINIP
	NATAttrV6MaxIP NATAttr = 5 // CTA_NAT_V6_MAXIP
)

// ProtoNATAttr is an attribute inside CTA_NAT_PROTO (enum ctattr_protonat).
type ProtoNATAttr uint16

// NAT port-range attributes (enum ctattr_protonat).
const (
	ProtoNATAttrPortMin ProtoNATAttr = 1 // CTA_PROTONAT_PORT_MIN
	ProtoNATAttrPortMax ProtoNATAttr = 2 // CTA_PROTONAT_PORT_MAX
)

// SeqAdjAttr is an attribute inside CTA_SEQ_ADJ_* (enum ctattr_seqadj).
type SeqAdjAttr uint16

// Sequence-adjustment attributes (enum ctattr_seqadj).
const (
	SeqAdjAttrCorrectionPos SeqAdjAttr = 1 // CTA_SEQADJ_CORRECTION_POS
	SeqAdjAttrOffsetBefore  SeqAdjAttr = 2 // CTA_SEQADJ_OFFSET_BEFORE
	SeqAdjAttrOffsetAfter   SeqAdjAttr = 3 // CTA_SEQADJ_OFFSET_AFTER
)

// SynproxyAttr is an attribute inside CTA_SYNPROXY (enum ctattr_synproxy).
type SynproxyAttr uint16

// Synproxy attributes (enum ctattr_synproxy).
const (
	SynproxyAttrISN   SynproxyAttr = 1 // CTA_SYNPROXY_ISN
	SynproxyAttrITS   SynproxyAttr = 2 // CTA_SYNPROXY_ITS
	SynproxyAttrTSOff SynproxyAttr = 3 // CTA_SYNPROXY_TSOFF
)

// HelpAttr is an attribute inside CTA_HELP (enum ctattr_help).
type HelpAttr uint16

// Helper attributes (enum ctattr_help).
const (
	HelpAttrName HelpAttr = 1 // CTA_HELP_NAME
	HelpAttrInfo HelpAttr = 2 // CTA_HELP_INFO
)

// SecCtxAttr is an attribute inside CTA_SECCTX (enum ctattr_secctx).
type SecCtxAttr uint16

// Security-context attributes (enum ctattr_secctx).
const (
	SecCtxAttrName SecCtxAttr = 1 // CTA_SECCTX_NAME
)

// FilterAttr is an attribute inside CTA_FILTER (enum ctattr_filter).
type FilterAttr uint16

// Filter attributes (enum ctattr_filter).
const (
	FilterAttrOrigFlags  FilterAttr = 1 // CTA_FILTER_ORIG_FLAGS
	FilterAttrReplyFlags FilterAttr = 2 // CTA_FILTER_REPLY_FLAGS
)

// ExpectAttr is a top-level expectation attribute (enum ctattr_expect).
type ExpectAttr uint16

// Expectation attributes (enum ctattr_expect).
const (
	ExpectAttrMaster   ExpectAttr = 1  // CTA_EXPECT_MASTER
	ExpectAttrTuple    ExpectAttr = 2  // CTA_EXPECT_TUPLE
	ExpectAttrMask     ExpectAttr = 3  // CTA_EXPECT_MASK
	ExpectAttrTimeout  ExpectAttr = 4  // CTA_EXPECT_TIMEOUT
	ExpectAttrID       ExpectAttr = 5  // CTA_EXPECT_ID
	ExpectAttrHelpName ExpectAttr = 6  // CTA_EXPECT_HELP_NAME
	ExpectAttrZone     ExpectAttr = 7  // CTA_EXPECT_ZONE
	ExpectAttrFlags    ExpectAttr = 8  // CTA_EXPECT_FLAGS
	ExpectAttrClass    ExpectAttr = 9  // CTA_EXPECT_CLASS
	ExpectAttrNAT      ExpectAttr = 10 // CTA_EXPECT_NAT
	ExpectAttrFn       ExpectAttr = 11 // CTA_EXPECT_FN

	// ExpectAttrMax is the highest expectation type (CTA_EXPECT_MAX).
	ExpectAttrMax ExpectAttr = 11
)

// ExpectNATAttr is an attribute inside CTA_EXPECT_NAT (enum ctattr_expect_nat).
type ExpectNATAttr uint16

// Expectation NAT attributes (enum ctattr_expect_nat).
const (
	ExpectNATAttrDir   ExpectNATAttr = 1 // CTA_EXPECT_NAT_DIR
	ExpectNATAttrTuple ExpectNATAttr = 2 // CTA_EXPECT_NAT_TUPLE
)

// StatsCPUAttr is an attribute of a per-CPU conntrack statistics message
// (enum ctattr_stats_cpu).
type StatsCPUAttr uint16

// Per-CPU statistics attributes (enum ctattr_stats_cpu). Those marked
// unused are no longer emitted by the kernel.
const (
	StatsCPUAttrSearched      StatsCPUAttr = 1  // CTA_STATS_SEARCHED (unused)
	StatsCPUAttrFound         StatsCPUAttr = 2  // CTA_STATS_FOUND
	StatsCPUAttrNew           StatsCPUAttr = 3  // CTA_STATS_NEW (unused)
	StatsCPUAttrInvalid       StatsCPUAttr = 4  // CTA_STATS_INVALID
	StatsCPUAttrIgnore        StatsCPUAttr = 5  // CTA_STATS_IGNORE (unused)
	StatsCPUAttrDelete        StatsCPUAttr = 6  // CTA_STATS_DELETE (unused)
	StatsCPUAttrDeleteList    StatsCPUAttr = 7  // CTA_STATS_DELETE_LIST (unused)
	StatsCPUAttrInsert        StatsCPUAttr = 8  // CTA_STATS_INSERT
	StatsCPUAttrInsertFailed  StatsCPUAttr = 9  // CTA_STATS_INSERT_FAILED
	StatsCPUAttrDrop          StatsCPUAttr = 10 // CTA_STATS_DROP
	StatsCPUAttrEarlyDrop     StatsCPUAttr = 11 // CTA_STATS_EARLY_DROP
	StatsCPUAttrError         StatsCPUAttr = 12 // CTA_STATS_ERROR
	StatsCPUAttrSearchRestart StatsCPUAttr = 13 // CTA_STATS_SEARCH_RESTART
	StatsCPUAttrClashResolve  StatsCPUAttr = 14 // CTA_STATS_CLASH_RESOLVE
	StatsCPUAttrChainTooLong  StatsCPUAttr = 15 // CTA_STATS_CHAIN_TOOLONG
)

// StatsGlobalAttr is an attribute of the global conntrack statistics
// message (enum ctattr_stats_global).
type StatsGlobalAttr uint16

// Global statistics attributes (enum ctattr_stats_global).
const (
	StatsGlobalAttrEntries    StatsGlobalAttr = 1 // CTA_STATS_GLOBAL_ENTRIES
	StatsGlobalAttrMaxEntries StatsGlobalAttr = 2 // CTA_STATS_GLOBAL_MAX_ENTRIES
)

// StatsExpAttr is an attribute of a per-CPU expectation statistics message
// (enum ctattr_expect_stats).
type StatsExpAttr uint16

// Expectation statistics attributes (enum ctattr_expect_stats).
const (
	StatsExpAttrNew    StatsExpAttr = 1 // CTA_STATS_EXP_NEW
	StatsExpAttrCreate StatsExpAttr = 2 // CTA_STATS_EXP_CREATE
	StatsExpAttrDelete StatsExpAttr = 3 // CTA_STATS_EXP_DELETE
)

// nameTable names the attributes of one nest, indexed by type, and points
// at the tables of nested attributes. The tables are read-only.
type nameTable struct {
	names []string
	sub   []*nameTable // by type; nil for non-nests
}

func (t *nameTable) name(typ uint16) (string, bool) {
	if t != nil && int(typ) < len(t.names) && t.names[typ] != "" {
		return t.names[typ], true
	}
	return "", false
}

func (t *nameTable) child(typ uint16) *nameTable {
	if t != nil && int(typ) < len(t.sub) {
		return t.sub[typ]
	}
	return nil
}

var (
	ipNames = &nameTable{names: []string{"", "CTA_IP_V4_SRC", "CTA_IP_V4_DST", "CTA_IP_V6_SRC", "CTA_IP_V6_DST"}}

	protoNames = &nameTable{names: []string{"", "CTA_PROTO_NUM", "CTA_PROTO_SRC_PORT", "CTA_PROTO_DST_PORT",
		"CTA_PROTO_ICMP_ID", "CTA_PROTO_ICMP_TYPE", "CTA_PROTO_ICMP_CODE",
		"CTA_PROTO_ICMPV6_ID", "CTA_PROTO_ICMPV6_TYPE", "CTA_PROTO_ICMPV6_CODE"}}

	tupleNames = &nameTable{
		names: []string{"", "CTA_TUPLE_IP", "CTA_TUPLE_PROTO", "CTA_TUPLE_ZONE"},
		sub:   []*nameTable{nil, ipNames, protoNames},
	}

	tcpNames = &nameTable{names: []string{"", "CTA_PROTOINFO_TCP_STATE",
		"CTA_PROTOINFO_TCP_WSCALE_ORIGINAL", "CTA_PROTOINFO_TCP_WSCALE_REPLY",
		"CTA_PROTOINFO_TCP_FLAGS_ORIGINAL", "CTA_PROTOINFO_TCP_FLAGS_REPLY"}}
	dccpNames = &nameTable{names: []string{"", "CTA_PROTOINFO_DCCP_STATE", "CTA_PROTOINFO_DCCP_ROLE",
		"CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ", "CTA_PROTOINFO_DCCP_PAD"}}
	sctpNames = &nameTable{names: []string{"", "CTA_PROTOINFO_SCTP_STATE",
		"CTA_PROTOINFO_SCTP_VTAG_ORIGINAL", "CTA_PROTOINFO_SCTP_VTAG_REPLY"}}
	protoInfoNames = &nameTable{
		names: []string{"", "CTA_PROTOINFO_TCP", "CTA_PROTOINFO_DCCP", "CTA_PROTOINFO_SCTP"},
		sub:   []*nameTable{nil, tcpNames, dccpNames, sctpNames},
	}

	counterNames = &nameTable{names: []string{"", "CTA_COUNTERS_PACKETS", "CTA_COUNTERS_BYTES",
		"CTA_COUNTERS32_PACKETS", "CTA_COUNTERS32_BYTES", "CTA_COUNTERS_PAD"}}
	timestampNames = &nameTable{names: []string{"", "CTA_TIMESTAMP_START", "CTA_TIMESTAMP_STOP", "CTA_TIMESTAMP_PAD"}}
	protoNATNames  = &nameTable{names: []string{"", "CTA_PROTONAT_PORT_MIN", "CTA_PROTONAT_PORT_MAX"}}
	natNames       = &nameTable{
		names: []string{"", "CTA_NAT_V4_MINIP", "CTA_NAT_V4_MAXIP", "CTA_NAT_PROTO", "CTA_NAT_V6_MINIP", "CTA_NAT_V6_MAXIP"},
		sub:   []*nameTable{nil, nil, nil, protoNATNames},
	}
	seqAdjNames = &nameTable{names: []string{"", "CTA_SEQADJ_CORRECTION_POS",
		"CTA_SEQADJ_OFFSET_BEFORE", "CTA_SEQADJ_OFFSET_AFTER"}}
	synproxyNames = &nameTable{names: []string{"", "CTA_SYNPROXY_ISN", "CTA_SYNPROXY_ITS", "CTA_SYNPROXY_TSOFF"}}
	helpNames     = &nameTable{names: []string{"", "CTA_HELP_NAME", "CTA_HELP_INFO"}}
	secCtxNames   = &nameTable{names: []string{"", "CTA_SECCTX_NAME"}}
	filterNames   = &nameTable{names: []string{"", "CTA_FILTER_ORIG_FLAGS", "CTA_FILTER_REPLY_FLAGS"}}

	flowNames = &nameTable{
		names: []string{"CTA_UNSPEC", "CTA_TUPLE_ORIG", "CTA_TUPLE_REPLY", "CTA_STATUS", "CTA_PROTOINFO",
			"CTA_HELP", "CTA_NAT_SRC", "CTA_TIMEOUT", "CTA_MARK", "CTA_COUNTERS_ORIG",
			"CTA_COUNTERS_REPLY", "CTA_USE", "CTA_ID", "CTA_NAT_DST", "CTA_TUPLE_MASTER",
			"CTA_SEQ_ADJ_ORIG", "CTA_SEQ_ADJ_REPLY", "CTA_SECMARK", "CTA_ZONE", "CTA_SECCTX",
			"CTA_TIMESTAMP", "CTA_MARK_MASK", "CTA_LABELS", "CTA_LABELS_MASK", "CTA_SYNPROXY",
			"CTA_FILTER", "CTA_STATUS_MASK", "CTA_TIMESTAMP_EVENT"},
		sub: []*nameTable{nil, tupleNames, tupleNames, nil, protoInfoNames, helpNames, natNames,
			nil, nil, counterNames, counterNames, nil, nil, natNames, tupleNames,
			seqAdjNames, seqAdjNames, nil, nil, secCtxNames, timestampNames, nil, nil, nil,
			synproxyNames, filterNames},
	}

	expectNATNames = &nameTable{
		names: []string{"", "CTA_EXPECT_NAT_DIR", "CTA_EXPECT_NAT_TUPLE"},
		sub:   []*nameTable{nil, nil, tupleNames},
	}
	expectNames = &nameTable{
		names: []string{"CTA_EXPECT_UNSPEC", "CTA_EXPECT_MASTER", "CTA_EXPECT_TUPLE", "CTA_EXPECT_MASK",
			"CTA_EXPECT_TIMEOUT", "CTA_EXPECT_ID", "CTA_EXPECT_HELP_NAME", "CTA_EXPECT_ZONE",
			"CTA_EXPECT_FLAGS", "CTA_EXPECT_CLASS", "CTA_EXPECT_NAT", "CTA_EXPECT_FN"},
		sub: []*nameTable{nil, tupleNames, tupleNames, tupleNames, nil, nil, nil, nil, nil, nil, expectNATNames},
	}

	statsCPUNames = &nameTable{names: []string{"CTA_STATS_UNSPEC", "CTA_STATS_SEARCHED", "CTA_STATS_FOUND",
		"CTA_STATS_NEW", "CTA_STATS_INVALID", "CTA_STATS_IGNORE", "CTA_STATS_DELETE",
		"CTA_STATS_DELETE_LIST", "CTA_STATS_INSERT", "CTA_STATS_INSERT_FAILED", "CTA_STATS_DROP",
		"CTA_STATS_EARLY_DROP", "CTA_STATS_ERROR", "CTA_STATS_SEARCH_RESTART",
		"CTA_STATS_CLASH_RESOLVE", "CTA_STATS_CHAIN_TOOLONG"}}
	statsGlobalNames = &nameTable{names: []string{"CTA_STATS_GLOBAL_UNSPEC", "CTA_STATS_GLOBAL_ENTRIES",
		"CTA_STATS_GLOBAL_MAX_ENTRIES"}}
	statsExpNames = &nameTable{names: []string{"CTA_STATS_EXP_UNSPEC", "CTA_STATS_EXP_NEW",
		"CTA_STATS_EXP_CREATE", "CTA_STATS_EXP_DELETE"}}
)

func tableString(t *nameTable, typ uint16) string {
	if s, ok := t.name(typ); ok {
		return s
	}
	return strconv.FormatUint(uint64(typ), 10)
}

// String returns the kernel name ("CTA_TIMEOUT"), or the number.
func (t AttrType) String() string { return tableString(flowNames, uint16(t)) }

// String returns the kernel name ("CTA_TUPLE_IP"), or the number.
func (t TupleAttr) String() string { return tableString(tupleNames, uint16(t)) }

// String returns the kernel name ("CTA_IP_V4_SRC"), or the number.
func (t IPAttr) String() string { return tableString(ipNames, uint16(t)) }

// String returns the kernel name ("CTA_PROTO_NUM"), or the number.
func (t ProtoAttr) String() string { return tableString(protoNames, uint16(t)) }

// String returns the kernel name ("CTA_PROTOINFO_TCP"), or the number.
func (t ProtoInfoAttr) String() string { return tableString(protoInfoNames, uint16(t)) }

// String returns the kernel name ("CTA_PROTOINFO_TCP_STATE"), or the number.
func (t TCPAttr) String() string { return tableString(tcpNames, uint16(t)) }

// String returns the kernel name ("CTA_PROTOINFO_SCTP_STATE"), or the number.
func (t SCTPAttr) String() string { return tableString(sctpNames, uint16(t)) }

// String returns the kernel name ("CTA_PROTOINFO_DCCP_STATE"), or the number.
func (t DCCPAttr) String() string { return tableString(dccpNames, uint16(t)) }

// String returns the kernel name ("CTA_COUNTERS_PACKETS"), or the number.
func (t CounterAttr) String() string { return tableString(counterNames, uint16(t)) }

// String returns the kernel name ("CTA_TIMESTAMP_START"), or the number.
func (t TimestampAttr) String() string { return tableString(timestampNames, uint16(t)) }

// String returns the kernel name ("CTA_NAT_V4_MINIP"), or the number.
func (t NATAttr) String() string { return tableString(natNames, uint16(t)) }

// String returns the kernel name ("CTA_PROTONAT_PORT_MIN"), or the number.
func (t ProtoNATAttr) String() string { return tableString(protoNATNames, uint16(t)) }

// String returns the kernel name ("CTA_SEQADJ_CORRECTION_POS"), or the number.
func (t SeqAdjAttr) String() string { return tableString(seqAdjNames, uint16(t)) }

// String returns the kernel name ("CTA_SYNPROXY_ISN"), or the number.
func (t SynproxyAttr) String() string { return tableString(synproxyNames, uint16(t)) }

// String returns the kernel name ("CTA_HELP_NAME"), or the number.
func (t HelpAttr) String() string { return tableString(helpNames, uint16(t)) }

// String returns the kernel name ("CTA_SECCTX_NAME"), or the number.
func (t SecCtxAttr) String() string { return tableString(secCtxNames, uint16(t)) }

// String returns the kernel name ("CTA_FILTER_ORIG_FLAGS"), or the number.
func (t FilterAttr) String() string { return tableString(filterNames, uint16(t)) }

// String returns the kernel name ("CTA_EXPECT_TUPLE"), or the number.
func (t ExpectAttr) String() string { return tableString(expectNames, uint16(t)) }

// String returns the kernel name ("CTA_EXPECT_NAT_DIR"), or the number.
func (t ExpectNATAttr) String() string { return tableString(expectNATNames, uint16(t)) }

// String returns the kernel name ("CTA_STATS_FOUND"), or the number.
func (t StatsCPUAttr) String() string { return tableString(statsCPUNames, uint16(t)) }

// String returns the kernel name ("CTA_STATS_GLOBAL_ENTRIES"), or the number.
func (t StatsGlobalAttr) String() string { return tableString(statsGlobalNames, uint16(t)) }

// String returns the kernel name ("CTA_STATS_EXP_NEW"), or the number.
func (t StatsExpAttr) String() string { return tableString(statsExpNames, uint16(t)) }

// Space says which top-level attribute enumeration a path starts in: the
// same numbers mean different attributes in a flow and in an expectation.
type Space uint8

// Attribute spaces of the ctnetlink messages.
const (
	SpaceFlow        Space = iota // enum ctattr_type: flows (IPCTNL_MSG_CT_NEW/GET/DELETE)
	SpaceExpect                   // enum ctattr_expect: expectations (IPCTNL_MSG_EXP_*)
	SpaceStatsCPU                 // enum ctattr_stats_cpu: IPCTNL_MSG_CT_GET_STATS_CPU
	SpaceStatsGlobal              // enum ctattr_stats_global: IPCTNL_MSG_CT_GET_STATS
	SpaceStatsExp                 // enum ctattr_expect_stats: IPCTNL_MSG_EXP_GET_STATS_CPU
)

func (sp Space) table() *nameTable {
	switch sp {
	case SpaceFlow:
		return flowNames
	case SpaceExpect:
		return expectNames
	case SpaceStatsCPU:
		return statsCPUNames
	case SpaceStatsGlobal:
		return statsGlobalNames
	case SpaceStatsExp:
		return statsExpNames
	}
	return nil
}

// String returns "flow", "expect", "stats-cpu", "stats-global" or
// "stats-exp", or the number.
func (sp Space) String() string {
	switch sp {
	case SpaceFlow:
		return "flow"
	case SpaceExpect:
		return "expect"
	case SpaceStatsCPU:
		return "stats-cpu"
	case SpaceStatsGlobal:
		return "stats-global"
	case SpaceStatsExp:
		return "stats-exp"
	}
	return strconv.Itoa(int(sp))
}

// AppendPath appends the kernel names of the types in p, separated by '/'
// ("CTA_TUPLE_ORIG/CTA_TUPLE_IP/CTA_IP_V4_SRC"), reading the outermost type
// in space sp. A type without a name, or below an attribute that is not a
// known nest, is written as its number.
func AppendPath(dst []byte, sp Space, p nla.Path) []byte {
	t := sp.table()
	for i := 0; i < p.Len(); i++ {
		if i > 0 {
			dst = append(dst, '/')
		}
		typ := p.At(i)
		if s, ok := t.name(typ); ok {
			dst = append(dst, s...)
		} else {
			dst = strconv.AppendUint(dst, uint64(typ), 10)
		}
		t = t.child(typ)
	}
	return dst
}

// PathString is [AppendPath] as a string.
func PathString(sp Space, p nla.Path) string { return string(AppendPath(nil, sp, p)) }
