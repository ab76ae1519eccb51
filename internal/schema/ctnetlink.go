package schema

// The attribute sets of ctnetlink, as the kernel defines them in
// include/uapi/linux/netfilter/nfnetlink_conntrack.h, with the policies of
// net/netfilter/nf_conntrack_netlink.c (and nf_conntrack_proto*.c for the
// layer-4 ones). Spec names are those of the YNL spec
// (Documentation/netlink/specs/conntrack.yaml); sets the spec lacks
// (CTA_FILTER, CTA_TIMESTAMP, expectations, global and expectation
// statistics) use the kernel name in kebab case.

// Sets lists every attribute set, the top-level ones first.
var Sets = []Set{
	{
		Name: "flow", Enum: "ctattr_type", GoType: "AttrType", Prefix: "Attr",
		Doc:    "a top-level conntrack attribute type",
		Unspec: "CTA_UNSPEC", MaxConst: "AttrMax",
		Top: true, Record: "Flow", Present: "Present", EmptyNests: true,
		// ctnetlink_fill_info, then the input-only attributes (each mask
		// after its value) and CTA_TIMESTAMP_EVENT, an event's last.
		Order: []uint16{1, 2, 18, 3, 26, 8, 21, 19, 12, 11, 14, 7, 4, 9, 10, 20, 5, 22, 23, 15, 16, 24,
			6, 13, 17, 25, 27},
		// ctnetlink_conntrack_event.
		EventOrder: []uint16{1, 2, 18, 12, 3, 26, 7, 9, 10, 20, 4, 5, 19, 22, 23, 14, 15, 16, 24, 8, 21, 11,
			6, 13, 17, 25, 27},
		// The fast path leaves CTA_SECCTX (256 bytes it would carry
		// around) to the general decoder, as it does the input-only nests.
		GeneralOnly: []uint16{19},
		Attrs: []Attr{
			{Num: 1, Const: "TupleOrig", Kernel: "CTA_TUPLE_ORIG", Spec: "tuple-orig", Kind: Nest, Field: "Orig", Nest: "tuple", Fast: "tupleFast", Policy: Policy{Kind: PolNested}},
			{Num: 2, Const: "TupleReply", Kernel: "CTA_TUPLE_REPLY", Spec: "tuple-reply", Kind: Nest, Field: "Reply", Nest: "tuple", Fast: "tupleFast", Policy: Policy{Kind: PolNested}},
			{Num: 3, Const: "Status", Kernel: "CTA_STATUS", Spec: "status", Kind: U32, Field: "Status", GoType: "Status", Enc: "uint32(r.Status | e.statusOr)", JSON: "bits:statusNames:jsonStatusAlt", Policy: Policy{Kind: PolU32}},
			{Num: 4, Const: "ProtoInfo", Kernel: "CTA_PROTOINFO", Spec: "protoinfo", Kind: Nest, Field: "ProtoInfo", Nest: "protoinfo", Fast: "protoInfoFast", Policy: Policy{Kind: PolNested}},
			{Num: 5, Const: "Help", Kernel: "CTA_HELP", Spec: "help", Kind: Nest, Field: "Helper", Nest: "help", Policy: Policy{Kind: PolNested}},
			{Num: 6, Const: "NATSrc", Kernel: "CTA_NAT_SRC", Spec: "nat-src", Kind: Nest, Field: "NATSrc", InputOnly: true, Nest: "nat", Policy: Policy{Kind: PolNested}},
			{Num: 7, Const: "Timeout", Kernel: "CTA_TIMEOUT", Spec: "timeout", Kind: U32, Field: "Timeout", Policy: Policy{Kind: PolU32}},
			{Num: 8, Const: "Mark", Kernel: "CTA_MARK", Spec: "mark", Kind: U32, Field: "Mark", Policy: Policy{Kind: PolU32}},
			{Num: 9, Const: "CountersOrig", Kernel: "CTA_COUNTERS_ORIG", Spec: "counters-orig", Kind: Nest, Field: "CountersOrig", Nest: "counters", Fast: "countersFast"},
			{Num: 10, Const: "CountersReply", Kernel: "CTA_COUNTERS_REPLY", Spec: "counters-reply", Kind: Nest, Field: "CountersReply", Nest: "counters", Fast: "countersFast"},
			{Num: 11, Const: "Use", Kernel: "CTA_USE", Spec: "use", Kind: U32, Field: "Use"},
			{Num: 12, Const: "ID", Kernel: "CTA_ID", Spec: "id", Kind: U32, Field: "ID", Policy: Policy{Kind: PolU32}},
			{Num: 13, Const: "NATDst", Kernel: "CTA_NAT_DST", Spec: "nat-dst", Kind: Nest, Field: "NATDst", InputOnly: true, Nest: "nat", Policy: Policy{Kind: PolNested},
				Errata: "the spec lists nat-src and nat-dst (twice) among reply attributes; the kernel never sends them"},
			{Num: 14, Const: "TupleMaster", Kernel: "CTA_TUPLE_MASTER", Spec: "tuple-master", Kind: Nest, Field: "Master", Nest: "tuple", Policy: Policy{Kind: PolNested}},
			{Num: 15, Const: "SeqAdjOrig", Kernel: "CTA_SEQ_ADJ_ORIG", Spec: "seq-adj-orig", Kind: Nest, Field: "SeqAdjOrig", Nest: "seqadj", Fast: "seqAdjFast", Policy: Policy{Kind: PolNested}},
			{Num: 16, Const: "SeqAdjReply", Kernel: "CTA_SEQ_ADJ_REPLY", Spec: "seq-adj-reply", Kind: Nest, Field: "SeqAdjReply", Nest: "seqadj", Fast: "seqAdjFast", Policy: Policy{Kind: PolNested}},
			{Num: 17, Const: "SecMark", Kernel: "CTA_SECMARK", Spec: "secmark", Kind: U32, Field: "SecMark", InputOnly: true,
				Errata: "the spec types it binary; it is a u32 the kernel no longer sends"},
			{Num: 18, Const: "Zone", Kernel: "CTA_ZONE", Spec: "zone", Kind: U16, Field: "Zone", Policy: Policy{Kind: PolU16}},
			{Num: 19, Const: "SecCtx", Kernel: "CTA_SECCTX", Spec: "secctx", Kind: Nest, Field: "SecCtx", Nest: "secctx"},
			{Num: 20, Const: "Timestamp", Kernel: "CTA_TIMESTAMP", Spec: "timestamp", Kind: Nest, Field: "Timestamp", Nest: "timestamp", Fast: "timestampFast",
				Errata: "the spec types it u64; the kernel sends a nest (enum ctattr_tstamp), and the spec leaves it out of the reply lists"},
			{Num: 21, Const: "MarkMask", Kernel: "CTA_MARK_MASK", Spec: "mark-mask", Kind: U32, Field: "MarkMask", InputOnly: true, Policy: Policy{Kind: PolU32}},
			{Num: 22, Const: "Labels", Kernel: "CTA_LABELS", Spec: "labels", Kind: Labels, Field: "Labels", SizeField: "LabelsSize", JSON: "hex", Policy: Policy{Kind: PolBinary, Len: "LabelsLen"}},
			{Num: 23, Const: "LabelsMask", Kernel: "CTA_LABELS_MASK", Spec: "labels-mask", Kind: Labels, Field: "LabelsMask", InputOnly: true, SizeField: "LabelsMaskSize", JSON: "hex", Policy: Policy{Kind: PolBinary, Len: "LabelsLen"},
				Errata: "the spec names it \"labels mask\", with a space"},
			{Num: 24, Const: "Synproxy", Kernel: "CTA_SYNPROXY", Spec: "synproxy", Kind: Nest, Field: "Synproxy", Nest: "synproxy", Fast: "synproxyFast"},
			{Num: 25, Const: "Filter", Kernel: "CTA_FILTER", Spec: "filter", Kind: Nest, Field: "Filter", InputOnly: true, Nest: "filter", Policy: Policy{Kind: PolNested},
				Errata: "the spec nests tuple-attrs; the kernel nests enum ctattr_filter (two host-order u32 flag sets)"},
			{Num: 26, Const: "StatusMask", Kernel: "CTA_STATUS_MASK", Spec: "status-mask", Kind: U32, Field: "StatusMask", InputOnly: true, GoType: "Status", JSON: "bits:statusNames:jsonStatusAlt", Policy: Policy{Kind: PolU32},
				Errata: "the spec calls it the bits to change; the kernel uses it as the mask of a dump or flush status filter"},
			{Num: 27, Const: "TimestampEvent", Kernel: "CTA_TIMESTAMP_EVENT", Spec: "timestamp-event", Kind: U64, Field: "TimestampEvent", Policy: Policy{Kind: PolReject}},
		},
	},
	{
		Name: "tuple", Enum: "ctattr_tuple", GoType: "TupleAttr", Prefix: "TupleAttr",
		Doc:    "an attribute inside a tuple nest",
		Record: "Tuple", Reset: true,
		Order: []uint16{1, 2, 3},
		// ctnetlink_dump_tuples: the addresses, then the layer-4 fields
		// (a directional zone is left to the general decoder).
		Layouts: []Layout{{Attrs: []uint16{1, 2}}},
		Attrs: []Attr{
			{Num: 1, Const: "IP", Kernel: "CTA_TUPLE_IP", Spec: "tuple-ip", Kind: Flat, Nest: "ip", Presence: ByChildren, Policy: Policy{Kind: PolNested}},
			{Num: 2, Const: "Proto", Kernel: "CTA_TUPLE_PROTO", Spec: "tuple-proto", Kind: Flat, Nest: "proto", Presence: ByChildren, Policy: Policy{Kind: PolNested}},
			{Num: 3, Const: "Zone", Kernel: "CTA_TUPLE_ZONE", Spec: "tuple-zone", Kind: U16, Field: "Zone", Presence: ByBool, Has: "HasZone", Policy: Policy{Kind: PolU16}},
		},
	},
	{
		Name: "ip", Enum: "ctattr_ip", GoType: "IPAttr", Prefix: "IPAttr",
		Doc:    "an attribute inside CTA_TUPLE_IP",
		Record: "Tuple",
		Order:  []uint16{1, 2},
		// ipv4_tuple_to_nlattr, ipv6_tuple_to_nlattr.
		Layouts: []Layout{{Attrs: []uint16{1, 2}}, {Attrs: []uint16{3, 4}}},
		Attrs: []Attr{
			{Num: 1, Const: "V4Src", Kernel: "CTA_IP_V4_SRC", Spec: "ip-v4-src", Kind: Addr4, Field: "Src", Presence: ByValid, Alt: 3, JSON: "addr", Policy: Policy{Kind: PolU32}},
			{Num: 2, Const: "V4Dst", Kernel: "CTA_IP_V4_DST", Spec: "ip-v4-dst", Kind: Addr4, Field: "Dst", Presence: ByValid, Alt: 4, JSON: "addr", Policy: Policy{Kind: PolU32}},
			{Num: 3, Const: "V6Src", Kernel: "CTA_IP_V6_SRC", Spec: "ip-v6-src", Kind: Addr6, Field: "Src", Presence: ByValid, Alt: 1, JSON: "addr", Policy: Policy{Kind: PolMinLen, Len: "16"}},
			{Num: 4, Const: "V6Dst", Kernel: "CTA_IP_V6_DST", Spec: "ip-v6-dst", Kind: Addr6, Field: "Dst", Presence: ByValid, Alt: 2, JSON: "addr", Policy: Policy{Kind: PolMinLen, Len: "16"}},
		},
	},
	{
		Name: "proto", Enum: "ctattr_l4proto", GoType: "ProtoAttr", Prefix: "ProtoAttr",
		Doc:    "an attribute inside CTA_TUPLE_PROTO",
		Record: "Tuple", Present: "Present",
		// The kernel sends ICMP and ICMPv6 fields as ID, TYPE, CODE
		// (icmp_tuple_to_nlattr, icmpv6_tuple_to_nlattr).
		Order: []uint16{1, 2, 3, 4, 5, 6, 7, 8, 9},
		// nf_ct_port_tuple_to_nlattr (TCP, UDP, UDP-Lite, SCTP, DCCP,
		// GRE), icmp_tuple_to_nlattr, icmpv6_tuple_to_nlattr; then
		// libnetfilter_conntrack's __build_tuple_proto, which sends the
		// ICMP and ICMPv6 fields as CODE, TYPE, ID.
		Layouts: []Layout{{Attrs: []uint16{1, 2, 3}}, {Attrs: []uint16{1, 4, 5, 6}}, {Attrs: []uint16{1, 7, 8, 9}},
			{Attrs: []uint16{1, 6, 5, 4}, Doc: "libnetfilter_conntrack"}, {Attrs: []uint16{1, 9, 8, 7}, Doc: "libnetfilter_conntrack"}},
		Attrs: []Attr{
			{Num: 1, Const: "Num", Kernel: "CTA_PROTO_NUM", Spec: "proto-num", Kind: U8, Field: "Proto", GoType: "Proto", JSON: "enum:protocolNames", Policy: Policy{Kind: PolU8}},
			{Num: 2, Const: "SrcPort", Kernel: "CTA_PROTO_SRC_PORT", Spec: "proto-src-port", Kind: U16, Field: "SrcPort", Policy: Policy{Kind: PolU16, Table: "port"}},
			{Num: 3, Const: "DstPort", Kernel: "CTA_PROTO_DST_PORT", Spec: "proto-dst-port", Kind: U16, Field: "DstPort", Policy: Policy{Kind: PolU16, Table: "port"},
				Errata: "the spec's doc calls it the source port"},
			{Num: 4, Const: "ICMPID", Kernel: "CTA_PROTO_ICMP_ID", Spec: "proto-icmp-id", Kind: U16, Field: "ICMPID", Alt: 7, NonZeroIf: "r.Proto != ProtoICMPv6", Policy: Policy{Kind: PolU16, Table: "icmp"}},
			{Num: 5, Const: "ICMPType", Kernel: "CTA_PROTO_ICMP_TYPE", Spec: "proto-icmp-type", Kind: U8, Field: "ICMPType", Alt: 8, NonZeroIf: "r.Proto != ProtoICMPv6", Policy: Policy{Kind: PolU8, Table: "icmp"}},
			{Num: 6, Const: "ICMPCode", Kernel: "CTA_PROTO_ICMP_CODE", Spec: "proto-icmp-code", Kind: U8, Field: "ICMPCode", Alt: 9, NonZeroIf: "r.Proto != ProtoICMPv6", Policy: Policy{Kind: PolU8, Table: "icmp"}},
			{Num: 7, Const: "ICMPv6ID", Kernel: "CTA_PROTO_ICMPV6_ID", Spec: "proto-icmpv6-id", Kind: U16, Field: "ICMPID", Alt: 4, NonZeroIf: "r.Proto == ProtoICMPv6", Policy: Policy{Kind: PolU16, Table: "icmpv6"},
				Errata: "the spec's doc calls it the l4 icmp id"},
			{Num: 8, Const: "ICMPv6Type", Kernel: "CTA_PROTO_ICMPV6_TYPE", Spec: "proto-icmpv6-type", Kind: U8, Field: "ICMPType", Alt: 5, NonZeroIf: "r.Proto == ProtoICMPv6", Policy: Policy{Kind: PolU8, Table: "icmpv6"}},
			{Num: 9, Const: "ICMPv6Code", Kernel: "CTA_PROTO_ICMPV6_CODE", Spec: "proto-icmpv6-code", Kind: U8, Field: "ICMPCode", Alt: 6, NonZeroIf: "r.Proto == ProtoICMPv6", Policy: Policy{Kind: PolU8, Table: "icmpv6"}},
		},
	},
	{
		Name: "protoinfo", Enum: "ctattr_protoinfo", GoType: "ProtoInfoAttr", Prefix: "ProtoInfoAttr",
		Doc:    "an attribute inside CTA_PROTOINFO",
		Record: "ProtoInfo", Present: "Present", Reset: true, EmptyNests: true,
		Order: []uint16{1, 2, 3},
		// tcp_to_nlattr (the other trackers are left to the general
		// decoder).
		Layouts: []Layout{{Attrs: []uint16{1}}},
		Attrs: []Attr{
			{Num: 1, Const: "TCP", Kernel: "CTA_PROTOINFO_TCP", Spec: "protoinfo-tcp", Kind: Nest, Field: "TCP", Nest: "tcp", Policy: Policy{Kind: PolNested}},
			{Num: 2, Const: "DCCP", Kernel: "CTA_PROTOINFO_DCCP", Spec: "protoinfo-dccp", Kind: Nest, Field: "DCCP", Nest: "dccp"},
			{Num: 3, Const: "SCTP", Kernel: "CTA_PROTOINFO_SCTP", Spec: "protoinfo-sctp", Kind: Nest, Field: "SCTP", Nest: "sctp", Policy: Policy{Kind: PolNested}},
		},
	},
	{
		Name: "tcp", Enum: "ctattr_protoinfo_tcp", GoType: "TCPAttr", Prefix: "TCPAttr",
		Doc:    "an attribute inside CTA_PROTOINFO_TCP",
		Record: "TCPInfo", Present: "Present", Reset: true,
		Order: []uint16{1, 2, 3, 4, 5},
		// tcp_to_nlattr: the state alone for a destroyed flow, all five
		// otherwise; libnetfilter_conntrack's __build_protoinfo sends the
		// flags before the window scales.
		Layouts: []Layout{{Attrs: []uint16{1}, Doc: "destroy events"}, {Attrs: []uint16{1, 2, 3, 4, 5}},
			{Attrs: []uint16{1, 4, 5, 2, 3}, Doc: "libnetfilter_conntrack"}},
		Attrs: []Attr{
			{Num: 1, Const: "State", Kernel: "CTA_PROTOINFO_TCP_STATE", Spec: "tcp-state", Kind: U8, Field: "State", GoType: "TCPState", JSON: "enum:tcpStateNames", Policy: Policy{Kind: PolU8, Max: "9"}},
			{Num: 2, Const: "WScaleOrig", Kernel: "CTA_PROTOINFO_TCP_WSCALE_ORIGINAL", Spec: "tcp-wscale-original", Kind: U8, Field: "WScaleOrig", Policy: Policy{Kind: PolU8, Max: "14"}},
			{Num: 3, Const: "WScaleReply", Kernel: "CTA_PROTOINFO_TCP_WSCALE_REPLY", Spec: "tcp-wscale-reply", Kind: U8, Field: "WScaleReply", Policy: Policy{Kind: PolU8, Max: "14"}},
			{Num: 4, Const: "FlagsOrig", Kernel: "CTA_PROTOINFO_TCP_FLAGS_ORIGINAL", Spec: "tcp-flags-original", Kind: TCPFlags, Field: "FlagsOrig", GoType: "TCPFlagsMask", JSON: "tcpflags", Policy: Policy{Kind: PolMinLen, Len: "2"}},
			{Num: 5, Const: "FlagsReply", Kernel: "CTA_PROTOINFO_TCP_FLAGS_REPLY", Spec: "tcp-flags-reply", Kind: TCPFlags, Field: "FlagsReply", GoType: "TCPFlagsMask", JSON: "tcpflags", Policy: Policy{Kind: PolMinLen, Len: "2"}},
		},
	},
	{
		Name: "dccp", Enum: "ctattr_protoinfo_dccp", GoType: "DCCPAttr", Prefix: "DCCPAttr",
		Doc:    "an attribute inside CTA_PROTOINFO_DCCP",
		Record: "DCCPInfo", Present: "Present", Reset: true,
		Order: []uint16{1, 2, 3},
		Attrs: []Attr{
			{Num: 1, Const: "State", Kernel: "CTA_PROTOINFO_DCCP_STATE", Spec: "dccp-state", Kind: U8, Field: "State", GoType: "DCCPState", JSON: "enum:dccpStateNames"},
			{Num: 2, Const: "Role", Kernel: "CTA_PROTOINFO_DCCP_ROLE", Spec: "dccp-role", Kind: U8, Field: "Role", GoType: "DCCPRole", JSON: "enum:dccpRoleNames"},
			{Num: 3, Const: "HandshakeSeq", Kernel: "CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ", Spec: "dccp-handshake-seq", Kind: U64, Field: "HandshakeSeq"},
			{Num: 4, Const: "Pad", Kernel: "CTA_PROTOINFO_DCCP_PAD", Spec: "dccp-pad", Kind: Pad},
		},
	},
	{
		Name: "sctp", Enum: "ctattr_protoinfo_sctp", GoType: "SCTPAttr", Prefix: "SCTPAttr",
		Doc:    "an attribute inside CTA_PROTOINFO_SCTP",
		Record: "SCTPInfo", Present: "Present", Reset: true,
		Order: []uint16{1, 2, 3},
		Attrs: []Attr{
			{Num: 1, Const: "State", Kernel: "CTA_PROTOINFO_SCTP_STATE", Spec: "sctp-state", Kind: U8, Field: "State", GoType: "SCTPState", JSON: "enum:sctpStateNames", Policy: Policy{Kind: PolU8, Max: "8"},
				Errata: "the spec's state enum says cloned for closed and shutdown-heartbeat-sent for heartbeat-sent, and lacks heartbeat-acked (9)"},
			{Num: 2, Const: "VTagOrig", Kernel: "CTA_PROTOINFO_SCTP_VTAG_ORIGINAL", Spec: "vtag-original", Kind: U32, Field: "VTagOrig", Policy: Policy{Kind: PolU32}},
			{Num: 3, Const: "VTagReply", Kernel: "CTA_PROTOINFO_SCTP_VTAG_REPLY", Spec: "vtag-reply", Kind: U32, Field: "VTagReply", Policy: Policy{Kind: PolU32}},
		},
	},
	{
		Name: "counters", Enum: "ctattr_counters", GoType: "CounterAttr", Prefix: "CounterAttr",
		Doc:    "an attribute inside CTA_COUNTERS_*",
		Record: "Counters", Present: "Present", Reset: true,
		Order: []uint16{1, 2, 3, 4},
		// ctnetlink_dump_acct: 64-bit counters only.
		Layouts: []Layout{{Attrs: []uint16{1, 2}}},
		Attrs: []Attr{
			{Num: 1, Const: "Packets", Kernel: "CTA_COUNTERS_PACKETS", Spec: "packets", Kind: U64, Field: "Packets", Alt: 3, Exclusive: true},
			{Num: 2, Const: "Bytes", Kernel: "CTA_COUNTERS_BYTES", Spec: "bytes", Kind: U64, Field: "Bytes", Alt: 4, Exclusive: true},
			{Num: 3, Const: "Packets32", Kernel: "CTA_COUNTERS32_PACKETS", Spec: "packets-old", Kind: U32, Field: "Packets", GoType: "uint64", Alt: 1, Exclusive: true},
			{Num: 4, Const: "Bytes32", Kernel: "CTA_COUNTERS32_BYTES", Spec: "bytes-old", Kind: U32, Field: "Bytes", GoType: "uint64", Alt: 2, Exclusive: true},
			{Num: 5, Const: "Pad", Kernel: "CTA_COUNTERS_PAD", Spec: "pad", Kind: Pad},
		},
	},
	{
		Name: "timestamp", Enum: "ctattr_tstamp", GoType: "TimestampAttr", Prefix: "TimestampAttr",
		Doc:    "an attribute inside CTA_TIMESTAMP",
		Record: "Timestamp", Present: "Present", Reset: true,
		Order: []uint16{1, 2},
		// ctnetlink_dump_timestamp: the stop time once the flow is over.
		Layouts: []Layout{{Attrs: []uint16{1}}, {Attrs: []uint16{1, 2}}},
		Attrs: []Attr{
			{Num: 1, Const: "Start", Kernel: "CTA_TIMESTAMP_START", Spec: "start", Kind: U64, Field: "Start"},
			{Num: 2, Const: "Stop", Kernel: "CTA_TIMESTAMP_STOP", Spec: "stop", Kind: U64, Field: "Stop"},
			{Num: 3, Const: "Pad", Kernel: "CTA_TIMESTAMP_PAD", Spec: "pad", Kind: Pad},
		},
	},
	{
		Name: "nat", Enum: "ctattr_nat", GoType: "NATAttr", Prefix: "NATAttr",
		Doc:    "an attribute inside CTA_NAT_SRC / CTA_NAT_DST",
		Record: "NAT", Reset: true,
		Order:  []uint16{1, 2, 3},
		Errata: "the spec numbers nat-v6-minip 3, nat-v6-maxip 4 and nat-proto 5; the kernel has CTA_NAT_PROTO 3, CTA_NAT_V6_MINIP 4, CTA_NAT_V6_MAXIP 5",
		Attrs: []Attr{
			{Num: 1, Const: "V4MinIP", Kernel: "CTA_NAT_V4_MINIP", Spec: "nat-v4-minip", Kind: Addr4, Field: "MinIP", Presence: ByValid, Alt: 4, JSON: "addr", Policy: Policy{Kind: PolU32}},
			{Num: 2, Const: "V4MaxIP", Kernel: "CTA_NAT_V4_MAXIP", Spec: "nat-v4-maxip", Kind: Addr4, Field: "MaxIP", Presence: ByValid, Alt: 5, JSON: "addr", Policy: Policy{Kind: PolU32}},
			{Num: 3, Const: "Proto", Kernel: "CTA_NAT_PROTO", Spec: "nat-proto", Kind: Flat, Nest: "protonat", Presence: ByChildren, Policy: Policy{Kind: PolNested}},
			{Num: 4, Const: "V6MinIP", Kernel: "CTA_NAT_V6_MINIP", Spec: "nat-v6-minip", Kind: Addr6, Field: "MinIP", Presence: ByValid, Alt: 1, JSON: "addr", Policy: Policy{Kind: PolMinLen, Len: "16"}},
			{Num: 5, Const: "V6MaxIP", Kernel: "CTA_NAT_V6_MAXIP", Spec: "nat-v6-maxip", Kind: Addr6, Field: "MaxIP", Presence: ByValid, Alt: 2, JSON: "addr", Policy: Policy{Kind: PolMinLen, Len: "16"}},
		},
	},
	{
		Name: "protonat", Enum: "ctattr_protonat", GoType: "ProtoNATAttr", Prefix: "ProtoNATAttr",
		Doc:    "an attribute inside CTA_NAT_PROTO",
		Record: "NAT", Present: "Present",
		Order: []uint16{1, 2},
		Attrs: []Attr{
			{Num: 1, Const: "PortMin", Kernel: "CTA_PROTONAT_PORT_MIN", Spec: "nat-port-min", Kind: U16, Field: "PortMin", Policy: Policy{Kind: PolU16}},
			{Num: 2, Const: "PortMax", Kernel: "CTA_PROTONAT_PORT_MAX", Spec: "nat-port-max", Kind: U16, Field: "PortMax", Policy: Policy{Kind: PolU16}},
		},
	},
	{
		Name: "seqadj", Enum: "ctattr_seqadj", GoType: "SeqAdjAttr", Prefix: "SeqAdjAttr",
		Doc:    "an attribute inside CTA_SEQ_ADJ_*",
		Record: "SeqAdj", Present: "Present", Reset: true,
		Order: []uint16{1, 2, 3},
		// dump_ct_seq_adj, for flows with IPS_SEQ_ADJUST (NAT helpers).
		Layouts: []Layout{{Attrs: []uint16{1, 2, 3}}},
		Attrs: []Attr{
			{Num: 1, Const: "CorrectionPos", Kernel: "CTA_SEQADJ_CORRECTION_POS", Spec: "correction-pos", Kind: U32, Field: "CorrectionPos", Policy: Policy{Kind: PolU32}},
			{Num: 2, Const: "OffsetBefore", Kernel: "CTA_SEQADJ_OFFSET_BEFORE", Spec: "offset-before", Kind: U32, Field: "OffsetBefore", Policy: Policy{Kind: PolU32}},
			{Num: 3, Const: "OffsetAfter", Kernel: "CTA_SEQADJ_OFFSET_AFTER", Spec: "offset-after", Kind: U32, Field: "OffsetAfter", Policy: Policy{Kind: PolU32}},
		},
	},
	{
		Name: "synproxy", Enum: "ctattr_synproxy", GoType: "SynproxyAttr", Prefix: "SynproxyAttr",
		Doc:    "an attribute inside CTA_SYNPROXY",
		Record: "Synproxy", Present: "Present", Reset: true,
		Order: []uint16{1, 2, 3},
		// ctnetlink_dump_ct_synproxy, for every flow created through
		// ctnetlink (conntrack -I, conntrackd), which always gets the
		// extension.
		Layouts: []Layout{{Attrs: []uint16{1, 2, 3}}},
		Attrs: []Attr{
			{Num: 1, Const: "ISN", Kernel: "CTA_SYNPROXY_ISN", Spec: "isn", Kind: U32, Field: "ISN", Policy: Policy{Kind: PolU32}},
			{Num: 2, Const: "ITS", Kernel: "CTA_SYNPROXY_ITS", Spec: "its", Kind: U32, Field: "ITS", Policy: Policy{Kind: PolU32}},
			{Num: 3, Const: "TSOff", Kernel: "CTA_SYNPROXY_TSOFF", Spec: "tsoff", Kind: U32, Field: "TSOff", Policy: Policy{Kind: PolU32}},
		},
	},
	{
		Name: "help", Enum: "ctattr_help", GoType: "HelpAttr", Prefix: "HelpAttr",
		Doc:    "an attribute inside CTA_HELP",
		Record: "Helper", Present: "Present", Reset: true,
		Order: []uint16{1, 2},
		Attrs: []Attr{
			{Num: 1, Const: "Name", Kernel: "CTA_HELP_NAME", Spec: "help-name", Kind: String, Field: "Name", GoType: "HelperName", JSON: "text", Policy: Policy{Kind: PolString, Len: "MaxHelperNameLen"}},
			{Num: 2, Const: "Info", Kernel: "CTA_HELP_INFO", Spec: "help-info", Kind: Binary, Field: "Info", GoType: "HelperInfo", JSON: "hex",
				Errata: "missing from the spec's help-attrs"},
		},
	},
	{
		Name: "secctx", Enum: "ctattr_secctx", GoType: "SecCtxAttr", Prefix: "SecCtxAttr",
		Doc:    "an attribute inside CTA_SECCTX",
		Record: "SecCtx", Reset: true,
		Order: []uint16{1},
		Attrs: []Attr{
			{Num: 1, Const: "Name", Kernel: "CTA_SECCTX_NAME", Spec: "secctx-name", Kind: String, Presence: Always, JSON: "text"},
		},
	},
	{
		Name: "filter", Enum: "ctattr_filter", GoType: "FilterAttr", Prefix: "FilterAttr",
		Doc:    "an attribute inside CTA_FILTER",
		Record: "Filter", Present: "Present", Reset: true,
		Order: []uint16{1, 2},
		Attrs: []Attr{
			{Num: 1, Const: "OrigFlags", Kernel: "CTA_FILTER_ORIG_FLAGS", Spec: "orig-flags", Kind: U32Host, Field: "OrigFlags", GoType: "FilterFlags", JSON: "bits:filterFlagNames",
				Policy: Policy{Kind: PolU32, Mask: "uint32(FilterAll)"}},
			{Num: 2, Const: "ReplyFlags", Kernel: "CTA_FILTER_REPLY_FLAGS", Spec: "reply-flags", Kind: U32Host, Field: "ReplyFlags", GoType: "FilterFlags", JSON: "bits:filterFlagNames",
				Policy: Policy{Kind: PolU32, Mask: "uint32(FilterAll)"}},
		},
	},
	{
		Name: "expect", Enum: "ctattr_expect", GoType: "ExpectAttr", Prefix: "ExpectAttr",
		Doc:    "a top-level expectation attribute",
		Unspec: "CTA_EXPECT_UNSPEC", MaxConst: "ExpectAttrMax",
		Top: true, Record: "Expect", Present: "Present", EmptyNests: true,
		// ctnetlink_exp_dump_expect, then the input-only CTA_EXPECT_ZONE.
		Order: []uint16{2, 3, 1, 10, 4, 5, 8, 9, 6, 11, 7},
		Attrs: []Attr{
			{Num: 1, Const: "Master", Kernel: "CTA_EXPECT_MASTER", Spec: "master", Kind: Nest, Field: "Master", Nest: "tuple", Policy: Policy{Kind: PolNested}},
			{Num: 2, Const: "Tuple", Kernel: "CTA_EXPECT_TUPLE", Spec: "tuple", Kind: Nest, Field: "Tuple", Nest: "tuple", Policy: Policy{Kind: PolNested}},
			{Num: 3, Const: "Mask", Kernel: "CTA_EXPECT_MASK", Spec: "mask", Kind: Nest, Field: "Mask", Nest: "tuple", Policy: Policy{Kind: PolNested}},
			{Num: 4, Const: "Timeout", Kernel: "CTA_EXPECT_TIMEOUT", Spec: "timeout", Kind: U32, Field: "Timeout", Policy: Policy{Kind: PolU32}},
			{Num: 5, Const: "ID", Kernel: "CTA_EXPECT_ID", Spec: "id", Kind: U32, Field: "ID", Policy: Policy{Kind: PolU32}},
			{Num: 6, Const: "HelpName", Kernel: "CTA_EXPECT_HELP_NAME", Spec: "help-name", Kind: String, Field: "Helper", GoType: "HelperName", JSON: "text", Policy: Policy{Kind: PolString, Len: "MaxHelperNameLen"}},
			{Num: 7, Const: "Zone", Kernel: "CTA_EXPECT_ZONE", Spec: "zone", Kind: U16, Field: "Zone", Policy: Policy{Kind: PolU16}},
			{Num: 8, Const: "Flags", Kernel: "CTA_EXPECT_FLAGS", Spec: "flags", Kind: U32, Field: "Flags", GoType: "ExpectFlags", JSON: "bits:expectFlagNames", Policy: Policy{Kind: PolU32, Mask: "uint32(ExpectFlagsAll)"}},
			{Num: 9, Const: "Class", Kernel: "CTA_EXPECT_CLASS", Spec: "class", Kind: U32, Field: "Class", Policy: Policy{Kind: PolU32}},
			{Num: 10, Const: "NAT", Kernel: "CTA_EXPECT_NAT", Spec: "nat", Kind: Nest, Field: "NAT", Nest: "expectnat", Policy: Policy{Kind: PolNested}},
			{Num: 11, Const: "Fn", Kernel: "CTA_EXPECT_FN", Spec: "fn", Kind: String, Field: "Fn", GoType: "ExpectFn", JSON: "text", Policy: Policy{Kind: PolString}},
		},
	},
	{
		Name: "expectnat", Enum: "ctattr_expect_nat", GoType: "ExpectNATAttr", Prefix: "ExpectNATAttr",
		Doc:    "an attribute inside CTA_EXPECT_NAT",
		Record: "ExpectNAT", Present: "Present", Reset: true,
		Order: []uint16{1, 2},
		Attrs: []Attr{
			{Num: 1, Const: "Dir", Kernel: "CTA_EXPECT_NAT_DIR", Spec: "dir", Kind: U32, Field: "Dir", Policy: Policy{Kind: PolU32, Max: "1"}},
			{Num: 2, Const: "Tuple", Kernel: "CTA_EXPECT_NAT_TUPLE", Spec: "tuple", Kind: Nest, Field: "Tuple", Nest: "tuple", Policy: Policy{Kind: PolNested}},
		},
	},
	{
		Name: "statscpu", Enum: "ctattr_stats_cpu", GoType: "StatsCPUAttr", Prefix: "StatsCPUAttr",
		Doc:    "an attribute of a per-CPU conntrack statistics message",
		Unspec: "CTA_STATS_UNSPEC",
		Top:    true, Record: "StatsCPU", Present: "Present", JSONNameKeys: true,
		// ctnetlink_ct_stat_cpu_fill_info sends them ascending.
		Order:  []uint16{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		Errata: "the spec marks invalid obsolete, though the kernel sends it, and lists searched, which it no longer sends, among the replies",
		Attrs: []Attr{
			{Num: 1, Const: "Searched", Kernel: "CTA_STATS_SEARCHED", Spec: "searched", Kind: U32, Field: "Searched", Doc: "unused"},
			{Num: 2, Const: "Found", Kernel: "CTA_STATS_FOUND", Spec: "found", Kind: U32, Field: "Found"},
			{Num: 3, Const: "New", Kernel: "CTA_STATS_NEW", Spec: "new", Kind: U32, Field: "New", Doc: "unused"},
			{Num: 4, Const: "Invalid", Kernel: "CTA_STATS_INVALID", Spec: "invalid", Kind: U32, Field: "Invalid"},
			{Num: 5, Const: "Ignore", Kernel: "CTA_STATS_IGNORE", Spec: "ignore", Kind: U32, Field: "Ignore", Doc: "unused"},
			{Num: 6, Const: "Delete", Kernel: "CTA_STATS_DELETE", Spec: "delete", Kind: U32, Field: "Delete", Doc: "unused"},
			{Num: 7, Const: "DeleteList", Kernel: "CTA_STATS_DELETE_LIST", Spec: "delete-list", Kind: U32, Field: "DeleteList", Doc: "unused"},
			{Num: 8, Const: "Insert", Kernel: "CTA_STATS_INSERT", Spec: "insert", Kind: U32, Field: "Insert"},
			{Num: 9, Const: "InsertFailed", Kernel: "CTA_STATS_INSERT_FAILED", Spec: "insert-failed", Kind: U32, Field: "InsertFailed"},
			{Num: 10, Const: "Drop", Kernel: "CTA_STATS_DROP", Spec: "drop", Kind: U32, Field: "Drop"},
			{Num: 11, Const: "EarlyDrop", Kernel: "CTA_STATS_EARLY_DROP", Spec: "early-drop", Kind: U32, Field: "EarlyDrop"},
			{Num: 12, Const: "Error", Kernel: "CTA_STATS_ERROR", Spec: "error", Kind: U32, Field: "Error"},
			{Num: 13, Const: "SearchRestart", Kernel: "CTA_STATS_SEARCH_RESTART", Spec: "search-restart", Kind: U32, Field: "SearchRestart"},
			{Num: 14, Const: "ClashResolve", Kernel: "CTA_STATS_CLASH_RESOLVE", Spec: "clash-resolve", Kind: U32, Field: "ClashResolve"},
			{Num: 15, Const: "ChainTooLong", Kernel: "CTA_STATS_CHAIN_TOOLONG", Spec: "chain-toolong", Kind: U32, Field: "ChainTooLong"},
		},
	},
	{
		Name: "statsglobal", Enum: "ctattr_stats_global", GoType: "StatsGlobalAttr", Prefix: "StatsGlobalAttr",
		Doc:    "an attribute of the global conntrack statistics message",
		Unspec: "CTA_STATS_GLOBAL_UNSPEC",
		Top:    true, Record: "StatsGlobal", Present: "Present",
		Order: []uint16{1, 2},
		Attrs: []Attr{
			{Num: 1, Const: "Entries", Kernel: "CTA_STATS_GLOBAL_ENTRIES", Spec: "entries", Kind: U32, Field: "Entries"},
			{Num: 2, Const: "MaxEntries", Kernel: "CTA_STATS_GLOBAL_MAX_ENTRIES", Spec: "max-entries", Kind: U32, Field: "MaxEntries"},
		},
	},
	{
		Name: "statsexp", Enum: "ctattr_expect_stats", GoType: "StatsExpAttr", Prefix: "StatsExpAttr",
		Doc:    "an attribute of a per-CPU expectation statistics message",
		Unspec: "CTA_STATS_EXP_UNSPEC",
		Top:    true, Record: "StatsExp", Present: "Present",
		Order: []uint16{1, 2, 3},
		Attrs: []Attr{
			{Num: 1, Const: "New", Kernel: "CTA_STATS_EXP_NEW", Spec: "new", Kind: U32, Field: "New"},
			{Num: 2, Const: "Create", Kernel: "CTA_STATS_EXP_CREATE", Spec: "create", Kind: U32, Field: "Create"},
			{Num: 3, Const: "Delete", Kernel: "CTA_STATS_EXP_DELETE", Spec: "delete", Kind: U32, Field: "Delete"},
		},
	},
}
